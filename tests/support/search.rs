//! Reading a built search index back as the client sees it (`read_index`, which also checks
//! the files against the format of docs/search.md) and running queries on it by the contract's
//! rules (`run_query`): the reference the browser's results are compared with.

use std::collections::{BTreeMap, BTreeSet};

use pm::site::search::encode::{data_file, decode, read_data_file, utf16_cmp};
use pm::site::search::tokenize::{Kind, kind, tokens};
use serde_json::Value;

/// The index as the client sees it.
pub struct Index {
    pub manifest: Value,
    /// Term → its three tiers of doc ids.
    pub terms: BTreeMap<String, [Vec<u32>; 3]>,
    /// `facet:value` → doc ids.
    pub facets: BTreeMap<String, Vec<u32>>,
    /// Doc rows in doc id order.
    pub rows: Vec<Value>,
    /// Data files by key.
    pub data: BTreeMap<String, Value>,
    /// Listed term → the number of its x/ file.
    pub listed: BTreeMap<String, u64>,
}

fn ids(set: &Value) -> Vec<u32> {
    let set = set.as_str().expect("a doc set is a string");
    decode(set).unwrap_or_else(|e| panic!("{set:?}: {e}"))
}

/// The keys (`k`) of a term or facet file.
fn file_keys(file: &Value) -> Vec<String> {
    file["k"].as_array().expect("k").iter().map(|k| k.as_str().expect("key").to_owned()).collect()
}

/// Reads `search/` of a built site, checking the file shape on the way.
pub fn read_index(site: &BTreeMap<String, Vec<u8>>) -> Index {
    let mut data = BTreeMap::new();
    for (path, bytes) in site {
        let Some(rel) = path.strip_prefix("search/") else { continue };
        if rel == "index.html" {
            continue;
        }
        let key = rel.strip_suffix(".js").unwrap_or_else(|| panic!("unexpected file {path}"));
        let text = std::str::from_utf8(bytes).expect("UTF-8");
        let (named, json) =
            read_data_file(text).unwrap_or_else(|| panic!("{path} is not pmSearchData(...);"));
        assert_eq!(named, key, "{path} names itself");
        if key != "manifest" {
            let (kind, n) = key.split_once('/').expect("kind/NNN");
            assert!(["x", "t", "n", "c", "f", "d"].contains(&kind) && n.len() >= 3, "{key}");
            assert!(n.bytes().all(|b| b.is_ascii_digit()), "{key}");
        }
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!text.contains(bad), "{path} has an unescaped {bad:?}");
        }
        data.insert(key.to_owned(), json);
    }
    let manifest = data.get("manifest").expect("search/manifest.js").clone();

    let shards = |kind: &str, first: &str| -> Vec<(Vec<String>, Vec<Value>)> {
        let firsts: Vec<&str> = manifest[first]
            .as_array()
            .expect("shard list")
            .iter()
            .map(|v| v.as_str().expect("key"))
            .collect();
        let files: Vec<&String> =
            data.keys().filter(|k| k.starts_with(&format!("{kind}/"))).collect();
        assert_eq!(files.len(), firsts.len(), "one {kind}/ file per manifest entry");
        let mut out = Vec::new();
        for (n, first) in firsts.iter().enumerate() {
            let shard = &data[&format!("{kind}/{n:03}")];
            let keys = file_keys(shard);
            let postings = shard["p"].as_array().expect("p").clone();
            assert_eq!(keys.len(), postings.len(), "{kind}/{n:03}: one posting per key");
            assert_eq!(keys.first().map(String::as_str), Some(*first), "{kind}/{n:03} first key");
            if let Some(next) = firsts.get(n + 1) {
                let last = keys.last().expect("non-empty");
                assert!(utf16_cmp(last, next).is_lt(), "{kind}/{n:03} ends before the next");
            }
            out.push((keys, postings));
        }
        // Keys ascending in UTF-16 order across all shards: each in exactly one shard.
        let all: Vec<&String> = out.iter().flat_map(|(k, _)| k).collect();
        for w in all.windows(2) {
            assert!(
                w[0].encode_utf16().cmp(w[1].encode_utf16()).is_lt(),
                "{kind}: {:?} before {:?}",
                w[0],
                w[1]
            );
        }
        out
    };

    let mut terms = BTreeMap::new();
    let add_terms = |keys: Vec<String>, postings: Vec<Value>, terms: &mut BTreeMap<_, _>| {
        for (key, p) in keys.into_iter().zip(postings) {
            let tiers = p.as_array().expect("three tiers");
            assert_eq!(tiers.len(), 3, "{key}");
            let tiers = [ids(&tiers[0]), ids(&tiers[1]), ids(&tiers[2])];
            assert!(tiers.iter().any(|t| !t.is_empty()), "{key} has no documents");
            assert!(terms.insert(key.clone(), tiers).is_none(), "{key} is in two files");
        }
    };
    // Words in t/, numbers in n/, codes in c/, each kind in key ranges.
    for (dir, want) in [("t", Kind::Word), ("n", Kind::Number), ("c", Kind::Code)] {
        for (keys, postings) in shards(dir, dir) {
            for key in &keys {
                assert_eq!(kind(key), want, "{key} in {dir}/");
            }
            add_terms(keys, postings, &mut terms);
        }
    }
    // Listed terms: x/F holds the keys the manifest's x[F] names, ascending; x/ files are
    // numbered without gaps; sizes (KiB, rounded up) for every term and facet file.
    let x_keys = manifest["x"].as_array().expect("x: the keys of each x/ file");
    assert_eq!(
        data.keys().filter(|k| k.starts_with("x/")).count(),
        x_keys.len(),
        "one x/ file per entry of x"
    );
    let mut listed = BTreeMap::new();
    for (f, want) in x_keys.iter().enumerate() {
        let want: Vec<String> = want
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k.as_str().expect("key").to_owned())
            .collect();
        assert!(!want.is_empty(), "x[{f}] is empty");
        let file = &data[&format!("x/{f:03}")];
        let keys = file_keys(file);
        assert_eq!(keys, want, "x/{f:03} holds its listed terms");
        assert!(keys.windows(2).all(|w| utf16_cmp(&w[0], &w[1]).is_lt()), "x/{f:03} ascending");
        for k in &keys {
            assert!(listed.insert(k.clone(), f as u64).is_none(), "{k} is listed twice");
        }
        add_terms(keys, file["p"].as_array().expect("p").clone(), &mut terms);
    }
    for (sizes, dir) in [("xs", "x"), ("ts", "t"), ("ns", "n"), ("cs", "c"), ("fs", "f")] {
        let sizes = manifest[sizes].as_array().expect("sizes");
        let files = data.keys().filter(|k| k.starts_with(&format!("{dir}/"))).count();
        assert_eq!(sizes.len(), files, "one size per {dir}/ file");
        for (f, size) in sizes.iter().enumerate() {
            let key = format!("{dir}/{f:03}");
            let text = std::str::from_utf8(&site[&format!("search/{key}.js")]).expect("UTF-8");
            let json = text.len() - data_file(&key, "").len();
            assert_eq!(size.as_u64(), Some(json.div_ceil(1024) as u64), "{key}: {json} bytes");
        }
    }
    let mut facets = BTreeMap::new();
    for (keys, postings) in shards("f", "f") {
        for (key, p) in keys.into_iter().zip(postings) {
            facets.insert(key, ids(&p));
        }
    }
    let docs = manifest["docs"].as_u64().expect("docs") as usize;
    let runs: Vec<[usize; 2]> =
        serde_json::from_value(manifest["blocks"].clone()).expect("blocks: [[size, count]...]");
    let mut rows = Vec::new();
    let mut b = 0;
    for [size, count] in runs {
        for _ in 0..count {
            let d = data.get(&format!("d/{b:03}")).unwrap_or_else(|| panic!("no block d/{b:03}"));
            let block_rows = d["d"].as_array().expect("d");
            assert_eq!(block_rows.len(), size.min(docs - rows.len()), "rows of d/{b:03}");
            rows.extend(block_rows.iter().cloned());
            b += 1;
        }
    }
    assert_eq!(rows.len(), docs, "the blocks hold every document");
    assert_eq!(data.keys().filter(|k| k.starts_with("d/")).count(), b);
    Index { manifest, terms, facets, rows, data, listed }
}

/// A key's match quality out of [`QUALITY`] (docs/search.md, "Queries").
const QUALITY: u32 = 16;

/// How much of `longer` (in characters) `shorter` is, as a quality below [`QUALITY`].
fn prefix_quality(shorter: &str, longer: &str) -> u32 {
    let q = QUALITY * shorter.chars().count() as u32 / longer.chars().count() as u32;
    q.clamp(1, QUALITY - 1)
}

/// The keys `word` matches, with their quality: its stem (and, for a prefix, itself and the
/// keys it starts); when there are none and it is an English word, the keys a prefix starts
/// with (down to half its length, 3 letters at least), then the closest words within its edit
/// bound (one edit from 5 letters, two from 8; at most 5 keys, in key order) among the listed terms and the word shards the client looks
/// in (all of them while they add up to 64 KiB, else the word's own).
fn matches(index: &Index, word: &str, is_prefix: bool) -> Vec<(String, u32)> {
    let stem = pm::site::search::tokenize::stem(word).into_owned();
    let mut out: Vec<(String, u32)> = Vec::new();
    if index.terms.contains_key(&stem) {
        out.push((stem.clone(), QUALITY));
    }
    if is_prefix {
        if stem != word && index.terms.contains_key(word) {
            out.push((word.to_owned(), QUALITY));
        }
        for key in index.terms.keys() {
            if key.starts_with(word) && key != word && *key != stem {
                out.push((key.clone(), prefix_quality(word, key)));
            }
        }
    }
    let english = word.bytes().all(|b| b.is_ascii_lowercase());
    if !out.is_empty() || !english {
        return out;
    }
    if is_prefix {
        let len = word.len();
        for j in (3.max(len.div_ceil(2))..len).rev() {
            let cut = &word[..j];
            if index.terms.contains_key(cut) {
                out.push((cut.to_owned(), prefix_quality(cut, word)));
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    let bound = match word.chars().count() {
        n if n >= 8 => 2,
        n if n >= 5 => 1,
        _ => 0,
    };
    if bound == 0 {
        return out;
    }
    let sizes: u64 =
        index.manifest["ts"].as_array().expect("ts").iter().filter_map(Value::as_u64).sum();
    let shards: Vec<&str> = index.manifest["t"]
        .as_array()
        .expect("t")
        .iter()
        .map(|v| v.as_str().expect("key"))
        .collect();
    let home = shards.iter().rposition(|first| utf16_cmp(first, &stem).is_le());
    let in_dictionary = |key: &str| {
        if index.listed.contains_key(key) || sizes * 1024 <= 64 * 1024 {
            return true;
        }
        let shard = shards.iter().rposition(|first| utf16_cmp(first, key).is_le());
        shard.is_some() && shard == home
    };
    let mut best = bound + 1;
    let mut keys: Vec<&String> = Vec::new();
    for key in index.terms.keys() {
        if !key.bytes().all(|b| b.is_ascii_lowercase()) || !in_dictionary(key) {
            continue;
        }
        let d = strsim::osa_distance(&stem, key);
        if d < best {
            best = d;
            keys.clear();
        }
        if d == best && d <= bound {
            keys.push(key);
        }
    }
    keys.sort_by(|a, b| utf16_cmp(a, b));
    let quality = [QUALITY, 8, 4];
    keys.into_iter().take(5).map(|k| (k.clone(), quality[best])).collect()
}

/// The query rules of docs/search.md ("Queries"), run on the decoded index: the reference the
/// expected results are checked against. Returns doc ids, best first.
pub fn run_query(index: &Index, q: &str, filters: &BTreeMap<String, Vec<String>>) -> Vec<u32> {
    let weights = [8u32, 3, 1];
    let mut words: Vec<String> = Vec::new();
    for t in tokens(q) {
        if !words.contains(&t) {
            words.push(t);
        }
    }
    let prefix = !q.is_empty() && !q.ends_with(char::is_whitespace);
    let n = index.rows.len() as u32;
    let mut selected: Option<BTreeSet<u32>> = None;
    for (facet, values) in filters {
        let docs: BTreeSet<u32> = values
            .iter()
            .flat_map(|v| index.facets.get(&format!("{facet}:{v}")).into_iter().flatten().copied())
            .collect();
        selected = Some(match selected {
            Some(s) => s.intersection(&docs).copied().collect(),
            None => docs,
        });
    }
    if words.is_empty() {
        return selected.map(|s| s.into_iter().collect()).unwrap_or_default();
    }
    let mut scores: BTreeMap<u32, u32> = (0..n).map(|d| (d, 0)).collect();
    for (i, word) in words.iter().enumerate() {
        let is_prefix = prefix && i + 1 == words.len();
        let mut best: BTreeMap<u32, u32> = BTreeMap::new();
        for (key, quality) in matches(index, word, is_prefix) {
            for (tier, docs) in index.terms[&key].iter().enumerate() {
                for &d in docs {
                    let w = best.entry(d).or_insert(0);
                    *w = (*w).max(weights[tier] * quality);
                }
            }
        }
        scores = scores.into_iter().filter_map(|(d, s)| best.get(&d).map(|w| (d, s + w))).collect();
    }
    let mut hits: Vec<(u32, u32)> = scores
        .into_iter()
        .filter(|(d, _)| selected.as_ref().is_none_or(|s| s.contains(d)))
        .collect();
    hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hits.into_iter().map(|(d, _)| d).collect()
}

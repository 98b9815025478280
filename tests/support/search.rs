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
    // numbered without gaps; sizes (KiB, rounded up) for every term file.
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
    for (sizes, dir) in [("xs", "x"), ("ts", "t"), ("ns", "n"), ("cs", "c")] {
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
        for (key, tiers) in &index.terms {
            if key == word || (is_prefix && key.starts_with(word.as_str())) {
                for (tier, docs) in tiers.iter().enumerate() {
                    for &d in docs {
                        let w = best.entry(d).or_insert(0);
                        *w = (*w).max(weights[tier]);
                    }
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

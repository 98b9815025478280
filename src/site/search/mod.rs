//! Site search: the static, sharded index that `search.js` queries in the browser, built as a
//! step of `pm build`.
//!
//! The format is a contract with the client, written down in docs/search.md ("Index format"):
//! `search/manifest.js` (sizes, the listed terms, shard boundaries, facet values), term files
//! (`search/x/NNN.js` for listed terms; `search/t/`, `search/n/` and `search/c/` shards of the
//! other words, numbers and codes: each term's documents in three ranked tiers), facet shards
//! `search/f/NNN.js` and document blocks `search/d/NNN.js` (what a result shows). Every file is
//! a script calling `pmSearchData(key, data)`, so the client loads it with a `<script>` element
//! and the site works from `file://` with no server.
//!
//! The build follows the data: [`index::invert`] tokenizes every postmortem in parallel
//! ([`tokenize`]) into sorted terms; facets and document rows come straight from the
//! [`Catalog`]; [`shard`] decides which file each term goes to and sizes the files from N and the
//! index's size; [`encode`] writes the doc sets. Everything is sorted before it is written, so
//! the same repository gives byte-identical files.

pub mod encode;
pub mod index;
pub mod shard;
pub mod tokenize;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::ops::Range;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::site::catalog::Catalog;
use crate::site::json::script_json;
use crate::site::manifest::{Key, KeyHasher};
use encode::utf16_cmp;
use index::{TIERS, Term, Tier};
use tokenize::Kind;

/// Version of the index format (`v` in the manifest).
pub const VERSION: u32 = 4;

/// Score of a match in tier 0 (title, summary, id), 1 (metadata), 2 (body).
pub const WEIGHTS: [u32; TIERS] = [8, 3, 1];

/// Largest a data file may be, gzipped, before the build warns: the index's budget is a first
/// query that transfers at most 150 KB, so no single file may exceed that.
pub const MAX_FILE_GZIP: usize = 150_000;

/// A snippet is the summary cut to at most this many characters (with the ellipsis): about one
/// line of a result, enough to tell incidents with similar titles apart. Snippets are most of
/// a document block, and a first page whose results are spread over the history loads 10
/// blocks, so every character counts ten times over (at 100,000 postmortems, 140 characters
/// cost 12 KB more on such a page: docs/BENCHMARKS.md).
pub const SNIPPET_CHARS: usize = 100;

/// What the index step wrote.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Data files (manifest, shards, blocks); the search page is not counted.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// Distinct terms.
    pub terms: usize,
    /// Documents in the biggest block.
    pub block: usize,
    /// Terms with files of their own (or shared with a few other big terms).
    pub listed_terms: usize,
    /// Files of listed terms.
    pub listed_files: usize,
    /// Shards of unlisted words.
    pub word_shards: usize,
    /// Shards of unlisted numbers.
    pub number_shards: usize,
    /// Shards of unlisted codes.
    pub code_shards: usize,
    /// Facet shards.
    pub facet_shards: usize,
    /// Document blocks.
    pub doc_blocks: usize,
    /// The largest data file: its key and size.
    pub largest: (String, usize),
    /// Wall time of the step.
    pub elapsed: Duration,
    /// Budgets the index goes over (its file count, a file's gzipped size), as sentences.
    pub warnings: Vec<String>,
    /// The previous build's files were reused: nothing was tokenized, and only the file
    /// figures (count, bytes, largest, warnings) are known.
    pub reused: bool,
    /// With a memo of the previous build's tokens ([`index::Memo`]): how many chunks of
    /// documents were not tokenized again, of how many.
    pub remembered: Option<(usize, usize)>,
}

/// Where data files go: `write(path under the site root, bytes)`.
pub type Sink<'a> = dyn Fn(&str, &[u8]) -> anyhow::Result<()> + Sync + 'a;

/// Builds the index of `m` and writes its files under `search/` through `write`; with a
/// `memo` and the key of each entry ([`entry_keys`]), the documents tokenized by the previous
/// build in this process are not tokenized again.
pub fn build(
    m: &Catalog<'_>,
    write: &Sink<'_>,
    memo: Option<(&index::Memo, &[Key])>,
) -> anyhow::Result<Stats> {
    let started = Instant::now();
    let n = m.entries.len();
    // The first text that could not be read again fails the build, after the others.
    let unread = std::sync::Mutex::new(None);
    let invert = || {
        index::invert_remembering(
            n,
            |d, sink| {
                if let Err(e) = fields(m, d, sink) {
                    if let Ok(mut unread) = unread.lock() {
                        unread.get_or_insert(e);
                    }
                }
            },
            memo,
        )
    };
    let (((terms, chunks), titles), facets) =
        rayon::join(|| rayon::join(invert, || title_counts(m)), || facets(m));
    if let Some(e) = unread.into_inner().ok().flatten() {
        return Err(anyhow::Error::new(e).context("cannot index the postmortems for search"));
    }

    // Facet postings, by `facet:value`.
    let mut facet_entries: Vec<(String, &[u32])> = facets
        .iter()
        .flat_map(|f| f.values.iter().map(move |(v, docs)| (format!("{}:{v}", f.key), &docs[..])))
        .collect();
    facet_entries.sort_by(|a, b| utf16_cmp(&a.0, &b.0));

    // Sizes of the entries as written (`"key":[...]` give or take a comma), to cut files.
    let term_sizes: Vec<usize> = terms
        .par_iter()
        .map(|t| t.key.len() + 4 + t.tiers.iter().map(|s| encode::choose(s).1 + 3).sum::<usize>())
        .collect();
    let facet_sizes: Vec<usize> =
        facet_entries.iter().map(|(k, s)| k.len() + 6 + encode::choose(s).1).collect();
    let plan = TermPlan::new(n, &terms, &term_sizes, &titles);
    let facet_shards = shard::cut_within(&facet_sizes, shard::MAX_FACET_SHARDS, shard::MIN_TARGET);
    let runs = shard::block_runs(n);
    let blocks = shard::blocks(&runs, n);
    let rows = RowCodes::new(&facets);
    // Term files first: the manifest gives their sizes, so a client can tell how much a
    // prefix's completions would cost before it loads them.
    let serialize = |files: &[Vec<usize>]| -> anyhow::Result<Vec<String>> {
        files.par_iter().map(|members| term_file(&terms, members)).collect()
    };
    let listed_json = serialize(&plan.files)?;
    let words_json = serialize(&plan.words)?;
    let numbers_json = serialize(&plan.numbers)?;
    let codes_json = serialize(&plan.codes)?;
    // Facet shards too: the client weighs them before loading them all for the live counts.
    let facets_json: Vec<String> = facet_shards
        .par_iter()
        .map(|r| facet_shard(&facet_entries[r.clone()]))
        .collect::<anyhow::Result<_>>()?;
    // In KiB, rounded up: the client only weighs files against a budget of tens of KiB, and
    // short numbers keep the manifest, which every query loads, small.
    let lengths =
        |json: &[String]| -> Vec<usize> { json.iter().map(|j| j.len().div_ceil(1024)).collect() };

    let manifest = Manifest {
        v: VERSION,
        docs: n,
        blocks: &runs,
        x: plan.files.iter().map(|file| file.iter().map(|&t| &*terms[t].key).collect()).collect(),
        xs: lengths(&listed_json),
        ts: lengths(&words_json),
        ns: lengths(&numbers_json),
        cs: lengths(&codes_json),
        fs: lengths(&facets_json),
        t: plan.words.iter().map(|s| &*terms[s[0]].key).collect(),
        n: plan.numbers.iter().map(|s| &*terms[s[0]].key).collect(),
        c: plan.codes.iter().map(|s| &*terms[s[0]].key).collect(),
        f: facet_shards.iter().map(|r| facet_entries[r.start].0.as_str()).collect(),
        weights: WEIGHTS,
        stop: tokenize::STOP_WORDS,
        facets: facets
            .iter()
            .map(|f| FacetView {
                key: f.key,
                label: f.label,
                values: f.values.iter().map(|(v, docs)| (v.as_str(), docs.len())).collect(),
            })
            .collect(),
    };

    // The term files, already serialized, by directory.
    let term_files =
        [("x", &listed_json), ("t", &words_json), ("n", &numbers_json), ("c", &codes_json)];
    let jobs: Vec<Job> = std::iter::once(Job::Manifest)
        .chain(
            term_files
                .iter()
                .enumerate()
                .flat_map(|(d, (_, json))| (0..json.len()).map(move |k| Job::Term(d, k))),
        )
        .chain((0..facet_shards.len()).map(Job::Facets))
        .chain((0..blocks.len()).map(Job::Docs))
        .collect();
    let written: Vec<(String, usize, Option<usize>)> = jobs
        .par_iter()
        .map(|job| {
            let (key, json): (String, Cow<'_, str>) = match *job {
                Job::Manifest => ("manifest".to_owned(), script_json(&manifest)?.into()),
                Job::Term(d, k) => {
                    let (dir, json) = term_files[d];
                    (shard::key(dir, k), json[k].as_str().into())
                }
                Job::Facets(k) => (shard::key("f", k), facets_json[k].as_str().into()),
                Job::Docs(k) => {
                    (shard::key("d", k), doc_block(m, &rows, blocks[k].clone())?.into())
                }
            };
            let bytes = encode::data_file(&key, &json);
            write(&format!("search/{key}.js"), &bytes)?;
            // Only a file that could exceed the budget is worth compressing to find out.
            let gzip = if bytes.len() > MAX_FILE_GZIP { Some(gzip_len(&bytes)?) } else { None };
            Ok((key, bytes.len(), gzip))
        })
        .collect::<anyhow::Result<_>>()?;

    Ok(Stats {
        terms: terms.len(),
        block: blocks.iter().map(ExactSizeIterator::len).max().unwrap_or(0),
        listed_terms: plan.listed.len(),
        listed_files: plan.files.len(),
        word_shards: plan.words.len(),
        number_shards: plan.numbers.len(),
        code_shards: plan.codes.len(),
        facet_shards: facet_shards.len(),
        doc_blocks: blocks.len(),
        elapsed: started.elapsed(),
        remembered: memo.map(|_| chunks),
        ..Stats::of_files(&written)
    })
}

/// The key of everything the index is made from, on top of `fingerprint` (pm, the
/// configuration, the theme): each entry's key ([`entry_keys`]), in the catalog's order. The
/// same key, the same index files, so a build whose key matches the previous one's reuses them
/// ([`crate::site::writer::Writer::reuse_group`]).
pub fn inputs_key(entries: &[Key], fingerprint: Key) -> Key {
    let mut h = KeyHasher::default();
    h.str("search").key(fingerprint).bytes(&(entries.len() as u64).to_le_bytes());
    for &key in entries {
        h.key(key);
    }
    h.finish()
}

/// The key of what the index reads of each entry of `m`: its searchable fields, facet values
/// and result row.
pub fn entry_keys(m: &Catalog<'_>) -> Vec<Key> {
    (0..m.entries.len())
        .into_par_iter()
        .map(|d| {
            let e = &m.entries[d];
            let pm = e.pm;
            let mut h = KeyHasher::default();
            front_fields(m, d, &mut |tier, text| {
                h.bytes(&[tier]).str(text);
            });
            // The body, as the text it is cut from: no file is read again for the key.
            h.key(e.doc.text_key());
            // What the facets and the result row read besides the fields.
            h.str(&e.page).str(&e.date_text()).str(e.status().as_str());
            for value in [&pm.severity, &pm.team].into_iter().flatten() {
                h.str(&value.value);
            }
            for list in [&pm.services, &pm.tags, &pm.contributing_factors] {
                h.bytes(&(list.len() as u64).to_le_bytes());
                for value in list {
                    h.str(&value.value);
                }
            }
            h.finish()
        })
        .collect()
}

impl Stats {
    /// The figures of the files written (key, size, gzipped size when it was worth knowing).
    fn of_files(written: &[(String, usize, Option<usize>)]) -> Stats {
        Stats {
            files: written.len(),
            bytes: written.iter().map(|w| w.1 as u64).sum(),
            largest: written
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(key, size, _)| (key.clone(), *size))
                .unwrap_or_default(),
            warnings: budget_warnings(written),
            ..Stats::default()
        }
    }

    /// The figures of an index reused from the previous build: its `files` (site paths and
    /// sizes), whose bytes `read` gives back for the budget check of the big ones.
    pub fn reused(
        files: &[(String, u64)],
        read: &(dyn Fn(&str) -> Option<Vec<u8>> + Sync),
        started: Instant,
    ) -> anyhow::Result<Stats> {
        let written: Vec<(String, usize, Option<usize>)> = files
            .par_iter()
            .map(|(rel, size)| {
                let key = rel.strip_prefix("search/").unwrap_or(rel);
                let key = key.strip_suffix(".js").unwrap_or(key).to_owned();
                let size = usize::try_from(*size).unwrap_or(usize::MAX);
                let gzip = if size > MAX_FILE_GZIP {
                    let bytes = read(rel)
                        .ok_or_else(|| anyhow::anyhow!("cannot read back the reused {rel}"))?;
                    Some(gzip_len(&bytes)?)
                } else {
                    None
                };
                Ok((key, size, gzip))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Stats { elapsed: started.elapsed(), reused: true, ..Stats::of_files(&written) })
    }
}

/// Which file every term goes to (see [`shard`]): the listed terms with their files, and the
/// shards of the other words, numbers and codes, each a list of term indices in key order.
struct TermPlan {
    /// `(term, file)` of every listed term, in key order.
    listed: Vec<(usize, usize)>,
    /// The terms of each listed file, in key order.
    files: Vec<Vec<usize>>,
    /// Shards of unlisted words.
    words: Vec<Vec<usize>>,
    /// Shards of unlisted numbers.
    numbers: Vec<Vec<usize>>,
    /// Shards of unlisted codes.
    codes: Vec<Vec<usize>>,
}

impl TermPlan {
    fn new(
        docs: usize,
        terms: &[Term],
        sizes: &[usize],
        titles: &HashMap<String, u32>,
    ) -> TermPlan {
        let kinds: Vec<Kind> = terms.par_iter().map(|t| tokenize::kind(&t.key)).collect();
        let word_bytes: usize =
            (0..terms.len()).filter(|&t| kinds[t] == Kind::Word).map(|t| sizes[t]).sum();
        let list_min = shard::list_min(docs, word_bytes);
        // Listed: the big terms, most likely searched first (see `shard`). Ties fall back to
        // the key, so the plan is the same on every build.
        let mut big: Vec<usize> = (0..terms.len()).filter(|&t| sizes[t] >= list_min).collect();
        let title_docs = |t: usize| titles.get(&*terms[t].key).copied().unwrap_or(0);
        let head_docs = |t: usize| terms[t].tiers[0].len() + terms[t].tiers[1].len();
        big.sort_by(|&a, &b| {
            title_docs(b)
                .cmp(&title_docs(a))
                .then_with(|| head_docs(b).cmp(&head_docs(a)))
                .then_with(|| sizes[b].cmp(&sizes[a]))
                .then_with(|| utf16_cmp(&terms[a].key, &terms[b].key))
        });
        let big_sizes: Vec<usize> = big.iter().map(|&t| sizes[t]).collect();
        let file_of = shard::pack_listed(&big_sizes, shard::MAX_LISTED_FILES);
        let mut listed: Vec<(usize, usize)> = big.into_iter().zip(file_of).collect();
        listed.sort_unstable_by_key(|&(t, _)| t); // terms are in key order
        let mut files: Vec<Vec<usize>> =
            vec![Vec::new(); listed.iter().map(|l| l.1 + 1).max().unwrap_or(0)];
        for &(t, f) in &listed {
            files[f].push(t);
        }

        let mut is_listed = vec![false; terms.len()];
        for &(t, _) in &listed {
            is_listed[t] = true;
        }
        let rest = |wanted: Kind, max: usize| -> Vec<Vec<usize>> {
            let members: Vec<usize> =
                (0..terms.len()).filter(|&t| !is_listed[t] && kinds[t] == wanted).collect();
            let member_sizes: Vec<usize> = members.iter().map(|&t| sizes[t]).collect();
            shard::cut_within(&member_sizes, max, shard::MIN_TARGET)
                .into_iter()
                .map(|r| members[r].to_vec())
                .collect()
        };
        TermPlan {
            listed,
            files,
            words: rest(Kind::Word, shard::MAX_WORD_SHARDS),
            numbers: rest(Kind::Number, shard::MAX_NUMBER_SHARDS),
            codes: rest(Kind::Code, shard::MAX_CODE_SHARDS),
        }
    }
}

/// How many titles each term occurs in: counted by token, then summed by stem (a title with
/// two forms of a word counts twice; the count only orders the listed terms). Stemming the
/// distinct title words, not every title's, keeps it cheap.
fn title_counts(m: &Catalog<'_>) -> HashMap<String, u32> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut seen: Vec<String> = Vec::new();
    for e in &m.entries {
        seen.clear();
        tokenize::for_each_token(&e.title, |t| {
            if !seen.iter().any(|s| s == t) {
                seen.push(t.to_owned());
            }
        });
        for t in seen.drain(..) {
            *counts.entry(t).or_insert(0) += 1;
        }
    }
    let mut by_stem: HashMap<String, u32> = HashMap::with_capacity(counts.len());
    for (token, n) in counts {
        *by_stem.entry(tokenize::stem(&token).into_owned()).or_insert(0) += n;
    }
    by_stem
}

/// What goes over the index's budgets (at most [`shard::MAX_FILES`] files, none over
/// [`MAX_FILE_GZIP`] bytes gzipped), given each written file's key, size and (for files big
/// enough to matter) gzipped size.
fn budget_warnings(written: &[(String, usize, Option<usize>)]) -> Vec<String> {
    let mut warnings = Vec::new();
    if written.len() > shard::MAX_FILES {
        warnings.push(format!(
            "the search index has {} files, over the budget of {}",
            written.len(),
            shard::MAX_FILES
        ));
    }
    for (key, _, gzip) in written {
        if let Some(gz) = gzip.filter(|&gz| gz > MAX_FILE_GZIP) {
            warnings.push(format!(
                "search/{key}.js is {} KB gzipped, over the budget of {} KB for a first query",
                gz.div_ceil(1000),
                MAX_FILE_GZIP / 1000
            ));
        }
    }
    warnings
}

/// One file to write.
enum Job {
    Manifest,
    /// File `k` of the `d`-th kind of term file (listed, words, numbers, codes).
    Term(usize, usize),
    Facets(usize),
    Docs(usize),
}

/// Passes each searchable field of entry `d` to `sink` with its tier, the body read again from
/// its file ([`crate::repo::Document::text`]).
fn fields(m: &Catalog<'_>, d: usize, sink: &mut dyn FnMut(Tier, &str)) -> std::io::Result<()> {
    front_fields(m, d, sink);
    let doc = m.entries[d].doc;
    if let Some(split) = &doc.split {
        let text = doc.text(m.root)?;
        if let Some(body) = text.get(split.body.start..split.body.end) {
            sink(2, body);
        }
    }
    Ok(())
}

/// The searchable fields of entry `d` but its body, which [`fields`] adds.
fn front_fields(m: &Catalog<'_>, d: usize, sink: &mut dyn FnMut(Tier, &str)) {
    let e = &m.entries[d];
    let pm = e.pm;
    for text in [&e.title, &e.summary, &e.id] {
        sink(0, text);
    }
    let lists = [&pm.services, &pm.tags, &pm.contributing_factors];
    for value in lists.into_iter().flatten() {
        sink(1, &value.value);
    }
    for value in [&pm.team, &pm.owner].into_iter().flatten() {
        sink(1, &value.value);
    }
    for title in pm.action_items.iter().filter_map(|a| a.title.as_ref()) {
        sink(1, &title.value);
    }
    if let Some(summary) = &pm.impact.summary {
        sink(1, summary);
    }
}

/// One facet: its values in display order, each with its documents.
struct Facet {
    key: &'static str,
    label: &'static str,
    values: Vec<(String, Vec<u32>)>,
}

/// The facets of every entry, in the contract's order.
fn facets(m: &Catalog<'_>) -> Vec<Facet> {
    const DEFS: [(&str, &str); 7] = [
        ("severity", "Severity"),
        ("status", "Status"),
        ("service", "Service"),
        ("team", "Team"),
        ("tag", "Tag"),
        ("factor", "Contributing factor"),
        ("year", "Year"),
    ];
    let mut maps: [BTreeMap<String, Vec<u32>>; 7] = Default::default();
    for (d, e) in m.entries.iter().enumerate() {
        let doc = u32::try_from(d).unwrap_or(u32::MAX);
        let pm = e.pm;
        let year = e.date.map(|d| d.year().to_string());
        let mut add = |f: usize, value: &str| {
            if value.is_empty() {
                return;
            }
            let map = &mut maps[f];
            match map.get_mut(value) {
                Some(docs) if docs.last() == Some(&doc) => {}
                Some(docs) => docs.push(doc),
                None => {
                    map.insert(value.to_owned(), vec![doc]);
                }
            }
        };
        if let Some(s) = &pm.severity {
            add(0, &s.value);
        }
        add(1, e.status().as_str());
        for s in &pm.services {
            add(2, &s.value);
        }
        if let Some(t) = &pm.team {
            add(3, &t.value);
        }
        for s in &pm.tags {
            add(4, &s.value);
        }
        for s in &pm.contributing_factors {
            add(5, &s.value);
        }
        if let Some(y) = &year {
            add(6, y);
        }
    }
    let severities = &m.config.severities;
    DEFS.iter()
        .zip(maps)
        .map(|(&(key, label), map)| {
            let mut values: Vec<(String, Vec<u32>)> = map.into_iter().collect();
            let by_name = |a: &(String, Vec<u32>), b: &(String, Vec<u32>)| utf16_cmp(&a.0, &b.0);
            match key {
                "severity" => {
                    let rank =
                        |v: &str| severities.iter().position(|s| s == v).unwrap_or(usize::MAX);
                    values.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| by_name(a, b)));
                }
                "status" => {
                    let rank =
                        |v: &str| ["draft", "in-review", "published"].iter().position(|s| *s == v);
                    values.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| by_name(a, b)));
                }
                "year" => {
                    let year = |v: &str| v.parse::<i64>().unwrap_or(i64::MIN);
                    values.sort_by(|a, b| year(&b.0).cmp(&year(&a.0)).then_with(|| by_name(a, b)));
                }
                _ => values.sort_by(by_name),
            }
            Facet { key, label, values }
        })
        .collect()
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    docs: usize,
    blocks: &'a [[usize; 2]],
    x: Vec<Vec<&'a str>>,
    xs: Vec<usize>,
    ts: Vec<usize>,
    ns: Vec<usize>,
    cs: Vec<usize>,
    fs: Vec<usize>,
    t: Vec<&'a str>,
    n: Vec<&'a str>,
    c: Vec<&'a str>,
    f: Vec<&'a str>,
    weights: [u32; TIERS],
    stop: &'static [&'static str],
    facets: Vec<FacetView<'a>>,
}

#[derive(Serialize)]
struct FacetView<'a> {
    key: &'static str,
    label: &'static str,
    values: Vec<(&'a str, usize)>,
}

#[derive(Serialize)]
struct TermShard<'a> {
    k: Vec<&'a str>,
    p: Vec<[String; TIERS]>,
}

#[derive(Serialize)]
struct FacetShard<'a> {
    k: Vec<&'a str>,
    p: Vec<String>,
}

/// `[id, title, date, severity, status, snippet, [services...], team]` and, when the page is
/// not named after the id, its name. Severity, status, services and team are positions in the
/// manifest's facet values (`-1`: none), which every row's values are among.
struct DocRow<'a> {
    id: &'a str,
    title: &'a str,
    date: String,
    severity: i64,
    status: i64,
    snippet: String,
    services: Vec<i64>,
    team: i64,
    page: Option<&'a str>,
}

impl Serialize for DocRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = s.serialize_seq(Some(8 + usize::from(self.page.is_some())))?;
        seq.serialize_element(self.id)?;
        seq.serialize_element(self.title)?;
        seq.serialize_element(&self.date)?;
        seq.serialize_element(&self.severity)?;
        seq.serialize_element(&self.status)?;
        seq.serialize_element(&self.snippet)?;
        seq.serialize_element(&self.services)?;
        seq.serialize_element(&self.team)?;
        if let Some(page) = self.page {
            seq.serialize_element(page)?;
        }
        seq.end()
    }
}

/// The position of each value of the facets a row refers to.
struct RowCodes<'a> {
    severity: HashMap<&'a str, i64>,
    status: HashMap<&'a str, i64>,
    service: HashMap<&'a str, i64>,
    team: HashMap<&'a str, i64>,
}

impl<'a> RowCodes<'a> {
    fn new(facets: &'a [Facet]) -> RowCodes<'a> {
        let positions = |key: &str| -> HashMap<&'a str, i64> {
            facets
                .iter()
                .filter(|f| f.key == key)
                .flat_map(|f| f.values.iter().map(|(v, _)| v.as_str()))
                .zip(0..)
                .collect()
        };
        RowCodes {
            severity: positions("severity"),
            status: positions("status"),
            service: positions("service"),
            team: positions("team"),
        }
    }
}

#[derive(Serialize)]
struct DocBlock<'a> {
    d: Vec<DocRow<'a>>,
}

fn term_file(terms: &[Term], members: &[usize]) -> anyhow::Result<String> {
    script_json(&TermShard {
        k: members.iter().map(|&t| &*terms[t].key).collect(),
        p: members.iter().map(|&t| terms[t].tiers.each_ref().map(|s| encode::encode(s))).collect(),
    })
}

fn facet_shard(entries: &[(String, &[u32])]) -> anyhow::Result<String> {
    script_json(&FacetShard {
        k: entries.iter().map(|(k, _)| k.as_str()).collect(),
        p: entries.iter().map(|(_, docs)| encode::encode(docs)).collect(),
    })
}

fn doc_block(m: &Catalog<'_>, codes: &RowCodes<'_>, docs: Range<usize>) -> anyhow::Result<String> {
    let code = |map: &HashMap<&str, i64>, value: &str| map.get(value).copied().unwrap_or(-1);
    let rows: Vec<DocRow<'_>> = docs
        .map(|d| {
            let e = &m.entries[d];
            let pm = e.pm;
            DocRow {
                id: e.id.as_str(),
                title: e.title.as_str(),
                date: e.date_text(),
                severity: pm.severity.as_ref().map_or(-1, |s| code(&codes.severity, &s.value)),
                status: code(&codes.status, e.status().as_str()),
                snippet: snippet(&e.summary),
                services: pm.services.iter().map(|s| code(&codes.service, &s.value)).collect(),
                team: pm.team.as_ref().map_or(-1, |t| code(&codes.team, &t.value)),
                page: (e.page != e.id).then_some(e.page.as_str()),
            }
        })
        .collect();
    script_json(&DocBlock { d: rows })
}

/// `text` cut at a word boundary to at most [`SNIPPET_CHARS`] characters, `…` included.
pub fn snippet(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= SNIPPET_CHARS {
        return text.to_owned();
    }
    // Room for the ellipsis.
    let limit = text.char_indices().nth(SNIPPET_CHARS - 1).map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    let cut = if text[limit..].starts_with(char::is_whitespace) {
        head
    } else {
        // Inside a word: back up to the space before it (a single giant word is cut anyway).
        head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
    };
    format!("{}…", cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c)))
}

/// The gzipped size of `bytes` (default level, as a web server would send it).
pub fn gzip_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_checked() {
        let file = |key: &str, gz: Option<usize>| (key.to_owned(), 1, gz);
        assert!(
            budget_warnings(&[file("manifest", None), file("t/000", Some(150_000))]).is_empty()
        );
        assert_eq!(
            budget_warnings(&[file("t/007", Some(150_001))]),
            ["search/t/007.js is 151 KB gzipped, over the budget of 150 KB for a first query"]
        );
        let many: Vec<_> = (0..1001).map(|i| file(&shard::key("d", i), None)).collect();
        assert_eq!(
            budget_warnings(&many),
            ["the search index has 1001 files, over the budget of 1000"]
        );
        assert!(gzip_len(&[b'a'; 10_000]).expect("gzip") < 1000);
    }

    #[test]
    fn snippets_cut_at_a_word() {
        assert_eq!(snippet("  short  "), "short");
        let words = "word ".repeat(50);
        let s = snippet(&words);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS, "{}", s.chars().count());
        // Exactly the limit: untouched.
        let exact = "é".repeat(SNIPPET_CHARS);
        assert_eq!(snippet(&exact), exact);
        // One giant word is cut inside it.
        let giant = "x".repeat(300);
        assert_eq!(snippet(&giant).chars().count(), SNIPPET_CHARS);
        // Punctuation before the cut goes too.
        let head = "a".repeat(SNIPPET_CHARS - 5);
        let commas = format!("{head}, and then some more words");
        assert_eq!(snippet(&commas), format!("{head}…"));
    }
}

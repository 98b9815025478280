//! Site search on prose, in headless Chromium: stems, prefixes, misspellings, snippets, facet
//! counts and the header's box.
//!
//! - `the_page_stemmer_is_the_builders`: `search.js`'s port of the Snowball English stemmer
//!   (`window.pmSearchStem`) gives the builder's stem (`rust-stemmers`) for every word of the
//!   Snowball sample vocabulary (shipped with the rust-stemmers crate, found through
//!   `cargo metadata`) and of the public postmortems corpus;
//! - `relevance_on_a_fixture_site`: the cases of `tests/fixtures/search/relevance-cases.toml`
//!   on `tests/fixtures/search-relevance`, served over http (snippets are cut from the
//!   postmortems' pages, which `file://` does not let a page read);
//! - `real_postmortems_by_stem_prefix_and_typo`: on the 185 public postmortems of
//!   `../shared/corpus/public-postmortems` (read by the test, never copied into the project),
//!   the report that says "certificates" and "expiration" is found by `certificate expired`,
//!   `cert` ranks the certificate outages above the report that says "certain", and the typo
//!   `certifcate` finds what `certificate` finds. The reports are picked by their text.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::browser_search::{normalized, result_ids, results_for, type_query};
use crate::search_scale::{Doc, all_ids, load_corpus, search};
use crate::support::browser::{Browser, Page, js_string};
use crate::support::fs::crate_path;
use crate::support::server::StaticServer;
use crate::support::site;

/// The corpus of public postmortems, beside the project.
fn corpus() -> PathBuf {
    let corpus = crate_path("../shared/corpus/public-postmortems");
    assert!(
        corpus.join("pm.toml").is_file(),
        "no corpus at {}: these tests read the public postmortems there",
        corpus.display()
    );
    corpus
}

/// The Snowball sample vocabulary of English (`test_data/voc_en.txt` of the rust-stemmers
/// crate, the one the builder stems with).
fn snowball_vocabulary() -> Vec<String> {
    // Only this platform's packages: the others (Windows console crates) are in the lock file
    // but never downloaded, and an offline resolve of all of them fails.
    let version = std::process::Command::new(env!("CARGO")).arg("-vV").output().expect("cargo -vV");
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let host =
        version.lines().find_map(|l| l.strip_prefix("host: ")).expect("`cargo -vV` names the host");
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", host])
        .current_dir(crate_path(""))
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let manifest = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "rust-stemmers")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("rust-stemmers is a dependency");
    let voc = PathBuf::from(manifest).with_file_name("test_data").join("voc_en.txt");
    let text = std::fs::read_to_string(&voc).unwrap_or_else(|e| panic!("{}: {e}", voc.display()));
    text.lines().map(str::to_owned).filter(|w| !w.is_empty()).collect()
}

#[test]
fn the_page_stemmer_is_the_builders() {
    let mut vocabulary = snowball_vocabulary();
    assert!(vocabulary.len() > 29_000, "the Snowball vocabulary has {} words", vocabulary.len());
    let corpus = load_corpus(&corpus());
    vocabulary.extend(corpus.values().flat_map(|d| d.title.iter().chain(&d.text)).cloned());
    vocabulary.sort();
    vocabulary.dedup();

    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    site::build(&crate_path("tests/fixtures/search-relevance"), &out);
    let browser = Browser::launch();
    let page = browser.page();
    page.open(&format!("{}/search/index.html", site::file_url(&out)));
    page.wait_until("typeof window.pmSearchStem === 'function'", "the page's stemmer");

    let mut differ = Vec::new();
    let mut stemmed = 0;
    for chunk in vocabulary.chunks(4000) {
        let words = serde_json::to_string(chunk).expect("JSON");
        let stems = page.eval(&format!("{words}.map(w => window.pmSearchStem(w))"));
        let stems: Vec<String> = serde_json::from_value(stems).expect("a list of stems");
        assert_eq!(stems.len(), chunk.len());
        for (word, js) in chunk.iter().zip(stems) {
            let rust = pm::site::search::tokenize::stem(word);
            stemmed += usize::from(rust != word.as_str());
            if js != rust {
                differ.push(format!("{word}: page {js}, builder {rust}"));
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} words differ: {differ:#?}",
        differ.len(),
        vocabulary.len()
    );
    // Most of the vocabulary is English words that change, so the comparison means something.
    assert!(stemmed * 2 > vocabulary.len(), "only {stemmed} of {} words stemmed", vocabulary.len());
}

#[derive(Deserialize)]
struct Cases {
    query: Vec<QueryCase>,
    snippet: SnippetCase,
    counts: CountsCase,
    header: HeaderCase,
}

#[derive(Deserialize)]
struct QueryCase {
    q: String,
    ids: Vec<String>,
    /// The page says it shows the closest words instead.
    #[serde(default)]
    note: bool,
    #[allow(dead_code, reason = "documentation of the case")]
    why: String,
}

#[derive(Deserialize)]
struct SnippetCase {
    q: String,
    id: String,
    marked: String,
    text: String,
}

#[derive(Deserialize)]
struct CountsCase {
    q: String,
    facet: String,
    totals: BTreeMap<String, u64>,
    counts: BTreeMap<String, u64>,
    tick: String,
    team: BTreeMap<String, u64>,
}

#[derive(Deserialize)]
struct HeaderCase {
    q: String,
    ids: Vec<String>,
}

/// The counts the page shows for the values of `facet`.
fn facet_counts(page: &Page, facet: &str) -> BTreeMap<String, u64> {
    let counts = page.eval(&format!(
        "Object.fromEntries(Array.from(document.querySelectorAll(\
         '#pm-search-facets input[name=' + {f} + ']'), \
         b => [b.value, Number(b.closest('label').querySelector('.facet-count').textContent)]))",
        f = js_string(facet)
    ));
    serde_json::from_value(counts).expect("counts")
}

fn wait_for_counts(page: &Page, facet: &str, want: &BTreeMap<String, u64>, what: &str) {
    let want_json = serde_json::to_string(want).expect("JSON");
    page.wait_until(
        &format!(
            "JSON.stringify(Object.fromEntries(Array.from(document.querySelectorAll(\
             '#pm-search-facets input[name=' + {f} + ']'), \
             b => [b.value, Number(b.closest('label').querySelector('.facet-count').textContent)])\
             .sort())) === {w}",
            f = js_string(facet),
            w = js_string(&want_json)
        ),
        what,
    );
    assert_eq!(&facet_counts(page, facet), want, "{what}");
}

#[test]
fn relevance_on_a_fixture_site() {
    let path = crate_path("tests/fixtures/search/relevance-cases.toml");
    let cases: Cases = toml::from_str(&std::fs::read_to_string(&path).expect("read cases"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    site::build(&crate_path("tests/fixtures/search-relevance"), &out);
    let server = StaticServer::serve(&out, "/");
    let browser = Browser::launch();
    let page = browser.page();
    page.open(&server.url("search/index.html"));
    page.wait_for("#pm-search.is-ready");

    // Facet counts before any query: the totals.
    wait_for_counts(&page, &cases.counts.facet, &cases.counts.totals, "the total counts");

    for case in &cases.query {
        type_query(&page, &case.q);
        let ids = results_for(&page, &normalized(&case.q, &[]));
        assert_eq!(ids, case.ids, "results of {:?}", case.q);
        let note = page.eval(
            "(n => n.hidden ? '' : n.textContent)(document.getElementById('pm-search-note'))",
        );
        let note = note.as_str().unwrap_or_default();
        assert_eq!(note.contains("closest words"), case.note, "{:?}: note {note:?}", case.q);
    }

    // The snippet comes from the page, around the match, marked and as text.
    let s = &cases.snippet;
    type_query(&page, &s.q);
    assert_eq!(results_for(&page, &normalized(&s.q, &[])), std::slice::from_ref(&s.id));
    page.wait_until(
        "document.querySelector('li.pm-result .pm-result-snippet').dataset.source === 'page'",
        "the snippet cut from the page",
    );
    let snippet = page.eval(
        "(p => ({text: p.textContent, marks: Array.from(p.querySelectorAll('mark'), m => m.textContent), \
         elements: Array.from(p.querySelectorAll('*'), e => e.localName)}))\
         (document.querySelector('li.pm-result .pm-result-snippet'))",
    );
    let text = snippet["text"].as_str().unwrap_or_default();
    assert!(text.contains(&s.text), "the snippet shows the text as text: {text:?}");
    assert_eq!(snippet["marks"], serde_json::json!([s.marked]), "marks of {text:?}");
    assert_eq!(snippet["elements"], serde_json::json!(["mark"]), "only <mark> in {text:?}");

    // Facet counts follow the query, and a facet's own filter does not narrow its counts.
    let c = &cases.counts;
    type_query(&page, &c.q);
    results_for(&page, &normalized(&c.q, &[]));
    wait_for_counts(&page, &c.facet, &c.counts, "the counts of the query");
    page.click(&format!("#pm-search-facets input[name={}][value={}]", c.facet, c.tick));
    results_for(&page, &normalized(&c.q, &[(c.facet.as_str(), c.tick.as_str())]));
    wait_for_counts(&page, &c.facet, &c.counts, "the counts of the ticked facet");
    wait_for_counts(&page, "team", &c.team, "the team counts under the filter");
    page.click(&format!("#pm-search-facets input[name={}][value={}]", c.facet, c.tick));

    // The header's box searches as you type, and the page's box follows.
    let h = &cases.header;
    page.eval("document.getElementById('pm-site-search-q').value = ''");
    page.type_into("#pm-site-search-q", &h.q);
    assert_eq!(results_for(&page, &normalized(&h.q, &[])), h.ids, "typed into the header");
    assert_eq!(page.eval("document.getElementById('pm-search-q').value"), h.q.as_str());
    assert!(page.url().ends_with("search/index.html?q=certain"), "{}", page.url());
    assert_eq!(result_ids(&page), h.ids);
}

/// Where `id` is in `ids`, or a failure that says what was shown.
fn rank(ids: &[String], id: &str, query: &str) -> usize {
    ids.iter().position(|x| x == id).unwrap_or_else(|| panic!("{query}: {id} not in {ids:?}"))
}

#[test]
fn real_postmortems_by_stem_prefix_and_typo() {
    let corpus = corpus();
    let docs = load_corpus(&corpus);
    let all = |d: &Doc| -> Vec<String> { d.title.iter().chain(&d.text).cloned().collect() };
    let has = |d: &Doc, w: &str| all(d).iter().any(|x| x == w);
    let starts = |d: &Doc, p: &str| all(d).iter().any(|x| x.starts_with(p));
    // The certificate-expiration report: its words are "certificates" and "expiration", never
    // the query's "certificate" or "expired".
    let expiration: Vec<&String> = docs
        .iter()
        .filter(|(_, d)| {
            has(d, "certificates")
                && has(d, "expiration")
                && !has(d, "certificate")
                && !has(d, "expired")
        })
        .map(|(id, _)| id)
        .collect();
    assert_eq!(expiration.len(), 1, "one report says certificates and expiration: {expiration:?}");
    // The certificate outages (a title about certificates) and the report that says "certain"
    // and nothing about certificates.
    let outages: Vec<&String> = docs
        .iter()
        .filter(|(_, d)| d.title.iter().any(|w| w.starts_with("certificate")))
        .map(|(id, _)| id)
        .collect();
    let certain: Vec<&String> = docs
        .iter()
        .filter(|(_, d)| has(d, "certain") && !starts(d, "certif"))
        .map(|(id, _)| id)
        .collect();
    assert!(!outages.is_empty() && !certain.is_empty(), "{outages:?} {certain:?}");

    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    site::build(&corpus, &out);
    let browser = Browser::launch();

    let found = all_ids(&search(&browser, &out, "certificate expired"));
    assert!(found.contains(expiration[0]), "certificate expired: {found:?}");

    let cert = all_ids(&search(&browser, &out, "cert"));
    for outage in &outages {
        for other in &certain {
            assert!(
                rank(&cert, outage, "cert") < rank(&cert, other, "cert"),
                "cert: the certificate outage {outage} below {other}, which says certain: {cert:?}"
            );
        }
    }

    let typo = all_ids(&search(&browser, &out, "certifcate"));
    let right = all_ids(&search(&browser, &out, "certificate "));
    assert!(!right.is_empty());
    assert_eq!(typo, right, "certifcate finds what certificate finds");
    let holders: Vec<&String> =
        docs.iter().filter(|(_, d)| starts(d, "certificat")).map(|(id, _)| id).collect();
    for id in holders {
        assert!(typo.contains(id), "certifcate: {id} says certificate… but is not found");
    }
}

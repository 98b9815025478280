//! The site search in a real browser: the demo site (`examples/demo`) is built into a
//! temporary folder and opened in headless Chromium over http at the domain root, over http
//! under a subpath (`/pm/`) and over `file://`. In each, a reader's session is played:
//!
//! - on the home page `/` focuses the header's search box; typing a query and Enter lands on
//!   the search page with its results;
//! - each query of `tests/fixtures/search/browser-cases.toml` typed into `#pm-search-q` shows
//!   exactly the expected postmortems, in order, with the matched words marked in the snippet;
//! - ticking a facet narrows the results, the URL says `?q=…&severity=…`, and reloading that
//!   URL restores the same box, boxes ticked and results; a facet alone works without a query;
//! - ArrowDown then Enter opens the first result; clicking a result's link opens its page;
//! - the whole session asks for nothing outside the site, opens no dialog and throws nothing.
//!
//! The expectations were derived by reading the demo's postmortems (see the cases file), not
//! from the tool's output. The tests rely on the DOM contract of the search page (ids
//! `pm-search-q`, `pm-search-results` with `data-state`/`data-query`, `pm-result` items, …).

use std::collections::BTreeMap;
use std::path::Path;

use pm::site::search::encode::{data_file, read_data_file};
use pm::site::search::tokenize::{Kind, kind};
use serde::Deserialize;

use crate::support::browser::{Browser, Page, js_string};
use crate::support::fs::{crate_path, files};
use crate::support::search::{Index, read_index, run_query};
use crate::support::server::StaticServer;
use crate::support::site::{self, file_url, query_value};

#[derive(Deserialize)]
struct Cases {
    query: Vec<QueryCase>,
    highlight: Highlight,
    facet: FacetCase,
    filter_only: FilterOnly,
    keyboard: OpenCase,
    follow: OpenCase,
    header: HeaderCase,
}

#[derive(Deserialize)]
struct QueryCase {
    q: String,
    ids: Vec<String>,
    why: String,
    /// Typed key by key (else entered in one go, like a paste).
    #[serde(default)]
    keys: bool,
}

#[derive(Deserialize)]
struct Highlight {
    q: String,
    id: String,
    prefix: String,
}

#[derive(Deserialize)]
struct FacetCase {
    q: String,
    all: Vec<String>,
    facet: String,
    value: String,
    ids: Vec<String>,
}

#[derive(Deserialize)]
struct FilterOnly {
    facet: String,
    value: String,
    ids: Vec<String>,
}

#[derive(Deserialize)]
struct OpenCase {
    q: String,
    first: String,
    title: String,
}

#[derive(Deserialize)]
struct HeaderCase {
    q: String,
    ids: Vec<String>,
}

fn cases() -> Cases {
    let path = crate_path("tests/fixtures/search/browser-cases.toml");
    let text = std::fs::read_to_string(&path).expect("read browser-cases.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where the built site is opened from.
struct Site {
    /// `http://127.0.0.1:PORT/`, `http://127.0.0.1:PORT/pm/` or `file:///…/site/`.
    base: String,
    /// URL prefixes every request of the session must start with.
    allowed: Vec<String>,
}

impl Site {
    fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.base)
    }
}

/// The query string the search page writes for `q` and facet values (`URLSearchParams` style,
/// `q` first): what `data-query` and the URL must say.
pub(crate) fn normalized(q: &str, facets: &[(&str, &str)]) -> String {
    let mut parts = Vec::new();
    let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if !q.is_empty() {
        parts.push(format!("q={}", query_value(&q)));
    }
    for (key, value) in facets {
        parts.push(format!("{key}={}", query_value(value)));
    }
    parts.join("&")
}

/// Waits until the search page has rendered the results of `query` (the normalized query
/// string) and returns the ids shown, in order. A load failure fails the test with its message.
pub(crate) fn results_for(page: &Page, query: &str) -> Vec<String> {
    page.wait_until(
        &format!(
            "(r => r && ((r.dataset.state === 'done' && r.dataset.query === {q}) \
             || r.dataset.state === 'error'))(document.getElementById('pm-search-results'))",
            q = js_string(query)
        ),
        &format!("the results of ?{query}"),
    );
    let state = page.eval("document.getElementById('pm-search-results').dataset.state");
    assert_eq!(
        state,
        "done",
        "the search of ?{query} failed: {}",
        page.eval("document.getElementById('pm-search-count').textContent")
    );
    result_ids(page)
}

pub(crate) fn result_ids(page: &Page) -> Vec<String> {
    let ids = page.eval(
        "Array.from(document.querySelectorAll('#pm-search-results > li.pm-result'), \
         (li) => li.querySelector('.pm-result-id').textContent.trim())",
    );
    serde_json::from_value(ids).expect("a list of ids")
}

/// Empties the search page's box and types `q` into it, key by key.
pub(crate) fn type_query(page: &Page, q: &str) {
    page.eval("document.getElementById('pm-search-q').value = ''");
    page.type_into("#pm-search-q", q);
}

/// Empties the search page's box and enters `q` in one go (one `input` event, as a paste).
fn paste_query(page: &Page, q: &str) {
    page.eval("(box => { box.value = ''; box.focus(); })(document.getElementById('pm-search-q'))");
    page.insert_text(q);
}

/// The query string of the current URL, without the `?`.
fn url_query(page: &Page) -> String {
    page.eval("location.search.replace(/^\\?/, '')").as_str().unwrap_or_default().to_owned()
}

fn assert_url_is(page: &Page, path: &str, query: &str) {
    let url = page.url();
    let (here, search) = url.split_once('?').unwrap_or((&url, ""));
    assert!(here.ends_with(path), "at {url}, expected the page {path}");
    assert_eq!(search, query, "the URL's query at {url}");
}

/// The reader's session on one origin; every step asserts.
fn session(browser: &Browser, site: &Site) {
    let cases = cases();
    let page = browser.page();
    let search_page = site.url("search/index.html");

    // "/" on the home page focuses the header box; Enter submits it to the search page.
    page.open(&site.url("index.html"));
    page.wait_for("form#pm-site-search input#pm-site-search-q[name=q]");
    page.press("/");
    assert_eq!(
        page.eval("document.activeElement && document.activeElement.id"),
        "pm-site-search-q",
        "/ did not focus the header's search box"
    );
    page.type_text(&cases.header.q);
    page.navigating("the header search to submit", |p| p.press("Enter"));
    let query = normalized(&cases.header.q, &[]);
    assert_eq!(results_for(&page, &query), cases.header.ids, "from the header: {query}");
    assert_url_is(&page, "search/index.html", &query);
    assert_eq!(page.eval("document.getElementById('pm-search-q').value"), cases.header.q.as_str());

    // Every query case, typed into the page's own box.
    for case in &cases.query {
        if case.keys {
            type_query(&page, &case.q);
        } else {
            paste_query(&page, &case.q);
        }
        let query = normalized(&case.q, &[]);
        let ids = results_for(&page, &query);
        assert_eq!(ids, case.ids, "results of {:?} ({})", case.q, case.why);
        assert_eq!(url_query(&page), query, "the URL after typing {:?}", case.q);
        let count = page.eval("document.getElementById('pm-search-count').textContent");
        let count = count.as_str().unwrap_or_default();
        assert!(count.contains(&ids.len().to_string()), "count {count:?} for {:?}", case.q);
        // Each result shows its id, date, severity, status and a link to its page.
        let rows = page.eval(
            "Array.from(document.querySelectorAll('#pm-search-results > li.pm-result'), (li) => ({
               href: li.querySelector('a.pm-result-link').getAttribute('href'),
               date: li.querySelector('.pm-result-date').textContent,
               severity: li.querySelector('.pm-result-severity').textContent,
               status: li.querySelector('.pm-result-status').textContent,
               snippet: li.querySelector('.pm-result-snippet').textContent }))",
        );
        for (row, id) in rows.as_array().into_iter().flatten().zip(&ids) {
            for field in ["href", "date", "severity", "status", "snippet"] {
                assert!(
                    row[field].as_str().is_some_and(|s| !s.trim().is_empty()),
                    "{id}: empty {field} in {row}"
                );
            }
            assert!(
                row["href"]
                    .as_str()
                    .is_some_and(|h| h.ends_with(&format!("postmortems/{id}.html"))),
                "{id}: link {}",
                row["href"]
            );
        }
    }

    // Matched words are marked in the snippet.
    paste_query(&page, &cases.highlight.q);
    results_for(&page, &normalized(&cases.highlight.q, &[]));
    let marks = page.eval(&format!(
        "Array.from(document.querySelectorAll('#pm-search-results > li.pm-result'))
           .filter((li) => li.querySelector('.pm-result-id').textContent.trim() === {id})
           .flatMap((li) => Array.from(li.querySelectorAll('.pm-result-snippet mark'), (m) => m.textContent))",
        id = js_string(&cases.highlight.id)
    ));
    let marks: Vec<String> = serde_json::from_value(marks).expect("marks");
    assert!(!marks.is_empty(), "no <mark> in the snippet of {}", cases.highlight.id);
    for mark in &marks {
        assert!(
            mark.to_lowercase().starts_with(&cases.highlight.prefix),
            "{}: <mark>{mark}</mark> for the query {:?}",
            cases.highlight.id,
            cases.highlight.q
        );
    }

    // A facet narrows the results, and the URL keeps both.
    let facet = &cases.facet;
    paste_query(&page, &facet.q);
    assert_eq!(results_for(&page, &normalized(&facet.q, &[])), facet.all, "before the facet");
    let checkbox = format!(
        "#pm-search-facets input[type=checkbox][name={}][value={}]",
        facet.facet,
        js_string(&facet.value)
    );
    page.click(&checkbox);
    let query = normalized(&facet.q, &[(&facet.facet, &facet.value)]);
    assert_eq!(results_for(&page, &query), facet.ids, "with the facet {query}");
    assert_url_is(&page, "search/index.html", &query);

    // Reloading the URL restores the same state.
    page.reload();
    assert_eq!(results_for(&page, &query), facet.ids, "after reloading ?{query}");
    assert_eq!(page.eval("document.getElementById('pm-search-q').value"), facet.q.as_str());
    assert_eq!(
        page.eval(&format!("document.querySelector({}).checked", js_string(&checkbox))),
        true,
        "the facet box is ticked after the reload"
    );

    // A facet alone, straight from a URL.
    let only = &cases.filter_only;
    let query = normalized("", &[(&only.facet, &only.value)]);
    page.open(&format!("{search_page}?{query}"));
    assert_eq!(results_for(&page, &query), only.ids, "?{query}");
    let checkbox = format!(
        "#pm-search-facets input[type=checkbox][name={}][value={}]",
        only.facet,
        js_string(&only.value)
    );
    assert_eq!(
        page.eval(&format!("document.querySelector({}).checked", js_string(&checkbox))),
        true
    );

    // ArrowDown selects the first result, Enter opens it.
    let keyboard = &cases.keyboard;
    page.open(&search_page);
    type_query(&page, &keyboard.q);
    let ids = results_for(&page, &normalized(&keyboard.q, &[]));
    assert_eq!(ids.first(), Some(&keyboard.first), "results of {:?}", keyboard.q);
    page.press("ArrowDown");
    assert_eq!(
        page.eval(
            "(li => li && li.getAttribute('aria-selected') === 'true' && li.classList.contains('is-selected'))\
             (document.querySelector('#pm-search-results > li.pm-result'))"
        ),
        true,
        "ArrowDown did not select the first result"
    );
    page.navigating("Enter to open the selected result", |p| p.press("Enter"));
    assert_on_postmortem(&page, &keyboard.first, &keyboard.title);

    // A result's link, clicked.
    let follow = &cases.follow;
    page.open(&search_page);
    type_query(&page, &follow.q);
    let ids = results_for(&page, &normalized(&follow.q, &[]));
    assert_eq!(ids.first(), Some(&follow.first), "results of {:?}", follow.q);
    page.navigating("the result link to open", |p| {
        p.click("#pm-search-results > li.pm-result a.pm-result-link");
    });
    assert_on_postmortem(&page, &follow.first, &follow.title);

    // "/" on a postmortem page focuses the header box too.
    page.press("/");
    assert_eq!(
        page.eval("document.activeElement && document.activeElement.id"),
        "pm-site-search-q",
        "/ did not focus the header's search box on a postmortem page"
    );

    assert_clean(&page, site);
}

fn assert_on_postmortem(page: &Page, id: &str, title: &str) {
    assert_url_is(page, &format!("postmortems/{id}.html"), "");
    let h1 = page.eval("document.querySelector('h1') && document.querySelector('h1').textContent");
    assert!(h1.as_str().is_some_and(|h| h.contains(title)), "{id}: the page's h1 is {h1}");
}

/// Nothing outside the site was asked for, no dialog opened, nothing was thrown or logged.
fn assert_clean(page: &Page, site: &Site) {
    let journal = page.journal();
    let outside: Vec<&String> = journal
        .requests
        .iter()
        .filter(|url| !site.allowed.iter().any(|a| url.starts_with(a.as_str())))
        .collect();
    assert!(outside.is_empty(), "requests outside the site: {outside:#?}");
    assert!(journal.dialogs.is_empty(), "dialogs: {:#?}", journal.dialogs);
    assert!(journal.exceptions.is_empty(), "exceptions: {:#?}", journal.exceptions);
    // Chromium asks for /favicon.ico by itself over http; the site has none.
    let errors: Vec<&String> =
        journal.console_errors.iter().filter(|e| !e.contains("/favicon.ico")).collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    // The search loaded its data files, and only from the site's search/ folder.
    let search = journal.requests.iter().filter(|u| u.contains("/search/") && u.contains(".js"));
    assert!(search.count() >= 3, "the search loaded no data files: {:#?}", journal.requests);
}

fn build_demo(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("site");
    site::build(&crate_path("examples/demo"), &out);
    assert!(
        out.join("search/index.html").is_file() && out.join("search/manifest.js").is_file(),
        "the demo site has no search/index.html and search/manifest.js"
    );
    out
}

// ---------------------------------------------------------------------------------------------

#[test]
fn search_works_over_http_at_the_root() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_demo(tmp.path());
    let server = StaticServer::serve(&out, "/");
    let browser = Browser::launch();
    // (Chromium's own request for /favicon.ico is under the root too.)
    let site = Site { base: server.url(""), allowed: vec![server.url("")] };
    session(&browser, &site);
}

#[test]
fn search_works_over_http_under_a_subpath() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_demo(tmp.path());
    let server = StaticServer::serve(&out, "/pm/");
    let browser = Browser::launch();
    let site = Site {
        base: server.url(""),
        // Chromium's own favicon request goes to the domain root; everything else stays in /pm/.
        allowed: vec![server.url(""), format!("{}/favicon.ico", server.origin())],
    };
    session(&browser, &site);
    // Nothing of the site was asked for outside /pm/.
    let outside: Vec<String> = server
        .served()
        .into_iter()
        .filter(|t| !t.starts_with("/pm/") && t != "/favicon.ico")
        .collect();
    assert!(outside.is_empty(), "asked for outside /pm/: {outside:?}");
}

#[test]
fn search_works_over_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_demo(tmp.path());
    let browser = Browser::launch();
    let base = format!("{}/", file_url(&out));
    let site = Site { base: base.clone(), allowed: vec![base] };
    session(&browser, &site);
}

/// The search page tells the reader when its data cannot be loaded, instead of waiting forever.
#[test]
fn a_missing_index_file_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_demo(tmp.path());
    std::fs::remove_file(out.join("search/manifest.js")).expect("remove the manifest");
    let browser = Browser::launch();
    let page = browser.page();
    page.open(&format!("{}?q=kafka", file_url(&out.join("search/index.html"))));
    page.wait_until(
        "(r => r && r.dataset.state === 'error')(document.getElementById('pm-search-results'))",
        "the search page to report the missing manifest",
    );
    let message = page.eval("document.getElementById('pm-search-count').textContent");
    assert!(message.as_str().is_some_and(|m| !m.trim().is_empty()), "no message: {message}");
    assert!(page.journal().dialogs.is_empty());
}

/// Queries that reach every kind of term file of `index`: listed terms (x/), words and codes
/// in shards (t/, c/), several words, words ended with a space, prefixes, a filter. Picked from
/// the index itself, spread over it, so the same on every build.
fn reaching_queries(index: &Index) -> Vec<(String, Vec<(&'static str, String)>)> {
    let listed: Vec<String> = index.listed.keys().cloned().collect();
    let spread = |list: &[String], n: usize| -> Vec<String> {
        let step = (list.len() / n).max(1);
        list.iter().step_by(step).take(n).cloned().collect()
    };
    // Terms in the middle of shards, not only their first keys.
    let in_shards = |kind: &str| -> Vec<String> {
        index
            .data
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{kind}/")))
            .filter_map(|(_, file)| {
                let k = file["k"].as_array()?;
                k.get(k.len() / 2)?.as_str().map(str::to_owned)
            })
            .collect()
    };
    let mut queries: Vec<(String, Vec<(&'static str, String)>)> = Vec::new();
    for word in spread(&listed, 6) {
        queries.push((format!("{word} "), Vec::new()));
    }
    let tails =
        [spread(&in_shards("t"), 3), spread(&in_shards("n"), 3), spread(&in_shards("c"), 3)];
    for word in tails.into_iter().flatten() {
        queries.push((format!("{word} "), Vec::new()));
    }
    let pairs = spread(&listed, 8);
    queries.push((format!("{} {} ", pairs[1], pairs[5]), Vec::new()));
    queries.push(("kafka consumer lag".to_owned(), Vec::new()));
    queries.push(("certificate expir".to_owned(), Vec::new()));
    // Prefixes, as typed: of a code (6 characters or more, so a code itself), of a number
    // (digits go on to codes too) and of a word in a shard.
    let prefixes = [(in_shards("c").first().cloned(), 7), (in_shards("n").last().cloned(), 5)];
    let prefixes = prefixes.into_iter().chain([(in_shards("t").last().cloned(), 5)]);
    for (word, chars) in prefixes {
        if let Some(word) = word {
            queries.push((word.chars().take(chars).collect(), Vec::new()));
        }
    }
    // Both sides of the number/code line: the longest mixed number (a few characters) and the
    // shortest code, typed whole.
    let mixed = |k: &&String| k.chars().any(char::is_numeric) && !k.chars().all(char::is_numeric);
    let keys = || index.terms.keys().filter(mixed);
    let longest_number =
        keys().filter(|k| kind(k) == Kind::Number).max_by_key(|k| (k.chars().count(), k.as_str()));
    let shortest_code =
        keys().filter(|k| kind(k) == Kind::Code).min_by_key(|k| (k.chars().count(), k.as_str()));
    for word in [longest_number, shortest_code].into_iter().flatten() {
        queries.push((format!("{word} "), Vec::new()));
    }
    queries.push(("database ".to_owned(), vec![("severity", "SEV1".to_owned())]));
    queries
}

/// On a generated repository big enough to list its big terms and keep codes in shards of
/// their own (the demo is too small for either), what the browser shows is what the contract's
/// rules give on the decoded index (`support::search::run_query`): the same first page, in the
/// same order, and the same count.
#[test]
fn search_agrees_with_the_reference_on_a_big_index() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (out, _) = site::build_generated(tmp.path(), 3000, 5);
    let index = read_index(&files(&out));
    let browser = Browser::launch();
    let page = browser.page();
    let queries = reaching_queries(&index);
    assert!(queries.len() >= 15, "{queries:?}");
    for (q, facets) in &queries {
        let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (facet, value) in facets {
            filters.entry((*facet).to_owned()).or_default().push(value.clone());
        }
        let want = run_query(&index, q, &filters);
        let want_ids: Vec<String> = want
            .iter()
            .take(10)
            .map(|&d| index.rows[d as usize][0].as_str().expect("id").to_owned())
            .collect();
        let mut params = vec![format!("q={}", query_value(q))];
        params.extend(facets.iter().map(|(f, v)| format!("{f}={}", query_value(v))));
        page.open(&format!("{}?{}", file_url(&out.join("search/index.html")), params.join("&")));
        let facet_refs: Vec<(&str, &str)> = facets.iter().map(|(f, v)| (*f, v.as_str())).collect();
        let ids = results_for(&page, &normalized(q, &facet_refs));
        assert_eq!(ids, want_ids, "the first page of {q:?} {facets:?}");
        let count = page.eval("document.getElementById('pm-search-count').textContent");
        let expected = match want.len() {
            0 => "No results".to_owned(),
            1 => "1 result".to_owned(),
            n => format!("{} results", grouped(n)),
        };
        assert_eq!(count.as_str(), Some(expected.as_str()), "the count of {q:?} {facets:?}");
        let note = page.eval("document.getElementById('pm-search-note').hidden");
        assert_eq!(note, serde_json::Value::Bool(true), "{q:?} loaded every file it needs");
        let journal = page.journal();
        assert!(
            journal.exceptions.is_empty() && journal.console_errors.is_empty(),
            "{q:?}: {journal:?}"
        );
    }
    a_prefix_finds_its_first_completion_whatever_its_size(&index, &out, &browser);
}

/// The prefix budget, told by a manifest that says every term file is huge: a prefix that is
/// not a listed word still loads its first listed completion (typing the start of a big word
/// finds it), and a listed word typed whole loads only its own file.
fn a_prefix_finds_its_first_completion_whatever_its_size(
    index: &Index,
    out: &Path,
    browser: &Browser,
) {
    // A listed word whose first four characters start no other term.
    let word = index
        .listed
        .keys()
        .find(|k| {
            let prefix: String = k.chars().take(4).collect();
            k.chars().count() > 4
                && k.chars().all(char::is_alphabetic)
                && index.terms.keys().filter(|t| t.starts_with(&prefix)).count() == 1
        })
        .expect("a listed word with a prefix of its own");
    let prefix: String = word.chars().take(4).collect();
    let path = out.join("search/manifest.js");
    let text = std::fs::read_to_string(&path).expect("manifest");
    let (key, mut m) = read_data_file(&text).expect("manifest data file");
    for sizes in ["xs", "ts", "ns", "cs"] {
        let files = m[sizes].as_array().map_or(0, Vec::len);
        m[sizes] = serde_json::json!(vec![1_000_000; files]);
    }
    std::fs::write(&path, data_file(&key, &m.to_string())).expect("write manifest");

    let want: Vec<String> = run_query(index, &prefix, &BTreeMap::new())
        .iter()
        .take(10)
        .map(|&d| index.rows[d as usize][0].as_str().expect("id").to_owned())
        .collect();
    assert!(!want.is_empty(), "{word}");
    let page = browser.page();
    page.open(&format!("{}?q={}", file_url(&out.join("search/index.html")), query_value(&prefix)));
    assert_eq!(results_for(&page, &normalized(&prefix, &[])), want, "{prefix:?} (for {word:?})");

    // A listed word typed whole is complete in its own file: its longer completions wait
    // within the budget (none fits here), and the page says that there may be more.
    let (short, file) = index
        .listed
        .iter()
        .find(|(k, f)| {
            index
                .listed
                .iter()
                .any(|(l, g)| l.len() > k.len() && l.starts_with(k.as_str()) && g != *f)
        })
        .expect("a listed word that starts another, listed in another file");
    let page = browser.page();
    page.open(&format!("{}?q={}", file_url(&out.join("search/index.html")), query_value(short)));
    results_for(&page, &normalized(short, &[]));
    let loaded =
        // Document blocks follow the results, facet shards the first results (for the live
        // counts): neither is a term file.
        page.eval("JSON.stringify(window.pmSearchStats.loaded.filter(k => !/^[df]\\//.test(k)))");
    let own = format!("x/{file:03}");
    assert_eq!(
        loaded.as_str(),
        Some(format!("[\"manifest\",\"{own}\"]").as_str()),
        "{short:?} loads only its own file"
    );
    let note = page.eval("document.getElementById('pm-search-note').hidden");
    assert_eq!(note, serde_json::Value::Bool(false), "{short:?}: the page says there may be more");
}

/// 12345 as "12,345".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

//! Site search measured in a real browser on sites too big or too external for the default
//! suite: a generated 100,000-postmortem site (bytes transferred and render time per query) and
//! the public postmortems corpus (does a query find every postmortem whose text contains it,
//! title and summary hits first?). Both are `#[ignore]`d: `bench/search.sh` builds the sites and
//! runs them (`cargo test --release --test it -- --ignored search_scale::`), and
//! docs/BENCHMARKS.md and docs/search.md record what they print.
//!
//! - `PM_SEARCH_SITE`: a built site (for `search_at_scale`);
//! - `PM_SEARCH_CORPUS`: a pm repository of real postmortems (for `search_quality_on_corpus`,
//!   default `../shared/corpus/public-postmortems`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::browser::{Browser, Page};
use crate::support::fs::{self, crate_path};
use crate::support::search::read_index;
use crate::support::site::{self, file_url, query_value};

/// Queries of the scale run: one, two and three words, a prefix while typing, a filter alone.
const SCALE_QUERIES: &[&str] = &[
    "kafka",
    "certificate expiry",
    "kafka consumer lag",
    "database failover replica",
    "dns",
    "rollb",
    "severity=SEV1",
];

/// Queries of the quality run: terms and phrases an on-call engineer would type.
const QUALITY_QUERIES: &[&str] = &[
    "leap second",
    "BGP",
    "DNS",
    "certificate",
    "memory leak",
    "load balancer",
    "power outage",
    "rollback",
    "database",
    "configuration change",
];

/// Opens the search page for `query` (a `?`-less URL query, or words) in a fresh tab and waits
/// for it to finish.
pub(crate) fn search(browser: &Browser, site: &Path, query: &str) -> Page {
    let page = browser.page();
    let params =
        if query.contains('=') { query.to_owned() } else { format!("q={}", query_value(query)) };
    let url = format!("{}?{params}", file_url(&site.join("search/index.html")));
    page.open(&url);
    page.wait_until(
        "document.querySelector('#pm-search-results')?.dataset.state === 'done'",
        "the results",
    );
    page
}

/// Every result id, pressing "More results" until there are no more.
pub(crate) fn all_ids(page: &Page) -> Vec<String> {
    loop {
        let more = page.eval("!document.querySelector('#pm-search-more').hidden");
        if more != serde_json::Value::Bool(true) {
            break;
        }
        let shown = page.eval("document.querySelectorAll('li.pm-result').length");
        page.click("#pm-search-more");
        page.wait_until(
            &format!(
                "document.querySelectorAll('li.pm-result').length > {shown} && \
                 document.querySelector('#pm-search-results').dataset.state === 'done'"
            ),
            "more results",
        );
    }
    let ids = page.eval(
        "Array.from(document.querySelectorAll('li.pm-result .pm-result-id'), e => e.textContent.trim())",
    );
    ids.as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs a generated site: run by bench/search.sh"]
fn search_at_scale() {
    let site = PathBuf::from(std::env::var_os("PM_SEARCH_SITE").expect("set PM_SEARCH_SITE"));
    let files = site::files_ending(&site.join("search"), ".js");
    println!("index files: {} (+ search/index.html)", files.len());
    let browser = Browser::launch();
    println!(
        "| query | results | files loaded | raw bytes | gzip bytes | render ms | then facet shards: files, gzip bytes |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for query in SCALE_QUERIES {
        let m = measure(&browser, &site, query);
        println!(
            "| `{query}` | {} | {} | {} | {} | {:.0} | {}, {} |",
            m.count, m.files, m.raw, m.gzip, m.render_ms, m.facet_files, m.facet_gzip
        );
    }

    // Sampled queries, as in docs/BENCHMARKS.md: 1, 2 and 3 consecutive words from the titles
    // of random postmortems (what someone who remembers an incident types), and single words
    // that occur in 2-200 documents (rare) or 201-20,000 (common words that are not in titles),
    // alone and before a title word.
    let index = read_index(&fs::files(&site));
    let mut rng = Lcg(42);
    let titles: Vec<Vec<String>> = index
        .rows
        .iter()
        .map(|r| words(r[1].as_str().unwrap_or("")).into_iter().filter(|w| kept(w)).collect())
        .collect();
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for n in 1..=3 {
        let mut qs = Vec::new();
        while qs.len() < SAMPLES {
            let t = &titles[rng.below(titles.len())];
            if t.len() >= n {
                let at = rng.below(t.len() - n + 1);
                qs.push(format!("{} ", t[at..at + n].join(" ")));
            }
        }
        groups.push((["1 title word", "2 title words", "3 title words"][n - 1], qs));
    }
    // Terms typed as they are keyed: a stem that stems to itself (most do; `databas` does not).
    let by_df = |low: usize, high: usize| -> Vec<&String> {
        index
            .terms
            .iter()
            .filter(|(_, tiers)| (low..=high).contains(&tiers.iter().map(Vec::len).sum::<usize>()))
            .map(|(k, _)| k)
            .filter(|k| pm::site::search::tokenize::stem(k) == k.as_str())
            .collect()
    };
    let rare = by_df(2, 200);
    let common: Vec<&String> =
        by_df(201, 20_000).into_iter().filter(|k| k.chars().all(char::is_alphabetic)).collect();
    let pick = |list: &[&String], rng: &mut Lcg| list[rng.below(list.len())].clone();
    let rare_qs: Vec<String> =
        (0..SAMPLES).map(|_| format!("{} ", pick(&rare, &mut rng))).collect();
    let common_qs: Vec<String> =
        (0..SAMPLES).map(|_| format!("{} ", pick(&common, &mut rng))).collect();
    let mixed: Vec<String> =
        common_qs.iter().zip(&groups[0].1).map(|(a, b)| format!("{}{b}", a)).collect();
    // The same title words as a link shares them or as typed: the last word a prefix.
    for (n, label) in [(1, "2 title words, as typed"), (2, "3 title words, as typed")] {
        let typed = groups[n].1.iter().map(|q| q.trim_end().to_owned()).collect();
        groups.push((label, typed));
    }
    groups.push(("rare word", rare_qs));
    groups.push(("common word, not in titles", common_qs));
    groups.push(("that word + a title word", mixed));
    println!();
    println!(
        "| sample ({SAMPLES} queries each) | gzip KB: median | p90 | max | over 150 KB | of which blocks: median KB (files) | render ms: max |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, queries) in &groups {
        let mut sizes = Vec::new();
        let mut blocks = Vec::new();
        let mut render = 0f64;
        let mut worst = (0, String::new());
        for q in queries {
            let m = measure(&browser, &site, q);
            if m.gzip > worst.0 {
                worst = (m.gzip, q.clone());
            }
            sizes.push(m.gzip);
            blocks.push((m.block_gzip, m.blocks));
            render = render.max(m.render_ms);
        }
        sizes.sort_unstable();
        blocks.sort_unstable();
        let kb = |b: usize| b.div_ceil(1000);
        println!(
            "| {name} | {} | {} | {} (`{}`) | {} | {} ({}) | {render:.0} |",
            kb(sizes[sizes.len() / 2]),
            kb(sizes[sizes.len() * 9 / 10]),
            kb(worst.0),
            worst.1.trim(),
            sizes.iter().filter(|&&s| s > 150_000).count(),
            kb(blocks[blocks.len() / 2].0),
            blocks[blocks.len() / 2].1,
        );
    }
}

/// Queries per sampled group.
const SAMPLES: usize = 40;

/// What opening the search page for one query loaded and took.
struct Measured {
    count: String,
    files: usize,
    raw: usize,
    gzip: usize,
    /// Of `gzip`, what the document blocks (`d/`) took, and how many were loaded.
    block_gzip: usize,
    blocks: usize,
    render_ms: f64,
    /// The facet shards loaded after the results, for the live counts (not in `gzip`: they
    /// load once per page view, after the query's results are shown).
    facet_files: usize,
    facet_gzip: usize,
}

/// Opens `query` in a fresh tab: the index files the page loaded (`window.pmSearchStats`),
/// summed raw and gzipped, and its own render time.
fn measure(browser: &Browser, site: &Path, query: &str) -> Measured {
    let page = search(browser, site, query);
    // The live counts (or the note that the index is too big for them).
    page.wait_until(
        "window.pmSearchStats.counted > 0 || document.querySelector('.facet-note')",
        "the live facet counts",
    );
    let stats = page.eval("JSON.stringify(window.pmSearchStats)");
    let stats: serde_json::Value =
        serde_json::from_str(stats.as_str().unwrap_or("{}")).expect("stats JSON");
    let loaded: Vec<String> = stats["loaded"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let (mut raw, mut gzip, mut block_gzip, mut blocks) = (0, 0, 0, 0);
    let (mut facet_files, mut facet_gzip) = (0, 0);
    for key in &loaded {
        let bytes = std::fs::read(site.join("search").join(format!("{key}.js")))
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let size = pm::site::search::gzip_len(&bytes).expect("gzip in memory");
        if key.starts_with("f/") {
            facet_files += 1;
            facet_gzip += size;
            continue;
        }
        raw += bytes.len();
        gzip += size;
        if key.starts_with("d/") {
            block_gzip += size;
            blocks += 1;
        }
    }
    let count = page.eval("document.querySelector('#pm-search-count').textContent");
    Measured {
        count: count.as_str().unwrap_or("").trim().to_owned(),
        files: loaded.len() - facet_files,
        raw,
        gzip,
        block_gzip,
        blocks,
        render_ms: stats["lastRenderMs"].as_f64().unwrap_or(f64::NAN),
        facet_files,
        facet_gzip,
    }
}

/// Whether the client searches for `word`: 2 to 40 characters, not a stop word.
fn kept(word: &str) -> bool {
    (2..=40).contains(&word.chars().count())
        && !pm::site::search::tokenize::STOP_WORDS.contains(&word)
}

/// A small seeded generator, so the samples are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// The words of `text`, lowercased: runs of letters and digits.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn contains_phrase(haystack: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && haystack.windows(phrase.len()).any(|w| w == phrase)
}

/// A corpus postmortem: its id, title words, summary words and all of its text's words.
pub(crate) struct Doc {
    pub(crate) title: Vec<String>,
    pub(crate) summary: Vec<String>,
    pub(crate) text: Vec<String>,
}

fn field<'a>(front: &'a str, key: &str) -> Option<&'a str> {
    front
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().trim_matches('"'))
}

pub(crate) fn load_corpus(root: &Path) -> BTreeMap<String, Doc> {
    let mut docs = BTreeMap::new();
    for rel in site::files_ending(&root.join("postmortems"), ".md") {
        let text = std::fs::read_to_string(root.join("postmortems").join(&rel)).expect("read");
        let Some((front, body)) = text.strip_prefix("---\n").and_then(|t| t.split_once("\n---\n"))
        else {
            continue;
        };
        let Some(id) = field(front, "id") else { continue };
        let summary = body
            .split_once("## Summary")
            .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(""))
            .unwrap_or("");
        docs.insert(
            id.to_owned(),
            Doc {
                title: words(field(front, "title").unwrap_or("")),
                summary: words(summary),
                text: words(body),
            },
        );
    }
    docs
}

#[test]
#[ignore = "needs the public postmortems corpus: run by bench/search.sh"]
fn search_quality_on_corpus() {
    let corpus = std::env::var_os("PM_SEARCH_CORPUS")
        .map_or_else(|| crate_path("../shared/corpus/public-postmortems"), PathBuf::from);
    assert!(corpus.join("pm.toml").is_file(), "no corpus at {}", corpus.display());
    let docs = load_corpus(&corpus);
    let out = tempfile::tempdir().expect("temp dir");
    let site_dir = out.path().join("site");
    site::build(&corpus, &site_dir);
    let browser = Browser::launch();
    println!(
        "| query | postmortems containing it | found | missed | title/summary hits ranked first | other results (words apart, or longer words) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut failures = Vec::new();
    for query in QUALITY_QUERIES {
        let phrase = words(query);
        let page = search(&browser, &site_dir, query);
        let ids = all_ids(&page);
        let expected: Vec<&String> = docs
            .iter()
            .filter(|(_, d)| contains_phrase(&d.text, &phrase))
            .map(|(id, _)| id)
            .collect();
        let missed: Vec<&&String> = expected.iter().filter(|id| !ids.contains(id)).collect();
        // Title and summary hits first: no result whose title and summary hold none of the
        // words comes before one whose title or summary holds the phrase.
        let strong = |id: &String| {
            docs.get(id).is_some_and(|d| {
                contains_phrase(&d.title, &phrase) || contains_phrase(&d.summary, &phrase)
            })
        };
        // (The last word matches as a prefix, as it does while typing.)
        let holds = |words: &[String]| {
            phrase.iter().enumerate().any(|(i, w)| {
                words.iter().any(|x| x == w || (i + 1 == phrase.len() && x.starts_with(w.as_str())))
            })
        };
        let weak =
            |id: &String| docs.get(id).is_some_and(|d| !holds(&d.title) && !holds(&d.summary));
        let last_strong = ids.iter().rposition(strong);
        let first_weak = ids.iter().position(weak);
        let ordered = match (last_strong, first_weak) {
            (Some(s), Some(w)) => s < w,
            _ => true,
        };
        let extra = ids.iter().filter(|id| !expected.contains(id)).count();
        println!(
            "| `{query}` | {} | {} | {} | {} | {extra} |",
            expected.len(),
            ids.len() - extra,
            missed.len(),
            if ordered { "yes" } else { "NO" }
        );
        if !missed.is_empty() {
            failures.push(format!("{query}: missed {missed:?}"));
        }
        if !ordered {
            failures.push(format!("{query}: a body-only hit ranks above a title/summary hit"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

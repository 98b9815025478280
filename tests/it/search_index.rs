//! The site search index of `examples/demo`, built by `pm build` and read back with the Rust
//! decoder (`pm::site::search::encode`): the files follow the format of docs/search.md, every
//! term resolves to exactly the documents whose fields contain it (re-derived here from
//! `postmortems.json` and the source files, tier by tier), facets count what they select, two
//! builds are byte-identical, and the queries of `tests/fixtures/search/demo-queries.json` give
//! their expected results under the query rules of the contract (the browser tests can run the
//! same cases against `search.js`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pm::site::search::tokenize::{stem, tokens};
use serde_json::Value;

use crate::support::fs::{crate_path, files};
use crate::support::run::{self, pm};
use crate::support::search::{Index, read_index, run_query};
use crate::support::site::{self, TODAY};

/// Builds the demo into `out`.
fn build_demo(out: &Path) {
    let stderr = run::text(&site::build(&crate_path("examples/demo"), out).stderr);
    assert!(!stderr.contains("warning:"), "the demo index is within every budget:\n{stderr}");
}

fn built_demo() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build_demo(&out);
    let site = files(&out);
    (tmp, site)
}

fn postmortems(site: &BTreeMap<String, Vec<u8>>) -> Vec<Value> {
    let json: Value = serde_json::from_slice(&site["postmortems.json"]).expect("postmortems.json");
    json["postmortems"].as_array().expect("postmortems").clone()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// The markdown body of a source file of the repository at `root`: everything after the
/// closing `---` line (a BOM and CRLF line ends allowed, as in the generated repositories).
fn body(root: &Path, source: &str) -> String {
    let text = std::fs::read_to_string(root.join(source)).expect("read source");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    assert_eq!(first.trim_end(), "---", "{source} opens front matter");
    let mut offset = first.len();
    for line in lines.by_ref() {
        offset += line.len();
        if matches!(line.trim_end(), "---" | "...") {
            return text[offset..].to_owned();
        }
    }
    panic!("{source}: unterminated front matter")
}

/// What each document of a built site says, per tier and by stem, re-derived from `postmortems.json` and
/// the sources of the repository at `root`: term → doc ids of tiers 0, 1 and 2.
fn expected_terms(
    site: &BTreeMap<String, Vec<u8>>,
    root: &Path,
) -> BTreeMap<String, [BTreeSet<u32>; 3]> {
    let mut expected: BTreeMap<String, [BTreeSet<u32>; 3]> = BTreeMap::new();
    for (d, p) in postmortems(site).iter().enumerate() {
        let d = d as u32;
        let tier0 = [text(&p["title"]), text(&p["summary"]), text(&p["id"])];
        let items: Vec<String> = p["action_items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| text(&a["title"]))
            .collect();
        let tier1 = [
            text(&p["services"]),
            text(&p["team"]),
            text(&p["tags"]),
            text(&p["contributing_factors"]),
            items.join("\n"),
            text(&p["owner"]),
            text(&p["impact"]["summary"]),
        ];
        let tier2 = [body(root, p["source"].as_str().expect("source"))];
        let mut seen = BTreeSet::new();
        for (tier, fields) in [&tier0[..], &tier1[..], &tier2[..]].into_iter().enumerate() {
            for field in fields {
                for token in tokens(field) {
                    let term = stem(&token).into_owned();
                    if seen.insert(term.clone()) {
                        expected.entry(term).or_default()[tier].insert(d);
                    }
                }
            }
        }
    }
    expected
}

/// Every term of `index` resolves to exactly the documents `expected` says, tier by tier.
fn assert_terms(index: &Index, expected: &BTreeMap<String, [BTreeSet<u32>; 3]>) {
    let actual: BTreeMap<String, [BTreeSet<u32>; 3]> = index
        .terms
        .iter()
        .map(|(k, tiers)| (k.clone(), tiers.clone().map(|t| t.into_iter().collect())))
        .collect();
    let missing: Vec<&String> = expected.keys().filter(|k| !actual.contains_key(*k)).collect();
    let extra: Vec<&String> = actual.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    for (key, tiers) in expected {
        assert_eq!(&actual[key], tiers, "documents of {key:?} per tier");
    }
}

#[test]
fn demo_index_has_the_contracted_shape() {
    let (_tmp, site) = built_demo();
    let index = read_index(&site);
    let pms = postmortems(&site);
    let m = &index.manifest;
    assert_eq!(m["v"], 4);
    assert_eq!(m["docs"].as_u64(), Some(pms.len() as u64));
    assert_eq!(m["weights"], serde_json::json!([8, 3, 1]));
    let stop: Vec<&str> =
        m["stop"].as_array().expect("stop").iter().filter_map(Value::as_str).collect();
    assert_eq!(stop, pm::site::search::tokenize::STOP_WORDS);
    let keys: Vec<&str> =
        m["facets"].as_array().expect("facets").iter().filter_map(|f| f["key"].as_str()).collect();
    assert_eq!(keys, ["severity", "status", "service", "team", "tag", "factor", "year"]);
    assert!(index.data.len() <= 1000);
    assert!(site.contains_key("search/index.html"), "the search page");

    // Doc rows are postmortems.json in order (doc id = position); severity, status, services
    // and team are positions in the manifest's facet values.
    let value = |facet: &str, i: &Value| -> Value {
        let Some(i) = i.as_i64().filter(|&i| i >= 0) else { return Value::String(String::new()) };
        let facet = m["facets"].as_array().expect("facets").iter().find(|f| f["key"] == facet);
        facet.expect("facet")["values"][i as usize][0].clone()
    };
    for (d, (row, p)) in index.rows.iter().zip(&pms).enumerate() {
        let row = row.as_array().expect("row");
        assert_eq!(row.len(), 8, "doc {d}: every demo page is named after its id");
        assert_eq!(row[0], p["id"], "doc {d}");
        assert_eq!(row[1], p["title"]);
        assert_eq!(row[2].as_str(), Some(p["date"].as_str().unwrap_or("")));
        assert_eq!(value("severity", &row[3]).as_str(), Some(p["severity"].as_str().unwrap_or("")));
        assert_eq!(value("status", &row[4]), p["status"]);
        let href = format!("postmortems/{}.html", row[0].as_str().expect("id"));
        assert_eq!(Some(href.as_str()), p["url"].as_str());
        assert!(site.contains_key(&href), "{row:?} links to a page");
        let snippet = row[5].as_str().expect("snippet");
        let summary = p["summary"].as_str().expect("summary");
        assert!(snippet.chars().count() <= pm::site::search::SNIPPET_CHARS, "{snippet}");
        match snippet.strip_suffix('…') {
            Some(cut) => {
                assert!(summary.starts_with(cut) && cut.len() < summary.len(), "{snippet}")
            }
            None => assert_eq!(snippet, summary.trim()),
        }
        let services: Vec<Value> =
            row[6].as_array().expect("services").iter().map(|s| value("service", s)).collect();
        assert_eq!(Value::Array(services), p["services"]);
        assert_eq!(value("team", &row[7]).as_str(), Some(p["team"].as_str().unwrap_or("")));
    }
    // Newest first: ascending doc id is descending date.
    let dates: Vec<&str> = index.rows.iter().filter_map(|r| r[2].as_str()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn every_term_resolves_to_exactly_the_documents_that_contain_it() {
    let (_tmp, site) = built_demo();
    let index = read_index(&site);
    let pms = postmortems(&site);
    let expected = expected_terms(&site, &crate_path("examples/demo"));
    assert_terms(&index, &expected);
    assert!(expected.len() > 1000, "the demo has a real vocabulary ({})", expected.len());

    // Spelled out for one term: `kafka` is in the text of exactly these files.
    let kafka: BTreeSet<&str> = pms
        .iter()
        .filter(|p| {
            let source = std::fs::read_to_string(crate_path(&format!(
                "examples/demo/{}",
                p["source"].as_str().expect("source")
            )))
            .expect("read");
            source.to_lowercase().contains("kafka")
        })
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    let found: BTreeSet<&str> = index.terms["kafka"]
        .iter()
        .flatten()
        .map(|&d| pms[d as usize]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(found, kafka);
    // Stop words and single characters are never terms.
    assert!(!index.terms.contains_key("the") && !index.terms.contains_key("a"));
    assert!(index.terms.keys().all(|k| (2..=40).contains(&k.chars().count())));
}

#[test]
fn facets_select_and_count_their_documents() {
    let (_tmp, site) = built_demo();
    let index = read_index(&site);
    let pms = postmortems(&site);
    let n = pms.len();
    let field_values = |p: &Value, facet: &str| -> Vec<String> {
        let v = match facet {
            "severity" => &p["severity"],
            "status" => &p["status"],
            "service" => &p["services"],
            "team" => &p["team"],
            "tag" => &p["tags"],
            "factor" => &p["contributing_factors"],
            "year" => {
                return p["date"].as_str().map(|d| vec![d[..4].to_owned()]).unwrap_or_default();
            }
            _ => panic!("unknown facet {facet}"),
        };
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    };
    let mut keys = BTreeSet::new();
    for facet in index.manifest["facets"].as_array().expect("facets") {
        let key = facet["key"].as_str().expect("key");
        let mut total = 0;
        let mut values = Vec::new();
        for pair in facet["values"].as_array().expect("values") {
            let value = pair[0].as_str().expect("value");
            let count = pair[1].as_u64().expect("count") as usize;
            let docs = &index.facets[&format!("{key}:{value}")];
            assert_eq!(docs.len(), count, "{key}:{value}");
            let want: Vec<u32> = (0..n as u32)
                .filter(|&d| field_values(&pms[d as usize], key).iter().any(|v| v == value))
                .collect();
            assert_eq!(docs, &want, "{key}:{value}");
            keys.insert(format!("{key}:{value}"));
            total += count;
            values.push(value.to_owned());
        }
        let tagged = pms.iter().map(|p| field_values(p, key).len()).sum::<usize>();
        assert_eq!(total, tagged, "{key}: the counts add up to the values written");
        match key {
            // Every postmortem has a status, a severity and a date in the demo.
            "status" | "severity" | "year" => assert_eq!(total, n, "{key}"),
            _ => {}
        }
        match key {
            "severity" => assert_eq!(values, ["SEV1", "SEV2", "SEV3", "SEV4"]),
            "status" => assert_eq!(values, ["draft", "in-review", "published"]),
            "year" => assert_eq!(values, ["2026", "2025"]),
            _ => assert!(values.windows(2).all(|w| w[0] < w[1]), "{key} sorted by name"),
        }
    }
    assert_eq!(keys, index.facets.keys().cloned().collect(), "every facet key in the manifest");
}

#[test]
fn a_big_index_lists_its_big_terms_and_keeps_codes_apart() {
    // 3,000 generated postmortems: enough for listed terms (x/) and code shards (c/).
    let tmp = tempfile::tempdir().expect("tempdir");
    let (out, stderr) = site::build_generated(tmp.path(), 3000, 5);
    let root = tmp.path().join("repo");
    assert!(!stderr.contains("warning: search"), "within every budget:\n{stderr}");
    let site = files(&out);
    let index = read_index(&site);
    let kinds = |kind: &str| index.data.keys().filter(|k| k.starts_with(kind)).count();
    assert!(
        kinds("x/") > 100 && kinds("t/") > 0 && kinds("n/") > 0 && kinds("c/") > 0,
        "{:?}",
        index.data.keys()
    );
    assert!(index.data.len() <= 1000);
    // Listed terms are the big ones, and the ones in titles come first: `kafka` is alone.
    let file = index.listed.get("kafka").expect("kafka is listed");
    assert_eq!(index.listed.values().filter(|f| *f == file).count(), 1, "kafka's file");
    assert_terms(&index, &expected_terms(&site, &root));
}

#[test]
fn two_builds_are_byte_identical() {
    let (_a, first) = built_demo();
    let (_b, second) = built_demo();
    let search = |site: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        site.iter()
            .filter(|(k, _)| k.starts_with("search/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (a, b) = (search(&first), search(&second));
    assert!(a.len() > 3, "{:?}", a.keys());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between two builds");
    }
}

#[test]
fn demo_queries_find_what_they_should() {
    let (_tmp, site) = built_demo();
    let index = read_index(&site);
    let cases: Value = serde_json::from_str(
        &std::fs::read_to_string(crate_path("tests/fixtures/search/demo-queries.json"))
            .expect("read cases"),
    )
    .expect("cases parse");
    let cases = cases.as_array().expect("a list of cases");
    assert!(cases.len() >= 8, "the case file is read");
    let mut failures = Vec::new();
    for case in cases {
        let q = case["q"].as_str().expect("q");
        let filters: BTreeMap<String, Vec<String>> = serde_json::from_value(
            case.get("filters").cloned().unwrap_or(Value::Object(Default::default())),
        )
        .expect("filters");
        let want: Vec<&str> =
            case["ids"].as_array().expect("ids").iter().filter_map(Value::as_str).collect();
        let got: Vec<&str> = run_query(&index, q, &filters)
            .into_iter()
            .map(|d| index.rows[d as usize][0].as_str().expect("id"))
            .collect();
        if got != want {
            failures.push(format!("{q:?} {filters:?}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_build_over_budget_says_so() {
    // One postmortem whose title is ~400 KB of pseudo-random words: its document block cannot
    // be loaded within the 150 KB budget of a first query, and the build says so.
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(root.join("postmortems")).expect("mkdir");
    std::fs::write(root.join("pm.toml"), "title = \"Big\"\n").expect("write pm.toml");
    let mut seed: u64 = 42;
    let mut title = String::new();
    for _ in 0..60_000 {
        for _ in 0..6 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            title.push(char::from(b'a' + ((seed >> 33) % 26) as u8));
        }
        title.push(' ');
    }
    std::fs::write(
        root.join("postmortems/INC-2026-0001.md"),
        format!("---\nid: INC-2026-0001\ntitle: {}\nstatus: draft\n---\n# Big\n", title.trim()),
    )
    .expect("write postmortem");
    let out = tmp.path().join("site");
    let output = pm(["--color", "never", "--root"])
        .arg(&root)
        .args(["build", "--today", TODAY, "--out"])
        .arg(&out)
        .output()
        .expect("run pm build");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "over budget is a warning, not an error:\n{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.starts_with("warning: search/d/000.js is "))
        .unwrap_or_else(|| panic!("no budget warning:\n{stderr}"));
    assert!(
        warning.ends_with("KB gzipped, over the budget of 150 KB for a first query"),
        "{warning}"
    );
    assert!(out.join("search/d/000.js").is_file(), "the site is still written");
}

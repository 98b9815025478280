//! What the site leaves out (`tests/fixtures/privacy/`): a `restricted` postmortem is a stub, a
//! `private` one, one whose `visibility` is misspelled and a draft the site does not publish
//! (`[site] publish`) are not there at all. Each has words of its own; every file the build
//! writes is read (gzip'd ones decoded) and none may hold them, and the search index is asked
//! for them through its own reader. The same fixture shows the page fixes: action items once
//! with tickets linked, backticks as code, money with its currency, a favicon that exists.

use std::collections::BTreeMap;
use std::io::Read as _;

use serde_json::Value;

use crate::support::fs::{files, fixture_copy};
use crate::support::run::{self, text};
use crate::support::search::{read_index, run_query};
use crate::support::site::build;

/// Words only the restricted postmortem's body, summary, impact, action items, timeline, tags,
/// factors, ticket, chat or file name hold.
const RESTRICTED: &[&str] = &[
    "crumblewick",
    "pebbleglass",
    "wobbleknot",
    "snorkelvane",
    "thistledown",
    "mirthwallow",
    "gorsewidget",
    "vantablorp",
    "brambleshank",
    "quillfeather",
    "SEC-9911",
];
/// Words only the private postmortem holds, its title's included.
const PRIVATE: &[&str] =
    &["zephyrgloam", "hollowbrine", "yarrowtusk", "marrowlight", "drumlinquash", "fennelspire"];
/// Words only the draft holds (the fixture publishes in-review and published ones).
const DRAFT: &[&str] = &["quibbleton", "saffronmote", "tumblethorn", "grumbleforth", "larkspindle"];
/// Words only the postmortem with `visibility: secret` holds: read as private.
const MISSPELLED: &[&str] = &["gravelwhisk", "pumicevale"];

/// The text of a built file, gzip'd files decoded.
fn readable(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("gzip decodes");
        return String::from_utf8_lossy(&out).into_owned();
    }
    String::from_utf8_lossy(bytes).into_owned()
}

fn built() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let (dir, root) = fixture_copy("tests/fixtures/privacy");
    let out = dir.path().join("site");
    build(&root, &out);
    let site = files(&out);
    (dir, site)
}

fn page(site: &BTreeMap<String, Vec<u8>>, rel: &str) -> String {
    readable(site.get(rel).unwrap_or_else(|| panic!("{rel} was not built")))
}

#[test]
fn withheld_words_are_in_no_built_file() {
    let (_dir, site) = built();
    // The scan can fail: the public postmortem's own word is found where it should be.
    let found = |word: &str| -> Vec<&String> {
        let lower = word.to_lowercase();
        site.iter()
            .filter(|(_, b)| readable(b).to_lowercase().contains(&lower))
            .map(|(p, _)| p)
            .collect()
    };
    assert!(!found("overtonwhistle").is_empty(), "the public summary is on the site");
    for word in RESTRICTED.iter().chain(PRIVATE).chain(DRAFT).chain(MISSPELLED) {
        assert!(found(word).is_empty(), "`{word}` leaked into {:?}", found(word));
    }

    // The index, through its own reader: the public word finds its postmortem, the others
    // find nothing (whatever the encoding of the shards).
    let index = read_index(&site);
    let none = BTreeMap::new();
    assert_eq!(run_query(&index, "overtonwhistle ", &none).len(), 1);
    for word in RESTRICTED.iter().chain(PRIVATE).chain(DRAFT).chain(MISSPELLED) {
        let query = format!("{} ", word.to_lowercase());
        assert!(run_query(&index, &query, &none).is_empty(), "the index finds `{word}`");
    }
}

#[test]
fn restricted_is_a_stub_private_and_drafts_are_absent() {
    let (_dir, site) = built();
    let stub = page(&site, "postmortems/INC-2026-0002.html");
    assert!(stub.contains("Identity tokens were exposed in a debug endpoint"), "{stub}");
    assert!(stub.contains("This postmortem is restricted"));
    assert!(stub.contains("SEV1") && stub.contains("yli") && stub.contains("Security"));
    for gone in ["INC-2026-0003", "INC-2026-0004", "INC-2026-0005"] {
        assert!(!site.contains_key(&format!("postmortems/{gone}.html")), "{gone} has a page");
    }

    // The public page names the restricted one by its title, the private one and the draft only
    // by the ids its own front matter wrote, and suggests neither as similar.
    let public = page(&site, "postmortems/INC-2026-0001.html");
    assert!(public.contains("Identity tokens were exposed in a debug endpoint"));
    assert!(!public.contains("zephyrgloam") && !public.contains("quibbleton"));

    // The feed and the sitemap announce only the public page.
    let feed = page(&site, "feed.xml");
    assert!(feed.contains("INC-2026-0001") && !feed.contains("INC-2026-0002"), "{feed}");
    let sitemap = page(&site, "sitemap.xml");
    assert!(sitemap.contains("INC-2026-0001.html") && !sitemap.contains("INC-2026-0002.html"));

    // postmortems.json: the stub's fields and nothing else of it; the others are not there.
    let json: Value = serde_json::from_str(&page(&site, "postmortems.json")).expect("JSON");
    let records = json["postmortems"].as_array().expect("postmortems");
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["INC-2026-0002", "INC-2026-0001"]);
    let stub = &records[0];
    assert_eq!(stub["visibility"], "restricted");
    assert_eq!(stub["source"], Value::Null);
    assert_eq!(stub["started_at"], Value::Null);
    assert_eq!(stub["summary"], "");
    assert_eq!(stub["action_items"], serde_json::json!([]));
    assert_eq!(stub["date"], "2026-03-05");
    assert_eq!(records[1]["visibility"], "public");
}

#[test]
fn export_has_everything_unless_asked_for_the_site_view() {
    let (_dir, root) = fixture_copy("tests/fixtures/privacy");
    let export = |extra: &[&str]| -> Value {
        let out = run::pm(["--root"])
            .arg(&root)
            .args(["export", "--what", "postmortems", "--today", "2026-11-25"])
            .args(extra)
            .output()
            .expect("run pm export");
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v["postmortems"]
            .as_array()
            .expect("postmortems")
            .iter()
            .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let all = export(&[]);
    assert_eq!(ids(&all).len(), 5);
    assert!(all.to_string().contains("zephyrgloam"));
    let shown = export(&["--as-site"]);
    assert_eq!(ids(&shown), ["INC-2026-0001", "INC-2026-0002"]);
    let text = shown.to_string().to_lowercase();
    for word in RESTRICTED.iter().chain(PRIVATE).chain(DRAFT).chain(MISSPELLED) {
        // The restricted record keeps its path (the export is for people with the repository).
        if *word != "quillfeather" {
            assert!(!text.contains(&word.to_lowercase()), "`{word}` in pm export --as-site");
        }
    }
}

#[test]
fn a_misspelled_visibility_is_a_located_schema_error() {
    let (_dir, root) = fixture_copy("tests/fixtures/privacy");
    let out = run::pm(["--color", "never", "--root"])
        .arg(&root)
        .args(["check", "--format", "concise", "--today", "2026-11-25"])
        .output()
        .expect("run pm check");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("postmortems/2026/INC-2026-0005-misspelled.md:5:1:"), "{stdout}");
    assert!(
        stdout.contains("`visibility` is `secret`, not one of: public, restricted, private"),
        "{stdout}"
    );
}

#[test]
fn a_postmortem_page_shows_its_action_items_once_with_code_money_and_a_favicon() {
    let (_dir, site) = built();
    let public = page(&site, "postmortems/INC-2026-0001.html");
    // The body's own table of the items is left out: one table, its ticket a link.
    assert_eq!(public.matches("<table").count(), 1, "{public}");
    assert!(!public.contains("<td>PAY-123</td>"));
    assert_eq!(
        public
            .matches(
                r#"<td class="col-title">Raise <code>max_conns</code> to match &lt;the&gt; pool"#
            )
            .count(),
        1
    );
    assert!(public.contains(r#"<a href="https://jira.example.com/browse/PAY-123""#));
    assert!(public.contains("14,220 USD"), "money has its currency");
    assert!(
        public.contains(r#"<link rel="icon" type="image/svg+xml" href="../assets/favicon.svg">"#)
    );
    assert!(page(&site, "assets/favicon.svg").starts_with("<svg"));
    // No team is ranked unless the repository asks for it.
    let metrics = page(&site, "metrics/index.html");
    assert!(!metrics.contains("leaderboard"), "metrics rank teams by default");
}

/// The action-items page leads with what is late: each team's (and each owner's) most overdue
/// item decides its place, so an overdue team never sits below one with nothing overdue.
#[test]
fn the_action_items_page_puts_the_most_overdue_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&crate::support::fs::crate_path("examples/demo"), &out);
    let html = readable(&files(&out)["actions/index.html"]);
    let worst = |chunk: &str| -> i64 {
        chunk
            .split(" days overdue")
            .filter_map(|before| before.rsplit('>').next()?.trim().parse().ok())
            .chain(
                chunk
                    .split(" day overdue")
                    .filter_map(|b| b.rsplit('>').next()?.trim().parse().ok()),
            )
            .max()
            .unwrap_or(0)
    };
    let teams: Vec<i64> = html.split("<h2 id=\"team-").skip(1).map(worst).collect();
    assert!(teams.len() >= 3, "{teams:?}");
    assert!(teams[0] > 0, "the first team has an overdue item: {teams:?}");
    assert!(teams.windows(2).all(|w| w[0] >= w[1]), "teams by most overdue item: {teams:?}");
    for team in html.split("<h2 id=\"team-").skip(1) {
        let owners: Vec<i64> = team.split("<h3 class=\"owner\">").skip(1).map(worst).collect();
        assert!(owners.windows(2).all(|w| w[0] >= w[1]), "owners by most overdue item: {owners:?}");
    }
}

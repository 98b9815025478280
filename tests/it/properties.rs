//! Property tests: what `pm` promises about any input, checked on generated inputs.
//!
//! - `check_*`: `pm check` on arbitrary bytes never panics and ends with 0, 1 or 2, and every
//!   diagnostic's line and column lie inside the file (in the JSON report's units: 1-based
//!   lines, columns in characters). Many cases go through the library (the same path as the
//!   `check_one` fuzz target), a few through the binary.
//! - `site_*`: a page built from valid-YAML postmortems full of hostile strings never holds an
//!   executable script, an event-handler attribute or a `javascript:` URL from content. Pages
//!   are judged by an HTML tokenizer (`fuzz/common/inert.rs`), not by substring search. Most
//!   cases render one page through `pm::site::single`; two build whole sites with the binary.
//! - `export_*` and `timeline_*`: round trips. Nothing reads `pm export` back, so the round
//!   trips are the ones that exist: (1) front matter → export records → JSON, NDJSON and CSV,
//!   each read back into the same values, and the values as written; (2) Slack messages →
//!   `pm timeline import` lines inserted into a postmortem → the Timeline reader behind
//!   `pm export --what timeline` → the same instants, in the same order.
//!
//! - `serve_*`: any bytes sent to `pm serve` as a request get an answer (the same function and
//!   invariants as the `serve_request` fuzz target): no page for a refused `Host`, no file
//!   outside the site; requests built from plausible and hostile parts as well as raw bytes.
//!
//! - `resources_*`: memory stays linear in the body for bodies made of the costliest pieces
//!   known (one markdown event per byte, repeated headings, blameful phrases on one line,
//!   suppression regions…): four times the body, at most six times the memory, measured on the
//!   binary with GNU time; a run that hangs fails.
//!
//! Case counts are modest so the suite stays fast (`PM_PROPTEST_SCALE=N` multiplies them); the
//! fuzz targets do the long runs. A failing case proptest finds is saved, shrunk, to
//! `tests/it/properties.proptest-regressions` beside this file (see [`config`]), and every saved
//! case runs again first: commit that file with the fix.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::Value;

use crate::support::fs::{crate_path, walk};
use crate::support::run::pm;
use crate::support::{inert, targets};

const TODAY: &str = "2026-11-25";

/// `n` cases, times `PM_PROPTEST_SCALE` when set (`PM_PROPTEST_SCALE=20` for a long run).
fn cases(n: u32) -> u32 {
    std::env::var("PM_PROPTEST_SCALE").ok().and_then(|s| s.parse::<u32>().ok()).map_or(n, |k| n * k)
}

/// The configuration of every property: [`cases`]`(n)` cases, and failures saved beside this
/// file. (proptest's default puts them in `tests/proptest-regressions/properties.txt` once the
/// file is a module of `tests/it/main.rs`, away from the cases saved before.)
fn config(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(n),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Generators

/// Pieces of hostile text: markup, quotes, script payloads, URL schemes, template syntax,
/// unicode that confuses (RTL override, zero-width, line separators, astral), newlines.
fn hostile_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ]{1,6}",
        1 => prop::sample::select(vec![
            "<", ">", "\"", "'", "&", "javascript:", "JaVaScRiPt:", "</script>", "<script>",
            "onerror=", " onload=alert(1) ", "<img src=x onerror=alert(1)>", "\n", "\r\n", "\t",
            "é", "日本", "😀", "\u{202e}", "\u{2028}", "\u{2029}", "\u{200b}", "\u{feff}", "&amp;",
            "&#x3C;", "&lt;script&gt;", "{{ x }}", "{% raw %}", "`", "\\", "]]>", "<!--", "-->",
            "*", "#", ":", "- ", "[x](javascript:alert(1))", "<svg onload=alert(1)>",
            "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "%3Cscript%3E",
            "\u{0}", "\u{7f}", "\u{85}",
        ])
        .prop_map(str::to_owned),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_piece(), 0..6).prop_map(|p| p.concat())
}

/// A value that is sometimes well-formed (`good`), sometimes hostile.
fn either(good: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(good).prop_map(str::to_owned),
        2 => hostile(),
    ]
}

/// `s` as a YAML double-quoted scalar: everything YAML may not hold raw is escaped, so the
/// front matter is always valid YAML and the value arrives exactly as generated.
fn yaml_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}') =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| yaml_quote(s)).collect::<Vec<_>>().join(", "))
}

#[derive(Debug, Clone)]
struct Item {
    title: String,
    owner: String,
    ticket: String,
    status: String,
}

/// The front matter of a generated postmortem, by field.
#[derive(Debug, Clone)]
struct FrontMatter {
    id: String,
    title: String,
    status: String,
    severity: String,
    owner: String,
    team: String,
    services: Vec<String>,
    tags: Vec<String>,
    factors: Vec<String>,
    authors: Vec<String>,
    related: Vec<String>,
    ticket: String,
    chat: String,
    impact: String,
    slo: String,
    items: Vec<Item>,
}

fn item() -> impl Strategy<Value = Item> {
    (
        hostile(),
        either(&["aokafor", "mkoch"]),
        either(&["PAY-123", "javascript:alert(1)", "https://x.example/1"]),
        either(&["open", "done", "in-progress"]),
    )
        .prop_map(|(title, owner, ticket, status)| Item { title, owner, ticket, status })
}

fn front_matter() -> impl Strategy<Value = FrontMatter> {
    let names = (
        either(&["INC-2026-0001", "INC-2026-0002", "../../etc/passwd", "index"]),
        hostile(),
        either(&["draft", "in-review", "published"]),
        either(&["SEV1", "SEV2", "SEV3", "SEV4"]),
        either(&["aokafor", "mkoch"]),
        either(&["payments", "platform"]),
    );
    let lists = (
        prop::collection::vec(either(&["checkout-api", "payment-gateway"]), 0..3),
        prop::collection::vec(hostile(), 0..3),
        prop::collection::vec(hostile(), 0..2),
        prop::collection::vec(either(&["aokafor"]), 0..2),
        prop::collection::vec(either(&["INC-2026-0002"]), 0..2),
    );
    let rest = (
        either(&["PAY-123", "javascript:alert(1)", "https://tracker.example/PAY-1"]),
        either(&["https://chat.example/c/1", "javascript:alert(1)", "#inc-1"]),
        hostile(),
        hostile(),
        prop::collection::vec(item(), 0..3),
    );
    (names, lists, rest).prop_map(
        |(
            (id, title, status, severity, owner, team),
            (services, tags, factors, authors, related),
            (ticket, chat, impact, slo, items),
        )| FrontMatter {
            id,
            title,
            status,
            severity,
            owner,
            team,
            services,
            tags,
            factors,
            authors,
            related,
            ticket,
            chat,
            impact,
            slo,
            items,
        },
    )
}

impl FrontMatter {
    fn yaml(&self) -> String {
        let mut y = String::new();
        y.push_str(&format!("id: {}\n", yaml_quote(&self.id)));
        y.push_str(&format!("title: {}\n", yaml_quote(&self.title)));
        y.push_str(&format!("status: {}\n", yaml_quote(&self.status)));
        y.push_str(&format!("severity: {}\n", yaml_quote(&self.severity)));
        y.push_str(&format!("owner: {}\n", yaml_quote(&self.owner)));
        y.push_str(&format!("team: {}\n", yaml_quote(&self.team)));
        y.push_str(&format!("services: {}\n", yaml_list(&self.services)));
        y.push_str(&format!("tags: {}\n", yaml_list(&self.tags)));
        y.push_str(&format!("contributing_factors: {}\n", yaml_list(&self.factors)));
        y.push_str(&format!("authors: {}\n", yaml_list(&self.authors)));
        y.push_str(&format!("related: {}\n", yaml_list(&self.related)));
        y.push_str(&format!("ticket: {}\n", yaml_quote(&self.ticket)));
        y.push_str(&format!("chat: {}\n", yaml_quote(&self.chat)));
        y.push_str("started_at: 2026-06-16T08:00:00+02:00\n");
        y.push_str("detected_at: 2026-06-16T08:05:00+02:00\n");
        y.push_str("resolved_at: 2026-06-16T09:00:00+02:00\n");
        y.push_str("due: 2026-07-01\n");
        y.push_str(&format!(
            "impact:\n  summary: {}\n  users_affected: 1200\n  slos:\n    - name: {}\n      error_budget_consumed: 0.25\n",
            yaml_quote(&self.impact),
            yaml_quote(&self.slo)
        ));
        if self.items.is_empty() {
            y.push_str("action_items: []\n");
        } else {
            y.push_str("action_items:\n");
            for i in &self.items {
                y.push_str(&format!(
                    "  - title: {}\n    owner: {}\n    ticket: {}\n    status: {}\n    due: 2026-08-01\n",
                    yaml_quote(&i.title),
                    yaml_quote(&i.owner),
                    yaml_quote(&i.ticket),
                    yaml_quote(&i.status)
                ));
            }
        }
        y
    }
}

/// A markdown block with hostile content and the constructs a sanitizer must handle.
fn body_block() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile().prop_map(|t| format!("{t}\n")),
        hostile().prop_map(|t| format!("## {}\n", t.replace(['\n', '\r'], " "))),
        hostile().prop_map(|t| format!("- 10:41 CEST — {}\n", t.replace(['\n', '\r'], " "))),
        (hostile(), hostile()).prop_map(|(a, b)| format!("[{a}]({})\n", b.replace(' ', "%20"))),
        prop::sample::select(vec![
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](java&#x09;script:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "![i](javascript:alert(1))",
            "[r]: javascript:alert(1)\n\n[ref][r]",
            "<a href=\"javascript:alert(1)\">a</a>",
            "<a href=\"  javascript:alert(1)\">a</a>",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=x OnErRoR=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<iframe src=\"https://x.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<details open ontoggle=alert(1)>",
            "<form action=javascript:alert(1)><button>x</button></form>",
            "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
            "<a href=\"https://x.example\" onclick=\"alert(1)\">x</a>",
            "<!-- <script>alert(1)</script> -->",
            "```\n</script><script>alert(1)</script>\n```",
            "`<script>alert(1)</script>`",
            "<https://x.example/?q=<script>>",
            "<javascript:alert(1)>",
            "| a | <script>alert(1)</script> |\n|---|---|\n| [x](javascript:y) | b |",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:alert(1)//\">",
            "<object data=\"javascript:alert(1)\"></object>",
            "<a href=\"[a](b)\">",
            "<textarea></textarea><script>alert(1)</script>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        ])
        .prop_map(|s| format!("{s}\n")),
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(body_block(), 0..8).prop_map(|blocks| {
        format!("\n## Summary\n\n{}\n## Timeline\n\n{}", blocks.join("\n"), blocks.concat())
    })
}

fn postmortem() -> impl Strategy<Value = (FrontMatter, String)> {
    (front_matter(), body())
}

/// The file: front matter and body. A NUL byte makes a file binary (no postmortem), so the
/// body never holds one raw; the front matter holds it escaped.
fn file_text(fm: &FrontMatter, body: &str) -> String {
    format!("---\n{}---\n{}", fm.yaml(), body.replace('\0', "\\0"))
}

/// Bytes a postmortem file may hold: anything; a front matter and body built from hostile
/// pieces (not always valid YAML); or a real example file with bytes spliced in.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    let examples = example_files();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        (hostile(), hostile(), hostile())
            .prop_map(|(a, b, c)| { format!("---\n{a}: {b}\n---\n{c}").into_bytes() }),
        (prop::collection::vec(body_block(), 0..4), hostile(), any::<bool>()).prop_map(
            |(blocks, yaml, crlf)| {
                let text = format!("---\nid: INC-2026-0001\n{yaml}\n---\n{}", blocks.concat());
                if crlf { text.replace('\n', "\r\n").into_bytes() } else { text.into_bytes() }
            }
        ),
        (
            prop::sample::select(examples),
            prop::collection::vec((any::<prop::sample::Index>(), hostile_piece()), 1..6)
        )
            .prop_map(|(file, edits)| {
                let mut bytes = std::fs::read(&file).unwrap_or_default();
                for (at, piece) in edits {
                    let i = if bytes.is_empty() { 0 } else { at.index(bytes.len()) };
                    bytes.splice(i..i, piece.into_bytes());
                }
                bytes
            }),
    ]
}

/// The postmortems of the example repositories that are small enough to splice into.
fn example_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples/broken/postmortems/2026", "examples/demo/postmortems/2026"] {
        if let Ok(entries) = std::fs::read_dir(crate_path(dir)) {
            for e in entries.flatten() {
                if e.metadata().is_ok_and(|m| m.len() < 16 * 1024) {
                    out.push(e.path());
                }
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no example postmortems");
    out
}

// ---------------------------------------------------------------------------------------------
// (a) and (b): pm check on arbitrary bytes.

proptest! {
    #![proptest_config(config(384))]

    /// Through the library: the check of one file and every report format never panic, the
    /// verdict is an exit code of 0 or 1 (2 is for configuration and I/O failures), and every
    /// position is inside the file.
    #[test]
    fn check_never_panics_and_points_inside_the_file(bytes in file_bytes()) {
        // Runs the per-document and repo-wide rules, every report format, and asserts every
        // diagnostic's start and end against the file's lines.
        targets::check_every_report(&bytes);
        let (_, diagnostics) = targets::check_bytes(&bytes);
        let code = i32::from(diagnostics.iter().any(|d| d.severity == pm::diagnostic::Severity::Error));
        prop_assert!([0, 1, 2].contains(&code));
    }
}

/// `pm --root ROOT ARGS`.
fn pm_bin(root: &Path, args: &[&str]) -> std::process::Output {
    pm(["--color", "never", "--root"]).arg(root).args(args).output().expect("run pm")
}

/// The text positions of a file's bytes are counted in: BOM removed, invalid UTF-8 replaced.
fn file_lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned()).collect()
}

proptest! {
    #![proptest_config(config(12))]

    /// Through the binary: exit code 0, 1 or 2, never a panic, a JSON report that parses, and
    /// every reported line/column inside the file as the JSON report counts them.
    #[test]
    fn check_binary_exits_0_1_or_2_with_positions_inside(bytes in file_bytes()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("postmortems");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(folder.join("INC-2026-0001-prop.md"), &bytes).expect("write");
        let out = pm_bin(dir.path(), &["check", "--format", "json", "--today", TODAY]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        prop_assert!(matches!(code, Some(0..=2)), "exit {code:?}: {stderr}");
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let lines = file_lines(&bytes);
        for d in report["diagnostics"].as_array().expect("diagnostics") {
            for (l, c) in [("line", "column"), ("end_line", "end_column")] {
                let line = d[l].as_u64().expect("line") as usize;
                let column = d[c].as_u64().expect("column") as usize;
                prop_assert!(line >= 1 && line <= lines.len(), "{l} {line} of {}: {d}", lines.len());
                let width = lines[line - 1].chars().count();
                prop_assert!(column >= 1 && column <= width + 1, "{c} {column} > {width} + 1: {d}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (c) The site never runs content.

fn today() -> jiff::civil::Date {
    targets::today()
}

proptest! {
    #![proptest_config(config(32))]

    /// One page, escaped or sanitized raw HTML: a page, and an inert one.
    #[test]
    fn site_page_never_runs_content((fm, body) in postmortem(), allow_html in any::<bool>()) {
        let text = file_text(&fm, &body);
        let page = pm::site::single::render_with(targets::page_config(allow_html), &text, today())
            .expect("renders")
            .unwrap_or_else(|| panic!("valid YAML with a mapping is a postmortem:\n{text}"));
        if let Err(why) = inert::check(&page, false) {
            panic!("not inert (allow_html = {allow_html}): {why}\n--- input\n{text}");
        }
        // The hostile title is on the page, as text.
        let visible = fm.title.trim();
        if !visible.is_empty() && !visible.contains(['<', '>', '&', '"', '\'', '\r', '\n']) {
            prop_assert!(page.contains(visible) || !visible.is_ascii(), "title missing");
        }
    }
}

proptest! {
    #![proptest_config(config(2))]

    /// Whole sites from several hostile postmortems (index, lists, terms, actions, metrics,
    /// feed): every HTML page is inert, the feed holds no markup, the data parses.
    #[test]
    fn site_build_never_runs_content(
        pms in prop::collection::vec(postmortem(), 3..6),
        allow_html in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("repo");
        let folder = root.join("postmortems/2026");
        std::fs::create_dir_all(&folder).expect("folder");
        let config = std::fs::read_to_string(crate_path("examples/demo/pm.toml")).expect("pm.toml");
        let config = config.replace("allow_html = false", &format!("allow_html = {allow_html}"));
        std::fs::write(root.join("pm.toml"), config).expect("pm.toml");
        for (i, (fm, body)) in pms.iter().enumerate() {
            std::fs::write(folder.join(format!("INC-2026-{i:04}.md")), file_text(fm, body))
                .expect("write");
        }
        let out_dir = dir.path().join("public");
        let out = pm_bin(
            &root,
            &["build", "--today", TODAY, "--out", out_dir.to_str().expect("UTF-8 path")],
        );
        prop_assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut pages = 0;
        for (rel, path) in &walk(&out_dir) {
            if rel.ends_with(".html") {
                let html = std::fs::read_to_string(path).expect("UTF-8 page");
                if let Err(why) = inert::check(&html, rel.starts_with("metrics/")) {
                    panic!("{rel} is not inert (allow_html = {allow_html}): {why}");
                }
                pages += 1;
            } else if rel.ends_with(".xml") {
                let xml = std::fs::read_to_string(path).expect("UTF-8 feed");
                for tag in inert::tags(&xml) {
                    prop_assert!(
                        !matches!(tag.name.as_str(), "script" | "img" | "a" | "iframe" | "svg"),
                        "{rel}: markup from content: {tag:?}"
                    );
                }
            } else if rel.ends_with(".json") {
                let bytes = std::fs::read(path).expect("read");
                serde_json::from_slice::<Value>(&bytes).expect("JSON data parses");
            }
        }
        prop_assert!(pages >= pms.len(), "only {pages} pages");
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Round trips.

fn demo_workspace() -> pm::config::Workspace {
    pm::config::Workspace {
        root: "/nonexistent".into(),
        config_path: None,
        config: targets::demo_config().clone(),
    }
}

/// A CSV cell as `pm export` writes one (docs/export.md): lists joined with `;`, SLOs as
/// `name=fraction`, null empty; a text cell that a spreadsheet would run as a formula starts
/// with `'`.
fn csv_cell(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => pm::escape::csv_text(&csv_joined(other)).into_owned(),
    }
}

/// The text of a cell before formulas are neutralized.
fn csv_joined(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(csv_joined).collect::<Vec<_>>().join(";"),
        Value::Object(map) => match (map.get("name"), map.get("error_budget_consumed")) {
            (Some(name), Some(value)) => format!("{}={}", csv_joined(name), csv_joined(value)),
            _ => serde_json::to_string(map).unwrap_or_default(),
        },
    }
}

fn assert_csv_round_trip(csv: &str, records: &Value) {
    let records = records.as_array().expect("an array of records");
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let header: Vec<String> =
        reader.headers().expect("a header").iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), records.len(), "one row per record");
    for (row, record) in rows.iter().zip(records) {
        for (k, cell) in header.iter().zip(row.iter()) {
            assert_eq!(cell, csv_cell(&record[k]), "column {k} of {record}");
            // No text cell is a formula a spreadsheet would run.
            assert!(
                record[k].is_number()
                    || !cell.starts_with(['=', '@', '\t', '\r'])
                    || cell.starts_with('\''),
                "column {k} is a formula: {cell:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Front matter → export records → JSON, NDJSON and CSV → read back: the same records
    /// three ways, and the strings as they were written in the front matter.
    #[test]
    fn export_round_trips(pms in prop::collection::vec(postmortem(), 1..4)) {
        use pm::export::{self, What};
        let documents: Vec<pm::repo::Document> = pms
            .iter()
            .enumerate()
            .map(|(i, (fm, body))| {
                let text = file_text(fm, body);
                pm::repo::Document::parse(
                    &format!("postmortems/2026/x-{i}.md"),
                    text.into_bytes(),
                    pm::repo::Depth::Full,
                )
            })
            .collect();
        let repo = pm::repo::Repo::from_documents(demo_workspace(), documents, Vec::new());
        let records = export::records(&repo, today(), What::All);
        prop_assert_eq!(records.postmortems.len(), pms.len());

        // JSON: the document parses back to the records.
        let json: Value = serde_json::from_str(&export::json(&records, today(), What::All).expect("json"))
            .expect("export JSON parses");
        let postmortems = serde_json::to_value(&records.postmortems).expect("value");
        let items = serde_json::to_value(&records.action_items).expect("value");
        let timeline = serde_json::to_value(&records.timeline).expect("value");
        prop_assert_eq!(&json["postmortems"], &postmortems);
        prop_assert_eq!(&json["action_items"], &items);
        prop_assert_eq!(&json["timeline"], &timeline);
        prop_assert_eq!(json["today"].as_str(), Some(TODAY));

        // NDJSON: one line per record, each the record.
        for (text, expected) in [
            (export::ndjson(&records.postmortems).expect("ndjson"), &postmortems),
            (export::ndjson(&records.action_items).expect("ndjson"), &items),
            (export::ndjson(&records.timeline).expect("ndjson"), &timeline),
        ] {
            let lines: Vec<Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).expect("an NDJSON line parses"))
                .collect();
            prop_assert_eq!(&Value::Array(lines), expected);
        }

        // CSV: quoting survives commas, quotes, newlines and unicode.
        assert_csv_round_trip(&export::csv(&records.postmortems).expect("csv"), &postmortems);
        assert_csv_round_trip(&export::csv(&records.action_items).expect("csv"), &items);
        assert_csv_round_trip(&export::csv(&records.timeline).expect("csv"), &timeline);

        // The values are the ones written.
        for (i, (fm, _)) in pms.iter().enumerate() {
            let path = format!("postmortems/2026/x-{i}.md");
            let r = records.postmortems.iter().find(|r| r.path == path).expect("the record");
            // The model trims the strings of the top level and of action items.
            let some = |s: &str| Some(s.trim().to_owned());
            let all = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).collect::<Vec<_>>();
            prop_assert_eq!(r.id.clone(), some(&fm.id));
            prop_assert_eq!(r.title.clone(), some(&fm.title));
            prop_assert_eq!(&r.services, &all(&fm.services));
            prop_assert_eq!(&r.tags, &all(&fm.tags));
            prop_assert_eq!(&r.contributing_factors, &all(&fm.factors));
            prop_assert_eq!(r.ticket.clone(), some(&fm.ticket));
            // The impact block is read as written, untrimmed.
            prop_assert_eq!(r.impact_summary.as_deref(), Some(fm.impact.as_str()));
            prop_assert_eq!(r.slos.first().map(|s| s.name.as_str()), Some(fm.slo.as_str()));
            prop_assert_eq!(r.action_items_total, fm.items.len());
            let titles: Vec<Option<String>> = records
                .action_items
                .iter()
                .filter(|a| a.path == path)
                .map(|a| a.title.clone())
                .collect();
            let written: Vec<Option<String>> = fm.items.iter().map(|it| some(&it.title)).collect();
            prop_assert_eq!(titles, written);
        }
    }
}

#[derive(Debug, Clone)]
struct Msg {
    /// Minutes after the window start.
    minute: u32,
    user: usize,
    text: String,
    /// Reply to the message at this index (when it is earlier and top-level).
    reply_to: Option<prop::sample::Index>,
}

fn slack_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => "[a-zA-Z0-9 ]{1,8}",
            1 => prop::sample::select(vec![
                "<@U1>", "<@U2|hw>", "<#C1|inc>", "<!here>", "&lt;script&gt;", "&amp;", "*bold*",
                "~gone~", "`code`", ":fire:", "<https://x.example|link>", "é", "😀", "—", " - ",
                "12:30", "UTC", "CET",
            ])
            .prop_map(str::to_owned),
        ],
        1..6,
    )
    .prop_map(|p| p.concat())
}

fn messages() -> impl Strategy<Value = Vec<Msg>> {
    // Four days around the end of summer time in Europe (2026-10-25 01:00 UTC): the same
    // wall-clock hour happens twice and only the zone abbreviation tells them apart.
    prop::collection::vec(
        (
            0u32..4 * 24 * 60,
            0usize..3,
            slack_text(),
            prop::option::weighted(0.3, any::<prop::sample::Index>()),
        )
            .prop_map(|(minute, user, text, reply_to)| Msg {
                minute,
                user,
                text,
                reply_to,
            }),
        1..12,
    )
}

proptest! {
    #![proptest_config(config(48))]

    /// Slack messages → `pm timeline import --into` → the Timeline reader of `pm export`:
    /// every imported line reads back as the instant of its message (to the minute), in the
    /// order written, replies nested under their thread.
    #[test]
    fn timeline_import_reads_back_as_the_same_instants(msgs in messages(), zone in 0usize..3) {
        use pm::timeline::lines::{self, Naming, People};
        use pm::timeline::slack::{Export, Window};

        let start = jiff::Timestamp::from_second(1_792_800_000).expect("ts"); // 2026-10-24T00:00Z
        let zone_name = ["Europe/Berlin", "UTC", "America/New_York"][zone];
        let tz = jiff::tz::TimeZone::get(zone_name).expect("zone");
        let ts_of = |m: &Msg| start.as_second() + i64::from(m.minute) * 60 + 17;
        let mut raw: Vec<Value> = Vec::new();
        for (i, m) in msgs.iter().enumerate() {
            let ts = format!("{}.{:06}", ts_of(m), i);
            let mut msg = serde_json::json!({
                "type": "message", "user": format!("U{}", m.user + 1), "text": m.text, "ts": ts,
            });
            if let Some(parent) = m.reply_to.map(|p| p.index(msgs.len())).filter(|&p| p != i) {
                let p = &msgs[parent];
                // A reply comes after its parent, and threads are one level deep.
                if p.reply_to.is_none() && p.minute < m.minute {
                    msg["thread_ts"] = Value::String(format!("{}.{:06}", ts_of(p), parent));
                }
            }
            raw.push(msg);
        }
        let users = serde_json::json!([
            {"id": "U1", "name": "aokafor", "real_name": "Adaeze Okafor"},
            {"id": "U2", "name": "hwagner", "real_name": "Hannes Wagner"},
            {"id": "U3", "name": "x", "real_name": "<b>Mallory</b> & \"Eve\""},
        ]);
        let mut export = Export::default();
        export.add_users(Path::new("users.json"), Ok(users));
        export.add_channels(Path::new("channels.json"), Ok(serde_json::json!([{"id": "C1", "name": "inc"}])));
        let channel = export.channels.first().cloned();
        let log = export.read_days(
            channel,
            vec![(PathBuf::from("inc/2026-10-24.json"), Ok(Value::Array(raw)))],
            Window::default(),
        );
        let people = People::new(&export, &log, Naming::Initials, &[]).expect("people");
        let blocks = lines::blocks(&log, &people, &tz);

        // The postmortem starts with the first message, as its author would write it.
        let first = log.messages().map(|m| m.at).min().expect("a message");
        let started = first.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let original = format!("---\nid: INC-2026-0042\nstarted_at: {started}\n---\n\n## Timeline\n\n## Root cause\n\nA switch.\n");
        let titles = vec!["timeline".to_owned()];
        let timeline = pm::timeline::entries::read_text(&original, &titles, &tz);
        let plan = pm::timeline::insert::plan(&original, &blocks, &timeline, &titles, "x.md").expect("plan");
        prop_assert_eq!(plan.added, blocks.len());

        let doc = pm::repo::Document::parse_text("x.md", plan.text.clone(), pm::repo::Depth::Full);
        let pm_ = doc.postmortem.as_ref().expect("a postmortem");
        let entries = pm::timeline::entries::entries(pm_, &doc.source.text, &titles, &tz);
        let expected: Vec<(usize, jiff::Timestamp)> = log
            .threads
            .iter()
            .flat_map(|t| {
                std::iter::once((0, t.message.at)).chain(t.replies.iter().map(|r| (1, r.at)))
            })
            .collect();
        let minute = |t: jiff::Timestamp| t.as_second().div_euclid(60) * 60;
        let got: Vec<(usize, Option<i64>)> =
            entries.iter().map(|e| (e.depth, e.at.map(|a| a.as_second()))).collect();
        let want: Vec<(usize, Option<i64>)> =
            expected.iter().map(|(d, at)| (*d, Some(minute(*at)))).collect();
        prop_assert_eq!(got, want, "\n{}", plan.text);
    }
}

/// A request head made of plausible and hostile parts: any method, target, version, `Host`
/// headers (none, one or two) and line endings.
fn request_head() -> impl Strategy<Value = Vec<u8>> {
    let method = prop_oneof![
        Just("GET".to_owned()),
        Just("HEAD".to_owned()),
        Just("POST".to_owned()),
        Just("get".to_owned()),
        "[A-Z]{0,6}",
    ];
    let target = prop_oneof![
        Just("/".to_owned()),
        Just("/index.html".to_owned()),
        Just("/postmortems/".to_owned()),
        Just("/__pm/reload".to_owned()),
        Just("/%2e%2e/%2e%2e/etc/passwd".to_owned()),
        Just("http://evil.example/".to_owned()),
        Just("//evil.example/".to_owned()),
        "/[a-z%./0-9]{0,20}",
        any::<String>(),
    ];
    let version = prop_oneof![Just("HTTP/1.1"), Just("HTTP/1.0"), Just("HTTP/2"), Just("")];
    let host = prop_oneof![
        Just("127.0.0.1:8000".to_owned()),
        Just("localhost:8000".to_owned()),
        Just("[::1]:8000".to_owned()),
        Just("evil.example:8000".to_owned()),
        Just("localhost".to_owned()),
        Just("127.0.0.1:8001".to_owned()),
        "[a-z0-9.:\\[\\]]{0,24}",
    ];
    let eol = prop_oneof![Just("\r\n"), Just("\n")];
    (method, target, version, proptest::collection::vec(host, 0..3), eol).prop_map(
        |(method, target, version, hosts, eol)| {
            let mut head = format!("{method} {target} {version}{eol}");
            for host in hosts {
                head.push_str(&format!("Host: {host}{eol}"));
            }
            head.push_str(eol);
            head.into_bytes()
        },
    )
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn serve_answers_any_request_bytes_safely(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        targets::serve_request(&bytes);
    }

    #[test]
    fn serve_answers_built_requests_safely(head in request_head()) {
        targets::serve_request(&head);
    }
}

// ---------------------------------------------------------------------------------------------
// Resources

/// Pieces whose repetition costs the most per byte (one markdown event per byte or two) or
/// was once quadratic: markup openers, headings, one-character lines, blameful phrases on one
/// line, suppression regions, references, nested lists, table rows.
const COSTLY: &[&str] = &[
    "<",
    "*_[",
    "## x\n",
    "a\n",
    "human error ",
    "Someone deleted the table. ",
    "human error <!-- pm-disable PM503 --> x <!-- pm-enable PM503 -->\n",
    "- [ ] a\n",
    "> ",
    "|a|b|\n|-|-|\n",
    "`",
    "[x]: /y\n[x]\n",
    "<div>\n",
    "&amp;",
    "1. a\n   - b\n",
    "[^1]\n",
];

/// A body pattern: one to three costly pieces, repeated to a size by [`costly_repo`].
fn costly_pattern() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(COSTLY), 1..4).prop_map(|p| p.concat())
}

/// A repository whose one postmortem's body is `pattern` repeated to about `size` bytes.
fn costly_repo(dir: &Path, pattern: &str, size: usize) -> PathBuf {
    let root = dir.join(format!("repo-{size}"));
    std::fs::create_dir_all(root.join("postmortems")).expect("folder");
    std::fs::write(root.join("pm.toml"), "title = \"Costly\"\n").expect("pm.toml");
    let head = "---\nid: INC-2026-0001\ntitle: Costly\nstatus: draft\nseverity: SEV3\n\
                started_at: 2026-03-02T14:00:00Z\n---\n# Costly\n\n## Summary\n\n";
    let body = pattern.repeat(size / pattern.len().max(1));
    std::fs::write(root.join("postmortems/INC-2026-0001-costly.md"), format!("{head}{body}\n"))
        .expect("postmortem");
    root
}

/// Peak resident memory (KB, GNU time) of `pm ARGS` in `root`. A run that does not end within
/// two minutes fails: that is a hang, not a slow machine (these bodies take seconds).
fn peak_kb(root: &Path, args: &[&str]) -> u64 {
    let report = root.join("peak.txt");
    let mut child = crate::support::run::program("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(crate::support::run::BIN)
        .args(args)
        .current_dir(root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("GNU time runs (scripts/test installs it)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("`pm {}` did not end within two minutes", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(matches!(status.code(), Some(0..=1)), "`pm {}` ended with {status}", args.join(" "));
    let text = std::fs::read_to_string(&report).expect("GNU time's report");
    text.lines().rev().find_map(|l| l.trim().parse().ok()).expect("a peak in KB")
}

/// Memory grows linearly with a costly body: four times the body costs at most six times the
/// memory above a tiny run's (quadratic growth would be sixteen), and never more than 100
/// bytes per byte of body (the cap is set from that bound: docs/SECURITY.md).
fn assert_linear_memory(pattern: &str, args: &[&str], small: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = peak_kb(&costly_repo(dir.path(), pattern, 64), args);
    let one = peak_kb(&costly_repo(dir.path(), pattern, small), args).saturating_sub(base);
    let four = peak_kb(&costly_repo(dir.path(), pattern, 4 * small), args).saturating_sub(base);
    let slack_kb = 16 * 1024;
    assert!(
        four <= 6 * one + slack_kb,
        "`pm {}` on {pattern:?}: {one} KB above the base for {small} bytes, {four} KB for four \
         times that",
        args.join(" ")
    );
    assert!(
        four <= (100 * 4 * small / 1024) as u64 + slack_kb,
        "`pm {}` on {pattern:?}: {four} KB for {} bytes",
        args.join(" "),
        4 * small
    );
}

proptest! {
    #![proptest_config(config(4))]

    #[test]
    fn resources_check_memory_is_linear_in_any_body(pattern in costly_pattern()) {
        assert_linear_memory(&pattern, &["check", "--format", "concise", "--today", TODAY], 256 * 1024);
    }

    #[test]
    fn resources_build_memory_is_linear_in_any_body(pattern in costly_pattern()) {
        assert_linear_memory(&pattern, &["build", "--out", "site", "--today", TODAY], 128 * 1024);
    }
}

//! The entry point of each fuzz target, with the invariants it asserts.
//!
//! One function per target: the cargo-fuzz binaries in `fuzz_targets/` call them, and
//! `tests/it/fuzz_regressions.rs` (by `#[path]`) runs every saved finding through the very same
//! function, so a regression test can never drift from what the fuzzer ran. A panic here is a
//! finding: either `pm` itself panicked, or one of the invariants below does not hold.
//!
//! - [`front_matter`]: bytes → `Document::parse` (splitter, YAML loader, typed model). Every
//!   span lies inside the text on character boundaries, and the head-only id scan used for
//!   repo-wide facts agrees with the full parse.
//! - [`markdown`]: body text → sections, prose, list items, the Timeline section's entries,
//!   and a timeline insertion; spans inside the file, prose maps back inside it.
//! - [`check_one`]: bytes → the whole check of one file (per-document and repo-wide rules,
//!   demo configuration) → every report format. Every position is inside the file.
//! - [`render_page`]: text → the postmortem's page (`pm::site::single`), which must render
//!   and be inert ([`super::inert`]).
//! - [`slack_import`]: a Slack export in memory → timeline lines → insertion into a
//!   postmortem. The original survives byte for byte around the insertion, importing the same
//!   lines again adds nothing, nothing imported becomes a heading or raw HTML (a suppression
//!   marker), and the Timeline reader reads every line back as the instant of its message.
//! - [`serve_request`]: bytes → the answer of `pm serve` to them as a request. A page only for
//!   a well-formed request to one of the server's own host names, a 200 only for a file inside
//!   the site, a response head with nothing of the request in it.

#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use jiff::civil::Date;
use pm::check::{check_document, check_repo};
use pm::config::{Config, Workspace};
use pm::diagnostic::{Diagnostic, Severity, Summary};
use pm::parse::yaml::{Node, Value};
use pm::repo::{Depth, Document, Repo};
use pm::source::{LineIndex, Span};

/// "Today" for every target, so a finding reproduces on any date.
pub fn today() -> Date {
    jiff::civil::date(2026, 11, 25)
}

/// The file name the document is read as: its stem starts with the id the seeds mostly use.
const PATH: &str = "postmortems/2026/INC-2026-0001-fuzz.md";

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} cuts a character"
    );
}

fn assert_tree(text: &str, node: &Node, depth: usize) {
    assert_span(text, node.span, "front matter node");
    // Aliases copy subtrees: walking a few levels is enough to see every span once.
    if depth > 80 {
        return;
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| assert_tree(text, n, depth + 1)),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            assert_tree(text, k, depth + 1);
            assert_tree(text, v, depth + 1);
        }),
        _ => {}
    }
}

/// Target `front_matter`.
pub fn front_matter(data: &[u8]) {
    let doc = Document::parse(PATH, data.to_vec(), Depth::Full);
    let text = &doc.source.text;
    if let Some(split) = &doc.split {
        for (span, what) in [
            (split.open, "open"),
            (split.yaml, "yaml"),
            (split.close, "close"),
            (split.body, "body"),
        ] {
            assert_span(text, span, what);
        }
        assert!(split.open.end <= split.yaml.start && split.yaml.end <= split.close.start);
        assert!(split.close.end <= split.body.start);
    }
    for d in &doc.duplicates {
        assert_span(text, d.first, "duplicate (first)");
        assert_span(text, d.duplicate, "duplicate");
    }
    match &doc.problem {
        Some(pm::repo::Problem::Yaml(e)) => assert_span(text, e.span, "YAML error"),
        Some(pm::repo::Problem::NotMapping { span, .. }) => assert_span(text, *span, "not map"),
        _ => {}
    }
    if let Some(pm) = &doc.postmortem {
        assert!(doc.problem.is_none(), "a postmortem and a problem: {:?}", doc.problem);
        if let Some(tree) = &pm.front_matter {
            assert_tree(text, tree, 0);
        }
        for s in [&pm.id, &pm.title, &pm.severity, &pm.owner, &pm.team, &pm.ticket, &pm.chat]
            .into_iter()
            .flatten()
        {
            assert_span(text, s.span, "field");
        }
        for item in &pm.action_items {
            assert_span(text, item.span, "action item");
        }
        for section in &pm.body.sections {
            assert_span(text, section.heading, "heading");
            assert_span(text, section.content, "section");
        }
    }
    // The head-only id scan (`pm check FILE` in a large repository reads other files only for
    // their ids) must agree with the full parse whenever the full parse yields a postmortem.
    let quick = Document::parse(PATH, data.to_vec(), Depth::Id);
    if doc.postmortem.is_some() && doc.duplicates.is_empty() {
        assert_eq!(quick.id(), doc.id(), "the id scan disagrees with the YAML");
    }
}

/// Target `markdown`: `data` is a postmortem body, put behind a fixed front matter.
pub fn markdown(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else { return };
    const HEAD: &str = "---\nid: INC-2026-0001\nstarted_at: 2026-06-16T08:00:00+02:00\n---\n";
    let text = format!("{HEAD}{body}");
    let parsed = pm::parse::markdown::parse(body, HEAD.len());
    for section in &parsed.sections {
        assert_span(&text, section.heading, "heading");
        assert_span(&text, section.content, "section");
        assert!(section.heading.start >= HEAD.len(), "a heading before the body");
    }
    for item in &parsed.list_items {
        assert_span(&text, item.span, "list item");
    }
    for html in &parsed.html {
        assert_span(&text, *html, "html");
    }
    for prose in &parsed.prose {
        // Every character range of the flattened text maps back into the file.
        let bounds: Vec<usize> = prose
            .text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(prose.text.len()))
            .collect();
        for w in bounds.windows(2).step_by(7) {
            let span = prose.span(w[0], w[1]);
            assert!(span.start <= span.end && span.end <= text.len(), "prose span {span:?}");
        }
        let all = prose.span(0, prose.text.len());
        assert!(all.end <= text.len(), "prose span {all:?}");
    }

    // The Timeline section's entries, as `pm export --what timeline` reads them.
    let doc = Document::parse_text(PATH, text.clone(), Depth::Full);
    let titles = vec!["timeline".to_owned()];
    if let Some(pm) = &doc.postmortem {
        let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
        let entries = pm::timeline::entries::entries(pm, &doc.source.text, &titles, &tz);
        for e in &entries {
            assert_span(&doc.source.text, e.span, "timeline entry");
        }
    }

    // Inserting lines under the Timeline section keeps everything else byte for byte.
    let line = |rest: &str, minute: i8| {
        let at = jiff::civil::date(2026, 6, 16).at(9, minute, 0, 0);
        pm::timeline::lines::Line {
            date: at.date(),
            at: jiff::tz::offset(2).to_timestamp(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            day: "16 Jun".to_owned(),
            rest: rest.to_owned(),
            dated: true,
        }
    };
    let blocks = vec![pm::timeline::lines::Block {
        line: line("09:15 CEST — AO: fuzz entry", 15),
        replies: vec![line("09:16 CEST — HW: reply", 16)],
    }];
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let timeline = pm::timeline::entries::read_text(&text, &titles, &tz);
    if let Ok(plan) = pm::timeline::insert::plan(&text, &blocks, &timeline, &titles, "fuzz.md") {
        assert_insertion(&text, &plan);
    }
}

fn assert_insertion(original: &str, plan: &pm::timeline::insert::Plan) {
    assert!(plan.at <= original.len() && original.is_char_boundary(plan.at));
    assert!(plan.text.starts_with(&original[..plan.at]), "bytes before the insertion changed");
    assert!(plan.text.ends_with(&original[plan.at..]), "bytes after the insertion changed");
    assert!(plan.text.len() >= original.len());
}

/// The demo repository's configuration: teams, services, trackers and deadlines make more
/// rules speak than the defaults do.
pub fn demo_config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        Config::parse(include_str!("../../examples/demo/pm.toml"), "pm.toml")
            .unwrap_or_else(|e| panic!("the demo configuration does not load: {e}"))
    })
}

/// What a check run derives once from the configuration: built once per process, as `pm
/// check` builds it once per run (compiling the patterns per input would be most of the work).
struct Checker {
    cx: pm::rules::Context<'static>,
    policy: pm::suppress::Policy,
}

fn checker() -> &'static Checker {
    static SCHEMA: OnceLock<pm::schema::Schema> = OnceLock::new();
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let config = demo_config();
        let schema = SCHEMA.get_or_init(|| {
            pm::schema::Schema::load(Path::new("/nonexistent"), config)
                .unwrap_or_else(|e| panic!("schema: {e}"))
        });
        Checker {
            cx: pm::rules::Context::new(config, schema, today(), None, None),
            policy: pm::suppress::Policy::new(config, None)
                .unwrap_or_else(|e| panic!("policy: {e}")),
        }
    })
}

/// Asserts that `d` points inside `text`: 1 ≤ line ≤ lines, 1 ≤ column ≤ the line's length in
/// characters (without its line ending) + 1, for the start and the end. These are the units of
/// the JSON report.
pub fn assert_position(text: &str, d: &Diagnostic) {
    let lines: Vec<&str> = text.split('\n').collect();
    for (line, column, what) in [(d.line, d.column, "start"), (d.end_line, d.end_column, "end")] {
        assert!(
            line >= 1 && line <= lines.len(),
            "{what} line {line} outside 1..={} for {d:?}",
            lines.len()
        );
        let content = lines[line - 1].strip_suffix('\r').unwrap_or(lines[line - 1]);
        let width = content.chars().count();
        assert!(
            column >= 1 && column <= width + 1,
            "{what} column {column} outside 1..={} on line {line} for {d:?}",
            width + 1
        );
    }
    assert!((d.line, d.column) <= (d.end_line, d.end_column), "ends before it starts: {d:?}");
}

/// Checks `data` as the file [`PATH`] of a one-file repository; returns the document and its
/// sorted diagnostics.
pub fn check_bytes(data: &[u8]) -> (Repo, Vec<Diagnostic>) {
    let config = demo_config();
    let c = checker();
    let cx = &c.cx;
    let doc = Document::parse(PATH, data.to_vec(), Depth::Full);
    let checked = check_document(cx, &c.policy, &doc);
    let mut diagnostics = checked.diagnostics;
    let workspace =
        Workspace { root: "/nonexistent".into(), config_path: None, config: config.clone() };
    let repo = Repo::from_documents(workspace, vec![doc.slim()], Vec::new());
    diagnostics.extend(check_repo(&repo, cx, &c.policy, &[checked.inline], None));
    pm::check::sort(&mut diagnostics);
    (repo, diagnostics)
}

/// Target `check_one`. SARIF and JUnit carry every rule's documentation: most of the time of
/// a run for a few bytes of content, so one input in eight (by length, so a finding
/// reproduces) renders them; [`check_every_report`] always does.
pub fn check_one(data: &[u8]) {
    check_reports(data, data.len() % 8 == 0);
}

/// [`check_one`] with every report format for every input.
pub fn check_every_report(data: &[u8]) {
    check_reports(data, true);
}

fn check_reports(data: &[u8], all: bool) {
    let (repo, diagnostics) = check_bytes(data);
    let doc = &repo.documents[0];
    let index = LineIndex::new(&doc.source.text);
    for d in &diagnostics {
        assert_eq!(d.path, PATH);
        assert_position(&doc.source.text, d);
        assert_span(&doc.source.text, d.span, "diagnostic");
        let _ = index.position(&doc.source.text, d.span.end);
    }
    let summary = Summary::new(1, &diagnostics, Severity::Error);
    let files = [PATH];
    let source = |path: &str| (path == PATH).then_some(&doc.source);
    let report = pm::report::Report {
        diagnostics: &diagnostics,
        summary: &summary,
        files: &files,
        source: &source,
        color: false,
    };
    use pm::report::Format;
    let formats = [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Github,
        Format::Sarif,
        Format::Gitlab,
        Format::Junit,
    ];
    for format in formats {
        if !all && matches!(format, Format::Sarif | Format::Junit) {
            continue;
        }
        let mut out = Vec::new();
        pm::report::write(format, &report, &mut out)
            .unwrap_or_else(|e| panic!("the {format:?} report fails: {e}"));
        let out = String::from_utf8(out).unwrap_or_else(|_| panic!("{format:?} is not UTF-8"));
        if matches!(format, pm::report::Format::Json | pm::report::Format::Sarif) {
            serde_json::from_str::<serde_json::Value>(&out)
                .unwrap_or_else(|e| panic!("the {format:?} report is not JSON: {e}"));
        }
    }
}

/// The configuration pages are rendered with: the demo's (links to teams, services, tickets,
/// the repository), with `allow_html` as asked.
pub fn page_config(allow_html: bool) -> &'static Config {
    static CONFIGS: OnceLock<[Config; 2]> = OnceLock::new();
    let configs = CONFIGS.get_or_init(|| {
        let escaped = demo_config().clone();
        let mut sanitized = escaped.clone();
        sanitized.site.allow_html = true;
        let mut escaped = escaped;
        escaped.site.allow_html = false;
        [escaped, sanitized]
    });
    &configs[usize::from(allow_html)]
}

/// Target `render_page`: the last byte's low bit picks escaped or sanitized raw HTML.
pub fn render_page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let allow_html = data.last().is_some_and(|b| b & 1 == 1);
    let page = pm::site::single::render_with(page_config(allow_html), text, today())
        .unwrap_or_else(|e| panic!("the page does not render: {e:#}"));
    if let Some(html) = page {
        if let Err(why) = super::inert::check(&html, false) {
            panic!("the page is not inert (allow_html = {allow_html}): {why}");
        }
    }
}

/// Splits the `slack_import` input: sections separated by the byte 0x1E (record separator).
/// 0: `users.json`; 1: `channels.json`; 2: the postmortem to insert into (empty: a built-in
/// one); 3 and on: the channel's day files.
pub fn slack_sections(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == 0x1e).collect()
}

const TARGET_POSTMORTEM: &str = "---\nid: INC-2026-0013\n---\n\n## Summary\n\nZone B.\n\n## Timeline\n\nTimes in CEST.\n\n- 10:41 — first page\n\n## Root cause\n\nA switch.\n";

/// Target `slack_import`.
pub fn slack_import(data: &[u8]) {
    use pm::timeline::lines::{self, Naming, People};
    use pm::timeline::slack::{Export, Window, parse_json};

    let sections = slack_sections(data);
    let section = |i: usize| sections.get(i).copied();
    let mut export = Export::default();
    if let Some(users) = section(0) {
        let path = Path::new("export/users.json");
        export.add_users(path, parse_json(path, users));
    }
    if let Some(channels) = section(1) {
        let path = Path::new("export/channels.json");
        export.add_channels(path, parse_json(path, channels));
    }
    let channel = export.channels.first().cloned();
    let days: Vec<(std::path::PathBuf, Result<serde_json::Value, String>)> = sections
        .iter()
        .skip(3)
        .enumerate()
        .map(|(i, bytes)| {
            let path = std::path::PathBuf::from(format!("export/inc/2026-06-{:02}.json", 10 + i));
            let json = parse_json(&path, bytes);
            (path, json)
        })
        .collect();
    // The input's length picks the zone and the labels, so both shapes get exercised.
    let zones = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"];
    let tz =
        jiff::tz::TimeZone::get(zones[data.len() % zones.len()]).unwrap_or(jiff::tz::TimeZone::UTC);
    let naming = if data.len() % 2 == 0 { Naming::Initials } else { Naming::Names };
    let log = export.read_days(channel, days, Window::default());
    let people = People::new(&export, &log, naming, &[])
        .unwrap_or_else(|e| panic!("people without roles cannot fail: {e}"));
    let blocks = lines::blocks(&log, &people, &tz);
    assert_eq!(blocks.len(), log.threads.len());
    let printed = lines::render(&blocks, "", '-', "\n");
    assert!(blocks.is_empty() || printed.starts_with("- "), "{printed:?}");

    assert_reads_back(&log, &blocks, &tz);

    let given = match section(2).map(std::str::from_utf8) {
        Some(Ok(text)) if !text.is_empty() => Some(text),
        _ => None,
    };
    let original = given.unwrap_or(TARGET_POSTMORTEM).to_owned();
    let titles = vec!["timeline".to_owned()];
    let timeline = pm::timeline::entries::read_text(&original, &titles, &tz);
    let Ok(plan) = pm::timeline::insert::plan(&original, &blocks, &timeline, &titles, "fuzz.md")
    else {
        return;
    };
    assert_insertion(&original, &plan);
    if given.is_none() {
        assert_inert_import(&original, &plan.text);
    }
    if plan.added > 0 {
        // Importing the same messages again adds nothing.
        let timeline = pm::timeline::entries::read_text(&plan.text, &titles, &tz);
        let again = pm::timeline::insert::plan(&plan.text, &blocks, &timeline, &titles, "fuzz.md")
            .unwrap_or_else(|e| panic!("the Timeline section vanished after an import: {e}"));
        assert_eq!(again.added, 0, "a second import added entries again:\n{}", plan.text);
    }
}

/// What was imported is plain text: the built-in postmortem has as many headings and pieces of
/// raw HTML (comments, where suppression markers live) after the import as before it, whatever
/// the names, messages and file names of the export held.
fn assert_inert_import(original: &str, imported: &str) {
    let shape = |text: &str| {
        let body = text.find("\n---\n").map_or(0, |i| i + 5);
        let parsed = pm::parse::markdown::parse(&text[body..], body);
        let headings: Vec<&str> =
            parsed.sections.iter().map(|s| &text[s.heading.start..s.heading.end]).collect();
        let html: Vec<&str> = parsed.html.iter().map(|h| &text[h.start..h.end]).collect();
        (headings.join("\n"), html.join("\n"))
    };
    assert_eq!(shape(imported), shape(original), "the import added markup:\n{imported}");
}

/// Inserts `blocks` into a postmortem that started with the first message, reads the Timeline
/// back (`pm export --what timeline`) and asserts the instants of `log`'s messages, to the
/// minute, in the order written. Only for one-line messages between 1971 and 2200: a line
/// writes no era, and years outside four digits are no incident's.
fn assert_reads_back(
    log: &pm::timeline::slack::ChannelLog,
    blocks: &[pm::timeline::lines::Block],
    tz: &jiff::tz::TimeZone,
) {
    let in_range = |t: jiff::Timestamp| {
        let year = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
        (1971..=2200).contains(&year)
    };
    // A message of several lines may hold a list of its own, which reads as more entries.
    let one_line = blocks.iter().all(|b| {
        std::iter::once(&b.line).chain(&b.replies).all(|l| !l.rest.contains(['\n', '\r']))
    });
    if blocks.is_empty() || !one_line || !log.messages().all(|m| in_range(m.at)) {
        return;
    }
    let Some(first) = log.threads.first().map(|t| t.message.at) else { return };
    let started = first.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let original =
        format!("---\nid: INC-2026-0042\nstarted_at: {started}\n---\n\n## Timeline\n\n## Next\n");
    let titles = vec!["timeline".to_owned()];
    let timeline = pm::timeline::entries::read_text(&original, &titles, tz);
    let Ok(plan) = pm::timeline::insert::plan(&original, blocks, &timeline, &titles, "x.md") else {
        panic!("no Timeline section in\n{original}");
    };
    let doc = Document::parse_text("x.md", plan.text.clone(), Depth::Full);
    let Some(pm) = doc.postmortem.as_ref() else { panic!("no postmortem:\n{}", plan.text) };
    let entries = pm::timeline::entries::entries(pm, &doc.source.text, &titles, tz);
    let minute = |t: jiff::Timestamp| t.as_second().div_euclid(60) * 60;
    let want: Vec<(usize, Option<i64>)> = log
        .threads
        .iter()
        .flat_map(|t| std::iter::once((0, t.message.at)).chain(t.replies.iter().map(|r| (1, r.at))))
        .map(|(depth, at)| (depth, Some(minute(at))))
        .collect();
    let got: Vec<(usize, Option<i64>)> =
        entries.iter().map(|e| (e.depth, e.at.map(|a| a.as_second()))).collect();
    assert_eq!(got, want, "the Timeline does not read back as imported:\n{}", plan.text);
}

/// The small site `serve_request` answers from (`tests/fixtures/serve-site`), found from the
/// main crate (the tests) or from `fuzz/` (the fuzz binaries).
fn serve_site() -> &'static Path {
    static SITE: OnceLock<std::path::PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        [here.join("tests/fixtures/serve-site"), here.join("../tests/fixtures/serve-site")]
            .into_iter()
            .find(|p| p.join("index.html").is_file())
            .unwrap_or_else(|| panic!("no tests/fixtures/serve-site from {}", here.display()))
    })
}

/// Target `serve_request`: arbitrary bytes as the head of a request to `pm serve` listening on
/// 127.0.0.1:8000. The answer is one of the statuses the server sends; a page (200, or 404 with
/// the site's 404 page) only for a well-formed GET or HEAD whose `Host` is one of the server's
/// own names; a 200 only for a file inside the site; and the response head is made of fixed
/// text and numbers, one blank line at its end, nothing of the request in it.
pub fn serve_request(data: &[u8]) {
    use pm::cmd::serve::http::{self, Hosts};
    let site = serve_site();
    let hosts = Hosts::new("127.0.0.1", "127.0.0.1:8000".parse().expect("address"));
    let reload = data.len() % 2 == 0;
    let response = http::answer(site, data, &hosts, reload, 7);
    assert!(
        [200, 400, 404, 405, 421, 431, 505].contains(&response.status),
        "unexpected status {}",
        response.status
    );
    let head = response.head();
    let head_text = std::str::from_utf8(&head).expect("the head is ASCII");
    assert!(head_text.ends_with("\r\n\r\n"), "{head_text:?}");
    assert_eq!(head_text.matches("\r\n\r\n").count(), 1, "{head_text:?}");
    assert!(
        head_text.bytes().all(|b| b == b'\r' || b == b'\n' || (b' '..=b'~').contains(&b)),
        "{head_text:?}"
    );
    let parsed = http::parse(data);
    match &parsed {
        Err(refused) => assert_eq!(refused.status, response.status, "a malformed head"),
        Ok(request) if !hosts.permits(&request.host) => {
            assert_eq!(response.status, 421, "host {:?} answered", request.host);
        }
        Ok(request) => {
            assert_eq!(response.head_only, request.head_only);
            if response.status == 200 {
                let path = request.target.split(['?', '#']).next().unwrap_or_default();
                if path != http::RELOAD_PATH {
                    let rel = http::safe_relative(path).expect("a 200 for a path that leaves");
                    assert!(
                        rel.components().all(|c| matches!(c, std::path::Component::Normal(_))),
                        "{rel:?}"
                    );
                    assert!(site.join(&rel).exists(), "{rel:?} is not in the site");
                }
            }
        }
    }
    if response.status == 200 || response.status == 404 {
        // A page is only ever sent for a request that passed every check above.
        assert!(parsed.is_ok_and(|r| hosts.permits(&r.host)), "a page for a refused request");
    }
}

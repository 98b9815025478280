//! The injection and silent-pass classes of the second hardening round (docs/HARDENING.md):
//! user values never become git options, markdown, terminal escapes or spreadsheet formulas,
//! and a configuration or argument that would check nothing is an error, not a pass. Each test
//! holds the instance the review found and a variant of it.

use std::path::Path;
use std::process::Output;

use crate::support::fs::fixture_copy;
use crate::support::git::git;
use crate::support::run::{pm, text};

fn run(dir: &Path, args: &[&str]) -> Output {
    pm(args).args(["--today", "2026-03-05"]).current_dir(dir).output().expect("pm runs")
}

fn committed_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    (tmp, dir)
}

#[test]
fn git_arguments_never_become_options() {
    let (tmp, dir) = committed_repo();
    let target = tmp.path().join("truncated");
    std::fs::write(&target, "kept").expect("write");
    for base in [
        format!("--base=--output={}", target.display()),
        "--base=-p".to_owned(),
        "--base=--exec-path".to_owned(),
    ] {
        let out = run(&dir, &["check", "--changed", &base]);
        assert_eq!(out.status.code(), Some(2), "{base}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("is not a git revision"), "{}", text(&out.stderr));
    }
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "kept");
    // A revision git does not know fails with git's own words, never as "0 files checked".
    let out = run(&dir, &["check", "--changed", "--base", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("fatal:"), "{}", text(&out.stderr));
}

#[test]
fn scaffolded_titles_are_text_not_markup() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    for (title, raw) in [
        ("<!-- pm-disable-file --> Checkout", "<!--"),
        ("Checkout [x](javascript:alert(1)) *down*", "[x]"),
    ] {
        let out = pm(["new", title, "--severity", "SEV3", "--dry-run", "--owner", "jdoe"])
            .args(["--service", "checkout-api", "--started-at", "2026-03-02T14:00:00Z"])
            .current_dir(&dir)
            .output()
            .expect("pm runs");
        let page = text(&out.stdout);
        let heading = page.lines().find(|l| l.starts_with("# ")).unwrap_or_default();
        assert!(!heading.contains(raw) || heading.contains(&format!("\\{}", &raw[..1])), "{page}");
    }
}

#[test]
fn control_characters_in_file_names_never_reach_the_terminal() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    let third =
        std::fs::read_to_string(dir.join("postmortems/INC-2026-0002-third.md")).expect("read");
    let hostile = third.replace("INC-2026-0002", "INC-2026-0007");
    for name in ["INC-2026-0007-\x1b]0;pwned\x07\x1b[2J.md", "INC-2026-0008-a\nb.txt:1:1: x.md"] {
        let file = dir.join("postmortems").join(name);
        std::fs::write(&file, hostile.replace("0007", &name[9..13])).expect("write");
    }
    for format in ["human", "concise", "github"] {
        let out = run(&dir, &["check", "--format", format]);
        let stdout = text(&out.stdout);
        assert!(!stdout.contains(['\x1b', '\x07']), "{format}: {stdout:?}");
        if format == "concise" {
            // One diagnostic a line: no line starts with a forged path.
            assert!(!stdout.lines().any(|l| l.starts_with("b.txt")), "{stdout}");
        }
    }
}

#[test]
fn a_check_that_would_read_nothing_is_an_error() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    for path in ["pm.toml", "/etc/passwd", "/etc"] {
        let out = run(&dir, &["check", path]);
        assert_eq!(out.status.code(), Some(2), "{path}: {}", text(&out.stdout));
        assert!(text(&out.stderr).contains("outside the postmortems folder"), "{path}");
    }
    let toml = std::fs::read_to_string(dir.join("pm.toml")).expect("read");
    std::fs::write(dir.join("pm.toml"), format!("postmortems = \"nonexistent\"\n{toml}"))
        .expect("write");
    for command in [&["check"][..], &["actions"], &["export", "--what", "postmortems"]] {
        let out = run(&dir, command);
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        assert!(text(&out.stderr).contains("`nonexistent`"), "{}", text(&out.stderr));
    }
}

#[test]
fn unbounded_config_numbers_are_refused_quickly() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    let toml = std::fs::read_to_string(dir.join("pm.toml")).expect("read");
    for (extra, key) in [
        ("[deadlines]\nSEV3 = 4294967295\n", "deadlines.SEV3"),
        ("[gate]\ngrace_days = 100000\n", "gate.grace_days"),
        ("[sync]\nretries = 1000\n", "sync.retries"),
    ] {
        std::fs::write(dir.join("pm.toml"), format!("{toml}\n{extra}")).expect("write");
        let started = std::time::Instant::now();
        let out = run(&dir, &["check"]);
        assert_eq!(out.status.code(), Some(2), "{extra}");
        assert!(text(&out.stderr).contains(key), "{}", text(&out.stderr));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}

#[test]
fn numbers_a_float_cannot_hold_are_schema_errors() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    let path = dir.join("postmortems/INC-2026-0002-third.md");
    let third = std::fs::read_to_string(&path).expect("read");
    for (line, said) in [
        ("users_affected: 99999999999999999999999", "out of range"),
        ("revenue_loss: .inf", "finite"),
        ("slos: [{name: checkout, error_budget_consumed: .nan}]", ".nan"),
    ] {
        std::fs::write(
            &path,
            third.replace("due: 2026-03-09", &format!("due: 2026-03-09\n{line}")),
        )
        .expect("write");
        let out = run(&dir, &["check", "--format", "concise"]);
        let stdout = text(&out.stdout);
        assert!(stdout.contains(said), "{line}: {stdout}");
        assert!(!stdout.contains("found a number"), "{stdout}");
    }
}

#[test]
fn csv_cells_are_never_formulas() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    let path = dir.join("postmortems/INC-2026-0002-third.md");
    let third = std::fs::read_to_string(&path).expect("read");
    let hostile = third.replace("title: Third", "title: \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"")
        .replace(
            "due: 2026-03-09",
            "due: 2026-03-09\naction_items:\n  - title: \"@SUM(1+1)\"\n    owner: jdoe\n    due: 2026-03-20\n    priority: P2\n    type: mitigate\n    status: open",
        );
    std::fs::write(&path, hostile).expect("write");
    let export = text(&run(&dir, &["export", "--what", "postmortems", "--format", "csv"]).stdout);
    assert!(export.contains("'=HYPERLINK"), "{export}");
    let actions = text(&run(&dir, &["actions", "--format", "csv"]).stdout);
    assert!(actions.contains("'@SUM(1+1)"), "{actions}");
    for cell in export.lines().chain(actions.lines()).flat_map(|l| l.split(',')) {
        let cell = cell.trim_start_matches('"');
        assert!(!cell.starts_with(['=', '@']), "{cell}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(256))]

    /// Whatever a chat export or a title holds, `markdown_text` written after a list marker
    /// or a heading marker reads back as one item or heading of plain text: no second block,
    /// no HTML (so no comment, so no `pm-disable` marker), no link, image or code.
    #[test]
    fn markdown_text_reads_back_as_one_line_of_plain_text(
        value in "(\\PC|[\\n\\r<>!\\-#*_`\\[\\]()&;=|~]){0,40}"
    ) {
        use pulldown_cmark::{Event, Parser, Tag};
        let escaped = pm::escape::markdown_text(&value);
        for doc in [format!("- 14:05 UTC — {escaped}: text\n"), format!("# {escaped}\n")] {
            let mut blocks = 0;
            for event in Parser::new(&doc) {
                match event {
                    Event::Start(Tag::Item | Tag::Heading { .. }) => blocks += 1,
                    Event::Start(Tag::Paragraph | Tag::List(_) | Tag::Emphasis | Tag::Strong
                        | Tag::Strikethrough) => {}
                    Event::Start(other) => proptest::prop_assert!(false, "{other:?} in {doc:?}"),
                    Event::Html(h) | Event::InlineHtml(h) => {
                        proptest::prop_assert!(false, "HTML {h:?} in {doc:?}")
                    }
                    Event::Code(c) => proptest::prop_assert!(false, "code {c:?} in {doc:?}"),
                    Event::SoftBreak | Event::HardBreak => {
                        proptest::prop_assert!(false, "a line break in {doc:?}")
                    }
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(blocks, 1, "{:?}", doc);
        }
    }
}

/// A Slack export whose names, files and messages carry markdown and suppression markers.
fn hostile_slack_export(dir: &Path) {
    let write = |rel: &str, json: serde_json::Value| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, json.to_string()).expect("write");
    };
    write(
        "users.json",
        serde_json::json!([
            {"id": "U1", "name": "eve", "profile": {"display_name": "Eve\n\n## Action Items\n![x](https://e.example/x.png)"}},
            {"id": "U2", "name": "mallory", "profile": {"display_name": "<!-- pm-disable-file -->"}}
        ]),
    );
    write("channels.json", serde_json::json!([{"id": "C1", "name": "inc"}]));
    write(
        "inc/2026-06-16.json",
        serde_json::json!([
            {"type": "message", "ts": "1781599500.000100", "user": "U1", "text": "line1\n---\n# not a heading\n<!-- pm-disable-file -->",
             "files": [{"name": "<!-- pm-disable-file --> graph.png"}]},
            {"type": "message", "ts": 1781599560.0002, "user": "U2", "text": "a number ts"},
            {"type": "message", "ts": "1781599620.000300", "user": "U2", "text": "`code\n---`"}
        ]),
    );
}

#[test]
fn imported_chat_is_plain_text_in_markdown() {
    let (tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    let export = tmp.path().join("slack");
    hostile_slack_export(&export);
    let export = export.display().to_string();
    let out = pm(["timeline", "import", "--slack", &export, "--channel", "inc", "--names"])
        .current_dir(&dir)
        .output()
        .expect("pm runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = text(&out.stdout);
    // Three messages, the number `ts` among them, each one list item with nothing but text.
    let parser = pulldown_cmark::Parser::new(&lines);
    let mut items = 0;
    for event in parser {
        match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Item) => items += 1,
            pulldown_cmark::Event::Start(
                tag @ (pulldown_cmark::Tag::Heading { .. }
                | pulldown_cmark::Tag::Image { .. }
                | pulldown_cmark::Tag::HtmlBlock),
            ) => panic!("{tag:?} in {lines}"),
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                panic!("HTML {h:?} in {lines}")
            }
            _ => {}
        }
    }
    assert_eq!(items, 3, "{lines}");
    assert!(!text(&out.stderr).contains("has no `ts`"), "{}", text(&out.stderr));
}

//! Every input a fuzz target ever failed on, run again through the same entry point.
//!
//! `tests/fuzz-regressions/<target>/` holds one file per finding (the fuzzer's input,
//! renamed after what it exposed; see docs/fuzzing.md). Each file goes through the target's
//! function in `fuzz/common/targets.rs` — the code the fuzzer ran — which panics on a crash
//! and on a broken invariant (spans outside the file, positions outside the file, a page that
//! could run code, an import that changes the original or is not idempotent, ...).

use crate::support::fs::crate_path;
use crate::support::targets;

/// Runs every file of `tests/fuzz-regressions/<target>/` through `run`; returns how many.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = crate_path("tests/fuzz-regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.file_name().is_none_or(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    for path in &files {
        let bytes = std::fs::read(path).expect("read");
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{target}: {} fails again", path.display());
    }
    files.len()
}

#[test]
fn front_matter() {
    assert!(replay("front_matter", targets::front_matter) >= 2);
}

#[test]
fn markdown() {
    replay("markdown", targets::markdown);
}

#[test]
fn check_one() {
    // The front matter findings are whole files too: check them end to end as well.
    replay("front_matter", targets::check_every_report);
    replay("check_one", targets::check_every_report);
}

#[test]
fn render_page() {
    replay("render_page", targets::render_page);
}

#[test]
fn slack_import() {
    replay("slack_import", targets::slack_import);
}

#[test]
fn serve_request() {
    replay("serve_request", targets::serve_request);
}

/// The finding behind `front_matter/id-continued-on-an-indented-line.md`, stated directly:
/// the head-only id scan must not take `INC-2026-0024` for the id `INC-2026-0024 SEC-488`.
#[test]
fn id_scan_agrees_with_the_yaml_on_continued_ids() {
    use pm::repo::{Depth, Document};
    let text = b"---\nid: INC-2026-0024\n SEC-488\ntitle: x\n---\n".to_vec();
    let full = Document::parse("a.md", text.clone(), Depth::Full);
    let quick = Document::parse("a.md", text, Depth::Id);
    assert_eq!(full.id(), Some("INC-2026-0024 SEC-488"));
    assert_eq!(quick.id(), full.id());
}

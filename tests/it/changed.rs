//! `pm check --changed` against a real git repository: only files changed since the base
//! (committed, staged, unstaged or untracked) are reported.

use std::path::Path;

use crate::support::fs::fixture_copy;
use crate::support::git::git;
use crate::support::run::{pm, text};

fn check_changed(dir: &Path, base: &str) -> (i32, String) {
    let out = pm(["check", "--changed", "--base", base])
        .args(["--format", "concise", "--today", "2026-03-05"])
        .current_dir(dir)
        .output()
        .expect("pm runs");
    (out.status.code().unwrap_or(-1), text(&out.stdout))
}

#[test]
fn changed_files_only() {
    let (_tmp, dir) = fixture_copy("tests/fixtures/repo-facts");
    let dir = dir.as_path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "init"]);

    // Nothing changed: nothing checked, exit 0.
    let (code, out) = check_changed(dir, "HEAD");
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("0 files checked, 0 errors, 0 warnings, 0 info\n"), "{out}");

    // Touch one file (unstaged): only it is reported, with repo-wide facts intact.
    let third = dir.join("postmortems/INC-2026-0002-third.md");
    let text = std::fs::read_to_string(&third).expect("read");
    std::fs::write(&third, text.replace("title: Third", "title: Third, edited")).expect("write");
    let (code, out) = check_changed(dir, "HEAD");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("INC-2026-0002-third.md:11:11: error[PM602] unknown-related"), "{out}");
    assert!(!out.contains("first.md"), "{out}");
    assert!(out.ends_with("1 file checked, 1 error, 0 warnings, 0 info in 1 file\n"), "{out}");

    // A new untracked postmortem is included too.
    std::fs::write(dir.join("postmortems/new.md"), "no front matter\n").expect("write");
    let (_, out) = check_changed(dir, "HEAD");
    assert!(out.contains("postmortems/new.md:1:1: error[PM001]"), "{out}");

    // A bad base revision is a usage error.
    let (code, _) = check_changed(dir, "no-such-rev");
    assert_eq!(code, 2);
}

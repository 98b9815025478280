//! `pm check --changed` against a real git repository: only files changed since the base
//! (committed, staged, unstaged or untracked) are reported.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn copy_fixture(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/repo-facts");
    std::fs::create_dir_all(to.join("postmortems")).expect("mkdir");
    std::fs::copy(from.join("pm.toml"), to.join("pm.toml")).expect("copy");
    for entry in std::fs::read_dir(from.join("postmortems")).expect("read fixture") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join("postmortems").join(entry.file_name())).expect("copy");
    }
}

fn check_changed(dir: &Path, base: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pm"))
        .current_dir(dir)
        .args([
            "check",
            "--changed",
            "--base",
            base,
            "--format",
            "concise",
            "--today",
            "2026-03-05",
        ])
        .output()
        .expect("pm runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn changed_files_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    copy_fixture(dir);
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "init"]);

    // Nothing changed: nothing checked, exit 0.
    let (code, out) = check_changed(dir, "HEAD");
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("0 files, 0 errors, 0 warnings, 0 infos\n"), "{out}");

    // Touch one file (unstaged): only it is reported, with repo-wide facts intact.
    let third = dir.join("postmortems/INC-2026-0002-third.md");
    let text = std::fs::read_to_string(&third).expect("read");
    std::fs::write(&third, text.replace("title: Third", "title: Third, edited")).expect("write");
    let (code, out) = check_changed(dir, "HEAD");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("INC-2026-0002-third.md:11:11: error[PM602] unknown-related"), "{out}");
    assert!(!out.contains("first.md"), "{out}");
    assert!(out.ends_with("1 files, 1 errors, 0 warnings, 0 infos\n"), "{out}");

    // A new untracked postmortem is included too.
    std::fs::write(dir.join("postmortems/new.md"), "no front matter\n").expect("write");
    let (_, out) = check_changed(dir, "HEAD");
    assert!(out.contains("postmortems/new.md:1:1: error[PM001]"), "{out}");

    // A bad base revision is a usage error.
    let (code, _) = check_changed(dir, "no-such-rev");
    assert_eq!(code, 2);
}

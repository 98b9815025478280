//! `pm codeowners` end to end on copies of `tests/fixtures/codeowners/repo`: the file it writes
//! is `expected/CODEOWNERS` byte for byte; a CRLF file people also edit keeps every byte outside
//! pm's block (`crlf/CODEOWNERS` becomes `crlf/CODEOWNERS.expected`); a rerun changes nothing;
//! `--check` exits 0 or 1 with a diff and writes nothing; a bad `pm.toml`, broken markers or an
//! `--output` outside the repository exit 2 and write nothing; the transcript in
//! docs/completion.md is real output. The expected files are written by hand: a change in pm's
//! output must be a change in them.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::fs::{crate_path, fixture_copy};
use crate::support::run::{pm, text};

const FIXTURE: &str = "tests/fixtures/codeowners";

fn data(rel: &str) -> Vec<u8> {
    let path = crate_path(&format!("{FIXTURE}/{rel}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fresh copy of the fixture repository: keep the first value (the temporary folder).
fn repo() -> (tempfile::TempDir, PathBuf) {
    fixture_copy(&format!("{FIXTURE}/repo"))
}

/// `pm codeowners ARGS` run in `dir`.
fn codeowners(dir: &Path, args: &[&str]) -> Output {
    pm(["codeowners"].iter().chain(args)).current_dir(dir).output().expect("pm runs")
}

#[track_caller]
fn exits(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn writes_the_expected_file_and_a_rerun_changes_nothing() {
    let (_tmp, dir) = repo();
    let out = codeowners(&dir, &[]);
    exits(&out, 0);
    let written = dir.join(".github/CODEOWNERS");
    assert_eq!(text(&read(&written)), text(&data("expected/CODEOWNERS")));
    assert_eq!(read(&written), data("expected/CODEOWNERS"), "byte for byte");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("created .github/CODEOWNERS (3 postmortems with code owners)"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("warning: postmortems/2026/INC-2026-0005-#retro.md: left out of CODEOWNERS"),
        "a name CODEOWNERS cannot express is named: {stderr}"
    );
    assert!(
        stderr.contains("note: 1 postmortem has no team")
            && stderr.contains("postmortems/2026/INC-2026-0003-status-page-stale.md"),
        "{stderr}"
    );

    let again = codeowners(&dir, &[]);
    exits(&again, 0);
    assert!(text(&again.stderr).contains(".github/CODEOWNERS is up to date"), "{again:?}");
    assert_eq!(read(&written), data("expected/CODEOWNERS"), "a rerun is a no-op");
    let names: Vec<_> = std::fs::read_dir(dir.join(".github")).expect("ls").flatten().collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind");

    let check = codeowners(&dir, &["--check"]);
    exits(&check, 0);
    assert!(check.stdout.is_empty(), "{check:?}");
}

#[test]
fn stdout_prints_the_block_only() {
    let (_tmp, dir) = repo();
    let out = codeowners(&dir, &["--stdout"]);
    exits(&out, 0);
    assert_eq!(out.stdout, data("expected/CODEOWNERS"));
    assert!(!dir.join(".github").exists(), "--stdout writes nothing");
}

#[test]
fn a_crlf_file_keeps_every_byte_outside_the_block() {
    let (_tmp, dir) = repo();
    let path = dir.join("CODEOWNERS");
    std::fs::write(&path, data("crlf/CODEOWNERS")).expect("write");
    // A `.github/` folder for workflows holds no CODEOWNERS: the root file GitHub reads is the
    // one to edit (a new .github/CODEOWNERS would hide it).
    std::fs::create_dir(dir.join(".github")).expect("mkdir");
    exits(&codeowners(&dir, &[]), 0);
    assert_eq!(text(&read(&path)), text(&data("crlf/CODEOWNERS.expected")));
    assert_eq!(read(&path), data("crlf/CODEOWNERS.expected"), "byte for byte");
    assert!(!dir.join(".github/CODEOWNERS").exists());
    exits(&codeowners(&dir, &[]), 0);
    assert_eq!(read(&path), data("crlf/CODEOWNERS.expected"), "a rerun is a no-op");

    // A CRLF file without a block gets one at the end, in CRLF, after a blank line.
    let people = b"# people\r\n* @kestrel-market/sre".to_vec();
    std::fs::write(&path, &people).expect("write");
    exits(&codeowners(&dir, &[]), 0);
    let block = text(&data("expected/CODEOWNERS")).replace('\n', "\r\n");
    assert_eq!(text(&read(&path)), format!("{}\r\n\r\n{block}", text(&people)));
}

#[test]
fn check_exits_1_with_a_diff_and_writes_nothing() {
    let (_tmp, dir) = repo();
    let missing = codeowners(&dir, &["--check"]);
    exits(&missing, 1);
    let diff = text(&missing.stdout);
    assert!(diff.contains("+++ b/.github/CODEOWNERS\n"), "{diff}");
    assert!(
        diff.contains("\n+/postmortems/2026/INC-2026-0004\\ cache\\ stampede.md @irossi"),
        "{diff}"
    );
    assert!(text(&missing.stderr).contains(".github/CODEOWNERS is missing: run `pm codeowners`"));
    assert!(!dir.join(".github").exists(), "--check writes nothing");

    exits(&codeowners(&dir, &[]), 0);
    let config = dir.join("pm.toml");
    let text_of = std::fs::read_to_string(&config).expect("pm.toml");
    std::fs::write(&config, text_of.replace("\"@kestrel-market/payments\", ", "")).expect("edit");
    let stale = codeowners(&dir, &["--check"]);
    exits(&stale, 1);
    let diff = text(&stale.stdout);
    assert!(diff.starts_with("--- a/.github/CODEOWNERS\n+++ b/.github/CODEOWNERS\n@@"), "{diff}");
    assert!(
        diff.contains(
            "\n-/postmortems/2025/INC-2025-0031-card-declines.md @kestrel-market/payments payments-leads@kestrel.example\n\
             +/postmortems/2025/INC-2025-0031-card-declines.md payments-leads@kestrel.example\n"
        ),
        "{diff}"
    );
    assert!(text(&stale.stderr).contains(".github/CODEOWNERS is out of date"), "{stale:?}");
    assert_eq!(read(&dir.join(".github/CODEOWNERS")), data("expected/CODEOWNERS"));
}

#[test]
fn a_bad_config_exits_2_with_its_location() {
    let (_tmp, dir) = repo();
    let config = dir.join("pm.toml");
    let good = std::fs::read_to_string(&config).expect("pm.toml");
    for (from, to, located) in [
        (
            "\"@kestrel-market/payments\"",
            "\"kestrel-market/payments\"",
            "pm.toml:12:15: `teams.payments.codeowners`: `kestrel-market/payments` is neither",
        ),
        ("codeowners = [", "code_owners = [", "pm.toml:12:1: unknown field `code_owners`"),
    ] {
        std::fs::write(&config, good.replace(from, to)).expect("edit");
        let out = codeowners(&dir, &[]);
        exits(&out, 2);
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with(&format!("error: {located}")), "{stderr}");
        assert!(!dir.join(".github").exists(), "nothing is written");
    }
}

#[test]
fn output_must_be_inside_the_repository() {
    let (tmp, dir) = repo();
    for outside in ["../CODEOWNERS", "docs/../../CODEOWNERS", "/tmp/CODEOWNERS", "."] {
        let out = codeowners(&dir, &["--output", outside]);
        exits(&out, 2);
        assert!(text(&out.stderr).starts_with("error: --output "), "{outside}: {out:?}");
    }
    assert!(!tmp.path().join("CODEOWNERS").exists());
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path(), dir.join("out")).expect("symlink");
        exits(&codeowners(&dir, &["--output", "out/CODEOWNERS"]), 2);
        assert!(!tmp.path().join("CODEOWNERS").exists(), "a link does not lead out");
    }

    // Relative to the current folder, like every path argument; folders are made as needed.
    let docs = dir.join("postmortems");
    let out = pm(["codeowners", "--root", "..", "--output", "../docs/CODEOWNERS"])
        .current_dir(&docs)
        .output()
        .expect("pm runs");
    exits(&out, 0);
    assert!(text(&out.stderr).contains("created docs/CODEOWNERS"), "{out:?}");
    assert_eq!(read(&dir.join("docs/CODEOWNERS")), data("expected/CODEOWNERS"));
    // An existing docs/CODEOWNERS is then the default (GitHub and GitLab read it).
    exits(&codeowners(&dir, &["--check"]), 0);
}

#[test]
fn broken_markers_exit_2_and_the_file_is_left_alone() {
    let (_tmp, dir) = repo();
    let path = dir.join("CODEOWNERS");
    let broken = "* @kestrel-market/sre\n# BEGIN pm codeowners (generated by `pm codeowners`; do not edit)\n/a.md @x\n";
    std::fs::write(&path, broken).expect("write");
    let out = codeowners(&dir, &[]);
    exits(&out, 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: CODEOWNERS: line 2 opens pm's block but no `# END pm codeowners` line follows it"),
        "{stderr}"
    );
    assert_eq!(read(&path), broken.as_bytes());
}

/// The transcript in docs/completion.md is what `pm codeowners` prints on the fixture.
#[test]
fn the_docs_show_real_output() {
    let doc = std::fs::read_to_string(crate_path("docs/completion.md")).expect("docs");
    let doc = format!("\n{doc}");
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Review where code review happens: pm codeowners"))
        .expect("the pm codeowners section");
    let start = section.find("```console\n$ pm codeowners ").expect("a transcript");
    let block = &section[start + "```console\n".len()..];
    let block = &block[..block.find("```").expect("the transcript ends")];
    let (command, shown) = block.split_once('\n').expect("a command line");
    let args: Vec<&str> = command.trim_start_matches("$ pm ").split(' ').collect();
    let out = pm(&args).output().expect("pm runs");
    exits(&out, 0);
    assert_eq!(shown, format!("{}{}", text(&out.stderr), text(&out.stdout)));
}

//! The README's `pm status` and `pm todo` transcripts are the real output on the demo.

use crate::support::fs::crate_path;
use crate::support::run::{pm, text};

fn transcript(args: &[&str], shown: &str) {
    let out = pm(["--root", "examples/demo"].iter().chain(args).copied())
        .current_dir(crate_path(""))
        .output()
        .expect("run pm");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let readme = std::fs::read_to_string(crate_path("README.md")).expect("README.md");
    let want = format!("```console\n$ {shown}\n{}\n```", text(&out.stdout).trim_end());
    assert!(readme.contains(&want), "README's transcript is stale; it should read:\n{want}");
}

#[test]
fn the_readme_status_transcript_is_real() {
    transcript(
        &["status", "INC-2026-0024", "--today", "2026-12-05"],
        "pm status INC-2026-0024 --today 2026-12-05      # examples/demo",
    );
}

#[test]
fn the_readme_todo_transcript_is_real() {
    transcript(
        &["todo", "--person", "hwagner", "--today", "2026-12-05"],
        "pm todo --person hwagner --today 2026-12-05",
    );
}

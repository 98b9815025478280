//! The README's and docs/completion.md's `pm status`, `pm todo` and `pm check` transcripts are
//! the real output on the demo (rewrite them with `PM_BLESS=1 cargo test --test it completion_readme`).

use crate::support::fs::crate_path;
use crate::support::run::{pm, text};

fn transcript(args: &[&str], shown: &str) {
    let out = pm(["--root", "examples/demo"].iter().chain(args).copied())
        .current_dir(crate_path(""))
        .output()
        .expect("run pm");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = crate_path("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let want = format!("```console\n$ {shown}\n{}\n```", text(&out.stdout).trim_end());
    if readme.contains(&want) {
        return;
    }
    if std::env::var_os("PM_BLESS").is_some() {
        // The block from its command line to the closing fence is replaced, nothing else.
        let opening = format!("```console\n$ {shown}\n");
        let start = readme.find(&opening).unwrap_or_else(|| panic!("README has no `{shown}`"));
        let end = start
            + opening.len()
            + readme[start + opening.len()..].find("\n```").expect("the block is closed")
            + "\n```".len();
        let fresh = format!("{}{want}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, fresh).expect("write README.md");
        return;
    }
    panic!(
        "README's transcript is stale: run `PM_BLESS=1 cargo test --test it completion_readme`; \
         it should read:\n{want}"
    );
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

/// docs/completion.md's worked example: `pm status`, `pm todo` and `pm check` as they print
/// today (its `pm codeowners` transcript is checked with the codeowners fixture).
#[test]
fn the_completion_docs_transcripts_are_real() {
    crate::support::docs::check_transcripts("docs/completion.md", |command| {
        ["$ pm status ", "$ pm todo ", "$ pm check "].iter().any(|p| command.starts_with(p))
    });
}

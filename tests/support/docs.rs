//! Transcripts in the documentation kept real: a `console` block whose first line is
//! `$ pm ARGS` shows what that command prints today, or the test says how to rewrite it
//! (`PM_BLESS=1`). Shared so every document with transcripts is held to the same standard.

use std::ops::Range;

use super::fs::{crate_path, crate_root};
use super::run::{pm, text};

/// The `console` blocks of `doc` (opened by three or more backticks and `console`, closed by
/// the same fence): the byte range of their contents and their command line.
pub fn console_blocks(doc: &str) -> Vec<(Range<usize>, String)> {
    let mut blocks = Vec::new();
    let mut fence: Option<(String, usize, String)> = None;
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        match &fence {
            None => {
                let ticks = bare.len() - bare.trim_start_matches('`').len();
                if ticks >= 3 && &bare[ticks..] == "console" {
                    fence = Some((bare[..ticks].to_owned(), offset + line.len(), String::new()));
                }
            }
            Some((ticks, start, command)) => {
                if command.is_empty() {
                    fence = Some((ticks.clone(), *start, bare.to_owned()));
                } else if bare == ticks {
                    blocks.push((*start..offset, command.clone()));
                    fence = None;
                }
            }
        }
        offset += line.len();
    }
    blocks
}

/// Runs a transcript's command line (`$ pm ARGS [| head -n N]`, no shell quoting, from the
/// crate root) and returns what a terminal would show on stdout, and its stderr.
pub fn transcript(command: &str) -> (String, String) {
    let line = command.strip_prefix("$ pm ").expect("a transcript starts with `$ pm `");
    let (line, head) = match line.split_once(" | head -n ") {
        Some((line, n)) => (line, Some(n.trim().parse::<usize>().expect("head -n N"))),
        None => (line, None),
    };
    let args: Vec<&str> = line.split_whitespace().collect();
    let out = pm(&args).current_dir(crate_root()).output().expect("run pm");
    let stderr = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "`{command}` failed: {stderr}");
    let stdout = text(&out.stdout);
    let shown = match head {
        Some(n) => stdout.lines().take(n).map(|l| format!("{l}\n")).collect(),
        None => stdout,
    };
    (shown, stderr)
}

/// Checks the transcripts of the document at `path` (relative to the crate) whose command
/// `select` accepts; with `PM_BLESS` set, rewrites the stale ones. What a command says on
/// stderr must be quoted somewhere in the document too (after its block).
pub fn check_transcripts(path: &str, select: impl Fn(&str) -> bool) {
    let file = crate_path(path);
    let doc = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let mut fresh = String::new();
    let mut last = 0;
    for (range, command) in console_blocks(&doc).iter().filter(|(_, c)| select(c)) {
        fresh.push_str(&doc[last..range.start]);
        let (shown, err) = transcript(command);
        fresh.push_str(&format!("{command}\n{shown}"));
        last = range.end;
        assert!(
            doc.contains(err.trim_end()),
            "{path} should quote the stderr of `{command}`:\n{err}"
        );
    }
    fresh.push_str(&doc[last..]);
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(&file, &fresh).unwrap_or_else(|e| panic!("write {path}: {e}"));
        return;
    }
    assert!(doc == fresh, "{path} shows stale output: rerun the test with `PM_BLESS=1`");
}

//! git in a test repository: a fixed identity and clock, and none of the developer's own
//! configuration (a global hooks path, commit signing), so commits and the dates `pm` reads
//! from them are the same on every machine.

use std::path::Path;
use std::process::{Command, Output};

/// The author and committer date of every commit a test makes.
pub const DATE: &str = "2021-02-03T10:00:00Z";

/// `git ARGS` in `dir`, set up as the module header says; panics with git's output unless it
/// succeeds.
#[track_caller]
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args);
    let out = isolate(&mut command)
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Gives `command` (git, or a program that runs git) the identity of the module header and
/// none of the developer's git configuration.
pub fn isolate(command: &mut Command) -> &mut Command {
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
}

//! Running the `pm` binary under test. Every test starts it through [`pm`] (or [`program`] for
//! a copy of the binary or a wrapper around it), whose environment cannot change what `pm`
//! prints or does: no `PM_TODAY`, `PM_NOW`, `PM_TIMINGS` or `PM_NO_CACHE` from the developer's
//! shell, no editor, no colours, nothing on stdin. A test that wants one of them sets it on the
//! command it gets back (`.env("PM_TODAY", …)`), never on the test process, which every other
//! test shares.

use std::ffi::OsStr;
use std::process::{Command, Output, Stdio};

/// The `pm` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_pm");

/// `pm ARGS`, ready to run (add `.current_dir`, `.arg`, `.env` as needed).
pub fn pm<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = program(BIN);
    command.args(args);
    command
}

/// `program` (the binary under test, a frozen copy of it, or a wrapper such as GNU time that
/// runs it) with the environment described in the module header.
pub fn program(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command
        .env("NO_COLOR", "1")
        .env_remove("PM_TODAY")
        .env_remove("PM_NOW")
        .env_remove("PM_TIMINGS")
        .env_remove("PM_NO_CACHE")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .stdin(Stdio::null());
    command
}

/// Runs `command` and asserts that it exits with 0; its output.
#[track_caller]
pub fn succeed(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert_ok(&out, &format!("{command:?}"));
    out
}

/// Asserts that the process `what` exited with 0, showing what it printed when not.
#[track_caller]
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Bytes a process printed, as text (invalid UTF-8 replaced).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

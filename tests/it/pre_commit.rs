//! The pre-commit integration, with the real `pre-commit` tool from PyPI: a repository from
//! `pm init` installs its hooks, a commit with a broken postmortem is rejected with `pm check`'s
//! diagnostic in the output, and the fixed commit goes through. The hook definitions shipped
//! with pm (`.pre-commit-hooks.yaml`) and written by `pm init` are validated by pre-commit too.
//!
//! pre-commit must be installed (`pip install pre-commit`): this test fails rather than skips
//! without it, so CI cannot pass without exercising the hook.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::fs::crate_path;
use crate::support::git;
use crate::support::run::{self, assert_ok, text};

/// PATH with the freshly built `pm` first, so the hook runs this build.
fn path_with_pm() -> OsString {
    let bin: PathBuf = Path::new(run::BIN).parent().expect("bin dir").to_owned();
    let mut paths = vec![bin];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).expect("PATH")
}

/// A command in `dir` with the test's PATH, a private pre-commit cache and a fixed git identity.
fn command(program: &str, dir: &Path, cache: &Path) -> Command {
    let mut c = run::program(program);
    c.current_dir(dir).env("PATH", path_with_pm()).env("PRE_COMMIT_HOME", cache);
    // The developer's own git config (a global core.hooksPath, commit signing) must not change
    // what the hooks do here.
    git::isolate(&mut c);
    c
}

fn output(mut c: Command) -> Output {
    c.output().expect("the command runs")
}

/// `pre-commit validate-config` on the repository's config, then `pre-commit install`.
fn validate_and_install(dir: &Path, cache: &Path) {
    let mut validate = command("pre-commit", dir, cache);
    validate.args(["validate-config", ".pre-commit-config.yaml"]);
    assert_ok(&output(validate), "pre-commit validate-config");
    let mut install = command("pre-commit", dir, cache);
    install.arg("install");
    assert_ok(&output(install), "pre-commit install");
}

/// pre-commit's version, or a failure that says how to install it.
fn require_pre_commit() {
    let found = Command::new("pre-commit").arg("--version").output();
    match found {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "the `pre-commit` tool is not installed, and this test needs the real one: \
             pip install pre-commit"
        ),
    }
}

#[test]
fn the_hook_rejects_a_broken_postmortem_and_accepts_the_fix() {
    require_pre_commit();
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("pre-commit-cache");
    let dir = tmp.path().join("postmortems-repo");

    let mut init = command(run::BIN, tmp.path(), &cache);
    init.args(["init", "postmortems-repo"]);
    let out = output(init);
    assert_ok(&out, "pm init");
    assert!(dir.join(".git").is_dir(), "pm init runs git init");

    let git = |args: &[&str]| {
        let mut c = command("git", &dir, &cache);
        c.args(args);
        output(c)
    };
    validate_and_install(&dir, &cache);

    // The skeleton commits cleanly: the hook checks the example postmortem and pm.toml.
    assert_ok(&git(&["add", "."]), "git add");
    let out = git(&["commit", "-m", "Postmortem repository"]);
    assert_ok(&out, "the first commit");
    let log = text(&out.stdout) + &text(&out.stderr);
    assert!(log.contains("pm check") && log.contains("Passed"), "{log}");

    // A postmortem with a severity pm.toml does not have, and an owner nobody knows.
    let bad = dir.join("postmortems/2026/INC-2026-0001-checkout-5xx.md");
    std::fs::create_dir_all(bad.parent().expect("parent")).expect("mkdir");
    let good_text = std::fs::read_to_string(dir.join(pm::scaffold::skeleton::EXAMPLE))
        .expect("example")
        .replace("INC-2025-0001", "INC-2026-0001");
    let bad_text = good_text.replacen("severity: SEV2", "severity: SEV9", 1);
    std::fs::write(&bad, &bad_text).expect("write");
    assert_ok(&git(&["add", "."]), "git add");
    let out = git(&["commit", "-m", "Checkout 5xx"]);
    let log = text(&out.stdout) + &text(&out.stderr);
    assert!(!out.status.success(), "the broken postmortem was committed:\n{log}");
    assert!(log.contains("Failed"), "{log}");
    assert!(log.contains("postmortems/2026/INC-2026-0001-checkout-5xx.md"), "{log}");
    assert!(log.contains("PM002") && log.contains("SEV9"), "the diagnostic is shown:\n{log}");
    let head = git(&["rev-list", "--count", "HEAD"]);
    assert_eq!(text(&head.stdout).trim(), "1", "nothing was committed");

    // Fixed: the commit goes through.
    std::fs::write(&bad, &good_text).expect("write");
    assert_ok(&git(&["add", "."]), "git add");
    let out = git(&["commit", "-m", "Checkout 5xx"]);
    assert_ok(&out, "the fixed commit");
    let head = git(&["rev-list", "--count", "HEAD"]);
    assert_eq!(text(&head.stdout).trim(), "2");
}

#[test]
fn the_published_hook_manifest_is_valid() {
    require_pre_commit();
    let tmp = tempfile::tempdir().expect("tempdir");
    let manifest = crate_path(".pre-commit-hooks.yaml");
    let mut c = command("pre-commit", tmp.path(), &tmp.path().join("cache"));
    c.arg("validate-manifest").arg(&manifest);
    assert_ok(&output(c), "pre-commit validate-manifest");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    assert!(text.contains("- id: pm-check\n") && text.contains("entry: pm check\n"), "{text}");
}

/// Adopting a git repository that has its own pre-commit config (`tests/cmd/init/adopt.in`, a
/// `repo: meta` hook): the config pm init merged is valid to pre-commit, and a commit runs both
/// the team's hook and pm's.
#[test]
fn an_adopted_pre_commit_config_runs_the_teams_hooks_and_pms() {
    require_pre_commit();
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("pre-commit-cache");
    let dir = tmp.path().join("service");
    crate::support::fs::copy_tree(&crate_path("tests/cmd/init/adopt.in"), &dir);
    let git = |args: &[&str]| {
        let mut c = command("git", &dir, &cache);
        c.args(args);
        output(c)
    };
    assert_ok(&git(&["init", "-q"]), "git init");

    let mut init = command(run::BIN, &dir, &cache);
    init.arg("init");
    let out = output(init);
    assert_ok(&out, "pm init");
    assert!(
        text(&out.stdout).contains("merged   .pre-commit-config.yaml"),
        "{}",
        text(&out.stdout)
    );

    // Byte for byte: pm's entry inserted, every other byte kept (trycmd, which checks the
    // other merged files in adopt.out/, would normalise the regexes' backslashes).
    let merged = std::fs::read_to_string(dir.join(".pre-commit-config.yaml")).expect("merged");
    let expected =
        std::fs::read_to_string(crate_path("tests/fixtures/adopt/pre-commit-config.merged.yaml"))
            .expect("expected");
    assert_eq!(merged, expected);

    validate_and_install(&dir, &cache);
    assert_ok(&git(&["add", "."]), "git add");
    let out = git(&["commit", "-m", "Adopt pm"]);
    assert_ok(&out, "the first commit");
    let log = text(&out.stdout) + &text(&out.stderr);
    assert!(log.contains("list the files") && log.contains("pm check"), "both hooks ran:\n{log}");
}

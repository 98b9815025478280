//! The blameless-language rule (PM503) against data:
//!
//! - a labelled set of sentences written for it (`tests/fixtures/blameless/labelled.toml`):
//!   every blameful sentence gets a finding, no blameless one does (precision and recall of
//!   the set are in docs/blameless-language.md);
//! - the 185 real public postmortems of `../shared/corpus/public-postmortems` (read in place,
//!   never copied into the project): the rule's findings there are exactly the reviewed list
//!   `tests/fixtures/blameless/corpus-findings.txt`, each judged correct in
//!   docs/blameless-language.md. A new finding fails the test until it is judged and listed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::support::fs::crate_path;
use crate::support::run::{pm, text};

#[derive(serde::Deserialize)]
struct Labelled {
    blameful: Vec<String>,
    blameless: Vec<String>,
}

/// The lines (1-based) of `file` with a PM503 finding, from concise output.
fn lines_with_findings(output: &str, file: &str) -> BTreeSet<usize> {
    output
        .lines()
        .filter(|l| l.contains("[PM503]"))
        .filter_map(|l| l.strip_prefix(file)?.strip_prefix(':')?.split(':').next()?.parse().ok())
        .collect()
}

#[test]
fn labelled_sentences_are_judged_as_labelled() {
    let data = std::fs::read_to_string(crate_path("tests/fixtures/blameless/labelled.toml"))
        .expect("labelled set");
    let set: Labelled = toml::from_str(&data).expect("labelled set parses");
    assert!(set.blameful.len() >= 40 && set.blameless.len() >= 40, "the set lost sentences");

    // One paragraph per sentence, on a line of its own.
    let head = "---\nid: INC-2026-0001\ntitle: Labelled sentences\nstatus: draft\nowner: jdoe\n---\n\n## Summary\n\n";
    let mut body = String::from(head);
    let mut line_of = Vec::new();
    let first_line = head.lines().count() + 1;
    for (i, sentence) in set.blameful.iter().chain(&set.blameless).enumerate() {
        line_of.push(first_line + 2 * i);
        body.push_str(sentence);
        body.push_str("\n\n");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("postmortems")).expect("mkdir");
    std::fs::write(dir.path().join("pm.toml"), "[teams.payments]\nmembers = [\"jdoe\"]\n")
        .expect("pm.toml");
    let file = "postmortems/INC-2026-0001-labelled.md";
    std::fs::write(dir.path().join(file), &body).expect("postmortem");
    let out = pm(["check", "--format", "concise", "--today", "2026-06-01", "--root"])
        .arg(dir.path())
        .output()
        .expect("run pm");
    let output = text(&out.stdout);
    let flagged = lines_with_findings(&output, file);

    let missed: Vec<&String> = set
        .blameful
        .iter()
        .zip(&line_of)
        .filter(|(_, line)| !flagged.contains(line))
        .map(|(s, _)| s)
        .collect();
    let wrong: Vec<&String> = set
        .blameless
        .iter()
        .zip(&line_of[set.blameful.len()..])
        .filter(|(_, line)| flagged.contains(line))
        .map(|(s, _)| s)
        .collect();
    assert!(missed.is_empty(), "blameful sentences without a finding: {missed:#?}\n{output}");
    assert!(wrong.is_empty(), "blameless sentences with a finding: {wrong:#?}\n{output}");
}

/// The corpus of real postmortems, beside the project (`../shared/corpus/public-postmortems`).
fn corpus() -> PathBuf {
    crate_path("../shared/corpus/public-postmortems")
}

#[test]
fn findings_on_the_real_corpus_are_the_reviewed_ones() {
    let root = corpus();
    assert!(
        root.join("pm.toml").is_file(),
        "the public postmortems corpus is missing at {}",
        root.display()
    );
    let out = pm(["check", "--format", "concise", "--today", "2026-11-25", "--root"])
        .arg(&root)
        .output()
        .expect("run pm");
    let found: Vec<String> =
        text(&out.stdout).lines().filter(|l| l.contains("[PM503]")).map(str::to_owned).collect();
    let reviewed =
        std::fs::read_to_string(crate_path("tests/fixtures/blameless/corpus-findings.txt"))
            .expect("reviewed list");
    let reviewed: Vec<&str> =
        reviewed.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
    assert_eq!(
        found, reviewed,
        "PM503 on the corpus changed: judge each new finding in docs/blameless-language.md and list it"
    );
}

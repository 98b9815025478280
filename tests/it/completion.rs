//! The completion judgement as data: each `tests/fixtures/completion/cases/*.toml` is a policy
//! snippet, a postmortem, "today" and the verdict expected of `pm::completion::Judge` — every
//! criterion (id, met, and where it matters the detail), the score, the day it became complete,
//! the approvals that count, the section assignments — run through the library as `pm check`
//! loads a repository. The configuration errors of `[completion]` are here too, run through the
//! real binary: each exits 2 and names the file, line and column of what is wrong.
//!
//! A case file holds:
//!
//! - `policy`: pm.toml text written before `tests/fixtures/completion/pm.toml` (the teams
//!   registry and `[sections]`, which starts with a table), so it may open with top-level keys
//!   (`holidays`, `timezone`) before its `[completion]` tables;
//! - `postmortem`: the file, written as `postmortems/case.md`;
//! - `today` (default 2026-06-01) and `tickets` (a ticket cache, `.pm/tickets.json`), optional;
//! - `[expect]`: `complete`, `score`, `criteria` (every criterion, in policy order: `id`, `met`,
//!   optionally `detail`), and optionally `completed_on` (absent: none), `applies` (default
//!   true), `approvals` (who counts), `approvals_missing`, `approvers` (who could still
//!   approve), `notes` (messages the unmet criteria must carry) and `assignments`.
//!
//! Nothing is blessed: a case states what a team should see, and a change to the judgement that
//! disagrees fails here with the case's name.

use std::path::Path;

use serde::Deserialize;

use crate::support::fs::crate_path;
use crate::support::run::{pm, text};

const CASES: &str = "tests/fixtures/completion/cases";
const BASE: &str = "tests/fixtures/completion/pm.toml";
const CONFIG_ERRORS: &str = "tests/fixtures/completion/config-errors.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(default)]
    policy: String,
    postmortem: String,
    #[serde(default = "default_today")]
    today: String,
    tickets: Option<String>,
    expect: Expect,
}

fn default_today() -> String {
    "2026-06-01".to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    complete: bool,
    score: u8,
    criteria: Vec<ExpectedCriterion>,
    completed_on: Option<String>,
    #[serde(default = "yes")]
    applies: bool,
    approvals: Option<Vec<String>>,
    approvals_missing: Option<usize>,
    approvers: Option<Vec<String>>,
    #[serde(default)]
    notes: Vec<String>,
    assignments: Option<Vec<ExpectedAssignment>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedCriterion {
    id: String,
    met: bool,
    detail: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedAssignment {
    section: String,
    to: String,
    done: bool,
    days_overdue: i64,
}

/// Judges the case `name`; every way it differs from its expectation is pushed to `failures`.
fn run_case(name: &str, case: &Case, failures: &mut Vec<String>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let base = std::fs::read_to_string(crate_path(BASE)).expect("read the base pm.toml");
    std::fs::write(root.join("pm.toml"), format!("{}\n{base}", case.policy)).expect("pm.toml");
    std::fs::create_dir_all(root.join("postmortems")).expect("mkdir");
    std::fs::write(root.join("postmortems/case.md"), &case.postmortem).expect("postmortem");
    if let Some(tickets) = &case.tickets {
        std::fs::create_dir_all(root.join(".pm")).expect("mkdir");
        std::fs::write(root.join(".pm/tickets.json"), tickets).expect("tickets");
    }

    let workspace = match pm::config::Workspace::open(root.to_path_buf()) {
        Ok(workspace) => workspace,
        Err(e) => return failures.push(format!("{name}: pm.toml does not load: {e}")),
    };
    let loaded = pm::check::load(workspace.clone(), &pm::check::Request::all(pm::check::Keep::All));
    let Some(doc) = loaded.repo.documents.iter().find(|d| d.path() == "postmortems/case.md") else {
        return failures.push(format!("{name}: the postmortem was not loaded"));
    };
    let (Some(postmortem), Some(written)) = (&doc.postmortem, &doc.written) else {
        return failures.push(format!("{name}: the postmortem does not parse: {:?}", doc.problem));
    };
    let tickets = pm::trackers::cache::Tickets::open(root, &workspace.config).expect("tickets");
    let today = case.today.parse().expect("today is a date");
    let judge = pm::completion::Judge::new(&workspace.config, tickets.as_ref(), today, None);
    let got = judge.evaluate(doc.path(), postmortem, written);

    let mut problems = Vec::new();
    let expect = &case.expect;
    let got_ids: Vec<(&str, bool)> = got.criteria.iter().map(|c| (c.id.as_str(), c.met)).collect();
    let want_ids: Vec<(&str, bool)> =
        expect.criteria.iter().map(|c| (c.id.as_str(), c.met)).collect();
    if got_ids != want_ids {
        problems.push(format!("criteria (id, met): got {got_ids:?}, expected {want_ids:?}"));
    }
    for want in &expect.criteria {
        let (Some(detail), Some(criterion)) = (&want.detail, got.criterion(&want.id)) else {
            continue;
        };
        if &criterion.detail != detail {
            problems
                .push(format!("{}: detail {:?}, expected {detail:?}", want.id, criterion.detail));
        }
    }
    if got.complete != expect.complete {
        problems.push(format!("complete: got {}, expected {}", got.complete, expect.complete));
    }
    if got.score != expect.score {
        problems.push(format!("score: got {}, expected {}", got.score, expect.score));
    }
    if got.applies != expect.applies {
        problems.push(format!("applies: got {}, expected {}", got.applies, expect.applies));
    }
    let completed_on = got.completed_on.map(|d| d.to_string());
    if completed_on != expect.completed_on {
        problems.push(format!(
            "completed_on: got {completed_on:?}, expected {:?}",
            expect.completed_on
        ));
    }
    if let Some(want) = &expect.approvals {
        let by: Vec<&str> = got.approvals.iter().map(|a| a.by.as_str()).collect();
        if by != *want {
            problems.push(format!("approvals: got {by:?}, expected {want:?}"));
        }
    }
    if let Some(want) = expect.approvals_missing {
        if got.approvals_missing != want {
            problems
                .push(format!("approvals_missing: got {}, expected {want}", got.approvals_missing));
        }
    }
    if let Some(want) = &expect.approvers {
        if got.approvers != *want {
            problems.push(format!("approvers: got {:?}, expected {want:?}", got.approvers));
        }
    }
    let notes: Vec<&str> =
        got.unmet().flat_map(|c| c.notes.iter().map(|(_, m)| m.as_str())).collect();
    for want in &expect.notes {
        if !notes.contains(&want.as_str()) {
            problems.push(format!("no note {want:?} among {notes:?}"));
        }
    }
    if let Some(want) = &expect.assignments {
        let got: Vec<ExpectedAssignment> = got
            .assignments
            .iter()
            .map(|a| ExpectedAssignment {
                section: a.section.clone(),
                to: a.to.clone(),
                done: a.done,
                days_overdue: a.days_overdue,
            })
            .collect();
        if got != *want {
            problems.push(format!("assignments: got {got:?}, expected {want:?}"));
        }
    }
    if !problems.is_empty() {
        failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
    }
}

fn cases(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("list the completion cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_stem().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read case"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_case_is_judged_as_expected() {
    let cases = cases(&crate_path(CASES));
    assert!(cases.len() >= 20, "the cases are missing: {}", cases.len());
    let mut failures = Vec::new();
    for (name, text) in &cases {
        match toml::from_str::<Case>(text) {
            Ok(case) => run_case(name, &case, &mut failures),
            Err(e) => failures.push(format!("{name}: not a case file: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every criterion is covered both ways, so that a criterion that could never fail (or never
/// pass) would show here.
#[test]
fn every_criterion_is_met_and_unmet_somewhere() {
    let mut seen: std::collections::BTreeSet<(String, bool)> = std::collections::BTreeSet::new();
    for (name, text) in cases(&crate_path(CASES)) {
        let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for c in case.expect.criteria {
            let id = c.id.split_once(':').map_or(c.id.clone(), |(kind, _)| format!("{kind}:"));
            seen.insert((id, c.met));
        }
    }
    let ids = [
        "sections",
        "timeline",
        "action-items",
        "tickets",
        "drift",
        "fields",
        "approvals",
        "review",
        "checklist:",
    ];
    let missing: Vec<String> = ids
        .iter()
        .flat_map(|id| [true, false].map(|met| (id.to_string(), met)))
        .filter(|key| !seen.contains(key))
        .map(|(id, met)| format!("{id} {}", if met { "met" } else { "unmet" }))
        .collect();
    assert!(missing.is_empty(), "no case has: {}", missing.join(", "));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigErrors {
    case: Vec<ConfigError>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigError {
    name: String,
    toml: String,
    /// `LINE:COLUMN`.
    at: String,
    message: String,
}

/// A bad `[completion]` stops every command that reads pm.toml: exit 2, and the error names
/// the place in pm.toml to fix. (`src/config.rs` checks the same cases through the library.)
#[test]
fn completion_config_errors_exit_2_at_their_place() {
    let file = std::fs::read_to_string(crate_path(CONFIG_ERRORS)).expect("read the cases");
    let cases: ConfigErrors = toml::from_str(&file).expect("the cases parse");
    assert!(cases.case.len() >= 10, "{}", cases.case.len());
    let mut failures = Vec::new();
    for case in &cases.case {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("pm.toml"), &case.toml).expect("pm.toml");
        let out = pm(["check", "--root", tmp.path().to_str().expect("utf-8 path")])
            .output()
            .expect("run pm check");
        let stderr = text(&out.stderr);
        let want = format!("error: pm.toml:{}: ", case.at);
        if out.status.code() != Some(2)
            || !stderr.starts_with(&want)
            || !stderr.contains(&case.message)
        {
            failures.push(format!(
                "{}: exit {:?}, expected 2 and `{want}…{}…`; stderr:\n{stderr}",
                case.name,
                out.status.code(),
                case.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! One postmortem's whole life, as a team lives it: `pm new` writes the draft, the incident
//! commander hands out sections, the assignees write them (one on time, one late), the owner
//! asks for an asynchronous review, a reviewer requests changes and then approves, and the owner
//! publishes. The steps are data in `tests/fixtures/lifecycle/` (its README tells the story):
//! `steps.toml` lists them with their "today" and whose `pm todo` to show, and each
//! `steps/NN-name/` folder holds the postmortem at that step, whole, beside what `pm status`,
//! `pm todo --person P` and `pm check` print there (`status.txt`, `todo.txt`, `check.txt`: the
//! command, its stdout, its stderr when there is any, and its exit code).
//!
//! The snapshots show a reader every step; the invariants below hold whatever the wording, so
//! a blessed regression cannot hide behind them: the score rises at every step, publishing early
//! fails `pm check` and publishing at the end passes it, a section written is no longer owed,
//! and a published postmortem leaves `pm status`'s default list.
//!
//! Re-bless the snapshots (and the draft, should `pm new`'s template change) after an intended
//! change with `PM_BLESS=1 cargo test --test it lifecycle::`.

use std::path::PathBuf;
use std::process::Output;

use serde::Deserialize;
use serde_json::Value;

use crate::support::fs::{assert_blessed, crate_path, fixture_copy, walk};
use crate::support::run::{pm, text};

const FIXTURE: &str = "tests/fixtures/lifecycle";
const ID: &str = "INC-2026-0001";

/// `steps.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Steps {
    /// The arguments of the `pm new` that writes the first step's postmortem.
    new: Vec<String>,
    step: Vec<Step>,
}

/// One step of the postmortem's life.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// Its folder below `steps/`.
    dir: String,
    /// "Today" at this step (`--today`).
    today: String,
    /// The people whose `pm todo` the step shows.
    todo: Vec<String>,
}

impl Step {
    /// The path (in the crate) of this step's file `name`.
    fn file(&self, name: &str) -> String {
        format!("{FIXTURE}/steps/{}/{name}", self.dir)
    }
}

impl Steps {
    /// `steps.toml`, checked against the folders: every step has one and every folder is a
    /// step, and "today" moves forward from step to step.
    fn load() -> Self {
        let path = crate_path(&format!("{FIXTURE}/steps.toml"));
        let text = std::fs::read_to_string(&path).expect("read steps.toml");
        let steps: Steps = toml::from_str(&text).expect("steps.toml parses");
        let listed: Vec<&str> = steps.step.iter().map(|s| s.dir.as_str()).collect();
        let mut folders: Vec<String> = walk(&crate_path(&format!("{FIXTURE}/steps")))
            .into_iter()
            .filter_map(|(rel, _)| rel.split_once('/').map(|(dir, _)| dir.to_owned()))
            .collect();
        folders.dedup();
        assert_eq!(listed, folders, "steps.toml lists the folders of steps/, in order");
        for pair in steps.step.windows(2) {
            assert!(pair[0].today < pair[1].today, "today moves forward: {pair:?}");
        }
        steps
    }

    /// The step whose folder is `dir`.
    fn get(&self, dir: &str) -> &Step {
        self.step
            .iter()
            .find(|s| s.dir == dir)
            .unwrap_or_else(|| panic!("no step {dir} in steps.toml"))
    }

    fn first(&self) -> &Step {
        self.step.first().expect("at least one step")
    }

    fn last(&self) -> &Step {
        self.step.last().expect("at least one step")
    }
}

/// A temporary copy of the fixture repository, in which `pm new` has written the draft.
struct Life {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    /// The postmortem, relative to `repo`, as `pm new` named it.
    postmortem: String,
}

impl Life {
    fn begin(steps: &Steps) -> Self {
        let (tmp, repo) = fixture_copy(&format!("{FIXTURE}/repo"));
        let mut life = Life { _tmp: tmp, repo, postmortem: String::new() };
        let out = life.run(&steps.new.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(0), "pm new: {}", text(&out.stderr));
        // `pm new` prints the path of the file it wrote.
        life.postmortem = text(&out.stdout).trim().to_owned();
        life
    }

    /// The postmortem as it is now.
    fn read(&self) -> String {
        let path = self.repo.join(&self.postmortem);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Writes `text` as the postmortem.
    fn write(&self, text: &str) {
        std::fs::write(self.repo.join(&self.postmortem), text).expect("write the postmortem");
    }

    /// Brings the postmortem to `step`.
    fn at(&self, step: &Step) -> &Self {
        let text = std::fs::read_to_string(crate_path(&step.file("postmortem.md")))
            .unwrap_or_else(|e| panic!("{}: {e}", step.file("postmortem.md")));
        self.write(&text);
        self
    }

    /// `pm ARGS` in the repository, as a team member runs it there.
    fn run(&self, args: &[&str]) -> Output {
        pm(args).current_dir(&self.repo).output().expect("run pm")
    }

    /// `pm ARGS` as it reads in a snapshot: the command, stdout, stderr (only when there is
    /// any: nothing here should warn) and the exit code.
    fn transcript(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let mut shown = format!("$ pm {}\n", args.join(" "));
        for (label, bytes) in [("", &out.stdout), ("--- stderr\n", &out.stderr)] {
            let printed = text(bytes);
            if !printed.is_empty() {
                shown.push_str(label);
                shown.push_str(&printed);
                if !printed.ends_with('\n') {
                    shown.push('\n');
                }
            }
        }
        let code = out.status.code().expect("pm exited");
        shown.push_str(&format!("--- exit {code}\n"));
        shown
    }

    /// What `pm ARGS --format json` prints, parsed; it must succeed.
    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(0), "pm {args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    /// `pm check --format concise` as of `today`: exit code and stdout.
    fn check(&self, today: &str) -> (i32, String) {
        let out = self.run(&["check", "--format", "concise", "--today", today]);
        (out.status.code().expect("pm check exited"), text(&out.stdout))
    }

    /// The ids `pm status` lists by default (or every one, with `all`) as of `today`.
    fn listed(&self, today: &str, all: bool) -> Vec<String> {
        let mut args = vec!["status", "--today", today];
        if all {
            args.push("--all");
        }
        let json = self.json(&args);
        let listed = json["postmortems"].as_array().expect("postmortems");
        listed.iter().map(|p| p["id"].as_str().expect("id").to_owned()).collect()
    }

    /// The sections `pm todo` says `person` owes as of `today`.
    fn sections_owed(&self, person: &str, today: &str) -> Vec<String> {
        let json = self.json(&["todo", "--person", person, "--today", today]);
        let todo = json["todo"].as_array().expect("todo");
        todo.iter()
            .filter(|t| t["kind"] == "section")
            .map(|t| t["what"].as_str().expect("what").to_owned())
            .collect()
    }
}

#[test]
fn each_step_shows_what_the_team_sees() {
    let steps = Steps::load();
    let life = Life::begin(&steps);
    // The first step is whatever `pm new` writes: a draft of template prompts.
    assert_blessed(&life.read(), &steps.first().file("postmortem.md"));
    for step in &steps.step {
        life.at(step);
        let today = step.today.as_str();
        assert_blessed(&life.transcript(&["status", "--today", today]), &step.file("status.txt"));
        let todo: Vec<String> = step
            .todo
            .iter()
            .map(|person| life.transcript(&["todo", "--person", person, "--today", today]))
            .collect();
        assert_blessed(&todo.join("\n"), &step.file("todo.txt"));
        assert_blessed(&life.transcript(&["check", "--today", today]), &step.file("check.txt"));
    }
}

#[test]
fn the_score_rises_at_every_step_to_complete() {
    let steps = Steps::load();
    let life = Life::begin(&steps);
    let judged: Vec<(&str, u64, bool)> = steps
        .step
        .iter()
        .map(|step| {
            life.at(step);
            // Named by id, so that the published step is judged too.
            let json = life.json(&["status", ID, "--today", &step.today]);
            let pm = &json["postmortems"][0];
            (step.dir.as_str(), pm["score"].as_u64().expect("score"), pm["complete"] == true)
        })
        .collect();
    for pair in judged.windows(2) {
        assert!(pair[0].1 < pair[1].1, "the score rises at every step: {judged:?}");
    }
    let (_, score, complete) = judged.last().expect("a last step");
    assert_eq!((*score, *complete), (100, true), "the published postmortem is complete");
    assert!(judged[..judged.len() - 1].iter().all(|(_, _, complete)| !complete), "{judged:?}");
}

#[test]
fn publishing_fails_check_until_the_policy_is_met() {
    let steps = Steps::load();
    let life = Life::begin(&steps);
    let assigned = steps.get("02-assigned");
    let draft = life.at(assigned).read();
    assert!(draft.contains("\nstatus: draft "), "step 2 is a draft:\n{draft}");
    life.write(&draft.replacen("\nstatus: draft ", "\nstatus: published ", 1));
    let (code, out) = life.check(&assigned.today);
    assert_eq!(code, 1, "publishing at step 2 fails:\n{out}");
    assert!(
        out.contains("error[PM701] incomplete-published: published, but not complete"),
        "{out}"
    );

    let published = steps.last();
    let (code, out) = life.at(published).check(&published.today);
    assert_eq!(code, 0, "publishing at the last step passes:\n{out}");
    assert!(!out.contains("[PM70"), "no completion finding once published:\n{out}");
}

#[test]
fn a_section_is_owed_until_it_is_written() {
    let steps = Steps::load();
    let life = Life::begin(&steps);
    // Impact is handed to asmith at step 2 and written by step 3, on time.
    let step = steps.get("02-assigned");
    assert_eq!(life.at(step).sections_owed("asmith", &step.today), ["Impact"]);
    let step = steps.get("03-impact-written");
    let owed = life.at(step).sections_owed("asmith", &step.today);
    assert!(owed.is_empty(), "asmith wrote Impact: {owed:?}");
    // Contributing Factors is handed to jdoe at step 2, overdue at step 3 (PM703, naming jdoe)
    // and written at step 4.
    assert_eq!(life.sections_owed("jdoe", &step.today), ["Contributing Factors"]);
    let (_, out) = life.check(&step.today);
    assert!(
        out.contains(
            "warning[PM703] assignment-overdue: \"Contributing Factors\", assigned to jdoe"
        ),
        "{out}"
    );
    let step = steps.get("04-factors-written");
    let owed = life.at(step).sections_owed("jdoe", &step.today);
    assert!(owed.is_empty(), "jdoe wrote Contributing Factors: {owed:?}");
    let (_, out) = life.check(&step.today);
    assert!(!out.contains("[PM703]"), "a written section is not overdue:\n{out}");
}

#[test]
fn a_published_postmortem_leaves_the_default_status() {
    let steps = Steps::load();
    let life = Life::begin(&steps);
    let (published, before) = steps.step.split_last().expect("steps");
    for step in before {
        assert_eq!(life.at(step).listed(&step.today, false), [ID], "listed at {}", step.dir);
    }
    life.at(published);
    let listed = life.listed(&published.today, false);
    assert!(listed.is_empty(), "not listed once published: {listed:?}");
    assert_eq!(life.listed(&published.today, true), [ID], "`--all` still lists it");
}

//! An action item without a `status` means one thing to every reader: it is a schema error,
//! and until it is fixed the item counts as open (still owed) — in `pm check`'s overdue rule,
//! `pm actions`, `pm gate`, `pm export`, `pm metrics` and the site's action-items page alike.
//! The fixture `tests/fixtures/item-state` has one such item, due long before `TODAY`, beside
//! one that is done.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::fs::crate_root;
use crate::support::run::pm as pm_command;

const FIXTURE: &str = "tests/fixtures/item-state";
const TODAY: &str = "2026-06-01";
const MISSING: &str = "Alert on connection pool exhaustion";
const DONE: &str = "Canary stage exercises checkout";

fn pm(args: &[&str]) -> Output {
    pm_command(args)
        .current_dir(crate_root())
        .args(["--root", FIXTURE, "--today", TODAY])
        .output()
        .expect("run pm")
}

fn json(args: &[&str]) -> Value {
    let out = pm(args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr))
    })
}

#[test]
fn check_reports_the_missing_status_and_counts_the_item_overdue() {
    let report = json(&["check", "--format", "json"]);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    let by_rule =
        |rule: &str| -> Vec<&Value> { diagnostics.iter().filter(|d| d["rule"] == rule).collect() };
    assert!(
        by_rule("schema").iter().any(|d| d["message"].as_str().unwrap_or("").contains("status")),
        "the missing status is a schema error: {diagnostics:#?}"
    );
    let overdue = by_rule("action-item-overdue");
    assert_eq!(overdue.len(), 1, "{diagnostics:#?}");
    assert!(overdue[0]["message"].as_str().unwrap_or("").contains(MISSING));
}

#[test]
fn actions_and_gate_list_the_item_as_outstanding() {
    let report = json(&["actions", "--format", "json"]);
    let items = report["items"].as_array().expect("items");
    let titles: Vec<&str> = items.iter().filter_map(|i| i["title"].as_str()).collect();
    assert_eq!(titles, [MISSING], "only the item without a status is outstanding");
    assert_eq!(items[0]["status"], Value::Null, "the status is reported as written");
    assert_eq!(items[0]["overdue"], true);

    let gate = pm(&["gate", "--team", "payments"]);
    assert_eq!(gate.status.code(), Some(1), "an overdue item closes the gate");
    assert!(String::from_utf8_lossy(&gate.stdout).contains(MISSING));
}

#[test]
fn export_counts_the_item_outstanding() {
    let export = json(&["export", "--what", "action-items", "--format", "json"]);
    let items = export["action_items"].as_array().or_else(|| export.as_array()).expect("items");
    let item = |title: &str| {
        items.iter().find(|i| i["title"] == title).unwrap_or_else(|| panic!("{title} exported"))
    };
    assert_eq!(item(MISSING)["outstanding"], true);
    assert_eq!(item(MISSING)["overdue"], true);
    assert_eq!(item(DONE)["outstanding"], false);
}

#[test]
fn metrics_count_the_item_open_and_overdue() {
    let metrics = json(&["metrics", "--format", "json"]);
    let items = &metrics["action_items"];
    assert_eq!(items["total"], 2);
    assert_eq!(items["open"], 1);
    assert_eq!(items["overdue"], 1);
    assert_eq!(items["done"], 1);
}

#[test]
fn the_site_lists_the_item_as_open_and_overdue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    let built = pm(&["build", "--out", out.to_str().expect("UTF-8 path")]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let page =
        std::fs::read_to_string(Path::new(&out).join("actions/index.html")).expect("actions page");
    assert!(page.contains(MISSING), "the open item is on the action-items page");
    assert!(!page.contains(DONE), "the done item is not");
    let postmortem = std::fs::read_to_string(out.join("postmortems/INC-2026-0001.html"))
        .or_else(|_| {
            // The page's file name follows the site's scheme; find it rather than guess.
            let dir = out.join("postmortems");
            let page = std::fs::read_dir(&dir)
                .expect("postmortems folder")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().contains("INC-2026-0001"))
                .expect("the postmortem's page");
            std::fs::read_to_string(page)
        })
        .expect("postmortem page");
    assert!(postmortem.contains(MISSING));
}

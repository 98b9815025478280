//! Keeps the published `schema/pm.toml.schema.json` in sync with the config structs: every key
//! the code accepts is documented in the schema and every documented key is accepted.

use std::collections::BTreeSet;

use serde_json::Value;

fn schema() -> Value {
    serde_json::from_str(include_str!("../../schema/pm.toml.schema.json")).expect("schema is JSON")
}

/// The keys serde accepts in a table: provoke an unknown-field error and read its list.
fn accepted_keys(toml_prefix: &str) -> BTreeSet<String> {
    let text = format!("{toml_prefix}zzz_unknown = 1\n");
    let err = pm::config::Config::parse(&text, "pm.toml").expect_err("unknown key must fail");
    let expected =
        err.message.split("expected").nth(1).unwrap_or_else(|| panic!("no key list in: {err}"));
    expected.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

fn schema_keys(pointer: &str) -> BTreeSet<String> {
    let schema = schema();
    let node = schema.pointer(pointer).unwrap_or_else(|| panic!("no {pointer} in schema"));
    node["properties"].as_object().expect("properties").keys().cloned().collect()
}

#[test]
fn every_table_matches_the_schema() {
    let tables = [
        ("", ""),
        ("[teams.t]\n", "/properties/teams/additionalProperties"),
        ("[services.s]\n", "/properties/services/additionalProperties"),
        ("[trackers.j]\n", "/properties/trackers/additionalProperties"),
        ("[sections]\n", "/properties/sections"),
        ("[[suppress]]\n", "/properties/suppress/items"),
        ("[blameless]\n", "/properties/blameless"),
        ("[gate]\n", "/properties/gate"),
        ("[site]\n", "/properties/site"),
        ("[sync]\n", "/properties/sync"),
        ("[verification]\n", "/properties/verification"),
        ("[completion]\n", "/properties/completion"),
        ("[[completion.checklist]]\n", "/properties/completion/properties/checklist/items"),
    ];
    for (prefix, pointer) in tables {
        assert_eq!(
            accepted_keys(prefix),
            schema_keys(pointer),
            "table {prefix:?} vs schema {pointer}"
        );
    }
}

/// A severity override accepts what `[completion]` does but for the keys of the whole policy,
/// which serde reads there and validation refuses: the schema leaves them out.
#[test]
fn a_completion_override_matches_the_schema() {
    let mut accepted = accepted_keys("[completion.severity.SEV1]\n");
    for whole in ["since", "git_trailers", "severity"] {
        assert!(accepted.remove(whole), "{whole} is read in an override, then refused");
    }
    assert_eq!(
        accepted,
        schema_keys("/properties/completion/properties/severity/additionalProperties")
    );
}

#[test]
fn a_full_config_is_valid_for_both() {
    let text = r#"
title = "Acme"
postmortems = "pms"
timezone = "Europe/Berlin"
severities = ["SEV1", "SEV2"]
id_prefix = "OUT"
placeholders = ["XXX"]
holidays = ["2026-12-25"]
[deadlines]
SEV1 = 3
[teams.payments]
name = "Payments"
members = ["jdoe"]
owner = "jdoe"
codeowners = ["@acme/payments", "payments@acme.example"]
[services.checkout-api]
team = "payments"
owner = "jdoe"
description = "Checkout"
[trackers.jira]
pattern = "^PAY-[0-9]+$"
url = "https://jira.example.com/browse/{key}"
[sections]
required = ["Summary"]
aliases = { Summary = ["Overview"] }
[rules]
blameless-language = "info"
[[suppress]]
paths = ["pms/2019/**"]
rules = ["PM503"]
[blameless]
allow = ["culprit"]
names = false
[gate]
max_overdue_postmortems = 1
block_priorities = ["P0"]
grace_days = 2
[site]
output = "site"
base_url = "https://pm.example.com/"
repo_url = "https://github.com/acme/pms"
branch = "trunk"
allow_html = true
[completion]
sections = ["Summary", "Impact"]
min_timeline_entries = 2
min_action_items = 1
tickets = true
no_drift = true
fields = ["detection", "impact", "x-customer-ticket"]
approvals = 1
approvers = ["owner", "team:payments", "anyone"]
self_approval = false
review = "any"
async_window = 3
since = "2026-01-01"
git_trailers = true
checklist = [{ id = "customers-told", question = "Were the affected customers told?" }]
[completion.severity.SEV1]
approvals = 2
review = "meeting"
"#;
    pm::config::Config::parse(text, "pm.toml").expect("the code accepts it");
    let value: toml::Value = toml::from_str(text).expect("toml");
    let json = serde_json::to_value(value).expect("json");
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

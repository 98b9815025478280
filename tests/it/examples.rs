//! The example repositories are test fixtures too: `examples/broken` must keep exercising every
//! rule in the registry (so a new rule cannot land without a broken example), its bad input must
//! never stop the run, and `examples/demo` must stay free of errors and keep showing every
//! section of `pm.toml`.
//!
//! The exact output of both is pinned by the trycmd cases in `tests/cmd/examples/`; these tests
//! state the properties that a re-blessed snapshot must not quietly lose.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::fs::crate_path;
use crate::support::run::pm;

/// "Today" for every run, so deadline rules give the same answer on any date.
const TODAY: &str = "2026-11-25";

/// The broken repository's bad-input files: each must yield `invalid-front-matter` and nothing
/// else (the rest of the file cannot be read, so no other rule may claim to have read it).
const BAD_INPUT: &[&str] = &[
    "INC-2026-0120-empty.md",
    "INC-2026-0121-no-front-matter.md",
    "INC-2026-0122-unterminated-front-matter.md",
    "INC-2026-0123-yaml-syntax-error.md",
    "INC-2026-0124-front-matter-is-a-list.md",
    "INC-2026-0125-duplicate-keys.md",
    "INC-2026-0126-not-utf8.md",
    "INC-2026-0127-binary.md",
    "INC-2026-0128-yaml-alias-bomb.md",
    "INC-2026-0129-deep-nesting.md",
];

/// The broken repository's control file: valid apart from CRLF line endings and a BOM.
const CRLF_BOM: &str = "INC-2026-0130-crlf-bom-valid.md";

/// Runs `pm check --format json` on an example; the exit code and the diagnostics.
fn check(example: &str) -> (i32, Vec<Value>) {
    let root = crate_path("examples").join(example);
    let output = pm(["check", "--color", "never", "--format", "json", "--today", TODAY, "--root"])
        .arg(&root)
        .output()
        .expect("run pm");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let code = output.status.code().expect("pm exited with a code");
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("the json report of {example} does not parse ({e}):\n{stdout}"));
    let diagnostics = report["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no `diagnostics` array in the report of {example}"))
        .clone();
    (code, diagnostics)
}

fn field<'a>(diagnostic: &'a Value, key: &str) -> &'a str {
    diagnostic[key].as_str().unwrap_or_else(|| panic!("`{key}` is not a string in {diagnostic}"))
}

/// The file name of a diagnostic's path.
fn file_name(diagnostic: &Value) -> &str {
    let path = field(diagnostic, "path");
    path.rsplit('/').next().unwrap_or(path)
}

/// Rule slugs reported per file name.
fn rules_by_file(diagnostics: &[Value]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut by_file: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for d in diagnostics {
        by_file.entry(file_name(d)).or_default().insert(field(d, "rule"));
    }
    by_file
}

#[test]
fn broken_example_triggers_every_rule() {
    let (code, diagnostics) = check("broken");
    assert_eq!(code, 1, "the broken example must fail `pm check`");
    let reported: BTreeSet<&str> = diagnostics.iter().map(|d| field(d, "rule")).collect();
    let missing: Vec<&str> = pm::rules::RULES
        .iter()
        .map(|r| r.meta().slug)
        .filter(|slug| !reported.contains(slug))
        .collect();
    assert!(
        missing.is_empty(),
        "no file in examples/broken triggers {missing:?}: add one postmortem per rule there \
         (see examples/broken/README.md)"
    );
}

#[test]
fn broken_example_files_named_after_a_rule_trigger_it() {
    let (_, diagnostics) = check("broken");
    let by_file = rules_by_file(&diagnostics);
    for rule in pm::rules::RULES {
        let slug = rule.meta().slug;
        if slug == "invalid-front-matter" {
            continue; // its examples are the bad-input files, checked below
        }
        let named: Vec<(&&str, &BTreeSet<&str>)> =
            by_file.iter().filter(|(name, _)| name.contains(slug)).collect();
        assert!(!named.is_empty(), "no file in examples/broken is named after `{slug}`");
        for (name, rules) in named {
            assert!(rules.contains(slug), "{name} is named after `{slug}` but yields {rules:?}");
        }
    }
}

#[test]
fn bad_input_is_reported_and_never_stops_the_run() {
    let (_, diagnostics) = check("broken");
    let by_file = rules_by_file(&diagnostics);
    for name in BAD_INPUT {
        let rules = by_file.get(name).unwrap_or_else(|| panic!("{name} yields no diagnostic"));
        assert_eq!(
            rules,
            &BTreeSet::from(["invalid-front-matter"]),
            "{name} must yield invalid-front-matter only"
        );
    }
    assert!(
        !by_file.contains_key(CRLF_BOM),
        "{CRLF_BOM} is valid (CRLF and a BOM are fine) but yields {:?}",
        by_file.get(CRLF_BOM)
    );
    // Every other file was still read and checked: each demonstrates something.
    let folder = crate_path("examples/broken/postmortems/2026");
    let files: Vec<String> = std::fs::read_dir(&folder)
        .expect("read examples/broken/postmortems/2026")
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != CRLF_BOM)
        .collect();
    assert!(files.len() > BAD_INPUT.len(), "the broken example has lost its rule files");
    for name in &files {
        assert!(by_file.contains_key(name.as_str()), "{name} yields no diagnostic");
    }
}

#[test]
fn demo_example_has_no_errors() {
    let (code, diagnostics) = check("demo");
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| field(d, "severity") == "error")
        .map(|d| {
            format!(
                "{}:{}: {}: {}",
                field(d, "path"),
                d["line"],
                field(d, "rule"),
                field(d, "message")
            )
        })
        .collect();
    assert!(errors.is_empty(), "the demo must have no errors:\n{}", errors.join("\n"));
    assert_eq!(code, 0, "`pm check` fails on the demo");
}

/// Settings that `schema` describes and `value` never uses, by dotted path: each property of
/// a fixed-shape table must be present, and each property of a table-of-tables (`teams.*`) or
/// of a list of tables (`suppress[]`) must be present in at least one entry.
fn unused_settings(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    if let (Some(properties), Some(table)) = (schema["properties"].as_object(), value.as_object()) {
        for (key, sub) in properties {
            match table.get(key) {
                Some(v) => unused_settings(sub, v, &join(key), out),
                None => out.push(join(key)),
            }
        }
    }
    let entries: Vec<&Value> = match (&schema["additionalProperties"], value) {
        (Value::Object(_), Value::Object(table)) => table.values().collect(),
        _ => match (&schema["items"], value) {
            (Value::Object(_), Value::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        },
    };
    let entry_schema = if schema["additionalProperties"].is_object() {
        &schema["additionalProperties"]
    } else {
        &schema["items"]
    };
    if let Some(properties) = entry_schema["properties"].as_object() {
        for key in properties.keys() {
            if !entries.iter().any(|e| e.get(key).is_some()) {
                out.push(join(&format!("*.{key}")));
            }
        }
    }
}

#[test]
fn demo_config_uses_every_setting_of_pm_toml() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate_path("schema/pm.toml.schema.json"))
            .expect("read schema/pm.toml.schema.json"),
    )
    .expect("the pm.toml schema parses");
    let demo: toml::Table = std::fs::read_to_string(crate_path("examples/demo/pm.toml"))
        .expect("read examples/demo/pm.toml")
        .parse()
        .expect("examples/demo/pm.toml parses");
    let demo = serde_json::to_value(demo).expect("TOML converts to JSON");
    let mut unused = Vec::new();
    unused_settings(&schema, &demo, "", &mut unused);
    assert!(
        unused.is_empty(),
        "examples/demo/pm.toml does not show {unused:?}: the demo is where users see every setting"
    );
}

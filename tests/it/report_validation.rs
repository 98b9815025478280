//! Validates the machine-readable reports of `pm check` as their consumers would read them:
//! the real binary runs on `tests/fixtures/formats` (and on `formats/hostile`, whose messages
//! carry markup, control characters and escape characters), and each output is parsed — SARIF
//! and GitLab as JSON, JUnit with a real XML parser (Python's `xml.dom.minidom`), GitHub
//! commands by their grammar — and checked against the `json` report of the same run, which is
//! the reference for what was found.
//!
//! The trycmd snapshots in `tests/cmd/formats/` pin the exact bytes; these tests say why those
//! bytes are right (structure, escaping, UTF-16 columns), so a re-blessed snapshot cannot
//! quietly break a consumer.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::fs::{crate_path, crate_root};
use crate::support::run::pm;

const TODAY: &str = "2026-06-01";

fn fixture() -> PathBuf {
    crate_path("tests/fixtures/formats")
}

/// Runs `pm check --root ROOT --format FORMAT --today TODAY EXTRA...`; stdout and exit code.
fn check(root: &Path, format: &str, extra: &[&str]) -> (String, i32) {
    let output = pm(["check", "--color", "never", "--today", TODAY, "--format", format, "--root"])
        .current_dir(crate_root())
        .arg(root)
        .args(extra)
        .output()
        .expect("run pm");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let code = output.status.code().expect("exit code");
    assert!(code == 0 || code == 1, "pm {format} failed with {code}: {stdout}");
    (stdout, code)
}

/// The `json` report's diagnostics: the reference every other format is compared with.
fn reference(root: &Path, extra: &[&str]) -> Vec<Value> {
    let (out, _) = check(root, "json", extra);
    let json: Value = serde_json::from_str(&out).expect("json report parses");
    json["diagnostics"].as_array().expect("diagnostics array").clone()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

fn int_of(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("`{key}` is not a non-negative integer in {v}"))
}

/// Asserts `v` is an object whose keys include `required` and are all in `allowed` (the SARIF
/// schema sets `additionalProperties: false` on its objects, so a misspelt key is invalid).
fn keys(v: &Value, required: &[&str], allowed: &[&str]) {
    let map = v.as_object().unwrap_or_else(|| panic!("not an object: {v}"));
    for key in required {
        assert!(map.contains_key(*key), "missing `{key}` in {v}");
    }
    for key in map.keys() {
        assert!(
            required.contains(&key.as_str()) || allowed.contains(&key.as_str()),
            "unexpected `{key}` in {v}"
        );
    }
}

/// The 1-based UTF-16 column of 1-based character `column` on `line` of `path` in the fixture.
fn utf16_column(root: &Path, path: &str, line: u64, column: u64) -> u64 {
    let text = std::fs::read_to_string(root.join(path)).expect("read fixture file");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let line_text = text.split('\n').nth(line as usize - 1).expect("line exists");
    let before: usize = line_text.chars().take(column as usize - 1).map(char::len_utf16).sum();
    before as u64 + 1
}

const SEVERITIES: [&str; 3] = ["error", "warning", "info"];

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_is_a_valid_2_1_0_log_whose_results_match_the_diagnostics() {
    let root = fixture();
    let (out, code) = check(&root, "sarif", &[]);
    assert_eq!(code, 1, "the fixture has errors");
    let diagnostics = reference(&root, &[]);
    let log: Value = serde_json::from_str(&out).expect("SARIF parses as JSON");

    keys(&log, &["version", "runs"], &["$schema"]);
    assert_eq!(str_of(&log, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
    assert_eq!(str_of(&log, "version"), "2.1.0");
    let runs = log["runs"].as_array().expect("runs array");
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    keys(run, &["tool"], &["results", "columnKind"]);
    if run.get("columnKind").is_some() {
        assert_eq!(str_of(run, "columnKind"), "utf16CodeUnits");
    }

    // The driver and its rules: every registered rule, in registry order.
    keys(&run["tool"], &["driver"], &[]);
    let driver = &run["tool"]["driver"];
    keys(driver, &["name", "version", "rules"], &["informationUri"]);
    assert_eq!(str_of(driver, "name"), "pm");
    assert_eq!(str_of(driver, "version"), env!("CARGO_PKG_VERSION"));
    if driver.get("informationUri").is_some() {
        let uri = str_of(driver, "informationUri");
        assert!(uri.starts_with("https://") || uri.starts_with("http://"), "absolute: {uri}");
    }
    let rules = driver["rules"].as_array().expect("rules array");
    let codes: Vec<&str> = pm::rules::RULES.iter().map(|r| r.meta().code).collect();
    let ids: Vec<&str> = rules.iter().map(|r| str_of(r, "id")).collect();
    assert_eq!(ids, codes, "every rule, in registry order");
    for (rule, meta) in rules.iter().zip(pm::rules::RULES.iter().map(|r| r.meta())) {
        keys(
            rule,
            &["id"],
            &["name", "shortDescription", "fullDescription", "help", "defaultConfiguration"],
        );
        assert_eq!(str_of(rule, "name"), meta.slug);
        assert_eq!(str_of(&rule["shortDescription"], "text"), meta.summary);
        for key in ["fullDescription", "help"] {
            keys(&rule[key], &["text"], &["markdown"]);
            assert!(str_of(&rule[key], "markdown").contains("What it does"), "{key} has docs");
        }
        keys(&rule["defaultConfiguration"], &["level"], &[]);
        let level = str_of(&rule["defaultConfiguration"], "level");
        assert_eq!(level, sarif_level(meta.default_severity.as_str()));
    }

    // Results: one per diagnostic, in the same order, each pointing at its rule.
    let results = run["results"].as_array().expect("results array");
    assert_eq!(results.len(), diagnostics.len());
    let mut fingerprints = BTreeSet::new();
    for (result, d) in results.iter().zip(&diagnostics) {
        keys(
            result,
            &["message"],
            &["ruleId", "ruleIndex", "level", "locations", "partialFingerprints", "properties"],
        );
        let index = int_of(result, "ruleIndex") as usize;
        assert!(index < rules.len(), "ruleIndex {index} out of range");
        assert_eq!(str_of(&rules[index], "id"), str_of(result, "ruleId"), "ruleIndex → ruleId");
        assert_eq!(str_of(result, "ruleId"), str_of(d, "code"));
        assert_eq!(str_of(result, "level"), sarif_level(str_of(d, "severity")));
        keys(&result["message"], &["text"], &[]);
        assert_eq!(str_of(&result["message"], "text"), str_of(d, "message"));
        if let Some(help) = d.get("help") {
            assert_eq!(&result["properties"]["help"], help);
        }

        let locations = result["locations"].as_array().expect("locations array");
        assert_eq!(locations.len(), 1);
        keys(&locations[0], &["physicalLocation"], &[]);
        let physical = &locations[0]["physicalLocation"];
        keys(physical, &["artifactLocation", "region"], &[]);
        let artifact = &physical["artifactLocation"];
        keys(artifact, &["uri"], &["uriBaseId"]);
        assert_eq!(str_of(artifact, "uri"), str_of(d, "path"), "repo-relative, nothing to encode");
        assert_eq!(str_of(artifact, "uriBaseId"), "%SRCROOT%");

        let region = &physical["region"];
        keys(region, &["startLine", "startColumn", "endLine", "endColumn"], &[]);
        let path = str_of(d, "path");
        let (line, end_line) = (int_of(d, "line"), int_of(d, "end_line"));
        assert_eq!(int_of(region, "startLine"), line);
        assert_eq!(int_of(region, "endLine"), end_line);
        assert_eq!(
            int_of(region, "startColumn"),
            utf16_column(&root, path, line, int_of(d, "column")),
            "startColumn in UTF-16 units: {result}"
        );
        assert_eq!(
            int_of(region, "endColumn"),
            utf16_column(&root, path, end_line, int_of(d, "end_column")),
            "endColumn in UTF-16 units: {result}"
        );

        let partial = result["partialFingerprints"].as_object().expect("fingerprints object");
        assert!(!partial.is_empty());
        for value in partial.values() {
            let value = value.as_str().expect("fingerprint is a string");
            assert!(fingerprints.insert(value.to_owned()), "fingerprint {value} repeats");
        }
    }

    // The line with non-ASCII text before the finding: `reviewers: [𠮷田, mallory]`. "𠮷" is
    // one character but two UTF-16 units, so SARIF's columns are one more than the characters.
    let (result, d) = results
        .iter()
        .zip(&diagnostics)
        .find(|(r, _)| str_of(&r["message"], "text").contains("`mallory`"))
        .expect("the unknown reviewer is reported");
    assert_eq!((int_of(d, "line"), int_of(d, "column"), int_of(d, "end_column")), (10, 17, 24));
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        [region["startLine"].clone(), region["startColumn"].clone(), region["endColumn"].clone()],
        [Value::from(10), Value::from(18), Value::from(25)]
    );

    // Deterministic: the same run gives the same bytes.
    assert_eq!(check(&root, "sarif", &[]).0, out);
}

fn sarif_level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        "info" => "note",
        other => panic!("unknown severity {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// GitLab Code Quality

#[test]
fn gitlab_is_an_array_of_code_quality_issues() {
    let root = fixture();
    let (out, code) = check(&root, "gitlab", &[]);
    assert_eq!(code, 1);
    let diagnostics = reference(&root, &[]);
    let issues: Value = serde_json::from_str(&out).expect("GitLab report parses as JSON");
    let issues = issues.as_array().expect("a JSON array");
    assert_eq!(issues.len(), diagnostics.len());
    let mut fingerprints = BTreeSet::new();
    for (issue, d) in issues.iter().zip(&diagnostics) {
        keys(issue, &["description", "check_name", "fingerprint", "severity", "location"], &[]);
        assert_eq!(str_of(issue, "description"), str_of(d, "message"));
        assert_eq!(str_of(issue, "check_name"), str_of(d, "rule"));
        let expected = match str_of(d, "severity") {
            "error" => "major",
            "warning" => "minor",
            _ => "info",
        };
        assert_eq!(str_of(issue, "severity"), expected);
        let fingerprint = str_of(issue, "fingerprint");
        assert!(
            fingerprint.len() == 32 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "{fingerprint}"
        );
        assert!(fingerprints.insert(fingerprint.to_owned()), "fingerprint {fingerprint} repeats");
        let location = &issue["location"];
        keys(location, &["path", "lines"], &[]);
        assert_eq!(str_of(location, "path"), str_of(d, "path"));
        assert!(root.join(str_of(location, "path")).is_file(), "path is repo-relative");
        keys(&location["lines"], &["begin"], &["end"]);
        assert_eq!(int_of(&location["lines"], "begin"), int_of(d, "line"));
    }
    assert_eq!(check(&root, "gitlab", &[]).0, out, "stable across runs");
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

/// One parsed `::kind props::message` line, unescaped.
#[derive(Debug)]
struct WorkflowCommand {
    kind: String,
    properties: BTreeMap<String, String>,
    message: String,
}

/// Parses a workflow command strictly: every property value and the message must be escaped
/// the way GitHub's runner unescapes them.
fn parse_command(line: &str) -> WorkflowCommand {
    let rest = line.strip_prefix("::").unwrap_or_else(|| panic!("not a command: {line}"));
    let (head, message) = rest.split_once("::").unwrap_or_else(|| panic!("no `::`: {line}"));
    let (kind, props) = head.split_once(' ').unwrap_or_else(|| panic!("no properties: {line}"));
    let mut properties = BTreeMap::new();
    for prop in props.split(',') {
        let (key, value) = prop.split_once('=').unwrap_or_else(|| panic!("bad property {prop}"));
        assert!(!value.contains(':'), "unescaped `:` in {prop}");
        assert!(properties.insert(key.to_owned(), unescape(value)).is_none(), "repeated {key}");
    }
    assert!(!message.contains(['\r', '\n']), "raw line break in {line}");
    WorkflowCommand { kind: kind.to_owned(), properties, message: unescape(message) }
}

/// Reverses GitHub's escaping; panics on a `%` that is not one of its escapes.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i..i + 3).unwrap_or_else(|| panic!("dangling % in {s}"));
        out.push(match code {
            "%25" => '%',
            "%0D" => '\r',
            "%0A" => '\n',
            "%3A" => ':',
            "%2C" => ',',
            _ => panic!("unknown escape {code} in {s}"),
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// What a terminal-bound report shows of a value: control characters other than tab and
/// newline as their Unicode control pictures (C0, DEL) or U+FFFD (C1), never raw.
fn control_pictures(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' => c,
            '\x7f' => '\u{2421}',
            c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

fn check_github(root: &Path, extra: &[&str]) {
    let (out, _) = check(root, "github", extra);
    let diagnostics = reference(root, extra);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), diagnostics.len(), "one line per diagnostic:\n{out}");
    for (line, d) in lines.iter().zip(&diagnostics) {
        let command = parse_command(line);
        let expected_kind = match str_of(d, "severity") {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        assert_eq!(command.kind, expected_kind);
        let props: BTreeMap<&str, &str> =
            command.properties.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let line_no = int_of(d, "line").to_string();
        let col = int_of(d, "column").to_string();
        let end_line = int_of(d, "end_line").to_string();
        let end_col = int_of(d, "end_column").to_string();
        let title = format!("{} {}", str_of(d, "code"), str_of(d, "rule"));
        let expected = BTreeMap::from([
            ("file", str_of(d, "path")),
            ("line", line_no.as_str()),
            ("col", col.as_str()),
            ("endLine", end_line.as_str()),
            ("endColumn", end_col.as_str()),
            ("title", title.as_str()),
        ]);
        assert_eq!(props, expected);
        let mut message = str_of(d, "message").to_owned();
        if let Some(help) = d.get("help").and_then(Value::as_str) {
            message = format!("{message}\n{help}");
        }
        assert_eq!(command.message, control_pictures(&message));
    }
}

#[test]
fn github_commands_are_well_formed_and_carry_every_diagnostic() {
    let root = fixture();
    check_github(&root, &[]);
    let (_, code) = check(&root, "github", &[]);
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------------------------
// JUnit

/// Parses `xml` with Python's minidom (a conforming XML parser; the crate has none) and returns
/// its test structure as JSON: `{root, suites: [{name, tests, failures, cases: [{name,
/// failures: [{message, type, text}], out: [text]}]}]}`.
fn parse_junit(xml: &str) -> Value {
    const SCRIPT: &str = r#"
import json, sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.stdin.buffer)
def text(node):
    return "".join(c.data for c in node.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE))
def kids(node, tag):
    return [c for c in node.childNodes if c.nodeType == c.ELEMENT_NODE and c.tagName == tag]
root = doc.documentElement
print(json.dumps({
    "root": root.tagName,
    "suites": [{
        "name": s.getAttribute("name"),
        "tests": s.getAttribute("tests"),
        "failures": s.getAttribute("failures"),
        "cases": [{
            "name": c.getAttribute("name"),
            "failures": [{"message": f.getAttribute("message"), "type": f.getAttribute("type"),
                          "text": text(f)} for f in kids(c, "failure")],
            "out": [text(o) for o in kids(c, "system-out")],
        } for c in kids(s, "testcase")],
    } for s in root.getElementsByTagName("testsuite")],
}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to parse the JUnit XML");
    child.stdin.take().expect("stdin").write_all(xml.as_bytes()).expect("write xml");
    let output = child.wait_with_output().expect("python3 runs");
    assert!(
        output.status.success(),
        "not well-formed XML: {}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("parser output")
}

/// Checks a JUnit report of `root` against the json report: one case per checked file, the
/// failing diagnostics (at or above `fail_level`) in `<failure>`, the rest in `<system-out>`.
fn check_junit(root: &Path, extra: &[&str], fail_level: &str) -> Value {
    let (out, _) = check(root, "junit", extra);
    let parsed = parse_junit(&out);
    let diagnostics = reference(root, extra);
    let rank = |s: &str| SEVERITIES.iter().rev().position(|x| *x == s).expect("severity");
    let fails = |d: &Value| rank(str_of(d, "severity")) >= rank(fail_level);

    assert_eq!(parsed["root"], "testsuites");
    let suites = parsed["suites"].as_array().expect("suites");
    assert_eq!(suites.len(), 1, "one testsuite");
    let suite = &suites[0];
    assert_eq!(suite["name"], "pm check");
    let cases = suite["cases"].as_array().expect("cases");
    assert_eq!(suite["tests"], cases.len().to_string());

    let mut by_path: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for d in &diagnostics {
        by_path.entry(str_of(d, "path")).or_default().push(d);
    }
    let line = |d: &&Value| {
        format!(
            "{}:{} {}[{}] {}: {}",
            int_of(d, "line"),
            int_of(d, "column"),
            str_of(d, "severity"),
            str_of(d, "code"),
            str_of(d, "rule"),
            str_of(d, "message")
        )
    };
    let mut failing_cases = 0;
    for case in cases {
        let name = str_of(case, "name");
        let found = by_path.remove(name).unwrap_or_default();
        let (failing, passing): (Vec<&Value>, Vec<&Value>) = found.iter().partition(|d| fails(d));
        let failures = case["failures"].as_array().expect("failures");
        if failing.is_empty() {
            assert!(failures.is_empty(), "{name} should pass");
        } else {
            failing_cases += 1;
            assert_eq!(failures.len(), 1, "{name}: one <failure>");
            let text: Vec<String> = failing.iter().map(line).collect();
            assert_eq!(str_of(&failures[0], "text"), text.join("\n"));
            assert!(!str_of(&failures[0], "message").is_empty());
        }
        let outs = case["out"].as_array().expect("system-out");
        if passing.is_empty() {
            assert!(outs.is_empty(), "{name}: no <system-out>");
        } else {
            let text: Vec<String> = passing.iter().map(line).collect();
            assert_eq!(outs, &[Value::from(text.join("\n"))]);
        }
    }
    assert!(by_path.is_empty(), "diagnostics without a test case: {by_path:?}");
    assert_eq!(suite["failures"], failing_cases.to_string());
    parsed
}

#[test]
fn junit_is_well_formed_with_one_case_per_file() {
    let root = fixture();
    let parsed = check_junit(&root, &[], "error");
    let cases = parsed["suites"][0]["cases"].as_array().expect("cases");

    // Every file of the fixture is a case, the clean one included.
    let mut files: Vec<String> = std::fs::read_dir(root.join("postmortems/2026"))
        .expect("fixture folder")
        .map(|e| format!("postmortems/2026/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    files.sort();
    let names: Vec<&str> = cases.iter().map(|c| str_of(c, "name")).collect();
    assert_eq!(names, files);
    assert_eq!(parsed["suites"][0]["failures"], "1", "only the file with errors fails");

    // Markup in a message survives the round trip: `<pager> & 'chat'` comes back verbatim.
    let text = str_of(&cases[1]["failures"][0], "text");
    assert!(text.contains("`<pager> & 'chat'`"), "{text}");
    assert_eq!(str_of(&cases[1]["failures"][0], "message"), "3 errors");

    // With --deny warnings, warnings fail too and only the info stays in <system-out>.
    let parsed = check_junit(&root, &["--deny", "warnings"], "warning");
    assert_eq!(parsed["suites"][0]["failures"], "2");
}

// ---------------------------------------------------------------------------------------------
// Hostile text: control characters, line breaks and escapes in user data (`hostile/` in the
// fixture: its own repository, outside the outer one's `postmortems` folder)

#[test]
fn hostile_text_keeps_every_format_parseable() {
    let root = &fixture().join("hostile");
    let diagnostics = reference(root, &[]);
    let messages: Vec<&str> = diagnostics.iter().map(|d| str_of(d, "message")).collect();
    assert!(
        messages.iter().any(|m| m.contains('\u{1b}') && m.contains("\r\n")),
        "the fixture must put control characters and a line break into a message: {messages:?}"
    );

    check_github(root, &[]);
    check_junit_lossy(root);

    for format in ["sarif", "gitlab"] {
        let (out, _) = check(root, format, &[]);
        let value: Value = serde_json::from_str(&out).expect("parses as JSON");
        assert!(value.to_string().contains("\\u001b[31m"), "{format} keeps the text as JSON");
    }
    let (sarif, _) = check(root, "sarif", &[]);
    let sarif: Value = serde_json::from_str(&sarif).expect("json");
    let uri = str_of(
        &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"],
        "uri",
    );
    assert_eq!(uri, "postmortems/INC-2026-0001-a%2Cb%253A.md", "a valid URI reference");
}

/// JUnit of the hostile repository: well-formed, one case, the text kept but for the
/// characters XML cannot hold.
fn check_junit_lossy(root: &Path) {
    let (out, code) = check(root, "junit", &[]);
    assert_eq!(code, 1);
    let parsed = parse_junit(&out);
    let cases = parsed["suites"][0]["cases"].as_array().expect("cases").clone();
    assert_eq!(cases.len(), 1);
    assert_eq!(str_of(&cases[0], "name"), "postmortems/INC-2026-0001-a,b%3A.md");
    let failure = str_of(&cases[0]["failures"][0], "text");
    let allowed = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
    assert!(failure.chars().all(allowed), "no control characters left: {failure:?}");
    assert!(failure.contains("esc[31m"), "control characters dropped, the rest kept: {failure:?}");
    assert!(failure.contains(r#"<b>&amp; 'q' "d""#), "markup round-trips: {failure:?}");
    // The `&#13;` reference comes back as a real carriage return (a raw one would not).
    assert!(failure.contains("\r\nnext: 100%, ok"), "{failure:?}");
}

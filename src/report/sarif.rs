//! `--format sarif`: a SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF
//! viewers.
//!
//! The run's driver lists every rule (so a viewer can show a rule's docs even for results it
//! has not seen before); each result points at its rule by id and index. SARIF's default
//! column unit is the UTF-16 code unit, not the character: columns are recomputed here from
//! the diagnostic's byte span and the file's text, and fall back to the character columns
//! only when the text is not available (a folder that could not be read). Output is
//! deterministic: the same input gives byte-identical logs, so they can be diffed and cached.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::RULES;
use crate::source::Source;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where users learn about `pm`: the package's repository, else its homepage, when Cargo.toml
/// names one (empty otherwise, and the key is left out).
const INFORMATION_URI: &str =
    first_non_empty(env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE"));

const fn first_non_empty(a: &'static str, b: &'static str) -> &'static str {
    if a.is_empty() { b } else { a }
}

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    writeln!(out)
}

/// The whole SARIF log.
fn log(report: &Report<'_>) -> Value {
    let mut driver = serde_json::Map::new();
    driver.insert("name".into(), json!("pm"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    if !INFORMATION_URI.is_empty() {
        driver.insert("informationUri".into(), json!(INFORMATION_URI));
    }
    driver.insert("rules".into(), RULES.iter().map(|r| rule(r.meta())).collect());

    // The nth identical (rule, path, message) in a file gets its own fingerprint, so two equal
    // findings on different lines stay two alerts.
    let mut seen: HashMap<(&str, &str, &str), u32> = HashMap::new();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let n = seen.entry((d.code, &d.path, &d.message)).or_insert(0);
            *n += 1;
            result(d, (report.source)(&d.path), *n)
        })
        .collect();

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

/// A `reportingDescriptor` for one rule.
fn rule(m: &crate::rules::Meta) -> Value {
    let docs = m.docs.trim();
    json!({
        "id": m.code,
        "name": m.slug,
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": docs, "markdown": docs },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": level(m.default_severity) },
    })
}

/// A `result` for one diagnostic; `occurrence` counts equal findings in the same file.
fn result(d: &Diagnostic, source: Option<&Source>, occurrence: u32) -> Value {
    let (start_line, start_column, end_line, end_column) = utf16_region(d, source);
    let rule_index = RULES.iter().position(|r| r.meta().code == d.code);
    let fingerprint = fingerprint(&[
        d.code.as_bytes(),
        d.path.as_bytes(),
        d.message.as_bytes(),
        &occurrence.to_le_bytes(),
    ]);
    let mut result = serde_json::Map::new();
    result.insert("ruleId".into(), json!(d.code));
    // Every diagnostic comes from a registered rule; should one not, the index is left out
    // rather than pointing at the wrong rule.
    if let Some(index) = rule_index {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(d.severity)));
    result.insert("message".into(), json!({ "text": d.message }));
    result.insert(
        "locations".into(),
        json!([{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&d.path), "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": start_line,
                    "startColumn": start_column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
            },
        }]),
    );
    result.insert("partialFingerprints".into(), json!({ "pm/v1": format!("{fingerprint:032x}") }));
    if !d.notes.is_empty() {
        let related: Vec<Value> = d
            .notes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                json!({
                    "id": i,
                    "message": { "text": n.message },
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.path), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": n.line },
                    },
                })
            })
            .collect();
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(help) = &d.help {
        result.insert("properties".into(), json!({ "help": help }));
    }
    Value::Object(result)
}

/// SARIF's name for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Start line, start column, end line and end column (exclusive), 1-based, with columns in
/// UTF-16 code units.
fn utf16_region(d: &Diagnostic, source: Option<&Source>) -> (usize, usize, usize, usize) {
    let fallback = (d.line, d.column, d.end_line, d.end_column);
    let Some(source) = source else {
        return fallback;
    };
    let start = utf16_position(source, d.span.start);
    let end = utf16_position(source, d.span.end.max(d.span.start));
    // A diagnostic placed by line rather than by span (its span does not lead to its line)
    // keeps the columns it was given.
    if start.0 != d.line || end.0 != d.end_line {
        return fallback;
    }
    (start.0, start.1, end.0, end.1)
}

/// The 1-based line and UTF-16 column of byte `offset` in `source`, clamped into the text.
fn utf16_position(source: &Source, offset: usize) -> (usize, usize) {
    let (line, column) = source.lines.utf16_position(&source.text, offset);
    (line, column + 1)
}

/// A repo-relative path as a relative URI reference: every byte outside RFC 3986's unreserved
/// set (and `/`) is percent-encoded, so spaces, `%`, `#` and non-ASCII names stay valid URIs.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A stable 128-bit hash of `parts`, for fingerprints. Each part is followed by a separator
/// byte that UTF-8 never contains, so `("ab", "c")` and `("a", "bc")` differ.
pub(super) fn fingerprint(parts: &[&[u8]]) -> u128 {
    fnv1a_128(parts.iter().flat_map(|part| part.iter().copied().chain([0xff])))
}

/// FNV-1a, 128 bits. Chosen over `std`'s hasher because its algorithm is fixed by its
/// definition, not by the Rust release: fingerprints must not change when `pm` is rebuilt, or
/// every alert would look new.
fn fnv1a_128(bytes: impl IntoIterator<Item = u8>) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.into_iter().fold(OFFSET, |hash, b| (hash ^ u128::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn diagnostic_at(source: &Source, start: usize, end: usize) -> Diagnostic {
        let a = source.position(start);
        let b = source.position(end);
        Diagnostic {
            path: source.path.clone(),
            line: a.line,
            column: a.column,
            end_line: b.line,
            end_column: b.column,
            code: "PM503",
            rule: "blameless-language",
            severity: Severity::Warning,
            message: "m".into(),
            help: None,
            notes: Vec::new(),
            span: Span::new(start, end),
        }
    }

    #[test]
    fn columns_count_utf16_code_units() {
        // "🔥" is one character, two UTF-16 units and four bytes; "é" is one unit, two bytes.
        let text = "x\r\n🔥 é bad\n";
        let source = Source::new("a.md".into(), text.into());
        let start = text.find("bad").expect("present");
        let d = diagnostic_at(&source, start, start + 3);
        assert_eq!((d.column, d.end_column), (5, 8), "character columns");
        assert_eq!(utf16_region(&d, Some(&source)), (2, 6, 2, 9));
        // Without the text, the character columns are all there is.
        assert_eq!(utf16_region(&d, None), (2, 5, 2, 8));
    }

    #[test]
    fn offsets_inside_a_character_or_past_the_end_are_clamped() {
        let source = Source::new("a.md".into(), "🔥x".into());
        assert_eq!(utf16_position(&source, 2), (1, 1));
        assert_eq!(utf16_position(&source, 99), (1, 4));
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("postmortems/2026/a-b_c.md"), "postmortems/2026/a-b_c.md");
        assert_eq!(uri("post mortems/50%#ü.md"), "post%20mortems/50%25%23%C3%BC.md");
    }

    #[test]
    fn fingerprints_are_fixed_and_separate_their_parts() {
        // Published FNV-1a 128 test vectors.
        assert_eq!(fnv1a_128(*b""), 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        assert_eq!(fnv1a_128(*b"a"), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(fingerprint(&[b"a", b"b"]), fingerprint(&[b"a", b"b"]));
    }
}

//! `--format gitlab`: a GitLab Code Quality report (a JSON array of Code Climate issues), which
//! GitLab shows in the merge request widget and diff when a job publishes it as
//! `artifacts:reports:codequality`.
//!
//! GitLab compares the report of a merge request with its base's by `fingerprint`, so each
//! fingerprint must be stable across runs and unique within a report: it hashes the rule, path,
//! position and message, plus an occurrence count for the rare fully equal pair.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use super::sarif::fingerprint;
use crate::diagnostic::{Diagnostic, Severity};

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut seen: HashMap<(&str, &str, usize, usize, &str), u32> = HashMap::new();
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let n = seen.entry((d.code, &d.path, d.line, d.column, &d.message)).or_insert(0);
            *n += 1;
            issue(d, *n)
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// One Code Quality issue; `occurrence` counts equal findings at the same place.
fn issue(d: &Diagnostic, occurrence: u32) -> Value {
    let hash = fingerprint(&[
        d.code.as_bytes(),
        d.path.as_bytes(),
        &d.line.to_le_bytes(),
        &d.column.to_le_bytes(),
        d.message.as_bytes(),
        &occurrence.to_le_bytes(),
    ]);
    json!({
        "description": d.message,
        "check_name": d.rule,
        "fingerprint": format!("{hash:032x}"),
        "severity": severity(d.severity),
        "location": {
            "path": d.path,
            "lines": { "begin": d.line, "end": d.end_line.max(d.line) },
        },
    })
}

/// GitLab's severity scale is `info`, `minor`, `major`, `critical`, `blocker`; an error fails
/// the check, which is `major` (critical and blocker are for defects in running software).
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn diagnostic(line: usize, message: &str) -> Diagnostic {
        Diagnostic {
            path: "a.md".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            code: "PM101",
            rule: "unknown-owner",
            severity: Severity::Error,
            message: message.into(),
            help: None,
            notes: Vec::new(),
            span: Span::default(),
        }
    }

    #[test]
    fn fingerprints_differ_by_line_message_and_occurrence() {
        let a = issue(&diagnostic(3, "m"), 1)["fingerprint"].clone();
        assert_eq!(a, issue(&diagnostic(3, "m"), 1)["fingerprint"]);
        assert_ne!(a, issue(&diagnostic(4, "m"), 1)["fingerprint"]);
        assert_ne!(a, issue(&diagnostic(3, "n"), 1)["fingerprint"]);
        assert_ne!(a, issue(&diagnostic(3, "m"), 2)["fingerprint"]);
    }

    #[test]
    fn severities_use_gitlab_names() {
        assert_eq!(severity(Severity::Error), "major");
        assert_eq!(severity(Severity::Warning), "minor");
        assert_eq!(severity(Severity::Info), "info");
    }
}

//! `--format junit`: JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure
//! Pipelines, …) but not lint results.
//!
//! One `<testsuite name="pm check">` with one `<testcase>` per checked file, so passing files
//! count as passed tests. A file with diagnostics at or above the run's fail level gets a
//! `<failure>` listing them; diagnostics below the fail level do not fail it and go to
//! `<system-out>`. Text is escaped for XML 1.0, and characters XML 1.0 cannot carry at all
//! (most control characters) are dropped, so any message yields a well-formed document.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};

const SUITE: &str = "pm check";

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let fail_level = report.summary.fail_level.unwrap_or(Severity::Error);
    // Every checked file is a test case; a diagnostic on a path that was not a checked file (a
    // folder that could not be read) gets a case of its own so it is not lost.
    let mut cases: BTreeMap<&str, Vec<&Diagnostic>> =
        report.files.iter().map(|f| (*f, Vec::new())).collect();
    for d in report.diagnostics {
        cases.entry(d.path.as_str()).or_default().push(d);
    }
    let tests = cases.len();
    let failures = cases.values().filter(|ds| ds.iter().any(|d| d.severity >= fail_level)).count();

    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    let counts = format!(r#"tests="{tests}" failures="{failures}" errors="0""#);
    writeln!(out, r#"<testsuites name="{SUITE}" {counts}>"#)?;
    writeln!(out, r#"  <testsuite name="{SUITE}" {counts} skipped="0">"#)?;
    for (path, diagnostics) in &cases {
        test_case(out, path, diagnostics, fail_level)?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// One file's `<testcase>`.
fn test_case(
    out: &mut dyn Write,
    path: &str,
    diagnostics: &[&Diagnostic],
    fail_level: Severity,
) -> io::Result<()> {
    let path = escape(path);
    let open = format!(r#"    <testcase name="{path}" classname="{SUITE}" file="{path}""#);
    if diagnostics.is_empty() {
        return writeln!(out, "{open}/>");
    }
    writeln!(out, "{open}>")?;
    let (failing, passing): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        diagnostics.iter().partition(|d| d.severity >= fail_level);
    if let Some(worst) = failing.iter().map(|d| d.severity).max() {
        let message = counts(&failing);
        let text = lines(&failing);
        writeln!(out, r#"      <failure message="{message}" type="{worst}">{text}</failure>"#)?;
    }
    if !passing.is_empty() {
        writeln!(out, "      <system-out>{}</system-out>", lines(&passing))?;
    }
    writeln!(out, "    </testcase>")
}

/// One line per diagnostic, `line:col severity[CODE] slug: message`, escaped. The element's
/// text is exactly these lines, without indentation around them: CI systems show it as is.
fn lines(diagnostics: &[&Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let (sev, code, rule) = (d.severity, d.code, d.rule);
            escape(&format!("{}:{} {sev}[{code}] {rule}: {}", d.line, d.column, d.message))
        })
        .collect();
    lines.join("\n")
}

/// "1 error, 2 warnings": the failing diagnostics counted by severity, worst first.
fn counts(diagnostics: &[&Diagnostic]) -> String {
    let mut parts = Vec::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let n = diagnostics.iter().filter(|d| d.severity == severity).count();
        match (n, severity) {
            (0, _) => {}
            (n, Severity::Info) => parts.push(format!("{n} info")),
            (1, s) => parts.push(format!("1 {s}")),
            (n, s) => parts.push(format!("{n} {s}s")),
        }
    }
    parts.join(", ")
}

/// Escapes `s` for XML 1.0 text and attribute values. Line breaks and tabs become character
/// references (an attribute would otherwise turn them into spaces); characters outside XML
/// 1.0's `Char` production cannot be written even as references, and are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// XML 1.0's `Char`: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
/// (a Rust `char` is never a surrogate).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape(r#"a & b <c> "d" 'e'"#),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
        assert_eq!(escape("x\u{0}\u{1b}[1m\u{fffe}y"), "x[1my");
        assert_eq!(escape("a\tb\r\nc"), "a&#9;b&#13;&#10;c");
        assert_eq!(escape("日本 🔥 \u{e000}"), "日本 🔥 \u{e000}");
    }

    #[test]
    fn failure_messages_count_by_severity() {
        let d = |severity| Diagnostic {
            path: "a.md".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            code: "PM101",
            rule: "unknown-owner",
            severity,
            message: String::new(),
            help: None,
            notes: Vec::new(),
            span: crate::source::Span::default(),
        };
        let (e, w, i) = (d(Severity::Error), d(Severity::Warning), d(Severity::Info));
        assert_eq!(counts(&[&e]), "1 error");
        assert_eq!(counts(&[&w, &e, &w]), "1 error, 2 warnings");
        assert_eq!(counts(&[&i, &i]), "2 info");
    }
}

//! `--format github`: GitHub Actions workflow commands, one per diagnostic, which the runner
//! turns into annotations on the pull request's diff.
//!
//! Format: `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE slug::MESSAGE`
//! (`warning` and `notice` for the lower severities). GitHub reads a command from one line, so
//! the message and the properties are escaped as its runner expects: `%`, `\r` and `\n`
//! everywhere, and `:` and `,` too inside properties, where they would end a property.
//! Columns are the diagnostic's character columns (GitHub does not document a unit; its own
//! problem matchers emit characters). Nothing else is printed: every line is a command.

use std::io::{self, Write};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity, printable, printable_line};

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(out, "{}", command(d))?;
    }
    Ok(())
}

/// The workflow command of one diagnostic.
fn command(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut message = printable(&d.message).into_owned();
    if let Some(help) = &d.help {
        message.push('\n');
        message.push_str(&printable(help));
    }
    format!(
        "::{kind} file={file},line={line},col={col},endLine={end_line},endColumn={end_col},title={title}::{message}",
        file = escape_property(&printable_line(&d.path)),
        line = d.line,
        col = d.column,
        end_line = d.end_line,
        end_col = d.end_column,
        title = escape_property(&format!("{} {}", d.code, d.rule)),
        message = escape_data(&message),
    )
}

/// Escapes a command's message (GitHub's `escapeData`).
fn escape_data(s: &str) -> String {
    escape(s, false)
}

/// Escapes a command's property value (GitHub's `escapeProperty`).
fn escape_property(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn diagnostic(severity: Severity, path: &str, message: &str, help: Option<&str>) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            line: 3,
            column: 5,
            end_line: 3,
            end_column: 9,
            code: "PM101",
            rule: "unknown-owner",
            severity,
            message: message.into(),
            help: help.map(Into::into),
            notes: Vec::new(),
            span: Span::default(),
        }
    }

    #[test]
    fn escapes_messages_and_properties_as_github_does() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("100% a:b,c\r\nd"), "100%25 a%3Ab%2Cc%0D%0Ad");
        // `%` is escaped first, so an already escaped-looking text survives a round trip.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_diagnostic_with_help_on_a_new_line() {
        let d = diagnostic(
            Severity::Error,
            "post,mortems/a:b.md",
            "owner `x` is 50% unknown",
            Some("did you mean `y`?\nOr add them"),
        );
        assert_eq!(
            command(&d),
            "::error file=post%2Cmortems/a%3Ab.md,line=3,col=5,endLine=3,endColumn=9,\
             title=PM101 unknown-owner::owner `x` is 50%25 unknown%0Adid you mean `y`?%0AOr add them"
        );
    }

    #[test]
    fn severities_map_to_error_warning_and_notice() {
        for (severity, kind) in [
            (Severity::Error, "::error "),
            (Severity::Warning, "::warning "),
            (Severity::Info, "::notice "),
        ] {
            let line = command(&diagnostic(severity, "a.md", "m", None));
            assert!(line.starts_with(kind), "{line}");
            assert!(line.ends_with("::m"), "{line}");
        }
    }
}

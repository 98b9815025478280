//! `--format concise`: one line per diagnostic, for grep, editors and test fixtures. A path or
//! message with a line break or an escape shows it as a control picture, so one diagnostic is
//! always one line.

use std::io::{self, Write};

use super::Report;
use crate::diagnostic::printable_line;
use crate::words::plural;

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}: {}",
            printable_line(&d.path),
            d.line,
            d.column,
            d.severity,
            d.code,
            d.rule,
            printable_line(&d.message)
        )?;
    }
    let s = report.summary;
    let found =
        if s.files_with_findings == 0 { String::new() } else { format!(" {}", s.where_found()) };
    writeln!(
        out,
        "{} checked, {}{found}",
        plural(s.files, "file", "files"),
        s.counts(true).join(", ")
    )
}

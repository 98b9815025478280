//! `--format concise`: one line per diagnostic, for grep, editors and test fixtures.

use std::io::{self, Write};

use super::Report;
use crate::diagnostic::printable;

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}: {}",
            printable(&d.path),
            d.line,
            d.column,
            d.severity,
            d.code,
            d.rule,
            printable(&d.message)
        )?;
    }
    let s = report.summary;
    writeln!(
        out,
        "{} files, {} errors, {} warnings, {} infos",
        s.files, s.errors, s.warnings, s.infos
    )
}

//! `--format concise`: one line per diagnostic, for grep, editors and test fixtures.

use std::io::{self, Write};

use super::Report;

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}: {}",
            d.path, d.line, d.column, d.severity, d.code, d.rule, d.message
        )?;
    }
    let s = report.summary;
    writeln!(
        out,
        "{} files, {} errors, {} warnings, {} infos",
        s.files, s.errors, s.warnings, s.infos
    )
}

//! `--format json`: one object with every diagnostic and the summary.

use std::io::{self, Write};

use super::Report;

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let value = serde_json::json!({
        "diagnostics": report.diagnostics,
        "summary": report.summary,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

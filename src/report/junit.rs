//! `--format junit`.

use std::io::{self, Write};

use super::Report;

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let _ = report;
    writeln!(out, "not yet implemented")
}

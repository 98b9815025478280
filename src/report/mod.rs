//! Reports: one file per output format, each rendering the same diagnostics and summary.
//!
//! Positions are converted to a format's conventions here, at the edge (SARIF's UTF-16
//! columns, GitLab's fingerprints); everything before works on byte spans.

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Summary};
use crate::source::Source;

mod concise;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

/// Output formats of `pm check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style, with the source line and a caret (default).
    Human,
    /// One line per diagnostic: `path:line:column: severity[CODE] slug: message`.
    Concise,
    /// One JSON object: `{"diagnostics": [...], "summary": {...}}`.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML, one test case per file.
    Junit,
}

/// Everything a report renders.
pub struct Report<'a> {
    /// Diagnostics, sorted by path and position.
    pub diagnostics: &'a [Diagnostic],
    /// Counts.
    pub summary: &'a Summary,
    /// Every checked file's path (for formats that list passing files too), sorted.
    pub files: &'a [&'a str],
    /// The text of a file by path, for source excerpts.
    pub source: &'a (dyn Fn(&str) -> Option<&'a Source> + Sync),
    /// Colour the output (human format only).
    pub color: bool,
}

/// Renders `report` in `format` to `out`.
pub fn write(format: Format, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out),
        Format::Concise => concise::write(report, out),
        Format::Json => json::write(report, out),
        Format::Github => github::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Gitlab => gitlab::write(report, out),
        Format::Junit => junit::write(report, out),
    }
}

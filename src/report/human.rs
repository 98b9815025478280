//! `--format human`: rustc-style diagnostics with the source line and a caret, then a summary.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity, printable, printable_line};
use crate::source::Source;
use crate::words::plural;

pub(super) fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let renderer = if report.color { Renderer::styled() } else { Renderer::plain() };
    for d in report.diagnostics {
        // A file name or a value may hold control characters: shown as pictures, never sent
        // to the terminal (the path on one line, so it cannot forge the next).
        let path = printable_line(&d.path);
        let message = printable(&d.message);
        let title = level(d.severity).primary_title(message.as_ref()).id(d.code);
        let located = match (report.source)(&d.path).filter(|s| !s.text.is_empty()) {
            Some(source) => title.element(snippet(d, &path, source)),
            // Nothing to excerpt (unreadable, binary or empty file): the location alone.
            None => title.element(Origin::path(path.as_ref()).line(d.line).char_column(d.column)),
        };
        let notes: Vec<String> =
            d.notes.iter().map(|n| format!("line {}: {}", n.line, printable(&n.message))).collect();
        let located =
            notes.iter().fold(located, |g, note| g.element(Level::NOTE.message(note.as_str())));
        let help = d.help.as_deref().map(printable);
        let group = match &help {
            Some(help) => located.element(Level::HELP.message(help.as_ref())),
            None => located,
        };
        writeln!(out, "{}\n", renderer.render(&[group]))?;
    }
    let s = report.summary;
    if report.diagnostics.is_empty() {
        writeln!(out, "pm check: {} checked, no problems found", plural(s.files, "file", "files"))?;
    } else {
        let verdict = if s.failed { "failed" } else { "passed" };
        writeln!(out, "pm check {verdict}: {} {}", s.counts(false).join(", "), s.where_found())?;
    }
    Ok(())
}

fn snippet<'a>(
    d: &'a Diagnostic,
    path: &'a str,
    source: &'a Source,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    // Only the lines the span touches go to the renderer: whole files would make every
    // diagnostic cost as much as the file is long.
    let first = d.line;
    let last = d.end_line.max(first).min(first + 5);
    let from = source.lines.line_start(first);
    let to = if last >= source.lines.line_count() {
        source.text.len()
    } else {
        source.lines.line_start(last + 1)
    };
    let excerpt = source.text[from..to].trim_end_matches(['\n', '\r']);
    let start = d.span.start.clamp(from, from + excerpt.len()) - from;
    let end = d.span.end.clamp(from + start, from + excerpt.len()) - from;
    Snippet::source(excerpt)
        .line_start(first)
        .path(path)
        .annotation(AnnotationKind::Primary.span(start..end).label(d.rule))
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

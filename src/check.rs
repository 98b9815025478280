//! The check engine: runs every rule and turns findings into sorted, located diagnostics with
//! the configured severities and suppressions applied.
//!
//! Per-document rules run in the same parallel task that parsed the document
//! ([`check_document`]), so `pm check` can drop each parsed body and front matter tree as soon
//! as it is judged and keep only what repo-wide rules need ([`Document::slim`]); the rules that
//! span files then run once over the slim repository ([`check_repo`]).

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding};
use crate::repo::{Document, Repo};
use crate::rules::{Context, Meta, RULES};
use crate::suppress::{Inline, Policy};

/// One document's verdict from the per-document rules, with its inline suppressions kept for
/// the repo-wide findings that come later.
#[derive(Debug, Default)]
pub struct Checked {
    /// Located, filtered diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// The document's `pm-disable` comments.
    pub inline: Inline,
}

/// Runs the per-document rules on `doc`.
pub fn check_document(cx: &Context<'_>, policy: &Policy, doc: &Document) -> Checked {
    let mut findings = Vec::new();
    for rule in RULES {
        let mut out = Vec::new();
        rule.check_document(cx, doc, &mut out);
        findings.extend(out.into_iter().map(|f| (rule.meta(), f)));
    }
    let html = doc.postmortem.as_ref().map(|p| p.body.html.as_slice()).unwrap_or_default();
    let inline = Inline::read(&doc.source, html);
    Checked { diagnostics: locate(doc, findings, policy, &inline), inline }
}

/// Runs the repo-wide rules. `inline` holds each document's suppressions (by index);
/// `selected` limits the reported files.
pub fn check_repo(
    repo: &Repo,
    cx: &Context<'_>,
    policy: &Policy,
    inline: &[Inline],
    selected: Option<&BTreeSet<usize>>,
) -> Vec<Diagnostic> {
    let mut per_doc: Vec<Vec<(&'static Meta, Finding)>> = vec![Vec::new(); repo.documents.len()];
    for rule in RULES {
        let mut out = Vec::new();
        rule.check_repo(cx, repo, &mut out);
        for (i, finding) in out {
            if selected.is_none_or(|s| s.contains(&i)) {
                per_doc[i].push((rule.meta(), finding));
            }
        }
    }
    let none = Inline::default();
    per_doc
        .into_iter()
        .enumerate()
        .filter(|(_, f)| !f.is_empty())
        .flat_map(|(i, f)| locate(&repo.documents[i], f, policy, inline.get(i).unwrap_or(&none)))
        .collect()
}

/// Runs all rules over an already loaded repository. `selected` limits the reported files (by
/// document index); repo-wide rules still see every document.
pub fn run(
    repo: &Repo,
    cx: &Context<'_>,
    policy: &Policy,
    selected: Option<&BTreeSet<usize>>,
) -> Vec<Diagnostic> {
    let checked: Vec<Checked> = repo
        .documents
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            if selected.is_none_or(|s| s.contains(&i)) {
                check_document(cx, policy, doc)
            } else {
                Checked::default()
            }
        })
        .collect();
    let inline: Vec<Inline> = checked.iter().map(|c| c.inline.clone()).collect();
    let mut diagnostics: Vec<Diagnostic> =
        checked.into_iter().flat_map(|c| c.diagnostics).collect();
    diagnostics.extend(check_repo(repo, cx, policy, &inline, selected));
    sort(&mut diagnostics);
    diagnostics
}

/// Puts loaded documents and their per-document verdicts together into the repository, runs
/// the repo-wide rules, and returns both with every diagnostic sorted. `selected` says which
/// files are reported (all when `None`).
pub fn assemble(
    workspace: crate::config::Workspace,
    loaded: Vec<(Document, Checked)>,
    walk_problems: Vec<crate::discover::WalkProblem>,
    cx: &Context<'_>,
    policy: &Policy,
    selected: Option<&dyn Fn(&str) -> bool>,
) -> (Repo, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut documents = Vec::with_capacity(loaded.len());
    let mut inline = Vec::with_capacity(loaded.len());
    for (doc, checked) in loaded {
        diagnostics.extend(checked.diagnostics);
        inline.push(checked.inline);
        documents.push(doc);
    }
    let repo = Repo::from_documents(workspace, documents, walk_problems);
    let selected = selected.map(|is_selected| selected_indices(&repo, is_selected));
    diagnostics.extend(check_repo(&repo, cx, policy, &inline, selected.as_ref()));
    sort(&mut diagnostics);
    (repo, diagnostics)
}

/// The indexes of the documents whose path `is_selected` accepts.
pub fn selected_indices(repo: &Repo, is_selected: &dyn Fn(&str) -> bool) -> BTreeSet<usize> {
    repo.documents
        .iter()
        .enumerate()
        .filter(|(_, d)| is_selected(d.path()))
        .map(|(i, _)| i)
        .collect()
}

/// Sorts by path, position and code, and removes exact duplicates: reports are deterministic.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
    diagnostics.dedup();
}

fn locate(
    doc: &Document,
    findings: Vec<(&'static Meta, Finding)>,
    policy: &Policy,
    inline: &Inline,
) -> Vec<Diagnostic> {
    findings
        .into_iter()
        .filter_map(|(meta, f)| {
            let severity = policy.severity(meta, f.severity, doc.path())?;
            let (start, end) = edge_offsets(&doc.source.text, f.span);
            let start = doc.source.position(start);
            let end = doc.source.position(end);
            if inline.suppresses(meta, f.span.start, start.line) {
                return None;
            }
            Some(Diagnostic {
                path: doc.path().to_owned(),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                code: meta.code,
                rule: meta.slug,
                severity,
                message: f.message,
                help: f.help,
                span: f.span,
            })
        })
        .collect()
}

/// The offsets a diagnostic's positions are taken at: the span without the line ending it may
/// end with (a heading's or list item's range can take in the `\r` of a CRLF line, or of the
/// last line), and never starting between `\r` and `\n`. Positions there would be columns
/// past the end of the line, which no editor shows (found by the `check_one` fuzz target).
fn edge_offsets(text: &str, span: crate::source::Span) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut start = span.start.min(bytes.len());
    if start > 0 && bytes.get(start) == Some(&b'\n') && bytes[start - 1] == b'\r' {
        start -= 1;
    }
    let mut end = span.end.clamp(start, bytes.len());
    while end > start && matches!(bytes[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn positions_stop_before_line_endings() {
        let text = "## Impact\r\nx\r\n## End\r";
        assert_eq!(edge_offsets(text, Span::new(0, 10)), (0, 9));
        assert_eq!(edge_offsets(text, Span::new(0, 11)), (0, 9));
        assert_eq!(edge_offsets(text, Span::new(10, 11)), (9, 9));
        assert_eq!(edge_offsets(text, Span::new(14, 21)), (14, 20));
        assert_eq!(edge_offsets(text, Span::new(3, 999)), (3, 20));
        assert_eq!(edge_offsets(text, Span::new(5, 2)), (5, 5));
    }
}

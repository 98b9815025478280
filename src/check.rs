//! The check engine: runs every rule over a loaded repository and turns findings into sorted,
//! located diagnostics with the configured severities and suppressions applied.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding};
use crate::repo::{Document, Repo};
use crate::rules::{Context, Meta, RULES};
use crate::suppress::{Inline, Policy};

/// Runs all rules. `selected` limits the reported files (by document index); repo-wide rules
/// still see every document.
pub fn run(
    repo: &Repo,
    cx: &Context<'_>,
    policy: &Policy,
    selected: Option<&BTreeSet<usize>>,
) -> Vec<Diagnostic> {
    let is_selected = |i: usize| selected.is_none_or(|s| s.contains(&i));
    let mut per_doc: Vec<Vec<(&'static Meta, Finding)>> = repo
        .documents
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            if !is_selected(i) {
                return Vec::new();
            }
            let mut found = Vec::new();
            for rule in RULES {
                let mut out = Vec::new();
                rule.check_document(cx, doc, &mut out);
                found.extend(out.into_iter().map(|f| (rule.meta(), f)));
            }
            found
        })
        .collect();
    for rule in RULES {
        let mut out = Vec::new();
        rule.check_repo(cx, repo, &mut out);
        for (i, finding) in out {
            if is_selected(i) {
                per_doc[i].push((rule.meta(), finding));
            }
        }
    }
    let mut diagnostics: Vec<Diagnostic> = per_doc
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(i, findings)| locate(&repo.documents[i], findings, policy))
        .collect();
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.code, &b.message))
    });
    diagnostics.dedup();
    diagnostics
}

fn locate(
    doc: &Document,
    findings: Vec<(&'static Meta, Finding)>,
    policy: &Policy,
) -> Vec<Diagnostic> {
    if findings.is_empty() {
        return Vec::new();
    }
    let html = doc.postmortem.as_ref().map(|p| p.body.html.as_slice()).unwrap_or_default();
    let inline = Inline::read(&doc.source, html);
    findings
        .into_iter()
        .filter_map(|(meta, f)| {
            let severity = policy.severity(meta, f.severity, doc.path())?;
            let start = doc.source.position(f.span.start);
            let end = doc.source.position(f.span.end.max(f.span.start));
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

//! `pm check`: validate the repository, or some of its files, and report.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::Outcome;
use crate::calendar;
use crate::cli::{CheckArgs, Deny};
use crate::cmd::Global;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::discover::relative;
use rayon::prelude::*;

use crate::check::Checked;
use crate::discover::discover;
use crate::idcache::{self, IdCache, Stamp};
use crate::repo::{Depth, Document, Repo};
use crate::report::{self, Report};
use crate::rules::{self, Context};
use crate::schema::Schema;
use crate::source::Span;
use crate::suppress::Policy;

/// Which files to report on: exact repo-relative paths and folder prefixes.
#[derive(Debug, Default)]
struct Selection {
    files: BTreeSet<String>,
    folders: Vec<String>,
}

impl Selection {
    fn matches(&self, rel: &str) -> bool {
        self.files.contains(rel)
            || self.folders.iter().any(|f| f.is_empty() || rel.starts_with(&format!("{f}/")))
    }
}

/// Runs `pm check`.
pub fn run(global: &Global, args: &CheckArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let config_text = match &workspace.config_path {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        None => None,
    };
    let policy = Policy::new(&workspace.config, config_text.as_deref())?;
    let schema = Schema::load(&workspace.root, &workspace.config)?;
    let today = args.today.unwrap_or_else(|| calendar::today(&workspace.config.time_zone()));

    let selection = if args.changed {
        Some(changed(&workspace.root, &args.base)?)
    } else if args.paths.is_empty() {
        None
    } else {
        Some(select(&workspace.root, &global.cwd, &args.paths)?)
    };
    // Parse and judge each document in one parallel task, then keep only what the repo-wide
    // rules need: the parsed trees of 10,000 postmortems never sit in memory together.
    let cx = Context::new(&workspace.config, &schema, today);
    let (found, walk_problems) = discover(&workspace.root, &workspace.config.postmortems);
    let is_selected = |rel: &str| selection.as_ref().is_none_or(|s| s.matches(rel));
    // A partial check still needs every other file's id; the id cache spares reading them.
    let cache = selection.as_ref().map(|_| IdCache::open(&workspace.root));
    let loaded: Vec<((Document, Checked), Option<Stamp>)> = found
        .par_iter()
        .map(|f| {
            let stamp = cache.as_ref().and_then(|_| idcache::stamp(&f.abs));
            if is_selected(&f.rel) {
                let doc = Document::read(&f.rel, &f.abs, Depth::Full);
                let checked = crate::check::check_document(&cx, &policy, &doc);
                return ((doc.slim(), checked), stamp);
            }
            let cached = cache.as_ref().zip(stamp).and_then(|(c, s)| c.get(&f.rel, s));
            let doc = match cached {
                Some(id) => Document::known_id(&f.rel, id.to_owned()),
                None => Document::read(&f.rel, &f.abs, Depth::Id),
            };
            ((doc, Checked::default()), stamp)
        })
        .collect();
    if let Some(cache) = &cache {
        let entries: Vec<(&str, Stamp, &str)> = loaded
            .iter()
            .filter_map(|((doc, _), stamp)| Some((doc.path(), (*stamp)?, doc.id()?)))
            .collect();
        cache.save(&entries);
    }
    let loaded: Vec<(Document, Checked)> = loaded.into_iter().map(|(l, _)| l).collect();
    let (repo, mut diagnostics) = crate::check::assemble(
        workspace.clone(),
        loaded,
        walk_problems,
        &cx,
        &policy,
        selection.as_ref().map(|_| &is_selected as &dyn Fn(&str) -> bool),
    );
    let selected = selection.as_ref().map(|_| crate::check::selected_indices(&repo, &is_selected));
    diagnostics.extend(walk_diagnostics(&repo, selection.as_ref()));
    crate::check::sort(&mut diagnostics);

    let fail_level = match args.deny {
        None => Severity::Error,
        Some(Deny::Warnings) => Severity::Warning,
        Some(Deny::Info) => Severity::Info,
    };
    let files: Vec<&str> = repo
        .documents
        .iter()
        .enumerate()
        .filter(|(i, _)| selected.as_ref().is_none_or(|s| s.contains(i)))
        .map(|(_, d)| d.path())
        .collect();
    let summary = Summary::new(files.len(), &diagnostics, fail_level);
    let source = |path: &str| {
        repo.documents
            .binary_search_by(|d| d.path().cmp(path))
            .ok()
            .map(|i| &repo.documents[i].source)
    };
    let report = Report {
        diagnostics: &diagnostics,
        summary: &summary,
        files: &files,
        source: &source,
        color: global.color,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    report::write(args.format, &report, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    Ok(if summary.failed { Outcome::Findings } else { Outcome::Clean })
}

/// Folders that could not be walked, as `invalid-front-matter` diagnostics (the files in them
/// could not be checked).
fn walk_diagnostics(repo: &Repo, selection: Option<&Selection>) -> Vec<Diagnostic> {
    let Some(rule) = rules::lookup("invalid-front-matter") else {
        return Vec::new();
    };
    let meta = rule.meta();
    repo.walk_problems
        .iter()
        .filter(|p| selection.is_none_or(|s| s.matches(&p.rel)))
        .map(|p| Diagnostic {
            path: p.rel.clone(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            code: meta.code,
            rule: meta.slug,
            severity: meta.default_severity,
            message: format!("cannot read this path: {}", p.message),
            help: Some("check permissions, and that symlinks do not loop".into()),
            span: Span::default(),
        })
        .collect()
}

/// The selection for explicit `paths`. A path that does not exist is an error; one outside the
/// repository's postmortems is ignored (pre-commit passes every matching file).
fn select(root: &Path, cwd: &Path, paths: &[PathBuf]) -> anyhow::Result<Selection> {
    let root =
        root.canonicalize().with_context(|| format!("cannot open the root {}", root.display()))?;
    let mut selection = Selection::default();
    for path in paths {
        let abs = cwd.join(path);
        let meta = std::fs::metadata(&abs);
        let canonical = match (&meta, abs.canonicalize()) {
            (Ok(_), Ok(c)) => c,
            _ => bail!("{}: no such file or folder", path.display()),
        };
        // Keep the name as given for files (a symlinked file is selected by its own path).
        let canonical = if canonical.is_dir() {
            canonical
        } else {
            abs.parent()
                .and_then(|p| p.canonicalize().ok())
                .map_or(canonical.clone(), |p| p.join(abs.file_name().unwrap_or_default()))
        };
        if !canonical.starts_with(&root) {
            continue;
        }
        let rel = relative(&root, &canonical);
        if canonical.is_dir() {
            selection.folders.push(rel);
        } else {
            selection.files.insert(rel);
        }
    }
    Ok(selection)
}

/// Files changed against `base`: committed since, staged, unstaged, and untracked.
fn changed(root: &Path, base: &str) -> anyhow::Result<Selection> {
    let git = |args: &[&str]| -> anyhow::Result<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .context("cannot run git (is it installed?)")?;
        if !output.status.success() {
            bail!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let mut selection = Selection::default();
    let diff =
        git(&["diff", "--name-only", "-z", "--relative", "--diff-filter=ACMRT", base, "--"])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "-z"])?;
    selection.files.extend(
        diff.split('\0').chain(untracked.split('\0')).filter(|p| !p.is_empty()).map(str::to_owned),
    );
    Ok(selection)
}

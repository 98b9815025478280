//! `pm check`: validate the repository, or some of its files, and report.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::check::{self, Keep, Loaded, Read, Request, Rules};
use crate::cmd::{Global, Outcome, Today};
use crate::diagnostic::{Severity, Summary, printable_line};
use crate::discover::relative;
use crate::report::{self, Format, Report};

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

/// Options of `pm check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check (default: every postmortem). Repo-wide facts such as id
    /// uniqueness still come from the whole repository.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Check only the postmortems changed against `--base` (committed, staged, unstaged or new).
    #[arg(long, conflicts_with = "paths")]
    pub changed: bool,

    /// The git revision `--changed` compares against.
    #[arg(long, value_name = "REV", default_value = "HEAD", requires = "changed")]
    pub base: String,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also fail on warnings (or on infos too).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,

    /// Parse and check every file anew instead of reusing the verdicts of files unchanged
    /// since the last check (`.git/pm-verdicts`); the findings are the same either way.
    #[arg(long)]
    pub no_cache: bool,
}

/// Which lower severities fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings (and errors) fail.
    Warnings,
    /// Infos, warnings and errors fail.
    Info,
}

/// Runs `pm check`.
pub fn run(global: &Global, args: &CheckArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let rules = Rules::open(&workspace)?;
    let today = args.today.resolve(&workspace.config);

    let selection = if args.changed {
        Some(changed(&workspace.root, &args.base)?)
    } else if args.paths.is_empty() {
        None
    } else {
        Some(select(&workspace.root, &workspace.config.postmortems, &global.cwd, &args.paths)?)
    };
    let is_selected = |rel: &str| selection.as_ref().is_none_or(|s| s.matches(rel));
    // Judged files keep only what the repo-wide rules need; a partial check still needs every
    // other file's id, which the id cache spares reading.
    let request = Request {
        read: if selection.is_some() { Read::Selected(&is_selected) } else { Read::All },
        id_cache: selection.is_some(),
        ..Request::all(Keep::RepoFacts).checked(&rules, today).verdict_cache(!args.no_cache)
    };
    let Loaded { repo, mut diagnostics, selected, .. } = check::load(workspace, &request);
    diagnostics.extend(check::walk_diagnostics(&repo, &is_selected));
    check::sort(&mut diagnostics);

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
    // On stderr, so that no report format changes and `--deny info` does not fail on them.
    for skipped in repo.skipped.iter().filter(|s| is_selected(&s.rel)) {
        eprintln!(
            "note: skipped {}: not a postmortem (it matches `{}` of `[check] ignore`)",
            crate::diagnostic::printable_line(&skipped.rel),
            crate::diagnostic::printable_line(&skipped.pattern),
        );
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    report::write(args.format, &report, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the report")?;
    Ok(if summary.failed { Outcome::Findings } else { Outcome::Clean })
}

/// The selection for explicit `paths`. A path that does not exist is an error, and so is one
/// that cannot hold a postmortem: a file outside the postmortems folder (`pm check pm.toml`,
/// `pm check /etc/passwd`) or a folder that neither holds it nor is inside it. Checking nothing
/// and passing would tell the user the file was fine. (pre-commit's hook passes only files
/// under the postmortems folder; a `README.md` there is no postmortem and is left out.)
fn select(root: &Path, folder: &str, cwd: &Path, paths: &[PathBuf]) -> anyhow::Result<Selection> {
    let root =
        root.canonicalize().with_context(|| format!("cannot open the root {}", root.display()))?;
    let postmortems = root.join(folder).canonicalize().unwrap_or_else(|_| root.join(folder));
    let mut selection = Selection::default();
    for path in paths {
        let abs = cwd.join(path);
        let meta = std::fs::metadata(&abs);
        let canonical = match (&meta, abs.canonicalize()) {
            (Ok(_), Ok(c)) => c,
            _ => bail!("{}: no such file or folder", printable_line(&path.display().to_string())),
        };
        // Keep the name as given for files (a symlinked file is selected by its own path).
        let canonical = if canonical.is_dir() {
            canonical
        } else {
            abs.parent()
                .and_then(|p| p.canonicalize().ok())
                .map_or(canonical.clone(), |p| p.join(abs.file_name().unwrap_or_default()))
        };
        let inside = canonical.starts_with(&postmortems)
            || (canonical.is_dir() && postmortems.starts_with(&canonical));
        if !inside {
            bail!(
                "{} is outside the postmortems folder `{}` (pm.toml `postmortems`): pm checks \
                 only the postmortems there",
                printable_line(&path.display().to_string()),
                printable_line(folder)
            );
        }
        // A folder that holds the postmortems folder (`.`, the repository's parent) selects
        // all of it.
        let canonical = if canonical.is_dir() && postmortems.starts_with(&canonical) {
            postmortems.clone()
        } else {
            canonical
        };
        let rel = relative(&root, &canonical);
        if canonical.is_dir() {
            selection.folders.push(rel);
        } else {
            selection.files.insert(rel);
        }
    }
    Ok(selection)
}

/// Files changed against `base`: committed since, staged, unstaged, and untracked. `base` is
/// the user's: it goes to git after `--end-of-options`, and one that starts with `-` is refused
/// outright, so it can never be read as an option (`--output=FILE` would truncate a file).
fn changed(root: &Path, base: &str) -> anyhow::Result<Selection> {
    if base.starts_with('-') || base.is_empty() {
        bail!(
            "--base `{}` is not a git revision: give a branch, tag or commit (`--base main`)",
            printable_line(base)
        );
    }
    let git = |args: &[&str]| -> anyhow::Result<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .context("cannot run git (is it installed?)")?;
        if !output.status.success() {
            bail!(
                "git {} failed: {}",
                args.join(" "),
                crate::diagnostic::printable(String::from_utf8_lossy(&output.stderr).trim())
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    // A revision git does not know is an error of its own, before the diff reads it as a path.
    git(&["rev-parse", "--verify", "--end-of-options", &format!("{base}^{{commit}}")])
        .with_context(|| {
            format!(
                "--base `{}` is not a commit of this repository: give a branch, tag or commit",
                printable_line(base)
            )
        })?;
    let mut selection = Selection::default();
    let diff = git(&[
        "diff",
        "--name-only",
        "-z",
        "--relative",
        "--diff-filter=ACMRT",
        "--end-of-options",
        base,
        "--",
    ])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "-z"])?;
    selection.files.extend(
        diff.split('\0').chain(untracked.split('\0')).filter(|p| !p.is_empty()).map(str::to_owned),
    );
    Ok(selection)
}

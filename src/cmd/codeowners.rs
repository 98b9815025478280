//! `pm codeowners`: write (or, with `--check`, verify) the CODEOWNERS file from the teams
//! registry, so the git host asks each postmortem's team to review changes to it.
//!
//! What the lines say, and how pm's block is spliced into a file people also edit, lives in
//! [`crate::codeowners`]; this command picks the file, reads it, and writes it atomically or
//! prints the difference.
//!
//! Exit codes: 0 when the file was written or is up to date; 1 when `--check` finds it out of
//! date; 2 for a bad `pm.toml`, a file that cannot be read or written, markers pm cannot make
//! sense of, or an `--output` outside the repository.

use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome};
use crate::codeowners;
use crate::words::plural;

/// Options of `pm codeowners`.
#[derive(Debug, clap::Args)]
pub struct CodeownersArgs {
    /// Write nothing: exit 0 when the file is up to date, 1 (printing a unified diff) when not.
    #[arg(long)]
    pub check: bool,

    /// Print pm's block to stdout instead of writing a file.
    #[arg(long, conflicts_with_all = ["check", "output"])]
    pub stdout: bool,

    /// The CODEOWNERS file, inside the repository (default: an existing `.github/CODEOWNERS`,
    /// `CODEOWNERS`, `docs/CODEOWNERS` or `.gitlab/CODEOWNERS`, in that order, else
    /// `.github/CODEOWNERS`).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Where git hosts look for CODEOWNERS, in the order pm prefers an existing one: GitHub reads
/// the first of `.github/`, the root and `docs/`; GitLab the first of the root, `docs/` and
/// `.gitlab/`. Editing the file the host already reads keeps people's lines in force, where a
/// new `.github/CODEOWNERS` would hide a root one from GitHub.
const LOCATIONS: [&str; 4] =
    [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"];

/// Runs `pm codeowners`.
pub fn run(global: &Global, args: &CodeownersArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let root = workspace.root.clone();
    let (path, shown) = match &args.output {
        Some(output) => inside(&root, &global.cwd, output)?,
        None => {
            let rel =
                LOCATIONS.iter().find(|rel| root.join(rel).is_file()).unwrap_or(&LOCATIONS[0]);
            (root.join(rel), (*rel).to_owned())
        }
    };
    let repo = check::load(workspace, &Request::all(Keep::Fields)).repo;
    crate::cmd::warn_skipped(&repo);
    let owners = codeowners::owners(&repo);
    for warning in &owners.warnings {
        eprintln!("warning: {warning}");
    }
    if !owners.without_team.is_empty() {
        let listed: Vec<&str> = owners.without_team.iter().take(5).map(String::as_str).collect();
        let more = owners.without_team.len() - listed.len();
        eprintln!(
            "note: {} no team (no `team`, and no service of a team in [services]), so no code \
             owners: {}{}",
            if owners.without_team.len() == 1 {
                "1 postmortem has".to_owned()
            } else {
                format!("{} postmortems have", owners.without_team.len())
            },
            listed.join(", ").escape_debug(),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        );
    }
    if args.stdout {
        crate::cmd::print(&codeowners::block(&owners.lines, "\n"))?;
        return Ok(Outcome::Clean);
    }

    let old = match std::fs::read(&path) {
        Ok(bytes) => Some(
            String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{shown} is not UTF-8 text"))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot read {shown}"))),
    };
    let new =
        codeowners::splice(old.as_deref().unwrap_or_default(), &owners.lines).map_err(|e| {
            anyhow::anyhow!(
                "{shown}: {e}. pm edits only what lies between its two marker lines: mend them \
                 by hand (or delete both and pm's lines between them) and run `pm codeowners` \
                 again"
            )
        })?;
    let count = plural(owners.lines.len(), "postmortem", "postmortems");
    if old.as_deref() == Some(new.as_str()) {
        eprintln!("{shown} is up to date ({count} with code owners)");
        return Ok(Outcome::Clean);
    }
    if args.check {
        crate::cmd::print(&crate::cmd::unified_diff(
            &shown,
            old.as_deref().unwrap_or_default(),
            &new,
        ))?;
        eprintln!(
            "{shown} is {}: run `pm codeowners` to write it",
            if old.is_some() { "out of date" } else { "missing" }
        );
        return Ok(Outcome::Findings);
    }
    match &old {
        Some(old) => crate::atomic::replace(&root, &path, old.as_bytes(), new.as_bytes()),
        None => crate::atomic::write(&root, &path, new.as_bytes()),
    }
    .with_context(|| format!("cannot write {shown}"))?;
    eprintln!(
        "{} {shown} ({count} with code owners)",
        if old.is_some() { "updated" } else { "created" }
    );
    Ok(Outcome::Clean)
}

/// The path `--output` names (`given`, from `cwd`) and its repo-relative `/` form, provided it
/// is a file inside `root`: `..` is resolved as written and links as they are on disk, so
/// neither leads out.
fn inside(root: &Path, cwd: &Path, given: &Path) -> anyhow::Result<(PathBuf, String)> {
    let mut lexical = PathBuf::new();
    for part in cwd.join(given).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let root = std::fs::canonicalize(root)
        .with_context(|| format!("cannot resolve the root {}", root.display()))?;
    let real = crate::contain::resolve(&root, &lexical).map_err(|_| {
        anyhow::anyhow!(
            "--output {} is outside the repository ({}): CODEOWNERS paths are read from the \
             repository's root, so the file must be inside it",
            given.display(),
            root.display()
        )
    })?;
    if real.is_dir() {
        anyhow::bail!("--output {} is a folder: name the CODEOWNERS file itself", given.display());
    }
    Ok((lexical, crate::discover::relative(&root, &real)))
}

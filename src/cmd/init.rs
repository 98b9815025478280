//! `pm init`: create a working postmortem repository — a commented pm.toml, the postmortems
//! folder with one example, a pre-commit config using the `pm check` hook, CI for GitHub
//! Actions and GitLab, and a .gitignore — then `git init` it unless it is already in a git
//! work tree. Existing files are never overwritten: if any file `pm init` would write exists,
//! it lists them and writes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::cmd::{Global, Outcome};
use crate::scaffold::{ids, skeleton};

/// Options of `pm init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to create the repository in (created if missing) [default: `--root`, else the
    /// current folder].
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Do not run `git init`.
    #[arg(long)]
    pub no_git: bool,
}

/// Runs `pm init`.
pub fn run(global: &Global, args: &InitArgs) -> anyhow::Result<Outcome> {
    let given = args.dir.as_ref().or(global.root.as_ref());
    let dir = match given {
        Some(d) => global.cwd.join(d),
        None => global.cwd.clone(),
    };
    let shown = given.map_or_else(|| ".".to_owned(), |d| d.display().to_string());
    if dir.exists() && !dir.is_dir() {
        bail!("{shown} exists and is not a folder");
    }

    let existing: Vec<&str> = skeleton::FILES
        .iter()
        .map(|f| f.path)
        .filter(|p| dir.join(p).symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        bail!(
            "{shown} already has {} that pm init would write, so nothing was written:\n  {}\n\
             Move {} away, or run pm init in an empty folder.",
            if existing.len() == 1 { "a file" } else { "files" },
            existing.join("\n  "),
            if existing.len() == 1 { "it" } else { "them" },
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {shown}"))?;
    let mut written: Vec<PathBuf> = Vec::new();
    for file in skeleton::FILES {
        let path = dir.join(file.path);
        if let Err(e) = ids::create_new(&dir, &path, file.text) {
            // Leave nothing half-done: the files written so far are ours, and new.
            for w in &written {
                let _ = std::fs::remove_file(w);
            }
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                bail!("{} appeared while pm init was writing; nothing was written", file.path);
            }
            return Err(e).with_context(|| format!("cannot write {}", path.display()));
        }
        written.push(path);
    }

    println!("Created a postmortem repository in {shown}:");
    for file in skeleton::FILES {
        println!("  {}", file.path);
    }
    if !args.no_git {
        println!("{}", git_init(&dir, &shown));
    }
    println!();
    println!("Next steps:");
    if shown != "." {
        println!("  cd {shown}");
    }
    println!("  edit pm.toml: your teams, services and issue trackers");
    println!("  pip install pre-commit && pre-commit install");
    println!("  pm new \"Checkout returned 5xx\" --severity SEV2 --service checkout-api");
    println!("  pm check");
    Ok(Outcome::Clean)
}

/// Runs `git init` in `dir` unless it is inside a work tree already; says what happened.
fn git_init(dir: &Path, shown: &str) -> String {
    let inside =
        Command::new("git").arg("-C").arg(dir).args(["rev-parse", "--show-toplevel"]).output();
    match inside {
        Err(e) => {
            return format!("warning: cannot run git ({e}); run `git init` in {shown} yourself");
        }
        Ok(out) if out.status.success() => {
            let top = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let same = Path::new(&top).canonicalize().ok() == dir.canonicalize().ok();
            return if same {
                format!("{shown} is a git repository already.")
            } else {
                format!(
                    "{shown} is inside the git repository at {top}: pre-commit reads that \
                     repository's .pre-commit-config.yaml, so move the pm hooks there."
                )
            };
        }
        Ok(_) => {}
    }
    match Command::new("git").arg("-C").arg(dir).args(["init", "-q"]).status() {
        Ok(status) if status.success() => format!("Initialized a git repository in {shown}."),
        Ok(status) => format!("warning: `git init` failed ({status}); run it in {shown} yourself"),
        Err(e) => format!("warning: cannot run git ({e}); run `git init` in {shown} yourself"),
    }
}

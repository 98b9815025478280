//! `pm init`: create a working postmortem repository — a commented pm.toml, the postmortems
//! folder with one example, a pre-commit config using the `pm check` hook, CI for GitHub
//! Actions and GitLab, and a .gitignore — then `git init` it unless it is already in a git
//! work tree.
//!
//! In a repository that has some of these files already (adopting pm), each is dealt with by
//! whose it is ([`Owner`]): pm's lines are appended to `.gitignore`, pm's hooks added to the
//! pre-commit config, and every other existing file is skipped with the reason said; `--force`
//! replaces only pm's own CI files, never the team's. Everything is planned before anything is
//! written, and a write that fails undoes the ones before it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::cmd::{Global, Outcome};
use crate::scaffold::adopt::{self, PreCommit};
use crate::scaffold::ids;
use crate::scaffold::skeleton::{self, Owner, SkeletonFile};

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

    /// Replace pm's own files that exist already (its CI workflows and GitLab jobs); the team's
    /// files (pm.toml, postmortems, .gitignore, .gitlab-ci.yml) are never replaced.
    #[arg(long)]
    pub force: bool,
}

/// What `pm init` does with one file.
enum Step {
    /// Writes a new file.
    Create,
    /// Replaces the file's `old` contents with `new` (a merge, or `--force`).
    Change { old: String, new: String, verb: &'static str, what: String },
    /// Leaves the file as it is.
    Skip(String),
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

    let mut steps = Vec::with_capacity(skeleton::FILES.len());
    for file in skeleton::FILES {
        steps.push(plan(&dir, file, args.force)?);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {shown}"))?;
    apply(&dir, &steps)?;

    let fresh = steps.iter().all(|s| matches!(s, Step::Create));
    if fresh {
        println!("Created a postmortem repository in {shown}:");
    } else {
        println!("Set up pm in {shown}, an existing folder:");
    }
    for (file, step) in skeleton::FILES.iter().zip(&steps) {
        match step {
            Step::Create if fresh => println!("  {}", file.path),
            Step::Create => println!("  created  {}", file.path),
            Step::Change { verb, what, .. } => println!("  {verb:<8} {} ({what})", file.path),
            Step::Skip(why) => println!("  skipped  {}: {why}", file.path),
        }
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

/// Decides what to do with `file` in `dir`, reading what is there.
fn plan(dir: &Path, file: &SkeletonFile, force: bool) -> anyhow::Result<Step> {
    let path = dir.join(file.path);
    let meta = match path.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Step::Create),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.path)),
        Ok(meta) => meta,
    };
    if !meta.is_file() {
        return Ok(Step::Skip("exists and is not a regular file: left alone".into()));
    }
    let old = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {} (is it UTF-8 text?)", file.path))?;
    let step = match file.owner {
        Owner::Pm if old == file.text => Step::Skip("exists, identical to pm's".into()),
        Owner::Pm if force => Step::Change {
            old,
            new: file.text.to_owned(),
            verb: "replaced",
            what: "--force: pm's own file".into(),
        },
        Owner::Pm => Step::Skip("exists (pm's own file: --force replaces it)".into()),
        Owner::Includes(jobs) if old.contains(jobs) => {
            Step::Skip(format!("exists, includes {jobs} already"))
        }
        Owner::Includes(jobs) => {
            Step::Skip(format!("exists and is yours: add `include: [{{local: {jobs}}}]` to it"))
        }
        Owner::Team => Step::Skip("exists and is yours: never replaced".into()),
        Owner::Lines => match adopt::gitignore(&old, file.text) {
            Some((new, n)) => Step::Change {
                old,
                new,
                verb: "merged",
                what: format!("appended {n} missing pattern{}", if n == 1 { "" } else { "s" }),
            },
            None => Step::Skip("exists, has pm's patterns already".into()),
        },
        Owner::PreCommit => match adopt::pre_commit(&old, file.text) {
            PreCommit::Merged(new) => Step::Change {
                old,
                new,
                verb: "merged",
                what: "added pm's hooks as a new `repo: local` entry".into(),
            },
            PreCommit::Present => {
                Step::Skip(format!("exists, has the `{}` hook already", adopt::HOOK_ID))
            }
            PreCommit::Unmergeable(why) => Step::Skip(format!(
                "exists, and pm's hooks could not be added: {why}; copy them from `pm init` in an \
                 empty folder"
            )),
        },
    };
    Ok(step)
}

/// Carries out the plan; on a failure, undoes what was done (created files removed, changed
/// files given back their contents) and says which file failed.
fn apply(dir: &Path, steps: &[Step]) -> anyhow::Result<()> {
    let mut done: Vec<(PathBuf, Option<&str>)> = Vec::new();
    for (file, step) in skeleton::FILES.iter().zip(steps) {
        let path = dir.join(file.path);
        let result = match step {
            Step::Create => ids::create_new(dir, &path, file.text).map(|()| None),
            Step::Change { old, new, .. } => {
                crate::atomic::replace(dir, &path, old.as_bytes(), new.as_bytes())
                    .map(|()| Some(old.as_str()))
            }
            Step::Skip(_) => continue,
        };
        match result {
            Ok(old) => done.push((path, old)),
            Err(e) => {
                for (path, old) in done.iter().rev() {
                    let _ = match old {
                        None => std::fs::remove_file(path),
                        Some(old) => crate::atomic::write(dir, path, old.as_bytes()),
                    };
                }
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    bail!("{} appeared while pm init was writing; nothing was written", file.path);
                }
                return Err(e)
                    .with_context(|| format!("cannot write {}; nothing was written", file.path));
            }
        }
    }
    Ok(())
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

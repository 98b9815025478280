//! `pm completions` and `pm man`: shell completions and man pages, generated from the same
//! clap definitions that parse the command line, so they can never disagree with it.
//!
//! Completion is dynamic: the shell asks `pm` itself for the candidates of the word under the
//! cursor (clap's `COMPLETE=<shell> pm` protocol, answered in `main.rs` before any parsing), so
//! values that live in the repository — `pm new --severity`, `--service`, `--team`, `--owner`,
//! `--template`, the rule of `pm explain` — come from the `pm.toml` of the folder the user is
//! in, not from a script generated once. `pm completions <shell>` prints the script that
//! registers `pm` with the shell; nushell, which clap's dynamic protocol does not speak, gets
//! a static script of the commands and flags.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;

use crate::cmd::{Cli, Outcome};

/// The environment variable that switches `pm` into answering a completion request.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// A shell `pm completions` can register with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    /// Bash (dynamic).
    Bash,
    /// Elvish (dynamic).
    Elvish,
    /// Fish (dynamic).
    Fish,
    /// Nushell (static: commands and flags, no values from pm.toml).
    Nushell,
    /// PowerShell (dynamic).
    Powershell,
    /// Zsh (dynamic).
    Zsh,
}

/// Options of `pm completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `pm completions bash > ~/.local/share/bash-completion/completions/pm`,
    /// `pm completions zsh > ~/.zfunc/_pm`, `pm completions fish > ~/.config/fish/completions/pm.fish`,
    /// `pm completions nushell | save -f ~/.config/nushell/pm.nu`. The same as
    /// `COMPLETE=<shell> pm` for every shell but nushell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Options of `pm man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `pm.1` and one page per command (`pm-check.1`, …) into this folder instead of
    /// printing `pm.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs `pm completions`.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    let name = match args.shell {
        Shell::Nushell => {
            clap_complete::generate(
                clap_complete_nushell::Nushell,
                &mut Cli::command(),
                "pm",
                &mut out,
            );
            None
        }
        Shell::Bash => Some("bash"),
        Shell::Elvish => Some("elvish"),
        Shell::Fish => Some("fish"),
        Shell::Powershell => Some("powershell"),
        Shell::Zsh => Some("zsh"),
    };
    if let Some(name) = name {
        let shells = clap_complete::env::Shells::builtins();
        let shell = shells.completer(name).context("clap no longer knows this shell")?;
        shell.write_registration(COMPLETE_VAR, "pm", "pm", "pm", &mut out)?;
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out).and_then(|()| stdout.flush()).context("cannot write")?;
    Ok(Outcome::Clean)
}

/// The configuration of the repository the shell is in, for candidates; none outside one or
/// when `pm.toml` does not parse (completion then offers nothing rather than failing).
fn config() -> Option<crate::config::Workspace> {
    let cwd = std::env::current_dir().ok()?;
    crate::config::Workspace::discover(None, &cwd).ok()
}

/// The severities of `pm.toml`, most severe first.
pub fn severities() -> Vec<CompletionCandidate> {
    config().map_or_else(Vec::new, |w| {
        w.config.severities.iter().map(CompletionCandidate::new).collect()
    })
}

/// The services of `pm.toml`, with their description.
pub fn services() -> Vec<CompletionCandidate> {
    config().map_or_else(Vec::new, |w| {
        w.config
            .services
            .iter()
            .map(|(name, s)| {
                CompletionCandidate::new(name).help(s.description.clone().map(Into::into))
            })
            .collect()
    })
}

/// The teams of `pm.toml`, with their name.
pub fn teams() -> Vec<CompletionCandidate> {
    config().map_or_else(Vec::new, |w| {
        w.config
            .teams
            .iter()
            .map(|(id, t)| CompletionCandidate::new(id).help(t.name.clone().map(Into::into)))
            .collect()
    })
}

/// The people `pm.toml` knows (team members and owners).
pub fn people() -> Vec<CompletionCandidate> {
    config().map_or_else(Vec::new, |w| {
        w.config.people().into_iter().map(CompletionCandidate::new).collect()
    })
}

/// The templates `pm new --template` can use: the built-ins and the repository's own.
pub fn templates() -> Vec<CompletionCandidate> {
    let root = config().map_or_else(|| PathBuf::from("."), |w| w.root);
    crate::scaffold::template::list(&root).map_or_else(
        |_| Vec::new(),
        |list| {
            list.iter()
                .map(|t| CompletionCandidate::new(&t.name).help(t.description().map(Into::into)))
                .collect()
        },
    )
}

/// Every rule's slug and code, with its summary.
pub fn rules() -> Vec<CompletionCandidate> {
    crate::rules::RULES
        .iter()
        .flat_map(|rule| {
            let meta = rule.meta();
            [meta.slug, meta.code]
                .map(|name| CompletionCandidate::new(name).help(Some(meta.summary.into())))
        })
        .collect()
}

/// Runs `pm man`.
pub fn man(args: &ManArgs) -> anyhow::Result<Outcome> {
    let command = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let mut command = command.disable_help_subcommand(true);
            command.build();
            let mut written = Vec::new();
            write_pages(command, dir, &mut written)
                .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
            written.sort();
            let mut stdout = std::io::stdout().lock();
            for page in written {
                writeln!(stdout, "{}", page.display()).context("cannot write")?;
            }
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command).render(&mut out).context("cannot render")?;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&out).and_then(|()| stdout.flush()).context("cannot write")?;
        }
    }
    Ok(Outcome::Clean)
}

/// Writes the page of `command` and of each of its visible subcommands into `dir` (as
/// `clap_mangen::generate_to` does), collecting the paths written.
fn write_pages(
    command: clap::Command,
    dir: &std::path::Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        write_pages(sub, dir, written)?;
    }
    written.push(clap_mangen::Man::new(command).generate_to(dir)?);
    Ok(())
}

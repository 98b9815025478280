//! `pm completions` and `pm man`: shell completions and man pages, generated from the same
//! clap definitions that parse the command line, so they can never disagree with it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::CommandFactory;

use crate::cmd::{Cli, Outcome};

/// Options of `pm completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `pm completions bash > ~/.local/share/bash-completion/completions/pm`,
    /// `pm completions zsh > ~/.zfunc/_pm`, `pm completions fish > ~/.config/fish/completions/pm.fish`.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
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
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "pm", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out).and_then(|()| stdout.flush()).context("cannot write")?;
    Ok(Outcome::Clean)
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

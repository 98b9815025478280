//! The command line: the one place that knows every room. [`Cli`] declares the global options
//! and one variant per command with clap (help, errors, completions and the man page all come
//! from these definitions); [`run`] dispatches to one module per command, each with its own
//! arguments beside it, returning an [`Outcome`] or an error with context. Arguments several
//! commands share are declared once in [`args`]. Nothing below `cmd/` imports it.

pub mod actions;
pub mod args;
pub mod build;
pub mod check;
pub mod codeowners;
pub mod completions;
pub mod explain;
pub mod export;
pub mod gate;
pub mod init;
pub mod metrics;
pub mod new;
pub mod schema;
pub mod serve;
pub mod status;
pub mod sync;
pub mod templates;
pub mod theme;
pub mod timeline;
pub mod todo;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use args::Today;

/// pm: keep incident postmortems as markdown in git — scaffold, check and publish them.
#[derive(Debug, Parser)]
#[command(name = "pm", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Repository root (default: the nearest folder upwards with pm.toml, else the git work tree).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate postmortems: schema, owners, deadlines, action items, timestamps, sections,
    /// blameless language.
    Check(check::CheckArgs),
    /// Explain a rule (by code or slug), or list every rule.
    Explain(explain::ExplainArgs),
    /// Print a built-in JSON schema (for editors and other tools).
    Schema(schema::SchemaArgs),
    /// Scaffold a new postmortem from a template.
    New(new::NewArgs),
    /// Scaffold a whole postmortem repository.
    Init(init::InitArgs),
    /// List the postmortem templates (built-in and the repository's own).
    Templates(templates::TemplatesArgs),
    /// Print shell completions.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    Man(completions::ManArgs),
    /// The outstanding action-item report.
    Actions(actions::ActionsArgs),
    /// Release gate: fail when a team has overdue postmortems or action items.
    Gate(gate::GateArgs),
    /// Each postmortem against the completion policy: what is met, missing, owed.
    Status(status::StatusArgs),
    /// Everything one person owes: sections, reviews, postmortems, action items.
    Todo(todo::TodoArgs),
    /// Export the repository as structured data (JSON, NDJSON, CSV).
    Export(export::ExportArgs),
    /// Timeline tools (import from a Slack export).
    Timeline(timeline::TimelineArgs),
    /// Reliability metrics: durations, timeliness, follow-through.
    Metrics(metrics::MetricsArgs),
    /// Fetch the state of action items' tickets from GitHub, GitLab, Jira and Linear.
    Sync(sync::SyncArgs),
    /// Write (or check) CODEOWNERS, so the git host asks each postmortem's team to review it.
    Codeowners(codeowners::CodeownersArgs),
    /// Build the static postmortem site.
    Build(build::BuildArgs),
    /// Serve the site on localhost and rebuild on change.
    Serve(serve::ServeArgs),
    /// Site theme tools (`pm theme eject`).
    Theme(theme::ThemeArgs),
}

/// Options every command shares.
#[derive(Debug, Clone)]
pub struct Global {
    /// `--root`, if given.
    pub root: Option<PathBuf>,
    /// The current folder.
    pub cwd: PathBuf,
    /// Whether to colour output.
    pub color: bool,
}

impl Global {
    /// Opens the workspace of a command that reads postmortems: `--root` or discovery from the
    /// current folder. A postmortems folder that does not exist is an error: reading nothing
    /// from it would report "0 files checked" and pass, when the configuration is wrong.
    pub fn workspace(&self) -> anyhow::Result<crate::config::Workspace> {
        let workspace = self.workspace_to_write()?;
        let folder = &workspace.config.postmortems;
        if !workspace.root.join(folder).is_dir() {
            let shown = crate::diagnostic::printable_line(folder);
            let root = workspace.root.display().to_string();
            let root = crate::diagnostic::printable_line(&root);
            match &workspace.config_path {
                Some(_) => anyhow::bail!(
                    "the postmortems folder `{shown}` (pm.toml `postmortems`) does not exist in \
                     {root}: create it, or set `postmortems` to the folder that holds the postmortems"
                ),
                None => anyhow::bail!(
                    "no postmortem repository found: {}.\n\
                     Run `pm init` to create one, or run pm in the repository's folder (or give \
                     --root with it).",
                    self.where_looked(&workspace)
                ),
            }
        }
        Ok(workspace)
    }

    /// Where discovery (`Workspace::discover`) looked, for the error of a command run outside
    /// any repository: the folders searched for `pm.toml` and the one that would hold the
    /// postmortems — so a CI job run in the wrong folder says which folder that was.
    fn where_looked(&self, workspace: &crate::config::Workspace) -> String {
        let shown = |p: &std::path::Path| {
            crate::diagnostic::printable_line(&p.display().to_string()).into_owned()
        };
        let folder = crate::diagnostic::printable_line(&workspace.config.postmortems);
        let root = shown(&workspace.root);
        if self.root.is_some() {
            return format!("no pm.toml and no `{folder}` folder in {root} (--root)");
        }
        let why = if workspace.root.join(".git").exists() {
            "the root of the git work tree around it"
        } else {
            "the current folder: it is in no git work tree"
        };
        format!(
            "no pm.toml in {} or any folder above it, and no `{folder}` folder in {root} ({why})",
            shown(&self.cwd)
        )
    }

    /// Opens the workspace of a command that may create the postmortems folder or does not
    /// read it (`pm new`, `pm templates`, `pm theme`, `pm timeline`).
    pub fn workspace_to_write(&self) -> anyhow::Result<crate::config::Workspace> {
        Ok(crate::config::Workspace::discover(self.root.as_deref(), &self.cwd)?)
    }
}

/// Tells on stderr which files could not be read as postmortems: a report or a gate that
/// silently left them out would look more complete than it is.
pub fn warn_skipped(repo: &crate::repo::Repo) {
    if let Some(e) = &repo.tickets_error {
        eprintln!("warning: cannot read the ticket cache: {e}; ticket states are not shown");
    }
    for doc in repo.documents.iter().filter(|d| d.postmortem.is_none()) {
        eprintln!(
            "warning: skipped {}: not a readable postmortem (`pm check` says why)",
            crate::diagnostic::printable_line(doc.path())
        );
    }
}

/// Writes a whole report to stdout. A closed pipe (`pm actions | head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}

/// The unified diff that takes the file at the repo-relative `path` from `old` to `new`, with
/// `a/` and `b/` headers as git writes them (empty when nothing changes): how a command shows a
/// change it was not asked to make (`pm sync` without `--write`, `pm codeowners --check`).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let (a, b) = (format!("a/{path}"), format!("b/{path}"));
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&a, &b)
        .to_string()
}

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// Findings at or above the fail level (exit 1).
    Findings,
}

/// Runs the command line `cli`. Errors are usage, configuration or I/O failures (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir()
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
        }
    };
    let global = Global { root: cli.root, cwd, color };
    match cli.command {
        Command::Check(args) => check::run(&global, &args),
        Command::Explain(args) => explain::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::New(args) => new::run(&global, &args),
        Command::Init(args) => init::run(&global, &args),
        Command::Templates(args) => templates::run(&global, &args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => completions::man(&args),
        Command::Actions(args) => actions::run(&global, &args),
        Command::Gate(args) => gate::run(&global, &args),
        Command::Status(args) => status::run(&global, &args),
        Command::Todo(args) => todo::run(&global, &args),
        Command::Export(args) => export::run(&global, &args),
        Command::Timeline(args) => timeline::run(&global, &args),
        Command::Metrics(args) => metrics::run(&global, &args),
        Command::Sync(args) => sync::run(&global, &args),
        Command::Codeowners(args) => codeowners::run(&global, &args),
        Command::Build(args) => build::run(&global, &args),
        Command::Serve(args) => serve::run(&global, &args),
        Command::Theme(args) => theme::run(&global, &args),
    }
}

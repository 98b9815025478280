//! The command line: global options and one variant per command, defined once with clap so
//! help, errors and completions all come from the same definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

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
    Check(CheckArgs),
    /// Explain a rule (by code or slug), or list every rule.
    Explain(ExplainArgs),
    /// Print a built-in JSON schema (for editors and other tools).
    Schema(SchemaArgs),
    /// Scaffold a new postmortem from a template.
    New(crate::cmd::new::NewArgs),
    /// Scaffold a whole postmortem repository.
    Init(crate::cmd::init::InitArgs),
    /// List the postmortem templates (built-in and the repository's own).
    Templates(crate::cmd::templates::TemplatesArgs),
    /// Print shell completions.
    Completions(crate::cmd::completions::CompletionsArgs),
    /// Print the man page (roff).
    Man(crate::cmd::completions::ManArgs),
    /// The outstanding action-item report.
    Actions(crate::cmd::actions::ActionsArgs),
    /// Release gate: fail when a team has overdue postmortems or action items.
    Gate(crate::cmd::gate::GateArgs),
    /// Export the repository as structured data (JSON, NDJSON, CSV).
    Export(crate::cmd::export::ExportArgs),
    /// Timeline tools (import from a Slack export).
    Timeline(crate::cmd::timeline::TimelineArgs),
    /// Reliability metrics: durations, timeliness, follow-through.
    Metrics(crate::cmd::metrics::MetricsArgs),
    /// Build the static postmortem site.
    Build(crate::cmd::build::BuildArgs),
    /// Serve the site on localhost and rebuild on change.
    Serve(crate::cmd::serve::ServeArgs),
    /// Site theme tools (`pm theme eject`).
    Theme(crate::cmd::theme::ThemeArgs),
}

/// Options of `pm check`.
#[derive(Debug, Args)]
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

    /// What "today" is, for deadlines (YYYY-MM-DD; default: the current date in pm.toml's
    /// timezone).
    #[arg(long, env = "PM_TODAY", value_name = "DATE", value_parser = parse_date)]
    pub today: Option<jiff::civil::Date>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also fail on warnings (or on infos too).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
}

/// Which lower severities fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Warnings (and errors) fail.
    Warnings,
    /// Infos, warnings and errors fail.
    Info,
}

/// Options of `pm explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (`PM503`) or slug (`blameless-language`).
    pub rule: Option<String>,

    /// Print the full reference of every rule (markdown).
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
}

/// Options of `pm schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum, default_value_t = SchemaKind::Postmortem)]
    pub kind: SchemaKind,
}

/// The built-in schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// Postmortem front matter.
    Postmortem,
    /// pm.toml.
    Config,
    /// Records of `pm export`.
    Export,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse().map_err(|e| format!("`{s}` is not a date (YYYY-MM-DD): {e}"))
}

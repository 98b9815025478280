//! `pm` keeps incident postmortems as markdown files with YAML front matter in a git
//! repository, and scaffolds, checks and publishes them.
//!
//! The crate follows the data: [`discover`] finds files, [`parse`] cuts and reads them with
//! spans, [`model`] types them, [`repo`] holds them all, [`rules`] judge them through the
//! [`check`] engine, and [`report`] renders the verdict. [`cmd`] has one entry point per
//! command; the binary only parses arguments and maps the outcome to an exit code.

pub mod calendar;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod export;
pub mod followup;
pub mod idcache;
pub mod metrics;
pub mod model;
pub mod parse;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scaffold;
pub mod schema;
pub mod site;
pub mod source;
pub mod suppress;
pub mod timeline;

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// Findings at or above the fail level (exit 1).
    Findings,
}

/// Runs the command line `cli`. Errors are usage, configuration or I/O failures (exit 2).
pub fn run(cli: cli::Cli) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir()
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    let color = match cli.color {
        cli::ColorChoice::Always => true,
        cli::ColorChoice::Never => false,
        cli::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
        }
    };
    let global = cmd::Global { root: cli.root, cwd, color };
    match cli.command {
        cli::Command::Check(args) => cmd::check::run(&global, &args),
        cli::Command::Explain(args) => cmd::explain::run(&args),
        cli::Command::Schema(args) => cmd::schema::run(&args),
        cli::Command::New(args) => cmd::new::run(&global, &args),
        cli::Command::Init(args) => cmd::init::run(&global, &args),
        cli::Command::Templates(args) => cmd::templates::run(&global, &args),
        cli::Command::Completions(args) => cmd::completions::run(&args),
        cli::Command::Man(args) => cmd::completions::man(&args),
        cli::Command::Actions(args) => cmd::actions::run(&global, &args),
        cli::Command::Gate(args) => cmd::gate::run(&global, &args),
        cli::Command::Export(args) => cmd::export::run(&global, &args),
        cli::Command::Timeline(args) => cmd::timeline::run(&global, &args),
        cli::Command::Metrics(args) => cmd::metrics::run(&global, &args),
        cli::Command::Build(args) => cmd::build::run(&global, &args),
        cli::Command::Serve(args) => cmd::serve::run(&global, &args),
        cli::Command::Theme(args) => cmd::theme::run(&global, &args),
    }
}

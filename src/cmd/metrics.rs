//! `pm metrics`: the reliability metrics of the repository, as the site's metrics pages show
//! them — as a text report, JSON or CSV.
//!
//! The numbers and their definitions live in [`crate::metrics`]; this command parses the
//! selection, loads the repository, checks that a `--team` or `--service` names something the
//! repository knows (a typo must not print a page of zeros) and prints one format.

use jiff::civil::Date;

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome, Today};
use crate::followup::Known;
use crate::metrics::{self, Options, report};

/// Output formats of `pm metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MetricsFormat {
    /// Aligned text tables, one per figure.
    Table,
    /// One JSON object (the shape is documented in docs/metrics.md).
    Json,
    /// Long-form CSV: scope, metric, group, key, value.
    Csv,
}

/// Options of `pm metrics`.
#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// Only incidents that started on or after this date (YYYY-MM-DD, in pm.toml's timezone).
    #[arg(long, value_name = "DATE", value_parser = crate::cmd::args::parse_date)]
    pub since: Option<Date>,

    /// Only incidents that started on or before this date (YYYY-MM-DD, in pm.toml's timezone).
    #[arg(long, value_name = "DATE", value_parser = crate::cmd::args::parse_date)]
    pub until: Option<Date>,

    /// Only postmortems of this team.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,

    /// Only postmortems that list this service.
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = MetricsFormat::Table)]
    pub format: MetricsFormat,
}

/// Runs `pm metrics`. A report: it exits 0 whatever the numbers say.
pub fn run(global: &Global, args: &MetricsArgs) -> anyhow::Result<Outcome> {
    if let (Some(since), Some(until)) = (args.since, args.until) {
        if since > until {
            anyhow::bail!("--since {since} is after --until {until}: no incident can match");
        }
    }
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    // The figures read only typed fields: each document drops its text and body as soon as it
    // is parsed, so the parsed trees of 10,000 postmortems never sit in memory together.
    let repo = check::load(workspace, &Request::all(Keep::Fields)).repo;
    let known = Known::of(&repo);
    if let Some(team) = &args.team {
        known.check("team", team, &known.teams)?;
    }
    if let Some(service) = &args.service {
        known.check("service", service, &known.services)?;
    }
    crate::cmd::warn_skipped(&repo);
    let options = Options {
        today,
        since: args.since,
        until: args.until,
        team: args.team.clone(),
        service: args.service.clone(),
    };
    let metrics = metrics::compute(&repo, &options);
    let text = match args.format {
        MetricsFormat::Table => report::table(&metrics),
        MetricsFormat::Json => report::json(&metrics)?,
        MetricsFormat::Csv => report::csv(&metrics)?,
    };
    crate::cmd::print(&text)?;
    Ok(Outcome::Clean)
}

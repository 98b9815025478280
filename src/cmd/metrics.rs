//! `pm metrics`: the reliability metrics of the repository, as the site's metrics pages show
//! them — as a text report, JSON or CSV.
//!
//! The numbers and their definitions live in [`crate::metrics`]; this command parses the
//! selection, loads the repository, checks that a `--team` or `--service` names something the
//! repository knows (a typo must not print a page of zeros) and prints one format.

use jiff::civil::Date;

use crate::Outcome;
use crate::cmd::Global;
use crate::followup::{self, Known};
use crate::metrics::{self, Options, report};
use crate::parse::markdown::Body;
use crate::repo::{Depth, Document, Repo};
use crate::source::Source;
use rayon::prelude::*;

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
    #[arg(long, value_name = "DATE", value_parser = followup::parse_date)]
    pub since: Option<Date>,

    /// Only incidents that started on or before this date (YYYY-MM-DD, in pm.toml's timezone).
    #[arg(long, value_name = "DATE", value_parser = followup::parse_date)]
    pub until: Option<Date>,

    /// Only postmortems of this team.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,

    /// Only postmortems that list this service.
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,

    /// What "today" is, for overdue figures and ages (YYYY-MM-DD; default: the current date in
    /// pm.toml's timezone).
    #[arg(long, env = "PM_TODAY", value_name = "DATE", value_parser = followup::parse_date)]
    pub today: Option<Date>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = MetricsFormat::Table)]
    pub format: MetricsFormat,
}

/// Loads the repository for the metrics: every document is parsed in parallel and, in the same
/// task, stripped of what the metrics never read (its text, front matter tree and body), so the
/// parsed trees of 10,000 postmortems never sit in memory together (as in `pm check`).
fn load(workspace: crate::config::Workspace) -> Repo {
    let (found, walk_problems) =
        crate::discover::discover(&workspace.root, &workspace.config.postmortems);
    let documents: Vec<Document> = found
        .par_iter()
        .map(|f| {
            let mut doc = Document::read(&f.rel, &f.abs, Depth::Full);
            if let Some(pm) = &mut doc.postmortem {
                pm.front_matter = None;
                pm.body = Body::default();
            }
            doc.source = Source::new(std::mem::take(&mut doc.source.path), String::new());
            doc
        })
        .collect();
    Repo::from_documents(workspace, documents, walk_problems)
}

/// Runs `pm metrics`. A report: it exits 0 whatever the numbers say.
pub fn run(global: &Global, args: &MetricsArgs) -> anyhow::Result<Outcome> {
    if let (Some(since), Some(until)) = (args.since, args.until) {
        if since > until {
            anyhow::bail!("--since {since} is after --until {until}: no incident can match");
        }
    }
    let workspace = global.workspace()?;
    let today = followup::today(args.today, &workspace.config);
    let repo = load(workspace);
    let known = Known::of(&repo);
    if let Some(team) = &args.team {
        known.check("team", team, &known.teams)?;
    }
    if let Some(service) = &args.service {
        known.check("service", service, &known.services)?;
    }
    followup::warn_skipped(&repo);
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
    followup::render::print(&text)?;
    Ok(Outcome::Clean)
}

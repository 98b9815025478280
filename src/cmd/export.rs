//! `pm export`: the repository as structured data (JSON, NDJSON, CSV) in the one documented
//! shape of [`crate::export`].

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome, Today};
use crate::export::{self, What};

/// Output formats of `pm export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object with an array per kind of record.
    Json,
    /// One JSON record per line (needs `--what`).
    Ndjson,
    /// CSV with a header row (needs `--what`).
    Csv,
}

/// What `pm export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WhatArg {
    /// Every kind of record (JSON only).
    All,
    /// One record per postmortem.
    Postmortems,
    /// One record per action item.
    ActionItems,
    /// One record per timeline entry.
    Timeline,
}

/// Options of `pm export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,

    /// Which records.
    #[arg(long, value_enum, default_value_t = WhatArg::All)]
    pub what: WhatArg,

    /// Export only what the site shows: the statuses of `[site] publish`, no `private`
    /// postmortem, and `restricted` ones as stubs (without it, everything in the repository).
    #[arg(long)]
    pub as_site: bool,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,
}

/// Runs `pm export`.
pub fn run(global: &Global, args: &ExportArgs) -> anyhow::Result<Outcome> {
    let what = match args.what {
        WhatArg::All => What::All,
        WhatArg::Postmortems => What::Postmortems,
        WhatArg::ActionItems => What::ActionItems,
        WhatArg::Timeline => What::Timeline,
    };
    if what == What::All && args.format != ExportFormat::Json {
        let format = if args.format == ExportFormat::Csv { "csv" } else { "ndjson" };
        anyhow::bail!(
            "`--format {format}` writes one kind of record: add `--what postmortems`, \
             `--what action-items` or `--what timeline`"
        );
    }
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    let mut repo = check::load(workspace, &Request::all(Keep::All)).repo;
    crate::cmd::warn_skipped(&repo);
    if args.as_site {
        repo.for_readers();
    }
    let records = export::records(&repo, today, what);
    let text = match (args.format, what) {
        (ExportFormat::Json, _) => export::json(&records, today, what)?,
        (ExportFormat::Ndjson, What::Postmortems) => export::ndjson(&records.postmortems)?,
        (ExportFormat::Ndjson, What::ActionItems) => export::ndjson(&records.action_items)?,
        (ExportFormat::Ndjson, _) => export::ndjson(&records.timeline)?,
        (ExportFormat::Csv, What::Postmortems) => export::csv(&records.postmortems)?,
        (ExportFormat::Csv, What::ActionItems) => export::csv(&records.action_items)?,
        (ExportFormat::Csv, _) => export::csv(&records.timeline)?,
    };
    crate::cmd::print(&text)?;
    Ok(Outcome::Clean)
}

//! `pm actions`: the outstanding action-item report.
//!
//! Selection, order and rendering live in [`crate::followup`] (shared with `pm gate` and the
//! site); this command parses the filters, loads the repository and prints one format.

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome, Today};
use crate::followup::{self, Filter, chat, render};
use crate::model::{ItemStatus, Priority};

/// Output formats of `pm actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ActionsFormat {
    /// An aligned table (coloured on a terminal unless `NO_COLOR` is set).
    Table,
    /// Markdown grouped by owner, to paste into a chat channel, an issue or a ticket.
    Markdown,
    /// One JSON object: `today`, `summary` and `items`.
    Json,
    /// CSV with a header row.
    Csv,
    /// A Slack message (Block Kit), the body to POST to a Slack incoming webhook.
    Slack,
    /// A Microsoft Teams message (an Adaptive Card), the body to POST to a Teams webhook.
    Teams,
}

/// An item status, as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
    /// Decided against.
    WontDo,
}

impl From<StatusArg> for ItemStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Open => ItemStatus::Open,
            StatusArg::InProgress => ItemStatus::InProgress,
            StatusArg::Done => ItemStatus::Done,
            StatusArg::WontDo => ItemStatus::WontDo,
        }
    }
}

/// An item priority, as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum PriorityArg {
    /// Drop everything.
    P0,
    /// Next up.
    P1,
    /// Soon.
    P2,
    /// When there is time.
    P3,
}

impl From<PriorityArg> for Priority {
    fn from(p: PriorityArg) -> Self {
        match p {
            PriorityArg::P0 => Priority::P0,
            PriorityArg::P1 => Priority::P1,
            PriorityArg::P2 => Priority::P2,
            PriorityArg::P3 => Priority::P3,
        }
    }
}

/// Options of `pm actions`.
#[derive(Debug, clap::Args)]
pub struct ActionsArgs {
    /// Only items owned by this person (repeatable).
    #[arg(long, value_name = "PERSON")]
    pub owner: Vec<String>,

    /// Only items of this team: of its postmortems, or owned by its members (repeatable).
    #[arg(long, value_name = "TEAM")]
    pub team: Vec<String>,

    /// Only items of postmortems that list this service (repeatable).
    #[arg(long, value_name = "SERVICE")]
    pub service: Vec<String>,

    /// Only items of postmortems of this severity (repeatable).
    #[arg(long, value_name = "SEVERITY")]
    pub severity: Vec<String>,

    /// Only items with this status (repeatable; default: open and in-progress).
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Vec<StatusArg>,

    /// Only items with this priority (repeatable).
    #[arg(long, value_enum, value_name = "PRIORITY", ignore_case = true)]
    pub priority: Vec<PriorityArg>,

    /// Only overdue items.
    #[arg(long)]
    pub overdue: bool,

    /// Only items that disagree with their ticket in the tracker, whatever their status
    /// (reads the ticket cache `pm sync` writes).
    #[arg(long)]
    pub drift: bool,

    /// Only items due within this window from today, overdue ones included (`7d`, `2w`).
    #[arg(long, value_name = "WINDOW", value_parser = crate::cmd::args::parse_window)]
    pub due_within: Option<u32>,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ActionsFormat::Table)]
    pub format: ActionsFormat,
}

/// Runs `pm actions`. A report: it exits 0 whatever it finds (`pm gate` is the one that fails).
pub fn run(global: &Global, args: &ActionsArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    let repo = check::load(workspace, &Request::all(Keep::All)).repo;
    let filter = Filter {
        owners: args.owner.clone(),
        teams: args.team.clone(),
        services: args.service.clone(),
        severities: args.severity.clone(),
        statuses: args.status.iter().map(|s| (*s).into()).collect(),
        priorities: args.priority.iter().map(|p| (*p).into()).collect(),
        overdue: args.overdue,
        due_within: args.due_within,
        drift: args.drift,
    };
    filter.validate(&repo)?;
    crate::cmd::warn_skipped(&repo);
    let items = followup::select(&repo, &filter, today);
    let text = match args.format {
        ActionsFormat::Table => render::table(&items, today, global.color),
        ActionsFormat::Markdown => render::markdown(&items, today, &repo.workspace.config),
        ActionsFormat::Json => render::json(&items, today)?,
        ActionsFormat::Csv => render::csv(&items)?,
        ActionsFormat::Slack => chat::slack::render(&items, today, &repo.workspace.config)?,
        ActionsFormat::Teams => chat::teams::render(&items, today, &repo.workspace.config)?,
    };
    crate::cmd::print(&text)?;
    Ok(Outcome::Clean)
}

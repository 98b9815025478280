//! `pm gate`: the release gate. Exits 1 with the reasons when the selected team, service or
//! owner has overdue postmortems or overdue high-priority action items beyond `[gate]`'s
//! allowance, 0 with "clear" otherwise. The policy lives in [`crate::followup::gate`].

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome, Today};
use crate::followup::gate::{self, Selector};

/// Output formats of `pm gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GateFormat {
    /// The verdict and its reasons, for people and CI logs.
    Human,
    /// The verdict as JSON, for other tools.
    Json,
}

/// Options of `pm gate`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("selector").required(true).multiple(false).args(["team", "service", "owner"])))]
pub struct GateArgs {
    /// Gate the releases of this team.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,

    /// Gate the releases of this service.
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,

    /// Gate on what this person owns.
    #[arg(long, value_name = "PERSON")]
    pub owner: Option<String>,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = GateFormat::Human)]
    pub format: GateFormat,
}

/// Runs `pm gate`.
pub fn run(global: &Global, args: &GateArgs) -> anyhow::Result<Outcome> {
    let selector = match (&args.team, &args.service, &args.owner) {
        (Some(t), None, None) => Selector::Team(t.clone()),
        (None, Some(s), None) => Selector::Service(s.clone()),
        (None, None, Some(o)) => Selector::Owner(o.clone()),
        _ => anyhow::bail!("give exactly one of --team, --service or --owner"),
    };
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    let repo = check::load(workspace, &Request::all(Keep::All)).repo;
    gate::validate(&selector, &repo)?;
    crate::cmd::warn_skipped(&repo);
    let verdict = gate::evaluate(&repo, &selector, today);
    let text = match args.format {
        GateFormat::Human => gate::human(&verdict, global.color),
        GateFormat::Json => {
            let mut text = serde_json::to_string_pretty(&verdict)?;
            text.push('\n');
            text
        }
    };
    crate::cmd::print(&text)?;
    Ok(if verdict.blocked { Outcome::Findings } else { Outcome::Clean })
}

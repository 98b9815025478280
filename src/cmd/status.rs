//! `pm status`: each postmortem against the completion policy — what is met, what is missing,
//! who owes what. By default every postmortem not yet published; name ids or paths to pick.

use std::collections::BTreeSet;

use anyhow::bail;

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome, Today};
use crate::completion::Judge;
use crate::followup::status;

/// Output formats of `pm status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// A checklist per postmortem, for people.
    Table,
    /// JSON (`version` 1), for other tools.
    Json,
    /// Markdown with task lists, for a pull-request comment.
    Markdown,
}

/// Options of `pm status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Postmortems by id or path (default: every one not yet published).
    #[arg(value_name = "ID|PATH")]
    pub postmortems: Vec<String>,

    /// Only this team's postmortems.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,

    /// Published postmortems too.
    #[arg(long)]
    pub all: bool,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

/// Runs `pm status`.
pub fn run(global: &Global, args: &StatusArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    let root = workspace.root.clone();
    let repo = check::load(workspace, &Request::all(Keep::Fields)).repo;
    crate::cmd::warn_skipped(&repo);
    let config = &repo.workspace.config;
    if let Some(team) = &args.team {
        if !config.teams.is_empty() && !config.teams.contains_key(team) {
            let names: Vec<&str> = config.teams.keys().map(String::as_str).collect();
            bail!("no team `{team}` in pm.toml (teams: {})", names.join(", "));
        }
    }
    let picked = pick(&repo, &root, &global.cwd, &args.postmortems)?;
    let judge = Judge::new(config, repo.tickets.as_deref(), today, Some(&root));
    let select = |i: usize| {
        let doc = &repo.documents[i];
        let Some(pm) = &doc.postmortem else { return false };
        let named = match &picked {
            Some(set) => set.contains(&i),
            None => args.all || pm.status_or_draft() != crate::model::Status::Published,
        };
        let team =
            args.team.as_ref().is_none_or(|t| pm.team.as_ref().is_some_and(|p| &p.value == t));
        named && team
    };
    let standings = status::standings(&repo, &judge, &select);
    let text = match args.format {
        StatusFormat::Table => status::table(&standings, today),
        StatusFormat::Json => status::json(&standings, today)?,
        StatusFormat::Markdown => status::markdown(&standings, today),
    };
    crate::cmd::print(&text)?;
    Ok(Outcome::Clean)
}

/// The documents `names` (ids or paths) name, or `None` for no names. An unknown name is an
/// error: a typo must not look like "nothing to report".
fn pick(
    repo: &crate::repo::Repo,
    root: &std::path::Path,
    cwd: &std::path::Path,
    names: &[String],
) -> anyhow::Result<Option<BTreeSet<usize>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut set = BTreeSet::new();
    for name in names {
        let by_id = repo.documents.iter().position(|d| d.id() == Some(name.as_str()));
        let by_path = || {
            let abs = cwd.join(name);
            let abs = abs.canonicalize().unwrap_or(abs);
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            let rel = abs.strip_prefix(&root).ok()?.to_string_lossy().replace('\\', "/");
            repo.documents.iter().position(|d| d.path() == rel)
        };
        match by_id.or_else(by_path) {
            Some(i) => {
                set.insert(i);
            }
            None => bail!(
                "`{name}` is neither the id nor the path of a postmortem in {}",
                root.display()
            ),
        }
    }
    Ok(Some(set))
}

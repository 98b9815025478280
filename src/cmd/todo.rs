//! `pm todo`: everything one person owes across the repository, the most overdue first. The
//! person is `--person`, else the git user (`user.email`, `user.name`) mapped to a handle of
//! the registry.

use anyhow::bail;

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome, Today};
use crate::completion::Judge;
use crate::followup::{chat, todo};

/// Output formats of `pm todo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TodoFormat {
    /// A list, for people.
    Table,
    /// JSON (`version` 1).
    Json,
    /// Markdown, for a reminder in a chat or an issue.
    Markdown,
    /// A Slack message (Block Kit), the body to POST to a Slack incoming webhook.
    Slack,
    /// A Microsoft Teams message (an Adaptive Card), the body to POST to a Teams webhook.
    Teams,
}

/// Options of `pm todo`.
#[derive(Debug, clap::Args)]
pub struct TodoArgs {
    /// Whose list (a handle of the registry; default: the git user's).
    #[arg(long, value_name = "PERSON")]
    pub person: Option<String>,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TodoFormat::Table)]
    pub format: TodoFormat,
}

/// Runs `pm todo`.
pub fn run(global: &Global, args: &TodoArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    let root = workspace.root.clone();
    let person = match &args.person {
        Some(p) => p.clone(),
        None => git_user(&root, &workspace.config)?,
    };
    let people = workspace.config.people();
    if !people.is_empty() && !people.contains(person.as_str()) {
        let candidates: Vec<&str> = people.iter().copied().collect();
        let hint = crate::diagnostic::did_you_mean(&person, &candidates)
            .map_or_else(String::new, |b| format!(" (did you mean `{b}`?)"));
        bail!("`{person}` is not in the teams registry of pm.toml{hint}");
    }
    let repo = check::load(workspace, &Request::all(Keep::Fields)).repo;
    crate::cmd::warn_skipped(&repo);
    let judge = Judge::new(&repo.workspace.config, repo.tickets.as_deref(), today, Some(&root));
    let todos = todo::for_person(&repo, &judge, &person);
    let text = match args.format {
        TodoFormat::Table => todo::table(&person, &todos, today),
        TodoFormat::Json => todo::json(&person, &todos, today)?,
        TodoFormat::Markdown => todo::markdown(&person, &todos, today),
        TodoFormat::Slack => chat::todo::slack(&person, &todos, today)?,
        TodoFormat::Teams => chat::todo::teams(&person, &todos, today)?,
    };
    crate::cmd::print(&text)?;
    Ok(Outcome::Clean)
}

/// The registry handle of the git user of the repository at `root`.
fn git_user(root: &std::path::Path, config: &crate::config::Config) -> anyhow::Result<String> {
    let get = |key: &str| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["config", "--get", key])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let name = get("user.name");
    let email = get("user.email");
    let value = match (&name, &email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (None, Some(e)) => format!("<{e}>"),
        (Some(n), None) => n.clone(),
        (None, None) => {
            bail!("who are you? git has no user.name or user.email here: give --person HANDLE")
        }
    };
    let from_name = name.as_deref().and_then(|n| crate::completion::git::handle_of(n, config));
    match crate::completion::git::handle_of(&value, config).or(from_name) {
        Some(handle) => Ok(handle),
        None => bail!(
            "git user `{value}` is not a handle of the registry: give --person HANDLE, or map the email to a handle under [people] in pm.toml"
        ),
    }
}

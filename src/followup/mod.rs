//! Follow-through on action items: which items are still owed, by whom, and how late.
//!
//! `pm actions` (the outstanding-items report), `pm gate` (the release gate) and the site all
//! read action items through this module, so "overdue", "belongs to team T" and the report
//! order mean the same everywhere:
//!
//! - an item is *outstanding* when its status is `open` or `in-progress` (an item without a
//!   valid status counts as open: hiding it would be worse than showing it);
//! - it is *overdue* when it is outstanding and its `due` date is before today;
//! - it belongs to the postmortem's team *and* to every team its owner is a member of (the
//!   incident's team answers for the follow-through, the owner's team does the work);
//! - reports list overdue items first, then by due date (items without one last), ties broken
//!   by postmortem id and the item's position, so the same repository always gives the same
//!   report.

pub mod gate;
pub mod render;

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::Serialize;

use crate::config::Config;
use crate::model::{ActionItem, ItemKind, ItemStatus, Postmortem, Priority};
use crate::repo::{Document, Repo};

/// One action item with what a report needs to show it: its postmortem, its team(s) and how
/// late it is.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The postmortem's id.
    pub postmortem_id: Option<String>,
    /// The postmortem's title.
    pub postmortem_title: Option<String>,
    /// The postmortem's file, repo-relative.
    pub path: String,
    /// The postmortem's team.
    pub team: Option<String>,
    /// The postmortem's severity.
    pub severity: Option<String>,
    /// The postmortem's services.
    pub services: Vec<String>,
    /// Position in the postmortem's `action_items` (0-based).
    pub index: usize,
    /// The item's own id, if it has one.
    pub id: Option<String>,
    /// What will be done.
    pub title: Option<String>,
    /// Who is accountable.
    pub owner: Option<String>,
    /// The teams (from `pm.toml`) the owner is a member or owner of.
    pub owner_teams: Vec<String>,
    /// When it is due.
    pub due: Option<Date>,
    /// Where it stands, as written (`None` when missing or invalid).
    pub status: Option<ItemStatus>,
    /// P0–P3.
    pub priority: Option<Priority>,
    /// prevent / mitigate / detect / process / other.
    #[serde(rename = "type")]
    pub kind: Option<ItemKind>,
    /// The ticket as written (key or URL).
    pub ticket: Option<String>,
    /// The ticket's link: the URL itself or the tracker's `url` template filled in.
    pub ticket_url: Option<String>,
    /// When it was closed.
    pub closed_on: Option<Date>,
    /// Outstanding and due before today.
    pub overdue: bool,
    /// Days past `due` (0 unless overdue).
    pub days_overdue: i64,
}

impl Item {
    /// Builds the view of `item` of `pm` (read from `doc`) as of `today`.
    pub fn new(
        config: &Config,
        doc: &Document,
        pm: &Postmortem,
        item: &ActionItem,
        today: Date,
    ) -> Self {
        let value =
            |s: &Option<crate::source::Spanned<String>>| s.as_ref().map(|s| s.value.clone());
        let owner = value(&item.owner);
        let owner_teams = owner.as_deref().map(|o| teams_of(config, o)).unwrap_or_default();
        let due = item.due.as_ref().map(|d| d.value);
        let status = item.status.as_ref().map(|s| s.value);
        let outstanding = status.is_none_or(ItemStatus::is_open);
        let days_late = due.map(|d| crate::calendar::days_between(d, today));
        let overdue = outstanding && days_late.is_some_and(|d| d > 0);
        let ticket = value(&item.ticket);
        Self {
            postmortem_id: value(&pm.id),
            postmortem_title: value(&pm.title),
            path: doc.path().to_owned(),
            team: value(&pm.team),
            severity: value(&pm.severity),
            services: pm.services.iter().map(|s| s.value.clone()).collect(),
            index: item.index,
            id: value(&item.id),
            title: value(&item.title),
            ticket_url: ticket.as_deref().and_then(|t| config.ticket_url(t)),
            ticket,
            owner,
            owner_teams,
            due,
            status,
            priority: item.priority.as_ref().map(|p| p.value),
            kind: item.kind.as_ref().map(|k| k.value),
            closed_on: item.closed_on.as_ref().map(|d| d.value),
            overdue,
            days_overdue: if overdue { days_late.unwrap_or(0) } else { 0 },
        }
    }

    /// Open or in progress (or without a valid status).
    pub fn is_outstanding(&self) -> bool {
        self.status.is_none_or(ItemStatus::is_open)
    }

    /// Whether the item belongs to `team`: the postmortem's team, or a team of its owner.
    pub fn belongs_to_team(&self, team: &str) -> bool {
        self.team.as_deref() == Some(team) || self.owner_teams.iter().any(|t| t == team)
    }

    /// The status shown in reports (`open` for an item without a valid one).
    pub fn status_label(&self) -> &'static str {
        self.status.map_or("open", ItemStatus::as_str)
    }

    /// The report order: overdue first, then by due date (none last), then postmortem id,
    /// path and position.
    fn sort_key(&self) -> impl Ord + '_ {
        (
            !self.overdue,
            self.due.is_none(),
            self.due,
            self.postmortem_id.is_none(),
            self.postmortem_id.as_deref(),
            self.path.as_str(),
            self.index,
        )
    }
}

/// The teams `person` is a member or the owner of, by slug.
pub fn teams_of(config: &Config, person: &str) -> Vec<String> {
    config
        .teams
        .iter()
        .filter(|(_, t)| t.members.iter().chain(t.owner.iter()).any(|m| m == person))
        .map(|(slug, _)| slug.clone())
        .collect()
}

/// Which action items a report shows. Empty lists mean "any"; values within one list are
/// alternatives, different lists must all match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Item owners.
    pub owners: Vec<String>,
    /// Teams (the postmortem's or the owner's).
    pub teams: Vec<String>,
    /// Services of the postmortem.
    pub services: Vec<String>,
    /// Severities of the postmortem.
    pub severities: Vec<String>,
    /// Item statuses; empty means outstanding (open and in progress).
    pub statuses: Vec<ItemStatus>,
    /// Item priorities.
    pub priorities: Vec<Priority>,
    /// Only overdue items.
    pub overdue: bool,
    /// Only items due on or before today plus this many days (overdue ones included).
    pub due_within: Option<u32>,
}

impl Filter {
    /// Whether `item` passes, as of `today`.
    pub fn matches(&self, item: &Item, today: Date) -> bool {
        let any = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l == v))
        };
        let status_ok = if self.statuses.is_empty() {
            item.is_outstanding()
        } else {
            self.statuses.contains(&item.status.unwrap_or(ItemStatus::Open))
        };
        let due_ok = self.due_within.is_none_or(|days| {
            let limit = today.checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(today);
            item.due.is_some_and(|d| d <= limit)
        });
        status_ok
            && due_ok
            && (!self.overdue || item.overdue)
            && any(&self.owners, item.owner.as_deref())
            && (self.teams.is_empty() || self.teams.iter().any(|t| item.belongs_to_team(t)))
            && (self.services.is_empty() || self.services.iter().any(|s| item.services.contains(s)))
            && any(&self.severities, item.severity.as_deref())
            && (self.priorities.is_empty()
                || item.priority.is_some_and(|p| self.priorities.contains(&p)))
    }

    /// Rejects a filter value that names nothing known: a misspelt `--team` must not quietly
    /// report "nothing outstanding".
    pub fn validate(&self, repo: &Repo) -> anyhow::Result<()> {
        let known = Known::of(repo);
        for owner in &self.owners {
            known.check("owner", owner, &known.people)?;
        }
        for team in &self.teams {
            known.check("team", team, &known.teams)?;
        }
        for service in &self.services {
            known.check("service", service, &known.services)?;
        }
        for severity in &self.severities {
            known.check("severity", severity, &known.severities)?;
        }
        Ok(())
    }
}

/// Every owner, team, service and severity the repository knows of: `pm.toml` plus what the
/// postmortems mention.
#[derive(Debug, Default)]
pub struct Known {
    /// People: the registry plus every owner written anywhere.
    pub people: BTreeSet<String>,
    /// Team slugs.
    pub teams: BTreeSet<String>,
    /// Service slugs.
    pub services: BTreeSet<String>,
    /// Severities.
    pub severities: BTreeSet<String>,
}

impl Known {
    /// Collects what `repo` knows.
    pub fn of(repo: &Repo) -> Self {
        let config = &repo.workspace.config;
        let mut known = Self {
            people: config.people().into_iter().map(str::to_owned).collect(),
            teams: config.teams.keys().cloned().collect(),
            services: config.services.keys().cloned().collect(),
            severities: config.severities.iter().cloned().collect(),
        };
        for (_, pm) in repo.postmortems() {
            known.people.extend(pm.people().into_iter().map(|(_, p)| p.value.clone()));
            known.teams.extend(pm.team.iter().map(|t| t.value.clone()));
            known.services.extend(pm.services.iter().map(|s| s.value.clone()));
        }
        known
    }

    /// An error unless `value` is in `set`, with the closest known value as a suggestion.
    pub fn check(&self, what: &str, value: &str, set: &BTreeSet<String>) -> anyhow::Result<()> {
        if set.contains(value) {
            return Ok(());
        }
        let closest = set
            .iter()
            .map(|k| (strsim::jaro_winkler(k, value), k))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k);
        match closest {
            Some(k) => anyhow::bail!("no {what} `{value}` in this repository; did you mean `{k}`?"),
            None if set.is_empty() => {
                anyhow::bail!("no {what} `{value}`: this repository has none")
            }
            None => {
                let list: Vec<&str> = set.iter().map(String::as_str).take(12).collect();
                let more = if set.len() > list.len() { ", …" } else { "" };
                anyhow::bail!(
                    "no {what} `{value}` in this repository (known: {}{more})",
                    list.join(", ")
                )
            }
        }
    }
}

/// Every action item of the repository as of `today`, in report order.
pub fn all_items(repo: &Repo, today: Date) -> Vec<Item> {
    let config = &repo.workspace.config;
    let mut items: Vec<Item> = repo
        .postmortems()
        .flat_map(|(doc, pm)| pm.action_items.iter().map(move |i| (doc, pm, i)))
        .map(|(doc, pm, item)| Item::new(config, doc, pm, item, today))
        .collect();
    sort(&mut items);
    items
}

/// The items `filter` selects, in report order.
pub fn select(repo: &Repo, filter: &Filter, today: Date) -> Vec<Item> {
    all_items(repo, today).into_iter().filter(|i| filter.matches(i, today)).collect()
}

/// Sorts `items` in report order.
pub fn sort(items: &mut [Item]) {
    items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Tells on stderr which files could not be read as postmortems: a report or a gate that
/// silently left them out would look more complete than it is.
pub fn warn_skipped(repo: &Repo) {
    for doc in repo.documents.iter().filter(|d| d.postmortem.is_none()) {
        eprintln!(
            "warning: skipped {}: not a readable postmortem (`pm check` says why)",
            doc.path()
        );
    }
}

/// Parses a look-ahead window such as `7d` or `2w` into days.
pub fn parse_window(text: &str) -> Result<u32, String> {
    let hint = "write a whole number of days or weeks, e.g. `7d` or `2w`";
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u32 = number.parse().map_err(|_| format!("`{text}` is not a window: {hint}"))?;
    let days = match unit.trim() {
        "d" | "day" | "days" => Some(n),
        "w" | "week" | "weeks" => n.checked_mul(7),
        "" => return Err(format!("`{text}` has no unit: {hint}")),
        other => return Err(format!("`{other}` is not a unit of `{text}`: {hint}")),
    };
    days.filter(|d| *d <= 36_500).ok_or_else(|| format!("`{text}` is more than 100 years"))
}

/// Parses a `--today` value (`YYYY-MM-DD`).
pub fn parse_date(text: &str) -> Result<Date, String> {
    if text.len() != 10 {
        return Err(format!("`{text}` is not a date (YYYY-MM-DD)"));
    }
    text.parse().map_err(|e| format!("`{text}` is not a date (YYYY-MM-DD): {e}"))
}

/// "today": `fixed` (from `--today` or `PM_TODAY`), else the current date in pm.toml's zone.
pub fn today(fixed: Option<Date>, config: &Config) -> Date {
    fixed.unwrap_or_else(|| crate::calendar::today(&config.time_zone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("7d"), Ok(7));
        assert_eq!(parse_window("2w"), Ok(14));
        assert_eq!(parse_window("0d"), Ok(0));
        assert_eq!(parse_window("3 days"), Ok(3));
        assert!(parse_window("7").expect_err("unit").contains("no unit"));
        assert!(parse_window("7x").expect_err("unit").contains("`x` is not a unit"));
        assert!(parse_window("d").expect_err("number").contains("not a window"));
        assert!(parse_window("-1d").is_err());
        assert!(parse_window("99999999999d").is_err());
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-03-15").is_ok());
        assert!(parse_date("2026-3-15").is_err());
        assert!(parse_date("2026-02-30").is_err());
    }
}

//! Follow-through on action items: which items are still owed, by whom, and how late.
//!
//! `pm actions` (the outstanding-items report), `pm gate` (the release gate) and `pm export`
//! read action items through this module's [`Item`] (also the export's action-item record).
//! What an item's state, lateness and place in a list are is defined once, on the model, and
//! read from there by this module, the site, the metrics and the rules alike:
//!
//! - an item is *outstanding* and *overdue* as the model defines it
//!   ([`ActionItem::state`], [`ActionItem::is_overdue`]: an item without a valid status counts
//!   as open);
//! - it belongs to the postmortem's team *and* to every team its owner is a member of (the
//!   incident's team answers for the follow-through, the owner's team does the work);
//! - reports list items in the model's [`ItemOrder`].

pub mod chat;
pub mod gate;
pub mod render;
pub mod status;
pub mod todo;

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::Serialize;

use crate::config::Config;
use crate::model::{
    ActionItem, ItemKind, ItemOrder, ItemStatus, Postmortem, Priority, TicketState,
};
use crate::repo::{Document, Repo};
use crate::trackers::CachedTicket;
use crate::trackers::drift::{Drift, drift};

/// One action item with what a report needs to show it: its postmortem, its team(s) and how
/// late it is. This is also the action-item record of `pm export` (published as
/// `$defs/action_item` in `schema/export.schema.json`): the fields serialize in that schema's
/// order, so `pm export`, `pm actions --format json` and `pm gate --format json` write one shape.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Item {
    /// The postmortem's id.
    pub postmortem_id: Option<String>,
    /// The postmortem's file, repo-relative.
    pub path: String,
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
    /// The postmortem's team.
    pub team: Option<String>,
    /// The postmortem's services.
    pub services: Vec<String>,
    /// The postmortem's severity.
    pub severity: Option<String>,
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
    /// Still owed ([`ActionItem::is_outstanding`]).
    pub outstanding: bool,
    /// Outstanding and due before today.
    pub overdue: bool,
    /// Days past `due` (0 unless overdue).
    pub days_overdue: i64,
    /// The postmortem's title.
    pub postmortem_title: Option<String>,
    /// What the tracker says of the ticket, from the ticket cache (`None` without one).
    pub ticket_state: Option<TicketState>,
    /// The tracker's own name for that state (`closed (not planned)`, `In Review`).
    pub ticket_status: Option<String>,
    /// Who the ticket is assigned to in the tracker.
    pub ticket_assignee: Option<String>,
    /// When the cache last heard from the tracker about this ticket (its date in the
    /// repository's time zone).
    pub ticket_synced: Option<Date>,
    /// How the item and its ticket disagree ([`crate::trackers::drift::Drift::slug`]), infos
    /// included.
    pub drift: Vec<&'static str>,
    /// Where it stands as every reader counts it ([`ActionItem::state`]).
    #[serde(skip)]
    pub state: ItemStatus,
}

impl Item {
    /// Builds the view of `item` of `pm` (read from `doc`) as of `today`, with what the ticket
    /// cache says of its ticket (`ticket`, from [`Repo::ticket`]).
    pub fn new(
        config: &Config,
        doc: &Document,
        pm: &Postmortem,
        item: &ActionItem,
        ticket_cached: Option<&CachedTicket>,
        today: Date,
    ) -> Self {
        let value =
            |s: &Option<crate::source::Spanned<String>>| s.as_ref().map(|s| s.value.clone());
        let owner = value(&item.owner);
        let owner_teams = owner.as_deref().map(|o| teams_of(config, o)).unwrap_or_default();
        let days_overdue = item.days_overdue(today);
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
            due: item.due.as_ref().map(|d| d.value),
            status: item.status.as_ref().map(|s| s.value),
            state: item.state(),
            priority: item.priority.as_ref().map(|p| p.value),
            kind: item.kind.as_ref().map(|k| k.value),
            closed_on: item.closed_on.as_ref().map(|d| d.value),
            outstanding: item.is_outstanding(),
            overdue: days_overdue > 0,
            days_overdue,
            ticket_state: ticket_cached.map(|t| t.state),
            ticket_status: ticket_cached.map(|t| t.tracker_state.clone()).filter(|s| !s.is_empty()),
            ticket_assignee: ticket_cached.and_then(|t| t.assignee.clone()),
            ticket_synced: ticket_cached
                .map(|t| t.fetched_at.to_zoned_datetime(config.time_zone()).date()),
            drift: ticket_cached
                .map(|t| drift(item, t, &config.people).iter().map(Drift::slug).collect())
                .unwrap_or_default(),
        }
    }

    /// The item and its ticket disagree (an owner who is not the assignee aside).
    pub fn has_drift(&self) -> bool {
        self.drift.iter().any(|d| *d != "owner-differs")
    }

    /// Still owed (see [`ActionItem::is_outstanding`]).
    pub fn is_outstanding(&self) -> bool {
        self.outstanding
    }

    /// Whether the item belongs to `team`: the postmortem's team, or a team of its owner.
    pub fn belongs_to_team(&self, team: &str) -> bool {
        self.team.as_deref() == Some(team) || self.owner_teams.iter().any(|t| t == team)
    }

    /// The status shown in reports: the state every reader counts.
    pub fn status_label(&self) -> &'static str {
        self.state.as_str()
    }

    /// The item's place in every list of items.
    fn order(&self) -> ItemOrder<'_> {
        ItemOrder::new(
            self.overdue,
            self.due,
            self.postmortem_id.as_deref(),
            &self.path,
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
    /// Only items that disagree with their ticket (any status: a done item whose ticket is
    /// open is exactly what this looks for).
    pub drift: bool,
}

impl Filter {
    /// Whether `item` passes, as of `today`.
    pub fn matches(&self, item: &Item, today: Date) -> bool {
        let any = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l == v))
        };
        let status_ok = if self.statuses.is_empty() {
            item.is_outstanding() || self.drift
        } else {
            self.statuses.contains(&item.state)
        };
        let due_ok = self.due_within.is_none_or(|days| {
            let limit = today.checked_add(jiff::Span::new().days(i64::from(days))).unwrap_or(today);
            item.due.is_some_and(|d| d <= limit)
        });
        status_ok
            && due_ok
            && (!self.overdue || item.overdue)
            && (!self.drift || item.has_drift())
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
        .map(|(doc, pm, item)| Item::new(config, doc, pm, item, repo.ticket(item), today))
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
    items.sort_by(|a, b| a.order().cmp(&b.order()));
}

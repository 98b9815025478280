//! The release gate: whether a team, service or owner may ship, given its overdue postmortems
//! and overdue high-priority action items.
//!
//! The policy is `[gate]` in `pm.toml`: more than `max_overdue_postmortems` unpublished
//! postmortems past their `due`, or any outstanding action item of a priority in
//! `block_priorities` past its `due`, blocks. Both count as overdue only once they are more
//! than `grace_days` late, so a deadline missed yesterday warns before it blocks. Items and
//! postmortems that are late but still within the grace period are listed as warnings.

use jiff::civil::Date;
use serde::Serialize;

use super::Item;
use crate::config::Config;
use crate::model::{Priority, Status};
use crate::repo::Repo;
use crate::words::plural;

/// Whose releases the gate decides on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Selector {
    /// A team: its postmortems, and action items of its postmortems or owned by its members.
    Team(String),
    /// A service: postmortems that list it and their action items.
    Service(String),
    /// A person: the postmortems and action items they own.
    Owner(String),
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Team(t) => write!(f, "team {t}"),
            Selector::Service(s) => write!(f, "service {s}"),
            Selector::Owner(o) => write!(f, "owner {o}"),
        }
    }
}

/// An unpublished postmortem past its `due` date.
#[derive(Debug, Clone, Serialize)]
pub struct LatePostmortem {
    /// Its id.
    pub id: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its file.
    pub path: String,
    /// Its owner.
    pub owner: Option<String>,
    /// Its status (`draft` when missing).
    pub status: Status,
    /// When it was due.
    pub due: Date,
    /// Days past `due`.
    pub days_overdue: i64,
    /// The completion criteria it does not meet (listed for postmortems past due and not
    /// complete).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmet: Vec<String>,
}

/// The gate's answer, with everything that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Whose releases.
    pub selector: Selector,
    /// The date the answer is for.
    pub today: Date,
    /// `[gate] grace_days`.
    pub grace_days: u32,
    /// `[gate] max_overdue_postmortems`.
    pub max_overdue_postmortems: usize,
    /// `[gate] block_priorities`.
    pub block_priorities: Vec<Priority>,
    /// True when releases are blocked.
    pub blocked: bool,
    /// Postmortems overdue beyond the grace period.
    pub overdue_postmortems: Vec<LatePostmortem>,
    /// Blocking-priority action items overdue beyond the grace period.
    pub overdue_action_items: Vec<Item>,
    /// `[gate] max_incomplete_past_due` (absent: completion does not gate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_incomplete_past_due: Option<usize>,
    /// Postmortems past their due date (beyond the grace period) that the completion policy
    /// does not call complete, published or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete_past_due: Option<Vec<LatePostmortem>>,
    /// Postmortems and items that are late but within the grace period (they do not block).
    pub within_grace: Within,
}

/// What is late but not yet blocking.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Within {
    /// Postmortems.
    pub postmortems: Vec<LatePostmortem>,
    /// Blocking-priority action items.
    pub action_items: Vec<Item>,
}

impl Verdict {
    /// Why the gate is closed, one sentence per reason (empty when clear).
    pub fn reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        let n = self.overdue_postmortems.len();
        if n > self.max_overdue_postmortems {
            let allowed = match self.max_overdue_postmortems {
                0 => "none allowed".to_owned(),
                m => format!("at most {m} allowed"),
            };
            let what = if n == 1 { "postmortem is" } else { "postmortems are" };
            reasons.push(format!("{n} {what} overdue ({allowed})"));
        }
        if let (Some(max), Some(late)) = (self.max_incomplete_past_due, &self.incomplete_past_due) {
            let n = late.len();
            if n > max {
                let allowed = if max == 0 {
                    "none allowed".to_owned()
                } else {
                    format!("at most {max} allowed")
                };
                let what = if n == 1 { "postmortem is" } else { "postmortems are" };
                reasons.push(format!("{n} {what} past due and not complete ({allowed})"));
            }
        }
        let m = self.overdue_action_items.len();
        if m > 0 {
            let priorities: Vec<&str> = self.block_priorities.iter().map(|p| p.as_str()).collect();
            let what = if m == 1 { "action item is" } else { "action items are" };
            reasons.push(format!("{m} {} {what} overdue", priorities.join("/")));
        }
        reasons
    }
}

/// Whether `selector` matches the postmortem's team, services or owner.
fn selects_postmortem(
    selector: &Selector,
    team: Option<&str>,
    services: &[String],
    owner: Option<&str>,
) -> bool {
    match selector {
        Selector::Team(t) => team == Some(t.as_str()),
        Selector::Service(s) => services.iter().any(|x| x == s),
        Selector::Owner(o) => owner == Some(o.as_str()),
    }
}

fn selects_item(selector: &Selector, item: &Item) -> bool {
    match selector {
        Selector::Team(t) => item.belongs_to_team(t),
        Selector::Service(s) => item.services.contains(s),
        Selector::Owner(o) => item.owner.as_deref() == Some(o.as_str()),
    }
}

/// Rejects a selector that names nothing the repository knows (a typo would open the gate).
pub fn validate(selector: &Selector, repo: &Repo) -> anyhow::Result<()> {
    let known = super::Known::of(repo);
    match selector {
        Selector::Team(t) => known.check("team", t, &known.teams),
        Selector::Service(s) => known.check("service", s, &known.services),
        Selector::Owner(o) => known.check("owner", o, &known.people),
    }
}

/// Decides for `selector` as of `today`, with the policy of `config`.
pub fn evaluate(repo: &Repo, selector: &Selector, today: Date) -> Verdict {
    let config: &Config = &repo.workspace.config;
    let gate = &config.gate;
    let grace = i64::from(*gate.grace_days.get_ref());
    let block_priorities: Vec<Priority> =
        gate.block_priorities.iter().filter_map(|p| p.get_ref().parse().ok()).collect();

    let mut overdue_postmortems = Vec::new();
    let mut within = Within::default();
    let mut pms: Vec<LatePostmortem> = repo
        .postmortems()
        .filter(|(_, pm)| {
            let services: Vec<String> = pm.services.iter().map(|s| s.value.clone()).collect();
            selects_postmortem(
                selector,
                pm.team.as_deref().map(String::as_str),
                &services,
                pm.owner.as_deref().map(String::as_str),
            )
        })
        .filter_map(|(doc, pm)| {
            let due = pm.due.as_ref()?.value;
            let days = pm.days_overdue(today);
            (days > 0).then(|| LatePostmortem {
                id: pm.id.as_ref().map(|s| s.value.clone()),
                title: pm.title.as_ref().map(|s| s.value.clone()),
                path: doc.path().to_owned(),
                owner: pm.owner.as_ref().map(|s| s.value.clone()),
                status: pm.status_or_draft(),
                due,
                days_overdue: days,
                unmet: Vec::new(),
            })
        })
        .collect();
    pms.sort_by(|a, b| (a.due, &a.id, &a.path).cmp(&(b.due, &b.id, &b.path)));
    for pm in pms {
        if pm.days_overdue > grace {
            overdue_postmortems.push(pm);
        } else {
            within.postmortems.push(pm);
        }
    }

    let mut overdue_action_items = Vec::new();
    for item in super::all_items(repo, today) {
        let blocking_priority = item.priority.is_some_and(|p| block_priorities.contains(&p));
        if !item.overdue || !blocking_priority || !selects_item(selector, &item) {
            continue;
        }
        if item.days_overdue > grace {
            overdue_action_items.push(item);
        } else {
            within.action_items.push(item);
        }
    }

    let max_incomplete_past_due = gate.max_incomplete_past_due.as_ref().map(|m| *m.get_ref());
    let max_overdue_postmortems = *gate.max_overdue_postmortems.get_ref();
    let incomplete_past_due = max_incomplete_past_due.map(|_| {
        let judge = crate::completion::Judge::new(
            config,
            repo.tickets.as_deref(),
            today,
            Some(&repo.workspace.root),
        );
        let mut late: Vec<LatePostmortem> = repo
            .documents
            .iter()
            .filter_map(|doc| {
                let pm = doc.postmortem.as_ref()?;
                let written = doc.written.as_ref()?;
                let services: Vec<String> = pm.services.iter().map(|s| s.value.clone()).collect();
                let team = pm.team.as_ref().map(|t| t.value.as_str());
                let owner = pm.owner.as_ref().map(|o| o.value.as_str());
                if !selects_postmortem(selector, team, &services, owner) {
                    return None;
                }
                let due = pm.due.as_ref()?.value;
                let days = crate::calendar::days_between(due, today);
                if days <= grace {
                    // Not late enough to matter: no need to judge it.
                    return None;
                }
                let verdict = judge.evaluate(doc.path(), pm, written);
                if !verdict.is_past_due(Some(days), grace) {
                    return None;
                }
                Some(LatePostmortem {
                    id: pm.id.as_ref().map(|s| s.value.clone()),
                    title: pm.title.as_ref().map(|s| s.value.clone()),
                    path: doc.path().to_owned(),
                    owner: owner.map(str::to_owned),
                    status: pm.status_or_draft(),
                    due,
                    days_overdue: days,
                    unmet: verdict.unmet().map(|c| c.id.clone()).collect(),
                })
            })
            .collect();
        late.sort_by(|a, b| (a.due, &a.id, &a.path).cmp(&(b.due, &b.id, &b.path)));
        late
    });
    let blocked = overdue_postmortems.len() > max_overdue_postmortems
        || !overdue_action_items.is_empty()
        || matches!((max_incomplete_past_due, &incomplete_past_due), (Some(max), Some(l)) if l.len() > max);
    Verdict {
        selector: selector.clone(),
        today,
        grace_days: *gate.grace_days.get_ref(),
        max_overdue_postmortems,
        block_priorities,
        blocked,
        overdue_postmortems,
        overdue_action_items,
        max_incomplete_past_due,
        incomplete_past_due,
        within_grace: within,
    }
}

fn postmortem_line(pm: &LatePostmortem) -> String {
    let id = pm.id.as_deref().unwrap_or(&pm.path);
    let title = pm.title.as_deref().map(|t| format!(" “{t}”")).unwrap_or_default();
    let owner = pm.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
    let days = plural(usize::try_from(pm.days_overdue).unwrap_or(0), "day", "days");
    let unmet = if pm.unmet.is_empty() {
        String::new()
    } else {
        format!("; missing {}", pm.unmet.join(", "))
    };
    format!("{id}{title} ({}{owner}): due {}, {days} overdue{unmet}", pm.status, pm.due)
}

fn item_line(item: &Item) -> String {
    let id = item.postmortem_id.as_deref().unwrap_or(&item.path);
    let priority = item.priority.map(|p| format!(" {p}")).unwrap_or_default();
    let title = item.title.as_deref().unwrap_or("(untitled)");
    let owner = item.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
    let days = plural(usize::try_from(item.days_overdue).unwrap_or(0), "day", "days");
    let due = item.due.map(|d| d.to_string()).unwrap_or_default();
    let ticket = match (&item.ticket, &item.ticket_url) {
        (Some(t), Some(url)) if t != url => format!(" — {t} {url}"),
        (Some(t), _) => format!(" — {t}"),
        (None, _) => " — no ticket".to_owned(),
    };
    format!(
        "{id}{priority} “{title}” ({}{owner}): due {due}, {days} overdue{ticket}",
        item.status_label()
    )
}

/// The human verdict: the decision on the first line ("blocked: …" or "clear: …"), then the
/// reasons with every postmortem and item behind them, then what is late but not blocking.
pub fn human(verdict: &Verdict, color: bool) -> String {
    use std::fmt::Write as _;
    let paint = |style: anstyle::Style, text: &str| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    };
    let red = anstyle::AnsiColor::Red.on_default().effects(anstyle::Effects::BOLD);
    let green = anstyle::AnsiColor::Green.on_default().effects(anstyle::Effects::BOLD);
    let yellow = anstyle::AnsiColor::Yellow.on_default();
    let grace = match verdict.grace_days {
        0 => "no grace period".to_owned(),
        1 => "grace period 1 day".to_owned(),
        n => format!("grace period {n} days"),
    };
    let context = format!("(as of {}, {grace})", verdict.today);
    let mut out = String::new();
    let priorities: Vec<&str> = verdict.block_priorities.iter().map(|p| p.as_str()).collect();
    let priorities = priorities.join("/");
    if verdict.blocked {
        let _ = writeln!(
            out,
            "{} {} may not release {context}",
            paint(red, "blocked:"),
            verdict.selector
        );
        let _ = writeln!(out);
        let pms_block = verdict.overdue_postmortems.len() > verdict.max_overdue_postmortems;
        for reason in verdict.reasons() {
            let _ = writeln!(out, "- {reason}:");
            let lines: Vec<String> = if reason.contains("not complete") {
                verdict.incomplete_past_due.iter().flatten().map(postmortem_line).collect()
            } else if reason.contains("postmortem") {
                verdict.overdue_postmortems.iter().map(postmortem_line).collect()
            } else {
                verdict.overdue_action_items.iter().map(item_line).collect()
            };
            for line in lines {
                let _ = writeln!(out, "  - {}", crate::diagnostic::printable_line(&line));
            }
        }
        let mut tolerated: Vec<String> = Vec::new();
        // A postmortem already listed as blocking (past due and not complete) is not listed
        // again as tolerated.
        let listed = |p: &LatePostmortem| {
            verdict.incomplete_past_due.iter().flatten().any(|l| l.path == p.path)
                && verdict.reasons().iter().any(|r| r.contains("not complete"))
        };
        if !pms_block {
            tolerated.extend(
                verdict.overdue_postmortems.iter().filter(|p| !listed(p)).map(postmortem_line),
            );
        }
        write_not_blocking(&mut out, verdict, tolerated, &|s| paint(yellow, s));
    } else {
        let _ =
            writeln!(out, "{} {} may release {context}", paint(green, "clear:"), verdict.selector);
        let pms = verdict.overdue_postmortems.len();
        let allowed = match verdict.max_overdue_postmortems {
            0 => "none allowed".to_owned(),
            n => format!("at most {n} allowed"),
        };
        let _ = writeln!(
            out,
            "{} ({allowed}), no overdue {priorities} action items",
            plural(pms, "overdue postmortem", "overdue postmortems"),
        );
        let tolerated = verdict.overdue_postmortems.iter().map(postmortem_line).collect();
        write_not_blocking(&mut out, verdict, tolerated, &|s| paint(yellow, s));
    }
    out
}

fn write_not_blocking(
    out: &mut String,
    verdict: &Verdict,
    tolerated: Vec<String>,
    paint: &dyn Fn(&str) -> String,
) {
    use std::fmt::Write as _;
    let mut lines = tolerated;
    lines.extend(
        verdict
            .within_grace
            .postmortems
            .iter()
            .map(|p| format!("{} (within the grace period)", postmortem_line(p))),
    );
    lines.extend(
        verdict
            .within_grace
            .action_items
            .iter()
            .map(|i| format!("{} (within the grace period)", item_line(i))),
    );
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", paint("Late, but not blocking:"));
    for line in lines {
        let _ = writeln!(out, "- {}", crate::diagnostic::printable_line(&line));
    }
}

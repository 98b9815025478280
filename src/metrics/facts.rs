//! What the metrics need of each postmortem and action item, drawn from the model once.
//!
//! [`facts`] reads one parsed postmortem and derives everything a figure needs (the durations,
//! the month, whether it was on time, where it stands against the completion policy, each item's
//! state and age), so the accumulators only add and count and no definition is computed twice.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;

use super::NONE;
use crate::calendar::days_between;
use crate::calendar::periods::{Month, local_date};
use crate::completion::Judge;
use crate::model::{ItemStatus, Postmortem, SloImpact, Status, TicketState};
use crate::repo::{Document, Repo};

/// What the metrics need of one action item, derived once.
#[derive(Debug, Clone)]
pub(super) struct ItemFacts {
    /// Where it stands as every reader counts it ([`crate::model::ActionItem::state`]).
    pub(super) state: ItemStatus,
    pub(super) overdue: bool,
    pub(super) has_ticket: bool,
    /// What the ticket cache says of the ticket, if it knows it.
    pub(super) ticket: Option<TicketState>,
    /// The item and its ticket disagree ([`crate::trackers::drift`], infos aside).
    pub(super) drift: bool,
    pub(super) days_to_close: Option<i64>,
    pub(super) closed_by_due: Option<bool>,
    /// Days since opened, for open items with a known opening date.
    pub(super) age: Option<i64>,
    /// For the over-time series: the opening month and, when closed, the closing month.
    pub(super) timeline: Option<(Month, Option<Month>)>,
}

/// Where a postmortem held to the completion policy stands ([`crate::completion::Evaluation`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct CompletionFacts {
    pub(super) complete: bool,
    /// Days from `resolved_at`'s date to `completed_on`, when complete with both dates.
    pub(super) days_to_complete: Option<i64>,
    /// `Some(true)` completed by `due`, `Some(false)` after it, `None` not judged.
    pub(super) on_time: Option<bool>,
}

/// What the metrics need of one postmortem, derived once.
#[derive(Debug, Clone)]
pub(super) struct Facts<'a> {
    pub(super) path: &'a str,
    pub(super) id: Option<&'a str>,
    pub(super) title: Option<&'a str>,
    pub(super) severity: &'a str,
    pub(super) team: &'a str,
    /// Sorted, without duplicates.
    pub(super) services: Vec<&'a str>,
    /// Sorted, without duplicates.
    pub(super) factors: Vec<&'a str>,
    pub(super) detection: &'a str,
    pub(super) started: Option<Timestamp>,
    pub(super) start_date: Option<Date>,
    pub(super) month: Option<Month>,
    /// Minutes to detect, mitigate, resolve.
    pub(super) minutes: [Option<f64>; 3],
    pub(super) published: bool,
    pub(super) days_to_publish: Option<i64>,
    /// `Some(true)` on time, `Some(false)` late, `None` not judged (yet).
    pub(super) on_time: Option<bool>,
    pub(super) overdue: bool,
    /// Against the completion policy; `None` when the policy does not hold for it
    /// (`completion.since`).
    pub(super) completion: Option<CompletionFacts>,
    pub(super) items: Vec<ItemFacts>,
    pub(super) slos: &'a [SloImpact],
}

impl Facts<'_> {
    /// The id, or the path when there is none.
    pub(super) fn label(&self) -> &str {
        self.id.unwrap_or(self.path)
    }
}

fn sorted_unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let set: BTreeSet<&str> = values.filter(|v| !v.is_empty()).collect();
    set.into_iter().collect()
}

fn minutes(d: Option<jiff::SignedDuration>) -> Option<f64> {
    d.map(|d| d.as_secs_f64() / 60.0)
}

pub(super) fn facts<'a>(
    repo: &'a Repo,
    doc: &'a Document,
    pm: &'a Postmortem,
    tz: &jiff::tz::TimeZone,
    today: Date,
    judge: &Judge<'_>,
) -> Facts<'a> {
    let text = |s: &'a Option<crate::source::Spanned<String>>| {
        s.as_ref().map(|s| s.value.as_str()).filter(|s| !s.is_empty())
    };
    let started = pm.times.started_at.as_ref().map(|s| s.value.timestamp);
    let start_date = started.map(|t| local_date(t, tz));
    let resolved_date = pm.times.resolved_at.as_ref().map(|r| local_date(r.value.timestamp, tz));
    let durations = pm.times.durations();
    let published = pm.status.as_ref().is_some_and(|s| s.value == Status::Published);
    let published_on = pm.published_on.as_ref().map(|d| d.value);
    let due = pm.due.as_ref().map(|d| d.value);
    let days_to_publish = match (published, published_on, resolved_date) {
        (true, Some(p), Some(r)) => Some(days_between(r, p)).filter(|d| *d >= 0),
        _ => None,
    };
    let overdue = pm.is_overdue(today);
    let on_time = match (published, published_on, due) {
        (true, Some(p), Some(d)) => Some(p <= d),
        _ if overdue => Some(false),
        _ => None,
    };
    let completion = doc
        .written
        .as_ref()
        .map(|written| judge.evaluate(doc.path(), pm, written))
        .filter(|e| e.applies)
        .map(|e| CompletionFacts {
            complete: e.complete,
            // As for days to publish, a completion dated before the resolution is a typo, not
            // a negative duration.
            days_to_complete: match (e.complete, resolved_date, e.completed_on) {
                (true, Some(r), Some(c)) => Some(days_between(r, c)).filter(|d| *d >= 0),
                _ => None,
            },
            on_time: e.on_time(due),
        });
    // Follow-up work can start once the incident is over: items are "opened" on the
    // resolution date, or the start date of an incident that has not been resolved.
    let opened = resolved_date.or(start_date);
    let items = pm
        .action_items
        .iter()
        .map(|item| {
            let state = item.state();
            let due = item.due.as_ref().map(|d| d.value);
            let closed_on = item.closed_on.as_ref().map(|d| d.value).filter(|_| !state.is_open());
            let timeline = match (opened, state.is_open(), closed_on) {
                (Some(o), true, _) => Some((Month::of(o), None)),
                (Some(o), false, Some(c)) => Some((Month::of(o), Some(Month::of(c.max(o))))),
                _ => None,
            };
            let cached = repo.ticket(item);
            ItemFacts {
                ticket: cached.map(|t| t.state),
                drift: cached.is_some_and(|t| {
                    crate::trackers::drift::drift(item, t, &repo.workspace.config.people)
                        .iter()
                        .any(|d| !d.is_info())
                }),
                state,
                overdue: item.is_overdue(today),
                has_ticket: text(&item.ticket).is_some(),
                days_to_close: match (opened, closed_on) {
                    (Some(o), Some(c)) => Some(days_between(o, c)).filter(|d| *d >= 0),
                    _ => None,
                },
                closed_by_due: match (closed_on, due) {
                    (Some(c), Some(d)) => Some(c <= d),
                    _ => None,
                },
                age: opened.filter(|_| state.is_open()).map(|o| days_between(o, today).max(0)),
                timeline,
            }
        })
        .collect();
    Facts {
        path: doc.path(),
        id: text(&pm.id),
        title: text(&pm.title),
        severity: text(&pm.severity).unwrap_or(NONE),
        team: text(&pm.team).unwrap_or(NONE),
        services: sorted_unique(crate::model::listed(&pm.services)),
        factors: sorted_unique(crate::model::listed(&pm.contributing_factors)),
        detection: pm.detection.as_ref().map_or(NONE, |d| d.value.as_str()),
        started,
        start_date,
        month: start_date.map(Month::of),
        minutes: [
            minutes(durations.detect),
            minutes(durations.mitigate),
            minutes(durations.resolve),
        ],
        published,
        days_to_publish,
        on_time,
        overdue,
        completion,
        items,
        slos: &pm.impact.slos,
    }
}

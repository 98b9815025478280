//! Reliability metrics: are incidents getting shorter, are postmortems written on time, are
//! follow-ups done, and where does it keep breaking?
//!
//! [`compute`] reads the parsed model once: every selected postmortem is turned into its
//! `Facts` (durations, month, timeliness, action-item states — each derived exactly once),
//! and one loop adds those facts to the accumulator of the whole selection, of its team and of
//! each of its services. Finishing the accumulators gives one [`Slice`] per scope, so the
//! overview, the team pages and the service pages show the same definitions computed the same
//! way; `pm metrics` prints the same [`Metrics`] value the pages render (the site's charts
//! draw it).
//!
//! The definitions, as `docs/metrics.md` and the pages state them:
//!
//! - **Durations** are measured from `started_at`: time to detect = `detected_at − started_at`,
//!   to mitigate = `mitigated_at − started_at`, to resolve = `resolved_at − started_at`, in
//!   minutes. A stage written before the start has no duration (one typo must not skew a
//!   median). Reported as median and p90 ([`stats`]), never as a mean.
//! - **Months and quarters** are those of `started_at` in `pm.toml`'s `timezone`; a postmortem
//!   without `started_at` is counted as *undated* and left out of the monthly figures (and out
//!   of the selection when `--since`/`--until` is given).
//! - **Timeliness**: days to publish = `published_on − (resolved_at's date)`; a postmortem is
//!   *on time* when published on or before its `due`, *late* when published after it or still
//!   unpublished after it (*overdue*: not `published` and `due` before today). On-time rate =
//!   on time / (on time + late); postmortems not yet due are not judged.
//! - **Completion**: each postmortem the completion policy holds for is judged by
//!   [`crate::completion::Judge`], the judgement `pm status` and the site use. Days to complete =
//!   `completed_on − (resolved_at's date)`, for complete postmortems; *completed on time* when
//!   complete with `completed_on` on or before `due`, *late* when after it. On-time completion
//!   rate = on time / (on time + late): counted on completion, not on the status field, and
//!   postmortems not yet complete are not judged.
//! - **Action items**: an item without a valid status counts as open (as in `pm actions`);
//!   *open* = open or in progress; *overdue* = open and `due` before today; *closed* = done or
//!   won't do. Completion rate = done / (total − won't do). An item is *opened* on its
//!   incident's resolution date (the start date when unresolved); days to close =
//!   `closed_on − opened`; age = today − opened.
//! - Postmortems without a severity, team or detection are counted under `(none)`; a
//!   postmortem counts once under each of its services and contributing factors.
//!
//! The code follows that flow: `facts.rs` draws the `Facts` from the model, `accumulators.rs`
//! adds them up into slices, and [`compute`] here runs the loop and adds the figures of the
//! whole repository (leaderboard, error budgets, repeats, similar postmortems). The output types
//! are in `types.rs`, re-exported here so that every reader names them `crate::metrics::X`.
//! Months and quarters are `crate::calendar::periods`.

mod accumulators;
mod facts;
pub mod report;
mod similar;
pub mod stats;
mod types;

use std::collections::BTreeMap;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::calendar::days_between;
use crate::completion::Judge;
use crate::config::Config;
use crate::model::Postmortem;
use crate::repo::{Document, Repo};
use accumulators::{Acc, Universe};
use facts::{Facts, facts};
pub use similar::{Shared, Suggestion};
pub use types::{
    ActionItems, AgeBuckets, Breakdown, Completion, DEFINITIONS, Definition, DurationBreakdowns,
    Filters, ItemCounts, ItemsInMonth, LeaderboardRow, Metrics, NONE, RepeatIncidents, RepeatPair,
    Slice, SloBudget, Timeliness, TrackerCounts, definition,
};

/// Days within which a second incident of a service counts as a repeat.
pub const REPEAT_WINDOW_DAYS: i64 = 90;

/// Repeat pairs listed per service (the most recent ones); `repeats` counts them all.
pub const REPEAT_PAIRS_SHOWN: usize = 10;

/// Which postmortems the metrics describe, and the day they are computed for.
#[derive(Debug, Clone)]
pub struct Options {
    /// What "today" is (overdue postmortems and items, ages of open items).
    pub today: Date,
    /// Only incidents that started on or after this date (in the configured timezone).
    pub since: Option<Date>,
    /// Only incidents that started on or before this date (in the configured timezone).
    pub until: Option<Date>,
    /// Only postmortems of this team.
    pub team: Option<String>,
    /// Only postmortems that list this service.
    pub service: Option<String>,
}

impl Options {
    /// Every postmortem, as of `today`.
    pub fn new(today: Date) -> Self {
        Self { today, since: None, until: None, team: None, service: None }
    }

    fn selects(&self, f: &Facts<'_>) -> bool {
        let dated_ok = |bound: Option<Date>, ok: fn(Date, Date) -> bool| {
            bound.is_none_or(|b| f.start_date.is_some_and(|d| ok(d, b)))
        };
        dated_ok(self.since, |d, b| d >= b)
            && dated_ok(self.until, |d, b| d <= b)
            && self.team.as_deref().is_none_or(|t| f.team == t)
            && self.service.as_deref().is_none_or(|s| f.services.contains(&s))
    }
}

/// Computes every metric of `repo` for `options`, in one pass over the parsed postmortems.
/// Completion is judged as of `options.today`, with the approvals of commit trailers read from
/// the repository's history when the policy counts them.
pub fn compute(repo: &Repo, options: &Options) -> Metrics {
    let config = &repo.workspace.config;
    let judge =
        Judge::new(config, repo.tickets.as_deref(), options.today, Some(&repo.workspace.root));
    compute_with(repo, options, &judge)
}

/// [`compute`] with a `judge` the caller already has (a site build shares one between its pages
/// and its metrics, so the history is read once).
pub fn compute_with(repo: &Repo, options: &Options, judge: &Judge<'_>) -> Metrics {
    let config = &repo.workspace.config;
    let tz = config.time_zone();
    let docs: Vec<(&Document, &Postmortem)> = repo.postmortems().collect();
    let facts: Vec<Facts<'_>> = docs
        .par_iter()
        .map(|(doc, pm)| facts(repo, doc, pm, &tz, options.today, judge))
        .filter(|f| options.selects(f))
        .collect();
    let universe = Universe::new(config, &facts);
    let severities = universe.severities.len();

    let mut overall = Acc::new(&universe);
    let mut teams: Vec<Option<Acc>> = universe.teams.iter().map(|_| None).collect();
    let mut services: Vec<Option<Acc>> = universe.services.iter().map(|_| None).collect();
    let mut slos: BTreeMap<&str, SloBudget> = BTreeMap::new();
    let mut slo_by_service: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    let mut dated_by_service: BTreeMap<&str, Vec<&Facts<'_>>> = BTreeMap::new();
    for f in &facts {
        let ix = universe.index(f);
        overall.add(f, &ix, severities);
        if let Some(slot) = teams.get_mut(ix.team) {
            slot.get_or_insert_with(|| Acc::new(&universe)).add(f, &ix, severities);
        }
        for (s, at) in f.services.iter().zip(&ix.services) {
            if let Some(slot) = services.get_mut(*at) {
                slot.get_or_insert_with(|| Acc::new(&universe)).add(f, &ix, severities);
            }
            if f.start_date.is_some() {
                dated_by_service.entry(s).or_default().push(f);
            }
        }
        for slo in f.slos {
            let budget = slos.entry(slo.name.as_str()).or_default();
            budget.incidents += 1;
            budget.error_budget_consumed += slo.error_budget_consumed;
            let per_service = slo_by_service.entry(slo.name.as_str()).or_default();
            if f.services.is_empty() {
                *per_service.entry(NONE).or_default() += slo.error_budget_consumed;
            }
            for s in &f.services {
                *per_service.entry(s).or_default() += slo.error_budget_consumed;
            }
        }
    }

    let slices = |keys: &[&str], accs: Vec<Option<Acc>>| -> BTreeMap<String, Slice> {
        keys.iter()
            .zip(accs)
            .map(|(k, acc)| {
                ((*k).to_owned(), acc.unwrap_or_else(|| Acc::new(&universe)).finish(&universe))
            })
            .collect()
    };
    let team_slices = slices(&universe.teams, teams);
    let service_slices = slices(&universe.services, services);
    let recurring_contributing_factors = service_slices
        .iter()
        .map(|(s, slice)| {
            let recurring: BTreeMap<String, usize> = slice
                .by_contributing_factor
                .iter()
                .filter(|(_, n)| **n >= 2)
                .map(|(k, n)| (k.clone(), *n))
                .collect();
            (s.clone(), recurring)
        })
        .filter(|(_, r)| !r.is_empty())
        .collect();

    Metrics {
        today: options.today,
        time_zone: tz.iana_name().unwrap_or("UTC").to_owned(),
        filters: Filters {
            since: options.since,
            until: options.until,
            team: options.team.clone(),
            service: options.service.clone(),
        },
        severities: universe.severities.iter().map(|s| (*s).to_owned()).collect(),
        overall: overall.finish(&universe),
        leaderboard: config.metrics.rank_teams.then(|| leaderboard(config, &team_slices)),
        slos: slos.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        slo_budget_by_service: slo_by_service
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(|(s, x)| (s.to_owned(), x)).collect()))
            .collect(),
        recurring_contributing_factors,
        repeat_incidents: repeat_incidents(dated_by_service),
        similar: similar::suggest(&facts),
        teams: team_slices,
        services: service_slices,
    }
}

/// Teams ranked by on-time rate (best first), then by how many postmortems were judged, then
/// by slug. Teams with nothing judged come last, unranked.
fn leaderboard(config: &Config, teams: &BTreeMap<String, Slice>) -> Vec<LeaderboardRow> {
    let mut rows: Vec<LeaderboardRow> = teams
        .iter()
        .filter(|(t, _)| t.as_str() != NONE)
        .map(|(team, slice)| {
            let t = &slice.postmortem_timeliness;
            LeaderboardRow {
                rank: None,
                team: team.clone(),
                name: config.teams.get(team).and_then(|t| t.name.clone()),
                postmortems: slice.postmortems,
                published: t.published,
                on_time: t.on_time,
                late: t.late,
                on_time_rate: t.on_time_rate,
                overdue: t.overdue,
                median_days_to_publish: t.median_days_to_publish,
                action_item_completion_rate: slice.action_items.completion_rate,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &LeaderboardRow| (r.on_time_rate.is_none(), r.on_time + r.late);
        let (a_none, a_judged) = key(a);
        let (b_none, b_judged) = key(b);
        a_none
            .cmp(&b_none)
            .then_with(|| b.on_time_rate.unwrap_or(0.0).total_cmp(&a.on_time_rate.unwrap_or(0.0)))
            .then_with(|| b_judged.cmp(&a_judged))
            .then_with(|| a.team.cmp(&b.team))
    });
    let rates: Vec<Option<f64>> = rows.iter().map(|r| r.on_time_rate).collect();
    for row in &mut rows {
        // Competition ranking: 1 + the number of teams with a strictly better rate.
        row.rank = row
            .on_time_rate
            .map(|mine| 1 + rates.iter().flatten().filter(|other| **other > mine).count());
    }
    rows
}

/// The teams with postmortems held to the completion policy, each with its own figures: by
/// slug, or, when the repository ranks teams (`[metrics] rank_teams`, so `leaderboard` is
/// there), by on-time completion rate (best first; teams with nothing judged yet last), then by
/// slug.
pub fn completion_by_team(m: &Metrics) -> Vec<(&str, &Completion)> {
    let mut rows: Vec<(&str, &Completion)> = m
        .teams
        .iter()
        .filter(|(team, slice)| team.as_str() != NONE && slice.completion.held > 0)
        .map(|(team, slice)| (team.as_str(), &slice.completion))
        .collect();
    if m.leaderboard.is_none() {
        // Already in slug order (a map): no team is placed above another.
        return rows;
    }
    rows.sort_by(|(a_team, a), (b_team, b)| {
        a.on_time_rate
            .is_none()
            .cmp(&b.on_time_rate.is_none())
            .then_with(|| b.on_time_rate.unwrap_or(0.0).total_cmp(&a.on_time_rate.unwrap_or(0.0)))
            .then_with(|| a_team.cmp(b_team))
    });
    rows
}

/// Per service, each incident that started within [`REPEAT_WINDOW_DAYS`] of the service's
/// previous incident (start dates in the configured timezone).
fn repeat_incidents(
    by_service: BTreeMap<&str, Vec<&Facts<'_>>>,
) -> BTreeMap<String, RepeatIncidents> {
    let mut out = BTreeMap::new();
    for (service, mut incidents) in by_service {
        incidents.sort_by(|a, b| {
            (a.start_date, a.started, a.path).cmp(&(b.start_date, b.started, b.path))
        });
        let mut pairs: Vec<RepeatPair> = incidents
            .windows(2)
            .filter_map(|w| {
                let (earlier, later) = (w.first()?, w.get(1)?);
                let days = days_between(earlier.start_date?, later.start_date?);
                (days <= REPEAT_WINDOW_DAYS).then(|| RepeatPair {
                    earlier: earlier.label().to_owned(),
                    later: later.label().to_owned(),
                    days,
                })
            })
            .collect();
        if let Some(shortest) = pairs.iter().map(|p| p.days).min() {
            let repeats = pairs.len();
            pairs.reverse();
            pairs.truncate(REPEAT_PAIRS_SHOWN);
            out.insert(
                service.to_owned(),
                RepeatIncidents {
                    incidents: incidents.len(),
                    repeats,
                    shortest_gap_days: shortest,
                    pairs,
                },
            );
        }
    }
    out
}

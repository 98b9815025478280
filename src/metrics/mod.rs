//! Reliability metrics: are incidents getting shorter, are postmortems written on time, are
//! follow-ups done, and where does it keep breaking?
//!
//! [`compute`] reads the parsed model once: every selected postmortem is turned into its
//! [`Facts`] (durations, month, timeliness, action-item states — each derived exactly once),
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
//! - **Action items**: an item without a valid status counts as open (as in `pm actions`);
//!   *open* = open or in progress; *overdue* = open and `due` before today; *closed* = done or
//!   won't do. Completion rate = done / (total − won't do). An item is *opened* on its
//!   incident's resolution date (the start date when unresolved); days to close =
//!   `closed_on − opened`; age = today − opened.
//! - Postmortems without a severity, team or detection are counted under `(none)`; a
//!   postmortem counts once under each of its services and contributing factors.

pub mod report;
mod similar;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::calendar::days_between;
use crate::config::Config;
use crate::model::{Detection, ItemStatus, Postmortem, SloImpact, Status};
use crate::repo::{Document, Repo};
pub use similar::{Shared, Suggestion};
use stats::{Summary, rate};

/// The key under which a postmortem without a severity, team, detection (or an item without an
/// owner) is counted. Slugs cannot contain parentheses, so it never clashes with a real one.
pub const NONE: &str = "(none)";

/// Days within which a second incident of a service counts as a repeat.
pub const REPEAT_WINDOW_DAYS: i64 = 90;

/// Repeat pairs listed per service (the most recent ones); `repeats` counts them all.
pub const REPEAT_PAIRS_SHOWN: usize = 10;

/// A metric's definition in words, as the pages show it next to the figure (and as
/// `docs/metrics.md` states it; a test keeps the two in sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// Stable key a page looks the definition up by.
    pub key: &'static str,
    /// What the figure is called.
    pub title: &'static str,
    /// How it is computed, in plain words.
    pub text: &'static str,
}

/// Every definition, in the order the overview page shows them.
pub const DEFINITIONS: &[Definition] = &[
    Definition {
        key: "incidents_per_month",
        title: "Incidents per month",
        text: "Postmortems counted in the month their started_at falls in, read in the configured \
               timezone, stacked by severity. Months without incidents show as 0; postmortems \
               without started_at are counted as undated.",
    },
    Definition {
        key: "incidents_by_field",
        title: "Incidents per severity, team, service, detection source and contributing factor",
        text: "Postmortems counted by that field. One without a severity, team or detection source \
               counts under (none); one that lists several services or contributing factors \
               counts once under each.",
    },
    Definition {
        key: "time_to_detect",
        title: "Time to detect",
        text: "detected_at − started_at, in minutes.",
    },
    Definition {
        key: "time_to_mitigate",
        title: "Time to mitigate",
        text: "mitigated_at − started_at, in minutes.",
    },
    Definition {
        key: "time_to_resolve",
        title: "Time to resolve",
        text: "resolved_at − started_at, in minutes.",
    },
    Definition {
        key: "median_p90",
        title: "Median and p90",
        text: "Durations are shown as the median and the 90th percentile, never the mean: a few \
               long incidents dominate a mean. The median is the middle value (for an even count, \
               the mean of the two middle values); the p90 is the value at rank ⌈0.9 × n⌉ of the \
               values sorted in ascending order (nearest rank). An incident without the \
               timestamp, or with it before started_at, has no value.",
    },
    Definition {
        key: "days_to_publish",
        title: "Days to publish",
        text: "published_on − the date of resolved_at, in days.",
    },
    Definition {
        key: "on_time",
        title: "On time",
        text: "Published on or before its due date. Late: published after it, or not published \
               and the due date has passed. On-time rate = on time / (on time + late); \
               postmortems not yet due are not counted.",
    },
    Definition {
        key: "overdue_postmortems",
        title: "Overdue postmortems",
        text: "Not published, and the due date is before today.",
    },
    Definition {
        key: "leaderboard",
        title: "Team leaderboard",
        text: "Teams ranked by on-time rate, best first; equal rates share a rank. Teams with \
               nothing due yet are listed last, without a rank.",
    },
    Definition {
        key: "open_items",
        title: "Open action items",
        text: "Status open or in progress (an item without a valid status counts as open). \
               Overdue: open and the due date is before today.",
    },
    Definition {
        key: "completion_rate",
        title: "Completion rate",
        text: "done / (total − won't do): won't do is a decision, not a failure.",
    },
    Definition {
        key: "days_to_close",
        title: "Days to close",
        text: "closed_on − the date the item was opened (its incident's resolution date, or its \
               start date if unresolved), for items done or won't do.",
    },
    Definition {
        key: "closed_by_due",
        title: "Closed by due date",
        text: "Share of closed items with a due date and closed_on whose closed_on is on or before \
               the due date.",
    },
    Definition {
        key: "open_by_age",
        title: "Open items by age",
        text: "Open items by days since they were opened: 0–30, 31–90, 91–180, more than 180, or \
               unknown.",
    },
    Definition {
        key: "with_ticket",
        title: "With a ticket",
        text: "Share of action items that name a ticket.",
    },
    Definition {
        key: "items_over_time",
        title: "Open and closed over time",
        text: "Per month: items opened, items closed (done or won't do), and items still open at \
               the month's end.",
    },
    Definition {
        key: "slo_budget",
        title: "Error budget consumed",
        text: "The sum of error_budget_consumed over the incidents that name the SLO (1.0 = 100% \
               of a period's budget). Per service, each service an incident lists is charged its \
               whole consumption.",
    },
    Definition {
        key: "recurring_factors",
        title: "Recurring contributing factors",
        text: "Contributing factors named by two or more incidents of the same service.",
    },
    Definition {
        key: "repeat_incidents",
        title: "Repeat incidents",
        text: "Incidents of a service that started within 90 days after its previous incident.",
    },
    Definition {
        key: "similar",
        title: "Similar postmortems",
        text: "Up to three postmortems that share services (3 points each), contributing factors \
               (2 points each) or title words (1 point each); at least 2 points, ties broken by \
               the more recent incident.",
    },
];

/// The definition with `key`.
pub fn definition(key: &str) -> Option<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.key == key)
}

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
}

/// The selection the metrics were computed for, echoed in the output.
#[derive(Debug, Clone, Serialize)]
pub struct Filters {
    /// `--since`.
    pub since: Option<Date>,
    /// `--until`.
    pub until: Option<Date>,
    /// `--team`.
    pub team: Option<String>,
    /// `--service`.
    pub service: Option<String>,
}

/// Everything the metrics pages and `pm metrics` show.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    /// The date overdue and age figures are computed for.
    pub today: Date,
    /// The IANA timezone months and dates are read in.
    pub time_zone: String,
    /// The selection.
    pub filters: Filters,
    /// Severities in display order: configured (most severe first), then unknown ones seen, then
    /// `(none)` when a postmortem has no severity. Every per-severity map has these keys.
    pub severities: Vec<String>,
    /// The figures of the whole selection.
    #[serde(flatten)]
    pub overall: Slice,
    /// Teams ranked by on-time postmortem completion.
    pub leaderboard: Vec<LeaderboardRow>,
    /// Error budget consumed per SLO (sum of `impact.slos[].error_budget_consumed`, fractions).
    pub slos: BTreeMap<String, SloBudget>,
    /// Error budget consumed per SLO and service: each service of an incident is charged the
    /// incident's whole consumption (`(none)` when it lists no service).
    pub slo_budget_by_service: BTreeMap<String, BTreeMap<String, f64>>,
    /// Per service, the contributing factors named by two or more of its incidents.
    pub recurring_contributing_factors: BTreeMap<String, BTreeMap<String, usize>>,
    /// Services with an incident that started within 90 days after the previous one.
    pub repeat_incidents: BTreeMap<String, RepeatIncidents>,
    /// Per postmortem (by path), up to three similar postmortems.
    pub similar: BTreeMap<String, Vec<Suggestion>>,
    /// The same figures per team (every configured team, plus teams seen).
    pub teams: BTreeMap<String, Slice>,
    /// The same figures per service (every catalogued service, plus services seen).
    pub services: BTreeMap<String, Slice>,
}

/// The figures of one set of postmortems: the whole selection, a team or a service.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Slice {
    /// Postmortems in the set.
    pub postmortems: usize,
    /// Of those, without a (valid) `started_at`: not in any month.
    pub undated: usize,
    /// Postmortems per severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Incidents per month of `started_at` (`YYYY-MM`), every month from the selection's first
    /// to its last, zeros included.
    pub by_month: BTreeMap<String, usize>,
    /// Incidents per month and severity (the stacked bars).
    pub by_month_severity: BTreeMap<String, BTreeMap<String, usize>>,
    /// Postmortems per team.
    pub by_team: BTreeMap<String, usize>,
    /// Postmortems per service (a postmortem counts under each of its services).
    pub by_service: BTreeMap<String, usize>,
    /// Postmortems per detection source.
    pub by_detection: BTreeMap<String, usize>,
    /// Postmortems per contributing factor (once under each factor it names).
    pub by_contributing_factor: BTreeMap<String, usize>,
    /// `detected_at − started_at` per severity, minutes.
    pub time_to_detect_minutes: BTreeMap<String, Summary>,
    /// `mitigated_at − started_at` per severity, minutes.
    pub time_to_mitigate_minutes: BTreeMap<String, Summary>,
    /// `resolved_at − started_at` per severity, minutes.
    pub time_to_resolve_minutes: BTreeMap<String, Summary>,
    /// The three durations overall, per quarter and per team, minutes.
    pub durations_minutes: DurationBreakdowns,
    /// Follow-through on action items.
    pub action_items: ActionItems,
    /// Whether postmortems are published on time.
    pub postmortem_timeliness: Timeliness,
}

/// One duration broken down three ways.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DurationBreakdowns {
    /// Time to detect.
    pub detect: Breakdown,
    /// Time to mitigate.
    pub mitigate: Breakdown,
    /// Time to resolve.
    pub resolve: Breakdown,
}

/// Median and p90 of one duration overall, per quarter and per team.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Breakdown {
    /// Every incident of the set.
    pub overall: Summary,
    /// Per quarter of `started_at` (`YYYY-Qn`), every quarter of the selection's range.
    pub by_quarter: BTreeMap<String, Summary>,
    /// Per team.
    pub by_team: BTreeMap<String, Summary>,
}

/// Action-item figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionItems {
    /// All items.
    pub total: usize,
    /// Open or in progress (or without a valid status).
    pub open: usize,
    /// Of the open ones, in progress.
    pub in_progress: usize,
    /// Open and due before today.
    pub overdue: usize,
    /// Done.
    pub done: usize,
    /// Won't do.
    pub wont_do: usize,
    /// done / (total − won't do).
    pub completion_rate: Option<f64>,
    /// Closed (done or won't do) with a known `closed_on` and opening date.
    pub closed_with_dates: usize,
    /// Median of `closed_on − opened`, days.
    pub median_days_to_close: Option<f64>,
    /// p90 of `closed_on − opened`, days.
    pub p90_days_to_close: Option<f64>,
    /// Closed items with both `due` and `closed_on`.
    pub closed_with_due: usize,
    /// Of those, closed on or before `due`.
    pub closed_by_due: usize,
    /// closed_by_due / closed_with_due.
    pub closed_by_due_rate: Option<f64>,
    /// Items with a ticket.
    pub with_ticket: usize,
    /// with_ticket / total.
    pub ticket_rate: Option<f64>,
    /// Open items by days since they were opened.
    pub open_by_age: AgeBuckets,
    /// Per team (the postmortem's team).
    pub by_team: BTreeMap<String, ItemCounts>,
    /// Per owner (`(none)` for items without one).
    pub by_owner: BTreeMap<String, ItemCounts>,
    /// Per month: opened, closed, and open at the month's end (items with a known opening date;
    /// closed items without `closed_on` are left out).
    pub by_month: BTreeMap<String, ItemsInMonth>,
}

/// Action items of one team or owner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ItemCounts {
    /// All.
    pub total: usize,
    /// Open or in progress.
    pub open: usize,
    /// Open and past due.
    pub overdue: usize,
    /// Done.
    pub done: usize,
    /// Won't do.
    pub wont_do: usize,
    /// done / (total − won't do).
    pub completion_rate: Option<f64>,
}

/// Open action items by age in days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgeBuckets {
    /// 0 to 30 days.
    #[serde(rename = "0-30")]
    pub days_0_30: usize,
    /// 31 to 90 days.
    #[serde(rename = "31-90")]
    pub days_31_90: usize,
    /// 91 to 180 days.
    #[serde(rename = "91-180")]
    pub days_91_180: usize,
    /// More than 180 days.
    #[serde(rename = "181+")]
    pub days_181_plus: usize,
    /// The incident has neither `resolved_at` nor `started_at`.
    pub unknown: usize,
}

impl AgeBuckets {
    /// The buckets in order, with their labels.
    pub fn rows(&self) -> [(&'static str, usize); 5] {
        [
            ("0-30", self.days_0_30),
            ("31-90", self.days_31_90),
            ("91-180", self.days_91_180),
            ("181+", self.days_181_plus),
            ("unknown", self.unknown),
        ]
    }
}

/// Action items in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ItemsInMonth {
    /// Items opened in the month.
    pub opened: usize,
    /// Items closed in the month.
    pub closed: usize,
    /// Items opened by the month's end and not closed by then.
    pub open_at_end: usize,
}

/// Postmortem timeliness.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timeliness {
    /// Postmortems with status `published`.
    pub published: usize,
    /// Postmortems not published (draft, in review, or no valid status).
    pub unpublished: usize,
    /// Published on or before `due`.
    pub on_time: usize,
    /// Published after `due`, or unpublished with `due` before today.
    pub late: usize,
    /// on_time / (on_time + late).
    pub on_time_rate: Option<f64>,
    /// Median of `published_on − resolved_at's date`, days.
    pub median_days_to_publish: Option<f64>,
    /// p90 of the same, days.
    pub p90_days_to_publish: Option<f64>,
    /// Not published and `due` before today.
    pub overdue: usize,
}

/// One team on the on-time leaderboard.
#[derive(Debug, Clone, Serialize)]
pub struct LeaderboardRow {
    /// 1 for the best on-time rate; equal rates share a rank; `null` for a team with nothing
    /// judged yet.
    pub rank: Option<usize>,
    /// The team's slug.
    pub team: String,
    /// The team's display name from `pm.toml`.
    pub name: Option<String>,
    /// Its postmortems.
    pub postmortems: usize,
    /// Of those, published.
    pub published: usize,
    /// On time.
    pub on_time: usize,
    /// Late.
    pub late: usize,
    /// on_time / (on_time + late).
    pub on_time_rate: Option<f64>,
    /// Currently overdue.
    pub overdue: usize,
    /// Median days to publish.
    pub median_days_to_publish: Option<f64>,
    /// Completion rate of the team's action items.
    pub action_item_completion_rate: Option<f64>,
}

/// Error budget consumed by one SLO.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SloBudget {
    /// Incidents that name the SLO.
    pub incidents: usize,
    /// Sum of their `error_budget_consumed` (1.0 = a whole period's budget).
    pub error_budget_consumed: f64,
}

/// Repeat incidents of one service.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatIncidents {
    /// Dated incidents of the service.
    pub incidents: usize,
    /// Incidents that started within 90 days after the service's previous incident.
    pub repeats: usize,
    /// The shortest gap, days.
    pub shortest_gap_days: i64,
    /// The most recent repeats (at most 10), each with the incident before it, latest first.
    pub pairs: Vec<RepeatPair>,
}

/// An incident and the one before it on the same service.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatPair {
    /// The earlier incident (id, or path when it has none).
    pub earlier: String,
    /// The later one.
    pub later: String,
    /// Days between their start dates.
    pub days: i64,
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    /// The month of `date`.
    pub fn of(date: Date) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    fn next(self) -> Self {
        if self.month >= 12 {
            Self { year: self.year.saturating_add(1), month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }

    fn quarter(self) -> Quarter {
        Quarter { year: self.year, quarter: (self.month - 1) / 3 + 1 }
    }

    /// Months from `first` to `self` (0 for the same month; `self` is not before `first`).
    fn months_since(self, first: Month) -> usize {
        let n = (i32::from(self.year) - i32::from(first.year)) * 12 + i32::from(self.month)
            - i32::from(first.month);
        usize::try_from(n).unwrap_or(usize::MAX)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i16,
    quarter: i8,
}

impl Quarter {
    /// Quarters from `first` to `self`.
    fn quarters_since(self, first: Quarter) -> usize {
        let n = (i32::from(self.year) - i32::from(first.year)) * 4 + i32::from(self.quarter)
            - i32::from(first.quarter);
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    fn next(self) -> Self {
        if self.quarter >= 4 {
            Self { year: self.year.saturating_add(1), quarter: 1 }
        } else {
            Self { year: self.year, quarter: self.quarter + 1 }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// Every value from `first` to `last`, inclusive (empty when either is missing).
fn range<T: Copy + Ord>(first: Option<T>, last: Option<T>, next: fn(T) -> T) -> Vec<T> {
    let (Some(mut at), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while at <= last {
        out.push(at);
        let following = next(at);
        if following <= at {
            break;
        }
        at = following;
    }
    out
}

/// The date of `timestamp` in `tz`.
pub fn local_date(timestamp: Timestamp, tz: &jiff::tz::TimeZone) -> Date {
    tz.to_datetime(timestamp).date()
}

/// Where an action item stands, an invalid or missing status read as open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    InProgress,
    Done,
    WontDo,
}

impl State {
    fn of(status: Option<ItemStatus>) -> Self {
        match status {
            None | Some(ItemStatus::Open) => State::Open,
            Some(ItemStatus::InProgress) => State::InProgress,
            Some(ItemStatus::Done) => State::Done,
            Some(ItemStatus::WontDo) => State::WontDo,
        }
    }

    fn is_open(self) -> bool {
        matches!(self, State::Open | State::InProgress)
    }
}

/// What the metrics need of one action item, derived once.
#[derive(Debug, Clone)]
struct ItemFacts<'a> {
    owner: &'a str,
    state: State,
    overdue: bool,
    has_ticket: bool,
    days_to_close: Option<i64>,
    closed_by_due: Option<bool>,
    /// Days since opened, for open items with a known opening date.
    age: Option<i64>,
    /// For the over-time series: the opening month and, when closed, the closing month.
    timeline: Option<(Month, Option<Month>)>,
}

/// What the metrics need of one postmortem, derived once.
#[derive(Debug, Clone)]
struct Facts<'a> {
    path: &'a str,
    id: Option<&'a str>,
    title: Option<&'a str>,
    severity: &'a str,
    team: &'a str,
    /// Sorted, without duplicates.
    services: Vec<&'a str>,
    /// Sorted, without duplicates.
    factors: Vec<&'a str>,
    detection: &'a str,
    started: Option<Timestamp>,
    start_date: Option<Date>,
    month: Option<Month>,
    /// Minutes to detect, mitigate, resolve.
    minutes: [Option<f64>; 3],
    published: bool,
    days_to_publish: Option<i64>,
    /// `Some(true)` on time, `Some(false)` late, `None` not judged (yet).
    on_time: Option<bool>,
    overdue: bool,
    items: Vec<ItemFacts<'a>>,
    slos: &'a [SloImpact],
}

impl Facts<'_> {
    /// The id, or the path when there is none.
    fn label(&self) -> &str {
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

fn facts<'a>(
    doc: &'a Document,
    pm: &'a Postmortem,
    tz: &jiff::tz::TimeZone,
    today: Date,
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
    let overdue = !published && due.is_some_and(|d| d < today);
    let on_time = match (published, published_on, due) {
        (true, Some(p), Some(d)) => Some(p <= d),
        _ if overdue => Some(false),
        _ => None,
    };
    // Follow-up work can start once the incident is over: items are "opened" on the
    // resolution date, or the start date of an incident that has not been resolved.
    let opened = resolved_date.or(start_date);
    let items = pm
        .action_items
        .iter()
        .map(|item| {
            let state = State::of(item.status.as_ref().map(|s| s.value));
            let due = item.due.as_ref().map(|d| d.value);
            let closed_on = item.closed_on.as_ref().map(|d| d.value).filter(|_| !state.is_open());
            let timeline = match (opened, state.is_open(), closed_on) {
                (Some(o), true, _) => Some((Month::of(o), None)),
                (Some(o), false, Some(c)) => Some((Month::of(o), Some(Month::of(c.max(o))))),
                _ => None,
            };
            ItemFacts {
                owner: text(&item.owner).unwrap_or(NONE),
                state,
                overdue: state.is_open() && due.is_some_and(|d| d < today),
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
        services: sorted_unique(pm.services.iter().map(|s| s.value.as_str())),
        factors: sorted_unique(pm.contributing_factors.iter().map(|s| s.value.as_str())),
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
        items,
        slos: &pm.impact.slos,
    }
}

impl Options {
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

/// Running totals of action items of one group.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    total: usize,
    open: usize,
    overdue: usize,
    done: usize,
    wont_do: usize,
}

impl Counts {
    fn add(&mut self, item: &ItemFacts<'_>) {
        self.total += 1;
        self.open += usize::from(item.state.is_open());
        self.overdue += usize::from(item.overdue);
        self.done += usize::from(item.state == State::Done);
        self.wont_do += usize::from(item.state == State::WontDo);
    }

    fn finish(self) -> ItemCounts {
        ItemCounts {
            total: self.total,
            open: self.open,
            overdue: self.overdue,
            done: self.done,
            wont_do: self.wont_do,
            completion_rate: rate(self.done, self.total - self.wont_do),
        }
    }
}

/// Where a postmortem's keys sit in the [`Universe`] lists, looked up once, so the accumulators
/// index arrays instead of comparing strings for every slice a postmortem is added to.
#[derive(Debug, Clone)]
struct Ix {
    severity: usize,
    team: usize,
    services: Vec<usize>,
    detection: usize,
    factors: Vec<usize>,
    /// The owner of each action item.
    owners: Vec<usize>,
    month: Option<usize>,
    quarter: Option<usize>,
}

/// Values of one duration, grouped by [`Universe`] position.
#[derive(Debug, Default)]
struct DurationAcc {
    all: Vec<f64>,
    by_severity: Vec<Vec<f64>>,
    by_quarter: Vec<Vec<f64>>,
    by_team: Vec<Vec<f64>>,
}

impl DurationAcc {
    fn new(u: &Universe<'_>) -> Self {
        Self {
            all: Vec::new(),
            by_severity: vec![Vec::new(); u.severities.len()],
            by_quarter: vec![Vec::new(); u.quarters.len()],
            by_team: vec![Vec::new(); u.teams.len()],
        }
    }

    fn add(&mut self, value: f64, ix: &Ix) {
        self.all.push(value);
        push(&mut self.by_severity, ix.severity, value);
        push(&mut self.by_team, ix.team, value);
        if let Some(q) = ix.quarter {
            push(&mut self.by_quarter, q, value);
        }
    }

    fn finish(self, u: &Universe<'_>) -> (BTreeMap<String, Summary>, Breakdown) {
        let named = |keys: &[&str], groups: Vec<Vec<f64>>| -> BTreeMap<String, Summary> {
            keys.iter().zip(groups).map(|(k, v)| ((*k).to_owned(), Summary::of(v))).collect()
        };
        let per_severity = named(&u.severities, self.by_severity);
        let breakdown = Breakdown {
            overall: Summary::of(self.all),
            by_quarter: u
                .quarters
                .iter()
                .zip(self.by_quarter)
                .map(|(q, v)| (q.to_string(), Summary::of(v)))
                .collect(),
            by_team: named(&u.teams, self.by_team),
        };
        (per_severity, breakdown)
    }
}

/// Adds `value` to the group at `at` (positions come from the universe, so they are in range).
fn push(groups: &mut [Vec<f64>], at: usize, value: f64) {
    if let Some(group) = groups.get_mut(at) {
        group.push(value);
    }
}

/// Adds one to the count at `at`.
fn bump(counts: &mut [usize], at: usize) {
    if let Some(n) = counts.get_mut(at) {
        *n += 1;
    }
}

#[derive(Debug, Default)]
struct ItemAcc {
    counts: Counts,
    in_progress: usize,
    days_to_close: Vec<f64>,
    closed_with_due: usize,
    closed_by_due: usize,
    with_ticket: usize,
    ages: AgeBuckets,
    by_team: Vec<Counts>,
    /// By owner position (sparse: a slice sees few of the repository's owners).
    by_owner: BTreeMap<usize, Counts>,
    opened: BTreeMap<Month, usize>,
    closed: BTreeMap<Month, usize>,
}

#[derive(Debug, Default)]
struct TimelinessAcc {
    published: usize,
    unpublished: usize,
    on_time: usize,
    late: usize,
    overdue: usize,
    days_to_publish: Vec<f64>,
}

/// The running totals of one slice, indexed by [`Universe`] position.
#[derive(Debug)]
struct Acc {
    postmortems: usize,
    undated: usize,
    by_severity: Vec<usize>,
    by_month: Vec<usize>,
    /// Month-major: `month × severities + severity`.
    by_month_severity: Vec<usize>,
    by_team: Vec<usize>,
    by_service: Vec<usize>,
    by_detection: Vec<usize>,
    by_factor: Vec<usize>,
    durations: [DurationAcc; 3],
    items: ItemAcc,
    timeliness: TimelinessAcc,
}

impl Acc {
    fn new(u: &Universe<'_>) -> Self {
        Self {
            postmortems: 0,
            undated: 0,
            by_severity: vec![0; u.severities.len()],
            by_month: vec![0; u.months.len()],
            by_month_severity: vec![0; u.months.len() * u.severities.len()],
            by_team: vec![0; u.teams.len()],
            by_service: vec![0; u.services.len()],
            by_detection: vec![0; u.detections.len()],
            by_factor: vec![0; u.factors.len()],
            durations: [DurationAcc::new(u), DurationAcc::new(u), DurationAcc::new(u)],
            items: ItemAcc {
                by_team: vec![Counts::default(); u.teams.len()],
                ..ItemAcc::default()
            },
            timeliness: TimelinessAcc::default(),
        }
    }

    fn add(&mut self, f: &Facts<'_>, ix: &Ix, severities: usize) {
        self.postmortems += 1;
        bump(&mut self.by_severity, ix.severity);
        match ix.month {
            Some(m) => {
                bump(&mut self.by_month, m);
                bump(&mut self.by_month_severity, m * severities + ix.severity);
            }
            None => self.undated += 1,
        }
        bump(&mut self.by_team, ix.team);
        for s in &ix.services {
            bump(&mut self.by_service, *s);
        }
        bump(&mut self.by_detection, ix.detection);
        for c in &ix.factors {
            bump(&mut self.by_factor, *c);
        }
        for (acc, value) in self.durations.iter_mut().zip(f.minutes) {
            if let Some(v) = value {
                acc.add(v, ix);
            }
        }
        let t = &mut self.timeliness;
        if f.published {
            t.published += 1;
        } else {
            t.unpublished += 1;
        }
        match f.on_time {
            Some(true) => t.on_time += 1,
            Some(false) => t.late += 1,
            None => {}
        }
        t.overdue += usize::from(f.overdue);
        t.days_to_publish.extend(f.days_to_publish.map(|d| d as f64));
        let items = &mut self.items;
        for (item, owner) in f.items.iter().zip(&ix.owners) {
            items.counts.add(item);
            if let Some(c) = items.by_team.get_mut(ix.team) {
                c.add(item);
            }
            items.by_owner.entry(*owner).or_default().add(item);
            items.in_progress += usize::from(item.state == State::InProgress);
            items.days_to_close.extend(item.days_to_close.map(|d| d as f64));
            if let Some(by_due) = item.closed_by_due {
                items.closed_with_due += 1;
                items.closed_by_due += usize::from(by_due);
            }
            items.with_ticket += usize::from(item.has_ticket);
            if item.state.is_open() {
                let b = &mut items.ages;
                match item.age {
                    None => b.unknown += 1,
                    Some(0..=30) => b.days_0_30 += 1,
                    Some(31..=90) => b.days_31_90 += 1,
                    Some(91..=180) => b.days_91_180 += 1,
                    Some(_) => b.days_181_plus += 1,
                }
            }
            if let Some((opened, closed)) = item.timeline {
                *items.opened.entry(opened).or_default() += 1;
                if let Some(c) = closed {
                    *items.closed.entry(c).or_default() += 1;
                }
            }
        }
    }

    fn finish(self, u: &Universe<'_>) -> Slice {
        let named = |keys: &[&str], counts: &[usize]| -> BTreeMap<String, usize> {
            keys.iter().zip(counts).map(|(k, n)| ((*k).to_owned(), *n)).collect()
        };
        let severities = u.severities.len();
        let by_month_severity = u
            .months
            .iter()
            .enumerate()
            .map(|(m, month)| {
                let row = self.by_month_severity.get(m * severities..(m + 1) * severities);
                (month.to_string(), named(&u.severities, row.unwrap_or_default()))
            })
            .collect();
        let [detect, mitigate, resolve] = self.durations;
        let (time_to_detect_minutes, detect) = detect.finish(u);
        let (time_to_mitigate_minutes, mitigate) = mitigate.finish(u);
        let (time_to_resolve_minutes, resolve) = resolve.finish(u);
        let items = self.items;
        let days_to_close = Summary::of(items.days_to_close);
        let mut open_at_end = 0usize;
        let items_by_month = u
            .item_months
            .iter()
            .map(|m| {
                let opened = items.opened.get(m).copied().unwrap_or(0);
                let closed = items.closed.get(m).copied().unwrap_or(0);
                open_at_end = (open_at_end + opened).saturating_sub(closed);
                (m.to_string(), ItemsInMonth { opened, closed, open_at_end })
            })
            .collect();
        let counts = items.counts;
        let t = self.timeliness;
        let publish = Summary::of(t.days_to_publish);
        Slice {
            postmortems: self.postmortems,
            undated: self.undated,
            by_severity: named(&u.severities, &self.by_severity),
            by_month: u
                .months
                .iter()
                .zip(&self.by_month)
                .map(|(m, n)| (m.to_string(), *n))
                .collect(),
            by_month_severity,
            by_team: named(&u.teams, &self.by_team),
            by_service: named(&u.services, &self.by_service),
            by_detection: named(&u.detections, &self.by_detection),
            by_contributing_factor: u
                .factors
                .iter()
                .zip(&self.by_factor)
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| ((*k).to_owned(), *n))
                .collect(),
            time_to_detect_minutes,
            time_to_mitigate_minutes,
            time_to_resolve_minutes,
            durations_minutes: DurationBreakdowns { detect, mitigate, resolve },
            action_items: ActionItems {
                total: counts.total,
                open: counts.open,
                in_progress: items.in_progress,
                overdue: counts.overdue,
                done: counts.done,
                wont_do: counts.wont_do,
                completion_rate: rate(counts.done, counts.total - counts.wont_do),
                closed_with_dates: days_to_close.count,
                median_days_to_close: days_to_close.median,
                p90_days_to_close: days_to_close.p90,
                closed_with_due: items.closed_with_due,
                closed_by_due: items.closed_by_due,
                closed_by_due_rate: rate(items.closed_by_due, items.closed_with_due),
                with_ticket: items.with_ticket,
                ticket_rate: rate(items.with_ticket, counts.total),
                open_by_age: items.ages,
                by_team: u
                    .teams
                    .iter()
                    .zip(items.by_team)
                    .map(|(k, c)| ((*k).to_owned(), c.finish()))
                    .collect(),
                by_owner: items
                    .by_owner
                    .into_iter()
                    .filter_map(|(o, c)| Some(((*u.owners.get(o)?).to_owned(), c.finish())))
                    .collect(),
                by_month: items_by_month,
            },
            postmortem_timeliness: Timeliness {
                published: t.published,
                unpublished: t.unpublished,
                on_time: t.on_time,
                late: t.late,
                on_time_rate: rate(t.on_time, t.on_time + t.late),
                median_days_to_publish: publish.median,
                p90_days_to_publish: publish.p90,
                overdue: t.overdue,
            },
        }
    }
}

/// The keys every slice lists, zeros included, so all pages and charts line up; and each key's
/// position, for [`Ix`].
#[derive(Debug)]
struct Universe<'a> {
    severities: Vec<&'a str>,
    teams: Vec<&'a str>,
    services: Vec<&'a str>,
    detections: Vec<&'a str>,
    /// Contributing factors named in the selection, sorted.
    factors: Vec<&'a str>,
    /// Action-item owners of the selection, sorted.
    owners: Vec<&'a str>,
    months: Vec<Month>,
    quarters: Vec<Quarter>,
    item_months: Vec<Month>,
    positions: HashMap<(Field, &'a str), usize>,
}

/// Which list of the [`Universe`] a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Severity,
    Team,
    Service,
    Detection,
    Factor,
    Owner,
}

impl<'a> Universe<'a> {
    fn new(config: &'a Config, facts: &[Facts<'a>]) -> Self {
        let configured: BTreeSet<&str> = config.severities.iter().map(String::as_str).collect();
        let mut severities: Vec<&str> = config.severities.iter().map(String::as_str).collect();
        let unknown: BTreeSet<&str> = facts
            .iter()
            .map(|f| f.severity)
            .filter(|s| *s != NONE && !configured.contains(s))
            .collect();
        severities.extend(unknown);
        if facts.iter().any(|f| f.severity == NONE) {
            severities.push(NONE);
        }
        let mut teams: BTreeSet<&str> = config.teams.keys().map(String::as_str).collect();
        teams.extend(facts.iter().map(|f| f.team));
        let mut services: BTreeSet<&str> = config.services.keys().map(String::as_str).collect();
        services.extend(facts.iter().flat_map(|f| f.services.iter().copied()));
        let mut detections: Vec<&str> = Detection::ALL.iter().map(|d| d.as_str()).collect();
        if facts.iter().any(|f| f.detection == NONE) {
            detections.push(NONE);
        }
        let factors: BTreeSet<&str> =
            facts.iter().flat_map(|f| f.factors.iter().copied()).collect();
        let owners: BTreeSet<&str> =
            facts.iter().flat_map(|f| f.items.iter().map(|i| i.owner)).collect();
        let months = range(
            facts.iter().filter_map(|f| f.month).min(),
            facts.iter().filter_map(|f| f.month).max(),
            Month::next,
        );
        let quarters = range(
            months.first().map(|m| m.quarter()),
            months.last().map(|m| m.quarter()),
            Quarter::next,
        );
        let item_events = || {
            facts.iter().flat_map(|f| {
                f.items
                    .iter()
                    .filter_map(|i| i.timeline)
                    .flat_map(|(o, c)| std::iter::once(o).chain(c))
            })
        };
        let item_months = range(item_events().min(), item_events().max(), Month::next);
        let mut universe = Self {
            severities,
            teams: teams.into_iter().collect(),
            services: services.into_iter().collect(),
            detections,
            factors: factors.into_iter().collect(),
            owners: owners.into_iter().collect(),
            months,
            quarters,
            item_months,
            positions: HashMap::new(),
        };
        let mut positions = HashMap::new();
        for (field, keys) in [
            (Field::Severity, &universe.severities),
            (Field::Team, &universe.teams),
            (Field::Service, &universe.services),
            (Field::Detection, &universe.detections),
            (Field::Factor, &universe.factors),
            (Field::Owner, &universe.owners),
        ] {
            for (i, key) in keys.iter().enumerate() {
                positions.insert((field, *key), i);
            }
        }
        universe.positions = positions;
        universe
    }

    /// The position of `key` in the list of `field` (every key of the selection is listed).
    fn position(&self, field: Field, key: &str) -> usize {
        self.positions.get(&(field, key)).copied().unwrap_or(usize::MAX)
    }

    /// The positions of the keys of `f`.
    fn index(&self, f: &Facts<'_>) -> Ix {
        let first_month = self.months.first().copied();
        let first_quarter = self.quarters.first().copied();
        Ix {
            severity: self.position(Field::Severity, f.severity),
            team: self.position(Field::Team, f.team),
            services: f.services.iter().map(|s| self.position(Field::Service, s)).collect(),
            detection: self.position(Field::Detection, f.detection),
            factors: f.factors.iter().map(|c| self.position(Field::Factor, c)).collect(),
            owners: f.items.iter().map(|i| self.position(Field::Owner, i.owner)).collect(),
            month: f.month.zip(first_month).map(|(m, first)| m.months_since(first)),
            quarter: f.month.zip(first_quarter).map(|(m, first)| m.quarter().quarters_since(first)),
        }
    }
}

/// Computes every metric of `repo` for `options`, in one pass over the parsed postmortems.
pub fn compute(repo: &Repo, options: &Options) -> Metrics {
    let config = &repo.workspace.config;
    let tz = config.time_zone();
    let docs: Vec<(&Document, &Postmortem)> = repo.postmortems().collect();
    let facts: Vec<Facts<'_>> = docs
        .par_iter()
        .map(|(doc, pm)| facts(doc, pm, &tz, options.today))
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
        leaderboard: leaderboard(config, &team_slices),
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn months_are_read_in_the_configured_zone() {
        // 23:30 in New York on 31 January is already February in UTC.
        let t: Timestamp = "2026-01-31T23:30:00-05:00".parse().expect("timestamp");
        let ny = jiff::tz::TimeZone::get("America/New_York").expect("zone");
        assert_eq!(Month::of(local_date(t, &ny)).to_string(), "2026-01");
        assert_eq!(Month::of(local_date(t, &jiff::tz::TimeZone::UTC)).to_string(), "2026-02");
    }

    #[test]
    fn month_and_quarter_ranges_are_contiguous() {
        let months = range(
            Some(Month::of(date(2025, 11, 3))),
            Some(Month::of(date(2026, 2, 1))),
            Month::next,
        );
        let labels: Vec<String> = months.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        let quarters: Vec<String> = months
            .iter()
            .map(|m| m.quarter().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(quarters, ["2025-Q4", "2026-Q1"]);
        assert!(range::<Month>(None, None, Month::next).is_empty());
    }

    #[test]
    fn item_states() {
        assert_eq!(State::of(None), State::Open);
        assert!(State::of(Some(ItemStatus::InProgress)).is_open());
        assert!(!State::of(Some(ItemStatus::WontDo)).is_open());
    }
}

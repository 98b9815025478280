//! What the metrics say: the figures [`super::compute`] returns, which `pm metrics` prints (as a
//! table, JSON or CSV) and the site's pages and charts render, and the definitions shown next to
//! them.
//!
//! They are plain data, kept apart from how they are computed: the JSON output is their
//! `Serialize` shape field for field, and the parent module re-exports them, so readers name
//! them `crate::metrics::X`.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::similar::Suggestion;
use super::stats::Summary;

/// The key under which a postmortem without a severity, team, detection (or an item without an
/// owner) is counted. Slugs cannot contain parentheses, so it never clashes with a real one.
pub const NONE: &str = "(none)";

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
               nothing due yet are listed last, without a rank. Shown only when pm.toml sets \
               [metrics] rank_teams = true.",
    },
    Definition {
        key: "completion_time",
        title: "Completion time",
        text: "completed_on − the date of resolved_at, in days, for complete postmortems the \
               completion policy holds for. completed_on is the day the last required approval \
               or the review came, else the publication date.",
    },
    Definition {
        key: "on_time_completion",
        title: "On-time completion rate",
        text: "Complete postmortems whose completed_on is on or before their due date, over \
               complete postmortems with a due date and a completed_on. Counted on completion, \
               not on the status field; postmortems not yet complete are not counted.",
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
        key: "tracker",
        title: "As the trackers see it",
        text: "From the ticket cache `pm sync` writes: items whose ticket the tracker knows, by \
               the ticket's state (open or in progress, done, closed without being done, \
               missing); items whose status disagrees with their ticket (drift); and the \
               completion rate as the trackers count it, done / (synced − not done − missing).",
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
    /// Teams ranked by on-time postmortem completion, only with `[metrics] rank_teams = true`
    /// (absent from the JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaderboard: Option<Vec<LeaderboardRow>>,
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
    /// Whether postmortems are complete by the completion policy, how fast and how often by
    /// their due date.
    pub completion: Completion,
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
    /// The trackers' side of the same items, from the ticket cache (zeros without one).
    pub tracker: TrackerCounts,
    /// Open items by days since they were opened.
    pub open_by_age: AgeBuckets,
    /// Per team (the postmortem's team).
    pub by_team: BTreeMap<String, ItemCounts>,
    /// Per month: opened, closed, and open at the month's end (items with a known opening date;
    /// closed items without `closed_on` are left out).
    pub by_month: BTreeMap<String, ItemsInMonth>,
}

/// Action items by what their tickets' trackers say (the ticket cache `pm sync` writes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TrackerCounts {
    /// Items whose ticket the cache knows.
    pub synced: usize,
    /// Of those, the ticket is open or in progress.
    pub open: usize,
    /// The ticket is done.
    pub done: usize,
    /// The ticket was closed without being done.
    pub not_done: usize,
    /// The tracker does not know the ticket.
    pub missing: usize,
    /// Items that disagree with their ticket.
    pub drift: usize,
    /// done / (synced − not_done − missing): completion as the trackers count it.
    pub completion_rate: Option<f64>,
}

/// Action items of one team.
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

/// Postmortems against the completion policy (`[completion]` in pm.toml, or the built-in
/// policy), as [`crate::completion::Judge`] judges them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Completion {
    /// Postmortems the policy holds for (those before `completion.since` are not judged).
    pub held: usize,
    /// Of those, complete.
    pub complete: usize,
    /// complete / held.
    pub complete_rate: Option<f64>,
    /// Days from `resolved_at`'s date to `completed_on`, over complete postmortems with both.
    pub days_to_complete: Summary,
    /// Complete, with `completed_on` on or before `due`.
    pub on_time: usize,
    /// Complete, with `completed_on` after `due`.
    pub late: usize,
    /// on_time / (on_time + late).
    pub on_time_rate: Option<f64>,
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

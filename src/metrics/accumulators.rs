//! The running totals of one slice (the whole selection, a team or a service): each
//! postmortem's facts are added to them, and finishing turns them into a [`Slice`].
//!
//! Every key a slice can list is gathered first into a [`Universe`], so that all slices list the
//! same keys, zeros included, and a postmortem's keys are looked up once ([`Ix`]): the totals
//! are arrays indexed by position, not maps keyed by strings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::facts::{Facts, ItemFacts};
use super::stats::{Summary, rate};
use super::{
    ActionItems, AgeBuckets, Breakdown, Completion, DurationBreakdowns, ItemCounts, ItemsInMonth,
    NONE, Slice, Timeliness, TrackerCounts,
};
use crate::calendar::periods::{Month, Quarter, range};
use crate::config::Config;
use crate::model::{Detection, ItemStatus, TicketState};

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
    fn add(&mut self, item: &ItemFacts) {
        self.total += 1;
        self.open += usize::from(item.state.is_open());
        self.overdue += usize::from(item.overdue);
        self.done += usize::from(item.state == ItemStatus::Done);
        self.wont_do += usize::from(item.state == ItemStatus::WontDo);
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
pub(super) struct Ix {
    severity: usize,
    pub(super) team: usize,
    pub(super) services: Vec<usize>,
    detection: usize,
    factors: Vec<usize>,
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
    tracker: TrackerCounts,
    ages: AgeBuckets,
    by_team: Vec<Counts>,
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

#[derive(Debug, Default)]
struct CompletionAcc {
    held: usize,
    complete: usize,
    days_to_complete: Vec<f64>,
    on_time: usize,
    late: usize,
}

impl CompletionAcc {
    fn finish(self) -> Completion {
        Completion {
            held: self.held,
            complete: self.complete,
            complete_rate: rate(self.complete, self.held),
            days_to_complete: Summary::of(self.days_to_complete),
            on_time: self.on_time,
            late: self.late,
            on_time_rate: rate(self.on_time, self.on_time + self.late),
        }
    }
}

/// The running totals of one slice, indexed by [`Universe`] position.
#[derive(Debug)]
pub(super) struct Acc {
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
    completion: CompletionAcc,
}

impl Acc {
    pub(super) fn new(u: &Universe<'_>) -> Self {
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
            completion: CompletionAcc::default(),
        }
    }

    pub(super) fn add(&mut self, f: &Facts<'_>, ix: &Ix, severities: usize) {
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
        if let Some(c) = &f.completion {
            let acc = &mut self.completion;
            acc.held += 1;
            acc.complete += usize::from(c.complete);
            acc.days_to_complete.extend(c.days_to_complete.map(|d| d as f64));
            match c.on_time {
                Some(true) => acc.on_time += 1,
                Some(false) => acc.late += 1,
                None => {}
            }
        }
        let items = &mut self.items;
        for item in &f.items {
            items.counts.add(item);
            if let Some(c) = items.by_team.get_mut(ix.team) {
                c.add(item);
            }
            items.in_progress += usize::from(item.state == ItemStatus::InProgress);
            items.days_to_close.extend(item.days_to_close.map(|d| d as f64));
            if let Some(by_due) = item.closed_by_due {
                items.closed_with_due += 1;
                items.closed_by_due += usize::from(by_due);
            }
            items.with_ticket += usize::from(item.has_ticket);
            if let Some(state) = item.ticket {
                let t = &mut items.tracker;
                t.synced += 1;
                match state {
                    TicketState::Open | TicketState::InProgress => t.open += 1,
                    TicketState::Done => t.done += 1,
                    TicketState::NotDone => t.not_done += 1,
                    TicketState::Missing => t.missing += 1,
                }
                t.drift += usize::from(item.drift);
            }
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

    pub(super) fn finish(self, u: &Universe<'_>) -> Slice {
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
                tracker: TrackerCounts {
                    completion_rate: rate(
                        items.tracker.done,
                        items.tracker.synced - items.tracker.not_done - items.tracker.missing,
                    ),
                    ..items.tracker
                },
                open_by_age: items.ages,
                by_team: u
                    .teams
                    .iter()
                    .zip(items.by_team)
                    .map(|(k, c)| ((*k).to_owned(), c.finish()))
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
            completion: self.completion.finish(),
        }
    }
}

/// The keys every slice lists, zeros included, so all pages and charts line up; and each key's
/// position, for [`Ix`].
#[derive(Debug)]
pub(super) struct Universe<'a> {
    pub(super) severities: Vec<&'a str>,
    pub(super) teams: Vec<&'a str>,
    pub(super) services: Vec<&'a str>,
    detections: Vec<&'a str>,
    /// Contributing factors named in the selection, sorted.
    factors: Vec<&'a str>,
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
}

impl<'a> Universe<'a> {
    pub(super) fn new(config: &'a Config, facts: &[Facts<'a>]) -> Self {
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
    pub(super) fn index(&self, f: &Facts<'_>) -> Ix {
        let first_month = self.months.first().copied();
        let first_quarter = self.quarters.first().copied();
        Ix {
            severity: self.position(Field::Severity, f.severity),
            team: self.position(Field::Team, f.team),
            services: f.services.iter().map(|s| self.position(Field::Service, s)).collect(),
            detection: self.position(Field::Detection, f.detection),
            factors: f.factors.iter().map(|c| self.position(Field::Factor, c)).collect(),
            month: f.month.zip(first_month).map(|(m, first)| m.months_since(first)),
            quarter: f.month.zip(first_quarter).map(|(m, first)| m.quarter().quarters_since(first)),
        }
    }
}

//! Judging one postmortem against its policy: each criterion met or not (with the places that
//! fail it), the approvals counted and those still missing, who owes which section, and the
//! date it became complete. The one definition of "complete" every reader uses.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::policy::{Policy, Role};
use super::written::{Fill, Written};
use crate::config::{Config, ReviewRequirement};
use crate::model::{Postmortem, ReviewMode, Verdict};
use crate::source::Span;
use crate::trackers::cache::Tickets;
use crate::words::plural;

/// What the evaluation may consult besides the postmortem.
pub struct Inputs<'a> {
    /// The configuration (the registry, holidays, `[people]`).
    pub config: &'a Config,
    /// The ticket cache, when `pm sync` has written one.
    pub tickets: Option<&'a Tickets>,
    /// "Today".
    pub today: Date,
    /// Approvals read from commit trailers, for this postmortem: handle and date.
    pub trailers: &'a [(String, Date)],
}

/// One criterion of the policy, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// Stable id: `sections`, `timeline`, `action-items`, `tickets`, `drift`, `fields`,
    /// `approvals`, `review`, `checklist:ID`.
    pub id: String,
    /// What the policy asks, in words.
    pub label: String,
    /// Whether it holds.
    pub met: bool,
    /// What is there, or what is missing.
    pub detail: String,
    /// The places that fail it, for notes on findings.
    #[serde(skip)]
    pub notes: Vec<(Span, String)>,
}

/// A section handed to a person, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentState {
    /// The section.
    pub section: String,
    /// The person.
    pub to: String,
    /// By when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// The section is written.
    pub done: bool,
    /// Days past `due` while not done.
    pub days_overdue: i64,
    /// The assignment's place in the file.
    #[serde(skip)]
    pub span: Span,
}

/// An approval that counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// Who.
    pub by: String,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<Date>,
    /// `front-matter` or `git`.
    pub source: &'static str,
}

/// A postmortem judged against its policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Every criterion met.
    pub complete: bool,
    /// Criteria met, in percent (rounded down; 100 with no criteria).
    pub score: u8,
    /// Each criterion, in policy order.
    pub criteria: Vec<Criterion>,
    /// Approvals that count.
    pub approvals: Vec<Approval>,
    /// Approvals still needed.
    pub approvals_missing: usize,
    /// Who could give them (registry handles, sorted): the people the policy's roles name,
    /// less those who already approved and, unless allowed, the owner and authors.
    pub approvers: Vec<String>,
    /// Sections handed to people.
    pub assignments: Vec<AssignmentState>,
    /// When it became complete: the day the last required approval or the review came, else
    /// its publication date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<Date>,
    /// Whether the policy holds for it (`completion.since`).
    pub applies: bool,
}

impl Evaluation {
    /// Whether the postmortem is "past due and incomplete" — the one definition `pm status`,
    /// `pm todo` and `pm gate` share: the policy holds for it, it is not complete, and it is
    /// more than `grace_days` days past its due date (`days_late`, none without a due date).
    pub fn is_past_due(&self, days_late: Option<i64>, grace_days: i64) -> bool {
        self.applies && !self.complete && days_late.is_some_and(|days| days > grace_days)
    }

    /// The criteria not met.
    pub fn unmet(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(|c| !c.met)
    }

    /// The criterion `id`.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// Whether it was completed by `due`: `Some(true)` when complete on or before it,
    /// `Some(false)` when complete after it; `None` while it is not complete, or when there is
    /// no due date or no completion date to compare. The site, the metrics and the export all
    /// count on-time completion with this, on completion rather than on the status field.
    pub fn on_time(&self, due: Option<Date>) -> Option<bool> {
        match (self.complete, self.completed_on, due) {
            (true, Some(done), Some(due)) => Some(done <= due),
            _ => None,
        }
    }
}

/// Judges `pm` (with what it has `written`) against `policy`.
pub fn evaluate(
    pm: &Postmortem,
    written: &Written,
    policy: &Policy,
    applies: bool,
    inputs: &Inputs<'_>,
) -> Evaluation {
    let mut criteria = Vec::new();
    if !policy.sections.is_empty() {
        criteria.push(sections(written, policy));
    }
    if policy.min_timeline_entries > 0 {
        let n = written.timeline_entries;
        let want = policy.min_timeline_entries;
        let at = written
            .section(&crate::timeline::section_titles(inputs.config))
            .map_or(written.body_start, |s| s.heading);
        criteria.push(Criterion {
            id: "timeline".into(),
            label: format!("at least {}", plural(want, "timeline entry", "timeline entries")),
            met: n >= want,
            detail: plural(n, "entry", "entries"),
            notes: if n >= want {
                Vec::new()
            } else {
                vec![(
                    at,
                    format!(
                        "the timeline has {}; the policy asks for at least {want}",
                        plural(n, "timed entry", "timed entries")
                    ),
                )]
            },
        });
    }
    if policy.min_action_items > 0 {
        let n = pm.action_items.len();
        let want = policy.min_action_items;
        criteria.push(Criterion {
            id: "action-items".into(),
            label: format!("at least {}", plural(want, "action item", "action items")),
            met: n >= want,
            detail: plural(n, "action item", "action items"),
            notes: if n >= want {
                Vec::new()
            } else {
                vec![(
                    pm.key_span("action_items"),
                    format!("{n} of the {want} action items the policy asks for"),
                )]
            },
        });
    }
    if policy.tickets {
        let without: Vec<_> = pm.action_items.iter().filter(|i| i.ticket.is_none()).collect();
        criteria.push(Criterion {
            id: "tickets".into(),
            label: "every action item has a ticket".into(),
            met: without.is_empty(),
            detail: if without.is_empty() {
                format!("{} of {} have one", pm.action_items.len(), pm.action_items.len())
            } else {
                format!("{} without a ticket", without.len())
            },
            notes: without
                .iter()
                .map(|i| (item_span(i), format!("action item {} has no ticket", item_name(i))))
                .collect(),
        });
    }
    if policy.no_drift {
        if let Some(tickets) = inputs.tickets {
            let mut notes = Vec::new();
            for item in &pm.action_items {
                let Some(ticket) =
                    item.ticket.as_ref().and_then(|t| tickets.get(inputs.config, &t.value))
                else {
                    continue;
                };
                for drift in crate::trackers::drift::drift(item, ticket, &inputs.config.people) {
                    if !drift.is_info() {
                        notes.push((item_span(item), drift.describe(item, ticket)));
                    }
                }
            }
            criteria.push(Criterion {
                id: "drift".into(),
                label: "no action item disagrees with its ticket".into(),
                met: notes.is_empty(),
                detail: if notes.is_empty() {
                    "items and tickets agree".to_owned()
                } else {
                    format!(
                        "{} with its ticket",
                        plural(notes.len(), "disagreement", "disagreements")
                    )
                },
                notes,
            });
        }
    }
    if !policy.fields.is_empty() {
        let missing: Vec<&String> =
            policy.fields.iter().filter(|f| !written.key(f).is_some_and(|k| k.filled)).collect();
        criteria.push(Criterion {
            id: "fields".into(),
            label: format!("filled: {}", policy.fields.join(", ")),
            met: missing.is_empty(),
            detail: if missing.is_empty() {
                "all filled".to_owned()
            } else {
                format!(
                    "missing {}",
                    missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                )
            },
            notes: missing
                .iter()
                .map(|f| {
                    let at = written.key(f).map_or_else(|| front_matter_start(pm), |k| k.span);
                    (at, format!("`{f}` is not filled in"))
                })
                .collect(),
        });
    }
    let approvers = eligible(pm, policy, inputs.config);
    let (approvals, approvals_missing) = approvals(pm, policy, inputs, &approvers);
    if policy.approvals > 0 {
        let names: Vec<&str> = approvals.iter().map(|a| a.by.as_str()).collect();
        let team = pm.team.as_ref().map(|t| t.value.as_str());
        let roles: Vec<String> = policy.approvers.iter().map(|r| r.describe(team)).collect();
        let roles = match roles.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                vec![format!("{} or {last}", rest.join(", "))]
            }
            _ => roles,
        };
        criteria.push(Criterion {
            id: "approvals".into(),
            label: format!(
                "{} from {}",
                plural(policy.approvals, "approval", "approvals"),
                roles.join(" or ")
            ),
            met: approvals_missing == 0,
            detail: if names.is_empty() {
                format!("0 of {}", policy.approvals)
            } else {
                format!(
                    "{} of {} ({})",
                    approvals.len().min(policy.approvals),
                    policy.approvals,
                    names.join(", ")
                )
            },
            notes: if approvals_missing == 0 {
                Vec::new()
            } else {
                let at = if pm.reviews.is_empty() {
                    front_matter_start(pm)
                } else {
                    pm.key_span("reviews")
                };
                let mut notes = vec![(
                    at,
                    format!(
                        "{} needed from {}",
                        plural(approvals_missing, "more approval", "more approvals"),
                        roles.join(" or ")
                    ),
                )];
                // An approval written down that does not count is a puzzle unless the
                // finding says why, at the review itself.
                notes.extend(uncounted(pm, policy, inputs, &approvals));
                notes
            },
        });
    }
    let held = review_held(pm, policy, inputs, &approvals);
    if policy.review != ReviewRequirement::None {
        let label = match policy.review {
            ReviewRequirement::Meeting => "a review meeting held".to_owned(),
            ReviewRequirement::Async => format!(
                "an asynchronous review approved within {} business days",
                policy.async_window
            ),
            _ => "a review held (meeting or asynchronous)".to_owned(),
        };
        let at = pm.review.as_ref().map_or_else(|| front_matter_start(pm), |r| r.span);
        criteria.push(Criterion {
            id: "review".into(),
            label,
            met: held.is_ok(),
            detail: match &held {
                Ok((_, how)) => how.clone(),
                Err(why) => why.clone(),
            },
            notes: match &held {
                Ok(_) => Vec::new(),
                Err(why) => vec![(at, why.clone())],
            },
        });
    }
    for question in &policy.checklist {
        let id = question.id.get_ref();
        let answer = pm.checklist.iter().find(|a| &a.id.value == id);
        let met = answer.is_some_and(|a| a.answered);
        criteria.push(Criterion {
            id: format!("checklist:{id}"),
            label: question.question.clone(),
            met,
            detail: if met { "answered".to_owned() } else { "not answered".to_owned() },
            notes: if met {
                Vec::new()
            } else {
                let at = answer.map_or_else(|| pm.key_span("checklist"), |a| a.id.span);
                vec![(at, format!("answer `checklist.{id}`: {}", question.question))]
            },
        });
    }

    let met = criteria.iter().filter(|c| c.met).count();
    let score = if criteria.is_empty() { 100 } else { (met * 100 / criteria.len()) as u8 };
    let complete = met == criteria.len();
    let completed_on = complete.then(|| completed_on(pm, policy, &approvals, &held)).flatten();
    let approvers =
        approvers.into_iter().filter(|p| !approvals.iter().any(|a| &a.by == p)).collect();
    Evaluation {
        complete,
        score,
        criteria,
        approvals,
        approvals_missing,
        approvers,
        assignments: assignments(pm, written, inputs),
        completed_on,
        applies,
    }
}

fn front_matter_start(pm: &Postmortem) -> Span {
    pm.front_matter.as_ref().map_or(Span::default(), |n| Span::point(n.span.start))
}

fn item_span(item: &crate::model::ActionItem) -> Span {
    item.title.as_ref().map_or(item.span, |t| t.span)
}

fn item_name(item: &crate::model::ActionItem) -> String {
    match &item.title {
        Some(t) => format!("\"{}\"", t.value),
        None => format!("#{}", item.index + 1),
    }
}

fn sections(written: &Written, policy: &Policy) -> Criterion {
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    for (title, names) in &policy.sections {
        match written.section(names).map(|s| (s, &s.fill)) {
            None => {
                problems.push(format!("{title} absent"));
                notes.push((written.body_start, format!("the \"{title}\" section is absent")));
            }
            Some((s, Fill::Empty)) => {
                problems.push(format!("{title} empty"));
                notes.push((s.heading, format!("the \"{title}\" section is empty")));
            }
            Some((_, Fill::Placeholder { span, text })) => {
                problems.push(format!("{title} has a placeholder"));
                notes.push((
                    *span,
                    format!(
                        "the \"{title}\" section still has the placeholder `{}`",
                        shorten(text)
                    ),
                ));
            }
            Some((_, Fill::Written)) => {}
        }
    }
    let titles: Vec<&str> = policy.sections.iter().map(|(t, _)| t.as_str()).collect();
    Criterion {
        id: "sections".into(),
        label: "required sections written".to_owned(),
        met: problems.is_empty(),
        detail: if problems.is_empty() {
            format!("{} of {} written", titles.len(), titles.len())
        } else {
            problems.join("; ")
        },
        notes,
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(39).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// Whether `person` wrote or owns `pm`.
pub fn is_author(pm: &Postmortem, person: &str) -> bool {
    pm.owner.as_ref().is_some_and(|o| o.value == person)
        || pm.authors.iter().any(|a| a.value == person)
}

/// The registry people the policy's roles name for `pm`, sorted, less the owner and authors
/// unless self-approval is allowed.
fn eligible(pm: &Postmortem, policy: &Policy, config: &Config) -> Vec<String> {
    let team = pm.team.as_ref().and_then(|t| config.teams.get(&t.value));
    let mut people: Vec<String> = Vec::new();
    for role in &policy.approvers {
        match role {
            Role::Owner => people.extend(team.and_then(|t| t.owner.clone())),
            Role::Team => {
                people.extend(
                    team.into_iter().flat_map(|t| t.members.iter().chain(&t.owner).cloned()),
                );
            }
            Role::TeamNamed(name) => people.extend(
                config
                    .teams
                    .get(name)
                    .into_iter()
                    .flat_map(|t| t.members.iter().chain(&t.owner).cloned()),
            ),
            Role::Anyone => people.extend(config.people().into_iter().map(str::to_owned)),
        }
    }
    people.sort();
    people.dedup();
    if !policy.self_approval {
        people.retain(|p| !is_author(pm, p));
    }
    people
}

/// The approvals that count (each person's latest word, from front matter, then commit
/// trailers), and how many are still needed.
fn approvals(
    pm: &Postmortem,
    policy: &Policy,
    inputs: &Inputs<'_>,
    eligible: &[String],
) -> (Vec<Approval>, usize) {
    let mut latest: BTreeMap<&str, (Option<Date>, Verdict, &'static str)> = BTreeMap::new();
    for review in &pm.reviews {
        let (Some(by), Some(verdict)) = (&review.by, &review.verdict) else { continue };
        let on = review.on.as_ref().map(|d| d.value);
        // A review dated in the future has not been given yet.
        if on.is_some_and(|d| d > inputs.today) {
            continue;
        }
        let newer = latest.get(by.value.as_str()).is_none_or(|(prev, _, _)| on >= *prev);
        if newer {
            latest.insert(&by.value, (on, verdict.value, "front-matter"));
        }
    }
    for (by, on) in inputs.trailers {
        if *on <= inputs.today {
            latest.entry(by).or_insert((Some(*on), Verdict::Approved, "git"));
        }
    }
    let mut out: Vec<Approval> = latest
        .into_iter()
        .filter(|(by, (_, verdict, _))| {
            *verdict == Verdict::Approved && eligible.iter().any(|e| e == by)
        })
        .map(|(by, (on, _, source))| Approval { by: by.to_owned(), on, source })
        .collect();
    out.sort_by(|a, b| (a.on, &a.by).cmp(&(b.on, &b.by)));
    let missing = policy.approvals.saturating_sub(out.len());
    (out, missing)
}

/// The approvals written under `reviews:` that do not count, each with why, at the review:
/// withdrawn by the same person's later review, dated after today, by an owner or author
/// where the policy forbids it, or by someone the policy's approvers do not include. Reads
/// `reviews:` as [`approvals`] does: each person's latest review dated by today is their word.
fn uncounted(
    pm: &Postmortem,
    policy: &Policy,
    inputs: &Inputs<'_>,
    counted: &[Approval],
) -> Vec<(Span, String)> {
    let on = |r: &crate::model::Review| r.on.as_ref().map(|d| d.value);
    let approved =
        |r: &crate::model::Review| r.verdict.as_ref().is_some_and(|v| v.value == Verdict::Approved);
    let mut notes = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for review in &pm.reviews {
        let Some(by) = &review.by else { continue };
        let person = by.value.as_str();
        if done.contains(&person) || counted.iter().any(|a| a.by == person) {
            continue;
        }
        done.push(person);
        let theirs: Vec<&crate::model::Review> = pm
            .reviews
            .iter()
            .filter(|r| r.verdict.is_some() && r.by.as_ref().is_some_and(|b| b.value == person))
            .collect();
        let Some(approval) = theirs.iter().rev().find(|r| approved(r)) else { continue };
        // Their latest review given by today; the later entry wins a tie.
        let mut latest: Option<&crate::model::Review> = None;
        for r in theirs.iter().filter(|r| on(r).is_none_or(|d| d <= inputs.today)) {
            if latest.is_none_or(|l| on(r) >= on(l)) {
                latest = Some(r);
            }
        }
        let when =
            |r: &crate::model::Review| on(r).map_or_else(String::new, |d| format!(" of {d}"));
        let (at, note) = match latest {
            None => (
                approval.by.as_ref().map_or(approval.span, |b| b.span),
                format!(
                    "{person}'s approval{} is dated after today: it does not count yet",
                    when(approval)
                ),
            ),
            Some(latest) if !approved(latest) => {
                let replaced = theirs
                    .iter()
                    .rev()
                    .find(|r| approved(r) && on(r) <= on(latest))
                    .map_or_else(String::new, |r| when(r));
                (
                    latest.by.as_ref().map_or(latest.span, |b| b.span),
                    format!(
                        "{person}'s later review{} requests changes: it replaces their \
                         approval{replaced}",
                        when(latest)
                    ),
                )
            }
            Some(latest) => {
                let at = latest.by.as_ref().map_or(latest.span, |b| b.span);
                if !policy.self_approval && is_author(pm, person) {
                    (
                        at,
                        format!(
                            "{person} owns or wrote this postmortem: their approval does not count"
                        ),
                    )
                } else {
                    let roles: Vec<String> =
                        policy.approvers.iter().map(ToString::to_string).collect();
                    (
                        at,
                        format!(
                            "{person}'s approval does not count: the policy's approvers ({}) do \
                             not include them",
                            roles.join(", ")
                        ),
                    )
                }
            }
        };
        notes.push((at, note));
    }
    notes
}

/// The review held, with its date and a description, or why none counts.
fn review_held(
    pm: &Postmortem,
    policy: &Policy,
    inputs: &Inputs<'_>,
    approvals: &[Approval],
) -> Result<(Option<Date>, String), String> {
    let wanted = match policy.review {
        ReviewRequirement::Meeting => Some(ReviewMode::Meeting),
        ReviewRequirement::Async => Some(ReviewMode::Async),
        _ => None,
    };
    let Some(review) = &pm.review else {
        // Suggest only the mode the policy accepts: a policy that asks for an asynchronous
        // review must not send the author off to book a meeting that would not count.
        const MEETING: &str = "`review: {mode: meeting, held_on, attendees}`";
        const ASYNC: &str = "`review: {mode: async, opened_on}`";
        let add = match wanted {
            Some(ReviewMode::Meeting) => MEETING.to_owned(),
            Some(ReviewMode::Async) => ASYNC.to_owned(),
            None => format!("{MEETING} or {ASYNC}"),
        };
        return Err(format!("no review recorded: add {add}"));
    };
    let mode = review.mode.as_ref().map(|m| m.value);
    if let (Some(wanted), Some(mode)) = (wanted, mode) {
        if wanted != mode {
            return Err(format!("the policy asks for a {wanted} review; this one is {mode}"));
        }
    }
    match mode {
        Some(ReviewMode::Meeting) => match &review.held_on {
            Some(held) if held.value <= inputs.today && !review.attendees.is_empty() => Ok((
                Some(held.value),
                format!(
                    "meeting on {} with {}",
                    held.value,
                    review
                        .attendees
                        .iter()
                        .map(|a| a.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Some(held) if held.value > inputs.today => {
                Err(format!("the review meeting is planned for {}", held.value))
            }
            Some(_) => Err("the review meeting has no attendees".to_owned()),
            None => Err("the review meeting has no `held_on` date".to_owned()),
        },
        Some(ReviewMode::Async) => {
            let Some(opened) = &review.opened_on else {
                return Err("the asynchronous review has no `opened_on` date".to_owned());
            };
            let until = crate::calendar::add_business_days(
                opened.value,
                policy.async_window,
                inputs.config.holiday_dates(),
            );
            let wanted = policy.approvals.max(1);
            let within: Vec<&Approval> = approvals
                .iter()
                .filter(|a| a.on.is_some_and(|d| d >= opened.value && d <= until))
                .collect();
            if within.len() >= wanted {
                let last = within.get(wanted - 1).and_then(|a| a.on);
                Ok((
                    last,
                    format!(
                        "asynchronous, opened {}, approved by {}",
                        opened.value,
                        last.map_or_else(String::new, |d| d.to_string())
                    ),
                ))
            } else if inputs.today <= until {
                Err(format!(
                    "asynchronous review open until {until}: {} of {wanted} approvals",
                    within.len()
                ))
            } else {
                Err(format!(
                    "the asynchronous review closed on {until} with {} of {wanted} approvals in time",
                    within.len()
                ))
            }
        }
        None => Err("the review has no valid `mode` (meeting or async)".to_owned()),
    }
}

fn completed_on(
    pm: &Postmortem,
    policy: &Policy,
    approvals: &[Approval],
    held: &Result<(Option<Date>, String), String>,
) -> Option<Date> {
    let mut dates: Vec<Date> = Vec::new();
    if policy.approvals > 0 {
        dates.extend(approvals.get(policy.approvals - 1).and_then(|a| a.on));
    }
    if policy.review != ReviewRequirement::None {
        if let Ok((Some(date), _)) = held {
            dates.push(*date);
        }
    }
    dates.into_iter().max().or_else(|| pm.published_on.as_ref().map(|d| d.value))
}

fn assignments(pm: &Postmortem, written: &Written, inputs: &Inputs<'_>) -> Vec<AssignmentState> {
    let aliases = inputs.config.required_sections();
    pm.assignments
        .iter()
        .filter_map(|a| {
            let section = a.section.as_ref()?;
            let to = a.to.as_ref()?;
            let normalized = crate::parse::markdown::normalize_title(&section.value);
            let names = aliases
                .iter()
                .find(|(_, names)| names.contains(&normalized))
                .map_or_else(|| vec![normalized], |(_, n)| n.clone());
            let done = written.section(&names).is_some_and(|s| s.fill == Fill::Written);
            let due = a.due.as_ref().map(|d| d.value);
            let days_overdue = match due {
                Some(due) if !done => crate::calendar::days_between(due, inputs.today).max(0),
                _ => 0,
            };
            Some(AssignmentState {
                section: section.value.clone(),
                to: to.value.clone(),
                due,
                done,
                days_overdue,
                span: a.span,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(complete: bool, completed_on: Option<Date>) -> Evaluation {
        Evaluation {
            complete,
            score: if complete { 100 } else { 50 },
            criteria: Vec::new(),
            approvals: Vec::new(),
            approvals_missing: 0,
            approvers: Vec::new(),
            assignments: Vec::new(),
            completed_on,
            applies: true,
        }
    }

    #[test]
    fn on_time_is_judged_on_completion() {
        let d = |day| jiff::civil::date(2026, 3, day);
        // On the due date counts as on time; a day later is late.
        assert_eq!(judged(true, Some(d(9))).on_time(Some(d(9))), Some(true));
        assert_eq!(judged(true, Some(d(10))).on_time(Some(d(9))), Some(false));
        // Nothing to judge: not complete, no due date, or no completion date.
        assert_eq!(judged(false, None).on_time(Some(d(9))), None);
        assert_eq!(judged(true, Some(d(1))).on_time(None), None);
        assert_eq!(judged(true, None).on_time(Some(d(9))), None);
    }
}

//! The postmortem record of the export: one per postmortem file that has a front matter
//! mapping, with incident durations in minutes, action-item counts and where it stands against
//! the completion policy.

use jiff::civil::Date;
use serde::Serialize;

use crate::completion::{Evaluation, Judge};
use crate::model::{Detection, Instant, Postmortem, Status};
use crate::repo::{Document, Repo};
use crate::source::Spanned;

/// An SLO the incident hit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SloRecord {
    /// The SLO's name.
    pub name: String,
    /// Share of the error budget consumed, as written.
    pub error_budget_consumed: Option<serde_json::Number>,
}

/// One criterion of the completion policy, judged.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CriterionRecord {
    /// Its stable id: `sections`, `timeline`, `action-items`, `tickets`, `drift`, `fields`,
    /// `approvals`, `review`, `checklist:ID`.
    pub id: String,
    /// Whether it holds.
    pub met: bool,
}

/// A postmortem against its completion policy: the judgement `pm status` and the site show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CompletionRecord {
    /// Every criterion met.
    pub complete: bool,
    /// Criteria met, in percent (rounded down).
    pub score: u8,
    /// The day it became complete (the last required approval or the review, else its
    /// publication date).
    pub completed_on: Option<Date>,
    /// Complete by `due`: true when `completed_on` is on or before it, false when after;
    /// null while incomplete or without both dates.
    pub on_time: Option<bool>,
    /// Approvals still needed.
    pub approvals_missing: usize,
    /// Each criterion, in policy order.
    pub criteria: Vec<CriterionRecord>,
    /// Whether the policy holds for it (`completion.since`): one that began earlier is judged
    /// but not held to it.
    pub applies: bool,
}

impl CompletionRecord {
    /// The record of `evaluation`, for a postmortem due on `due`.
    fn new(evaluation: &Evaluation, due: Option<Date>) -> Self {
        Self {
            complete: evaluation.complete,
            score: evaluation.score,
            completed_on: evaluation.completed_on,
            on_time: evaluation.on_time(due),
            approvals_missing: evaluation.approvals_missing,
            criteria: evaluation
                .criteria
                .iter()
                .map(|c| CriterionRecord { id: c.id.clone(), met: c.met })
                .collect(),
            applies: evaluation.applies,
        }
    }
}

/// One postmortem. Timestamps are RFC 3339 in UTC; `started_at_offset` keeps the offset the
/// incident's start was written in, for local-time reporting.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostmortemRecord {
    /// `INC-2026-0042`.
    pub id: Option<String>,
    /// The file, repo-relative with `/`.
    pub path: String,
    /// Title.
    pub title: Option<String>,
    /// draft / in-review / published.
    pub status: Option<Status>,
    /// One of the configured severities.
    pub severity: Option<String>,
    /// The postmortem's owner.
    pub owner: Option<String>,
    /// The owning team.
    pub team: Option<String>,
    /// Affected services.
    pub services: Vec<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Reviewers.
    pub reviewers: Vec<String>,
    /// How it was detected.
    pub detection: Option<Detection>,
    /// Contributing-factor categories.
    pub contributing_factors: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Ids of related postmortems.
    pub related: Vec<String>,
    /// The postmortem's own ticket.
    pub ticket: Option<String>,
    /// Its link.
    pub ticket_url: Option<String>,
    /// Chat channel.
    pub chat: Option<String>,
    /// Start of the incident (UTC).
    pub started_at: Option<String>,
    /// The offset `started_at` was written in (`+02:00`).
    pub started_at_offset: Option<String>,
    /// Detection (UTC).
    pub detected_at: Option<String>,
    /// Acknowledgement (UTC).
    pub acknowledged_at: Option<String>,
    /// Mitigation (UTC).
    pub mitigated_at: Option<String>,
    /// Resolution (UTC).
    pub resolved_at: Option<String>,
    /// `detected_at − started_at`, in minutes.
    pub minutes_to_detect: Option<serde_json::Number>,
    /// `acknowledged_at − started_at`, in minutes.
    pub minutes_to_acknowledge: Option<serde_json::Number>,
    /// `mitigated_at − started_at`, in minutes.
    pub minutes_to_mitigate: Option<serde_json::Number>,
    /// `resolved_at − started_at`, in minutes.
    pub minutes_to_resolve: Option<serde_json::Number>,
    /// When the postmortem is due.
    pub due: Option<Date>,
    /// When it was published.
    pub published_on: Option<Date>,
    /// Not published and past `due`.
    pub overdue: bool,
    /// Days past `due` (0 unless overdue).
    pub days_overdue: i64,
    /// `impact.summary`.
    pub impact_summary: Option<String>,
    /// `impact.users_affected`.
    pub users_affected: Option<serde_json::Number>,
    /// `impact.revenue_loss`.
    pub revenue_loss: Option<serde_json::Number>,
    /// `impact.slos`.
    pub slos: Vec<SloRecord>,
    /// Number of action items.
    pub action_items_total: usize,
    /// Open or in progress.
    pub action_items_outstanding: usize,
    /// Outstanding and past due.
    pub action_items_overdue: usize,
    /// Against the completion policy (null only for a postmortem loaded without its body).
    pub completion: Option<CompletionRecord>,
}

fn text(value: &Option<Spanned<String>>) -> Option<String> {
    value.as_ref().map(|s| s.value.clone())
}

fn texts(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|s| s.value.clone()).collect()
}

fn utc(value: &Option<Spanned<Instant>>) -> Option<String> {
    value.as_ref().map(|s| s.value.timestamp.to_string())
}

/// Minutes of `d`: whole when exact, else to two decimals.
fn minutes(d: Option<jiff::SignedDuration>) -> Option<serde_json::Number> {
    let secs = d?.as_secs();
    if secs % 60 == 0 {
        return Some((secs / 60).into());
    }
    #[allow(clippy::cast_precision_loss)]
    let m = (secs as f64 / 60.0 * 100.0).round() / 100.0;
    serde_json::Number::from_f64(m)
}

impl PostmortemRecord {
    /// The record of `pm` (from `doc`) as of `today`, its completion as `judge` sees it.
    pub fn new(
        repo: &Repo,
        doc: &Document,
        pm: &Postmortem,
        today: Date,
        judge: &Judge<'_>,
    ) -> Self {
        let config = &repo.workspace.config;
        let durations = pm.times.durations();
        let due = pm.due.as_ref().map(|d| d.value);
        let days_overdue = pm.days_overdue(today);
        let items: Vec<_> = pm
            .action_items
            .iter()
            .map(|i| crate::followup::Item::new(config, doc, pm, i, repo.ticket(i), today))
            .collect();
        let ticket = text(&pm.ticket);
        Self {
            id: text(&pm.id),
            path: doc.path().to_owned(),
            title: text(&pm.title),
            status: pm.status.as_ref().map(|s| s.value),
            severity: text(&pm.severity),
            owner: text(&pm.owner),
            team: text(&pm.team),
            services: texts(&pm.services),
            authors: texts(&pm.authors),
            reviewers: texts(&pm.reviewers),
            detection: pm.detection.as_ref().map(|d| d.value),
            contributing_factors: texts(&pm.contributing_factors),
            tags: texts(&pm.tags),
            related: texts(&pm.related),
            ticket_url: ticket.as_deref().and_then(|t| config.ticket_url(t)),
            ticket,
            chat: text(&pm.chat),
            started_at: utc(&pm.times.started_at),
            started_at_offset: pm
                .times
                .started_at
                .as_ref()
                .map(|s| crate::timeline::zones::offset_text(s.value.offset)),
            detected_at: utc(&pm.times.detected_at),
            acknowledged_at: utc(&pm.times.acknowledged_at),
            mitigated_at: utc(&pm.times.mitigated_at),
            resolved_at: utc(&pm.times.resolved_at),
            minutes_to_detect: minutes(durations.detect),
            minutes_to_acknowledge: minutes(durations.acknowledge),
            minutes_to_mitigate: minutes(durations.mitigate),
            minutes_to_resolve: minutes(durations.resolve),
            due,
            published_on: pm.published_on.as_ref().map(|d| d.value),
            overdue: days_overdue > 0,
            days_overdue,
            impact_summary: pm.impact.summary.clone(),
            users_affected: pm.impact.users_affected.and_then(super::number),
            revenue_loss: pm.impact.revenue_loss.and_then(super::number),
            slos: pm
                .impact
                .slos
                .iter()
                .map(|s| SloRecord {
                    name: s.name.clone(),
                    error_budget_consumed: super::number(s.error_budget_consumed),
                })
                .collect(),
            action_items_total: items.len(),
            action_items_outstanding: items.iter().filter(|i| i.is_outstanding()).count(),
            action_items_overdue: items.iter().filter(|i| i.overdue).count(),
            completion: doc
                .written
                .as_ref()
                .map(|w| CompletionRecord::new(&judge.evaluate(doc.path(), pm, w), due)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_whole_or_two_decimals() {
        let m = |s| minutes(Some(jiff::SignedDuration::from_secs(s))).map(|n| n.to_string());
        assert_eq!(m(120).as_deref(), Some("2"));
        assert_eq!(m(28).as_deref(), Some("0.47"));
        assert_eq!(minutes(None), None);
    }
}

//! The typed postmortem: what every command reads.
//!
//! Built leniently from the front matter tree: a value of the wrong type or shape is left out
//! here (the `schema` rule reports it with its location), so one typo never hides the rest of a
//! document from the other rules, the site or the metrics.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::Offset;
use serde::Serialize;

use crate::parse::markdown::Body;
use crate::parse::yaml::{Node, Value};
use crate::source::{Span, Spanned};

/// How many values of one list (`services`, `tags`, `contributing_factors`) a postmortem
/// contributes to the site and the metrics. Each value is a page, a metrics scope and a link on
/// every list row that shows the postmortem, so without a bound one file of 4,000 services wrote
/// 4,000 pages of 4,000 links each. The built-in schema's `maxItems` says the same number, so
/// `pm check` reports a longer list where it is written.
pub const MAX_LIST_VALUES: usize = 50;

/// The distinct, non-empty values of `list` in the order written, at most
/// [`MAX_LIST_VALUES`] of them: what the site and the metrics use of a list.
pub fn listed(list: &[Spanned<String>]) -> impl Iterator<Item = &str> {
    let mut seen = std::collections::HashSet::new();
    list.iter()
        .map(|v| v.value.as_str())
        .filter(move |v| !v.is_empty() && seen.insert(*v))
        .take(MAX_LIST_VALUES)
}

mod enums;
pub use enums::{
    Detection, ItemKind, ItemStatus, Priority, ReviewMode, Status, TicketState, Verdict, Visibility,
};

/// A point in time as written: the absolute instant plus the offset it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Instant {
    /// The absolute time (what ordering compares).
    pub timestamp: Timestamp,
    /// The offset the author wrote (for display).
    #[serde(skip)]
    pub offset: Offset,
}

impl Instant {
    /// Parses an RFC 3339 date-time with an offset (`Z` or `±hh:mm`).
    pub fn parse(text: &str) -> Option<Self> {
        let timestamp: Timestamp = text.parse().ok()?;
        let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
        let offset = match pieces.offset()? {
            jiff::fmt::temporal::PiecesOffset::Zulu => Offset::UTC,
            jiff::fmt::temporal::PiecesOffset::Numeric(n) => n.offset(),
            _ => Offset::UTC,
        };
        Some(Self { timestamp, offset })
    }
}

/// The incident's timestamps, each where written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timestamps {
    /// When the incident began.
    pub started_at: Option<Spanned<Instant>>,
    /// When someone or something noticed.
    pub detected_at: Option<Spanned<Instant>>,
    /// When a responder acknowledged.
    pub acknowledged_at: Option<Spanned<Instant>>,
    /// When impact ended or was contained.
    pub mitigated_at: Option<Spanned<Instant>>,
    /// When the incident was resolved.
    pub resolved_at: Option<Spanned<Instant>>,
}

/// How long after `started_at` the incident reached each later stage. A stage written before
/// the start (reported by `timestamp-order`) has no duration rather than a negative one, so one
/// typo cannot skew a median.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Durations {
    /// `detected_at − started_at`.
    pub detect: Option<jiff::SignedDuration>,
    /// `acknowledged_at − started_at`.
    pub acknowledge: Option<jiff::SignedDuration>,
    /// `mitigated_at − started_at`.
    pub mitigate: Option<jiff::SignedDuration>,
    /// `resolved_at − started_at`.
    pub resolve: Option<jiff::SignedDuration>,
}

impl Timestamps {
    /// The durations from the start to each stage that has a timestamp.
    pub fn durations(&self) -> Durations {
        let since_start = |t: &Option<Spanned<Instant>>| {
            let start = self.started_at.as_ref()?.value.timestamp;
            let d = t.as_ref()?.value.timestamp.duration_since(start);
            (!d.is_negative()).then_some(d)
        };
        Durations {
            detect: since_start(&self.detected_at),
            acknowledge: since_start(&self.acknowledged_at),
            mitigate: since_start(&self.mitigated_at),
            resolve: since_start(&self.resolved_at),
        }
    }
}

/// An SLO and the error budget the incident consumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloImpact {
    /// The SLO's name.
    pub name: String,
    /// Share of the error budget consumed (as written: a fraction or a percentage).
    pub error_budget_consumed: f64,
}

/// The `impact` mapping.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    /// One-paragraph impact summary.
    pub summary: Option<String>,
    /// Number of users affected.
    pub users_affected: Option<f64>,
    /// Revenue lost.
    pub revenue_loss: Option<f64>,
    /// SLOs hit.
    pub slos: Vec<SloImpact>,
}

/// One follow-up action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// Position in `action_items` (0-based).
    pub index: usize,
    /// The whole item in the front matter.
    pub span: Span,
    /// Optional stable id.
    pub id: Option<Spanned<String>>,
    /// What will be done.
    pub title: Option<Spanned<String>>,
    /// Who is accountable.
    pub owner: Option<Spanned<String>>,
    /// When it is due.
    pub due: Option<Spanned<Date>>,
    /// Where it stands.
    pub status: Option<Spanned<ItemStatus>>,
    /// Tracker ticket (URL or key).
    pub ticket: Option<Spanned<String>>,
    /// P0–P3.
    pub priority: Option<Spanned<Priority>>,
    /// prevent / mitigate / detect / process / other.
    pub kind: Option<Spanned<ItemKind>>,
    /// When it was closed (done or won't do).
    pub closed_on: Option<Spanned<Date>>,
    /// Why it will not be done (for `wont-do`).
    pub reason: Option<Spanned<String>>,
    /// Proof that a finished item worked.
    pub verification: Option<Verification>,
}

/// `verification: {by, on, evidence}`: who checked that a finished item worked, when, and where
/// the proof is (a pull request, a dashboard, a game-day report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The whole mapping.
    pub span: Span,
    /// Who verified.
    pub by: Option<Spanned<String>>,
    /// When.
    pub on: Option<Spanned<Date>>,
    /// A URL to the proof.
    pub evidence: Option<Spanned<String>>,
}

impl ActionItem {
    /// Where the item stands: its status, or [`ItemStatus::MISSING`] when it has none (or an
    /// invalid one). Every reader asks this, never `status` directly, so they all agree.
    pub fn state(&self) -> ItemStatus {
        self.status.as_ref().map_or(ItemStatus::MISSING, |s| s.value)
    }

    /// Still owed: open or in progress (see [`ActionItem::state`]).
    pub fn is_outstanding(&self) -> bool {
        self.state().is_open()
    }

    /// Days past `due` as of `today` while outstanding; 0 when not overdue.
    pub fn days_overdue(&self, today: Date) -> i64 {
        match &self.due {
            Some(due) if self.is_outstanding() => {
                crate::calendar::days_between(due.value, today).max(0)
            }
            _ => 0,
        }
    }

    /// Outstanding and due before `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.days_overdue(today) > 0
    }
}

/// The order every list of action items uses (`pm actions`, `pm gate`, the export and the
/// site): overdue first, then by due date (items without one last), then by postmortem id
/// (none last), file and position in the file — so the same repository always lists its items
/// the same way, whichever command lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ItemOrder<'a> {
    not_overdue: bool,
    no_due: bool,
    due: Option<Date>,
    no_id: bool,
    postmortem_id: Option<&'a str>,
    path: &'a str,
    index: usize,
}

impl<'a> ItemOrder<'a> {
    /// The place of the item at `index` of the postmortem `postmortem_id` in file `path`.
    pub fn new(
        overdue: bool,
        due: Option<Date>,
        postmortem_id: Option<&'a str>,
        path: &'a str,
        index: usize,
    ) -> Self {
        Self {
            not_overdue: !overdue,
            no_due: due.is_none(),
            due,
            no_id: postmortem_id.is_none(),
            postmortem_id,
            path,
            index,
        }
    }
}

/// One reviewer's word on the postmortem (`reviews:`).
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The entry.
    pub span: Span,
    /// Who (a handle).
    pub by: Option<Spanned<String>>,
    /// When.
    pub on: Option<Spanned<Date>>,
    /// What they concluded.
    pub verdict: Option<Spanned<Verdict>>,
    /// Why, in a line.
    pub note: Option<Spanned<String>>,
}

/// How the review was held (`review:`): a meeting, or asynchronously from a date on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSession {
    /// The mapping.
    pub span: Span,
    /// Meeting or async.
    pub mode: Option<Spanned<ReviewMode>>,
    /// The meeting's date.
    pub held_on: Option<Spanned<Date>>,
    /// When an asynchronous review was asked for.
    pub opened_on: Option<Spanned<Date>>,
    /// Who took part in the meeting.
    pub attendees: Vec<Spanned<String>>,
}

/// A section handed to a person to write by a date (`assignments:`).
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Position in the `assignments` list.
    pub index: usize,
    /// The entry.
    pub span: Span,
    /// The section's title, as in the template.
    pub section: Option<Spanned<String>>,
    /// Who writes it (a handle).
    pub to: Option<Spanned<String>>,
    /// By when.
    pub due: Option<Spanned<Date>>,
}

/// A team's review question answered in front matter (`checklist: {id: answer}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistAnswer {
    /// The question's id.
    pub id: Spanned<String>,
    /// `true`, or a non-empty text, answers it; `false`, empty or anything else does not.
    pub answered: bool,
}

/// A postmortem, typed.
#[derive(Debug, Clone, Default)]
pub struct Postmortem {
    /// `INC-2026-0042`.
    pub id: Option<Spanned<String>>,
    /// Title.
    pub title: Option<Spanned<String>>,
    /// draft / in-review / published.
    pub status: Option<Spanned<Status>>,
    /// Who may read it on the site: `public` when missing, `private` when not one of the
    /// values (the schema reports it; until it is fixed, nothing of it is published).
    pub visibility: Visibility,
    /// One of the configured severities.
    pub severity: Option<Spanned<String>>,
    /// The person who owns the postmortem.
    pub owner: Option<Spanned<String>>,
    /// The owning team.
    pub team: Option<Spanned<String>>,
    /// Affected services.
    pub services: Vec<Spanned<String>>,
    /// Incident timestamps.
    pub times: Timestamps,
    /// When the postmortem must be published.
    pub due: Option<Spanned<Date>>,
    /// When it was published.
    pub published_on: Option<Spanned<Date>>,
    /// Who wrote it.
    pub authors: Vec<Spanned<String>>,
    /// Who reviewed it.
    pub reviewers: Vec<Spanned<String>>,
    /// How the incident was detected.
    pub detection: Option<Spanned<Detection>>,
    /// Category slugs.
    pub contributing_factors: Vec<Spanned<String>>,
    /// Free tags.
    pub tags: Vec<Spanned<String>>,
    /// Ids of related postmortems.
    pub related: Vec<Spanned<String>>,
    /// The postmortem's own tracking ticket.
    pub ticket: Option<Spanned<String>>,
    /// Chat channel.
    pub chat: Option<Spanned<String>>,
    /// Impact.
    pub impact: Impact,
    /// Follow-ups.
    pub action_items: Vec<ActionItem>,
    /// Reviewers' verdicts.
    pub reviews: Vec<Review>,
    /// How the review was held.
    pub review: Option<ReviewSession>,
    /// Sections handed to people.
    pub assignments: Vec<Assignment>,
    /// Answers to the team's review questions.
    pub checklist: Vec<ChecklistAnswer>,
    /// The front matter tree (for rules that need spans of arbitrary keys).
    pub front_matter: Option<Node>,
    /// The markdown body.
    pub body: Body,
}

impl Postmortem {
    /// Reads the typed fields out of the front matter mapping `root`.
    pub fn from_front_matter(tree: Node, body: Body) -> Self {
        let root = &tree;
        let times = Timestamps {
            started_at: instant(root, "started_at"),
            detected_at: instant(root, "detected_at"),
            acknowledged_at: instant(root, "acknowledged_at"),
            mitigated_at: instant(root, "mitigated_at"),
            resolved_at: instant(root, "resolved_at"),
        };
        let action_items = root
            .get("action_items")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_map().is_some())
            .map(|(index, n)| ActionItem {
                index,
                span: n.span,
                id: string(n, "id"),
                title: string(n, "title"),
                owner: string(n, "owner"),
                due: date(n, "due"),
                status: parsed(n, "status"),
                ticket: string(n, "ticket"),
                priority: parsed(n, "priority"),
                kind: parsed(n, "type"),
                closed_on: date(n, "closed_on"),
                reason: string(n, "reason"),
                verification: n.get("verification").filter(|v| v.as_map().is_some()).map(|v| {
                    Verification {
                        span: v.span,
                        by: string(v, "by"),
                        on: date(v, "on"),
                        evidence: string(v, "evidence"),
                    }
                }),
            })
            .collect();
        let impact = root.get("impact").map(impact).unwrap_or_default();
        let mappings = |key: &str| {
            root.get(key)
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_map().is_some())
        };
        let reviews = mappings("reviews")
            .map(|(_, n)| Review {
                span: n.span,
                by: string(n, "by"),
                on: date(n, "on"),
                verdict: parsed(n, "verdict"),
                note: string(n, "note"),
            })
            .collect();
        let assignments = mappings("assignments")
            .map(|(index, n)| Assignment {
                index,
                span: n.span,
                section: string(n, "section"),
                to: string(n, "to"),
                due: date(n, "due"),
            })
            .collect();
        let review = root.get("review").filter(|n| n.as_map().is_some()).map(|n| ReviewSession {
            span: n.span,
            mode: parsed(n, "mode"),
            held_on: date(n, "held_on"),
            opened_on: date(n, "opened_on"),
            attendees: strings(n, "attendees"),
        });
        let checklist = match root.get("checklist").map(|n| &n.value) {
            Some(Value::Map(entries)) => entries
                .iter()
                .filter_map(|(k, v)| {
                    let answered = match &v.value {
                        Value::Bool(b) => *b,
                        Value::Str(s) => !s.trim().is_empty(),
                        _ => false,
                    };
                    Some(ChecklistAnswer {
                        id: Spanned::new(k.as_str()?.trim().to_owned(), k.span),
                        answered,
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        Self {
            id: string(root, "id"),
            title: string(root, "title"),
            status: parsed(root, "status"),
            visibility: match root.get("visibility") {
                None => Visibility::Public,
                Some(_) => parsed(root, "visibility").map_or(Visibility::Private, |v| v.value),
            },
            severity: string(root, "severity"),
            owner: string(root, "owner"),
            team: string(root, "team"),
            services: strings(root, "services"),
            times,
            due: date(root, "due"),
            published_on: date(root, "published_on"),
            authors: strings(root, "authors"),
            reviewers: strings(root, "reviewers"),
            detection: parsed(root, "detection"),
            contributing_factors: strings(root, "contributing_factors"),
            tags: strings(root, "tags"),
            related: strings(root, "related"),
            ticket: string(root, "ticket"),
            chat: string(root, "chat"),
            impact,
            action_items,
            reviews,
            review,
            assignments,
            checklist,
            front_matter: Some(tree),
            body,
        }
    }

    /// The status, treating a missing or invalid one as draft (the most lenient reading).
    pub fn status_or_draft(&self) -> Status {
        self.status.as_ref().map_or(Status::Draft, |s| s.value)
    }

    /// Days past its `due` date as of `today` while not published; 0 when not overdue. A
    /// postmortem without a valid status counts as a draft, as everywhere
    /// ([`Postmortem::status_or_draft`]).
    pub fn days_overdue(&self, today: Date) -> i64 {
        match &self.due {
            Some(due) if self.status_or_draft() != Status::Published => {
                crate::calendar::days_between(due.value, today).max(0)
            }
            _ => 0,
        }
    }

    /// Not published and due before `today`: the one meaning of an overdue postmortem, for the
    /// `postmortem-overdue` rule, the gate, the metrics, the export and the site.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.days_overdue(today) > 0
    }

    /// The span of `key` in the front matter, falling back to the front matter's start.
    pub fn key_span(&self, key: &str) -> Span {
        let Some(root) = &self.front_matter else {
            return Span::default();
        };
        root.entry(key).map_or(Span::point(root.span.start), |(k, _)| k.span)
    }

    /// Every person named in the front matter, with the field that names them.
    pub fn people(&self) -> Vec<(&'static str, &Spanned<String>)> {
        let mut out: Vec<(&'static str, &Spanned<String>)> = Vec::new();
        out.extend(self.owner.iter().map(|o| ("owner", o)));
        out.extend(self.authors.iter().map(|a| ("author", a)));
        out.extend(self.reviewers.iter().map(|r| ("reviewer", r)));
        out.extend(
            self.action_items
                .iter()
                .filter_map(|i| i.owner.as_ref())
                .map(|o| ("action item owner", o)),
        );
        out.extend(self.reviews.iter().filter_map(|r| r.by.as_ref()).map(|b| ("review by", b)));
        out.extend(self.assignments.iter().filter_map(|a| a.to.as_ref()).map(|t| ("assignee", t)));
        out.extend(self.review.iter().flat_map(|r| &r.attendees).map(|a| ("attendee", a)));
        out
    }
}

fn string(node: &Node, key: &str) -> Option<Spanned<String>> {
    let value = node.get(key)?;
    value.as_str().map(|s| Spanned::new(s.trim().to_owned(), value.span))
}

fn strings(node: &Node, key: &str) -> Vec<Spanned<String>> {
    match node.get(key) {
        Some(Node { value: Value::Seq(items), .. }) => items
            .iter()
            .filter_map(|n| n.as_str().map(|s| Spanned::new(s.trim().to_owned(), n.span)))
            .collect(),
        Some(n @ Node { value: Value::Str(s), .. }) => {
            vec![Spanned::new(s.trim().to_owned(), n.span)]
        }
        _ => Vec::new(),
    }
}

fn parsed<T: std::str::FromStr>(node: &Node, key: &str) -> Option<Spanned<T>> {
    let value = node.get(key)?;
    let parsed = value.as_str()?.trim().parse().ok()?;
    Some(Spanned::new(parsed, value.span))
}

fn date(node: &Node, key: &str) -> Option<Spanned<Date>> {
    let value = node.get(key)?;
    let text = value.as_str()?.trim();
    // Only a plain `YYYY-MM-DD`: a date-time where a date belongs is a schema error, not a date.
    if text.len() != 10 {
        return None;
    }
    Some(Spanned::new(text.parse().ok()?, value.span))
}

fn instant(node: &Node, key: &str) -> Option<Spanned<Instant>> {
    let value = node.get(key)?;
    Some(Spanned::new(Instant::parse(value.as_str()?.trim())?, value.span))
}

/// A number of the front matter; `.nan`, `.inf` and floats too large to be exact are no
/// number here (the schema check reports them), so no figure is computed from them.
fn number(node: &Node, key: &str) -> Option<f64> {
    match node.get(key)?.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) if f.is_finite() && f.abs() <= crate::parse::yaml::MAX_EXACT => Some(f),
        _ => None,
    }
}

fn impact(node: &Node) -> Impact {
    let slos = node
        .get("slos")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            Some(SloImpact {
                name: s.get("name")?.as_str()?.to_owned(),
                error_budget_consumed: number(s, "error_budget_consumed")?,
            })
        })
        .collect();
    Impact {
        summary: node.get("summary").and_then(Node::as_str).map(str::to_owned),
        users_affected: number(node, "users_affected"),
        revenue_loss: number(node, "revenue_loss"),
        slos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(status: Option<ItemStatus>, due: Option<&str>) -> ActionItem {
        ActionItem {
            index: 0,
            span: Span::default(),
            id: None,
            title: None,
            owner: None,
            due: due.map(|d| Spanned::new(d.parse().expect("date"), Span::default())),
            status: status.map(|s| Spanned::new(s, Span::default())),
            ticket: None,
            priority: None,
            kind: None,
            closed_on: None,
            reason: None,
            verification: None,
        }
    }

    #[test]
    fn item_states() {
        assert_eq!(item(None, None).state(), ItemStatus::Open, "a missing status reads as open");
        assert!(item(Some(ItemStatus::InProgress), None).is_outstanding());
        assert!(!item(Some(ItemStatus::WontDo), None).is_outstanding());
        assert!(!item(Some(ItemStatus::Done), None).is_outstanding());
    }

    #[test]
    fn overdue_only_while_outstanding() {
        let today: Date = "2026-06-01".parse().expect("date");
        assert_eq!(item(None, Some("2026-05-30")).days_overdue(today), 2);
        assert_eq!(item(Some(ItemStatus::Open), Some("2026-06-01")).days_overdue(today), 0);
        assert_eq!(item(Some(ItemStatus::Done), Some("2026-05-01")).days_overdue(today), 0);
        assert!(!item(Some(ItemStatus::Open), None).is_overdue(today));
    }

    #[test]
    fn postmortems_are_overdue_until_published() {
        let today: Date = "2026-06-01".parse().expect("date");
        let pm = |status: Option<Status>| Postmortem {
            status: status.map(|s| Spanned::new(s, Span::default())),
            due: Some(Spanned::new("2026-05-29".parse().expect("date"), Span::default())),
            ..Postmortem::default()
        };
        assert_eq!(pm(None).days_overdue(today), 3, "no status reads as a draft");
        assert_eq!(pm(Some(Status::InReview)).days_overdue(today), 3);
        assert!(!pm(Some(Status::Published)).is_overdue(today));
        assert!(!Postmortem::default().is_overdue(today), "no due date, never overdue");
    }

    #[test]
    fn item_order_puts_overdue_first_then_due_then_place() {
        let d = |s: &str| Some(s.parse::<Date>().expect("date"));
        let mut items = [
            ItemOrder::new(false, None, Some("INC-1"), "a.md", 0),
            ItemOrder::new(false, d("2026-07-01"), None, "z.md", 0),
            ItemOrder::new(false, d("2026-07-01"), Some("INC-2"), "b.md", 1),
            ItemOrder::new(false, d("2026-07-01"), Some("INC-2"), "b.md", 0),
            ItemOrder::new(true, d("2026-05-01"), Some("INC-9"), "c.md", 0),
        ];
        items.sort();
        let places: Vec<(&str, usize)> = items.iter().map(|o| (o.path, o.index)).collect();
        assert_eq!(places, [("c.md", 0), ("b.md", 0), ("b.md", 1), ("z.md", 0), ("a.md", 0)]);
    }
}

//! What the templates receive: the view structs a page hands to its template, grouped by the
//! pages that use them. Every value is plain data, already formatted; every link is relative to
//! the site root and the template prefixes it with the page's `root` (`""` or `"../"`), so the
//! site works from any location. A theme that overrides a template can use any field named here.
//!
//! [`Row`] and [`ItemView`] are made once per build, by the catalog
//! ([`crate::site::catalog::Catalog`]), and shared by every table and list they appear in;
//! [`CompletionView`] is made by the catalog too, from the one judgement of each postmortem
//! ([`crate::completion::Evaluation`]), for the postmortem page and the review queue; the others
//! are made by the page that shows them.

use jiff::civil::Date;
use serde::Serialize;

// Shared by many pages.

/// A link: text and a root-relative href.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// What to show.
    pub name: String,
    /// Relative to the site root.
    pub href: String,
}

/// One postmortem in a table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Page.
    pub href: String,
    /// Incident date.
    pub date: String,
    /// Severity as written.
    pub severity: String,
    /// For sorting by severity.
    pub severity_rank: usize,
    /// Status.
    pub status: &'static str,
    /// Status as shown (`in review`).
    pub status_label: &'static str,
    /// Affected services.
    pub services: Vec<Link>,
    /// Owning team.
    pub team: Option<Link>,
    /// Owner.
    pub owner: String,
    /// Postmortem overdue.
    pub overdue: bool,
    /// Check errors.
    pub errors: usize,
}

/// What the table filter needs about one row.
#[derive(Debug, Clone, Serialize)]
pub struct Facets<'a> {
    /// Severity.
    pub severity: &'a str,
    /// Status.
    pub status: &'static str,
    /// Service keys.
    pub services: Vec<&'a str>,
    /// Team key.
    pub team: &'a str,
    /// Tags.
    pub tags: Vec<&'a str>,
    /// Year of the incident.
    pub year: String,
}

/// One action item, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// What will be done.
    pub title: String,
    /// The title in pieces, its backtick spans as code (the template escapes each piece).
    pub title_parts: Vec<crate::site::markdown::InlinePart>,
    /// Who.
    pub owner: String,
    /// Due date.
    pub due: String,
    /// Status as written.
    pub status: &'static str,
    /// P0–P3.
    pub priority: &'static str,
    /// prevent, mitigate, …
    pub kind: &'static str,
    /// The ticket as written.
    pub ticket: String,
    /// Its link, when there is a safe one.
    pub ticket_url: Option<String>,
    /// What to show: the ticket, without `https://` when it is a URL.
    pub ticket_label: String,
    /// What the tracker says of the ticket and when it was synced (empty without a cache).
    pub tracker: String,
    /// How the item and its ticket disagree, in words (empty when they agree).
    pub drift: String,
    /// The link to the proof that a finished item worked.
    pub verified_url: Option<String>,
    /// When it was closed.
    pub closed_on: String,
    /// Still owed ([`crate::model::ActionItem::is_outstanding`]).
    pub open: bool,
    /// Days past due while open (0 when not overdue).
    pub overdue_days: i64,
    /// The due date (for [`crate::site::catalog::Catalog::sort_items`]).
    #[serde(skip)]
    pub due_date: Option<Date>,
    /// The entry of its postmortem.
    #[serde(skip)]
    pub entry: usize,
    /// Its position in the postmortem's `action_items`.
    #[serde(skip)]
    pub index: usize,
    /// The postmortem it belongs to (id and page).
    pub postmortem: Link,
    /// That postmortem's title.
    pub postmortem_title: String,
    /// The postmortem's team.
    pub team: Option<Link>,
}

// The home page (`index.html`).

/// The counts at the top of the home page.
#[derive(Serialize)]
pub(super) struct HomeStats {
    pub(super) total: usize,
    pub(super) published: usize,
    pub(super) in_review: usize,
    pub(super) draft: usize,
    pub(super) open_items: usize,
    pub(super) overdue_items: usize,
    pub(super) overdue_postmortems: usize,
    pub(super) first_year: Option<i16>,
}

/// How many postmortems have one configured severity (the home page's breakdown).
#[derive(Serialize)]
pub(super) struct SeverityCount {
    pub(super) name: String,
    pub(super) rank: usize,
    pub(super) count: usize,
}

/// A postmortem listed on the home page: recent (with its summary) or overdue (with its due
/// date).
#[derive(Serialize)]
pub(super) struct Recent<'a> {
    pub(super) row: &'a Row,
    pub(super) summary: String,
    pub(super) due: String,
}

/// A link to a taxonomy's index, with how many terms it has (the home page).
#[derive(Serialize)]
pub(super) struct BrowseLink {
    pub(super) label: &'static str,
    pub(super) href: String,
    pub(super) count: usize,
}

// The postmortems table (`postmortems/index.html`).

/// One filter of the postmortems table.
#[derive(Serialize)]
pub(super) struct FilterDef {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
}

// A postmortem page.

/// Everything a postmortem page shows besides its body and action items.
#[derive(Serialize)]
pub(super) struct PostmortemView {
    /// A `restricted` postmortem: the page is a stub (id, title, status, date, severity, owner,
    /// team) and says so.
    pub(super) restricted: bool,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) date: String,
    pub(super) status: &'static str,
    pub(super) severity: String,
    pub(super) severity_rank: usize,
    pub(super) owner: String,
    pub(super) team: Option<Link>,
    pub(super) services: Vec<Link>,
    pub(super) tags: Vec<Link>,
    pub(super) factors: Vec<Link>,
    pub(super) authors: Vec<String>,
    pub(super) reviewers: Vec<String>,
    pub(super) detection: &'static str,
    pub(super) ticket: String,
    pub(super) ticket_url: Option<String>,
    pub(super) chat: String,
    pub(super) due: String,
    pub(super) published_on: String,
    pub(super) overdue: bool,
    pub(super) times: Vec<LabelValue>,
    pub(super) durations: Vec<LabelValue>,
    pub(super) impact: Option<ImpactView>,
    pub(super) open_items: usize,
    pub(super) related: Vec<RelatedView>,
    pub(super) backlinks: Vec<RelatedView>,
    pub(super) similar: Vec<RelatedView>,
    pub(super) problems: Vec<ProblemView>,
    pub(super) errors: usize,
    /// Against its completion policy; `None` when the policy does not hold for it.
    pub(super) completion: Option<CompletionView>,
    pub(super) updated: String,
    pub(super) source_path: String,
    pub(super) source_url: String,
    pub(super) edit_url: String,
    pub(super) history_url: String,
}

/// A labelled value: a timestamp or a duration of the incident.
#[derive(Serialize)]
pub(super) struct LabelValue {
    pub(super) label: &'static str,
    pub(super) value: String,
}

/// The impact block of a postmortem page, its numbers formatted.
#[derive(Serialize)]
pub(super) struct ImpactView {
    pub(super) summary: String,
    pub(super) users_affected: String,
    pub(super) revenue_loss: String,
    pub(super) slos: Vec<SloView>,
}

/// One SLO and the share of its error budget the incident consumed.
#[derive(Serialize)]
pub(super) struct SloView {
    pub(super) name: String,
    pub(super) consumed: String,
}

/// Another postmortem a page links to (related, backlink, similar); no `href` when the
/// id names no postmortem.
#[derive(Serialize)]
pub(super) struct RelatedView {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) href: Option<String>,
}

/// A `pm check` problem shown in a postmortem page's warning box.
#[derive(Serialize)]
pub(super) struct ProblemView {
    pub(super) severity: &'static str,
    pub(super) code: &'static str,
    pub(super) line: usize,
    pub(super) message: String,
}

/// A postmortem judged against its completion policy ([`crate::completion::Evaluation`]), as
/// its page and the review queue show it.
#[derive(Debug, Clone, Serialize)]
pub struct CompletionView {
    /// Every criterion met.
    pub complete: bool,
    /// Criteria met, in percent.
    pub score: u8,
    /// What the badge says: `complete` or `62% complete`.
    pub verdict: String,
    /// Each criterion of the policy, in policy order.
    pub criteria: Vec<CriterionView>,
    /// Approvals that count, oldest first.
    pub approvals: Vec<ApprovalView>,
    /// Approvals still needed.
    pub approvals_missing: usize,
    /// Who could give them (handles, sorted).
    pub approvers: Vec<String>,
    /// Sections handed to people and not written yet, in front matter order.
    pub assignments: Vec<AssignmentView>,
    /// The day it became complete (empty while it is not).
    pub completed_on: String,
}

/// One criterion of a completion policy, judged.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionView {
    /// Stable id (`sections`, `approvals`, `checklist:ID`…).
    pub id: String,
    /// What the policy asks, in words.
    pub label: String,
    /// Whether it holds.
    pub met: bool,
    /// What is there, or what is missing.
    pub detail: String,
}

/// An approval that counts.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    /// Who.
    pub by: String,
    /// When (`YYYY-MM-DD`, empty when undated).
    pub on: String,
    /// `front-matter` or `git`.
    pub source: &'static str,
}

/// A section someone owes.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentView {
    /// The section.
    pub section: String,
    /// Who writes it.
    pub to: String,
    /// By when (`YYYY-MM-DD`, empty without a date).
    pub due: String,
    /// Days past `due` (0 when not late).
    pub days_overdue: i64,
}

// The review queue (`review/index.html`).

/// A postmortem waiting for its review or approvals.
#[derive(Serialize)]
pub(super) struct ReviewRow<'a> {
    pub(super) row: &'a Row,
    /// Its due date (`YYYY-MM-DD`, empty without one).
    pub(super) due: String,
    /// Days past its due date (0 when not late).
    pub(super) days_overdue: i64,
    /// Against its policy; `None` when the policy does not hold for it.
    pub(super) completion: Option<CompletionView>,
}

// Taxonomy pages (services, teams, tags, contributing factors).

/// A taxonomy's names, for its index and term pages.
#[derive(Serialize)]
pub(super) struct KindView {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) singular: &'static str,
}

/// One term in a taxonomy's index.
#[derive(Serialize)]
pub(super) struct TermRow {
    pub(super) name: String,
    pub(super) href: String,
    pub(super) count: usize,
    pub(super) open_items: usize,
    pub(super) overdue_items: usize,
    pub(super) description: String,
    pub(super) team: Option<Link>,
    pub(super) latest: String,
}

/// A term page's heading: the term and, for services and teams, their configuration.
#[derive(Serialize, Default)]
pub(super) struct TermView {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) team: Option<Link>,
    pub(super) owner: String,
    pub(super) members: Vec<String>,
    pub(super) services: Vec<Link>,
}

// The action items page.

/// The open action items of one team on the action items page.
#[derive(Serialize)]
pub(super) struct TeamGroup<'a> {
    pub(super) name: String,
    pub(super) anchor: String,
    pub(super) href: Option<String>,
    pub(super) count: usize,
    pub(super) overdue: usize,
    pub(super) owners: Vec<OwnerGroup<'a>>,
}

/// The open action items of one owner within a team.
#[derive(Serialize)]
pub(super) struct OwnerGroup<'a> {
    pub(super) name: String,
    pub(super) overdue: usize,
    pub(super) items: Vec<&'a ItemView>,
}

// Metrics pages.

/// A chart as the metrics page places it: a title (for the page's contents) and the finished
/// `<figure>`.
#[derive(Serialize)]
pub(super) struct ChartView {
    pub(super) id: String,
    pub(super) title: String,
    /// Trusted markup from `site::charts` (every repository value escaped).
    pub(super) html: String,
}

/// A team or service with a metrics page of its own.
#[derive(Serialize)]
pub(super) struct MetricsScope<'a> {
    pub(super) name: String,
    pub(super) href: String,
    pub(super) postmortems: usize,
    #[serde(skip)]
    pub(super) key: &'a str,
    #[serde(skip)]
    pub(super) slice: &'a crate::metrics::Slice,
}

/// One team in the metrics page's completion table.
#[derive(Serialize)]
pub(super) struct CompletionRow {
    pub(super) name: String,
    /// The team's metrics page.
    pub(super) href: Option<String>,
    pub(super) held: usize,
    pub(super) complete: usize,
    pub(super) median_days: String,
    pub(super) p90_days: String,
    pub(super) with_days: usize,
    pub(super) on_time: usize,
    pub(super) late: usize,
    pub(super) on_time_rate: String,
}

// The feed (`feed.xml`).

/// The feed itself: its id, when it last changed, and its links.
#[derive(Serialize)]
pub(super) struct FeedView {
    pub(super) id: String,
    pub(super) updated: String,
    pub(super) home: String,
    pub(super) self_url: Option<String>,
}

/// One postmortem in the feed.
#[derive(Serialize)]
pub(super) struct FeedEntry {
    pub(super) title: String,
    pub(super) id: String,
    pub(super) url: String,
    pub(super) published: String,
    pub(super) updated: String,
    pub(super) authors: Vec<String>,
    pub(super) categories: Vec<String>,
    pub(super) summary: String,
}

// The sitemap (`sitemap.xml`).

/// One page in the sitemap.
#[derive(Serialize)]
pub(super) struct SitemapUrl {
    pub(super) loc: String,
    pub(super) lastmod: String,
}

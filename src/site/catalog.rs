//! What the pages show: the repository turned into sorted, display-ready values.
//!
//! [`Catalog::load`] runs once per build, before anything is rendered. It names every page
//! (filesystem-safe, unique, stable), sorts postmortems and the terms that group them
//! (services, teams, tags, contributing factors), resolves related incidents in both
//! directions, and attaches check problems, git dates and each postmortem's judgement against its
//! completion policy ([`crate::completion::Judge`]). It also makes, once, the table row and the
//! action items of every postmortem ([`crate::site::views`]), which many pages share.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::completion::{Evaluation, Judge};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{ActionItem, Instant, ItemOrder, Postmortem, Status};
use crate::repo::{Document, Gist, Repo};
use crate::site::git::History;
use crate::site::markdown::{self, Names};
use crate::site::views::{
    ApprovalView, AssignmentView, CompletionView, CriterionView, Facets, ItemView, Link, Row,
};

/// The kinds of term that group postmortems, each with its own pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A service in `services`.
    Service,
    /// The owning team.
    Team,
    /// A free tag.
    Tag,
    /// A contributing factor category.
    Factor,
}

impl Kind {
    /// Every kind, in navigation order.
    pub const ALL: [Kind; 4] = [Kind::Service, Kind::Team, Kind::Tag, Kind::Factor];

    /// The folder of the kind's pages.
    pub const fn dir(self) -> &'static str {
        match self {
            Kind::Service => "services",
            Kind::Team => "teams",
            Kind::Tag => "tags",
            Kind::Factor => "factors",
        }
    }

    /// Plural heading.
    pub const fn label(self) -> &'static str {
        match self {
            Kind::Service => "Services",
            Kind::Team => "Teams",
            Kind::Tag => "Tags",
            Kind::Factor => "Contributing factors",
        }
    }

    /// Singular noun.
    pub const fn singular(self) -> &'static str {
        match self {
            Kind::Service => "Service",
            Kind::Team => "Team",
            Kind::Tag => "Tag",
            Kind::Factor => "Contributing factor",
        }
    }
}

/// A service, team, tag or contributing factor, and what it groups.
#[derive(Debug, Clone)]
pub struct Term {
    /// Which kind.
    pub kind: Kind,
    /// The value as written (or the config key).
    pub key: String,
    /// Display name (a team's configured name, else the key).
    pub name: String,
    /// The page's file stem.
    pub page: String,
    /// Entries (indexes into [`Catalog::entries`]) in display order.
    pub entries: Vec<usize>,
}

impl Term {
    /// The page, relative to the site root.
    pub fn href(&self) -> String {
        format!("{}/{}.html", self.kind.dir(), self.page)
    }

    /// A link to the page.
    pub fn link(&self) -> Link {
        Link { name: self.name.clone(), href: self.href() }
    }
}

/// One kind's terms, sorted by key.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// The terms.
    pub terms: Vec<Term>,
    by_key: HashMap<String, usize>,
}

impl Taxonomy {
    /// The term written `key`.
    pub fn get(&self, key: &str) -> Option<&Term> {
        self.by_key.get(key).map(|&i| &self.terms[i])
    }
}

/// A postmortem with everything the pages need to know about it.
#[derive(Debug)]
pub struct Entry<'r> {
    /// The file.
    pub doc: &'r Document,
    /// The typed postmortem.
    pub pm: &'r Postmortem,
    /// The page's file stem under `postmortems/`.
    pub page: String,
    /// The id, or the file name when there is none.
    pub id: String,
    /// The title, or the id.
    pub title: String,
    /// The incident's date (start, else another timestamp, else publication) in the
    /// configured time zone.
    pub date: Option<Date>,
    /// Position of the severity in the configured list (unknown ones last).
    pub severity_rank: usize,
    /// Not published and past its due date.
    pub overdue: bool,
    /// Errors and warnings from `pm check`, in file order.
    pub problems: Vec<&'r Diagnostic>,
    /// How many of `problems` are errors.
    pub errors: usize,
    /// First paragraph of the Summary section, plain text.
    pub summary: String,
    /// Whether the body may link to another postmortem's file ([`crate::repo::may_link_to_files`]), which
    /// its page then links to instead.
    pub links_files: bool,
    /// Outgoing related ids, with the entry each resolves to.
    pub related: Vec<(String, Option<usize>)>,
    /// Entries that name this one as related.
    pub backlinks: Vec<usize>,
    /// Last commit date, from git.
    pub updated: Option<String>,
    /// Judged against its completion policy (`None` only for a document loaded without what
    /// it has written).
    pub completion: Option<Evaluation>,
}

impl Entry<'_> {
    /// The page, relative to the site root.
    pub fn href(&self) -> String {
        format!("postmortems/{}.html", self.page)
    }

    /// `YYYY-MM-DD` or empty.
    pub fn date_text(&self) -> String {
        self.date.map(|d| d.to_string()).unwrap_or_default()
    }

    /// The status as written, `draft` when missing.
    pub fn status(&self) -> Status {
        self.pm.status_or_draft()
    }
}

/// The whole repository, ready to render.
pub struct Catalog<'r> {
    /// The configuration.
    pub config: &'r Config,
    /// The repository's root, where each postmortem's text is read again from.
    pub root: &'r std::path::Path,
    /// What "today" is.
    pub today: Date,
    /// The configured time zone.
    pub tz: TimeZone,
    /// Postmortems, newest first.
    pub entries: Vec<Entry<'r>>,
    /// Terms by kind.
    pub taxonomies: BTreeMap<Kind, Taxonomy>,
    /// Git's view of the files.
    pub history: Option<History>,
    /// Entry index by repo-relative path of its file (for `.md` link rewriting).
    pub by_path: HashMap<&'r str, usize>,
    /// The table row of each entry, made once and shared by every table it appears in.
    rows: Vec<Row>,
    /// The action items of each entry, in front matter order, made once.
    items: Vec<Vec<ItemView>>,
    /// The ticket cache, when `pm sync` has written one.
    tickets: Option<&'r crate::trackers::cache::Tickets>,
}

impl std::fmt::Debug for Catalog<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("entries", &self.entries.len()).finish_non_exhaustive()
    }
}

impl<'r> Catalog<'r> {
    /// Builds the catalog of `repo`. `diagnostics` are the check results (sorted by path);
    /// `judge` judges each postmortem's completion.
    pub fn load(
        repo: &'r Repo,
        diagnostics: &'r [Diagnostic],
        history: Option<History>,
        today: Date,
        judge: &Judge<'_>,
    ) -> std::io::Result<Self> {
        let config = &repo.workspace.config;
        let tz = config.time_zone();
        let mut problems: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
        for d in diagnostics.iter().filter(|d| d.severity >= Severity::Warning) {
            problems.entry(d.path.as_str()).or_default().push(d);
        }

        // What each list shows of a body, read by the load ([`Document::with_gist`]); a document
        // loaded otherwise has it read from its text here.
        let postmortems: Vec<(&Document, &Postmortem)> = repo.postmortems().collect();
        let root = &repo.workspace.root;
        let read: Vec<Gist> = postmortems
            .par_iter()
            .map(|&(doc, _)| match &doc.gist {
                Some(gist) => Ok(gist.clone()),
                None => Ok(Gist::read(doc, &doc.text(root)?)),
            })
            .collect::<std::io::Result<_>>()?;
        let mut entries: Vec<Entry<'r>> = postmortems
            .into_iter()
            .zip(read)
            .map(|((doc, pm), Gist { summary, links_files })| {
                let stem = file_stem(doc.path());
                let id = pm.id.as_ref().map_or_else(|| stem.clone(), |i| i.value.clone());
                let id = if id.is_empty() { stem.clone() } else { id };
                let title = pm.title.as_ref().map(|t| t.value.clone()).filter(|t| !t.is_empty());
                let date = incident_date(pm, &tz);
                let severity_rank = pm
                    .severity
                    .as_ref()
                    .and_then(|s| config.severities.iter().position(|c| *c == s.value))
                    .unwrap_or(config.severities.len());
                let overdue = pm.is_overdue(today);
                let problems = problems.remove(doc.path()).unwrap_or_default();
                let errors = problems.iter().filter(|d| d.severity == Severity::Error).count();
                let updated = history.as_ref().and_then(|h| h.updated.get(doc.path()).cloned());
                Entry {
                    doc,
                    pm,
                    page: String::new(),
                    title: title.unwrap_or_else(|| id.clone()),
                    id,
                    date,
                    severity_rank,
                    overdue,
                    problems,
                    errors,
                    summary,
                    links_files,
                    related: Vec::new(),
                    backlinks: Vec::new(),
                    updated,
                    completion: None,
                }
            })
            .collect();
        entries.par_iter_mut().for_each(|e| {
            e.completion = e.doc.written.as_ref().map(|w| judge.evaluate(e.doc.path(), e.pm, w));
        });
        // Newest first; ties by id, then path, so the order never depends on the file system.
        entries.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.doc.path().cmp(b.doc.path()))
        });

        // Page names in path order, so adding a postmortem never renames another's page.
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| entries[a].doc.path().cmp(entries[b].doc.path()));
        let mut names = Names::default();
        for i in order {
            entries[i].page = names.name(&entries[i].id, "postmortem");
        }

        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut by_path = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_path.insert(e.doc.path(), i);
            // The first in path order wins a duplicated id (the rule reports it).
            match by_id.get(e.id.as_str()) {
                Some(&j) if entries[j].doc.path() < e.doc.path() => {}
                _ => {
                    by_id.insert(e.id.as_str(), i);
                }
            }
        }
        let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
        let mut related: Vec<Vec<(String, Option<usize>)>> = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let mut out: Vec<(String, Option<usize>)> = Vec::new();
            // A set, not a scan of the list so far: 60,000 related ids took seconds.
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            for r in &e.pm.related {
                if r.value == e.id || !seen.insert(r.value.as_str()) {
                    continue;
                }
                let target = by_id.get(r.value.as_str()).copied();
                if let Some(t) = target {
                    backlinks[t].push(i);
                }
                out.push((r.value.clone(), target));
            }
            related.push(out);
        }
        for (i, (rel, mut back)) in related.into_iter().zip(backlinks).enumerate() {
            back.sort_unstable();
            back.dedup();
            entries[i].related = rel;
            entries[i].backlinks = back;
        }

        let taxonomies = Kind::ALL.iter().map(|&k| (k, taxonomy(k, config, &entries))).collect();
        let mut catalog = Self {
            config,
            root,
            today,
            tz,
            entries,
            taxonomies,
            history,
            by_path,
            rows: Vec::new(),
            items: Vec::new(),
            tickets: repo.tickets.as_deref(),
        };
        let (rows, items) = rayon::join(
            || (0..catalog.entries.len()).into_par_iter().map(|i| catalog.make_row(i)).collect(),
            || {
                (0..catalog.entries.len())
                    .into_par_iter()
                    .map(|i| {
                        catalog.entries[i]
                            .pm
                            .action_items
                            .iter()
                            .map(|a| catalog.make_item(i, a))
                            .collect()
                    })
                    .collect()
            },
        );
        catalog.rows = rows;
        catalog.items = items;
        Ok(catalog)
    }

    /// The table row of entry `i`.
    pub fn row(&self, i: usize) -> &Row {
        &self.rows[i]
    }

    /// The action items of entry `i`, in front matter order.
    pub fn items(&self, i: usize) -> &[ItemView] {
        &self.items[i]
    }

    /// The taxonomy of `kind`.
    pub fn taxonomy(&self, kind: Kind) -> &Taxonomy {
        static EMPTY: std::sync::OnceLock<Taxonomy> = std::sync::OnceLock::new();
        self.taxonomies.get(&kind).unwrap_or_else(|| EMPTY.get_or_init(Taxonomy::default))
    }

    /// Links to the terms of `kind` named by `keys`.
    pub fn links(&self, kind: Kind, keys: impl IntoIterator<Item = &'r str>) -> Vec<Link> {
        let tax = self.taxonomy(kind);
        keys.into_iter().filter_map(|k| tax.get(k)).map(Term::link).collect()
    }

    fn make_row(&self, i: usize) -> Row {
        let e = &self.entries[i];
        let pm = e.pm;
        Row {
            id: e.id.clone(),
            title: e.title.clone(),
            href: e.href(),
            date: e.date_text(),
            severity: pm.severity.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            severity_rank: e.severity_rank,
            status: e.status().as_str(),
            status_label: status_label(e.status()),
            services: self.links(Kind::Service, crate::model::listed(&pm.services)),
            team: pm
                .team
                .as_ref()
                .and_then(|t| self.taxonomy(Kind::Team).get(&t.value))
                .map(Term::link),
            owner: pm.owner.as_ref().map(|o| o.value.clone()).unwrap_or_default(),
            overdue: e.overdue,
            errors: e.errors,
        }
    }

    /// The filter facets of entry `i`, for the table's script.
    pub fn facets(&self, i: usize) -> Facets<'r> {
        let e = &self.entries[i];
        let pm = e.pm;
        Facets {
            severity: pm.severity.as_ref().map_or("", |s| s.value.as_str()),
            status: e.status().as_str(),
            services: crate::model::listed(&pm.services).collect(),
            team: pm.team.as_ref().map_or("", |t| t.value.as_str()),
            tags: crate::model::listed(&pm.tags).collect(),
            year: e.date.map(|d| d.year().to_string()).unwrap_or_default(),
        }
    }

    fn make_item(&self, i: usize, item: &ActionItem) -> ItemView {
        let e = &self.entries[i];
        let due = item.due.as_ref().map(|d| d.value);
        let ticket = item.ticket.as_ref().map(|t| t.value.clone()).unwrap_or_default();
        let cached =
            self.tickets.filter(|_| !ticket.is_empty()).and_then(|t| t.get(self.config, &ticket));
        let drifts = cached
            .map(|c| crate::trackers::drift::drift(item, c, &self.config.people))
            .unwrap_or_default();
        ItemView {
            tracker: cached.map_or_else(String::new, |c| {
                let said = if c.tracker_state.is_empty() {
                    c.state.as_str()
                } else {
                    c.tracker_state.as_str()
                };
                format!(
                    "{said} · synced {}",
                    c.fetched_at.to_zoned_datetime(self.tz.clone()).date()
                )
            }),
            drift: drifts
                .iter()
                .filter(|d| !d.is_info())
                .map(|d| cached.map(|c| d.describe(item, c)).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("; "),
            verified_url: item
                .verification
                .as_ref()
                .and_then(|v| v.evidence.as_ref())
                .map(|e| e.value.clone())
                .filter(|u| crate::url::is_http_url(u) && crate::url::is_safe_url(u)),
            title: item.title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
            title_parts: item
                .title
                .as_ref()
                .map(|t| markdown::inline_code(&t.value))
                .unwrap_or_default(),
            owner: item.owner.as_ref().map(|o| o.value.clone()).unwrap_or_default(),
            due: due.map(|d| d.to_string()).unwrap_or_default(),
            status: item.status.as_ref().map_or("", |s| s.value.as_str()),
            priority: item.priority.as_ref().map_or("", |p| p.value.as_str()),
            kind: item.kind.as_ref().map_or("", |k| k.value.as_str()),
            ticket_url: self.config.ticket_url(&ticket),
            ticket_label: ticket_label(&ticket),
            ticket,
            closed_on: item.closed_on.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            open: item.is_outstanding(),
            overdue_days: item.days_overdue(self.today),
            due_date: due,
            entry: i,
            index: item.index,
            postmortem: Link { name: e.id.clone(), href: e.href() },
            postmortem_title: e.title.clone(),
            team: e
                .pm
                .team
                .as_ref()
                .and_then(|t| self.taxonomy(Kind::Team).get(&t.value))
                .map(Term::link),
        }
    }

    /// Entry `i` against its completion policy, ready to show; `None` when the policy does not
    /// hold for it (`completion.since`), so an older postmortem is shown as it is, never failed.
    pub fn completion(&self, i: usize) -> Option<CompletionView> {
        let e = self.entries[i].completion.as_ref().filter(|e| e.applies)?;
        Some(CompletionView {
            complete: e.complete,
            score: e.score,
            verdict: if e.complete {
                "complete".to_owned()
            } else {
                format!("{}% complete", e.score)
            },
            criteria: e
                .criteria
                .iter()
                .map(|c| CriterionView {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    met: c.met,
                    detail: c.detail.clone(),
                })
                .collect(),
            approvals: e
                .approvals
                .iter()
                .map(|a| ApprovalView {
                    by: a.by.clone(),
                    on: a.on.map(|d| d.to_string()).unwrap_or_default(),
                    source: a.source,
                })
                .collect(),
            approvals_missing: e.approvals_missing,
            approvers: e.approvers.clone(),
            assignments: e
                .assignments
                .iter()
                .filter(|a| !a.done)
                .map(|a| AssignmentView {
                    section: a.section.clone(),
                    to: a.to.clone(),
                    due: a.due.map(|d| d.to_string()).unwrap_or_default(),
                    days_overdue: a.days_overdue,
                })
                .collect(),
            completed_on: e.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        })
    }

    /// What the ticket cache says of `item`'s ticket.
    pub fn ticket(&self, item: &ActionItem) -> Option<&'r crate::trackers::CachedTicket> {
        self.tickets?.get(self.config, &item.ticket.as_ref()?.value)
    }

    /// Open action items of `entries`, overdue first (most overdue first), then by due date.
    pub fn open_items(&self, entries: &[usize]) -> Vec<&ItemView> {
        let mut items: Vec<&ItemView> =
            entries.iter().flat_map(|&i| self.items[i].iter().filter(|v| v.open)).collect();
        self.sort_items(&mut items);
        items
    }

    /// Sorts `items` in the order every list of action items uses ([`ItemOrder`]).
    pub fn sort_items(&self, items: &mut [&ItemView]) {
        let order = |v: &ItemView| {
            let e = &self.entries[v.entry];
            let id = e.pm.id.as_ref().map(|i| i.value.as_str());
            ItemOrder::new(v.overdue_days > 0, v.due_date, id, e.doc.path(), v.index)
        };
        items.sort_by(|a, b| order(a).cmp(&order(b)));
    }

    /// Formats an instant in the configured time zone: `2026-01-20 11:12 CET`.
    pub fn time(&self, instant: &Instant) -> String {
        instant
            .timestamp
            .to_zoned_datetime(self.tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

/// A status as shown: `in review` for `in-review`.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Draft => "draft",
        Status::InReview => "in review",
        Status::Published => "published",
    }
}

/// A ticket as shown: URLs without their scheme (the link has it).
pub fn ticket_label(ticket: &str) -> String {
    let short = ticket.strip_prefix("https://").or_else(|| ticket.strip_prefix("http://"));
    short.map_or(ticket, |s| s.trim_end_matches('/')).to_owned()
}

fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem).to_owned()
}

fn incident_date(pm: &Postmortem, tz: &TimeZone) -> Option<Date> {
    let t = &pm.times;
    let instant = [&t.started_at, &t.detected_at, &t.mitigated_at, &t.resolved_at]
        .into_iter()
        .find_map(|s| s.as_ref().map(|s| s.value.timestamp));
    match instant {
        Some(ts) => Some(ts.to_zoned_datetime(tz.clone()).date()),
        None => pm.published_on.as_ref().map(|d| d.value),
    }
}

fn taxonomy(kind: Kind, config: &Config, entries: &[Entry<'_>]) -> Taxonomy {
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    match kind {
        Kind::Service => by_key.extend(config.services.keys().map(|k| (k.clone(), Vec::new()))),
        Kind::Team => by_key.extend(config.teams.keys().map(|k| (k.clone(), Vec::new()))),
        Kind::Tag | Kind::Factor => {}
    }
    for (i, e) in entries.iter().enumerate() {
        let pm = e.pm;
        let keys: Vec<&str> = match kind {
            Kind::Service => crate::model::listed(&pm.services).collect(),
            Kind::Team => pm.team.iter().map(|s| s.value.as_str()).collect(),
            Kind::Tag => crate::model::listed(&pm.tags).collect(),
            Kind::Factor => crate::model::listed(&pm.contributing_factors).collect(),
        };
        for key in keys {
            if key.is_empty() {
                continue;
            }
            let list = by_key.entry(key.to_owned()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let mut names = Names::default();
    let mut tax = Taxonomy::default();
    for (key, entries) in by_key {
        let name = match kind {
            Kind::Team => config.teams.get(&key).and_then(|t| t.name.clone()),
            _ => None,
        }
        .unwrap_or_else(|| key.clone());
        let page = names.name(&key, kind.dir());
        tax.by_key.insert(key.clone(), tax.terms.len());
        tax.terms.push(Term { kind, key, name, page, entries });
    }
    tax
}

/// Percent-encodes each segment of a `/`-separated path for use in a URL.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded() {
        assert_eq!(encode_path("postmortems/a b/ç.md"), "postmortems/a%20b/%C3%A7.md");
    }
}

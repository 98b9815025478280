//! `pm build`: the static postmortem site.
//!
//! A build is [`Catalog::load`] once (the repository loaded, checked and turned into sorted,
//! display-ready values), then one `render_*` function per output, all writing into a staging
//! folder that replaces the output only when every page was written ([`output`]). Pages render
//! in parallel (rayon) and are written as soon as they are rendered, so memory stays flat; each
//! page is deterministic on its own, so the order of writing does not matter.
//!
//! Safety lives in three places: templates autoescape every value ([`theme`]), markdown bodies
//! go through [`markdown`] (raw HTML escaped or sanitized, unsafe URL schemes dropped), and JSON
//! embedded in a page goes through `json::script_json`. The only `| safe` values in the built-in
//! templates are those two outputs.
//!
//! Search (`search/`: the page and the sharded index of [`search`]) and metrics (`metrics/`)
//! pages plug in as further `render_*` steps with their own entries in [`nav`]. Metrics are
//! computed once per build ([`crate::metrics::compute`], alongside [`Catalog::load`]); their
//! charts come from `charts` as finished SVG and table markup that escapes every repository
//! value, the third `| safe` value.

pub mod catalog;
mod charts;
pub mod git;
mod json;
pub mod markdown;
pub mod output;
pub mod search;
pub mod single;
pub mod theme;
mod timings;
pub mod views;
mod writer;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::check::Loaded;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Status;
use crate::repo::Repo;
use crate::site::catalog::{Catalog, Kind, encode_path};
use crate::site::json::script_json;
use crate::site::markdown::RenderOptions;
use crate::site::theme::{Theme, tera_error};
use crate::site::timings::{Timings, index_alone};
use crate::site::views::{
    BrowseLink, ChartView, FeedEntry, FeedView, FilterDef, HomeStats, ImpactView, ItemView,
    KindView, LabelValue, MetricsScope, OwnerGroup, PostmortemView, ProblemView, Recent,
    RelatedView, Row, SeverityCount, SitemapUrl, SloView, TeamGroup, TermRow, TermView,
};
use crate::site::writer::Writer;
use crate::url::is_safe_url;

/// What a build needs besides the repository.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder.
    pub out: PathBuf,
    /// What "today" is, for overdue badges.
    pub today: Date,
    /// Fail (and write nothing) when `pm check` reports errors.
    pub strict: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
}

/// A finished build.
#[derive(Debug, Clone)]
pub struct Built {
    /// Where the site is.
    pub out: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// All files written (pages, feed, data, assets).
    pub files: usize,
    /// Postmortems rendered.
    pub postmortems: usize,
    /// Postmortems rendered with check errors (shown with a warning box).
    pub with_errors: usize,
    /// Files that could not be parsed, with why; they have no page.
    pub skipped: Vec<(String, String)>,
    /// What the search index step wrote (its files are among `files`).
    pub search: Box<search::Stats>,
    /// Budgets the build went over, as sentences (printed as warnings).
    pub warnings: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// How a build ended.
#[derive(Debug)]
pub enum BuildOutcome {
    /// The site was written.
    Built(Built),
    /// `--strict` and `pm check` found errors; nothing was written.
    Refused {
        /// The errors.
        errors: Vec<Diagnostic>,
        /// Files that could not be parsed.
        skipped: Vec<(String, String)>,
    },
}

/// One entry of the site navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    /// Section key (pages mark their own section as current).
    pub key: &'static str,
    /// Link text.
    pub label: &'static str,
    /// Relative to the site root.
    pub href: &'static str,
}

/// The site navigation. Search and metrics add their entries here.
pub fn nav() -> Vec<NavItem> {
    vec![
        NavItem { key: "home", label: "Home", href: "index.html" },
        NavItem { key: "postmortems", label: "Postmortems", href: "postmortems/index.html" },
        NavItem { key: "actions", label: "Action items", href: "actions/index.html" },
        NavItem { key: "services", label: "Services", href: "services/index.html" },
        NavItem { key: "teams", label: "Teams", href: "teams/index.html" },
        NavItem { key: "tags", label: "Tags", href: "tags/index.html" },
        NavItem { key: "factors", label: "Factors", href: "factors/index.html" },
        NavItem { key: "metrics", label: "Metrics", href: "metrics/index.html" },
        NavItem { key: "search", label: "Search", href: "search/index.html" },
    ]
}

#[derive(Debug, Serialize)]
struct SiteGlobals {
    title: String,
    nav: Vec<NavItem>,
    feed: bool,
    base_url: Option<String>,
    repo_url: Option<String>,
}

impl SiteGlobals {
    /// The values every page sees as `site`; an unsafe `base_url`, or an unsafe or relative
    /// `repo_url`, is dropped.
    fn new(config: &crate::config::Config) -> Self {
        let base_url = config
            .site
            .base_url
            .as_deref()
            .filter(|u| is_safe_url(u))
            .map(|u| if u.ends_with('/') { u.to_owned() } else { format!("{u}/") });
        let repo_url = config
            .site
            .repo_url
            .as_deref()
            .filter(|u| is_safe_url(u) && u.contains(':'))
            .map(|u| u.trim_end_matches('/').to_owned());
        Self { title: config.title.clone(), nav: nav(), feed: true, base_url, repo_url }
    }
}

/// Builds the site of a repository loaded and checked by [`crate::check::load`] (keeping
/// [`crate::check::Keep::Pages`]), with its git `history` and `theme`. `started` is when the
/// load began, so the timings and the elapsed time cover the whole build.
pub fn build(
    loaded: Loaded,
    history: Option<git::History>,
    mut theme: Theme,
    options: &Options,
    started: Instant,
) -> anyhow::Result<BuildOutcome> {
    let Loaded { repo, diagnostics, .. } = loaded;
    let mut timings = Timings::new(started);
    timings.mark("load");
    timings.mark("check");
    let skipped = skipped(&repo, &diagnostics);

    if options.strict {
        let errors: Vec<Diagnostic> =
            diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        if !errors.is_empty() {
            return Ok(BuildOutcome::Refused { errors, skipped });
        }
    }

    // The metrics need only the repository, so they are computed while the model is built.
    let (model, metrics) = rayon::join(
        || Catalog::load(&repo, &diagnostics, history, options.today),
        || crate::metrics::compute(&repo, &crate::metrics::Options::new(options.today)),
    );
    timings.mark("model+metrics");
    let config = model.config;
    let globals = SiteGlobals::new(config);
    let (base_url, repo_url) = (globals.base_url.clone(), globals.repo_url.clone());
    theme.tera.global_context().insert("site", &globals);

    let staging = output::Staging::begin(&options.out, &repo.workspace.root)?;
    let disk = writer::Disk::new(staging.dir(), folders())?;
    let progress = if options.progress {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} Building the site [{bar:30}] {pos}/{len} pages",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let site = Site {
        model: &model,
        metrics: &metrics,
        theme: &theme,
        out: &disk,
        base_url,
        repo_url,
        pages: AtomicUsize::new(0),
        files: AtomicUsize::new(0),
        html: Mutex::new(Vec::new()),
        progress,
    };
    let search = site.render_all()?;
    site.progress.finish_and_clear();
    timings.mark("render");
    let pages = site.pages.load(Ordering::Relaxed);
    let files = site.files.load(Ordering::Relaxed);
    let out = staging.commit()?;
    timings.mark("swap");
    timings.report(&[timings::search_note(&search)]);
    let built = Built {
        out,
        pages,
        files,
        postmortems: model.entries.len(),
        with_errors: model.entries.iter().filter(|e| e.errors > 0).count(),
        skipped,
        warnings: search.warnings.clone(),
        search: Box::new(search),
        elapsed: started.elapsed(),
    };
    drop(site);
    drop(model);
    drop(diagnostics);
    // Freeing a loaded repository of thousands of documents takes a noticeable moment; do it
    // off the caller's path (a command exits without waiting, `pm serve` frees it meanwhile).
    std::thread::spawn(move || drop(repo));
    Ok(BuildOutcome::Built(built))
}

/// Files that yielded no postmortem, with the first error `pm check` gave for them.
fn skipped(repo: &Repo, diagnostics: &[Diagnostic]) -> Vec<(String, String)> {
    repo.documents
        .iter()
        .filter(|d| d.postmortem.is_none())
        .map(|d| {
            let reason = diagnostics
                .iter()
                .find(|x| x.path == d.path() && x.severity == Severity::Error)
                .map_or_else(
                    || "cannot be read as a postmortem".to_owned(),
                    |x| format!("{}:{}: {}", x.line, x.column, x.message),
                );
            (d.path().to_owned(), reason)
        })
        .collect()
}

/// The state of one build while rendering.
struct Site<'m, 'r> {
    model: &'m Catalog<'r>,
    metrics: &'m crate::metrics::Metrics,
    theme: &'m Theme,
    out: &'m dyn Writer,
    base_url: Option<String>,
    repo_url: Option<String>,
    pages: AtomicUsize,
    files: AtomicUsize,
    /// Every HTML page written (site-relative), for the sitemap.
    html: Mutex<Vec<String>>,
    progress: indicatif::ProgressBar,
}

/// The folders of a site, created before anything is written into them (some may stay empty,
/// such as `metrics/teams` when no postmortem names a team).
fn folders() -> impl Iterator<Item = &'static str> {
    [
        "postmortems",
        "actions",
        "assets",
        "metrics/teams",
        "metrics/services",
        "search/x",
        "search/t",
        "search/n",
        "search/c",
        "search/f",
        "search/d",
    ]
    .into_iter()
    .chain(Kind::ALL.iter().map(|k| k.dir()))
}

/// `""` for pages at the root, `"../"` one folder down.
fn root_of(rel: &str) -> String {
    "../".repeat(rel.matches('/').count())
}

impl Site<'_, '_> {
    /// Renders every page and the search index; what the index step wrote.
    fn render_all(&self) -> anyhow::Result<search::Stats> {
        let terms: usize = Kind::ALL.iter().map(|&k| self.model.taxonomy(k).terms.len() + 1).sum();
        let metrics = 1 + self.metrics.teams.len() + self.metrics.services.len();
        self.progress.set_length((self.model.entries.len() + terms + metrics + 5) as u64);

        // The big single pages first, so they overlap with the many small ones. The search
        // index, the biggest single step, runs beside all of them.
        let steps: [&(dyn Fn() -> anyhow::Result<()> + Sync); 9] = [
            &|| self.render_list(),
            &|| self.render_json(),
            &|| self.render_actions(),
            &|| self.render_home(),
            &|| self.render_feed(),
            &|| self.render_not_found(),
            &|| self.render_assets(),
            &|| self.render_terms(),
            &|| self.render_metrics(),
        ];
        let pages = || {
            rayon::join(
                || steps.par_iter().try_for_each(|step| step()),
                || self.render_postmortems(),
            )
        };
        // `PM_TIMINGS=serial` (the benchmark's) builds the index first, on every core and on
        // its own, so that its own time can be measured; the output is the same.
        let (search, (a, b)) = if index_alone() {
            let search = self.render_search();
            (search, pages())
        } else {
            rayon::join(|| self.render_search(), pages)
        };
        a?;
        b?;
        let search = search?;
        self.render_sitemap()?;
        Ok(search)
    }

    /// Renders `template` with `fill`'s variables as the page `rel` and writes it.
    fn page(
        &self,
        rel: &str,
        template: &str,
        section: &str,
        title: &str,
        fill: impl FnOnce(&mut tera::Context) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let bytes = self.render(rel, template, section, title, fill)?;
        self.write(rel, &bytes)?;
        if rel.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut html) = self.html.lock() {
                html.push(rel.to_owned());
            }
        }
        self.progress.inc(1);
        Ok(())
    }

    /// The page `rel`, rendered to memory: `template` with the variables every page has (the
    /// way to the site `root`, its `section` and `page_title`) and `fill`'s.
    fn render(
        &self,
        rel: &str,
        template: &str,
        section: &str,
        title: &str,
        fill: impl FnOnce(&mut tera::Context) -> anyhow::Result<()>,
    ) -> anyhow::Result<Vec<u8>> {
        let mut cx = tera::Context::new();
        cx.insert("root", &root_of(rel));
        cx.insert("section", section);
        cx.insert("page_title", title);
        fill(&mut cx)?;
        let mut buf = Vec::with_capacity(16 * 1024);
        self.theme.tera.render_to(template, &cx, &mut buf).map_err(|e| {
            anyhow::anyhow!("cannot render {rel} with {template}: {}", tera_error(&e))
        })?;
        Ok(buf)
    }

    /// Hands the rendered file `rel` to the writer.
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.out.write(rel, bytes)?;
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn rows(&self, entries: impl IntoIterator<Item = usize>) -> Vec<&Row> {
        entries.into_iter().map(|i| self.model.row(i)).collect()
    }

    /// `index.html`: counts, what needs attention, recent postmortems.
    fn render_home(&self) -> anyhow::Result<()> {
        let m = self.model;
        let count = |s: Status| m.entries.iter().filter(|e| e.status() == s).count();
        let all: Vec<usize> = (0..m.entries.len()).collect();
        let open_items = m.open_items(&all);
        let overdue_items: Vec<&ItemView> =
            open_items.iter().filter(|i| i.overdue_days > 0).copied().collect();
        let mut overdue_pms: Vec<usize> =
            (0..m.entries.len()).filter(|&i| m.entries[i].overdue).collect();
        overdue_pms.sort_by_key(|&i| m.entries[i].pm.due.as_ref().map(|d| d.value));
        let stats = HomeStats {
            total: m.entries.len(),
            published: count(Status::Published),
            in_review: count(Status::InReview),
            draft: count(Status::Draft),
            open_items: open_items.len(),
            overdue_items: overdue_items.len(),
            overdue_postmortems: overdue_pms.len(),
            first_year: m.entries.iter().filter_map(|e| e.date).min().map(|d| d.year()),
        };
        let mut severities: Vec<SeverityCount> = m
            .config
            .severities
            .iter()
            .enumerate()
            .map(|(rank, name)| SeverityCount {
                name: name.clone(),
                rank,
                count: m
                    .entries
                    .iter()
                    .filter(|e| e.pm.severity.as_ref().is_some_and(|s| s.value == *name))
                    .count(),
            })
            .collect();
        severities.retain(|s| s.count > 0);
        let recent: Vec<Recent> = (0..m.entries.len().min(8))
            .map(|i| Recent {
                row: m.row(i),
                summary: m.entries[i].summary.clone(),
                due: String::new(),
            })
            .collect();
        let overdue_postmortems: Vec<Recent> = overdue_pms
            .iter()
            .take(10)
            .map(|&i| Recent {
                row: m.row(i),
                summary: String::new(),
                due: m.entries[i].pm.due.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            })
            .collect();
        let browse: Vec<BrowseLink> = Kind::ALL
            .iter()
            .map(|&k| BrowseLink {
                label: k.label(),
                href: format!("{}/index.html", k.dir()),
                count: m.taxonomy(k).terms.len(),
            })
            .collect();
        self.page("index.html", "index.html", "home", &m.config.title, |cx| {
            cx.insert("stats", &stats);
            cx.insert("severities", &severities);
            cx.insert("recent", &recent);
            cx.insert("overdue_postmortems", &overdue_postmortems);
            cx.insert("overdue_items", &overdue_items.iter().take(8).collect::<Vec<_>>());
            cx.insert("browse", &browse);
            Ok(())
        })
    }

    /// `postmortems/index.html`: every postmortem in one table, with filter data.
    fn render_list(&self) -> anyhow::Result<()> {
        let m = self.model;
        let rows = self.rows(0..m.entries.len());
        let facets: Vec<_> = (0..m.entries.len()).map(|i| m.facets(i)).collect();
        let facets_json = script_json(&facets)?;
        let filters = [
            ("severity", "Severity"),
            ("status", "Status"),
            ("services", "Service"),
            ("team", "Team"),
            ("tags", "Tag"),
            ("year", "Year"),
        ]
        .map(|(key, label)| FilterDef { key, label });
        self.page(
            "postmortems/index.html",
            "postmortems.html",
            "postmortems",
            "All postmortems",
            |cx| {
                cx.insert("rows", &rows);
                cx.insert("facets_json", &facets_json);
                cx.insert("filters", &filters);
                Ok(())
            },
        )
    }

    /// One page per postmortem, in parallel.
    fn render_postmortems(&self) -> anyhow::Result<()> {
        let m = self.model;
        (0..m.entries.len()).into_par_iter().try_for_each(|i| {
            let e = &m.entries[i];
            let body = match &e.doc.split {
                Some(split) => &e.doc.source.text[split.body.start..split.body.end],
                None => "",
            };
            let here = e.doc.path().rsplit_once('/').map_or("", |(dir, _)| dir);
            let rewrite_here = |url: &str| self.rewrite_link(here, url);
            let rendered = markdown::render(
                body,
                RenderOptions { title: Some(&e.title), allow_html: m.config.site.allow_html },
                &rewrite_here,
            );
            let view = self.postmortem_view(i);
            let items = m.items(i);
            self.page(
                &e.href(),
                "postmortem.html",
                "postmortems",
                &format!("{}: {}", e.id, e.title),
                |cx| {
                    cx.insert("pm", &view);
                    cx.insert("items", &items);
                    cx.insert("toc", &rendered.toc);
                    cx.insert("body_html", &rendered.html);
                    Ok(())
                },
            )
        })
    }

    /// A relative link to another postmortem's `.md` file becomes a link to its page. `here`
    /// is the repo-relative folder of the linking file.
    fn rewrite_link(&self, here: &str, url: &str) -> Option<String> {
        if url.contains(':') || url.starts_with('/') || url.starts_with('#') {
            return None;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        if !(path.ends_with(".md") || path.ends_with(".markdown")) {
            return None;
        }
        let mut parts: Vec<&str> =
            if here.is_empty() { Vec::new() } else { here.split('/').collect() };
        for piece in path.split('/') {
            match piece {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                p => parts.push(p),
            }
        }
        let target = parts.join("/");
        let i = *self.model.by_path.get(target.as_str())?;
        let page = format!("{}.html", self.model.entries[i].page);
        Some(match fragment {
            Some(f) => format!("{page}#{f}"),
            None => page,
        })
    }

    fn postmortem_view(&self, i: usize) -> PostmortemView {
        let m = self.model;
        let e = &m.entries[i];
        let pm = e.pm;
        let t = &pm.times;
        let times: Vec<LabelValue> = [
            ("Started", &t.started_at),
            ("Detected", &t.detected_at),
            ("Acknowledged", &t.acknowledged_at),
            ("Mitigated", &t.mitigated_at),
            ("Resolved", &t.resolved_at),
        ]
        .into_iter()
        .filter_map(|(label, v)| v.as_ref().map(|v| LabelValue { label, value: m.time(&v.value) }))
        .collect();
        let d = t.durations();
        let durations: Vec<LabelValue> =
            [("to detect", d.detect), ("to mitigate", d.mitigate), ("to resolve", d.resolve)]
                .into_iter()
                .filter_map(|(label, v)| v.map(|v| LabelValue { label, value: human_duration(v) }))
                .collect();
        let impact = &pm.impact;
        let impact_view = (impact.summary.is_some()
            || impact.users_affected.is_some()
            || impact.revenue_loss.is_some()
            || !impact.slos.is_empty())
        .then(|| ImpactView {
            summary: impact.summary.clone().unwrap_or_default(),
            users_affected: impact.users_affected.map(format_number).unwrap_or_default(),
            revenue_loss: impact.revenue_loss.map(format_number).unwrap_or_default(),
            slos: impact
                .slos
                .iter()
                .map(|s| SloView {
                    name: s.name.clone(),
                    consumed: format_share(s.error_budget_consumed),
                })
                .collect(),
        });
        let related = e
            .related
            .iter()
            .map(|(id, target)| match target {
                Some(t) => RelatedView {
                    id: id.clone(),
                    title: m.entries[*t].title.clone(),
                    href: Some(m.entries[*t].href()),
                },
                None => RelatedView { id: id.clone(), title: id.clone(), href: None },
            })
            .collect();
        let backlinks = e
            .backlinks
            .iter()
            .filter(|&&b| !e.related.iter().any(|(_, t)| *t == Some(b)))
            .map(|&b| RelatedView {
                id: m.entries[b].id.clone(),
                title: m.entries[b].title.clone(),
                href: Some(m.entries[b].href()),
            })
            .collect();
        let (source_url, edit_url, history_url) = match &self.repo_url {
            Some(repo) => {
                let prefix = m.history.as_ref().map_or("", |h| h.prefix.as_str());
                let branch = encode_path(&m.config.site.branch);
                let path = encode_path(&format!("{prefix}{}", e.doc.path()));
                (
                    format!("{repo}/blob/{branch}/{path}"),
                    format!("{repo}/edit/{branch}/{path}"),
                    format!("{repo}/commits/{branch}/{path}"),
                )
            }
            None => Default::default(),
        };
        let ticket = pm.ticket.as_ref().map(|t| t.value.clone()).unwrap_or_default();
        PostmortemView {
            id: e.id.clone(),
            title: e.title.clone(),
            date: e.date_text(),
            status: e.status().as_str(),
            severity: pm.severity.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            severity_rank: e.severity_rank,
            owner: pm.owner.as_ref().map(|o| o.value.clone()).unwrap_or_default(),
            team: pm
                .team
                .as_ref()
                .and_then(|t| m.taxonomy(Kind::Team).get(&t.value))
                .map(|t| t.link()),
            services: m.links(Kind::Service, pm.services.iter().map(|s| s.value.as_str())),
            tags: m.links(Kind::Tag, pm.tags.iter().map(|s| s.value.as_str())),
            factors: m
                .links(Kind::Factor, pm.contributing_factors.iter().map(|s| s.value.as_str())),
            authors: pm.authors.iter().map(|a| a.value.clone()).collect(),
            reviewers: pm.reviewers.iter().map(|a| a.value.clone()).collect(),
            detection: pm.detection.as_ref().map_or("", |d| d.value.as_str()),
            ticket_url: m.ticket_url(&ticket),
            ticket,
            chat: pm.chat.as_ref().map(|c| c.value.clone()).unwrap_or_default(),
            due: pm.due.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            published_on: pm.published_on.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
            overdue: e.overdue,
            times,
            durations,
            impact: impact_view,
            open_items: pm.action_items.iter().filter(|a| a.is_outstanding()).count(),
            related,
            backlinks,
            similar: self.similar(e.doc.path()),
            problems: e
                .problems
                .iter()
                .map(|d| ProblemView {
                    severity: d.severity.as_str(),
                    code: d.code,
                    line: d.line,
                    message: d.message.clone(),
                })
                .collect(),
            errors: e.errors,
            updated: e.updated.clone().unwrap_or_default(),
            source_path: e.doc.path().to_owned(),
            source_url,
            edit_url,
            history_url,
        }
    }

    /// Per service, team, tag and contributing factor: an index and one page per term.
    fn render_terms(&self) -> anyhow::Result<()> {
        let m = self.model;
        let jobs: Vec<(Kind, Option<usize>)> = Kind::ALL
            .iter()
            .flat_map(|&k| {
                std::iter::once((k, None))
                    .chain((0..m.taxonomy(k).terms.len()).map(move |t| (k, Some(t))))
            })
            .collect();
        jobs.into_par_iter().try_for_each(|(kind, term)| match term {
            None => self.render_term_index(kind),
            Some(t) => self.render_term(kind, t),
        })
    }

    fn kind_view(kind: Kind) -> KindView {
        KindView { key: kind.dir(), label: kind.label(), singular: kind.singular() }
    }

    fn render_term_index(&self, kind: Kind) -> anyhow::Result<()> {
        let m = self.model;
        let terms: Vec<TermRow> = m
            .taxonomy(kind)
            .terms
            .iter()
            .map(|t| {
                let items = m.open_items(&t.entries);
                let service =
                    (kind == Kind::Service).then(|| m.config.services.get(&t.key)).flatten();
                TermRow {
                    name: t.name.clone(),
                    href: t.href(),
                    count: t.entries.len(),
                    open_items: items.len(),
                    overdue_items: items.iter().filter(|i| i.overdue_days > 0).count(),
                    description: service.and_then(|s| s.description.clone()).unwrap_or_default(),
                    team: service
                        .and_then(|s| s.team.as_ref())
                        .and_then(|team| m.taxonomy(Kind::Team).get(team.get_ref()))
                        .map(|t| t.link()),
                    latest: t
                        .entries
                        .iter()
                        .filter_map(|&i| m.entries[i].date)
                        .max()
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let rel = format!("{}/index.html", kind.dir());
        self.page(&rel, "terms.html", kind.dir(), kind.label(), |cx| {
            cx.insert("kind", &Self::kind_view(kind));
            cx.insert("terms", &terms);
            Ok(())
        })
    }

    fn render_term(&self, kind: Kind, index: usize) -> anyhow::Result<()> {
        let m = self.model;
        let term = &m.taxonomy(kind).terms[index];
        let rows = self.rows(term.entries.iter().copied());
        let items = m.open_items(&term.entries);
        let overdue_items = items.iter().filter(|i| i.overdue_days > 0).count();
        let mut view = TermView { name: term.name.clone(), ..TermView::default() };
        match kind {
            Kind::Service => {
                if let Some(s) = m.config.services.get(&term.key) {
                    view.description = s.description.clone().unwrap_or_default();
                    view.owner = s.owner.clone().unwrap_or_default();
                    view.team = s
                        .team
                        .as_ref()
                        .and_then(|t| m.taxonomy(Kind::Team).get(t.get_ref()))
                        .map(|t| t.link());
                }
            }
            Kind::Team => {
                if let Some(t) = m.config.teams.get(&term.key) {
                    view.owner = t.owner.clone().unwrap_or_default();
                    view.members = t.members.clone();
                }
                view.services = m
                    .config
                    .services
                    .iter()
                    .filter(|(_, s)| s.team.as_ref().is_some_and(|t| *t.get_ref() == term.key))
                    .filter_map(|(key, _)| m.taxonomy(Kind::Service).get(key))
                    .map(|t| t.link())
                    .collect();
            }
            Kind::Tag | Kind::Factor => {}
        }
        let title = format!("{}: {}", kind.singular(), term.name);
        self.page(&term.href(), "term.html", kind.dir(), &title, |cx| {
            cx.insert("kind", &Self::kind_view(kind));
            cx.insert("term", &view);
            cx.insert("rows", &rows);
            cx.insert("items", &items);
            cx.insert("overdue_items", &overdue_items);
            Ok(())
        })
    }

    /// `actions/index.html`: every open action item, by team and owner, overdue first.
    fn render_actions(&self) -> anyhow::Result<()> {
        let m = self.model;
        let all: Vec<usize> = (0..m.entries.len()).collect();
        let items = m.open_items(&all);
        let total = items.len();
        let overdue = items.iter().filter(|i| i.overdue_days > 0).count();
        // Team key → owner → items; "no team" and "unassigned" sort last.
        type ByOwner<'a> = std::collections::BTreeMap<(bool, String), Vec<&'a ItemView>>;
        let mut by_team: std::collections::BTreeMap<(bool, String), ByOwner<'_>> =
            std::collections::BTreeMap::new();
        for item in items {
            let team = item.team.as_ref().map(|t| t.name.clone());
            let owner = if item.owner.is_empty() { None } else { Some(item.owner.clone()) };
            by_team
                .entry((team.is_none(), team.unwrap_or_else(|| "No team".into())))
                .or_default()
                .entry((owner.is_none(), owner.unwrap_or_else(|| "Unassigned".into())))
                .or_default()
                .push(item);
        }
        let mut anchors = markdown::Names::default();
        let groups: Vec<TeamGroup> = by_team
            .into_iter()
            .map(|((_, name), owners)| {
                let owners: Vec<OwnerGroup> = owners
                    .into_iter()
                    .map(|((_, owner), mut items)| {
                        m.sort_items(&mut items);
                        OwnerGroup {
                            overdue: items.iter().filter(|i| i.overdue_days > 0).count(),
                            name: owner,
                            items,
                        }
                    })
                    .collect();
                let href = owners
                    .first()
                    .and_then(|o| o.items.first())
                    .and_then(|i| i.team.as_ref())
                    .map(|t| t.href.clone());
                TeamGroup {
                    anchor: format!("team-{}", anchors.name(&markdown::slugify(&name), "team")),
                    count: owners.iter().map(|o| o.items.len()).sum(),
                    overdue: owners.iter().map(|o| o.overdue).sum(),
                    href,
                    name,
                    owners,
                }
            })
            .collect();
        self.page("actions/index.html", "actions.html", "actions", "Action items", |cx| {
            cx.insert("groups", &groups);
            cx.insert("total", &total);
            cx.insert("overdue", &overdue);
            cx.insert("today", &m.today.to_string());
            Ok(())
        })
    }

    /// The three postmortems most similar to the one at `path` that have a page.
    fn similar(&self, path: &str) -> Vec<RelatedView> {
        let m = self.model;
        self.metrics
            .similar
            .get(path)
            .into_iter()
            .flatten()
            .filter_map(|s| m.by_path.get(s.path.as_str()).map(|&i| &m.entries[i]))
            .take(3)
            .map(|e| RelatedView { id: e.id.clone(), title: e.title.clone(), href: Some(e.href()) })
            .collect()
    }

    /// `metrics/index.html` (every chart and the definitions) and one page per team and per
    /// service under `metrics/teams/` and `metrics/services/`.
    fn render_metrics(&self) -> anyhow::Result<()> {
        let mx = self.metrics;
        let scopes = [("teams", "Team", &mx.teams), ("services", "Service", &mx.services)];
        // Page names in key order, so they are stable from build to build.
        let pages: Vec<Vec<MetricsScope>> = scopes
            .iter()
            .map(|(dir, singular, slices)| {
                let mut names = markdown::Names::default();
                slices
                    .iter()
                    .map(|(key, slice)| MetricsScope {
                        name: self.scope_name(dir, key),
                        href: format!(
                            "metrics/{dir}/{}.html",
                            names.name(key, &singular.to_ascii_lowercase())
                        ),
                        postmortems: slice.postmortems,
                        key,
                        slice,
                    })
                    .collect()
            })
            .collect();
        let jobs: Vec<(usize, usize)> = std::iter::once((0, usize::MAX))
            .chain((0..scopes.len()).flat_map(|s| (0..pages[s].len()).map(move |i| (s, i))))
            .collect();
        jobs.into_par_iter().try_for_each(|(s, i)| {
            if i == usize::MAX {
                let charts = chart_views(charts::overview(mx));
                return self.page(
                    "metrics/index.html",
                    "metrics.html",
                    "metrics",
                    "Metrics",
                    |cx| {
                        cx.insert("scope", &None::<MetricsScope>);
                        cx.insert("kind", "");
                        cx.insert("charts", &charts);
                        cx.insert("postmortems", &mx.overall.postmortems);
                        cx.insert("definitions", crate::metrics::DEFINITIONS);
                        cx.insert("teams", &pages[0]);
                        cx.insert("services", &pages[1]);
                        Ok(())
                    },
                );
            }
            let (dir, singular, _) = scopes[s];
            let page = &pages[s][i];
            let slice = page.slice;
            let prefix = if dir == "teams" { "team" } else { "service" };
            let charts = chart_views(charts::slice_charts(prefix, slice, &mx.severities));
            let term = self.model.taxonomy(kind_of(dir)).get(page.key).map(|t| t.link());
            let title = format!("{singular} metrics: {}", page.name);
            self.page(&page.href, "metrics.html", "metrics", &title, |cx| {
                cx.insert("scope", page);
                cx.insert("kind", singular);
                cx.insert("term", &term);
                cx.insert("charts", &charts);
                cx.insert("postmortems", &slice.postmortems);
                cx.insert("definitions", crate::metrics::DEFINITIONS);
                Ok(())
            })
        })
    }

    /// A team's configured name (else its key); a service's key.
    fn scope_name(&self, dir: &str, key: &str) -> String {
        self.model
            .taxonomy(kind_of(dir))
            .get(key)
            .map_or_else(|| key.to_owned(), |t| t.name.clone())
    }

    /// `search/index.html` and the search index under `search/` ([`search`]).
    fn render_search(&self) -> anyhow::Result<search::Stats> {
        let stats = search::build(self.model, &|rel, bytes| self.write(rel, bytes))?;
        self.page("search/index.html", "search.html", "search", "Search", |_| Ok(()))?;
        Ok(stats)
    }

    /// `404.html`.
    fn render_not_found(&self) -> anyhow::Result<()> {
        self.page("404.html", "404.html", "", "Page not found", |_| Ok(()))
    }

    /// `feed.xml`: the 50 most recently published postmortems.
    fn render_feed(&self) -> anyhow::Result<()> {
        let m = self.model;
        let mut published: Vec<(Date, usize)> = m
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.status() == Status::Published)
            .filter_map(|(i, e)| {
                e.pm.published_on.as_ref().map(|d| d.value).or(e.date).map(|d| (d, i))
            })
            .collect();
        published.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        published.truncate(50);
        let base = self.base_url.as_deref();
        let stamp = |d: Date| format!("{d}T00:00:00Z");
        let entries: Vec<FeedEntry> = published
            .iter()
            .map(|&(date, i)| {
                let e = &m.entries[i];
                let href = e.href();
                let updated = e
                    .updated
                    .as_deref()
                    .and_then(|u| u.parse::<Date>().ok())
                    .filter(|u| *u > date)
                    .unwrap_or(date);
                let mut categories: Vec<String> =
                    e.pm.severity.iter().map(|s| s.value.clone()).collect();
                categories.extend(e.pm.services.iter().map(|s| s.value.clone()));
                categories.extend(e.pm.tags.iter().map(|s| s.value.clone()));
                FeedEntry {
                    title: format!("{}: {}", e.id, e.title),
                    id: match base {
                        Some(b) => format!("{b}{href}"),
                        None => format!("urn:pm:postmortem:{}", encode_path(&e.id)),
                    },
                    url: match base {
                        Some(b) => format!("{b}{href}"),
                        None => href,
                    },
                    published: stamp(date),
                    updated: stamp(updated),
                    authors: if e.pm.authors.is_empty() {
                        e.pm.owner.iter().map(|o| o.value.clone()).collect()
                    } else {
                        e.pm.authors.iter().map(|a| a.value.clone()).collect()
                    },
                    categories,
                    summary: e.summary.clone(),
                }
            })
            .collect();
        let feed = FeedView {
            id: match base {
                Some(b) => format!("{b}feed.xml"),
                None => format!("urn:pm:feed:{}", encode_path(&m.config.title)),
            },
            updated: entries
                .iter()
                .map(|e| e.updated.clone())
                .max()
                .unwrap_or_else(|| "1970-01-01T00:00:00Z".into()),
            home: match base {
                Some(b) => format!("{b}index.html"),
                None => "index.html".into(),
            },
            self_url: base.map(|b| format!("{b}feed.xml")),
        };
        self.page("feed.xml", "feed.xml", "", "Feed", |cx| {
            cx.insert("feed", &feed);
            cx.insert("entries", &entries);
            Ok(())
        })
    }

    /// `sitemap.xml`, only with a `base_url` (a sitemap needs absolute URLs).
    fn render_sitemap(&self) -> anyhow::Result<()> {
        let Some(base) = self.base_url.as_deref() else { return Ok(()) };
        let m = self.model;
        let mut pages = self.html.lock().map(|h| h.clone()).unwrap_or_default();
        pages.retain(|p| p != "404.html");
        pages.sort();
        let updated: std::collections::HashMap<String, &str> =
            m.entries.iter().filter_map(|e| e.updated.as_deref().map(|u| (e.href(), u))).collect();
        let urls: Vec<SitemapUrl> = pages
            .iter()
            .map(|p| SitemapUrl {
                loc: format!("{base}{}", encode_path(p)),
                lastmod: updated.get(p).map(|u| (*u).to_owned()).unwrap_or_default(),
            })
            .collect();
        self.page("sitemap.xml", "sitemap.xml", "", "Sitemap", |cx| {
            cx.insert("urls", &urls);
            Ok(())
        })
    }

    /// `postmortems.json`: the structured data of every postmortem (documented in docs/site.md).
    fn render_json(&self) -> anyhow::Result<()> {
        let bytes = json::postmortems_json(self.model, self.base_url.as_deref())?;
        self.write("postmortems.json", &bytes)?;
        self.progress.inc(1);
        Ok(())
    }

    /// The theme's CSS, JavaScript and other files, into `assets/`.
    fn render_assets(&self) -> anyhow::Result<()> {
        for (name, bytes) in &self.theme.assets {
            self.write(&format!("assets/{name}"), bytes)?;
        }
        Ok(())
    }
}

/// The taxonomy of a metrics scope folder.
fn kind_of(dir: &str) -> Kind {
    if dir == "teams" { Kind::Team } else { Kind::Service }
}

/// Charts as the template places them: a title (for the page's contents) and the finished
/// `<figure>`.
fn chart_views(charts: Vec<charts::Chart>) -> Vec<ChartView> {
    charts.into_iter().map(|c| ChartView { html: c.html(), id: c.id, title: c.title }).collect()
}

/// `1234567` → `1,234,567`; fractions keep two decimals.
fn format_number(n: f64) -> String {
    if n.fract() != 0.0 || n.abs() >= 1e15 {
        return format!("{n:.2}");
    }
    let digits = format!("{}", n.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

/// A share of an error budget, written as a fraction (0.35) or a percentage (35).
fn format_share(v: f64) -> String {
    let percent = if v <= 1.0 { v * 100.0 } else { v };
    let text = format!("{percent:.1}");
    format!("{}%", text.trim_end_matches(".0"))
}

/// "45 min", "3 h 20 min", "2 d 4 h".
fn human_duration(d: jiff::SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    if minutes < 1 {
        return "< 1 min".into();
    }
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_number(14220.0), "14,220");
        assert_eq!(format_number(1234567.0), "1,234,567");
        assert_eq!(format_number(12.5), "12.50");
        assert_eq!(format_share(0.35), "35%");
        assert_eq!(format_share(12.5), "12.5%");
        assert_eq!(root_of("postmortems/a.html"), "../");
        assert_eq!(root_of("index.html"), "");
    }

    #[test]
    fn durations_read_well() {
        let m = |n: i64| jiff::SignedDuration::from_secs(n * 60);
        assert_eq!(human_duration(m(0)), "< 1 min");
        assert_eq!(human_duration(m(45)), "45 min");
        assert_eq!(human_duration(m(60)), "1 h");
        assert_eq!(human_duration(m(200)), "3 h 20 min");
        assert_eq!(human_duration(m(24 * 60 + 5)), "1 d");
        assert_eq!(human_duration(m(2 * 24 * 60 + 4 * 60 + 5)), "2 d 4 h");
    }
}

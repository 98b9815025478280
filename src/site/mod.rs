//! `pm build`: the static postmortem site.
//!
//! A build follows the data, one module a step, as [`build`] runs them:
//! - [`catalog`]: the checked repository turned once into sorted, display-ready values
//!   ([`Catalog::load`]), with each file's last commit date from [`git`]; the metrics
//!   ([`crate::metrics::compute`]) are computed beside it.
//! - `render`: one `render_*` method per output, grouped by what they render. Each page is
//!   rendered to memory from a template of the [`theme`] and the values of [`views`]; bodies go
//!   through [`markdown`], charts come from `charts`, the search index from [`search`], and
//!   `feed`, `sitemap` and `json` say what their files hold.
//! - `writer`: the one place rendered files go. A build writes them into a staging folder that
//!   replaces the output only when every page was written ([`output`]); [`single`] keeps the
//!   one page it renders in memory.
//! - `timings`: the phase times and peak memory behind `PM_TIMINGS`.
//!
//! Privacy comes first: [`build`] hands every step the repository as its readers may see it
//! ([`crate::repo::Repo::for_readers`]: `[site] publish` and each postmortem's `visibility`), so
//! no renderer can publish what it was never given.
//!
//! Safety lives in three places: templates autoescape every value ([`theme`]), markdown bodies
//! go through [`markdown`] (raw HTML escaped or sanitized, unsafe URL schemes dropped), and JSON
//! embedded in a page goes through `json::script_json`. The only `| safe` values in the
//! built-in templates are those two outputs and the charts, finished SVG and table markup that
//! escapes every repository value.
//!
//! A new section of the site is a further `render_*` step with its own entry in [`nav`].

pub mod catalog;
mod charts;
mod feed;
pub mod git;
mod json;
pub mod manifest;
pub mod markdown;
pub mod output;
mod render;
pub mod search;
pub mod single;
mod sitemap;
pub mod theme;
mod timings;
pub mod views;
mod writer;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use serde::Serialize;

use crate::check::Loaded;
use crate::diagnostic::{Diagnostic, Severity};
use crate::repo::Repo;
use crate::site::catalog::Catalog;
use crate::site::render::Site;
use crate::site::theme::Theme;
use crate::site::timings::Timings;
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
    /// Reuse the files of the previous site that are the same ([`manifest`]); `false` writes
    /// every file (`--no-cache`).
    pub cache: bool,
}

/// A finished build.
#[derive(Debug, Clone)]
pub struct Built {
    /// Where the site is.
    pub out: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// All files of the site (pages, feed, data, assets).
    pub files: usize,
    /// Of those, the files written anew.
    pub written: usize,
    /// Of those, the files of the previous site reused as they were (hard-linked).
    pub reused: usize,
    /// Of the reused files, the pages not even rendered: their inputs were unchanged.
    pub unrendered: usize,
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
        NavItem { key: "review", label: "Review", href: "review/index.html" },
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
    /// The path the site is published under (`/` or `/pm/`), for pages served at any depth.
    path_prefix: String,
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
        let path_prefix = crate::url::path_prefix(base_url.as_deref());
        Self {
            title: config.title.clone(),
            nav: nav(),
            feed: true,
            base_url,
            path_prefix,
            repo_url,
        }
    }
}

/// Builds the site of a repository loaded and checked by [`crate::check::load`] (keeping
/// [`crate::check::Keep::Pages`]), with its git `history` and `theme`. `started` is when the
/// load began, so the timings and the elapsed time cover the whole build. A `search_memo`
/// keeps the search index's tokens from one build to the next in the same process.
pub fn build(
    loaded: Loaded,
    history: Option<git::History>,
    mut theme: Theme,
    options: &Options,
    started: Instant,
    search_memo: Option<&search::index::Memo>,
) -> anyhow::Result<BuildOutcome> {
    let Loaded { mut repo, mut diagnostics, remembered, .. } = loaded;
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
    // From here on the build sees only what its readers may: drafts the site does not publish
    // and private postmortems are gone, restricted ones are stubs, and nothing `pm check` said
    // about either is shown. Every page, list, feed, index and figure reads this repository.
    let hidden = repo.for_readers();
    diagnostics.retain(|d| !hidden.contains(&d.path));

    // One judge for the pages and the metrics, so commit trailers (when the completion policy
    // counts them) are read once.
    let judge = crate::completion::Judge::new(
        &repo.workspace.config,
        repo.tickets.as_deref(),
        options.today,
        Some(&repo.workspace.root),
    );
    // The metrics need only the repository, so they are computed while the catalog is built.
    let (catalog, metrics) = rayon::join(
        || Catalog::load(&repo, &diagnostics, history, options.today, &judge),
        || {
            let options = crate::metrics::Options::new(options.today);
            crate::metrics::compute_with(&repo, &options, &judge)
        },
    );
    let catalog = catalog?;
    timings.mark("model+metrics");
    let globals = SiteGlobals::new(catalog.config);
    theme.tera.global_context().insert("site", &globals);

    let staging = output::Staging::begin(&options.out, &repo.workspace.root)?;
    // Only the manifest of a site this build may replace (it carries the marker) is read.
    let previous = if options.cache { manifest::Previous::read(staging.target()) } else { None };
    let disk = writer::Disk::new(staging.dir(), render::folders(), previous)?;
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
    let fingerprint = {
        // Everything every page depends on besides its own data: pm itself, the theme, the
        // configuration and the values every template sees.
        let mut hasher = manifest::KeyHasher::default();
        hasher.str(env!("CARGO_PKG_VERSION")).key(theme.fingerprint);
        hasher.str(&format!("{:?}", catalog.config));
        hasher.json(&globals);
        hasher.finish()
    };
    let site = Site::new(&catalog, &metrics, &theme, &globals, &disk, progress, fingerprint)
        .remembering(search_memo.filter(|_| options.cache));
    let search = site.render_all()?;
    site.progress().finish_and_clear();
    timings.mark("render");
    let (pages, files) = (site.pages(), site.files());
    let (written, reused, unrendered) = (disk.written(), disk.reused(), site.unrendered());
    disk.finish()?;
    let out = staging.commit()?;
    timings.mark("swap");
    let mut notes = vec![
        timings::search_note(&search),
        format!("files: {written} written, {reused} reused ({unrendered} pages not rendered)"),
    ];
    if let Some(remembered) = remembered {
        notes.push(format!("documents: {remembered} remembered from the previous build"));
    }
    timings.report(&notes);
    let built = Built {
        out,
        pages,
        files,
        written,
        reused,
        unrendered,
        postmortems: catalog.entries.len(),
        with_errors: catalog.entries.iter().filter(|e| e.errors > 0).count(),
        skipped,
        warnings: search.warnings.clone(),
        search: Box::new(search),
        elapsed: started.elapsed(),
    };
    drop(site);
    drop(catalog);
    drop(judge);
    drop(diagnostics);
    // Freeing a loaded repository of thousands of documents takes a noticeable moment; do it
    // off the caller's path (a command exits without waiting, `pm serve` frees it meanwhile).
    std::thread::spawn(move || drop(repo));
    Ok(BuildOutcome::Built(built))
}

/// Files that yielded no postmortem, with the first error `pm check` gave for them, then the
/// paths the walk could not read (a link leading outside the repository, a folder without
/// permission): a build must say what it left out, as `pm check` does.
fn skipped(repo: &Repo, diagnostics: &[Diagnostic]) -> Vec<(String, String)> {
    let unwalked = repo
        .walk_problems
        .iter()
        .map(|p| (p.rel.clone(), format!("cannot read this path: {}", p.message)));
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
        .chain(unwalked)
        .collect()
}

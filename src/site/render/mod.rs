//! Rendering a site: [`Site`] holds what one build renders from (the catalog, the metrics, the
//! theme, the site's URLs), renders each output to memory and hands it to the build's
//! [`Writer`], which writes it. One file per concern renders its outputs: the home and 404
//! pages (`home`), the postmortems (`postmortems`), the taxonomies (`taxonomies`), the action
//! items (`actions`), the review queue (`review`), the metrics (`metrics`), search (`search`),
//! and the files that are not HTML pages (`files`: `postmortems.json`, the feed, the sitemap,
//! the theme's assets).
//!
//! Pages render in parallel (rayon) and each is handed to the writer as soon as it is rendered,
//! so memory stays flat; each page is deterministic on its own, so the order of writing does
//! not matter.

mod actions;
mod files;
mod home;
mod metrics;
mod postmortems;
mod review;
mod search;
mod taxonomies;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::site::SiteGlobals;
use crate::site::catalog::{Catalog, Kind};
use crate::site::manifest::{Key, KeyHasher};
use crate::site::theme::{Theme, tera_error};
use crate::site::timings::index_alone;
use crate::site::views::Row;
use crate::site::writer::Writer;

/// The folders of a site, created before anything is written into them (some may stay empty,
/// such as `metrics/teams` when no postmortem names a team).
pub(super) fn folders() -> impl Iterator<Item = &'static str> {
    [
        "postmortems",
        "actions",
        "review",
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

/// The state of one build while rendering.
pub(super) struct Site<'m, 'r> {
    catalog: &'m Catalog<'r>,
    metrics: &'m crate::metrics::Metrics,
    theme: &'m Theme,
    out: &'m dyn Writer,
    base_url: Option<String>,
    path_prefix: String,
    repo_url: Option<String>,
    pages: AtomicUsize,
    files: AtomicUsize,
    /// Pages reused from the previous build without rendering them.
    unrendered: AtomicUsize,
    /// Every HTML page written (site-relative), for the sitemap.
    html: Mutex<Vec<String>>,
    /// The titles of the Action Items section (with its configured aliases), normalized: the
    /// section whose table the page's own action-item table replaces.
    item_section_titles: Vec<String>,
    progress: indicatif::ProgressBar,
    /// A hash of what every page depends on besides its own values (pm, theme, config, the
    /// template globals): the start of every page's cache key.
    fingerprint: Key,
    /// A hash of where each postmortem's page is, which a body's links to other postmortems'
    /// files are rewritten to; computed once, when a page first needs it.
    link_map: std::sync::OnceLock<Key>,
    /// The tokens of the previous build in this process (`pm serve`), for the search index.
    search_memo: Option<&'m crate::site::search::index::Memo>,
}

/// The variables of one page, as [`tera::Context::insert`] takes them, hashed on the way in:
/// with the template and the theme, they are everything the page is rendered from, so the hash
/// is its cache key ([`crate::site::manifest`]).
pub(super) struct Cx {
    cx: tera::Context,
    hasher: KeyHasher,
    hashable: bool,
    /// The page's key is known already: the variables need no hashing.
    keyed: bool,
}

impl Cx {
    /// Sets the variable `key` to `val`.
    pub(super) fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, val: &T) {
        if !self.keyed {
            self.hasher.str(key);
            self.hashable &= self.hasher.json(val);
        }
        self.cx.insert(key, val);
    }
}

impl<'m, 'r> Site<'m, 'r> {
    /// Renders `catalog` and `metrics` with `theme` (its `site` global set to `globals`) into
    /// `out`, counting pages on `progress`.
    pub(super) fn new(
        catalog: &'m Catalog<'r>,
        metrics: &'m crate::metrics::Metrics,
        theme: &'m Theme,
        globals: &SiteGlobals,
        out: &'m dyn Writer,
        progress: indicatif::ProgressBar,
        fingerprint: Key,
    ) -> Self {
        Self {
            catalog,
            metrics,
            theme,
            out,
            base_url: globals.base_url.clone(),
            path_prefix: globals.path_prefix.clone(),
            repo_url: globals.repo_url.clone(),
            pages: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            unrendered: AtomicUsize::new(0),
            html: Mutex::new(Vec::new()),
            item_section_titles: std::iter::once("Action Items")
                .chain(
                    catalog
                        .config
                        .sections
                        .aliases
                        .iter()
                        .filter(|(k, _)| k.eq_ignore_ascii_case("action items"))
                        .flat_map(|(_, v)| v.iter().map(String::as_str)),
                )
                .map(crate::parse::markdown::normalize_title)
                .collect(),
            progress,
            fingerprint,
            link_map: std::sync::OnceLock::new(),
            search_memo: None,
        }
    }

    /// The same site, building its search index with the tokens the previous build in this
    /// process kept in `memo` (and keeping this build's there).
    pub(super) fn remembering(self, memo: Option<&'m crate::site::search::index::Memo>) -> Self {
        Self { search_memo: memo, ..self }
    }

    /// HTML pages written so far.
    pub(super) fn pages(&self) -> usize {
        self.pages.load(Ordering::Relaxed)
    }

    /// Files written so far (pages, feed, data, assets, search index).
    pub(super) fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// Pages reused from the previous build without rendering them.
    pub(super) fn unrendered(&self) -> usize {
        self.unrendered.load(Ordering::Relaxed)
    }

    /// The progress bar, to clear when the pages are done.
    pub(super) fn progress(&self) -> &indicatif::ProgressBar {
        &self.progress
    }

    /// Renders every page and the search index; what the index step wrote.
    pub(super) fn render_all(&self) -> anyhow::Result<crate::site::search::Stats> {
        let terms: usize =
            Kind::ALL.iter().map(|&k| self.catalog.taxonomy(k).terms.len() + 1).sum();
        let metrics = 1 + self.metrics.teams.len() + self.metrics.services.len();
        self.progress.set_length((self.catalog.entries.len() + terms + metrics + 6) as u64);

        // The big single pages first, so they overlap with the many small ones. The search
        // index, the biggest single step, runs beside all of them.
        let steps: [&(dyn Fn() -> anyhow::Result<()> + Sync); 10] = [
            &|| self.render_list(),
            &|| self.render_json(),
            &|| self.render_actions(),
            &|| self.render_review(),
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

    /// Renders `template` with the variables every page has (the way to the site `root`, its
    /// `section` and `page_title`) and `fill`'s as the page `rel`, and writes it; or, when the
    /// previous build rendered the same template from the same variables, reuses its file.
    pub(super) fn page(
        &self,
        rel: &str,
        template: &str,
        section: &str,
        title: &str,
        fill: impl FnOnce(&mut Cx) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.page_keyed(rel, template, section, title, None, fill)
    }

    /// The start of the cache key of the page `rel`, rendered by `template`.
    fn page_key(&self, rel: &str, template: &str, section: &str, title: &str) -> KeyHasher {
        let mut hasher = KeyHasher::default();
        hasher.key(self.fingerprint).str(rel).str(template).str(section).str(title);
        hasher
    }

    /// [`Site::page`] with the page's cache `key` already known (computed by the caller from
    /// what the variables are made of), instead of hashed from the variables.
    fn page_keyed(
        &self,
        rel: &str,
        template: &str,
        section: &str,
        title: &str,
        key: Option<Key>,
        fill: impl FnOnce(&mut Cx) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut cx = Cx {
            cx: tera::Context::new(),
            hasher: KeyHasher::default(),
            hashable: true,
            keyed: key.is_some(),
        };
        cx.cx.insert("root", &root_of(rel));
        cx.cx.insert("section", section);
        cx.cx.insert("page_title", title);
        fill(&mut cx)?;
        let key = key.or_else(|| {
            cx.hashable.then(|| {
                self.page_key(rel, template, section, title).key(cx.hasher.finish()).finish()
            })
        });
        if key.is_some_and(|key| self.out.reuse(rel, key)) {
            self.unrendered.fetch_add(1, Ordering::Relaxed);
        } else {
            let bytes = self.render(rel, template, &cx.cx)?;
            drop(cx);
            self.out.write_keyed(rel, &bytes, key)?;
        }
        self.count_page(rel);
        Ok(())
    }

    /// Counts the page `rel` as written (to the progress bar, the totals and the sitemap).
    fn count_page(&self, rel: &str) {
        self.files.fetch_add(1, Ordering::Relaxed);
        if rel.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut html) = self.html.lock() {
                html.push(rel.to_owned());
            }
        }
        self.progress.inc(1);
    }

    /// The page `rel`, rendered to memory: `template` with the variables of `cx`.
    fn render(&self, rel: &str, template: &str, cx: &tera::Context) -> anyhow::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(16 * 1024);
        self.theme.tera.render_to(template, cx, &mut buf).map_err(|e| {
            anyhow::anyhow!("cannot render {rel} with {template}: {}", tera_error(&e))
        })?;
        Ok(buf)
    }

    /// Hands the rendered file `rel` to the writer.
    fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.out.write(rel, bytes)?;
        self.count_files(1);
        Ok(())
    }

    /// Hands the file `rel`, made from inputs whose hash is `key`, to the writer.
    fn write_keyed(&self, rel: &str, bytes: &[u8], key: Key) -> anyhow::Result<()> {
        self.out.write_keyed(rel, bytes, Some(key))?;
        self.count_files(1);
        Ok(())
    }

    /// Counts `n` files (not pages) as written.
    fn count_files(&self, n: usize) {
        self.files.fetch_add(n, Ordering::Relaxed);
    }

    /// The table rows of `entries`.
    fn rows(&self, entries: impl IntoIterator<Item = usize>) -> Vec<&Row> {
        entries.into_iter().map(|i| self.catalog.row(i)).collect()
    }
}

/// `""` for pages at the root, `"../"` one folder down.
fn root_of(rel: &str) -> String {
    "../".repeat(rel.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_find_the_root() {
        assert_eq!(root_of("postmortems/a.html"), "../");
        assert_eq!(root_of("index.html"), "");
    }
}

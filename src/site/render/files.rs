//! The site's files that are not HTML pages: `postmortems.json` ([`crate::site::json`]),
//! `feed.xml` ([`crate::site::feed`]), `sitemap.xml` ([`crate::site::sitemap`]) and the
//! theme's CSS, JavaScript and other assets.

use crate::site::render::Site;
use crate::site::{feed, json, sitemap};

impl Site<'_, '_> {
    /// `postmortems.json`: the structured data of every postmortem (documented in docs/site.md).
    pub(super) fn render_json(&self) -> anyhow::Result<()> {
        let bytes = json::postmortems_json(self.catalog, self.base_url.as_deref())?;
        self.write("postmortems.json", &bytes)?;
        self.progress.inc(1);
        Ok(())
    }

    /// `feed.xml`: the most recently published postmortems.
    pub(super) fn render_feed(&self) -> anyhow::Result<()> {
        let (feed, entries) = feed::feed(self.catalog, self.base_url.as_deref());
        self.page("feed.xml", "feed.xml", "", "Feed", |cx| {
            cx.insert("feed", &feed);
            cx.insert("entries", &entries);
            Ok(())
        })
    }

    /// `sitemap.xml`, from the pages written so far (so it is rendered last), only with a
    /// `base_url`: a sitemap needs absolute URLs.
    pub(super) fn render_sitemap(&self) -> anyhow::Result<()> {
        let Some(base) = self.base_url.as_deref() else { return Ok(()) };
        let pages = self.html.lock().map(|h| h.clone()).unwrap_or_default();
        let urls = sitemap::urls(self.catalog, base, pages);
        self.page("sitemap.xml", "sitemap.xml", "", "Sitemap", |cx| {
            cx.insert("urls", &urls);
            Ok(())
        })
    }

    /// The theme's CSS, JavaScript and other files, into `assets/`.
    pub(super) fn render_assets(&self) -> anyhow::Result<()> {
        for (name, bytes) in &self.theme.assets {
            self.write(&format!("assets/{name}"), bytes)?;
        }
        Ok(())
    }
}

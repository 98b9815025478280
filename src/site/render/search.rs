//! Search: the page `search/index.html` and the index its script queries, built by
//! [`crate::site::search`] and written through the same writer as the pages.

use crate::site::render::Site;
use crate::site::search;

impl Site<'_, '_> {
    /// `search/index.html` and the search index under `search/` ([`search`]).
    pub(super) fn render_search(&self) -> anyhow::Result<search::Stats> {
        let stats = search::build(self.catalog, &|rel, bytes| self.write(rel, bytes))?;
        self.page("search/index.html", "search.html", "search", "Search", |_| Ok(()))?;
        Ok(stats)
    }
}

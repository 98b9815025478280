//! Search: the page `search/index.html` and the index its script queries, built by
//! [`crate::site::search`] and written through the same writer as the pages.

use crate::site::render::Site;
use crate::site::search;

impl Site<'_, '_> {
    /// `search/index.html` and the search index under `search/` ([`search`]).
    pub(super) fn render_search(&self) -> anyhow::Result<search::Stats> {
        let started = std::time::Instant::now();
        let entries = search::entry_keys(self.catalog);
        let key = search::inputs_key(&entries, self.fingerprint);
        let stats = match self.out.reuse_group("search/", key) {
            Some(files) => {
                self.count_files(files.len());
                search::Stats::reused(&files, &|rel| self.out.read_back(rel), started)?
            }
            None => search::build(
                self.catalog,
                &|rel, bytes| self.write_keyed(rel, bytes, key),
                self.search_memo.map(|memo| (memo, &entries[..])),
            )?,
        };
        self.page("search/index.html", "search.html", "search", "Search", |_| Ok(()))?;
        Ok(stats)
    }
}

//! The site's entry pages: `index.html` (counts, what needs attention, recent postmortems) and
//! `404.html`.

use crate::model::Status;
use crate::site::catalog::Kind;
use crate::site::render::Site;
use crate::site::views::{BrowseLink, HomeStats, ItemView, Recent, SeverityCount};

impl Site<'_, '_> {
    /// `index.html`: counts, what needs attention, recent postmortems.
    pub(super) fn render_home(&self) -> anyhow::Result<()> {
        let m = self.catalog;
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

    /// `404.html`. A server answers any missing address with it, at any depth, so relative
    /// links would break: its `root` is the site's path on the origin that served it
    /// (`/` or `/pm/`, from `base_url`), never a `<base href>`, which would let `base_url` (or
    /// production, when previewing) decide where its script and styles load from.
    pub(super) fn render_not_found(&self) -> anyhow::Result<()> {
        self.page("404.html", "404.html", "", "Page not found", |cx| {
            cx.insert("root", &self.path_prefix);
            Ok(())
        })
    }
}

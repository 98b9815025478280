//! The metrics pages: `metrics/index.html` (every chart of [`crate::metrics`] and their
//! definitions) and one page per team and per service. The charts come from
//! [`crate::site::charts`] as finished markup; the completion figures (time from resolution to
//! completion, share completed on time, and on the overview each team's, ranked by it only when
//! the repository asks for it with `[metrics] rank_teams`) are a table
//! the template lays out.

use rayon::prelude::*;

use crate::site::catalog::Kind;
use crate::site::charts;
use crate::site::markdown;
use crate::site::render::Site;
use crate::site::views::{ChartView, CompletionRow, MetricsScope};

impl Site<'_, '_> {
    /// `metrics/index.html` (every chart and the definitions) and one page per team and per
    /// service under `metrics/teams/` and `metrics/services/`.
    pub(super) fn render_metrics(&self) -> anyhow::Result<()> {
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
                let completion = completion_row("All teams", None, &mx.overall.completion);
                let teams: Vec<CompletionRow> = crate::metrics::completion_by_team(mx)
                    .into_iter()
                    .map(|(key, c)| {
                        let page = pages[0].iter().find(|p| p.key == key);
                        let name = page.map_or_else(|| key.to_owned(), |p| p.name.clone());
                        completion_row(&name, page.map(|p| p.href.clone()), c)
                    })
                    .collect();
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
                        cx.insert("completion", &completion);
                        cx.insert("completion_teams", &teams);
                        cx.insert("rank_teams", &mx.leaderboard.is_some());
                        Ok(())
                    },
                );
            }
            let (dir, singular, _) = scopes[s];
            let page = &pages[s][i];
            let slice = page.slice;
            let prefix = if dir == "teams" { "team" } else { "service" };
            let charts = chart_views(charts::slice_charts(prefix, slice, &mx.severities));
            let term = self.catalog.taxonomy(kind_of(dir)).get(page.key).map(|t| t.link());
            let title = format!("{singular} metrics: {}", page.name);
            let completion = completion_row(&page.name, None, &slice.completion);
            self.page(&page.href, "metrics.html", "metrics", &title, |cx| {
                cx.insert("scope", page);
                cx.insert("completion", &completion);
                cx.insert("completion_teams", &Vec::<CompletionRow>::new());
                cx.insert("rank_teams", &false);
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
        self.catalog
            .taxonomy(kind_of(dir))
            .get(key)
            .map_or_else(|| key.to_owned(), |t| t.name.clone())
    }
}

/// The taxonomy of a metrics scope folder.
fn kind_of(dir: &str) -> Kind {
    if dir == "teams" { Kind::Team } else { Kind::Service }
}

/// The completion figures of a slice, formatted as `pm metrics` prints them ("—" when missing).
fn completion_row(
    name: &str,
    href: Option<String>,
    c: &crate::metrics::Completion,
) -> CompletionRow {
    use crate::metrics::report::{maybe, percent};
    CompletionRow {
        name: name.to_owned(),
        href,
        held: c.held,
        complete: c.complete,
        median_days: maybe(c.days_to_complete.median),
        p90_days: maybe(c.days_to_complete.p90),
        with_days: c.days_to_complete.count,
        on_time: c.on_time,
        late: c.late,
        on_time_rate: percent(c.on_time_rate),
    }
}

/// Charts as the template places them: a title (for the page's contents) and the finished
/// `<figure>`.
fn chart_views(charts: Vec<charts::Chart>) -> Vec<ChartView> {
    charts.into_iter().map(|c| ChartView { html: c.html(), id: c.id, title: c.title }).collect()
}

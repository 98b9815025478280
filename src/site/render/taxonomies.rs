//! The taxonomy pages: for services, teams, tags and contributing factors, an index of the
//! terms and one page per term (its postmortems and open action items; for services and teams,
//! what pm.toml says about them).

use rayon::prelude::*;

use crate::site::catalog::Kind;
use crate::site::render::Site;
use crate::site::views::{KindView, TermRow, TermView};

impl Site<'_, '_> {
    /// Per service, team, tag and contributing factor: an index and one page per term.
    pub(super) fn render_terms(&self) -> anyhow::Result<()> {
        let m = self.catalog;
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

    /// A taxonomy's names, as its pages show them.
    fn kind_view(kind: Kind) -> KindView {
        KindView { key: kind.dir(), label: kind.label(), singular: kind.singular() }
    }

    /// `<kind>/index.html`: every term of `kind`, with its postmortems and open action items
    /// counted.
    fn render_term_index(&self, kind: Kind) -> anyhow::Result<()> {
        let m = self.catalog;
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

    /// The page of the term `index` of `kind`: its postmortems and open action items.
    fn render_term(&self, kind: Kind, index: usize) -> anyhow::Result<()> {
        let m = self.catalog;
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
}

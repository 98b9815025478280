//! The postmortems: `postmortems/index.html` (every postmortem in one filterable table) and one
//! page per postmortem, its markdown body rendered ([`crate::site::markdown`]) beside what its
//! front matter, `pm check`, its completion policy and the metrics' similarity say about it.

use anyhow::Context as _;
use rayon::prelude::*;

use crate::model::Visibility;
use crate::site::catalog::{Kind, encode_path};
use crate::site::json::script_json;
use crate::site::markdown::{self, RenderOptions};
use crate::site::render::Site;
use crate::site::views::{
    FilterDef, ImpactView, LabelValue, PostmortemView, ProblemView, RelatedView, SloView,
};

impl Site<'_, '_> {
    /// `postmortems/index.html`: every postmortem in one table, with filter data.
    pub(super) fn render_list(&self) -> anyhow::Result<()> {
        let m = self.catalog;
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
    pub(in crate::site) fn render_postmortems(&self) -> anyhow::Result<()> {
        let m = self.catalog;
        (0..m.entries.len()).into_par_iter().try_for_each(|i| {
            let e = &m.entries[i];
            let here = e.doc.path().rsplit_once('/').map_or("", |(dir, _)| dir);
            let view = self.postmortem_view(i);
            let items = m.items(i);
            let (rel, title) = (e.href(), format!("{}: {}", e.id, e.title));
            // The key of the page is known before its text is read again: the body is made
            // from the text and the configuration (part of every key), so an unchanged page
            // costs neither a read, markdown nor template.
            let key = {
                let mut hasher = self.page_key(&rel, "postmortem.html", "postmortems", &title);
                hasher.key(e.doc.text_key()).str(here);
                if e.links_files {
                    hasher.key(self.link_map());
                }
                (hasher.json(&view) && hasher.json(&items)).then(|| hasher.finish())
            };
            if key.is_some_and(|key| self.out.reuse(&rel, key)) {
                self.unrendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.count_page(&rel);
                return Ok(());
            }
            let text = e.doc.text(m.root).with_context(|| format!("cannot render {rel}"))?;
            let body = self.body_without_item_table(i, &text);
            let rewrite_here = |url: &str| self.rewrite_link(here, url);
            let rendered = markdown::render(
                &body,
                RenderOptions { title: Some(&e.title), allow_html: m.config.site.allow_html },
                &rewrite_here,
            );
            self.page_keyed(&rel, "postmortem.html", "postmortems", &title, key, |cx| {
                cx.insert("pm", &view);
                cx.insert("items", &items);
                cx.insert("toc", &rendered.toc);
                cx.insert("body_html", &rendered.html);
                // The context holds its own copy: one copy of a big body less at the peak.
                drop(rendered);
                Ok(())
            })
        })
    }

    /// A hash of every postmortem's file and page: what [`Site::rewrite_link`] reads.
    fn link_map(&self) -> crate::site::manifest::Key {
        *self.link_map.get_or_init(|| {
            let mut hasher = crate::site::manifest::KeyHasher::default();
            for e in &self.catalog.entries {
                hasher.str(e.doc.path()).str(&e.page);
            }
            hasher.finish()
        })
    }

    /// The body of entry `i`, whose text is `text`, to render: as written, except that when the front matter lists
    /// action items (the page's own table shows them, tickets linked) the tables of the body's
    /// Action Items section are left out, and the section with them when nothing else is in it.
    fn body_without_item_table<'t>(&self, i: usize, text: &'t str) -> std::borrow::Cow<'t, str> {
        use std::borrow::Cow;
        let e = &self.catalog.entries[i];
        let Some(split) = &e.doc.split else { return Cow::Borrowed("") };
        let body = &text[split.body.start..split.body.end];
        let section = e.pm.body.section(&self.item_section_titles);
        let Some(section) = section.filter(|_| !e.pm.action_items.is_empty()) else {
            return Cow::Borrowed(body);
        };
        let (content, left) =
            markdown::without_tables(&text[section.content.start..section.content.end]);
        if matches!(content, Cow::Borrowed(_)) {
            return Cow::Borrowed(body);
        }
        let mut out = String::with_capacity(body.len());
        if left {
            out.push_str(&text[split.body.start..section.content.start]);
            out.push_str(&content);
        } else {
            out.push_str(&text[split.body.start..section.heading.start]);
        }
        out.push_str(&text[section.content.end..split.body.end]);
        Cow::Owned(out)
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
        let i = *self.catalog.by_path.get(target.as_str())?;
        let page = format!("{}.html", self.catalog.entries[i].page);
        Some(match fragment {
            Some(f) => format!("{page}#{f}"),
            None => page,
        })
    }

    fn postmortem_view(&self, i: usize) -> PostmortemView {
        let m = self.catalog;
        let e = &m.entries[i];
        let pm = e.pm;
        let restricted = pm.visibility == Visibility::Restricted;
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
        .filter(|_| !restricted)
        .collect();
        let d = t.durations();
        let durations: Vec<LabelValue> =
            [("to detect", d.detect), ("to mitigate", d.mitigate), ("to resolve", d.resolve)]
                .into_iter()
                .filter_map(|(label, v)| v.map(|v| LabelValue { label, value: human_duration(v) }))
                .filter(|_| !restricted)
                .collect();
        let impact = &pm.impact;
        let impact_view = (impact.summary.is_some()
            || impact.users_affected.is_some()
            || impact.revenue_loss.is_some()
            || !impact.slos.is_empty())
        .then(|| ImpactView {
            summary: impact.summary.clone().unwrap_or_default(),
            users_affected: impact.users_affected.map(format_number).unwrap_or_default(),
            revenue_loss: impact
                .revenue_loss
                .map(|n| money(n, m.config.site.currency.as_deref()))
                .unwrap_or_default(),
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
        let linked: std::collections::HashSet<usize> =
            e.related.iter().filter_map(|(_, t)| *t).collect();
        let backlinks = e
            .backlinks
            .iter()
            .filter(|&b| !linked.contains(b))
            .map(|&b| RelatedView {
                id: m.entries[b].id.clone(),
                title: m.entries[b].title.clone(),
                href: Some(m.entries[b].href()),
            })
            .collect();
        // A restricted page names no file: its name may say what the incident was.
        let (source_url, edit_url, history_url) = match &self.repo_url {
            Some(repo) if !restricted => {
                let prefix = m.history.as_ref().map_or("", |h| h.prefix.as_str());
                let branch = encode_path(&m.config.site.branch);
                let path = encode_path(&format!("{prefix}{}", e.doc.path()));
                (
                    format!("{repo}/blob/{branch}/{path}"),
                    format!("{repo}/edit/{branch}/{path}"),
                    format!("{repo}/commits/{branch}/{path}"),
                )
            }
            _ => Default::default(),
        };
        let ticket = pm.ticket.as_ref().map(|t| t.value.clone()).unwrap_or_default();
        PostmortemView {
            restricted,
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
            services: m.links(Kind::Service, crate::model::listed(&pm.services)),
            tags: m.links(Kind::Tag, crate::model::listed(&pm.tags)),
            factors: m.links(Kind::Factor, crate::model::listed(&pm.contributing_factors)),
            authors: pm.authors.iter().map(|a| a.value.clone()).collect(),
            reviewers: pm.reviewers.iter().map(|a| a.value.clone()).collect(),
            detection: pm.detection.as_ref().map_or("", |d| d.value.as_str()),
            ticket_url: m.config.ticket_url(&ticket),
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
            similar: if restricted { Vec::new() } else { self.similar(e.doc.path()) },
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
            completion: m.completion(i),
            updated: e.updated.clone().unwrap_or_default(),
            source_path: if restricted { String::new() } else { e.doc.path().to_owned() },
            source_url,
            edit_url,
            history_url,
        }
    }

    /// The three postmortems most similar to the one at `path` that have a page.
    fn similar(&self, path: &str) -> Vec<RelatedView> {
        let m = self.catalog;
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

/// A money amount: `14,220 USD` with `[site] currency = "USD"`, else the number alone.
fn money(n: f64, currency: Option<&str>) -> String {
    match currency.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("{} {c}", format_number(n)),
        None => format_number(n),
    }
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
        assert_eq!(money(14220.0, Some("USD")), "14,220 USD");
        assert_eq!(money(14220.0, None), "14,220");
        assert_eq!(format_share(0.35), "35%");
        assert_eq!(format_share(12.5), "12.5%");
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

//! `feed.xml`: an Atom feed of the 50 most recently published postmortems (public ones: a
//! restricted postmortem's stub is not announced). With a `base_url`
//! its ids and links are absolute URLs; without one, ids are stable `urn:pm:` names and links
//! are relative to the site.

use jiff::civil::Date;

use crate::model::{Status, Visibility};
use crate::site::catalog::Catalog;
use crate::site::catalog::encode_path;
use crate::site::views::{FeedEntry, FeedView};

/// How many postmortems the feed lists.
const ENTRIES: usize = 50;

/// The feed of `m` for the template `feed.xml`: the feed itself and its entries, newest first.
/// `base` is the site's `base_url`, when it has one.
pub(super) fn feed(m: &Catalog<'_>, base: Option<&str>) -> (FeedView, Vec<FeedEntry>) {
    let mut published: Vec<(Date, usize)> = m
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.status() == Status::Published)
        // A feed is read outside the site (readers, chat integrations): stubs stay off it.
        .filter(|(_, e)| e.pm.visibility == Visibility::Public)
        .filter_map(|(i, e)| e.pm.published_on.as_ref().map(|d| d.value).or(e.date).map(|d| (d, i)))
        .collect();
    published.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    published.truncate(ENTRIES);
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
            categories.extend(crate::model::listed(&e.pm.services).map(str::to_owned));
            categories.extend(crate::model::listed(&e.pm.tags).map(str::to_owned));
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
    (feed, entries)
}

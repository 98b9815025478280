//! `sitemap.xml`: every HTML page of the site but the 404 page and restricted stubs, with the date of its last
//! commit where git knows it. Written last, from the pages the build wrote, and only with a
//! `base_url`: a sitemap needs absolute URLs.

use crate::site::catalog::Catalog;
use crate::site::catalog::encode_path;
use crate::site::views::SitemapUrl;

/// The sitemap's URLs for the template `sitemap.xml`: the HTML `pages` written (site-relative)
/// under `base`, the site's `base_url`, in path order; `m` tells when each postmortem changed.
pub(super) fn urls(m: &Catalog<'_>, base: &str, mut pages: Vec<String>) -> Vec<SitemapUrl> {
    // Stubs of restricted postmortems are for people who follow a link, not for crawlers.
    let stubs: std::collections::HashSet<String> = m
        .entries
        .iter()
        .filter(|e| e.pm.visibility != crate::model::Visibility::Public)
        .map(|e| e.href())
        .collect();
    pages.retain(|p| p != "404.html" && !stubs.contains(p));
    pages.sort();
    let updated: std::collections::HashMap<String, &str> =
        m.entries.iter().filter_map(|e| e.updated.as_deref().map(|u| (e.href(), u))).collect();
    pages
        .iter()
        .map(|p| SitemapUrl {
            loc: format!("{base}{}", encode_path(p)),
            lastmod: updated.get(p).map(|u| (*u).to_owned()).unwrap_or_default(),
        })
        .collect()
}

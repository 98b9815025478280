//! The completion policy on the site, on `tests/fixtures/completion-site` (every judgement computed by
//! hand in its README.md): the badge and checklist of each postmortem page, the review queue, and
//! the completion table of the metrics page. The pages are also checked as every site is (links
//! land, nothing runs); `site::builds_are_byte_identical` builds this fixture twice and
//! `html_validation` validates it.

use std::collections::BTreeMap;

use crate::site::{assert_inert, assert_links_resolve, html_files};
use crate::support::fs::{crate_path, files};
use crate::support::site::build;

const FIXTURE: &str = "tests/fixtures/completion-site";

fn site() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&crate_path(FIXTURE), &out);
    let site = files(&out);
    (tmp, site)
}

fn page(site: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = site.get(path).unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8(bytes.clone()).expect("UTF-8 page")
}

/// The text of `html` from `start` to the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start} in:\n{html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |e| e + end.len())]
}

/// The criteria of a page's checklist: (met, the item's text without tags).
fn checklist(html: &str) -> Vec<(bool, String)> {
    let list = between(html, "<ul class=\"checklist\"", "</ul>");
    list.split("<li class=\"")
        .skip(1)
        .map(|item| {
            let met = item.starts_with("is-met\"");
            (met, text(item.split_once('>').map_or(item, |(_, rest)| rest)))
        })
        .collect()
}

/// `html` without its tags, whitespace collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pages_show_completeness_in_words_with_the_checklist() {
    let (_tmp, site) = site();

    // Complete: the badge in the header links to the card; every criterion says "Met".
    let done = page(&site, "postmortems/INC-2026-0001.html");
    assert!(
        done.contains(
            "<a class=\"badge completeness is-complete\" href=\"#pm-completion\">complete</a>"
        ),
        "header badge"
    );
    let criteria = checklist(&done);
    assert_eq!(criteria.len(), 7, "{criteria:?}");
    assert!(criteria.iter().all(|(met, text)| *met && text.starts_with("✓ Met:")), "{criteria:?}");
    assert!(
        criteria
            .iter()
            .any(|(_, t)| t == "✓ Met: 1 approval from the owner of payments 1 of 1 (olivia)"),
        "{criteria:?}"
    );
    let card = text(between(&done, "<section class=\"card meta completion\"", "</section>"));
    assert!(card.contains("complete since 2026-02-12"), "{card}");
    assert!(card.contains("Approvals olivia on 2026-02-12"), "{card}");
    assert!(!card.contains("more approval"), "{card}");

    // In review, one approval missing: dave approved, but only pat (the owner) may.
    let review = page(&site, "postmortems/INC-2026-0003.html");
    assert!(review.contains(">85% complete</a>"), "header badge");
    let unmet: Vec<String> =
        checklist(&review).into_iter().filter(|(met, _)| !met).map(|(_, t)| t).collect();
    assert_eq!(unmet, ["✗ Not met: 1 approval from the owner of platform 0 of 1"]);
    let card = text(between(&review, "<section class=\"card meta completion\"", "</section>"));
    assert!(card.contains("1 more approval needed. Could approve: pat."), "{card}");

    // A draft with a placeholder and an overdue assignment; the written section's assignment
    // is not owed.
    let draft = page(&site, "postmortems/INC-2026-0004.html");
    assert!(draft.contains(">42% complete</a>"), "header badge");
    let unmet: Vec<String> =
        checklist(&draft).into_iter().filter(|(met, _)| !met).map(|(_, t)| t).collect();
    assert_eq!(
        unmet,
        [
            "✗ Not met: required sections written Impact has a placeholder",
            "✗ Not met: 1 approval from the owner of platform 0 of 1",
            "✗ Not met: a review held (meeting or asynchronous) no review recorded: add \
             `review: {mode: meeting, held_on, attendees}` or `review: {mode: async, opened_on}`",
            "✗ Not met: Were affected customers told? not answered",
        ]
    );
    let card = text(between(&draft, "<section class=\"card meta completion\"", "</section>"));
    assert!(card.contains("Sections owed carol owes Impact, due 2026-11-20 5 days late"), "{card}");
    assert!(!card.contains("dave owes"), "a written section is not owed: {card}");

    // Before `completion.since`: not held to the policy, so no badge and no card.
    let old = page(&site, "postmortems/INC-2025-0099.html");
    assert!(!old.contains("pm-completion") && !old.contains("completeness"), "no completion");
}

#[test]
fn review_queue_lists_what_waits_oldest_first() {
    let (_tmp, site) = site();
    let home = page(&site, "index.html");
    assert!(home.contains("<a href=\"review/index.html\">Review</a>"), "in the navigation");

    let queue = page(&site, "review/index.html");
    assert!(queue.contains("class=\"active\" aria-current=\"page\">Review</a>"), "current section");
    let body = between(&queue, "<tbody>", "</tbody>");
    let rows: Vec<String> = body.split("<tr").skip(1).map(text).collect();
    assert_eq!(
        rows,
        [
            "INC-2026-0004 DNS cache misses slowed search draft 2026-11-27 42% complete 1 pat \
             carol: Impact, due 2026-11-20 5 days late",
            "INC-2026-0003 DNS failures after a resolver upgrade in review 2026-11-30 85% \
             complete 1 pat",
        ],
        "the draft missing an approval (due first), then the one in review; not the published \
         ones, even INC-2025-0099 that misses an approval"
    );
    assert!(
        body.contains("href=\"../postmortems/INC-2026-0004.html#pm-completion\""),
        "the score links to the checklist"
    );
    let lede = text(between(&queue, "<p class=\"lede\">", "</p>"));
    assert_eq!(
        lede,
        "2 postmortems waiting: 1 in review, 2 missing approvals, as of 2026-11-25 . The \
         earliest due date first."
    );
}

#[test]
fn metrics_page_ranks_teams_by_on_time_completion() {
    let (_tmp, site) = site();
    let metrics = page(&site, "metrics/index.html");
    let section = between(
        &metrics,
        "<section class=\"pm-section\" aria-labelledby=\"pm-completion\"",
        "</section>",
    );
    let figures = text(between(section, "<dl", "</dl>"));
    assert_eq!(
        figures,
        "Held to the policy 5 Complete 3 Median days from resolution to completion 10 (over 3) \
         p90 days from resolution to completion 16 Completed on time 66.7% (2 of 3)"
    );
    let rows: Vec<String> =
        between(section, "<tbody>", "</tbody>").split("<tr").skip(1).map(text).collect();
    assert_eq!(
        rows,
        ["Search 1 1 4 4 1 0 100%", "Payments 2 2 13 16 1 1 50%", "Platform 2 0 — — 0 0 —",],
        "on-time share, best first, teams with nothing complete last"
    );
    assert!(section.contains("href=\"../metrics/teams/search.html\""), "rows link to the team");

    // A team's page has its own figures, without the ranking.
    let team = page(&site, "metrics/teams/payments.html");
    let section = between(&team, "aria-labelledby=\"pm-completion\"", "</section>");
    assert!(text(section).contains("Median days from resolution to completion 13 (over 2)"));
    assert!(!section.contains("<table"), "no ranking on a team's page");

    for (path, html) in html_files(&site) {
        assert_inert(path, &html);
    }
    assert_links_resolve(&site, 100);
}

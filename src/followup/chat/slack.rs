//! Slack messages with Block Kit blocks, the body of a POST to an incoming webhook
//! (`{"text": …, "blocks": […]}`): `pm actions --format slack` here, `pm todo --format slack`
//! through `message` too.
//!
//! A message is a header (the report's title), a context line (as of when), one section per
//! group of lines in mrkdwn (for `pm actions`, one per owner listing their items), and, when
//! the report does not fit, a closing context line "… and K more items". Slack refuses the
//! whole message when one limit is broken, so the limits it enforces are kept here, in
//! `message`, for every report: at most 50 blocks, a section's text at most 3,000 characters
//! (a group with more lines than that continues in a second section), a header's plain text at
//! most 150.
//!
//! User text is escaped as Slack documents for mrkdwn (`&` `<` `>` as `&amp;` `&lt;` `&gt;`),
//! so a title cannot open a link or a mention (`<!channel>`), and every text is `verbatim`, so
//! Slack does not turn a bare `@channel`, `#channel` or URL in a title into one either. The
//! only `<…>` in the message are the ticket links written here. mrkdwn has no escape for
//! `*`, `_` or `~`: a title with them may show in bold or italics, which misleads nobody.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::{Frame, frame, owner, postmortem, team_names, ticket, title, tracker};
use crate::config::Config;
use crate::followup::Item;
use crate::followup::render::{OwnerGroup, by_owner, due_words, status_words};

/// Blocks in one message.
pub const MAX_BLOCKS: usize = 50;
/// Characters of a section block's text.
pub const MAX_SECTION_TEXT: usize = 3000;
/// Characters of a header block's plain text.
pub const MAX_HEADER_TEXT: usize = 150;

/// Most UTF-16 units an escaped link target may take in an item's line.
const LINK_BUDGET: usize = 1000;

/// The length Slack holds a text to. Slack says "characters" without saying which; counting
/// UTF-16 code units is never less than counting characters, so a text within the limit by
/// this count is within it by either.
pub(super) fn length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `text` with mrkdwn's control characters escaped, as Slack documents.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL as the target of a mrkdwn link `<url|label>`: `|`, `<`, `>` and spaces would end the
/// target early, so they are percent-encoded (a URL means the same either way), and `&` is
/// escaped like any `&` in mrkdwn. `None` for a URL with control characters, which has no
/// business in a link.
fn link_target(url: &str) -> Option<String> {
    if url.contains(char::is_control) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '|' => out.push_str("%7C"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    Some(out)
}

/// An owner's heading: "*alice* (Payments) — 2 items, 1 overdue".
fn heading(group: &OwnerGroup<'_>) -> String {
    let who = match (group.owner, team_names(&group.teams)) {
        (Some(_), Some(teams)) => format!("*{}* ({})", escape(&owner(group.owner)), escape(&teams)),
        _ => format!("*{}*", escape(&owner(group.owner))),
    };
    format!("{who} — {}", group.counts())
}

/// The heading of an owner's second (third…) section.
fn continued(group: &OwnerGroup<'_>) -> String {
    format!("*{}* (continued)", escape(&owner(group.owner)))
}

/// One item as a mrkdwn list line.
fn line(item: &Item) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut head = String::new();
    if let Some(p) = item.priority {
        head.push_str(&format!("*{p}* "));
    }
    head.push_str(&escape(&title(item)));
    parts.push(head);
    match due_words(item) {
        (due, Some(late)) => parts.push(format!("{due}, *{late}*")),
        (due, None) => parts.push(due),
    }
    parts.extend(status_words(item));
    parts.push(match ticket(item) {
        // Escaping can make a URL five times longer: one that would still be long once
        // escaped is shown as its label, so an item's line always fits in a section.
        Some((label, Some(url))) => match link_target(url).filter(|t| length(t) <= LINK_BUDGET) {
            Some(target) => format!("<{target}|{}>", escape(&label)),
            None => format!("`{}`", escape(&label)),
        },
        Some((label, None)) => format!("`{}`", escape(&label)),
        None => "no ticket".to_owned(),
    });
    if let Some((said, synced)) = tracker(item) {
        let drift = if item.has_drift() { " · :warning: *drift*" } else { "" };
        parts.push(format!("tracker: {} (synced {synced}){drift}", escape(&said)));
    }
    parts.push(match postmortem(item) {
        (path, true) => format!("`{}`", escape(&path)),
        (id, false) => escape(&id),
    });
    format!("• {}", parts.join(" · "))
}

/// Lines under a heading, in as many sections as they take: one owner's items, one person's
/// overdue things.
pub(super) struct Group {
    /// The first line of the group's first section (mrkdwn).
    pub heading: String,
    /// The first line of each further section, when the lines overflow one (mrkdwn).
    pub continued: String,
    /// One mrkdwn line per thing listed, each short enough to fit in a section under either
    /// heading.
    pub lines: Vec<String>,
}

/// The groups' sections: the mrkdwn text of each and how many lines it lists. A group whose
/// lines do not fit in one section continues in the next.
fn sections(groups: &[Group]) -> Vec<(String, usize)> {
    let mut sections = Vec::new();
    for group in groups {
        let (mut text, mut listed) = (group.heading.clone(), 0);
        for line in &group.lines {
            if length(&text) + 1 + length(line) > MAX_SECTION_TEXT {
                sections.push((text, listed));
                (text, listed) = (group.continued.clone(), 0);
            }
            text.push('\n');
            text.push_str(line);
            listed += 1;
        }
        sections.push((text, listed));
    }
    sections
}

fn mrkdwn(text: &str) -> Value {
    json!({"type": "mrkdwn", "text": text, "verbatim": true})
}

fn context_block(text: &str) -> Value {
    json!({"type": "context", "elements": [mrkdwn(text)]})
}

/// The Slack message of `frame` with `groups`: every line when the blocks and sections allow,
/// else the sections that fit and a closing line for the rest.
pub(super) fn message(frame: &Frame, groups: &[Group]) -> anyhow::Result<String> {
    let header: String = frame.title.chars().take(MAX_HEADER_TEXT).collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": header, "emoji": true}}),
        context_block(&escape(&frame.context)),
    ];
    let mut sections = sections(groups);
    // Room for the sections; when they do not all fit, one block goes to saying so.
    if blocks.len() + sections.len() > MAX_BLOCKS {
        sections.truncate(MAX_BLOCKS - blocks.len() - 1);
    }
    let total: usize = groups.iter().map(|g| g.lines.len()).sum();
    let listed: usize = sections.iter().map(|(_, n)| n).sum();
    blocks
        .extend(sections.iter().map(|(text, _)| json!({"type": "section", "text": mrkdwn(text)})));
    if listed < total {
        blocks.push(context_block(&escape(&frame.more(total - listed))));
    }
    let message = json!({
        // The top-level text is mrkdwn too (it is what a notification shows).
        "text": escape(&frame.fallback),
        "blocks": blocks,
        // A ticket link would otherwise unfurl into a preview of the tracker under the report.
        "unfurl_links": false,
        "unfurl_media": false,
    });
    // Pretty, so that a message can be read in a CI log: Slack's limits are per block, and
    // indentation counts towards none of them.
    let mut text = serde_json::to_string_pretty(&message)?;
    text.push('\n');
    Ok(text)
}

/// The Slack message for `items` (selected and sorted) as of `today`.
pub fn render(items: &[Item], today: Date, config: &Config) -> anyhow::Result<String> {
    let groups: Vec<Group> = by_owner(items, config)
        .iter()
        .map(|group| Group {
            heading: heading(group),
            continued: continued(group),
            lines: group.items.iter().map(|item| line(item)).collect(),
        })
        .collect();
    message(&frame(items, today), &groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_slack_reads_as_markup() {
        assert_eq!(
            escape("<!channel> & <https://evil|x>"),
            "&lt;!channel&gt; &amp; &lt;https://evil|x&gt;"
        );
        assert_eq!(escape("plain *bold*"), "plain *bold*");
    }

    #[test]
    fn link_targets_cannot_end_early() {
        assert_eq!(
            link_target("https://t.example/a b|c<d>?x=1&y=2").as_deref(),
            Some("https://t.example/a%20b%7Cc%3Cd%3E?x=1&amp;y=2")
        );
        assert_eq!(link_target("https://t.example/\n"), None);
    }

    #[test]
    fn the_longest_values_keep_an_item_within_a_section() {
        let wide = |n: usize| "&".repeat(n * 2);
        let item = Item {
            title: Some(wide(1000)),
            owner: Some(wide(1000)),
            ticket: Some(wide(1000)),
            ticket_url: Some(format!("https://t.example/{}", "&".repeat(480))),
            ticket_state: Some(crate::model::TicketState::Open),
            ticket_status: Some(wide(1000)),
            ticket_synced: Some(jiff::civil::date(2026, 5, 31)),
            drift: vec!["ticket-done"],
            postmortem_id: Some(wide(1000)),
            priority: Some(crate::model::Priority::P0),
            due: Some(jiff::civil::date(2026, 1, 1)),
            overdue: true,
            days_overdue: 100_000,
            ..Item::default()
        };
        let line = line(&item);
        assert!(length(&line) < MAX_SECTION_TEXT, "{}", length(&line));
        let group = OwnerGroup {
            owner: item.owner.as_deref(),
            teams: vec![wide(1000)],
            items: vec![&item],
        };
        assert!(length(&continued(&group)) + 1 + length(&line) <= MAX_SECTION_TEXT);
        assert!(length(&heading(&group)) <= MAX_SECTION_TEXT);
    }
}

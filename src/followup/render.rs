//! The action-item report in each output format: an aligned terminal table, markdown for a
//! chat channel or a ticket (grouped by owner), JSON and CSV.
//!
//! Every renderer takes items already selected and sorted (see [`super::select`]) and returns
//! the whole text, so the command writes it in one go and tests compare it byte for byte.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use jiff::civil::Date;
use serde::Serialize;

use super::Item;
use crate::config::Config;
use crate::diagnostic::printable;
use crate::model::{ItemStatus, Priority};
use crate::words::plural;

/// Longest item title shown in the table before it is cut with "…".
const TITLE_WIDTH: usize = 60;

/// The one-line summary under a report.
pub fn summary(items: &[Item], today: Date) -> String {
    let overdue = items.iter().filter(|i| i.overdue).count();
    format!(
        "{}, {overdue} overdue (as of {today})",
        plural(items.len(), "action item", "action items")
    )
}

/// A value of the user's as one line of a chat message: every run of whitespace (line breaks
/// included, which would otherwise end a list item or open a quote) becomes one space, other
/// control characters show as pictures, and it is cut to `width` characters so that one long
/// value cannot take a message over its platform's limits.
pub(crate) fn one_line(text: &str, width: usize) -> String {
    let joined = printable(text).split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&joined, width)
}

/// Paints `text` with `style` when `color` is on.
fn paint(color: bool, style: Style, text: &str) -> String {
    if color && style != Style::new() && !text.is_empty() {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

/// A terminal hyperlink (OSC 8) around `text` when colours are on; terminals that do not know
/// the sequence show the text alone.
fn hyperlink(color: bool, url: Option<&str>, text: &str) -> String {
    match url {
        Some(url) if color => format!("\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\"),
        _ => text.to_owned(),
    }
}

/// A value as one line of a terminal table may show it (see [`printable_line`]).
fn shown(text: &str) -> String {
    crate::diagnostic::printable_line(text).into_owned()
}

/// `text` cut to `width` characters, the cut marked with "…".
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

fn priority_style(p: Option<Priority>) -> Style {
    match p {
        Some(Priority::P0) => AnsiColor::Red.on_default().effects(Effects::BOLD),
        Some(Priority::P1) => AnsiColor::Yellow.on_default(),
        _ => Style::new(),
    }
}

/// The aligned table. Colours (and terminal hyperlinks on tickets) only when `color`.
pub fn table(items: &[Item], today: Date, color: bool) -> String {
    if items.is_empty() {
        return format!("No action items match (as of {today}).\n");
    }
    let dash = || "-".to_owned();
    // The tracker's word gets a column only when the ticket cache has something to say.
    let synced = items.iter().any(|i| i.ticket_state.is_some());
    let mut header = vec!["DUE", "OVERDUE", "PRI", "STATUS", "OWNER", "POSTMORTEM", "TICKET"];
    if synced {
        header.push("TRACKER");
    }
    header.push("ITEM");
    // Cells as plain text first (for widths), with the style each gets when painted.
    let rows: Vec<Vec<(String, Style, Option<String>)>> = items
        .iter()
        .map(|i| {
            // A ticket URL goes inside an OSC 8 sequence: one with control characters in it
            // could end that sequence early, so it gets no hyperlink at all.
            let ticket_url = i.ticket_url.clone().filter(|u| !u.contains(char::is_control));
            let late = AnsiColor::Red.on_default().effects(Effects::BOLD);
            let faded = if i.is_outstanding() {
                Style::new()
            } else {
                Style::new().effects(Effects::DIMMED)
            };
            let mut row = vec![
                (
                    i.due.map_or_else(dash, |d| d.to_string()),
                    if i.overdue { late } else { faded },
                    None,
                ),
                (
                    if i.overdue { format!("{}d", i.days_overdue) } else { String::new() },
                    late,
                    None,
                ),
                (i.priority.map_or_else(dash, |p| p.to_string()), priority_style(i.priority), None),
                (i.status_label().to_owned(), faded, None),
                (i.owner.as_deref().map_or_else(dash, shown), Style::new(), None),
                (shown(i.postmortem_id.as_deref().unwrap_or(&i.path)), Style::new(), None),
                (i.ticket.as_deref().map_or_else(dash, shown), Style::new(), ticket_url),
            ];
            if synced {
                let drift = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
                row.push(match i.ticket_state {
                    Some(state) if i.has_drift() => (format!("{state} (drift)"), drift, None),
                    Some(state) => (state.to_string(), faded, None),
                    None => (dash(), faded, None),
                });
            }
            row.push((
                truncate(&shown(i.title.as_deref().unwrap_or("(untitled)")), TITLE_WIDTH),
                faded,
                None,
            ));
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, (cell, _, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let bold = Style::new().effects(Effects::BOLD);
    let last = header.len() - 1;
    let line: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let padded =
                if c == last { (*h).to_owned() } else { format!("{h:<w$}", w = widths[c]) };
            paint(color, bold, &padded)
        })
        .collect();
    let _ = writeln!(out, "{}", line.join("  "));
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, (text, style, url))| {
                let pad = if c == last { 0 } else { widths[c] - text.chars().count() };
                let shown = hyperlink(color, url.as_deref(), &paint(color, *style, text));
                format!("{shown}{}", " ".repeat(pad))
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    let _ = writeln!(out, "\n{}", summary(items, today));
    out
}

/// What a report shows for an item's ticket: a URL without its scheme, else the ticket as
/// written.
pub(crate) fn ticket_label(item: &Item) -> Option<&str> {
    let ticket = item.ticket.as_deref()?;
    Some(match &item.ticket_url {
        Some(url) if url == ticket => {
            ticket.trim_start_matches("https://").trim_start_matches("http://")
        }
        _ => ticket,
    })
}

/// The ticket as a markdown link when it has a URL, else as text.
fn ticket_link(item: &Item) -> Option<String> {
    let label = ticket_label(item)?;
    Some(match &item.ticket_url {
        Some(url) => format!("[{label}]({url})"),
        None => format!("`{label}`"),
    })
}

/// The items of one owner, as the grouped reports (markdown, Slack, Teams) show them.
pub(crate) struct OwnerGroup<'a> {
    /// The owner (`None`: items nobody owns).
    pub owner: Option<&'a str>,
    /// The display names of the owner's teams.
    pub teams: Vec<String>,
    /// The owner's items, in report order.
    pub items: Vec<&'a Item>,
}

impl OwnerGroup<'_> {
    /// "alice (Payments)", or "No owner".
    pub fn who(&self) -> String {
        match self.owner {
            Some(o) if self.teams.is_empty() => o.to_owned(),
            Some(o) => format!("{o} ({})", self.teams.join(", ")),
            None => "No owner".to_owned(),
        }
    }

    /// "3 items, 1 overdue" (no overdue part when none is).
    pub fn counts(&self) -> String {
        let overdue = self.items.iter().filter(|i| i.overdue).count();
        let count = plural(self.items.len(), "item", "items");
        if overdue > 0 { format!("{count}, {overdue} overdue") } else { count }
    }
}

/// `items` grouped by owner, owners in report order (the owner of the most overdue item
/// first) and items without an owner last: they are nobody's until someone takes them.
pub(crate) fn by_owner<'a>(items: &'a [Item], config: &Config) -> Vec<OwnerGroup<'a>> {
    let mut owners: Vec<Option<&str>> = Vec::new();
    for item in items {
        if !owners.contains(&item.owner.as_deref()) {
            owners.push(item.owner.as_deref());
        }
    }
    owners.sort_by_key(|o| o.is_none());
    owners
        .into_iter()
        .map(|owner| OwnerGroup {
            owner,
            teams: owner
                .map(|o| {
                    super::teams_of(config, o)
                        .iter()
                        .map(|t| {
                            config
                                .teams
                                .get(t)
                                .and_then(|t| t.name.clone())
                                .unwrap_or_else(|| t.clone())
                        })
                        .collect()
                })
                .unwrap_or_default(),
            items: items.iter().filter(|i| i.owner.as_deref() == owner).collect(),
        })
        .collect()
}

/// How late an item is, in words: "due 2026-03-01" or "no due date", and "15 days overdue"
/// when it is.
pub(crate) fn due_words(item: &Item) -> (String, Option<String>) {
    match item.due {
        Some(due) if item.overdue => {
            let days = plural(usize::try_from(item.days_overdue).unwrap_or(0), "day", "days");
            (format!("due {due}"), Some(format!("{days} overdue")))
        }
        Some(due) => (format!("due {due}"), None),
        None => ("no due date".to_owned(), None),
    }
}

/// The item's status when it is worth a word: anything but a plain `open`.
pub(crate) fn status_words(item: &Item) -> Option<String> {
    (item.status != Some(ItemStatus::Open))
        .then(|| item.status.map_or("no valid status".to_owned(), |s| s.to_string()))
}

/// What the tracker said of the ticket, in its own words, and when the cache heard it.
pub(crate) fn tracker_words(item: &Item) -> Option<(&str, Date)> {
    let (state, synced) = (item.ticket_state?, item.ticket_synced?);
    Some((item.ticket_status.as_deref().unwrap_or(state.as_str()), synced))
}

/// Markdown grouped by owner, owners in report order (the owner of the most overdue item
/// first), each with a count; ready to paste into a chat channel, an issue or a ticket.
pub fn markdown(items: &[Item], today: Date, config: &Config) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Action items\n");
    if items.is_empty() {
        let _ = writeln!(out, "No action items match (as of {today}).");
        return out;
    }
    let _ = writeln!(out, "{}.", capitalize(&summary(items, today)));
    for group in by_owner(items, config) {
        let _ = writeln!(out, "\n### {} — {}\n", group.who(), group.counts());
        for item in group.items {
            let _ = writeln!(out, "{}", markdown_line(item));
        }
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn markdown_line(item: &Item) -> String {
    let done = !item.is_outstanding();
    let mut parts: Vec<String> = Vec::new();
    let mut head = String::new();
    if let Some(p) = item.priority {
        let _ = write!(head, "**{p}** ");
    }
    head.push_str(item.title.as_deref().unwrap_or("(untitled)"));
    parts.push(head);
    match due_words(item) {
        (due, Some(late)) => parts.push(format!("{due}, **{late}**")),
        (due, None) => parts.push(due),
    }
    parts.extend(status_words(item));
    parts.push(ticket_link(item).unwrap_or_else(|| "no ticket".to_owned()));
    if let Some((said, synced)) = tracker_words(item) {
        let drift = if item.has_drift() { ", **drift**" } else { "" };
        parts.push(format!("tracker: {said} (synced {synced}){drift}"));
    }
    let pm = match (&item.postmortem_id, &item.postmortem_title) {
        (Some(id), Some(title)) => format!("{id} ({title})"),
        (Some(id), None) => id.clone(),
        (None, _) => format!("`{}`", item.path),
    };
    parts.push(pm);
    format!("- [{}] {}", if done { "x" } else { " " }, parts.join(" · "))
}

/// The JSON report: `{"today", "summary": {"items", "overdue"}, "items": [...]}`.
pub fn json(items: &[Item], today: Date) -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct Summary {
        items: usize,
        overdue: usize,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        today: Date,
        summary: Summary,
        items: &'a [Item],
    }
    let report = Report {
        today,
        summary: Summary {
            items: items.len(),
            overdue: items.iter().filter(|i| i.overdue).count(),
        },
        items,
    };
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    Ok(text)
}

/// CSV with a header row; the columns are the JSON report's item fields, lists joined by `;`.
pub fn csv(items: &[Item]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "postmortem_id",
        "postmortem_title",
        "path",
        "team",
        "severity",
        "services",
        "index",
        "id",
        "title",
        "owner",
        "owner_teams",
        "due",
        "status",
        "priority",
        "type",
        "ticket",
        "ticket_url",
        "closed_on",
        "overdue",
        "days_overdue",
        "ticket_state",
        "ticket_status",
        "ticket_synced",
        "drift",
    ])?;
    // Every text cell goes through `csv_text` (a title like `=HYPERLINK(…)` must stay text in
    // a spreadsheet); `index` and `days_overdue` are numbers and stay numbers.
    let cell = |v: &str| crate::escape::csv_text(v).into_owned();
    let text = |v: &Option<String>| cell(v.as_deref().unwrap_or_default());
    let shown = |v: Option<String>| cell(&v.unwrap_or_default());
    for i in items {
        writer.write_record([
            text(&i.postmortem_id),
            text(&i.postmortem_title),
            cell(&i.path),
            text(&i.team),
            text(&i.severity),
            cell(&i.services.join(";")),
            i.index.to_string(),
            text(&i.id),
            text(&i.title),
            text(&i.owner),
            cell(&i.owner_teams.join(";")),
            shown(i.due.map(|d| d.to_string())),
            shown(i.status.map(|s| s.to_string())),
            shown(i.priority.map(|p| p.to_string())),
            shown(i.kind.map(|k| k.to_string())),
            text(&i.ticket),
            text(&i.ticket_url),
            shown(i.closed_on.map(|d| d.to_string())),
            i.overdue.to_string(),
            i.days_overdue.to_string(),
            shown(i.ticket_state.map(|s| s.to_string())),
            text(&i.ticket_status),
            shown(i.ticket_synced.map(|d| d.to_string())),
            cell(&i.drift.join(";")),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("cannot write CSV: {e}"))?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("Zone évacuation game day", 10), "Zone évac…");
        assert_eq!(truncate("aaaa bbbb", 6), "aaaa…");
    }

    #[test]
    fn no_escape_sequences_without_colour() {
        assert_eq!(paint(false, AnsiColor::Red.on_default(), "x"), "x");
        assert_eq!(hyperlink(false, Some("https://x"), "T-1"), "T-1");
        assert!(hyperlink(true, Some("https://x"), "T-1").contains("\x1b]8;;https://x"));
    }
}

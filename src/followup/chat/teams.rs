//! Microsoft Teams messages carrying an Adaptive Card (1.4), the body of a POST to a Teams
//! incoming webhook or to a Workflows "when a Teams webhook request is received" flow:
//! `pm actions --format teams` here, `pm todo --format teams` through `message` too.
//!
//! A card is a title, a subtle line saying as of when, then one container per group of lines
//! (for `pm actions`, one per owner: their name, teams and counts, then one line per item, the
//! overdue part in the attention colour). An item with a ticket URL opens it when clicked (an
//! `Action.OpenUrl` on the item), its ticket shown as a link.
//!
//! User text goes only into `TextRun`s of `RichTextBlock`s, which Adaptive Cards show as
//! written: a `TextBlock`'s text is markdown, where a title could make a link of its own, and
//! markdown escapes are read differently by different Teams clients. Teams refuses a message
//! over 28 KB; `message` writes every card compact and cuts it to [`MAX_BYTES`] (the lines
//! that fit, in the order shown, then "… and K more items").

use jiff::civil::Date;
use serde_json::{Value, json};

use super::{Frame, frame, owner, postmortem, team_names, ticket, title, tracker};
use crate::config::Config;
use crate::followup::Item;
use crate::followup::render::{OwnerGroup, by_owner, due_words, status_words};

/// The most bytes of JSON printed. Teams takes at most 28 KB; this stays under it whether a
/// KB is 1,000 bytes or 1,024, with room for the headers of the request.
pub const MAX_BYTES: usize = 27_000;

/// One `TextRun`.
pub(super) fn run(text: impl Into<String>) -> Value {
    json!({"type": "TextRun", "text": text.into()})
}

/// A `TextRun` with styling (`style` is an object of the `TextRun` properties to add).
pub(super) fn styled(text: impl Into<String>, style: Value) -> Value {
    let mut run = run(text);
    if let (Some(run), Some(style)) = (run.as_object_mut(), style.as_object()) {
        run.extend(style.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    run
}

/// A list of runs with adjacent plain runs merged: the card is smaller, and says the same.
fn merged(runs: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(runs.len());
    let plain = |v: &Value| v.as_object().is_some_and(|o| o.len() == 2);
    for r in runs {
        match out.last_mut() {
            Some(last) if plain(last) && plain(&r) => {
                let joined = format!(
                    "{}{}",
                    last["text"].as_str().unwrap_or_default(),
                    r["text"].as_str().unwrap_or_default()
                );
                last["text"] = Value::String(joined);
            }
            _ => out.push(r),
        }
    }
    out
}

/// A `RichTextBlock` of `runs`.
pub(super) fn rich_text(runs: Vec<Value>) -> Value {
    json!({"type": "RichTextBlock", "inlines": merged(runs)})
}

/// An owner's heading: the owner in bold, then teams and counts.
fn heading(group: &OwnerGroup<'_>) -> Value {
    let mut runs = vec![styled(owner(group.owner), json!({"weight": "Bolder"}))];
    if let (Some(_), Some(teams)) = (group.owner, team_names(&group.teams)) {
        runs.push(run(format!(" ({teams})")));
    }
    runs.push(run(format!(" — {}", group.counts())));
    rich_text(runs)
}

/// One item: a line of runs, in a container that opens the ticket when the item has a URL.
fn item(item: &Item) -> Value {
    let mut runs = Vec::new();
    if let Some(p) = item.priority {
        runs.push(styled(format!("{p} "), json!({"weight": "Bolder"})));
    }
    runs.push(run(title(item)));
    runs.push(run(" · "));
    match due_words(item) {
        (due, Some(late)) => runs.push(styled(
            format!("{due}, {late}"),
            json!({"color": "Attention", "weight": "Bolder"}),
        )),
        (due, None) => runs.push(run(due)),
    }
    if let Some(status) = status_words(item) {
        runs.push(run(format!(" · {status}")));
    }
    runs.push(run(" · "));
    let mut open = None;
    match ticket(item) {
        Some((label, Some(url))) => {
            open = Some(
                json!({"type": "Action.OpenUrl", "url": url, "title": format!("Open {label}")}),
            );
            runs.push(styled(label, json!({"color": "Accent", "underline": true})));
        }
        Some((label, None)) => runs.push(run(label)),
        None => runs.push(run("no ticket")),
    }
    if let Some((said, synced)) = tracker(item) {
        runs.push(run(format!(" · tracker: {said} (synced {synced})")));
        if item.has_drift() {
            runs.push(run(" · "));
            runs.push(styled("drift", json!({"color": "Warning", "weight": "Bolder"})));
        }
    }
    runs.push(styled(format!(" · {}", postmortem(item).0), json!({"isSubtle": true})));
    let line = rich_text(runs);
    match open {
        Some(open) => json!({
            "type": "Container",
            "spacing": "Small",
            "selectAction": open,
            "items": [line],
        }),
        None => spaced(line),
    }
}

/// A line of a group, set close to the line above it.
pub(super) fn spaced(mut line: Value) -> Value {
    line["spacing"] = json!("Small");
    line
}

/// The card's title in words of its own (no user text): a large, bold `TextBlock`.
pub(super) fn title_text(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": true})
}

/// Lines under a heading, in one container: one owner's items, one person's overdue things.
pub(super) struct Group {
    /// The group's first line.
    pub heading: Value,
    /// One element per thing listed.
    pub lines: Vec<Value>,
}

/// The message of `frame` titled by `title` with the first `shown` lines of `groups` (in the
/// order shown), and a closing line for the rest.
fn message_with(
    frame: &Frame,
    title: &Value,
    groups: &[Group],
    shown: usize,
) -> anyhow::Result<String> {
    let mut body = vec![
        title.clone(),
        json!({"type": "TextBlock", "text": frame.context, "isSubtle": true, "spacing": "None", "wrap": true}),
    ];
    let mut left = shown;
    for group in groups {
        if left == 0 {
            break;
        }
        let mut lines = vec![group.heading.clone()];
        lines.extend(group.lines.iter().take(left).cloned());
        left -= group.lines.len().min(left);
        body.push(
            json!({"type": "Container", "separator": true, "spacing": "Medium", "items": lines}),
        );
    }
    let total: usize = groups.iter().map(|g| g.lines.len()).sum();
    if shown < total {
        body.push(json!({"type": "TextBlock", "text": frame.more(total - shown), "isSubtle": true, "wrap": true}));
    }
    let message = json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "fallbackText": frame.fallback,
                "body": body,
            },
        }],
    });
    // Compact: every byte counts towards Teams' limit, and indentation would more than
    // double the card (`jq .` shows it indented).
    let mut text = serde_json::to_string(&message)?;
    text.push('\n');
    Ok(text)
}

/// The Teams message of `frame` titled by `title` (a block: see [`title_text`]) with `groups`:
/// every line when it fits in [`MAX_BYTES`], else as many as fit. The frame's context and
/// closing line go into `TextBlock`s, so they must be words of the report's own.
pub(super) fn message(frame: &Frame, title: &Value, groups: &[Group]) -> anyhow::Result<String> {
    let total: usize = groups.iter().map(|g| g.lines.len()).sum();
    let all = message_with(frame, title, groups, total)?;
    if all.len() <= MAX_BYTES {
        return Ok(all);
    }
    // The message grows with every line shown, so the most that fit is found by bisection.
    let (mut fits, mut too_many) = (0, total);
    while too_many - fits > 1 {
        let mid = fits + (too_many - fits) / 2;
        if message_with(frame, title, groups, mid)?.len() <= MAX_BYTES {
            fits = mid;
        } else {
            too_many = mid;
        }
    }
    message_with(frame, title, groups, fits)
}

/// The Teams message for `items` (selected and sorted) as of `today`: every item when it fits
/// in [`MAX_BYTES`], else as many as fit.
pub fn render(items: &[Item], today: Date, config: &Config) -> anyhow::Result<String> {
    let groups: Vec<Group> = by_owner(items, config)
        .iter()
        .map(|group| Group {
            heading: heading(group),
            lines: group.items.iter().map(|i| item(i)).collect(),
        })
        .collect();
    let frame = frame(items, today);
    message(&frame, &title_text(&frame.title), &groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_runs_merge_styled_ones_stay() {
        let runs =
            merged(vec![run("a"), run("b"), styled("c", json!({"weight": "Bolder"})), run("d")]);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[0]["text"], "ab");
        assert_eq!(runs[1]["weight"], "Bolder");
    }
}

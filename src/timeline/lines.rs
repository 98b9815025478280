//! Imported chat messages → timeline lines: `- 14:05 CEST — AO: text`.
//!
//! Times are shown in the configured time zone with its abbreviation (or its offset, for zones
//! without one). A line carries its date (`- 17 Jun 09:30 CEST — …`) unless a reader of the
//! timeline ([`super::entries`]) would give it that date anyway, from the lines above it: so
//! the first line of each day is dated, as a person writing the timeline would date it, and so
//! is the first imported line when the postmortem's own date is another ([`date_lines`]). People are labelled by
//! initials (blameless by default), by name with `--names`, or by a role given with `--role`.
//! Thread replies are nested under their parent.
//!
//! Everything in a line comes from outside: names, roles and file names are written with
//! [`markdown_text`] (plain text on one line), message text keeps its markdown but no line of
//! it can open a block (see [`markup`]), so an entry stays one list item.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use jiff::tz::TimeZone;

use super::markup::{self, Resolver};
use super::slack::{ChannelLog, Export, Message, User};
use crate::escape::markdown_text;

/// How people are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Naming {
    /// Initials (`AO`), made unique within the import (`HW`, `HW2`).
    #[default]
    Initials,
    /// Display names.
    Names,
}

/// Labels for the people of one import.
#[derive(Debug, Clone, Default)]
pub struct People {
    labels: BTreeMap<String, String>,
    channels: BTreeMap<String, String>,
}

impl Resolver for People {
    fn user(&self, id: &str) -> Option<String> {
        self.labels.get(id).cloned()
    }
    fn channel(&self, id: &str) -> Option<String> {
        self.channels.get(id).cloned()
    }
}

/// User ids mentioned (`<@U…>`) in `text`.
fn mentions(text: &str) -> impl Iterator<Item = &str> {
    text.split("<@").skip(1).filter_map(|rest| {
        let end = rest.find(['>', '|'])?;
        Some(&rest[..end])
    })
}

impl People {
    /// Labels every author and mentioned person of `log`. `roles` are `(who, role)` pairs where
    /// `who` is a user id, handle, display name or full name (case-insensitive); a `who` that
    /// matches nobody in the export is an error.
    pub fn new(
        export: &Export,
        log: &ChannelLog,
        naming: Naming,
        roles: &[(String, String)],
    ) -> anyhow::Result<Self> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for m in log.messages() {
            ids.extend(m.user.iter().cloned());
            ids.extend(mentions(&m.text).map(str::to_owned));
        }
        let user = |id: &str| {
            export
                .users
                .get(id)
                .cloned()
                .unwrap_or_else(|| User { id: id.to_owned(), ..User::default() })
        };

        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        match naming {
            Naming::Names => {
                for id in &ids {
                    labels.insert(id.clone(), user(id).shown_name());
                }
            }
            Naming::Initials => {
                let mut by_initials: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for id in &ids {
                    by_initials.entry(user(id).initials()).or_default().push(id.clone());
                }
                for (initials, people) in by_initials {
                    for (n, id) in people.into_iter().enumerate() {
                        let label =
                            if n == 0 { initials.clone() } else { format!("{initials}{}", n + 1) };
                        labels.insert(id, label);
                    }
                }
            }
        }
        for (who, role) in roles {
            let wanted = who.trim_start_matches('@').to_lowercase();
            let matches = |u: &User| {
                u.id.to_lowercase() == wanted
                    || [&u.name, &u.display_name, &u.real_name]
                        .iter()
                        .any(|n| n.as_deref().is_some_and(|n| n.to_lowercase() == wanted))
            };
            let found: Vec<&User> = export.users.values().filter(|u| matches(u)).collect();
            match found.as_slice() {
                [] => bail!(
                    "--role {who}={role}: no user `{who}` in the Slack export (give a user id, handle or name)"
                ),
                [u] => {
                    labels.insert(u.id.clone(), role.clone());
                }
                many => {
                    let ids: Vec<&str> = many.iter().map(|u| u.id.as_str()).collect();
                    bail!(
                        "--role {who}={role}: `{who}` matches several users ({}); give a user id",
                        ids.join(", ")
                    )
                }
            }
        }
        let channels = export.channels.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
        Ok(Self { labels, channels })
    }

    fn label(&self, m: &Message) -> String {
        m.user.as_deref().map_or_else(
            || "?".to_owned(),
            |id| self.labels.get(id).cloned().unwrap_or_else(|| id.to_owned()),
        )
    }
}

/// One line to write: its time as shown, the date it may carry, and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The local date of the message.
    pub date: jiff::civil::Date,
    /// The instant a reader gets back from the line: the message's minute (the seconds are
    /// not shown).
    pub at: jiff::Timestamp,
    /// The date as written when the line carries it: `17 Jun`, or `2026-06-17` in a long
    /// import.
    pub day: String,
    /// `14:05 CEST — AO: text` (lines after the first are continuation lines, without
    /// indentation).
    pub rest: String,
    /// Whether the line carries its date (decided by [`date_lines`]).
    pub dated: bool,
}

impl Line {
    /// The line as written, after the list marker.
    pub fn text(&self) -> String {
        if self.dated { format!("{} {}", self.day, self.rest) } else { self.rest.clone() }
    }

    /// Both shapes of the line's first line, dated and not: an entry already in a file is
    /// recognised whichever it was written with.
    pub fn first_lines(&self) -> [String; 2] {
        let first = self.rest.lines().next().unwrap_or("").trim().to_owned();
        [format!("{} {first}", self.day), first]
    }
}

/// One timeline entry to write, and its nested replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The message shown in the channel.
    pub line: Line,
    /// Replies, each like `line`.
    pub replies: Vec<Line>,
}

impl Block {
    /// The block's lines in the order they are written.
    pub fn lines_mut(&mut self) -> impl Iterator<Item = &mut Line> {
        std::iter::once(&mut self.line).chain(&mut self.replies)
    }
}

/// Decides which of `lines`, written one after the other where a reader is at `dating`, carry
/// their date: a line whose date is not the one the reader carries on from, or that the reader
/// would take to be past midnight (replies are written under their thread, so the next line
/// can be hours earlier than the one above it). Every line then reads back on its own date,
/// whatever the postmortem's date: an import of June messages into a March postmortem dates
/// its first line.
pub fn date_lines<'a>(
    lines: impl IntoIterator<Item = &'a mut Line>,
    dating: &mut super::entries::Dating,
) {
    for line in lines {
        let at = line.at;
        let undated = dating.undated(|d| (d == line.date).then_some(at));
        let reads_back = dating.current() == Some(line.date) && undated == Some(line.date);
        line.dated = !reads_back;
        dating.advance(Some(line.date), Some(at));
    }
}

/// Renders `log` as blocks in the time zone `tz`, each line dated where a reader starting
/// from no date needs it (the first line, and see [`date_lines`]); [`super::insert`] dates
/// them again for the place they go.
pub fn blocks(log: &ChannelLog, people: &People, tz: &TimeZone) -> Vec<Block> {
    let days: BTreeSet<jiff::civil::Date> =
        log.messages().map(|m| m.at.to_zoned_datetime(tz.clone()).date()).collect();
    // `17 Jun` is read in the year that puts it closest to the line before; an import that
    // spans months (a long-lived channel without --from/--to) writes full dates instead, and
    // UTC offsets rather than zone abbreviations (see below).
    let long = match (days.first(), days.last()) {
        (Some(first), Some(last)) => (*last - *first).get_days() > 150,
        _ => false,
    };
    let day_format = if long { "%Y-%m-%d" } else { "%-d %b" };
    let line = |m: &Message| {
        let zoned = m.at.to_zoned_datetime(tz.clone());
        // A long import may reach back to an abbreviation the zone no longer uses (`NDDT` in
        // 1988), which a reader knows only from the incident's year: it writes offsets.
        let zone = if long {
            super::zones::offset_label(tz.to_offset(m.at))
        } else {
            super::zones::label(tz, m.at)
        };
        // A lone `\r` ends a line in markdown: it is made a `\n` before the conversion, so
        // the line after it is escaped like any other (`---` under a line is no heading).
        let message = m.text.trim().replace("\r\n", "\n").replace('\r', "\n");
        let mut text = markup::to_markdown(&message, people);
        for file in &m.files {
            if !text.is_empty() {
                text.push(' ');
            }
            // A file name is the sender's: plain text on this line (`<!-- pm-disable-file -->
            // graph.png` must not become a comment that switches every check off).
            text.push_str(&format!("(attached: {})", markdown_text(&markup::decode(file))));
        }
        if text.is_empty() {
            text.push_str("(no text)");
        }
        // A person's label is a display name or a `--role`: plain text on this line.
        let label = markdown_text(&people.label(m));
        let minute = zoned.with().second(0).subsec_nanosecond(0).build().unwrap_or(zoned.clone());
        Line {
            date: zoned.date(),
            at: minute.timestamp(),
            day: zoned.strftime(day_format).to_string(),
            rest: format!("{} {zone} — {label}: {text}", zoned.strftime("%H:%M")),
            dated: true,
        }
    };
    let mut blocks: Vec<Block> = log
        .threads
        .iter()
        .map(|t| Block { line: line(&t.message), replies: t.replies.iter().map(line).collect() })
        .collect();
    date_lines(
        blocks.iter_mut().flat_map(Block::lines_mut),
        &mut super::entries::Dating::new(None),
    );
    blocks
}

/// Writes `blocks` as a markdown list with `marker` (`-`, `*` or `+`), `newline` between lines,
/// each line after `indent` (the list's own); replies are nested two columns further,
/// continuation lines indented to their item's text.
pub fn render(blocks: &[Block], indent: &str, marker: char, newline: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut push = |text: &str, indent: &str| {
        let mut parts = text.lines();
        lines.push(format!("{indent}{marker} {}", parts.next().unwrap_or("").trim_end()));
        for part in parts {
            if part.trim().is_empty() {
                lines.push(String::new());
            } else {
                lines.push(format!("{indent}  {}", part.trim_end()));
            }
        }
    };
    let nested = format!("{indent}  ");
    for block in blocks {
        push(&block.line.text(), indent);
        for reply in &block.replies {
            push(&reply.text(), &nested);
        }
    }
    lines.join(newline)
}

//! Imported chat messages → timeline lines: `- 14:05 CEST — AO: text`.
//!
//! Times are shown in the configured time zone with its abbreviation (or its offset, for zones
//! without one). When the messages span more than one local day, the first line of each day
//! carries the date (`- 17 Jun 09:30 CEST — …`), as a person writing the timeline would; the
//! reader of timelines ([`super::entries`]) understands both shapes. People are labelled by
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

/// One timeline entry to write: its text after the list marker (lines after the first are
/// continuation lines, without indentation), and its nested replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// `14:05 CEST — AO: text`.
    pub line: String,
    /// Replies, each like `line`.
    pub replies: Vec<String>,
}

/// Renders `log` as blocks in the time zone `tz`.
pub fn blocks(log: &ChannelLog, people: &People, tz: &TimeZone) -> Vec<Block> {
    let days: BTreeSet<jiff::civil::Date> =
        log.messages().map(|m| m.at.to_zoned_datetime(tz.clone()).date()).collect();
    let dated = days.len() > 1;
    // `17 Jun` is read in the year that puts it closest to the line before; an import that
    // spans months (a long-lived channel without --from/--to) writes full dates instead, and
    // UTC offsets rather than zone abbreviations (see below).
    let long = match (days.first(), days.last()) {
        (Some(first), Some(last)) => (*last - *first).get_days() > 150,
        _ => false,
    };
    let day_format = if long { "%Y-%m-%d" } else { "%-d %b" };
    let mut last_day: Option<jiff::civil::Date> = None;
    let mut last_at: Option<jiff::Timestamp> = None;
    let mut line = |m: &Message| {
        let zoned = m.at.to_zoned_datetime(tz.clone());
        let day = zoned.date();
        // Replies are written under their thread, so the next top-level line can be earlier
        // than the line above it. A reader of a line without a date takes a time more than six
        // hours back as past midnight (`super::entries`): such a line carries its date, even
        // in a one-day import. The margin covers the seconds a line does not show.
        let back = last_at.is_some_and(|prev| {
            prev.duration_since(m.at) > jiff::SignedDuration::from_mins(6 * 60 - 5)
        });
        let date = if (dated && last_day != Some(day)) || back {
            format!("{} ", zoned.strftime(day_format))
        } else {
            String::new()
        };
        last_day = Some(day);
        last_at = Some(m.at);
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
        format!("{date}{} {zone} — {label}: {text}", zoned.strftime("%H:%M"))
    };
    log.threads
        .iter()
        .map(|t| {
            let first = line(&t.message);
            Block { line: first, replies: t.replies.iter().map(&mut line).collect() }
        })
        .collect()
}

/// Writes `blocks` as a markdown list with `marker` (`-`, `*` or `+`), `newline` between lines;
/// replies are nested two columns further, continuation lines indented to their item's text.
pub fn render(blocks: &[Block], marker: char, newline: &str) -> String {
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
    for block in blocks {
        push(&block.line, "");
        for reply in &block.replies {
            push(reply, "  ");
        }
    }
    lines.join(newline)
}

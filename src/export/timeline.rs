//! The timeline record of the export: one per list item of a postmortem's Timeline section.

use jiff::civil::Date;
use serde::Serialize;

use crate::model::Postmortem;
use crate::repo::Document;
use crate::timeline::entries::Entry;

/// One timeline entry. `date`, `offset` and `at` are what the entry says or what its context
/// implies (see `docs/export.md`); `at` is null when they cannot be known.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TimelineRecord {
    /// The postmortem's id.
    pub postmortem_id: Option<String>,
    /// The postmortem's file.
    pub path: String,
    /// 1-based line of the entry in the file.
    pub line: usize,
    /// Position among the section's list items (0-based).
    pub index: usize,
    /// 0 for a top-level entry, 1 for a nested one (a thread reply), …
    pub depth: usize,
    /// The entry's date.
    pub date: Option<Date>,
    /// The time as written, `HH:MM` or `HH:MM:SS`.
    pub time: Option<String>,
    /// The zone as written on the entry or above the list.
    pub zone: Option<String>,
    /// The UTC offset, `+02:00`.
    pub offset: Option<String>,
    /// The instant, RFC 3339 in UTC.
    pub at: Option<String>,
    /// The entry's text after its time.
    pub text: String,
}

impl TimelineRecord {
    /// The record of `entry` of `pm` (from `doc`).
    pub fn new(doc: &Document, pm: &Postmortem, entry: &Entry) -> Self {
        Self {
            postmortem_id: pm.id.as_ref().map(|s| s.value.clone()),
            path: doc.path().to_owned(),
            line: doc.source.position(entry.span.start).line,
            index: entry.index,
            depth: entry.depth,
            date: entry.date,
            time: entry.time.map(|t| {
                if t.second() == 0 {
                    t.strftime("%H:%M").to_string()
                } else {
                    t.strftime("%H:%M:%S").to_string()
                }
            }),
            zone: entry.zone.clone(),
            offset: entry.offset.map(crate::timeline::zones::offset_text),
            at: entry.at.map(|t| t.to_string()),
            text: entry.text.clone(),
        }
    }
}

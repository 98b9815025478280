//! Incident timelines: reading the Timeline section of a postmortem into dated entries, and
//! importing one from a chat export.
//!
//! - [`entries`] reads `- 14:05 UTC — text` style list items (the shape `pm` writes and the
//!   demo uses) into entries with a resolved date, offset and instant, for `pm export --what
//!   timeline`;
//! - [`zones`] turns a written zone (`UTC`, `CEST`, `UTC+01:00`) into an offset;
//! - [`slack`] reads a Slack workspace export (users, channels, day files, threads);
//! - [`markup`] converts Slack's message markup to markdown;
//! - [`lines`] renders imported messages as timeline lines;
//! - [`insert`] puts those lines under a file's Timeline section, atomically, touching nothing
//!   else.

pub mod entries;
pub mod insert;
pub mod lines;
pub mod markup;
pub mod slack;
pub mod zones;

use crate::config::Config;
use crate::parse::markdown::normalize_title;

/// The normalized titles a Timeline section may have: `timeline`, plus any aliases configured
/// for a required section called Timeline.
pub fn section_titles(config: &Config) -> Vec<String> {
    let mut titles = vec!["timeline".to_owned()];
    for (title, names) in config.required_sections() {
        if normalize_title(&title) == "timeline" {
            titles.extend(names);
        }
    }
    titles.dedup();
    titles
}

//! Reports as chat messages: the exact JSON body an incoming webhook takes, so a scheduled job
//! can pipe `pm actions --format slack` (or `teams`), or a person's `pm todo --format slack`,
//! straight into `curl`.
//!
//! Both platforms refuse a message that breaks one of their limits, and a refused daily report
//! is a silent one: nobody notices the channel went quiet. So every message here is cut to the
//! platform's documented limits and ends with "… and K more items" rather than ever printing
//! an invalid message. Values from postmortems (titles, owners, tickets) are untrusted text:
//! each platform's module keeps them from being read as markup (links, mentions), and every
//! value is made one line and cut to a width here, so that no single value can take a block
//! over its limit.
//!
//! Each platform's module owns its limits, its escaping and the assembly of a message from a
//! `Frame` and groups of lines, once; a report only says what its lines and groups are. The
//! action items are grouped by owner as the markdown report groups them
//! ([`super::render::by_owner`]), with the markdown report's words for lateness, status and
//! the tracker's state; a person's to-do list ([`todo`](mod@todo)) is grouped into what is overdue and
//! what is not, with the words of `pm todo`'s table.

pub mod slack;
pub mod teams;
pub mod todo;

use jiff::civil::Date;

use super::Item;
use super::render::one_line;
use crate::words::plural;

/// Widest title shown, in characters. Titles are one-liners; a longer one is cut so that an
/// item's line stays well inside a Slack section.
const TITLE_WIDTH: usize = 150;
/// Widest owner shown.
const OWNER_WIDTH: usize = 60;
/// Widest list of an owner's team names.
const TEAMS_WIDTH: usize = 100;
/// Widest ticket label (a key, or a URL without its scheme).
const TICKET_WIDTH: usize = 60;
/// Widest tracker state (the tracker's own words, e.g. `closed (not planned)`).
const TRACKER_WIDTH: usize = 40;
/// Widest postmortem id (or path, for a postmortem without one).
const POSTMORTEM_WIDTH: usize = 60;
/// Widest detail of a thing owed (the criteria still unmet, the postmortem a section is in).
const DETAIL_WIDTH: usize = 200;
/// Longest ticket URL made a link; a longer one is shown as its label alone.
const URL_WIDTH: usize = 500;

/// The message's title: "Action items: 3 open, 1 overdue". "open" is what the default report
/// lists (open and in-progress items); a report that also lists closed ones (`--status done`)
/// says "listed" instead, so the title never calls a done item open.
fn headline(items: &[Item]) -> String {
    if items.is_empty() {
        return "Action items: nothing outstanding".to_owned();
    }
    let overdue = items.iter().filter(|i| i.overdue).count();
    let what = if items.iter().all(Item::is_outstanding) { "open" } else { "listed" };
    format!("Action items: {} {what}, {overdue} overdue", items.len())
}

/// The line under the title.
fn context(items: &[Item], today: Date) -> String {
    if items.is_empty() {
        format!("As of {today}: no action items match.")
    } else {
        format!("As of {today} · by owner, the most overdue first")
    }
}

/// The text a notification or a client that cannot show the rich message falls back to.
fn fallback(items: &[Item], today: Date) -> String {
    format!("{} (as of {today})", headline(items))
}

/// What a message says around its groups, whatever the platform. Every text is plain: each
/// platform escapes it as it must.
pub(crate) struct Frame {
    /// The title ("Action items: 3 open, 1 overdue").
    pub title: String,
    /// The line under the title (as of when, in what order).
    pub context: String,
    /// The text a notification, or a client that cannot show the rich message, shows instead.
    pub fallback: String,
    /// What one, and more than one, of the things listed are called in the closing line of a
    /// cut message ("more item", "more items").
    pub more: (&'static str, &'static str),
    /// The command that lists everything the message had no room for.
    pub command: &'static str,
}

impl Frame {
    /// The last line of a cut message: "… and 3 more items: run `pm actions`".
    fn more(&self, left_out: usize) -> String {
        let (one, many) = self.more;
        format!("… and {}: run `{}`", plural(left_out, one, many), self.command)
    }
}

/// The frame of the action-item report for `items` as of `today`.
fn frame(items: &[Item], today: Date) -> Frame {
    Frame {
        title: headline(items),
        context: context(items, today),
        fallback: fallback(items, today),
        more: ("more item", "more items"),
        command: "pm actions",
    }
}

/// The item's title, one line, cut.
fn title(item: &Item) -> String {
    one_line(item.title.as_deref().unwrap_or("(untitled)"), TITLE_WIDTH)
}

/// The owner, one line, cut.
fn owner(owner: Option<&str>) -> String {
    owner.map_or_else(|| "No owner".to_owned(), |o| one_line(o, OWNER_WIDTH))
}

/// The owner's team names, joined, one line, cut (`None` without a team).
fn team_names(teams: &[String]) -> Option<String> {
    (!teams.is_empty()).then(|| one_line(&teams.join(", "), TEAMS_WIDTH))
}

/// The ticket's label and the URL to link it to, if it has one short enough to link.
fn ticket(item: &Item) -> Option<(String, Option<&str>)> {
    let label = one_line(super::render::ticket_label(item)?, TICKET_WIDTH);
    let url = item.ticket_url.as_deref().filter(|u| u.chars().count() <= URL_WIDTH);
    Some((label, url))
}

/// What the tracker said (cut) and when the cache heard it.
fn tracker(item: &Item) -> Option<(String, Date)> {
    super::render::tracker_words(item).map(|(said, synced)| (one_line(said, TRACKER_WIDTH), synced))
}

/// The item's postmortem: see [`postmortem_of`].
fn postmortem(item: &Item) -> (String, bool) {
    postmortem_of(item.postmortem_id.as_deref(), &item.path)
}

/// A postmortem's id, or its path when it has none, cut, and whether it is the path.
fn postmortem_of(id: Option<&str>, path: &str) -> (String, bool) {
    match id {
        Some(id) => (one_line(id, POSTMORTEM_WIDTH), false),
        None => (one_line(path, POSTMORTEM_WIDTH), true),
    }
}

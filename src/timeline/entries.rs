//! The Timeline section of a postmortem, read into entries with a date, an offset and an
//! absolute instant where the text allows it.
//!
//! An entry is a list item of the section. Its head is read as `[DATE] TIME[–TIME] [ZONE]
//! [(…)] [—|–|-|:] TEXT`, e.g. `14:05 UTC — Paged`, `26 Oct 02:30 CET (01:30 UTC) — …`,
//! `2026-06-16 08:41 — …`. What the head leaves out comes from context, as a reader would take
//! it:
//!
//! - the zone from the text before the list ("All times CET (UTC+01:00)", "Times are UTC"),
//!   else the offset `started_at` was written in;
//! - the date from the previous entry, else from that text ("14 January 2025"), else from
//!   `started_at`; an entry whose time is more than six hours before the previous entry's is
//!   taken to be on the next day (a timeline running past midnight);
//! - the year of a `26 Oct` date from the context date (the one closest to it).
//!
//! Items without a leading time are entries too, with no time: they are part of the timeline.

use std::sync::LazyLock;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use regex::Regex;

use super::zones;
use crate::model::Postmortem;
use crate::source::Span;

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position among the section's list items (0-based, document order).
    pub index: usize,
    /// Nesting: 0 for a top-level item, 1 for an item under another (a thread reply), …
    pub depth: usize,
    /// The list item in the file.
    pub span: Span,
    /// The date the entry is on, written or inferred.
    pub date: Option<Date>,
    /// The time as written (the start of a range).
    pub time: Option<Time>,
    /// The zone as written on the entry or before the list.
    pub zone: Option<String>,
    /// The UTC offset the time is in.
    pub offset: Option<Offset>,
    /// The absolute instant, when date, time and offset are all known.
    pub at: Option<Timestamp>,
    /// The entry's text after its time (the whole item when it has no time).
    pub text: String,
}

/// The parts of an entry's head.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Head {
    date: Option<(Option<i16>, i8, i8)>,
    time: Option<Time>,
    zone: Option<String>,
    text: String,
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn month(word: &str) -> Option<i8> {
    let w = word.trim_end_matches('.').to_lowercase();
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let i = MONTHS
        .iter()
        .position(|m| *m == w)
        .or_else(|| full.iter().position(|m| *m == w))
        .or_else(|| (w == "sept").then_some(8))?;
    i8::try_from(i + 1).ok()
}

const TIME: &str = r"(?P<h>[0-2]?\d):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?";
const DATE: &str = r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?)";
const SEPARATOR: &str = r"\s*(?:—|–|--|-|:|\|)?\s*(?P<text>.*)$";

/// Head with a zone that is a numeric offset, `Z` or a capitalised word (checked afterwards).
static WITH_ZONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let zone = r"(?P<zone>(?:UTC|GMT)\s*[+\x{2212}-]\s*\d{1,2}(?::?\d{2})?|[+\x{2212}-]\d{2}:?\d{2}|[A-Z]{1,5})";
    Regex::new(&format!(
        r"^(?:{DATE},?\s+)?{TIME}(?:\s*(?:–|-|to)\s*[0-2]?\d:[0-5]\d(?::[0-5]\d)?)?\s*{zone}\b(?:\s*\([^)]*\))?{SEPARATOR}"
    ))
    .ok()
});

/// Head without a zone.
static WITHOUT_ZONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:{DATE},?\s+)?{TIME}(?:\s*(?:–|-|to)\s*[0-2]?\d:[0-5]\d(?::[0-5]\d)?)?\b(?:\s*\([^)]*\))?{SEPARATOR}"
    ))
    .ok()
});

/// Where the text before the list states an offset: `UTC+01:00`, `UTC−05:00`.
static CONTEXT_OFFSET: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(?:UTC|GMT)\s*[+\x{2212}-]\s*\d{1,2}(?::\d{2})?").ok());

/// A full date in the text before the list: `14 January 2025`, `January 14, 2025`,
/// `2025-01-14`.
static CONTEXT_DATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:(?P<iso>\d{4}-\d{2}-\d{2})|(?P<d1>\d{1,2})\s+(?P<m1>[A-Za-z]{3,9})\.?,?\s+(?P<y1>\d{4})|(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))\b").ok()
});

static WORD: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\b[A-Z]{1,5}\b").ok());

/// Reads an entry's head; `is_zone` says whether a capitalised word is a zone.
fn head(text: &str, is_zone: &dyn Fn(&str) -> bool) -> Head {
    let text = text.trim();
    let attempt = |re: &Option<Regex>| -> Option<Head> {
        let caps = re.as_ref()?.captures(text)?;
        let zone = caps.name("zone").map(|z| z.as_str().to_owned());
        if let Some(z) = &zone {
            let numeric = zones::numeric(z).is_some();
            if !numeric && !is_zone(z) {
                return None;
            }
        }
        let h: i8 = caps.name("h")?.as_str().parse().ok()?;
        let m: i8 = caps.name("m")?.as_str().parse().ok()?;
        let s: i8 = caps.name("s").map_or(Some(0), |s| s.as_str().parse().ok())?;
        let time = Time::new(h, m, s, 0).ok()?;
        let date = match caps.name("date") {
            Some(d) => Some(written_date(d.as_str())?),
            None => None,
        };
        let rest = caps.name("text").map_or("", |t| t.as_str()).trim().to_owned();
        Some(Head { date, time: Some(time), zone, text: rest })
    };
    attempt(&WITH_ZONE)
        .or_else(|| attempt(&WITHOUT_ZONE))
        .unwrap_or_else(|| Head { text: text.to_owned(), ..Head::default() })
}

/// `2026-06-16` → (2026, 6, 16); `26 Oct` / `Oct 26th` → (None, 10, 26).
fn written_date(text: &str) -> Option<(Option<i16>, i8, i8)> {
    if let Ok(d) = text.parse::<Date>() {
        return Some((Some(d.year()), d.month(), d.day()));
    }
    let mut words = text.split_whitespace();
    let (a, b) = (words.next()?, words.next()?);
    let number = |w: &str| -> Option<i8> {
        w.trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse().ok()
    };
    let (m, d) = match (month(a), number(a)) {
        (Some(m), _) => (m, number(b)?),
        (None, Some(d)) => (month(b)?, d),
        _ => return None,
    };
    Some((None, m, d))
}

/// What the text before the list says about zone and date.
#[derive(Debug, Default)]
struct Context {
    zone: Option<String>,
    date: Option<Date>,
}

fn context(preamble: &str, is_zone: &dyn Fn(&str) -> bool) -> Context {
    let zone = CONTEXT_OFFSET
        .as_ref()
        .and_then(|re| re.find(preamble))
        .map(|m| m.as_str().to_owned())
        .or_else(|| {
            WORD.as_ref()?
                .find_iter(preamble)
                .map(|m| m.as_str())
                .find(|w| is_zone(w))
                .map(str::to_owned)
        });
    let date = CONTEXT_DATE.as_ref().and_then(|re| {
        re.captures_iter(preamble).find_map(|c| {
            if let Some(iso) = c.name("iso") {
                return iso.as_str().parse().ok();
            }
            let (d, m, y) = match (c.name("d1"), c.name("d2")) {
                (Some(d), _) => (d, c.name("m1")?, c.name("y1")?),
                (None, Some(d)) => (d, c.name("m2")?, c.name("y2")?),
                _ => return None,
            };
            Date::new(y.as_str().parse().ok()?, month(m.as_str())?, d.as_str().parse().ok()?).ok()
        })
    });
    Context { zone, date }
}

/// The year that puts `month`/`day` closest to `near`.
fn closest_year(month: i8, day: i8, near: Date) -> Option<Date> {
    [near.year() - 1, near.year(), near.year() + 1]
        .into_iter()
        .filter_map(|y| Date::new(y, month, day).ok())
        .min_by_key(|d| d.duration_since(near).as_secs().abs())
}

/// How a reader dates an entry that does not write its date: the date of the entry before it,
/// else the context's date; a time more than six hours before the previous entry's is taken to
/// be past midnight, on the next day. [`entries`] reads with it, and the importer asks it which
/// of its lines must carry their date ([`super::lines`], [`super::insert`]): one definition, so
/// a written line reads back as the instant it was written for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dating {
    current: Option<Date>,
    previous: Option<Timestamp>,
}

impl Dating {
    /// Starts at the context's date (the date before the list, else `started_at`'s).
    pub fn new(start: Option<Date>) -> Self {
        Self { current: start, previous: None }
    }

    /// The date an entry without a written date is read on, given its instant on a date.
    pub fn undated(&self, instant: impl Fn(Date) -> Option<Timestamp>) -> Option<Date> {
        self.current.map(|d| match (instant(d), self.previous) {
            (Some(at), Some(prev))
                if prev.checked_sub(SignedDuration::from_hours(6)).is_ok_and(|p| at < p) =>
            {
                d.tomorrow().unwrap_or(d)
            }
            _ => d,
        })
    }

    /// Moves past an entry read on `date` at `at`.
    pub fn advance(&mut self, date: Option<Date>, at: Option<Timestamp>) {
        self.current = date.or(self.current);
        if at.is_some() {
            self.previous = at;
        }
    }

    /// The date the next entry would carry on from.
    pub fn current(&self) -> Option<Date> {
        self.current
    }
}

/// A Timeline section read: the date its entries start from, and the entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// The context's date: the date before the list, else `started_at`'s.
    pub start: Option<Date>,
    /// The entries, in document order.
    pub entries: Vec<Entry>,
}

/// The entries of `pm`'s Timeline section. `text` is the file's text (for the lines before the
/// list), `titles` the section's accepted normalized titles, `tz` the configured zone.
pub fn entries(pm: &Postmortem, text: &str, titles: &[String], tz: &TimeZone) -> Vec<Entry> {
    read(pm, text, titles, tz).entries
}

/// Reads the Timeline of the postmortem whose whole text is `text` (a file about to be edited):
/// its front matter for `started_at`, its body for the section. A file whose front matter does
/// not read has no date to start from; its body is read all the same.
pub fn read_text(text: &str, titles: &[String], tz: &TimeZone) -> Timeline {
    use crate::parse::{front_matter, markdown, yaml};
    let split = front_matter::split(text).ok();
    let body = match &split {
        Some(s) => markdown::parse(&text[s.body.start..s.body.end], s.body.start),
        None => markdown::parse(text, 0),
    };
    let tree = split
        .and_then(|s| yaml::load(&text[s.yaml.start..s.yaml.end], s.yaml.start).ok())
        .filter(|loaded| loaded.root.as_map().is_some());
    let pm = match tree {
        Some(loaded) => Postmortem::from_front_matter(loaded.root, body),
        None => Postmortem { body, ..Postmortem::default() },
    };
    read(&pm, text, titles, tz)
}

/// Nesting depth of each item (given in document order): how many other items hold it. One
/// sort and a stack of open items: asking every item about every other was quadratic.
fn depths(spans: &[Span]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans[i].start, std::cmp::Reverse(spans[i].end), i));
    let mut depth = vec![0; spans.len()];
    let mut open: Vec<Span> = Vec::new();
    for i in order {
        let span = spans[i];
        while open.last().is_some_and(|o| !(o.start <= span.start && span.end <= o.end)) {
            open.pop();
        }
        depth[i] = open.len();
        open.push(span);
    }
    depth
}

/// Reads `pm`'s Timeline section (see [`entries`]), with the date its entries start from.
pub fn read(pm: &Postmortem, text: &str, titles: &[String], tz: &TimeZone) -> Timeline {
    let Some(section) = pm.body.section(titles) else {
        return Timeline::default();
    };
    let items: Vec<_> = pm.body.items_in(section).collect();
    let preamble_end = items.first().map_or(section.content.end, |i| i.span.start);
    let preamble = text.get(section.content.start..preamble_end).unwrap_or("");

    let started = pm.times.started_at.as_ref().map(|s| s.value);
    let started_local =
        started.map(|s| s.timestamp.to_zoned_datetime(TimeZone::fixed(s.offset)).date());
    let around = started.map(|s| s.timestamp.to_zoned_datetime(tz.clone()).datetime());
    let is_zone = |w: &str| zones::is_abbreviation(w, tz, around);

    let cx = context(preamble, &is_zone);
    let default_zone = cx.zone.clone();
    let fallback_offset = started.map(|s| s.offset);
    let start = cx.date.or(started_local);
    let mut dating = Dating::new(start);
    let depths = depths(&items.iter().map(|i| i.span).collect::<Vec<_>>());

    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let depth = depths.get(index).copied().unwrap_or(0);
        let head = head(&item.text, &is_zone);
        let Some(time) = head.time else {
            out.push(Entry {
                index,
                depth,
                span: item.span,
                date: None,
                time: None,
                zone: None,
                offset: None,
                at: None,
                text: head.text,
            });
            continue;
        };
        let explicit_date = head.date.and_then(|(y, m, d)| match y {
            Some(y) => Date::new(y, m, d).ok(),
            None => dating.current().and_then(|near| closest_year(m, d, near)),
        });
        let zone = head.zone.clone().or_else(|| default_zone.clone());
        let offset_at = |date: Date| -> Option<Offset> {
            let dt = DateTime::from_parts(date, time);
            match &zone {
                Some(z) => zones::resolve(z, tz, dt),
                None => fallback_offset,
            }
        };
        let instant = |date: Date| -> Option<Timestamp> {
            offset_at(date)?.to_timestamp(DateTime::from_parts(date, time)).ok()
        };
        let date = explicit_date.or_else(|| dating.undated(instant));
        let offset =
            date.and_then(offset_at).or(if zone.is_none() { fallback_offset } else { None });
        let at = date.and_then(instant);
        dating.advance(date, at);
        out.push(Entry {
            index,
            depth,
            span: item.span,
            date,
            time: Some(time),
            zone,
            offset,
            at,
            text: head.text,
        });
    }
    Timeline { start, entries: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(w: &str) -> bool {
        zones::known_abbreviations().any(|a| a == w)
    }

    #[test]
    fn heads() {
        let h = head("14:05 UTC — Paged the on-call", &zone);
        assert_eq!(h.time, Some(Time::constant(14, 5, 0, 0)));
        assert_eq!(h.zone.as_deref(), Some("UTC"));
        assert_eq!(h.text, "Paged the on-call");

        let h = head("26 Oct 02:30 CET (01:30 UTC) — Second run starts", &zone);
        assert_eq!(h.date, Some((None, 10, 26)));
        assert_eq!(h.zone.as_deref(), Some("CET"));
        assert_eq!(h.text, "Second run starts");

        // A capitalised word that is not a zone belongs to the text.
        let h = head("10:00 DNS lookups fail", &zone);
        assert_eq!(h.zone, None);
        assert_eq!(h.text, "DNS lookups fail");

        let h = head("07:40–09:05 — 1,140 payments processed", &zone);
        assert_eq!(h.time, Some(Time::constant(7, 40, 0, 0)));
        assert_eq!(h.text, "1,140 payments processed");

        let h = head("2026-06-16 08:41:30 +02:00: power loss", &zone);
        assert_eq!(h.date, Some((Some(2026), 6, 16)));
        assert_eq!(h.time, Some(Time::constant(8, 41, 30, 0)));
        assert_eq!(h.zone.as_deref(), Some("+02:00"));
        assert_eq!(h.text, "power loss");

        let h = head("Aftermath: dashboards corrected", &zone);
        assert_eq!(h.time, None);
        assert_eq!(h.text, "Aftermath: dashboards corrected");

        let h = head("25:00 — not a time", &zone);
        assert_eq!(h.time, None);
    }

    #[test]
    fn context_reads_zone_and_date() {
        let cx = context("All times CET (UTC+01:00), 14 January 2025.", &zone);
        assert_eq!(cx.zone.as_deref(), Some("UTC+01:00"));
        assert_eq!(cx.date, Some(jiff::civil::date(2025, 1, 14)));
        let cx = context("Times are UTC unless marked.", &zone);
        assert_eq!(cx.zone.as_deref(), Some("UTC"));
        assert_eq!(cx.date, None);
    }

    #[test]
    fn years_wrap() {
        let near = jiff::civil::date(2026, 1, 2);
        assert_eq!(closest_year(12, 31, near), Some(jiff::civil::date(2025, 12, 31)));
        assert_eq!(closest_year(1, 3, near), Some(jiff::civil::date(2026, 1, 3)));
    }
}

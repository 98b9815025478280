//! Written time zones → UTC offsets.
//!
//! Timelines name zones the way people do: `UTC`, `Z`, `CEST`, `UTC+01:00`, `UTC−05:00` (with a
//! real minus sign), `+02:00`. An abbreviation is first tried against the configured time zone
//! at the entry's date (so `IST` means India in `Asia/Kolkata` and `CET`/`CEST` follow Berlin's
//! actual rules), then against a small table of unambiguous abbreviations.

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};

/// Abbreviations with one common meaning, and their offsets in minutes.
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("EST", -300),
    ("EDT", -240),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AKST", -540),
    ("AKDT", -480),
    ("HST", -600),
    ("JST", 540),
    ("KST", 540),
    ("SGT", 480),
    ("HKT", 480),
    ("AWST", 480),
    ("ACST", 570),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
];

/// Whether `word` is an abbreviation this module knows, or one the configured zone uses in the
/// year from `around`: a timeline that crosses a change to or from summer time writes both
/// (`NST` and `NDT`), and only one of them is in force at the incident's start.
pub fn is_abbreviation(word: &str, tz: &TimeZone, around: Option<DateTime>) -> bool {
    ABBREVIATIONS.iter().any(|(a, _)| *a == word)
        || around.is_some_and(|dt| {
            let Ok(start) = tz.to_ambiguous_timestamp(dt).compatible() else { return false };
            (0..4).any(|quarter| {
                let at = start.checked_add(jiff::SignedDuration::from_hours(quarter * 91 * 24));
                at.is_ok_and(|at| tz.to_offset_info(at).abbreviation() == word)
            })
        })
}

/// Every abbreviation of the table, for building patterns.
pub fn known_abbreviations() -> impl Iterator<Item = &'static str> {
    ABBREVIATIONS.iter().map(|(a, _)| *a)
}

/// The offset `zone` stands for at the civil time `dt`.
pub fn resolve(zone: &str, tz: &TimeZone, dt: DateTime) -> Option<Offset> {
    let zone = zone.trim();
    if let Some(offset) = numeric(zone) {
        return Some(offset);
    }
    if let Some(offset) = from_time_zone(zone, tz, dt) {
        return Some(offset);
    }
    let minutes = ABBREVIATIONS.iter().find(|(a, _)| *a == zone)?.1;
    Offset::from_seconds(minutes * 60).ok()
}

/// `+02:00`, `-0500`, `UTC+1`, `UTC−05:00`, `GMT+5:30`.
pub fn numeric(zone: &str) -> Option<Offset> {
    let rest = zone.strip_prefix("UTC").or_else(|| zone.strip_prefix("GMT")).unwrap_or(zone);
    let rest = rest.trim_start();
    let (sign, digits) = if let Some(d) = rest.strip_prefix('+') {
        (1, d)
    } else if let Some(d) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('\u{2212}')) {
        (-1, d)
    } else {
        return None;
    };
    let digits = digits.trim();
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() > 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// The offset of the configured zone at `dt` if its abbreviation there is `abbreviation`. In
/// a fold both candidate offsets are tried, so `02:30 CET` and `02:30 CEST` on the night the
/// clocks go back land an hour apart.
fn from_time_zone(abbreviation: &str, tz: &TimeZone, dt: DateTime) -> Option<Offset> {
    let candidates = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => vec![offset],
        AmbiguousOffset::Gap { before, after } | AmbiguousOffset::Fold { before, after } => {
            vec![before, after]
        }
    };
    candidates.into_iter().find(|offset| {
        offset
            .to_timestamp(dt)
            .ok()
            .is_some_and(|ts| tz.to_offset_info(ts).abbreviation() == abbreviation)
    })
}

/// How an offset is printed in a timeline when the zone has no alphabetic abbreviation:
/// `UTC+05:30`.
pub fn offset_label(offset: Offset) -> String {
    format!("UTC{}", offset_text(offset))
}

/// An offset as RFC 3339 writes it: `+02:00`, `-05:00`, `+00:00`.
pub fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The label of `tz` at instant `ts`: its abbreviation when it is alphabetic (`CEST`, `UTC`),
/// else the offset (`UTC+03:00`) — tzdb writes numeric "abbreviations" such as `-03` for zones
/// without a customary one.
pub fn label(tz: &TimeZone, ts: jiff::Timestamp) -> String {
    let info = tz.to_offset_info(ts);
    let abbreviation = info.abbreviation();
    if !abbreviation.is_empty() && abbreviation.chars().all(|c| c.is_ascii_alphabetic()) {
        abbreviation.to_owned()
    } else {
        offset_label(info.offset())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn minutes(o: Option<Offset>) -> Option<i32> {
        o.map(|o| o.seconds() / 60)
    }

    #[test]
    fn numeric_offsets() {
        assert_eq!(minutes(numeric("+02:00")), Some(120));
        assert_eq!(minutes(numeric("UTC−05:00")), Some(-300));
        assert_eq!(minutes(numeric("UTC+1")), Some(60));
        assert_eq!(minutes(numeric("GMT+5:30")), Some(330));
        assert_eq!(minutes(numeric("-0500")), Some(-300));
        assert_eq!(numeric("UTC"), None);
        assert_eq!(numeric("+25:00"), None);
    }

    #[test]
    fn abbreviations_follow_the_configured_zone() {
        let berlin = TimeZone::get("Europe/Berlin").expect("tz");
        // The night the clocks go back: 02:30 happens twice.
        let night = date(2025, 10, 26).at(2, 30, 0, 0);
        assert_eq!(minutes(resolve("CEST", &berlin, night)), Some(120));
        assert_eq!(minutes(resolve("CET", &berlin, night)), Some(60));
        let kolkata = TimeZone::get("Asia/Kolkata").expect("tz");
        assert_eq!(minutes(resolve("IST", &kolkata, night)), Some(330));
        assert_eq!(resolve("IST", &berlin, night), None);
        assert_eq!(minutes(resolve("EST", &berlin, night)), Some(-300));
    }

    #[test]
    fn labels() {
        let ts: jiff::Timestamp = "2026-06-16T08:41:00Z".parse().expect("ts");
        assert_eq!(label(&TimeZone::get("Europe/Berlin").expect("tz"), ts), "CEST");
        assert_eq!(label(&TimeZone::UTC, ts), "UTC");
        assert_eq!(label(&TimeZone::get("America/Sao_Paulo").expect("tz"), ts), "UTC-03:00");
        assert_eq!(label(&TimeZone::get("Asia/Kolkata").expect("tz"), ts), "IST");
    }
}

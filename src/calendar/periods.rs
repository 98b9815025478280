//! Calendar months and quarters, the periods incidents and action items are counted by, and the
//! local date of a timestamp, which decides the period it falls in.
//!
//! A period is a small value (year and number) that sorts, steps to the next one and prints as
//! `2026-01` or `2026-Q1`, so a series can list every period of its range, empty ones included.
//! It is calendar arithmetic that knows nothing of incidents, so it lives here, not in metrics.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Month {
    year: i16,
    month: i8,
}

impl Month {
    /// The month of `date`.
    pub(crate) fn of(date: Date) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    pub(crate) fn next(self) -> Self {
        if self.month >= 12 {
            Self { year: self.year.saturating_add(1), month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }

    pub(crate) fn quarter(self) -> Quarter {
        Quarter { year: self.year, quarter: (self.month - 1) / 3 + 1 }
    }

    /// Months from `first` to `self` (0 for the same month; `self` is not before `first`).
    pub(crate) fn months_since(self, first: Month) -> usize {
        let n = (i32::from(self.year) - i32::from(first.year)) * 12 + i32::from(self.month)
            - i32::from(first.month);
        usize::try_from(n).unwrap_or(usize::MAX)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Quarter {
    year: i16,
    quarter: i8,
}

impl Quarter {
    /// Quarters from `first` to `self`.
    pub(crate) fn quarters_since(self, first: Quarter) -> usize {
        let n = (i32::from(self.year) - i32::from(first.year)) * 4 + i32::from(self.quarter)
            - i32::from(first.quarter);
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    pub(crate) fn next(self) -> Self {
        if self.quarter >= 4 {
            Self { year: self.year.saturating_add(1), quarter: 1 }
        } else {
            Self { year: self.year, quarter: self.quarter + 1 }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// Every value from `first` to `last`, inclusive (empty when either is missing).
pub(crate) fn range<T: Copy + Ord>(first: Option<T>, last: Option<T>, next: fn(T) -> T) -> Vec<T> {
    let (Some(mut at), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while at <= last {
        out.push(at);
        let following = next(at);
        if following <= at {
            break;
        }
        at = following;
    }
    out
}

/// The date of `timestamp` in `tz`.
pub(crate) fn local_date(timestamp: Timestamp, tz: &jiff::tz::TimeZone) -> Date {
    tz.to_datetime(timestamp).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::collections::BTreeSet;

    #[test]
    fn months_are_read_in_the_configured_zone() {
        // 23:30 in New York on 31 January is already February in UTC.
        let t: Timestamp = "2026-01-31T23:30:00-05:00".parse().expect("timestamp");
        let ny = jiff::tz::TimeZone::get("America/New_York").expect("zone");
        assert_eq!(Month::of(local_date(t, &ny)).to_string(), "2026-01");
        assert_eq!(Month::of(local_date(t, &jiff::tz::TimeZone::UTC)).to_string(), "2026-02");
    }

    #[test]
    fn month_and_quarter_ranges_are_contiguous() {
        let months = range(
            Some(Month::of(date(2025, 11, 3))),
            Some(Month::of(date(2026, 2, 1))),
            Month::next,
        );
        let labels: Vec<String> = months.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        let quarters: Vec<String> = months
            .iter()
            .map(|m| m.quarter().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(quarters, ["2025-Q4", "2026-Q1"]);
        assert!(range::<Month>(None, None, Month::next).is_empty());
    }
}

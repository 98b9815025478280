//! Business-day arithmetic and "today", shared by deadline rules, scaffolding and reports; the
//! months and quarters that metrics count by are in `periods`.

pub(crate) mod periods;

use jiff::civil::{Date, Weekday};

/// Dates that are not business days, sorted and without repeats, so that a lookup is a binary
/// search and the holidays between two dates are one slice: deadline arithmetic costs the same
/// with ten holidays or a hundred thousand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(Vec<Date>);

impl Holidays {
    /// The holidays among `dates` (any order, repeats allowed).
    pub fn new(mut dates: Vec<Date>) -> Self {
        dates.sort_unstable();
        dates.dedup();
        Self(dates)
    }

    /// Whether `date` is a holiday.
    pub fn contains(&self, date: Date) -> bool {
        self.0.binary_search(&date).is_ok()
    }

    /// Holidays after `after` up to `upto` (included) that fall on a weekday: each takes a
    /// business day away.
    fn weekdays_between(&self, after: Date, upto: Date) -> u32 {
        let from = self.0.partition_point(|h| *h <= after);
        let to = self.0.partition_point(|h| *h <= upto).max(from);
        let count = self.0[from..to].iter().filter(|h| !is_weekend(**h)).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

/// The date `days` business days after `from` (weekends and `holidays` skipped).
///
/// Whole weeks are stepped at once and the holidays passed on the way are counted by binary
/// search, then stepped over the same way: the cost grows with the holidays in the way, not
/// with the distance. Past the last date there is, the result stays there.
pub fn add_business_days(from: Date, days: u32, holidays: &Holidays) -> Date {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        let next = add_weekdays(date, left);
        if next == date {
            break;
        }
        left = holidays.weekdays_between(date, next);
        date = next;
    }
    date
}

/// The date `days` (more than zero) weekdays after `from`, weekends skipped, holidays not.
fn add_weekdays(from: Date, days: u32) -> Date {
    // Count from the Friday before a weekend day: Monday is one weekday after either.
    let weekday = i64::from(from.weekday().to_monday_zero_offset());
    let (base, offset) = if weekday >= 5 {
        (from.checked_sub(jiff::Span::new().days(weekday - 4)).unwrap_or(from), 4)
    } else {
        (from, weekday)
    };
    let (weeks, rest) = (i64::from(days / 5), i64::from(days % 5));
    let weekend = if offset + rest >= 5 { 2 } else { 0 };
    let span = jiff::Span::new().try_days(weeks * 7 + rest + weekend);
    span.ok().and_then(|span| base.checked_add(span).ok()).unwrap_or(Date::MAX)
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Whether `date` is neither a weekend day nor a holiday.
pub fn is_business_day(date: Date, holidays: &Holidays) -> bool {
    !is_weekend(date) && !holidays.contains(date)
}

/// Whole days from `earlier` to `later` (negative when `later` is earlier).
pub fn days_between(earlier: Date, later: Date) -> i64 {
    later.duration_since(earlier).as_secs() / 86_400
}

/// "today", "1 day ago", "12 days ago".
pub fn ago(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}

/// The current date in `tz`, unless `PM_TODAY`-style `fixed` is given.
pub fn today(tz: &jiff::tz::TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn skips_weekends_and_holidays() {
        let none = Holidays::default();
        let monday = Holidays::new(vec![date(2026, 3, 9)]);
        // Friday 2026-03-06 + 1 business day = Monday 03-09; with Monday a holiday, Tuesday.
        assert_eq!(add_business_days(date(2026, 3, 6), 1, &none), date(2026, 3, 9));
        assert_eq!(add_business_days(date(2026, 3, 6), 1, &monday), date(2026, 3, 10));
        assert_eq!(add_business_days(date(2026, 3, 2), 5, &none), date(2026, 3, 9));
        assert_eq!(days_between(date(2026, 2, 27), date(2026, 3, 2)), 3);
    }

    /// The day-by-day walk the week-at-a-time arithmetic replaces.
    fn walk(from: Date, days: u32, holidays: &Holidays) -> Date {
        let mut date = from;
        let mut left = days;
        while left > 0 {
            date = date.tomorrow().expect("in range");
            if is_business_day(date, holidays) {
                left -= 1;
            }
        }
        date
    }

    #[test]
    fn agrees_with_the_day_by_day_walk() {
        // Holidays on weekdays and weekends, back to back, and on the start date.
        let holidays = Holidays::new(
            [(3, 2), (3, 9), (3, 10), (3, 14), (3, 20), (4, 3), (4, 6), (3, 2)]
                .iter()
                .map(|(m, d)| date(2026, *m, *d))
                .collect(),
        );
        for start in 0..14 {
            let from = date(2026, 3, 1).checked_add(jiff::Span::new().days(start)).expect("date");
            for days in 0..40 {
                for h in [&Holidays::default(), &holidays] {
                    assert_eq!(
                        add_business_days(from, days, h),
                        walk(from, days, h),
                        "{from} + {days}"
                    );
                }
            }
        }
    }

    #[test]
    fn far_deadlines_and_many_holidays_are_quick() {
        let many = Holidays::new(
            (0..100_000)
                .filter_map(|i| date(2000, 1, 1).checked_add(jiff::Span::new().days(i)).ok())
                .collect(),
        );
        let started = std::time::Instant::now();
        assert_eq!(add_business_days(date(2026, 3, 6), u32::MAX, &Holidays::default()), Date::MAX);
        let _ = add_business_days(date(2000, 1, 1), 1000, &many);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

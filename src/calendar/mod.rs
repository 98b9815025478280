//! Business-day arithmetic and "today", shared by deadline rules, scaffolding and reports; the
//! months and quarters that metrics count by are in `periods`.

pub(crate) mod periods;

use jiff::civil::{Date, Weekday};

/// The date `days` business days after `from` (weekends and `holidays` skipped).
pub fn add_business_days(from: Date, days: u32, holidays: &[Date]) -> Date {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.tomorrow().unwrap_or(date);
        if is_business_day(date, holidays) {
            left -= 1;
        }
    }
    date
}

/// Whether `date` is neither a weekend day nor a holiday.
pub fn is_business_day(date: Date, holidays: &[Date]) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(&date)
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
        // Friday 2026-03-06 + 1 business day = Monday 03-09; with Monday a holiday, Tuesday.
        assert_eq!(add_business_days(date(2026, 3, 6), 1, &[]), date(2026, 3, 9));
        assert_eq!(add_business_days(date(2026, 3, 6), 1, &[date(2026, 3, 9)]), date(2026, 3, 10));
        assert_eq!(add_business_days(date(2026, 3, 2), 5, &[]), date(2026, 3, 9));
        assert_eq!(days_between(date(2026, 2, 27), date(2026, 3, 2)), 3);
    }
}

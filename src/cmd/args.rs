//! Arguments several commands share, each declared once so every command spells, parses and
//! documents it the same way: `--today` (one parser, one meaning of "today") and look-ahead
//! windows such as `7d`.

use jiff::civil::Date;

use crate::config::Config;

/// `--today` (or `PM_TODAY`): the date deadlines, overdue items and ages are judged on.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct Today {
    /// What "today" is, for deadlines, overdue items and ages (YYYY-MM-DD; default: the current
    /// date in pm.toml's timezone).
    #[arg(id = "today", long = "today", env = "PM_TODAY", value_name = "DATE", value_parser = parse_date)]
    pub fixed: Option<Date>,
}

impl Today {
    /// The date given, else the current date in `config`'s time zone.
    pub fn resolve(self, config: &Config) -> Date {
        self.fixed.unwrap_or_else(|| crate::calendar::today(&config.time_zone()))
    }
}

/// `--now` (or `PM_NOW`, hidden): the clock, for reproducible output in tests and demos.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Now {
    /// The clock, RFC 3339, for reproducible output (tests, demos).
    #[arg(id = "now", long = "now", env = "PM_NOW", value_name = "TIME", hide = true)]
    pub fixed: Option<String>,
}

impl Now {
    /// The time given, else the system clock. An empty PM_NOW counts as unset, as environment
    /// variables usually do.
    pub fn resolve(&self) -> anyhow::Result<jiff::Timestamp> {
        match self.fixed.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(text) => {
                crate::model::Instant::parse(text).map(|i| i.timestamp).ok_or_else(|| {
                    anyhow::anyhow!("`--now`/PM_NOW: `{text}` is not an RFC 3339 date-time")
                })
            }
            None => Ok(jiff::Timestamp::now()),
        }
    }
}

/// The dates a date argument may name (`--today`, `--since`, `--until`): every command accepts
/// the same range, and windows and deadlines counted from them stay far from the calendar's
/// ends.
pub const DATE_RANGE: std::ops::RangeInclusive<Date> =
    jiff::civil::date(1900, 1, 1)..=jiff::civil::date(2999, 12, 31);

/// Parses a date argument: exactly `YYYY-MM-DD` (a date-time is refused, not truncated), within
/// [`DATE_RANGE`]. Every date argument of every command is parsed here.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let shown = crate::diagnostic::printable_line(text);
    if text.len() != 10 {
        return Err(format!("`{shown}` is not a date (YYYY-MM-DD)"));
    }
    let date: Date =
        text.parse().map_err(|e| format!("`{shown}` is not a date (YYYY-MM-DD): {e}"))?;
    if !DATE_RANGE.contains(&date) {
        return Err(format!(
            "`{shown}` is out of range: give a date from {} to {}",
            DATE_RANGE.start(),
            DATE_RANGE.end()
        ));
    }
    Ok(date)
}

/// Parses a look-ahead window such as `7d` or `2w` into days.
pub fn parse_window(text: &str) -> Result<u32, String> {
    let hint = "write a whole number of days or weeks, e.g. `7d` or `2w`";
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u32 = number.parse().map_err(|_| format!("`{text}` is not a window: {hint}"))?;
    let days = match unit.trim() {
        "d" | "day" | "days" => Some(n),
        "w" | "week" | "weeks" => n.checked_mul(7),
        "" => return Err(format!("`{text}` has no unit: {hint}")),
        other => return Err(format!("`{other}` is not a unit of `{text}`: {hint}")),
    };
    days.filter(|d| *d <= 36_500).ok_or_else(|| format!("`{text}` is more than 100 years"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("7d"), Ok(7));
        assert_eq!(parse_window("2w"), Ok(14));
        assert_eq!(parse_window("0d"), Ok(0));
        assert_eq!(parse_window("3 days"), Ok(3));
        assert!(parse_window("7").expect_err("unit").contains("no unit"));
        assert!(parse_window("7x").expect_err("unit").contains("`x` is not a unit"));
        assert!(parse_window("d").expect_err("number").contains("not a window"));
        assert!(parse_window("-1d").is_err());
        assert!(parse_window("99999999999d").is_err());
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-03-15").is_ok());
        assert!(parse_date("2026-3-15").is_err());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-06-01T10:00").is_err(), "a date-time is not a date");
        for far in ["0000-01-01", "0001-01-01", "9999-12-31", "-009999-01-01", "+09999-01-01"] {
            assert!(parse_date(far).is_err(), "{far}");
        }
        assert!(parse_date("1900-01-01").is_ok() && parse_date("2999-12-31").is_ok());
    }
}

//! Calendar dates of entry: parsed and printed as ISO `YYYY-MM-DD`, ordered, and counted
//! in days (for measures timed from a scenario's `start_date`).

use std::fmt;

/// A calendar day (proleptic Gregorian), as the `time` crate keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

const ISO: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Date {
    /// Reads `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        time::Date::parse(s.trim(), ISO).ok().map(Date)
    }

    /// The day (UTC) holding `secs` seconds after 1970-01-01, e.g. the clock's today.
    pub fn from_unix_seconds(secs: u64) -> Option<Date> {
        Date::parse("1970-01-01")?.plus_days((secs / 86_400) as i64)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// The day `days` after this one (`None` past the calendar's range).
    pub fn plus_days(self, days: i64) -> Option<Date> {
        self.0.checked_add(time::Duration::days(days)).map(Date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.format(ISO).map_err(|_| fmt::Error)?;
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_counts_days() {
        let a = Date::parse("2025-02-28").unwrap();
        let b = Date::parse("2025-03-01").unwrap();
        assert_eq!(a.days_until(b), 1);
        assert_eq!(
            Date::parse("2024-02-28")
                .unwrap()
                .plus_days(1)
                .unwrap()
                .to_string(),
            "2024-02-29"
        );
        assert_eq!(a.to_string(), "2025-02-28");
        assert!(a < b);
        for bad in ["2025-02-30", "2025-2-1x", "", "20250301"] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
    }
}

//! [`Date`]: a calendar date as front matter writes it (`YYYY-MM-DD`),
//! checked once while parsing, then compared and shown as a value.

use std::fmt;

/// A real calendar date, years 0000 to 9999 (proleptic Gregorian). Ordered
/// by time; shown as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// `YYYY-MM-DD` naming a day that exists (29 February only in a leap
    /// year); `None` for anything else.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let digits = text.get(range)?;
            digits
                .bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| digits.parse().ok())?
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// "3 March 2026", as pages show it.
    pub fn long(&self) -> String {
        let month = MONTHS[usize::from(self.month) - 1];
        format!("{} {month} {}", self.day, self.year)
    }

    /// Midnight UTC of the day, as Atom writes a time.
    pub fn timestamp(&self) -> String {
        format!("{self}T00:00:00Z")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn real_days_only() {
        for good in [
            "2026-03-01",
            "2024-02-29",
            "2000-02-29",
            "0000-01-01",
            "9999-12-31",
        ] {
            let date = Date::parse(good).expect(good);
            assert_eq!(date.to_string(), good);
        }
        for bad in [
            "2026-3-01",
            "2026-02-30",
            "2023-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-01-01T00",
            "+026-01-01",
            "2026-0a-01",
            "٢٠٢٦-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ordered_by_time_and_shown_long() {
        let d = |s| Date::parse(s).expect("date");
        assert!(d("2025-12-31") < d("2026-01-01"));
        assert!(d("2026-02-01") > d("2026-01-31"));
        assert_eq!(d("2026-03-03").long(), "3 March 2026");
        assert_eq!(d("2026-12-25").timestamp(), "2026-12-25T00:00:00Z");
    }
}

//! Civil-date arithmetic and the text formats of ranges and dates.
//!
//! Day numbers count days since 1970-01-01 in the proleptic Gregorian
//! calendar (negative before). The conversions are Howard Hinnant's
//! `days_from_civil` / `civil_from_days`, valid far beyond any instant the
//! module accepts.

/// Milliseconds in a civil day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Minutes in a civil day.
pub(crate) const DAY_MIN: u32 = 1_440;

/// Day number of a civil date.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month, day)` of a day number.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Both are small and non-negative by construction.
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Weekday index of a day number, Monday = 0 ... Sunday = 6.
pub(crate) fn weekday_index(z: i64) -> usize {
    // 1970-01-01 was a Thursday (index 3).
    (z + 3).rem_euclid(7) as usize
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` of `year`; `year = None` means "any year" (February has 29).
fn days_in_month(year: Option<i64>, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => match year {
            Some(y) if !is_leap(y) => 28,
            _ => 29,
        },
    }
}

/// A date as written in a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DateKey {
    /// `YYYY-MM-DD`: that day only (day number).
    Dated(i64),
    /// `MM-DD`: that day every year (`02-29` only in leap years).
    Yearly(u32, u32),
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DD` or `MM-DD`.
pub(crate) fn parse_date(text: &str) -> Result<DateKey, &'static str> {
    const FORMAT: &str = "expected `YYYY-MM-DD` (one day) or `MM-DD` (every year)";
    let parts: Vec<&str> = text.trim().split('-').collect();
    let (year, month, day) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => (
            Some(digits(y).ok_or(FORMAT)?),
            digits(m).ok_or(FORMAT)?,
            digits(d).ok_or(FORMAT)?,
        ),
        [m, d] if m.len() == 2 && d.len() == 2 => (None, digits(m).ok_or(FORMAT)?, digits(d).ok_or(FORMAT)?),
        _ => return Err(FORMAT),
    };
    if !(1..=12).contains(&month) {
        return Err("month must be 01..=12");
    }
    let year = year.map(i64::from);
    if year.is_some_and(|y| y < 1) {
        return Err("year must be 0001..=9999");
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err("no such day in that month");
    }
    Ok(match year {
        Some(y) => DateKey::Dated(days_from_civil(y, month, day)),
        None => DateKey::Yearly(month, day),
    })
}

/// Parses `H:MM` / `HH:MM` into minutes since midnight (`24:00` = 1440).
fn parse_clock(text: &str) -> Result<u32, &'static str> {
    const FORMAT: &str = "expected `HH:MM-HH:MM`, e.g. `08:00-12:30`";
    let (h, m) = text.trim().split_once(':').ok_or(FORMAT)?;
    if h.len() > 2 || m.len() != 2 {
        return Err(FORMAT);
    }
    let (h, m) = (digits(h).ok_or(FORMAT)?, digits(m).ok_or(FORMAT)?);
    if m > 59 {
        return Err("minutes must be 00..=59");
    }
    if h > 24 || (h == 24 && m != 0) {
        return Err("hours must be 00..=23 (or `24:00` as the end of a range)");
    }
    Ok(h * 60 + m)
}

/// Parses `HH:MM-HH:MM` into `(start, end)` minutes since the start of the
/// day the range belongs to. A range whose end is not after its start crosses
/// midnight: its end is returned as `end + 1440` (so `22:00-06:00` is
/// `(1320, 1800)`).
pub(crate) fn parse_range(text: &str) -> Result<(u32, u32), &'static str> {
    let (a, b) = text
        .split_once('-')
        .ok_or("expected `HH:MM-HH:MM`, e.g. `08:00-12:30`")?;
    let start = parse_clock(a)?;
    let end = parse_clock(b)?;
    if start == DAY_MIN {
        return Err("`24:00` is only allowed as the end of a range");
    }
    if start == end {
        return Err("start equals end (an empty range; use `00:00-24:00` for a whole day)");
    }
    Ok(if end > start {
        (start, end)
    } else {
        (start, end + DAY_MIN)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        for z in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        // 2026-01-01 was a Thursday, 2026-03-09 a Monday.
        assert_eq!(weekday_index(20_454), 3);
        assert_eq!(weekday_index(days_from_civil(2026, 3, 9)), 0);
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("08:00-12:30"), Ok((480, 750)));
        assert_eq!(parse_range(" 8:00 - 12:30 "), Ok((480, 750)));
        assert_eq!(parse_range("13:30-24:00"), Ok((810, 1440)));
        assert_eq!(parse_range("00:00-24:00"), Ok((0, 1440)));
        assert_eq!(parse_range("22:00-06:00"), Ok((1320, 1800)));
        assert_eq!(parse_range("22:00-00:00"), Ok((1320, 1440)));
        assert!(parse_range("24:00-06:00").is_err());
        assert!(parse_range("09:00-09:00").is_err());
        assert!(parse_range("09:00-24:01").is_err());
        assert!(parse_range("09:60-10:00").is_err());
        assert!(parse_range("0900-1000").is_err());
        assert!(parse_range("09:00").is_err());
        assert!(parse_range("-1:00-10:00").is_err());
        assert!(parse_range("+9:00-10:00").is_err());
        assert!(parse_range("").is_err());
    }

    #[test]
    fn dates_parse() {
        assert_eq!(
            parse_date("2026-12-25"),
            Ok(DateKey::Dated(days_from_civil(2026, 12, 25)))
        );
        assert_eq!(parse_date("12-25"), Ok(DateKey::Yearly(12, 25)));
        assert_eq!(parse_date("02-29"), Ok(DateKey::Yearly(2, 29)));
        assert_eq!(
            parse_date("2024-02-29"),
            Ok(DateKey::Dated(days_from_civil(2024, 2, 29)))
        );
        assert_eq!(parse_date("2026-02-29"), Err("no such day in that month"));
        assert_eq!(parse_date("2026-13-01"), Err("month must be 01..=12"));
        assert_eq!(parse_date("04-31"), Err("no such day in that month"));
        assert!(parse_date("2026-1-01").is_err());
        assert!(parse_date("26-01-01").is_err());
        assert!(parse_date("2026/01/01").is_err());
        assert!(parse_date("0000-01-01").is_err());
        assert!(parse_date("").is_err());
    }
}

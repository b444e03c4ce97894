//! Business-hours calendars shared by IVR schedule nodes, queues and ticket
//! SLA timers.
//!
//! A [`Calendar`] is plain configuration (TOML or JSON): an IANA time zone,
//! weekly opening hours, holidays and one-off exceptions. [`Calendar::compile`]
//! validates it and returns a [`CompiledCalendar`] that answers, for an
//! instant given as Unix epoch milliseconds (`u64`):
//!
//! * [`state_at`](CompiledCalendar::state_at) / [`is_open`](CompiledCalendar::is_open):
//!   open, closed or holiday;
//! * [`next_change`](CompiledCalendar::next_change): when open/closed flips next;
//! * [`business_ms_between`](CompiledCalendar::business_ms_between) and
//!   [`add_business_ms`](CompiledCalendar::add_business_ms): open time in a
//!   span, and due times such as "24 business hours from now";
//! * [`local_time`](CompiledCalendar::local_time): weekday, date and time of
//!   day in the calendar's zone.
//!
//! The module never reads a clock: every instant comes from the caller, and
//! the same calendar and instant always give the same answer. Time zone rules
//! come from the IANA database bundled into the binary, never from the host's
//! `/usr/share/zoneinfo`.
//!
//! Precedence for a local date: **exception > holiday > weekly hours**. The
//! state at an instant is decided by the wall clock: the calendar is open when
//! the local date and time shown by a clock in `time_zone` fall inside a range.
//! A range belongs to the day it starts on, so `mon = ["22:00-06:00"]` is open
//! from Monday 22:00 to Tuesday 06:00 even when Tuesday is a holiday. See
//! `docs/calendars.md` for the full format and the behaviour around
//! daylight-saving changes.
//!
//! ```rust
//! use callroute::calendar::{Calendar, OpenState, Weekday};
//!
//! let cal = Calendar::from_toml_str(r#"
//!     time_zone = "Europe/Lisbon"
//!     holidays = [{ date = "12-25", name = "Christmas" }]
//!     [hours]
//!     mon = ["08:00-12:30", "13:30-18:00"]
//!     tue = ["08:00-12:30", "13:30-18:00"]
//! "#)?.compile()?;
//!
//! // Monday 2026-01-12 10:00 in Lisbon (UTC+0 in winter).
//! let t = 1_768_212_000_000;
//! assert_eq!(cal.local_time(t).weekday, Weekday::Mon);
//! assert_eq!(cal.state_at(t), OpenState::Open);
//! // Closes for lunch at 12:30.
//! assert_eq!(cal.next_change(t), Some(t + 150 * 60_000));
//! // 8 business hours later: 10:00 + 2:30 (morning) + 4:30 (afternoon) = Tuesday 09:00.
//! assert_eq!(cal.add_business_ms(t, 8 * 3_600_000), Some(t + 23 * 3_600_000));
//! # Ok::<(), callroute::calendar::CalendarError>(())
//! ```

mod civil;
mod compiled;
mod error;
#[cfg(test)]
mod tests;

pub use compiled::{CompiledCalendar, CompiledCalendars, MAX_INSTANT_MS, SEARCH_HORIZON_MS};
pub use error::CalendarError;

/// Runs the examples of `docs/calendars.md` as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/calendars.md")]
pub struct CalendarsGuideDoctests;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A business-hours calendar as written in configuration.
///
/// ```toml
/// time_zone = "Europe/Lisbon"
/// holidays = ["2026-06-10", { date = "12-25", name = "Christmas" }]
/// exceptions = [
///     { date = "2026-12-24", hours = ["09:00-13:00"] },
///     { date = "2026-12-31", closed = true },
/// ]
///
/// [hours]
/// mon = ["08:00-12:30", "13:30-18:00"]
/// sat = ["10:00-14:00"]
/// ```
///
/// Fields are public so a host can also build one in code; call
/// [`validate`](Self::validate) or [`compile`](Self::compile) before use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// IANA time zone name, e.g. `Europe/Lisbon` or `America/New_York`.
    pub time_zone: String,
    /// Weekly opening hours. Days not listed are closed.
    #[serde(default)]
    pub hours: WeeklyHours,
    /// Closed days: `YYYY-MM-DD` (that day) or `MM-DD` (every year).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<Holiday>,
    /// Days with special hours (or closed) that override holidays and weekly hours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
}

/// Opening hours per weekday: each day is a list of ranges `"HH:MM-HH:MM"`.
///
/// Ranges are half-open (`08:00-12:30` is open at 08:00 and closed at 12:30),
/// may end at `24:00`, and may cross midnight (`22:00-06:00` runs into the next
/// day). Ranges of one day must not overlap; ranges that merely touch
/// (`08:00-12:00`, `12:00-13:00`) are fine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<String>,
    /// Tuesday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<String>,
    /// Wednesday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<String>,
    /// Thursday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<String>,
    /// Friday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<String>,
    /// Saturday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<String>,
    /// Sunday.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<String>,
}

impl WeeklyHours {
    /// The ranges of one weekday.
    pub fn day(&self, weekday: Weekday) -> &[String] {
        match weekday {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// The ranges of one weekday, for editing.
    pub fn day_mut(&mut self, weekday: Weekday) -> &mut Vec<String> {
        match weekday {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }
}

/// A closed day. Written either as a bare date string (`"2026-12-25"`,
/// `"12-25"`) or as a table with a name (`{ date = "12-25", name = "Christmas" }`).
///
/// `YYYY-MM-DD` closes that one day; `MM-DD` closes that day every year
/// (`02-29` only in leap years). A holiday closes the whole local day, except
/// for a range of the previous day that runs past midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// `YYYY-MM-DD` or `MM-DD`.
    pub date: String,
    /// Optional name, reported by [`OpenState::Holiday`].
    pub name: Option<String>,
}

impl Serialize for Holiday {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Table<'a> {
            date: &'a str,
            name: &'a str,
        }
        match &self.name {
            None => serializer.serialize_str(&self.date),
            Some(name) => Table {
                date: &self.date,
                name,
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Holiday {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            date: String,
            #[serde(default)]
            name: Option<String>,
        }
        struct HolidayVisitor;
        impl<'de> Visitor<'de> for HolidayVisitor {
            type Value = Holiday;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date string or a table { date = \"...\", name = \"...\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Holiday, E> {
                Ok(Holiday {
                    date: v.to_string(),
                    name: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Holiday, A::Error> {
                let t = Table::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Holiday {
                    date: t.date,
                    name: t.name,
                })
            }
        }
        deserializer.deserialize_any(HolidayVisitor)
    }
}

/// A date with special hours, overriding holidays and weekly hours.
///
/// Exactly one of `hours` (the ranges of that day; `[]` means closed) or
/// `closed = true` must be given. `date` is `YYYY-MM-DD` (that day) or
/// `MM-DD` (every year); a dated exception wins over a yearly one for the same
/// day.
///
/// ```toml
/// exceptions = [
///     { date = "2026-12-24", hours = ["09:00-13:00"], name = "Christmas Eve" },
///     { date = "2026-08-15", closed = true },
/// ]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// `YYYY-MM-DD` or `MM-DD`.
    pub date: String,
    /// The ranges of that day, replacing its weekly hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Vec<String>>,
    /// `true`: closed all day (the state is [`OpenState::Closed`], not a holiday).
    #[serde(default, skip_serializing_if = "is_false")]
    pub closed: bool,
    /// Optional description (informational only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Calendar {
    /// A calendar in `time_zone` that is never open (no hours, holidays or
    /// exceptions yet).
    pub fn new(time_zone: impl Into<String>) -> Calendar {
        Calendar {
            time_zone: time_zone.into(),
            hours: WeeklyHours::default(),
            holidays: Vec::new(),
            exceptions: Vec::new(),
        }
    }

    /// Parses and validates a calendar written in TOML.
    pub fn from_toml_str(src: &str) -> Result<Calendar, CalendarError> {
        let cal: Calendar = parse_toml(src)?;
        cal.validate()?;
        Ok(cal)
    }

    /// Parses and validates a calendar written in JSON.
    pub fn from_json_str(src: &str) -> Result<Calendar, CalendarError> {
        let cal: Calendar = parse_json(src)?;
        cal.validate()?;
        Ok(cal)
    }

    /// Checks everything [`compile`](Self::compile) checks. Error paths are
    /// relative to the calendar (`hours.mon[1]`, `holidays[2]`, ...).
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.compile().map(drop)
    }

    /// Validates the calendar and precomputes its lookup tables.
    pub fn compile(&self) -> Result<CompiledCalendar, CalendarError> {
        CompiledCalendar::new(self)
    }
}

/// Named calendars, as found under `[calendars.NAME]` in the configuration.
///
/// Names must be non-empty and use only ASCII letters, digits, `_` and `-`.
/// Validation errors carry the calendar in their path:
/// `calendars.main.hours.mon[0]`.
///
/// ```rust
/// use callroute::calendar::Calendars;
///
/// let err = Calendars::from_toml_str(r#"
///     [main]
///     time_zone = "Europe/Lisbon"
///     hours.mon = ["08:00-18:00"]
///
///     [support]
///     time_zone = "America/New_York"
///     hours.sat = ["10:00-7:00pm"]
/// "#).unwrap_err();
/// assert_eq!(err.code(), 5002);
/// assert_eq!(err.path(), "calendars.support.hours.sat[0]");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Calendars(pub BTreeMap<String, Calendar>);

impl Calendars {
    /// Parses and validates a TOML document whose top-level tables are
    /// calendars (`[main]`, `[support]`, ...). Error paths start with
    /// `calendars.`.
    pub fn from_toml_str(src: &str) -> Result<Calendars, CalendarError> {
        let cals: Calendars = parse_toml(src).map_err(|e| e.with_prefix("calendars"))?;
        cals.validate()?;
        Ok(cals)
    }

    /// Parses and validates a JSON object of calendars by name.
    pub fn from_json_str(src: &str) -> Result<Calendars, CalendarError> {
        let cals: Calendars = parse_json(src).map_err(|e| e.with_prefix("calendars"))?;
        cals.validate()?;
        Ok(cals)
    }

    /// Validates every calendar; paths look like `calendars.main.hours.mon[0]`.
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.compile().map(drop)
    }

    /// Validates and compiles every calendar.
    pub fn compile(&self) -> Result<CompiledCalendars, CalendarError> {
        let mut out = BTreeMap::new();
        for (name, cal) in &self.0 {
            let prefix = format!("calendars.{name}");
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(CalendarError::InvalidName {
                    path: prefix,
                    name: name.clone(),
                    reason: "must be non-empty and use only ASCII letters, digits, `_` and `-`",
                });
            }
            let compiled = cal.compile().map_err(|e| e.with_prefix(&prefix))?;
            out.insert(name.clone(), compiled);
        }
        Ok(CompiledCalendars::from_map(out))
    }

    /// The calendar called `name`.
    pub fn get(&self, name: &str) -> Option<&Calendar> {
        self.0.get(name)
    }
}

impl From<BTreeMap<String, Calendar>> for Calendars {
    fn from(map: BTreeMap<String, Calendar>) -> Self {
        Calendars(map)
    }
}

/// Whether a calendar is open at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OpenState {
    /// Inside opening hours (weekly hours or an exception's hours).
    Open,
    /// Outside opening hours, or on an exception day marked closed.
    Closed,
    /// On a holiday (and not inside a range that started the day before).
    Holiday {
        /// The holiday's name, if it has one.
        name: Option<String>,
    },
}

impl OpenState {
    /// `true` for [`OpenState::Open`].
    pub fn is_open(&self) -> bool {
        matches!(self, OpenState::Open)
    }

    /// `"open"`, `"closed"` or `"holiday"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            OpenState::Open => "open",
            OpenState::Closed => "closed",
            OpenState::Holiday { .. } => "holiday",
        }
    }
}

/// A day of the week. Serialised (and displayed) as `mon` ... `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// All days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// `"mon"` ... `"sun"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// ISO number: Monday = 1 ... Sunday = 7.
    pub fn number_from_monday(self) -> u8 {
        self as u8 + 1
    }

    /// `true` for Saturday and Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Sat | Weekday::Sun)
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Weekday {
    type Err = String;

    /// Accepts `mon`..`sun` and full English names, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Weekday::ALL
            .into_iter()
            .find(|d| {
                let full = match d {
                    Weekday::Mon => "monday",
                    Weekday::Tue => "tuesday",
                    Weekday::Wed => "wednesday",
                    Weekday::Thu => "thursday",
                    Weekday::Fri => "friday",
                    Weekday::Sat => "saturday",
                    Weekday::Sun => "sunday",
                };
                lower == d.as_str() || lower == full
            })
            .ok_or_else(|| format!("unknown weekday `{s}` (expected mon..sun)"))
    }
}

/// A civil date in a calendar's time zone. Displayed as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDate {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The wall-clock reading of an instant in a calendar's time zone, as
/// returned by [`CompiledCalendar::local_time`]. Meant for IVR conditions
/// such as `weekday == 'sat'` or `hour >= 18`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocalTime {
    /// Local date.
    pub date: LocalDate,
    /// Local day of the week.
    pub weekday: Weekday,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
    /// Millisecond, 0..=999.
    pub millisecond: u16,
    /// Offset from UTC in force at that instant, in seconds (e.g. 3600 for UTC+1).
    pub utc_offset_secs: i32,
}

impl LocalTime {
    /// Minutes since local midnight, 0..=1439.
    pub fn minute_of_day(&self) -> u16 {
        u16::from(self.hour) * 60 + u16::from(self.minute)
    }
}

/// Reads TOML into `T`, naming the field path, line and column on failure.
fn parse_toml<T: DeserializeOwned>(src: &str) -> Result<T, CalendarError> {
    let de = toml::Deserializer::parse(src).map_err(|e| toml_error(src, "", &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        toml_error(src, &path, e.inner())
    })
}

fn toml_error(src: &str, path: &str, e: &toml::de::Error) -> CalendarError {
    let (line, column) = match e.span() {
        Some(span) => line_col(src, span.start),
        None => (None, None),
    };
    CalendarError::Parse {
        path: clean_path(path),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

/// Reads JSON into `T`, naming the field path, line and column on failure.
fn parse_json<T: DeserializeOwned>(src: &str) -> Result<T, CalendarError> {
    let mut de = serde_json::Deserializer::from_str(src);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        CalendarError::Parse {
            path: clean_path(&path),
            line: Some(inner.line()),
            column: Some(inner.column()),
            message: strip_position(&inner.to_string()),
        }
    })?;
    de.end().map_err(|e| CalendarError::Parse {
        path: String::new(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: strip_position(&e.to_string()),
    })?;
    Ok(value)
}

/// serde_json appends " at line L column C"; the error carries those separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn clean_path(p: &str) -> String {
    if p == "." { String::new() } else { p.to_string() }
}

/// 1-based line and column of a byte offset.
fn line_col(src: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (Some(line), Some(column))
}

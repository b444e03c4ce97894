//! The compiled (validated, precomputed) form of a calendar and the time
//! arithmetic on it.
//!
//! The model: the state at an instant is a pure function of the local civil
//! date and time-of-day shown by a wall clock in the calendar's zone. To walk
//! forward in time the instant line is cut into *pieces* on which both the
//! UTC offset and the local date are constant; on a piece, local time is the
//! instant plus a constant, so the open ranges of that local day map back to
//! instants by subtracting the offset. This handles daylight-saving gaps and
//! folds (and any other offset change) exactly, with one time zone lookup per
//! offset change and one day-plan lookup per local day.

use super::civil::{self, DAY_MIN, DAY_MS, DateKey};
use super::{Calendar, CalendarError, LocalDate, LocalTime, OpenState, Weekday};
use jiff::Timestamp;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::OnceLock;

/// The latest instant the calendar works with: 9999-01-01T00:00:00Z in Unix
/// epoch milliseconds. Later inputs are treated as this instant, and no
/// result is ever later.
pub const MAX_INSTANT_MS: u64 = 253_370_764_800_000;

/// How far [`CompiledCalendar::next_change`] looks ahead (400 days), and the
/// length of a stretch without any open time after which
/// [`CompiledCalendar::add_business_ms`] gives up.
pub const SEARCH_HORIZON_MS: u64 = 400 * 86_400_000;

const MAX_I: i64 = MAX_INSTANT_MS as i64;
const HORIZON_I: i64 = SEARCH_HORIZON_MS as i64;

/// The bundled IANA database, independent of the host's zoneinfo files (and
/// of jiff features other crates may turn on).
fn tz_db() -> &'static TimeZoneDatabase {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

fn clamp(t: u64) -> i64 {
    // MAX_INSTANT_MS < i64::MAX, so the cast is lossless.
    t.min(MAX_INSTANT_MS) as i64
}

/// The open ranges of one local day, in milliseconds after local midnight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Plan {
    /// Sorted, disjoint, non-touching ranges within `[0, DAY_MS]`.
    own: Vec<(i64, i64)>,
    /// How far a range of this day runs into the next day (0 if none).
    spill: i64,
}

impl Plan {
    /// From validated, non-overlapping `(start, end)` minute pairs (end may
    /// exceed 1440 for a range crossing midnight).
    fn from_minutes(mut ranges: Vec<(u32, u32)>) -> Plan {
        ranges.sort_unstable();
        let mut own: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
        let mut spill = 0;
        for (s, e) in ranges {
            let (s, e) = (i64::from(s) * 60_000, i64::from(e) * 60_000);
            spill = spill.max(e - DAY_MS);
            let e = e.min(DAY_MS);
            match own.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => own.push((s, e)),
            }
        }
        Plan { own, spill }
    }

    fn contains(&self, ms: i64) -> bool {
        let i = self.own.partition_point(|&(a, _)| a <= ms);
        i > 0 && ms < self.own[i - 1].1
    }
}

/// What governs one local day.
#[derive(Clone, Copy)]
enum DayKind<'a> {
    Weekly(&'a Plan),
    Exception(&'a Plan),
    Holiday(Option<&'a str>),
}

impl<'a> DayKind<'a> {
    fn plan(self) -> Option<&'a Plan> {
        match self {
            DayKind::Weekly(p) | DayKind::Exception(p) => Some(p),
            DayKind::Holiday(_) => None,
        }
    }
}

/// Like [`OpenState`] without allocating the holiday name.
enum Class<'a> {
    Open,
    Closed,
    Holiday(Option<&'a str>),
}

/// The merged open ranges of a local day: the previous day's spill `[0, spill)`
/// united with the day's own ranges.
struct Merged<'a> {
    spill: i64,
    own: &'a [(i64, i64)],
}

impl Iterator for Merged<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        if self.spill > 0 {
            let mut end = self.spill;
            self.spill = 0;
            while let Some((&(a, b), rest)) = self.own.split_first() {
                if a > end {
                    break;
                }
                end = end.max(b);
                self.own = rest;
            }
            return Some((0, end));
        }
        let (&first, rest) = self.own.split_first()?;
        self.own = rest;
        Some(first)
    }
}

/// A validated calendar with precomputed per-day ranges, ready for fast
/// queries. Built by [`Calendar::compile`].
///
/// All instants are Unix epoch milliseconds. Inputs after
/// [`MAX_INSTANT_MS`] are treated as that instant. No method panics, reads a
/// clock or depends on the host's time zone files.
///
/// Costs: [`state_at`](Self::state_at), [`is_open`](Self::is_open) and
/// [`local_time`](Self::local_time) do one time zone lookup and a few map
/// lookups; the walking methods cost one day-plan lookup per local day
/// walked plus one time zone lookup per UTC-offset change.
#[derive(Debug, Clone)]
pub struct CompiledCalendar {
    source: Calendar,
    tz: TimeZone,
    weekly: [Plan; 7],
    dated_exceptions: BTreeMap<i64, Plan>,
    yearly_exceptions: BTreeMap<(u32, u32), Plan>,
    dated_holidays: BTreeMap<i64, Option<String>>,
    yearly_holidays: BTreeMap<(u32, u32), Option<String>>,
    has_yearly: bool,
    has_spill: bool,
}

impl PartialEq for CompiledCalendar {
    /// Equal when compiled from equal calendars.
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for CompiledCalendar {}

/// Parses the ranges of one day at `path` (`hours.mon`, `exceptions[0].hours`).
fn parse_day(path: &str, ranges: &[String]) -> Result<Plan, CalendarError> {
    let mut parsed: Vec<(u32, u32, usize)> = Vec::with_capacity(ranges.len());
    for (i, text) in ranges.iter().enumerate() {
        let (s, e) = civil::parse_range(text).map_err(|reason| CalendarError::InvalidTimeRange {
            path: format!("{path}[{i}]"),
            value: text.clone(),
            reason,
        })?;
        parsed.push((s, e, i));
    }
    parsed.sort_unstable();
    for w in parsed.windows(2) {
        let ((_, prev_end, i), (next_start, _, j)) = (w[0], w[1]);
        if next_start < prev_end {
            let (later, earlier) = (i.max(j), i.min(j));
            return Err(CalendarError::OverlappingRanges {
                path: format!("{path}[{later}]"),
                value: ranges[later].clone(),
                other: format!("{path}[{earlier}]"),
            });
        }
    }
    debug_assert!(parsed.iter().all(|&(s, e, _)| s < DAY_MIN && e < 2 * DAY_MIN + 1));
    Ok(Plan::from_minutes(
        parsed.into_iter().map(|(s, e, _)| (s, e)).collect(),
    ))
}

fn parse_date_at(path: String, text: &str) -> Result<DateKey, CalendarError> {
    civil::parse_date(text).map_err(|reason| CalendarError::InvalidDate {
        path,
        value: text.to_string(),
        reason,
    })
}

/// Records `key` as seen at `path`, or reports the duplicate.
fn check_unique(
    seen: &mut BTreeMap<DateKey, String>,
    key: DateKey,
    path: &str,
    text: &str,
) -> Result<(), CalendarError> {
    if let Some(other) = seen.get(&key) {
        return Err(CalendarError::DuplicateDate {
            path: path.to_string(),
            value: text.to_string(),
            other: other.clone(),
        });
    }
    seen.insert(key, path.to_string());
    Ok(())
}

impl CompiledCalendar {
    pub(crate) fn new(cal: &Calendar) -> Result<CompiledCalendar, CalendarError> {
        let tz = match tz_db().get(&cal.time_zone) {
            Ok(tz) if !tz.is_unknown() && !cal.time_zone.is_empty() => tz,
            _ => {
                return Err(CalendarError::UnknownTimeZone {
                    path: "time_zone".into(),
                    name: cal.time_zone.clone(),
                });
            }
        };
        let mut weekly: [Plan; 7] = Default::default();
        for (plan, day) in weekly.iter_mut().zip(Weekday::ALL) {
            *plan = parse_day(&format!("hours.{day}"), cal.hours.day(day))?;
        }

        let mut dated_holidays = BTreeMap::new();
        let mut yearly_holidays = BTreeMap::new();
        let mut seen = BTreeMap::new();
        for (i, h) in cal.holidays.iter().enumerate() {
            let path = format!("holidays[{i}]");
            let key = parse_date_at(path.clone(), &h.date)?;
            check_unique(&mut seen, key, &path, &h.date)?;
            match key {
                DateKey::Dated(day) => dated_holidays.insert(day, h.name.clone()),
                DateKey::Yearly(m, d) => yearly_holidays.insert((m, d), h.name.clone()),
            };
        }

        let mut dated_exceptions = BTreeMap::new();
        let mut yearly_exceptions = BTreeMap::new();
        let mut seen = BTreeMap::new();
        for (i, ex) in cal.exceptions.iter().enumerate() {
            let base = format!("exceptions[{i}]");
            let date_path = format!("{base}.date");
            let key = parse_date_at(date_path.clone(), &ex.date)?;
            let plan = match (&ex.hours, ex.closed) {
                (Some(h), true) if !h.is_empty() => {
                    return Err(CalendarError::InvalidException {
                        path: base,
                        reason: "`closed = true` and non-empty `hours` contradict each other",
                    });
                }
                (None, false) => {
                    return Err(CalendarError::InvalidException {
                        path: base,
                        reason: "set `hours` (the ranges of that day) or `closed = true`",
                    });
                }
                (Some(h), _) => parse_day(&format!("{base}.hours"), h)?,
                (None, true) => Plan::default(),
            };
            check_unique(&mut seen, key, &date_path, &ex.date)?;
            match key {
                DateKey::Dated(day) => dated_exceptions.insert(day, plan),
                DateKey::Yearly(m, d) => yearly_exceptions.insert((m, d), plan),
            };
        }

        let has_spill = weekly
            .iter()
            .chain(dated_exceptions.values())
            .chain(yearly_exceptions.values())
            .any(|p| p.spill > 0);
        Ok(CompiledCalendar {
            source: cal.clone(),
            tz,
            has_yearly: !(yearly_exceptions.is_empty() && yearly_holidays.is_empty()),
            has_spill,
            weekly,
            dated_exceptions,
            yearly_exceptions,
            dated_holidays,
            yearly_holidays,
        })
    }

    /// The calendar this was compiled from.
    pub fn source(&self) -> &Calendar {
        &self.source
    }

    /// The canonical IANA name of the calendar's time zone (e.g. `time_zone =
    /// "europe/lisbon"` gives `Europe/Lisbon`).
    pub fn time_zone_name(&self) -> &str {
        self.tz.iana_name().unwrap_or(&self.source.time_zone)
    }

    /// What governs local day number `day`: exception > holiday > weekly.
    fn day_kind(&self, day: i64) -> DayKind<'_> {
        if let Some(p) = self.dated_exceptions.get(&day) {
            return DayKind::Exception(p);
        }
        let md = if self.has_yearly {
            let (_, m, d) = civil::civil_from_days(day);
            if let Some(p) = self.yearly_exceptions.get(&(m, d)) {
                return DayKind::Exception(p);
            }
            Some((m, d))
        } else {
            None
        };
        if let Some(name) = self.dated_holidays.get(&day) {
            return DayKind::Holiday(name.as_deref());
        }
        if let Some(name) = md.and_then(|md| self.yearly_holidays.get(&md)) {
            return DayKind::Holiday(name.as_deref());
        }
        DayKind::Weekly(&self.weekly[civil::weekday_index(day)])
    }

    /// How far into local day `day` a range of the previous day runs.
    fn spill_into(&self, day: i64) -> i64 {
        if !self.has_spill {
            return 0;
        }
        self.day_kind(day - 1).plan().map_or(0, |p| p.spill)
    }

    /// UTC offset in milliseconds at instant `t`.
    fn offset_ms(&self, t: i64) -> i64 {
        match Timestamp::from_millisecond(t) {
            Ok(ts) => i64::from(self.tz.to_offset(ts).seconds()) * 1000,
            Err(_) => 0,
        }
    }

    /// The UTC offset at `t` and the next instant (> `t`) it may change.
    fn segment(&self, t: i64) -> (i64, i64) {
        match Timestamp::from_millisecond(t) {
            Ok(ts) => {
                let offset = i64::from(self.tz.to_offset(ts).seconds()) * 1000;
                let next = self
                    .tz
                    .following(ts)
                    .next()
                    .map_or(i64::MAX, |tr| tr.timestamp().as_millisecond());
                (offset, next.max(t + 1))
            }
            Err(_) => (0, i64::MAX),
        }
    }

    fn classify(&self, t: i64) -> Class<'_> {
        let local = t + self.offset_ms(t);
        let (day, ms) = (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS));
        if ms < self.spill_into(day) {
            return Class::Open;
        }
        match self.day_kind(day) {
            DayKind::Weekly(p) | DayKind::Exception(p) => {
                if p.contains(ms) {
                    Class::Open
                } else {
                    Class::Closed
                }
            }
            DayKind::Holiday(name) => Class::Holiday(name),
        }
    }

    /// Calls `f(start, end)` for the open instants in `[from, to)`, in order, as
    /// disjoint half-open intervals (consecutive ones may touch). Stops at the
    /// first `Break`.
    fn scan<R>(&self, from: i64, to: i64, mut f: impl FnMut(i64, i64) -> ControlFlow<R>) -> Option<R> {
        let mut t = from;
        if t >= to {
            return None;
        }
        let (mut offset, mut seg_end) = self.segment(t);
        while t < to {
            if t >= seg_end {
                (offset, seg_end) = self.segment(t);
            }
            let day = (t + offset).div_euclid(DAY_MS);
            // The instant at which the local clock reads 00:00 of `day` under this offset.
            let day_start = day * DAY_MS - offset;
            let piece_end = to.min(seg_end).min(day_start + DAY_MS);
            let (c0, c1) = (t - day_start, piece_end - day_start);
            let own = self.day_kind(day).plan().map_or(&[][..], |p| &p.own[..]);
            let merged = Merged {
                spill: self.spill_into(day),
                own,
            };
            for (a, b) in merged {
                if a >= c1 {
                    break;
                }
                if b <= c0 {
                    continue;
                }
                if let ControlFlow::Break(r) = f(day_start + a.max(c0), day_start + b.min(c1)) {
                    return Some(r);
                }
            }
            t = piece_end;
        }
        None
    }

    /// The state at `epoch_ms`: [`OpenState::Open`] inside opening hours,
    /// [`OpenState::Holiday`] on a holiday, [`OpenState::Closed`] otherwise.
    ///
    /// Precedence for the local date: an exception's hours, else a holiday,
    /// else the weekly hours. A range of the previous day that runs past
    /// midnight keeps the calendar open whatever today is.
    pub fn state_at(&self, epoch_ms: u64) -> OpenState {
        match self.classify(clamp(epoch_ms)) {
            Class::Open => OpenState::Open,
            Class::Closed => OpenState::Closed,
            Class::Holiday(name) => OpenState::Holiday {
                name: name.map(str::to_string),
            },
        }
    }

    /// `true` when [`state_at`](Self::state_at) is [`OpenState::Open`].
    pub fn is_open(&self, epoch_ms: u64) -> bool {
        matches!(self.classify(clamp(epoch_ms)), Class::Open)
    }

    /// The first instant after `epoch_ms` at which [`is_open`](Self::is_open)
    /// changes, or `None` if it does not change within [`SEARCH_HORIZON_MS`]
    /// (400 days). A change between closed and holiday is not a change.
    ///
    /// ```rust
    /// use callroute::calendar::Calendar;
    ///
    /// let cal = Calendar::from_toml_str(r#"
    ///     time_zone = "UTC"
    ///     hours.mon = ["09:00-12:00", "12:00-17:00"]
    /// "#)?.compile()?;
    /// let monday_10h = 1_767_607_200_000; // 2026-01-05T10:00:00Z
    /// // Touching ranges are one opening: the next change is 17:00, not 12:00.
    /// assert_eq!(cal.next_change(monday_10h), Some(monday_10h + 7 * 3_600_000));
    /// # Ok::<(), callroute::calendar::CalendarError>(())
    /// ```
    pub fn next_change(&self, epoch_ms: u64) -> Option<u64> {
        let t = clamp(epoch_ms);
        let limit = t.saturating_add(HORIZON_I).min(MAX_I);
        let mut run_end: Option<i64> = None;
        let found = self.scan(t, limit, |a, b| match run_end {
            // Closed at `t`: the first opening is the change.
            None if a > t => ControlFlow::Break(a),
            Some(e) if a > e => ControlFlow::Break(e),
            _ => {
                run_end = Some(b);
                ControlFlow::Continue(())
            }
        });
        match (found, run_end) {
            (Some(x), _) => Some(x as u64),
            (None, Some(e)) if e < limit => Some(e as u64),
            _ => None,
        }
    }

    /// Open time, in milliseconds, within `[from_ms, to_ms)` (0 if `to_ms <=
    /// from_ms`). Elapsed real time is counted, so an open range that spans a
    /// daylight-saving change is one hour shorter or longer than its wall-clock
    /// length. Cost grows with the number of days in the span.
    pub fn business_ms_between(&self, from_ms: u64, to_ms: u64) -> u64 {
        let (from, to) = (clamp(from_ms), clamp(to_ms));
        let mut total = 0i64;
        self.scan(from, to, |a, b| {
            total += b - a;
            ControlFlow::<()>::Continue(())
        });
        total as u64
    }

    /// The earliest instant at which `business_ms` of open time have elapsed
    /// since `from_ms`: a ticket due "24 business hours" after creation is
    /// `add_business_ms(created, 24 * 3_600_000)`.
    ///
    /// `business_ms == 0` gives `from_ms` itself. A due time that falls exactly
    /// at a closing time is that closing time (not the next opening).
    /// Holidays, exceptions and daylight-saving changes are honoured, and
    /// `business_ms_between(from_ms, result) == business_ms` always holds.
    ///
    /// `None` when a [`SEARCH_HORIZON_MS`] (400-day) window of the search has no
    /// open time at all (a calendar that is never open), or when the result
    /// would be after [`MAX_INSTANT_MS`].
    pub fn add_business_ms(&self, from_ms: u64, business_ms: u64) -> Option<u64> {
        let from = clamp(from_ms);
        if business_ms == 0 {
            return Some(from as u64);
        }
        if business_ms > MAX_INSTANT_MS {
            return None;
        }
        let mut remaining = business_ms as i64;
        let mut t = from;
        while t < MAX_I {
            let end = t.saturating_add(HORIZON_I).min(MAX_I);
            let mut any = false;
            let done = self.scan(t, end, |a, b| {
                any = true;
                if remaining <= b - a {
                    ControlFlow::Break(a + remaining)
                } else {
                    remaining -= b - a;
                    ControlFlow::Continue(())
                }
            });
            if let Some(x) = done {
                return Some(x as u64);
            }
            if !any {
                return None;
            }
            t = end;
        }
        None
    }

    /// The open intervals `[start, end)` within `[from_ms, to_ms)`, merged
    /// (touching ranges become one) and clipped to the span. Useful for
    /// displaying a schedule; the result grows with the span.
    pub fn open_intervals(&self, from_ms: u64, to_ms: u64) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = Vec::new();
        self.scan(clamp(from_ms), clamp(to_ms), |a, b| {
            let (a, b) = (a as u64, b as u64);
            match out.last_mut() {
                Some(last) if last.1 == a => last.1 = b,
                _ => out.push((a, b)),
            }
            ControlFlow::<()>::Continue(())
        });
        out
    }

    /// The wall-clock reading of `epoch_ms` in the calendar's time zone.
    ///
    /// ```rust
    /// use callroute::calendar::{Calendar, Weekday};
    ///
    /// let cal = Calendar::new("America/New_York").compile()?;
    /// let t = cal.local_time(1_767_225_600_000); // 2026-01-01T00:00:00Z
    /// assert_eq!(t.date.to_string(), "2025-12-31");
    /// assert_eq!((t.weekday, t.hour, t.minute), (Weekday::Wed, 19, 0));
    /// assert_eq!(t.utc_offset_secs, -5 * 3600);
    /// # Ok::<(), callroute::calendar::CalendarError>(())
    /// ```
    pub fn local_time(&self, epoch_ms: u64) -> LocalTime {
        let t = clamp(epoch_ms);
        let offset = self.offset_ms(t);
        let local = t + offset;
        let (day, ms) = (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS));
        let (year, month, dom) = civil::civil_from_days(day);
        LocalTime {
            date: LocalDate {
                // Years stay within 1969..=9999 and the rest are small by construction.
                year: year as i32,
                month: month as u8,
                day: dom as u8,
            },
            weekday: Weekday::ALL[civil::weekday_index(day)],
            hour: (ms / 3_600_000) as u8,
            minute: (ms / 60_000 % 60) as u8,
            second: (ms / 1000 % 60) as u8,
            millisecond: (ms % 1000) as u16,
            utc_offset_secs: (offset / 1000) as i32,
        }
    }
}

/// A set of compiled calendars by name, built by
/// [`Calendars::compile`](super::Calendars::compile).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompiledCalendars {
    calendars: BTreeMap<String, CompiledCalendar>,
}

impl CompiledCalendars {
    pub(crate) fn from_map(calendars: BTreeMap<String, CompiledCalendar>) -> CompiledCalendars {
        CompiledCalendars { calendars }
    }

    /// The calendar called `name`.
    pub fn get(&self, name: &str) -> Option<&CompiledCalendar> {
        self.calendars.get(name)
    }

    /// `true` if a calendar called `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.calendars.contains_key(name)
    }

    /// Calendar names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.calendars.keys().map(String::as_str)
    }

    /// `(name, calendar)` pairs, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CompiledCalendar)> {
        self.calendars.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of calendars.
    pub fn len(&self) -> usize {
        self.calendars.len()
    }

    /// `true` when there are no calendars.
    pub fn is_empty(&self) -> bool {
        self.calendars.is_empty()
    }
}

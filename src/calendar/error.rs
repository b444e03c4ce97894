//! Typed errors of the calendar module.

use thiserror::Error;

/// Everything that can go wrong when reading or validating a calendar.
///
/// Every message starts with the path of the offending field: `time_zone`,
/// `hours.mon[1]`, `holidays[2]`, `exceptions[0].hours[1]`, or, for a set of
/// named calendars, `calendars.main.hours.mon[0]`. [`path`](Self::path)
/// returns that path alone. Every variant has a stable numeric code in
/// `5000..=5099`, returned by [`code`](Self::code):
///
/// | code | variant | meaning |
/// |------|---------|---------|
/// | 5000 | [`Parse`](Self::Parse) | the TOML/JSON text is malformed or a field has the wrong type |
/// | 5001 | [`UnknownTimeZone`](Self::UnknownTimeZone) | `time_zone` is not an IANA time zone name |
/// | 5002 | [`InvalidTimeRange`](Self::InvalidTimeRange) | a range is not `HH:MM-HH:MM`, has an impossible time, or is empty |
/// | 5003 | [`OverlappingRanges`](Self::OverlappingRanges) | two ranges of the same day overlap |
/// | 5004 | [`InvalidDate`](Self::InvalidDate) | a date is not `YYYY-MM-DD` / `MM-DD` or does not exist |
/// | 5005 | [`DuplicateDate`](Self::DuplicateDate) | two holidays (or two exceptions) name the same date |
/// | 5006 | [`InvalidException`](Self::InvalidException) | an exception sets both `closed = true` and hours, or neither |
/// | 5007 | [`InvalidName`](Self::InvalidName) | a calendar name in a set of calendars is not usable |
///
/// ```rust
/// use callroute::calendar::Calendar;
///
/// let err = Calendar::from_toml_str(r#"
///     time_zone = "Europe/Lisbon"
///     [hours]
///     mon = ["08:00-12:30", "13:30-25:00"]
/// "#).unwrap_err();
/// assert_eq!(err.code(), 5002);
/// assert_eq!(err.path(), "hours.mon[1]");
/// assert!(err.to_string().starts_with("hours.mon[1]: invalid time range `13:30-25:00`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// **5000**: the source text could not be read as a calendar (syntax error,
    /// wrong type, unknown field).
    #[error("{}{}{message}", path_prefix(path), line_prefix(*line, *column))]
    Parse {
        /// Path of the offending field, empty when unknown.
        path: String,
        /// 1-based line in the source text, when known.
        line: Option<usize>,
        /// 1-based column in the source text, when known.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// **5001**: the time zone is not in the bundled IANA time zone database.
    #[error("{path}: unknown time zone `{name}` (expected an IANA name such as `Europe/Lisbon`)")]
    UnknownTimeZone {
        /// Path of the field (`time_zone`).
        path: String,
        /// The name given.
        name: String,
    },
    /// **5002**: a time range cannot be parsed or is empty.
    #[error("{path}: invalid time range `{value}`: {reason}")]
    InvalidTimeRange {
        /// Path of the range, e.g. `hours.mon[1]`.
        path: String,
        /// The text given.
        value: String,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// **5003**: two ranges of the same day overlap.
    #[error("{path}: time range `{value}` overlaps `{other}`")]
    OverlappingRanges {
        /// Path of the later range.
        path: String,
        /// The later range's text.
        value: String,
        /// Path of the earlier range it overlaps.
        other: String,
    },
    /// **5004**: a date cannot be parsed or does not exist.
    #[error("{path}: invalid date `{value}`: {reason}")]
    InvalidDate {
        /// Path of the date, e.g. `holidays[2]` or `exceptions[0].date`.
        path: String,
        /// The text given.
        value: String,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// **5005**: a date is listed twice in `holidays` or twice in `exceptions`.
    #[error("{path}: date `{value}` is already listed at `{other}`")]
    DuplicateDate {
        /// Path of the later entry.
        path: String,
        /// The date text.
        value: String,
        /// Path of the earlier entry.
        other: String,
    },
    /// **5006**: an exception is contradictory or says nothing.
    #[error("{path}: {reason}")]
    InvalidException {
        /// Path of the exception, e.g. `exceptions[1]`.
        path: String,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// **5007**: a calendar name (a key of a set of calendars) is not usable.
    #[error("{path}: invalid calendar name `{name}`: {reason}")]
    InvalidName {
        /// Path of the calendar, e.g. `calendars.main`.
        path: String,
        /// The name given.
        name: String,
        /// What is wrong, in words.
        reason: &'static str,
    },
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

fn line_prefix(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    }
}

impl CalendarError {
    /// Stable numeric code of this error, in `5000..=5099` (see the table on
    /// [`CalendarError`]).
    pub fn code(&self) -> u32 {
        match self {
            Self::Parse { .. } => 5000,
            Self::UnknownTimeZone { .. } => 5001,
            Self::InvalidTimeRange { .. } => 5002,
            Self::OverlappingRanges { .. } => 5003,
            Self::InvalidDate { .. } => 5004,
            Self::DuplicateDate { .. } => 5005,
            Self::InvalidException { .. } => 5006,
            Self::InvalidName { .. } => 5007,
        }
    }

    /// Path of the offending field (`hours.mon[1]`, `holidays[2]`,
    /// `calendars.main.time_zone`, ...). Empty only for a parse error whose
    /// position the parser could not name.
    pub fn path(&self) -> &str {
        match self {
            Self::Parse { path, .. }
            | Self::UnknownTimeZone { path, .. }
            | Self::InvalidTimeRange { path, .. }
            | Self::OverlappingRanges { path, .. }
            | Self::InvalidDate { path, .. }
            | Self::DuplicateDate { path, .. }
            | Self::InvalidException { path, .. }
            | Self::InvalidName { path, .. } => path,
        }
    }

    /// The description without the leading path (`invalid time range
    /// `25:00-26:00`: ...`), for hosts that report the path separately, e.g.
    /// in a configuration error's location.
    pub fn message(&self) -> String {
        let text = self.to_string();
        let path = self.path();
        if path.is_empty() {
            return text;
        }
        match text.strip_prefix(path).and_then(|rest| rest.strip_prefix(": ")) {
            Some(rest) => rest.to_string(),
            None => text,
        }
    }

    /// The same error with `prefix.` put in front of its path (and of the
    /// other path it names, if any). Used to report errors of a calendar
    /// inside a larger document, e.g. `calendars.main`.
    pub fn with_prefix(self, prefix: &str) -> CalendarError {
        let join = |p: String| {
            if prefix.is_empty() {
                p
            } else if p.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{p}")
            }
        };
        match self {
            Self::Parse {
                path,
                line,
                column,
                message,
            } => Self::Parse {
                path: join(path),
                line,
                column,
                message,
            },
            Self::UnknownTimeZone { path, name } => Self::UnknownTimeZone {
                path: join(path),
                name,
            },
            Self::InvalidTimeRange { path, value, reason } => Self::InvalidTimeRange {
                path: join(path),
                value,
                reason,
            },
            Self::OverlappingRanges { path, value, other } => Self::OverlappingRanges {
                path: join(path),
                value,
                other: join(other),
            },
            Self::InvalidDate { path, value, reason } => Self::InvalidDate {
                path: join(path),
                value,
                reason,
            },
            Self::DuplicateDate { path, value, other } => Self::DuplicateDate {
                path: join(path),
                value,
                other: join(other),
            },
            Self::InvalidException { path, reason } => Self::InvalidException {
                path: join(path),
                reason,
            },
            Self::InvalidName { path, name, reason } => Self::InvalidName {
                path: join(path),
                name,
                reason,
            },
        }
    }
}

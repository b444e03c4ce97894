//! Typed errors of the workforce module.

use thiserror::Error;

/// Everything that can go wrong in [`crate::workforce`].
///
/// Messages start with the path of the offending field (for example
/// `targets.service_level`, `workload.aht_secs` or `forecast[3].calls`) or,
/// for CSV input, with the 1-based line number. Every variant has a stable
/// numeric code in `4000..=4099`, returned by [`WorkforceError::code`]:
///
/// | code | variant | meaning |
/// |------|---------|---------|
/// | 4000 | [`NotFinite`](Self::NotFinite) | a number is NaN or infinite |
/// | 4001 | [`OutOfRange`](Self::OutOfRange) | a number is outside its valid range |
/// | 4002 | [`ImpossibleTarget`](Self::ImpossibleTarget) | a target can never be met (e.g. 100 % within 0 s) |
/// | 4003 | [`RequiresPatience`](Self::RequiresPatience) | an abandonment target without a patience (Erlang A) |
/// | 4004 | [`NoTargets`](Self::NoTargets) | a staffing solve with no target set |
/// | 4005 | [`Unstable`](Self::Unstable) | Erlang C with `agents <= load` |
/// | 4006 | [`AgentCapExceeded`](Self::AgentCapExceeded) | targets not met up to [`MAX_AGENTS`](crate::workforce::MAX_AGENTS) |
/// | 4007 | [`NoConvergence`](Self::NoConvergence) | a series did not converge (extreme inputs only) |
/// | 4008 | [`Interval`](Self::Interval) | a staffing-table row failed; wraps the cause |
/// | 4020 | [`CsvEmpty`](Self::CsvEmpty) | forecast CSV has no header line |
/// | 4021 | [`CsvHeader`](Self::CsvHeader) | forecast CSV header is not `interval,calls,aht_secs` |
/// | 4022 | [`CsvColumns`](Self::CsvColumns) | a CSV row does not have 3 columns |
/// | 4023 | [`CsvQuote`](Self::CsvQuote) | a CSV row has a malformed quoted field |
/// | 4024 | [`CsvNumber`](Self::CsvNumber) | a CSV cell is not a number |
/// | 4025 | [`CsvValue`](Self::CsvValue) | a CSV number is out of range |
/// | 4030 | [`Json`](Self::Json) | JSON serialisation failed |
/// | 4031 | [`Io`](Self::Io) | writing output failed |
///
/// ```rust
/// use callroute::workforce::{Targets, Workload, required_agents};
///
/// let err = required_agents(&Workload::new(10.0, 180.0), &Targets::service_level(1.5, 20.0))
///     .unwrap_err();
/// assert_eq!(err.code(), 4001);
/// assert!(err.to_string().starts_with("targets.service_level"));
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum WorkforceError {
    /// **4000**: `field` is NaN or ±infinity.
    #[error("{field}: must be a finite number, got {value}")]
    NotFinite {
        /// Path of the offending field.
        field: String,
        /// The value received.
        value: f64,
    },
    /// **4001**: `field` is outside its valid range.
    #[error("{field}: {value} is out of range: {expected}")]
    OutOfRange {
        /// Path of the offending field.
        field: String,
        /// The value received.
        value: f64,
        /// The valid range, in words.
        expected: &'static str,
    },
    /// **4002**: the target in `field` can never be met by any number of
    /// agents (for example a service level of 1.0: with a positive load some
    /// callers always wait longer than any threshold).
    #[error("{field}: target {value} can never be met: {reason}")]
    ImpossibleTarget {
        /// Path of the offending target.
        field: String,
        /// The target value.
        value: f64,
        /// Why it is impossible.
        reason: &'static str,
    },
    /// **4003**: an abandonment target was given for an Erlang C workload
    /// (no patience, so no abandonment).
    #[error("{field}: needs an abandonment model: set workload.patience_secs (Erlang A)")]
    RequiresPatience {
        /// Path of the offending target.
        field: String,
    },
    /// **4004**: a staffing solve was asked for without any target.
    #[error("targets: no target set (set service_level, max_asa_secs, max_abandon or max_occupancy)")]
    NoTargets,
    /// **4005**: Erlang C is only defined for `agents > load`; with fewer
    /// agents the queue grows without bound.
    #[error(
        "agents: {agents} agents cannot carry {load} Erlangs without abandonment (Erlang C needs agents > load)"
    )]
    Unstable {
        /// Number of agents.
        agents: u32,
        /// Offered load in Erlangs.
        load: f64,
    },
    /// **4006**: the targets were not met with up to `max_agents` agents.
    #[error("targets: not met with up to {max_agents} agents")]
    AgentCapExceeded {
        /// The search cap ([`MAX_AGENTS`](crate::workforce::MAX_AGENTS)).
        max_agents: u32,
    },
    /// **4007**: a numerical series did not converge. Only reachable with
    /// extreme (but valid) inputs.
    #[error("{function}: numerical evaluation did not converge")]
    NoConvergence {
        /// Which evaluation failed.
        function: &'static str,
    },
    /// **4008**: solving one row of a staffing table failed.
    #[error("forecast[{index}] (interval {interval:?}): {source}")]
    Interval {
        /// 0-based row index in the forecast.
        index: usize,
        /// The row's interval label.
        interval: String,
        /// The underlying error.
        #[source]
        source: Box<WorkforceError>,
    },
    /// **4020**: the forecast CSV text has no header line.
    #[error("line 1: empty forecast CSV: expected header `interval,calls,aht_secs`")]
    CsvEmpty,
    /// **4021**: the forecast CSV header is wrong.
    #[error("line {line}: expected header `interval,calls,aht_secs`, found `{found}`")]
    CsvHeader {
        /// 1-based line number.
        line: usize,
        /// The header line found.
        found: String,
    },
    /// **4022**: a forecast CSV row does not have exactly 3 columns.
    #[error("line {line}: expected 3 columns (interval,calls,aht_secs), found {found}")]
    CsvColumns {
        /// 1-based line number.
        line: usize,
        /// Number of columns found.
        found: usize,
    },
    /// **4023**: a quoted CSV field is malformed (unterminated, or text after
    /// the closing quote).
    #[error("line {line}: malformed quoted field")]
    CsvQuote {
        /// 1-based line number.
        line: usize,
    },
    /// **4024**: a numeric CSV cell could not be parsed.
    #[error("line {line}: {field}: cannot parse `{text}` as a number")]
    CsvNumber {
        /// 1-based line number.
        line: usize,
        /// Column name (`calls` or `aht_secs`).
        field: &'static str,
        /// The cell text.
        text: String,
    },
    /// **4025**: a numeric CSV cell is out of range (negative calls, AHT ≤ 0,
    /// NaN, ...).
    #[error("line {line}: {field}: {value} is out of range: {expected}")]
    CsvValue {
        /// 1-based line number.
        line: usize,
        /// Column name (`calls` or `aht_secs`).
        field: &'static str,
        /// The parsed value.
        value: f64,
        /// The valid range, in words.
        expected: &'static str,
    },
    /// **4030**: JSON serialisation failed.
    #[error("json: {message}")]
    Json {
        /// The serializer's message.
        message: String,
    },
    /// **4031**: writing output failed.
    #[error("io: {message}")]
    Io {
        /// The I/O error's message.
        message: String,
    },
}

impl WorkforceError {
    /// Stable numeric code of this error, in `4000..=4099` (see the table on
    /// [`WorkforceError`]).
    pub fn code(&self) -> u32 {
        match self {
            Self::NotFinite { .. } => 4000,
            Self::OutOfRange { .. } => 4001,
            Self::ImpossibleTarget { .. } => 4002,
            Self::RequiresPatience { .. } => 4003,
            Self::NoTargets => 4004,
            Self::Unstable { .. } => 4005,
            Self::AgentCapExceeded { .. } => 4006,
            Self::NoConvergence { .. } => 4007,
            Self::Interval { .. } => 4008,
            Self::CsvEmpty => 4020,
            Self::CsvHeader { .. } => 4021,
            Self::CsvColumns { .. } => 4022,
            Self::CsvQuote { .. } => 4023,
            Self::CsvNumber { .. } => 4024,
            Self::CsvValue { .. } => 4025,
            Self::Json { .. } => 4030,
            Self::Io { .. } => 4031,
        }
    }

    /// The path of the offending field, when the error is about one input
    /// field (`targets.service_level`, `forecast[3].calls`, ...).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::NotFinite { field, .. }
            | Self::OutOfRange { field, .. }
            | Self::ImpossibleTarget { field, .. }
            | Self::RequiresPatience { field } => Some(field),
            Self::CsvNumber { field, .. } | Self::CsvValue { field, .. } => Some(field),
            Self::Interval { source, .. } => source.field(),
            _ => None,
        }
    }
}

/// Checks that `value` is finite.
pub(crate) fn finite(field: &str, value: f64) -> Result<f64, WorkforceError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(WorkforceError::NotFinite {
            field: field.to_owned(),
            value,
        })
    }
}

/// Checks that `value` is finite and `> 0`.
pub(crate) fn positive(field: &str, value: f64) -> Result<f64, WorkforceError> {
    if finite(field, value)? > 0.0 {
        Ok(value)
    } else {
        Err(out_of_range(field, value, "must be > 0"))
    }
}

/// Checks that `value` is finite and `>= 0`.
pub(crate) fn non_negative(field: &str, value: f64) -> Result<f64, WorkforceError> {
    if finite(field, value)? >= 0.0 {
        Ok(value)
    } else {
        Err(out_of_range(field, value, "must be >= 0"))
    }
}

/// Builds an [`WorkforceError::OutOfRange`].
pub(crate) fn out_of_range(field: &str, value: f64, expected: &'static str) -> WorkforceError {
    WorkforceError::OutOfRange {
        field: field.to_owned(),
        value,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_in_range() {
        let all = [
            (
                WorkforceError::NotFinite {
                    field: "x".into(),
                    value: f64::NAN,
                },
                4000,
            ),
            (out_of_range("x", -1.0, "must be > 0"), 4001),
            (
                WorkforceError::ImpossibleTarget {
                    field: "x".into(),
                    value: 1.0,
                    reason: "r",
                },
                4002,
            ),
            (WorkforceError::RequiresPatience { field: "x".into() }, 4003),
            (WorkforceError::NoTargets, 4004),
            (WorkforceError::Unstable { agents: 1, load: 2.0 }, 4005),
            (WorkforceError::AgentCapExceeded { max_agents: 1 }, 4006),
            (WorkforceError::NoConvergence { function: "f" }, 4007),
            (
                WorkforceError::Interval {
                    index: 0,
                    interval: "08:00".into(),
                    source: Box::new(WorkforceError::NoTargets),
                },
                4008,
            ),
            (WorkforceError::CsvEmpty, 4020),
            (
                WorkforceError::CsvHeader {
                    line: 1,
                    found: String::new(),
                },
                4021,
            ),
            (WorkforceError::CsvColumns { line: 2, found: 1 }, 4022),
            (WorkforceError::CsvQuote { line: 2 }, 4023),
            (
                WorkforceError::CsvNumber {
                    line: 2,
                    field: "calls",
                    text: "x".into(),
                },
                4024,
            ),
            (
                WorkforceError::CsvValue {
                    line: 2,
                    field: "calls",
                    value: -1.0,
                    expected: "e",
                },
                4025,
            ),
            (
                WorkforceError::Json {
                    message: String::new(),
                },
                4030,
            ),
            (
                WorkforceError::Io {
                    message: String::new(),
                },
                4031,
            ),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code, "{err:?}");
            assert!((4000..=4099).contains(&err.code()));
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn messages_name_the_field() {
        let err = positive("workload.aht_secs", 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "workload.aht_secs: 0 is out of range: must be > 0"
        );
        assert_eq!(err.field(), Some("workload.aht_secs"));
        let err = finite("targets.service_level", f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "targets.service_level: must be a finite number, got NaN"
        );
        let wrapped = WorkforceError::Interval {
            index: 3,
            interval: "08:30".into(),
            source: Box::new(err),
        };
        assert_eq!(
            wrapped.to_string(),
            "forecast[3] (interval \"08:30\"): targets.service_level: must be a finite number, got NaN"
        );
        assert_eq!(wrapped.field(), Some("targets.service_level"));
    }
}

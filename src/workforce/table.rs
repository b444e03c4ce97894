//! Interval staffing tables from a call forecast, with CSV input and
//! CSV / JSON output.

use std::fmt::Write as _;
use std::io::Write;

use serde::{Deserialize, Serialize};

use super::error::positive;
use super::staffing::{Targets, Workload, check_shrinkage, required_agents, scheduled_agents};
use super::{MAX_LOAD, WorkforceError, error::out_of_range};

/// The CSV header of a forecast: `interval,calls,aht_secs`.
pub const FORECAST_CSV_HEADER: &str = "interval,calls,aht_secs";

/// The CSV header written by [`StaffingTable::to_csv`].
pub const TABLE_CSV_HEADER: &str = "interval,calls,aht_secs,offered_load,required_agents,scheduled_agents,service_level,asa_secs,p_wait,occupancy,p_abandon";

/// One forecast interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastRow {
    /// Interval label: its start (`"08:30"`) or minutes since midnight
    /// (`"510"`); free text, copied to the output.
    pub interval: String,
    /// Calls expected in the interval (`>= 0`).
    pub calls: f64,
    /// Average handle time in seconds (`> 0`).
    pub aht_secs: f64,
}

impl ForecastRow {
    /// A forecast row.
    pub fn new(interval: impl Into<String>, calls: f64, aht_secs: f64) -> Self {
        Self {
            interval: interval.into(),
            calls,
            aht_secs,
        }
    }
}

/// Parses a forecast from CSV text with the header `interval,calls,aht_secs`.
///
/// Blank lines are skipped, fields may be quoted (`"08:00"`, `""` escapes a
/// quote), surrounding spaces are trimmed and `\r\n` line ends accepted.
/// Errors carry the 1-based line number (codes 4020–4025).
///
/// ```rust
/// use callroute::workforce::parse_forecast_csv;
///
/// let rows = parse_forecast_csv("interval,calls,aht_secs\n08:00,100,180\n\"08:30\",120,175.5\n")
///     .unwrap();
/// assert_eq!(rows.len(), 2);
/// assert_eq!(rows[1].interval, "08:30");
/// assert_eq!(rows[1].aht_secs, 175.5);
///
/// let err = parse_forecast_csv("interval,calls,aht_secs\n08:00,lots,180\n").unwrap_err();
/// assert_eq!(err.to_string(), "line 2: calls: cannot parse `lots` as a number");
/// assert_eq!(err.code(), 4024);
/// ```
pub fn parse_forecast_csv(text: &str) -> Result<Vec<ForecastRow>, WorkforceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());
    let (header_line, header) = lines.next().ok_or(WorkforceError::CsvEmpty)?;
    let columns = split_csv_line(header, header_line)?;
    let expected = ["interval", "calls", "aht_secs"];
    if columns.len() != expected.len()
        || columns
            .iter()
            .zip(expected)
            .any(|(found, want)| !found.eq_ignore_ascii_case(want))
    {
        return Err(WorkforceError::CsvHeader {
            line: header_line,
            found: header.trim().to_owned(),
        });
    }
    let mut rows = Vec::new();
    for (line, text) in lines {
        let fields = split_csv_line(text, line)?;
        let [interval, calls, aht] =
            <[String; 3]>::try_from(fields).map_err(|fields| WorkforceError::CsvColumns {
                line,
                found: fields.len(),
            })?;
        let calls = parse_number(line, "calls", &calls)?;
        if !(calls.is_finite() && calls >= 0.0) {
            return Err(WorkforceError::CsvValue {
                line,
                field: "calls",
                value: calls,
                expected: "must be a finite number >= 0",
            });
        }
        let aht_secs = parse_number(line, "aht_secs", &aht)?;
        if !(aht_secs.is_finite() && aht_secs > 0.0) {
            return Err(WorkforceError::CsvValue {
                line,
                field: "aht_secs",
                value: aht_secs,
                expected: "must be a finite number > 0",
            });
        }
        rows.push(ForecastRow {
            interval,
            calls,
            aht_secs,
        });
    }
    Ok(rows)
}

fn parse_number(line: usize, field: &'static str, text: &str) -> Result<f64, WorkforceError> {
    text.parse::<f64>().map_err(|_| WorkforceError::CsvNumber {
        line,
        field,
        text: text.to_owned(),
    })
}

/// Splits one CSV line into fields (RFC 4180 quoting, no embedded newlines).
fn split_csv_line(line: &str, line_no: usize) -> Result<Vec<String>, WorkforceError> {
    let quote_error = || WorkforceError::CsvQuote { line: line_no };
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            let mut closed = false;
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.next_if_eq(&'"').is_some() {
                        field.push('"');
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    field.push(c);
                }
            }
            if !closed {
                return Err(quote_error());
            }
            while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
            fields.push(field);
            match chars.next() {
                None => return Ok(fields),
                Some(',') => {}
                Some(_) => return Err(quote_error()),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field.trim_end().to_owned());
                        return Ok(fields);
                    }
                    Some(',') => {
                        fields.push(field.trim_end().to_owned());
                        break;
                    }
                    Some('"') => return Err(quote_error()),
                    Some(c) => field.push(c),
                }
            }
        }
    }
}

/// Settings shared by every interval of a staffing table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// Interval length in seconds (e.g. 1800 for half-hours).
    pub interval_secs: f64,
    /// Targets every interval must meet.
    pub targets: Targets,
    /// Shrinkage in `[0, 1)`: scheduled = ⌈required / (1 − shrinkage)⌉.
    #[serde(default)]
    pub shrinkage: f64,
    /// Mean caller patience (Erlang A); `None` for Erlang C.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patience_secs: Option<f64>,
}

impl TableConfig {
    /// A configuration without shrinkage or patience.
    pub const fn new(interval_secs: f64, targets: Targets) -> Self {
        Self {
            interval_secs,
            targets,
            shrinkage: 0.0,
            patience_secs: None,
        }
    }

    /// Sets the shrinkage.
    pub const fn with_shrinkage(self, shrinkage: f64) -> Self {
        Self { shrinkage, ..self }
    }

    /// Sets the mean patience (switches to Erlang A).
    pub const fn with_patience(self, patience_secs: f64) -> Self {
        Self {
            patience_secs: Some(patience_secs),
            ..self
        }
    }
}

/// One row of a staffing table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalStaffing {
    /// Interval label from the forecast.
    pub interval: String,
    /// Forecast calls.
    pub calls: f64,
    /// Forecast average handle time, seconds.
    pub aht_secs: f64,
    /// Offered load in Erlangs.
    pub offered_load: f64,
    /// Minimum productive agents meeting the targets.
    pub required_agents: u32,
    /// Agents to schedule after shrinkage.
    pub scheduled_agents: u32,
    /// Achieved service level (at `targets.threshold_secs`).
    pub service_level: f64,
    /// Achieved ASA (mean wait of answered calls), seconds.
    pub asa_secs: f64,
    /// Achieved probability of waiting.
    pub p_wait: f64,
    /// Achieved occupancy.
    pub occupancy: f64,
    /// Achieved abandonment probability (Erlang A only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_abandon: Option<f64>,
}

/// A staffing table: one [`IntervalStaffing`] per forecast interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingTable {
    /// The configuration used.
    pub config: TableConfig,
    /// One row per forecast interval, in forecast order.
    pub rows: Vec<IntervalStaffing>,
}

/// Builds the staffing table for `forecast`.
///
/// Configuration errors name `interval_secs`, `shrinkage`, `patience_secs`
/// or `targets.<field>`; row errors name `forecast[i].calls` /
/// `forecast[i].aht_secs`; a row whose solve fails is reported as
/// [`WorkforceError::Interval`].
///
/// ```rust
/// use callroute::workforce::{TableConfig, Targets, parse_forecast_csv, staffing_table};
///
/// let forecast = parse_forecast_csv("interval,calls,aht_secs\n08:00,100,180\n08:30,0,180\n").unwrap();
/// let config = TableConfig::new(1800.0, Targets::service_level(0.8, 20.0)).with_shrinkage(0.3);
/// let table = staffing_table(&forecast, &config).unwrap();
/// assert_eq!(table.rows[0].offered_load, 10.0);
/// assert_eq!(table.rows[0].required_agents, 14);
/// assert_eq!(table.rows[0].scheduled_agents, 20);
/// assert_eq!(table.rows[1].required_agents, 0);
/// assert!(table.to_csv().starts_with("interval,calls,aht_secs,offered_load,"));
/// assert!(table.to_json().unwrap().contains("\"required_agents\": 14"));
/// ```
pub fn staffing_table(
    forecast: &[ForecastRow],
    config: &TableConfig,
) -> Result<StaffingTable, WorkforceError> {
    positive("interval_secs", config.interval_secs)?;
    check_shrinkage("shrinkage", config.shrinkage)?;
    if let Some(patience) = config.patience_secs {
        positive("patience_secs", patience)?;
    }
    config.targets.validate(config.patience_secs.is_some())?;
    let mut rows = Vec::with_capacity(forecast.len());
    for (index, row) in forecast.iter().enumerate() {
        let calls_field = || format!("forecast[{index}].calls");
        if !row.calls.is_finite() {
            return Err(WorkforceError::NotFinite {
                field: calls_field(),
                value: row.calls,
            });
        }
        if row.calls < 0.0 {
            return Err(out_of_range(&calls_field(), row.calls, "must be >= 0"));
        }
        positive(&format!("forecast[{index}].aht_secs"), row.aht_secs)?;
        let offered_load = row.calls * row.aht_secs / config.interval_secs;
        if !offered_load.is_finite() || offered_load > MAX_LOAD {
            return Err(out_of_range(
                &calls_field(),
                row.calls,
                "offered load must be at most 1e6 Erlangs",
            ));
        }
        let workload = Workload {
            load: offered_load,
            aht_secs: row.aht_secs,
            patience_secs: config.patience_secs,
        };
        let wrap = |source: WorkforceError| WorkforceError::Interval {
            index,
            interval: row.interval.clone(),
            source: Box::new(source),
        };
        let solved = required_agents(&workload, &config.targets).map_err(wrap)?;
        let scheduled = scheduled_agents(solved.agents, config.shrinkage).map_err(wrap)?;
        rows.push(IntervalStaffing {
            interval: row.interval.clone(),
            calls: row.calls,
            aht_secs: row.aht_secs,
            offered_load,
            required_agents: solved.agents,
            scheduled_agents: scheduled,
            service_level: solved.service_level,
            asa_secs: solved.asa_secs,
            p_wait: solved.p_wait,
            occupancy: solved.occupancy,
            p_abandon: solved.p_abandon,
        });
    }
    Ok(StaffingTable {
        config: *config,
        rows,
    })
}

impl StaffingTable {
    /// Pretty-printed JSON of the whole table (configuration and rows).
    pub fn to_json(&self) -> Result<String, WorkforceError> {
        serde_json::to_string_pretty(self).map_err(|e| WorkforceError::Json {
            message: e.to_string(),
        })
    }

    /// The rows as CSV with header [`TABLE_CSV_HEADER`]; `p_abandon` is
    /// empty for Erlang C. Labels are quoted when needed.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(64 * (self.rows.len() + 1));
        out.push_str(TABLE_CSV_HEADER);
        out.push('\n');
        for r in &self.rows {
            push_csv_field(&mut out, &r.interval);
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                ",{},{},{},{},{},{},{},{},{},",
                r.calls,
                r.aht_secs,
                r.offered_load,
                r.required_agents,
                r.scheduled_agents,
                r.service_level,
                r.asa_secs,
                r.p_wait,
                r.occupancy
            );
            if let Some(p) = r.p_abandon {
                let _ = write!(out, "{p}");
            }
            out.push('\n');
        }
        out
    }

    /// Writes [`to_csv`](Self::to_csv) to `writer`.
    pub fn write_csv<W: Write>(&self, mut writer: W) -> Result<(), WorkforceError> {
        writer
            .write_all(self.to_csv().as_bytes())
            .and_then(|()| writer.flush())
            .map_err(|e| WorkforceError::Io {
                message: e.to_string(),
            })
    }
}

/// Appends `text` as one CSV field, quoted if it contains a comma, quote,
/// line break or leading/trailing whitespace.
fn push_csv_field(out: &mut String, text: &str) {
    let needs_quotes =
        text.contains([',', '"', '\n', '\r']) || text.starts_with([' ', '\t']) || text.ends_with([' ', '\t']);
    if needs_quotes {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORECAST: &str = "interval,calls,aht_secs\n\
                            08:00,100,180\n\
                            \n\
                            \"08:30\", 250 ,200\r\n\
                            \"Lunch, \"\"peak\"\"\",400,210\n\
                            13:00,0,180\n";

    #[test]
    fn parses_forecast_csv() {
        let rows = parse_forecast_csv(FORECAST).unwrap();
        assert_eq!(
            rows,
            vec![
                ForecastRow::new("08:00", 100.0, 180.0),
                ForecastRow::new("08:30", 250.0, 200.0),
                ForecastRow::new("Lunch, \"peak\"", 400.0, 210.0),
                ForecastRow::new("13:00", 0.0, 180.0),
            ]
        );
        // Header only: no rows. BOM and case-insensitive header accepted.
        assert!(
            parse_forecast_csv("\u{feff}Interval,Calls,AHT_secs\n")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn csv_errors_carry_line_numbers() {
        let cases: &[(&str, WorkforceError)] = &[
            ("", WorkforceError::CsvEmpty),
            ("\n  \n", WorkforceError::CsvEmpty),
            (
                "\ninterval,calls\n",
                WorkforceError::CsvHeader {
                    line: 2,
                    found: "interval,calls".into(),
                },
            ),
            (
                "interval,calls,aht_secs\n08:00,1\n",
                WorkforceError::CsvColumns { line: 2, found: 2 },
            ),
            (
                "interval,calls,aht_secs\n08:00,1,2\n\n08:30,1,2,3\n",
                WorkforceError::CsvColumns { line: 4, found: 4 },
            ),
            (
                "interval,calls,aht_secs\n\"08:00,1,2\n",
                WorkforceError::CsvQuote { line: 2 },
            ),
            (
                "interval,calls,aht_secs\n\"08\"x,1,2\n",
                WorkforceError::CsvQuote { line: 2 },
            ),
            (
                "interval,calls,aht_secs\n08\"00,1,2\n",
                WorkforceError::CsvQuote { line: 2 },
            ),
            (
                "interval,calls,aht_secs\n08:00,,180\n",
                WorkforceError::CsvNumber {
                    line: 2,
                    field: "calls",
                    text: String::new(),
                },
            ),
            (
                "interval,calls,aht_secs\n08:00,5,3 min\n",
                WorkforceError::CsvNumber {
                    line: 2,
                    field: "aht_secs",
                    text: "3 min".into(),
                },
            ),
            (
                "interval,calls,aht_secs\n08:00,-5,180\n",
                WorkforceError::CsvValue {
                    line: 2,
                    field: "calls",
                    value: -5.0,
                    expected: "must be a finite number >= 0",
                },
            ),
            (
                "interval,calls,aht_secs\n08:00,5,0\n",
                WorkforceError::CsvValue {
                    line: 2,
                    field: "aht_secs",
                    value: 0.0,
                    expected: "must be a finite number > 0",
                },
            ),
        ];
        for (text, want) in cases {
            let got = parse_forecast_csv(text).unwrap_err();
            assert_eq!(&got, want, "{text:?}");
        }
        // NaN parses as a float but is rejected as a value.
        let err = parse_forecast_csv("interval,calls,aht_secs\n08:00,NaN,180\n").unwrap_err();
        assert_eq!((err.code(), err.field()), (4025, Some("calls")));
        assert!(err.to_string().starts_with("line 2: calls:"));
    }

    #[test]
    fn builds_table_with_shrinkage() {
        let rows = parse_forecast_csv(FORECAST).unwrap();
        let config = TableConfig::new(1800.0, Targets::service_level(0.8, 20.0)).with_shrinkage(0.25);
        let table = staffing_table(&rows, &config).unwrap();
        assert_eq!(table.rows.len(), 4);
        let first = &table.rows[0];
        assert_eq!(first.offered_load, 10.0);
        assert_eq!(first.required_agents, 14);
        assert_eq!(first.scheduled_agents, 19); // 14 / 0.75 = 18.67
        assert!(first.service_level >= 0.8);
        assert_eq!(first.p_abandon, None);
        for (row, fc) in table.rows.iter().zip(&rows) {
            let load = fc.calls * fc.aht_secs / 1800.0;
            assert_eq!(row.offered_load, load);
            let direct = required_agents(&Workload::new(load, fc.aht_secs), &config.targets).unwrap();
            assert_eq!(row.required_agents, direct.agents);
            assert_eq!(row.service_level, direct.service_level);
            assert_eq!(
                row.scheduled_agents,
                scheduled_agents(direct.agents, 0.25).unwrap()
            );
        }
        let idle = &table.rows[3];
        assert_eq!((idle.required_agents, idle.scheduled_agents), (0, 0));
    }

    #[test]
    fn table_csv_and_json_output() {
        let rows = vec![
            ForecastRow::new("Lunch, \"peak\"", 100.0, 180.0),
            ForecastRow::new("480", 20.0, 300.0),
        ];
        let config = TableConfig::new(1800.0, Targets::service_level(0.8, 20.0)).with_patience(90.0);
        let table = staffing_table(&rows, &config).unwrap();
        let csv = table.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], TABLE_CSV_HEADER);
        assert!(
            lines[1].starts_with("\"Lunch, \"\"peak\"\"\",100,180,10,"),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("480,20,300,"), "{}", lines[2]);
        for line in &lines[1..] {
            let p_abandon = line.rsplit(',').next().unwrap();
            assert!(p_abandon.parse::<f64>().unwrap() > 0.0);
        }
        // The written labels parse back as a forecast (first three columns).
        let reparsed: String = std::iter::once(FORECAST_CSV_HEADER.to_owned())
            .chain(lines[1..].iter().map(|l| {
                let fields = split_csv_line(l, 0).unwrap();
                let mut s = String::new();
                push_csv_field(&mut s, &fields[0]);
                format!("{s},{},{}", fields[1], fields[2])
            }))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(parse_forecast_csv(&reparsed).unwrap(), rows);

        let json = table.to_json().unwrap();
        // serde_json's default float parser may be 1 ulp off: compare loosely.
        let back: StaffingTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back.config, table.config);
        assert_eq!(back.rows.len(), table.rows.len());
        for (b, t) in back.rows.iter().zip(&table.rows) {
            assert_eq!(
                (&b.interval, b.required_agents, b.scheduled_agents),
                (&t.interval, t.required_agents, t.scheduled_agents)
            );
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-15 * y.abs();
            assert!(close(b.service_level, t.service_level) && close(b.p_wait, t.p_wait));
            assert!(close(b.asa_secs, t.asa_secs) && close(b.occupancy, t.occupancy));
            assert!(close(b.p_abandon.unwrap(), t.p_abandon.unwrap()));
        }
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let row = &value["rows"][0];
        for key in [
            "interval",
            "calls",
            "aht_secs",
            "offered_load",
            "required_agents",
            "scheduled_agents",
            "service_level",
            "asa_secs",
            "p_wait",
            "occupancy",
            "p_abandon",
        ] {
            assert!(row.get(key).is_some(), "missing {key}");
        }

        let mut buf = Vec::new();
        table.write_csv(&mut buf).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), csv);

        // Erlang C tables leave p_abandon empty.
        let c = staffing_table(
            &rows,
            &TableConfig::new(1800.0, Targets::service_level(0.8, 20.0)),
        )
        .unwrap();
        assert!(c.to_csv().lines().nth(1).unwrap().ends_with(','));
        assert!(!c.to_json().unwrap().contains("p_abandon"));
    }

    #[test]
    fn table_errors_name_the_field() {
        let ok = vec![ForecastRow::new("08:00", 10.0, 180.0)];
        let t = Targets::service_level(0.8, 20.0);
        let field = |rows: &[ForecastRow], config: TableConfig| {
            staffing_table(rows, &config)
                .unwrap_err()
                .field()
                .map(str::to_owned)
        };
        assert_eq!(
            field(&ok, TableConfig::new(0.0, t)).as_deref(),
            Some("interval_secs")
        );
        assert_eq!(
            field(&ok, TableConfig::new(1800.0, t).with_shrinkage(1.0)).as_deref(),
            Some("shrinkage")
        );
        assert_eq!(
            field(&ok, TableConfig::new(1800.0, Targets::service_level(2.0, 20.0))).as_deref(),
            Some("targets.service_level")
        );
        let bad = vec![ok[0].clone(), ForecastRow::new("08:30", -1.0, 180.0)];
        assert_eq!(
            field(&bad, TableConfig::new(1800.0, t)).as_deref(),
            Some("forecast[1].calls")
        );
        let bad = vec![ForecastRow::new("08:30", 1.0, f64::NAN)];
        assert_eq!(
            field(&bad, TableConfig::new(1800.0, t)).as_deref(),
            Some("forecast[0].aht_secs")
        );
        // A per-row solver failure is wrapped with the row index and label.
        let err = staffing_table(
            &[ForecastRow::new("09:00", 10.0, 180.0)],
            &TableConfig::new(1800.0, t).with_patience(1e12),
        )
        .unwrap_err();
        assert_eq!(err.code(), 4008);
        assert!(
            err.to_string()
                .starts_with("forecast[0] (interval \"09:00\"): workload.patience_secs"),
            "{err}"
        );
    }
}

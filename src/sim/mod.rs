//! A discrete-event simulator that drives the real [`Engine`](crate::Engine), IVR
//! flows included. It plays the host: callers arrive by a (non-homogeneous) Poisson
//! profile, press keys in the IVR with given probabilities, wait with a patience
//! drawn from a distribution and hang up if not answered; agents work shifts with
//! breaks, answer their phones, talk and wrap up. The output is the engine's own
//! interval statistics, per replication, with confidence intervals across
//! replications.
//!
//! ```
//! use callroute::sim::{Scenario, simulate};
//! let scenario = Scenario::from_toml_str(r#"
//! seed = 1
//! replications = 3
//! hours = 1
//! [arrivals]
//! calls_per_hour = [60]
//! [[traffic]]
//! name = "support"
//! queue = 1
//! talk = { exponential = { mean_secs = 120 } }
//! patience = { exponential = { mean_secs = 90 } }
//! [center]
//! [[center.queues]]
//! id = 1
//! [[center.agents]]
//! id = 1
//! queues = [1]
//! [[center.agents]]
//! id = 2
//! queues = [1]
//! [[center.agents]]
//! id = 3
//! queues = [1]
//! "#, "demo.toml").unwrap();
//! let result = simulate(&scenario, None).unwrap();
//! assert_eq!(result.replications.len(), 3);
//! assert!(result.summary.offered.mean > 30.0);
//! ```

mod dist;
mod run;

pub use dist::{Duration, exponential, normal, t95};
pub use run::{Estimate, Replication, SimResult, Summary, simulate};

use crate::config::Config;
use crate::error::{ConfigError, ConfigLocation};
use crate::ids::{AgentId, QueueId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A simulation scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Seed of the first replication; replication `i` uses `seed + i`.
    #[serde(default)]
    pub seed: u64,
    /// Number of independent replications.
    #[serde(default = "one")]
    pub replications: u32,
    /// Wall-clock start (RFC 3339), for calendars and IVR time conditions.
    #[serde(default)]
    pub start: Option<String>,
    /// Hours during which calls arrive; the run continues until every call ended.
    pub hours: f64,
    /// Arrival profile.
    pub arrivals: Arrivals,
    /// Contact types and how their callers behave.
    pub traffic: Vec<Traffic>,
    /// Agents' time to answer a ringing phone.
    #[serde(default = "default_answer")]
    pub answer_after: Duration,
    /// Replies to IVR lookups, by lookup name.
    #[serde(default)]
    pub lookups: BTreeMap<String, LookupReply>,
    /// Shifts; without any, every agent is ready for the whole run.
    #[serde(default)]
    pub shifts: Vec<Shift>,
    /// The contact center: inline, or loaded from `center_file`.
    #[serde(default)]
    pub center: Option<Config>,
    /// Path of the contact-center configuration, relative to the scenario file.
    #[serde(default)]
    pub center_file: Option<String>,
    /// Hours of each replication left out of the summary (warm-up).
    #[serde(default)]
    pub warm_up_hours: f64,
}

fn one() -> u32 {
    1
}
fn default_answer() -> Duration {
    Duration::Fixed { secs: 2.0 }
}

/// Arrival profile: a Poisson process whose rate is constant within each interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrivals {
    /// Length of one profile interval in minutes.
    #[serde(default = "sixty")]
    pub interval_minutes: f64,
    /// Expected calls per hour in each interval; the last value holds for the rest.
    pub calls_per_hour: Vec<f64>,
}

fn sixty() -> f64 {
    60.0
}

/// A kind of contact: share of arrivals, where it enters and how its callers behave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Name.
    pub name: String,
    /// Relative share of arrivals.
    #[serde(default = "one_f")]
    pub share: f64,
    /// Dialled number: the call enters the IVR (entry rules pick the flow).
    #[serde(default)]
    pub dnis: Option<String>,
    /// Or straight into this queue.
    #[serde(default)]
    pub queue: Option<QueueId>,
    /// Priority when entering a queue directly.
    #[serde(default)]
    pub priority: i32,
    /// Keys pressed at each IVR node (by node id), chosen by weight.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<KeyChoice>>,
    /// How long the caller waits in a queue before hanging up (none: forever).
    #[serde(default)]
    pub patience: Option<Duration>,
    /// Talk time once answered.
    pub talk: Duration,
    /// After-call work; without it the engine's configured wrap-up applies.
    #[serde(default)]
    pub wrap_up: Option<Duration>,
    /// How many different caller numbers (returning callers make sticky routing work).
    #[serde(default = "default_pool")]
    pub callers: u64,
}

fn one_f() -> f64 {
    1.0
}
fn default_pool() -> u64 {
    100_000
}

/// Keys a caller presses, with a weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyChoice {
    /// Keys (one DTMF each); empty: the caller stays silent.
    pub keys: String,
    /// Relative weight.
    #[serde(default = "one_f")]
    pub weight: f64,
}

/// How the simulated host answers a lookup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupReply {
    /// Values returned.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Share of lookups that succeed.
    #[serde(default = "one_f")]
    pub success: f64,
    /// Delay before the reply, milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
}

/// A shift: agents logged in from `start_min` to `end_min` (minutes from the start),
/// with breaks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Agents on the shift.
    pub agents: Vec<AgentId>,
    /// Login, minutes from the start.
    #[serde(default)]
    pub start_min: f64,
    /// Logout, minutes from the start.
    pub end_min: f64,
    /// Breaks.
    #[serde(default)]
    pub breaks: Vec<Break>,
    /// Skills for the agents on this shift (replacing their configured skills).
    #[serde(default)]
    pub skills: Option<BTreeMap<String, u8>>,
}

/// A break: not ready from `at_min` for `minutes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Break {
    /// Start, minutes from the start of the run.
    pub at_min: f64,
    /// Length in minutes.
    pub minutes: f64,
}

fn err(file: &str, path: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        location: ConfigLocation {
            file: file.to_string(),
            line: None,
            column: None,
            path: path.to_string(),
        },
        message: message.into(),
    }
}

impl Scenario {
    /// Parses a TOML scenario (`center_file` is not loaded; see [`Scenario::from_path`]).
    pub fn from_toml_str(src: &str, file: &str) -> Result<Scenario, ConfigError> {
        let s: Scenario = crate::config::parse_toml_in(src, file)?;
        s.validate(file)?;
        Ok(s)
    }

    /// Reads a scenario file and the center file it names.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Scenario, ConfigError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| err(&file, "", format!("cannot read: {e}")))?;
        let mut s = Scenario::from_toml_str(&src, &file)?;
        if s.center.is_none() {
            let Some(c) = &s.center_file else {
                return Err(err(
                    &file,
                    "center_file",
                    "the scenario needs `center` or `center_file`",
                ));
            };
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            s.center = Some(Config::from_path(base.join(c))?);
        }
        Ok(s)
    }

    /// Checks ranges and references; errors name the field.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let e = |p: &str, m: &str| Err(err(file, p, m));
        if !(self.hours.is_finite() && self.hours > 0.0) {
            return e("hours", "must be a positive number");
        }
        if self.replications == 0 {
            return e("replications", "must be at least 1");
        }
        if !(self.warm_up_hours.is_finite() && self.warm_up_hours >= 0.0) {
            return e("warm_up_hours", "must be zero or more");
        }
        let a = &self.arrivals;
        if !(a.interval_minutes.is_finite() && a.interval_minutes > 0.0) {
            return e("arrivals.interval_minutes", "must be a positive number");
        }
        if a.calls_per_hour.is_empty() {
            return e("arrivals.calls_per_hour", "needs at least one rate");
        }
        for (i, r) in a.calls_per_hour.iter().enumerate() {
            if !(r.is_finite() && *r >= 0.0) {
                return e(
                    &format!("arrivals.calls_per_hour[{i}]"),
                    "rates must be zero or more",
                );
            }
        }
        if a.calls_per_hour.iter().all(|r| *r == 0.0) {
            return e(
                "arrivals.calls_per_hour",
                "every rate is zero: no call would arrive",
            );
        }
        if self.traffic.is_empty() {
            return e("traffic", "needs at least one contact type");
        }
        for (i, t) in self.traffic.iter().enumerate() {
            let at = |f: &str| format!("traffic[{i}].{f}");
            if !(t.share.is_finite() && t.share > 0.0) {
                return e(&at("share"), "must be a positive number");
            }
            if t.dnis.is_none() == t.queue.is_none() {
                return e(
                    &at("dnis"),
                    "give exactly one of `dnis` (through the IVR) and `queue`",
                );
            }
            t.talk.check().map_err(|m| err(file, &at("talk"), m))?;
            if let Some(p) = &t.patience {
                p.check().map_err(|m| err(file, &at("patience"), m))?;
            }
            if let Some(w) = &t.wrap_up {
                w.check().map_err(|m| err(file, &at("wrap_up"), m))?;
            }
            if t.callers == 0 {
                return e(&at("callers"), "must be at least 1");
            }
            for (node, choices) in &t.keys {
                if choices.is_empty() || choices.iter().any(|c| !(c.weight.is_finite() && c.weight >= 0.0)) {
                    return e(
                        &at(&format!("keys.{node}")),
                        "needs choices with weights of zero or more",
                    );
                }
                if let Some(c) = choices
                    .iter()
                    .find(|c| !c.keys.chars().all(|k| k.is_ascii_digit() || k == '*' || k == '#'))
                {
                    return e(&at(&format!("keys.{node}")), &format!("`{}` is not DTMF", c.keys));
                }
            }
        }
        self.answer_after
            .check()
            .map_err(|m| err(file, "answer_after", m))?;
        for (i, s) in self.shifts.iter().enumerate() {
            if !(s.start_min >= 0.0 && s.end_min > s.start_min) {
                return e(&format!("shifts[{i}]"), "need 0 <= start_min < end_min");
            }
        }
        for (name, l) in &self.lookups {
            if !(0.0..=1.0).contains(&l.success) {
                return e(&format!("lookups.{name}.success"), "must be between 0 and 1");
            }
        }
        if let Some(c) = &self.center {
            for (i, t) in self.traffic.iter().enumerate() {
                if let Some(q) = t.queue
                    && !c.queues.iter().any(|x| x.id == q)
                {
                    return e(&format!("traffic[{i}].queue"), &format!("unknown queue {}", q.0));
                }
            }
            for (i, s) in self.shifts.iter().enumerate() {
                if let Some(a) = s.agents.iter().find(|a| !c.agents.iter().any(|x| x.id == **a)) {
                    return e(&format!("shifts[{i}].agents"), &format!("unknown agent {}", a.0));
                }
            }
        }
        Ok(())
    }
}

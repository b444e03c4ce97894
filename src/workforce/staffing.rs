//! Staffing solvers: the minimum number of agents that meets a set of
//! targets, plus shrinkage.

use serde::{Deserialize, Serialize};

use super::erlang::{
    ErlangACore, ErlangBRecursion, check_agents, check_load, check_patience, erlang_b_unchecked,
    erlang_c_from_b, offered_load,
};
use super::error::{finite, non_negative, out_of_range, positive};
use super::{MAX_AGENTS, WorkforceError};

/// The work offered to a queue in one interval.
///
/// Without `patience_secs` the queue is modelled with Erlang C (callers wait
/// forever); with it, with Erlang A (exponential patience with that mean).
///
/// ```rust
/// use callroute::workforce::Workload;
///
/// let erlang_c = Workload::from_calls(100.0, 1800.0, 180.0).unwrap();
/// assert_eq!(erlang_c.load, 10.0);
/// let erlang_a = erlang_c.with_patience(120.0);
/// assert_eq!(erlang_a.patience_secs, Some(120.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Offered load in Erlangs (`calls × AHT / interval length`).
    pub load: f64,
    /// Average handle time in seconds.
    pub aht_secs: f64,
    /// Mean caller patience in seconds (Erlang A); `None` for Erlang C.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patience_secs: Option<f64>,
}

impl Workload {
    /// An Erlang C workload of `load` Erlangs with handle time `aht_secs`
    /// (validated when used).
    pub const fn new(load: f64, aht_secs: f64) -> Self {
        Self {
            load,
            aht_secs,
            patience_secs: None,
        }
    }

    /// An Erlang C workload from `calls` per `interval_secs` with handle time
    /// `aht_secs`.
    pub fn from_calls(calls: f64, interval_secs: f64, aht_secs: f64) -> Result<Self, WorkforceError> {
        Ok(Self::new(offered_load(calls, interval_secs, aht_secs)?, aht_secs))
    }

    /// The same workload with exponential patience of mean `patience_secs`
    /// (switches the model to Erlang A).
    pub const fn with_patience(self, patience_secs: f64) -> Self {
        Self {
            patience_secs: Some(patience_secs),
            ..self
        }
    }

    /// Validates every field; errors name `workload.<field>`.
    pub fn validate(&self) -> Result<(), WorkforceError> {
        check_load("workload.load", self.load)?;
        positive("workload.aht_secs", self.aht_secs)?;
        if let Some(patience) = self.patience_secs {
            check_patience("workload.patience_secs", patience, self.aht_secs)?;
        }
        Ok(())
    }

    /// Measures achieved with `agents` agents, the service level taken at
    /// `threshold_secs`.
    ///
    /// With no load every measure is idle (service level 1, no waiting,
    /// occupancy 0) whatever the agent count. Erlang C needs
    /// `agents > load` ([`WorkforceError::Unstable`] otherwise); Erlang A
    /// needs `agents >= 1`.
    ///
    /// ```rust
    /// use callroute::workforce::Workload;
    ///
    /// let r = Workload::new(10.0, 180.0).evaluate(14, 20.0).unwrap();
    /// assert_eq!(r.agents, 14);
    /// assert!((r.service_level - 0.888_35).abs() < 1e-5);
    /// assert_eq!(r.p_abandon, None);
    /// ```
    pub fn evaluate(&self, agents: u32, threshold_secs: f64) -> Result<StaffingResult, WorkforceError> {
        self.validate()?;
        check_agents("agents", agents)?;
        non_negative("threshold_secs", threshold_secs)?;
        if self.load == 0.0 {
            return Ok(StaffingResult::idle(agents, self.patience_secs.is_some()));
        }
        match self.patience_secs {
            None => {
                if f64::from(agents) <= self.load {
                    return Err(WorkforceError::Unstable {
                        agents,
                        load: self.load,
                    });
                }
                let b = erlang_b_unchecked(agents, self.load);
                Ok(StaffingResult::from_erlang_c(
                    agents,
                    self.load,
                    b,
                    self.aht_secs,
                    threshold_secs,
                ))
            }
            Some(patience) => {
                if agents == 0 {
                    return Err(out_of_range(
                        "agents",
                        0.0,
                        "must be >= 1 when the offered load is positive",
                    ));
                }
                let b = erlang_b_unchecked(agents, self.load);
                let core = ErlangACore::new(agents, self.load, b, self.aht_secs, patience)?;
                StaffingResult::from_erlang_a(agents, &core, threshold_secs)
            }
        }
    }
}

/// Staffing targets; every target that is set must hold.
///
/// `threshold_secs` is the `T` of "X % answered within T seconds"; it is also
/// the threshold at which [`StaffingResult::service_level`] is reported when
/// no service-level target is set.
///
/// ```rust
/// use callroute::workforce::Targets;
///
/// let t = Targets::service_level(0.8, 20.0)
///     .with_max_asa(15.0)
///     .with_max_occupancy(0.9);
/// assert_eq!(t.service_level, Some(0.8));
/// assert_eq!(t.max_abandon, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Minimum fraction of calls answered within `threshold_secs`, in `(0, 1)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<f64>,
    /// Service-level threshold in seconds (`>= 0`, default 20).
    #[serde(default = "default_threshold")]
    pub threshold_secs: f64,
    /// Maximum average speed of answer in seconds (`> 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_asa_secs: Option<f64>,
    /// Maximum abandonment probability in `(0, 1)`; Erlang A only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_abandon: Option<f64>,
    /// Maximum occupancy in `(0, 1]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_occupancy: Option<f64>,
}

fn default_threshold() -> f64 {
    20.0
}

impl Default for Targets {
    /// No target, threshold 20 s.
    fn default() -> Self {
        Self {
            service_level: None,
            threshold_secs: default_threshold(),
            max_asa_secs: None,
            max_abandon: None,
            max_occupancy: None,
        }
    }
}

impl Targets {
    /// At least `level` (a fraction, `0.8` for 80 %) of calls answered within
    /// `threshold_secs`.
    pub fn service_level(level: f64, threshold_secs: f64) -> Self {
        Self {
            service_level: Some(level),
            threshold_secs,
            ..Self::default()
        }
    }

    /// Adds a maximum average speed of answer.
    pub const fn with_max_asa(self, secs: f64) -> Self {
        Self {
            max_asa_secs: Some(secs),
            ..self
        }
    }

    /// Adds a maximum abandonment probability (Erlang A only).
    pub const fn with_max_abandon(self, probability: f64) -> Self {
        Self {
            max_abandon: Some(probability),
            ..self
        }
    }

    /// Adds a maximum occupancy.
    pub const fn with_max_occupancy(self, occupancy: f64) -> Self {
        Self {
            max_occupancy: Some(occupancy),
            ..self
        }
    }

    /// Validates the targets; errors name `targets.<field>`.
    /// `has_patience` tells whether the workload uses Erlang A.
    pub fn validate(&self, has_patience: bool) -> Result<(), WorkforceError> {
        non_negative("targets.threshold_secs", self.threshold_secs)?;
        if let Some(level) = self.service_level {
            let field = "targets.service_level";
            finite(field, level)?;
            if !(level > 0.0 && level <= 1.0) {
                return Err(out_of_range(
                    field,
                    level,
                    "must be a fraction in (0, 1), e.g. 0.8 for 80 %",
                ));
            }
            if level >= 1.0 {
                return Err(WorkforceError::ImpossibleTarget {
                    field: field.to_owned(),
                    value: level,
                    reason: "with a positive load some calls always wait longer than any threshold",
                });
            }
        }
        if let Some(asa) = self.max_asa_secs {
            let field = "targets.max_asa_secs";
            finite(field, asa)?;
            if asa < 0.0 {
                return Err(out_of_range(field, asa, "must be > 0"));
            }
            if asa == 0.0 {
                return Err(WorkforceError::ImpossibleTarget {
                    field: field.to_owned(),
                    value: asa,
                    reason: "with a positive load some calls always wait",
                });
            }
        }
        if let Some(abandon) = self.max_abandon {
            let field = "targets.max_abandon";
            finite(field, abandon)?;
            if !has_patience {
                return Err(WorkforceError::RequiresPatience {
                    field: field.to_owned(),
                });
            }
            if !(0.0..1.0).contains(&abandon) {
                return Err(out_of_range(field, abandon, "must be a probability in (0, 1)"));
            }
            if abandon == 0.0 {
                return Err(WorkforceError::ImpossibleTarget {
                    field: field.to_owned(),
                    value: abandon,
                    reason: "with finite patience some calls always abandon",
                });
            }
        }
        if let Some(occupancy) = self.max_occupancy {
            let field = "targets.max_occupancy";
            finite(field, occupancy)?;
            if !(occupancy > 0.0 && occupancy <= 1.0) {
                return Err(out_of_range(field, occupancy, "must be a fraction in (0, 1]"));
            }
        }
        if self.service_level.is_none()
            && self.max_asa_secs.is_none()
            && self.max_abandon.is_none()
            && self.max_occupancy.is_none()
        {
            return Err(WorkforceError::NoTargets);
        }
        Ok(())
    }

    /// Whether `result` meets every target that is set.
    pub fn is_met_by(&self, result: &StaffingResult) -> bool {
        self.service_level.is_none_or(|t| result.service_level >= t)
            && self.max_asa_secs.is_none_or(|t| result.asa_secs <= t)
            && self
                .max_abandon
                .is_none_or(|t| result.p_abandon.unwrap_or(0.0) <= t)
            && self.max_occupancy.is_none_or(|t| result.occupancy <= t)
    }

    /// Erlang A check that only computes the measures the targets need.
    fn erlang_a_met(&self, core: &ErlangACore) -> Result<bool, WorkforceError> {
        if self.max_abandon.is_some_and(|t| core.p_abandon > t)
            || self.max_occupancy.is_some_and(|t| core.occupancy() > t)
        {
            return Ok(false);
        }
        let service_level_met = match self.service_level {
            Some(t) => core.service_level(self.threshold_secs)? >= t,
            None => true,
        };
        if !service_level_met {
            return Ok(false);
        }
        Ok(match self.max_asa_secs {
            Some(t) => core.asa_secs()? <= t,
            None => true,
        })
    }
}

/// The outcome of a staffing solve (or of [`Workload::evaluate`]): the agent
/// count and the measures it achieves. Serialised with exactly these field
/// names; `p_abandon` is present only for Erlang A workloads.
///
/// ```rust
/// use callroute::workforce::{Targets, Workload, required_agents};
///
/// let r = required_agents(&Workload::new(10.0, 180.0), &Targets::service_level(0.8, 20.0))
///     .unwrap();
/// let json = serde_json::to_string(&r).unwrap();
/// assert!(json.starts_with(r#"{"agents":14,"service_level":"#));
/// assert!(!json.contains("p_abandon"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingResult {
    /// Number of agents (productive, before shrinkage).
    pub agents: u32,
    /// Fraction of calls answered within the target threshold.
    pub service_level: f64,
    /// Average speed of answer: mean wait of answered calls, seconds.
    pub asa_secs: f64,
    /// Probability that a call waits.
    pub p_wait: f64,
    /// Agent occupancy (carried load / agents).
    pub occupancy: f64,
    /// Probability that a call abandons (Erlang A only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_abandon: Option<f64>,
}

impl StaffingResult {
    fn idle(agents: u32, with_patience: bool) -> Self {
        Self {
            agents,
            service_level: 1.0,
            asa_secs: 0.0,
            p_wait: 0.0,
            occupancy: 0.0,
            p_abandon: with_patience.then_some(0.0),
        }
    }

    fn from_erlang_c(agents: u32, load: f64, b: f64, aht_secs: f64, threshold_secs: f64) -> Self {
        let m = erlang_c_from_b(agents, load, b, aht_secs, threshold_secs);
        Self {
            agents,
            service_level: m.service_level,
            asa_secs: m.asa_secs,
            p_wait: m.p_wait,
            occupancy: m.occupancy,
            p_abandon: None,
        }
    }

    fn from_erlang_a(agents: u32, core: &ErlangACore, threshold_secs: f64) -> Result<Self, WorkforceError> {
        let m = core.metrics(threshold_secs)?;
        Ok(Self {
            agents,
            service_level: m.service_level,
            asa_secs: m.asa_secs,
            p_wait: m.p_wait,
            occupancy: m.occupancy,
            p_abandon: Some(m.p_abandon),
        })
    }
}

/// The minimum number of agents for which every target holds, with the
/// measures achieved.
///
/// Erlang C (no patience) scans upward from the smallest stable count
/// `⌊A⌋ + 1`, updating Erlang B in `O(1)` per step. Erlang A starts at 1 (or
/// at a proven lower bound: `SL ≤ 1 − P(ab) ≤ c/A`), gallops upward and
/// bisects, so it can return fewer agents than the offered load. In both
/// cases the result meets the targets and one agent fewer does not. A load of
/// 0 needs 0 agents.
///
/// Errors: invalid workload or targets (codes 4000–4004, naming the field),
/// [`WorkforceError::AgentCapExceeded`] beyond [`MAX_AGENTS`].
///
/// ```rust
/// use callroute::workforce::{Targets, Workload, required_agents};
///
/// let workload = Workload::from_calls(100.0, 1800.0, 180.0).unwrap(); // 10 Erlangs
/// let targets = Targets::service_level(0.8, 20.0).with_max_asa(10.0);
/// let r = required_agents(&workload, &targets).unwrap();
/// assert_eq!(r.agents, 14);
///
/// // Impatient callers (Erlang A) and an abandonment target.
/// let impatient = workload.with_patience(60.0);
/// let r = required_agents(&impatient, &Targets::default().with_max_abandon(0.05)).unwrap();
/// assert!(r.p_abandon.unwrap() <= 0.05);
///
/// // 100 % within 0 s can never be met.
/// let err = required_agents(&workload, &Targets::service_level(1.0, 0.0)).unwrap_err();
/// assert_eq!(err.code(), 4002);
/// ```
pub fn required_agents(workload: &Workload, targets: &Targets) -> Result<StaffingResult, WorkforceError> {
    workload.validate()?;
    targets.validate(workload.patience_secs.is_some())?;
    let load = workload.load;
    if load == 0.0 {
        return Ok(StaffingResult::idle(0, workload.patience_secs.is_some()));
    }
    match workload.patience_secs {
        None => solve_erlang_c(load, workload.aht_secs, targets),
        Some(patience) => solve_erlang_a(load, workload.aht_secs, patience, targets),
    }
}

fn cap_exceeded() -> WorkforceError {
    WorkforceError::AgentCapExceeded {
        max_agents: MAX_AGENTS,
    }
}

fn solve_erlang_c(load: f64, aht: f64, targets: &Targets) -> Result<StaffingResult, WorkforceError> {
    // load <= MAX_LOAD < MAX_AGENTS, so this fits.
    let start = load.floor() as u32 + 1;
    let mut recursion = ErlangBRecursion::new(load);
    recursion.advance_to(start - 1);
    while recursion.servers() < MAX_AGENTS {
        recursion.advance();
        let n = recursion.servers();
        let b = recursion.blocking();
        let result = StaffingResult::from_erlang_c(n, load, b, aht, targets.threshold_secs);
        if targets.is_met_by(&result) {
            return Ok(result);
        }
    }
    Err(cap_exceeded())
}

/// Erlang B values `1/B(0..)`, extended on demand.
struct ErlangBTable {
    recursion: ErlangBRecursion,
    inverses: Vec<f64>,
}

impl ErlangBTable {
    fn new(load: f64) -> Self {
        let recursion = ErlangBRecursion::new(load);
        Self {
            recursion,
            inverses: vec![recursion.inverse()],
        }
    }

    /// `B(n)`.
    fn get(&mut self, n: u32) -> f64 {
        while self.recursion.servers() < n {
            self.recursion.advance();
            self.inverses.push(self.recursion.inverse());
        }
        self.inverses.get(n as usize).map_or(0.0, |inv| 1.0 / inv)
    }
}

fn solve_erlang_a(
    load: f64,
    aht: f64,
    patience: f64,
    targets: &Targets,
) -> Result<StaffingResult, WorkforceError> {
    let mut table = ErlangBTable::new(load);
    let mut met = |n: u32| -> Result<bool, WorkforceError> {
        let b = table.get(n);
        targets.erlang_a_met(&ErlangACore::new(n, load, b, aht, patience)?)
    };
    // Lower bound: the carried load A(1 − P(ab)) is at most c, and
    // SL ≤ 1 − P(ab); so c ≥ SL·A and c ≥ (1 − max_abandon)·A.
    let mut bound = 0.0_f64;
    if let Some(level) = targets.service_level {
        bound = bound.max(level * load);
    }
    if let Some(abandon) = targets.max_abandon {
        bound = bound.max((1.0 - abandon) * load);
    }
    let start = ((bound * (1.0 - 1e-9)).floor() as u32).clamp(1, MAX_AGENTS);

    // Gallop upward from the bound, then bisect (lo fails, hi meets).
    let mut lo = start - 1;
    let mut hi = start;
    let mut step = 1_u32;
    while !met(hi)? {
        if hi == MAX_AGENTS {
            return Err(cap_exceeded());
        }
        lo = hi;
        hi = hi.saturating_add(step).min(MAX_AGENTS);
        step = step.saturating_mul(2);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if met(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // If the very first probe met, hi − 1 was only excluded by the bound;
    // check it numerically so that "one agent fewer fails" always holds.
    if hi == start {
        while hi > 1 && met(hi - 1)? {
            hi -= 1;
        }
    }
    let b = table.get(hi);
    let core = ErlangACore::new(hi, load, b, aht, patience)?;
    StaffingResult::from_erlang_a(hi, &core, targets.threshold_secs)
}

/// Scheduled agents for `agents` productive agents with shrinkage
/// `shrinkage` (the fraction of paid time not available for calls, in
/// `[0, 1)`): `⌈agents / (1 − shrinkage)⌉`.
///
/// Quotients within 1e-9 (relative) of an integer are rounded to it, so
/// that binary rounding does not add an agent (`8 / (1 − 0.2)` is 10).
///
/// ```rust
/// use callroute::workforce::scheduled_agents;
///
/// assert_eq!(scheduled_agents(8, 0.2).unwrap(), 10);
/// assert_eq!(scheduled_agents(13, 0.3).unwrap(), 19);
/// assert_eq!(scheduled_agents(13, 1.0).unwrap_err().field(), Some("shrinkage"));
/// ```
pub fn scheduled_agents(agents: u32, shrinkage: f64) -> Result<u32, WorkforceError> {
    check_shrinkage("shrinkage", shrinkage)?;
    let exact = f64::from(agents) / (1.0 - shrinkage);
    let nearest = exact.round();
    let scheduled = if (exact - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        exact.ceil()
    };
    if scheduled > f64::from(u32::MAX) {
        return Err(out_of_range(
            "shrinkage",
            shrinkage,
            "scheduled agents would exceed u32::MAX",
        ));
    }
    Ok(scheduled as u32)
}

/// Checks a shrinkage fraction: finite and in `[0, 1)`.
pub(crate) fn check_shrinkage(field: &str, shrinkage: f64) -> Result<f64, WorkforceError> {
    if !(0.0..1.0).contains(&finite(field, shrinkage)?) {
        return Err(out_of_range(field, shrinkage, "must be a fraction in [0, 1)"));
    }
    Ok(shrinkage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_minimal(workload: &Workload, targets: &Targets) -> StaffingResult {
        let r = required_agents(workload, targets).unwrap();
        let again = workload.evaluate(r.agents, targets.threshold_secs).unwrap();
        assert_eq!(r, again, "solver result must equal a direct evaluation");
        assert!(targets.is_met_by(&r), "{r:?} does not meet {targets:?}");
        if r.agents > 0 {
            match workload.evaluate(r.agents - 1, targets.threshold_secs) {
                Ok(fewer) => assert!(!targets.is_met_by(&fewer), "{fewer:?} also meets"),
                // One fewer is unstable (Erlang C): does not meet either.
                Err(WorkforceError::Unstable { .. }) => {}
                Err(e) => panic!("unexpected {e}"),
            }
        }
        r
    }

    #[test]
    fn erlang_c_solver_r_example() {
        // R `ErlangC` example workload (10 Erlangs, AHT 180 s):
        // SL(12) = 0.6402, SL(13) = 0.7956, SL(14) = 0.8884 at 20 s.
        let w = Workload::from_calls(100.0, 1800.0, 180.0).unwrap();
        let r = assert_minimal(&w, &Targets::service_level(0.8, 20.0));
        assert_eq!(r.agents, 14);
        assert_eq!(format!("{:.5}", r.service_level), "0.88835");
        let r = assert_minimal(&w, &Targets::service_level(0.75, 20.0));
        assert_eq!(r.agents, 13);
        // ASA(13) = 17.1 s, ASA(14) = 7.8 s.
        let r = assert_minimal(&w, &Targets::default().with_max_asa(10.0));
        assert_eq!(r.agents, 14);
    }

    #[test]
    fn erlang_c_solver_each_target_kind() {
        let w = Workload::new(42.5, 180.0);
        assert_minimal(&w, &Targets::service_level(0.9, 15.0));
        assert_minimal(&w, &Targets::default().with_max_asa(5.0));
        let r = assert_minimal(&w, &Targets::default().with_max_occupancy(0.85));
        assert_eq!(r.agents, 50); // 42.5 / 50 = 0.85 exactly
        let combined = Targets::service_level(0.8, 20.0)
            .with_max_asa(3.0)
            .with_max_occupancy(0.7);
        let r = assert_minimal(&w, &combined);
        for single in [
            Targets::service_level(0.8, 20.0),
            Targets::default().with_max_asa(3.0),
            Targets::default().with_max_occupancy(0.7),
        ] {
            assert!(required_agents(&w, &single).unwrap().agents <= r.agents);
        }
    }

    #[test]
    fn erlang_c_solver_large_center() {
        let w = Workload::new(2_000.0, 180.0);
        let r = assert_minimal(&w, &Targets::service_level(0.8, 20.0));
        assert!(r.agents > 2_000 && r.agents < 2_100, "{r:?}");
        let w = Workload::new(10_000.0, 180.0);
        let r = assert_minimal(&w, &Targets::service_level(0.95, 10.0));
        assert!(r.agents > 10_000 && r.agents < 10_200, "{r:?}");
    }

    #[test]
    fn erlang_a_solver_meets_targets_minimally() {
        let w = Workload::new(42.5, 180.0).with_patience(120.0);
        assert_minimal(&w, &Targets::service_level(0.8, 20.0));
        assert_minimal(&w, &Targets::default().with_max_asa(10.0));
        assert_minimal(&w, &Targets::default().with_max_abandon(0.03));
        assert_minimal(&w, &Targets::default().with_max_occupancy(0.8));
        assert_minimal(
            &w,
            &Targets::service_level(0.9, 30.0)
                .with_max_abandon(0.02)
                .with_max_asa(8.0),
        );
        // A large, overloaded center: with 2-minute patience the queue
        // self-regulates through abandonment, so 80 % of *all* calls can be
        // answered within 20 s with fewer agents than Erlangs (SL ≤ c/A).
        let big = Workload::new(10_000.0, 180.0).with_patience(120.0);
        let r = assert_minimal(&big, &Targets::service_level(0.8, 20.0));
        assert!(r.agents >= 8_000 && r.agents < 10_000, "{r:?}");
        let r = assert_minimal(&big, &Targets::service_level(0.8, 20.0).with_max_abandon(0.02));
        assert!(r.agents > 9_800 && r.agents < 10_200, "{r:?}");
    }

    #[test]
    fn erlang_a_solver_can_staff_below_the_load() {
        // Very impatient callers (10 s mean patience, AHT 300 s) and a
        // lenient target: 20 % abandonment allowed.
        let load = 50.0;
        let w = Workload::new(load, 300.0).with_patience(10.0);
        let r = assert_minimal(&w, &Targets::default().with_max_abandon(0.2));
        assert!(r.agents < load.ceil() as u32, "{r:?}");
        assert!(r.p_abandon.unwrap() <= 0.2);
        // Same with a lenient service level.
        let r = assert_minimal(&w, &Targets::service_level(0.5, 20.0));
        assert!(r.agents < 50, "{r:?}");
        // Erlang C could never do that.
        let c = required_agents(&Workload::new(load, 300.0), &Targets::service_level(0.5, 20.0)).unwrap();
        assert!(c.agents > 50);
    }

    #[test]
    fn zero_load_needs_no_agents() {
        let r = required_agents(&Workload::new(0.0, 180.0), &Targets::service_level(0.8, 20.0)).unwrap();
        assert_eq!(r.agents, 0);
        assert_eq!(r.service_level, 1.0);
        let r = required_agents(
            &Workload::new(0.0, 180.0).with_patience(30.0),
            &Targets::default().with_max_abandon(0.1),
        )
        .unwrap();
        assert_eq!((r.agents, r.p_abandon), (0, Some(0.0)));
    }

    #[test]
    fn invalid_targets_name_the_field() {
        let w = Workload::new(10.0, 180.0);
        let cases: Vec<(Targets, &str, u32)> = vec![
            (Targets::service_level(1.0, 0.0), "targets.service_level", 4002),
            (Targets::service_level(1.2, 20.0), "targets.service_level", 4001),
            (Targets::service_level(80.0, 20.0), "targets.service_level", 4001),
            (Targets::service_level(0.0, 20.0), "targets.service_level", 4001),
            (
                Targets::service_level(f64::NAN, 20.0),
                "targets.service_level",
                4000,
            ),
            (Targets::service_level(0.8, -1.0), "targets.threshold_secs", 4001),
            (
                Targets::service_level(0.8, f64::NAN),
                "targets.threshold_secs",
                4000,
            ),
            (Targets::default().with_max_asa(0.0), "targets.max_asa_secs", 4002),
            (
                Targets::default().with_max_asa(-3.0),
                "targets.max_asa_secs",
                4001,
            ),
            (
                Targets::default().with_max_occupancy(0.0),
                "targets.max_occupancy",
                4001,
            ),
            (
                Targets::default().with_max_occupancy(1.5),
                "targets.max_occupancy",
                4001,
            ),
            (
                Targets::default().with_max_abandon(0.1),
                "targets.max_abandon",
                4003,
            ),
        ];
        for (targets, field, code) in cases {
            let err = required_agents(&w, &targets).unwrap_err();
            assert_eq!(err.field(), Some(field), "{targets:?}: {err}");
            assert_eq!(err.code(), code, "{targets:?}: {err}");
            assert!(err.to_string().starts_with(field), "{err}");
        }
        let wa = w.with_patience(60.0);
        let err = required_agents(&wa, &Targets::default().with_max_abandon(0.0)).unwrap_err();
        assert_eq!((err.code(), err.field()), (4002, Some("targets.max_abandon")));
        let err = required_agents(&wa, &Targets::default().with_max_abandon(1.0)).unwrap_err();
        assert_eq!((err.code(), err.field()), (4001, Some("targets.max_abandon")));
        assert_eq!(
            required_agents(&w, &Targets::default()).unwrap_err(),
            WorkforceError::NoTargets
        );
    }

    #[test]
    fn invalid_workloads_name_the_field() {
        let t = Targets::service_level(0.8, 20.0);
        for (w, field) in [
            (Workload::new(-1.0, 180.0), "workload.load"),
            (Workload::new(f64::NAN, 180.0), "workload.load"),
            (Workload::new(2e6, 180.0), "workload.load"),
            (Workload::new(10.0, 0.0), "workload.aht_secs"),
            (Workload::new(10.0, -5.0), "workload.aht_secs"),
            (
                Workload::new(10.0, 180.0).with_patience(0.0),
                "workload.patience_secs",
            ),
            (
                Workload::new(10.0, 180.0).with_patience(f64::INFINITY),
                "workload.patience_secs",
            ),
        ] {
            let err = required_agents(&w, &t).unwrap_err();
            assert_eq!(err.field(), Some(field), "{w:?}: {err}");
        }
    }

    #[test]
    fn shrinkage() {
        assert_eq!(scheduled_agents(0, 0.3).unwrap(), 0);
        assert_eq!(scheduled_agents(10, 0.0).unwrap(), 10);
        assert_eq!(scheduled_agents(8, 0.2).unwrap(), 10);
        assert_eq!(scheduled_agents(9, 0.25).unwrap(), 12);
        assert_eq!(scheduled_agents(10, 0.25).unwrap(), 14); // 13.33 → 14
        assert_eq!(scheduled_agents(7, 0.3).unwrap(), 10);
        assert_eq!(scheduled_agents(1, 0.999_999).unwrap(), 1_000_000);
        assert_eq!(scheduled_agents(1, -0.1).unwrap_err().code(), 4001);
        assert_eq!(scheduled_agents(1, f64::NAN).unwrap_err().code(), 4000);
        assert_eq!(
            scheduled_agents(u32::MAX, 0.5).unwrap_err().field(),
            Some("shrinkage")
        );
    }

    #[test]
    fn result_json_field_names() {
        let r = StaffingResult {
            agents: 14,
            service_level: 0.5,
            asa_secs: 2.0,
            p_wait: 0.25,
            occupancy: 0.75,
            p_abandon: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"agents":14,"service_level":0.5,"asa_secs":2.0,"p_wait":0.25,"occupancy":0.75}"#
        );
        let with = StaffingResult {
            p_abandon: Some(0.125),
            ..r
        };
        let json = serde_json::to_string(&with).unwrap();
        assert!(json.ends_with(r#""occupancy":0.75,"p_abandon":0.125}"#), "{json}");
        let back: StaffingResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back, with);
    }

    #[test]
    fn targets_json_round_trip_and_defaults() {
        let t: Targets = serde_json::from_str(r#"{"service_level":0.8}"#).unwrap();
        assert_eq!(t, Targets::service_level(0.8, 20.0));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"service_level":0.8,"threshold_secs":20.0}"#);
        assert!(serde_json::from_str::<Targets>(r#"{"service_lvl":0.8}"#).is_err());
    }

    fn finite_unit(x: f64) -> bool {
        x.is_finite() && (0.0..=1.0).contains(&x)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn erlang_c_measures_in_range_and_monotone(
            load in 0.01_f64..3_000.0,
            extra in 1_u32..80,
            aht in 5.0_f64..2_000.0,
            t in 0.0_f64..300.0,
        ) {
            let c = load.floor() as u32 + extra;
            let m = Workload::new(load, aht).evaluate(c, t).unwrap();
            prop_assert!(finite_unit(m.p_wait) && finite_unit(m.service_level));
            prop_assert!(finite_unit(m.occupancy));
            prop_assert!(m.asa_secs.is_finite() && m.asa_secs >= 0.0);
            let next = Workload::new(load, aht).evaluate(c + 1, t).unwrap();
            prop_assert!(next.p_wait <= m.p_wait * (1.0 + 1e-12));
            prop_assert!(next.service_level >= m.service_level * (1.0 - 1e-12));
        }

        #[test]
        fn erlang_a_measures_in_range_and_monotone(
            load in 0.01_f64..2_000.0,
            frac in 0.05_f64..1.5,
            aht in 5.0_f64..2_000.0,
            patience_ratio in 0.001_f64..100.0,
            t in 0.0_f64..300.0,
        ) {
            let c = ((load * frac).floor() as u32).max(1);
            let w = Workload::new(load, aht).with_patience(aht * patience_ratio);
            let m = w.evaluate(c, t).unwrap();
            let p_ab = m.p_abandon.unwrap();
            prop_assert!(finite_unit(m.p_wait) && finite_unit(m.service_level), "{:?}", m);
            prop_assert!(finite_unit(p_ab) && p_ab <= m.p_wait, "{:?}", m);
            prop_assert!(finite_unit(m.occupancy), "{:?}", m);
            prop_assert!(m.service_level <= 1.0 - p_ab + 1e-12, "{:?}", m);
            prop_assert!(m.asa_secs.is_finite() && m.asa_secs >= 0.0, "{:?}", m);
            let next = w.evaluate(c + 1, t).unwrap();
            prop_assert!(next.p_wait <= m.p_wait * (1.0 + 1e-12), "{:?} {:?}", m, next);
            prop_assert!(next.p_abandon.unwrap() <= p_ab * (1.0 + 1e-12));
            prop_assert!(
                next.service_level >= m.service_level * (1.0 - 1e-9) - 1e-300,
                "{:?} {:?}", m, next
            );
        }

        #[test]
        fn solvers_never_panic(
            load in prop_oneof![Just(f64::NAN), Just(-1.0), Just(0.0), 0.0_f64..500.0, Just(1e7)],
            aht in prop_oneof![Just(0.0), Just(f64::INFINITY), 1.0_f64..1_000.0],
            patience in proptest::option::of(prop_oneof![Just(-1.0), Just(f64::NAN), 0.5_f64..5_000.0]),
            sl in proptest::option::of(prop_oneof![Just(1.0), Just(f64::NAN), -0.5_f64..1.5]),
            t in prop_oneof![Just(-1.0), 0.0_f64..120.0],
            asa in proptest::option::of(-5.0_f64..120.0),
            abandon in proptest::option::of(-0.1_f64..1.1),
            occupancy in proptest::option::of(-0.1_f64..1.1),
        ) {
            let workload = Workload { load, aht_secs: aht, patience_secs: patience };
            let targets = Targets {
                service_level: sl,
                threshold_secs: t,
                max_asa_secs: asa,
                max_abandon: abandon,
                max_occupancy: occupancy,
            };
            match required_agents(&workload, &targets) {
                Ok(r) => {
                    prop_assert!(targets.is_met_by(&r));
                    if r.agents > 0 {
                        if let Ok(fewer) = workload.evaluate(r.agents - 1, t) {
                            prop_assert!(!targets.is_met_by(&fewer));
                        }
                    }
                }
                Err(e) => prop_assert!((4000..=4099).contains(&e.code())),
            }
        }
    }
}

//! Erlang B, Erlang C and Erlang A (M/M/c+M) queue measures.
//!
//! All formulas are defined in `docs/workforce.md`. Loads are in Erlangs
//! (`A = calls × AHT / interval length`), times in seconds.
//!
//! Numerics: Erlang B uses the recursion `1/B(n) = 1 + (n/A)·1/B(n−1)`
//! (no factorials, no division, rounding errors damped at every step);
//! Erlang C is derived from Erlang B; Erlang A uses the incomplete-gamma
//! formulation of Garnett, Mandelbaum & Reiman (2002) evaluated in log space
//! (see the crate-private `special` module). Everything is accurate to better
//! than 1e-9 relative error for loads and agent counts up to
//! [`MAX_LOAD`] / [`MAX_AGENTS`], and never panics.

use serde::{Deserialize, Serialize};

use super::error::{finite, non_negative, out_of_range, positive};
use super::special::{ln_gamma_pq, mean_harmonic, phi, queue_series};
use super::{MAX_AGENTS, MAX_LOAD, MAX_PATIENCE_RATIO, MIN_PATIENCE_RATIO, WorkforceError};

/// Offered load in Erlangs: `calls × aht_secs / interval_secs`.
///
/// ```rust
/// use callroute::workforce::offered_load;
///
/// // 100 calls in 30 minutes with a 3-minute handle time = 10 Erlangs.
/// assert_eq!(offered_load(100.0, 1800.0, 180.0).unwrap(), 10.0);
/// assert_eq!(offered_load(-1.0, 1800.0, 180.0).unwrap_err().code(), 4001);
/// ```
pub fn offered_load(calls: f64, interval_secs: f64, aht_secs: f64) -> Result<f64, WorkforceError> {
    non_negative("calls", calls)?;
    positive("interval_secs", interval_secs)?;
    positive("aht_secs", aht_secs)?;
    let load = calls * aht_secs / interval_secs;
    check_load("calls", load)
}

/// Checks an offered load: finite, `>= 0` and `<= MAX_LOAD`.
pub(crate) fn check_load(field: &str, load: f64) -> Result<f64, WorkforceError> {
    if non_negative(field, load)? > MAX_LOAD {
        return Err(out_of_range(
            field,
            load,
            "offered load must be at most 1e6 Erlangs",
        ));
    }
    Ok(load)
}

/// Checks an agent / server count against [`MAX_AGENTS`].
pub(crate) fn check_agents(field: &str, agents: u32) -> Result<u32, WorkforceError> {
    if agents > MAX_AGENTS {
        return Err(out_of_range(
            field,
            f64::from(agents),
            "must be at most MAX_AGENTS (2,000,000)",
        ));
    }
    Ok(agents)
}

/// Checks a mean patience: finite, `> 0`, and within
/// `[MIN_PATIENCE_RATIO, MAX_PATIENCE_RATIO] × aht_secs`.
pub(crate) fn check_patience(field: &str, patience: f64, aht: f64) -> Result<f64, WorkforceError> {
    positive(field, patience)?;
    let ratio = patience / aht;
    if !(MIN_PATIENCE_RATIO..=MAX_PATIENCE_RATIO).contains(&ratio) {
        return Err(out_of_range(
            field,
            patience,
            "must be between 1e-6 and 1e6 times the AHT (use Erlang C for infinite patience)",
        ));
    }
    Ok(patience)
}

/// The Erlang B recursion in reciprocal form,
/// `1/B(n) = 1 + (n/A) · 1/B(n−1)`, `1/B(0) = 1`.
///
/// One multiply and one add per step on the critical path (no division);
/// the relative error of `1/B(n−1)` is multiplied by
/// `(1/B(n) − 1)/(1/B(n)) < 1` at every step, so rounding errors are damped.
/// When `n ≫ A` the reciprocal overflows to `+∞` and `B` becomes exactly 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErlangBRecursion {
    servers: u32,
    inv_load: f64,
    /// `1/B(servers)`.
    inv_b: f64,
}

impl ErlangBRecursion {
    /// Starts at `B(0) = 1` for a validated `load >= 0`.
    pub(crate) fn new(load: f64) -> Self {
        Self {
            servers: 0,
            inv_load: 1.0 / load,
            inv_b: 1.0,
        }
    }

    /// Moves from `B(n)` to `B(n + 1)`.
    #[inline]
    pub(crate) fn advance(&mut self) {
        self.servers += 1;
        self.inv_b = 1.0 + self.inv_b * (f64::from(self.servers) * self.inv_load);
    }

    /// Advances up to `servers` (no-op if already there or beyond).
    pub(crate) fn advance_to(&mut self, servers: u32) {
        while self.servers < servers {
            self.advance();
        }
    }

    /// The current server count `n`.
    pub(crate) fn servers(&self) -> u32 {
        self.servers
    }

    /// `1/B(n)`.
    pub(crate) fn inverse(&self) -> f64 {
        self.inv_b
    }

    /// `B(n)`.
    pub(crate) fn blocking(&self) -> f64 {
        1.0 / self.inv_b
    }
}

/// `B(servers, load)` by the recursion, inputs already validated.
pub(crate) fn erlang_b_unchecked(servers: u32, load: f64) -> f64 {
    let mut recursion = ErlangBRecursion::new(load);
    recursion.advance_to(servers);
    recursion.blocking()
}

/// Erlang B: the probability that a call offered to `servers` trunks with an
/// offered load of `load` Erlangs is blocked (blocked calls are lost).
///
/// `B(0, A) = 1`; `B(n, 0) = 0` for `n >= 1`. Runs in `O(servers)` with the
/// stable recursion `1/B(n) = 1 + (n/A)·1/B(n−1)`.
///
/// ```rust
/// use callroute::workforce::erlang_b;
///
/// assert_eq!(erlang_b(1, 1.0).unwrap(), 0.5);
/// assert!((erlang_b(10, 10.0).unwrap() - 0.214_582_34).abs() < 1e-8);
/// assert_eq!(erlang_b(10, f64::NAN).unwrap_err().code(), 4000);
/// ```
pub fn erlang_b(servers: u32, load: f64) -> Result<f64, WorkforceError> {
    check_agents("servers", servers)?;
    check_load("load", load)?;
    Ok(erlang_b_unchecked(servers, load))
}

/// The minimum number of trunks whose Erlang B blocking is at most
/// `max_blocking` (`0 < max_blocking < 1`). A load of 0 needs 0 trunks.
///
/// ```rust
/// use callroute::workforce::{erlang_b, erlang_b_trunks};
///
/// let trunks = erlang_b_trunks(10.0, 0.01).unwrap();
/// assert_eq!(trunks, 18);
/// assert!(erlang_b(trunks, 10.0).unwrap() <= 0.01);
/// assert!(erlang_b(trunks - 1, 10.0).unwrap() > 0.01);
/// ```
pub fn erlang_b_trunks(load: f64, max_blocking: f64) -> Result<u32, WorkforceError> {
    check_load("load", load)?;
    finite("max_blocking", max_blocking)?;
    if !(max_blocking > 0.0 && max_blocking < 1.0) {
        return Err(out_of_range(
            "max_blocking",
            max_blocking,
            "must be a probability in (0, 1)",
        ));
    }
    if load == 0.0 {
        return Ok(0);
    }
    let mut recursion = ErlangBRecursion::new(load);
    while recursion.servers() < MAX_AGENTS {
        recursion.advance();
        if recursion.blocking() <= max_blocking {
            return Ok(recursion.servers());
        }
    }
    Err(WorkforceError::AgentCapExceeded {
        max_agents: MAX_AGENTS,
    })
}

/// Erlang C measures for one agent count (see [`erlang_c_metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErlangCMetrics {
    /// Probability that a call waits at all, `C(c, A)`.
    pub p_wait: f64,
    /// Probability that a call is answered within the threshold,
    /// `1 − C·exp(−(c − A)·t / AHT)`.
    pub service_level: f64,
    /// Average speed of answer (mean wait of all calls; in Erlang C every
    /// call is answered), `C·AHT / (c − A)`, seconds.
    pub asa_secs: f64,
    /// Agent occupancy `A / c`.
    pub occupancy: f64,
}

/// Erlang C measures from a known `B(agents, load)`; needs `agents > load`.
pub(crate) fn erlang_c_from_b(
    agents: u32,
    load: f64,
    b: f64,
    aht_secs: f64,
    threshold_secs: f64,
) -> ErlangCMetrics {
    let c = f64::from(agents);
    let gap = c - load;
    // C = c·B / (c − A(1 − B)), written with the exact gap c − A.
    let denom = gap + load * b;
    let p_wait = (c * b / denom).clamp(0.0, 1.0);
    let decay = gap * threshold_secs / aht_secs;
    // SL = 1 − C e^{−k} = [(c − A)(1 − B) + c·B·(1 − e^{−k})] / denom:
    // positive terms only, so no cancellation when SL is small.
    let service_level = ((gap * (1.0 - b) - c * b * (-decay).exp_m1()) / denom).clamp(0.0, 1.0);
    ErlangCMetrics {
        p_wait,
        service_level,
        asa_secs: p_wait * aht_secs / gap,
        occupancy: load / c,
    }
}

/// Erlang C probability of waiting `C(agents, load)` for an M/M/c queue.
///
/// Returns [`WorkforceError::Unstable`] (code 4005) when `agents <= load`
/// and `load > 0`: the queue is then unstable and every call waits.
///
/// ```rust
/// use callroute::workforce::erlang_c;
///
/// let p = erlang_c(14, 10.0).unwrap();
/// assert!((p - 0.174_131_9).abs() < 1e-7);
/// assert_eq!(erlang_c(10, 10.0).unwrap_err().code(), 4005);
/// ```
pub fn erlang_c(agents: u32, load: f64) -> Result<f64, WorkforceError> {
    check_erlang_c_inputs(agents, load)?;
    let b = erlang_b_unchecked(agents, load);
    Ok(erlang_c_from_b(agents, load, b, 1.0, 0.0).p_wait)
}

fn check_erlang_c_inputs(agents: u32, load: f64) -> Result<(), WorkforceError> {
    check_agents("agents", agents)?;
    check_load("load", load)?;
    if agents == 0 {
        if load > 0.0 {
            return Err(WorkforceError::Unstable { agents, load });
        }
        return Err(out_of_range("agents", 0.0, "must be >= 1"));
    }
    if f64::from(agents) <= load {
        return Err(WorkforceError::Unstable { agents, load });
    }
    Ok(())
}

/// All Erlang C measures for `agents` agents, an offered load of `load`
/// Erlangs, an average handle time `aht_secs` and a service-level threshold
/// `threshold_secs`.
///
/// Unstable systems (`agents <= load`) return [`WorkforceError::Unstable`]
/// rather than `P(wait) = 1`, `SL = 0`, `ASA = ∞`.
///
/// ```rust
/// use callroute::workforce::erlang_c_metrics;
///
/// // R package `ErlangC` example: 100 calls / 30 min, AHT 180 s, 14 agents, 20 s.
/// let m = erlang_c_metrics(14, 10.0, 180.0, 20.0).unwrap();
/// assert!((m.p_wait - 0.174_131_9).abs() < 1e-7);
/// assert!((m.service_level - 0.888_35).abs() < 1e-5);
/// assert!((m.asa_secs - 7.835_9).abs() < 1e-4);
/// assert!((m.occupancy - 0.714_285_7).abs() < 1e-7);
/// ```
pub fn erlang_c_metrics(
    agents: u32,
    load: f64,
    aht_secs: f64,
    threshold_secs: f64,
) -> Result<ErlangCMetrics, WorkforceError> {
    check_erlang_c_inputs(agents, load)?;
    positive("aht_secs", aht_secs)?;
    non_negative("threshold_secs", threshold_secs)?;
    let b = erlang_b_unchecked(agents, load);
    Ok(erlang_c_from_b(agents, load, b, aht_secs, threshold_secs))
}

/// Erlang A (M/M/c+M) measures for one agent count (see
/// [`erlang_a_metrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErlangAMetrics {
    /// Probability that an arriving call finds all agents busy and queues.
    pub p_wait: f64,
    /// Probability that a call abandons before being answered.
    pub p_abandon: f64,
    /// Probability that a call is *answered* within the threshold (calls
    /// that abandon count as not answered, whenever they hang up): the
    /// fraction of all offered calls answered within `threshold_secs`.
    pub service_level: f64,
    /// Average speed of answer: mean wait of **answered** calls, seconds.
    pub asa_secs: f64,
    /// Mean wait of all calls, answered or abandoned (`p_abandon × patience`),
    /// seconds.
    pub mean_wait_secs: f64,
    /// Agent occupancy: carried load / agents = `A·(1 − p_abandon) / c`.
    pub occupancy: f64,
}

/// Erlang A core quantities for one agent count; the costlier measures
/// (service level, ASA) are computed on demand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErlangACore {
    agents: f64,
    load: f64,
    patience: f64,
    /// `x = c·μ/θ`.
    x: f64,
    /// `y = λ/θ`.
    y: f64,
    /// `ln J(x, y)`.
    ln_j: f64,
    /// `1 − P(wait)`, computed without cancellation.
    p_no_wait: f64,
    pub(crate) p_wait: f64,
    pub(crate) p_abandon: f64,
}

impl ErlangACore {
    /// Inputs must be validated; `b = B(agents, load)`, `agents >= 1`.
    pub(crate) fn new(
        agents: u32,
        load: f64,
        b: f64,
        aht_secs: f64,
        patience_secs: f64,
    ) -> Result<Self, WorkforceError> {
        let n = f64::from(agents);
        let ratio = patience_secs / aht_secs;
        let x = n * ratio;
        let y = load * ratio;
        let mut core = Self {
            agents: n,
            load,
            patience: patience_secs,
            x,
            y,
            ln_j: 0.0,
            p_no_wait: 1.0,
            p_wait: 0.0,
            p_abandon: 0.0,
        };
        if y <= 0.0 || b <= 0.0 {
            // No traffic (or B underflowed: nobody ever waits).
            return Ok(core);
        }
        let series = queue_series(x, y, (load - n) * ratio)?;
        let inv_j = (-series.ln_j).exp();
        // P(wait) = J·B / (1 + (J − 1)·B) = B / (B + (1 − B)/J).
        let denom = b + (1.0 - b) * inv_j;
        core.p_wait = (b / denom).clamp(0.0, 1.0);
        core.p_no_wait = ((1.0 - b) * inv_j / denom).clamp(0.0, 1.0);
        // P(abandon) = θ·E[queue]/λ = P(wait)·E[M]/y.
        core.p_abandon = (core.p_wait * series.mean / y).max(0.0).min(core.p_wait);
        core.ln_j = series.ln_j;
        Ok(core)
    }

    /// Occupancy `A·(1 − P(ab)) / c`.
    pub(crate) fn occupancy(&self) -> f64 {
        if self.agents <= 0.0 {
            return 0.0;
        }
        (self.load * (1.0 - self.p_abandon) / self.agents).clamp(0.0, 1.0)
    }

    /// Mean wait of all calls, `P(ab)/θ`.
    pub(crate) fn mean_wait_secs(&self) -> f64 {
        self.p_abandon * self.patience
    }

    /// `P(answered and W <= t)`.
    ///
    /// `P(no wait) + P(wait)·(x/y)·[P(x+1, y) − P(x+1, y·e^{−θt})] / P(x, y)`
    /// with `P` the regularised lower incomplete gamma function. The
    /// difference is taken between whichever of `P` or `Q = 1 − P` is small,
    /// in log space, so tiny service levels keep their relative accuracy.
    pub(crate) fn service_level(&self, threshold_secs: f64) -> Result<f64, WorkforceError> {
        if self.p_wait <= 0.0 {
            return Ok(1.0);
        }
        if threshold_secs <= 0.0 {
            return Ok(self.p_no_wait);
        }
        let a = self.x + 1.0;
        let z_hi = self.y;
        let z_lo = self.y * (-threshold_secs / self.patience).exp();
        let (ln_p_hi, ln_q_hi) = ln_gamma_pq(a, z_hi)?;
        let (ln_p_lo, ln_q_lo) = ln_gamma_pq(a, z_lo)?;
        // Q(a, z_hi) <= Q(a, z_lo) and P(a, z_lo) <= P(a, z_hi); the `min`
        // only guards against rounding when z_lo ≈ z_hi (mass ≈ 0).
        let ln_mass = if z_lo >= a {
            ln_q_lo + (-(ln_q_hi - ln_q_lo).min(0.0).exp_m1()).ln()
        } else if z_hi <= a {
            ln_p_hi + (-(ln_p_lo - ln_p_hi).min(0.0).exp_m1()).ln()
        } else {
            (1.0 - ln_q_hi.exp() - ln_p_lo.exp()).max(0.0).ln()
        };
        let ln_p0 = self.ln_j - phi(self.x, self.y);
        let mut answered_from_queue = self.p_wait * (self.agents / self.load) * (ln_mass - ln_p0).exp();
        if !answered_from_queue.is_finite() {
            answered_from_queue = 0.0;
        }
        Ok((self.p_no_wait + answered_from_queue)
            .max(0.0)
            .min(1.0 - self.p_abandon))
    }

    /// Mean wait of answered calls, `E[W | answered]`.
    pub(crate) fn asa_secs(&self) -> Result<f64, WorkforceError> {
        if self.p_wait <= 0.0 {
            return Ok(0.0);
        }
        // E[W; answered] = P(wait)·(x/y)·E[H_M]/θ, H_m = Σ_{j≤m} 1/(x+j).
        let mean_h = mean_harmonic(self.x, self.y)?;
        let answered = (1.0 - self.p_abandon).max(f64::MIN_POSITIVE);
        Ok(self.patience * self.p_wait * (self.agents / self.load) * mean_h / answered)
    }

    /// All measures.
    pub(crate) fn metrics(&self, threshold_secs: f64) -> Result<ErlangAMetrics, WorkforceError> {
        Ok(ErlangAMetrics {
            p_wait: self.p_wait,
            p_abandon: self.p_abandon,
            service_level: self.service_level(threshold_secs)?,
            asa_secs: self.asa_secs()?,
            mean_wait_secs: self.mean_wait_secs(),
            occupancy: self.occupancy(),
        })
    }
}

/// All Erlang A (M/M/c+M, Palm's model with exponential patience) measures
/// for `agents` agents, an offered load of `load` Erlangs, average handle
/// time `aht_secs`, mean patience `patience_secs` and service-level
/// threshold `threshold_secs`.
///
/// Abandonment keeps the queue stable, so `agents < load` is allowed.
/// `agents` must be at least 1 unless `load` is 0. `patience_secs` must lie
/// within `[1e-6, 1e6] × aht_secs`.
///
/// ```rust
/// use callroute::workforce::{erlang_a_metrics, erlang_c_metrics};
///
/// let a = erlang_a_metrics(50, 42.5, 180.0, 120.0, 20.0).unwrap();
/// let c = erlang_c_metrics(50, 42.5, 180.0, 20.0).unwrap();
/// // Impatient callers leave, so fewer wait and the wait is shorter.
/// assert!(a.p_abandon > 0.0 && a.p_abandon < a.p_wait);
/// assert!(a.p_wait < c.p_wait && a.asa_secs < c.asa_secs);
/// // Even with fewer agents than Erlangs the system is stable.
/// let over = erlang_a_metrics(30, 42.5, 180.0, 120.0, 20.0).unwrap();
/// assert!(over.p_abandon > 0.2 && over.occupancy <= 1.0);
/// ```
pub fn erlang_a_metrics(
    agents: u32,
    load: f64,
    aht_secs: f64,
    patience_secs: f64,
    threshold_secs: f64,
) -> Result<ErlangAMetrics, WorkforceError> {
    check_agents("agents", agents)?;
    check_load("load", load)?;
    positive("aht_secs", aht_secs)?;
    check_patience("patience_secs", patience_secs, aht_secs)?;
    non_negative("threshold_secs", threshold_secs)?;
    if agents == 0 {
        if load > 0.0 {
            return Err(out_of_range(
                "agents",
                0.0,
                "must be >= 1 when the offered load is positive",
            ));
        }
        return Ok(ErlangAMetrics {
            p_wait: 0.0,
            p_abandon: 0.0,
            service_level: 1.0,
            asa_secs: 0.0,
            mean_wait_secs: 0.0,
            occupancy: 0.0,
        });
    }
    let b = erlang_b_unchecked(agents, load);
    ErlangACore::new(agents, load, b, aht_secs, patience_secs)?.metrics(threshold_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(got: f64, want: f64) -> f64 {
        if want == 0.0 {
            got.abs()
        } else {
            ((got - want) / want).abs()
        }
    }

    // ---------------------------------------------------------------- Erlang B

    #[test]
    fn erlang_b_one_server_one_erlang_is_exactly_half() {
        // B(1, A) = A / (1 + A), so B(1, 1) = 1/2 exactly.
        assert_eq!(erlang_b(1, 1.0).unwrap(), 0.5);
        assert_eq!(erlang_b(0, 3.0).unwrap(), 1.0);
        assert_eq!(erlang_b(5, 0.0).unwrap(), 0.0);
    }

    #[test]
    fn erlang_b_ten_by_ten_textbook_and_exact_rational() {
        // Standard Erlang B table value (e.g. the tables in Cooper,
        // "Introduction to Queueing Theory"): B(10 servers, 10 Erlangs) =
        // 0.21458234.
        let b = erlang_b(10, 10.0).unwrap();
        assert!((b - 0.214_582_34).abs() < 5e-9, "{b}");
        // Exact derivation: B = (A^n/n!) / Σ_{k≤n} A^k/k!; multiply through
        // by n! to get integers: 10^10 / Σ_k 10^k · 10!/k!.
        let mut denominator: u128 = 0;
        for k in 0..=10_u32 {
            let falling: u128 = ((k + 1)..=10).map(u128::from).product();
            denominator += 10_u128.pow(k) * falling;
        }
        let exact = 1e10 / denominator as f64; // both exactly representable
        assert!(rel(b, exact) < 1e-14, "{b} vs {exact}");
    }

    #[test]
    fn erlang_b_trunk_solver_is_minimal() {
        for &(load, target) in &[(10.0, 0.01), (0.5, 0.001), (100.0, 0.02), (2500.0, 0.005)] {
            let n = erlang_b_trunks(load, target).unwrap();
            assert!(erlang_b(n, load).unwrap() <= target);
            assert!(erlang_b(n - 1, load).unwrap() > target);
        }
        assert_eq!(erlang_b_trunks(0.0, 0.01).unwrap(), 0);
        assert_eq!(erlang_b_trunks(1.0, 0.0).unwrap_err().code(), 4001);
        assert_eq!(erlang_b_trunks(1.0, f64::NAN).unwrap_err().code(), 4000);
    }

    /// Independent Erlang B: 1/B = Σ_{k=0}^{n} Π_{j=k+1}^{n} (j/A), summed
    /// from the top term down with Neumaier compensated summation.
    fn erlang_b_oracle(servers: u32, load: f64) -> f64 {
        let mut term = 1.0_f64;
        let mut sum = 1.0_f64;
        let mut comp = 0.0_f64;
        let mut k = servers;
        while k > 0 {
            term *= f64::from(k) / load;
            let t = sum + term;
            if sum.abs() >= term.abs() {
                comp += (sum - t) + term;
            } else {
                comp += (term - t) + sum;
            }
            sum = t;
            k -= 1;
            if term < 1e-22 * sum {
                break;
            }
        }
        1.0 / (sum + comp)
    }

    #[test]
    fn erlang_b_large_load_matches_compensated_top_down_sum() {
        for &(n, load) in &[
            (10_100_u32, 10_000.0),
            (10_000, 10_000.0),
            (9_000, 10_000.0),
            (20_000, 19_500.5),
        ] {
            let b = erlang_b(n, load).unwrap();
            let oracle = erlang_b_oracle(n, load);
            assert!(b.is_finite() && (0.0..=1.0).contains(&b));
            assert!(rel(b, oracle) < 1e-9, "n={n}: {b} vs {oracle}");
        }
    }

    // ---------------------------------------------------------------- Erlang C

    #[test]
    fn erlang_c_r_package_example() {
        // Source: R package `ErlangC` documentation example:
        // 100 calls per 30 minutes, AHT 180 s, 14 agents, 20 s threshold
        // → P(wait) 0.1741319, service level 0.88835, ASA 7.8359 s,
        // occupancy 0.7142857 (printed precision).
        let load = offered_load(100.0, 30.0 * 60.0, 180.0).unwrap();
        assert_eq!(load, 10.0);
        let m = erlang_c_metrics(14, load, 180.0, 20.0).unwrap();
        assert_eq!(format!("{:.7}", m.p_wait), "0.1741319");
        assert_eq!(format!("{:.5}", m.service_level), "0.88835");
        assert_eq!(format!("{:.4}", m.asa_secs), "7.8359");
        assert_eq!(format!("{:.7}", m.occupancy), "0.7142857");
    }

    #[test]
    fn erlang_c_identity_with_erlang_b_and_direct_sum() {
        for &(c, load) in &[(2_u32, 1.0), (14, 10.0), (30, 25.5), (101, 99.9)] {
            let b = erlang_b(c, load).unwrap();
            let cf = f64::from(c);
            let identity = cf * b / (cf - load * (1.0 - b));
            let p = erlang_c(c, load).unwrap();
            assert!(rel(p, identity) < 1e-14, "c={c}");
            // Direct definition: C = (A^c/c! · c/(c−A)) / (Σ_{k<c} A^k/k! + A^c/c! · c/(c−A)).
            let mut term = 1.0_f64;
            let mut sum = 0.0_f64;
            for k in 0..c {
                sum += term;
                term *= load / f64::from(k + 1);
            }
            let tail = term * cf / (cf - load);
            let direct = tail / (sum + tail);
            assert!(rel(p, direct) < 1e-12, "c={c}: {p} vs {direct}");
        }
        // C(1, A) = A for a single server.
        assert!(rel(erlang_c(1, 0.3).unwrap(), 0.3) < 1e-15);
    }

    #[test]
    fn erlang_c_large_center_is_finite_and_matches_oracle() {
        let (n, load) = (10_100_u32, 10_000.0);
        let m = erlang_c_metrics(n, load, 180.0, 20.0).unwrap();
        for v in [m.p_wait, m.service_level, m.occupancy] {
            assert!(v.is_finite() && (0.0..=1.0).contains(&v));
        }
        let b = erlang_b_oracle(n, load);
        let nf = f64::from(n);
        let oracle = nf * b / (nf - load * (1.0 - b));
        assert!(rel(m.p_wait, oracle) < 1e-9, "{} vs {oracle}", m.p_wait);
        let sl = 1.0 - oracle * (-(nf - load) * 20.0 / 180.0).exp();
        assert!(rel(m.service_level, sl) < 1e-9);
        assert!(rel(m.asa_secs, oracle * 180.0 / (nf - load)) < 1e-9);
    }

    #[test]
    fn erlang_c_unstable_and_invalid_inputs() {
        assert_eq!(
            erlang_c_metrics(10, 10.0, 180.0, 20.0).unwrap_err(),
            WorkforceError::Unstable {
                agents: 10,
                load: 10.0
            }
        );
        assert_eq!(erlang_c(0, 1.0).unwrap_err().code(), 4005);
        let err = erlang_c_metrics(14, 10.0, 0.0, 20.0).unwrap_err();
        assert_eq!(err.field(), Some("aht_secs"));
        let err = erlang_c_metrics(14, 10.0, 180.0, -1.0).unwrap_err();
        assert_eq!(err.field(), Some("threshold_secs"));
        let err = erlang_c_metrics(14, f64::INFINITY, 180.0, 1.0).unwrap_err();
        assert_eq!(err.code(), 4000);
        // Zero load: nobody waits.
        let m = erlang_c_metrics(1, 0.0, 180.0, 20.0).unwrap();
        assert_eq!(
            (m.p_wait, m.service_level, m.asa_secs, m.occupancy),
            (0.0, 1.0, 0.0, 0.0)
        );
    }

    // ---------------------------------------------------------------- Erlang A

    /// Brute-force M/M/c+M: the birth–death chain truncated at `c + kmax`
    /// waiting calls, probabilities normalised in log space.
    struct BruteForce {
        /// π_j for j = 0..=c+kmax.
        pi: Vec<f64>,
        c: usize,
    }

    impl BruteForce {
        fn new(c: u32, load: f64, aht: f64, patience: f64, kmax: usize) -> Self {
            let lambda = load / aht;
            let mu = 1.0 / aht;
            let theta = 1.0 / patience;
            let c_us = c as usize;
            let mut ln_pi = Vec::with_capacity(c_us + kmax + 1);
            ln_pi.push(0.0_f64);
            for j in 1..=(c_us + kmax) {
                let death = if j <= c_us {
                    j as f64 * mu
                } else {
                    f64::from(c) * mu + (j - c_us) as f64 * theta
                };
                let prev = ln_pi[j - 1];
                ln_pi.push(prev + (lambda / death).ln());
            }
            let max = ln_pi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = ln_pi.iter().map(|l| (l - max).exp()).sum();
            let pi = ln_pi.iter().map(|l| (l - max).exp() / total).collect();
            Self { pi, c: c_us }
        }

        fn p_wait(&self) -> f64 {
            self.pi[self.c..].iter().sum()
        }

        fn mean_queue(&self) -> f64 {
            self.pi[self.c..]
                .iter()
                .enumerate()
                .map(|(k, p)| k as f64 * p)
                .sum()
        }
    }

    #[test]
    fn erlang_a_matches_birth_death_chain() {
        // Non-integral x = c·patience/AHT on purpose.
        for &(c, load, aht, patience) in &[
            (50_u32, 42.5, 180.0, 120.0),
            (10, 12.0, 300.0, 45.0),
            (3, 0.7, 60.0, 600.0),
            (200, 230.0, 240.0, 90.0),
            (100, 80.0, 180.0, 3_000.0),
        ] {
            let bf = BruteForce::new(c, load, aht, patience, 20_000);
            let m = erlang_a_metrics(c, load, aht, patience, 0.0).unwrap();
            let lambda = load / aht;
            let p_wait = bf.p_wait();
            // Abandonment rate θ·E[Q] over arrival rate λ.
            let p_ab = bf.mean_queue() / patience / lambda;
            let mean_wait = bf.mean_queue() / lambda; // Little's law
            assert!(rel(m.p_wait, p_wait) < 1e-9, "c={c}: {} vs {p_wait}", m.p_wait);
            assert!(rel(m.p_abandon, p_ab) < 1e-9, "c={c}: {} vs {p_ab}", m.p_abandon);
            assert!(rel(m.mean_wait_secs, mean_wait) < 1e-9, "c={c}");
            let occupancy = load * (1.0 - p_ab) / f64::from(c);
            assert!(rel(m.occupancy, occupancy) < 1e-9);
            assert!(rel(m.service_level, 1.0 - p_wait) < 1e-9);
        }
    }

    /// ln(n!) table for exact binomial probabilities.
    fn ln_factorials(up_to: usize) -> Vec<f64> {
        let mut t = vec![0.0_f64; up_to + 1];
        for i in 1..=up_to {
            t[i] = t[i - 1] + (i as f64).ln();
        }
        t
    }

    #[test]
    fn erlang_a_service_level_and_asa_match_per_state_formulas() {
        // With patience = AHT, x = c·μ/θ = c is an integer. A call arriving
        // behind k waiting calls (position m = k+1) is answered with
        // probability c/(c+m) after a sum of Exp(θ(c+j)), j = 1..m, which
        // is the m-th order statistic of c+m i.i.d. Exp(θ):
        //   P(answered within t | m) = c/(c+m) · P(Bin(c+m, 1−e^{−θt}) ≥ m),
        //   E[W·1{answered} | m]    = c/(c+m) · Σ_{j=1}^{m} 1/(θ(c+j)).
        for &(c, load, t) in &[(20_u32, 18.0, 20.0), (20, 25.0, 60.0), (60, 57.0, 5.0)] {
            let (aht, patience) = (180.0, 180.0);
            let kmax = 3_000;
            let bf = BruteForce::new(c, load, aht, patience, kmax);
            let theta = 1.0 / patience;
            let p = 1.0 - (-theta * t).exp();
            let lf = ln_factorials(c as usize + kmax + 2);
            let cf = f64::from(c);
            let mut answered_in_time = 1.0 - bf.p_wait();
            let mut answered_wait = 0.0;
            let mut harmonic = 0.0;
            for k in 0..=kmax {
                let pi = bf.pi[c as usize + k];
                let m = k + 1;
                harmonic += 1.0 / (cf + m as f64);
                let served = cf / (cf + m as f64);
                let big_n = c as usize + m;
                let mut tail = 0.0;
                for i in m..=big_n {
                    let ln_pmf = lf[big_n] - lf[i] - lf[big_n - i]
                        + i as f64 * p.ln()
                        + (big_n - i) as f64 * (-theta * t).exp().ln();
                    tail += ln_pmf.exp();
                }
                answered_in_time += pi * served * tail;
                answered_wait += pi * served * harmonic / theta;
            }
            let m = erlang_a_metrics(c, load, aht, patience, t).unwrap();
            let asa = answered_wait / (1.0 - m.p_abandon);
            assert!(
                rel(m.service_level, answered_in_time) < 1e-9,
                "c={c} load={load}: {} vs {answered_in_time}",
                m.service_level
            );
            assert!(rel(m.asa_secs, asa) < 1e-9, "c={c}: {} vs {asa}", m.asa_secs);
        }
    }

    #[test]
    fn erlang_a_matches_pyworkforce_uniformization() {
        // Reference values computed with Python pyworkforce 0.5.4,
        // `ErlangA(transactions=425, aht=3, interval=30, patience=2)` (minutes;
        // = 42.5 Erlangs, AHT 180 s, mean patience 120 s). pyworkforce sums the
        // truncated birth–death chain and gets the service level (answered
        // within 20 s, abandoned calls count as not answered) by
        // uniformization of the tagged-customer chain: an independent method,
        // and a non-integral x = c·patience/AHT.
        let cases = [
            // (c, P(wait), P(abandon), SL(20 s), mean wait of all calls [s], occupancy)
            (
                40_u32,
                0.610_242_890_458_940_5,
                0.100_804_332_303_057_31,
                0.676_360_865_637_969_2,
                12.096_519_876_366_877,
                0.955_395_396_928_001_6,
            ),
            (
                43,
                0.444_457_336_706_921_95,
                0.061_466_489_128_202_14,
                0.807_743_688_428_357_1,
                7.375_978_695_384_257,
                0.927_620_330_512_823_4,
            ),
            (
                50,
                0.131_746_601_417_515_37,
                0.012_612_056_758_998_109,
                0.965_976_394_010_782_6,
                1.513_446_811_079_773_2,
                0.839_279_751_754_851_7,
            ),
        ];
        for (c, p_wait, p_ab, sl, mean_wait, occupancy) in cases {
            let m = erlang_a_metrics(c, 42.5, 180.0, 120.0, 20.0).unwrap();
            assert!(rel(m.p_wait, p_wait) < 1e-9, "c={c}: {m:?}");
            assert!(rel(m.p_abandon, p_ab) < 1e-9, "c={c}: {m:?}");
            assert!(rel(m.service_level, sl) < 1e-9, "c={c}: {m:?}");
            assert!(rel(m.mean_wait_secs, mean_wait) < 1e-9, "c={c}: {m:?}");
            assert!(rel(m.occupancy, occupancy) < 1e-9, "c={c}: {m:?}");
        }
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_as_patience_grows() {
        let (c, load, aht, t) = (50_u32, 42.5, 180.0, 20.0);
        let ec = erlang_c_metrics(c, load, aht, t).unwrap();
        let mut previous_gap = f64::INFINITY;
        for &patience in &[1e4, 1e6, 1.8e8] {
            let ea = erlang_a_metrics(c, load, aht, patience, t).unwrap();
            let gap = rel(ea.p_wait, ec.p_wait);
            assert!(gap < previous_gap, "gap must shrink: {gap} >= {previous_gap}");
            previous_gap = gap;
        }
        let ea = erlang_a_metrics(c, load, aht, 1.8e8, t).unwrap();
        assert!(rel(ea.p_wait, ec.p_wait) < 1e-5);
        assert!(rel(ea.service_level, ec.service_level) < 1e-5);
        assert!(rel(ea.asa_secs, ec.asa_secs) < 1e-5);
        assert!(rel(ea.occupancy, ec.occupancy) < 1e-5);
        assert!(ea.p_abandon < 1e-5);
    }

    #[test]
    fn erlang_a_large_center_is_finite() {
        for &(c, load) in &[(10_100_u32, 10_000.0), (9_000, 10_000.0), (10_000, 10_000.0)] {
            let m = erlang_a_metrics(c, load, 180.0, 120.0, 20.0).unwrap();
            for v in [m.p_wait, m.p_abandon, m.service_level, m.occupancy] {
                assert!(v.is_finite() && (0.0..=1.0).contains(&v), "{m:?}");
            }
            assert!(m.asa_secs.is_finite() && m.asa_secs >= 0.0);
            let bf = BruteForce::new(c, load, 180.0, 120.0, 30_000);
            assert!(rel(m.p_wait, bf.p_wait()) < 1e-9, "c={c}: {m:?}");
            let p_ab = bf.mean_queue() * 180.0 / 120.0 / load;
            assert!(rel(m.p_abandon, p_ab) < 1e-9, "c={c}");
            // The service level rises with the threshold from 1 − P(wait)
            // to 1 − P(ab).
            let mut previous = 0.0;
            for t in [0.0, 1.0, 5.0, 20.0, 60.0, 300.0, 1e4] {
                let sl = erlang_a_metrics(c, load, 180.0, 120.0, t).unwrap().service_level;
                assert!(sl >= previous, "c={c} t={t}: {sl} < {previous}");
                previous = sl;
            }
            assert!(
                rel(previous, 1.0 - p_ab) < 1e-9,
                "c={c}: {previous} vs {}",
                1.0 - p_ab
            );
        }
    }

    #[test]
    fn erlang_a_input_errors() {
        let err = erlang_a_metrics(0, 1.0, 180.0, 60.0, 20.0).unwrap_err();
        assert_eq!(err.field(), Some("agents"));
        let err = erlang_a_metrics(5, 1.0, 180.0, 0.0, 20.0).unwrap_err();
        assert_eq!(err.field(), Some("patience_secs"));
        let err = erlang_a_metrics(5, 1.0, 180.0, f64::NAN, 20.0).unwrap_err();
        assert_eq!(err.code(), 4000);
        let err = erlang_a_metrics(5, 1.0, 1.0, 1e7, 20.0).unwrap_err();
        assert_eq!(err.field(), Some("patience_secs"));
        let m = erlang_a_metrics(0, 0.0, 180.0, 60.0, 20.0).unwrap();
        assert_eq!(m.service_level, 1.0);
    }
}

//! Special functions behind the Erlang A formulas (crate-private).
//!
//! Everything here works in log space or with positive-term series, so it
//! stays accurate for loads and agent counts in the millions:
//!
//! * [`phi`]: `φ(a, z) = ln Γ(a+1) + z − a·ln z`, computed with Loader's
//!   saddle-point split (`bd0` + Stirling error) so that no large terms cancel.
//! * [`queue_series`]: `ln J(a, z)` and the mean of the queue-length
//!   distribution, where `J(a, z) = Σ_{k≥0} z^k / ((a+1)(a+2)…(a+k))`
//!   (the `A(x, y)` function of Garnett, Mandelbaum & Reiman 2002). A direct
//!   series is used for `z < a + 1` and the Legendre continued fraction of
//!   the upper incomplete gamma function otherwise.
//! * [`mean_harmonic`]: `E[H_M]` with `H_m = Σ_{j=1}^m 1/(a+j)` under the same
//!   distribution, summed outward from its mode (needed for the mean wait of
//!   answered calls).

use std::f64::consts::TAU;

use super::WorkforceError;

/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Hard cap on series / continued-fraction iterations. Inputs allowed by the
/// public API need at most a few million; the cap only guards against hangs.
const MAX_ITERATIONS: u32 = 50_000_000;

/// Relative tolerance for dropping the tail of a series.
const TAIL_TOL: f64 = 1e-17;

/// Tail bounds are only evaluated once a term is this small relative to the
/// sum (a bound below `TAIL_TOL` is impossible before unless the ratio of
/// successive terms is below 1e-3, which costs at most a few extra terms).
const PRECHECK_TOL: f64 = 1e-14;

/// Stirling series remainder: `ln Γ(w) − [(w − ½) ln w − w + ln √(2π)]`,
/// accurate to about 1e-17 for `w ≥ 15`.
fn stirling_tail(w: f64) -> f64 {
    let inv = 1.0 / w;
    let inv2 = inv * inv;
    inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0))))
}

/// `ln Γ(w)` for `w > 0` (shifted up to `w ≥ 15` and then Stirling).
fn ln_gamma(w: f64) -> f64 {
    let mut shifted = w;
    let mut product = 1.0;
    while shifted < 15.0 {
        product *= shifted;
        shifted += 1.0;
    }
    (shifted - 0.5) * shifted.ln() - shifted + LN_SQRT_2PI + stirling_tail(shifted) - product.ln()
}

/// Loader's deviance term `bd0(x, m) = x·ln(x/m) + m − x ≥ 0`, computed
/// without cancellation when `x ≈ m`.
fn bd0(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let v = (x - m) / (x + m);
        let mut sum = (x - m) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        let mut j = 1.0;
        // |v| < 0.1, so this converges in well under 20 terms.
        for _ in 0..64 {
            ej *= v2;
            let next = sum + ej / (2.0 * j + 1.0);
            if next == sum {
                return next;
            }
            sum = next;
            j += 1.0;
        }
        sum
    } else {
        x * (x / m).ln() + m - x
    }
}

/// `φ(a, z) = ln Γ(a+1) + z − a·ln z` for `a > 0`, `z > 0`.
///
/// `e^{−φ(a,z)} = z^a e^{−z} / Γ(a+1)` is the (generalised) Poisson
/// probability; `φ ≥ 0`.
pub(crate) fn phi(a: f64, z: f64) -> f64 {
    if a >= 15.0 {
        // ln Γ(a+1) = a ln a − a + ½ ln(2πa) + δ(a), δ = Stirling error.
        bd0(a, z) + 0.5 * (TAU * a).ln() + stirling_tail(a)
    } else {
        ln_gamma(a + 1.0) + z - a * z.ln()
    }
}

/// Legendre continued fraction `h(a, z)` with `Γ(a, z) = e^{−z} z^a · h`,
/// for `z >= a + 1` (modified Lentz algorithm).
fn upper_gamma_cf(a: f64, z: f64) -> Result<f64, WorkforceError> {
    const TINY: f64 = 1e-300;
    let mut b = z + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    let mut i = 0.0;
    for _ in 0..MAX_ITERATIONS {
        i += 1.0;
        let an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() <= 1e-16 {
            return Ok(h);
        }
    }
    Err(WorkforceError::NoConvergence {
        function: "incomplete gamma continued fraction",
    })
}

/// `ln Q(a, z)` (regularised upper incomplete gamma) for `z >= a + 1`:
/// `Q = a · h(a, z) · e^{−φ(a, z)}`.
fn ln_upper_q(a: f64, z: f64) -> Result<f64, WorkforceError> {
    let h = upper_gamma_cf(a, z)?;
    Ok(((a * h).ln() - phi(a, z)).min(0.0))
}

/// Sums `J(a, z) = Σ_{k≥0} t_k` and `Σ_k k·t_k` for `z < a + 1`, where the
/// terms `t_k = z^k / ((a+1)…(a+k))` decrease from the start.
fn lower_series(a: f64, z: f64) -> Result<(f64, f64), WorkforceError> {
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut sum_k = 0.0;
    let mut k = 0.0;
    for _ in 0..MAX_ITERATIONS {
        k += 1.0;
        term *= z / (a + k);
        sum += term;
        sum_k += k * term;
        if term > PRECHECK_TOL * sum {
            continue;
        }
        // Every later ratio is at most r, so the tails are bounded by
        // geometric series.
        let r = z / (a + k + 1.0);
        let q = r / (1.0 - r);
        let tail = term * q;
        let tail_k = term * (k * q + q / (1.0 - r));
        if tail <= TAIL_TOL * sum && tail_k <= TAIL_TOL * sum_k {
            return Ok((sum, sum_k));
        }
    }
    Err(WorkforceError::NoConvergence {
        function: "queue-length series",
    })
}

/// `(ln P(a, z), ln Q(a, z))`: logarithms of the regularised lower and
/// upper incomplete gamma functions, `a > 0`, `z >= 0`. The smaller of the
/// two is computed directly (series or continued fraction), the other as
/// its complement, so both keep their relative accuracy even when
/// astronomically small.
pub(crate) fn ln_gamma_pq(a: f64, z: f64) -> Result<(f64, f64), WorkforceError> {
    if z <= 0.0 {
        return Ok((f64::NEG_INFINITY, 0.0));
    }
    if z < a + 1.0 {
        let (sum, _) = lower_series(a, z)?;
        // P(a, z) = e^{−φ(a, z)} · J(a, z).
        let ln_p = (sum.ln() - phi(a, z)).min(0.0);
        Ok((ln_p, (-ln_p.exp()).ln_1p()))
    } else {
        let ln_q = ln_upper_q(a, z)?;
        Ok(((-ln_q.exp()).ln_1p(), ln_q))
    }
}

/// `ln J(a, z)` and the mean `E[M]` of the distribution `P(M = m) ∝ t_m`,
/// `t_m = z^m / ((a+1)…(a+m))`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueueSeries {
    /// `ln J(a, z) ≥ 0`.
    pub ln_j: f64,
    /// `E[M] = Σ m t_m / J`.
    pub mean: f64,
}

/// Evaluates [`QueueSeries`] for `a > 0`, `z ≥ 0`. `z_minus_a` must be
/// `z − a` computed as accurately as the caller can (it is used directly
/// when `z >= a + 1`, where `E[M] = (z − a) + a/J` has no cancellation).
pub(crate) fn queue_series(a: f64, z: f64, z_minus_a: f64) -> Result<QueueSeries, WorkforceError> {
    if z <= 0.0 {
        return Ok(QueueSeries { ln_j: 0.0, mean: 0.0 });
    }
    if z < a + 1.0 {
        // Positive terms only: no cancellation in J or in E[M].
        let (sum, sum_k) = lower_series(a, z)?;
        Ok(QueueSeries {
            ln_j: sum.ln(),
            mean: sum_k / sum,
        })
    } else {
        // J = e^{φ(a,z)} · P(a, z) with P = 1 − Q.
        let q = ln_upper_q(a, z)?.exp();
        let ln_j = phi(a, z) + (-q).ln_1p();
        let inv_j = (-ln_j).exp();
        Ok(QueueSeries {
            ln_j,
            mean: z_minus_a + a * inv_j,
        })
    }
}

/// `ψ(z) − ln z + 1/(2z)` with the sign flipped: the asymptotic tail
/// `1/(12z²) − 1/(120z⁴) + 1/(252z⁶) − 1/(240z⁸) + 1/(132z¹⁰)`, `z ≥ 16`.
fn digamma_tail(z: f64) -> f64 {
    let inv2 = 1.0 / (z * z);
    inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
}

/// `H(a, m) = Σ_{j=1}^{m} 1/(a+j)` for integral `m ≥ 0`.
fn harmonic(a: f64, m: f64) -> f64 {
    if m <= 64.0 {
        let mut sum = 0.0;
        let mut j = 1.0;
        while j <= m {
            sum += 1.0 / (a + j);
            j += 1.0;
        }
        return sum;
    }
    // Sum the first few terms until the digamma asymptotics are accurate,
    // then use ψ(a+m+1) − ψ(a+j+1) with a cancellation-free logarithm.
    let mut sum = 0.0;
    let mut j = 0.0;
    while a + j + 1.0 < 16.0 {
        j += 1.0;
        sum += 1.0 / (a + j);
    }
    let z0 = a + j + 1.0;
    let d = m - j;
    let z1 = z0 + d;
    sum + (d / z0).ln_1p() + 0.5 * d / (z0 * z1) - (digamma_tail(z1) - digamma_tail(z0))
}

/// `E[H_M]` under `P(M = m) ∝ t_m` (see [`QueueSeries`]), summed outward
/// from the mode so that only the `O(√max(a, z))` significant terms are
/// visited.
pub(crate) fn mean_harmonic(a: f64, z: f64) -> Result<f64, WorkforceError> {
    if z <= 0.0 {
        return Ok(0.0);
    }
    let mode = if z - a >= 1.0 { (z - a).floor() } else { 0.0 };
    let h_mode = harmonic(a, mode);
    let mut w_sum = 1.0;
    let mut wh_sum = h_mode;

    // Upward from the mode: ratios z/(a+m) ≤ 1 and decreasing.
    let (mut w, mut h, mut m) = (1.0_f64, h_mode, mode);
    let mut done = false;
    for _ in 0..MAX_ITERATIONS {
        m += 1.0;
        w *= z / (a + m);
        h += 1.0 / (a + m);
        w_sum += w;
        wh_sum += w * h;
        if w > PRECHECK_TOL * w_sum {
            continue;
        }
        let r = z / (a + m + 1.0);
        if r < 1.0 {
            let q = r / (1.0 - r);
            let tail = w * q;
            let tail_h = w * (h * q + q / ((1.0 - r) * (a + m + 1.0)));
            if tail <= TAIL_TOL * w_sum && tail_h <= TAIL_TOL * wh_sum {
                done = true;
                break;
            }
        }
    }
    if !done {
        return Err(WorkforceError::NoConvergence {
            function: "queue-length harmonic mean",
        });
    }

    // Downward from the mode: ratios (a+m)/z ≤ 1 and decreasing; H shrinks.
    let (mut w, mut h, mut m) = (1.0_f64, h_mode, mode);
    let mut done = m <= 0.0;
    for _ in 0..MAX_ITERATIONS {
        if m <= 0.0 {
            done = true;
            break;
        }
        w *= (a + m) / z;
        h = (h - 1.0 / (a + m)).max(0.0);
        m -= 1.0;
        w_sum += w;
        wh_sum += w * h;
        if w > PRECHECK_TOL * w_sum {
            continue;
        }
        let r = (a + m) / z;
        if r < 1.0 {
            let tail = w * r / (1.0 - r);
            if tail <= TAIL_TOL * w_sum && h * tail <= TAIL_TOL * wh_sum {
                done = true;
                break;
            }
        }
    }
    if !done {
        return Err(WorkforceError::NoConvergence {
            function: "queue-length harmonic mean",
        });
    }
    Ok(wh_sum / w_sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        // ln(n!) by direct summation of logs (exact enough for n ≤ 30).
        let mut ln_fact = 0.0_f64;
        for n in 1..=30_u32 {
            ln_fact += f64::from(n).ln();
            let got = ln_gamma(f64::from(n) + 1.0);
            assert!((got - ln_fact).abs() < 1e-13, "n={n}: {got} vs {ln_fact}");
        }
        // Γ(1/2) = √π.
        let half = ln_gamma(0.5);
        assert!((half - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    }

    #[test]
    fn phi_is_minus_log_poisson_pmf() {
        // e^{-φ(n, z)} = z^n e^{-z} / n!, checked by a direct product.
        for &(n, z) in &[(3_u32, 2.5_f64), (20, 20.0), (40, 10.0), (15, 60.0)] {
            let mut pmf = (-z).exp();
            for k in 1..=n {
                pmf *= z / f64::from(k);
            }
            let got = (-phi(f64::from(n), z)).exp();
            assert!(rel(got, pmf) < 1e-12, "n={n} z={z}: {got} vs {pmf}");
        }
    }

    #[test]
    fn bd0_agrees_with_direct_formula_away_from_the_diagonal() {
        let (x, m) = (30.0_f64, 20.0_f64);
        assert!(rel(bd0(x, m), x * (x / m).ln() + m - x) < 1e-14);
        // Near the diagonal the series keeps full relative accuracy:
        // bd0(x, x(1+e)) ≈ x e²/2.
        let x = 1e6_f64;
        let e = 1e-6;
        assert!(rel(bd0(x, x * (1.0 + e)), x * e * e / 2.0) < 1e-5);
    }

    #[test]
    fn series_and_continued_fraction_agree_at_the_switch() {
        // Both branches evaluated just either side of z = a + 1 must give a
        // continuous ln J.
        for &a in &[0.3_f64, 5.0, 50.0, 5000.0] {
            let z = a + 1.0;
            let below = queue_series(a, z * (1.0 - 1e-12), 1.0).unwrap();
            let above = queue_series(a, z * (1.0 + 1e-12), 1.0).unwrap();
            let (p_below, _) = ln_gamma_pq(a, z * (1.0 - 1e-12)).unwrap();
            let (p_above, _) = ln_gamma_pq(a, z * (1.0 + 1e-12)).unwrap();
            assert!((p_below - p_above).abs() < 1e-9, "a={a}");
            assert!(
                (below.ln_j - above.ln_j).abs() < 1e-9,
                "a={a}: {below:?} {above:?}"
            );
            assert!(rel(below.mean, above.mean) < 1e-8, "a={a}");
        }
    }

    #[test]
    fn incomplete_gamma_matches_poisson_sums() {
        // For integral n: Q(n, z) = P(Poisson(z) <= n − 1), P = 1 − Q.
        for &(n, z) in &[
            (1_u32, 0.5_f64),
            (5, 2.0),
            (10, 10.0),
            (30, 45.0),
            (40, 12.0),
            (200, 260.0),
        ] {
            // Both sides summed directly (no 1 − x cancellation).
            let mut pmf = (-z).exp();
            let mut cdf = 0.0;
            let mut tail = 0.0;
            for k in 0..(n + 2_000) {
                if k > 0 {
                    pmf *= z / f64::from(k);
                }
                if k < n {
                    cdf += pmf;
                } else {
                    tail += pmf;
                }
            }
            let (ln_p, ln_q) = ln_gamma_pq(f64::from(n), z).unwrap();
            assert!(
                rel(ln_q.exp(), cdf) < 1e-12,
                "n={n} z={z}: {} vs {cdf}",
                ln_q.exp()
            );
            assert!(
                rel(ln_p.exp(), tail) < 1e-12,
                "n={n} z={z}: {} vs {tail}",
                ln_p.exp()
            );
        }
        // Far tails keep relative accuracy in log space: Q(10, 2000) =
        // e^{−2000} Σ_{k<10} 2000^k/k!, dominated by the k = 9 term.
        let (_, ln_q) = ln_gamma_pq(10.0, 2000.0).unwrap();
        let mut ln_terms = Vec::new();
        let mut ln_fact = 0.0;
        for k in 0..10_u32 {
            if k > 0 {
                ln_fact += f64::from(k).ln();
            }
            ln_terms.push(f64::from(k) * 2000_f64.ln() - ln_fact);
        }
        let max = ln_terms[9];
        let want = -2000.0 + max + ln_terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln();
        assert!(rel(ln_q, want) < 1e-13, "{ln_q} vs {want}");
        assert_eq!(ln_gamma_pq(3.0, 0.0).unwrap(), (f64::NEG_INFINITY, 0.0));
    }

    #[test]
    fn harmonic_digamma_branch_matches_direct_sum() {
        for &a in &[0.01_f64, 3.0, 20.0, 1e5] {
            let m = 500.0;
            let mut direct = 0.0;
            let mut j = 1.0;
            while j <= m {
                direct += 1.0 / (a + j);
                j += 1.0;
            }
            assert!(rel(harmonic(a, m), direct) < 1e-13, "a={a}");
        }
    }

    #[test]
    fn mean_harmonic_small_case_by_hand() {
        // a = 1, z = 1: t_m = 1/(m+1)!, H_m = Σ_{j=1}^m 1/(1+j).
        let mut w_sum = 0.0;
        let mut wh_sum = 0.0;
        let mut t = 1.0;
        let mut h = 0.0;
        for m in 0..40_u32 {
            if m > 0 {
                t /= f64::from(m) + 1.0;
                h += 1.0 / (f64::from(m) + 1.0);
            }
            w_sum += t;
            wh_sum += t * h;
        }
        assert!(rel(mean_harmonic(1.0, 1.0).unwrap(), wh_sum / w_sum) < 1e-14);
    }
}

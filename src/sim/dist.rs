//! Distributions for simulated callers and agents: patience, talk and wrap-up times,
//! arrivals.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// A distribution of durations in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Duration {
    /// Always the same.
    Fixed {
        /// Seconds.
        secs: f64,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean seconds.
        mean_secs: f64,
    },
    /// Log-normal with this mean and standard deviation (of the duration itself).
    Lognormal {
        /// Mean seconds.
        mean_secs: f64,
        /// Standard deviation, seconds.
        sd_secs: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// Lower bound, seconds.
        min_secs: f64,
        /// Upper bound, seconds.
        max_secs: f64,
    },
    /// Drawn from observed samples (each equally likely).
    Empirical {
        /// Observed durations, seconds.
        samples: Vec<f64>,
    },
}

impl Duration {
    /// Checks the parameters; the error names the problem.
    pub fn check(&self) -> Result<(), String> {
        let pos = |x: f64, what: &str| {
            if x.is_finite() && x > 0.0 {
                Ok(())
            } else {
                Err(format!("{what} must be a positive number"))
            }
        };
        match self {
            Duration::Fixed { secs } => {
                if secs.is_finite() && *secs >= 0.0 {
                    Ok(())
                } else {
                    Err("secs must be zero or more".into())
                }
            }
            Duration::Exponential { mean_secs } => pos(*mean_secs, "mean_secs"),
            Duration::Lognormal { mean_secs, sd_secs } => {
                pos(*mean_secs, "mean_secs")?;
                pos(*sd_secs, "sd_secs")
            }
            Duration::Uniform { min_secs, max_secs } => {
                if min_secs.is_finite() && max_secs.is_finite() && 0.0 <= *min_secs && min_secs <= max_secs {
                    Ok(())
                } else {
                    Err("need 0 <= min_secs <= max_secs".into())
                }
            }
            Duration::Empirical { samples } => {
                if samples.is_empty() {
                    return Err("samples is empty".into());
                }
                match samples.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
                    Some(s) => Err(format!("sample {s} is not a duration")),
                    None => Ok(()),
                }
            }
        }
    }

    /// The mean, seconds.
    pub fn mean(&self) -> f64 {
        match self {
            Duration::Fixed { secs } => *secs,
            Duration::Exponential { mean_secs } | Duration::Lognormal { mean_secs, .. } => *mean_secs,
            Duration::Uniform { min_secs, max_secs } => (min_secs + max_secs) / 2.0,
            Duration::Empirical { samples } => samples.iter().sum::<f64>() / samples.len().max(1) as f64,
        }
    }

    /// Draws a duration in milliseconds.
    pub fn sample_ms(&self, rng: &mut Rng) -> u64 {
        let secs = match self {
            Duration::Fixed { secs } => *secs,
            Duration::Exponential { mean_secs } => exponential(rng, *mean_secs),
            Duration::Lognormal { mean_secs, sd_secs } => {
                // Parameters of the underlying normal from the mean and sd.
                let s2 = (1.0 + (sd_secs / mean_secs).powi(2)).ln();
                let mu = mean_secs.ln() - s2 / 2.0;
                (mu + s2.sqrt() * normal(rng)).exp()
            }
            Duration::Uniform { min_secs, max_secs } => min_secs + (max_secs - min_secs) * rng.unit(),
            Duration::Empirical { samples } => samples
                .get(rng.below(samples.len() as u64) as usize)
                .copied()
                .unwrap_or(0.0),
        };
        round_ms(secs.max(0.0) * 1000.0)
    }
}

/// `ms.round() as u64` for `ms` zero or more (not NaN), without a call into the math
/// library: the fraction left by truncation is exact below 2^53, and zero above.
fn round_ms(ms: f64) -> u64 {
    let whole = ms as u64;
    if ms - whole as f64 >= 0.5 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

/// Exponential variate with this mean.
pub fn exponential(rng: &mut Rng, mean: f64) -> f64 {
    rng.exp1() * mean
}

/// Standard normal variate.
pub fn normal(rng: &mut Rng) -> f64 {
    rng.normal()
}

/// Two-sided 95% Student t quantile for `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Duration, n: usize) -> f64 {
        let mut rng = Rng::seeded(3);
        (0..n).map(|_| d.sample_ms(&mut rng) as f64 / 1000.0).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_distribution() {
        for d in [
            Duration::Exponential { mean_secs: 120.0 },
            Duration::Lognormal {
                mean_secs: 180.0,
                sd_secs: 90.0,
            },
            Duration::Uniform {
                min_secs: 10.0,
                max_secs: 30.0,
            },
            Duration::Empirical {
                samples: vec![10.0, 20.0, 60.0],
            },
        ] {
            let m = mean_of(&d, 200_000);
            assert!((m / d.mean() - 1.0).abs() < 0.01, "{d:?}: {m}");
        }
        assert_eq!(mean_of(&Duration::Fixed { secs: 2.5 }, 10), 2.5);
    }

    #[test]
    fn exponential_tails_match_the_survival_function() {
        let mut rng = Rng::seeded(11);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| exponential(&mut rng, 120.0)).collect();
        assert!(draws.iter().all(|x| *x >= 0.0 && x.is_finite()));
        for k in [0.1_f64, 1.0, 3.0, 7.0] {
            let share = draws.iter().filter(|x| **x > k * 120.0).count() as f64 / f64::from(n);
            // P(X > k * mean) = e^-k; four standard errors of the share.
            let p = (-k).exp();
            let tolerance = 4.0 * (p * (1.0 - p) / f64::from(n)).sqrt();
            assert!((share - p).abs() < tolerance, "k {k}: {share} vs {p}");
        }
        let mut again = Rng::seeded(11);
        assert_eq!(exponential(&mut again, 120.0), draws[0]);
    }

    #[test]
    fn milliseconds_round_half_away_from_zero() {
        for ms in [
            0.0,
            0.25,
            0.5,
            0.49999999999999994,
            1.5,
            2.5,
            1234.4999,
            1234.5,
            4_503_599_627_370_495.5,
            9_007_199_254_740_993.0,
            1e19,
            1e30,
            f64::MAX,
            f64::INFINITY,
        ] {
            assert_eq!(round_ms(ms), ms.round() as u64, "{ms}");
        }
        let mut rng = Rng::seeded(5);
        for _ in 0..100_000 {
            let ms = exponential(&mut rng, 1.0) * 1000.0;
            assert_eq!(round_ms(ms), ms.round() as u64, "{ms}");
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        assert_eq!(
            Duration::Exponential { mean_secs: 0.0 }.check(),
            Err("mean_secs must be a positive number".into())
        );
        assert!(Duration::Empirical { samples: vec![] }.check().is_err());
        assert!(
            Duration::Uniform {
                min_secs: 5.0,
                max_secs: 1.0
            }
            .check()
            .is_err()
        );
        assert_eq!(t95(4), 2.776);
    }
}

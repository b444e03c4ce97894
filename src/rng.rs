//! The engine's only source of randomness: a seeded PCG generator whose state is part
//! of every snapshot, so runs and replays are deterministic.

use rand_core::{Rng as _, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// Seeded random number generator handed to routing strategies.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rng(Pcg64Mcg);

impl Rng {
    /// A generator seeded from `seed`; the same seed always gives the same sequence.
    pub fn seeded(seed: u64) -> Self {
        Self(Pcg64Mcg::seed_from_u64(seed))
    }

    /// A uniform integer in `0..n` (`0` when `n` is zero).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift: unbiased enough for routing choices (bias < n / 2^64).
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An exponential variate with mean 1 (ziggurat method: most draws need one
    /// random word and a table lookup, no logarithm).
    pub fn exp1(&mut self) -> f64 {
        rand_distr::Distribution::sample(&rand_distr::Exp1, &mut self.0)
    }

    /// A standard normal variate (ziggurat method).
    pub fn normal(&mut self) -> f64 {
        rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::seeded(7);
        let mut b = Rng::seeded(7);
        let xs: Vec<u64> = (0..16).map(|_| a.below(1000)).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.below(1000)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| *x < 1000));
        assert_eq!(Rng::seeded(1).below(0), 0);
    }
}

//! Tones for the phones and tone detection, shared by the integration tests.

#![allow(dead_code)]

use std::path::Path;

/// Writes `secs` of a sine tone at `hz` (8 kHz mono 16-bit).
pub fn write_tone(path: &Path, hz: f64, secs: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(8000.0 * secs) as usize {
        w.write_sample(((i as f64 * hz * std::f64::consts::TAU / 8000.0).sin() * 6000.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

/// The share of `hz` in the signal's energy, 0 to 1 (Goertzel).
pub fn tone_share(samples: &[i16], hz: f64) -> f64 {
    let coeff = 2.0 * (std::f64::consts::TAU * hz / 8000.0).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let energy: f64 = samples.iter().map(|&x| f64::from(x).powi(2)).sum();
    2.0 * power / (energy * samples.len() as f64).max(1.0)
}

//! Adapter counters for metrics, and recordings of calls to WAV.

use super::Side;
use crate::media::FRAME_SAMPLES;
use std::collections::VecDeque;
use std::path::Path;

/// Counters of the adapter itself (the engine keeps the call-center statistics).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Metrics {
    /// Calls answered.
    pub calls: u64,
    /// Requests refused with 403.
    pub forbidden: u64,
    /// Datagrams dropped as malformed.
    pub malformed: u64,
    /// RTP packets received.
    pub rtp_in: u64,
    /// Digits received as RFC 4733 events.
    pub dtmf_rtp: u64,
    /// Digits received as SIP INFO.
    pub dtmf_info: u64,
    /// Callers who hung up while waiting.
    pub abandoned: u64,
}

/// Records a call to a mono WAV: both sides mixed frame by frame on the media tick.
pub struct Recorder {
    writer: hound::WavWriter<std::io::BufWriter<std::fs::File>>,
    caller: VecDeque<i16>,
    agent: VecDeque<i16>,
    both: bool,
}

impl Recorder {
    /// Starts a recording; `both` mixes in the agent's side.
    pub fn create(path: &Path, both: bool) -> Result<Recorder, hound::Error> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        Ok(Recorder {
            writer: hound::WavWriter::create(path, spec)?,
            caller: VecDeque::new(),
            agent: VecDeque::new(),
            both,
        })
    }

    /// Audio heard from one side.
    pub fn push(&mut self, side: Side, samples: &[i16]) {
        match side {
            Side::Caller => self.caller.extend(samples),
            Side::Agent if self.both => self.agent.extend(samples),
            Side::Agent => {}
        }
    }

    /// Writes one frame: what both sides sent during the last 20 ms, mixed.
    pub fn tick(&mut self) {
        for _ in 0..FRAME_SAMPLES {
            let a = i32::from(self.caller.pop_front().unwrap_or(0));
            let b = i32::from(self.agent.pop_front().unwrap_or(0));
            let _ = self.writer.write_sample((a + b).clamp(-32768, 32767) as i16);
        }
    }
}

//! RTP packets (`rtp-types`), G.711 (`audio-codec-algorithms`) and RFC 4733 digits.

use audio_codec_algorithms::{decode_alaw, decode_ulaw, encode_alaw, encode_ulaw};

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;
/// Frame length in milliseconds.
pub const FRAME_MS: u64 = 20;

/// A G.711 codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    /// µ-law, payload type 0.
    Pcmu,
    /// A-law, payload type 8.
    Pcma,
}

impl Codec {
    /// Static payload type.
    pub fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// The codec of a static payload type.
    pub fn from_payload_type(pt: u8) -> Option<Codec> {
        match pt {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            _ => None,
        }
    }

    /// SDP encoding name.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// Encodes linear samples.
    pub fn encode(self, samples: &[i16]) -> Vec<u8> {
        match self {
            Codec::Pcmu => samples.iter().map(|&s| encode_ulaw(s)).collect(),
            Codec::Pcma => samples.iter().map(|&s| encode_alaw(s)).collect(),
        }
    }

    /// Decodes to linear samples.
    pub fn decode(self, payload: &[u8]) -> Vec<i16> {
        match self {
            Codec::Pcmu => payload.iter().map(|&b| decode_ulaw(b)).collect(),
            Codec::Pcma => payload.iter().map(|&b| decode_alaw(b)).collect(),
        }
    }
}

/// One outgoing RTP stream: sequence numbers and timestamps advance per frame.
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    first: bool,
    /// Codec of the stream.
    pub codec: Codec,
}

impl RtpSender {
    /// A stream with random-looking initial values derived from `seed`.
    pub fn new(codec: Codec, seed: u64) -> RtpSender {
        RtpSender {
            ssrc: (seed as u32) ^ 0x5eed_0001,
            seq: (seed >> 32) as u16,
            timestamp: (seed >> 16) as u32,
            first: true,
            codec,
        }
    }

    /// One packet carrying `samples` (normally one 20 ms frame).
    pub fn packet(&mut self, samples: &[i16]) -> Vec<u8> {
        let payload = self.codec.encode(samples);
        let out = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
            .payload_type(self.codec.payload_type())
            .sequence_number(self.seq)
            .timestamp(self.timestamp)
            .ssrc(self.ssrc)
            .marker_bit(self.first)
            .payload(payload.as_slice())
            .write_vec()
            .unwrap_or_default();
        self.first = false;
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(samples.len() as u32);
        out
    }
}

/// A received RTP packet's useful fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpIn {
    /// Payload type.
    pub payload_type: u8,
    /// Timestamp.
    pub timestamp: u32,
    /// Marker bit.
    pub marker: bool,
    /// Payload.
    pub payload: Vec<u8>,
}

/// Parses an RTP packet; `None` for anything else (RTCP, garbage).
pub fn parse_rtp(data: &[u8]) -> Option<RtpIn> {
    let p = rtp_types::RtpPacket::parse(data).ok()?;
    Some(RtpIn {
        payload_type: p.payload_type(),
        timestamp: p.timestamp(),
        marker: p.marker_bit(),
        payload: p.payload().to_vec(),
    })
}

/// Turns RFC 4733 telephone-event packets into digits, once per key press: every
/// packet of one event shares its RTP timestamp (start, updates, three end packets).
#[derive(Debug, Default, Clone)]
pub struct DtmfReceiver {
    last: Option<u32>,
}

impl DtmfReceiver {
    /// The digit this packet starts, if it is the first seen of a new event.
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let event = *payload.first()?;
        if payload.len() < 4 || self.last == Some(timestamp) {
            return None;
        }
        self.last = Some(timestamp);
        event_digit(event)
    }
}

/// The key of an RFC 4733 event code.
pub fn event_digit(event: u8) -> Option<char> {
    match event {
        0..=9 => Some(char::from(b'0' + event)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + event - 12)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_through_both_laws() {
        let samples: Vec<i16> = (0..160)
            .map(|i| ((i as f64 / 8.0).sin() * 8000.0) as i16)
            .collect();
        for codec in [Codec::Pcmu, Codec::Pcma] {
            let mut tx = RtpSender::new(codec, 42);
            let a = parse_rtp(&tx.packet(&samples)).unwrap();
            let b = parse_rtp(&tx.packet(&samples)).unwrap();
            assert_eq!(a.payload_type, codec.payload_type());
            assert!(a.marker && !b.marker);
            assert_eq!(b.timestamp.wrapping_sub(a.timestamp), 160);
            let back = codec.decode(&a.payload);
            let err = back
                .iter()
                .zip(&samples)
                .map(|(x, y)| (x - y).abs())
                .max()
                .unwrap();
            assert!(err < 300, "{codec:?} error {err}");
        }
    }

    #[test]
    fn one_key_press_is_one_digit() {
        let mut rx = DtmfReceiver::default();
        // Digit 5: start, two updates, three end packets, all with timestamp 1000.
        let mut digits = Vec::new();
        for dur in [160u16, 320, 480, 640, 640, 640] {
            let d = dur.to_be_bytes();
            digits.extend(rx.on_packet(1000, &[5, 10, d[0], d[1]]));
        }
        digits.extend(rx.on_packet(2600, &[11, 10, 0, 160]));
        digits.extend(rx.on_packet(2600, &[11, 0x8a, 0, 160]));
        assert_eq!(digits, vec!['5', '#']);
        assert_eq!(rx.on_packet(4000, &[5]), None, "short payloads are ignored");
        assert_eq!(parse_rtp(b"\x01\x02"), None);
    }
}

//! Media: G.711 over RTP in 20 ms frames, RFC 4733 telephone-events, SDP offers and
//! answers, and the audio the adapter plays (prompts, music on hold).

mod audio;
mod rtp;
mod sdp;

pub use audio::{AudioError, CommandTts, Player, Sounds, TtsRenderer, load_wav};
pub use rtp::{Codec, DtmfReceiver, FRAME_MS, FRAME_SAMPLES, RtpIn, RtpSender, event_digit, parse_rtp};
pub use sdp::{RemoteMedia, SdpError, answer, offer};

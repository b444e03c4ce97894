//! SDP offers and answers for one G.711 audio stream plus telephone-event
//! (parsed with `sdp-types`).

use super::rtp::Codec;
use std::net::{IpAddr, SocketAddr};

/// Why an SDP body is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// Not SDP.
    #[error("bad SDP: {0}")]
    Syntax(String),
    /// No audio stream with a connection address.
    #[error("no audio stream")]
    NoAudio,
    /// Neither PCMU nor PCMA is offered (answer 488).
    #[error("no common codec")]
    NoCodec,
}

/// What the peer offered or answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemoteMedia {
    /// Where to send RTP.
    pub rtp: SocketAddr,
    /// The codec chosen: the first of the peer's list that is G.711.
    pub codec: Codec,
    /// The peer's telephone-event payload type, if any.
    pub telephone_event: Option<u8>,
}

impl RemoteMedia {
    /// Reads an SDP body.
    pub fn parse(body: &[u8]) -> Result<RemoteMedia, SdpError> {
        let s = crate::sip::guarded(|| Some(sdp_types::Session::parse(body)))
            .ok_or_else(|| SdpError::Syntax("parser failure".into()))?
            .map_err(|e| SdpError::Syntax(e.to_string()))?;
        let m = s
            .medias
            .iter()
            .find(|m| m.media == "audio" && m.port != 0)
            .ok_or(SdpError::NoAudio)?;
        let conn = m
            .connections
            .first()
            .or(s.connection.as_ref())
            .ok_or(SdpError::NoAudio)?;
        let ip: IpAddr = conn.connection_address.parse().map_err(|_| SdpError::NoAudio)?;
        let pts: Vec<u8> = m.fmt.split_whitespace().filter_map(|p| p.parse().ok()).collect();
        let codec = pts
            .iter()
            .find_map(|&pt| Codec::from_payload_type(pt))
            .ok_or(SdpError::NoCodec)?;
        let telephone_event = m.attributes.iter().find_map(|a| {
            let v = a.value.as_deref()?;
            let (pt, enc) = v.split_once(' ')?;
            (a.attribute == "rtpmap" && enc.to_ascii_lowercase().starts_with("telephone-event/"))
                .then(|| pt.trim().parse().ok())
                .flatten()
        });
        Ok(RemoteMedia {
            rtp: SocketAddr::new(ip, m.port),
            codec,
            telephone_event,
        })
    }
}

fn body(ip: IpAddr, port: u16, session: u64, pts: &str, maps: &str) -> Vec<u8> {
    let kind = if ip.is_ipv4() { "IP4" } else { "IP6" };
    format!(
        "v=0\r\no=callroute {session} {session} IN {kind} {ip}\r\ns=callroute\r\nc=IN {kind} {ip}\r\n\
t=0 0\r\nm=audio {port} RTP/AVP {pts}\r\n{maps}a=ptime:20\r\na=sendrecv\r\n"
    )
    .into_bytes()
}

/// Our answer: the chosen codec and, when the peer offered it, telephone-event.
pub fn answer(ip: IpAddr, port: u16, session: u64, remote: &RemoteMedia) -> Vec<u8> {
    let c = remote.codec;
    let (pts, mut maps) = (
        c.payload_type().to_string(),
        format!("a=rtpmap:{} {}/8000\r\n", c.payload_type(), c.name()),
    );
    let pts = match remote.telephone_event {
        Some(te) => {
            maps.push_str(&format!(
                "a=rtpmap:{te} telephone-event/8000\r\na=fmtp:{te} 0-16\r\n"
            ));
            format!("{pts} {te}")
        }
        None => pts,
    };
    body(ip, port, session, &pts, &maps)
}

/// Our offer: both G.711 laws (`first` preferred) and telephone-event on payload type 101.
pub fn offer(ip: IpAddr, port: u16, session: u64, first: Codec) -> Vec<u8> {
    let (a, b) = match first {
        Codec::Pcmu => (Codec::Pcmu, Codec::Pcma),
        Codec::Pcma => (Codec::Pcma, Codec::Pcmu),
    };
    let maps = format!(
        "a=rtpmap:{} {}/8000\r\na=rtpmap:{} {}/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n",
        a.payload_type(),
        a.name(),
        b.payload_type(),
        b.name()
    );
    body(
        ip,
        port,
        session,
        &format!("{} {} 101", a.payload_type(), b.payload_type()),
        &maps,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARESIP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 10000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n";

    #[test]
    fn reads_the_first_g711_codec_and_telephone_event() {
        let r = RemoteMedia::parse(BARESIP.as_bytes()).unwrap();
        assert_eq!(r.rtp, "127.0.0.1:10000".parse().unwrap());
        assert_eq!(r.codec, Codec::Pcma);
        assert_eq!(r.telephone_event, Some(101));
    }

    #[test]
    fn an_answer_parses_back_to_the_same_choice() {
        let r = RemoteMedia::parse(BARESIP.as_bytes()).unwrap();
        let a = answer("127.0.0.1".parse().unwrap(), 20000, 7, &r);
        let back = RemoteMedia::parse(&a).unwrap();
        assert_eq!(
            (back.codec, back.telephone_event, back.rtp.port()),
            (Codec::Pcma, Some(101), 20000)
        );
        let o = RemoteMedia::parse(&offer("127.0.0.1".parse().unwrap(), 20002, 7, Codec::Pcmu)).unwrap();
        assert_eq!(o.codec, Codec::Pcmu);
        let o = RemoteMedia::parse(&offer("127.0.0.1".parse().unwrap(), 20002, 7, Codec::Pcma)).unwrap();
        assert_eq!((o.codec, o.telephone_event), (Codec::Pcma, Some(101)));
    }

    #[test]
    fn rejects_offers_without_g711() {
        let g722 = BARESIP.replace("8 0 101", "9 101");
        assert_eq!(RemoteMedia::parse(g722.as_bytes()), Err(SdpError::NoCodec));
        assert!(matches!(RemoteMedia::parse(b"garbage"), Err(SdpError::Syntax(_))));
    }
}

//! Properties of the SIP parse path: whatever arrives from the network, parsing and the
//! endpoint never panic; messages we write parse back to themselves.

use super::message::SAMPLE_INVITE as INVITE;
use super::{Endpoint, Message, Method, SipEvent};
use proptest::prelude::*;

fn endpoint() -> Endpoint {
    Endpoint::new("127.0.0.1:5080".parse().unwrap(), "callroute", 1)
}

proptest! {
    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Message::parse(&data);
        let mut ep = endpoint();
        ep.handle_datagram(0, "127.0.0.1:5060".parse().unwrap(), &data);
        ep.handle_timeout(100_000);
    }

    #[test]
    fn uris_and_sdp_from_the_network_never_panic(text in "\\PC{0,80}", data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = super::uri_addr(&text);
        let _ = super::uri_user(&text);
        let _ = super::addr_uri(&text);
        let _ = super::split_list(&text);
        let _ = crate::media::RemoteMedia::parse(&data);
        let _ = crate::media::RemoteMedia::parse(format!("v=0\r\nm=audio {text}\r\n").as_bytes());
    }

    #[test]
    fn mutated_invites_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut data = INVITE.as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at % data.len();
            data[i] = byte;
        }
        data.truncate(cut % (data.len() + 1));
        let mut ep = endpoint();
        let from = "127.0.0.1:5060".parse().unwrap();
        ep.handle_datagram(0, from, &data);
        // Answer whatever got through, then let every timer run.
        while let Some(ev) = ep.poll_event() {
            if let SipEvent::Request { tx, .. } = ev {
                let _ = ep.respond(0, tx, 200, vec![], vec![]);
            }
        }
        ep.handle_datagram(10, from, &data);
        ep.handle_timeout(100_000);
        while ep.poll_transmit().is_some() {}
    }

    #[test]
    fn requests_we_write_parse_back(
        user in "[a-z][a-z0-9]{0,8}",
        tag in "[a-zA-Z0-9]{1,12}",
        cseq in 1u32..1_000_000,
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut m = Message::request(Method::Info, format!("sip:{user}@127.0.0.1:5070"));
        m.push("Via", "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa1");
        m.push("From", format!("<sip:callroute@127.0.0.1>;tag={tag}"));
        m.push("To", format!("<sip:{user}@127.0.0.1>;tag=x"));
        m.push("Call-ID", format!("{tag}@127.0.0.1"));
        m.push("CSeq", format!("{cseq} INFO"));
        m.push("Content-Type", "application/octet-stream");
        m.body = body;
        let back = Message::parse(&m.to_bytes()).unwrap();
        prop_assert_eq!(back.cseq(), Some((cseq, Method::Info)));
        prop_assert_eq!(back.from_tag(), Some(tag.as_str()));
        prop_assert_eq!(back.headers, m.headers);
        prop_assert_eq!(back.body, m.body);
    }
}

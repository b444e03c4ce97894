//! Transaction and dialog behaviour, driven by a virtual clock and a virtual wire.

use super::*;
use std::net::SocketAddr;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const CALLER: &str = "127.0.0.1:5062";
const PROXY: &str = "127.0.0.1:5060";

fn invite(branch: &str) -> String {
    format!(
        "INVITE sip:ivr@127.0.0.1:5080 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5060;branch={branch}\r\n\
Record-Route: <sip:127.0.0.1;lr>\r\n\
From: <sip:caller@127.0.0.1>;tag=abc\r\n\
To: <sip:ivr@127.0.0.1>\r\n\
Call-ID: call-1\r\n\
CSeq: 10 INVITE\r\n\
Contact: <sip:caller@127.0.0.1:5062>\r\n\
Content-Length: 0\r\n\r\n"
    )
}

fn in_dialog(method: &str, branch: &str, to_tag: &str, cseq: u32) -> String {
    format!(
        "{method} sip:ivr@127.0.0.1:5080 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5060;branch={branch}\r\n\
From: <sip:caller@127.0.0.1>;tag=abc\r\n\
To: <sip:ivr@127.0.0.1>;tag={to_tag}\r\n\
Call-ID: call-1\r\n\
CSeq: {cseq} {method}\r\n\
Content-Length: 0\r\n\r\n"
    )
}

fn server() -> Endpoint {
    Endpoint::new(addr("127.0.0.1:5080"), "callroute", 7)
}

fn sent(ep: &mut Endpoint) -> Vec<(SocketAddr, Message)> {
    std::iter::from_fn(|| ep.poll_transmit())
        .map(|t| (t.to, Message::parse(&t.data).unwrap()))
        .collect()
}

fn events(ep: &mut Endpoint) -> Vec<SipEvent> {
    std::iter::from_fn(|| ep.poll_event()).collect()
}

/// Feeds the test INVITE and returns its server transaction.
fn offered(ep: &mut Endpoint) -> TxId {
    ep.handle_datagram(0, addr(PROXY), invite("z9hG4bK1").as_bytes());
    let Some(SipEvent::Request { tx, .. }) = ep.poll_event() else {
        panic!("no request")
    };
    tx
}

fn answered(ep: &mut Endpoint) -> (TxId, DialogId, String) {
    let tx = offered(ep);
    let dialog = ep
        .respond(0, tx, 200, vec![], b"v=0\r\n".to_vec())
        .unwrap()
        .unwrap();
    let out = sent(ep);
    assert_eq!(out.len(), 1);
    let tag = out[0].1.to_tag().unwrap().to_string();
    (tx, dialog, tag)
}

#[test]
fn the_2xx_is_retransmitted_with_backoff_until_the_ack() {
    let mut ep = server();
    let (_, dialog, tag) = answered(&mut ep);
    assert_eq!(ep.next_deadline(), Some(T1));
    ep.handle_timeout(T1);
    assert_eq!(sent(&mut ep).len(), 1);
    assert_eq!(ep.next_deadline(), Some(T1 + 2 * T1));
    ep.handle_timeout(3 * T1);
    let again = sent(&mut ep);
    assert_eq!(again[0].1.status(), Some(200));
    assert_eq!(again[0].0, addr(PROXY));
    ep.handle_datagram(
        1_600,
        addr(PROXY),
        in_dialog("ACK", "z9hG4bK2", &tag, 10).as_bytes(),
    );
    assert_eq!(events(&mut ep), vec![SipEvent::Acked { dialog }]);
    ep.handle_timeout(10_000);
    assert!(sent(&mut ep).is_empty());
}

#[test]
fn the_2xx_carries_record_route_and_contact() {
    let mut ep = server();
    let tx = offered(&mut ep);
    ep.respond(0, tx, 200, vec![], vec![]).unwrap();
    let (_, ok) = sent(&mut ep).pop().unwrap();
    assert_eq!(ok.header("Record-Route"), Some("<sip:127.0.0.1;lr>"));
    assert_eq!(ok.header("Contact"), Some("<sip:callroute@127.0.0.1:5080>"));
    assert_eq!(ok.header("CSeq"), Some("10 INVITE"));
}

#[test]
fn an_unacknowledged_2xx_times_out_after_64_t1() {
    let mut ep = server();
    let (_, dialog, _) = answered(&mut ep);
    let mut now = 0;
    while let Some(d) = ep.next_deadline() {
        if d > 64 * T1 {
            break;
        }
        now = d;
        ep.handle_timeout(now);
    }
    assert_eq!(now, 64 * T1);
    assert_eq!(events(&mut ep), vec![SipEvent::AckTimeout { dialog }]);
    // 2xx resent at 0.5, 1.5, 3.5, 7.5, then every T2 up to 31.5 s: 10 retransmissions.
    assert_eq!(sent(&mut ep).len(), 10);
}

#[test]
fn a_retransmitted_invite_gets_the_last_response_again() {
    let mut ep = server();
    let tx = offered(&mut ep);
    ep.respond(0, tx, 180, vec![], vec![]).unwrap();
    sent(&mut ep);
    ep.handle_datagram(400, addr(PROXY), invite("z9hG4bK1").as_bytes());
    let out = sent(&mut ep);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1.status(), Some(180));
    assert!(events(&mut ep).is_empty());
}

#[test]
fn cancel_answers_200_and_ends_the_invite_with_487() {
    let mut ep = server();
    let tx = offered(&mut ep);
    ep.respond(0, tx, 180, vec![], vec![]).unwrap();
    sent(&mut ep);
    let cancel = invite("z9hG4bK1")
        .replace("INVITE sip", "CANCEL sip")
        .replace("10 INVITE", "10 CANCEL");
    ep.handle_datagram(100, addr(PROXY), cancel.as_bytes());
    let out: Vec<_> = sent(&mut ep)
        .into_iter()
        .map(|(_, m)| (m.status(), m.method()))
        .collect();
    assert_eq!(
        out,
        vec![
            (Some(200), Some(Method::Cancel)),
            (Some(487), Some(Method::Invite))
        ]
    );
    assert_eq!(events(&mut ep), vec![SipEvent::Cancelled { tx }]);
    assert_eq!(
        ep.respond(100, tx, 200, vec![], vec![]),
        Err(SipError::AlreadyAnswered(tx))
    );
    // The ACK for 487 (same branch) stops the retransmissions.
    let ack = in_dialog("ACK", "z9hG4bK1", "x", 10);
    ep.handle_datagram(200, addr(PROXY), ack.as_bytes());
    ep.handle_timeout(5_000);
    assert!(sent(&mut ep).is_empty());
}

#[test]
fn requests_in_unknown_dialogs_get_481_and_out_of_order_cseq_500() {
    let mut ep = server();
    ep.handle_datagram(
        0,
        addr(PROXY),
        in_dialog("BYE", "z9hG4bK9", "nope", 11).as_bytes(),
    );
    assert_eq!(sent(&mut ep)[0].1.status(), Some(481));
    let (_, dialog, tag) = answered(&mut ep);
    ep.handle_datagram(10, addr(PROXY), in_dialog("INFO", "z9hG4bK3", &tag, 9).as_bytes());
    assert_eq!(sent(&mut ep)[0].1.status(), Some(500));
    ep.handle_datagram(10, addr(PROXY), in_dialog("BYE", "z9hG4bK4", &tag, 11).as_bytes());
    let Some(SipEvent::InDialog {
        tx,
        dialog: d,
        request,
    }) = ep.poll_event()
    else {
        panic!()
    };
    assert_eq!((d, request.method()), (dialog, Some(Method::Bye)));
    ep.respond(10, tx, 200, vec![], vec![]).unwrap();
    assert_eq!(sent(&mut ep)[0].1.status(), Some(200));
}

#[test]
fn options_is_answered_by_the_endpoint() {
    let mut ep = server();
    let options = in_dialog("OPTIONS", "z9hG4bK5", "x", 1).replace(";tag=x", "");
    ep.handle_datagram(0, addr(CALLER), options.as_bytes());
    let out = sent(&mut ep);
    assert_eq!(out[0].0, addr(CALLER));
    assert_eq!(out[0].1.status(), Some(200));
    assert!(out[0].1.header("Allow").unwrap().contains("REFER"));
    assert!(events(&mut ep).is_empty());
}

#[test]
fn garbage_is_reported_and_never_answered() {
    let mut ep = server();
    ep.handle_datagram(0, addr(CALLER), b"\x00\xffINVITE nonsense");
    ep.handle_datagram(0, addr(CALLER), b"\r\n\r\n");
    assert!(sent(&mut ep).is_empty());
    assert!(matches!(events(&mut ep).as_slice(), [SipEvent::Malformed { .. }]));
}

#[test]
fn in_dialog_requests_follow_the_route_set() {
    let mut ep = server();
    let (_, dialog, _) = answered(&mut ep);
    let tx = ep.request(0, dialog, Method::Bye, vec![], vec![]).unwrap();
    let (to, bye) = sent(&mut ep).pop().unwrap();
    assert_eq!(to, addr("127.0.0.1:5060"));
    assert_eq!(bye.request_uri(), Some("sip:caller@127.0.0.1:5062"));
    assert_eq!(bye.header("Route"), Some("<sip:127.0.0.1;lr>"));
    assert_eq!(bye.header("To"), Some("<sip:caller@127.0.0.1>;tag=abc"));
    assert_eq!(bye.cseq(), Some((1, Method::Bye)));
    // Non-INVITE retransmissions: 0.5, 1, 2, 4, 4, ... then a timeout at 64*T1.
    let mut times = Vec::new();
    while let Some(d) = ep.next_deadline() {
        ep.handle_timeout(d);
        if !sent(&mut ep).is_empty() {
            times.push(d);
        }
        if events(&mut ep).contains(&SipEvent::Timeout { tx }) {
            break;
        }
    }
    assert_eq!(&times[..5], &[500, 1_500, 3_500, 7_500, 11_500]);
}

/// Two endpoints on a virtual wire: everything one sends, the other receives.
fn pump(a: &mut Endpoint, b: &mut Endpoint, now: Millis) {
    loop {
        let mut moved = false;
        while let Some(t) = a.poll_transmit() {
            moved = true;
            if t.to == b.local_addr() {
                b.handle_datagram(now, a.local_addr(), &t.data);
            }
        }
        while let Some(t) = b.poll_transmit() {
            moved = true;
            if t.to == a.local_addr() {
                a.handle_datagram(now, b.local_addr(), &t.data);
            }
        }
        if !moved {
            break;
        }
    }
}

/// A UAC whose INVITE rings at a UAS: (uac, uas, client tx, server tx).
fn ringing() -> (Endpoint, Endpoint, TxId, TxId) {
    let mut uac = Endpoint::new(addr("127.0.0.1:5090"), "adapter", 1);
    let mut uas = Endpoint::new(addr("127.0.0.1:5070"), "agent", 2);
    let tx = uac.invite(
        0,
        "sip:agent@127.0.0.1:5070",
        "sip:q@127.0.0.1:5090",
        uas.local_addr(),
        vec![],
        vec![],
    );
    pump(&mut uac, &mut uas, 0);
    let Some(SipEvent::Request { tx: stx, request, .. }) = uas.poll_event() else {
        panic!()
    };
    assert_eq!(request.method(), Some(Method::Invite));
    uas.respond(0, stx, 180, vec![], vec![]).unwrap();
    pump(&mut uac, &mut uas, 0);
    let Some(SipEvent::Response { response, .. }) = uac.poll_event() else {
        panic!()
    };
    assert_eq!(response.status(), Some(180));
    (uac, uas, tx, stx)
}

#[test]
fn a_uac_and_a_uas_set_up_and_tear_down_a_call() {
    let (mut uac, mut uas, tx, stx) = ringing();
    let uas_dialog = uas.respond(10, stx, 200, vec![], vec![]).unwrap().unwrap();
    pump(&mut uac, &mut uas, 10);
    let Some(SipEvent::Response {
        tx: t,
        dialog: Some(d),
        ..
    }) = uac.poll_event()
    else {
        panic!()
    };
    assert_eq!(t, tx);
    assert_eq!(uas.poll_event(), Some(SipEvent::Acked { dialog: uas_dialog }));
    uac.request(20, d, Method::Bye, vec![], vec![]).unwrap();
    pump(&mut uac, &mut uas, 20);
    let Some(SipEvent::InDialog { tx: bye, dialog, .. }) = uas.poll_event() else {
        panic!()
    };
    assert_eq!(dialog, uas_dialog);
    uas.respond(20, bye, 200, vec![], vec![]).unwrap();
    pump(&mut uac, &mut uas, 20);
    let Some(SipEvent::Response { response, .. }) = uac.poll_event() else {
        panic!()
    };
    assert_eq!(response.status(), Some(200));
    // Everything is forgotten once the linger times pass.
    uac.handle_timeout(100_000);
    uas.handle_timeout(100_000);
    uac.end_dialog(d);
    uas.end_dialog(uas_dialog);
    assert_eq!(uac.counts(), (0, 0, 0));
    assert_eq!(uas.counts(), (0, 0, 0));
}

#[test]
fn a_ringing_invite_can_be_cancelled_by_the_uac() {
    let (mut uac, mut uas, tx, stx) = ringing();
    uac.cancel(100, tx).unwrap();
    pump(&mut uac, &mut uas, 100);
    assert_eq!(uas.poll_event(), Some(SipEvent::Cancelled { tx: stx }));
    let codes: Vec<_> = events(&mut uac)
        .into_iter()
        .filter_map(|e| match e {
            SipEvent::Response { response, .. } => Some((response.status(), response.method())),
            _ => None,
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (Some(200), Some(Method::Cancel)),
            (Some(487), Some(Method::Invite))
        ]
    );
    // The UAS got the ACK for its 487 and stops retransmitting.
    uas.handle_timeout(10_000);
    assert!(uas.poll_transmit().is_none());
}

#[test]
fn over_tcp_requests_are_not_retransmitted_and_say_so() {
    let mut uac = Endpoint::new(addr("127.0.0.1:5090"), "adapter", 1);
    let target = "sip:agent@127.0.0.1:5070;transport=tcp";
    uac.invite(
        0,
        target,
        "sip:q@127.0.0.1:5090",
        addr("127.0.0.1:5070"),
        vec![],
        vec![],
    );
    let t = uac.poll_transmit().unwrap();
    assert_eq!(t.transport, Transport::Tcp);
    let m = Message::parse(&t.data).unwrap();
    assert!(
        m.header("Via")
            .unwrap()
            .starts_with("SIP/2.0/TCP 127.0.0.1:5090;")
    );
    assert_eq!(
        m.header("Contact"),
        Some("<sip:adapter@127.0.0.1:5090;transport=tcp>")
    );
    // No Timer A on a reliable transport: the next deadline is Timer B.
    assert_eq!(uac.next_deadline(), Some(64 * T1));
    uac.handle_timeout(10_000);
    assert!(uac.poll_transmit().is_none());
}

#[test]
fn over_tcp_a_refusal_is_sent_once_and_a_2xx_until_its_ack() {
    let mut ep = server();
    ep.handle_stream_message(0, addr(PROXY), invite("z9hG4bK1").as_bytes());
    let Some(SipEvent::Request { tx, .. }) = ep.poll_event() else {
        panic!()
    };
    ep.respond(0, tx, 486, vec![], vec![]).unwrap();
    let t = ep.poll_transmit().unwrap();
    assert_eq!((t.transport, t.to), (Transport::Tcp, addr(PROXY)));
    ep.handle_timeout(5_000);
    assert!(ep.poll_transmit().is_none(), "no Timer G on TCP");
    ep.handle_stream_message(0, addr(PROXY), invite("z9hG4bK2").as_bytes());
    let Some(SipEvent::Request { tx, .. }) = ep.poll_event() else {
        panic!()
    };
    let dialog = ep.respond(0, tx, 200, vec![], vec![]).unwrap().unwrap();
    assert_eq!(ep.dialog(dialog).map(|d| d.transport), Some(Transport::Tcp));
    ep.poll_transmit();
    ep.handle_timeout(T1);
    assert_eq!(ep.poll_transmit().map(|t| t.transport), Some(Transport::Tcp));
}

//! End to end: caller baresip -> kamailio -> callroute-sip -> agent baresip, asserted on
//! what the phones heard as well as on the adapter's statistics. Needs baresip-core,
//! kamailio and the asterisk sound packages: `scripts/test-sip` installs them and runs
//! these tests one at a time.

mod common;
#[path = "e2e/harness.rs"]
mod harness;

use common::tone_share;
use harness::{Center, Mode, Phone, best_match, music, prompt};
use std::time::Duration;

fn sleep(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// A caller phone that dialled the IVR and is answered.
fn dial(center: &Center) -> Phone {
    let b = center.base;
    let mut caller = Phone::start(center, "caller", b + 10, b + 50, center.rtp + 60, 440, None);
    caller.command("dial", &format!("sip:ivr@127.0.0.1:{}", center.proxy_port()));
    caller.wait_event("CALL_ESTABLISHED", 10);
    caller
}

/// Agent 201's phone is configured in the adapter; agent 202's registers itself.
fn agent(center: &Center, id: u32, answer: &str) -> Phone {
    let (b, slot) = (center.base, if id == 201 { 0 } else { 1 });
    let hz = if id == 201 { 660 } else { 880 };
    let user = if id == 201 {
        "agent201".to_string()
    } else {
        format!("agent-{id}")
    };
    let phone = Phone::start(
        center,
        &user,
        b + 20 + slot * 10,
        b + 51 + slot,
        center.rtp + 100 + slot * 40,
        hz,
        Some(answer),
    );
    if id != 201 {
        // baresip registers a contact of its own making, at its own address.
        let at = format!("@127.0.0.1:{}", b + 20 + slot * 10);
        center.wait_stats("the registration", 5, |s| {
            s["registrations"][id.to_string()]
                .as_str()
                .is_some_and(|u| u.ends_with(&at))
        });
    }
    phone
}

/// Lets the greeting play, then presses `digit`; waits until the call waits in `queue`.
fn choose(center: &Center, caller: &mut Phone, digit: &str, queue: u64) {
    sleep(2_500);
    caller.command("sndcode", digit);
    center.wait_stats("the call to be queued", 10, |s| s["calls"][0]["queue"] == queue);
}

/// A center with one auto-answering agent (logged out) and a caller who chose `digit`
/// and waits in that queue.
fn queued(name: &str, slot: u16, mode: Mode, id: u32, digit: &str) -> (Center, Phone, Phone) {
    let center = Center::start(name, slot, mode, "\"127.0.0.0/8\"");
    let phone = agent(&center, id, "auto");
    let mut caller = dial(&center);
    choose(&center, &mut caller, digit, digit.parse().unwrap());
    (center, phone, caller)
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn refer_caller_hears_menu_and_music_then_reaches_the_ready_agent() {
    let (center, mut agent201, mut caller) = queued("refer", 1, Mode::Refer, 201, "1");
    let s = center.stats();
    assert_eq!(
        s["calls"][0]["music"], true,
        "music on hold while no agent is ready"
    );
    sleep(3_000);
    center.agent_ready(201);
    agent201.wait_event("CALL_ESTABLISHED", 10);
    caller.wait_event("TRANSFER", 5);
    sleep(1_500);
    let s = center.wait_stats("the call to be answered", 5, |s| {
        Center::totals(s, 1)["answered"] == 1
    });
    assert_eq!(Center::totals(&s, 1)["offered"], 1);
    assert_eq!(
        Center::totals(&s, 2)["offered"],
        0,
        "choice 1 routes to queue 1 only"
    );
    assert_eq!(s["adapter"]["dtmf_rtp"], 1);
    // The phones write their recordings out when their calls close.
    caller.command("hangup", "");
    agent201.wait_event("CALL_CLOSED", 5);
    // Audio: the caller heard the greeting, then the music; the agent hears the caller.
    let heard = caller.heard();
    let greeting = best_match(&heard, &prompt("vm-enter-num-to-call"));
    assert!(greeting > 0.9, "greeting correlation {greeting}");
    let moh = best_match(&heard, &music(2));
    assert!(moh > 0.9, "music correlation {moh}");
    let agent_heard = agent201.heard();
    assert!(
        agent_heard.len() > 8_000,
        "agent heard {} samples",
        agent_heard.len()
    );
    assert!(
        tone_share(&agent_heard, 440.0) > 0.5,
        "agent hears the caller's 440 Hz"
    );
    // The CDR says who answered.
    let cdr = center
        .events()
        .into_iter()
        .find(|e| e.get("cdr").is_some())
        .expect("a CDR line");
    assert_eq!(
        (cdr["cdr"]["agent"].as_u64(), cdr["cdr"]["queue"].as_u64()),
        (Some(201), Some(1))
    );
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn b2bua_relays_audio_both_ways_and_passes_the_hang_up_across() {
    let (center, mut agent202, mut caller) = queued("b2bua", 2, Mode::B2bua, 202, "2");
    center.agent_ready(202);
    agent202.wait_event("CALL_ESTABLISHED", 10);
    let s = center.wait_stats("the relay", 5, |s| s["calls"][0]["connected"] == true);
    assert_eq!(Center::totals(&s, 2)["answered"], 1);
    sleep(3_000);
    agent202.command("hangup", "");
    caller.wait_event("CALL_CLOSED", 10);
    let s = center.wait_stats("the call to end", 5, |s| {
        s["calls"].as_array().is_some_and(|c| c.is_empty())
    });
    assert_eq!(Center::totals(&s, 2)["handled"], 1);
    assert!(Center::totals(&s, 2)["talk_ms"].as_u64().unwrap() >= 2_500);
    // The caller heard the agent's 880 Hz, the agent the caller's 440 Hz.
    let caller_heard = caller.heard();
    let tail = &caller_heard[caller_heard.len().saturating_sub(16_000)..];
    assert!(tone_share(tail, 880.0) > 0.5, "caller hears the agent");
    assert!(
        tone_share(&agent202.heard(), 440.0) > 0.5,
        "agent hears the caller"
    );
    // The recording has both sides.
    let rec: Vec<_> = std::fs::read_dir(&center.dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("call-"))
        })
        .collect();
    assert_eq!(rec.len(), 1);
    let samples = callroute_sip::media::load_wav(&rec[0]).unwrap();
    assert!(tone_share(&samples, 440.0) > 0.1 && tone_share(&samples, 880.0) > 0.1);
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn a_caller_who_hangs_up_in_the_queue_is_abandoned() {
    let center = Center::start("abandon", 3, Mode::Refer, "\"127.0.0.0/8\"");
    let mut caller = dial(&center);
    choose(&center, &mut caller, "1", 1);
    sleep(1_000);
    caller.command("hangup", "");
    let s = center.wait_stats("the abandon", 10, |s| Center::totals(s, 1)["abandoned"] == 1);
    assert_eq!(Center::totals(&s, 1)["answered"], 0);
    assert_eq!(s["adapter"]["abandoned"], 1);
    assert!(s["calls"].as_array().unwrap().is_empty());
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn a_call_that_rings_out_moves_on_to_the_second_agent() {
    let center = Center::start("ringout", 4, Mode::B2bua, "\"127.0.0.0/8\"");
    let mut agent201 = agent(&center, 201, "manual");
    let mut agent202 = agent(&center, 202, "auto");
    center.agent_ready(201);
    center.agent_ready(202);
    let mut caller = dial(&center);
    choose(&center, &mut caller, "1", 1);
    // Linear routing offers agent 201 first; it rings for the 4 s ring timeout.
    agent201.wait_event("CALL_INCOMING", 5);
    agent202.wait_event("CALL_ESTABLISHED", 12);
    agent201.wait_event("CALL_CLOSED", 5);
    let s = center.wait_stats("the answer", 5, |s| Center::totals(s, 1)["answered"] == 1);
    let a201 = Center::agent(&s, 201);
    assert_eq!(a201["state"]["state"], "not-ready", "redirect on no answer");
    assert_eq!(a201["state"]["reason"], "missed-calls");
    let a202 = Center::agent(&s, 202);
    assert_eq!(a202["state"]["state"], "talking");
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn a_restarted_adapter_recovers_the_queue_and_agents_from_its_journal() {
    let (mut center, mut agent201, mut caller) = queued("crash", 5, Mode::Refer, 201, "1");
    center.http("POST", "/agents/201/login");
    center.crash_adapter();
    assert!(
        center.adapter_log(1).contains("journal compacted"),
        "the journal has a snapshot"
    );
    center.start_adapter();
    assert!(center.adapter_log(2).contains("call resumed after restart"));
    let s = center.stats();
    let q1 = s["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["status"]["queue"] == 1)
        .unwrap()
        .clone();
    assert_eq!(q1["status"]["waiting"], 1, "the caller still waits in queue 1");
    assert_eq!(q1["totals"]["offered"], 1);
    assert_eq!(s["calls"][0]["queue"], 1);
    assert_eq!(s["calls"][0]["music"], true, "music resumes");
    let a201 = Center::agent(&s, 201);
    assert_eq!(
        a201["state"]["state"], "not-ready",
        "the agent is still logged in"
    );
    // The resumed dialog still reaches the caller: REFER to the agent works.
    center.http("POST", "/agents/201/ready");
    agent201.wait_event("CALL_ESTABLISHED", 10);
    caller.wait_event("TRANSFER", 5);
    let s = center.wait_stats("the answer", 5, |s| Center::totals(s, 1)["answered"] == 1);
    assert_eq!(Center::totals(&s, 1)["abandoned"], 0);
}

/// A center and a raw UDP socket on `ip` for a scripted peer.
fn scripted(
    name: &str,
    slot: u16,
    allow: &str,
    ip: &str,
) -> (Center, std::net::UdpSocket, std::net::SocketAddr) {
    let center = Center::start(name, slot, Mode::Refer, allow);
    let sock = std::net::UdpSocket::bind((ip, 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let me = sock.local_addr().unwrap();
    (center, sock, me)
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn unlisted_peers_get_403_and_garbage_is_survived() {
    // Only kamailio's address may call; a peer on 127.0.0.2 may not.
    let (center, sock, me) = scripted("guard", 6, "\"127.0.0.1/32\"", "127.0.0.2");
    let invite = format!(
        "INVITE sip:ivr@127.0.0.1:{p} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKx1\r\n\
From: <sip:intruder@127.0.0.2>;tag=1\r\nTo: <sip:ivr@127.0.0.1>\r\nCall-ID: guard-1\r\nCSeq: 1 INVITE\r\n\
Contact: <sip:intruder@{me}>\r\nContent-Length: 0\r\n\r\n",
        p = center.adapter_port()
    );
    let adapter = ("127.0.0.1", center.adapter_port());
    for junk in [
        &b"\x00\x01\x02garbage"[..],
        b"INVITE sip:x SIP/2.0\r\n\r\n",
        b"SIP/2.0 200 OK\r\n\r\n",
    ] {
        sock.send_to(junk, adapter).unwrap();
    }
    sock.send_to(invite.as_bytes(), adapter).unwrap();
    let mut buf = [0u8; 4096];
    let (n, _) = sock.recv_from(&mut buf).unwrap();
    let reply = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(reply.starts_with("SIP/2.0 403 "), "{reply}");
    let s = center.stats();
    assert_eq!(s["adapter"]["forbidden"], 1);
    assert_eq!(s["adapter"]["malformed"], 3);
    assert!(s["calls"].as_array().unwrap().is_empty());
}

/// Sends what the scripted client's SIP layer queued.
fn flush(ep: &mut callroute_sip::sip::Endpoint, sock: &std::net::UdpSocket) {
    while let Some(t) = ep.poll_transmit() {
        sock.send_to(&t.data, t.to).unwrap();
    }
}

#[test]
#[ignore = "needs baresip and kamailio; run scripts/test-sip"]
fn sip_info_digits_choose_the_menu_option() {
    use callroute_sip::sip::{Endpoint, Method, SipEvent};
    // A small scripted client: baresip sends digits only as RFC 4733.
    let (center, sock, me) = scripted("info", 7, "\"127.0.0.0/8\"", "127.0.0.1");
    let mut ep = Endpoint::new(me, "scripted", 3);
    let proxy: std::net::SocketAddr = format!("127.0.0.1:{}", center.proxy_port()).parse().unwrap();
    let sdp = callroute_sip::media::offer(me.ip(), center.rtp + 190, 1, callroute_sip::media::Codec::Pcma);
    let target = format!("sip:ivr@127.0.0.1:{}", center.proxy_port());
    let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
    let clock = callroute_sip::clock::Clock::start();
    let now = || clock.now();
    ep.invite(now(), &target, &format!("sip:scripted@{me}"), proxy, ct, sdp);
    let mut dialog = None;
    let mut buf = [0u8; 65_535];
    let deadline = harness::Deadline::secs(5);
    while dialog.is_none() && !deadline.passed() {
        flush(&mut ep, &sock);
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            ep.handle_datagram(now(), from, &buf[..n]);
        }
        while let Some(ev) = ep.poll_event() {
            if let SipEvent::Response {
                dialog: Some(d),
                response,
                ..
            } = ev
            {
                assert_eq!(response.status(), Some(200));
                dialog = Some(d);
            }
        }
    }
    let dialog = dialog.expect("the adapter answers");
    flush(&mut ep, &sock);
    let info = vec![("Content-Type".to_string(), "application/dtmf-relay".to_string())];
    ep.request(
        now(),
        dialog,
        Method::Info,
        info,
        b"Signal=2\r\nDuration=160\r\n".to_vec(),
    )
    .unwrap();
    flush(&mut ep, &sock);
    let s = center.wait_stats("the INFO digit", 5, |s| s["calls"][0]["queue"] == 2);
    assert_eq!(s["adapter"]["dtmf_info"], 1);
    ep.request(now(), dialog, Method::Bye, vec![], vec![]).unwrap();
    flush(&mut ep, &sock);
    let s = center.wait_stats("the abandon", 5, |s| Center::totals(s, 2)["abandoned"] == 1);
    assert!(s["calls"].as_array().unwrap().is_empty());
}

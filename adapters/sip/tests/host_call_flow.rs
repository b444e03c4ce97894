//! The adapter in-process with scripted SIP peers (no external programs): a caller hears
//! the menu prompt over RTP, picks queue 1 with an RFC 4733 digit, hears music, and is
//! connected to the agent's phone as a B2BUA with audio relayed; the agent's BYE ends
//! the caller's leg too.

use callroute_sip::clock::Clock;
use callroute_sip::config::AdapterConfig;
use callroute_sip::host::{Host, HttpRequest, Inbound};
use callroute_sip::media::{Codec, RemoteMedia, RtpSender, answer, offer, parse_rtp};
use callroute_sip::sip::{DialogId, Endpoint, Method, SipEvent, TxId};
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

mod common;
use common::{tone_share, write_tone};

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scripted SIP phone: the sans-IO endpoint over a UDP socket, plus an RTP socket.
struct Phone {
    ep: Endpoint,
    sip: UdpSocket,
    rtp: UdpSocket,
    clock: Clock,
    events: Vec<SipEvent>,
    heard: Vec<i16>,
}

impl Phone {
    fn new(user: &str) -> Phone {
        let sip = UdpSocket::bind("127.0.0.1:0").unwrap();
        sip.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
        let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
        rtp.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
        Phone {
            ep: Endpoint::new(sip.local_addr().unwrap(), user, 11),
            sip,
            rtp,
            clock: Clock::start(),
            events: Vec::new(),
            heard: Vec::new(),
        }
    }

    fn addr(&self) -> SocketAddr {
        self.sip.local_addr().unwrap()
    }

    fn sdp(&self) -> Vec<u8> {
        offer(
            self.rtp.local_addr().unwrap().ip(),
            self.rtp.local_addr().unwrap().port(),
            1,
            Codec::Pcma,
        )
    }

    /// Runs the phone for `ms`: sends, receives, and keeps what it heard and saw.
    fn run(&mut self, ms: u64) {
        let end = self.clock.now() + ms;
        let mut buf = [0u8; 65_535];
        while self.clock.now() < end {
            let now = self.clock.now();
            self.ep.handle_timeout(now);
            while let Some(t) = self.ep.poll_transmit() {
                self.sip.send_to(&t.data, t.to).unwrap();
            }
            if let Ok((n, from)) = self.sip.recv_from(&mut buf) {
                self.ep.handle_datagram(now, from, &buf[..n]);
            }
            while let Some(e) = self.ep.poll_event() {
                self.events.push(e);
            }
            while let Ok((n, _)) = self.rtp.recv_from(&mut buf) {
                if let Some(p) = parse_rtp(&buf[..n])
                    && let Some(c) = Codec::from_payload_type(p.payload_type)
                {
                    self.heard.extend(c.decode(&p.payload));
                }
            }
        }
        while let Some(t) = self.ep.poll_transmit() {
            self.sip.send_to(&t.data, t.to).unwrap();
        }
    }

    fn take(&mut self, f: impl Fn(&SipEvent) -> bool) -> Option<SipEvent> {
        let i = self.events.iter().position(f)?;
        Some(self.events.remove(i))
    }
}

/// An HTTP request through the loop: status and body.
fn raw_http(tx: &Sender<Inbound>, method: &str, path: &str, body: &str) -> (u16, String) {
    let (reply, rx) = channel();
    tx.send(Inbound::Http(HttpRequest {
        method: method.into(),
        path: path.into(),
        body: body.into(),
        reply,
    }))
    .unwrap();
    let r = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    (r.status, r.body)
}

fn http(tx: &Sender<Inbound>, method: &str, path: &str) -> serde_json::Value {
    let (status, body) = raw_http(tx, method, path, "");
    assert_eq!(status, 200, "{method} {path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The adapter running in a thread, with a scripted agent phone (agent 7).
struct Rig {
    dir: std::path::PathBuf,
    tx: Sender<Inbound>,
    runner: Option<std::thread::JoinHandle<Result<(), callroute_sip::host::StartError>>>,
    adapter: SocketAddr,
    agent: Phone,
}

impl Rig {
    fn start(name: &str, connect: &str) -> Rig {
        Rig::start_with(name, connect, "")
    }

    /// Like `start`, with more lines in the `[sip]` section.
    fn start_with(name: &str, connect: &str, sip: &str) -> Rig {
        let dir = std::env::temp_dir().join(format!("callroute-sip-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("moh")).unwrap();
        write_tone(&dir.join("hello.wav"), 500.0, 1.0);
        write_tone(&dir.join("moh/a.wav"), 300.0, 10.0);
        let agent = Phone::new("agent7");
        std::fs::write(
            dir.join("center.toml"),
            r#"
[agent_defaults]
wrap_up_secs = 0
[[queues]]
id = 1
name = "sales"
[[agents]]
id = 7
queues = [1]
[ivr.entry.dnis]
ivr = "main"
[ivr.prompts.hello]
en = [{ file = "hello" }]
[ivr.flows.main]
start = "menu"
[ivr.flows.main.nodes.menu]
type = "menu"
greeting = "hello"
options = { 1 = "sales" }
on_failure = "sales"
[ivr.flows.main.nodes.sales]
type = "queue"
queue = 1
"#,
        )
        .unwrap();
        let adapter: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let rtp = free_port() & !1;
        let cfg = format!(
            r#"engine = "center.toml"
connect = "{connect}"
default_queue = 1
[sip]
listen = "{adapter}"
allow = ["127.0.0.1/32"]
{sip}
[media]
rtp_ports = [{rtp}, {hi}]
sounds_dir = "."
moh_dir = "moh"
[agents]
7 = "sip:agent7@{agent_addr}"
[ops]
journal = "journal.sqlite"
"#,
            hi = rtp + 40,
            agent_addr = agent.addr(),
        );
        std::fs::write(dir.join("adapter.toml"), cfg).unwrap();
        let host = Host::new(AdapterConfig::from_path(&dir.join("adapter.toml")).unwrap()).unwrap();
        let tx = host.sender();
        let runner = Some(std::thread::spawn(move || host.run()));
        Rig {
            dir,
            tx,
            runner,
            adapter,
            agent,
        }
    }

    /// A caller phone that dialled `user` and was answered: the phone, its dialog and
    /// the adapter's media.
    fn dial(&self, user: &str) -> (Phone, DialogId, RemoteMedia) {
        let mut caller = Phone::new("caller");
        let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
        let sdp = caller.sdp();
        let from = format!("sip:caller@{}", caller.addr());
        let target = format!("sip:{user}@127.0.0.1");
        caller
            .ep
            .invite(caller.clock.now(), &target, &from, self.adapter, ct, sdp);
        caller.run(1_300);
        let Some(SipEvent::Response {
            dialog: Some(dialog),
            response,
            ..
        }) = caller.take(|e| matches!(e, SipEvent::Response { dialog: Some(_), .. }))
        else {
            panic!("no answer: {:?}", caller.events)
        };
        let theirs = RemoteMedia::parse(&response.body).unwrap();
        (caller, dialog, theirs)
    }

    fn http(&self, method: &str, path: &str) -> serde_json::Value {
        http(&self.tx, method, path)
    }

    /// The agent's phone rings (180) and answers (200): its dialog and the offer.
    fn agent_answers(&mut self) -> (DialogId, RemoteMedia) {
        self.agent.run(300);
        let Some(SipEvent::Request {
            tx: invite, request, ..
        }) = self.agent.take(|e| matches!(e, SipEvent::Request { .. }))
        else {
            panic!("agent phone not called: {:?}", self.agent.events)
        };
        let offered = RemoteMedia::parse(&request.body).unwrap();
        let now = self.agent.clock.now();
        self.agent.ep.respond(now, invite, 180, vec![], vec![]).unwrap();
        let port = self.agent.rtp.local_addr().unwrap().port();
        let body = answer("127.0.0.1".parse().unwrap(), port, 2, &offered);
        let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
        let dialog = self
            .agent
            .ep
            .respond(now, invite, 200, ct, body)
            .unwrap()
            .unwrap();
        self.agent.run(300);
        (dialog, offered)
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = self.tx.send(Inbound::Shutdown);
        if let Some(r) = self.runner.take() {
            let _ = r.join();
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[test]
fn a_call_hears_the_menu_waits_with_music_and_is_relayed_to_the_agent() {
    let mut rig = Rig::start("b2bua", "b2bua");
    // The caller dials and hears the 500 Hz greeting.
    let (mut caller, caller_dialog, theirs) = rig.dial("ivr");
    assert_eq!(theirs.codec, Codec::Pcma, "the caller's preferred law is kept");
    assert!(
        caller.heard.len() >= 7_000,
        "heard {} samples",
        caller.heard.len()
    );
    assert!(tone_share(&caller.heard[..7_000], 500.0) > 0.8);

    // Digit 1 as RFC 4733: start, update, three end packets, one timestamp.
    for (i, flags) in [0x0au8, 0x0a, 0x8a, 0x8a, 0x8a].into_iter().enumerate() {
        let duration = (160 * (i as u16 + 1)).to_be_bytes();
        let payload = [1, flags, duration[0], duration[1]];
        let pkt = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
            .payload_type(101)
            .sequence_number(100 + i as u16)
            .timestamp(8_000)
            .ssrc(5)
            .marker_bit(i == 0)
            .payload(&payload[..])
            .write_vec()
            .unwrap();
        caller.rtp.send_to(&pkt, theirs.rtp).unwrap();
    }
    caller.heard.clear();
    caller.run(1_000);
    let s = rig.http("GET", "/stats");
    assert_eq!(s["calls"][0]["queue"], 1);
    assert_eq!(s["calls"][0]["music"], true);
    assert_eq!(s["adapter"]["dtmf_rtp"], 1);
    assert!(
        tone_share(&caller.heard[caller.heard.len() - 4_000..], 300.0) > 0.8,
        "music on hold"
    );

    // The agent becomes ready; its phone rings and answers.
    rig.http("POST", "/agents/7/login");
    rig.http("POST", "/agents/7/ready");
    let (agent_dialog, offered) = rig.agent_answers();
    assert_eq!(
        offered.codec,
        Codec::Pcmu,
        "agents are offered media.agent_codec first"
    );
    rig.agent.run(300);
    let s = rig.http("GET", "/stats");
    assert_eq!(s["calls"][0]["connected"], true);
    assert_eq!(s["queues"][0]["totals"]["answered"], 1);

    // Audio is relayed, A-law in and µ-law out: the caller's 440 Hz reaches the agent.
    let mut voice = RtpSender::new(Codec::Pcma, 9);
    let tone: Vec<i16> = (0..4_000)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    rig.agent.heard.clear();
    for frame in tone.chunks(160) {
        caller.rtp.send_to(&voice.packet(frame), theirs.rtp).unwrap();
        rig.agent.run(20);
    }
    rig.agent.run(200);
    assert!(
        rig.agent.heard.len() >= 3_200,
        "agent heard {}",
        rig.agent.heard.len()
    );
    assert!(tone_share(&rig.agent.heard, 440.0) > 0.8);

    // The agent hangs up: the caller's leg gets BYE.
    let _: TxId = rig
        .agent
        .ep
        .request(rig.agent.clock.now(), agent_dialog, Method::Bye, vec![], vec![])
        .unwrap();
    rig.agent.run(300);
    caller.run(300);
    let bye = caller
        .take(|e| matches!(e, SipEvent::InDialog { request, .. } if request.method() == Some(Method::Bye)));
    let Some(SipEvent::InDialog { dialog, .. }) = bye else {
        panic!("caller got no BYE: {:?}", caller.events)
    };
    assert_eq!(dialog, caller_dialog);
    let s = rig.http("GET", "/stats");
    assert!(s["calls"].as_array().unwrap().is_empty());
    assert_eq!(s["queues"][0]["totals"]["handled"], 1);
    assert_eq!(s["queues"][0]["totals"]["abandoned"], 0);
    let (status, metrics) = raw_http(&rig.tx, "GET", "/metrics", "");
    assert_eq!(status, 200);
    for line in [
        "callroute_calls_offered_total{queue=\"1\"} 1",
        "callroute_calls_answered_total{queue=\"1\"} 1",
        "callroute_calls_abandoned_total{queue=\"1\"} 0",
        "callroute_queue_waiting{queue=\"1\"} 0",
        "callroute_agents{state=\"ready\"} 1",
        "callroute_dtmf_rtp_total 1",
        "callroute_sip_calls_active 0",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} missing from\n{metrics}"
        );
    }

    drop(rig);
}

/// Answers the adapter's REFER on the caller's phone with `code`; returns the REFER's
/// Refer-To.
fn answer_refer(caller: &mut Phone, code: u16) -> String {
    caller.run(300);
    let Some(SipEvent::InDialog { tx, request, .. }) = caller
        .take(|e| matches!(e, SipEvent::InDialog { request, .. } if request.method() == Some(Method::Refer)))
    else {
        panic!("no REFER: {:?}", caller.events)
    };
    let now = caller.clock.now();
    caller.ep.respond(now, tx, code, vec![], vec![]).unwrap();
    request.header("Refer-To").unwrap_or_default().to_string()
}

#[test]
fn a_refer_is_followed_through_its_notifies() {
    let rig = Rig::start("refer", "refer");
    rig.http("POST", "/agents/7/login");
    rig.http("POST", "/agents/7/ready");
    // No IVR entry for this number: the call goes to the default queue and rings agent 7.
    let (mut caller, dialog, _) = rig.dial("sales");
    let refer_to = answer_refer(&mut caller, 202);
    assert_eq!(refer_to, format!("<sip:agent7@{}>", rig.agent.addr()));
    let frag = vec![
        ("Event".to_string(), "refer".to_string()),
        ("Content-Type".to_string(), "message/sipfrag".to_string()),
    ];
    for (status, agent_state) in [("SIP/2.0 180 Ringing", "ringing"), ("SIP/2.0 200 OK", "ready")] {
        let now = caller.clock.now();
        caller
            .ep
            .request(
                now,
                dialog,
                Method::Notify,
                frag.clone(),
                status.as_bytes().to_vec(),
            )
            .unwrap();
        caller.run(300);
        let s = rig.http("GET", "/stats");
        assert_eq!(s["agents"][0]["state"]["state"], agent_state, "after {status}");
    }
    // The transfer is done: the adapter leaves the call.
    let bye = caller
        .take(|e| matches!(e, SipEvent::InDialog { request, .. } if request.method() == Some(Method::Bye)));
    assert!(bye.is_some(), "no BYE after the transfer: {:?}", caller.events);
    let s = rig.http("GET", "/stats");
    assert!(s["calls"].as_array().unwrap().is_empty());
    assert_eq!(
        (
            s["queues"][0]["totals"]["answered"].as_u64(),
            s["queues"][0]["totals"]["abandoned"].as_u64()
        ),
        (Some(1), Some(0))
    );
}

#[test]
fn a_refused_refer_falls_back_to_the_b2bua() {
    let mut rig = Rig::start("refused", "refer");
    rig.http("POST", "/agents/7/login");
    rig.http("POST", "/agents/7/ready");
    let (mut caller, _, _) = rig.dial("sales");
    answer_refer(&mut caller, 405);
    caller.run(100);
    let (_, offered) = rig.agent_answers();
    assert_eq!(offered.telephone_event, Some(101));
    let s = rig.http("GET", "/stats");
    assert_eq!(s["calls"][0]["connected"], true);
    assert_eq!(s["agents"][0]["state"]["state"], "talking");
}

#[test]
fn agent_commands_answer_with_the_engine_verdict() {
    let rig = Rig::start("commands", "refer");
    let (status, body) = raw_http(&rig.tx, "POST", "/agents/7/ready", "");
    assert_eq!(status, 409, "a logged-out agent cannot be ready: {body}");
    assert_eq!(raw_http(&rig.tx, "POST", "/agents/x/login", "").0, 400);
    assert_eq!(raw_http(&rig.tx, "POST", "/agents/7/dance", "").0, 404);
    assert_eq!(raw_http(&rig.tx, "GET", "/nowhere", "").0, 404);
    rig.http("POST", "/agents/7/login");
    let (status, body) = raw_http(&rig.tx, "POST", "/agents/7/not-ready", r#"{"reason": "lunch"}"#);
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            v["agent"]["state"]["state"].as_str(),
            v["agent"]["state"]["reason"].as_str()
        ),
        (Some("not-ready"), Some("lunch"))
    );
    let (status, _) = raw_http(&rig.tx, "POST", "/agents/7/not-ready", r#"{"reason": "nap"}"#);
    assert_eq!(status, 409, "undeclared reasons are refused");
    assert_eq!(raw_http(&rig.tx, "GET", "/health", "").1, "ok\n");
}

/// Sends an INVITE for `user` with these extra headers; the final response.
fn invite_once(
    rig: &Rig,
    caller: &mut Phone,
    user: &str,
    headers: Vec<(String, String)>,
) -> callroute_sip::sip::Message {
    let mut h = vec![("Content-Type".to_string(), "application/sdp".to_string())];
    h.extend(headers);
    let (from, sdp) = (format!("sip:caller@{}", caller.addr()), caller.sdp());
    let now = caller.clock.now();
    caller
        .ep
        .invite(now, &format!("sip:{user}@127.0.0.1"), &from, rig.adapter, h, sdp);
    caller.run(400);
    let final_response =
        caller.take(|e| matches!(e, SipEvent::Response { response, .. } if response.status() >= Some(200)));
    let Some(SipEvent::Response { response, .. }) = final_response else {
        panic!("no final response: {:?}", caller.events)
    };
    response
}

#[test]
fn digest_authentication_guards_calls() {
    let rig = Rig::start_with("digest", "refer", r#"digest = { trunk = "secret" }"#);
    let mut caller = Phone::new("caller");
    let challenge = invite_once(&rig, &mut caller, "sales", vec![]);
    assert_eq!(challenge.status(), Some(401));
    let www = challenge.header("WWW-Authenticate").unwrap().to_string();
    let nonce = www
        .split("nonce=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let authorization = |password: &str| {
        let ha1 = md5::compute(format!("trunk:callroute:{password}"));
        let ha2 = md5::compute("INVITE:sip:sales@127.0.0.1");
        let response = md5::compute(format!("{ha1:x}:{nonce}:00000001:c0ffee:auth:{ha2:x}"));
        let value = format!(
            "Digest username=\"trunk\", realm=\"callroute\", nonce=\"{nonce}\", uri=\"sip:sales@127.0.0.1\", \
             response=\"{response:x}\", qop=auth, nc=00000001, cnonce=\"c0ffee\""
        );
        vec![("Authorization".to_string(), value)]
    };
    assert_eq!(
        invite_once(&rig, &mut caller, "sales", authorization("guess")).status(),
        Some(403)
    );
    assert_eq!(
        invite_once(&rig, &mut caller, "sales", authorization("secret")).status(),
        Some(200)
    );
    let s = rig.http("GET", "/stats");
    assert_eq!(s["calls"].as_array().unwrap().len(), 1);
    assert_eq!(s["adapter"]["forbidden"], 1);
}

#[test]
fn a_caller_over_tcp_is_answered_queued_and_hangs_up() {
    use callroute_sip::sip::{Transport, next_message};
    use std::io::{Read, Write};
    let rig = Rig::start("tcp", "refer");
    let mut stream = std::net::TcpStream::connect(rig.adapter).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let me = stream.local_addr().unwrap();
    let mut ep = Endpoint::new(me, "tcp-caller", 5);
    let clock = Clock::start();
    let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sdp = offer(me.ip(), rtp.local_addr().unwrap().port(), 1, Codec::Pcmu);
    let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
    let from = format!("sip:caller@{me}");
    ep.invite(
        clock.now(),
        "sip:sales@127.0.0.1;transport=tcp",
        &from,
        rig.adapter,
        ct,
        sdp,
    );
    let mut buf = Vec::new();
    // Runs the scripted caller over its connection for `ms`, returning its events.
    let mut run = |ep: &mut Endpoint, ms: u64| {
        let end = clock.now() + ms;
        let mut events = Vec::new();
        while clock.now() < end {
            while let Some(t) = ep.poll_transmit() {
                assert_eq!(t.transport, Transport::Tcp);
                stream.write_all(&t.data).unwrap();
            }
            let mut chunk = [0u8; 4096];
            if let Ok(n) = stream.read(&mut chunk) {
                buf.extend_from_slice(&chunk[..n]);
            }
            while let Ok(Some(m)) = next_message(&mut buf) {
                ep.handle_stream_message(clock.now(), rig.adapter, &m);
            }
            events.extend(std::iter::from_fn(|| ep.poll_event()));
        }
        events
    };
    let events = run(&mut ep, 500);
    let dialog = events
        .iter()
        .find_map(|e| match e {
            SipEvent::Response {
                dialog: Some(d),
                response,
                ..
            } if response.status() == Some(200) => Some(*d),
            _ => None,
        })
        .expect("200 over TCP");
    let s = rig.http("GET", "/stats");
    assert_eq!(
        s["calls"][0]["queue"], 1,
        "no IVR for this number: the default queue"
    );
    assert_eq!(s["sip"]["dialogs"], 1, "the ACK came over TCP too");
    ep.request(clock.now(), dialog, Method::Bye, vec![], vec![])
        .unwrap();
    let events = run(&mut ep, 300);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SipEvent::Response { response, .. } if response.status() == Some(200)))
    );
    let s = rig.http("GET", "/stats");
    assert!(s["calls"].as_array().unwrap().is_empty());
    assert_eq!(s["queues"][0]["totals"]["abandoned"], 1);
}

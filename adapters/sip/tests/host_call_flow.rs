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

fn http(tx: &Sender<Inbound>, method: &str, path: &str) -> serde_json::Value {
    let (reply, rx) = channel();
    tx.send(Inbound::Http(HttpRequest {
        method: method.into(),
        path: path.into(),
        body: String::new(),
        reply,
    }))
    .unwrap();
    let r = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

#[test]
fn a_call_hears_the_menu_waits_with_music_and_is_relayed_to_the_agent() {
    let dir = std::env::temp_dir().join(format!("callroute-sip-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("moh")).unwrap();
    write_tone(&dir.join("hello.wav"), 500.0, 1.0);
    write_tone(&dir.join("moh/a.wav"), 300.0, 10.0);
    let mut agent = Phone::new("agent7");
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
connect = "b2bua"
[sip]
listen = "{adapter}"
allow = ["127.0.0.1/32"]
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
    let runner = std::thread::spawn(move || host.run());

    // The caller dials and hears the 500 Hz greeting.
    let mut caller = Phone::new("caller");
    let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
    let sdp = caller.sdp();
    caller.ep.invite(
        caller.clock.now(),
        "sip:ivr@127.0.0.1",
        &format!("sip:caller@{}", caller.addr()),
        adapter,
        ct.clone(),
        sdp,
    );
    caller.run(1_300);
    let Some(SipEvent::Response {
        dialog: Some(caller_dialog),
        response,
        ..
    }) = caller.take(|e| matches!(e, SipEvent::Response { dialog: Some(_), .. }))
    else {
        panic!("no answer: {:?}", caller.events)
    };
    let theirs = RemoteMedia::parse(&response.body).unwrap();
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
    let s = http(&tx, "GET", "/stats");
    assert_eq!(s["calls"][0]["queue"], 1);
    assert_eq!(s["calls"][0]["music"], true);
    assert_eq!(s["adapter"]["dtmf_rtp"], 1);
    assert!(
        tone_share(&caller.heard[caller.heard.len() - 4_000..], 300.0) > 0.8,
        "music on hold"
    );

    // The agent becomes ready; its phone rings and answers.
    http(&tx, "POST", "/agents/7/login");
    http(&tx, "POST", "/agents/7/ready");
    agent.run(300);
    let Some(SipEvent::Request {
        tx: invite, request, ..
    }) = agent.take(|e| matches!(e, SipEvent::Request { .. }))
    else {
        panic!("agent phone not called: {:?}", agent.events)
    };
    let offered = RemoteMedia::parse(&request.body).unwrap();
    assert_eq!(
        offered.codec,
        Codec::Pcmu,
        "agents are offered media.agent_codec first"
    );
    agent
        .ep
        .respond(agent.clock.now(), invite, 180, vec![], vec![])
        .unwrap();
    let body = answer(
        "127.0.0.1".parse().unwrap(),
        agent.rtp.local_addr().unwrap().port(),
        2,
        &offered,
    );
    let agent_dialog: DialogId = agent
        .ep
        .respond(agent.clock.now(), invite, 200, ct, body)
        .unwrap()
        .unwrap();
    agent.run(300);
    let s = http(&tx, "GET", "/stats");
    assert_eq!(s["calls"][0]["connected"], true);
    assert_eq!(s["queues"][0]["totals"]["answered"], 1);

    // Audio is relayed, A-law in and µ-law out: the caller's 440 Hz reaches the agent.
    let mut voice = RtpSender::new(Codec::Pcma, 9);
    let tone: Vec<i16> = (0..4_000)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    agent.heard.clear();
    for frame in tone.chunks(160) {
        caller.rtp.send_to(&voice.packet(frame), theirs.rtp).unwrap();
        agent.run(20);
    }
    agent.run(200);
    assert!(agent.heard.len() >= 3_200, "agent heard {}", agent.heard.len());
    assert!(tone_share(&agent.heard, 440.0) > 0.8);

    // The agent hangs up: the caller's leg gets BYE.
    let _: TxId = agent
        .ep
        .request(agent.clock.now(), agent_dialog, Method::Bye, vec![], vec![])
        .unwrap();
    agent.run(300);
    caller.run(300);
    let bye = caller
        .take(|e| matches!(e, SipEvent::InDialog { request, .. } if request.method() == Some(Method::Bye)));
    let Some(SipEvent::InDialog { dialog, .. }) = bye else {
        panic!("caller got no BYE: {:?}", caller.events)
    };
    assert_eq!(dialog, caller_dialog);
    let s = http(&tx, "GET", "/stats");
    assert!(s["calls"].as_array().unwrap().is_empty());
    assert_eq!(s["queues"][0]["totals"]["handled"], 1);
    assert_eq!(s["queues"][0]["totals"]["abandoned"], 0);

    tx.send(Inbound::Shutdown).unwrap();
    runner.join().unwrap().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

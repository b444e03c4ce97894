//! The host: owns the sockets and the clock, and drives both sans-IO layers (the SIP
//! [`Endpoint`] and the callroute [`Engine`]) from one loop.
//!
//! Every input goes through one method (`feed`): the engine handles it at the clock's time,
//! the entry is journaled, and the outputs are drained at once. Timers of both layers
//! and the 20 ms media tick decide how long the loop may sleep.

mod actions;
mod agents;
mod calls;
mod http;
mod media;
mod recovery;
mod stats;
mod tcp;

pub(crate) use calls::{AgentLeg, Call};
pub use http::HttpRequest;
pub use media::MediaLeg;

use crate::clock::Clock;
use crate::config::{AdapterConfig, ConfigError, ConnectMode};
use crate::journal::{Journal, JournalError};
use crate::media::{CommandTts, FRAME_MS, Sounds, TtsRenderer};
use crate::security::Guard;
use crate::sip::{DialogId, Endpoint, Transport, TxId};
use callroute::{AgentId, CallId, Engine, Input, JournalEntry, Output, Poll};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

/// Why the adapter could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The engine refused its configuration or a journal entry.
    #[error("engine: {0}")]
    Engine(#[from] callroute::Error),
    /// The journal could not be opened or read.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A socket could not be opened.
    #[error("{what}: {source}")]
    Io {
        /// Which socket or file.
        what: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// What the reader threads send to the loop.
pub enum Inbound {
    /// A SIP datagram.
    Sip {
        /// From.
        from: SocketAddr,
        /// Bytes.
        data: Vec<u8>,
    },
    /// An RTP packet on one of our media ports.
    Rtp {
        /// Our port.
        port: u16,
        /// From.
        from: SocketAddr,
        /// Bytes.
        data: Vec<u8>,
    },
    /// A SIP message framed from a TCP connection.
    SipStream {
        /// The connection's peer.
        from: SocketAddr,
        /// Bytes of one message.
        data: Vec<u8>,
    },
    /// A TCP connection to keep for sending.
    TcpOpen {
        /// Its peer.
        peer: SocketAddr,
        /// The stream.
        stream: std::net::TcpStream,
    },
    /// A TCP connection closed.
    TcpClosed {
        /// Its peer.
        peer: SocketAddr,
    },
    /// An HTTP request waiting for its answer.
    Http(HttpRequest),
    /// Stop the loop.
    Shutdown,
}

/// Which side of a call a dialog or media port belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Caller,
    Agent,
}

/// What one of our client transactions is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    AgentInvite,
    Refer(AgentId),
    /// BYE and other requests whose answer changes nothing.
    Plain,
}

/// The adapter.
pub struct Host {
    cfg: AdapterConfig,
    clock: Clock,
    engine: Engine,
    ep: Endpoint,
    sip: UdpSocket,
    guard: Guard,
    sounds: Sounds,
    journal: Option<Journal>,
    events: Option<std::fs::File>,
    inbound: Sender<Inbound>,
    rx: Receiver<Inbound>,
    calls: BTreeMap<CallId, Call>,
    dialogs: HashMap<DialogId, (CallId, Side)>,
    txs: HashMap<TxId, (CallId, Purpose)>,
    ports: HashMap<u16, (CallId, Side)>,
    registrations: BTreeMap<AgentId, (String, u64)>,
    tcp: HashMap<SocketAddr, std::net::TcpStream>,
    tcp_listener: Option<std::net::TcpListener>,
    pending: VecDeque<Input>,
    next_call: u64,
    next_tick: Option<u64>,
    metrics: stats::Metrics,
    /// Calls the engine has, as far as its events tell (for journal compaction).
    live: std::collections::BTreeSet<CallId>,
    since_compact: u64,
}

impl Host {
    /// Builds the adapter from its configuration: binds the SIP socket, opens the
    /// journal and replays it, and resumes the calls that were live.
    pub fn new(cfg: AdapterConfig) -> Result<Host, StartError> {
        let clock = Clock::start();
        let engine_cfg = cfg.engine_config()?;
        let mut journal = match &cfg.ops.journal {
            Some(p) => Some(Journal::open(&cfg.resolve(p))?),
            None => None,
        };
        let (engine, offered) = match &mut journal {
            Some(j) => {
                let replayed = j.len()?;
                let (engine, offered) = j.recover(engine_cfg, cfg.seed)?;
                tracing::info!(
                    entries = replayed,
                    live_calls = engine.live_calls(),
                    "journal replayed"
                );
                if cfg.ops.compact_every > 0 && replayed >= cfg.ops.compact_every {
                    j.compact(&engine.snapshot(), &offered)?;
                }
                (engine, offered)
            }
            None => (Engine::new(engine_cfg, cfg.seed)?, Vec::new()),
        };
        for id in cfg.agents.keys() {
            if engine.agent_status(AgentId(*id)).is_none() {
                tracing::warn!(
                    agent = id,
                    "phone configured for an agent the engine does not have"
                );
            }
        }
        let sip = UdpSocket::bind(cfg.sip.listen).map_err(|source| StartError::Io {
            what: format!("SIP socket {}", cfg.sip.listen),
            source,
        })?;
        let tcp_listener = std::net::TcpListener::bind(cfg.sip.listen).map_err(|source| StartError::Io {
            what: format!("SIP TCP {}", cfg.sip.listen),
            source,
        })?;
        let events = match &cfg.ops.events {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(cfg.resolve(p))
                    .map_err(|source| StartError::Io {
                        what: p.display().to_string(),
                        source,
                    })?,
            ),
            None => None,
        };
        let now = clock.now();
        let tts: Option<Box<dyn TtsRenderer>> = (!cfg.media.tts_command.is_empty()).then(|| {
            Box::new(CommandTts {
                command: cfg.media.tts_command.clone(),
                dir: std::env::temp_dir(),
            }) as Box<dyn TtsRenderer>
        });
        let sounds = Sounds::new(
            cfg.resolve(&cfg.media.sounds_dir),
            cfg.resolve(&cfg.media.moh_dir),
            tts,
        );
        let guard = Guard::new(
            cfg.sip.allow.clone(),
            cfg.sip.realm.clone(),
            cfg.sip.digest.clone(),
            now,
        );
        let (inbound, rx) = channel();
        let mut host = Host {
            ep: Endpoint::new(cfg.sip.listen, &cfg.sip.user, now),
            cfg,
            clock,
            engine,
            sip,
            guard,
            sounds,
            journal,
            events,
            inbound,
            rx,
            calls: BTreeMap::new(),
            dialogs: HashMap::new(),
            txs: HashMap::new(),
            ports: HashMap::new(),
            registrations: BTreeMap::new(),
            tcp: HashMap::new(),
            tcp_listener: Some(tcp_listener),
            pending: VecDeque::new(),
            next_call: now * 10,
            next_tick: None,
            metrics: stats::Metrics::default(),
            live: offered.iter().copied().collect(),
            since_compact: 0,
        };
        host.resume_calls(&offered);
        Ok(host)
    }

    /// A sender for feeding the loop from outside (HTTP, signals, tests).
    pub fn sender(&self) -> Sender<Inbound> {
        self.inbound.clone()
    }

    /// The SIP address.
    pub fn sip_addr(&self) -> SocketAddr {
        self.cfg.sip.listen
    }

    fn connect_mode(&self) -> ConnectMode {
        self.cfg.connect
    }

    /// Runs until [`Inbound::Shutdown`].
    pub fn run(mut self) -> Result<(), StartError> {
        let reader = self.sip.try_clone().map_err(|source| StartError::Io {
            what: "SIP socket".into(),
            source,
        })?;
        let tx = self.inbound.clone();
        std::thread::Builder::new()
            .name("sip".into())
            .spawn(move || {
                let mut buf = vec![0u8; 65_535];
                loop {
                    match reader.recv_from(&mut buf) {
                        Ok((n, from)) => {
                            if tx
                                .send(Inbound::Sip {
                                    from,
                                    data: buf[..n].to_vec(),
                                })
                                .is_err()
                            {
                                break;
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "SIP socket read failed"),
                    }
                }
            })
            .map_err(|source| StartError::Io {
                what: "SIP thread".into(),
                source,
            })?;
        if let Some(listener) = self.tcp_listener.take() {
            tcp::listen(listener, self.inbound.clone()).map_err(|source| StartError::Io {
                what: "SIP TCP thread".into(),
                source,
            })?;
        }
        if let Some(addr) = self.cfg.ops.http {
            http::serve(addr, self.inbound.clone()).map_err(|source| StartError::Io {
                what: format!("HTTP {addr}"),
                source,
            })?;
        }
        tracing::info!(sip = %self.cfg.sip.listen, http = ?self.cfg.ops.http, "adapter running");
        loop {
            let wait = self
                .next_wakeup()
                .map_or(Duration::from_secs(1), |at| self.clock.until(at));
            match self.rx.recv_timeout(wait.min(Duration::from_secs(1))) {
                Ok(Inbound::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(msg) => self.handle(msg),
                Err(RecvTimeoutError::Timeout) => {}
            }
            while let Ok(msg) = self.rx.try_recv() {
                if matches!(msg, Inbound::Shutdown) {
                    return Ok(());
                }
                self.handle(msg);
            }
            self.on_timers();
        }
        Ok(())
    }

    fn next_wakeup(&self) -> Option<u64> {
        let legs = self.calls.values().flat_map(|c| {
            [c.voicemail_until, c.agent.as_ref().map(|a| a.give_up_at)]
                .into_iter()
                .flatten()
        });
        [
            self.ep.next_deadline(),
            self.engine.next_deadline(),
            self.next_tick,
        ]
        .into_iter()
        .flatten()
        .chain(legs)
        .min()
    }

    fn handle(&mut self, msg: Inbound) {
        match msg {
            Inbound::Sip { from, data } => {
                let now = self.clock.now();
                self.ep.handle_datagram(now, from, &data);
                self.pump_sip();
            }
            Inbound::SipStream { from, data } => {
                let now = self.clock.now();
                self.ep.handle_stream_message(now, from, &data);
                self.pump_sip();
            }
            Inbound::TcpOpen { peer, stream } => {
                self.tcp.insert(peer, stream);
            }
            Inbound::TcpClosed { peer } => {
                self.tcp.remove(&peer);
            }
            Inbound::Rtp { port, from, data } => self.on_rtp(port, from, &data),
            Inbound::Http(req) => self.on_http(req),
            Inbound::Shutdown => {}
        }
    }

    /// Fires due timers of the SIP layer, the engine, the media tick and the legs.
    fn on_timers(&mut self) {
        let now = self.clock.now();
        if self.ep.next_deadline().is_some_and(|d| d <= now) {
            self.ep.handle_timeout(now);
            self.pump_sip();
        }
        if self.engine.next_deadline().is_some_and(|d| d <= now) {
            let at = now.max(self.engine.now());
            match self.engine.handle_timeout(at) {
                Ok(()) => self.journal_entry(JournalEntry { at, input: None }),
                Err(e) => tracing::error!(error = %e, "engine timeout failed"),
            }
            self.drain_engine();
        }
        if let Some(tick) = self.next_tick
            && tick <= now
        {
            // Catch up at most a few frames; after a stall, resynchronise.
            let behind = (now - tick) / FRAME_MS;
            for _ in 0..=behind.min(3) {
                self.media_tick();
            }
            self.next_tick = Some(if behind > 3 {
                now + FRAME_MS
            } else {
                tick + FRAME_MS * (behind + 1)
            });
        }
        self.leg_timers(now);
    }

    /// Sends what the SIP layer queued and handles its events.
    fn pump_sip(&mut self) {
        loop {
            while let Some(t) = self.ep.poll_transmit() {
                match t.transport {
                    Transport::Udp => {
                        if let Err(e) = self.sip.send_to(&t.data, t.to) {
                            tracing::warn!(to = %t.to, error = %e, "SIP send failed");
                        }
                    }
                    Transport::Tcp => self.send_tcp(t.to, &t.data),
                }
            }
            let Some(ev) = self.ep.poll_event() else { break };
            self.on_sip_event(ev);
        }
    }

    /// Feeds one input to the engine at the clock's time, journals it, and carries out
    /// the outputs. An input the engine refuses is logged and changes nothing.
    pub(crate) fn feed(&mut self, input: Input) -> Result<(), callroute::Error> {
        let at = self.clock.now().max(self.engine.now());
        let kind = input.kind();
        let result = self.engine.handle_input(at, input.clone());
        match &result {
            Ok(()) => self.journal_entry(JournalEntry {
                at,
                input: Some(input),
            }),
            Err(e) => tracing::warn!(input = kind, error = %e, "engine refused input"),
        }
        self.drain_engine();
        result
    }

    fn journal_entry(&mut self, entry: JournalEntry) {
        let Some(j) = &mut self.journal else { return };
        if let Err(e) = j.append(&entry) {
            tracing::error!(error = %e, "journal write failed");
        }
        self.since_compact += 1;
        let every = self.cfg.ops.compact_every;
        if every > 0 && self.since_compact >= every {
            self.since_compact = 0;
            let live: Vec<CallId> = self.live.iter().copied().collect();
            match j.compact(&self.engine.snapshot(), &live) {
                Ok(()) => tracing::info!(live_calls = live.len(), "journal compacted"),
                Err(e) => tracing::error!(error = %e, "journal compaction failed"),
            }
        }
    }

    /// Drains the engine's outputs, then feeds the inputs the actions produced.
    fn drain_engine(&mut self) {
        loop {
            while let Poll::Output(o) = self.engine.poll() {
                match o {
                    Output::Action(a) => self.act(a),
                    Output::Event(e) => self.observe(e),
                }
            }
            let Some(input) = self.pending.pop_front() else {
                break;
            };
            let _ = self.feed(input);
        }
    }

    fn log_json(&mut self, value: serde_json::Value) {
        if let Some(f) = &mut self.events {
            let _ = writeln!(f, "{value}");
        }
    }
}

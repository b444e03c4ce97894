//! The sans-IO SIP endpoint: transactions (RFC 3261 section 17) and dialogs over UDP
//! datagrams. The host feeds datagrams and the time, and sends what [`Endpoint::poll_transmit`]
//! returns; the application reacts to [`SipEvent`]s and answers through the methods here.

mod client;
mod server;

use super::dialog::{Dialog, DialogId};
use super::message::{Message, ParseError};
use rsip::Method;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;

/// Milliseconds of host time.
pub type Millis = u64;

/// RFC 3261 timer T1 (round-trip estimate).
pub const T1: Millis = 500;
/// RFC 3261 timer T2 (longest retransmit interval of non-INVITE requests).
pub const T2: Millis = 4_000;
/// How long a completed transaction absorbs retransmissions.
const LINGER: Millis = 32_000;

/// The transport a message travels on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// UDP: the endpoint retransmits.
    #[default]
    Udp,
    /// TCP: reliable, no retransmissions (RFC 3261 section 17).
    Tcp,
}

impl Transport {
    /// As written in Via.
    pub fn via_name(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }

    /// The transport a URI asks for (`;transport=tcp`), UDP otherwise.
    pub fn of_uri(uri: &str) -> Transport {
        if uri.to_ascii_lowercase().contains(";transport=tcp") {
            Transport::Tcp
        } else {
            Transport::Udp
        }
    }
}

/// A transaction's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxId(pub u64);

/// Errors of the endpoint's API (mistakes of the application, not of the network).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SipError {
    /// No such transaction (it ended or never existed).
    #[error("unknown transaction {0:?}")]
    UnknownTransaction(TxId),
    /// No such dialog.
    #[error("unknown dialog {0:?}")]
    UnknownDialog(DialogId),
    /// The transaction already has a final response.
    #[error("transaction {0:?} already answered")]
    AlreadyAnswered(TxId),
    /// A status code outside 100-699.
    #[error("bad status code {0}")]
    BadStatus(u16),
}

/// Something for the application.
#[derive(Debug, Clone, PartialEq)]
pub enum SipEvent {
    /// A request outside any dialog (INVITE, REGISTER, REFER, ...). OPTIONS is answered
    /// by the endpoint and not reported.
    Request {
        /// Answer it with [`Endpoint::respond`].
        tx: TxId,
        /// Where it came from.
        source: SocketAddr,
        /// The request.
        request: Message,
    },
    /// A request inside a dialog (BYE, INFO, NOTIFY, re-INVITE, ...).
    InDialog {
        /// Answer it with [`Endpoint::respond`].
        tx: TxId,
        /// The dialog.
        dialog: DialogId,
        /// The request.
        request: Message,
    },
    /// The ACK for our 2xx arrived: the session is up.
    Acked {
        /// The dialog.
        dialog: DialogId,
    },
    /// Our 2xx was never acknowledged; the application should send BYE.
    AckTimeout {
        /// The dialog.
        dialog: DialogId,
    },
    /// The peer cancelled an INVITE we had not answered; 487 was sent.
    Cancelled {
        /// The INVITE's transaction.
        tx: TxId,
    },
    /// A response to one of our requests. For a 2xx to an INVITE the dialog is set
    /// and the ACK was sent.
    Response {
        /// Our transaction.
        tx: TxId,
        /// The dialog the response belongs to or created.
        dialog: Option<DialogId>,
        /// The response.
        response: Message,
    },
    /// Our request got no final response in time (the application treats it as 408).
    Timeout {
        /// Our transaction.
        tx: TxId,
    },
    /// A datagram that is not a usable SIP message was dropped.
    Malformed {
        /// From.
        source: SocketAddr,
        /// Why.
        error: ParseError,
    },
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Destination.
    pub to: SocketAddr,
    /// Over which transport (a TCP message goes over the connection with `to`).
    pub transport: Transport,
    /// Bytes.
    pub data: Vec<u8>,
}

/// Transactions are found by the branch of the top Via and the method (RFC 3261
/// section 17.2.3; CANCEL and ACK of a non-2xx share the INVITE's branch).
fn key(branch: &str, method: Method) -> (String, String) {
    (branch.to_string(), method.to_string())
}

struct Retransmit {
    at: Millis,
    interval: Millis,
    cap: Option<Millis>,
}

impl Retransmit {
    fn new(now: Millis, cap: Option<Millis>) -> Self {
        Retransmit {
            at: now + T1,
            interval: T1,
            cap,
        }
    }
    fn step(&mut self, now: Millis) {
        self.interval = self.cap.map_or(self.interval * 2, |c| (self.interval * 2).min(c));
        self.at = now + self.interval;
    }
}

struct ServerTx {
    request: Message,
    source: SocketAddr,
    transport: Transport,
    local_tag: String,
    last: Option<Vec<u8>>,
    final_code: Option<u16>,
    /// Retransmission of a final response until ACK (INVITE only).
    retransmit: Option<Retransmit>,
    give_up_at: Option<Millis>,
    expires_at: Option<Millis>,
    dialog: Option<DialogId>,
}

struct ClientTx {
    request: Message,
    data: Vec<u8>,
    to: SocketAddr,
    transport: Transport,
    retransmit: Option<Retransmit>,
    timeout_at: Option<Millis>,
    expires_at: Option<Millis>,
    final_code: Option<u16>,
    dialog: Option<DialogId>,
}

/// The sans-IO SIP endpoint. See the module docs.
pub struct Endpoint {
    local: SocketAddr,
    contact: String,
    user_agent: String,
    seq: u64,
    rng: u64,
    server: BTreeMap<TxId, ServerTx>,
    server_keys: HashMap<(String, String), TxId>,
    client: BTreeMap<TxId, ClientTx>,
    client_keys: HashMap<(String, String), TxId>,
    dialogs: BTreeMap<DialogId, Dialog>,
    dialog_keys: HashMap<(String, String, String), DialogId>,
    /// Dialogs whose 2xx is retransmitted until ACK, with the INVITE transaction.
    unacked: BTreeMap<DialogId, TxId>,
    /// The last ACK we sent for a 2xx, resent when the 2xx is retransmitted.
    acks: HashMap<DialogId, Transmit>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<SipEvent>,
}

impl Endpoint {
    /// An endpoint reachable at `local` (used in Via and Contact); `seed` makes tags,
    /// branches and Call-IDs unique across restarts.
    pub fn new(local: SocketAddr, user: &str, seed: u64) -> Endpoint {
        Endpoint {
            local,
            contact: format!("<sip:{user}@{local}>"),
            user_agent: format!("callroute-sip/{}", env!("CARGO_PKG_VERSION")),
            seq: 0,
            rng: seed | 1,
            server: BTreeMap::new(),
            server_keys: HashMap::new(),
            client: BTreeMap::new(),
            client_keys: HashMap::new(),
            dialogs: BTreeMap::new(),
            dialog_keys: HashMap::new(),
            unacked: BTreeMap::new(),
            acks: HashMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Our Contact header value.
    pub fn contact(&self) -> &str {
        &self.contact
    }

    /// Our Contact for messages on `transport`.
    fn contact_for(&self, transport: Transport) -> String {
        match transport {
            Transport::Udp => self.contact.clone(),
            Transport::Tcp => self.contact.replace('>', ";transport=tcp>"),
        }
    }

    /// The address in our Via and Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    fn token(&mut self) -> String {
        // splitmix64: unique, unpredictable enough for tags and branches.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        format!("{:x}", z ^ (z >> 31))
    }

    fn next_id(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<SipEvent> {
        self.events.pop_front()
    }

    /// A dialog's state.
    pub fn dialog(&self, id: DialogId) -> Option<&Dialog> {
        self.dialogs.get(&id)
    }

    /// Takes over a dialog saved before a restart; requests in it are recognised again.
    pub fn restore_dialog(&mut self, d: Dialog) -> DialogId {
        let id = DialogId(self.next_id());
        self.dialog_keys
            .insert((d.call_id.clone(), d.local_tag.clone(), d.remote_tag.clone()), id);
        self.dialogs.insert(id, d);
        id
    }

    /// Forgets a dialog (after BYE).
    pub fn end_dialog(&mut self, id: DialogId) {
        if let Some(d) = self.dialogs.remove(&id) {
            self.dialog_keys.remove(&(d.call_id, d.local_tag, d.remote_tag));
        }
        self.unacked.remove(&id);
        self.acks.remove(&id);
    }

    /// The request a server transaction answers.
    pub fn request_of(&self, tx: TxId) -> Option<&Message> {
        self.server
            .get(&tx)
            .map(|t| &t.request)
            .or_else(|| self.client.get(&tx).map(|t| &t.request))
    }

    /// Number of live transactions and dialogs, for metrics and leak tests.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.server.len(), self.client.len(), self.dialogs.len())
    }

    fn send(&mut self, to: SocketAddr, transport: Transport, data: Vec<u8>) {
        self.transmits.push_back(Transmit { to, transport, data });
    }

    /// Handles one datagram from `source`.
    pub fn handle_datagram(&mut self, now: Millis, source: SocketAddr, data: &[u8]) {
        self.handle_message(now, source, Transport::Udp, data);
    }

    /// Handles one message framed from a TCP connection with `source`.
    pub fn handle_stream_message(&mut self, now: Millis, source: SocketAddr, data: &[u8]) {
        self.handle_message(now, source, Transport::Tcp, data);
    }

    fn handle_message(&mut self, now: Millis, source: SocketAddr, transport: Transport, data: &[u8]) {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return; // keep-alive
        }
        match Message::parse(data) {
            Ok(m) if m.is_request() => self.on_request(now, source, transport, m),
            Ok(m) => self.on_response(now, m),
            Err(error) => self.events.push_back(SipEvent::Malformed { source, error }),
        }
    }

    /// The earliest time [`Endpoint::handle_timeout`] has work.
    pub fn next_deadline(&self) -> Option<Millis> {
        let server = self.server.values().flat_map(|t| {
            [t.retransmit.as_ref().map(|r| r.at), t.give_up_at, t.expires_at]
                .into_iter()
                .flatten()
        });
        let client = self.client.values().flat_map(|t| {
            [t.retransmit.as_ref().map(|r| r.at), t.timeout_at, t.expires_at]
                .into_iter()
                .flatten()
        });
        server.chain(client).min()
    }

    /// Retransmits, times out and forgets transactions due at `now`.
    pub fn handle_timeout(&mut self, now: Millis) {
        let mut sends = Vec::new();
        let mut dead = Vec::new();
        for (&id, t) in self.server.iter_mut() {
            if t.give_up_at.is_some_and(|at| at <= now) {
                t.retransmit = None;
                t.give_up_at = None;
                if let Some(d) = t.dialog
                    && self.unacked.remove(&d).is_some()
                {
                    self.events.push_back(SipEvent::AckTimeout { dialog: d });
                }
            }
            if let Some(r) = t.retransmit.as_mut()
                && r.at <= now
            {
                r.step(now);
                if let Some(last) = &t.last {
                    sends.push(Transmit {
                        to: t.source,
                        transport: t.transport,
                        data: last.clone(),
                    });
                }
            }
            if t.expires_at.is_some_and(|at| at <= now) && t.retransmit.is_none() {
                dead.push(id);
            }
        }
        for id in dead.drain(..) {
            if let Some(t) = self.server.remove(&id) {
                let method = t.request.method().unwrap_or(Method::Options);
                self.server_keys
                    .remove(&key(t.request.branch().unwrap_or_default(), method));
            }
        }
        for (&id, t) in self.client.iter_mut() {
            if t.timeout_at.is_some_and(|at| at <= now) {
                t.timeout_at = None;
                t.retransmit = None;
                t.final_code = Some(408);
                t.expires_at = Some(now);
                self.events.push_back(SipEvent::Timeout { tx: id });
            }
            if let Some(r) = t.retransmit.as_mut()
                && r.at <= now
            {
                r.step(now);
                sends.push(Transmit {
                    to: t.to,
                    transport: t.transport,
                    data: t.data.clone(),
                });
            }
            if t.expires_at.is_some_and(|at| at <= now) {
                dead.push(id);
            }
        }
        for id in dead {
            if let Some(t) = self.client.remove(&id) {
                let method = t.request.method().unwrap_or(Method::Options);
                self.client_keys
                    .remove(&key(t.request.branch().unwrap_or_default(), method));
            }
        }
        self.transmits.extend(sends);
    }
}

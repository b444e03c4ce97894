//! The sans-IO SIP endpoint: transactions (RFC 3261 section 17) and dialogs over UDP
//! datagrams. The host feeds datagrams and the time, and sends what [`Endpoint::poll_transmit`]
//! returns; the application reacts to [`SipEvent`]s and answers through the methods here.

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

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Destination.
    pub to: SocketAddr,
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

    fn send(&mut self, to: SocketAddr, data: Vec<u8>) {
        self.transmits.push_back(Transmit { to, data });
    }

    /// Handles one datagram from `source`.
    pub fn handle_datagram(&mut self, now: Millis, source: SocketAddr, data: &[u8]) {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return; // keep-alive
        }
        match Message::parse(data) {
            Ok(m) if m.is_request() => self.on_request(now, source, m),
            Ok(m) => self.on_response(now, m),
            Err(error) => self.events.push_back(SipEvent::Malformed { source, error }),
        }
    }

    fn on_request(&mut self, now: Millis, source: SocketAddr, m: Message) {
        let Some(method) = m.method() else { return };
        let branch = m.branch().unwrap_or_default().to_string();
        match method {
            Method::Ack => return self.on_ack(now, m, branch),
            Method::Cancel => return self.on_cancel(now, source, m, branch),
            _ => {}
        }
        if let Some(&tx) = self.server_keys.get(&key(&branch, method)) {
            // A retransmission: repeat the last response.
            if let Some(t) = self.server.get(&tx)
                && let Some(last) = t.last.clone()
            {
                self.send(t.source, last);
            }
            return;
        }
        let tx = TxId(self.next_id());
        let local_tag = self.token();
        self.server_keys.insert(key(&branch, method), tx);
        self.server.insert(
            tx,
            ServerTx {
                request: m.clone(),
                source,
                local_tag,
                last: None,
                final_code: None,
                retransmit: None,
                give_up_at: None,
                expires_at: None,
                dialog: None,
            },
        );
        if let Some(to_tag) = m.to_tag() {
            let key = (
                m.call_id().to_string(),
                to_tag.to_string(),
                m.from_tag().unwrap_or_default().into(),
            );
            let Some(&dialog) = self.dialog_keys.get(&key) else {
                let _ = self.respond(now, tx, 481, Vec::new(), Vec::new());
                return;
            };
            let ok = self
                .dialogs
                .get_mut(&dialog)
                .is_some_and(|d| d.accept_remote_cseq(&m));
            if !ok {
                let _ = self.respond(now, tx, 500, Vec::new(), Vec::new());
                return;
            }
            if let Some(t) = self.server.get_mut(&tx) {
                t.dialog = Some(dialog);
            }
            self.events.push_back(SipEvent::InDialog {
                tx,
                dialog,
                request: m,
            });
            return;
        }
        if method == Method::Options {
            let allow = vec![
                (
                    "Allow".into(),
                    "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER".into(),
                ),
                ("Accept".into(), "application/sdp, application/dtmf-relay".into()),
            ];
            let _ = self.respond(now, tx, 200, allow, Vec::new());
            return;
        }
        self.events.push_back(SipEvent::Request {
            tx,
            source,
            request: m,
        });
    }

    fn on_ack(&mut self, now: Millis, m: Message, branch: String) {
        // ACK of a non-2xx final: same branch as the INVITE.
        if let Some(&tx) = self.server_keys.get(&key(&branch, Method::Invite))
            && let Some(t) = self.server.get_mut(&tx)
            && t.final_code.is_some_and(|c| c >= 300)
        {
            t.retransmit = None;
            t.give_up_at = None;
            t.expires_at = Some(now + 5_000);
            return;
        }
        let key = (
            m.call_id().to_string(),
            m.to_tag().unwrap_or_default().to_string(),
            m.from_tag().unwrap_or_default().to_string(),
        );
        if let Some(&dialog) = self.dialog_keys.get(&key)
            && let Some(tx) = self.unacked.remove(&dialog)
        {
            if let Some(t) = self.server.get_mut(&tx) {
                t.retransmit = None;
                t.give_up_at = None;
            }
            self.events.push_back(SipEvent::Acked { dialog });
        }
    }

    fn on_cancel(&mut self, now: Millis, source: SocketAddr, m: Message, branch: String) {
        let invite = self.server_keys.get(&key(&branch, Method::Invite)).copied();
        let code = match invite.and_then(|tx| self.server.get(&tx)) {
            Some(t) if t.final_code.is_none() => 200,
            Some(_) => 200, // too late: the INVITE was answered; CANCEL has no effect
            None => 481,
        };
        let resp = m.response(code, None).to_bytes();
        self.send(source, resp);
        if let Some(tx) = invite
            && code == 200
            && self.server.get(&tx).is_some_and(|t| t.final_code.is_none())
        {
            let _ = self.respond(now, tx, 487, Vec::new(), Vec::new());
            self.events.push_back(SipEvent::Cancelled { tx });
        }
    }

    /// Answers a server transaction. For INVITE a 2xx creates the dialog (returned),
    /// copies Record-Route, adds our Contact and is retransmitted until ACK.
    pub fn respond(
        &mut self,
        now: Millis,
        tx: TxId,
        code: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Option<DialogId>, SipError> {
        if !(100..700).contains(&code) {
            return Err(SipError::BadStatus(code));
        }
        let contact = self.contact.clone();
        let user_agent = self.user_agent.clone();
        let t = self.server.get(&tx).ok_or(SipError::UnknownTransaction(tx))?;
        if t.final_code.is_some() {
            return Err(SipError::AlreadyAnswered(tx));
        }
        let method = t.request.method().unwrap_or(Method::Options);
        let tag = (code > 100).then_some(t.local_tag.as_str());
        let mut r = t.request.response(code, tag);
        let dialog_creating = method == Method::Invite && (101..300).contains(&code);
        if dialog_creating {
            for rr in t.request.header_list("Record-Route") {
                r.push("Record-Route", rr);
            }
        }
        if dialog_creating || (method != Method::Invite && code < 300 && t.dialog.is_none()) {
            r.push("Contact", contact);
        }
        r.push("Server", user_agent);
        for (n, v) in headers {
            r.set(&n, v);
        }
        r.body = body;
        let data = r.to_bytes();
        let source = t.source;
        let mut dialog = t.dialog;
        if method == Method::Invite && (200..300).contains(&code) && dialog.is_none() {
            let d = Dialog::as_uas(&t.request, &t.local_tag, source);
            let id = DialogId(self.next_id());
            self.dialog_keys
                .insert((d.call_id.clone(), d.local_tag.clone(), d.remote_tag.clone()), id);
            self.dialogs.insert(id, d);
            self.unacked.insert(id, tx);
            dialog = Some(id);
        }
        let t = self.server.get_mut(&tx).ok_or(SipError::UnknownTransaction(tx))?;
        t.last = Some(data.clone());
        if code >= 200 {
            t.final_code = Some(code);
            t.dialog = dialog;
            if method == Method::Invite {
                t.retransmit = Some(Retransmit::new(now, Some(T2)));
                t.give_up_at = Some(now + 64 * T1);
            }
            t.expires_at = Some(now + LINGER);
        }
        self.send(source, data);
        Ok(dialog.filter(|_| method == Method::Invite && (200..300).contains(&code)))
    }

    fn via(&mut self) -> (String, String) {
        let branch = format!("z9hG4bK{}", self.token());
        (
            format!("SIP/2.0/UDP {};rport;branch={branch}", self.local),
            branch,
        )
    }

    fn start_client(
        &mut self,
        now: Millis,
        mut m: Message,
        to: SocketAddr,
        dialog: Option<DialogId>,
    ) -> TxId {
        let (via, branch) = self.via();
        m.headers.insert(0, ("Via".into(), via));
        m.push("User-Agent", self.user_agent.clone());
        let method = m.method().unwrap_or(Method::Options);
        let data = m.to_bytes();
        let tx = TxId(self.next_id());
        let cap = (method != Method::Invite).then_some(T2);
        self.client_keys.insert(key(&branch, method), tx);
        self.client.insert(
            tx,
            ClientTx {
                request: m,
                data: data.clone(),
                to,
                retransmit: Some(Retransmit::new(now, cap)),
                timeout_at: Some(now + 64 * T1),
                expires_at: None,
                final_code: None,
                dialog,
            },
        );
        self.send(to, data);
        tx
    }

    /// Sends an INVITE outside any dialog to `target` (Request-URI and To), through
    /// `to`. The 2xx creates a dialog and is acknowledged by the endpoint.
    pub fn invite(
        &mut self,
        now: Millis,
        target: &str,
        from: &str,
        to: SocketAddr,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> TxId {
        let tag = self.token();
        let call_id = format!("{}@{}", self.token(), self.local.ip());
        let mut m = Message::request(Method::Invite, target);
        m.push("From", format!("<{from}>;tag={tag}"));
        m.push("To", format!("<{target}>"));
        m.push("Call-ID", call_id);
        m.push("CSeq", "1 INVITE");
        m.push("Max-Forwards", "70");
        m.push("Contact", self.contact.clone());
        for (n, v) in headers {
            m.push(&n, v);
        }
        m.body = body;
        self.start_client(now, m, to, None)
    }

    /// Cancels one of our INVITEs that has no final response yet.
    pub fn cancel(&mut self, now: Millis, tx: TxId) -> Result<(), SipError> {
        let t = self.client.get(&tx).ok_or(SipError::UnknownTransaction(tx))?;
        if t.final_code.is_some() {
            return Err(SipError::AlreadyAnswered(tx));
        }
        let mut c = Message::request(Method::Cancel, t.request.request_uri().unwrap_or_default());
        for name in ["Via", "Route", "From", "To", "Call-ID"] {
            for v in t.request.header_list(name) {
                c.push(name, v);
            }
        }
        let n = t.request.cseq().map_or(1, |(n, _)| n);
        c.push("CSeq", format!("{n} CANCEL"));
        c.push("Max-Forwards", "70");
        let to = t.to;
        // CANCEL shares the INVITE's branch: it is its own transaction all the same.
        let branch = t.request.branch().unwrap_or_default().to_string();
        let data = c.to_bytes();
        let id = TxId(self.next_id());
        self.client_keys.insert(key(&branch, Method::Cancel), id);
        self.client.insert(
            id,
            ClientTx {
                request: c,
                data: data.clone(),
                to,
                retransmit: Some(Retransmit::new(now, Some(T2))),
                timeout_at: Some(now + 64 * T1),
                expires_at: None,
                final_code: None,
                dialog: None,
            },
        );
        self.send(to, data);
        Ok(())
    }

    /// Sends a request inside a dialog (BYE, REFER, INFO, NOTIFY).
    pub fn request(
        &mut self,
        now: Millis,
        dialog: DialogId,
        method: Method,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<TxId, SipError> {
        let contact = self.contact.clone();
        let d = self
            .dialogs
            .get_mut(&dialog)
            .ok_or(SipError::UnknownDialog(dialog))?;
        let mut m = d.request(method, None);
        let to = d.next_hop();
        m.push("Contact", contact);
        for (n, v) in headers {
            m.push(&n, v);
        }
        m.body = body;
        Ok(self.start_client(now, m, to, Some(dialog)))
    }

    fn on_response(&mut self, now: Millis, m: Message) {
        let (Some(method), Some(code)) = (m.method(), m.status()) else {
            return;
        };
        let branch = m.branch().unwrap_or_default().to_string();
        let Some(&tx) = self.client_keys.get(&key(&branch, method)) else {
            return; // stray response
        };
        let Some(t) = self.client.get_mut(&tx) else { return };
        if method == Method::Invite && (200..300).contains(&code) {
            // 2xx: create (or find) the dialog and acknowledge; retransmitted 2xx get
            // the same ACK again.
            if let Some(d) = t.dialog
                && let Some(ack) = self.acks.get(&d).cloned()
            {
                self.transmits.push_back(ack);
                return;
            }
            let mut d = Dialog::as_uac(&t.request, &m, t.to);
            let cseq = t.request.cseq().map(|(n, _)| n);
            let mut ack = d.request(Method::Ack, cseq);
            let hop = d.next_hop();
            t.final_code = Some(code);
            t.retransmit = None;
            t.timeout_at = None;
            t.expires_at = Some(now + LINGER);
            self.seq += 1;
            let id = DialogId(self.seq);
            t.dialog = Some(id);
            self.dialog_keys
                .insert((d.call_id.clone(), d.local_tag.clone(), d.remote_tag.clone()), id);
            self.dialogs.insert(id, d);
            let (via, _) = self.via();
            ack.headers.insert(0, ("Via".into(), via));
            let ack = Transmit {
                to: hop,
                data: ack.to_bytes(),
            };
            self.acks.insert(id, ack.clone());
            self.transmits.push_back(ack);
            self.events.push_back(SipEvent::Response {
                tx,
                dialog: Some(id),
                response: m,
            });
            return;
        }
        if t.final_code.is_some() {
            return; // retransmitted final
        }
        if code < 200 {
            if method == Method::Invite {
                t.retransmit = None;
                t.timeout_at = None; // the application cancels a ringing INVITE itself
            }
        } else {
            t.final_code = Some(code);
            t.retransmit = None;
            t.timeout_at = None;
            t.expires_at = Some(now + if method == Method::Invite { LINGER } else { 5_000 });
            if method == Method::Invite {
                // ACK of a non-2xx final goes hop by hop with the INVITE's branch.
                let mut ack = Message::request(Method::Ack, t.request.request_uri().unwrap_or_default());
                for name in ["Via", "Route", "From", "Call-ID"] {
                    for v in t.request.header_list(name) {
                        ack.push(name, v);
                    }
                }
                ack.push("To", m.header("To").unwrap_or_default());
                let n = t.request.cseq().map_or(1, |(n, _)| n);
                ack.push("CSeq", format!("{n} ACK"));
                ack.push("Max-Forwards", "70");
                let to = t.to;
                self.send(to, ack.to_bytes());
            }
        }
        let dialog = self.client.get(&tx).and_then(|t| t.dialog);
        self.events.push_back(SipEvent::Response {
            tx,
            dialog,
            response: m,
        });
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

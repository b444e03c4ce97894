//! Client transactions (RFC 3261 section 17.1): INVITE with its ACKs and CANCEL, and
//! requests inside dialogs (BYE, REFER, INFO, NOTIFY).

use super::{
    ClientTx, Endpoint, LINGER, Millis, Retransmit, SipError, SipEvent, T1, T2, Transmit, Transport, TxId,
    key,
};
use crate::sip::dialog::{Dialog, DialogId};
use crate::sip::message::Message;
use rsip::Method;
use std::net::SocketAddr;

impl Endpoint {
    fn via(&mut self, transport: Transport) -> (String, String) {
        let branch = format!("z9hG4bK{}", self.token());
        let via = format!(
            "SIP/2.0/{} {};rport;branch={branch}",
            transport.via_name(),
            self.local
        );
        (via, branch)
    }

    /// Sends `m` with a new Via and tracks it as a client transaction.
    fn start_client(
        &mut self,
        now: Millis,
        mut m: Message,
        to: SocketAddr,
        transport: Transport,
        dialog: Option<DialogId>,
    ) -> TxId {
        let (via, branch) = self.via(transport);
        m.headers.insert(0, ("Via".into(), via));
        m.push("User-Agent", self.user_agent.clone());
        self.track_client(now, m, &branch, to, transport, dialog)
    }

    /// Sends `m` (whose top Via has `branch`) and tracks it: retransmitted on UDP
    /// (Timer A doubling for INVITE, Timer E capped at T2 otherwise), timed out after
    /// 64*T1 (Timer B/F).
    fn track_client(
        &mut self,
        now: Millis,
        m: Message,
        branch: &str,
        to: SocketAddr,
        transport: Transport,
        dialog: Option<DialogId>,
    ) -> TxId {
        let method = m.method().unwrap_or(Method::Options);
        let data = m.to_bytes();
        let tx = TxId(self.next_id());
        let cap = (method != Method::Invite).then_some(T2);
        self.client_keys.insert(key(branch, method), tx);
        self.client.insert(
            tx,
            ClientTx {
                request: m,
                data: data.clone(),
                to,
                transport,
                retransmit: (transport == Transport::Udp).then(|| Retransmit::new(now, cap)),
                timeout_at: Some(now + 64 * T1),
                expires_at: None,
                final_code: None,
                dialog,
            },
        );
        self.send(to, transport, data);
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
        let transport = Transport::of_uri(target);
        m.push("Contact", self.contact_for(transport));
        for (n, v) in headers {
            m.push(&n, v);
        }
        m.body = body;
        self.start_client(now, m, to, transport, None)
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
        let (to, transport) = (t.to, t.transport);
        // CANCEL shares the INVITE's branch: it is its own transaction all the same.
        let branch = t.request.branch().unwrap_or_default().to_string();
        self.track_client(now, c, &branch, to, transport, None);
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
        let transport = self
            .dialogs
            .get(&dialog)
            .ok_or(SipError::UnknownDialog(dialog))?
            .transport;
        let contact = self.contact_for(transport);
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
        Ok(self.start_client(now, m, to, transport, Some(dialog)))
    }

    pub(super) fn on_response(&mut self, now: Millis, m: Message) {
        let (Some(method), Some(code)) = (m.method(), m.status()) else {
            return;
        };
        let branch = m.branch().unwrap_or_default().to_string();
        let Some(&tx) = self.client_keys.get(&key(&branch, method)) else {
            return; // stray response
        };
        let Some(t) = self.client.get_mut(&tx) else { return };
        let transport = t.transport;
        if method == Method::Invite && (200..300).contains(&code) {
            // 2xx: create (or find) the dialog and acknowledge; retransmitted 2xx get
            // the same ACK again.
            if let Some(d) = t.dialog
                && let Some(ack) = self.acks.get(&d).cloned()
            {
                self.transmits.push_back(ack);
                return;
            }
            let mut d = Dialog::as_uac(&t.request, &m, t.to, transport);
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
            let (via, _) = self.via(transport);
            ack.headers.insert(0, ("Via".into(), via));
            let ack = Transmit {
                to: hop,
                transport,
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
                self.send(to, transport, ack.to_bytes());
            }
        }
        let dialog = self.client.get(&tx).and_then(|t| t.dialog);
        self.events.push_back(SipEvent::Response {
            tx,
            dialog,
            response: m,
        });
    }
}

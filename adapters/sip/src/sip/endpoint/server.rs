//! Server transactions (RFC 3261 section 17.2): requests in, responses out, the 2xx
//! retransmitted until its ACK, CANCEL, and OPTIONS answered here.

use super::{
    Endpoint, LINGER, Millis, Retransmit, ServerTx, SipError, SipEvent, T1, T2, Transport, TxId, key,
};
use crate::sip::dialog::{Dialog, DialogId};
use crate::sip::message::Message;
use rsip::Method;
use std::net::SocketAddr;

impl Endpoint {
    pub(super) fn on_request(&mut self, now: Millis, source: SocketAddr, transport: Transport, m: Message) {
        let Some(method) = m.method() else { return };
        let branch = m.branch().unwrap_or_default().to_string();
        match method {
            Method::Ack => return self.on_ack(now, m, branch),
            Method::Cancel => return self.on_cancel(now, source, transport, m, branch),
            _ => {}
        }
        if let Some(&tx) = self.server_keys.get(&key(&branch, method)) {
            // A retransmission: repeat the last response.
            if let Some(t) = self.server.get(&tx)
                && let Some(last) = t.last.clone()
            {
                self.send(t.source, t.transport, last);
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
                transport,
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

    fn on_cancel(
        &mut self,
        now: Millis,
        source: SocketAddr,
        transport: Transport,
        m: Message,
        branch: String,
    ) {
        let invite = self.server_keys.get(&key(&branch, Method::Invite)).copied();
        let code = match invite.and_then(|tx| self.server.get(&tx)) {
            Some(t) if t.final_code.is_none() => 200,
            Some(_) => 200, // too late: the INVITE was answered; CANCEL has no effect
            None => 481,
        };
        let resp = m.response(code, None).to_bytes();
        self.send(source, transport, resp);
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
        let user_agent = self.user_agent.clone();
        let t = self.server.get(&tx).ok_or(SipError::UnknownTransaction(tx))?;
        let contact = self.contact_for(t.transport);
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
        let (source, transport) = (t.source, t.transport);
        let mut dialog = t.dialog;
        if method == Method::Invite && (200..300).contains(&code) && dialog.is_none() {
            let d = Dialog::as_uas(&t.request, &t.local_tag, source, transport);
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
            // The 2xx is retransmitted until its ACK on any transport; other finals
            // only on UDP (Timer G).
            if method == Method::Invite && (code < 300 || transport == Transport::Udp) {
                t.retransmit = Some(Retransmit::new(now, Some(T2)));
                t.give_up_at = Some(now + 64 * T1);
            }
            t.expires_at = Some(now + LINGER);
        }
        self.send(source, transport, data);
        Ok(dialog.filter(|_| method == Method::Invite && (200..300).contains(&code)))
    }
}

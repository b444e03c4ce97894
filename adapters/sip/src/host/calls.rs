//! Calls: the state of each call's legs, new calls, requests inside their dialogs, and
//! hang-ups on either side.

use super::{Host, MediaLeg, Purpose, Side, stats};
use crate::media::{DtmfReceiver, Player, RemoteMedia, answer};
use crate::security::Verdict;
use crate::sip::{DialogId, Message, Method, SipEvent, TxId, uri_user};
use callroute::input::Party;
use callroute::{AgentId, CallId, Input, QueueId};
use std::net::SocketAddr;

/// The agent leg of a B2BUA call.
pub(crate) struct AgentLeg {
    pub agent: AgentId,
    pub invite: TxId,
    pub dialog: Option<DialogId>,
    pub media: MediaLeg,
    pub rang: bool,
    pub cancelled: bool,
    pub give_up_at: u64,
}

/// A call the adapter handles.
pub(crate) struct Call {
    pub ani: String,
    pub dnis: String,
    pub started_at: u64,
    pub dialog: DialogId,
    pub media: MediaLeg,
    pub dtmf: DtmfReceiver,
    pub player: Option<Player>,
    pub prompt_playing: bool,
    pub moh: Option<String>,
    pub agent: Option<AgentLeg>,
    pub refer: Option<AgentId>,
    pub b2bua: bool,
    pub relay: bool,
    pub queue: Option<QueueId>,
    pub answered: Option<(AgentId, u64)>,
    pub recorder: Option<stats::Recorder>,
    pub voicemail_until: Option<u64>,
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}
impl Host {
    pub(super) fn on_sip_event(&mut self, ev: SipEvent) {
        match ev {
            SipEvent::Request { tx, source, request } => self.on_request(tx, source, request),
            SipEvent::InDialog { tx, dialog, request } => self.on_in_dialog(tx, dialog, request),
            // Calls are answered at once, so a CANCEL finds nothing left to stop.
            SipEvent::Acked { .. } | SipEvent::Cancelled { .. } => {}
            SipEvent::AckTimeout { dialog } => self.peer_gone(dialog),
            SipEvent::Response { tx, dialog, response } => self.on_response(tx, dialog, response),
            SipEvent::Timeout { tx } => self.on_tx_timeout(tx),
            SipEvent::Malformed { source, error } => {
                self.metrics.malformed += 1;
                tracing::debug!(%source, %error, "malformed SIP dropped");
            }
        }
    }

    pub(super) fn respond(
        &mut self,
        tx: TxId,
        code: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Option<DialogId> {
        let now = self.clock.now();
        match self.ep.respond(now, tx, code, headers, body) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "SIP response not sent");
                None
            }
        }
    }

    pub(super) fn on_request(&mut self, tx: TxId, source: SocketAddr, request: Message) {
        let method = request.method();
        if matches!(method, Some(Method::Invite | Method::Register)) {
            match self.guard.check(source, &request, self.clock.now()) {
                Verdict::Allow => {}
                Verdict::Forbidden => {
                    self.metrics.forbidden += 1;
                    tracing::info!(%source, "request from a peer not allowed: 403");
                    self.respond(tx, 403, vec![], vec![]);
                    return;
                }
                Verdict::Challenge(c) => {
                    self.respond(tx, 401, vec![("WWW-Authenticate".into(), c)], vec![]);
                    return;
                }
            }
        }
        match method {
            Some(Method::Invite) => self.on_invite(tx, source, request),
            Some(Method::Register) => self.on_register(tx, request),
            Some(Method::Bye | Method::Info | Method::Notify) => {
                self.respond(tx, 481, vec![], vec![]);
            }
            _ => {
                self.respond(tx, 405, vec![], vec![]);
            }
        }
    }

    pub(super) fn on_invite(&mut self, tx: TxId, source: SocketAddr, request: Message) {
        let remote = match RemoteMedia::parse(&request.body) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(%source, error = %e, "INVITE with unusable SDP: 488");
                self.respond(tx, 488, vec![], vec![]);
                return;
            }
        };
        let ip = self.cfg.sip.listen.ip();
        self.next_call += 1;
        let id = CallId(self.next_call);
        let mut media = match MediaLeg::open(
            ip,
            self.cfg.media.rtp_ports,
            None,
            self.inbound.clone(),
            self.next_call,
        ) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "no RTP port: 503");
                self.respond(tx, 503, vec![], vec![]);
                return;
            }
        };
        let sdp = answer(ip, media.port, self.next_call, &remote);
        media.set_remote(remote);
        let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
        let Some(dialog) = self.respond(tx, 200, ct, sdp) else {
            return;
        };
        let ani = request
            .uri_of("From")
            .and_then(|u| uri_user(&u))
            .unwrap_or_default();
        let dnis = request.request_uri().and_then(uri_user).unwrap_or_default();
        tracing::info!(call = id.0, %ani, %dnis, %source, "call answered");
        self.metrics.calls += 1;
        self.ports.insert(media.port, (id, Side::Caller));
        self.dialogs.insert(dialog, (id, Side::Caller));
        self.calls.insert(
            id,
            Call::new(ani.clone(), dnis.clone(), self.clock.now(), dialog, media),
        );
        self.save_call(id);
        let offered = Input::CallOffered {
            call: id,
            ani,
            dnis,
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        };
        if self.feed(offered).is_err() {
            self.hang_up_call(id);
            return;
        }
        let in_ivr = self.engine.ivr_status(id).is_some();
        let queued = self.calls.get(&id).is_some_and(|c| c.queue.is_some());
        if let Some(q) = self.cfg.default_queue
            && !in_ivr
            && !queued
            && self.engine.has_call(id)
        {
            let _ = self.feed(Input::EnterQueue {
                call: id,
                queue: callroute::QueueId(q),
                priority: None,
                requirement: None,
            });
        }
    }

    pub(super) fn on_in_dialog(&mut self, tx: TxId, dialog: DialogId, request: Message) {
        let Some(&(id, side)) = self.dialogs.get(&dialog) else {
            self.respond(tx, 481, vec![], vec![]);
            return;
        };
        match request.method() {
            Some(Method::Bye) => {
                self.respond(tx, 200, vec![], vec![]);
                self.ep.end_dialog(dialog);
                self.dialogs.remove(&dialog);
                match side {
                    Side::Caller => self.caller_hung_up(id),
                    Side::Agent => self.agent_hung_up(id),
                }
            }
            Some(Method::Info) => {
                self.respond(tx, 200, vec![], vec![]);
                let body = text(&request.body);
                let ct = request
                    .header("Content-Type")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let digit = if ct.contains("dtmf-relay") {
                    body.lines().find_map(|l| {
                        let (k, v) = l.split_once('=')?;
                        k.trim()
                            .eq_ignore_ascii_case("signal")
                            .then(|| v.trim().to_string())
                    })
                } else if ct.contains("application/dtmf") {
                    Some(body.trim().to_string())
                } else {
                    None
                };
                if let Some(d) = digit.filter(|d| d.len() == 1 && side == Side::Caller) {
                    self.metrics.dtmf_info += 1;
                    let _ = self.feed(Input::Dtmf { call: id, digits: d });
                }
            }
            Some(Method::Notify) => {
                self.respond(tx, 200, vec![], vec![]);
                self.on_refer_progress(id, &text(&request.body));
            }
            Some(Method::Invite) => {
                // A re-INVITE (hold, refresh): keep the session as it is.
                let Some(call) = self.calls.get(&id) else {
                    self.respond(tx, 481, vec![], vec![]);
                    return;
                };
                let leg = match side {
                    Side::Caller => Some(&call.media),
                    Side::Agent => call.agent.as_ref().map(|a| &a.media),
                };
                let body = leg.and_then(|m| {
                    m.remote
                        .as_ref()
                        .map(|r| answer(self.cfg.sip.listen.ip(), m.port, id.0, r))
                });
                let ct = vec![("Content-Type".to_string(), "application/sdp".to_string())];
                self.respond(tx, 200, ct, body.unwrap_or_default());
            }
            _ => {
                self.respond(tx, 405, vec![], vec![]);
            }
        }
    }

    /// A dialog whose peer vanished (no ACK): end the call.
    pub(super) fn peer_gone(&mut self, dialog: DialogId) {
        if let Some(&(id, side)) = self.dialogs.get(&dialog) {
            self.send_bye(id, side);
            match side {
                Side::Caller => self.caller_hung_up(id),
                Side::Agent => self.agent_hung_up(id),
            }
        }
    }

    pub(super) fn caller_hung_up(&mut self, id: CallId) {
        if !self.calls.contains_key(&id) {
            return;
        }
        tracing::info!(call = id.0, "caller hung up");
        self.end_agent_leg(id);
        let _ = self.feed(Input::HangUp {
            call: id,
            by: Party::Caller,
        });
        self.forget_call(id);
    }

    pub(super) fn agent_hung_up(&mut self, id: CallId) {
        let Some(agent) = self
            .calls
            .get(&id)
            .and_then(|c| c.agent.as_ref())
            .map(|a| a.agent)
        else {
            return;
        };
        tracing::info!(call = id.0, agent = agent.0, "agent hung up");
        self.drop_agent_leg(id);
        let _ = self.feed(Input::HangUp {
            call: id,
            by: Party::Agent(agent),
        });
        // The conversation is over for the caller too.
        self.hang_up_call(id);
    }

    /// Sends BYE on one side's dialog and forgets the dialog.
    pub(super) fn send_bye(&mut self, id: CallId, side: Side) {
        let Some(call) = self.calls.get(&id) else { return };
        let dialog = match side {
            Side::Caller => Some(call.dialog),
            Side::Agent => call.agent.as_ref().and_then(|a| a.dialog),
        };
        let Some(d) = dialog.filter(|d| self.dialogs.contains_key(d)) else {
            return;
        };
        let now = self.clock.now();
        if let Ok(tx) = self.ep.request(now, d, Method::Bye, vec![], vec![]) {
            self.txs.insert(tx, (id, Purpose::Plain));
        }
        self.ep.end_dialog(d);
        self.dialogs.remove(&d);
        self.pump_sip();
    }

    /// Hangs up both legs and forgets the call (the engine was told already or asked).
    pub(super) fn hang_up_call(&mut self, id: CallId) {
        self.end_agent_leg(id);
        self.send_bye(id, Side::Caller);
        self.forget_call(id);
    }

    pub(super) fn forget_call(&mut self, id: CallId) {
        self.drop_agent_leg(id);
        if let Some(c) = self.calls.remove(&id) {
            self.ports.remove(&c.media.port);
            self.dialogs.remove(&c.dialog);
            self.ep.end_dialog(c.dialog);
        }
        self.txs.retain(|_, (c, p)| *c != id || *p == Purpose::Plain);
        if let Some(j) = &self.journal {
            let _ = j.remove_call(id.0);
        }
    }
}

impl Call {
    pub(super) fn new(ani: String, dnis: String, started_at: u64, dialog: DialogId, media: MediaLeg) -> Call {
        Call {
            ani,
            dnis,
            started_at,
            dialog,
            media,
            dtmf: DtmfReceiver::default(),
            player: None,
            prompt_playing: false,
            moh: None,
            agent: None,
            refer: None,
            b2bua: false,
            relay: false,
            queue: None,
            answered: None,
            recorder: None,
            voicemail_until: None,
        }
    }
}

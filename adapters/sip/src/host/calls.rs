//! SIP signalling of calls: new calls, in-dialog requests, answers from agents, REFER
//! progress, registrations, and resuming calls after a restart.

use super::{AgentLeg, Call, Host, MediaLeg, Purpose, Side};
use crate::media::{DtmfReceiver, RemoteMedia, answer, offer, parse_rtp};
use crate::security::Verdict;
use crate::sip::{DialogId, Message, Method, SipEvent, TxId, addr_uri, param, uri_addr, uri_user};
use callroute::input::Party;
use callroute::{AgentId, CallId, Input};
use std::net::SocketAddr;

/// What a restarted adapter needs to reach a caller again.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedCall {
    ani: String,
    dnis: String,
    started_at: u64,
    dialog: crate::sip::Dialog,
    rtp_port: u16,
    remote: Option<RemoteMedia>,
    moh: Option<String>,
    queue: Option<u32>,
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

    fn respond(
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

    fn on_request(&mut self, tx: TxId, source: SocketAddr, request: Message) {
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

    fn on_invite(&mut self, tx: TxId, source: SocketAddr, request: Message) {
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

    fn on_register(&mut self, tx: TxId, request: Message) {
        let to = request
            .uri_of("To")
            .and_then(|u| uri_user(&u))
            .unwrap_or_default();
        let agent = to
            .strip_prefix("agent-")
            .unwrap_or(&to)
            .parse::<u32>()
            .ok()
            .map(AgentId);
        let Some(agent) = agent.filter(|a| self.engine.agent_status(*a).is_some()) else {
            self.respond(tx, 404, vec![], vec![]);
            return;
        };
        let contact = request.header("Contact").unwrap_or_default().to_string();
        let expires = param(&contact, "expires")
            .or(request.header("Expires"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(3600);
        let uri = addr_uri(&contact);
        if expires == 0 || contact == "*" {
            self.registrations.remove(&agent);
            self.respond(tx, 200, vec![], vec![]);
        } else {
            let until = self.clock.now() + expires * 1000;
            self.registrations.insert(agent, (uri.clone(), until));
            tracing::info!(agent = agent.0, %uri, expires, "agent registered");
            self.respond(
                tx,
                200,
                vec![("Contact".into(), format!("<{uri}>;expires={expires}"))],
                vec![],
            );
        }
    }

    fn on_in_dialog(&mut self, tx: TxId, dialog: DialogId, request: Message) {
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

    /// NOTIFY of a REFER: the sipfrag's status line tells how the agent's phone does.
    fn on_refer_progress(&mut self, id: CallId, body: &str) {
        let Some(agent) = self.calls.get(&id).and_then(|c| c.refer) else {
            return;
        };
        let code: u16 = body
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        match code {
            180 | 183 => {
                let _ = self.feed(Input::DeviceRinging { agent, call: id });
            }
            200..=299 => {
                tracing::info!(call = id.0, agent = agent.0, "transfer completed");
                if let Some(c) = self.calls.get_mut(&id) {
                    c.refer = None;
                }
                let _ = self.feed(Input::DeviceAnswered { agent, call: id });
                // The caller now talks to the agent directly: leave the call.
                self.send_bye(id, Side::Caller);
                let _ = self.feed(Input::HangUp {
                    call: id,
                    by: Party::Caller,
                });
                self.forget_call(id);
            }
            300.. => {
                if let Some(c) = self.calls.get_mut(&id) {
                    c.refer = None;
                }
                let input = no_answer_input(code, agent, id);
                let _ = self.feed(input);
            }
            _ => {}
        }
    }

    fn on_response(&mut self, tx: TxId, dialog: Option<DialogId>, response: Message) {
        let Some(&(id, purpose)) = self.txs.get(&tx) else {
            return;
        };
        let code = response.status().unwrap_or(500);
        if code >= 200 {
            self.txs.remove(&tx);
        }
        match purpose {
            Purpose::Plain => {}
            Purpose::Refer(agent) => {
                if code >= 300 {
                    // The caller's side refuses REFER: connect through ourselves instead.
                    tracing::info!(call = id.0, code, "REFER refused; connecting as B2BUA");
                    if let Some(c) = self.calls.get_mut(&id) {
                        c.refer = None;
                        c.b2bua = true;
                    }
                    self.invite_agent(id, agent);
                }
            }
            Purpose::AgentInvite => self.on_agent_response(id, tx, dialog, code, &response),
        }
    }

    fn on_agent_response(&mut self, id: CallId, tx: TxId, dialog: Option<DialogId>, code: u16, r: &Message) {
        let Some(leg) = self.calls.get_mut(&id).and_then(|c| c.agent.as_mut()) else {
            // The call ended while the agent's phone rang: hang up a late answer.
            if let Some(d) = dialog.filter(|_| (200..300).contains(&code)) {
                let now = self.clock.now();
                let _ = self.ep.request(now, d, Method::Bye, vec![], vec![]);
                self.ep.end_dialog(d);
            }
            return;
        };
        if leg.invite != tx {
            return;
        }
        let agent = leg.agent;
        match code {
            180 | 183 if !leg.rang => {
                leg.rang = true;
                let _ = self.feed(Input::DeviceRinging { agent, call: id });
            }
            200..=299 => {
                let Some(d) = dialog else { return };
                if let Ok(remote) = RemoteMedia::parse(&r.body) {
                    leg.media.set_remote(remote);
                }
                leg.dialog = Some(d);
                let cancelled = leg.cancelled;
                self.dialogs.insert(d, (id, Side::Agent));
                if cancelled || self.feed(Input::DeviceAnswered { agent, call: id }).is_err() {
                    self.send_bye(id, Side::Agent);
                    self.drop_agent_leg(id);
                }
            }
            300.. => {
                let cancelled = leg.cancelled;
                self.drop_agent_leg(id);
                if !cancelled {
                    let input = no_answer_input(code, agent, id);
                    let _ = self.feed(input);
                }
            }
            _ => {}
        }
    }

    fn on_tx_timeout(&mut self, tx: TxId) {
        let Some((id, purpose)) = self.txs.remove(&tx) else {
            return;
        };
        match purpose {
            Purpose::AgentInvite => {
                if let Some(agent) = self
                    .calls
                    .get(&id)
                    .and_then(|c| c.agent.as_ref())
                    .map(|a| a.agent)
                {
                    self.drop_agent_leg(id);
                    let _ = self.feed(Input::DeviceNoAnswer { agent, call: id });
                }
            }
            Purpose::Refer(agent) => {
                if let Some(c) = self.calls.get_mut(&id) {
                    c.refer = None;
                }
                let _ = self.feed(Input::DeviceNoAnswer { agent, call: id });
            }
            Purpose::Plain => {}
        }
    }

    /// A dialog whose peer vanished (no ACK): end the call.
    fn peer_gone(&mut self, dialog: DialogId) {
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

    fn agent_hung_up(&mut self, id: CallId) {
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

    /// Ends the agent leg: CANCEL while it rings, BYE once answered.
    pub(super) fn end_agent_leg(&mut self, id: CallId) {
        let Some(leg) = self.calls.get_mut(&id).and_then(|c| c.agent.as_mut()) else {
            return;
        };
        if leg.dialog.is_some() {
            self.send_bye(id, Side::Agent);
        } else if !leg.cancelled {
            leg.cancelled = true;
            let tx = leg.invite;
            let now = self.clock.now();
            let _ = self.ep.cancel(now, tx);
        }
        self.drop_agent_leg(id);
    }

    pub(super) fn drop_agent_leg(&mut self, id: CallId) {
        if let Some(leg) = self.calls.get_mut(&id).and_then(|c| c.agent.take()) {
            self.ports.remove(&leg.media.port);
            if let Some(d) = leg.dialog {
                self.dialogs.remove(&d);
            }
            if let Some(c) = self.calls.get_mut(&id) {
                c.relay = false;
            }
        }
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

    /// Calls the agent's phone for a B2BUA connection.
    pub(super) fn invite_agent(&mut self, id: CallId, agent: AgentId) {
        let Some(uri) = self.agent_uri(agent) else {
            tracing::warn!(agent = agent.0, "agent has no phone");
            self.pending.push_back(Input::DeviceRejected { agent, call: id });
            return;
        };
        let Some(dest) = uri_addr(&uri) else {
            tracing::warn!(agent = agent.0, %uri, "agent URI has no IP address");
            self.pending.push_back(Input::DeviceRejected { agent, call: id });
            return;
        };
        let ip = self.cfg.sip.listen.ip();
        let seed = id.0 ^ u64::from(agent.0) << 32;
        let media = match MediaLeg::open(ip, self.cfg.media.rtp_ports, None, self.inbound.clone(), seed) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "no RTP port for the agent leg");
                self.pending.push_back(Input::DeviceRejected { agent, call: id });
                return;
            }
        };
        let (ani, body) = match self.calls.get(&id) {
            Some(c) => (c.ani.clone(), offer(ip, media.port, id.0)),
            None => return,
        };
        let from = format!(
            "sip:{}@{}",
            if ani.is_empty() { "anonymous" } else { &ani },
            self.cfg.sip.listen
        );
        let now = self.clock.now();
        let headers = vec![("Content-Type".to_string(), "application/sdp".to_string())];
        let tx = self.ep.invite(now, &uri, &from, dest, headers, body);
        self.txs.insert(tx, (id, Purpose::AgentInvite));
        self.ports.insert(media.port, (id, Side::Agent));
        let give_up_at = now + u64::from(self.cfg.ring_timeout_secs) * 1000;
        if let Some(c) = self.calls.get_mut(&id) {
            c.agent = Some(AgentLeg {
                agent,
                invite: tx,
                dialog: None,
                media,
                rang: false,
                cancelled: false,
                give_up_at,
            });
        }
        self.pump_sip();
    }

    /// Asks the caller's side to call the agent (blind transfer).
    pub(super) fn refer_to_agent(&mut self, id: CallId, agent: AgentId) {
        let Some(uri) = self.agent_uri(agent) else {
            tracing::warn!(agent = agent.0, "agent has no phone");
            self.pending.push_back(Input::DeviceRejected { agent, call: id });
            return;
        };
        let Some(dialog) = self.calls.get(&id).map(|c| c.dialog) else {
            return;
        };
        let now = self.clock.now();
        let headers = vec![
            ("Refer-To".to_string(), format!("<{uri}>")),
            ("Referred-By".to_string(), self.ep.contact().to_string()),
        ];
        match self.ep.request(now, dialog, Method::Refer, headers, vec![]) {
            Ok(tx) => {
                self.txs.insert(tx, (id, Purpose::Refer(agent)));
                if let Some(c) = self.calls.get_mut(&id) {
                    c.refer = Some(agent);
                }
            }
            Err(e) => tracing::warn!(error = %e, "REFER not sent"),
        }
        self.pump_sip();
    }

    /// The agent's phone: a live registration first, then the configured URI.
    pub(super) fn agent_uri(&self, agent: AgentId) -> Option<String> {
        let now = self.clock.now();
        self.registrations
            .get(&agent)
            .filter(|(_, until)| *until > now)
            .map(|(u, _)| u.clone())
            .or_else(|| self.cfg.agents.get(&agent.0).cloned())
    }

    /// Ring timeouts of B2BUA legs (a backstop for the engine's own) and voicemail ends.
    pub(super) fn leg_timers(&mut self, now: u64) {
        let ring_out: Vec<(CallId, AgentId)> = self
            .calls
            .iter()
            .filter_map(|(&id, c)| c.agent.as_ref().map(|a| (id, a)))
            .filter(|(_, a)| a.dialog.is_none() && !a.cancelled && a.give_up_at <= now)
            .map(|(id, a)| (id, a.agent))
            .collect();
        for (id, agent) in ring_out {
            self.end_agent_leg(id);
            let _ = self.feed(Input::DeviceNoAnswer { agent, call: id });
        }
        let voicemail: Vec<CallId> = self
            .calls
            .iter()
            .filter(|(_, c)| c.voicemail_until.is_some_and(|t| t <= now))
            .map(|(&id, _)| id)
            .collect();
        for id in voicemail {
            if let Some(c) = self.calls.get_mut(&id) {
                c.voicemail_until = None;
                c.recorder = None;
            }
            let _ = self.feed(Input::RecordingFinished { call: id });
        }
    }

    /// RTP from a caller or an agent: digits, relay, recording.
    pub(super) fn on_rtp(&mut self, port: u16, _from: SocketAddr, data: &[u8]) {
        self.metrics.rtp_in += 1;
        let Some(&(id, side)) = self.ports.get(&port) else {
            return;
        };
        let Some(pkt) = parse_rtp(data) else { return };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let leg = match side {
            Side::Caller => &call.media,
            Side::Agent => match &call.agent {
                Some(a) => &a.media,
                None => return,
            },
        };
        let Some(remote) = &leg.remote else { return };
        if remote.telephone_event == Some(pkt.payload_type) {
            if side == Side::Caller
                && let Some(d) = call.dtmf.on_packet(pkt.timestamp, &pkt.payload)
            {
                self.metrics.dtmf_rtp += 1;
                let _ = self.feed(Input::Dtmf {
                    call: id,
                    digits: d.to_string(),
                });
            }
            return;
        }
        let Some(codec) = crate::media::Codec::from_payload_type(pkt.payload_type) else {
            return;
        };
        let samples = codec.decode(&pkt.payload);
        if let Some(rec) = &mut call.recorder {
            rec.push(side, &samples);
        }
        if call.relay {
            match side {
                Side::Caller => {
                    if let Some(a) = &mut call.agent {
                        a.media.send(&samples);
                    }
                }
                Side::Agent => call.media.send(&samples),
            }
        }
    }

    /// Saves what a restart needs to reach this caller again.
    pub(super) fn save_call(&mut self, id: CallId) {
        let (Some(j), Some(c)) = (&self.journal, self.calls.get(&id)) else {
            return;
        };
        let Some(dialog) = self.ep.dialog(c.dialog).cloned() else {
            return;
        };
        let saved = SavedCall {
            ani: c.ani.clone(),
            dnis: c.dnis.clone(),
            started_at: c.started_at,
            dialog,
            rtp_port: c.media.port,
            remote: c.media.remote.clone(),
            moh: c.moh.clone(),
            queue: c.queue.map(|q| q.0),
        };
        if let Ok(json) = serde_json::to_string(&saved)
            && let Err(e) = j.save_call(id.0, &json)
        {
            tracing::error!(error = %e, "call state not saved");
        }
    }

    /// After a restart: take the saved dialogs of calls the engine still has, play them
    /// music again if they wait in a queue, and end what cannot be resumed.
    pub(super) fn resume_calls(&mut self, offered: &[CallId]) {
        let Some(saved) = self.journal.as_ref().and_then(|j| j.calls().ok()) else {
            return;
        };
        for (raw, json) in saved {
            let id = CallId(raw);
            self.next_call = self.next_call.max(raw);
            let parsed: Option<SavedCall> = serde_json::from_str(&json).ok();
            let Some(s) = parsed.filter(|_| self.engine.has_call(id)) else {
                if let Some(j) = &self.journal {
                    let _ = j.remove_call(raw);
                }
                continue;
            };
            let ip = self.cfg.sip.listen.ip();
            let media = MediaLeg::open(
                ip,
                self.cfg.media.rtp_ports,
                Some(s.rtp_port),
                self.inbound.clone(),
                raw,
            );
            let Ok(mut media) = media else {
                tracing::warn!(call = raw, "RTP port taken; call cannot be resumed");
                continue;
            };
            if let Some(r) = s.remote {
                media.set_remote(r);
            }
            let dialog = self.ep.restore_dialog(s.dialog);
            self.dialogs.insert(dialog, (id, Side::Caller));
            self.ports.insert(media.port, (id, Side::Caller));
            let mut call = Call::new(s.ani, s.dnis, s.started_at, dialog, media);
            call.moh = s.moh;
            call.queue = s.queue.map(callroute::QueueId);
            self.calls.insert(id, call);
            tracing::info!(call = raw, queue = ?s.queue, "call resumed after restart");
            self.resume_music(id);
        }
        // Engine calls without a reachable caller: they hung up as far as we can tell.
        let orphans: Vec<CallId> = offered
            .iter()
            .copied()
            .filter(|c| self.engine.has_call(*c) && !self.calls.contains_key(c))
            .collect();
        for id in orphans {
            tracing::info!(call = id.0, "call lost in the restart: hung up");
            let _ = self.feed(Input::HangUp {
                call: id,
                by: Party::Caller,
            });
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

/// The engine input for an agent's phone that did not answer with this status.
fn no_answer_input(code: u16, agent: AgentId, call: CallId) -> Input {
    match code {
        408 | 480 | 487 => Input::DeviceNoAnswer { agent, call },
        _ => Input::DeviceRejected { agent, call },
    }
}

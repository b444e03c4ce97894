//! Agents' phones: registrations, ringing by INVITE (B2BUA) or by REFER, their
//! answers, ring timeouts.

use super::{AgentLeg, Host, MediaLeg, Purpose, Side};
use crate::media::{RemoteMedia, offer};
use crate::sip::{DialogId, Message, Method, TxId, addr_uri, param, uri_addr, uri_user};
use callroute::input::Party;
use callroute::{AgentId, CallId, Input};

impl Host {
    pub(super) fn on_register(&mut self, tx: TxId, request: Message) {
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

    /// NOTIFY of a REFER: the sipfrag's status line tells how the agent's phone does.
    pub(super) fn on_refer_progress(&mut self, id: CallId, body: &str) {
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

    pub(super) fn on_response(&mut self, tx: TxId, dialog: Option<DialogId>, response: Message) {
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

    pub(super) fn on_agent_response(
        &mut self,
        id: CallId,
        tx: TxId,
        dialog: Option<DialogId>,
        code: u16,
        r: &Message,
    ) {
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

    pub(super) fn on_tx_timeout(&mut self, tx: TxId) {
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
            Some(c) => (
                c.ani.clone(),
                offer(ip, media.port, id.0, self.cfg.media.agent_codec),
            ),
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
}

/// The engine input for an agent's phone that did not answer with this status.
fn no_answer_input(code: u16, agent: AgentId, call: CallId) -> Input {
    match code {
        408 | 480 | 487 => Input::DeviceNoAnswer { agent, call },
        _ => Input::DeviceRejected { agent, call },
    }
}

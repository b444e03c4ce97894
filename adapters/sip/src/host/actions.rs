//! Carrying out the engine's actions on calls, and observing its events.

use super::{Host, stats::Recorder};
use crate::config::ConnectMode;
use crate::media::Player;
use callroute::{Action, Event, Input};

impl Host {
    pub(super) fn act(&mut self, action: Action) {
        tracing::debug!(?action, "engine action");
        match action {
            Action::Play { call, announcement } => {
                let (samples, errors) = self.sounds.render(&announcement);
                for e in errors {
                    tracing::warn!(call = call.0, error = %e, "prompt part not played");
                }
                let Some(c) = self.calls.get_mut(&call) else {
                    return;
                };
                if samples.is_empty() {
                    self.pending.push_back(Input::PromptFinished { call });
                    return;
                }
                c.player = Some(Player::once(samples));
                c.prompt_playing = true;
                self.start_ticking();
            }
            Action::StopPlayback { call } => {
                if let Some(c) = self.calls.get_mut(&call)
                    && c.prompt_playing
                {
                    c.player = None;
                    c.prompt_playing = false;
                    self.resume_music(call);
                }
            }
            Action::StartMusicOnHold { call, class } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.moh = Some(class.to_string());
                }
                // A prompt in progress finishes first; the music follows it.
                self.resume_music(call);
                self.save_call(call);
            }
            Action::StopMusicOnHold { call } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.moh = None;
                    if c.player.as_ref().is_some_and(Player::is_music) {
                        c.player = None;
                    }
                }
            }
            Action::RingAgent { call, agent, .. } => {
                let b2bua = self.connect_mode() == ConnectMode::B2bua
                    || self.calls.get(&call).is_some_and(|c| c.b2bua);
                if !self.calls.contains_key(&call) {
                    return;
                }
                tracing::info!(call = call.0, agent = agent.0, b2bua, "ringing agent");
                if b2bua {
                    self.invite_agent(call, agent);
                } else {
                    self.refer_to_agent(call, agent);
                }
            }
            Action::CancelRing { call, agent } => {
                if self
                    .calls
                    .get(&call)
                    .and_then(|c| c.agent.as_ref())
                    .is_some_and(|a| a.agent == agent)
                {
                    self.end_agent_leg(call);
                }
                // After a REFER the caller's phone rings the agent itself; its own
                // timeout and the NOTIFY that follows settle the offer.
            }
            Action::Connect { call, agent } => {
                let record = self.cfg.media.recordings_dir.clone();
                let now = self.clock.now();
                let Some(c) = self.calls.get_mut(&call) else {
                    return;
                };
                c.answered = Some((agent, now));
                if c.agent.as_ref().is_some_and(|a| a.dialog.is_some()) {
                    c.relay = true;
                    c.player = None;
                    c.prompt_playing = false;
                    c.moh = None;
                    if let Some(dir) = record {
                        let path = dir.join(format!("call-{}.wav", call.0));
                        match Recorder::create(&path, true) {
                            Ok(r) => c.recorder = Some(r),
                            Err(e) => tracing::warn!(error = %e, "recording not started"),
                        }
                        self.start_ticking();
                    }
                }
                self.save_call(call);
            }
            Action::Disconnect { call, agent } => {
                if self
                    .calls
                    .get(&call)
                    .and_then(|c| c.agent.as_ref())
                    .is_some_and(|a| a.agent == agent)
                {
                    self.end_agent_leg(call);
                }
            }
            Action::HangUp { call } => self.hang_up_call(call),
            Action::Transfer { call, destination } => {
                // Out of the engine: a SIP URI is referred to; anything else ends the call.
                if destination.starts_with("sip:") {
                    if let Some(d) = self.calls.get(&call).map(|c| c.dialog) {
                        let now = self.clock.now();
                        let h = vec![("Refer-To".to_string(), format!("<{destination}>"))];
                        if let Ok(tx) = self.ep.request(now, d, crate::sip::Method::Refer, h, vec![]) {
                            self.txs.insert(tx, (call, super::Purpose::Plain));
                        }
                        self.pump_sip();
                    }
                } else {
                    tracing::info!(call = call.0, %destination, "transfer target is not a SIP URI: hanging up");
                    self.hang_up_call(call);
                }
            }
            Action::Record {
                call,
                mailbox,
                max_secs,
            } => {
                let now = self.clock.now();
                let dir = self.cfg.media.recordings_dir.clone();
                let Some(c) = self.calls.get_mut(&call) else {
                    return;
                };
                c.voicemail_until = Some(now + u64::from(max_secs) * 1000);
                if let Some(dir) = dir {
                    let path = dir.join(format!("voicemail-{mailbox}-{}.wav", call.0));
                    match Recorder::create(&path, false) {
                        Ok(r) => c.recorder = Some(r),
                        Err(e) => tracing::warn!(error = %e, "voicemail not recorded"),
                    }
                    self.start_ticking();
                }
            }
            Action::Lookup {
                call, request, name, ..
            } => {
                // No data source is wired into the reference adapter: the flow takes
                // its failure branch.
                tracing::info!(call = call.0, %name, "lookup has no data source");
                self.pending.push_back(Input::LookupResult {
                    call,
                    request,
                    ok: false,
                    values: Default::default(),
                });
            }
            Action::StartRecording { call } | Action::StopRecording { call } => {
                tracing::debug!(call = call.0, "per-queue recording follows media.recordings_dir");
            }
            other => tracing::info!(action = ?other, "action not supported by the SIP adapter"),
        }
    }

    pub(super) fn observe(&mut self, event: Event) {
        let at = self.engine.now();
        match &event {
            Event::CallArrived { call, .. } => {
                self.live.insert(*call);
            }
            Event::CallQueued { call, queue, .. } => {
                if let Some(c) = self.calls.get_mut(call) {
                    c.queue = Some(*queue);
                }
                self.save_call(*call);
            }
            Event::CallAbandoned { .. } => self.metrics.abandoned += 1,
            Event::CallEnded { call, outcome } => {
                self.live.remove(call);
                let cdr = self.calls.get(call).map(|c| {
                    serde_json::json!({
                        "call": call.0,
                        "ani": c.ani,
                        "dnis": c.dnis,
                        "started_at": c.started_at,
                        "queue": c.queue.map(|q| q.0),
                        "agent": c.answered.map(|(a, _)| a.0),
                        "answered_at": c.answered.map(|(_, t)| t),
                        "ended_at": at,
                        "outcome": outcome,
                    })
                });
                if let Some(cdr) = cdr {
                    self.log_json(serde_json::json!({ "at": at, "cdr": cdr }));
                }
            }
            _ => {}
        }
        if let Ok(v) = serde_json::to_value(&event) {
            self.log_json(serde_json::json!({ "at": at, "event": v }));
        }
    }
}

//! What a restart recovers: the engine replays its journal; the calls' SIP dialogs and
//! RTP ports saved here let the adapter reach their callers again.

use super::{Call, Host, MediaLeg, Side};
use crate::media::RemoteMedia;
use crate::sip::Method;
use callroute::input::Party;
use callroute::{CallId, Input};

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
    /// The agent leg of a B2BUA call, once the agent answered.
    #[serde(default)]
    agent: Option<crate::sip::Dialog>,
}

impl Host {
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
            agent: c
                .agent
                .as_ref()
                .and_then(|a| a.dialog)
                .and_then(|d| self.ep.dialog(d).cloned()),
        };
        if let Ok(json) = serde_json::to_string(&saved)
            && let Err(e) = j.save_call(id.0, &json)
        {
            tracing::error!(error = %e, "call state not saved");
        }
    }

    /// After a restart: take the saved dialogs of calls the engine still has, play them
    /// music again if they wait in a queue, and end what cannot be resumed: a B2BUA
    /// conversation lost its relay, so both legs get BYE.
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
            if let Some(agent) = s.agent {
                let now = self.clock.now();
                for d in [dialog, self.ep.restore_dialog(agent)] {
                    let _ = self.ep.request(now, d, Method::Bye, vec![], vec![]);
                    self.ep.end_dialog(d);
                }
                tracing::info!(call = raw, "relayed call cannot be resumed: both legs hung up");
                continue; // ended below with the other calls that cannot be resumed
            }
            self.dialogs.insert(dialog, (id, Side::Caller));
            self.ports.insert(media.port, (id, Side::Caller));
            let mut call = Call::new(s.ani, s.dnis, s.started_at, dialog, media);
            call.moh = s.moh;
            call.queue = s.queue.map(callroute::QueueId);
            self.calls.insert(id, call);
            tracing::info!(call = raw, queue = ?s.queue, "call resumed after restart");
            self.resume_music(id);
            // A prompt cut short by the restart counts as played, so the menu goes on.
            if self
                .engine
                .ivr_status(id)
                .is_some_and(|s| s.waiting_for == "prompt")
            {
                self.pending.push_back(Input::PromptFinished { call: id });
            }
        }
        self.pump_sip();
        // Engine calls without a reachable caller: they hung up as far as we can tell.
        let orphans: Vec<CallId> = offered
            .iter()
            .copied()
            .filter(|c| self.engine.has_call(*c) && !self.calls.contains_key(c))
            .collect();
        for id in orphans {
            tracing::info!(call = id.0, "call lost in the restart: hung up");
            self.pending.push_back(Input::HangUp {
                call: id,
                by: Party::Caller,
            });
        }
        self.drain_engine();
    }
}

//! The HTTP/JSON endpoint: real-time stats, agent commands and Prometheus metrics.
//! A small server thread hands each request to the host loop and waits for its answer,
//! so the engine is only ever touched by the loop.
//!
//! | method and path | what |
//! |---|---|
//! | `GET /stats` | queues (status and totals), agents, live calls, adapter counters |
//! | `GET /metrics` | Prometheus text format |
//! | `POST /agents/ID/login`, `logout`, `ready`, `not-ready`, `wrap-up-done` | agent commands (`not-ready` takes `{"reason": "break"}`) |
//! | `GET /health` | `ok` |

use super::{Host, Inbound};
use callroute::{AgentId, Input};
use std::fmt::Write as _;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

/// An HTTP request for the host loop.
pub struct HttpRequest {
    /// Method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Body (at most 64 KiB).
    pub body: String,
    /// Where the answer goes.
    pub reply: Sender<HttpReply>,
}

/// The host's answer.
pub struct HttpReply {
    /// Status code.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: String,
}

impl HttpReply {
    fn json(status: u16, v: serde_json::Value) -> HttpReply {
        HttpReply {
            status,
            content_type: "application/json",
            body: v.to_string(),
        }
    }
}

/// Starts the server thread.
pub fn serve(addr: SocketAddr, inbound: Sender<Inbound>) -> std::io::Result<()> {
    let server = tiny_http::Server::http(addr).map_err(|e| std::io::Error::other(e.to_string()))?;
    std::thread::Builder::new().name("http".into()).spawn(move || {
        for mut req in server.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().take(65_536).read_to_string(&mut body);
            let (tx, rx) = channel();
            let path = req.url().split('?').next().unwrap_or_default().to_string();
            let sent = inbound.send(Inbound::Http(HttpRequest {
                method: req.method().as_str().to_string(),
                path,
                body,
                reply: tx,
            }));
            let reply = match sent
                .ok()
                .and_then(|_| rx.recv_timeout(Duration::from_secs(5)).ok())
            {
                Some(r) => r,
                None => HttpReply::json(503, serde_json::json!({"error": "adapter busy"})),
            };
            let mut resp = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
            if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", reply.content_type) {
                resp = resp.with_header(h);
            }
            let _ = req.respond(resp);
        }
    })?;
    Ok(())
}

/// Reads one counter of a queue's totals.
type CounterOf = fn(&callroute::stats::QueueCounters) -> u64;

impl Host {
    pub(super) fn on_http(&mut self, req: HttpRequest) {
        let parts: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let reply = match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["health"]) => HttpReply {
                status: 200,
                content_type: "text/plain",
                body: "ok\n".into(),
            },
            ("GET", ["stats"]) => HttpReply::json(200, self.stats_json()),
            ("GET", ["metrics"]) => HttpReply {
                status: 200,
                content_type: "text/plain; version=0.0.4",
                body: self.prometheus(),
            },
            ("POST", ["agents", id, command]) => self.agent_command(id, command, &req.body),
            _ => HttpReply::json(404, serde_json::json!({"error": "no such endpoint"})),
        };
        let _ = req.reply.send(reply);
    }

    fn agent_command(&mut self, id: &str, command: &str, body: &str) -> HttpReply {
        let Ok(agent) = id.parse::<u32>().map(AgentId) else {
            return HttpReply::json(400, serde_json::json!({"error": "agent id must be a number"}));
        };
        let reason = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_string));
        let input = match command {
            "login" => Input::Login { agent },
            "logout" => Input::Logout { agent },
            "ready" => Input::Ready { agent },
            "not-ready" => Input::NotReady { agent, reason },
            "wrap-up-done" => Input::WrapUpDone { agent },
            _ => return HttpReply::json(404, serde_json::json!({"error": "unknown command"})),
        };
        match self.feed(input) {
            Ok(()) => HttpReply::json(
                200,
                serde_json::json!({"ok": true, "agent": self.engine.agent_status(agent)}),
            ),
            Err(e) => HttpReply::json(409, serde_json::json!({"error": e.to_string()})),
        }
    }

    fn stats_json(&self) -> serde_json::Value {
        let queues: Vec<serde_json::Value> = self
            .engine
            .queue_ids()
            .into_iter()
            .map(|q| {
                serde_json::json!({
                    "status": self.engine.queue_status(q),
                    "totals": self.engine.totals(q),
                })
            })
            .collect();
        let agents: Vec<_> = self
            .engine
            .agent_ids()
            .into_iter()
            .filter_map(|a| self.engine.agent_status(a))
            .collect();
        let calls: Vec<serde_json::Value> = self
            .calls
            .iter()
            .map(|(id, c)| {
                serde_json::json!({
                    "call": id.0,
                    "ani": c.ani,
                    "dnis": c.dnis,
                    "queue": c.queue.map(|q| q.0),
                    "music": c.player.as_ref().is_some_and(crate::media::Player::is_music),
                    "agent": c.agent.as_ref().map(|a| a.agent.0).or(c.refer.map(|a| a.0)),
                    "connected": c.relay,
                })
            })
            .collect();
        let (server, client, dialogs) = self.ep.counts();
        let now = self.clock.now();
        let registrations: std::collections::BTreeMap<String, &String> = self
            .registrations
            .iter()
            .filter(|(_, (_, until))| *until > now)
            .map(|(a, (uri, _))| (a.0.to_string(), uri))
            .collect();
        serde_json::json!({
            "now": self.engine.now(),
            "queues": queues,
            "agents": agents,
            "calls": calls,
            "center": self.engine.center_totals(),
            "adapter": self.metrics,
            "registrations": registrations,
            "sip": {"server_transactions": server, "client_transactions": client, "dialogs": dialogs},
        })
    }

    fn prometheus(&self) -> String {
        let mut out = String::new();
        let counters: [(&str, &str, CounterOf); 4] = [
            (
                "callroute_calls_offered_total",
                "Calls offered to the queue.",
                |c| c.offered,
            ),
            (
                "callroute_calls_answered_total",
                "Calls answered by an agent.",
                |c| c.answered,
            ),
            (
                "callroute_calls_abandoned_total",
                "Callers who hung up while waiting.",
                |c| c.abandoned,
            ),
            (
                "callroute_calls_overflowed_total",
                "Calls that left the queue for its exit.",
                |c| c.overflowed,
            ),
        ];
        for (name, help, get) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for q in self.engine.queue_ids() {
                if let Some(t) = self.engine.totals(q) {
                    let _ = writeln!(out, "{name}{{queue=\"{}\"}} {}", q.0, get(&t));
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP callroute_queue_waiting Calls waiting now.\n# TYPE callroute_queue_waiting gauge"
        );
        for q in self.engine.queue_ids() {
            if let Some(s) = self.engine.queue_status(q) {
                let _ = writeln!(out, "callroute_queue_waiting{{queue=\"{}\"}} {}", q.0, s.waiting);
            }
        }
        let mut by_state = std::collections::BTreeMap::<String, u64>::new();
        for a in self.engine.agent_ids() {
            if let Some(s) = self.engine.agent_status(a) {
                *by_state.entry(s.state.kind().to_string()).or_default() += 1;
            }
        }
        let _ = writeln!(
            out,
            "# HELP callroute_agents Agents by state.\n# TYPE callroute_agents gauge"
        );
        for (state, n) in by_state {
            let _ = writeln!(out, "callroute_agents{{state=\"{state}\"}} {n}");
        }
        let m = &self.metrics;
        for (name, v) in [
            ("callroute_sip_calls_total", m.calls),
            ("callroute_sip_forbidden_total", m.forbidden),
            ("callroute_sip_malformed_total", m.malformed),
            ("callroute_rtp_packets_in_total", m.rtp_in),
            ("callroute_dtmf_rtp_total", m.dtmf_rtp),
            ("callroute_dtmf_info_total", m.dtmf_info),
        ] {
            let _ = writeln!(out, "# TYPE {name} counter\n{name} {v}");
        }
        let _ = writeln!(
            out,
            "# TYPE callroute_sip_calls_active gauge\ncallroute_sip_calls_active {}",
            self.calls.len()
        );
        out
    }
}

//! The scripted flow test runner. A flow file may carry conversations (the caller
//! presses 2, waits 6 s, presses 1 4 #; expect these prompts, this queue); the runner
//! plays them against the real [`crate::Engine`] on a virtual clock, acting as the host:
//! it finishes every announcement, records voicemails, and answers lookups with the
//! replies the script gives.
//!
//! ```
//! use callroute::ivr::testing::run_flow_tests;
//! use callroute::Config;
//! let cfg = Config::from_toml_str(r#"
//! [[queues]]
//! id = 1
//! [ivr.prompts.hello]
//! en = [ { text = "Hello. Press 1 for sales." } ]
//! [ivr.flows.main]
//! start = "menu"
//! [ivr.flows.main.nodes.menu]
//! type = "menu"
//! greeting = "hello"
//! options = { "1" = "sales" }
//! on_failure = "bye"
//! [ivr.flows.main.nodes.sales]
//! type = "queue"
//! queue = 1
//! [ivr.flows.main.nodes.bye]
//! type = "hangup"
//! [[ivr.flows.main.tests]]
//! name = "sales"
//! steps = [ { expect-prompt = "hello" }, { press = "1" }, { expect-queue = 1 } ]
//! "#, "center.toml").unwrap();
//! let reports = run_flow_tests(&cfg);
//! assert!(reports.iter().all(|r| r.passed()), "{reports:?}");
//! ```

use super::model::{Conversation, Step};
use crate::input::Party;
use crate::{Action, CallId, Config, Engine, Event, Input, Millis, Output, Poll};
use serde::Serialize;

/// The outcome of one conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowTestReport {
    /// Flow id.
    pub flow: String,
    /// Conversation name.
    pub name: String,
    /// What went wrong, by step (empty when it passed).
    pub failures: Vec<String>,
    /// Steps run.
    pub steps: usize,
}

impl FlowTestReport {
    /// No failures.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every conversation of every flow in the configuration.
pub fn run_flow_tests(config: &Config) -> Vec<FlowTestReport> {
    let Some(ivr) = &config.ivr else { return Vec::new() };
    let mut out = Vec::new();
    for (fid, flow) in &ivr.flows {
        for conv in &flow.tests {
            out.push(run_conversation(config, fid, conv));
        }
    }
    out
}

const CALL: CallId = CallId(1);

struct Host {
    engine: Engine,
    now: Millis,
    /// Prompt ids heard and not yet matched by an expectation.
    heard: Vec<String>,
    queued: Vec<u32>,
    transfers: Vec<String>,
    recordings: Vec<String>,
    nodes: Vec<String>,
    hung_up: bool,
    lookup: Option<u64>,
    errors: Vec<String>,
    /// The call's IVR variables as last seen (kept after the call ends).
    vars: std::collections::BTreeMap<String, String>,
}

impl Host {
    /// Drains outputs, acting as the host: prompts finish, recordings end.
    fn pump(&mut self) {
        let mut guard = 0;
        loop {
            guard += 1;
            let mut follow: Vec<Input> = Vec::new();
            while let Poll::Output(o) = self.engine.poll() {
                match o {
                    Output::Action(Action::Play { call, announcement }) if call == CALL => {
                        self.heard.extend(announcement.prompts.iter().cloned());
                        follow.push(Input::PromptFinished { call });
                    }
                    Output::Action(Action::Lookup { request, .. }) => self.lookup = Some(request),
                    Output::Action(Action::Record { call, mailbox, .. }) => {
                        self.recordings.push(mailbox);
                        follow.push(Input::RecordingFinished { call });
                    }
                    Output::Action(Action::Transfer { destination, .. }) => self.transfers.push(destination),
                    Output::Action(Action::HangUp { .. }) => self.hung_up = true,
                    Output::Event(Event::CallQueued { queue, .. }) => self.queued.push(queue.0),
                    Output::Event(Event::IvrNode { node, .. }) => self.nodes.push(node),
                    Output::Event(Event::IvrEnded { vars, .. }) => self.vars = vars,
                    _ => {}
                }
            }
            if let Some(s) = self.engine.ivr_status(CALL) {
                self.vars = s.vars;
            }
            if follow.is_empty() || guard > 1000 {
                return;
            }
            for i in follow {
                // Announcements that are not IVR prompts (queue messages) need no answer.
                let _ = self.engine.handle_input(self.now, i);
            }
        }
    }

    fn input(&mut self, i: Input) {
        if let Err(e) = self.engine.handle_input(self.now, i.clone()) {
            self.errors.push(format!("{} refused: {e}", i.kind()));
        }
        self.pump();
    }

    fn wait(&mut self, ms: Millis) {
        let until = self.now + ms;
        while let Some(d) = self.engine.next_deadline() {
            if d > until {
                break;
            }
            self.now = self.now.max(d);
            let _ = self.engine.handle_timeout(self.now);
            self.pump();
        }
        self.now = until;
    }
}

/// Runs one conversation against a fresh engine built from `config`. When the
/// conversation has no DNIS, the call enters `flow` directly.
pub fn run_conversation(config: &Config, flow: &str, conv: &Conversation) -> FlowTestReport {
    let mut report = FlowTestReport {
        flow: flow.to_string(),
        name: conv.name.clone(),
        failures: Vec::new(),
        steps: 0,
    };
    let mut cfg = config.clone();
    if conv.dnis.is_empty()
        && let Some(ivr) = cfg.ivr.as_mut()
    {
        ivr.entry.dnis.clear();
        ivr.entry.rules.clear();
        ivr.entry.default = Some(flow.to_string());
    }
    let start = match &conv.at {
        Some(t) => match t.parse::<jiff::Timestamp>() {
            Ok(ts) => ts.as_millisecond().max(0) as Millis,
            Err(e) => {
                report.failures.push(format!("`at`: {e}"));
                return report;
            }
        },
        None => 0,
    };
    let engine = match Engine::new(cfg, 1) {
        Ok(e) => e,
        Err(e) => {
            report.failures.push(format!("configuration: {e}"));
            return report;
        }
    };
    let mut h = Host {
        engine,
        now: start,
        heard: Vec::new(),
        queued: Vec::new(),
        transfers: Vec::new(),
        recordings: Vec::new(),
        nodes: Vec::new(),
        hung_up: false,
        lookup: None,
        errors: Vec::new(),
        vars: Default::default(),
    };
    h.input(Input::CallOffered {
        call: CALL,
        ani: conv.ani.clone(),
        dnis: conv.dnis.clone(),
        channel: Default::default(),
        attributes: Default::default(),
        data: Default::default(),
        priority: 0,
    });
    for (i, step) in conv.steps.iter().enumerate() {
        report.steps = i + 1;
        let fail = |what: String| format!("step {} ({step:?}): {what}", i + 1);
        match step {
            Step::Press(keys) => {
                for k in keys.chars() {
                    h.input(Input::Dtmf {
                        call: CALL,
                        digits: k.to_string(),
                    });
                }
            }
            Step::Wait(secs) => h.wait((secs * 1000.0).max(0.0) as Millis),
            Step::ExpectPrompt(id) => match h.heard.iter().position(|p| p == id) {
                Some(pos) => {
                    h.heard.drain(..=pos);
                }
                None => report
                    .failures
                    .push(fail(format!("not heard; heard {:?}", h.heard))),
            },
            Step::ExpectNode(id) => {
                if h.nodes.last() != Some(id) {
                    report
                        .failures
                        .push(fail(format!("in node {:?}", h.nodes.last())));
                }
            }
            Step::ExpectQueue(q) => {
                if !h.queued.contains(q) {
                    report.failures.push(fail(format!("queued in {:?}", h.queued)));
                }
            }
            Step::ExpectTransfer(d) => {
                if !h.transfers.contains(d) {
                    report.failures.push(fail(format!("transfers {:?}", h.transfers)));
                }
            }
            Step::ExpectRecording(m) => {
                if !h.recordings.contains(m) {
                    report
                        .failures
                        .push(fail(format!("recordings {:?}", h.recordings)));
                }
            }
            Step::ExpectVar { name, value } => {
                let got = h.vars.get(name).cloned();
                if got.as_deref() != Some(value.as_str()) {
                    report.failures.push(fail(format!("value {got:?}")));
                }
            }
            Step::Reply { values, ok } => match h.lookup.take() {
                Some(request) => h.input(Input::LookupResult {
                    call: CALL,
                    request,
                    ok: *ok,
                    values: values.clone(),
                }),
                None => report.failures.push(fail("no lookup is pending".into())),
            },
            Step::ExpectHangup => {
                if !h.hung_up {
                    report.failures.push(fail("the call was not hung up".into()));
                }
            }
            Step::HangUp => h.input(Input::HangUp {
                call: CALL,
                by: Party::Caller,
            }),
        }
    }
    report
        .failures
        .extend(h.errors.into_iter().map(|e| format!("engine: {e}")));
    report
}

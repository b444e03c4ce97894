//! The `flow_conversation` fuzz target's body, shared with
//! `tests/ivr_fuzz_regressions.rs`: callers and agents driven by fuzzer bytes through the
//! bundled bank center (`examples/center`: three queues, 42 agents, the bank IVR flow).
//!
//! Decoding: each step is an opcode byte and its argument bytes (missing bytes read as
//! zero; the run ends with the data). Steps offer calls (ordinary, blocked, VIP or
//! unknown numbers; the bank's DNIS or another), press digit strings, finish prompts,
//! answer lookups (success or failure), finish recordings, hang up, log agents in and
//! answer their rings, and move the clock (to the next deadline or by a jump).
//!
//! Checked after every step:
//! * nothing panics;
//! * a refused input produces no output;
//! * `CallArrived` and `CallEnded` alternate per call;
//! * the PIN typed at the sensitive `pin` node (`7319`) never appears in an event or in
//!   an action other than the lookup that needs it;
//! * at the end, the journal of accepted inputs replays into a fresh engine with the
//!   same outputs.

#![allow(dead_code)]

use callroute::ivr::model::Flow;
use callroute::{
    Action, AgentId, CallId, Config, Engine, Event, Input, JournalEntry, Millis, Output, Poll, StringMap,
};
use std::collections::{BTreeMap, BTreeSet};

const CENTER: &str = include_str!("../../examples/center/center.toml");
const BANK_FLOW: &str = include_str!("../../examples/center/flows/bank.toml");

/// Tuesday 2025-03-04 10:00 UTC: the bank is open.
const START: Millis = 1_741_082_400_000;
/// The PIN the fuzzed callers type at the sensitive node.
const PIN: &str = "7319";

const ANIS: [&str; 4] = ["+15550001234", "+15550000666", "+15557770042", "anonymous"];
const DNIS: [&str; 3] = ["0800-BANK", "0800-OTHER", ""];
const DIGITS: [&str; 10] = [
    "1",
    "2",
    "3",
    "0",
    "*",
    "#",
    "12345678",
    "4532015112830366",
    "9",
    "99",
];

/// The bank center with its flow file read from the embedded text (parsed once).
pub fn center() -> Config {
    static CENTER_CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CENTER_CONFIG.get_or_init(load_center).clone()
}

fn load_center() -> Config {
    let mut cfg = Config::from_toml_str(CENTER, "center.toml").expect("the example center loads");
    let mut flow = Flow::from_toml_str(BANK_FLOW, "flows/bank.toml").expect("the bank flow loads");
    flow.id = Some("bank".into());
    let ivr = cfg.ivr.as_mut().expect("the example center has an IVR");
    ivr.flow_files.clear();
    ivr.flows.insert("bank".into(), flow);
    cfg
}

struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
    fn done(&self) -> bool {
        self.at >= self.data.len()
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        let b = usize::from(self.next());
        (!items.is_empty()).then(|| items[b % items.len()])
    }
}

struct Run {
    e: Engine,
    now: Millis,
    next_call: u64,
    live: BTreeSet<CallId>,
    lookups: Vec<(CallId, u64)>,
    recordings: Vec<CallId>,
    rings: Vec<(AgentId, CallId)>,
    journal: Vec<JournalEntry>,
    outputs: Vec<String>,
}

impl Run {
    fn input(&mut self, input: Input) {
        let entry = JournalEntry {
            at: self.now,
            input: Some(input.clone()),
        };
        match self.e.handle_input(self.now, input) {
            Ok(()) => {
                self.journal.push(entry);
                self.collect();
            }
            Err(err) => assert!(
                matches!(self.e.poll(), Poll::Idle { .. }),
                "a refused input ({err}) produced output"
            ),
        }
    }

    fn timeout(&mut self, at: Millis) {
        self.now = at.max(self.now);
        self.e
            .handle_timeout(self.now)
            .expect("a timeout at or after the clock is accepted");
        self.journal.push(JournalEntry {
            at: self.now,
            input: None,
        });
        self.collect();
    }

    fn collect(&mut self) {
        while let Poll::Output(o) = self.e.poll() {
            let json = serde_json::to_string(&o).expect("outputs serialize");
            let lookup = matches!(o, Output::Action(Action::Lookup { .. }));
            assert!(
                lookup || !json.contains(&format!("\"{PIN}\"")),
                "the PIN leaked: {json}"
            );
            match o {
                Output::Event(Event::CallArrived { call, .. }) => {
                    assert!(self.live.insert(call), "{call:?} arrived twice");
                }
                Output::Event(Event::CallEnded { call, .. }) => {
                    assert!(self.live.remove(&call), "{call:?} ended but was not live");
                }
                Output::Action(Action::Lookup { call, request, .. }) => self.lookups.push((call, request)),
                Output::Action(Action::Record { call, .. }) => self.recordings.push(call),
                Output::Action(Action::RingAgent { call, agent, .. }) => self.rings.push((agent, call)),
                _ => {}
            }
            self.outputs.push(json);
        }
    }

    fn live_call(&self, b: &mut Bytes<'_>) -> CallId {
        let calls: Vec<CallId> = self.live.iter().copied().collect();
        b.pick(&calls).unwrap_or(CallId(1))
    }
}

/// Decodes `data` into steps and checks the invariants listed in the module docs.
pub fn run(data: &[u8]) {
    let cfg = center();
    let mut r = Run {
        e: Engine::new(cfg.clone(), 11).expect("the example center builds"),
        now: START,
        next_call: 0,
        live: BTreeSet::new(),
        lookups: Vec::new(),
        recordings: Vec::new(),
        rings: Vec::new(),
        journal: Vec::new(),
        outputs: Vec::new(),
    };
    let agents = r.e.agent_ids();
    let mut b = Bytes { data, at: 0 };
    let mut steps = 0;
    while !b.done() && steps < 400 {
        steps += 1;
        match b.next() % 12 {
            0 => {
                r.next_call += 1;
                let ani = b.pick(&ANIS).unwrap_or_default().to_string();
                let dnis = b.pick(&DNIS).unwrap_or_default().to_string();
                r.input(Input::CallOffered {
                    call: CallId(r.next_call),
                    ani,
                    dnis,
                    channel: Default::default(),
                    attributes: StringMap::new(),
                    data: StringMap::new(),
                    priority: 0,
                });
            }
            1 | 2 => {
                let call = r.live_call(&mut b);
                let at_pin = r.e.ivr_status(call).is_some_and(|s| s.node == "pin");
                let digits = if at_pin && b.next() % 2 == 0 {
                    PIN
                } else {
                    b.pick(&DIGITS).unwrap_or("1")
                };
                r.input(Input::Dtmf {
                    call,
                    digits: digits.into(),
                });
            }
            3 => {
                let call = r.live_call(&mut b);
                r.input(Input::PromptFinished { call });
            }
            4 => {
                if let Some((call, request)) = b.pick(&r.lookups) {
                    let ok = b.next() % 3 != 0;
                    let values = BTreeMap::from([("balance".to_string(), "1250.75".to_string())]);
                    r.input(Input::LookupResult {
                        call,
                        request,
                        ok,
                        values,
                    });
                }
            }
            5 => {
                if let Some(call) = b.pick(&r.recordings) {
                    r.input(Input::RecordingFinished { call });
                }
            }
            6 | 7 => match r.e.next_deadline() {
                Some(d) => r.timeout(d),
                None => r.timeout(r.now + 1_000),
            },
            8 => {
                let call = r.live_call(&mut b);
                r.input(Input::HangUp {
                    call,
                    by: callroute::input::Party::Caller,
                });
            }
            9 => {
                if let Some(agent) = b.pick(&agents) {
                    r.input(Input::Login { agent });
                    r.input(Input::Ready { agent });
                }
            }
            10 => {
                if let Some((agent, call)) = b.pick(&r.rings) {
                    r.input(Input::DeviceAnswered { agent, call });
                }
            }
            _ => {
                let jump = Millis::from(b.next()) * 5_000;
                r.timeout(r.now + jump);
            }
        }
    }
    // Replaying the journal reproduces every output.
    let mut again = Engine::new(cfg, 11).expect("the example center builds");
    let mut outputs = Vec::new();
    for entry in &r.journal {
        again
            .apply_entry(entry)
            .expect("a journaled input is accepted again");
        while let Poll::Output(o) = again.poll() {
            outputs.push(serde_json::to_string(&o).expect("outputs serialize"));
        }
    }
    assert!(outputs == r.outputs, "the journal replay differs");
}

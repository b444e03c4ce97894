//! Virtual-clock harness: feeds inputs, jumps to the engine's next deadline, and keeps
//! every output with the time it came out.
#![allow(dead_code)]

use callroute::{
    Action, AgentId, CallId, Config, Engine, Event, Input, JournalEntry, Millis, Output, Poll, QueueId,
};

/// Queue 1 with agents 1 and 2 signed in, everything else by default.
pub const TWO_AGENTS_ONE_QUEUE: &str = r#"
[[queues]]
id = 1
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
queues = [1]
"#;

pub struct Harness {
    pub engine: Engine,
    pub now: Millis,
    pub out: Vec<(Millis, Output)>,
    pub journal: Vec<JournalEntry>,
}

impl Harness {
    pub fn new(toml: &str) -> Harness {
        let cfg = Config::from_toml_str(toml, "test.toml").expect("config");
        Harness {
            engine: Engine::new(cfg, 1).expect("engine"),
            now: 0,
            out: Vec::new(),
            journal: Vec::new(),
        }
    }

    /// Keeps the outputs, after checking that the engine's derived routing state
    /// (counters, indexes, skill pools) agrees with the rest.
    fn drain(&mut self) {
        while let Poll::Output(o) = self.engine.poll() {
            self.out.push((self.now, o));
        }
        if let Err(e) = self.engine.audit() {
            panic!("audit at {} ms: {e}", self.now);
        }
    }

    /// Feeds an input at the current time; panics on error.
    pub fn input(&mut self, i: Input) {
        self.try_input(i).expect("input accepted");
    }

    pub fn try_input(&mut self, i: Input) -> callroute::Result<()> {
        let r = self.engine.handle_input(self.now, i.clone());
        if r.is_ok() {
            self.journal.push(JournalEntry {
                at: self.now,
                input: Some(i),
            });
        }
        self.drain();
        r
    }

    /// Advances the clock to `t`, firing every deadline on the way.
    pub fn advance_to(&mut self, t: Millis) {
        while let Some(d) = self.engine.next_deadline() {
            if d > t {
                break;
            }
            self.now = d.max(self.now);
            self.engine.handle_timeout(self.now).expect("timeout");
            self.journal.push(JournalEntry {
                at: self.now,
                input: None,
            });
            self.drain();
        }
        self.now = t.max(self.now);
    }

    pub fn advance(&mut self, ms: Millis) {
        self.advance_to(self.now + ms);
    }

    pub fn secs(&mut self, s: u64) {
        self.advance(s * 1000);
    }

    /// Outputs since index `from`.
    pub fn since(&self, from: usize) -> Vec<Output> {
        self.out[from..].iter().map(|(_, o)| o.clone()).collect()
    }

    pub fn mark(&self) -> usize {
        self.out.len()
    }

    pub fn actions(&self) -> Vec<Action> {
        self.out
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Action(a) => Some(a.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn events(&self) -> Vec<Event> {
        self.out
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Event(e) => Some(e.clone()),
                _ => None,
            })
            .collect()
    }

    /// Agents rung for a call, in order.
    pub fn rung(&self, call: u64) -> Vec<u32> {
        self.actions()
            .iter()
            .filter_map(|a| match a {
                Action::RingAgent { call: c, agent, .. } if c.0 == call => Some(agent.0),
                _ => None,
            })
            .collect()
    }

    pub fn ready(&mut self, agent: u32) {
        self.input(Input::Login {
            agent: AgentId(agent),
        });
        self.input(Input::Ready {
            agent: AgentId(agent),
        });
    }

    pub fn call(&mut self, call: u64, queue: u32) {
        self.call_from(call, queue, &format!("+1555000{call:04}"));
    }

    pub fn call_from(&mut self, call: u64, queue: u32, ani: &str) {
        self.contact(call, queue, ani, Default::default());
    }

    /// A chat (no caller number) entering `queue`.
    pub fn chat(&mut self, call: u64, queue: u32) {
        self.contact(call, queue, "", callroute::Channel::Chat);
    }

    fn contact(&mut self, call: u64, queue: u32, ani: &str, channel: callroute::Channel) {
        self.input(Input::CallOffered {
            call: CallId(call),
            ani: ani.into(),
            dnis: "800".into(),
            channel,
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        });
        self.input(Input::EnterQueue {
            call: CallId(call),
            queue: QueueId(queue),
            priority: None,
            requirement: None,
        });
    }

    pub fn answer(&mut self, agent: u32, call: u64) {
        self.input(Input::DeviceAnswered {
            agent: AgentId(agent),
            call: CallId(call),
        });
    }

    pub fn hang_up(&mut self, call: u64) {
        self.input(Input::HangUp {
            call: CallId(call),
            by: callroute::input::Party::Caller,
        });
    }

    pub fn state(&self, agent: u32) -> callroute::AgentState {
        self.engine.agent_status(AgentId(agent)).expect("agent").state
    }

    /// Asserts that replaying the journal into a fresh engine gives the same outputs.
    pub fn assert_replays(&self, toml: &str) {
        let cfg = Config::from_toml_str(toml, "test.toml").unwrap();
        let mut e = Engine::new(cfg, 1).unwrap();
        let mut outs = Vec::new();
        for j in &self.journal {
            e.apply_entry(j).unwrap();
            outs.extend(e.drain());
        }
        let mine: Vec<Output> = self.out.iter().map(|(_, o)| o.clone()).collect();
        assert_eq!(
            serde_json::to_string(&outs).unwrap(),
            serde_json::to_string(&mine).unwrap()
        );
    }
}

//! Property: a valid flow driven by random caller and host behaviour never panics,
//! never loses the call, and after every input the call has either ended or waits for
//! something that will come: a timer, or the host's answer to an action it was given.
use callroute::{Action, CallId, Config, Engine, Input, Output};
use proptest::prelude::*;

const FLOWS: &str = r#"
[stats]
interval_secs = 86400
[[queues]]
id = 1
[[agents]]
id = 1
queues = [1]
[ivr.prompts]
p = { en = [ { text = "p" } ] }
[ivr.entry]
default = "main"
[ivr.flows.main]
start = "menu"
[ivr.flows.main.nodes.menu]
type = "menu"
greeting = "p"
options = { "1" = "collect", "2" = "look", "3" = "q", "4" = "vm", "5" = "cb", "6" = "survey", "77" = "sub", "0" = "lang" }
on_failure = "bye"
max_failures = 2
[ivr.flows.main.nodes.lang]
type = "language"
prompt = "p"
options = { "1" = "en" }
next = "menu"
[ivr.flows.main.nodes.collect]
type = "collect"
prompt = "p"
into = "acct"
min_digits = 2
max_digits = 4
validate = "luhn"
confirm = "p"
next = "branch"
on_failure = "menu"
[ivr.flows.main.nodes.branch]
type = "branch"
conditions = [ { when = "vars['acct'].size() > 3", next = "q" } ]
otherwise = "bye"
[ivr.flows.main.nodes.look]
type = "lookup"
name = "x"
params = ["ani"]
next = "set"
on_failure = "menu"
[ivr.flows.main.nodes.set]
type = "set"
vars = { y = "ani + '!'" }
next = "menu"
[ivr.flows.main.nodes.q]
type = "queue"
queue = 1
offers = { after_secs = 5, prompt = "p", callback_digit = "1", voicemail = { digit = "2", node = "vm" } }
[ivr.flows.main.nodes.vm]
type = "voicemail"
mailbox = "m"
prompt = "p"
[ivr.flows.main.nodes.cb]
type = "callback"
confirm = "p"
ask_number = "p"
queue = 1
[ivr.flows.main.nodes.survey]
type = "survey"
questions = [ { id = "a", prompt = "p" } ]
next = "bye"
[ivr.flows.main.nodes.sub]
type = "subflow"
flow = "s"
next = "menu"
[ivr.flows.main.nodes.bye]
type = "hangup"
prompt = "p"
[ivr.flows.s]
start = "r"
[ivr.flows.s.nodes.r]
type = "return"
"#;

#[derive(Clone, Debug)]
enum Op {
    Keys(String),
    Wait(u64),
    PromptDone,
    Reply(bool),
    RecordingDone,
    AgentReady,
    HangUp,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => "[0-9*#]{1,3}".prop_map(Op::Keys),
        3 => (0u64..20_000).prop_map(Op::Wait),
        5 => Just(Op::PromptDone),
        1 => any::<bool>().prop_map(Op::Reply),
        1 => Just(Op::RecordingDone),
        1 => Just(Op::AgentReady),
        1 => Just(Op::HangUp),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn calls_end_or_wait_for_something(ops in prop::collection::vec(op(), 1..60)) {
        let mut e = Engine::new(Config::from_toml_str(FLOWS, "f.toml").unwrap(), 1).unwrap();
        let call = CallId(1);
        let mut now = 0;
        e.handle_input(now, Input::CallOffered { call, ani: "+1".into(), dnis: String::new(), channel: Default::default(), attributes: Default::default(), data: Default::default(), priority: 0 }).unwrap();
        let mut ended = false;
        let mut pending_lookup = None;
        let mut logged_in = false;
        for op in ops {
            let r = match op {
                Op::Keys(k) => e.handle_input(now, Input::Dtmf { call, digits: k }),
                Op::Wait(ms) => {
                    now += ms;
                    while let Some(d) = e.next_deadline().filter(|d| *d <= now) {
                        e.handle_timeout(d.max(e.now())).unwrap();
                    }
                    e.handle_timeout(now)
                }
                Op::PromptDone => e.handle_input(now, Input::PromptFinished { call }),
                Op::Reply(ok) => e.handle_input(now, Input::LookupResult { call, request: pending_lookup.unwrap_or(0), ok, values: Default::default() }),
                Op::RecordingDone => e.handle_input(now, Input::RecordingFinished { call }),
                Op::AgentReady => {
                    if !logged_in {
                        logged_in = true;
                        e.handle_input(now, Input::Login { agent: callroute::AgentId(1) }).unwrap();
                    }
                    e.handle_input(now, Input::Ready { agent: callroute::AgentId(1) })
                }
                Op::HangUp => e.handle_input(now, Input::HangUp { call, by: callroute::input::Party::Caller }),
            };
            // Errors are fine (refused input); outputs must be consistent.
            let _ = r;
            for o in e.drain() {
                match o {
                    Output::Action(Action::Lookup { request, .. }) => pending_lookup = Some(request),
                    Output::Event(callroute::Event::CallEnded { call: c, .. }) if c == call => {
                        prop_assert!(!ended, "the call ended twice");
                        ended = true;
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(ended, !e.has_call(call));
            if !ended {
                match e.ivr_status(call) {
                    Some(s) => {
                        let timer_soon = e.next_deadline().is_some_and(|d| d <= now + 10_000);
                        let with_agents = e.queue_status(callroute::QueueId(1)).is_some_and(|q| q.waiting > 0)
                            || !matches!(
                                e.agent_status(callroute::AgentId(1)).map(|a| a.state),
                                Some(callroute::AgentState::Ready | callroute::AgentState::LoggedOut | callroute::AgentState::NotReady { .. })
                            );
                        let ok = match s.waiting_for.as_str() {
                            // The host owes an answer to an action it was given.
                            "prompt" | "lookup" | "recording" => true,
                            // Keys: a digit timer is running.
                            "digits" => timer_soon,
                            // In a queue (offers pending or done), or handed to an agent.
                            "queue" | "nothing" => with_agents,
                            _ => false,
                        };
                        prop_assert!(ok, "stuck: {:?}, next deadline {:?} at {}", s, e.next_deadline(), now);
                    }
                    None => prop_assert!(false, "a live call lost its IVR session"),
                }
            }
        }
    }
}

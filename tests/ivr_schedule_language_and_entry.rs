//! Entry-flow selection (DNIS, CEL rules, default), ANI rules (blacklist, VIP),
//! schedules on shared calendars, and language selection with prompt fallback.
use callroute::ivr::testing::run_flow_tests;
use callroute::output::PromptPart;
use callroute::{Action, CallId, Config, Engine, Event, Input, Output};

const CENTER: &str = r#"
[calendars.main]
time_zone = "Europe/Lisbon"
holidays = [ { date = "2026-12-25", name = "Christmas" } ]
[calendars.main.hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]

[[queues]]
id = 1
name = "sales"

[ivr]
locales = ["en", "pt"]
time_zone = "Europe/Lisbon"
entry = { dnis = { "800" = "main" }, rules = [ { when = "ani.startsWith('+44')", flow = "uk" } ], default = "main" }
ani_rules = [
  { numbers = ["+15550666"], action = { block = { prompt = "blocked" } } },
  { prefixes = ["+1555777"], action = { vip = { priority = 10 } } },
]
[ivr.prompts]
lang = { en = [ { text = "For English press 1" } ], pt = [ { text = "Para português prima 2" } ] }
hello = { en = [ { text = "Hello" } ], pt = [ { text = "Olá" } ] }
closed = { en = [ { text = "We are closed" } ], pt = [ { text = "Estamos fechados" } ] }
holiday = { en = [ { text = "Happy holidays" } ] , pt = [ { text = "Boas festas" } ] }
blocked = { en = [ { text = "Goodbye" } ], pt = [ { text = "Adeus" } ] }
uk = { en = [ { text = "Hello UK" } ], pt = [ { text = "Olá Reino Unido" } ] }

[ivr.flows.main]
start = "lang"
[ivr.flows.main.nodes.lang]
type = "language"
prompt = "lang"
options = { "1" = "en", "2" = "pt" }
next = "hours"
[ivr.flows.main.nodes.hours]
type = "schedule"
calendar = "main"
open = "hello"
closed = "closed"
holiday = "holiday"
[ivr.flows.main.nodes.hello]
type = "play"
prompts = ["hello"]
next = "sales"
[ivr.flows.main.nodes.sales]
type = "queue"
queue = 1
[ivr.flows.main.nodes.closed]
type = "hangup"
prompt = "closed"
[ivr.flows.main.nodes.holiday]
type = "hangup"
prompt = "holiday"

[ivr.flows.uk]
start = "hi"
[ivr.flows.uk.nodes.hi]
type = "hangup"
prompt = "uk"

[[ivr.flows.main.tests]]
name = "open on a Monday morning"
at = "2026-11-23T10:00:00Z"
steps = [ { press = "1" }, { expect-prompt = "hello" }, { expect-queue = 1 } ]

[[ivr.flows.main.tests]]
name = "closed on Saturday night"
at = "2026-11-28T23:00:00Z"
steps = [ { press = "1" }, { expect-prompt = "closed" }, "expect-hangup" ]

[[ivr.flows.main.tests]]
name = "holiday on Christmas"
at = "2026-12-25T10:00:00Z"
steps = [ { press = "2" }, { expect-prompt = "holiday" }, "expect-hangup" ]

[[ivr.flows.main.tests]]
name = "no choice keeps the default language"
at = "2026-11-23T10:00:00Z"
steps = [ { wait = 5.0 }, { expect-prompt = "hello" } ]
"#;

fn engine() -> Engine {
    Engine::new(Config::from_toml_str(CENTER, "c.toml").unwrap(), 1).unwrap()
}

fn offer(e: &mut Engine, call: u64, ani: &str, dnis: &str) -> Vec<Output> {
    e.handle_input(
        1_795_428_000_000, // 2026-11-23 10:00 UTC, a Monday
        Input::CallOffered {
            call: CallId(call),
            ani: ani.into(),
            dnis: dnis.into(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
    e.drain()
}

fn flows(out: &[Output]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(Event::IvrStarted { flow, .. }) => Some(flow.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn schedule_and_language_conversations_pass() {
    let cfg = Config::from_toml_str(CENTER, "c.toml").unwrap();
    let reports = run_flow_tests(&cfg);
    assert_eq!(reports.len(), 4);
    for r in &reports {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

#[test]
fn entry_flow_by_dnis_then_rules_then_default() {
    let mut e = engine();
    assert_eq!(
        flows(&offer(&mut e, 1, "+441234", "800")),
        vec!["main"],
        "DNIS wins over rules"
    );
    assert_eq!(flows(&offer(&mut e, 2, "+441234", "999")), vec!["uk"]);
    assert_eq!(flows(&offer(&mut e, 3, "+351999", "999")), vec!["main"]);
}

#[test]
fn blacklisted_callers_hear_a_prompt_and_are_hung_up() {
    let mut e = engine();
    let out = offer(&mut e, 1, "+15550666", "800");
    assert!(out.contains(&Output::Event(Event::CallerBlocked {
        call: CallId(1),
        ani: "+15550666".into()
    })));
    assert!(flows(&out).is_empty());
    e.handle_input(1_795_428_000_000, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    assert!(
        e.drain()
            .contains(&Output::Action(Action::HangUp { call: CallId(1) }))
    );
    assert!(!e.has_call(CallId(1)));
}

#[test]
fn vip_callers_get_priority_and_a_tag() {
    let mut e = engine();
    offer(&mut e, 1, "+15557770001", "800");
    e.handle_input(
        1_795_428_000_000,
        Input::Dtmf {
            call: CallId(1),
            digits: "2".into(),
        },
    )
    .unwrap();
    let out = e.drain();
    // Portuguese chosen: the hello prompt comes in Portuguese.
    let parts = out.iter().find_map(|o| match o {
        Output::Action(Action::Play { announcement, .. }) if announcement.prompts == ["hello"] => {
            Some(announcement.parts.clone())
        }
        _ => None,
    });
    assert_eq!(parts, Some(vec![PromptPart::Text("Olá".into())]));
    e.handle_input(1_795_428_000_000, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    let queued = e.drain().into_iter().find_map(|o| match o {
        Output::Event(Event::CallQueued { priority, .. }) => Some(priority),
        _ => None,
    });
    assert_eq!(queued, Some(10));
}

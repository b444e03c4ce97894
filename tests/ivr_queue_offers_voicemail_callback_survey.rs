//! In-queue offers (callback, voicemail), voicemail as a missed-call item, callback
//! requests with number confirmation, post-call surveys, subflows and transfers.
use callroute::ivr::testing::run_flow_tests;
use callroute::{Action, CallId, Config, Engine, Event, Input, Output, QueueId};

const CENTER: &str = r#"
[[queues]]
id = 1
name = "loans"
default_aht_secs = 300
[[agents]]
id = 9
queues = [1]

[ivr.prompts]
menu = { en = [ { text = "1 loans, 2 callback, 3 survey, 4 help, 5 operator" } ] }
offer = { en = [ { text = "Press 1 for a callback, 2 to leave a message." } ] }
vm = { en = [ { text = "Leave a message after the tone." } ] }
confirm = { en = [ { text = "We will call you back at" } ] }
ask = { en = [ { text = "Enter your number, then hash." } ] }
done = { en = [ { text = "Thank you, we will call you." } ] }
q1 = { en = [ { text = "How satisfied were you, 1 to 5?" } ] }
q2 = { en = [ { text = "Would you recommend us, 1 to 5?" } ] }
help = { en = [ { text = "Help text." } ] }
thanks = { en = [ { text = "Thanks." } ] }

[ivr.flows.main]
start = "menu"
[ivr.flows.main.nodes.menu]
type = "menu"
greeting = "menu"
options = { "1" = "loans", "2" = "callback", "3" = "survey", "4" = "help", "5" = "operator" }
on_failure = "bye"
[ivr.flows.main.nodes.loans]
type = "queue"
queue = 1
offers = { after_secs = 30, prompt = "offer", callback_digit = "1", voicemail = { digit = "2", node = "vm" } }
[ivr.flows.main.nodes.vm]
type = "voicemail"
mailbox = "loans"
prompt = "vm"
[ivr.flows.main.nodes.callback]
type = "callback"
confirm = "confirm"
ask_number = "ask"
queue = 1
done = "done"
[ivr.flows.main.nodes.survey]
type = "survey"
questions = [ { id = "csat", prompt = "q1" }, { id = "nps", prompt = "q2", min = 1, max = 5 } ]
next = "bye"
[ivr.flows.main.nodes.help]
type = "subflow"
flow = "help"
next = "menu"
[ivr.flows.main.nodes.operator]
type = "transfer"
to = { queue = 1 }
[ivr.flows.main.nodes.bye]
type = "hangup"
prompt = "thanks"

[ivr.flows.help]
start = "say"
[ivr.flows.help.nodes.say]
type = "play"
prompts = ["help"]
next = "back"
[ivr.flows.help.nodes.back]
type = "return"

[[ivr.flows.main.tests]]
name = "a subflow returns to the menu"
steps = [ { press = "4" }, { expect-prompt = "help" }, { expect-node = "menu" }, { expect-prompt = "menu" } ]

[[ivr.flows.main.tests]]
name = "after 30 s in queue the caller leaves a voicemail"
steps = [ { press = "1" }, { expect-queue = 1 }, { wait = 30.0 }, { expect-prompt = "offer" }, { press = "2" },
          { expect-prompt = "vm" }, { expect-recording = "loans" }, "expect-hangup" ]

[[ivr.flows.main.tests]]
name = "the operator transfer queues the call"
steps = [ { press = "5" }, { expect-queue = 1 } ]
"#;

const T0: u64 = 1_000_000;

fn start(keys: &str) -> (Engine, Vec<Output>) {
    let mut cfg = Config::from_toml_str(CENTER, "c.toml").unwrap();
    cfg.ivr.as_mut().unwrap().entry.default = Some("main".into());
    let mut e = Engine::new(cfg, 1).unwrap();
    e.handle_input(
        T0,
        Input::CallOffered {
            call: CallId(1),
            ani: "+15551234".into(),
            dnis: String::new(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
    e.handle_input(T0, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    e.handle_input(
        T0,
        Input::Dtmf {
            call: CallId(1),
            digits: keys.into(),
        },
    )
    .unwrap();
    let out = e.drain();
    (e, out)
}

fn finish_prompt(e: &mut Engine) -> Vec<Output> {
    e.handle_input(T0, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    e.drain()
}

#[test]
fn conversations_pass() {
    let cfg = Config::from_toml_str(CENTER, "c.toml").unwrap();
    for r in run_flow_tests(&cfg) {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

#[test]
fn a_voicemail_becomes_a_missed_call_item() {
    let (mut e, _) = start("1");
    e.handle_timeout(T0 + 30_000).unwrap();
    let out = e.drain();
    assert!(out.iter().any(|o| matches!(o, Output::Action(Action::Play { announcement, .. }) if announcement.prompts == ["offer"])));
    e.handle_input(
        T0 + 31_000,
        Input::Dtmf {
            call: CallId(1),
            digits: "2".into(),
        },
    )
    .unwrap();
    let out = e.drain();
    assert!(out.contains(&Output::Action(Action::StopPlayback { call: CallId(1) })));
    assert!(out.contains(&Output::Action(Action::StopMusicOnHold { call: CallId(1) })));
    e.handle_input(T0 + 35_000, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    assert!(e.drain().contains(&Output::Action(Action::Record {
        call: CallId(1),
        mailbox: "loans".into(),
        max_secs: 60
    })));
    e.handle_input(T0 + 60_000, Input::RecordingFinished { call: CallId(1) })
        .unwrap();
    let out = e.drain();
    assert!(out.iter().any(|o| matches!(o, Output::Event(Event::VoicemailLeft { mailbox, ani, .. }) if mailbox == "loans" && ani == "+15551234")));
    let t = e.totals(QueueId(1)).unwrap();
    assert_eq!((t.offered, t.overflowed), (1, 1));
}

#[test]
fn an_in_queue_callback_keeps_the_place() {
    let (mut e, _) = start("1");
    e.handle_timeout(T0 + 30_000).unwrap();
    e.drain();
    e.handle_input(
        T0 + 31_000,
        Input::Dtmf {
            call: CallId(1),
            digits: "1".into(),
        },
    )
    .unwrap();
    let out = e.drain();
    assert!(out.contains(&Output::Event(Event::CallbackRequested {
        call: CallId(1),
        queue: QueueId(1),
        number: "+15551234".into()
    })));
    assert!(out.contains(&Output::Action(Action::HangUp { call: CallId(1) })));
    assert_eq!(e.queue_status(QueueId(1)).unwrap().waiting, 1);
}

#[test]
fn callback_node_confirms_the_number_or_takes_another() {
    let (mut e, out) = start("2");
    let confirm = out.iter().find_map(|o| match o {
        Output::Action(Action::Play { announcement, .. }) if announcement.prompts == ["confirm"] => {
            Some(announcement.parts.clone())
        }
        _ => None,
    });
    assert_eq!(
        confirm.unwrap().last(),
        Some(&callroute::output::PromptPart::Digits("+15551234".into()))
    );
    finish_prompt(&mut e);
    e.handle_input(
        T0,
        Input::Dtmf {
            call: CallId(1),
            digits: "2".into(),
        },
    )
    .unwrap();
    finish_prompt(&mut e);
    e.handle_input(
        T0,
        Input::Dtmf {
            call: CallId(1),
            digits: "5550199#".into(),
        },
    )
    .unwrap();
    let out = e.drain();
    assert!(out.contains(&Output::Event(Event::CallbackRequested {
        call: CallId(1),
        queue: QueueId(1),
        number: "5550199".into()
    })));
    // Agent 9 takes the callback later: the engine asks the host to dial it.
    e.handle_input(
        T0 + 1,
        Input::Login {
            agent: callroute::AgentId(9),
        },
    )
    .unwrap();
    e.handle_input(
        T0 + 1,
        Input::Ready {
            agent: callroute::AgentId(9),
        },
    )
    .unwrap();
    e.handle_input(
        T0 + 2,
        Input::DeviceAnswered {
            agent: callroute::AgentId(9),
            call: CallId(1),
        },
    )
    .unwrap();
    assert!(e.drain().contains(&Output::Action(Action::DialCallback {
        call: CallId(1),
        number: "5550199".into(),
        agent: callroute::AgentId(9)
    })));
}

#[test]
fn survey_answers_are_events_and_out_of_range_is_skipped() {
    let (mut e, _) = start("3");
    finish_prompt(&mut e);
    e.handle_input(
        T0,
        Input::Dtmf {
            call: CallId(1),
            digits: "4".into(),
        },
    )
    .unwrap();
    let out = e.drain();
    assert!(out.contains(&Output::Event(Event::SurveyAnswer {
        call: CallId(1),
        question: "csat".into(),
        answer: 4
    })));
    finish_prompt(&mut e);
    e.handle_input(
        T0,
        Input::Dtmf {
            call: CallId(1),
            digits: "9".into(),
        },
    )
    .unwrap();
    let out = e.drain();
    assert!(
        !out.iter()
            .any(|o| matches!(o, Output::Event(Event::SurveyAnswer { question, .. }) if question == "nps"))
    );
    assert!(out.iter().any(|o| matches!(o, Output::Action(Action::Play { announcement, .. }) if announcement.prompts == ["thanks"])));
}

//! Collect nodes (length, terminator, pattern and Luhn validation, confirmation,
//! sensitive input), lookups (result, failure, timeout) and CEL branches and sets.
use callroute::ivr::testing::run_flow_tests;
use callroute::output::PromptPart;
use callroute::{Action, CallId, Config, Engine, Event, Input, Output};

const CENTER: &str = r#"
[[queues]]
id = 1
name = "cards"
[[agents]]
id = 7
queues = [1]
[ivr.prompts]
account = { en = [ { text = "Enter your account number, then hash." } ] }
pin = { en = [ { text = "Enter your PIN." } ] }
card = { en = [ { text = "Enter your card number." } ] }
confirm = { en = [ { text = "You entered" } ] }
invalid = { en = [ { text = "That is not valid." } ] }
balance = { en = [ { text = "Your balance is" }, { say-money = { amount = "$acct.balance", currency = "EUR" } } ] }
sorry = { en = [ { text = "Sorry, we cannot reach your account." } ] }
gold = { en = [ { text = "Welcome, gold customer." } ] }
[ivr.flows.bank]
start = "account"
[ivr.flows.bank.nodes.account]
type = "collect"
prompt = "account"
into = "account"
min_digits = 6
max_digits = 8
validate = { pattern = "^[1-9][0-9]+$" }
invalid = "invalid"
max_attempts = 2
next = "pin"
on_failure = "agent"
[ivr.flows.bank.nodes.pin]
type = "collect"
prompt = "pin"
into = "pin"
min_digits = 4
max_digits = 4
sensitive = true
next = "lookup"
on_failure = "agent"
[ivr.flows.bank.nodes.lookup]
type = "lookup"
name = "balance"
params = ["account", "pin"]
into = "acct"
timeout_secs = 4
next = "tier"
on_failure = "sorry"
[ivr.flows.bank.nodes.tier]
type = "branch"
conditions = [ { when = "vars['acct.tier'] == 'gold'", next = "gold" } ]
otherwise = "say"
[ivr.flows.bank.nodes.gold]
type = "set"
vars = { greeting = "'gold:' + vars['account']" }
next = "say_gold"
[ivr.flows.bank.nodes.say_gold]
type = "play"
prompts = ["gold", "balance"]
next = "bye"
[ivr.flows.bank.nodes.say]
type = "play"
prompts = ["balance"]
next = "bye"
[ivr.flows.bank.nodes.sorry]
type = "play"
prompts = ["sorry"]
next = "agent"
[ivr.flows.bank.nodes.agent]
type = "queue"
queue = 1
[ivr.flows.bank.nodes.bye]
type = "hangup"

[[ivr.flows.bank.tests]]
name = "self-service balance"
steps = [
  { press = "1234567#" }, { expect-var = { name = "account", value = "1234567" } },
  { press = "9999" }, { reply = { values = { balance = "1234.56", tier = "basic" } } },
  { expect-prompt = "balance" }, "expect-hangup",
]

[[ivr.flows.bank.tests]]
name = "gold customers are greeted and a variable is set"
steps = [
  { press = "12345678" }, { press = "0000" }, { reply = { values = { balance = "5", tier = "gold" } } },
  { expect-var = { name = "greeting", value = "gold:12345678" } }, { expect-prompt = "gold" }, "expect-hangup",
]

[[ivr.flows.bank.tests]]
name = "invalid account twice goes to an agent"
steps = [
  { press = "0123456#" }, { expect-prompt = "invalid" }, { press = "12#" }, { expect-queue = 1 },
]

[[ivr.flows.bank.tests]]
name = "a lookup that fails falls back"
steps = [ { press = "1234567#" }, { press = "1111" }, { reply = { ok = false } }, { expect-prompt = "sorry" }, { expect-queue = 1 } ]

[[ivr.flows.bank.tests]]
name = "a lookup that never answers times out"
steps = [ { press = "1234567#" }, { press = "1111" }, { wait = 4.0 }, { expect-node = "agent" }, { expect-queue = 1 } ]

[[ivr.flows.bank.tests]]
name = "the digits time out after the inter-digit pause and are taken"
steps = [ { press = "123456" }, { wait = 3.0 }, { expect-var = { name = "account", value = "123456" } } ]
"#;

#[test]
fn collect_lookup_and_branch_conversations_pass() {
    let cfg = Config::from_toml_str(CENTER, "bank.toml").unwrap();
    let reports = run_flow_tests(&cfg);
    assert_eq!(reports.len(), 6);
    for r in &reports {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

/// Drives one call by hand and returns every output.
fn drive(cfg: &Config, keys: &[&str]) -> (Engine, Vec<Output>) {
    let mut e = Engine::new(cfg.clone(), 1).unwrap();
    let mut out = Vec::new();
    e.handle_input(
        0,
        Input::CallOffered {
            call: CallId(1),
            ani: "+1".into(),
            dnis: String::new(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
    out.extend(e.drain());
    e.handle_input(0, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    for k in keys {
        e.handle_input(
            0,
            Input::Dtmf {
                call: CallId(1),
                digits: (*k).into(),
            },
        )
        .unwrap();
        let o = e.drain();
        let plays = o
            .iter()
            .filter(|x| matches!(x, Output::Action(Action::Play { .. })))
            .count();
        out.extend(o);
        for _ in 0..plays {
            e.handle_input(0, Input::PromptFinished { call: CallId(1) })
                .unwrap();
            out.extend(e.drain());
        }
    }
    (e, out)
}

#[test]
fn sensitive_digits_stay_out_of_events_and_the_screen_pop() {
    let mut cfg = Config::from_toml_str(CENTER, "bank.toml").unwrap();
    cfg.ivr.as_mut().unwrap().entry.default = Some("bank".into());
    let (mut e, out) = drive(&cfg, &["1234567#", "4321"]);
    let collected: Vec<(String, Option<String>)> = out
        .iter()
        .filter_map(|o| match o {
            Output::Event(Event::DigitsCollected { var, digits, .. }) => Some((var.clone(), digits.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        collected,
        vec![("account".into(), Some("1234567".into())), ("pin".into(), None)]
    );
    let lookup = out.iter().find_map(|o| match o {
        Output::Action(Action::Lookup { request, params, .. }) => Some((*request, params.clone())),
        _ => None,
    });
    let (request, params) = lookup.unwrap();
    assert_eq!(
        params.get("pin").map(String::as_str),
        Some("4321"),
        "the host's data dip needs it"
    );
    e.handle_input(
        0,
        Input::LookupResult {
            call: CallId(1),
            request,
            ok: false,
            values: Default::default(),
        },
    )
    .unwrap();
    let rest = e.drain();
    let json = serde_json::to_string(&rest).unwrap();
    assert!(!json.contains("4321"), "{json}");
    assert!(
        !serde_json::to_string(&e.ivr_status(CallId(1)))
            .unwrap()
            .contains("4321")
    );
    // The sorry prompt ends; the call queues and agent 7's screen pop carries the
    // account, not the PIN.
    e.handle_input(
        0,
        Input::Login {
            agent: callroute::AgentId(7),
        },
    )
    .unwrap();
    e.handle_input(
        0,
        Input::Ready {
            agent: callroute::AgentId(7),
        },
    )
    .unwrap();
    e.handle_input(0, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    let offer = e.drain().into_iter().find_map(|o| match o {
        Output::Action(Action::RingAgent { offer, .. }) => Some(offer),
        _ => None,
    });
    let data = offer.unwrap().info.data.clone();
    assert_eq!(data.get("account"), Some("1234567"));
    assert_eq!(data.get("pin"), None);
}

#[test]
fn money_is_rendered_from_lookup_results() {
    let mut cfg = Config::from_toml_str(CENTER, "bank.toml").unwrap();
    cfg.ivr.as_mut().unwrap().entry.default = Some("bank".into());
    let (mut e, _) = drive(&cfg, &["1234567#", "4321"]);
    let mut values = std::collections::BTreeMap::new();
    values.insert("balance".to_string(), "1234.56".to_string());
    e.handle_input(
        0,
        Input::LookupResult {
            call: CallId(1),
            request: 1,
            ok: true,
            values,
        },
    )
    .unwrap();
    let parts = e.drain().into_iter().find_map(|o| match o {
        Output::Action(Action::Play { announcement, .. }) => Some(announcement.parts),
        _ => None,
    });
    assert_eq!(
        parts.unwrap(),
        vec![
            PromptPart::Text("Your balance is".into()),
            PromptPart::Money {
                amount: "1234.56".into(),
                currency: "EUR".into()
            }
        ]
    );
}

#[test]
fn luhn_validation_and_confirmation() {
    let cfg = r#"
[ivr.prompts]
card = { en = [ { text = "Card number?" } ] }
confirm = { en = [ { text = "You entered" } ] }
[ivr.flows.f]
start = "card"
[ivr.flows.f.nodes.card]
type = "collect"
prompt = "card"
into = "card"
min_digits = 11
max_digits = 16
validate = "luhn"
confirm = "confirm"
next = "end"
on_failure = "end"
[ivr.flows.f.nodes.end]
type = "hangup"
[[ivr.flows.f.tests]]
name = "a bad check digit is refused, a good one confirmed"
steps = [
  { press = "79927398710#" }, { expect-prompt = "card" },
  { press = "79927398713#" }, { expect-prompt = "confirm" }, { press = "1" },
  { expect-var = { name = "card", value = "79927398713" } },
]
[[ivr.flows.f.tests]]
name = "pressing 2 at confirmation asks again"
steps = [ { press = "79927398713#" }, { press = "2" }, { expect-prompt = "card" }, { expect-node = "card" } ]
"#;
    let cfg = Config::from_toml_str(cfg, "card.toml").unwrap();
    for r in run_flow_tests(&cfg) {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

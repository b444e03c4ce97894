//! Menus: options, multi-digit options, invalid input and timeouts with re-prompts,
//! and the exit after too many failures.
use callroute::Config;
use callroute::ivr::testing::run_flow_tests;

const CENTER: &str = r#"
[[queues]]
id = 1
[[queues]]
id = 2
[ivr.prompts]
main = { en = [ { text = "For sales press 1, for support press 2, for the operator 0 0." } ] }
short = { en = [ { text = "1 sales, 2 support." } ] }
invalid = { en = [ { file = "invalid.wav" } ] }
silence = { en = [ { file = "silence.wav" } ] }
bye = { en = [ { text = "Goodbye." } ] }
[ivr.flows.main]
start = "menu"
[ivr.flows.main.nodes.menu]
type = "menu"
greeting = "main"
short_greeting = "short"
options = { "1" = "sales", "2" = "support", "00" = "operator" }
invalid = "invalid"
timeout_prompt = "silence"
max_failures = 2
max_timeouts = 2
on_failure = "bye"
first_digit_timeout_secs = 5
inter_digit_timeout_secs = 2
[ivr.flows.main.nodes.sales]
type = "queue"
queue = 1
[ivr.flows.main.nodes.support]
type = "queue"
queue = 2
[ivr.flows.main.nodes.operator]
type = "transfer"
to = { external = "+15550100" }
[ivr.flows.main.nodes.bye]
type = "hangup"
prompt = "bye"

[[ivr.flows.main.tests]]
name = "a choice goes to its queue"
steps = [ { expect-prompt = "main" }, { press = "2" }, { expect-queue = 2 } ]

[[ivr.flows.main.tests]]
name = "invalid choice re-prompts with the short greeting"
steps = [ { press = "7" }, { expect-prompt = "invalid" }, { expect-prompt = "short" }, { press = "1" }, { expect-queue = 1 } ]

[[ivr.flows.main.tests]]
name = "multi-digit option waits for the second digit"
steps = [ { press = "0" }, { wait = 1.0 }, { press = "0" }, { expect-transfer = "+15550100" } ]

[[ivr.flows.main.tests]]
name = "half a multi-digit option times out as invalid"
steps = [ { press = "0" }, { wait = 2.0 }, { expect-prompt = "invalid" } ]

[[ivr.flows.main.tests]]
name = "silence re-prompts, then the menu gives up"
steps = [
  { wait = 5.0 }, { expect-prompt = "silence" }, { expect-prompt = "short" },
  { wait = 5.0 }, { expect-node = "bye" }, { expect-prompt = "bye" }, "expect-hangup",
]

[[ivr.flows.main.tests]]
name = "two invalid choices exit"
steps = [ { press = "9" }, { press = "8" }, { expect-node = "bye" }, "expect-hangup" ]
"#;

#[test]
fn menu_conversations_pass() {
    let cfg = Config::from_toml_str(CENTER, "menu.toml").unwrap();
    let reports = run_flow_tests(&cfg);
    assert_eq!(reports.len(), 6);
    for r in &reports {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

#[test]
fn a_wrong_expectation_fails_the_conversation() {
    let bad = CENTER.replace(
        "steps = [ { expect-prompt = \"main\" }, { press = \"2\" }, { expect-queue = 2 } ]",
        "steps = [ { expect-prompt = \"main\" }, { press = \"2\" }, { expect-queue = 1 } ]",
    );
    let cfg = Config::from_toml_str(&bad, "menu.toml").unwrap();
    let reports = run_flow_tests(&cfg);
    assert_eq!(
        reports[0].failures,
        vec!["step 3 (ExpectQueue(1)): queued in [2]".to_string()]
    );
}

//! Bad IVR input: keys for a call that is not collecting, keys that are not DTMF, a
//! lookup result for an unknown request, a prompt that is not playing, bad CEL.
use callroute::{CallId, Config, Engine, Error, Input};

const CENTER: &str = r#"
[[queues]]
id = 1
[ivr.prompts]
hi = { en = [ { text = "Hi" } ] }
[ivr.entry]
default = "f"
[ivr.flows.f]
start = "play"
[ivr.flows.f.nodes.play]
type = "play"
prompts = ["hi"]
next = "look"
[ivr.flows.f.nodes.look]
type = "lookup"
name = "crm"
next = "q"
on_failure = "q"
[ivr.flows.f.nodes.q]
type = "queue"
queue = 1
"#;

fn engine() -> Engine {
    let mut e = Engine::new(Config::from_toml_str(CENTER, "c.toml").unwrap(), 1).unwrap();
    e.handle_input(
        0,
        Input::CallOffered {
            call: CallId(1),
            ani: String::new(),
            dnis: String::new(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
    e.drain();
    e
}

fn rejected(e: &mut Engine, i: Input, code: u32) {
    let before = e.snapshot().to_json().unwrap();
    let err = e.handle_input(0, i).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(e.snapshot().to_json().unwrap(), before);
    assert!(e.drain().is_empty());
}

#[test]
fn keys_outside_a_collecting_node_are_refused() {
    let mut e = engine();
    // The play node does not take keys (no barge-in).
    rejected(
        &mut e,
        Input::Dtmf {
            call: CallId(1),
            digits: "1".into(),
        },
        1011,
    );
    rejected(
        &mut e,
        Input::Dtmf {
            call: CallId(1),
            digits: "1a".into(),
        },
        1017,
    );
    rejected(
        &mut e,
        Input::Dtmf {
            call: CallId(9),
            digits: "1".into(),
        },
        1002,
    );
}

#[test]
fn lookup_results_must_match_the_pending_request() {
    let mut e = engine();
    rejected(
        &mut e,
        Input::LookupResult {
            call: CallId(1),
            request: 1,
            ok: true,
            values: Default::default(),
        },
        1017,
    );
    e.handle_input(0, Input::PromptFinished { call: CallId(1) })
        .unwrap();
    e.drain();
    rejected(&mut e, Input::PromptFinished { call: CallId(1) }, 1011);
    rejected(
        &mut e,
        Input::LookupResult {
            call: CallId(1),
            request: 7,
            ok: true,
            values: Default::default(),
        },
        1017,
    );
    e.handle_input(
        0,
        Input::LookupResult {
            call: CallId(1),
            request: 1,
            ok: true,
            values: Default::default(),
        },
    )
    .unwrap();
    e.drain();
    rejected(&mut e, Input::RecordingFinished { call: CallId(1) }, 1011);
}

#[test]
fn cel_that_does_not_parse_is_a_config_error_with_its_place() {
    let bad = CENTER.replace(
        "[ivr.flows.f.nodes.q]",
        "[ivr.flows.f.nodes.b]\ntype = \"branch\"\nconditions = [ { when = \"vars[\", next = \"q\" } ]\notherwise = \"q\"\n[ivr.flows.f.nodes.q]",
    );
    // The lint runs at load: the error names the file, line and field.
    let err = Config::from_toml_str(&bad, "c.toml").unwrap_err();
    assert_eq!(err.location.file, "c.toml");
    assert_eq!(
        (err.location.line, err.location.column),
        (Some(21), Some(18)),
        "{err}"
    );
    assert!(err.location.path.contains("conditions[0].when"), "{err}");
    let unknown = bad.replace("vars[", "foo == 1");
    let err = Config::from_toml_str(&unknown, "c.toml").unwrap_err();
    assert!(err.to_string().contains("foo"), "{err}");
    // A configuration built in code is checked again by the engine.
    let mut cfg = Config::from_toml_str(CENTER, "c.toml").unwrap();
    let flow = cfg.ivr.as_mut().unwrap().flows.get_mut("f").unwrap();
    flow.nodes.insert(
        "b".into(),
        callroute::ivr::Node::Branch(callroute::ivr::model::Branch {
            conditions: vec![callroute::ivr::model::Condition {
                when: "vars[".into(),
                next: "q".into(),
            }],
            otherwise: "q".into(),
        }),
    );
    match Engine::new(cfg, 1).unwrap_err() {
        Error::Config(c) => assert_eq!(c.location.path, "ivr.flows.f.nodes.b.conditions[0].when"),
        e => panic!("{e}"),
    }
}

#[test]
fn malformed_flow_files_name_line_and_column() {
    let bad = CENTER.replace("type = \"lookup\"", "type = \"lookupp\"");
    let err = Config::from_toml_str(&bad, "c.toml").unwrap_err();
    assert_eq!(err.location.file, "c.toml");
    assert_eq!(err.location.line, Some(15));
    assert!(
        err.location.path.starts_with("ivr.flows.f.nodes.look"),
        "{}",
        err.location.path
    );
}

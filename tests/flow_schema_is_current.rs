//! docs/flow.schema.json is generated from the model (`callroute::ivr::source::json_schema`,
//! built with schemars from `IvrConfig` and `Flow`). This test fails when the committed
//! file is stale; run it with `UPDATE_SCHEMA=1` to rewrite the file.

use std::path::Path;

#[test]
fn flow_schema_is_current() {
    let schema = callroute::ivr::source::json_schema();
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/flow.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "docs/flow.schema.json is stale; regenerate it with `UPDATE_SCHEMA=1 cargo test --test flow_schema_is_current`"
    );
}

#[test]
fn the_schema_describes_both_file_kinds() {
    let schema = callroute::ivr::source::json_schema();
    assert_eq!(schema["anyOf"][0]["$ref"], "#/$defs/IvrConfig");
    assert_eq!(schema["anyOf"][1]["$ref"], "#/$defs/Flow");
    let defs = schema["$defs"].as_object().unwrap();
    for name in [
        "IvrConfig",
        "Flow",
        "Node",
        "Step",
        "PromptPart",
        "AniAction",
        "Requirement",
    ] {
        assert!(defs.contains_key(name), "no $defs/{name}");
    }
    // Every node kind is one `type` of Node.
    let kinds: Vec<&str> = defs["Node"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["properties"]["type"]["const"].as_str())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "menu",
            "play",
            "collect",
            "branch",
            "schedule",
            "lookup",
            "set",
            "language",
            "queue",
            "transfer",
            "voicemail",
            "callback",
            "survey",
            "subflow",
            "return",
            "hangup"
        ]
    );
}

//! Fuzz target: arbitrary bytes as an IVR configuration or flow file, in TOML and JSON;
//! parsing, lint, rendering and a call through a valid flow must never panic (see
//! `flow.rs`).

#![cfg_attr(not(test), no_main)]

mod flow;

libfuzzer_sys::fuzz_target!(|data: &[u8]| flow::run(data));

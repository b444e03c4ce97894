//! Fuzz target: arbitrary bytes as a TOML or JSON configuration (see `config.rs`).

#![cfg_attr(not(test), no_main)]

mod config;

libfuzzer_sys::fuzz_target!(|data: &[u8]| config::run(data));

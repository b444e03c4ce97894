//! Fuzz target: callers pressing digits, hanging up and waiting, lookups and agents,
//! decoded from bytes against the bundled bank center and its IVR flow (see
//! `conversation.rs`).

#![cfg_attr(not(test), no_main)]

mod conversation;

libfuzzer_sys::fuzz_target!(|data: &[u8]| conversation::run(data));

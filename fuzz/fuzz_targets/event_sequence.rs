//! Fuzz target: bytes decoded into inputs and timeouts against a fixed center; the
//! engine must never panic or break an invariant (see `sequence.rs`).

#![cfg_attr(not(test), no_main)]

mod sequence;

libfuzzer_sys::fuzz_target!(|data: &[u8]| sequence::run(data));

#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| callroute::tickets::fuzz_definitions(data));

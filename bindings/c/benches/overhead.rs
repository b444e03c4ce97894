//! Per-event overhead of the C interface against the native Rust API. Each benchmark
//! runs the same cycle (an agent logs in, then out) and drains the outputs after each
//! input: natively through `Engine::handle_input` and `Engine::poll`, through the
//! typed C path and through the JSON C path.

use callroute::{AgentId, Config, Engine, Input, Poll};
use callroute_c::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::ffi::{CStr, CString, c_char};
use std::hint::black_box;

const CONFIG: &str = "[[queues]]\nid = 1\n[[agents]]\nid = 7\nqueues = [1]\n";

fn native(c: &mut Criterion) {
    let mut engine = Engine::new(Config::from_toml_str(CONFIG, "bench.toml").unwrap(), 1).unwrap();
    let mut login = true;
    c.bench_function("native round trip", |b| {
        b.iter(|| {
            let agent = AgentId(7);
            let input = if login {
                Input::Login { agent }
            } else {
                Input::Logout { agent }
            };
            login = !login;
            engine.handle_input(0, black_box(input)).unwrap();
            while let Poll::Output(o) = engine.poll() {
                black_box(o);
            }
        })
    });
}

fn c_engine() -> *mut CallrouteEngine {
    let config = CString::new(CONFIG).unwrap();
    let mut engine = std::ptr::null_mut();
    // SAFETY: valid pointers for the duration of the call.
    let status = unsafe { callroute_engine_new(config.as_ptr(), 0, 1, &mut engine) };
    assert_eq!(status, CALLROUTE_OK);
    engine
}

fn typed(c: &mut Criterion) {
    let engine = c_engine();
    let mut login = true;
    let mut out = CallrouteOutput {
        kind: 0,
        call: 0,
        agent: 0,
    };
    c.bench_function("c typed round trip", |b| {
        b.iter(|| {
            let kind = if login {
                CallrouteInputKind::Login
            } else {
                CallrouteInputKind::Logout
            };
            login = !login;
            let input = CallrouteInput {
                kind: kind as u32,
                call: 0,
                agent: 7,
                digit: 0,
            };
            // SAFETY: a live handle, a valid input and a writable output.
            unsafe {
                assert_eq!(callroute_engine_handle_input(engine, 0, black_box(&input)), 0);
                loop {
                    assert_eq!(callroute_engine_poll(engine, &mut out), CALLROUTE_OK);
                    if out.kind == CallrouteOutputKind::None as u32 {
                        break;
                    }
                    black_box(out);
                }
            }
        })
    });
    // SAFETY: freed once.
    unsafe { callroute_engine_free(engine) };
}

fn json(c: &mut Criterion) {
    let engine = c_engine();
    let inputs = [
        CString::new(r#"{"type":"login","agent":7}"#).unwrap(),
        CString::new(r#"{"type":"logout","agent":7}"#).unwrap(),
    ];
    let mut i = 0;
    c.bench_function("c json round trip", |b| {
        b.iter(|| {
            let mut drained: *mut c_char = std::ptr::null_mut();
            // SAFETY: a live handle, NUL-terminated inputs, and the drained string freed once.
            unsafe {
                assert_eq!(
                    callroute_engine_handle_input_json(engine, 0, inputs[i % 2].as_ptr()),
                    0
                );
                assert_eq!(callroute_engine_drain_json(engine, &mut drained), CALLROUTE_OK);
                black_box(CStr::from_ptr(drained));
                callroute_string_free(drained);
            }
            i += 1;
        })
    });
    // SAFETY: freed once.
    unsafe { callroute_engine_free(engine) };
}

criterion_group!(benches, native, typed, json);
criterion_main!(benches);

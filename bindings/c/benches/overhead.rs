//! Per-event overhead of the C interface against the native Rust API: the same
//! ready / not-ready cycle through `Engine::handle_input`, the typed C path and the
//! JSON C path, each followed by draining the outputs.

use callroute::{AgentId, Config, Engine, Input, Poll};
use callroute_c::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const CONFIG: &str = "[[queues]]\nid = 1\n[[agents]]\nid = 7\nqueues = [1]\n";

fn native(c: &mut Criterion) {
    let mut engine = Engine::new(Config::from_toml_str(CONFIG, "bench.toml").unwrap(), 1).unwrap();
    engine
        .handle_input(0, Input::Login { agent: AgentId(7) })
        .unwrap();
    engine.drain();
    let mut ready = true;
    c.bench_function("native round trip", |b| {
        b.iter(|| {
            let input = if ready {
                Input::Ready { agent: AgentId(7) }
            } else {
                Input::NotReady {
                    agent: AgentId(7),
                    reason: None,
                }
            };
            ready = !ready;
            engine.handle_input(0, black_box(input)).unwrap();
            while let Poll::Output(o) = engine.poll() {
                black_box(o);
            }
        })
    });
}

fn c_engine() -> *mut CallrouteEngine {
    let config = std::ffi::CString::new(CONFIG).unwrap();
    let mut engine = std::ptr::null_mut();
    let login = CallrouteInput {
        kind: CallrouteInputKind::Login as u32,
        call: 0,
        agent: 7,
        digit: 0,
    };
    // SAFETY: valid pointers for the duration of each call.
    unsafe {
        assert_eq!(
            callroute_engine_new(config.as_ptr(), 0, 1, &mut engine),
            CALLROUTE_OK
        );
        assert_eq!(callroute_engine_handle_input(engine, 0, &login), CALLROUTE_OK);
    }
    engine
}

fn drain_typed(engine: *mut CallrouteEngine) {
    let mut out = CallrouteOutput {
        kind: 0,
        call: 0,
        agent: 0,
    };
    loop {
        // SAFETY: a live handle and a writable output.
        assert_eq!(unsafe { callroute_engine_poll(engine, &mut out) }, CALLROUTE_OK);
        if out.kind == CallrouteOutputKind::None as u32 {
            break;
        }
        black_box(out);
    }
}

fn typed(c: &mut Criterion) {
    let engine = c_engine();
    drain_typed(engine);
    let mut ready = true;
    c.bench_function("c typed round trip", |b| {
        b.iter(|| {
            // The typed path has no not-ready kind: logging out and in keeps the agent
            // cycling through the same states as the other benchmarks.
            let kind = if ready {
                CallrouteInputKind::Ready
            } else {
                CallrouteInputKind::Logout
            };
            ready = !ready;
            let input = CallrouteInput {
                kind: kind as u32,
                call: 0,
                agent: 7,
                digit: 0,
            };
            // SAFETY: a live handle and a valid input.
            assert_eq!(
                unsafe { callroute_engine_handle_input(engine, 0, black_box(&input)) },
                0
            );
            drain_typed(engine);
        })
    });
    // SAFETY: freed once.
    unsafe { callroute_engine_free(engine) };
}

criterion_group!(benches, native, typed);
criterion_main!(benches);

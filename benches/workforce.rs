//! Benchmarks of the workforce staffing solvers.
//!
//! Run with `cargo bench --bench workforce`. Reference points: the Erlang C
//! solver must be at least 50× faster than Python's `pyworkforce` ErlangC
//! `required_positions`, and the Erlang A solver at least 1000× faster than
//! pyworkforce's exact ErlangA.

use std::hint::black_box;
use std::time::Duration;

use callroute::workforce::{Targets, Workload, erlang_a_metrics, erlang_c_metrics, required_agents};
use criterion::{Criterion, criterion_group, criterion_main};

fn erlang_c_required_agents(c: &mut Criterion) {
    // R `ErlangC` example: 100 calls / 30 min, AHT 180 s (10 Erlangs), 80/20.
    let r_example = Workload::from_calls(100.0, 1800.0, 180.0).expect("valid workload");
    let targets = Targets::service_level(0.8, 20.0);
    c.bench_function("erlang_c_required_agents_r_example", |b| {
        b.iter(|| required_agents(black_box(&r_example), black_box(&targets)))
    });

    // A large center: 2,000 Erlangs, 80/20 and ASA <= 15 s.
    let large = Workload::new(2_000.0, 180.0);
    let large_targets = Targets::service_level(0.8, 20.0).with_max_asa(15.0);
    c.bench_function("erlang_c_required_agents_2000_erlangs", |b| {
        b.iter(|| required_agents(black_box(&large), black_box(&large_targets)))
    });

    c.bench_function("erlang_c_metrics_10000_erlangs", |b| {
        b.iter(|| erlang_c_metrics(black_box(10_100), black_box(10_000.0), 180.0, 20.0))
    });
}

fn erlang_a_required_agents(c: &mut Criterion) {
    // AHT 180 s, mean patience 120 s, 85 % load for 50 agents (42.5 Erlangs).
    let workload = Workload::new(0.85 * 50.0, 180.0).with_patience(120.0);
    let sl = Targets::service_level(0.8, 20.0);
    c.bench_function("erlang_a_required_agents_42_5_erlangs_sl", |b| {
        b.iter(|| required_agents(black_box(&workload), black_box(&sl)))
    });
    let combined = Targets::service_level(0.8, 20.0)
        .with_max_abandon(0.03)
        .with_max_asa(10.0);
    c.bench_function("erlang_a_required_agents_42_5_erlangs_combined", |b| {
        b.iter(|| required_agents(black_box(&workload), black_box(&combined)))
    });

    let large = Workload::new(2_000.0, 180.0).with_patience(120.0);
    c.bench_function("erlang_a_required_agents_2000_erlangs", |b| {
        b.iter(|| required_agents(black_box(&large), black_box(&sl)))
    });

    c.bench_function("erlang_a_metrics_50_agents", |b| {
        b.iter(|| erlang_a_metrics(black_box(50), black_box(42.5), 180.0, 120.0, 20.0))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = erlang_c_required_agents, erlang_a_required_agents
}
criterion_main!(benches);

//! Ticket desk at scale: the time to create a ticket and to process one due timer with
//! 10k, 100k and 1M open tickets (each with a running due time), and the memory a
//! ticket costs, measured with a counting global allocator (live requested bytes; the
//! system allocator's own per-block overhead is not included). See docs/tickets.md.
//!
//! Run: `cargo bench --bench tickets` (needs `[[bench]] name = "tickets" harness = false`).
//! `TICKETS_BENCH_SIZES=10000,100000` limits the sizes.

#[path = "common/counting.rs"]
mod counting;

use callroute::tickets::{Action, Command, Definitions, NewTicket, TicketDesk, TicketId, TicketPoll};
use criterion::{BenchmarkId, Criterion};
use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Duration;

const DESK: &str = r#"
roles = ["csr"]
users = [{ id = "ana", roles = ["csr"] }, { id = "bruno", roles = ["csr"] }, { id = "carla", roles = ["csr"] }]
[[categories]]
id = "service"
assign = { role = "csr", strategy = "least_loaded" }
resolution = { hours = 8 }
fields = [{ name = "summary", type = "text", required = true, max_length = 200 }]
states = [{ id = "open", due = { hours = 1 } }, { id = "done", final = true }]
transitions = [{ from = "open", to = "done", roles = ["csr"] }]
"#;

/// Epoch of the run (2026-01-05T09:00Z); 24x7, so the calendar does not matter.
const T0: u64 = 1_767_603_600_000;
const SUMMARY: &str = "Leaking pipe under the kitchen sink";

fn create(i: u64) -> Command {
    Command::new(
        "ana",
        Action::Create(
            NewTicket::new("service")
                .field("summary", SUMMARY)
                .customer(format!("C-{i:08}")),
        ),
    )
}

fn close(id: TicketId) -> Command {
    Command::new(
        "ana",
        Action::Transition {
            ticket: id,
            to: "done".into(),
            fields: Default::default(),
        },
    )
}

/// A desk with `n` open tickets created over the hour before `T0 + 1 h`, each with
/// its state and resolution timers running; returns it and its clock.
fn desk_with(n: u64) -> (TicketDesk, u64) {
    let defs = Definitions::from_toml_str(DESK, "bench.toml").expect("definitions");
    let mut desk = TicketDesk::new(defs);
    let step = (3_600_000 / n).max(1);
    let mut now = T0;
    for i in 0..n {
        now = T0 + i * step;
        desk.handle(now, create(i)).expect("create");
        desk.drain();
    }
    (desk, now)
}

fn sizes() -> Vec<u64> {
    std::env::var("TICKETS_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000])
}

/// Live bytes per ticket: (bytes with 2n tickets - bytes with n) / n, so the desk's
/// fixed costs and most of the vectors' spare capacity cancel out.
fn memory_report() {
    let field_data = SUMMARY.len() + 40; // the text value and its (index, value) slot
    for n in [50_000u64, 500_000] {
        let before = counting::bytes();
        let (a, _) = desk_with(n);
        let with_n = counting::bytes() - before;
        drop(a);
        let before = counting::bytes();
        let blocks = counting::blocks();
        let (b, _) = desk_with(2 * n);
        let with_2n = counting::bytes() - before;
        let blocks_2n = counting::blocks() - blocks;
        let per = (with_2n - with_n) as f64 / n as f64;
        println!(
            "tickets/memory n={n}: {:.0} B per open ticket at n ({} B total), {:.0} B marginal n->2n, \
             {:.1} blocks per ticket; field data ~{field_data} B, overhead ~{:.0} B",
            with_n as f64 / n as f64,
            with_n,
            per,
            blocks_2n as f64 / (2 * n) as f64,
            per - field_data as f64,
        );
        drop(b);
    }
}

/// Closes the oldest open ticket (skipping ones already closed elsewhere).
fn close_oldest(desk: &mut TicketDesk, open: &mut VecDeque<TicketId>, now: u64) {
    while let Some(id) = open.pop_front() {
        if desk.handle(now, close(id)).is_ok() {
            break;
        }
    }
    desk.drain();
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("tickets");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for n in sizes() {
        let (mut desk, mut now) = desk_with(n);
        let mut open: VecDeque<TicketId> = (1..=n).map(TicketId).collect();
        let mut seq = n;
        let step = (3_600_000 / n).max(1);

        // Steady state: time moves on by one arrival gap (firing what fell due), a
        // ticket is created (timed), and the oldest open ticket is closed, so there
        // are always n open tickets with running due times.
        group.bench_with_input(BenchmarkId::new("create", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    now += step;
                    desk.handle_timeout(now).expect("timeout");
                    desk.drain();
                    let id = desk.next_ticket_id();
                    let cmd = create(seq % n);
                    seq += 1;
                    total += timed(|| {
                        desk.handle(now, cmd).expect("create");
                        black_box(desk.drain());
                    });
                    open.push_back(id);
                    close_oldest(&mut desk, &mut open, now);
                }
                total
            })
        });

        // Fire the next due timer (a warning or a breach, timed); after a breach the
        // ticket is closed and a new one opened (untimed), keeping n open tickets.
        group.bench_with_input(BenchmarkId::new("due_timer", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let deadline = match desk.poll() {
                        TicketPoll::Idle { next_deadline } => next_deadline.expect("a timer"),
                        TicketPoll::Event(_) => unreachable!("drained"),
                    };
                    now = now.max(deadline);
                    let mut fired = Vec::new();
                    total += timed(|| {
                        desk.handle_timeout(now).expect("timeout");
                        fired = desk.drain();
                    });
                    let breached = fired
                        .iter()
                        .find(|e| matches!(e.change, callroute::tickets::Change::DueBreached { .. }));
                    if let Some(e) = breached {
                        desk.handle(now, close(e.ticket)).expect("close");
                        open.push_back(desk.next_ticket_id());
                        desk.handle(now, create(seq % n)).expect("create");
                        seq += 1;
                        desk.drain();
                    }
                }
                total
            })
        });
        println!(
            "tickets/size n={n}: {} open, {} tickets in all, {} timers in the heap",
            desk.open_count(),
            desk.ticket_count(),
            desk.pending_timers()
        );
    }
    group.finish();
}

/// Times one closure. Benchmarks may read the clock; the core never does.
#[allow(clippy::disallowed_methods)]
fn timed(f: impl FnOnce()) -> Duration {
    let start = std::time::Instant::now();
    f();
    start.elapsed()
}

fn main() {
    memory_report();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}

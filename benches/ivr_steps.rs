//! IVR execution speed: node steps per second on one core.
//!
//! `cargo bench --bench ivr_steps`
//!
//! Two workloads: a menu conversation (keys, prompt ends, menu and play nodes, a
//! collect) and a chain of `set` and `branch` nodes that evaluate CEL.
use callroute::{CallId, Config, Engine, Input};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const MENU: &str = r#"
[stats]
interval_secs = 86400
[ivr.prompts]
p = { en = [ { text = "p" } ] }
[ivr.entry]
default = "main"
[ivr.flows.main]
start = "menu"
[ivr.flows.main.nodes.menu]
type = "menu"
greeting = "p"
options = { "1" = "info", "2" = "acct", "9" = "bye" }
on_failure = "bye"
[ivr.flows.main.nodes.info]
type = "play"
prompts = ["p"]
next = "menu"
[ivr.flows.main.nodes.acct]
type = "collect"
prompt = "p"
into = "a"
max_digits = 4
next = "menu"
on_failure = "menu"
[ivr.flows.main.nodes.bye]
type = "hangup"
"#;

/// `n` alternating `set` and `branch` nodes. Each `set` writes variable `v{i % vars}`,
/// so a call carries at most `vars` variables; each `branch` reads the last one.
fn chain(n: usize, vars: usize) -> String {
    let mut s = String::from(
        "[stats]\ninterval_secs = 86400\n[ivr.entry]\ndefault = \"c\"\n[ivr.flows.c]\nstart = \"n0\"\n",
    );
    for i in 0..n {
        if i % 2 == 0 {
            s += &format!(
                "[ivr.flows.c.nodes.n{i}]\ntype = \"set\"\nvars = {{ v{} = \"ani\" }}\nnext = \"n{}\"\n",
                i % vars,
                i + 1
            );
        } else {
            s += &format!(
                "[ivr.flows.c.nodes.n{i}]\ntype = \"branch\"\nconditions = [ {{ when = \"vars['v{}'] == 'x'\", next = \"end\" }} ]\notherwise = \"n{}\"\n",
                (i - 1) % vars,
                i + 1
            );
        }
    }
    s +=
        &format!("[ivr.flows.c.nodes.n{n}]\ntype = \"hangup\"\n[ivr.flows.c.nodes.end]\ntype = \"hangup\"\n");
    s
}

fn offer(e: &mut Engine, call: u64, now: u64) {
    e.handle_input(
        now,
        Input::CallOffered {
            call: CallId(call),
            ani: "+1555".into(),
            dnis: String::new(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
}

fn menu_conversation(c: &mut Criterion) {
    let cfg = Config::from_toml_str(MENU, "menu.toml").unwrap();
    let mut g = c.benchmark_group("ivr");
    g.sample_size(20)
        .measurement_time(std::time::Duration::from_secs(3));
    // One conversation is 18 IVR steps: 12 inputs the IVR handles (the offer, 4
    // prompt ends, 7 keys) and 6 nodes entered (menu, play, menu, collect, menu,
    // hangup).
    g.throughput(Throughput::Elements(18));
    let mut e = Engine::new(cfg, 1).unwrap();
    let mut call = 0u64;
    g.bench_function("menu conversation (18 steps: 12 inputs, 6 nodes)", |b| {
        b.iter(|| {
            call += 1;
            let id = CallId(call);
            let now = e.now();
            offer(&mut e, call, now);
            for keys in ["1", "2", "1234", "9"] {
                e.handle_input(now, Input::PromptFinished { call: id }).unwrap();
                e.handle_input(
                    now,
                    Input::Dtmf {
                        call: id,
                        digits: keys.into(),
                    },
                )
                .unwrap();
            }
            black_box(e.drain());
        })
    });
    let n = 100;
    g.throughput(Throughput::Elements(n as u64 + 1));
    for (vars, name) in [
        (n, "set/branch chain with CEL (101 node steps)"),
        (4, "set/branch chain with CEL, 4 call variables (101 node steps)"),
    ] {
        let cfg = Config::from_toml_str(&chain(n, vars), "chain.toml").unwrap();
        let mut e = Engine::new(cfg, 1).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                call += 1;
                let now = e.now();
                offer(&mut e, call, now);
                black_box(e.drain());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, menu_conversation);
criterion_main!(benches);

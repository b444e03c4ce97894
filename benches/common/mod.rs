//! Shared setup for the benchmarks: a deterministic generator for a skills-based
//! contact center, a tiny PRNG, and helpers to feed and drain the engine.
//!
//! Included by each bench target with `mod common;` (every file in `benches/` is its
//! own crate), so not every item is used by every target.
#![allow(dead_code)]

use callroute::routing::Requirement;
use callroute::{Action, AgentConfig, AgentId, CallId, Config, Engine, Input, Millis, Output, Poll, QueueId};

/// SplitMix64: small, fast, deterministic. Good enough for workload generation.
#[derive(Clone, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) < p
    }
}

/// Shape of a generated center.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub agents: u32,
    pub skills: u32,
    pub skills_per_agent: u32,
    pub queues: u32,
    /// Agents start ready when they log in.
    pub ready_on_login: bool,
    /// After-call work, seconds.
    pub wrap_up_secs: u32,
    /// Queues take their members by skill (`members = "by-skill"`): no sign-ins.
    pub by_skill: bool,
    /// With listed members (`by_skill` false): `None`, every agent is signed in to
    /// every queue requiring one of its skills; `Some(k)`, to one pseudo-random queue
    /// per skill, for its first `k` skills.
    pub max_memberships: Option<u32>,
}

impl Shape {
    /// The routing center: 200 skills, 8 skills per agent, 1,000 queues, each
    /// queue taking as members the agents holding its skill.
    pub fn routing(agents: u32) -> Shape {
        Shape {
            agents,
            skills: 200,
            skills_per_agent: 8,
            queues: 1000,
            ready_on_login: true,
            wrap_up_secs: 0,
            by_skill: true,
            max_memberships: None,
        }
    }

    /// The same center with Asterisk-style listed members: every agent signed in to
    /// each queue requiring one of its skills (40 queues per agent).
    pub fn routing_signed_in(agents: u32) -> Shape {
        Shape {
            by_skill: false,
            ..Shape::routing(agents)
        }
    }
}

pub fn skill_name(s: u32) -> String {
    format!("skill-{s:03}")
}

/// The one skill queue `q` (1-based id) requires: queues are spread evenly over the
/// skills (`queues / skills` queues per skill).
pub fn queue_skill(shape: &Shape, q: u32) -> u32 {
    (q - 1) % shape.skills
}

/// Builds the configuration. Queue `q` requires `skill-(q-1 mod skills)` at level 1 or
/// more. Agent `i` (ids from 1) gets `skills_per_agent` distinct pseudo-random skills
/// (levels 1-10) from a fixed seed and is signed in to every queue requiring one of
/// them (40 queues with the routing shape), or to fewer (see `max_memberships`).
pub fn config(shape: &Shape) -> Config {
    let mut cfg = Config::default();
    cfg.agent_defaults.ready_on_login = shape.ready_on_login;
    cfg.agent_defaults.wrap_up_secs = shape.wrap_up_secs;
    // queues per skill
    let mut by_skill: Vec<Vec<QueueId>> = vec![Vec::new(); shape.skills as usize];
    for q in 1..=shape.queues {
        let mut qc = callroute::QueueConfig::new(QueueId(q), format!("queue-{q}"));
        let s = queue_skill(shape, q);
        qc.requirement = Some(Requirement::skill(skill_name(s), 1));
        if shape.by_skill {
            qc.members = callroute::QueueMembers::BySkill;
        }
        cfg.queues.push(qc);
        by_skill[s as usize].push(QueueId(q));
    }
    let mut rng = SplitMix(0x5EED_0000_0000_0001);
    for i in 1..=shape.agents {
        let mut skills: Vec<u32> = Vec::with_capacity(shape.skills_per_agent as usize);
        while skills.len() < shape.skills_per_agent as usize {
            let s = rng.below(u64::from(shape.skills)) as u32;
            if !skills.contains(&s) {
                skills.push(s);
            }
        }
        let mut queues: Vec<QueueId> = match shape.max_memberships {
            _ if shape.by_skill => Vec::new(),
            None => skills
                .iter()
                .flat_map(|s| by_skill[*s as usize].iter().copied())
                .collect(),
            Some(k) => skills
                .iter()
                .take(k as usize)
                .map(|s| {
                    let qs = &by_skill[*s as usize];
                    qs[rng.below(qs.len() as u64) as usize]
                })
                .collect(),
        };
        queues.sort_unstable();
        let mut a = AgentConfig::new(AgentId(i), format!("agent-{i}"), &queues);
        for s in &skills {
            a.skills.insert(skill_name(*s), rng.range(1, 10) as u8);
        }
        cfg.agents.push(a);
    }
    cfg
}

/// Drains every pending output, returning how many there were.
pub fn drain(e: &mut Engine) -> usize {
    let mut n = 0;
    while let Poll::Output(_) = e.poll() {
        n += 1;
    }
    n
}

/// Drains every pending output and collects the `RingAgent` actions as (call, agent,
/// queue).
pub fn drain_rings(e: &mut Engine, rings: &mut Vec<(CallId, AgentId, Option<QueueId>)>) -> usize {
    let mut n = 0;
    loop {
        match e.poll() {
            Poll::Output(Output::Action(Action::RingAgent { call, agent, offer })) => {
                rings.push((call, agent, offer.queue));
                n += 1;
            }
            Poll::Output(_) => n += 1,
            Poll::Idle { .. } => return n,
        }
    }
}

/// Builds the engine and logs every agent in (ready or not ready by `shape`), draining
/// outputs after each input as a host would.
pub fn engine(shape: &Shape) -> Engine {
    let mut e = Engine::new(config(shape), 7).expect("engine");
    for i in 1..=shape.agents {
        e.handle_input(0, Input::Login { agent: AgentId(i) })
            .expect("login");
        drain(&mut e);
    }
    e
}

/// A caller number from a fixed pool (so the engine's last-agent map stays bounded).
pub fn ani(n: u64) -> String {
    format!("+1555{:07}", n % 5000)
}

/// `CallOffered` with a realistic payload (two attributes, two data items).
pub fn call_offered(call: u64) -> Input {
    let attributes = [("language", "en"), ("tier", "gold")]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into_iter()
        .collect();
    let data = [
        ("account".to_string(), format!("{:08}", call % 100_000_000)),
        ("ivr".to_string(), "1-3".to_string()),
    ]
    .into_iter()
    .collect();
    Input::CallOffered {
        call: CallId(call),
        ani: ani(call),
        dnis: "8005550100".into(),
        channel: Default::default(),
        attributes,
        data,
        priority: 0,
    }
}

pub fn enter_queue(call: u64, queue: QueueId) -> Input {
    Input::EnterQueue {
        call: CallId(call),
        queue,
        priority: None,
        requirement: None,
    }
}

/// Runs every timer due at `now`, draining outputs.
pub fn fire_timers(e: &mut Engine, now: Millis) {
    e.handle_timeout(now).expect("timeout");
    drain(e);
}

//! Properties over random command sequences on the repair desk:
//! * no panic, and a refused command changes nothing;
//! * no ticket ever leaves its workflow graph;
//! * every timer (warning, breach, follow-up reminder) fires exactly once, at its time,
//!   unless the ticket left the state (or closed, or the follow-up was cancelled) first;
//! * the audit trail rebuilds the same desk, and the journal replays to the same events.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{
    Action, Assignee, Change, ContactEvent, Definitions, DueScope, NewTicket, TicketDesk, TicketEvent,
    TicketId,
};
use harness::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const USERS: [&str; 8] = ["ana", "bruno", "carla", "david", "eva", "filipe", "gil", "helena"];
const REPAIR: [&str; 7] = [
    "intake",
    "diagnosis",
    "parts",
    "repair",
    "follow_up",
    "closed",
    "cancelled",
];
const CALLBACK: [&str; 3] = ["new", "called", "unreachable"];

#[derive(Clone, Debug)]
enum Op {
    Create {
        callback: bool,
        customer: u8,
        agent: u8,
        good: bool,
    },
    Move {
        ticket: u8,
        to: u8,
        actor: u8,
        fill: bool,
        flag: bool,
        cheap: bool,
        smart: bool,
    },
    Assign {
        ticket: u8,
        to: u8,
    },
    Priority {
        ticket: u8,
        p: u8,
    },
    FollowUp {
        ticket: u8,
        minutes: u16,
    },
    Cancel {
        ticket: u8,
        n: u8,
    },
    Contact {
        kind: u8,
        phone: u8,
        call: u16,
    },
    Advance {
        minutes: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<bool>(), 0..4u8, 0..8u8, prop::bool::weighted(0.85))
            .prop_map(|(callback, customer, agent, good)| Op::Create { callback, customer, agent, good }),
        8 => (0..12u8, 0..7u8, 0..8u8, any::<bool>(), any::<bool>(), prop::bool::weighted(0.8), prop::bool::weighted(0.7))
            .prop_map(|(ticket, to, actor, fill, flag, cheap, smart)| Op::Move { ticket, to, actor, fill, flag, cheap, smart }),
        1 => (0..12u8, 0..8u8).prop_map(|(ticket, to)| Op::Assign { ticket, to }),
        1 => (0..12u8, 0..7u8).prop_map(|(ticket, p)| Op::Priority { ticket, p }),
        1 => (0..12u8, 0..3000u16).prop_map(|(ticket, minutes)| Op::FollowUp { ticket, minutes }),
        1 => (0..12u8, 0..3u8).prop_map(|(ticket, n)| Op::Cancel { ticket, n }),
        1 => (0..3u8, 0..3u8, 0..5u16).prop_map(|(kind, phone, call)| Op::Contact { kind, phone, call }),
        3 => (0..3000u32).prop_map(|minutes| Op::Advance { minutes }),
    ]
}

fn defs() -> Definitions {
    Definitions::from_toml_str(&example("repair.toml"), "repair.toml").unwrap()
}

fn action(d: &Desk, op: &Op) -> (String, Action) {
    let n = d.desk.ticket_count().max(1);
    let ticket = |t: u8| TicketId(u64::from(t) % (n + 1));
    match op {
        Op::Create {
            callback,
            customer,
            agent,
            good,
        } => {
            let t = if *callback {
                NewTicket::new("callback").field("phone", "+351912000100")
            } else {
                NewTicket::new("repair")
                    .field("product", "dryer")
                    .field("serial", if *good { "DR12345678" } else { "bad" })
                    .field("fault", "Makes noise")
            };
            let agent = USERS[usize::from(*agent)];
            let actor = if *good {
                ["ana", "bruno", "helena"][usize::from(*customer) % 3]
            } else {
                agent
            };
            (
                actor.into(),
                Action::Create(t.customer(format!("C-{customer}")).call(1, Some(agent))),
            )
        }
        Op::Move {
            ticket: t,
            to,
            actor,
            fill,
            flag,
            cheap,
            smart,
        } => {
            let id = ticket(*t);
            let view = d.desk.ticket(id).ok();
            let category = view.as_ref().map(|v| v.category.clone()).unwrap_or_default();
            let states: &[&str] = if category == "callback" {
                &CALLBACK
            } else {
                &REPAIR
            };
            let choice = usize::from(*to);
            let mut to = states[choice % states.len()];
            let mut actor = USERS[usize::from(*actor)];
            let (fill, smart) = (*fill || *smart, *smart);
            if let (Some(v), true) = (&view, smart) {
                // Mostly take a step the graph has, by someone allowed to.
                let mut next: Vec<&str> = states
                    .iter()
                    .copied()
                    .filter(|s| d.desk.definitions().has_transition(&category, &v.state, s))
                    .collect();
                let open: Vec<&str> = next
                    .iter()
                    .copied()
                    .filter(|s| !matches!(*s, "closed" | "cancelled" | "called" | "unreachable"))
                    .collect();
                if choice < 5 && !open.is_empty() {
                    next = open; // mostly move forward rather than close
                }
                if !next.is_empty() {
                    to = next[choice % next.len()];
                    actor = match (v.state.as_str(), to) {
                        (_, "diagnosis") | (_, "closed") | ("new", _) => "ana",
                        ("diagnosis", "parts") | ("diagnosis", "repair") => "carla",
                        ("parts", "repair") => "eva",
                        (_, "follow_up") => "filipe",
                        _ => "helena",
                    };
                }
            }
            let mut fields = BTreeMap::new();
            if fill && category == "repair" {
                fields.insert("diagnosis".into(), "Checked".into());
                fields.insert("parts_needed".into(), (*flag).into());
                fields.insert(
                    "parts_cost".into(),
                    if *cheap { "99.90 EUR" } else { "2000 EUR" }.into(),
                );
                fields.insert("resolution".into(), "Fixed".into());
                fields.insert("visit_date".into(), "2026-01-09".into());
                fields.insert("satisfied".into(), (*flag).into());
            }
            (
                actor.into(),
                Action::Transition {
                    ticket: id,
                    to: to.into(),
                    fields,
                },
            )
        }
        Op::Assign { ticket: t, to } => (
            "helena".into(),
            Action::Assign {
                ticket: ticket(*t),
                to: Some(Assignee::User(USERS[usize::from(*to)].into())),
            },
        ),
        Op::Priority { ticket: t, p } => (
            "ana".into(),
            Action::SetPriority {
                ticket: ticket(*t),
                priority: *p,
            },
        ),
        Op::FollowUp { ticket: t, minutes } => (
            "ana".into(),
            Action::ScheduleFollowUp {
                ticket: ticket(*t),
                at: d.now + u64::from(*minutes) * MINUTE,
                notes: "call".into(),
                assignee: None,
            },
        ),
        Op::Cancel { ticket: t, n } => (
            "ana".into(),
            Action::CancelFollowUp {
                ticket: ticket(*t),
                follow_up: u32::from(*n),
            },
        ),
        Op::Contact { kind, phone, call } => {
            let ani = format!("+35191200000{phone}");
            let call_id = u64::from(*call);
            let e = match kind {
                0 => ContactEvent::MissedCall {
                    ani,
                    queue: 1,
                    call_id,
                },
                1 => ContactEvent::Voicemail {
                    ani,
                    mailbox: "m".into(),
                    call_id,
                    data: BTreeMap::new(),
                },
                _ => ContactEvent::CallbackRequest {
                    ani: "anonymous".into(),
                    number: ani,
                    queue: 2,
                    call_id,
                },
            };
            ("system".into(), Action::Contact(e))
        }
        Op::Advance { .. } => unreachable!(),
    }
}

#[derive(Clone, Copy, Debug)]
struct Clock {
    warn_at: Option<u64>,
    due_at: u64,
    warned: bool,
    breached: bool,
}

/// Walks the trail and checks that no ticket leaves its graph and that every timer
/// event belongs to a live due time or follow-up and comes exactly once, on time.
/// Returns the due times and follow-ups still pending at the end.
fn check_trail(defs: &Definitions, events: &[TicketEvent]) -> (Vec<Clock>, usize) {
    let mut category: BTreeMap<TicketId, String> = BTreeMap::new();
    let mut clocks: BTreeMap<(TicketId, DueScope), Clock> = BTreeMap::new();
    let mut follow_ups: BTreeMap<(TicketId, u32), (u64, bool)> = BTreeMap::new();
    for e in events {
        match &e.change {
            Change::Created {
                category: c, state, ..
            } => {
                assert!(defs.state_ids(c).unwrap().contains(&state.as_str()));
                category.insert(e.ticket, c.clone());
            }
            Change::StateChanged { from, to, closed } => {
                let c = &category[&e.ticket];
                assert!(
                    defs.has_transition(c, from, to),
                    "{c}: {from} -> {to} is not in the graph"
                );
                clocks.remove(&(e.ticket, DueScope::State));
                if *closed {
                    clocks.remove(&(e.ticket, DueScope::Ticket));
                }
            }
            Change::DueSet {
                scope,
                warn_at,
                due_at,
                ..
            } => {
                assert!(warn_at.is_none_or(|w| w > e.at && w < *due_at));
                clocks.insert(
                    (e.ticket, *scope),
                    Clock {
                        warn_at: *warn_at,
                        due_at: *due_at,
                        warned: false,
                        breached: false,
                    },
                );
            }
            Change::DueWarning { scope, due_at } => {
                let c = clocks
                    .get_mut(&(e.ticket, *scope))
                    .expect("warning of a live due time");
                assert!(!c.warned, "warned twice");
                assert_eq!((c.warn_at, c.due_at), (Some(e.at), *due_at), "warning on time");
                c.warned = true;
            }
            Change::DueBreached { scope, due_at } => {
                let c = clocks
                    .get_mut(&(e.ticket, *scope))
                    .expect("breach of a live due time");
                assert!(!c.breached, "breached twice");
                assert!(c.warn_at.is_none() || c.warned, "breach before warning");
                assert_eq!((c.due_at, *due_at), (e.at, e.at), "breach on time");
                c.breached = true;
            }
            Change::FollowUpScheduled { follow_up, at, .. } => {
                follow_ups.insert((e.ticket, *follow_up), (*at, false));
            }
            Change::FollowUpCancelled { follow_up } => {
                let f = follow_ups
                    .remove(&(e.ticket, *follow_up))
                    .expect("cancel of a known follow-up");
                assert!(!f.1);
            }
            Change::FollowUpDue { follow_up, .. } => {
                let f = follow_ups
                    .get_mut(&(e.ticket, *follow_up))
                    .expect("reminder of a live follow-up");
                assert!(!f.1, "reminded twice");
                assert_eq!(f.0, e.at, "reminder on time");
                f.1 = true;
            }
            _ => {}
        }
    }
    let pending_clocks = clocks
        .values()
        .filter(|c| !c.breached || c.warn_at.is_some_and(|_| !c.warned))
        .copied()
        .collect();
    (pending_clocks, follow_ups.values().filter(|f| !f.1).count())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_work_keeps_every_invariant(ops in prop::collection::vec(op(), 1..80)) {
        let mut d = Desk::with(defs());
        for op in &ops {
            if let Op::Advance { minutes } = op {
                d.advance(u64::from(*minutes) * MINUTE);
                continue;
            }
            let (actor, action) = action(&d, op);
            let before = d.snapshot_json();
            let events = d.events.len();
            if d.cmd(&actor, action).is_err() {
                prop_assert_eq!(d.snapshot_json(), before, "a refused command changed the desk");
                prop_assert_eq!(d.events.len(), events);
            }
        }
        let now = d.now;
        d.advance_to(now); // the desk learns the time even if the last command failed
        check_trail(d.desk.definitions(), &d.events);

        // The audit trail rebuilds the same desk.
        let mut rebuilt = TicketDesk::from_audit_trail(defs(), &d.events).unwrap();
        rebuilt.handle_timeout(d.now).unwrap();
        prop_assert!(rebuilt.drain().is_empty());
        prop_assert_eq!(rebuilt.snapshot().to_json().unwrap(), d.snapshot_json());

        // The journal replays to the same events.
        let mut replay = Desk::with(defs());
        for entry in &d.journal {
            replay.desk.apply_entry(entry).unwrap();
            replay.events.extend(replay.desk.drain());
        }
        prop_assert_eq!(&replay.events, &d.events);

        // Far in the future every live timer has fired, once.
        d.advance(400 * DAY);
        let (clocks, follow_ups) = check_trail(d.desk.definitions(), &d.events);
        prop_assert!(clocks.is_empty(), "due times never fired: {:?}", clocks);
        prop_assert_eq!(follow_ups, 0);
        let idle = matches!(d.desk.poll(), callroute::tickets::TicketPoll::Idle { next_deadline: None });
        prop_assert!(idle, "timers left after everything fired");
    }
}

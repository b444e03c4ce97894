//! The engine and the ticket desk together: a caller who gives up waiting becomes a
//! callback ticket automatically, and when they call again the agent's offer carries
//! their open ticket (screen pop).
use callroute::input::Party;
use callroute::tickets::{ContactEvent, Definitions, TicketDesk};
use callroute::{Action, CallId, Config, Engine, Input, Output, QueueId};

const CENTER: &str = r#"
[stats]
short_abandon_secs = 5
[[queues]]
id = 1
[[agents]]
id = 1
queues = [1]
"#;

fn offer(e: &mut Engine, now: u64, call: u64) {
    e.handle_input(
        now,
        Input::CallOffered {
            call: CallId(call),
            ani: "+351210000001".into(),
            dnis: "800".into(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
    e.handle_input(
        now,
        Input::EnterQueue {
            call: CallId(call),
            queue: QueueId(1),
            priority: None,
            requirement: None,
        },
    )
    .unwrap();
}

#[test]
fn a_missed_call_becomes_a_ticket_that_pops_on_the_next_call() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tickets/repair.toml");
    let mut desk = TicketDesk::new(Definitions::from_path(path).unwrap());
    let mut e = Engine::new(Config::from_toml_str(CENTER, "c.toml").unwrap(), 1).unwrap();
    let t0 = 1_795_428_000_000; // Monday 2026-11-23 10:00 UTC
    // A short abandon (2 s) is not a missed call; a long one (40 s) is.
    offer(&mut e, t0, 1);
    e.handle_input(
        t0 + 2_000,
        Input::HangUp {
            call: CallId(1),
            by: Party::Caller,
        },
    )
    .unwrap();
    offer(&mut e, t0 + 10_000, 2);
    e.handle_input(
        t0 + 50_000,
        Input::HangUp {
            call: CallId(2),
            by: Party::Caller,
        },
    )
    .unwrap();
    let mut taken = 0;
    for o in e.drain() {
        if let Output::Event(ev) = o {
            if desk.observe_engine_event(t0 + 50_000, &ev).unwrap() {
                taken += 1;
                assert!(matches!(
                    ContactEvent::from_engine(&ev),
                    Some(ContactEvent::MissedCall { call_id: 2, .. })
                ));
            }
        }
    }
    assert_eq!(taken, 1);
    assert_eq!(desk.open_tickets_for_customer("+351210000001").len(), 1);
    // The caller tries again and reaches an agent: the offer pops the open ticket.
    e.handle_input(
        t0 + 60_000,
        Input::Login {
            agent: callroute::AgentId(1),
        },
    )
    .unwrap();
    e.handle_input(
        t0 + 60_000,
        Input::Ready {
            agent: callroute::AgentId(1),
        },
    )
    .unwrap();
    offer(&mut e, t0 + 70_000, 3);
    let mut offer = e
        .drain()
        .into_iter()
        .find_map(|o| match o {
            Output::Action(Action::RingAgent { offer, .. }) => Some(offer),
            _ => None,
        })
        .unwrap();
    assert!(offer.open_tickets.is_empty());
    desk.attach_open_tickets(&mut offer);
    assert_eq!(offer.open_tickets.len(), 1);
    assert_eq!(offer.open_tickets[0].category, "callback");
}

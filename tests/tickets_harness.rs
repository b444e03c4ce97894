//! Virtual-clock harness for the ticket scenario tests (included by each with
//! `#[path = "tickets_harness.rs"] mod harness;`): feeds commands, jumps to the desk's
//! next deadline, and keeps every event and the journal.
#![allow(dead_code)]

use callroute::Millis;
use callroute::tickets::{
    Action, Change, Command, Definitions, JournalEntry, NewTicket, TicketDesk, TicketError, TicketEvent,
    TicketId, TicketPoll,
};
use std::collections::BTreeMap;

/// Monday 2026-01-05 09:00 in Lisbon (UTC+0 in winter).
pub const MONDAY_9H: Millis = 1_767_603_600_000;
pub const HOUR: Millis = 3_600_000;
pub const MINUTE: Millis = 60_000;
pub const DAY: Millis = 24 * HOUR;

pub fn example(name: &str) -> String {
    let path = format!("{}/examples/tickets/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("example definition")
}

pub struct Desk {
    pub desk: TicketDesk,
    pub now: Millis,
    pub events: Vec<TicketEvent>,
    pub journal: Vec<JournalEntry>,
}

impl Desk {
    pub fn toml(src: &str) -> Desk {
        Desk::with(Definitions::from_toml_str(src, "test.toml").expect("definitions"))
    }

    pub fn json(src: &str) -> Desk {
        Desk::with(Definitions::from_json_str(src, "test.json").expect("definitions"))
    }

    pub fn with(defs: Definitions) -> Desk {
        Desk {
            desk: TicketDesk::new(defs),
            now: MONDAY_9H,
            events: Vec::new(),
            journal: Vec::new(),
        }
    }

    fn drain(&mut self) -> Option<Millis> {
        loop {
            match self.desk.poll() {
                TicketPoll::Event(e) => self.events.push(e),
                TicketPoll::Idle { next_deadline } => return next_deadline,
            }
        }
    }

    /// Runs a command at the current time; on success it goes to the journal.
    pub fn cmd(&mut self, actor: &str, action: Action) -> Result<(), TicketError> {
        let command = Command::new(actor, action);
        let r = self.desk.handle(self.now, command.clone());
        if r.is_ok() {
            self.journal.push(JournalEntry {
                at: self.now,
                command: Some(command),
            });
        }
        self.drain();
        r
    }

    pub fn ok(&mut self, actor: &str, action: Action) {
        self.cmd(actor, action).expect("command accepted");
    }

    pub fn create(&mut self, actor: &str, t: NewTicket) -> TicketId {
        let id = self.desk.next_ticket_id();
        self.ok(actor, Action::Create(t));
        id
    }

    pub fn go(&mut self, actor: &str, ticket: TicketId, to: &str) -> Result<(), TicketError> {
        self.cmd(
            actor,
            Action::Transition {
                ticket,
                to: to.into(),
                fields: BTreeMap::new(),
            },
        )
    }

    pub fn go_with(
        &mut self,
        actor: &str,
        ticket: TicketId,
        to: &str,
        fields: &[(&str, callroute::tickets::FieldValue)],
    ) -> Result<(), TicketError> {
        let fields = fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        self.cmd(
            actor,
            Action::Transition {
                ticket,
                to: to.into(),
                fields,
            },
        )
    }

    /// Advances the clock to `t`, firing every deadline on the way at its own time.
    pub fn advance_to(&mut self, t: Millis) {
        assert!(t >= self.now, "the harness never goes back in time");
        loop {
            let next = self.drain();
            match next {
                Some(d) if d <= t => {
                    self.now = self.now.max(d);
                    self.desk.handle_timeout(self.now).expect("timeout");
                    self.journal.push(JournalEntry {
                        at: self.now,
                        command: None,
                    });
                }
                _ => break,
            }
        }
        // The host tells the desk the time has come even when nothing is due.
        if t > self.desk.now() {
            self.desk.handle_timeout(t).expect("timeout");
            self.journal.push(JournalEntry { at: t, command: None });
            self.drain();
        }
        self.now = t;
    }

    pub fn advance(&mut self, by: Millis) {
        self.advance_to(self.now + by);
    }

    /// The changes of one ticket, in order.
    pub fn changes(&self, id: TicketId) -> Vec<&Change> {
        self.events
            .iter()
            .filter(|e| e.ticket == id)
            .map(|e| &e.change)
            .collect()
    }

    /// The events matching `pick`, with their times.
    pub fn find(&self, pick: impl Fn(&TicketEvent) -> bool) -> Vec<&TicketEvent> {
        self.events.iter().filter(|e| pick(e)).collect()
    }

    pub fn snapshot_json(&self) -> String {
        self.desk.snapshot().to_json().expect("snapshot")
    }
}

pub fn user(name: &str) -> Option<callroute::tickets::Assignee> {
    Some(callroute::tickets::Assignee::User(name.into()))
}

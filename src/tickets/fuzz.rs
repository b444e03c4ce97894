//! Entry point for the cargo-fuzz target of the definition parser.

use super::{Action, Command};
use super::{Definitions, NewTicket, TicketDesk, TicketSnapshot};

/// Feeds arbitrary bytes to the TOML and JSON definition loaders. It must never
/// panic. Accepted definitions are also run a little: each category gets a ticket
/// created by its first user, and the desk goes through a snapshot round trip.
///
/// ```
/// callroute::tickets::fuzz_definitions(b"roles = [\"a\"]\n[[categories]]\nid = \"x\"\nstates = []\n");
/// ```
pub fn fuzz_definitions(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let toml = Definitions::from_toml_str(src, "fuzz.toml");
    let json = Definitions::from_json_str(src, "fuzz.json");
    for result in [toml, json] {
        match result {
            Ok(defs) => exercise(defs),
            Err(e) => assert!((6000..6100).contains(&e.code()), "error code out of range: {e:?}"),
        }
    }
}

fn exercise(defs: Definitions) {
    let categories: Vec<String> = defs.category_ids().map(str::to_string).collect();
    let actor = defs
        .config()
        .users
        .first()
        .map(|u| u.id.clone())
        .unwrap_or_default();
    let mut desk = TicketDesk::new(defs);
    for (i, c) in categories.into_iter().enumerate() {
        let _ = desk.handle(
            i as u64,
            Command::new(actor.clone(), Action::Create(NewTicket::new(c))),
        );
    }
    let _ = desk.handle_timeout(u64::MAX / 2);
    let json = desk.snapshot().to_json();
    if let Ok(json) = json {
        let restored = TicketSnapshot::from_json(&json).and_then(TicketDesk::restore);
        if let Ok(restored) = restored {
            assert_eq!(
                restored.snapshot().to_json().ok(),
                Some(json),
                "snapshot round trip differs"
            );
        }
    }
}

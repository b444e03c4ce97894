//! What a waiting caller hears and can do: music on hold, position and estimated-wait
//! announcements, periodic messages, abandonment, and callbacks that keep their place.
mod common;
use callroute::output::{Announcement, CallOutcome, PromptPart};
use callroute::{Action, AgentId, CallId, Event, Input, QueueId};
use common::Harness;

const CENTER: &str = r#"
[stats]
short_abandon_secs = 5
[[queues]]
id = 1
music_on_hold = "jazz"
default_aht_secs = 120
announcements = { first_after_secs = 10, every_secs = 30 }
periodic_messages = [ { prompt = "visit-our-website", every_secs = 25 } ]
service_level = { percent = 80, within_secs = 20 }
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
queues = [1]
"#;

fn plays(h: &Harness, call: u64) -> Vec<Vec<PromptPart>> {
    h.actions()
        .into_iter()
        .filter_map(|a| match a {
            Action::Play {
                call: c,
                announcement: Announcement { parts, .. },
            } if c.0 == call => Some(parts),
            _ => None,
        })
        .collect()
}

#[test]
fn position_and_estimated_wait_are_announced_from_live_data() {
    let mut h = Harness::new(CENTER);
    h.input(Input::Login { agent: AgentId(1) });
    h.input(Input::Login { agent: AgentId(2) });
    h.call(1, 1);
    h.call(2, 1);
    h.call(3, 1);
    assert!(h.actions().contains(&Action::StartMusicOnHold {
        call: CallId(3),
        class: "jazz".into()
    }));
    h.secs(10);
    // Position 3, 2 agents logged in, AHT 120 s: 3 x 120 / 2 = 180 s.
    assert_eq!(
        plays(&h, 3),
        vec![vec![
            PromptPart::Prompt("queue-position".into()),
            PromptPart::Number(3),
            PromptPart::Prompt("queue-estimated-wait".into()),
            PromptPart::Duration { secs: 180 },
        ]]
    );
    h.hang_up(1);
    h.secs(15); // t = 25: periodic message
    assert_eq!(
        plays(&h, 3)[1],
        vec![PromptPart::Prompt("visit-our-website".into())]
    );
    h.secs(15); // t = 40: second announcement, now position 2
    assert_eq!(plays(&h, 3)[2][1], PromptPart::Number(2));
    assert_eq!(plays(&h, 3)[2][3], PromptPart::Duration { secs: 120 });
}

#[test]
fn abandonment_is_short_or_long_by_threshold() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.call(2, 1);
    h.call(3, 1);
    h.secs(4);
    h.hang_up(1);
    h.secs(20);
    h.hang_up(2);
    assert!(h.events().contains(&Event::CallAbandoned {
        call: CallId(1),
        ani: "+15550000001".into(),
        queue: QueueId(1),
        wait_ms: 4000,
        short: true
    }));
    assert!(h.events().contains(&Event::CallAbandoned {
        call: CallId(2),
        ani: "+15550000002".into(),
        queue: QueueId(1),
        wait_ms: 24000,
        short: false
    }));
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(2),
        outcome: CallOutcome::Abandoned
    }));
    let t = h.engine.totals(QueueId(1)).unwrap();
    assert_eq!(
        (
            t.offered,
            t.abandoned,
            t.abandoned_short,
            t.abandoned_after_threshold
        ),
        (3, 2, 1, 1)
    );
    assert_eq!(t.waiting(), 1);
}

#[test]
fn a_callback_keeps_the_callers_place_and_is_dialled_when_an_agent_takes_it() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.secs(5);
    h.call(2, 1);
    h.input(Input::RequestCallback {
        call: CallId(1),
        number: "+15550199".into(),
    });
    assert!(h.actions().contains(&Action::HangUp { call: CallId(1) }));
    assert!(h.events().contains(&Event::CallbackRequested {
        call: CallId(1),
        queue: QueueId(1),
        number: "+15550199".into()
    }));
    // A virtual call does not hear announcements and cannot be hung up by the caller.
    assert_eq!(
        h.try_input(Input::HangUp {
            call: CallId(1),
            by: callroute::input::Party::Caller
        })
        .unwrap_err()
        .code(),
        1011
    );
    h.secs(60);
    assert!(plays(&h, 1).is_empty());
    h.ready(1);
    assert_eq!(h.rung(1), vec![1], "the callback kept its place ahead of call 2");
    let offer = h.actions().into_iter().find_map(|a| match a {
        Action::RingAgent { call, offer, .. } if call.0 == 1 => Some(offer),
        _ => None,
    });
    assert_eq!(offer.unwrap().callback.as_deref(), Some("+15550199"));
    h.answer(1, 1);
    assert!(h.actions().contains(&Action::DialCallback {
        call: CallId(1),
        number: "+15550199".into(),
        agent: AgentId(1)
    }));
    assert_eq!(h.engine.totals(QueueId(1)).unwrap().callbacks, 1);
}

//! The link between the engine and the ticket desk: missed calls, voicemails and IVR
//! callback requests become callback tickets, and agent offers carry the caller's
//! open tickets (screen pop).

use super::{ContactEvent, TicketDesk, TicketError};
use crate::Millis;
use crate::output::{Event, Offer};

impl ContactEvent {
    /// The ticket-worthy contact in an engine event, if it is one: an abandoned call
    /// (short abandons are not missed calls), a voicemail, or a callback request.
    pub fn from_engine(event: &Event) -> Option<ContactEvent> {
        match event {
            Event::CallAbandoned {
                call,
                ani,
                queue,
                short: false,
                ..
            } => Some(ContactEvent::MissedCall {
                ani: ani.clone(),
                queue: queue.0,
                call_id: call.0,
            }),
            Event::VoicemailLeft {
                call,
                mailbox,
                ani,
                data,
            } => Some(ContactEvent::Voicemail {
                ani: ani.clone(),
                mailbox: mailbox.clone(),
                call_id: call.0,
                data: data.clone(),
            }),
            Event::CallbackRequested { call, queue, number } => Some(ContactEvent::CallbackRequest {
                ani: number.clone(),
                number: number.clone(),
                queue: queue.0,
                call_id: call.0,
            }),
            _ => None,
        }
    }
}

impl TicketDesk {
    /// Feeds an engine event to the desk: ticket-worthy contacts open callback tickets
    /// (see [`ContactEvent::from_engine`]); other events are ignored. Returns whether a
    /// contact was taken.
    pub fn observe_engine_event(&mut self, now: Millis, event: &Event) -> Result<bool, TicketError> {
        match ContactEvent::from_engine(event) {
            Some(c) => self.from_engine_event(now, c).map(|()| true),
            None => Ok(false),
        }
    }

    /// Puts the caller's open tickets on an agent offer, for the screen pop.
    pub fn attach_open_tickets(&self, offer: &mut Offer) {
        offer.open_tickets = self.open_tickets_for_customer(&offer.info.ani);
    }
}

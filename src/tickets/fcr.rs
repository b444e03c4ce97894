//! First-contact resolution. A ticket for the same customer (by customer id, else by
//! phone) and category as one created within the category's window is a repeat
//! contact: its `Created` event says so, and the rate of contacts that were not
//! repeats is the first-contact resolution rate.

use super::desk::{FcrCounts, TicketDesk};
use super::{TicketError, TicketId};
use crate::Millis;
use serde::Serialize;

/// First-contact resolution figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FcrStats {
    /// Tickets with a customer id or phone.
    pub contacts: u64,
    /// Those that repeated an earlier contact within the window.
    pub repeat_contacts: u64,
    /// `(contacts - repeat_contacts) / contacts`, 1.0 when there were none.
    pub rate: f64,
}

impl TicketDesk {
    /// Whether a new ticket of category `ci` for this customer, at `now`, repeats an
    /// earlier one.
    pub(crate) fn is_repeat(
        &self,
        ci: u16,
        customer: Option<&str>,
        phone: Option<&str>,
        now: Millis,
    ) -> bool {
        let window = self.defs.cat(ci).fcr_window_ms;
        let list = match (customer, phone) {
            (Some(c), _) => self.by_customer.get(c),
            (None, Some(p)) => self.by_phone.get(p),
            (None, None) => None,
        };
        let Some(list) = list else { return false };
        // Ids, and so creation times, increase along the list: walk back to the window.
        for id in list.iter().rev() {
            let Ok(t) = self.get(*id) else { continue };
            if t.created_at.saturating_add(window) < now {
                return false;
            }
            if t.category == ci {
                return true;
            }
        }
        false
    }

    pub(crate) fn fcr_counts_mut(&mut self, ci: u16) -> &mut FcrCounts {
        let i = usize::from(ci);
        if self.fcr.len() <= i {
            self.fcr.resize(i + 1, FcrCounts::default());
        }
        &mut self.fcr[i]
    }

    /// First-contact resolution of one category, or of all (`None`).
    pub fn fcr_stats(&self, category: Option<&str>) -> Result<FcrStats, TicketError> {
        let counts = match category {
            Some(c) => {
                let ci = *self
                    .defs
                    .category_index
                    .get(c)
                    .ok_or_else(|| TicketError::UnknownCategory(c.to_string()))?;
                self.fcr.get(usize::from(ci)).copied().unwrap_or_default()
            }
            None => self.fcr.iter().fold(FcrCounts::default(), |a, b| FcrCounts {
                contacts: a.contacts + b.contacts,
                repeats: a.repeats + b.repeats,
            }),
        };
        let rate = if counts.contacts == 0 {
            1.0
        } else {
            (counts.contacts - counts.repeats) as f64 / counts.contacts as f64
        };
        Ok(FcrStats {
            contacts: counts.contacts,
            repeat_contacts: counts.repeats,
            rate,
        })
    }

    /// The tickets of a customer id or phone number, oldest first.
    pub(crate) fn customer_tickets(&self, customer_or_phone: &str) -> Vec<TicketId> {
        let mut ids: Vec<TicketId> = self
            .by_customer
            .get(customer_or_phone)
            .cloned()
            .unwrap_or_default();
        let phone = super::fields::normalize_phone(customer_or_phone);
        if let Some(list) = phone.as_deref().and_then(|p| self.by_phone.get(p)) {
            ids.extend(list);
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

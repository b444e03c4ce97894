//! Callback tickets from the engine: missed calls, voicemails and callback requests.

use super::command::ContactEvent;
use super::definitions::{Category, Intake};
use super::desk::TicketDesk;
use super::error::DefinitionProblem as P;
use super::events::Change;
use super::fields::{FieldValue, normalize_phone};
use super::model::{FieldKind, IntakeDef};
use super::{NewTicket, TicketError};
use crate::Millis;
use std::collections::BTreeMap;

/// Field kinds the intake can fill, by field name.
fn kind_ok(name: &str, kind: FieldKind) -> bool {
    match name {
        "phone" => matches!(kind, FieldKind::Phone | FieldKind::Text),
        "source" => matches!(kind, FieldKind::Enum | FieldKind::Text),
        "queue" => matches!(kind, FieldKind::Number | FieldKind::Text),
        _ => kind == FieldKind::Text,
    }
}

/// Checks `[intake]`; the error is `(sub-path, problem, message)`.
pub(crate) fn check(
    d: &IntakeDef,
    categories: &[Category],
    index: &BTreeMap<String, u16>,
    users: &BTreeMap<String, u32>,
) -> Result<Intake, (String, P, String)> {
    let ci = *index.get(&d.category).ok_or_else(|| {
        (
            "category".into(),
            P::UnknownName,
            format!("unknown category `{}`", d.category),
        )
    })?;
    let cat = categories.get(usize::from(ci)).ok_or_else(|| {
        (
            "category".to_string(),
            P::UnknownName,
            "unknown category".to_string(),
        )
    })?;
    let state = match &d.state {
        Some(s) => *cat
            .state_index
            .get(s)
            .ok_or_else(|| ("state".into(), P::UnknownState, format!("unknown state `{s}`")))?,
        None => cat.initial,
    };
    if cat.states.get(usize::from(state)).is_some_and(|s| s.is_final) {
        return Err((
            "state".into(),
            P::Invalid,
            "intake tickets cannot start closed".into(),
        ));
    }
    if d.actor != "system" && !users.contains_key(&d.actor) {
        return Err((
            "actor".into(),
            P::UnknownName,
            format!("unknown user `{}`", d.actor),
        ));
    }
    for f in &cat.fields {
        let name = f.def.name.as_str();
        if f.def.required && !matches!(name, "phone" | "source") {
            return Err((
                "category".into(),
                P::Invalid,
                format!("field `{name}` is required but the intake only always fills `phone` and `source`"),
            ));
        }
        if matches!(name, "phone" | "source" | "queue" | "mailbox") && !kind_ok(name, f.def.kind) {
            return Err((
                "category".into(),
                P::InvalidField,
                format!(
                    "field `{name}` cannot be {} for the intake to fill it",
                    f.def.kind.as_str()
                ),
            ));
        }
        if name == "source" && f.def.kind == FieldKind::Enum {
            for k in &d.kinds {
                if !f.def.values.iter().any(|v| v == k.as_str()) {
                    return Err((
                        "kinds".into(),
                        P::InvalidField,
                        format!("enum field `source` has no value `{}`", k.as_str()),
                    ));
                }
            }
        }
    }
    Ok(Intake {
        category: ci,
        state,
        actor: d.actor.clone(),
        kinds: d.kinds.clone(),
        merge_open: d.merge_open,
    })
}

impl TicketDesk {
    pub(crate) fn contact(&mut self, now: Millis, event: ContactEvent) -> Result<(), TicketError> {
        let kind = event.kind();
        let call_id = event.call_id();
        let Some(intake) = self.defs.intake.as_ref().filter(|i| i.kinds.contains(&kind)) else {
            return Err(TicketError::IntakeDisabled(kind.as_str()));
        };
        let (ci, state, actor, merge) = (
            intake.category,
            intake.state,
            intake.actor.clone(),
            intake.merge_open,
        );
        let (ani, callback, queue, mailbox, data) = match event {
            ContactEvent::MissedCall { ani, queue, .. } => (ani, None, Some(queue), None, BTreeMap::new()),
            ContactEvent::Voicemail {
                ani, mailbox, data, ..
            } => (ani, None, None, Some(mailbox), data),
            ContactEvent::CallbackRequest {
                ani, number, queue, ..
            } => (ani, Some(number), Some(queue), None, BTreeMap::new()),
        };
        let number = callback.unwrap_or(ani);
        let phone = normalize_phone(&number).ok_or_else(|| TicketError::InvalidFieldValue {
            field: "phone".into(),
            reason: format!("`{number}` cannot be called back"),
        })?;
        if merge {
            let open = self.by_phone.get(phone.as_str()).and_then(|list| {
                list.iter()
                    .rev()
                    .copied()
                    .find(|id| self.get(*id).is_ok_and(|t| t.is_open() && t.category == ci))
            });
            if let Some(id) = open {
                if self.get(id)?.calls.contains(&call_id) {
                    return Ok(());
                }
                return self.emit(now, id, &actor, Change::CallLinked { call: call_id });
            }
        }
        let cat = self.defs.cat(ci);
        let mut t = NewTicket::new(cat.id.clone());
        t.phone = Some(phone.clone());
        t.call = Some(call_id);
        let mut put = |name: &str, v: FieldValue| {
            if let Some(f) = cat
                .field_index
                .get(name)
                .and_then(|&i| cat.fields.get(usize::from(i)))
                && f.normalize(v.clone()).is_ok()
            {
                t.fields.insert(name.to_string(), v);
            }
        };
        put("phone", FieldValue::Text(phone));
        put("source", FieldValue::Text(kind.as_str().to_string()));
        if let Some(q) = queue {
            put("queue", FieldValue::Int(i64::from(q)));
            put("queue", FieldValue::Text(q.to_string()));
        }
        if let Some(m) = mailbox {
            put("mailbox", FieldValue::Text(m));
        }
        for (k, v) in data {
            if !matches!(k.as_str(), "phone" | "source" | "queue" | "mailbox") {
                put(&k, FieldValue::Text(v));
            }
        }
        self.create(now, &actor, t, Some((kind, state)))
    }
}

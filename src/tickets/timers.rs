//! Due times and follow-up reminders. Timers live in one binary heap ordered by time
//! (then by arming order); a timer made stale by a state change stays in the heap and
//! is skipped when it comes up (lazy invalidation), so arming, the next deadline and
//! firing stay logarithmic in the number of open tickets.

use super::definitions::{Due, Escalate};
use super::desk::{FollowUpStatus, TicketDesk};
use super::error::DefinitionProblem as P;
use super::events::{Change, DueScope};
use super::model::{DueDef, Escalation};
use super::validate::{Checker, Ctx};
use super::{TicketError, TicketId};
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// What a timer does when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TimerKind {
    StateWarn,
    StateDue,
    TicketWarn,
    TicketDue,
    FollowUp,
}

/// One armed timer. `tag` is the due clock's generation, or the follow-up number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Timer {
    pub at: Millis,
    pub seq: u64,
    pub ticket: TicketId,
    pub kind: TimerKind,
    pub tag: u32,
}

impl Ord for Timer {
    /// Reversed, so the standard max-heap pops the earliest (then first armed) timer.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TicketDesk {
    pub(crate) fn arm(&mut self, at: Millis, ticket: TicketId, kind: TimerKind, tag: u32) {
        self.timers.push(Timer {
            at,
            seq: self.timer_seq,
            ticket,
            kind,
            tag,
        });
        self.timer_seq += 1;
    }

    /// Whether firing `t` would still do something.
    pub(crate) fn is_live(&self, t: &Timer) -> bool {
        let Ok(tk) = self.get(t.ticket) else { return false };
        let clock = match t.kind {
            TimerKind::StateWarn | TimerKind::StateDue => tk.state_due,
            TimerKind::TicketWarn | TimerKind::TicketDue => tk.ticket_due,
            TimerKind::FollowUp => {
                return t
                    .tag
                    .checked_sub(1)
                    .and_then(|i| tk.follow_ups.get(i as usize))
                    .is_some_and(|f| f.status == FollowUpStatus::Pending && f.at == t.at);
            }
        };
        clock.is_some_and(|c| {
            c.generation == t.tag
                && match t.kind {
                    TimerKind::StateWarn | TimerKind::TicketWarn => !c.warned && c.warn_at == Some(t.at),
                    _ => !c.breached && c.due_at == t.at,
                }
        })
    }

    /// Fires a live timer.
    pub(crate) fn fire(&mut self, now: Millis, t: Timer) -> Result<(), TicketError> {
        let (scope, warn) = match t.kind {
            TimerKind::StateWarn => (DueScope::State, true),
            TimerKind::StateDue => (DueScope::State, false),
            TimerKind::TicketWarn => (DueScope::Ticket, true),
            TimerKind::TicketDue => (DueScope::Ticket, false),
            TimerKind::FollowUp => {
                let tk = self.get(t.ticket)?;
                let Some(f) = t.tag.checked_sub(1).and_then(|i| tk.follow_ups.get(i as usize)) else {
                    return Ok(());
                };
                let change = Change::FollowUpDue {
                    follow_up: t.tag,
                    at: f.at,
                    notes: f.notes.to_string(),
                    assignee: f.assignee.map(|u| self.defs.user_name(u).to_string()),
                };
                return self.emit(now, t.ticket, "system", change);
            }
        };
        let tk = self.get(t.ticket)?;
        let due_at = match scope {
            DueScope::State => tk.state_due,
            DueScope::Ticket => tk.ticket_due,
        }
        .map_or(t.at, |c| c.due_at);
        if warn {
            return self.emit(now, t.ticket, "system", Change::DueWarning { scope, due_at });
        }
        self.emit(now, t.ticket, "system", Change::DueBreached { scope, due_at })?;
        for change in self.escalation(t.ticket, scope)? {
            self.emit(now, t.ticket, "system", change)?;
        }
        Ok(())
    }

    /// The changes the escalation steps of a breached due time make, in order.
    fn escalation(&self, id: TicketId, scope: DueScope) -> Result<Vec<Change>, TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        let due = match scope {
            DueScope::State => cat.states.get(usize::from(t.state)).and_then(|s| s.due.as_ref()),
            DueScope::Ticket => cat.resolution.as_ref(),
        };
        let mut out = Vec::new();
        let (mut assignee, mut priority) = (t.assignee, t.priority);
        for step in due.map_or(&[][..], |d| &d.escalate[..]) {
            match step {
                Escalate::Reassign(rule) => {
                    let pick = self.pick(rule, t, assignee);
                    if pick.is_some() && pick != assignee {
                        out.push(Change::Assigned {
                            old: assignee.map(|s| self.assignee(s)),
                            new: pick.map(|s| self.assignee(s)),
                            rule: Some(rule.key.clone()),
                        });
                        assignee = pick;
                    }
                }
                Escalate::Notify(role) => out.push(Change::RoleNotified {
                    role: self
                        .defs
                        .roles
                        .get(usize::from(*role))
                        .cloned()
                        .unwrap_or_default(),
                    scope,
                }),
                Escalate::RaisePriority(by) => {
                    let new = priority.saturating_add(*by).min(self.defs.config.max_priority);
                    if new != priority {
                        out.push(Change::PriorityChanged { old: priority, new });
                        priority = new;
                    }
                }
            }
        }
        Ok(out)
    }

    /// When a due time of `target_ms` business time from `from` warns and falls due,
    /// in `calendar` (24x7 when none). `None` if the calendar never opens.
    pub(crate) fn due_times(
        &self,
        from: Millis,
        due: &Due,
        calendar: Option<&str>,
    ) -> Option<(Option<Millis>, Millis)> {
        let cal = self.defs.calendar(calendar);
        let add = |ms: u64| match cal {
            Some(c) => c.add_business_ms(from, ms),
            None => from.checked_add(ms),
        };
        let due_at = add(due.target_ms)?;
        let pct = u64::from(due.warn_percent);
        let warn_at = if pct > 0 && pct < 100 {
            add(due.target_ms * pct / 100).filter(|w| *w < due_at)
        } else {
            None
        };
        Some((warn_at, due_at))
    }

    /// Starts the due time of the ticket's current state (or of the whole ticket).
    pub(crate) fn start_due(
        &mut self,
        now: Millis,
        id: TicketId,
        actor: &str,
        scope: DueScope,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        let (due, calendar) = match scope {
            DueScope::State => {
                let s = cat.states.get(usize::from(t.state));
                (
                    s.and_then(|s| s.due.as_ref()),
                    s.and_then(|s| s.calendar.as_deref()),
                )
            }
            DueScope::Ticket => (cat.resolution.as_ref(), cat.calendar.as_deref()),
        };
        let Some(due) = due else { return Ok(()) };
        let target_ms = due.target_ms;
        let Some((warn_at, due_at)) = self.due_times(now, due, calendar) else {
            return Ok(());
        };
        self.emit(
            now,
            id,
            actor,
            Change::DueSet {
                scope,
                target_ms,
                warn_at,
                due_at,
            },
        )
    }

    /// Number of timers in the heap, stale ones included.
    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }
}

/// Checks and compiles a due time; `key` names its escalation rules.
pub(super) fn compile_due(ck: &mut Checker<'_>, ctx: &Ctx<'_>, path: &str, key: &str, d: &DueDef) -> Due {
    let target_ms = (u64::from(d.hours.unwrap_or(0)) * 60 + u64::from(d.minutes.unwrap_or(0))) * 60_000;
    if target_ms == 0 {
        ck.err(
            P::Invalid,
            path.to_string(),
            "a due time needs `hours` or `minutes` above 0",
        );
    }
    let warn_percent = d.warn_percent.unwrap_or(ctx.cfg.warn_percent);
    if warn_percent > 100 {
        ck.err(
            P::Invalid,
            format!("{path}.warn_percent"),
            "must be between 0 and 100",
        );
    }
    let mut escalate = Vec::new();
    for (k, e) in d.escalate.iter().enumerate() {
        let ep = format!("{path}.escalate[{k}]");
        match e {
            Escalation::Reassign(r) => escalate.push(Escalate::Reassign(super::assignment::compile_rule(
                ck,
                ctx,
                &format!("{ep}.reassign"),
                format!("{key}/escalate/{k}"),
                r,
            ))),
            Escalation::Notify(role) => match ctx.roles.get(role) {
                Some(&x) => escalate.push(Escalate::Notify(x)),
                None => ck.err(
                    P::UnknownRole,
                    format!("{ep}.notify"),
                    format!("unknown role `{role}`"),
                ),
            },
            Escalation::RaisePriority(by) => escalate.push(Escalate::RaisePriority(*by)),
        }
    }
    Due {
        target_ms,
        warn_percent,
        escalate,
    }
}

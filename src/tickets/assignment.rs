//! Assignment rules: who gets a ticket on creation, on entering a state, and on
//! escalation. A rule routes to a role, a department or one user; within a pool it
//! picks round robin, the least loaded member, or the agent who took the call.

use super::definitions::{Rule, Target, User};
use super::desk::{Slot, Ticket, TicketDesk};
use super::error::DefinitionProblem as P;
use super::events::{Assignee, Change};
use super::model::AssignRule;
use super::model::AssignStrategy;
use super::validate::{Checker, Ctx};
use super::{TicketError, TicketId};
use crate::Millis;

impl TicketDesk {
    /// The assignee `rule` chooses for `t`, avoiding `exclude` when the pool has
    /// someone else. `None`: the rule has nobody to give it to.
    pub(crate) fn pick(&self, rule: &Rule, t: &Ticket, exclude: Option<Slot>) -> Option<Slot> {
        let group = match rule.target {
            Target::User(u) => return Some(Slot::User(u)),
            Target::Role(r) => Some(Slot::Role(r)),
            Target::Department(d) => Some(Slot::Department(d)),
            Target::None => None,
        };
        let strategy = match rule.strategy {
            AssignStrategy::CallAgent => match t.call_agent {
                Some(u) => return Some(Slot::User(u)),
                None => AssignStrategy::RoundRobin,
            },
            AssignStrategy::Pool => return group,
            s => s,
        };
        let excluded = |u: u32| exclude == Some(Slot::User(u)) && rule.pool.len() > 1;
        let candidates = rule.pool.iter().copied().filter(|&u| !excluded(u));
        let chosen = match strategy {
            AssignStrategy::LeastLoaded => {
                candidates.min_by_key(|&u| (self.load.get(u as usize).copied().unwrap_or(0), u))
            }
            _ => {
                let last = self.round_robin.get(&rule.key).copied();
                let mut all: Vec<u32> = candidates.collect();
                all.sort_unstable();
                let next = last.and_then(|l| all.iter().copied().find(|&u| u > l));
                next.or_else(|| all.first().copied())
            }
        };
        chosen.map(Slot::User).or(group)
    }

    /// The name of an internal assignee.
    pub(crate) fn assignee(&self, s: Slot) -> Assignee {
        let d = &self.defs;
        match s {
            Slot::User(u) => Assignee::User(d.user_name(u).to_string()),
            Slot::Role(r) => Assignee::Role(d.roles.get(usize::from(r)).cloned().unwrap_or_default()),
            Slot::Department(x) => {
                Assignee::Department(d.departments.get(usize::from(x)).cloned().unwrap_or_default())
            }
        }
    }

    /// Applies the assignment rule of the ticket's current state, or, when `creating`,
    /// the category's rule if the state has none.
    pub(crate) fn auto_assign(
        &mut self,
        now: Millis,
        id: TicketId,
        actor: &str,
        creating: bool,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        let state_rule = cat
            .states
            .get(usize::from(t.state))
            .and_then(|s| s.assign.as_ref());
        let rule = match (state_rule, creating) {
            (Some(r), _) => r,
            (None, true) => match &cat.assign {
                Some(r) => r,
                None => return Ok(()),
            },
            (None, false) => return Ok(()),
        };
        let pick = self.pick(rule, t, None);
        if pick.is_none() || pick == t.assignee {
            return Ok(());
        }
        let change = Change::Assigned {
            old: t.assignee.map(|s| self.assignee(s)),
            new: pick.map(|s| self.assignee(s)),
            rule: Some(rule.key.clone()),
        };
        self.emit(now, id, actor, change)
    }

    /// Open tickets assigned to a user, or `None` for an unknown user.
    pub fn load_of(&self, user: &str) -> Option<u32> {
        let u = *self.defs.user_index.get(user)?;
        self.load.get(u as usize).copied()
    }
}

/// Checks and compiles an assignment rule; `key` is its round-robin turn's name.
pub(super) fn compile_rule(
    ck: &mut Checker<'_>,
    ctx: &Ctx<'_>,
    path: &str,
    key: String,
    r: &AssignRule,
) -> Rule {
    let set = [r.role.is_some(), r.department.is_some(), r.user.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    let call_agent = r.strategy == AssignStrategy::CallAgent;
    if set > 1 || (set == 0 && !call_agent) || (call_agent && r.user.is_some()) {
        ck.err(
            P::Invalid,
            path.to_string(),
            "give exactly one of `role`, `department` or `user` (call_agent: at most a role or department)",
        );
    }
    let mut target = Target::None;
    let mut pool = Vec::new();
    if let Some(role) = &r.role {
        match ctx.roles.get(role) {
            Some(&x) => {
                target = Target::Role(x);
                pool = members(ctx.users, |u| u.roles.contains(&x));
            }
            None => ck.err(
                P::UnknownRole,
                format!("{path}.role"),
                format!("unknown role `{role}`"),
            ),
        }
    } else if let Some(d) = &r.department {
        match ctx.departments.get(d) {
            Some(&x) => {
                target = Target::Department(x);
                pool = members(ctx.users, |u| u.departments.contains(&x));
            }
            None => ck.err(
                P::UnknownName,
                format!("{path}.department"),
                format!("unknown department `{d}`"),
            ),
        }
    } else if let Some(u) = &r.user {
        match ctx.user_index.get(u) {
            Some(&x) => target = Target::User(x),
            None => ck.err(
                P::UnknownName,
                format!("{path}.user"),
                format!("unknown user `{u}`"),
            ),
        }
    }
    Rule {
        key,
        target,
        strategy: r.strategy,
        pool,
    }
}

fn members(users: &[User], pick: impl Fn(&User) -> bool) -> Vec<u32> {
    (0..users.len() as u32)
        .filter(|&i| users.get(i as usize).is_some_and(&pick))
        .collect()
}

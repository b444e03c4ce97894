//! Validation and compilation of a [`TicketConfig`] into [`Definitions`]. Every problem
//! is collected (not just the first), each with its field path.

use super::definitions::{Category, Definitions, Perms, StateC, Transition, User};
use super::error::{DefinitionError, DefinitionProblem as P, Location};
use super::fields::{CelValue, Field};
use super::guard::{Guard, GuardScope};
use super::model::{CategoryDef, TicketConfig};
use petgraph::graph::DiGraph;
use std::collections::BTreeMap;

/// A problem, with the guard's own line and column when it is a guard syntax error.
pub(crate) struct Problem {
    pub error: DefinitionError,
    pub guard_pos: Option<(Option<usize>, Option<usize>)>,
}

pub(super) struct Checker<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn err(&mut self, problem: P, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            error: DefinitionError {
                problem,
                location: Location {
                    file: self.file.to_string(),
                    path: path.into(),
                    line: None,
                    column: None,
                },
                message: message.into(),
            },
            guard_pos: None,
        });
    }

    /// Indexes a list of names, reporting empty and duplicate ones.
    fn names<'n>(
        &mut self,
        path: &str,
        suffix: &str,
        names: impl Iterator<Item = &'n String>,
    ) -> BTreeMap<String, u16> {
        let mut out = BTreeMap::new();
        for (i, n) in names.enumerate() {
            if n.is_empty() {
                self.err(P::Invalid, format!("{path}[{i}]{suffix}"), "must not be empty");
            } else if out.contains_key(n) {
                self.err(
                    P::Duplicate,
                    format!("{path}[{i}]{suffix}"),
                    format!("`{n}` is listed twice"),
                );
            } else {
                out.insert(n.clone(), u16::try_from(i).unwrap_or(u16::MAX));
            }
        }
        out
    }

    pub(super) fn roles(&mut self, path: &str, names: &[String], index: &BTreeMap<String, u16>) -> Vec<u16> {
        let mut out = Vec::new();
        for (i, r) in names.iter().enumerate() {
            match index.get(r) {
                Some(&x) => out.push(x),
                None => self.err(
                    P::UnknownRole,
                    format!("{path}[{i}]"),
                    format!("unknown role `{r}`"),
                ),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Compiles a configuration, or returns every problem found.
pub(crate) fn compile(cfg: TicketConfig, file: &str) -> Result<Definitions, Vec<Problem>> {
    let mut ck = Checker {
        file,
        problems: Vec::new(),
    };
    if cfg.max_priority == 0 {
        ck.err(P::Invalid, "max_priority", "must be at least 1");
    }
    if cfg.warn_percent > 100 {
        ck.err(P::Invalid, "warn_percent", "must be between 0 and 100");
    }
    let role_index = ck.names("roles", "", cfg.roles.iter());
    let department_index = ck.names("departments", "", cfg.departments.iter());
    let mut users = Vec::new();
    let mut user_index = BTreeMap::new();
    for (i, u) in cfg.users.iter().enumerate() {
        let path = format!("users[{i}]");
        if u.id.is_empty() || u.id == "system" {
            ck.err(
                P::Invalid,
                format!("{path}.id"),
                "must be non-empty and not `system`",
            );
        } else if user_index.contains_key(&u.id) {
            ck.err(
                P::Duplicate,
                format!("{path}.id"),
                format!("user `{}` is defined twice", u.id),
            );
        }
        user_index.entry(u.id.clone()).or_insert(users.len() as u32);
        let roles = ck.roles(&format!("{path}.roles"), &u.roles, &role_index);
        let mut departments = Vec::new();
        for (j, d) in u.departments.iter().enumerate() {
            match department_index.get(d) {
                Some(&x) => departments.push(x),
                None => ck.err(
                    P::UnknownName,
                    format!("{path}.departments[{j}]"),
                    format!("unknown department `{d}`"),
                ),
            }
        }
        users.push(User {
            id: u.id.clone(),
            roles,
            departments,
        });
    }
    let mut calendars = BTreeMap::new();
    for (name, cal) in &cfg.calendars {
        match cal.compile() {
            Ok(c) => {
                calendars.insert(name.clone(), c);
            }
            Err(e) => {
                let e = e.with_prefix(&format!("calendars.{name}"));
                ck.err(P::BadCalendar, e.path().to_string(), e.message());
            }
        }
    }
    let ctx = Ctx {
        cfg: &cfg,
        roles: &role_index,
        departments: &department_index,
        users: &users,
        user_index: &user_index,
    };
    let mut categories = Vec::new();
    let mut category_index = BTreeMap::new();
    if cfg.categories.is_empty() {
        ck.err(P::Invalid, "categories", "define at least one category");
    }
    for (i, c) in cfg.categories.iter().enumerate() {
        let path = format!("categories[{i}]");
        if c.id.is_empty() {
            ck.err(P::Invalid, format!("{path}.id"), "must not be empty");
        } else if category_index.contains_key(&c.id) {
            ck.err(
                P::Duplicate,
                format!("{path}.id"),
                format!("category `{}` is defined twice", c.id),
            );
        }
        category_index
            .entry(c.id.clone())
            .or_insert(u16::try_from(i).unwrap_or(u16::MAX));
        categories.push(category(&mut ck, &ctx, &path, c));
    }
    let intake = cfg.intake.as_ref().and_then(|d| {
        super::intake::check(d, &categories, &category_index, &user_index)
            .map_err(|(p, problem, m)| ck.err(problem, format!("intake.{p}"), m))
            .ok()
    });
    if !ck.problems.is_empty() {
        return Err(ck.problems);
    }
    Ok(Definitions {
        roles: cfg.roles.clone(),
        role_index,
        departments: cfg.departments.clone(),
        department_index,
        users,
        user_index,
        calendars,
        categories,
        category_index,
        intake,
        file: file.to_string(),
        config: cfg,
    })
}

pub(super) struct Ctx<'a> {
    pub cfg: &'a TicketConfig,
    pub roles: &'a BTreeMap<String, u16>,
    pub departments: &'a BTreeMap<String, u16>,
    pub users: &'a [User],
    pub user_index: &'a BTreeMap<String, u32>,
}

fn category(ck: &mut Checker<'_>, ctx: &Ctx<'_>, path: &str, c: &CategoryDef) -> Category {
    let cal_ok = |name: &Option<String>| name.as_ref().is_none_or(|n| ctx.cfg.calendars.contains_key(n));
    if !cal_ok(&c.calendar) {
        ck.err(
            P::UnknownCalendar,
            format!("{path}.calendar"),
            "no calendar of this name in `calendars`",
        );
    }
    let priority = c.priority.unwrap_or(1);
    if priority == 0 || priority > ctx.cfg.max_priority {
        ck.err(
            P::Invalid,
            format!("{path}.priority"),
            "must be between 1 and max_priority",
        );
    }
    let mut fields = Vec::new();
    let mut field_index = BTreeMap::new();
    for (j, f) in c.fields.iter().enumerate() {
        let fp = format!("{path}.fields[{j}]");
        if f.name.is_empty() || field_index.contains_key(&f.name) {
            ck.err(
                P::Duplicate,
                format!("{fp}.name"),
                format!("field `{}` is empty or defined twice", f.name),
            );
            continue;
        }
        match Field::compile(f) {
            Ok(field) => {
                field_index.insert(f.name.clone(), fields.len() as u16);
                fields.push(field);
            }
            Err((sub, m)) => ck.err(P::InvalidField, format!("{fp}.{sub}"), m),
        }
    }
    let state_index = ck.names(&format!("{path}.states"), ".id", c.states.iter().map(|s| &s.id));
    if c.states.is_empty() {
        ck.err(
            P::Invalid,
            format!("{path}.states"),
            "a workflow needs at least one state",
        );
    }
    let mut states = Vec::new();
    for (j, s) in c.states.iter().enumerate() {
        let sp = format!("{path}.states[{j}]");
        if !cal_ok(&s.calendar) {
            ck.err(
                P::UnknownCalendar,
                format!("{sp}.calendar"),
                "no calendar of this name in `calendars`",
            );
        }
        let key = format!("{}/{}", c.id, s.id);
        states.push(StateC {
            id: s.id.clone(),
            is_final: s.is_final,
            calendar: s.calendar.clone().or_else(|| c.calendar.clone()),
            due: s
                .due
                .as_ref()
                .map(|d| super::timers::compile_due(ck, ctx, &format!("{sp}.due"), &key, d)),
            assign: s
                .assign
                .as_ref()
                .map(|r| super::assignment::compile_rule(ck, ctx, &format!("{sp}.assign"), key.clone(), r)),
        });
    }
    let initial = match &c.initial {
        Some(name) => state_index.get(name).copied().unwrap_or_else(|| {
            ck.err(
                P::UnknownState,
                format!("{path}.initial"),
                format!("unknown state `{name}`"),
            );
            0
        }),
        None => 0,
    };
    if states.get(usize::from(initial)).is_some_and(|s| s.is_final) {
        ck.err(
            P::Invalid,
            format!("{path}.initial"),
            "the initial state cannot be final",
        );
    }
    let mut graph = DiGraph::<u16, u16>::with_capacity(states.len(), c.transitions.len());
    for j in 0..states.len() {
        graph.add_node(j as u16);
    }
    let scope = sample_scope(c, &fields);
    let mut transitions = Vec::new();
    for (j, t) in c.transitions.iter().enumerate() {
        let tp = format!("{path}.transitions[{j}]");
        let to = state_index.get(&t.to).copied();
        if to.is_none() {
            ck.err(
                P::UnknownState,
                format!("{tp}.to"),
                format!("unknown state `{}`", t.to),
            );
        }
        let many = t.from.as_slice().len() > 1 || matches!(t.from, super::model::OneOrMany::Many(_));
        for (k, from) in t.from.as_slice().iter().enumerate() {
            let fp = if many {
                format!("{tp}.from[{k}]")
            } else {
                format!("{tp}.from")
            };
            match (state_index.get(from), to) {
                (None, _) => ck.err(P::UnknownState, fp, format!("unknown state `{from}`")),
                (Some(&f), Some(to)) => {
                    if graph.find_edge(Category::node(f), Category::node(to)).is_some() {
                        ck.err(
                            P::Duplicate,
                            fp,
                            format!("a transition `{from}` -> `{}` already exists", t.to),
                        );
                    } else {
                        graph.add_edge(Category::node(f), Category::node(to), transitions.len() as u16);
                    }
                }
                _ => {}
            }
        }
        let roles = ck.roles(&format!("{tp}.roles"), &t.roles, ctx.roles);
        let mut requires = Vec::new();
        for (k, f) in t.requires.iter().enumerate() {
            match field_index.get(f) {
                Some(&x) => requires.push(x),
                None => ck.err(
                    P::UnknownName,
                    format!("{tp}.requires[{k}]"),
                    format!("unknown field `{f}`"),
                ),
            }
        }
        let guard = t.guard.as_ref().and_then(|g| {
            let gp = format!("{tp}.guard");
            match Guard::compile(g) {
                Ok(guard) => {
                    if let Err(m) = guard.trial(&scope) {
                        ck.err(P::GuardType, gp, format!("type error: {m}"));
                    }
                    Some(guard)
                }
                Err(syn) => {
                    ck.err(P::BadGuard, gp, syn.message);
                    if let Some(p) = ck.problems.last_mut() {
                        p.guard_pos = Some((syn.line, syn.column));
                    }
                    None
                }
            }
        });
        transitions.push(Transition {
            roles,
            requires,
            guard,
        });
    }
    let perms = perms(ck, ctx, path, c);
    for (p, at, m) in super::graph::check(path, &graph, &states, initial, &|j| {
        states
            .get(j)
            .is_none_or(|s: &StateC| state_index.get(&s.id) != Some(&(j as u16)))
    }) {
        ck.err(p, at, m);
    }
    Category {
        id: c.id.clone(),
        priority,
        initial,
        fcr_window_ms: u64::from(c.fcr_window_days.unwrap_or(ctx.cfg.fcr_window_days)) * 86_400_000,
        perms,
        assign: c
            .assign
            .as_ref()
            .map(|r| super::assignment::compile_rule(ck, ctx, &format!("{path}.assign"), c.id.clone(), r)),
        resolution: c.resolution.as_ref().map(|d| {
            super::timers::compile_due(
                ck,
                ctx,
                &format!("{path}.resolution"),
                &format!("{}/resolution", c.id),
                d,
            )
        }),
        calendar: c.calendar.clone(),
        fields,
        field_index,
        states,
        state_index,
        graph,
        transitions,
    }
}

fn perms(ck: &mut Checker<'_>, ctx: &Ctx<'_>, path: &str, c: &CategoryDef) -> Perms {
    let p = &c.permissions;
    let mut one = |name: &str, list: &Option<Vec<String>>| {
        list.as_ref()
            .map(|l| ck.roles(&format!("{path}.permissions.{name}"), l, ctx.roles))
    };
    Perms {
        create: one("create", &p.create),
        update: one("update", &p.update),
        assign: one("assign", &p.assign),
        comment: one("comment", &p.comment),
        link: one("link", &p.link),
        follow_up: one("follow_up", &p.follow_up),
    }
}

/// Sample values of every field and of the ticket and actor, for trying guards.
fn sample_scope(c: &CategoryDef, fields: &[Field]) -> GuardScope {
    let mut s = GuardScope::default();
    for f in fields {
        s.fields.insert(f.def.name.clone(), f.sample());
    }
    let text = |v: &str| CelValue::Str(v.to_string());
    s.ticket.insert("id", CelValue::Int(1));
    s.ticket.insert("category", text(&c.id));
    s.ticket
        .insert("state", text(c.states.first().map_or("", |x| x.id.as_str())));
    s.ticket.insert("priority", CelValue::Int(1));
    s.ticket.insert("assignee", text(""));
    s.ticket.insert("customer", text(""));
    s.ticket.insert("phone", text(""));
    s.actor.insert("id", text("someone"));
    s.actor.insert("roles", CelValue::List(Vec::new()));
    s.actor.insert("departments", CelValue::List(Vec::new()));
    s
}

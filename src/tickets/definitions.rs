//! Validated, compiled definitions: what a [`TicketDesk`](super::TicketDesk) runs on.

use super::TicketError;
use super::error::{DefinitionError, DefinitionErrors, DefinitionProblem, Location};
use super::fields::Field;
use super::guard::Guard;
use super::load;
use super::model::{AssignStrategy, ContactKind, TicketConfig};
use crate::calendar::CompiledCalendar;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

/// Ticket definitions that passed validation, ready for a desk.
///
/// ```
/// use callroute::tickets::Definitions;
///
/// let defs = Definitions::from_toml_str(r#"
///     roles = ["csr"]
///     [[users]]
///     id = "ana"
///     roles = ["csr"]
///     [[categories]]
///     id = "inquiry"
///     states = [{ id = "open" }, { id = "answered", final = true }]
///     transitions = [{ from = "open", to = "answered", roles = ["csr"] }]
/// "#, "desk.toml")?;
/// assert_eq!(defs.category_ids().collect::<Vec<_>>(), ["inquiry"]);
/// # Ok::<(), callroute::tickets::TicketError>(())
/// ```
#[derive(Debug)]
pub struct Definitions {
    pub(crate) config: TicketConfig,
    pub(crate) file: String,
    pub(crate) roles: Vec<String>,
    pub(crate) role_index: BTreeMap<String, u16>,
    pub(crate) departments: Vec<String>,
    pub(crate) department_index: BTreeMap<String, u16>,
    pub(crate) users: Vec<User>,
    pub(crate) user_index: BTreeMap<String, u32>,
    pub(crate) calendars: BTreeMap<String, CompiledCalendar>,
    pub(crate) categories: Vec<Category>,
    pub(crate) category_index: BTreeMap<String, u16>,
    pub(crate) intake: Option<Intake>,
}

#[derive(Debug)]
pub(crate) struct User {
    pub id: String,
    pub roles: Vec<u16>,
    pub departments: Vec<u16>,
}

/// Roles allowed per action; `None` lets every user.
#[derive(Debug, Default)]
pub(crate) struct Perms {
    pub create: Option<Vec<u16>>,
    pub update: Option<Vec<u16>>,
    pub assign: Option<Vec<u16>>,
    pub comment: Option<Vec<u16>>,
    pub link: Option<Vec<u16>>,
    pub follow_up: Option<Vec<u16>>,
}

#[derive(Debug)]
pub(crate) struct Category {
    pub id: String,
    pub priority: u8,
    pub initial: u16,
    pub fcr_window_ms: u64,
    pub perms: Perms,
    pub assign: Option<Rule>,
    pub resolution: Option<Due>,
    pub calendar: Option<String>,
    pub fields: Vec<Field>,
    pub field_index: BTreeMap<String, u16>,
    pub states: Vec<StateC>,
    pub state_index: BTreeMap<String, u16>,
    /// Node `i` is state `i`; an edge's weight is its transition's index.
    pub graph: DiGraph<u16, u16>,
    pub transitions: Vec<Transition>,
}

#[derive(Debug)]
pub(crate) struct StateC {
    pub id: String,
    pub is_final: bool,
    /// The state's calendar, else the category's.
    pub calendar: Option<String>,
    pub due: Option<Due>,
    pub assign: Option<Rule>,
}

#[derive(Debug)]
pub(crate) struct Transition {
    pub roles: Vec<u16>,
    pub requires: Vec<u16>,
    pub guard: Option<Guard>,
}

#[derive(Debug)]
pub(crate) struct Due {
    pub target_ms: u64,
    pub warn_percent: u8,
    pub escalate: Vec<Escalate>,
}

#[derive(Debug)]
pub(crate) enum Escalate {
    Reassign(Rule),
    Notify(u16),
    RaisePriority(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Role(u16),
    Department(u16),
    User(u32),
    None,
}

#[derive(Debug)]
pub(crate) struct Rule {
    /// Stable name of the rule (`repair/diagnosis`), the key of its round-robin turn.
    pub key: String,
    pub target: Target,
    pub strategy: AssignStrategy,
    /// Users of the role or department, by position.
    pub pool: Vec<u32>,
}

#[derive(Debug)]
pub(crate) struct Intake {
    pub category: u16,
    pub state: u16,
    pub actor: String,
    pub kinds: Vec<ContactKind>,
    pub merge_open: bool,
}

impl Category {
    pub fn node(state: u16) -> NodeIndex {
        NodeIndex::new(usize::from(state))
    }

    /// The field called `name`, with its index, or the error that names the category.
    pub fn field(&self, name: &str) -> Result<(u16, &Field), TicketError> {
        let unknown = || TicketError::UnknownField {
            category: self.id.clone(),
            field: name.to_string(),
        };
        let idx = *self.field_index.get(name).ok_or_else(unknown)?;
        let f = self.fields.get(usize::from(idx)).ok_or_else(unknown)?;
        Ok((idx, f))
    }

    /// The transition from `from` to `to`, if the graph has one.
    pub fn edge(&self, from: u16, to: u16) -> Option<&Transition> {
        let e = self.graph.find_edge(Self::node(from), Self::node(to))?;
        self.transitions.get(usize::from(*self.graph.edge_weight(e)?))
    }
}

impl Definitions {
    /// Parses and validates a TOML definition. `file` names the source in errors.
    pub fn from_toml_str(src: &str, file: &str) -> Result<Definitions, TicketError> {
        let cfg = load::parse_toml(src, file)?;
        super::validate::compile(cfg, file).map_err(|problems| {
            let mut errors = Vec::with_capacity(problems.len());
            for p in problems {
                let mut e = p.error;
                if let Some((l, c)) = p.guard_pos {
                    (e.location.line, e.location.column) = load::guard_position(src, &e.location.path, l, c);
                }
                errors.push(e);
            }
            let mut errors = DefinitionErrors(errors);
            load::locate_all(src, &mut errors);
            TicketError::Definition(errors)
        })
    }

    /// Parses and validates a JSON definition. `file` names the source in errors.
    pub fn from_json_str(src: &str, file: &str) -> Result<Definitions, TicketError> {
        let cfg = load::parse_json(src, file)?;
        Definitions::compile(cfg, file)
    }

    /// Validates a definition built in code (or read by the host).
    pub fn compile(config: TicketConfig, file: &str) -> Result<Definitions, TicketError> {
        super::validate::compile(config, file)
            .map_err(|p| TicketError::Definition(DefinitionErrors(p.into_iter().map(|p| p.error).collect())))
    }

    /// Reads a `.json` or `.toml` file (by extension; anything else is read as TOML).
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Definitions, TicketError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| {
            TicketError::Definition(DefinitionErrors(vec![DefinitionError {
                problem: DefinitionProblem::Syntax,
                location: Location {
                    file: file.clone(),
                    ..Default::default()
                },
                message: format!("cannot read: {e}"),
            }]))
        })?;
        if path.extension().is_some_and(|e| e == "json") {
            Definitions::from_json_str(&src, &file)
        } else {
            Definitions::from_toml_str(&src, &file)
        }
    }

    /// The definition these were compiled from.
    pub fn config(&self) -> &TicketConfig {
        &self.config
    }

    /// The file name given when loading.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Category ids, in definition order.
    pub fn category_ids(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().map(|c| c.id.as_str())
    }

    /// State ids of a category, in definition order.
    pub fn state_ids(&self, category: &str) -> Option<Vec<&str>> {
        let c = self.category(category)?;
        Some(c.states.iter().map(|s| s.id.as_str()).collect())
    }

    /// The user whose `agent` number is this engine agent, for mapping the agent who
    /// took a call to a ticket user.
    pub fn user_for_agent(&self, agent: u32) -> Option<&str> {
        self.config
            .users
            .iter()
            .find(|u| u.agent == Some(agent))
            .map(|u| u.id.as_str())
    }

    /// Whether the workflow of `category` lets a ticket move from `from` to `to`.
    pub fn has_transition(&self, category: &str, from: &str, to: &str) -> bool {
        let Some(c) = self.category(category) else {
            return false;
        };
        match (c.state_index.get(from), c.state_index.get(to)) {
            (Some(&f), Some(&t)) => c.edge(f, t).is_some(),
            _ => false,
        }
    }

    pub(crate) fn category(&self, id: &str) -> Option<&Category> {
        self.categories.get(usize::from(*self.category_index.get(id)?))
    }

    pub(crate) fn cat(&self, idx: u16) -> &Category {
        // Indexes come from this definition; the first category always exists.
        &self.categories[usize::from(idx).min(self.categories.len().saturating_sub(1))]
    }

    pub(crate) fn user_name(&self, idx: u32) -> &str {
        self.users.get(idx as usize).map_or("", |u| u.id.as_str())
    }

    pub(crate) fn calendar(&self, name: Option<&str>) -> Option<&CompiledCalendar> {
        self.calendars.get(name?)
    }
}

//! Typed errors of the tickets module. Every error has a stable numeric code in
//! `6000..=6099`; a command that returns an error has changed nothing.

use super::TicketId;
use crate::Millis;
use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// Where in a definition file a problem was found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file name given to the loader (`<input>` when none).
    pub file: String,
    /// Field path such as `categories[0].transitions[2].to`; empty for the whole file.
    pub path: String,
    /// 1-based line, when the source text has one for this problem.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        Ok(())
    }
}

/// What is wrong with a definition. Each kind has its own stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DefinitionProblem {
    /// **6060** The text is not valid TOML/JSON, or a field has the wrong type or name.
    Syntax,
    /// **6061** A state no path from the initial state reaches.
    UnreachableState,
    /// **6062** A closed (final) state no path from the initial state reaches, or a
    /// category without any closed state.
    UnreachableFinalState,
    /// **6063** A reachable open state from which no closed state can be reached:
    /// tickets entering it would be stuck.
    DeadEnd,
    /// **6064** A transition (or the initial state, or intake) names a state that
    /// does not exist.
    UnknownState,
    /// **6065** A role that is not declared in `roles`.
    UnknownRole,
    /// **6066** A CEL guard that does not parse or uses unknown variables.
    BadGuard,
    /// **6067** A CEL guard that fails with a type error on sample values, or does
    /// not give a boolean.
    GuardType,
    /// **6068** A field definition that cannot work (bad regex, min above max, rule
    /// for another type, ...).
    InvalidField,
    /// **6069** A category or state names a calendar that is not defined.
    UnknownCalendar,
    /// **6070** A calendar that does not compile.
    BadCalendar,
    /// **6071** The same id is defined twice.
    Duplicate,
    /// **6072** An unknown user, department or field.
    UnknownName,
    /// **6073** Any other value out of range.
    Invalid,
}

impl DefinitionProblem {
    /// The stable numeric code.
    pub fn code(self) -> u32 {
        6060 + self as u32
    }
}

/// One problem in a ticket definition, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize)]
#[error("{location}: {message}")]
pub struct DefinitionError {
    /// What kind of problem.
    pub problem: DefinitionProblem,
    /// Where in the source.
    pub location: Location,
    /// What is wrong, in words.
    pub message: String,
}

impl DefinitionError {
    /// The stable numeric code of the problem (`6060..=6079`).
    pub fn code(&self) -> u32 {
        self.problem.code()
    }
}

/// Every problem found while validating a definition file (never empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl DefinitionErrors {
    /// The problems, in the order of the file.
    pub fn iter(&self) -> std::slice::Iter<'_, DefinitionError> {
        self.0.iter()
    }

    /// The first problem with this code, if any.
    pub fn find(&self, problem: DefinitionProblem) -> Option<&DefinitionError> {
        self.0.iter().find(|e| e.problem == problem)
    }
}

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Every error of the tickets module. Codes are stable across releases.
///
/// | code | variant |
/// |---|---|
/// | 6000 | [`TicketError::TimeWentBackwards`] |
/// | 6001 | [`TicketError::UnknownTicket`] |
/// | 6002 | [`TicketError::UnknownCategory`] |
/// | 6003 | [`TicketError::UnknownActor`] |
/// | 6004 | [`TicketError::UnknownField`] |
/// | 6005 | [`TicketError::WrongFieldType`] |
/// | 6006 | [`TicketError::MissingRequiredField`] |
/// | 6007 | [`TicketError::InvalidFieldValue`] |
/// | 6008 | [`TicketError::UnknownState`] |
/// | 6009 | [`TicketError::TransitionNotAllowed`] |
/// | 6010 | [`TicketError::Forbidden`] |
/// | 6011 | [`TicketError::GuardRejected`] |
/// | 6012 | [`TicketError::GuardFailed`] |
/// | 6013 | [`TicketError::UnknownAssignee`] |
/// | 6014 | [`TicketError::UnknownFollowUp`] |
/// | 6015 | [`TicketError::InvalidInput`] |
/// | 6016 | [`TicketError::IntakeDisabled`] |
/// | 6050 | [`TicketError::Definition`] (each problem has its own code, 6060-6073) |
/// | 6051 | [`TicketError::Snapshot`] |
/// | 6052 | [`TicketError::Replay`] |
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum TicketError {
    /// `now` was earlier than the time of a previous input.
    #[error("time went backwards: {now} ms is before {last} ms")]
    TimeWentBackwards {
        /// The rejected time.
        now: Millis,
        /// The latest time the desk has seen.
        last: Millis,
    },
    /// No ticket has this id.
    #[error("unknown {0}")]
    UnknownTicket(TicketId),
    /// No category has this id.
    #[error("unknown ticket category `{0}`")]
    UnknownCategory(String),
    /// The actor is not a user of the desk.
    #[error("unknown actor `{0}`")]
    UnknownActor(String),
    /// The category has no such field.
    #[error("category `{category}` has no field `{field}`")]
    UnknownField {
        /// The category.
        category: String,
        /// The field given.
        field: String,
    },
    /// The value has the wrong type for the field.
    #[error("field `{field}` takes {expected}, not {got}")]
    WrongFieldType {
        /// The field.
        field: String,
        /// The field's type.
        expected: &'static str,
        /// What was given.
        got: &'static str,
    },
    /// A required field (of the category, or of a transition) has no value.
    #[error("field `{field}` is required")]
    MissingRequiredField {
        /// The field.
        field: String,
    },
    /// The value breaks a validation rule of the field.
    #[error("field `{field}`: {reason}")]
    InvalidFieldValue {
        /// The field.
        field: String,
        /// The rule broken.
        reason: String,
    },
    /// The category has no such state.
    #[error("category `{category}` has no state `{state}`")]
    UnknownState {
        /// The category.
        category: String,
        /// The state given.
        state: String,
    },
    /// The workflow graph has no transition from the ticket's state to this one.
    #[error("{ticket} cannot go from `{from}` to `{to}`")]
    TransitionNotAllowed {
        /// The ticket.
        ticket: TicketId,
        /// Its current state.
        from: String,
        /// The state asked for.
        to: String,
    },
    /// The actor has no role that allows this.
    #[error("`{actor}` may not {action}")]
    Forbidden {
        /// The actor.
        actor: String,
        /// What was refused, e.g. `create repair tickets` or `move #3 to closed`.
        action: String,
    },
    /// The transition's guard gave `false`.
    #[error("{ticket}: guard `{guard}` of `{from}` -> `{to}` is false")]
    GuardRejected {
        /// The ticket.
        ticket: TicketId,
        /// Its current state.
        from: String,
        /// The state asked for.
        to: String,
        /// The guard's source.
        guard: String,
    },
    /// The transition's guard could not be evaluated (a field it reads is not set, ...).
    #[error("guard `{guard}` failed: {message}")]
    GuardFailed {
        /// The guard's source.
        guard: String,
        /// The evaluation error.
        message: String,
    },
    /// An assignment names a user, role or department that does not exist.
    #[error("unknown assignee `{0}`")]
    UnknownAssignee(String),
    /// The ticket has no pending follow-up with this number.
    #[error("{ticket} has no pending follow-up {follow_up}")]
    UnknownFollowUp {
        /// The ticket.
        ticket: TicketId,
        /// The follow-up number given.
        follow_up: u32,
    },
    /// A value is out of range or malformed.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Contact events are not turned into tickets (no `[intake]`, or this kind is off).
    #[error("intake of {0} contacts is not configured")]
    IntakeDisabled(&'static str),
    /// The definitions are invalid.
    #[error("{0}")]
    Definition(DefinitionErrors),
    /// A snapshot could not be read or written.
    #[error("snapshot: {0}")]
    Snapshot(String),
    /// An audit trail does not fit the definitions or the tickets it builds.
    #[error("replay: {0}")]
    Replay(String),
}

impl TicketError {
    /// The stable numeric code of this error (`6000..=6099`).
    pub fn code(&self) -> u32 {
        match self {
            TicketError::TimeWentBackwards { .. } => 6000,
            TicketError::UnknownTicket(_) => 6001,
            TicketError::UnknownCategory(_) => 6002,
            TicketError::UnknownActor(_) => 6003,
            TicketError::UnknownField { .. } => 6004,
            TicketError::WrongFieldType { .. } => 6005,
            TicketError::MissingRequiredField { .. } => 6006,
            TicketError::InvalidFieldValue { .. } => 6007,
            TicketError::UnknownState { .. } => 6008,
            TicketError::TransitionNotAllowed { .. } => 6009,
            TicketError::Forbidden { .. } => 6010,
            TicketError::GuardRejected { .. } => 6011,
            TicketError::GuardFailed { .. } => 6012,
            TicketError::UnknownAssignee(_) => 6013,
            TicketError::UnknownFollowUp { .. } => 6014,
            TicketError::InvalidInput(_) => 6015,
            TicketError::IntakeDisabled(_) => 6016,
            TicketError::Definition(_) => 6050,
            TicketError::Snapshot(_) => 6051,
            TicketError::Replay(_) => 6052,
        }
    }

    /// A short stable name for the error kind (`unknown_ticket`, ...), used by bindings.
    pub fn kind(&self) -> &'static str {
        match self {
            TicketError::TimeWentBackwards { .. } => "time_went_backwards",
            TicketError::UnknownTicket(_) => "unknown_ticket",
            TicketError::UnknownCategory(_) => "unknown_category",
            TicketError::UnknownActor(_) => "unknown_actor",
            TicketError::UnknownField { .. } => "unknown_field",
            TicketError::WrongFieldType { .. } => "wrong_field_type",
            TicketError::MissingRequiredField { .. } => "missing_required_field",
            TicketError::InvalidFieldValue { .. } => "invalid_field_value",
            TicketError::UnknownState { .. } => "unknown_state",
            TicketError::TransitionNotAllowed { .. } => "transition_not_allowed",
            TicketError::Forbidden { .. } => "forbidden",
            TicketError::GuardRejected { .. } => "guard_rejected",
            TicketError::GuardFailed { .. } => "guard_failed",
            TicketError::UnknownAssignee(_) => "unknown_assignee",
            TicketError::UnknownFollowUp { .. } => "unknown_follow_up",
            TicketError::InvalidInput(_) => "invalid_input",
            TicketError::IntakeDisabled(_) => "intake_disabled",
            TicketError::Definition(_) => "definition",
            TicketError::Snapshot(_) => "snapshot",
            TicketError::Replay(_) => "replay",
        }
    }
}

impl From<DefinitionErrors> for TicketError {
    fn from(e: DefinitionErrors) -> Self {
        TicketError::Definition(e)
    }
}

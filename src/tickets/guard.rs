//! CEL guards on transitions. A guard sees three variables:
//!
//! | name | what |
//! |---|---|
//! | `fields` | map of the ticket's set fields after the transition's own values (money is `{amount, minor, currency}`, date-times epoch ms) |
//! | `ticket` | map: `id`, `category`, `state`, `priority`, `assignee` (`""` when none), `customer`, `phone` |
//! | `actor` | map: `id`, `roles` (list), `departments` (list) |
//!
//! A field that is not set is absent from `fields`: test it with `has(fields.x)`.

use super::fields::CelValue;
use std::collections::BTreeMap;

/// The variables a guard may use.
pub const GUARD_VARIABLES: [&str; 3] = ["fields", "ticket", "actor"];

/// Longest guard, in bytes.
pub const MAX_GUARD_LEN: usize = 1000;

/// Deepest nesting of parentheses, brackets and braces in a guard. The CEL parser
/// recurses deeply for each level (about 200 KB of stack per level in a debug build),
/// so deeper guards are refused before they reach it.
pub const MAX_GUARD_DEPTH: usize = 5;

/// Checks length and nesting (outside string literals); the error has the 1-based
/// line and column of the offending bracket.
fn check_shape(src: &str) -> Result<(), GuardSyntax> {
    if src.len() > MAX_GUARD_LEN {
        return Err(GuardSyntax {
            line: None,
            column: None,
            message: format!("longer than {MAX_GUARD_LEN} bytes"),
        });
    }
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in src.chars() {
        column += 1;
        match (quote, c) {
            (_, '\n') => {
                line += 1;
                column = 0;
            }
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                if depth > MAX_GUARD_DEPTH {
                    return Err(GuardSyntax {
                        line: Some(line),
                        column: Some(column),
                        message: format!("nested deeper than {MAX_GUARD_DEPTH} levels"),
                    });
                }
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, _) => {}
        }
    }
    Ok(())
}

/// A compiled guard.
#[derive(Debug)]
pub(crate) struct Guard {
    pub source: String,
    program: cel::Program,
}

/// What a guard can read.
#[derive(Clone, Debug, Default)]
pub(crate) struct GuardScope {
    pub fields: BTreeMap<String, CelValue>,
    pub ticket: BTreeMap<&'static str, CelValue>,
    pub actor: BTreeMap<&'static str, CelValue>,
}

/// Why a guard does not compile: 1-based line and column within the expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GuardSyntax {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Guard {
    pub fn compile(src: &str) -> Result<Guard, GuardSyntax> {
        check_shape(src)?;
        let program = cel::Program::compile(src).map_err(|e| {
            let first = e.errors.first();
            let pos = first.map(|p| p.pos);
            GuardSyntax {
                line: pos.and_then(|(l, _)| usize::try_from(l).ok()).filter(|l| *l > 0),
                column: pos.and_then(|(_, c)| usize::try_from(c).ok()).map(|c| c + 1),
                message: first.map_or_else(|| e.to_string(), |p| p.msg.clone()),
            }
        })?;
        let refs = program.references();
        if let Some(v) = refs
            .variables()
            .into_iter()
            .find(|v| !GUARD_VARIABLES.contains(v))
        {
            return Err(GuardSyntax {
                line: None,
                column: None,
                message: format!("unknown variable `{v}` (known: fields, ticket, actor)"),
            });
        }
        Ok(Guard {
            source: src.to_string(),
            program,
        })
    }

    fn run(&self, s: &GuardScope) -> Result<cel::Value, cel::ExecutionError> {
        let mut ctx = cel::Context::default();
        // Serializing plain maps of scalars cannot fail; an error would surface as
        // a missing variable when evaluated.
        let _ = ctx.add_variable("fields", &s.fields);
        let _ = ctx.add_variable("ticket", &s.ticket);
        let _ = ctx.add_variable("actor", &s.actor);
        self.program.execute(&ctx)
    }

    /// Evaluates the guard. An evaluation error or a non-boolean is an `Err`.
    pub fn eval(&self, s: &GuardScope) -> Result<bool, String> {
        match self.run(s) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("gave {}, not a boolean", type_of(&other))),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Runs the guard on sample values to find type errors at load time. Errors that
    /// depend on the values (division by zero, ...) are not reported.
    pub fn trial(&self, s: &GuardScope) -> Result<(), String> {
        use cel::ExecutionError as E;
        match self.run(s) {
            Ok(cel::Value::Bool(_)) => Ok(()),
            Ok(other) => Err(format!("gives {}, not a boolean", type_of(&other))),
            Err(
                e @ (E::NoSuchKey(_)
                | E::NoSuchOverload(_)
                | E::UnexpectedType { .. }
                | E::UnsupportedTargetType { .. }
                | E::NotSupportedAsMethod { .. }
                | E::ValuesNotComparable(..)
                | E::UnsupportedBinaryOperator(..)
                | E::UndeclaredReference(_)
                | E::InvalidArgumentCount { .. }),
            ) => Err(e.to_string()),
            Err(_) => Ok(()),
        }
    }
}

fn type_of(v: &cel::Value) -> &'static str {
    match v {
        cel::Value::Int(_) => "an int",
        cel::Value::UInt(_) => "a uint",
        cel::Value::Float(_) => "a double",
        cel::Value::String(_) => "a string",
        cel::Value::Null => "null",
        cel::Value::List(_) => "a list",
        cel::Value::Map(_) => "a map",
        _ => "a non-boolean value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_compile_check_and_evaluate() {
        assert!(
            Guard::compile("foo == 1")
                .unwrap_err()
                .message
                .contains("unknown variable `foo`")
        );
        let bad = Guard::compile("fields.x ==").unwrap_err();
        assert_eq!(bad.line, Some(1));
        let g = Guard::compile("fields.cost.amount < 100.0 && 'tech' in actor.roles").unwrap();
        let mut s = GuardScope::default();
        let mut cost = BTreeMap::new();
        cost.insert("amount", CelValue::Float(50.0));
        s.fields.insert("cost".into(), CelValue::Map(cost));
        s.actor.insert("roles", CelValue::List(vec!["tech".into()]));
        assert_eq!(g.eval(&s), Ok(true));
        s.actor.insert("roles", CelValue::List(vec![]));
        assert_eq!(g.eval(&s), Ok(false));
        let typed = Guard::compile("fields.cost.amount > 'a'").unwrap();
        assert!(typed.trial(&s).is_err());
        assert!(Guard::compile("1 + 1").unwrap().trial(&s).is_err());
        let deep = Guard::compile("((((((true))))))").unwrap_err();
        assert_eq!((deep.line, deep.column), (Some(1), Some(6)));
        assert!(Guard::compile("(((((true)))))").is_ok());
        assert!(Guard::compile("fields.x == '((((((((('").is_ok());
        assert!(Guard::compile(&"1 + ".repeat(300)).is_err());
    }
}

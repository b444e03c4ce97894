//! CEL (Common Expression Language) conditions and expressions for IVR flows.
//!
//! Expressions see these variables:
//!
//! | name | type | what |
//! |---|---|---|
//! | `ani`, `dnis` | string | caller and dialled numbers |
//! | `vars` | map(string, string) | collected digits, lookup results (`vars["acct.balance"]`), set variables |
//! | `attrs` | map(string, string) | the call's routing attributes |
//! | `tags` | list(string) | customer tags (from ANI rules: `vip`, ...) |
//! | `locale` | string | the caller's language |
//! | `queues` | map(string, map) | live data by queue name: `waiting`, `ewt_secs`, `agents_ready`, `agents_logged_in` |
//! | `time` | map | wall-clock time in the flow's zone: `weekday` (`mon`..`sun`), `hour`, `minute`, `date` |
//! | `open` | map(string, bool) | whether each calendar is open now |
//!
//! ```
//! use callroute::ivr::expr::{Expr, Scope};
//! let e = Expr::compile("vars['account'].size() == 8 && 'vip' in tags").unwrap();
//! let mut scope = Scope::default();
//! scope.vars.insert("account".into(), "12345678".into());
//! scope.tags.push("vip".into());
//! assert_eq!(e.eval_bool(&scope), Ok(true));
//! ```

use serde::Serialize;
use std::collections::BTreeMap;

/// The variables an expression may use.
pub const ROOTS: [&str; 9] = [
    "ani", "dnis", "vars", "attrs", "tags", "locale", "queues", "time", "open",
];

/// A string map as a CEL map value.
fn string_map(m: &BTreeMap<String, String>) -> cel::Value {
    let map: std::collections::HashMap<cel::objects::Key, cel::Value> = m
        .iter()
        .map(|(k, v)| (cel::objects::Key::from(k.clone()), cel::Value::from(v.as_str())))
        .collect();
    cel::Value::Map(cel::objects::Map {
        map: std::sync::Arc::new(map),
    })
}

/// The bit of a variable in [`Expr::root_mask`] (0 for a name not in [`ROOTS`]).
pub fn root_bit(root: &str) -> u16 {
    ROOTS.iter().position(|r| *r == root).map_or(0, |i| 1 << i)
}

/// Longest expression accepted, bytes.
pub const MAX_LEN: usize = 1000;
/// Deepest bracket nesting accepted.
pub const MAX_NESTING: usize = 8;

/// A compiled CEL expression.
pub struct Expr {
    program: cel::Program,
    roots: Vec<&'static str>,
    /// The standard CEL environment, built once and shared by every expression of a
    /// flow set (building it per evaluation would dominate the cost).
    env: std::sync::Arc<cel::Env>,
}

/// Live figures of one queue, as CEL sees them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueFacts {
    /// Calls waiting.
    pub waiting: u64,
    /// Estimated wait for a new caller, seconds (-1 when unknown).
    pub ewt_secs: i64,
    /// Members available now.
    pub agents_ready: u64,
    /// Members logged in.
    pub agents_logged_in: u64,
}

/// Wall-clock facts, as CEL sees them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TimeFacts {
    /// `mon` .. `sun`.
    pub weekday: String,
    /// 0-23.
    pub hour: i64,
    /// 0-59.
    pub minute: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// Everything an expression can read.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Caller number.
    pub ani: String,
    /// Dialled number.
    pub dnis: String,
    /// Call variables.
    pub vars: BTreeMap<String, String>,
    /// Routing attributes.
    pub attrs: BTreeMap<String, String>,
    /// Customer tags.
    pub tags: Vec<String>,
    /// Current locale.
    pub locale: String,
    /// Queue facts by queue name.
    pub queues: BTreeMap<String, QueueFacts>,
    /// Wall-clock time.
    pub time: TimeFacts,
    /// Calendar name to open.
    pub open: BTreeMap<String, bool>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expr")
            .field("roots", &self.roots)
            .finish_non_exhaustive()
    }
}

impl Expr {
    /// Parses an expression. The error names what does not parse.
    pub fn compile(src: &str) -> Result<Expr, String> {
        Expr::compile_in(src, &std::sync::Arc::new(cel::Env::stdlib()))
    }

    /// Parses an expression for a shared environment.
    pub fn compile_in(src: &str, env: &std::sync::Arc<cel::Env>) -> Result<Expr, String> {
        // The CEL parser recurses per nesting level; bound what it is given.
        if src.len() > MAX_LEN {
            return Err(format!("expression is longer than {MAX_LEN} bytes"));
        }
        let mut depth = 0usize;
        for ch in src.chars() {
            match ch {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > MAX_NESTING {
                return Err(format!("expression is nested deeper than {MAX_NESTING} levels"));
            }
        }
        let program = env.compile(src).map_err(|e| e.to_string())?;
        let refs = program.references();
        let unknown: Vec<&str> = refs
            .variables()
            .into_iter()
            .filter(|v| !ROOTS.contains(v))
            .collect();
        if let Some(v) = unknown.first() {
            return Err(format!("unknown variable `{v}` (known: {})", ROOTS.join(", ")));
        }
        let roots = ROOTS.iter().copied().filter(|r| refs.has_variable(r)).collect();
        Ok(Expr {
            program,
            roots,
            env: env.clone(),
        })
    }

    /// Whether the expression reads this variable (`queues`, `time`, ...), so callers
    /// only compute what is used.
    pub fn uses(&self, root: &str) -> bool {
        self.roots.contains(&root)
    }

    /// The variables the expression reads, as a bit set over [`ROOTS`] (bit `i` is
    /// `ROOTS[i]`); see [`root_bit`].
    pub fn root_mask(&self) -> u16 {
        self.roots.iter().fold(0, |m, r| m | root_bit(r))
    }

    fn context(&self, s: &Scope) -> Result<cel::Context<'static, 'static>, String> {
        let mut ctx = cel::Context::with_env(self.env.clone());
        for r in &self.roots {
            // Strings, string maps and string lists become CEL values directly; the
            // structured facts go through serde.
            let direct = match *r {
                "ani" => Some(cel::Value::from(s.ani.as_str())),
                "dnis" => Some(cel::Value::from(s.dnis.as_str())),
                "vars" => Some(string_map(&s.vars)),
                "attrs" => Some(string_map(&s.attrs)),
                "tags" => Some(cel::Value::List(std::sync::Arc::new(
                    s.tags.iter().map(|t| cel::Value::from(t.as_str())).collect(),
                ))),
                "locale" => Some(cel::Value::from(s.locale.as_str())),
                _ => None,
            };
            if let Some(v) = direct {
                ctx.add_variable_from_value(*r, v);
                continue;
            }
            let added = match *r {
                "queues" => ctx.add_variable(*r, s.queues.clone()),
                "time" => ctx.add_variable(*r, s.time.clone()),
                _ => ctx.add_variable(*r, s.open.clone()),
            };
            added.map_err(|e| e.to_string())?;
        }
        Ok(ctx)
    }

    fn eval(&self, s: &Scope) -> Result<cel::Value, String> {
        let ctx = self.context(s)?;
        self.program.execute(&ctx).map_err(|e| e.to_string())
    }

    /// Evaluates a condition. A non-boolean result is an error.
    pub fn eval_bool(&self, s: &Scope) -> Result<bool, String> {
        match self.eval(s)? {
            cel::Value::Bool(b) => Ok(b),
            other => Err(format!("condition gave {other:?}, not a boolean")),
        }
    }

    /// Evaluates an expression to the string stored in a variable.
    pub fn eval_string(&self, s: &Scope) -> Result<String, String> {
        Ok(match self.eval(s)? {
            cel::Value::String(v) => v.to_string(),
            cel::Value::Int(i) => i.to_string(),
            cel::Value::UInt(i) => i.to_string(),
            cel::Value::Float(f) => f.to_string(),
            cel::Value::Bool(b) => b.to_string(),
            cel::Value::Null => String::new(),
            other => return Err(format!("expression gave {other:?}, not a scalar")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_roots_are_rejected() {
        assert!(
            Expr::compile("foo == 1")
                .unwrap_err()
                .contains("unknown variable `foo`")
        );
        assert!(Expr::compile("vars[").is_err());
    }

    #[test]
    fn queue_and_time_facts_are_visible() {
        let e =
            Expr::compile("queues['loans'].ewt_secs > 60 && time.weekday == 'sat' && open['main']").unwrap();
        let mut s = Scope::default();
        s.queues.insert(
            "loans".into(),
            QueueFacts {
                ewt_secs: 90,
                ..Default::default()
            },
        );
        s.time.weekday = "sat".into();
        s.open.insert("main".into(), true);
        assert_eq!(e.eval_bool(&s), Ok(true));
        s.open.insert("main".into(), false);
        assert_eq!(e.eval_bool(&s), Ok(false));
        assert_eq!(
            Expr::compile("ani + '-x'").unwrap().eval_string(&Scope {
                ani: "1".into(),
                ..Default::default()
            }),
            Ok("1-x".into())
        );
        assert!(Expr::compile("1 + 1").unwrap().eval_bool(&s).is_err());
    }
}

//! The state of one call in the IVR, and the compiled parts of a flow set (CEL
//! expressions and validation patterns) that the engine evaluates.

use super::expr::Expr;
use super::model::{IvrConfig, Node, NodeId, Validation};
use crate::error::{ConfigError, ConfigLocation};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a call in the IVR is waiting for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Wait {
    /// An announcement to finish; then `then`.
    Prompt { barge_in: bool, then: Then },
    /// Keys from the caller (with a timer running).
    Digits,
    /// A lookup result.
    Lookup { request: u64 },
    /// A voicemail recording to finish.
    Recording,
    /// Waiting in a queue; keys are taken once the offers were played.
    InQueue { offered: bool },
    /// Nothing: the session is over.
    Done,
}

impl Wait {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Wait::Prompt { .. } => "prompt",
            Wait::Digits => "digits",
            Wait::Lookup { .. } => "lookup",
            Wait::Recording => "recording",
            Wait::InQueue { .. } => "queue",
            Wait::Done => "nothing",
        }
    }
}

/// What happens when an announcement finishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Then {
    Listen,
    Goto(NodeId),
    Record,
    HangUp,
    /// Back to waiting in the queue after an offer.
    Queue,
}

/// Which part of a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Sub {
    Main,
    /// Confirming collected digits or the callback number.
    Confirm,
    /// Keying in another callback number.
    CallbackNumber,
    /// Survey question index.
    Question(usize),
}

/// One call's place in the IVR.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Session {
    pub flow: String,
    pub node: NodeId,
    /// Subflow calls: (flow, node to continue at).
    pub stack: Vec<(String, NodeId)>,
    pub locale: String,
    pub vars: BTreeMap<String, String>,
    pub sensitive: BTreeSet<String>,
    pub tags: Vec<String>,
    pub digits: String,
    pub wait: Wait,
    pub sub: Sub,
    pub failures: u32,
    pub timeouts: u32,
    /// Bumped on every node change and every listen, to invalidate timers.
    pub epoch: u32,
    /// Mailbox of the voicemail being recorded.
    pub mailbox: Option<String>,
}

impl Session {
    pub(crate) fn new(flow: String, node: NodeId, locale: String) -> Session {
        Session {
            flow,
            node,
            stack: Vec::new(),
            locale,
            vars: BTreeMap::new(),
            sensitive: BTreeSet::new(),
            tags: Vec::new(),
            digits: String::new(),
            wait: Wait::Done,
            sub: Sub::Main,
            failures: 0,
            timeouts: 0,
            epoch: 0,
            mailbox: None,
        }
    }

    /// Variables that may leave the engine (sensitive ones removed).
    pub(crate) fn shareable_vars(&self) -> BTreeMap<String, String> {
        self.vars
            .iter()
            .filter(|(k, _)| !self.sensitive.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Compiled expressions and patterns of a flow set, keyed by their source text.
pub(crate) struct Compiled {
    pub exprs: BTreeMap<String, Expr>,
    pub patterns: BTreeMap<String, regex::Regex>,
    env: std::sync::Arc<cel::Env>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("exprs", &self.exprs.len())
            .finish_non_exhaustive()
    }
}

impl Compiled {
    /// Compiles every CEL expression and pattern; the error names the field.
    pub(crate) fn build(ivr: &IvrConfig) -> Result<Compiled, ConfigError> {
        let mut c = Compiled {
            exprs: BTreeMap::new(),
            patterns: BTreeMap::new(),
            env: std::sync::Arc::new(cel::Env::stdlib()),
        };
        let err = |path: String, message: String| ConfigError {
            location: ConfigLocation {
                file: "<config>".into(),
                line: None,
                column: None,
                path,
            },
            message,
        };
        for (i, r) in ivr.entry.rules.iter().enumerate() {
            c.expr(&r.when)
                .map_err(|m| err(format!("ivr.entry.rules[{i}].when"), m))?;
        }
        for (fid, flow) in &ivr.flows {
            for (nid, node) in &flow.nodes {
                let at = |f: &str| format!("ivr.flows.{fid}.nodes.{nid}.{f}");
                match node {
                    Node::Branch(b) => {
                        for (i, cond) in b.conditions.iter().enumerate() {
                            c.expr(&cond.when)
                                .map_err(|m| err(at(&format!("conditions[{i}].when")), m))?;
                        }
                    }
                    Node::Set(s) => {
                        for (k, v) in &s.vars {
                            c.expr(v).map_err(|m| err(at(&format!("vars.{k}")), m))?;
                        }
                    }
                    Node::Collect(col) => {
                        if let Some(Validation::Pattern(p)) = &col.validate
                            && !c.patterns.contains_key(p)
                        {
                            let re = regex::Regex::new(p)
                                .map_err(|e| err(at("validate.pattern"), e.to_string()))?;
                            c.patterns.insert(p.clone(), re);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(c)
    }

    fn expr(&mut self, src: &str) -> Result<(), String> {
        if !self.exprs.contains_key(src) {
            let e = Expr::compile_in(src, &self.env)?;
            self.exprs.insert(src.to_string(), e);
        }
        Ok(())
    }
}

/// The Luhn check digit test (card numbers).
pub(crate) fn luhn(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn luhn_accepts_valid_card_numbers_only() {
        assert!(super::luhn("4539578763621486"));
        assert!(super::luhn("79927398713"));
        assert!(!super::luhn("79927398710"));
        assert!(!super::luhn("7992a398713"));
    }
}

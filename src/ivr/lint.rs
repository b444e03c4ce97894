//! Flow checks: broken references, unreachable nodes, dead ends, loops a caller cannot
//! leave, digit clashes, missing prompts, bad CEL and more. [`lint`] reports every
//! problem as a [`Diagnostic`] with a stable code (see [`codes`]); [`validate`] turns the
//! first error into a [`ConfigError`] for use at load time.
//!
//! Every diagnostic names the flow and node, the field path and, when [`Sources`] are
//! given, the file, line and column where the field (or else its node) is written.

use super::graph::{FlowGraph, FlowRefKind, NodeKind};
use super::model::{AniAction, Flow, IvrConfig, Node, Step, TransferTo, Validation};
use super::source::{Segment, Sources, display_path};
use crate::error::{ConfigError, ConfigLocation};
use petgraph::graph::NodeIndex;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

/// The stable diagnostic codes.
pub mod codes {
    /// A node field names a node the flow does not have.
    pub const UNKNOWN_TARGET: &str = "unknown-target";
    /// `start` names a node the flow does not have.
    pub const UNKNOWN_START: &str = "unknown-start";
    /// No path leads from `start` to the node (warning).
    pub const UNREACHABLE_NODE: &str = "unreachable-node";
    /// No hangup, transfer, queue, voicemail, callback or return can be reached from the
    /// node: every way on ends in a loop without exit.
    pub const DEAD_END: &str = "dead-end";
    /// Nodes that lead only to each other: once inside, the call never ends.
    pub const LOOP_WITHOUT_EXIT: &str = "loop-without-exit";
    /// A loop a caller who presses nothing goes round forever (no branch guards it; a
    /// menu or collect whose `on_failure` leads back into the loop restarts its counts).
    pub const UNGUARDED_LOOP: &str = "unguarded-loop";
    /// A digit string with keys other than `0-9`, `*` and `#` (or of the wrong length).
    pub const INVALID_DIGITS: &str = "invalid-digits";
    /// One option is a prefix of another (`1` and `12`).
    pub const OVERLAPPING_DIGITS: &str = "overlapping-digits";
    /// The same digit is used twice (queue offers).
    pub const DUPLICATE_DIGIT: &str = "duplicate-digit";
    /// `locales` is empty.
    pub const NO_LOCALES: &str = "no-locales";
    /// A prompt lacks a version for a declared locale.
    pub const MISSING_PROMPT_LOCALE: &str = "missing-prompt-locale";
    /// A prompt has a version for a locale that is not declared (warning).
    pub const UNDECLARED_PROMPT_LOCALE: &str = "undeclared-prompt-locale";
    /// A prompt id that `prompts` does not define.
    pub const UNKNOWN_PROMPT: &str = "unknown-prompt";
    /// A CEL expression that does not parse.
    pub const CEL_SYNTAX: &str = "cel-syntax";
    /// A CEL expression too long or too deeply nested to compile safely.
    pub const CEL_TOO_COMPLEX: &str = "cel-too-complex";
    /// A CEL expression reading a variable outside [`super::CEL_ROOTS`].
    pub const CEL_UNKNOWN_VARIABLE: &str = "cel-unknown-variable";
    /// A schedule names a calendar that is not configured.
    pub const UNKNOWN_CALENDAR: &str = "unknown-calendar";
    /// A queue number that is not configured.
    pub const UNKNOWN_QUEUE: &str = "unknown-queue";
    /// A flow id (subflow, transfer, entry rule, ANI rule) that is not defined.
    pub const UNKNOWN_FLOW: &str = "unknown-flow";
    /// Subflows that call each other in a cycle.
    pub const RECURSIVE_SUBFLOW: &str = "recursive-subflow";
    /// A reachable `return` in a flow no subflow node calls (warning).
    pub const RETURN_OUTSIDE_SUBFLOW: &str = "return-outside-subflow";
    /// A menu nested deeper than `max_menu_depth`.
    pub const MENU_TOO_DEEP: &str = "menu-too-deep";
    /// A collect validation pattern that is not a valid regular expression.
    pub const INVALID_REGEX: &str = "invalid-regex";
    /// A collect with `min_digits > max_digits` or `max_digits = 0`.
    pub const COLLECT_DIGIT_RANGE: &str = "collect-digit-range";
    /// A survey question with `min > max` or `max > 9`.
    pub const SURVEY_RANGE: &str = "survey-range";
    /// A language option naming a locale that is not declared.
    pub const UNKNOWN_LOCALE: &str = "unknown-locale";
    /// A flow under `flows` whose `id` differs from its key.
    pub const FLOW_ID_MISMATCH: &str = "flow-id-mismatch";
    /// A scripted test expecting a node, prompt or queue that does not exist.
    pub const TEST_UNKNOWN_REFERENCE: &str = "test-unknown-reference";
    /// A queue node's requirement that the engine would reject (empty skill name,
    /// nested deeper than 16 levels).
    pub const INVALID_REQUIREMENT: &str = "invalid-requirement";

    /// Every code.
    pub const ALL: &[&str] = &[
        UNKNOWN_TARGET,
        UNKNOWN_START,
        UNREACHABLE_NODE,
        DEAD_END,
        LOOP_WITHOUT_EXIT,
        UNGUARDED_LOOP,
        INVALID_DIGITS,
        OVERLAPPING_DIGITS,
        DUPLICATE_DIGIT,
        NO_LOCALES,
        MISSING_PROMPT_LOCALE,
        UNDECLARED_PROMPT_LOCALE,
        UNKNOWN_PROMPT,
        CEL_SYNTAX,
        CEL_TOO_COMPLEX,
        CEL_UNKNOWN_VARIABLE,
        UNKNOWN_CALENDAR,
        UNKNOWN_QUEUE,
        UNKNOWN_FLOW,
        RECURSIVE_SUBFLOW,
        RETURN_OUTSIDE_SUBFLOW,
        MENU_TOO_DEEP,
        INVALID_REGEX,
        COLLECT_DIGIT_RANGE,
        SURVEY_RANGE,
        UNKNOWN_LOCALE,
        FLOW_ID_MISMATCH,
        TEST_UNKNOWN_REFERENCE,
        INVALID_REQUIREMENT,
    ];
}

/// Variables a CEL expression may read.
pub const CEL_ROOTS: &[&str] = &[
    "ani", "dnis", "vars", "attrs", "tags", "queues", "time", "open", "locale",
];

/// CEL type names, which parse as identifiers (`type(x) == string`).
const CEL_TYPE_NAMES: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "timestamp",
    "duration",
];

/// Longest CEL expression accepted, in characters.
pub const MAX_CEL_LEN: usize = 1024;
/// Deepest bracket nesting (`(`, `[`, `{`) accepted in a CEL expression.
pub const MAX_CEL_NESTING: usize = 6;
/// Most `?` (conditional operators) accepted in a CEL expression.
pub const MAX_CEL_CONDITIONALS: usize = 12;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The configuration must not be used.
    Error,
    /// Probably a mistake; the configuration works.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found by [`lint`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kebab-case code (see [`codes`]).
    pub code: &'static str,
    /// The flow id (empty for problems outside flows: prompts, entry and ANI rules).
    pub flow: String,
    /// The node id, when the problem is in a node.
    pub node: Option<String>,
    /// Field path inside the flow (`nodes.main.options.1`, `start`) or, outside flows,
    /// inside the configuration (`prompts.welcome`, `entry.dnis.0800-BANK`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// The file the field is written in, when sources were given.
    pub file: Option<String>,
    /// 1-based line of the field (or of its node when the field is not written).
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

impl Diagnostic {
    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The subject: `flow `bank`, node `main``, or the configuration path.
    fn subject(&self) -> String {
        match (&self.node, self.flow.is_empty()) {
            (Some(node), false) => format!("flow `{}`, node `{node}`", self.flow),
            (None, false) => format!("flow `{}`", self.flow),
            _ => format!("`{}`", self.field),
        }
    }

    /// The diagnostic as a [`ConfigError`] (file, line, column and the path in that
    /// file: `flows.ID.` is prefixed unless the flow came from its own file).
    pub fn to_config_error(&self, sources: Option<&Sources>) -> ConfigError {
        let own_file = sources.is_some_and(|s| s.has_own_file(&self.flow));
        let prefix = match sources.map(Sources::config_root) {
            Some(p) if !p.is_empty() && !own_file => format!("{}.", display_path(p)),
            _ => String::new(),
        };
        let path = if own_file {
            self.field.clone()
        } else if self.flow.is_empty() {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}flows.{}.{}", self.flow, self.field)
        };
        ConfigError {
            location: ConfigLocation {
                file: self.file.clone().unwrap_or_else(|| "<ivr>".into()),
                line: self.line,
                column: self.column,
                path,
            },
            message: format!(
                "{}[{}] {}: {}",
                self.severity,
                self.code,
                self.subject(),
                self.message
            ),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        }
        write!(f, "{}[{}]: {}", self.severity, self.code, self.subject())?;
        if !self.flow.is_empty() {
            write!(f, " at `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything [`lint`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// Diagnostics: configuration-wide ones first, then flow by flow.
    pub diagnostics: Vec<Diagnostic>,
}

impl LintReport {
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Whether there is at least one error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The diagnostics with this code.
    pub fn with_code<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.code == code)
    }

    /// The first error as a [`ConfigError`]; `Ok(self)` (warnings only) otherwise.
    pub fn into_result(self, sources: Option<&Sources>) -> Result<LintReport, ConfigError> {
        let first = self.errors().next().map(|e| e.to_config_error(sources));
        match first {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

impl fmt::Display for LintReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        write!(
            f,
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        )
    }
}

/// A CEL expression that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CelProblem {
    /// Longer or more deeply nested than [`MAX_CEL_LEN`], [`MAX_CEL_NESTING`] and
    /// [`MAX_CEL_CONDITIONALS`] allow (the parser recurses on the stack).
    TooComplex(String),
    /// Does not parse.
    Syntax(String),
    /// Reads variables outside [`CEL_ROOTS`] (sorted).
    UnknownVariables(Vec<String>),
}

/// Checks that a CEL expression is short and shallow enough to compile safely, parses,
/// and reads only [`CEL_ROOTS`] (variables bound by macros such as `exists(t, ...)` are
/// fine).
///
/// Common simple expressions (identifiers, literals, operators, selections, indexing,
/// calls, lists, `?:`) are recognised by a small parser of that subset; anything else
/// goes to the CEL parser. The result is always that of [`check_cel_exact`], which
/// always uses the CEL parser (about 20 µs per expression).
pub fn check_cel(src: &str) -> Result<(), CelProblem> {
    check_limits(src)?;
    let free = match quick::free_variables(src) {
        Some(free) => free,
        None => compiled_free_variables(src)?,
    };
    unknown_variables(free)
}

/// [`check_cel`] always through the CEL parser.
pub fn check_cel_exact(src: &str) -> Result<(), CelProblem> {
    check_limits(src)?;
    unknown_variables(compiled_free_variables(src)?)
}

fn check_limits(src: &str) -> Result<(), CelProblem> {
    let len = src.chars().count();
    if len > MAX_CEL_LEN {
        return Err(CelProblem::TooComplex(format!(
            "is {len} characters long (at most {MAX_CEL_LEN})"
        )));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in src.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_CEL_NESTING {
        return Err(CelProblem::TooComplex(format!(
            "nests brackets {deepest} deep (at most {MAX_CEL_NESTING})"
        )));
    }
    let conditionals = src.matches('?').count();
    if conditionals > MAX_CEL_CONDITIONALS {
        return Err(CelProblem::TooComplex(format!(
            "has {conditionals} conditional operators (at most {MAX_CEL_CONDITIONALS})"
        )));
    }
    Ok(())
}

fn compiled_free_variables(src: &str) -> Result<BTreeSet<String>, CelProblem> {
    let program = cel::Program::compile(src).map_err(|e| {
        let msg = match e.errors.first() {
            Some(first) => {
                let text = first.msg.lines().next().unwrap_or("").trim().to_string();
                if first.pos.0 > 0 && first.pos.1 >= 0 {
                    format!("{text} (at {}:{})", first.pos.0, first.pos.1 + 1)
                } else {
                    text
                }
            }
            None => "syntax error".into(),
        };
        CelProblem::Syntax(msg)
    })?;
    let mut free = BTreeSet::new();
    free_variables(program.expression(), &mut Vec::new(), &mut free);
    Ok(free)
}

fn unknown_variables(free: BTreeSet<String>) -> Result<(), CelProblem> {
    let unknown: Vec<String> = free
        .into_iter()
        .filter(|v| !CEL_ROOTS.contains(&v.as_str()) && !CEL_TYPE_NAMES.contains(&v.as_str()))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(CelProblem::UnknownVariables(unknown))
    }
}

/// A recogniser for a conservative subset of CEL. It returns the free identifiers of an
/// expression it is sure the CEL parser accepts, and `None` for anything else (which then
/// goes to the CEL parser): comments, escapes, raw, byte and triple-quoted strings,
/// floats, hex, unsigned or long integers, maps, messages, `.?`, leading dots, trailing
/// commas, macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`) and reserved
/// words.
mod quick {
    use std::collections::BTreeSet;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Tok<'a> {
        Ident(&'a str),
        /// Integer, string, `true`, `false`, `null`.
        Lit,
        /// Binary operators other than `-`: `== != < <= > >= in && || + * / %`.
        Bin(&'a str),
        Minus,
        Not,
        Dot,
        Comma,
        Question,
        Colon,
        Open(u8),
        Close(u8),
    }

    const RESERVED: &[&str] = &[
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    const MACROS: &[&str] = &["has", "all", "exists", "exists_one", "map", "filter"];

    fn tokens(src: &str) -> Option<Vec<Tok<'_>>> {
        let b = src.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => i += 1,
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                    let start = i;
                    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                    let word = &src[start..i];
                    // A prefixed string (`r'x'`, `b"x"`) or anything glued to a quote.
                    if matches!(b.get(i), Some(b'\'' | b'"')) {
                        return None;
                    }
                    out.push(match word {
                        "true" | "false" | "null" => Tok::Lit,
                        "in" => Tok::Bin("in"),
                        w if RESERVED.contains(&w) => return None,
                        w => Tok::Ident(w),
                    });
                }
                b'0'..=b'9' => {
                    let start = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    // Floats, exponents, hex, unsigned suffixes, or too long for an i64.
                    if i - start > 18 || b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.') {
                        return None;
                    }
                    out.push(Tok::Lit);
                }
                b'\'' | b'"' => {
                    if next == Some(c) {
                        // An empty string, or the start of a triple-quoted one.
                        if b.get(i + 2) == Some(&c) {
                            return None;
                        }
                        i += 2;
                    } else {
                        let mut j = i + 1;
                        loop {
                            match b.get(j) {
                                None | Some(b'\\' | b'\n' | b'\r') => return None,
                                Some(&q) if q == c => break,
                                Some(_) => j += 1,
                            }
                        }
                        i = j + 1;
                    }
                    out.push(Tok::Lit);
                }
                b'=' | b'!' | b'<' | b'>' if next == Some(b'=') => {
                    out.push(Tok::Bin(&src[i..i + 2]));
                    i += 2;
                }
                b'&' if next == Some(b'&') => {
                    out.push(Tok::Bin("&&"));
                    i += 2;
                }
                b'|' if next == Some(b'|') => {
                    out.push(Tok::Bin("||"));
                    i += 2;
                }
                b'<' | b'>' | b'+' | b'*' | b'%' => {
                    out.push(Tok::Bin(&src[i..i + 1]));
                    i += 1;
                }
                // `//` starts a comment.
                b'/' if next != Some(b'/') => {
                    out.push(Tok::Bin("/"));
                    i += 1;
                }
                b'-' => {
                    out.push(Tok::Minus);
                    i += 1;
                }
                b'!' => {
                    out.push(Tok::Not);
                    i += 1;
                }
                b'.' if next != Some(b'?') => {
                    out.push(Tok::Dot);
                    i += 1;
                }
                b',' => {
                    out.push(Tok::Comma);
                    i += 1;
                }
                b'?' => {
                    out.push(Tok::Question);
                    i += 1;
                }
                b':' => {
                    out.push(Tok::Colon);
                    i += 1;
                }
                b'(' | b'[' => {
                    out.push(Tok::Open(c));
                    i += 1;
                }
                b')' | b']' => {
                    out.push(Tok::Close(c));
                    i += 1;
                }
                _ => return None,
            }
        }
        Some(out)
    }

    struct Parser<'a> {
        toks: Vec<Tok<'a>>,
        pos: usize,
        free: BTreeSet<String>,
    }

    impl<'a> Parser<'a> {
        fn peek(&self) -> Option<Tok<'a>> {
            self.toks.get(self.pos).copied()
        }

        fn eat(&mut self, t: Tok<'a>) -> bool {
            let hit = self.peek() == Some(t);
            if hit {
                self.pos += 1;
            }
            hit
        }

        fn expect(&mut self, t: Tok<'a>) -> Option<()> {
            self.eat(t).then_some(())
        }

        /// `or ('?' or ':' expr)?`
        fn expr(&mut self) -> Option<()> {
            self.binary(0)?;
            if self.eat(Tok::Question) {
                self.binary(0)?;
                self.expect(Tok::Colon)?;
                self.expr()?;
            }
            Some(())
        }

        /// Binary levels: `||`, `&&`, relations, arithmetic. Every level is a list of
        /// operands separated by its operators, so only the operand rule matters here.
        fn binary(&mut self, level: u8) -> Option<()> {
            if level == 4 {
                return self.unary();
            }
            self.binary(level + 1)?;
            loop {
                let more = match (level, self.peek()) {
                    (0, Some(Tok::Bin("||"))) | (1, Some(Tok::Bin("&&"))) => true,
                    (2, Some(Tok::Bin(op))) => {
                        matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=" | "in")
                    }
                    (3, Some(Tok::Bin(op))) => matches!(op, "+" | "*" | "/" | "%"),
                    (3, Some(Tok::Minus)) => true,
                    _ => false,
                };
                if !more {
                    return Some(());
                }
                self.pos += 1;
                self.binary(level + 1)?;
            }
        }

        /// `member | '!'+ member | '-'+ member`
        fn unary(&mut self) -> Option<()> {
            if self.eat(Tok::Not) {
                while self.eat(Tok::Not) {}
            } else {
                while self.eat(Tok::Minus) {}
            }
            self.member()
        }

        /// `primary ('.' IDENT ('(' args ')')? | '[' expr ']')*`
        fn member(&mut self) -> Option<()> {
            self.primary()?;
            loop {
                if self.eat(Tok::Dot) {
                    let Some(Tok::Ident(name)) = self.peek() else {
                        return None;
                    };
                    self.pos += 1;
                    if self.eat(Tok::Open(b'(')) {
                        if MACROS.contains(&name) {
                            return None;
                        }
                        self.args(b')')?;
                    }
                } else if self.eat(Tok::Open(b'[')) {
                    self.expr()?;
                    self.expect(Tok::Close(b']'))?;
                } else {
                    return Some(());
                }
            }
        }

        /// `IDENT | IDENT '(' args ')' | '(' expr ')' | '[' args ']' | literal`
        fn primary(&mut self) -> Option<()> {
            match self.peek()? {
                Tok::Ident(name) => {
                    self.pos += 1;
                    if self.eat(Tok::Open(b'(')) {
                        if MACROS.contains(&name) {
                            return None;
                        }
                        self.args(b')')
                    } else {
                        self.free.insert(name.to_string());
                        Some(())
                    }
                }
                Tok::Lit => {
                    self.pos += 1;
                    Some(())
                }
                Tok::Open(b'(') => {
                    self.pos += 1;
                    self.expr()?;
                    self.expect(Tok::Close(b')'))
                }
                Tok::Open(b'[') => {
                    self.pos += 1;
                    self.args(b']')
                }
                _ => None,
            }
        }

        /// `(expr (',' expr)*)? close` (no trailing comma).
        fn args(&mut self, close: u8) -> Option<()> {
            if self.eat(Tok::Close(close)) {
                return Some(());
            }
            loop {
                self.expr()?;
                if self.eat(Tok::Close(close)) {
                    return Some(());
                }
                self.expect(Tok::Comma)?;
            }
        }
    }

    /// The free identifiers of `src` when it is in the subset; `None` otherwise. Callers
    /// bound the nesting first (the parser recurses once per bracket or `?`).
    pub(super) fn free_variables(src: &str) -> Option<BTreeSet<String>> {
        let toks = tokens(src)?;
        if toks.is_empty() {
            return None;
        }
        let mut p = Parser {
            toks,
            pos: 0,
            free: BTreeSet::new(),
        };
        p.expr()?;
        (p.pos == p.toks.len()).then_some(p.free)
    }
}

/// Identifiers read by an expression and not bound by an enclosing comprehension.
fn free_variables(e: &cel::IdedExpr, bound: &mut Vec<String>, out: &mut BTreeSet<String>) {
    use cel::common::ast::{EntryExpr, Expr};
    let entry = |entry: &EntryExpr, bound: &mut Vec<String>, out: &mut BTreeSet<String>| match entry {
        EntryExpr::StructField(f) => free_variables(&f.value, bound, out),
        EntryExpr::MapEntry(m) => {
            free_variables(&m.key, bound, out);
            free_variables(&m.value, bound, out);
        }
    };
    match &e.expr {
        Expr::Unspecified | Expr::Literal(_) => {}
        Expr::Ident(name) => {
            if !name.starts_with('@') && !bound.iter().any(|b| b == name) {
                out.insert(name.clone());
            }
        }
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                free_variables(target, bound, out);
            }
            for arg in &call.args {
                free_variables(arg, bound, out);
            }
        }
        Expr::Comprehension(c) => {
            free_variables(&c.iter_range, bound, out);
            free_variables(&c.accu_init, bound, out);
            let before = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                bound.push(v.clone());
            }
            bound.push(c.accu_var.clone());
            free_variables(&c.loop_cond, bound, out);
            free_variables(&c.loop_step, bound, out);
            free_variables(&c.result, bound, out);
            bound.truncate(before);
        }
        Expr::List(list) => {
            for el in &list.elements {
                free_variables(el, bound, out);
            }
        }
        Expr::Map(map) => {
            for en in &map.entries {
                entry(&en.expr, bound, out);
            }
        }
        Expr::Struct(st) => {
            for en in &st.entries {
                entry(&en.expr, bound, out);
            }
        }
        Expr::Select(sel) => free_variables(&sel.operand, bound, out),
    }
}

/// Whether `s` is a non-empty string of DTMF keys (`0-9`, `*`, `#`).
pub fn is_dtmf(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#')
}

fn key(k: &str) -> Segment {
    Segment::Key(k.to_string())
}

/// A field path that is only turned into segments when a diagnostic needs it.
#[derive(Clone, Copy, Debug)]
enum P<'a> {
    /// Keys: `offers.prompt`.
    Keys(&'a [&'a str]),
    /// Keys, then one more key: `options.1`, `vars.note`.
    Then(&'a [&'a str], &'a str),
    /// `name[i].rest`.
    Indexed(&'a str, usize, &'a [&'a str]),
}

impl From<P<'_>> for Vec<Segment> {
    fn from(p: P<'_>) -> Vec<Segment> {
        match p {
            P::Keys(keys) => keys.iter().map(|k| key(k)).collect(),
            P::Then(keys, last) => keys.iter().chain([&last]).map(|k| key(k)).collect(),
            P::Indexed(name, i, rest) => {
                let mut v = vec![key(name), Segment::Index(i)];
                v.extend(rest.iter().map(|k| key(k)));
                v
            }
        }
    }
}

fn entry_rule(i: usize, field: &str) -> Vec<Segment> {
    vec![key("entry"), key("rules"), Segment::Index(i), key(field)]
}

struct Ctx<'a> {
    ivr: &'a IvrConfig,
    calendars: BTreeSet<&'a str>,
    queues: BTreeSet<u32>,
    sources: Option<&'a Sources>,
    out: Vec<Diagnostic>,
    /// Results of CEL and regex checks by source: flows repeat their conditions.
    cel_seen: HashMap<&'a str, Option<(&'static str, String)>>,
    regex_seen: HashMap<&'a str, Option<String>>,
}

impl<'a> Ctx<'a> {
    fn config(
        &mut self,
        severity: Severity,
        code: &'static str,
        path: impl Into<Vec<Segment>>,
        message: String,
    ) {
        let path: Vec<Segment> = path.into();
        let pos = self.sources.and_then(|s| s.locate_config(&path));
        let file = self
            .sources
            .and_then(|s| s.config())
            .map(|c| c.file().to_string());
        self.out.push(Diagnostic {
            severity,
            code,
            flow: String::new(),
            node: None,
            field: display_path(&path),
            message,
            file,
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
        });
    }

    fn flow(
        &mut self,
        severity: Severity,
        code: &'static str,
        flow: &str,
        field: impl Into<Vec<Segment>>,
        message: String,
    ) {
        let field: Vec<Segment> = field.into();
        let pos = self.sources.and_then(|s| s.locate_flow_field(flow, &field));
        self.out.push(Diagnostic {
            severity,
            code,
            flow: flow.to_string(),
            node: None,
            field: display_path(&field),
            message,
            file: self.sources.and_then(|s| s.file(flow)).map(str::to_string),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
        });
    }

    fn node(
        &mut self,
        severity: Severity,
        code: &'static str,
        flow: &str,
        node: &str,
        field: impl Into<Vec<Segment>>,
        message: String,
    ) {
        let field: Vec<Segment> = field.into();
        let pos = self.sources.and_then(|s| s.locate_node(flow, node, &field));
        let mut full = vec![key("nodes"), key(node)];
        full.extend(field);
        self.out.push(Diagnostic {
            severity,
            code,
            flow: flow.to_string(),
            node: Some(node.to_string()),
            field: display_path(&full),
            message,
            file: self.sources.and_then(|s| s.file(flow)).map(str::to_string),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
        });
    }

    fn error(
        &mut self,
        code: &'static str,
        flow: &str,
        node: &str,
        field: impl Into<Vec<Segment>>,
        message: String,
    ) {
        self.node(Severity::Error, code, flow, node, field, message);
    }

    fn prompt(&mut self, flow: &str, node: &str, field: P<'_>, id: &str) {
        if !self.ivr.prompts.contains_key(id) {
            self.error(
                codes::UNKNOWN_PROMPT,
                flow,
                node,
                field,
                format!("prompt `{id}` is not defined under `prompts`"),
            );
        }
    }

    fn queue(&mut self, flow: &str, node: &str, field: P<'_>, queue: u32) {
        if !self.queues.contains(&queue) {
            self.error(
                codes::UNKNOWN_QUEUE,
                flow,
                node,
                field,
                format!("queue {queue} is not configured"),
            );
        }
    }

    fn flow_ref(&mut self, flow: &str, node: &str, field: P<'_>, target: &str) {
        if !self.ivr.flows.contains_key(target) {
            self.error(
                codes::UNKNOWN_FLOW,
                flow,
                node,
                field,
                format!("flow `{target}` is not defined"),
            );
        }
    }

    fn cel(&mut self, flow: &str, node: &str, field: P<'_>, src: &'a str) {
        let problem = match self.cel_seen.get(src) {
            Some(p) => p.clone(),
            None => {
                let p = cel_problem(src);
                self.cel_seen.insert(src, p.clone());
                p
            }
        };
        if let Some((code, message)) = problem {
            self.error(code, flow, node, field, message);
        }
    }

    /// Why `pattern` is not a valid regular expression (the last line of the error).
    fn regex_error(&mut self, pattern: &'a str) -> Option<String> {
        self.regex_seen
            .entry(pattern)
            .or_insert_with(|| {
                regex::Regex::new(pattern).err().map(|e| {
                    let text = e.to_string();
                    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
                    last.trim().trim_start_matches("error: ").to_string()
                })
            })
            .clone()
    }

    fn digits(&mut self, flow: &str, node: &str, field: &[&str], options: &[&str], what: &str) {
        let mut valid = BTreeSet::new();
        for &d in options {
            let path = P::Then(field, d);
            if is_dtmf(d) {
                valid.insert(d);
            } else {
                self.error(
                    codes::INVALID_DIGITS,
                    flow,
                    node,
                    path,
                    format!("{what} `{d}` is not a string of keys 0-9, * and #"),
                );
            }
        }
        for &d in &valid {
            for (i, _) in d.char_indices().skip(1) {
                let prefix = &d[..i];
                if valid.contains(prefix) {
                    let path = P::Then(field, d);
                    self.error(
                        codes::OVERLAPPING_DIGITS,
                        flow,
                        node,
                        path,
                        format!("{what} `{d}` overlaps {what} `{prefix}`, which is a prefix of it"),
                    );
                    break;
                }
            }
        }
    }

    fn single_key(&mut self, flow: &str, node: &str, field: P<'_>, d: &str, allow_empty: bool) -> bool {
        let ok = (allow_empty && d.is_empty()) || (is_dtmf(d) && d.chars().count() == 1);
        if !ok {
            self.error(
                codes::INVALID_DIGITS,
                flow,
                node,
                field,
                format!(
                    "`{d}` is not {}one key 0-9, * or #",
                    if allow_empty { "empty or " } else { "" }
                ),
            );
        }
        ok
    }
}

fn cel_problem(src: &str) -> Option<(&'static str, String)> {
    match check_cel(src) {
        Ok(()) => None,
        Err(CelProblem::TooComplex(m)) => Some((codes::CEL_TOO_COMPLEX, format!("CEL `{src}` {m}"))),
        Err(CelProblem::Syntax(m)) => Some((codes::CEL_SYNTAX, format!("CEL `{src}` does not parse: {m}"))),
        Err(CelProblem::UnknownVariables(vars)) => Some((
            codes::CEL_UNKNOWN_VARIABLE,
            format!(
                "CEL `{src}` reads unknown variable{} {} (known: {})",
                if vars.len() == 1 { "" } else { "s" },
                vars.iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                CEL_ROOTS.join(", ")
            ),
        )),
    }
}

/// The prompt ids a node plays, with their fields.
fn prompt_refs(node: &Node) -> Vec<(P<'static>, &str)> {
    let mut v: Vec<(P<'static>, &str)> = Vec::new();
    match node {
        Node::Menu(m) => {
            v.push((P::Keys(&["greeting"]), &m.greeting));
            if let Some(p) = &m.short_greeting {
                v.push((P::Keys(&["short_greeting"]), p));
            }
            if let Some(p) = &m.invalid {
                v.push((P::Keys(&["invalid"]), p));
            }
            if let Some(p) = &m.timeout_prompt {
                v.push((P::Keys(&["timeout_prompt"]), p));
            }
        }
        Node::Play(p) => {
            for (i, id) in p.prompts.iter().enumerate() {
                v.push((P::Indexed("prompts", i, &[]), id));
            }
        }
        Node::Collect(c) => {
            v.push((P::Keys(&["prompt"]), &c.prompt));
            if let Some(p) = &c.confirm {
                v.push((P::Keys(&["confirm"]), p));
            }
            if let Some(p) = &c.invalid {
                v.push((P::Keys(&["invalid"]), p));
            }
        }
        Node::Language(l) => v.push((P::Keys(&["prompt"]), &l.prompt)),
        Node::Queue(q) => {
            if let Some(o) = &q.offers {
                v.push((P::Keys(&["offers", "prompt"]), &o.prompt));
            }
        }
        Node::Voicemail(vm) => v.push((P::Keys(&["prompt"]), &vm.prompt)),
        Node::Callback(c) => {
            v.push((P::Keys(&["confirm"]), &c.confirm));
            v.push((P::Keys(&["ask_number"]), &c.ask_number));
            if let Some(p) = &c.done {
                v.push((P::Keys(&["done"]), p));
            }
        }
        Node::Survey(s) => {
            for (i, q) in s.questions.iter().enumerate() {
                v.push((P::Indexed("questions", i, &["prompt"]), &q.prompt));
            }
        }
        Node::Hangup(h) => {
            if let Some(p) = &h.prompt {
                v.push((P::Keys(&["prompt"]), p));
            }
        }
        Node::Branch(_)
        | Node::Schedule(_)
        | Node::Lookup(_)
        | Node::Set(_)
        | Node::Transfer(_)
        | Node::Subflow(_)
        | Node::Return(_) => {}
    }
    v
}

/// Checks an IVR configuration against the calendars and queue numbers that exist.
/// `sources` (from the loaders) add file, line and column to each diagnostic.
pub fn lint(ivr: &IvrConfig, calendars: &[&str], queues: &[u32], sources: Option<&Sources>) -> LintReport {
    let mut cx = Ctx {
        ivr,
        calendars: calendars.iter().copied().collect(),
        queues: queues.iter().copied().collect(),
        sources,
        out: Vec::new(),
        cel_seen: HashMap::new(),
        regex_seen: HashMap::new(),
    };
    config_checks(&mut cx);
    let graphs: BTreeMap<&str, FlowGraph> = ivr
        .flows
        .iter()
        .map(|(id, f)| (id.as_str(), FlowGraph::build(f)))
        .collect();
    let callees: BTreeSet<&str> = graphs
        .values()
        .flat_map(|g| g.flow_refs.iter())
        .filter(|r| r.kind == FlowRefKind::Subflow)
        .map(|r| r.flow.as_str())
        .collect();
    for (id, flow) in &ivr.flows {
        if let Some(g) = graphs.get(id.as_str()) {
            lint_flow(&mut cx, id, flow, g, callees.contains(id.as_str()));
        }
    }
    recursive_subflows(&mut cx, &graphs);
    LintReport { diagnostics: cx.out }
}

/// [`lint`], then the first error (if any) as a [`ConfigError`] with file, line,
/// column and path. On success, returns the report (warnings only).
pub fn validate(
    ivr: &IvrConfig,
    calendars: &[&str],
    queues: &[u32],
    sources: Option<&Sources>,
) -> Result<LintReport, ConfigError> {
    lint(ivr, calendars, queues, sources).into_result(sources)
}

fn config_checks(cx: &mut Ctx<'_>) {
    let ivr = cx.ivr;
    if ivr.locales.is_empty() {
        cx.config(
            Severity::Error,
            codes::NO_LOCALES,
            P::Keys(&["locales"]),
            "no locale is declared".into(),
        );
    }
    for (id, versions) in &ivr.prompts {
        for locale in &ivr.locales {
            if !versions.contains_key(locale) {
                cx.config(
                    Severity::Error,
                    codes::MISSING_PROMPT_LOCALE,
                    vec![key("prompts"), key(id)],
                    format!(
                        "prompt `{id}` has no `{locale}` version (declared locales: {})",
                        ivr.locales.join(", ")
                    ),
                );
            }
        }
        for locale in versions.keys() {
            if !ivr.locales.contains(locale) {
                cx.config(
                    Severity::Warning,
                    codes::UNDECLARED_PROMPT_LOCALE,
                    vec![key("prompts"), key(id), key(locale)],
                    format!("prompt `{id}` has a version for `{locale}`, which is not in `locales`"),
                );
            }
        }
    }
    for (dnis, flow) in &ivr.entry.dnis {
        if !ivr.flows.contains_key(flow) {
            cx.config(
                Severity::Error,
                codes::UNKNOWN_FLOW,
                vec![key("entry"), key("dnis"), key(dnis)],
                format!("DNIS `{dnis}` goes to flow `{flow}`, which is not defined"),
            );
        }
    }
    for (i, rule) in ivr.entry.rules.iter().enumerate() {
        if let Some((code, message)) = cel_problem(&rule.when) {
            cx.config(Severity::Error, code, entry_rule(i, "when"), message);
        }
        if !ivr.flows.contains_key(&rule.flow) {
            cx.config(
                Severity::Error,
                codes::UNKNOWN_FLOW,
                entry_rule(i, "flow"),
                format!(
                    "entry rule {i} goes to flow `{}`, which is not defined",
                    rule.flow
                ),
            );
        }
    }
    if let Some(flow) = &ivr.entry.default
        && !ivr.flows.contains_key(flow)
    {
        cx.config(
            Severity::Error,
            codes::UNKNOWN_FLOW,
            P::Keys(&["entry", "default"]),
            format!("the default entry flow `{flow}` is not defined"),
        );
    }
    for (i, rule) in ivr.ani_rules.iter().enumerate() {
        if let AniAction::Block { prompt, flow } = &rule.action {
            if let Some(p) = prompt
                && !ivr.prompts.contains_key(p)
            {
                cx.config(
                    Severity::Error,
                    codes::UNKNOWN_PROMPT,
                    P::Indexed("ani_rules", i, &["action", "block", "prompt"]),
                    format!("prompt `{p}` is not defined under `prompts`"),
                );
            }
            if let Some(f) = flow
                && !ivr.flows.contains_key(f)
            {
                cx.config(
                    Severity::Error,
                    codes::UNKNOWN_FLOW,
                    P::Indexed("ani_rules", i, &["action", "block", "flow"]),
                    format!("flow `{f}` is not defined"),
                );
            }
        }
    }
}

/// Checks one node. `has_unknown_targets` comes from the flow graph, so that the targets
/// are only listed again for nodes that have a broken one.
fn node_checks<'a>(
    cx: &mut Ctx<'a>,
    f: &str,
    flow: &Flow,
    id: &str,
    node: &'a Node,
    has_unknown_targets: bool,
) {
    if has_unknown_targets {
        for (label, field, target) in super::graph::targets(node) {
            if !flow.nodes.contains_key(target) {
                let what = match label {
                    super::graph::EdgeLabel::Digit(d) => format!("option `{d}`"),
                    _ => format!("`{}`", field.path()),
                };
                cx.error(
                    codes::UNKNOWN_TARGET,
                    f,
                    id,
                    field.segments(),
                    format!("{what} goes to `{target}`, which is not a node of this flow"),
                );
            }
        }
    }
    for (field, prompt) in prompt_refs(node) {
        cx.prompt(f, id, field, prompt);
    }
    match node {
        Node::Menu(m) => {
            let keys: Vec<&str> = m.options.keys().map(String::as_str).collect();
            cx.digits(f, id, &["options"], &keys, "option");
        }
        Node::Collect(c) => {
            if c.max_digits == 0 {
                cx.error(
                    codes::COLLECT_DIGIT_RANGE,
                    f,
                    id,
                    P::Keys(&["max_digits"]),
                    "max_digits is 0: no digit can be collected".into(),
                );
            } else if c.min_digits > c.max_digits {
                cx.error(
                    codes::COLLECT_DIGIT_RANGE,
                    f,
                    id,
                    P::Keys(&["min_digits"]),
                    format!(
                        "min_digits ({}) is more than max_digits ({})",
                        c.min_digits, c.max_digits
                    ),
                );
            }
            cx.single_key(f, id, P::Keys(&["terminator"]), &c.terminator, true);
            if let Some(Validation::Pattern(p)) = &c.validate
                && let Some(last) = cx.regex_error(p)
            {
                cx.error(
                    codes::INVALID_REGEX,
                    f,
                    id,
                    P::Keys(&["validate", "pattern"]),
                    format!("pattern `{p}` is not a valid regular expression: {last}"),
                );
            }
        }
        Node::Branch(b) => {
            for (i, c) in b.conditions.iter().enumerate() {
                cx.cel(f, id, P::Indexed("conditions", i, &["when"]), &c.when);
            }
        }
        Node::Schedule(s) => {
            if !cx.calendars.contains(s.calendar.as_str()) {
                cx.error(
                    codes::UNKNOWN_CALENDAR,
                    f,
                    id,
                    P::Keys(&["calendar"]),
                    format!("calendar `{}` is not configured", s.calendar),
                );
            }
        }
        Node::Set(s) => {
            for (name, expr) in &s.vars {
                cx.cel(f, id, P::Then(&["vars"], name), expr);
            }
        }
        Node::Language(l) => {
            let keys: Vec<&str> = l.options.keys().map(String::as_str).collect();
            cx.digits(f, id, &["options"], &keys, "option");
            for (digit, locale) in &l.options {
                if !cx.ivr.locales.contains(locale) {
                    cx.error(
                        codes::UNKNOWN_LOCALE,
                        f,
                        id,
                        P::Then(&["options"], digit),
                        format!(
                            "option `{digit}` selects locale `{locale}`, which is not in `locales` ({})",
                            cx.ivr.locales.join(", ")
                        ),
                    );
                }
            }
        }
        Node::Queue(q) => {
            cx.queue(f, id, P::Keys(&["queue"]), q.queue.0);
            if let Some(r) = &q.requirement
                && let Err(m) = r.check()
            {
                cx.error(codes::INVALID_REQUIREMENT, f, id, P::Keys(&["requirement"]), m);
            }
            if let Some(o) = &q.offers {
                let cb = o
                    .callback_digit
                    .as_deref()
                    .filter(|d| cx.single_key(f, id, P::Keys(&["offers", "callback_digit"]), d, false));
                let vm =
                    o.voicemail.as_ref().map(|v| v.digit.as_str()).filter(|d| {
                        cx.single_key(f, id, P::Keys(&["offers", "voicemail", "digit"]), d, false)
                    });
                if let (Some(a), Some(b)) = (cb, vm)
                    && a == b
                {
                    cx.error(
                        codes::DUPLICATE_DIGIT,
                        f,
                        id,
                        P::Keys(&["offers", "voicemail", "digit"]),
                        format!("digit `{b}` is also the callback digit"),
                    );
                }
            }
        }
        Node::Transfer(t) => match &t.to {
            TransferTo::Queue(q) => cx.queue(f, id, P::Keys(&["to", "queue"]), q.0),
            TransferTo::Flow(target) => cx.flow_ref(f, id, P::Keys(&["to", "flow"]), target),
            TransferTo::Agent(_) | TransferTo::External(_) => {}
        },
        Node::Callback(c) => cx.queue(f, id, P::Keys(&["queue"]), c.queue.0),
        Node::Survey(s) => {
            for (i, q) in s.questions.iter().enumerate() {
                if q.min > q.max {
                    cx.error(
                        codes::SURVEY_RANGE,
                        f,
                        id,
                        P::Indexed("questions", i, &["min"]),
                        format!(
                            "question `{}`: min ({}) is more than max ({})",
                            q.id, q.min, q.max
                        ),
                    );
                } else if q.max > 9 {
                    cx.error(
                        codes::SURVEY_RANGE,
                        f,
                        id,
                        P::Indexed("questions", i, &["max"]),
                        format!(
                            "question `{}`: max ({}) cannot be answered with one digit",
                            q.id, q.max
                        ),
                    );
                }
            }
        }
        Node::Subflow(s) => cx.flow_ref(f, id, P::Keys(&["flow"]), &s.flow),
        Node::Play(_) | Node::Lookup(_) | Node::Voicemail(_) | Node::Return(_) | Node::Hangup(_) => {}
    }
}

fn test_checks(cx: &mut Ctx<'_>, flow_id: &str, flow: &Flow) {
    for (i, conv) in flow.tests.iter().enumerate() {
        for (j, step) in conv.steps.iter().enumerate() {
            let problem = match step {
                Step::ExpectNode(n) if !flow.nodes.contains_key(n) => {
                    Some(format!("expects node `{n}`, which the flow does not have"))
                }
                Step::ExpectPrompt(p) if !cx.ivr.prompts.contains_key(p) => {
                    Some(format!("expects prompt `{p}`, which is not defined"))
                }
                Step::ExpectQueue(q) if !cx.queues.contains(q) => {
                    Some(format!("expects queue {q}, which is not configured"))
                }
                _ => None,
            };
            if let Some(p) = problem {
                let field = vec![key("tests"), Segment::Index(i), key("steps"), Segment::Index(j)];
                cx.flow(
                    Severity::Error,
                    codes::TEST_UNKNOWN_REFERENCE,
                    flow_id,
                    field,
                    format!("test `{}` step {}: {p}", conv.name, j + 1),
                );
            }
        }
    }
}

fn list(g: &FlowGraph, nodes: &[NodeIndex]) -> String {
    nodes
        .iter()
        .map(|n| format!("`{}`", g.id(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lint_flow<'a>(cx: &mut Ctx<'a>, flow_id: &str, flow: &'a Flow, g: &FlowGraph, is_subflow: bool) {
    if let Some(id) = &flow.id
        && id != flow_id
    {
        cx.flow(
            Severity::Error,
            codes::FLOW_ID_MISMATCH,
            flow_id,
            P::Keys(&["id"]),
            format!("the flow is stored as `{flow_id}` but its id is `{id}`"),
        );
    }
    if g.start().is_none() {
        cx.flow(
            Severity::Error,
            codes::UNKNOWN_START,
            flow_id,
            P::Keys(&["start"]),
            format!("start node `{}` is not a node of this flow", flow.start),
        );
    }
    let has_unknown: BTreeSet<&str> = g.unknown_targets.iter().map(|u| u.from.as_str()).collect();
    for (id, node) in &flow.nodes {
        node_checks(cx, flow_id, flow, id, node, has_unknown.contains(id.as_str()));
    }
    test_checks(cx, flow_id, flow);

    let n = g.len();
    let indices: Vec<NodeIndex> = (0..n).map(NodeIndex::new).collect(); // id order
    let reach = g.start().map(|s| g.reachable_from(s));
    let live = |ix: NodeIndex| reach.as_ref().is_none_or(|r| r[ix.index()]);
    if let Some(r) = &reach {
        for &ix in &indices {
            if !r[ix.index()] {
                cx.node(
                    Severity::Warning,
                    codes::UNREACHABLE_NODE,
                    flow_id,
                    g.id(ix),
                    Vec::new(),
                    format!("no path leads here from the start node `{}`", flow.start),
                );
            }
        }
    }

    // Nodes with unknown targets already have errors; count them as exits so that the
    // mistake is not reported again as a dead end.
    let exits: Vec<bool> = indices
        .iter()
        .map(|&ix| g.kind(ix).is_some_and(NodeKind::is_terminal) || has_unknown.contains(g.id(ix)))
        .collect();
    let can_exit = g.can_reach(&exits);

    let mut in_closed = vec![false; n];
    for component in g.cycles(false) {
        let mut member = vec![false; n];
        for &m in &component {
            member[m.index()] = true;
        }
        let closed = component
            .iter()
            .all(|&m| !exits[m.index()] && g.graph().neighbors(m).all(|t| member[t.index()]));
        if !closed || !component.iter().any(|&m| live(m)) {
            continue;
        }
        for &m in &component {
            in_closed[m.index()] = true;
        }
        let first = component[0];
        let message = if component.len() == 1 {
            "this node leads only to itself: a call that gets here never ends".to_string()
        } else {
            format!(
                "nodes {} lead only to each other: a call that gets here never ends",
                list(g, &component)
            )
        };
        cx.error(
            codes::LOOP_WITHOUT_EXIT,
            flow_id,
            g.id(first),
            Vec::new(),
            message,
        );
    }
    for &ix in &indices {
        if live(ix) && !can_exit[ix.index()] && !in_closed[ix.index()] {
            cx.error(
                codes::DEAD_END,
                flow_id,
                g.id(ix),
                Vec::new(),
                "no hangup, transfer, queue, voicemail, callback or return can be reached from here".into(),
            );
        }
    }
    for component in g.cycles(true) {
        let guarded = component.iter().any(|&m| g.kind(m) == Some(NodeKind::Branch));
        let reported = component.iter().all(|&m| in_closed[m.index()]);
        if guarded || reported || !component.iter().any(|&m| live(m)) {
            continue;
        }
        let first = component[0];
        cx.error(
            codes::UNGUARDED_LOOP,
            flow_id,
            g.id(first),
            Vec::new(),
            format!(
                "a caller who presses nothing goes round {} forever: no branch guards this loop \
                 (a menu or collect whose on_failure leads back into it starts counting again)",
                list(g, &component)
            ),
        );
    }

    if !is_subflow {
        for &ix in &indices {
            if live(ix) && g.kind(ix) == Some(NodeKind::Return) {
                cx.node(
                    Severity::Warning,
                    codes::RETURN_OUTSIDE_SUBFLOW,
                    flow_id,
                    g.id(ix),
                    Vec::new(),
                    format!("no subflow node calls flow `{flow_id}`, so this return has nowhere to go"),
                );
            }
        }
    }

    if let Some(start) = g.start() {
        let max = cx.ivr.max_menu_depth;
        let is_menu = |ix: NodeIndex| u32::from(g.kind(ix) == Some(NodeKind::Menu));
        let mut depth = vec![u32::MAX; n];
        depth[start.index()] = is_menu(start);
        let mut todo = VecDeque::from([start]);
        while let Some(ix) = todo.pop_front() {
            let d = depth[ix.index()];
            for t in g.graph().neighbors(ix) {
                let w = is_menu(t);
                if d.saturating_add(w) < depth[t.index()] {
                    depth[t.index()] = d.saturating_add(w);
                    if w == 0 {
                        todo.push_front(t);
                    } else {
                        todo.push_back(t);
                    }
                }
            }
        }
        for &ix in &indices {
            let d = depth[ix.index()];
            if is_menu(ix) == 1 && d != u32::MAX && d > max {
                cx.error(
                    codes::MENU_TOO_DEEP,
                    flow_id,
                    g.id(ix),
                    Vec::new(),
                    format!("this menu is nested {d} menus deep (max_menu_depth is {max})"),
                );
            }
        }
    }
}

fn recursive_subflows(cx: &mut Ctx<'_>, graphs: &BTreeMap<&str, FlowGraph>) {
    let mut calls: petgraph::graph::DiGraph<&str, ()> = petgraph::graph::DiGraph::new();
    let index: BTreeMap<&str, NodeIndex> = graphs.keys().map(|&id| (id, calls.add_node(id))).collect();
    for (&from, g) in graphs {
        for r in g.flow_refs.iter().filter(|r| r.kind == FlowRefKind::Subflow) {
            if let Some(&to) = index.get(r.flow.as_str()) {
                calls.update_edge(index[from], to, ());
            }
        }
    }
    let mut components: Vec<Vec<&str>> = petgraph::algo::tarjan_scc(&calls)
        .into_iter()
        .filter(|c| c.len() > 1 || c.first().is_some_and(|&n| calls.contains_edge(n, n)))
        .map(|c| {
            let mut ids: Vec<&str> = c.iter().map(|&ix| calls[ix]).collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    components.sort();
    for flows in components {
        // Report at the first subflow node (in flow and node order) calling into the cycle.
        let at = flows.iter().find_map(|&f| {
            graphs[f]
                .flow_refs
                .iter()
                .find(|r| r.kind == FlowRefKind::Subflow && flows.contains(&r.flow.as_str()))
                .map(|r| (f, r.from.clone()))
        });
        if let Some((flow, node)) = at {
            let names = flows
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            cx.error(
                codes::RECURSIVE_SUBFLOW,
                flow,
                &node,
                P::Keys(&["flow"]),
                format!("flows {names} call each other as subflows without end"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(src: &str) -> Option<Vec<String>> {
        quick::free_variables(src).map(|s| s.into_iter().collect())
    }

    #[test]
    fn the_fast_path_takes_common_conditions() {
        let v = |xs: &[&str]| Some(xs.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(vars(r#"vars["order.status"] == "open""#), v(&["vars"]));
        assert_eq!(
            vars(r#""appt.date" in vars && vars["appt.date"] != """#),
            v(&["vars"])
        );
        assert_eq!(vars(r#"'"new fault on order " + vars["order_no"]'"#), v(&[]));
        assert_eq!(vars(r#""new fault on order " + vars["order_no"]"#), v(&["vars"]));
        assert_eq!(vars("dnis.startsWith('0800-FIX-')"), v(&["dnis"]));
        assert_eq!(vars("int(vars.tries) > 3 ? open : !open"), v(&["open", "vars"]));
        assert_eq!(vars("size(tags) > 0 || queues[1] < -10"), v(&["queues", "tags"]));
        assert_eq!(vars("type(x) == string"), v(&["string", "x"]));
    }

    #[test]
    fn the_fast_path_leaves_the_rest_to_the_parser() {
        for src in [
            "tags.exists(t, t == 'vip')",
            "has(vars.x)",
            "{'a': 1}",
            "1.5 > a",
            "1u",
            "0x10",
            "'a\\n'",
            "r'x'",
            "'''x'''",
            "a // comment",
            "a.?b",
            ".a",
            "[1, 2,]",
            "if",
            "a = b",
            "a ==",
            "",
            "99999999999999999999",
        ] {
            assert_eq!(vars(src), None, "{src}");
        }
        // ...and the parser gives the same verdict either way.
        assert_eq!(check_cel("tags.exists(t, t == 'vip')"), Ok(()));
        assert!(matches!(check_cel("a ==").unwrap_err(), CelProblem::Syntax(_)));
    }
}

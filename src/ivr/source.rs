//! Loading IVR configuration and flow files with exact error locations, and finding where
//! a flow, node or field is written so that lint diagnostics can point at it.
//!
//! Parse errors carry the file, the 1-based line and column and the field path
//! (`flows.bank.nodes.main.options`). Node tables are internally tagged (`type = "menu"`),
//! which makes serde buffer them and lose the position of an error inside a node; the
//! loaders therefore re-check a failing node against its own kind to report the exact
//! field (`nodes.main.max_failures`) and where it is written.

use super::model::{
    Branch, CallbackNode, Collect, Flow, Hangup, IvrConfig, Language, Lookup, Menu, Play, QueueNode, Return,
    Schedule, SetVars, Subflow, Survey, Transfer, Voicemail,
};
use crate::error::{ConfigError, ConfigLocation};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The syntax of a source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// `.json` files are JSON; everything else is read as TOML.
    pub fn from_path(path: &Path) -> Format {
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// One step of a field path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A key (`nodes`, `main`, `options`, `1`).
    Key(String),
    /// An array index.
    Index(usize),
}

/// Parses a path such as `nodes.main.conditions[0].when`. Keys cannot contain `.` or `[`
/// in this notation; [`Segment`] slices have no such limit.
pub fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        let key_end = rest.find('[').unwrap_or(rest.len());
        let (key, tail) = rest.split_at(key_end);
        if !key.is_empty() {
            out.push(Segment::Key(key.to_string()));
        }
        rest = tail;
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(close) = inner.find(']') else {
                out.push(Segment::Key(rest.to_string()));
                break;
            };
            let (num, after) = inner.split_at(close);
            match num.parse::<usize>() {
                Ok(i) => out.push(Segment::Index(i)),
                Err(_) => out.push(Segment::Key(num.to_string())),
            }
            rest = after.get(1..).unwrap_or("");
        }
    }
    out
}

/// Writes a path as `a.b[0].c` (the notation of serde_path_to_error).
pub fn display_path(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Segment::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// Where each key of a source text is written: a tree of byte offsets.
#[derive(Clone, Debug, Default)]
struct SpanTree {
    /// Offset of the key naming this value (none for array items and the root).
    key: Option<usize>,
    /// Offset of the value (for TOML tables defined by a header: the header).
    value: usize,
    children: Children,
}

#[derive(Clone, Debug, Default)]
enum Children {
    #[default]
    Leaf,
    Map(BTreeMap<String, SpanTree>),
    Seq(Vec<SpanTree>),
}

impl SpanTree {
    fn offset(&self) -> usize {
        self.key.unwrap_or(self.value)
    }

    fn child(&self, seg: &Segment) -> Option<&SpanTree> {
        match (&self.children, seg) {
            (Children::Map(m), Segment::Key(k)) => m.get(k),
            (Children::Seq(v), Segment::Index(i)) => v.get(*i),
            _ => None,
        }
    }

    /// Follows `path`; returns the offset of the deepest segment found and how many
    /// segments were found.
    fn deepest(&self, path: &[Segment]) -> (usize, usize) {
        let mut node = self;
        let mut found = 0;
        for seg in path {
            match node.child(seg) {
                Some(next) => {
                    node = next;
                    found += 1;
                }
                None => break,
            }
        }
        (node.offset(), found)
    }
}

const MAX_DEPTH: usize = 200;

fn toml_tree(src: &str) -> Option<SpanTree> {
    let table = toml::de::DeTable::parse(src).ok()?;
    let span = table.span();
    Some(SpanTree {
        key: None,
        value: span.start,
        children: toml_table(table.get_ref(), 0),
    })
}

fn toml_table(table: &toml::de::DeTable<'_>, depth: usize) -> Children {
    let mut map = BTreeMap::new();
    for (k, v) in table.iter() {
        map.entry(k.get_ref().to_string()).or_insert_with(|| SpanTree {
            key: Some(k.span().start),
            value: v.span().start,
            children: toml_value(v.get_ref(), depth + 1),
        });
    }
    Children::Map(map)
}

fn toml_value(v: &toml::de::DeValue<'_>, depth: usize) -> Children {
    if depth > MAX_DEPTH {
        return Children::Leaf;
    }
    match v {
        toml::de::DeValue::Table(t) => toml_table(t, depth),
        toml::de::DeValue::Array(a) => Children::Seq(
            a.iter()
                .map(|item| SpanTree {
                    key: None,
                    value: item.span().start,
                    children: toml_value(item.get_ref(), depth + 1),
                })
                .collect(),
        ),
        _ => Children::Leaf,
    }
}

/// A small JSON scanner recording where keys and values start. Returns `None` on
/// anything that is not well-formed JSON.
struct JsonScan<'a> {
    b: &'a [u8],
    pos: usize,
    path: Vec<Segment>,
    /// The first key written twice in one object, and where.
    duplicate: Option<(Vec<Segment>, usize)>,
}

impl JsonScan<'_> {
    fn scan(src: &str) -> (Option<SpanTree>, Option<(Vec<Segment>, usize)>) {
        let mut s = JsonScan {
            b: src.as_bytes(),
            pos: 0,
            path: Vec::new(),
            duplicate: None,
        };
        let root = s.value(0);
        s.ws();
        let root = root.filter(|_| s.pos == s.b.len());
        (root, s.duplicate)
    }

    fn tree(src: &str) -> Option<SpanTree> {
        JsonScan::scan(src).0
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(c)).then(|| self.pos += 1)
    }

    fn value(&mut self, depth: usize) -> Option<SpanTree> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let start = self.pos;
        let children = match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut map = BTreeMap::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        let key_at = self.pos;
                        let key = self.string()?;
                        self.eat(b':')?;
                        self.path.push(Segment::Key(key.clone()));
                        let mut v = self.value(depth + 1)?;
                        if map.contains_key(&key) && self.duplicate.is_none() {
                            self.duplicate = Some((self.path.clone(), key_at));
                        }
                        self.path.pop();
                        v.key = Some(key_at);
                        map.entry(key).or_insert(v);
                        self.ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Children::Map(map)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.path.push(Segment::Index(items.len()));
                        items.push(self.value(depth + 1)?);
                        self.path.pop();
                        self.ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Children::Seq(items)
            }
            b'"' => {
                self.string()?;
                Children::Leaf
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
                {
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
                Children::Leaf
            }
        };
        Some(SpanTree {
            key: None,
            value: start,
            children,
        })
    }

    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.pos..self.pos + 2)? != b"\\u" {
                                    return None;
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                            } else {
                                char::from_u32(hi)?
                            }
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.pos..self.pos + 4)?;
        let s = std::str::from_utf8(digits).ok()?;
        let v = u32::from_str_radix(s, 16).ok()?;
        self.pos += 4;
        Some(v)
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// One source text: a configuration file or a flow file.
#[derive(Clone, Debug)]
pub struct SourceText {
    file: String,
    text: String,
    format: Format,
    index: OnceLock<Option<SpanTree>>,
}

impl SourceText {
    /// A source text named `file` (as it should appear in messages).
    pub fn new(file: impl Into<String>, text: impl Into<String>, format: Format) -> SourceText {
        SourceText {
            file: file.into(),
            text: text.into(),
            format,
            index: OnceLock::new(),
        }
    }

    /// The file name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// TOML or JSON.
    pub fn format(&self) -> Format {
        self.format
    }

    fn tree(&self) -> Option<&SpanTree> {
        self.index
            .get_or_init(|| match self.format {
                Format::Toml => toml_tree(&self.text),
                Format::Json => JsonScan::tree(&self.text),
            })
            .as_ref()
    }

    /// Line and column of the deepest part of `path` written in this text, if at least
    /// `min` segments were found.
    fn locate_path(&self, path: &[Segment], min: usize) -> Option<(usize, usize)> {
        let (offset, found) = self.tree()?.deepest(path);
        (found >= min && found > 0).then(|| line_col(&self.text, offset))
    }
}

/// The source texts behind an [`IvrConfig`]: the configuration file (holding inline
/// flows under `flows`) and one text per flow loaded from `flow_files`. Used to point
/// diagnostics at a line and column.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    config: Option<SourceText>,
    flows: BTreeMap<String, SourceText>,
    /// Where the IVR configuration sits inside the configuration text (`ivr` when it
    /// is a table of the engine's configuration).
    root: Vec<Segment>,
}

impl Sources {
    /// No sources: diagnostics carry no file positions.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Sources for a configuration text (inline flows are found under `flows.ID`).
    pub fn with_config(file: impl Into<String>, text: impl Into<String>, format: Format) -> Sources {
        Sources {
            config: Some(SourceText::new(file, text, format)),
            flows: BTreeMap::new(),
            root: Vec::new(),
        }
    }

    /// Sets the configuration text.
    pub fn set_config(&mut self, file: impl Into<String>, text: impl Into<String>, format: Format) {
        self.config = Some(SourceText::new(file, text, format));
    }

    /// Like [`Sources::set_config`], for an IVR configuration written under `root` (such
    /// as `ivr`) of the text.
    pub fn set_config_under(
        &mut self,
        file: impl Into<String>,
        text: impl Into<String>,
        format: Format,
        root: &str,
    ) {
        self.set_config(file, text, format);
        self.root = parse_path(root);
    }

    /// [`Sources::with_config`] for an IVR configuration written under `root` of the
    /// text, such as `ivr` for the `[ivr]` table of a contact-center configuration.
    pub fn under(mut self, root: &str) -> Sources {
        self.root = parse_path(root);
        self
    }

    /// Where the IVR configuration sits in the configuration text (empty: the whole
    /// text; `ivr`: the `[ivr]` table).
    pub fn config_root(&self) -> &[Segment] {
        &self.root
    }

    /// Records that flow `flow` was read from its own file.
    pub fn add_flow(
        &mut self,
        flow: impl Into<String>,
        file: impl Into<String>,
        text: impl Into<String>,
        format: Format,
    ) {
        self.flows
            .insert(flow.into(), SourceText::new(file, text, format));
    }

    /// Adds everything from `other` (its configuration text replaces this one's only if
    /// this has none).
    pub fn extend(&mut self, other: Sources) {
        if self.config.is_none() {
            self.config = other.config;
            self.root = other.root;
        }
        self.flows.extend(other.flows);
    }

    /// The configuration text.
    pub fn config(&self) -> Option<&SourceText> {
        self.config.as_ref()
    }

    /// The text of a flow: its own file, or else the configuration text.
    pub fn flow(&self, flow: &str) -> Option<&SourceText> {
        self.flows.get(flow).or(self.config.as_ref())
    }

    /// Whether the flow came from its own file (its paths then start at `nodes`, not at
    /// `flows.ID.nodes`).
    pub fn has_own_file(&self, flow: &str) -> bool {
        self.flows.contains_key(flow)
    }

    /// The file a flow was written in.
    pub fn file(&self, flow: &str) -> Option<&str> {
        self.flow(flow).map(SourceText::file)
    }

    /// The path prefix of a flow inside its text.
    fn prefix(&self, flow: &str) -> Vec<Segment> {
        if self.has_own_file(flow) {
            Vec::new()
        } else {
            let mut p = self.root.clone();
            p.extend([Segment::Key("flows".into()), Segment::Key(flow.into())]);
            p
        }
    }

    /// Where `node` of `flow` is written (1-based line and column of its key: `main` in
    /// `[nodes.main]`, `main = {` or `"main": {`), and, when `field` (a path inside the
    /// node such as `options.1` or `conditions[0].when`) is written there, where that is.
    /// `None` when the node cannot be found.
    pub fn locate(&self, flow: &str, node: &str, field: Option<&str>) -> Option<(usize, usize)> {
        let field = field.map(parse_path).unwrap_or_default();
        self.locate_node(flow, node, &field)
    }

    /// [`Sources::locate`] with the field as segments.
    pub fn locate_node(&self, flow: &str, node: &str, field: &[Segment]) -> Option<(usize, usize)> {
        let mut path = self.prefix(flow);
        path.push(Segment::Key("nodes".into()));
        path.push(Segment::Key(node.into()));
        let min = path.len();
        path.extend(field.iter().cloned());
        self.flow(flow)?.locate_path(&path, min)
    }

    /// Where a field of a flow outside its nodes (`start`, `tests[2]`) is written; falls
    /// back to the flow itself.
    pub fn locate_flow_field(&self, flow: &str, field: &[Segment]) -> Option<(usize, usize)> {
        let mut path = self.prefix(flow);
        let min = path.len().max(1);
        // `min` makes the flow itself the fallback position.
        path.extend(field.iter().cloned());
        self.flow(flow)?.locate_path(&path, min)
    }

    /// Where a path of the configuration (`entry.dnis.0800-BANK`, `prompts.welcome`) is
    /// written, as deep as it is found.
    pub fn locate_config(&self, path: &[Segment]) -> Option<(usize, usize)> {
        let mut full = self.root.clone();
        full.extend(path.iter().cloned());
        self.config.as_ref()?.locate_path(&full, 1 + self.root.len())
    }
}

fn segments_of(path: &serde_path_to_error::Path) -> Vec<Segment> {
    use serde_path_to_error::Segment as S;
    path.iter()
        .map(|s| match s {
            S::Seq { index } => Segment::Index(*index),
            S::Map { key } => Segment::Key(key.clone()),
            S::Enum { variant } => Segment::Key(variant.clone()),
            S::Unknown => Segment::Key("?".into()),
        })
        .collect()
}

fn config_error(file: &str, pos: Option<(usize, usize)>, path: &[Segment], message: String) -> ConfigError {
    ConfigError {
        location: ConfigLocation {
            file: file.to_string(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            path: display_path(path),
        },
        message,
    }
}

/// If `path` runs into a node (`nodes.ID` or `flows.F.nodes.ID`), the length of the
/// prefix naming the node.
fn node_prefix_len(path: &[Segment]) -> Option<usize> {
    let nodes_at = match path {
        [Segment::Key(n), Segment::Key(_), ..] if n == "nodes" => 0,
        [
            Segment::Key(f),
            Segment::Key(_),
            Segment::Key(n),
            Segment::Key(_),
            ..,
        ] if f == "flows" && n == "nodes" => 2,
        _ => return None,
    };
    Some(nodes_at + 2)
}

/// Re-checks one node against its own kind (without serde's buffering of internally
/// tagged enums) and returns the exact path inside it and the message.
fn node_error(mut node: serde_json::Value) -> Option<(Vec<Segment>, String)> {
    fn check<T: DeserializeOwned>(v: serde_json::Value) -> Option<(Vec<Segment>, String)> {
        match serde_path_to_error::deserialize::<_, T>(v) {
            Ok(_) => None,
            Err(e) => Some((segments_of(e.path()), e.inner().to_string())),
        }
    }
    let obj = node.as_object_mut()?;
    let kind = obj.remove("type")?;
    let v = serde_json::Value::Object(std::mem::take(obj));
    match kind.as_str()? {
        "menu" => check::<Menu>(v),
        "play" => check::<Play>(v),
        "collect" => check::<Collect>(v),
        "branch" => check::<Branch>(v),
        "schedule" => check::<Schedule>(v),
        "lookup" => check::<Lookup>(v),
        "set" => check::<SetVars>(v),
        "language" => check::<Language>(v),
        "queue" => check::<QueueNode>(v),
        "transfer" => check::<Transfer>(v),
        "voicemail" => check::<Voicemail>(v),
        "callback" => check::<CallbackNode>(v),
        "survey" => check::<Survey>(v),
        "subflow" => check::<Subflow>(v),
        "return" => check::<Return>(v),
        "hangup" => check::<Hangup>(v),
        _ => None,
    }
}

/// A refined error: the full path, the message and the position.
type Refined = (Vec<Segment>, String, Option<(usize, usize)>);

/// Refines an error at a node into the exact field, using the document as a JSON value
/// and the text's index for the position.
fn refine(text: &SourceText, doc: Option<serde_json::Value>, path: &[Segment]) -> Option<Refined> {
    let n = node_prefix_len(path)?;
    let mut value = &doc?;
    for seg in &path[..n] {
        value = match seg {
            Segment::Key(k) => value.get(k)?,
            Segment::Index(i) => value.get(*i)?,
        };
    }
    let (inner, message) = node_error(value.clone())?;
    let mut full = path[..n].to_vec();
    full.extend(inner);
    let pos = text.locate_path(&full, n);
    Some((full, message, pos))
}

/// Parses TOML into `T` with exact error locations.
pub(crate) fn parse_toml<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, ConfigError> {
    let table = toml::de::DeTable::parse(src).map_err(|e| {
        let pos = e.span().map(|s| line_col(src, s.start));
        config_error(file, pos, &[], e.message().trim().to_string())
    })?;
    match serde_path_to_error::deserialize(toml::Deserializer::from(table)) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = segments_of(e.path());
            let text = SourceText::new(file, src, Format::Toml);
            if let Some((p, m, pos)) = refine(&text, toml::from_str(src).ok(), &path) {
                return Err(config_error(file, pos, &p, m));
            }
            let inner = e.into_inner();
            let pos = inner
                .span()
                .map(|s| line_col(src, s.start))
                .or_else(|| text.locate_path(&path, 1));
            Err(config_error(file, pos, &path, inner.message().trim().to_string()))
        }
    }
}

/// Parses JSON into `T` with exact error locations.
pub(crate) fn parse_json<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, ConfigError> {
    let mut de = serde_json::Deserializer::from_str(src);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = segments_of(e.path());
        let text = SourceText::new(file, src, Format::Json);
        if let Some((p, m, pos)) = refine(&text, serde_json::from_str(src).ok(), &path) {
            return config_error(file, pos, &p, m);
        }
        let inner = e.into_inner();
        let pos = (inner.line() > 0).then(|| (inner.line(), inner.column().max(1)));
        let message = strip_json_position(&inner);
        config_error(file, pos, &path, message)
    })?;
    de.end().map_err(|e| {
        let pos = (e.line() > 0).then(|| (e.line(), e.column().max(1)));
        config_error(file, pos, &[], strip_json_position(&e))
    })?;
    // serde keeps the last of two equal keys of a map; TOML rejects them, and so do we.
    if let (_, Some((path, offset))) = JsonScan::scan(src) {
        let key = match path.last() {
            Some(Segment::Key(k)) => k.clone(),
            _ => String::new(),
        };
        return Err(config_error(
            file,
            Some(line_col(src, offset)),
            &path,
            format!("duplicate key `{key}`"),
        ));
    }
    Ok(value)
}

/// serde_json appends " at line L column C"; the location carries that already.
fn strip_json_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    s.strip_suffix(&suffix).map(str::to_string).unwrap_or(s)
}

fn parse<T: DeserializeOwned>(src: &str, file: &str, format: Format) -> Result<T, ConfigError> {
    match format {
        Format::Toml => parse_toml(src, file),
        Format::Json => parse_json(src, file),
    }
}

impl IvrConfig {
    /// Parses an IVR configuration from TOML. `file` names the source in errors. Only the
    /// syntax and types are checked; see [`crate::ivr::lint`] for the flow checks.
    pub fn from_toml_str(src: &str, file: &str) -> Result<IvrConfig, ConfigError> {
        parse_toml(src, file)
    }

    /// Parses an IVR configuration from JSON.
    pub fn from_json_str(src: &str, file: &str) -> Result<IvrConfig, ConfigError> {
        parse_json(src, file)
    }

    /// Reads a configuration file (`.json` or TOML), then the flow files it lists
    /// (relative to its directory). Returns the configuration and its [`Sources`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<(IvrConfig, Sources), ConfigError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let src = read(path, &file)?;
        let format = Format::from_path(path);
        let mut ivr: IvrConfig = parse(&src, &file, format)?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let mut sources = ivr.load_flow_files(base)?;
        sources.set_config(file, src, format);
        Ok((ivr, sources))
    }

    /// Reads every file of `flow_files` (relative to `base_dir`; `.json` files are JSON,
    /// others TOML) into `flows`. A flow's id is its `id` field, or else the file stem;
    /// an id that is already taken (by an inline flow or another file) is an error. The
    /// loaded flows get their `id` set. Returns where each flow came from.
    pub fn load_flow_files(&mut self, base_dir: &Path) -> Result<Sources, ConfigError> {
        let mut sources = Sources::new();
        let mut loaded = BTreeMap::new();
        for (i, name) in self.flow_files.iter().enumerate() {
            let path = base_dir.join(name);
            let file = path.display().to_string();
            let src = read(&path, &file)?;
            let format = Format::from_path(&path);
            let mut flow: Flow = parse(&src, &file, format)?;
            let id = match &flow.id {
                Some(id) => id.clone(),
                None => path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            let text = SourceText::new(file.clone(), src, format);
            let id_path = [Segment::Key("id".into())];
            let err = |message: String| {
                let pos = flow.id.as_ref().and_then(|_| text.locate_path(&id_path, 1));
                let path: &[Segment] = if flow.id.is_some() { &id_path } else { &[] };
                config_error(&file, pos, path, message)
            };
            if id.is_empty() {
                return Err(err(format!("flow_files[{i}]: the flow id is empty")));
            }
            if self.flows.contains_key(&id) {
                return Err(err(format!(
                    "duplicate flow id `{id}`: the configuration already defines it under `flows`"
                )));
            }
            if let Some(first) = sources.file(&id).filter(|_| sources.has_own_file(&id)) {
                return Err(err(format!("duplicate flow id `{id}`: {first} defines it too")));
            }
            flow.id = Some(id.clone());
            sources.flows.insert(id.clone(), text);
            loaded.insert(id, flow);
        }
        self.flows.extend(loaded);
        Ok(sources)
    }
}

impl Flow {
    /// Parses one flow (the contents of a flow file) from TOML.
    pub fn from_toml_str(src: &str, file: &str) -> Result<Flow, ConfigError> {
        parse_toml(src, file)
    }

    /// Parses one flow from JSON.
    pub fn from_json_str(src: &str, file: &str) -> Result<Flow, ConfigError> {
        parse_json(src, file)
    }
}

fn read(path: &Path, file: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| config_error(file, None, &[], format!("cannot read: {e}")))
}

/// The JSON schema of IVR files: a configuration ([`IvrConfig`]) or a single flow file
/// ([`Flow`]), both described under `$defs`. `docs/flow.schema.json` holds its output.
pub fn json_schema() -> serde_json::Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let config = generator.subschema_for::<IvrConfig>();
    let flow = generator.subschema_for::<Flow>();
    let defs: serde_json::Map<String, serde_json::Value> = generator.take_definitions(true);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/callroute/callroute/docs/flow.schema.json",
        "title": "callroute IVR configuration or flow file",
        "description": "An IVR configuration (locales, prompts, entry rules, ANI rules, flows) or one flow file listed in its `flow_files`.",
        "anyOf": [config, flow],
        "$defs": defs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_round_trip() {
        let p = parse_path("nodes.main.conditions[0].when");
        assert_eq!(
            p,
            vec![
                Segment::Key("nodes".into()),
                Segment::Key("main".into()),
                Segment::Key("conditions".into()),
                Segment::Index(0),
                Segment::Key("when".into()),
            ]
        );
        assert_eq!(display_path(&p), "nodes.main.conditions[0].when");
        assert_eq!(
            parse_path("a[x"),
            vec![Segment::Key("a".into()), Segment::Key("[x".into())]
        );
    }

    #[test]
    fn json_scanner_finds_keys() {
        let src = "{\"nodes\": {\n  \"a\\u00e9\": {\"x\": [1, {\"y\": 2}]}\n}}";
        let t = JsonScan::tree(src).unwrap();
        let path = parse_path("nodes.aé.x[1].y");
        let (off, found) = t.deepest(&path);
        assert_eq!(found, 5);
        assert_eq!(line_col(src, off), (2, 25));
        assert!(JsonScan::tree("{\"a\": }").is_none());
        assert!(JsonScan::tree("{\"a\": 1} x").is_none());
    }

    #[test]
    fn line_col_is_safe_inside_characters() {
        assert_eq!(line_col("é\nab", 1), (1, 1));
        assert_eq!(line_col("é\nab", 100), (2, 3));
    }
}

//! Reading the files the commands take: contact-center configurations (with the flow
//! files their IVR lists), IVR configurations, single flow files and simulation
//! scenarios. Every error names the file, the line and column where known, and the
//! field path.

use crate::error::CliError;
use callroute::ivr::lint::{self, LintReport, codes};
use callroute::ivr::model::{Node, Step, TransferTo};
use callroute::ivr::source::{Format, Segment, Sources, parse_path};
use callroute::ivr::{Flow, IvrConfig};
use callroute::sim::Scenario;
use callroute::{Config, ConfigError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A file read into memory.
#[derive(Clone, Debug)]
pub struct Text {
    /// Where it was read from.
    pub path: PathBuf,
    /// The name shown in messages (the path as given).
    pub name: String,
    /// Its contents.
    pub src: String,
    /// TOML or JSON (by extension).
    pub format: Format,
}

/// Reads a file; a missing or unreadable file is bad input.
pub fn read(path: &Path) -> Result<Text, CliError> {
    let name = path.display().to_string();
    let src =
        std::fs::read_to_string(path).map_err(|e| CliError::input(format!("{name}: cannot read: {e}")))?;
    Ok(Text {
        path: path.to_path_buf(),
        name,
        format: Format::from_path(path),
        src,
    })
}

/// What a file holds, told by its top-level keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A contact-center configuration ([`Config`]).
    Center,
    /// An IVR configuration ([`IvrConfig`]): locales, prompts, entry rules, flows.
    Ivr,
    /// One flow ([`Flow`]).
    Flow,
    /// A simulation scenario ([`Scenario`]).
    Scenario,
}

const CENTER_KEYS: &[&str] = &[
    "stats",
    "not_ready_reasons",
    "agent_defaults",
    "explain_routing",
    "queues",
    "agents",
    "calendars",
    "ivr",
];
const IVR_KEYS: &[&str] = &[
    "locales",
    "prompts",
    "entry",
    "ani_rules",
    "time_zone",
    "max_menu_depth",
    "flows",
    "flow_files",
];
const FLOW_KEYS: &[&str] = &["start", "nodes", "tests"];
const SCENARIO_KEYS: &[&str] = &[
    "arrivals",
    "traffic",
    "hours",
    "center_file",
    "shifts",
    "replications",
];

/// Tells what a file holds. A file that does not parse is reported with the parser's
/// line and column.
pub fn kind_of(text: &Text) -> Result<Kind, CliError> {
    let keys: Vec<String> = match text.format {
        Format::Toml => match toml_edit::Document::parse(text.src.as_str()) {
            Ok(doc) => doc.as_table().iter().map(|(k, _)| k.to_string()).collect(),
            Err(_) => {
                // Let the engine's parser word the syntax error.
                return Err(match Config::from_toml_str(&text.src, &text.name) {
                    Err(e) => CliError::Config(e),
                    Ok(_) => CliError::input(format!("{}: not a TOML file", text.name)),
                });
            }
        },
        Format::Json => match serde_json::from_str::<serde_json::Value>(&text.src) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            Ok(_) => return Err(CliError::input(format!("{}: expected a JSON object", text.name))),
            Err(e) => {
                return Err(CliError::input(crate::error::located(
                    &text.name,
                    Some(e.line()),
                    Some(e.column()),
                    "",
                    &e.to_string(),
                )));
            }
        },
    };
    let has = |set: &[&str]| keys.iter().any(|k| set.contains(&k.as_str()));
    Ok(if has(SCENARIO_KEYS) && !has(CENTER_KEYS) {
        Kind::Scenario
    } else if has(CENTER_KEYS) {
        Kind::Center
    } else if has(FLOW_KEYS) && !has(IVR_KEYS) {
        Kind::Flow
    } else if has(IVR_KEYS) {
        Kind::Ivr
    } else {
        // Empty or unknown: the center parser names unknown fields.
        Kind::Center
    })
}

/// 1-based line and column of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = src.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

enum Cursor<'a> {
    Item(&'a toml_edit::Item),
    Table(&'a toml_edit::Table),
    Value(&'a toml_edit::Value),
}

impl<'a> Cursor<'a> {
    fn child(&self, seg: &Segment) -> Option<(Cursor<'a>, Option<std::ops::Range<usize>>)> {
        use toml_edit::{Item, Value};
        match seg {
            Segment::Key(k) => {
                let table: &'a dyn toml_edit::TableLike = match self {
                    Cursor::Item(Item::Table(t)) => t,
                    Cursor::Table(t) => *t,
                    Cursor::Item(Item::Value(Value::InlineTable(t))) => t,
                    Cursor::Value(Value::InlineTable(t)) => t,
                    _ => return None,
                };
                let (key, item) = table.get_key_value(k)?;
                Some((Cursor::Item(item), key.span().or_else(|| item.span())))
            }
            Segment::Index(i) => match self {
                Cursor::Item(Item::ArrayOfTables(a)) => {
                    let t = a.get(*i)?;
                    Some((Cursor::Table(t), t.span()))
                }
                Cursor::Item(Item::Value(Value::Array(a))) | Cursor::Value(Value::Array(a)) => {
                    let v = a.get(*i)?;
                    Some((Cursor::Value(v), v.span()))
                }
                _ => None,
            },
        }
    }
}

/// Where the deepest part of `path` is written in a TOML text (1-based line and
/// column), if at least its first segment is.
pub fn locate_toml(src: &str, path: &[Segment]) -> Option<(usize, usize)> {
    let doc = toml_edit::Document::parse(src).ok()?;
    let mut cursor = Cursor::Table(doc.as_table());
    let mut best = None;
    for seg in path {
        let Some((next, span)) = cursor.child(seg) else {
            break;
        };
        if let Some(span) = span {
            best = Some(span.start);
        }
        cursor = next;
    }
    best.map(|offset| line_col(src, offset))
}

/// A configuration error, with the line and column looked up in `text` when the
/// parser could not give them (validation errors name only the field path).
pub fn config_error(mut e: ConfigError, text: Option<&Text>) -> CliError {
    if let Some(text) = text {
        let l = &mut e.location;
        if l.file == "<config>" || l.file == "<scenario>" || l.file.is_empty() {
            l.file = text.name.clone();
        }
        if l.line.is_none() && l.file == text.name && text.format == Format::Toml && !l.path.is_empty() {
            if let Some((line, col)) = locate_toml(&text.src, &parse_path(&l.path)) {
                l.line = Some(line);
                l.column = Some(col);
            }
        }
    }
    CliError::Config(e)
}

/// A valid contact-center configuration, flows from `ivr.flow_files` loaded.
#[derive(Clone, Debug)]
pub struct Center {
    /// The configuration.
    pub config: Config,
    /// The configuration file.
    pub text: Text,
}

/// Reads a contact-center configuration with the engine's loader (which reads the flow
/// files its IVR lists and lints the flows). When the IVR is what is wrong, every error
/// is listed, not only the first.
pub fn load_center(text: &Text) -> Result<Center, CliError> {
    match Config::from_path(&text.path) {
        Ok(config) => Ok(Center {
            config,
            text: text.clone(),
        }),
        Err(e) => {
            if let Some((loaded, cx)) = center_ivr(text) {
                let report = lint_ivr(&loaded, &cx);
                let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
                if errors.len() > 1 {
                    return Err(CliError::input(format!(
                        "{}: the IVR has {} errors:\n{}",
                        text.name,
                        errors.len(),
                        errors.join("\n")
                    )));
                }
            }
            Err(config_error(e, Some(text)))
        }
    }
}

/// Splits a center file into the text without its `ivr` table and the text of that
/// table (as a document of its own); `None` when there is no IVR or the file does not
/// parse.
fn split_center(text: &Text) -> Option<(String, String)> {
    match text.format {
        Format::Toml => {
            let mut doc: toml_edit::DocumentMut = text.src.parse().ok()?;
            let ivr = doc.remove("ivr")?;
            let table = match ivr {
                toml_edit::Item::Table(t) => t,
                toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => t.into_table(),
                _ => return None,
            };
            let mut ivr_doc = toml_edit::DocumentMut::new();
            for (k, v) in table.iter() {
                ivr_doc.insert(k, v.clone());
            }
            Some((doc.to_string(), ivr_doc.to_string()))
        }
        Format::Json => {
            let mut v: serde_json::Value = serde_json::from_str(&text.src).ok()?;
            let ivr = v.as_object_mut()?.remove("ivr")?;
            Some((v.to_string(), ivr.to_string()))
        }
    }
}

/// The IVR of a center file read apart from the rest of the file, with the center's
/// calendars and queues, so that the linter can list every diagnostic (the engine's
/// loader stops at the first error). `None` when the center has no IVR or a part
/// does not even parse (the engine's loader then words the error).
pub fn center_ivr(text: &Text) -> Option<(LoadedIvr, Context)> {
    let (center_src, ivr_src) = split_center(text)?;
    let center = match text.format {
        Format::Toml => Config::from_toml_str(&center_src, &text.name),
        Format::Json => Config::from_json_str(&center_src, &text.name),
    }
    .ok()?;
    let mut ivr = match text.format {
        Format::Toml => IvrConfig::from_toml_str(&ivr_src, &text.name),
        Format::Json => IvrConfig::from_json_str(&ivr_src, &text.name),
    }
    .ok()?;
    let base = text.path.parent().unwrap_or(Path::new(""));
    let flow_files = ivr.flow_files.iter().map(|f| base.join(f)).collect();
    let mut sources = ivr.load_flow_files(base).ok()?;
    sources.set_config_under(text.name.clone(), text.src.clone(), text.format, "ivr");
    let cx = Context {
        calendars: center.calendars.keys().cloned().collect(),
        queues: center.queues.iter().map(|q| q.id.0).collect(),
        from: Some(text.name.clone()),
    };
    Some((
        LoadedIvr {
            ivr,
            sources,
            standalone_flow: false,
            flow_files,
        },
        cx,
    ))
}

/// Loads the `flow_files` of an IVR configuration written inline in a scenario.
fn load_flows_of(ivr: Option<&mut IvrConfig>, base: &Path) -> Result<Sources, CliError> {
    match ivr {
        Some(ivr) if !ivr.flow_files.is_empty() => {
            ivr.load_flow_files(base).map_err(|e| config_error(e, None))
        }
        _ => Ok(Sources::new()),
    }
}

/// The calendars and queues IVR references are checked against.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Calendar names.
    pub calendars: Vec<String>,
    /// Queue numbers.
    pub queues: Vec<u32>,
    /// Where they came from; `None`: every reference is taken as valid.
    pub from: Option<String>,
}

impl Context {
    /// The calendars and queues of a valid center.
    pub fn of(center: &Center) -> Context {
        Context {
            calendars: center.config.calendars.keys().cloned().collect(),
            queues: center.config.queues.iter().map(|q| q.id.0).collect(),
            from: Some(center.text.name.clone()),
        }
    }

    /// No center: the references the IVR makes are all taken as valid.
    pub fn unchecked(ivr: &IvrConfig) -> Context {
        let (calendars, queues) = references(ivr);
        Context {
            calendars: calendars.into_iter().collect(),
            queues: queues.into_iter().collect(),
            from: None,
        }
    }
}

/// The calendars and queues an IVR configuration refers to.
pub fn references(ivr: &IvrConfig) -> (BTreeSet<String>, BTreeSet<u32>) {
    let mut calendars = BTreeSet::new();
    let mut queues = BTreeSet::new();
    for flow in ivr.flows.values() {
        for node in flow.nodes.values() {
            match node {
                Node::Queue(q) => {
                    queues.insert(q.queue.0);
                }
                Node::Transfer(t) => {
                    if let TransferTo::Queue(q) = &t.to {
                        queues.insert(q.0);
                    }
                }
                Node::Schedule(s) => {
                    calendars.insert(s.calendar.clone());
                }
                _ => {}
            }
        }
        for test in &flow.tests {
            for step in &test.steps {
                if let Step::ExpectQueue(q) = step {
                    queues.insert(*q);
                }
            }
        }
    }
    (calendars, queues)
}

/// An IVR to lint or test, whatever file it came from.
#[derive(Clone, Debug)]
pub struct LoadedIvr {
    /// The IVR configuration (flows from flow files included).
    pub ivr: IvrConfig,
    /// Source texts for positions.
    pub sources: Sources,
    /// A single flow file: prompt references are not checked.
    pub standalone_flow: bool,
    /// Flow files read.
    pub flow_files: Vec<PathBuf>,
}

/// Reads an IVR configuration file and its flow files.
pub fn load_ivr_file(text: &Text) -> Result<LoadedIvr, CliError> {
    let (ivr, sources) = IvrConfig::from_path(&text.path).map_err(|e| config_error(e, Some(text)))?;
    let base = text.path.parent().unwrap_or(Path::new(""));
    let flow_files = ivr.flow_files.iter().map(|f| base.join(f)).collect();
    Ok(LoadedIvr {
        ivr,
        sources,
        standalone_flow: false,
        flow_files,
    })
}

/// Reads one flow file into an IVR configuration of its own. Prompts it plays get
/// placeholder texts, since they are defined in the configuration that lists the file.
pub fn load_flow_file(text: &Text) -> Result<LoadedIvr, CliError> {
    let parsed = match text.format {
        Format::Toml => Flow::from_toml_str(&text.src, &text.name),
        Format::Json => Flow::from_json_str(&text.src, &text.name),
    };
    let mut flow = parsed.map_err(|e| config_error(e, Some(text)))?;
    let id = flow.id.clone().unwrap_or_else(|| {
        text.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    flow.id = Some(id.clone());
    // Locales: English and whatever the flow's language menus offer.
    let mut locales = vec!["en".to_string()];
    for node in flow.nodes.values() {
        if let Node::Language(l) = node {
            for locale in l.options.values() {
                if !locales.contains(locale) {
                    locales.push(locale.clone());
                }
            }
        }
    }
    let mut ivr = IvrConfig {
        locales: locales.clone(),
        max_menu_depth: 16,
        ..IvrConfig::default()
    };
    // Whatever number is dialled, calls enter this flow.
    ivr.entry.default = Some(id.clone());
    ivr.flows.insert(id.clone(), flow);
    // The prompts the flow plays, as the linter finds them missing.
    let mut missing: BTreeSet<String> = lint::lint(&ivr, &[], &[], None)
        .with_code(codes::UNKNOWN_PROMPT)
        .filter_map(|d| d.message.split('`').nth(1).map(str::to_string))
        .collect();
    // And those its conversations expect (ANI rules of the configuration play some).
    for f in ivr.flows.values() {
        for t in &f.tests {
            for step in &t.steps {
                if let Step::ExpectPrompt(p) = step {
                    missing.insert(p.clone());
                }
            }
        }
    }
    for prompt in missing {
        let versions = ivr.prompts.entry(prompt.clone()).or_default();
        for locale in &locales {
            let text = vec![callroute::ivr::model::PromptPart::Text(format!("<{prompt}>"))];
            versions.insert(locale.clone(), text);
        }
    }
    let mut sources = Sources::new();
    sources.add_flow(id, text.name.clone(), text.src.clone(), text.format);
    Ok(LoadedIvr {
        ivr,
        sources,
        standalone_flow: true,
        flow_files: Vec::new(),
    })
}

/// Lints an IVR; diagnostics carry a file, line and column where the sources have them.
pub fn lint_ivr(loaded: &LoadedIvr, cx: &Context) -> LintReport {
    let calendars: Vec<&str> = cx.calendars.iter().map(String::as_str).collect();
    lint::lint(&loaded.ivr, &calendars, &cx.queues, Some(&loaded.sources))
}

/// A scenario ready to simulate: its center loaded and linted.
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    /// The scenario, `center` filled in.
    pub scenario: Scenario,
    /// The scenario file.
    pub text: Text,
    /// Lint warnings of the center's IVR.
    pub warnings: Vec<String>,
}

/// Reads a scenario and its center; validates both (the IVR is linted).
pub fn load_scenario(path: &Path) -> Result<LoadedScenario, CliError> {
    let text = read(path)?;
    if text.format == Format::Json {
        return Err(CliError::input(format!(
            "{}: scenarios are written in TOML",
            text.name
        )));
    }
    let mut scenario =
        Scenario::from_toml_str(&text.src, &text.name).map_err(|e| config_error(e, Some(&text)))?;
    let base = text.path.parent().unwrap_or(Path::new(""));
    let mut warnings = Vec::new();
    let config = match (scenario.center.take(), scenario.center_file.clone()) {
        (Some(mut config), _) => {
            // An inline center: the engine's loader did not read its flow files or lint
            // its IVR.
            let sources = load_flows_of(config.ivr.as_mut(), base)?;
            if let Some(ivr) = &config.ivr {
                let loaded = LoadedIvr {
                    ivr: ivr.clone(),
                    sources,
                    standalone_flow: false,
                    flow_files: Vec::new(),
                };
                let cx = Context {
                    calendars: config.calendars.keys().cloned().collect(),
                    queues: config.queues.iter().map(|q| q.id.0).collect(),
                    from: Some(text.name.clone()),
                };
                let report = lint_ivr(&loaded, &cx);
                if report.has_errors() {
                    let lines: Vec<String> = report
                        .errors()
                        .map(|d| format!("{}: center.ivr: {d}", text.name))
                        .collect();
                    return Err(CliError::input(format!(
                        "the IVR has errors:\n{}",
                        lines.join("\n")
                    )));
                }
                warnings.extend(report.warnings().map(ToString::to_string));
            }
            config
        }
        (None, Some(file)) => {
            let center_text = read(&base.join(&file))
                .map_err(|e| CliError::input(format!("{}: center_file: {e}", text.name)))?;
            load_center(&center_text)?.config
        }
        (None, None) => {
            return Err(CliError::input(crate::error::located(
                &text.name,
                None,
                None,
                "center_file",
                "the scenario needs `center` (inline) or `center_file` (a path relative to the scenario)",
            )));
        }
    };
    scenario.center = Some(config);
    scenario
        .validate(&text.name)
        .map_err(|e| config_error(e, Some(&text)))?;
    check_traffic(&scenario, &text)?;
    Ok(LoadedScenario {
        scenario,
        text,
        warnings,
    })
}

/// Checks what the engine's validation leaves to the host: a dialled number must lead
/// into the IVR, and keys must be given for nodes that exist.
fn check_traffic(s: &Scenario, text: &Text) -> Result<(), CliError> {
    let err = |path: String, message: String| {
        let e = ConfigError {
            location: callroute::ConfigLocation {
                file: text.name.clone(),
                line: None,
                column: None,
                path,
            },
            message,
        };
        Err(config_error(e, Some(text)))
    };
    let ivr = s.center.as_ref().and_then(|c| c.ivr.as_ref());
    for (i, t) in s.traffic.iter().enumerate() {
        if let Some(dnis) = &t.dnis {
            let Some(ivr) = ivr else {
                return err(
                    format!("traffic[{i}].dnis"),
                    "the center has no IVR: send this traffic straight to a queue with `queue`".into(),
                );
            };
            let routed = ivr.entry.dnis.contains_key(dnis)
                || ivr.entry.default.is_some()
                || !ivr.entry.rules.is_empty();
            if !routed {
                return err(
                    format!("traffic[{i}].dnis"),
                    format!(
                        "no IVR entry rule takes `{dnis}` (ivr.entry.dnis has no such number and there is no default)"
                    ),
                );
            }
        }
        for node in t.keys.keys() {
            let known = ivr.is_some_and(|ivr| ivr.flows.values().any(|f| f.nodes.contains_key(node)));
            if !known {
                return err(
                    format!("traffic[{i}].keys.{node}"),
                    format!("no IVR flow has a node `{node}`"),
                );
            }
        }
    }
    Ok(())
}

//! Parsing and validation of [`Config`]. Every error names the file, the field path and,
//! where the source text has one, the line and column.

use super::{AgentConfig, Config, Destination, QueueConfig, QueueMembers};
use crate::error::{ConfigError, ConfigLocation};
use crate::ivr::source::{Format, Sources};
use crate::routing::{Requirement, StrategyConfig};
use std::collections::{BTreeMap, BTreeSet};

impl Config {
    /// Parses a TOML configuration. `file` names the source in error messages.
    pub fn from_toml_str(src: &str, file: &str) -> Result<Config, ConfigError> {
        let cfg: Config = parse_toml(src, file)?;
        cfg.finish(file, src, Format::Toml, None)
    }

    /// Parses a JSON configuration. `file` names the source in error messages.
    pub fn from_json_str(src: &str, file: &str) -> Result<Config, ConfigError> {
        let cfg: Config = parse_json(src, file)?;
        cfg.finish(file, src, Format::Json, None)
    }

    /// Loads the IVR flow files (relative to `base`), then validates everything: the
    /// center, and the IVR flows with the lint (errors carry file, line and column).
    fn finish(
        mut self,
        file: &str,
        src: &str,
        format: Format,
        base: Option<&std::path::Path>,
    ) -> Result<Config, ConfigError> {
        self.validate_in(file)?;
        let calendars: Vec<&str> = self.calendars.keys().map(String::as_str).collect();
        let queues: Vec<u32> = self.queues.iter().map(|q| q.id.0).collect();
        if let Some(ivr) = self.ivr.as_mut() {
            let mut sources = match base {
                Some(dir) if !ivr.flow_files.is_empty() => ivr.load_flow_files(dir)?,
                // Flow files named but not loaded (no base directory): the caller loads
                // them with `IvrConfig::load_flow_files` and lints afterwards.
                None if !ivr.flow_files.is_empty() => return Ok(self),
                _ => Sources::new(),
            };
            sources.set_config_under(file, src, format, "ivr");
            crate::ivr::lint::validate(ivr, &calendars, &queues, Some(&sources))?;
        }
        Ok(self)
    }

    /// Reads a `.toml` or `.json` file (by extension; anything else is read as TOML).
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| ConfigError {
            location: at(&file, ""),
            message: format!("cannot read: {e}"),
        })?;
        let base = path.parent().unwrap_or(std::path::Path::new("."));
        if path.extension().is_some_and(|e| e == "json") {
            let cfg: Config = parse_json(&src, &file)?;
            cfg.finish(&file, &src, Format::Json, Some(base))
        } else {
            let cfg: Config = parse_toml(&src, &file)?;
            cfg.finish(&file, &src, Format::Toml, Some(base))
        }
    }

    /// Checks cross-references and ranges. Called by the loaders and by
    /// [`crate::Engine::new`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_in("<config>")
    }

    fn validate_in(&self, file: &str) -> Result<(), ConfigError> {
        let err = |path: String, message: String| ConfigError {
            location: at(file, &path),
            message,
        };
        if self.stats.interval_secs == 0 {
            return Err(err("stats.interval_secs".into(), "must be at least 1".into()));
        }
        let reasons: BTreeSet<&str> = self.not_ready_reasons.iter().map(String::as_str).collect();
        check_policy(&self.agent_defaults, &reasons)
            .map_err(|(p, m)| err(format!("agent_defaults.{p}"), m))?;
        let mut queues = BTreeSet::new();
        let members: BTreeMap<crate::QueueId, QueueMembers> =
            self.queues.iter().map(|q| (q.id, q.members)).collect();
        for (i, q) in self.queues.iter().enumerate() {
            if !queues.insert(q.id) {
                return Err(err(
                    format!("queues[{i}].id"),
                    format!("duplicate queue id {}", q.id.0),
                ));
            }
        }
        for (i, q) in self.queues.iter().enumerate() {
            validate_queue(q, &|id| queues.contains(&id))
                .map_err(|(p, m)| err(format!("queues[{i}].{p}"), m))?;
        }
        let mut agents = BTreeSet::new();
        for (i, a) in self.agents.iter().enumerate() {
            if !agents.insert(a.id) {
                return Err(err(
                    format!("agents[{i}].id"),
                    format!("duplicate agent id {}", a.id.0),
                ));
            }
            validate_agent(a, &|id| members.get(&id).copied(), &reasons)
                .map_err(|(p, m)| err(format!("agents[{i}].{p}"), m))?;
        }
        Ok(())
    }
}

pub(crate) fn at(file: &str, path: &str) -> ConfigLocation {
    ConfigLocation {
        file: file.to_string(),
        line: None,
        column: None,
        path: path.to_string(),
    }
}

type FieldError = (String, String);

fn check_policy(p: &super::AgentPolicy, reasons: &BTreeSet<&str>) -> Result<(), FieldError> {
    if p.max_missed_offers > 0 && !p.auto_logoff && !reasons.contains(p.missed_reason.as_str()) {
        return Err((
            "missed_reason".into(),
            format!("`{}` is not in not_ready_reasons", p.missed_reason),
        ));
    }
    Ok(())
}

/// Validates one queue; `queue_exists` answers for destinations.
pub(crate) fn validate_queue(
    q: &QueueConfig,
    queue_exists: &dyn Fn(crate::QueueId) -> bool,
) -> Result<(), FieldError> {
    let e = |p: &str, m: String| Err((p.to_string(), m));
    if !(q.weight.is_finite() && q.weight > 0.0) {
        return e("weight", "must be a positive number".into());
    }
    let sl = &q.service_level;
    if !(sl.percent.is_finite() && (0.0..=100.0).contains(&sl.percent)) {
        return e("service_level.percent", "must be between 0 and 100".into());
    }
    if q.ring_timeout_secs == 0 {
        return e("ring_timeout_secs", "must be at least 1".into());
    }
    if let Some(a) = &q.announcements
        && a.every_secs == 0
    {
        return e("announcements.every_secs", "must be at least 1".into());
    }
    for (i, m) in q.periodic_messages.iter().enumerate() {
        if m.every_secs == 0 {
            return e(
                &format!("periodic_messages[{i}].every_secs"),
                "must be at least 1".into(),
            );
        }
    }
    if let Some(Destination::Queue(target)) = &q.exit {
        if !queue_exists(*target) {
            return e("exit.queue", format!("unknown queue {}", target.0));
        }
        if *target == q.id {
            return e("exit.queue", "a queue cannot overflow to itself".into());
        }
    }
    if (q.max_wait_secs.is_some() || q.max_length.is_some()) && q.exit.is_none() {
        // A call that hits the limit must go somewhere; hang-up must be explicit.
        return e("exit", "max_wait_secs or max_length needs an exit".into());
    }
    let mut last = 0;
    for (i, s) in q.escalation.iter().enumerate() {
        if s.after_secs <= last && i > 0 {
            return e(
                &format!("escalation[{i}].after_secs"),
                "steps must be in strictly increasing after_secs".into(),
            );
        }
        last = s.after_secs;
        if let Some(r) = &s.replace {
            r.check().map_err(|m| (format!("escalation[{i}].replace"), m))?;
        }
        if let Some(r) = &s.add {
            r.check().map_err(|m| (format!("escalation[{i}].add"), m))?;
        }
    }
    if let Some(r) = &q.requirement {
        r.check().map_err(|m| ("requirement".to_string(), m))?;
    }
    if q.members == QueueMembers::BySkill {
        let Some(anchor) = q.requirement.as_ref().and_then(Requirement::anchor_skill) else {
            return e(
                "requirement",
                "a by-skill queue needs a requirement naming its skill: `{ skill = ... }` or a top-level `all` holding one".into(),
            );
        };
        for (i, s) in q.escalation.iter().enumerate() {
            if let Some(r) = &s.replace
                && r.anchor_skill() != Some(anchor)
            {
                return e(
                    &format!("escalation[{i}].replace"),
                    format!("a by-skill queue's steps keep its skill `{anchor}` first"),
                );
            }
        }
    }
    check_strategy(&q.strategy).map_err(|m| ("strategy".to_string(), m))
}

fn check_strategy(s: &StrategyConfig) -> Result<(), String> {
    match s {
        StrategyConfig::RingProgressively { step_secs } if *step_secs == 0 => {
            Err("ring-progressively.step_secs must be at least 1".into())
        }
        StrategyConfig::Sticky {
            window_secs,
            fallback,
            ..
        } => {
            if *window_secs == 0 {
                return Err("sticky.window_secs must be at least 1".into());
            }
            match fallback.as_deref() {
                Some(StrategyConfig::Sticky { .. }) => Err("sticky.fallback cannot be sticky".into()),
                Some(f) => check_strategy(f),
                None => Ok(()),
            }
        }
        StrategyConfig::Custom { name } if name.is_empty() => Err("custom.name is empty".into()),
        _ => Ok(()),
    }
}

/// Validates one agent.
pub(crate) fn validate_agent(
    a: &AgentConfig,
    queue_members: &dyn Fn(crate::QueueId) -> Option<QueueMembers>,
    reasons: &BTreeSet<&str>,
) -> Result<(), FieldError> {
    let mut seen = BTreeSet::new();
    for (j, m) in a.queues.iter().enumerate() {
        match queue_members(m.queue()) {
            None => return Err((format!("queues[{j}]"), format!("unknown queue {}", m.queue().0))),
            Some(QueueMembers::BySkill) => {
                return Err((
                    format!("queues[{j}]"),
                    format!(
                        "queue {} takes its members by skill; agents do not sign in to it",
                        m.queue().0
                    ),
                ));
            }
            Some(QueueMembers::Listed) => {}
        }
        if !seen.insert(m.queue()) {
            return Err((
                format!("queues[{j}]"),
                format!("queue {} listed twice", m.queue().0),
            ));
        }
    }
    if let Some(p) = &a.policy {
        check_policy(p, reasons).map_err(|(p, m)| (format!("policy.{p}"), m))?;
    }
    Ok(())
}

pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(src: &str, file: &str) -> Result<T, ConfigError> {
    let de = toml::Deserializer::parse(src).map_err(|e| toml_error(src, file, "", &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        toml_error(src, file, &path, e.inner())
    })
}

fn toml_error(src: &str, file: &str, path: &str, e: &toml::de::Error) -> ConfigError {
    let (line, column) = match e.span() {
        Some(span) => line_col(src, span.start),
        None => (None, None),
    };
    ConfigError {
        location: ConfigLocation {
            file: file.to_string(),
            line,
            column,
            path: clean_path(path),
        },
        message: e.message().trim().to_string(),
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(src: &str, file: &str) -> Result<T, ConfigError> {
    let mut de = serde_json::Deserializer::from_str(src);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ConfigError {
            location: ConfigLocation {
                file: file.to_string(),
                line: Some(inner.line()),
                column: Some(inner.column()),
                path: clean_path(&path),
            },
            message: inner.to_string(),
        }
    })?;
    de.end().map_err(|e| ConfigError {
        location: ConfigLocation {
            file: file.to_string(),
            line: Some(e.line()),
            column: Some(e.column()),
            path: String::new(),
        },
        message: e.to_string(),
    })?;
    Ok(value)
}

fn clean_path(p: &str) -> String {
    if p == "." { String::new() } else { p.to_string() }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (Some(line), Some(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_type_error_names_line_and_path() {
        let src = "[[queues]]\nid = 1\nring_timeout_secs = \"ten\"\n";
        let e = Config::from_toml_str(src, "center.toml").unwrap_err();
        assert_eq!(e.location.file, "center.toml");
        assert_eq!(e.location.line, Some(3));
        assert_eq!(e.location.path, "queues[0].ring_timeout_secs");
    }

    #[test]
    fn json_error_names_line_and_path() {
        let src = "{\"queues\": [\n {\"id\": 1, \"weight\": \"x\"}]}";
        let e = Config::from_json_str(src, "c.json").unwrap_err();
        assert_eq!(e.location.line, Some(2));
        assert_eq!(e.location.path, "queues[0].weight");
    }

    #[test]
    fn unknown_queue_in_membership_is_reported_with_path() {
        let src = "[[queues]]\nid = 1\n[[agents]]\nid = 7\nqueues = [1, 2]\n";
        let e = Config::from_toml_str(src, "c.toml").unwrap_err();
        assert_eq!(e.location.path, "agents[0].queues[1]");
        assert_eq!(e.message, "unknown queue 2");
    }

    #[test]
    fn duplicate_queue_is_reported() {
        let src = "[[queues]]\nid = 1\n[[queues]]\nid = 1\n";
        let e = Config::from_toml_str(src, "c.toml").unwrap_err();
        assert_eq!(e.location.path, "queues[1].id");
    }
}

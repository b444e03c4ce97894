//! Reading definition files. Syntax and type errors name the file, the field path, the
//! line and the column; validation errors found later get the line and column of their
//! path when the source is TOML.

use super::error::{DefinitionError, DefinitionErrors, DefinitionProblem, Location};
use super::model::TicketConfig;
use toml::de::{DeTable, DeValue};

/// Reads TOML into a [`TicketConfig`].
pub(crate) fn parse_toml(src: &str, file: &str) -> Result<TicketConfig, DefinitionErrors> {
    let syntax = |path: String, e: &toml::de::Error| {
        let (line, column) = match e.span() {
            Some(span) => line_col(src, span.start),
            None => (None, None),
        };
        one(DefinitionError {
            problem: DefinitionProblem::Syntax,
            location: Location {
                file: file.to_string(),
                path: clean_path(&path),
                line,
                column,
            },
            message: e.message().trim().to_string(),
        })
    };
    let de = toml::Deserializer::parse(src).map_err(|e| syntax(String::new(), &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| syntax(e.path().to_string(), e.inner()))
}

/// Reads JSON into a [`TicketConfig`].
pub(crate) fn parse_json(src: &str, file: &str) -> Result<TicketConfig, DefinitionErrors> {
    let syntax = |path: String, e: &serde_json::Error| {
        let msg = e.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg.get(..i).unwrap_or(&msg).to_string(),
            None => msg,
        };
        one(DefinitionError {
            problem: DefinitionProblem::Syntax,
            location: Location {
                file: file.to_string(),
                path: clean_path(&path),
                line: Some(e.line()).filter(|l| *l > 0),
                column: Some(e.column()).filter(|_| e.line() > 0),
            },
            message: msg,
        })
    };
    let mut de = serde_json::Deserializer::from_str(src);
    let cfg =
        serde_path_to_error::deserialize(&mut de).map_err(|e| syntax(e.path().to_string(), e.inner()))?;
    de.end().map_err(|e| syntax(String::new(), &e))?;
    Ok(cfg)
}

fn one(e: DefinitionError) -> DefinitionErrors {
    DefinitionErrors(vec![e])
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

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            if let Ok(i) = inner[..end].parse() {
                out.push(Seg::Index(i));
            }
            rest = &inner[end + 1..];
        }
    }
    out
}

/// The byte span of the deepest value of `path` found in a TOML source.
pub(crate) fn toml_span(src: &str, path: &str) -> Option<std::ops::Range<usize>> {
    let doc = DeTable::parse(src).ok()?;
    let mut span = None;
    let mut table: Option<&DeTable<'_>> = Some(doc.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for seg in segments(path) {
        let next = match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => t
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == k)
                .map(|(_, v)| v),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(i),
            _ => None,
        };
        let Some(next) = next else { break };
        span = Some(next.span());
        value = Some(next.get_ref());
        table = match next.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    span.filter(|s| s.start < s.end || s.start > 0)
}

/// Fills in the line and column of validation errors from a TOML source.
pub(crate) fn locate_all(src: &str, errors: &mut DefinitionErrors) {
    for e in &mut errors.0 {
        if e.location.line.is_some() {
            continue;
        }
        if let Some(span) = toml_span(src, &e.location.path) {
            let (line, column) = line_col(src, span.start);
            e.location.line = line;
            e.location.column = column;
        }
    }
}

/// Where a guard's own line and column (1-based, from the CEL parser) fall in a TOML
/// source, given the guard string's path.
pub(crate) fn guard_position(
    src: &str,
    path: &str,
    line: Option<usize>,
    column: Option<usize>,
) -> (Option<usize>, Option<usize>) {
    let Some(span) = toml_span(src, path) else {
        return (None, None);
    };
    let quote = src.get(span.start..).map_or(1, |s| {
        if s.starts_with("\"\"\"") || s.starts_with("'''") {
            3
        } else {
            1
        }
    });
    let (Some(sl), Some(sc)) = line_col(src, span.start) else {
        return (None, None);
    };
    match (line, column) {
        (Some(1) | None, c) => (Some(sl), Some(sc + quote + c.unwrap_or(1) - 1)),
        (Some(l), c) => {
            // A multi-line string starts after its opening newline.
            (Some(sl + l - usize::from(quote == 1)), c)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_paths_through_arrays_of_tables() {
        let src = "roles = []\n[[categories]]\nid = \"a\"\n[[categories]]\nid = \"b\"\n[[categories.states]]\nid = \"x\"\n";
        let span = toml_span(src, "categories[1].states[0].id").unwrap();
        assert_eq!(line_col(src, span.start), (Some(7), Some(6)));
        let span = toml_span(src, "categories[1].missing").unwrap();
        assert_eq!(line_col(src, span.start).0, Some(4));
        assert!(toml_span("not toml [", "a").is_none());
    }
}

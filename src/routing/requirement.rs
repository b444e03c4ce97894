//! Skill requirements: which agents may take a call. A requirement combines skill
//! levels and agent attributes (language, group, region, free-form) with and/or/not.
//!
//! In TOML:
//!
//! ```toml
//! requirement = { all = [ { skill = "loans", min = 3 }, { language = "fr" } ] }
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A requirement on agents, as written in configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Requirement {
    /// The agent has `skill` at level `min` or above.
    Skill(SkillAtLeast),
    /// The agent speaks `language`.
    Language(LanguageIs),
    /// The agent is in `group`.
    Group(GroupIs),
    /// The agent works in `region`.
    Region(RegionIs),
    /// The agent's free-form attribute equals a value.
    Attribute(AttributeIs),
    /// Every requirement holds.
    All(AllOf),
    /// At least one holds.
    Any(AnyOf),
    /// The requirement does not hold.
    Not(NotThis),
}

/// `{ skill = "billing", min = 3 }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillAtLeast {
    /// Skill name.
    pub skill: String,
    /// Minimum proficiency (default 1: has the skill at all).
    #[serde(default = "one")]
    pub min: u8,
}
fn one() -> u8 {
    1
}
/// `{ language = "fr" }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageIs {
    /// Language code.
    pub language: String,
}
/// `{ group = "tier2" }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupIs {
    /// Group name.
    pub group: String,
}
/// `{ region = "south" }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionIs {
    /// Region name.
    pub region: String,
}
/// `{ attribute = "site", equals = "lisbon" }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeIs {
    /// Attribute name.
    pub attribute: String,
    /// Required value.
    pub equals: String,
}
/// `{ all = [ ... ] }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllOf {
    /// Requirements that must all hold.
    pub all: Vec<Requirement>,
}
/// `{ any = [ ... ] }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnyOf {
    /// Requirements of which one must hold.
    pub any: Vec<Requirement>,
}
/// `{ not = { ... } }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotThis {
    /// The requirement that must not hold.
    pub not: Box<Requirement>,
}

impl Requirement {
    /// `skill` at `min` or above.
    pub fn skill(skill: impl Into<String>, min: u8) -> Self {
        Requirement::Skill(SkillAtLeast {
            skill: skill.into(),
            min,
        })
    }

    /// Structural checks that serde cannot express.
    /// The skill a by-skill queue recruits by: this requirement's skill, or the first
    /// skill of a top-level `all`.
    pub fn anchor_skill(&self) -> Option<&str> {
        match self {
            Requirement::Skill(s) => Some(&s.skill),
            Requirement::All(a) => a.all.iter().find_map(|r| match r {
                Requirement::Skill(s) => Some(s.skill.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        self.check_depth(0)
    }

    fn check_depth(&self, depth: usize) -> Result<(), String> {
        if depth > 16 {
            return Err("requirement nested deeper than 16 levels".into());
        }
        match self {
            Requirement::Skill(s) if s.skill.is_empty() => Err("skill name is empty".into()),
            Requirement::All(AllOf { all: v }) | Requirement::Any(AnyOf { any: v }) => {
                v.iter().try_for_each(|r| r.check_depth(depth + 1))
            }
            Requirement::Not(n) => n.not.check_depth(depth + 1),
            _ => Ok(()),
        }
    }
}

/// Interned skill id. Obtain it with [`crate::Engine::skill_id`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkillId(pub u32);

/// Interns skill names and agent tags (language, group, region and attribute values)
/// into small numbers so eligibility checks compare integers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Vocabulary {
    skills: BTreeMap<String, u32>,
    tags: BTreeMap<String, u32>,
}

impl Vocabulary {
    pub(crate) fn skill(&mut self, name: &str) -> SkillId {
        let next = self.skills.len() as u32;
        SkillId(*self.skills.entry(name.to_string()).or_insert(next))
    }
    /// Skill names by id.
    pub(crate) fn skill_names(&self) -> Vec<&str> {
        let mut names = vec![""; self.skills.len()];
        for (name, id) in &self.skills {
            if let Some(n) = names.get_mut(*id as usize) {
                *n = name;
            }
        }
        names
    }
    pub(crate) fn find_skill(&self, name: &str) -> Option<SkillId> {
        self.skills.get(name).map(|s| SkillId(*s))
    }
    pub(crate) fn tag(&mut self, kind: &str, value: &str) -> u32 {
        let next = self.tags.len() as u32;
        *self.tags.entry(format!("{kind}\u{1f}{value}")).or_insert(next)
    }
}

/// A requirement compiled against the vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Req {
    Always,
    Skill(SkillId, u8),
    Tag(u32),
    All(Vec<Req>),
    Any(Vec<Req>),
    Not(Box<Req>),
}

impl Req {
    pub(crate) fn compile(r: &Requirement, v: &mut Vocabulary) -> Req {
        match r {
            Requirement::Skill(s) => Req::Skill(v.skill(&s.skill), s.min),
            Requirement::Language(l) => Req::Tag(v.tag("language", &l.language)),
            Requirement::Group(g) => Req::Tag(v.tag("group", &g.group)),
            Requirement::Region(g) => Req::Tag(v.tag("region", &g.region)),
            Requirement::Attribute(a) => Req::Tag(v.tag(&format!("attr:{}", a.attribute), &a.equals)),
            Requirement::All(a) => Req::All(a.all.iter().map(|r| Req::compile(r, v)).collect()),
            Requirement::Any(a) => Req::Any(a.any.iter().map(|r| Req::compile(r, v)).collect()),
            Requirement::Not(n) => Req::Not(Box::new(Req::compile(&n.not, v))),
        }
    }

    /// Does an agent with these (sorted) skills and tags meet the requirement? The tags
    /// are read only if the requirement names one (they sit apart from the fields a
    /// routing decision reads, see `Agent`).
    pub(crate) fn matches<T: AsRef<[u32]> + ?Sized>(&self, skills: &[(SkillId, u8)], tags: &T) -> bool {
        match self {
            Req::Always => true,
            Req::Skill(id, min) => skills
                .binary_search_by_key(id, |(s, _)| *s)
                .is_ok_and(|i| skills[i].1 >= *min),
            Req::Tag(t) => tags.as_ref().binary_search(t).is_ok(),
            Req::All(v) => v.iter().all(|r| r.matches(skills, tags)),
            Req::Any(v) => v.iter().any(|r| r.matches(skills, tags)),
            Req::Not(r) => !r.matches(skills, tags),
        }
    }

    /// Both this and `other`.
    pub(crate) fn and(self, other: Req) -> Req {
        match (self, other) {
            (Req::Always, r) | (r, Req::Always) => r,
            (Req::All(mut v), r) => {
                v.push(r);
                Req::All(v)
            }
            (a, b) => Req::All(vec![a, b]),
        }
    }

    /// Sets the minimum level of the named skills wherever they appear.
    pub(crate) fn relax(&mut self, levels: &[(SkillId, u8)]) {
        match self {
            Req::Skill(id, min) => {
                if let Some((_, l)) = levels.iter().find(|(s, _)| s == id) {
                    *min = *l;
                }
            }
            Req::All(v) | Req::Any(v) => v.iter_mut().for_each(|r| r.relax(levels)),
            Req::Not(r) => r.relax(levels),
            Req::Always | Req::Tag(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_requirement_and_matches() {
        let r: Requirement =
            toml::from_str::<toml::Table>("r = { all = [ { skill = \"loans\", min = 3 }, { any = [ { language = \"fr\" }, { region = \"south\" } ] } ] }")
                .unwrap()["r"]
                .clone()
                .try_into()
                .unwrap();
        let mut v = Vocabulary::default();
        let req = Req::compile(&r, &mut v);
        let loans = v.skill("loans");
        let fr = v.tag("language", "fr");
        assert!(req.matches(&[(loans, 3)], &[fr]));
        assert!(!req.matches(&[(loans, 2)], &[fr]));
        assert!(!req.matches(&[(loans, 5)], &[0u32; 0]));
        let mut relaxed = req.clone();
        relaxed.relax(&[(loans, 1)]);
        assert!(relaxed.matches(&[(loans, 2)], &[fr]));
    }

    #[test]
    fn unknown_field_is_rejected() {
        let r = serde_json::from_str::<Requirement>("{\"skill\": \"x\", \"level\": 2}");
        assert!(r.is_err());
    }
}

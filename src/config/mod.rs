//! Engine configuration: queues, agents, routing strategies, service-level targets and
//! statistics settings. Written in TOML or JSON; one serde model for both.
//!
//! ```
//! let cfg = callroute::Config::from_toml_str(r#"
//! [[queues]]
//! id = 1
//! name = "billing"
//! strategy = "longest-idle"
//! service_level = { percent = 80, within_secs = 20 }
//!
//! [[agents]]
//! id = 1001
//! name = "Ana"
//! skills = { billing = 5 }
//! queues = [1]
//! "#, "center.toml").unwrap();
//! assert_eq!(cfg.queues[0].name, "billing");
//! ```
//!
//! A queue may instead take as members every agent holding a skill, with no sign-ins
//! ([`QueueMembers::BySkill`]):
//!
//! ```
//! let cfg = callroute::Config::from_toml_str(r#"
//! [[queues]]
//! id = 2
//! name = "loans"
//! members = "by-skill"
//! requirement = { skill = "loans", min = 3 }
//!
//! [[agents]]
//! id = 1002
//! skills = { loans = 7 }
//! "#, "center.toml").unwrap();
//! let engine = callroute::Engine::new(cfg, 1).unwrap();
//! assert_eq!(engine.agent_status(callroute::AgentId(1002)).unwrap().queues, [callroute::QueueId(2)]);
//! ```

mod load;
pub(crate) use load::{parse_toml as parse_toml_in, validate_agent, validate_queue};

use crate::ids::{AgentId, QueueId};
use crate::routing::{Requirement, StrategyConfig};
use crate::stats::ServiceLevelFormula;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole engine configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Statistics settings.
    #[serde(default)]
    pub stats: StatsConfig,
    /// Declared not-ready reason codes. `NotReady` inputs must use one of them.
    #[serde(default = "default_reasons")]
    pub not_ready_reasons: Vec<String>,
    /// Defaults for every agent; an agent's own settings override them.
    #[serde(default)]
    pub agent_defaults: AgentPolicy,
    /// Emit a [`crate::Event::RoutingDecision`] explaining every routing decision.
    #[serde(default)]
    pub explain_routing: bool,
    /// Queues (skill groups).
    #[serde(default)]
    pub queues: Vec<QueueConfig>,
    /// Agents.
    #[serde(default)]
    pub agents: Vec<AgentConfig>,
    /// Business-hours calendars by name, shared by IVR schedules and tickets.
    #[serde(default)]
    pub calendars: BTreeMap<String, crate::calendar::Calendar>,
    /// IVR flows, prompts and entry rules.
    #[serde(default)]
    pub ivr: Option<crate::ivr::IvrConfig>,
}

fn default_reasons() -> Vec<String> {
    [
        "break",
        "lunch",
        "training",
        "meeting",
        "missed-calls",
        "after-call",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// Statistics settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatsConfig {
    /// Length of a report interval in seconds (15 minutes by default).
    pub interval_secs: u32,
    /// Calls abandoned within this many seconds are short abandons.
    pub short_abandon_secs: u32,
    /// An SLA-at-risk event needs at least this many calls in the running interval.
    pub sla_at_risk_min_calls: u32,
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self {
            interval_secs: 900,
            short_abandon_secs: 5,
            sla_at_risk_min_calls: 5,
        }
    }
}

/// Agent behaviour settings shared by default and overridable per agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentPolicy {
    /// After-call work after a voice or video call, in seconds (0: none).
    pub wrap_up_secs: u32,
    /// `true`: the agent is ready again when wrap-up time ends; `false`: the agent stays
    /// in wrap-up until it sends `WrapUpDone`.
    pub auto_ready: bool,
    /// After this many consecutive unanswered offers the agent goes not ready
    /// (redirect on no answer). `0` disables it.
    pub max_missed_offers: u32,
    /// The not-ready reason used by redirect on no answer.
    pub missed_reason: String,
    /// Log the agent out instead of setting it not ready after the misses.
    pub auto_logoff: bool,
    /// Pause in seconds before an agent who let an offer ring out is offered again.
    pub no_answer_delay_secs: u32,
    /// Pause in seconds after the agent rejects an offer.
    pub reject_delay_secs: u32,
    /// Agents start ready (instead of not ready) when they log in.
    pub ready_on_login: bool,
    /// Capacity per channel.
    pub capacity: Capacity,
}

impl Default for AgentPolicy {
    fn default() -> Self {
        Self {
            wrap_up_secs: 0,
            auto_ready: true,
            max_missed_offers: 3,
            missed_reason: "missed-calls".into(),
            auto_logoff: false,
            no_answer_delay_secs: 5,
            reject_delay_secs: 5,
            ready_on_login: false,
            capacity: Capacity::default(),
        }
    }
}

/// A contact's channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// Phone call.
    #[default]
    Voice,
    /// Video call.
    Video,
    /// Web chat.
    Chat,
    /// Messaging (SMS, social).
    Message,
    /// Email.
    Email,
}

impl Channel {
    /// All channels, in a fixed order.
    pub const ALL: [Channel; 5] = [
        Channel::Voice,
        Channel::Video,
        Channel::Chat,
        Channel::Message,
        Channel::Email,
    ];

    /// Index in [`Channel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Voice and video are real-time: they take the agent's whole attention.
    pub const fn is_realtime(self) -> bool {
        matches!(self, Channel::Voice | Channel::Video)
    }
}

/// How many contacts of each channel an agent may handle at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Capacity {
    /// Concurrent voice calls.
    pub voice: u8,
    /// Concurrent video calls.
    pub video: u8,
    /// Concurrent chats.
    pub chat: u8,
    /// Concurrent message conversations.
    pub message: u8,
    /// Concurrent emails.
    pub email: u8,
    /// A voice or video call excludes every other contact, and any open contact blocks
    /// new voice or video offers.
    pub realtime_exclusive: bool,
}

impl Default for Capacity {
    fn default() -> Self {
        Self {
            voice: 1,
            video: 1,
            chat: 3,
            message: 3,
            email: 3,
            realtime_exclusive: true,
        }
    }
}

impl Capacity {
    /// The limits by [`Channel::index`] (the order of the variants).
    pub fn limits(&self) -> [u8; Channel::ALL.len()] {
        [self.voice, self.video, self.chat, self.message, self.email]
    }

    /// The limit for one channel.
    pub fn of(&self, channel: Channel) -> u8 {
        match channel {
            Channel::Voice => self.voice,
            Channel::Video => self.video,
            Channel::Chat => self.chat,
            Channel::Message => self.message,
            Channel::Email => self.email,
        }
    }
}

/// An agent as configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// Agent number.
    pub id: AgentId,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Skills with proficiency levels (0-100, higher is more able).
    #[serde(default)]
    pub skills: BTreeMap<String, u8>,
    /// Languages spoken.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Groups (teams) the agent belongs to; the first is used for group reports.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Region (for region routing).
    #[serde(default)]
    pub region: Option<String>,
    /// Free-form attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Queues the agent is signed in to, with optional penalty (tier) and order.
    #[serde(default)]
    pub queues: Vec<Membership>,
    /// Weight for weighted-random routing (default 1).
    #[serde(default = "one")]
    pub weight: u32,
    /// Overrides of the agent defaults.
    #[serde(default)]
    pub policy: Option<AgentPolicy>,
}

fn one() -> u32 {
    1
}

/// An agent's sign-in to a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Membership {
    /// Just the queue number (penalty 0).
    Queue(QueueId),
    /// Queue with a penalty (tier): escalation steps widen the pool by penalty.
    WithPenalty {
        /// The queue.
        queue: QueueId,
        /// 0 is the first tier; higher penalties are used only after escalation.
        #[serde(default)]
        penalty: u32,
    },
}

impl Membership {
    /// The queue signed in to.
    pub fn queue(&self) -> QueueId {
        match self {
            Membership::Queue(q) => *q,
            Membership::WithPenalty { queue, .. } => *queue,
        }
    }
    /// The penalty (tier).
    pub fn penalty(&self) -> u32 {
        match self {
            Membership::Queue(_) => 0,
            Membership::WithPenalty { penalty, .. } => *penalty,
        }
    }
}

/// Where a call goes when it leaves a queue other than by being answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Destination {
    /// Another queue (the call keeps its data; its wait starts again there).
    Queue(QueueId),
    /// A number or SIP URI outside the engine.
    External(String),
    /// The caller is asked to leave a voicemail.
    Voicemail(String),
    /// Play a prompt and hang up.
    Hangup {
        /// Prompt played before hanging up, if any.
        #[serde(default)]
        prompt: Option<String>,
    },
}

/// What happens when a call would join a queue with no agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EmptyRule {
    /// Join / stay regardless.
    #[default]
    Always,
    /// Refuse (or leave) when no member is logged in.
    NoneLoggedIn,
    /// Refuse (or leave) when no member is logged in or every member is not ready.
    NoneReady,
}

/// Position and estimated-wait announcements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announcements {
    /// Seconds after joining for the first announcement.
    #[serde(default = "default_first")]
    pub first_after_secs: u32,
    /// Repeat interval in seconds.
    pub every_secs: u32,
    /// Say the position in line.
    #[serde(default = "yes")]
    pub position: bool,
    /// Say the estimated wait.
    #[serde(default = "yes")]
    pub estimated_wait: bool,
}

fn default_first() -> u32 {
    15
}
fn yes() -> bool {
    true
}

/// A message played to waiting callers at a fixed interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodicMessage {
    /// Prompt id.
    pub prompt: String,
    /// Interval in seconds.
    pub every_secs: u32,
}

/// A service-level target: `percent`% of calls answered within `within_secs` seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevelTarget {
    /// Target share in percent (0-100).
    pub percent: f64,
    /// Threshold in seconds.
    pub within_secs: u32,
    /// Which formula the target and the SLA-at-risk check use.
    #[serde(default)]
    pub formula: ServiceLevelFormula,
}

impl Default for ServiceLevelTarget {
    fn default() -> Self {
        Self {
            percent: 80.0,
            within_secs: 20,
            formula: ServiceLevelFormula::default(),
        }
    }
}

/// One escalation step: after `after_secs` of waiting, the requirement changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// Seconds of waiting in the queue after which the step applies.
    pub after_secs: u32,
    /// Replace the requirement.
    #[serde(default)]
    pub replace: Option<Requirement>,
    /// Add a requirement (both must hold).
    #[serde(default)]
    pub add: Option<Requirement>,
    /// Lower (or raise) the minimum level of named skills.
    #[serde(default)]
    pub relax: BTreeMap<String, u8>,
    /// Widen the pool to members with a penalty up to this value.
    #[serde(default)]
    pub max_penalty: Option<u32>,
    /// Raise the call's priority by this much.
    #[serde(default)]
    pub priority_boost: i32,
}

/// A queue (skill group) as configured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Queue number.
    pub id: QueueId,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// The channel of the contacts in this queue.
    #[serde(default)]
    pub channel: Channel,
    /// Routing strategy.
    #[serde(default)]
    pub strategy: StrategyConfig,
    /// Seconds an agent's device rings before the offer moves on.
    #[serde(default = "default_ring_timeout")]
    pub ring_timeout_secs: u32,
    /// Weight of this queue's waiting time when an agent serves several queues.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Seconds of waiting that one priority level is worth (priority aging).
    #[serde(default = "default_aging")]
    pub priority_step_secs: u32,
    /// Service-level target.
    #[serde(default)]
    pub service_level: ServiceLevelTarget,
    /// Longest a call may wait before it leaves for `exit`.
    #[serde(default)]
    pub max_wait_secs: Option<u32>,
    /// Most calls that may wait; further calls go to `exit`.
    #[serde(default)]
    pub max_length: Option<u32>,
    /// Where calls go on max wait, max length or an empty-queue rule.
    #[serde(default)]
    pub exit: Option<Destination>,
    /// Whether calls may join when no agent is available.
    #[serde(default)]
    pub join_empty: EmptyRule,
    /// Whether waiting calls leave when the last agent logs out or goes not ready.
    #[serde(default)]
    pub leave_empty: EmptyRule,
    /// Position and estimated-wait announcements.
    #[serde(default)]
    pub announcements: Option<Announcements>,
    /// Periodic messages.
    #[serde(default)]
    pub periodic_messages: Vec<PeriodicMessage>,
    /// Music-on-hold class.
    #[serde(default = "default_moh")]
    pub music_on_hold: String,
    /// Record answered calls.
    #[serde(default)]
    pub record: bool,
    /// Who serves the queue: the agents signed in to it (`listed`, the default), or
    /// every agent holding the skill its requirement names first (`by-skill`).
    #[serde(default)]
    pub members: QueueMembers,
    /// Requirement every agent must meet (in addition to being a member).
    #[serde(default)]
    pub requirement: Option<Requirement>,
    /// Escalation steps, in increasing `after_secs`.
    #[serde(default)]
    pub escalation: Vec<EscalationStep>,
    /// Wrap-up seconds after calls of this queue (overrides the agent's).
    #[serde(default)]
    pub wrap_up_secs: Option<u32>,
    /// Handle time assumed for estimated wait before any call completed.
    #[serde(default = "default_aht")]
    pub default_aht_secs: u32,
}

/// Who serves a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum QueueMembers {
    /// The agents signed in to the queue (in `agents[].queues` or by
    /// [`crate::Input::SignIn`]), each with a penalty and an order: Asterisk-style
    /// members.
    #[default]
    Listed,
    /// Every agent holding the queue's anchor skill: the skill its requirement names
    /// (`{ skill = "..." }`, or the first skill of a top-level `all`). No sign-ins; an
    /// agent is a member while it has the skill, and the requirement, its escalation
    /// steps and any per-call override choose among these members. Queues with the
    /// same anchor skill, channel, strategy order and weight share one index of
    /// available agents (a skill pool), so an agent's changes cost the same however
    /// many such queues there are. Agents are ordered by agent number for `linear` and
    /// `round-robin`.
    BySkill,
}

fn default_ring_timeout() -> u32 {
    15
}
fn default_weight() -> f64 {
    1.0
}
fn default_aging() -> u32 {
    60
}
fn default_moh() -> String {
    "default".into()
}
fn default_aht() -> u32 {
    180
}

impl QueueConfig {
    /// A queue with default settings.
    pub fn new(id: QueueId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            channel: Channel::Voice,
            strategy: StrategyConfig::default(),
            ring_timeout_secs: default_ring_timeout(),
            weight: 1.0,
            priority_step_secs: default_aging(),
            service_level: ServiceLevelTarget::default(),
            max_wait_secs: None,
            max_length: None,
            exit: None,
            join_empty: EmptyRule::Always,
            leave_empty: EmptyRule::Always,
            announcements: None,
            periodic_messages: Vec::new(),
            music_on_hold: default_moh(),
            record: false,
            members: QueueMembers::Listed,
            requirement: None,
            escalation: Vec::new(),
            wrap_up_secs: None,
            default_aht_secs: default_aht(),
        }
    }
}

impl AgentConfig {
    /// An agent with no skills, signed in to the given queues.
    pub fn new(id: AgentId, name: impl Into<String>, queues: &[QueueId]) -> Self {
        Self {
            id,
            name: name.into(),
            skills: BTreeMap::new(),
            languages: Vec::new(),
            groups: Vec::new(),
            region: None,
            attributes: BTreeMap::new(),
            queues: queues.iter().map(|q| Membership::Queue(*q)).collect(),
            weight: 1,
            policy: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            stats: StatsConfig::default(),
            not_ready_reasons: default_reasons(),
            agent_defaults: AgentPolicy::default(),
            explain_routing: false,
            queues: Vec::new(),
            agents: Vec::new(),
            calendars: BTreeMap::new(),
            ivr: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Capacity, Channel};

    #[test]
    fn capacity_limits_are_listed_by_channel_index() {
        let cap = Capacity {
            voice: 1,
            video: 2,
            chat: 3,
            message: 4,
            email: 5,
            realtime_exclusive: false,
        };
        for (i, c) in Channel::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(cap.limits()[c.index()], cap.of(*c), "{c:?}");
        }
    }
}

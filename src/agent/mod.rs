//! Agents: their state machine ([`AgentState`], with the transition tables in
//! `agent/state.rs`), capacity per channel, skills and attributes, and the counters
//! routing strategies rank them by.

mod state;

pub use state::{AgentState, AgentStateKind};
pub(crate) use state::{Presence, PresenceTrigger, TaskPhase, TaskTrigger, presence_next, task_next};

use crate::config::{AgentConfig, AgentPolicy, Channel};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::routing::{AgentView, IndexKey, SkillId, Vocabulary};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::sync::Arc;

/// The engine's agents by agent number (see [`crate::id_table`]).
pub(crate) type AgentTable = crate::id_table::IdTable<AgentId, Agent>;

/// An agent's skills with their levels, sorted by skill.
pub(crate) type Skills = SmallVec<[(SkillId, u8); 8]>;

/// One contact an agent holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Task {
    pub call: CallId,
    pub channel: Channel,
    pub phase: TaskPhase,
    pub queue: Option<QueueId>,
}

/// After-call work in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WrapUp {
    pub call: CallId,
    pub until: Option<Millis>,
    pub started: Millis,
    /// Queue and interval the wrap-up time is counted in.
    pub counted_in: Option<(QueueId, u64)>,
}

/// The agent's sign-in to one queue, with its place in that queue's index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Member {
    pub queue: QueueId,
    /// The queue's slot in the engine's queue table (see `Engine::relink`).
    #[serde(skip)]
    pub slot: u32,
    /// The queue's channel, so that deciding whether the agent may take the queue's
    /// contacts reads no queue (see `Engine::relink`).
    #[serde(skip)]
    pub channel: Channel,
    pub penalty: u32,
    pub position: u32,
    /// The agent may take a contact of the queue's channel now.
    #[serde(default)]
    pub available: bool,
    /// Counted in the queue's logged-in and ready member counters.
    pub counted_logged_in: bool,
    pub counted_ready: bool,
}

/// The agent's seat in a skill pool (see `crate::queue::pool`): its share of the
/// pool's counters and whether it has an entry in the pool's index. Follows from the
/// agent's skills, so snapshots leave it out. Eight bytes, so that an agent's seats
/// usually share one cache line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seat {
    /// The pool's slot.
    pub pool: u32,
    /// The agent may take a contact of the pool's channel now.
    pub available: bool,
    /// Counted in the pool's logged-in and ready counters.
    pub counted_logged_in: bool,
    pub counted_ready: bool,
    /// The agent has an entry in the pool's index, keyed by `Agent::seat_keyed`. It
    /// may be stale (as `Agent::indexed` for sign-ins).
    pub indexed: bool,
}

/// What the agent's sign-ins and seats were last counted as: the channels it could
/// take a contact of, and whether it was logged in and ready. Every sign-in and seat
/// is counted as this says. Seats are rebuilt from it on restore, so that a restored
/// engine counts the agent exactly as the original did until the agent's next change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Synced {
    /// Bit `Channel::index()` set: available for that channel.
    pub channels: u8,
    pub logged_in: bool,
    pub ready: bool,
}

/// Not recorded (no channel set has this bit: there are fewer than eight channels).
const UNKNOWN: u8 = 0x80;
const _: () = assert!(Channel::ALL.len() < 8);

/// Each agent's counted channels ([`Synced::channels`]) by agent number, one byte
/// each, kept beside the agents: a scan of an index of available agents tells a stale
/// entry (an agent no longer available, see `Seat::indexed`) from a live one here,
/// without reading the agent's record, which at 100k agents is a trip to memory on the
/// scan's path. Numbers below the agents' count twice over (plus 64) are kept; others,
/// and numbers not recorded since the table grew past them, read as unknown, and the
/// scan reads the agent.
#[derive(Clone, Debug, Default)]
pub(crate) struct SyncedChannels {
    by_number: Vec<u8>,
}

impl SyncedChannels {
    /// Records what `id`, one of `agents` agents, is counted as.
    pub(crate) fn set(&mut self, id: AgentId, channels: u8, agents: usize) {
        let i = id.0 as usize;
        if i >= self.by_number.len() {
            if i >= agents.saturating_mul(2).saturating_add(64) {
                return;
            }
            self.by_number.resize(i + 1, UNKNOWN);
        }
        if let Some(c) = self.by_number.get_mut(i) {
            *c = channels;
        }
    }

    /// The channels `id` is counted as available for, if known.
    pub(crate) fn get(&self, id: AgentId) -> Option<u8> {
        self.by_number
            .get(id.0 as usize)
            .copied()
            .filter(|c| *c != UNKNOWN)
    }

    /// Forgets every agent.
    pub(crate) fn clear(&mut self) {
        self.by_number.clear();
    }
}

/// The counters a strategy's index key may depend on, as they were when an agent's
/// pool entries were keyed: one copy for all the agent's seats, from which the key of
/// each entry follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyInputs {
    pub idle_since: Millis,
    pub answered: u32,
    pub talk_ms: u64,
}

/// Where an agent stands in one queue: as a signed-in member or through a pool seat.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placement {
    pub available: bool,
    pub penalty: u32,
    pub position: u32,
}

/// Time spent in each state since login, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentTimes {
    /// Logged in, any state.
    pub logged_in_ms: u64,
    /// Ready and waiting.
    pub ready_ms: u64,
    /// Not ready.
    pub not_ready_ms: u64,
    /// Reserved or ringing.
    pub ringing_ms: u64,
    /// Talking.
    pub talk_ms: u64,
    /// On hold.
    pub hold_ms: u64,
    /// Wrap-up.
    pub wrap_up_ms: u64,
}

impl AgentTimes {
    pub(crate) fn add(&mut self, kind: AgentStateKind, ms: u64) {
        if kind != AgentStateKind::LoggedOut {
            self.logged_in_ms += ms;
        }
        match kind {
            AgentStateKind::LoggedOut => {}
            AgentStateKind::Ready => self.ready_ms += ms,
            AgentStateKind::NotReady => self.not_ready_ms += ms,
            AgentStateKind::Reserved | AgentStateKind::Ringing => self.ringing_ms += ms,
            AgentStateKind::Talking => self.talk_ms += ms,
            AgentStateKind::OnHold => self.hold_ms += ms,
            AgentStateKind::WrapUp => self.wrap_up_ms += ms,
        }
    }

    /// Handling time: talk, hold and wrap-up.
    pub fn handling_ms(&self) -> u64 {
        self.talk_ms + self.hold_ms + self.wrap_up_ms
    }

    /// Occupancy: handling time / (handling time + ready time); `None` before any.
    pub fn occupancy(&self) -> Option<f64> {
        let busy = self.handling_ms() + self.ringing_ms;
        let denom = busy + self.ready_ms;
        (denom > 0).then(|| busy as f64 / denom as f64)
    }

    /// Utilisation: handling time / logged-in time.
    pub fn utilisation(&self) -> Option<f64> {
        (self.logged_in_ms > 0)
            .then(|| (self.handling_ms() + self.ringing_ms) as f64 / self.logged_in_ms as f64)
    }
}

/// An agent's languages, groups, region and free-form attributes as configured
/// (routing matches their compiled form, `Agent::tags`), kept to give the
/// configuration back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Profile {
    pub languages: Vec<String>,
    pub groups: Vec<String>,
    pub region: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// An agent at run time. It holds all of its configuration (see
/// [`Agent::config`]); the engine keeps no other copy.
///
/// Laid out in declaration order (`repr(C)`): what routing an agent and ringing it
/// read and write (identity, flags and counted state, presence, wrap-up, pause and
/// policy, strategy inputs, sign-ins, seats, skills, contacts, and the state times
/// written when its state changes to or from ready, not ready or reserved) comes first,
/// in the record's first 320 bytes, so that a decision about an agent nobody touched
/// for a while fetches five or six cache lines. What only other changes read (the
/// times of talking, hold and wrap-up, the report group's name, attribute tags, the
/// name) comes after. Records are not aligned to cache lines: at 512 bytes apart,
/// agents' records compete for a fraction of the cache's sets.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[repr(C)]
pub(crate) struct Agent {
    pub id: AgentId,
    pub weight: u32,
    pub answered: u32,
    /// The report group's number in the engine's group times (see `Engine::relink`).
    #[serde(skip)]
    pub group_no: crate::stats::GroupNo,
    /// The channels its capacity leaves room for, given its contacts (see [`room`]):
    /// kept up to date by [`Agent::add_task`] and [`Agent::drop_task`].
    #[serde(skip)]
    pub room: u8,
    /// A supervisor logged the agent out while busy: log out when free.
    pub pending_logout: bool,
    /// Listed for an index refresh ([`crate::engine`] puts available agents into the
    /// queues' indexes before the next scan). Always false between inputs.
    #[serde(skip)]
    pub index_pending: bool,
    /// What the agent was last counted as (see [`Synced`]).
    #[serde(default)]
    pub synced: Synced,
    pub presence: Presence,
    /// Boxed: most of the time an agent is not in wrap-up.
    pub wrap_up: Option<Box<WrapUp>>,
    /// The agent's own policy, or the defaults shared by every agent without one.
    pub policy: Arc<AgentPolicy>,
    /// No offers until this time (no-answer and reject delays). Never zero: pausing
    /// until time zero is no pause.
    pub paused_until: Option<std::num::NonZeroU64>,
    pub idle_since: Millis,
    pub talk_ms: u64,
    pub state_since: Millis,
    /// Sign-ins to queues that list their members.
    pub members: Vec<Member>,
    /// Seats in the skill pools of the agent's skills (see `crate::queue::pool`).
    #[serde(skip)]
    pub seats: SmallVec<[Seat; 8]>,
    /// Inline up to eight: routing reads them with the agent.
    pub skills: Skills,
    /// Inline up to one: most agents hold one contact at a time.
    pub tasks: SmallVec<[Task; 1]>,
    pub times: AgentTimes,
    /// Bumped whenever a timer for this agent must be invalidated.
    pub epoch: u32,
    pub missed_in_row: u32,
    /// Report group: shared with the group's other agents.
    pub group: Arc<str>,
    /// The counters the seats' index entries are keyed with (see [`KeyInputs`]).
    #[serde(skip)]
    pub seat_keyed: KeyInputs,
    /// Attribute tags (languages, groups, region, attributes) routing requirements test.
    pub tags: Vec<u32>,
    /// Per sign-in (parallel to `members`, kept apart so that scans of the sign-ins
    /// read fewer cache lines): the strategy key under which the agent has an entry
    /// `(penalty, key, agent)` in the queue's available index (a sign-in's penalty does
    /// not change while it lasts). The entry may be stale: it counts only while the
    /// sign-in is `available`. Entries of agents that became busy are left in place
    /// and dropped when a scan meets them or when the agent is indexed again, so
    /// taking an agent off costs nothing per queue.
    #[serde(default)]
    pub indexed: Vec<Option<IndexKey>>,
    pub name: String,
    /// `None` when the agent has no languages, groups, region or attributes.
    #[serde(default)]
    pub profile: Option<Box<Profile>>,
}

impl Agent {
    pub(crate) fn from_config(
        cfg: &AgentConfig,
        defaults: &Arc<AgentPolicy>,
        vocab: &mut Vocabulary,
        groups: &mut crate::stats::GroupTimes,
    ) -> Agent {
        let (skills, tags) = Agent::compile_attributes(cfg, vocab);
        let profile = Profile {
            languages: cfg.languages.clone(),
            groups: cfg.groups.clone(),
            region: cfg.region.clone(),
            attributes: cfg.attributes.clone(),
        };
        let (group, group_no) = groups.group(cfg.groups.first().map_or("default", String::as_str));
        let policy: Arc<AgentPolicy> = cfg.policy.clone().map_or_else(|| Arc::clone(defaults), Arc::new);
        Agent {
            id: cfg.id,
            name: cfg.name.clone(),
            group,
            group_no,
            skills,
            tags,
            profile: (profile != Profile::default()).then(|| Box::new(profile)),
            weight: cfg.weight,
            room: room(&[], &policy),
            policy,
            presence: Presence::LoggedOut,
            tasks: SmallVec::new(),
            wrap_up: None,
            paused_until: None,
            pending_logout: false,
            members: Vec::new(),
            indexed: Vec::new(),
            seats: SmallVec::new(),
            seat_keyed: KeyInputs::default(),
            synced: Synced::default(),
            idle_since: 0,
            answered: 0,
            talk_ms: 0,
            missed_in_row: 0,
            state_since: 0,
            times: AgentTimes::default(),
            epoch: 0,
            index_pending: false,
        }
    }

    pub(crate) fn compile_attributes(cfg: &AgentConfig, vocab: &mut Vocabulary) -> (Skills, Vec<u32>) {
        let skills = Agent::compile_skills(&cfg.skills, vocab);
        let mut tags: Vec<u32> = Vec::new();
        tags.extend(cfg.languages.iter().map(|l| vocab.tag("language", l)));
        tags.extend(cfg.groups.iter().map(|g| vocab.tag("group", g)));
        tags.extend(cfg.region.iter().map(|r| vocab.tag("region", r)));
        tags.extend(
            cfg.attributes
                .iter()
                .map(|(k, v)| vocab.tag(&format!("attr:{k}"), v)),
        );
        tags.sort_unstable();
        tags.dedup();
        (skills, tags)
    }

    /// Skills by interned id, sorted.
    pub(crate) fn compile_skills(
        skills: &std::collections::BTreeMap<String, u8>,
        vocab: &mut Vocabulary,
    ) -> Skills {
        let mut v: Skills = skills.iter().map(|(n, l)| (vocab.skill(n), *l)).collect();
        v.sort_unstable();
        v.shrink_to_fit();
        v
    }

    /// The agent's configuration: as configured, with run-time changes (skills,
    /// queue sign-ins) applied. `skill_names` are the names by interned id; the
    /// policy is `None` when the agent uses the shared defaults `defaults`.
    pub(crate) fn config(&self, skill_names: &[&str], defaults: &Arc<AgentPolicy>) -> AgentConfig {
        let profile = self.profile.as_deref().cloned().unwrap_or_default();
        AgentConfig {
            id: self.id,
            name: self.name.clone(),
            skills: self
                .skills
                .iter()
                .map(|(s, l)| {
                    (
                        skill_names
                            .get(s.0 as usize)
                            .copied()
                            .unwrap_or_default()
                            .to_string(),
                        *l,
                    )
                })
                .collect(),
            languages: profile.languages,
            groups: profile.groups,
            region: profile.region,
            attributes: profile.attributes,
            queues: self
                .members
                .iter()
                .map(|m| match m.penalty {
                    0 => crate::config::Membership::Queue(m.queue),
                    p => crate::config::Membership::WithPenalty {
                        queue: m.queue,
                        penalty: p,
                    },
                })
                .collect(),
            weight: self.weight,
            policy: (!Arc::ptr_eq(&self.policy, defaults)).then(|| (*self.policy).clone()),
        }
    }

    /// The state observers see.
    pub(crate) fn state(&self) -> AgentState {
        if let Some(t) = self.tasks.iter().max_by_key(|t| t.phase.rank()) {
            let call = t.call;
            return match t.phase {
                TaskPhase::Reserved => AgentState::Reserved { call },
                TaskPhase::Ringing => AgentState::Ringing { call },
                TaskPhase::Talking => AgentState::Talking { call },
                TaskPhase::OnHold => AgentState::OnHold { call },
            };
        }
        if let Some(w) = &self.wrap_up {
            return AgentState::WrapUp {
                call: w.call,
                until: w.until,
            };
        }
        match &self.presence {
            Presence::LoggedOut => AgentState::LoggedOut,
            Presence::Ready => AgentState::Ready,
            Presence::NotReady(r) => AgentState::NotReady { reason: r.clone() },
        }
    }

    pub(crate) fn logged_in(&self) -> bool {
        self.presence != Presence::LoggedOut
    }

    /// Whether the agent may take a contact on some channel at all (ready, not in
    /// wrap-up, not paused); [`Agent::can_take`] then checks capacity per channel.
    pub(crate) fn may_take_any(&self, now: Millis) -> bool {
        self.presence == Presence::Ready
            && self.wrap_up.is_none()
            && !self.pending_logout
            && self.paused_until.is_none_or(|t| t.get() <= now)
    }

    /// What the agent's sign-ins and seats should be counted as now (see [`Synced`]).
    pub(crate) fn counted_as(&self, now: Millis) -> Synced {
        let logged_in = self.logged_in();
        Synced {
            channels: self.free_channels(now),
            logged_in,
            ready: logged_in && self.presence == Presence::Ready && !self.pending_logout,
        }
    }

    /// Whether the agent may be offered one more contact of `channel` now.
    pub(crate) fn can_take(&self, channel: Channel, now: Millis) -> bool {
        holds(self.free_channels(now), channel)
    }

    /// The channels (bit [`Channel::index`] set) the agent may be offered one more
    /// contact of now: [`Agent::can_take`] for every channel at once.
    pub(crate) fn free_channels(&self, now: Millis) -> u8 {
        if !self.may_take_any(now) {
            return 0;
        }
        self.room
    }

    /// Takes on a contact.
    pub(crate) fn add_task(&mut self, task: Task) {
        self.tasks.push(task);
        self.room = room(&self.tasks, &self.policy);
    }

    /// Lets go of the contact of `call`, if it holds one.
    pub(crate) fn drop_task(&mut self, call: CallId) {
        self.tasks.retain(|t| t.call != call);
        self.room = room(&self.tasks, &self.policy);
    }

    pub(crate) fn task(&self, call: CallId) -> Option<&Task> {
        self.tasks.iter().find(|t| t.call == call)
    }

    pub(crate) fn task_mut(&mut self, call: CallId) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.call == call)
    }

    /// Where the sign-in to `queue` stands in `members` (and `indexed`).
    pub(crate) fn member_index(&self, queue: QueueId) -> Option<usize> {
        self.members.iter().position(|m| m.queue == queue)
    }

    /// The index entry key of the sign-in to `queue` (see `indexed`).
    pub(crate) fn indexed_mut(&mut self, queue: QueueId) -> Option<&mut Option<IndexKey>> {
        let i = self.member_index(queue)?;
        self.indexed.get_mut(i)
    }

    pub(crate) fn member(&self, queue: QueueId) -> Option<&Member> {
        self.members.iter().find(|m| m.queue == queue)
    }

    /// The seat in pool `pool`.
    pub(crate) fn seat(&self, pool: u32) -> Option<&Seat> {
        self.seats.iter().find(|s| s.pool == pool)
    }

    pub(crate) fn seat_mut(&mut self, pool: u32) -> Option<&mut Seat> {
        self.seats.iter_mut().find(|s| s.pool == pool)
    }

    /// The counters index keys depend on, now.
    pub(crate) fn key_inputs(&self) -> KeyInputs {
        KeyInputs {
            idle_since: self.idle_since,
            answered: self.answered,
            talk_ms: self.talk_ms,
        }
    }

    /// The strategy's view of the agent in a skill pool, with the counters `k`.
    pub(crate) fn pool_view(&self, k: KeyInputs) -> AgentView<'_> {
        AgentView {
            idle_since: k.idle_since,
            answered: k.answered,
            talk_ms: k.talk_ms,
            ..self.view_at(0, self.id.0)
        }
    }

    /// Where the agent stands in a queue: its sign-in, or for a queue drawing on a
    /// skill pool its seat there (penalty 0, ordered by agent number).
    pub(crate) fn placement(&self, queue: QueueId, pool: Option<u32>) -> Option<Placement> {
        match pool {
            Some(p) => self.seat(p).map(|s| Placement {
                available: s.available,
                penalty: 0,
                position: self.id.0,
            }),
            None => self.member(queue).map(|m| Placement {
                available: m.available,
                penalty: m.penalty,
                position: m.position,
            }),
        }
    }

    pub(crate) fn view(&self, m: &Member) -> AgentView<'_> {
        self.view_at(m.penalty, m.position)
    }

    /// The strategy's view of the agent at a penalty and position.
    pub(crate) fn view_at(&self, penalty: u32, position: u32) -> AgentView<'_> {
        AgentView {
            id: self.id,
            idle_since: self.idle_since,
            answered: self.answered,
            talk_ms: self.talk_ms,
            position,
            penalty,
            weight: self.weight,
            skills: &self.skills,
        }
    }
}

/// Whether a set of channels (bit [`Channel::index`] set, as in [`Synced::channels`] and
/// [`Agent::free_channels`]) holds `channel`.
pub(crate) fn holds(channels: u8, channel: Channel) -> bool {
    channels & 1 << channel.index() != 0
}

/// The channels (see [`holds`]) an agent holding `tasks` has room for one more contact
/// of under `policy`: fewer contacts of the channel than its limit, and, where
/// real-time contacts are exclusive, no real-time contact open and none asked for
/// while another contact is open.
pub(crate) fn room(tasks: &[Task], policy: &AgentPolicy) -> u8 {
    let cap = &policy.capacity;
    let mut held = [0u8; Channel::ALL.len()];
    let mut realtime_open = false;
    for t in tasks {
        let n = &mut held[t.channel.index()];
        *n = n.saturating_add(1);
        realtime_open |= t.channel.is_realtime();
    }
    let limits = cap.limits();
    let mut room = 0u8;
    for i in 0..Channel::ALL.len() {
        room |= u8::from(held[i] < limits[i]) << i;
    }
    if cap.realtime_exclusive && !tasks.is_empty() {
        room &= if realtime_open { 0 } else { !REALTIME };
    }
    room
}

/// The real-time channels (see [`holds`]).
const REALTIME: u8 = {
    let mut set = 0;
    let mut i = 0;
    while i < Channel::ALL.len() {
        if Channel::ALL[i].is_realtime() {
            set |= 1 << i;
        }
        i += 1;
    }
    set
};

/// A read-only summary of an agent for supervisor boards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentStatus {
    /// The agent.
    pub id: AgentId,
    /// Display name.
    pub name: String,
    /// Current state.
    pub state: AgentState,
    /// Since when, in host milliseconds.
    pub since: Millis,
    /// Queues served: those signed in to, then those taking the agent by skill, by id.
    pub queues: Vec<QueueId>,
    /// Contacts answered since the engine started.
    pub answered: u32,
    /// Consecutive offers not answered.
    pub missed_in_row: u32,
    /// Time per state.
    pub times: AgentTimes,
    /// Occupancy so far (see [`AgentTimes::occupancy`]).
    pub occupancy: Option<f64>,
}

#[cfg(test)]
mod synced_channels_tests {
    use super::SyncedChannels;
    use crate::ids::AgentId;

    #[test]
    fn numbers_not_recorded_since_the_table_grew_read_as_unknown() {
        let mut t = SyncedChannels::default();
        // 10 agents: numbers up to 83 are kept.
        t.set(AgentId(5), 0b1, 10);
        assert_eq!(t.get(AgentId(5)), Some(0b1));
        assert_eq!(t.get(AgentId(3)), None, "grown past, never recorded");
        assert_eq!(t.get(AgentId(6)), None, "beyond the table");
        t.set(AgentId(84), 0b1, 10);
        assert_eq!(t.get(AgentId(84)), None, "beyond the bound: not kept");
        t.set(AgentId(83), 0, 10);
        assert_eq!(t.get(AgentId(83)), Some(0));
        assert_eq!(t.get(AgentId(40)), None);
        t.set(AgentId(5), 0, 10);
        assert_eq!(t.get(AgentId(5)), Some(0));
        t.clear();
        assert_eq!(t.get(AgentId(5)), None);
    }
}

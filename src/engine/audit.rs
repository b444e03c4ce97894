//! A self-check of the state routing derives from the rest (member counters, index
//! entries, skill pools and their first-call order), for property tests and fuzzing.

use super::Engine;
use crate::queue::Counts;
use std::collections::BTreeSet;

impl Engine {
    /// Checks every derived routing record against the state it follows from: each
    /// queue's and pool's member counters, each available sign-in's and seat's index
    /// entry (and that every index entry belongs to one), each agent's seats against
    /// its skills, each queue's kept first call, id and weight, and each pool's order
    /// of first calls. Holds between any two inputs; `Err` describes the first
    /// difference, which would be a defect. For tests.
    #[doc(hidden)]
    pub fn audit(&self) -> Result<(), String> {
        let st = &self.state;
        for a in st.agents.values() {
            let room = crate::agent::room(&a.tasks, &a.policy);
            if a.room != room {
                return Err(format!(
                    "{} has room for {:#b}, its contacts leave {room:#b}",
                    a.id, a.room
                ));
            }
            // Every sign-in and seat is counted as the agent was last counted, and the
            // scans' table of counted channels says the same where it knows the agent.
            let synced = a.synced;
            if let Some(channels) = st.synced_channels.get(a.id)
                && channels != synced.channels
            {
                return Err(format!(
                    "{}: counted for channels {:#b}, the scans' table says {channels:#b}",
                    a.id, synced.channels
                ));
            }
            let as_synced = |channel, flags: (bool, bool, bool)| {
                flags
                    == (
                        crate::agent::holds(synced.channels, channel),
                        synced.logged_in,
                        synced.ready,
                    )
            };
            for m in &a.members {
                if !as_synced(m.channel, (m.available, m.counted_logged_in, m.counted_ready)) {
                    return Err(format!(
                        "{}: sign-in to {} not counted as {synced:?}",
                        a.id, m.queue
                    ));
                }
            }
            for s in &a.seats {
                let Some(p) = st.pools.at(s.pool) else { continue };
                if !as_synced(p.key.channel, (s.available, s.counted_logged_in, s.counted_ready)) {
                    return Err(format!(
                        "{}: seat in pool {} not counted as {synced:?}",
                        a.id, s.pool
                    ));
                }
            }
        }
        for q in st.queues.values() {
            let id = q.cfg.id;
            let strategy = q.strategy.resolve(&self.custom);
            let mut counts = Counts::default();
            for m in &q.members {
                let a = st.agents.get(m).ok_or(format!("{id} lists unknown member {m}"))?;
                let i = a
                    .member_index(id)
                    .ok_or(format!("{id} lists {m}, not signed in"))?;
                let (s, key) = (&a.members[i], a.indexed.get(i).copied().flatten());
                counts.available += u32::from(s.available);
                counts.logged_in += u32::from(s.counted_logged_in);
                counts.ready += u32::from(s.counted_ready);
                if s.available {
                    let want = strategy.index_key(&a.view(s));
                    if key != Some(want) || !q.available.contains(&(s.penalty, want, *m)) {
                        return Err(format!("{m} is available in {id} without its index entry"));
                    }
                }
            }
            if counts != q.hot.counts {
                return Err(format!(
                    "{id}: counters {:?}, members say {counts:?}",
                    q.hot.counts
                ));
            }
            for (p, k, m) in &q.available {
                let a = st.agents.get(m).ok_or(format!("{id} indexes unknown {m}"))?;
                let i = a
                    .member_index(id)
                    .ok_or(format!("{id} indexes {m}, not signed in"))?;
                if a.indexed.get(i).copied().flatten() != Some(*k) || a.members[i].penalty != *p {
                    return Err(format!("{id} has an entry of {m} the sign-in does not know"));
                }
            }
            if let Some(p) = q.pool
                && !st.pools.at(p).is_some_and(|p| p.queues.contains(&q.slot))
            {
                return Err(format!("{id} draws on pool {p}, which does not list it"));
            }
        }
        for q in st.queues.values() {
            if q.hot.id != q.cfg.id || q.hot.weight.to_bits() != q.cfg.weight.to_bits() {
                return Err(format!("{}: hot line keeps another id or weight", q.cfg.id));
            }
            if q.hot.head != q.waiting.first().copied() {
                return Err(format!(
                    "{}: first call kept as {:?}, the line's is {:?}",
                    q.cfg.id,
                    q.hot.head,
                    q.waiting.first()
                ));
            }
        }
        for (slot, p) in st.pools.iter() {
            let Some(strategy) = p
                .queues
                .first()
                .and_then(|s| st.queues.at(*s))
                .map(|q| q.strategy.resolve(&self.custom))
            else {
                return Err(format!("pool {slot} has no queue"));
            };
            let mut counts = Counts::default();
            let mut entries = 0;
            for a in st.agents.values() {
                let has_skill = a.skills.iter().any(|(s, _)| *s == p.key.skill);
                let Some(s) = a.seat(slot) else {
                    if has_skill {
                        return Err(format!("{} holds the skill of pool {slot} without a seat", a.id));
                    }
                    continue;
                };
                if !has_skill {
                    return Err(format!("{} has a seat in pool {slot} without its skill", a.id));
                }
                let now = a.counted_as(st.now);
                if (s.counted_logged_in, s.counted_ready) != (now.logged_in, now.ready) {
                    return Err(format!(
                        "{}'s seat in pool {slot} is counted as another state",
                        a.id
                    ));
                }
                counts.available += u32::from(s.available);
                counts.logged_in += u32::from(s.counted_logged_in);
                counts.ready += u32::from(s.counted_ready);
                let key = strategy.index_key(&a.pool_view(a.seat_keyed));
                if s.available && !s.indexed {
                    return Err(format!(
                        "{} is available in pool {slot} without an index entry",
                        a.id
                    ));
                }
                if s.indexed {
                    entries += 1;
                    if !p.available.contains(&(0, key, a.id)) {
                        return Err(format!("{}'s index entry in pool {slot} is missing", a.id));
                    }
                }
            }
            if counts != p.counts {
                return Err(format!(
                    "pool {slot}: counters {:?}, seats say {counts:?}",
                    p.counts
                ));
            }
            if entries != p.available.len() {
                return Err(format!(
                    "pool {slot} has {} index entries for {entries} indexed seats",
                    p.available.len()
                ));
            }
            let heads: BTreeSet<(i64, crate::QueueId, u32)> = p
                .queues
                .iter()
                .filter_map(|s| st.queues.at(*s))
                .filter_map(|q| q.hot.head.map(|(k, _, _)| (k, q.cfg.id, q.slot)))
                .collect();
            let kept: BTreeSet<(i64, crate::QueueId, u32)> = p.heads.iter().collect();
            if heads != kept || !p.heads.consistent() {
                return Err(format!(
                    "pool {slot}: first calls {:?}, queues say {heads:?}",
                    p.heads
                ));
            }
            if p.first != heads.first().copied() {
                return Err(format!(
                    "pool {slot}: first call {:?}, queues say {:?}",
                    p.first,
                    heads.first()
                ));
            }
        }
        Ok(())
    }
}

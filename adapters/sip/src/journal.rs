//! The embedded journal: every engine input (and fired timeout) in SQLite, replayed on
//! start so a restarted adapter has the same queues, agents and statistics; plus the
//! SIP dialogs of live calls so their callers can still be reached. Compaction replaces
//! the entries so far by an engine snapshot.

use callroute::{CallId, Engine, Input, JournalEntry, Snapshot};
use rusqlite::{Connection, params};
use std::path::Path;

/// A journal failure.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite failed.
    #[error("journal: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The engine refused a stored entry or snapshot (the configuration changed).
    #[error("journal does not match the engine configuration: {0}")]
    Engine(#[from] callroute::Error),
    /// A stored row is not valid JSON for its type.
    #[error("journal row {row}: {message}")]
    Row {
        /// Row number.
        row: i64,
        /// What is wrong.
        message: String,
    },
}

/// The journal file.
pub struct Journal {
    conn: Connection,
}

impl Journal {
    /// Opens (or creates) the journal. WAL mode: a committed row survives the process
    /// being killed.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, entry TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS calls (call INTEGER PRIMARY KEY, state TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS snapshots (upto INTEGER PRIMARY KEY, state TEXT NOT NULL, live TEXT NOT NULL);",
        )?;
        Ok(Journal { conn })
    }

    /// Appends one entry.
    pub fn append(&self, entry: &JournalEntry) -> Result<(), JournalError> {
        let json = serde_json::to_string(entry).map_err(|e| JournalError::Row {
            row: -1,
            message: e.to_string(),
        })?;
        self.conn.execute(
            "INSERT INTO entries (at, entry) VALUES (?1, ?2)",
            params![entry.at as i64, json],
        )?;
        Ok(())
    }

    /// Every entry after the latest snapshot, in order.
    pub fn entries(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let mut st = self.conn.prepare(
            "SELECT seq, entry FROM entries WHERE seq > (SELECT COALESCE(MAX(upto), 0) FROM snapshots) ORDER BY seq",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, json) = row?;
            out.push(serde_json::from_str(&json).map_err(|e| JournalError::Row {
                row: seq,
                message: e.to_string(),
            })?);
        }
        Ok(out)
    }

    /// Replaces every entry so far by `snapshot`, with the calls live at that point.
    pub fn compact(&mut self, snapshot: &Snapshot, live: &[CallId]) -> Result<(), JournalError> {
        let row = |e: callroute::Error| JournalError::Row {
            row: -1,
            message: e.to_string(),
        };
        let state = snapshot.to_json().map_err(row)?;
        let live = serde_json::to_string(&live.iter().map(|c| c.0).collect::<Vec<_>>()).unwrap_or_default();
        let tx = self.conn.transaction()?;
        let upto: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM entries", [], |r| r.get(0))?;
        tx.execute("DELETE FROM snapshots", [])?;
        tx.execute(
            "INSERT INTO snapshots (upto, state, live) VALUES (?1, ?2, ?3)",
            params![upto, state, live],
        )?;
        tx.execute("DELETE FROM entries WHERE seq <= ?1", params![upto])?;
        tx.commit()?;
        Ok(())
    }

    /// The latest snapshot and the calls live at it.
    fn snapshot(&self) -> Result<Option<(Snapshot, Vec<CallId>)>, JournalError> {
        let mut st = self
            .conn
            .prepare("SELECT upto, state, live FROM snapshots ORDER BY upto DESC LIMIT 1")?;
        let mut rows = st.query([])?;
        let Some(r) = rows.next()? else { return Ok(None) };
        let (upto, state, live): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let bad = |message: String| JournalError::Row { row: upto, message };
        let snapshot = Snapshot::from_json(&state).map_err(|e| bad(e.to_string()))?;
        let live: Vec<u64> = serde_json::from_str(&live).map_err(|e| bad(e.to_string()))?;
        Ok(Some((snapshot, live.into_iter().map(CallId).collect())))
    }

    /// Rebuilds the engine: the latest snapshot (or a new engine from `config` and
    /// `seed`), then every entry after it. Also returns the calls the journal knows
    /// were offered and may still be live.
    pub fn recover(
        &self,
        config: callroute::Config,
        seed: u64,
    ) -> Result<(Engine, Vec<CallId>), JournalError> {
        let (mut engine, mut offered) = match self.snapshot()? {
            Some((snapshot, live)) => (Engine::restore(snapshot)?, live),
            None => (Engine::new(config, seed)?, Vec::new()),
        };
        for e in self.entries()? {
            if let Some(Input::CallOffered { call, .. }) = &e.input {
                offered.push(*call);
            }
            engine.apply_entry(&e)?;
        }
        engine.drain();
        offered.retain(|c| engine.has_call(*c));
        Ok((engine, offered))
    }

    /// Number of entries after the latest snapshot.
    pub fn len(&self) -> Result<u64, JournalError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM entries WHERE seq > (SELECT COALESCE(MAX(upto), 0) FROM snapshots)",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Whether there is nothing after the latest snapshot.
    pub fn is_empty(&self) -> Result<bool, JournalError> {
        Ok(self.len()? == 0)
    }

    /// Saves (or replaces) the resumable state of a live call.
    pub fn save_call(&self, call: u64, state: &str) -> Result<(), JournalError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO calls (call, state) VALUES (?1, ?2)",
            params![call as i64, state],
        )?;
        Ok(())
    }

    /// Forgets a call that ended.
    pub fn remove_call(&self, call: u64) -> Result<(), JournalError> {
        self.conn
            .execute("DELETE FROM calls WHERE call = ?1", params![call as i64])?;
        Ok(())
    }

    /// The saved live calls.
    pub fn calls(&self) -> Result<Vec<(u64, String)>, JournalError> {
        let mut st = self.conn.prepare("SELECT call, state FROM calls ORDER BY call")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callroute::AgentId;

    #[test]
    fn entries_and_calls_survive_reopening() {
        let path = std::env::temp_dir().join(format!("callroute-sip-journal-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        {
            let j = Journal::open(&path).unwrap();
            j.append(&JournalEntry {
                at: 5,
                input: Some(Input::Login { agent: AgentId(7) }),
            })
            .unwrap();
            j.append(&JournalEntry { at: 9, input: None }).unwrap();
            j.save_call(1, "a").unwrap();
            j.save_call(2, "b").unwrap();
            j.save_call(1, "c").unwrap();
            j.remove_call(2).unwrap();
        }
        let j = Journal::open(&path).unwrap();
        let e = j.entries().unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].input, Some(Input::Login { agent: AgentId(7) }));
        assert_eq!((e[1].at, e[1].input.is_none()), (9, true));
        assert_eq!(j.calls().unwrap(), vec![(1, "c".to_string())]);
        drop(j);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn recovery_from_a_snapshot_and_later_entries_gives_the_same_engine() {
        let path = std::env::temp_dir().join(format!("callroute-sip-compact-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let config = callroute::Config::from_toml_str(
            "[[queues]]\nid = 1\n[[agents]]\nid = 7\nqueues = [1]\n[[agents]]\nid = 8\nqueues = [1]\n",
            "t.toml",
        )
        .unwrap();
        let mut j = Journal::open(&path).unwrap();
        let mut live = Engine::new(config.clone(), 3).unwrap();
        let mut feed = |j: &Journal, at, input: Input| {
            live.handle_input(at, input.clone()).unwrap();
            j.append(&JournalEntry {
                at,
                input: Some(input),
            })
            .unwrap();
        };
        feed(&j, 10, Input::Login { agent: AgentId(7) });
        let offer = |call| Input::CallOffered {
            call: CallId(call),
            ani: "1".into(),
            dnis: "2".into(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        };
        feed(&j, 20, offer(1));
        feed(
            &j,
            20,
            Input::EnterQueue {
                call: CallId(1),
                queue: callroute::QueueId(1),
                priority: None,
                requirement: None,
            },
        );
        let (engine, offered) = j.recover(config.clone(), 3).unwrap();
        assert_eq!(offered, vec![CallId(1)]);
        j.compact(&engine.snapshot(), &offered).unwrap();
        assert_eq!(j.len().unwrap(), 0);
        feed(&j, 30, Input::Login { agent: AgentId(8) });
        feed(&j, 40, offer(2));
        let (engine, offered) = j.recover(config, 3).unwrap();
        assert_eq!(offered, vec![CallId(1), CallId(2)]);
        live.drain(); // recovery drops pending outputs: they were carried out before

        assert_eq!(j.len().unwrap(), 2);
        assert_eq!(
            engine.snapshot().to_json().unwrap(),
            live.snapshot().to_json().unwrap()
        );
        drop(j);
        let _ = std::fs::remove_file(&path);
    }
}

//! The embedded journal: every engine input (and fired timeout) in SQLite, replayed on
//! start so a restarted adapter has the same queues, agents and statistics; plus the
//! SIP dialogs of live calls so their callers can still be reached.

use callroute::JournalEntry;
use rusqlite::{Connection, params};
use std::path::Path;

/// A journal failure.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite failed.
    #[error("journal: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
            "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, entry TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS calls (call INTEGER PRIMARY KEY, state TEXT NOT NULL);",
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

    /// Every entry in order.
    pub fn entries(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let mut st = self.conn.prepare("SELECT seq, entry FROM entries ORDER BY seq")?;
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
    use callroute::{AgentId, Input};

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
}

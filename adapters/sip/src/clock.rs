//! The adapter's clock: the one place that reads system time. The engine gets
//! milliseconds since the Unix epoch (its calendars read them as UTC), never going
//! backwards even if the system clock is stepped.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A monotonic millisecond clock anchored to the Unix epoch at start.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    epoch_ms: u64,
}

impl Clock {
    /// Reads the system clock once.
    #[allow(clippy::disallowed_methods)] // the host owns the clock
    pub fn start() -> Clock {
        let epoch_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Clock {
            start: Instant::now(),
            epoch_ms,
        }
    }

    /// Milliseconds since the Unix epoch, monotonic.
    pub fn now(&self) -> u64 {
        self.epoch_ms + self.start.elapsed().as_millis() as u64
    }

    /// How long until `at` (zero if it passed).
    pub fn until(&self, at: u64) -> Duration {
        Duration::from_millis(at.saturating_sub(self.now()))
    }
}

//! Small copyable identifiers. Agents, queues and calls are numbered by the host
//! (agent numbers, queue numbers, the PBX's call or channel id), so bindings never hold
//! borrowed objects.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds on the host's clock. The host chooses the epoch; the engine only
/// compares and subtracts timestamps.
pub type Millis = u64;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty), $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl From<$inner> for $name {
            fn from(v: $inner) -> Self {
                Self(v)
            }
        }
    };
}

id_type!(
    /// A call (or chat, email, callback: any contact), numbered by the host.
    CallId(u64),
    "call "
);
id_type!(
    /// An agent, by agent number.
    AgentId(u32),
    "agent "
);
id_type!(
    /// A queue (skill group), by queue number.
    QueueId(u32),
    "queue "
);

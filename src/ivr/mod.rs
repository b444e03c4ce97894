//! IVR flows: the definition format ([`model`]), loading with exact error locations
//! ([`source`]), the flow graph ([`graph`]), validation ([`lint`]), rendering
//! ([`render`]), CEL conditions ([`expr`]), execution inside the engine ([`session`]),
//! and scripted flow tests ([`testing`]).

pub mod expr;
pub mod graph;
pub mod lint;
pub mod model;
pub mod render;
pub mod session;
pub mod source;
pub mod testing;

pub use model::{Flow, IvrConfig, Node, NodeId};

/// Where a call is in the IVR (see [`crate::Engine::ivr_status`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IvrStatus {
    /// Flow id.
    pub flow: String,
    /// Node id.
    pub node: NodeId,
    /// Locale.
    pub locale: String,
    /// Variables (sensitive input left out).
    pub vars: std::collections::BTreeMap<String, String>,
    /// What the call waits for: `prompt`, `digits`, `lookup`, `recording`, `queue`
    /// or `nothing` (the IVR is done with it).
    pub waiting_for: String,
}

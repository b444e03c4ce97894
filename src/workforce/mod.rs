//! Workforce planning: Erlang B / C / A queue formulas and staffing solvers.
//!
//! * **Erlang B** ([`erlang_b`], [`erlang_b_trunks`]): blocking of a loss
//!   system, for trunk sizing.
//! * **Erlang C** ([`erlang_c`], [`erlang_c_metrics`]): M/M/c with infinitely
//!   patient callers: probability of waiting, service level, ASA, occupancy.
//!   Unstable systems (`agents <= load`) are a typed error
//!   ([`WorkforceError::Unstable`]).
//! * **Erlang A** ([`erlang_a_metrics`]): M/M/c+M (Palm's model) with
//!   exponential patience: probability of waiting and of abandoning, service
//!   level, ASA of answered calls, occupancy; stable for any agent count.
//! * **Solvers** ([`required_agents`], [`scheduled_agents`]): the minimum
//!   agents meeting any combination of service level, maximum ASA, maximum
//!   abandonment and maximum occupancy, then shrinkage.
//! * **Interval tables** ([`staffing_table`], [`parse_forecast_csv`]): a
//!   staffing table from a forecast, as JSON or CSV.
//!
//! Every formula and its source is documented in `docs/workforce.md`. The
//! module is pure computation: no clocks, no randomness, no I/O except
//! [`StaffingTable::write_csv`] into a caller-supplied writer. Invalid input
//! never panics; it returns a [`WorkforceError`] with a stable code
//! (4000–4099) and the path of the offending field.
//!
//! ```rust
//! use callroute::workforce::{Targets, Workload, required_agents, scheduled_agents};
//!
//! // 100 calls per half hour, 3-minute AHT: 10 Erlangs.
//! let workload = Workload::from_calls(100.0, 1800.0, 180.0).unwrap();
//! let staffed = required_agents(&workload, &Targets::service_level(0.8, 20.0)).unwrap();
//! assert_eq!(staffed.agents, 14);
//! assert!(staffed.service_level >= 0.8);
//! // 30 % shrinkage: schedule ⌈14 / 0.7⌉ = 20.
//! assert_eq!(scheduled_agents(staffed.agents, 0.3).unwrap(), 20);
//! ```

mod erlang;
mod error;
mod special;
mod staffing;
mod table;

pub use erlang::{
    ErlangAMetrics, ErlangCMetrics, erlang_a_metrics, erlang_b, erlang_b_trunks, erlang_c, erlang_c_metrics,
    offered_load,
};
pub use error::WorkforceError;
pub use staffing::{StaffingResult, Targets, Workload, required_agents, scheduled_agents};
pub use table::{
    FORECAST_CSV_HEADER, ForecastRow, IntervalStaffing, StaffingTable, TABLE_CSV_HEADER, TableConfig,
    parse_forecast_csv, staffing_table,
};

/// Largest agent / server count any function evaluates or any solver
/// searches (2,000,000). Solvers return
/// [`WorkforceError::AgentCapExceeded`] beyond it.
pub const MAX_AGENTS: u32 = 2_000_000;

/// Largest accepted offered load, in Erlangs (1,000,000).
pub const MAX_LOAD: f64 = 1e6;

/// Smallest accepted ratio `patience_secs / aht_secs` for Erlang A.
pub const MIN_PATIENCE_RATIO: f64 = 1e-6;

/// Largest accepted ratio `patience_secs / aht_secs` for Erlang A; beyond
/// it Erlang A is indistinguishable from Erlang C (use no patience).
pub const MAX_PATIENCE_RATIO: f64 = 1e6;

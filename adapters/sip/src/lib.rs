//! # callroute-sip
//!
//! The reference telephony adapter of callroute: a SIP application server that a PBX
//! trunks calls to. It owns the sockets and the clock and drives the sans-IO
//! [`callroute::Engine`]; the SIP layer ([`sip`]) is itself sans-IO.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
pub mod config;
pub mod host;
pub mod journal;
pub mod media;
pub mod security;
pub mod sip;

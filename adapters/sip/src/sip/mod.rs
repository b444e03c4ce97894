//! The SIP layer, sans-IO: messages parsed by `rsip`, transactions and dialogs in an
//! [`Endpoint`] that sees datagrams and the time but owns no socket.

mod dialog;
mod endpoint;
mod message;
#[cfg(test)]
mod props;
mod stream;
#[cfg(test)]
mod tests;

pub use dialog::{Dialog, DialogId};
pub use endpoint::{Endpoint, Millis, SipError, SipEvent, T1, T2, Transmit, Transport, TxId};
pub use message::{
    Message, ParseError, StartLine, addr_uri, guarded, param, reason_phrase, split_list, uri_addr, uri_user,
};
pub use rsip::Method;
pub use stream::{FrameError, MAX_MESSAGE, next_message};

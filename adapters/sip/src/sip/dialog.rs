//! Dialogs (RFC 3261 section 12): tags, CSeq, remote target and route set.

use super::endpoint::Transport;
use super::message::{Message, addr_uri, uri_addr};
use rsip::Method;
use std::net::SocketAddr;

/// A dialog's id, chosen by the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId(pub u64);

/// The state of one dialog (serde, so a restarted host can resume it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dialog {
    /// Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
    /// Our name-addr with tag (From of our requests).
    pub local_uri: String,
    /// The peer's name-addr with tag (To of our requests).
    pub remote_uri: String,
    /// Last CSeq we sent.
    pub local_cseq: u32,
    /// Last CSeq the peer sent.
    pub remote_cseq: Option<u32>,
    /// The peer's Contact URI.
    pub remote_target: String,
    /// Route set, in the order our requests carry it.
    pub route_set: Vec<String>,
    /// Where the dialog's first message came from (fallback destination).
    pub peer: SocketAddr,
    /// The transport of its requests.
    #[serde(default)]
    pub transport: Transport,
}

impl Dialog {
    /// The dialog a UAS creates when it answers `invite` (its route set is the
    /// Record-Route list in order).
    pub fn as_uas(invite: &Message, local_tag: &str, peer: SocketAddr, transport: Transport) -> Dialog {
        let to = invite.header("To").unwrap_or_default();
        Dialog {
            call_id: invite.call_id().to_string(),
            local_tag: local_tag.to_string(),
            remote_tag: invite.from_tag().unwrap_or_default().to_string(),
            local_uri: format!("{to};tag={local_tag}"),
            remote_uri: invite.header("From").unwrap_or_default().to_string(),
            local_cseq: 0,
            remote_cseq: invite.cseq().map(|(n, _)| n),
            remote_target: invite.uri_of("Contact").unwrap_or_default(),
            route_set: invite.header_list("Record-Route"),
            peer,
            transport,
        }
    }

    /// The dialog a UAC creates from the 2xx to its `invite` (route set reversed).
    pub fn as_uac(invite: &Message, ok: &Message, peer: SocketAddr, transport: Transport) -> Dialog {
        let mut route_set = ok.header_list("Record-Route");
        route_set.reverse();
        Dialog {
            call_id: invite.call_id().to_string(),
            local_tag: invite.from_tag().unwrap_or_default().to_string(),
            remote_tag: ok.to_tag().unwrap_or_default().to_string(),
            local_uri: invite.header("From").unwrap_or_default().to_string(),
            remote_uri: ok.header("To").unwrap_or_default().to_string(),
            local_cseq: invite.cseq().map(|(n, _)| n).unwrap_or(1),
            remote_cseq: None,
            remote_target: ok.uri_of("Contact").unwrap_or_default(),
            route_set,
            peer,
            transport,
        }
    }

    /// A new request in this dialog (loose routing: the Request-URI is the remote
    /// target, the route set goes into Route headers). Takes the next CSeq unless
    /// `cseq` is given (ACK and CANCEL reuse the INVITE's).
    pub fn request(&mut self, method: Method, cseq: Option<u32>) -> Message {
        let n = match cseq {
            Some(n) => n,
            None => {
                self.local_cseq += 1;
                self.local_cseq
            }
        };
        let mut m = Message::request(method, self.remote_target.clone());
        for r in &self.route_set {
            m.push("Route", r.clone());
        }
        m.push("From", self.local_uri.clone());
        m.push("To", self.remote_uri.clone());
        m.push("Call-ID", self.call_id.clone());
        m.push("CSeq", format!("{n} {method}"));
        m.push("Max-Forwards", "70");
        m
    }

    /// Where requests in this dialog go: the first route, else the remote target,
    /// else the address the dialog came from.
    pub fn next_hop(&self) -> SocketAddr {
        self.route_set
            .first()
            .map(|r| addr_uri(r))
            .and_then(|u| uri_addr(&u))
            .or_else(|| uri_addr(&self.remote_target))
            .unwrap_or(self.peer)
    }

    /// Checks and records the CSeq of a request from the peer. A lower or equal CSeq
    /// (other than ACK and CANCEL) is out of order and gets 500.
    pub fn accept_remote_cseq(&mut self, m: &Message) -> bool {
        let Some((n, method)) = m.cseq() else { return false };
        if matches!(method, Method::Ack | Method::Cancel) {
            return true;
        }
        if self.remote_cseq.is_some_and(|last| n <= last) {
            return false;
        }
        self.remote_cseq = Some(n);
        true
    }
}

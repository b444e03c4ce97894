//! SIP over TCP: a listener on the SIP address, one reader thread per connection that
//! frames messages by Content-Length, and the connections kept by peer address so
//! responses and in-dialog requests go back over them.

use super::{Host, Inbound};
use crate::sip::{FrameError, next_message};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Reads messages from one connection until it closes or sends garbage.
fn read_connection(mut stream: TcpStream, peer: SocketAddr, inbound: Sender<Inbound>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        loop {
            match next_message(&mut buf) {
                Ok(Some(data)) => {
                    if inbound.send(Inbound::SipStream { from: peer, data }).is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(FrameError) => {
                    let _ = inbound.send(Inbound::TcpClosed { peer });
                    return;
                }
            }
        }
    }
    let _ = inbound.send(Inbound::TcpClosed { peer });
}

/// Starts the reader of a connection and hands its writing half to the loop.
fn adopt(stream: TcpStream, inbound: &Sender<Inbound>) -> std::io::Result<()> {
    let peer = stream.peer_addr()?;
    let reader = stream.try_clone()?;
    let tx = inbound.clone();
    std::thread::Builder::new()
        .name(format!("sip-tcp-{peer}"))
        .spawn(move || read_connection(reader, peer, tx))?;
    let _ = inbound.send(Inbound::TcpOpen { peer, stream });
    Ok(())
}

/// Accepts connections on the SIP address.
pub(crate) fn listen(listener: TcpListener, inbound: Sender<Inbound>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("sip-tcp".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Err(e) = adopt(stream, &inbound) {
                    tracing::warn!(error = %e, "TCP connection not adopted");
                }
            }
        })?;
    Ok(())
}

impl Host {
    /// Sends a message over the TCP connection with `to`, connecting first if needed.
    pub(super) fn send_tcp(&mut self, to: SocketAddr, data: &[u8]) {
        if !self.tcp.contains_key(&to) {
            match TcpStream::connect_timeout(&to, Duration::from_secs(2)) {
                Ok(s) => {
                    if let (Ok(reader), Ok(peer)) = (s.try_clone(), s.peer_addr()) {
                        let tx = self.inbound.clone();
                        let _ = std::thread::Builder::new()
                            .name(format!("sip-tcp-{peer}"))
                            .spawn(move || read_connection(reader, peer, tx));
                    }
                    self.tcp.insert(to, s);
                }
                Err(e) => {
                    tracing::warn!(%to, error = %e, "SIP over TCP: no connection");
                    return;
                }
            }
        }
        let failed = self.tcp.get_mut(&to).is_some_and(|s| s.write_all(data).is_err());
        if failed {
            tracing::warn!(%to, "SIP over TCP: write failed, connection dropped");
            self.tcp.remove(&to);
        }
    }
}

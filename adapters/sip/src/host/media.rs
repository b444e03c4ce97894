//! RTP sockets of call legs: one UDP socket per leg, read by a small thread that
//! forwards packets to the host loop.

use super::Inbound;
use crate::media::{Codec, RemoteMedia, RtpSender};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// One leg's RTP socket and outgoing stream.
pub struct MediaLeg {
    sock: UdpSocket,
    /// Local RTP port.
    pub port: u16,
    /// The peer's media, once known from SDP.
    pub remote: Option<RemoteMedia>,
    sender: RtpSender,
    stop: Arc<AtomicBool>,
}

impl MediaLeg {
    /// Binds the first free even port in `ports` (or exactly `want`) and starts reading.
    pub fn open(
        ip: IpAddr,
        ports: (u16, u16),
        want: Option<u16>,
        inbound: Sender<Inbound>,
        seed: u64,
    ) -> std::io::Result<MediaLeg> {
        let candidates: Vec<u16> = match want {
            Some(p) => vec![p],
            None => (ports.0..=ports.1).filter(|p| p % 2 == 0).collect(),
        };
        let sock = candidates
            .iter()
            .find_map(|&p| UdpSocket::bind(SocketAddr::new(ip, p)).ok())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrInUse, "no free RTP port"))?;
        let port = sock.local_addr()?.port();
        let reader = sock.try_clone()?;
        reader.set_read_timeout(Some(Duration::from_millis(200)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name(format!("rtp-{port}"))
            .spawn(move || {
                let mut buf = [0u8; 2048];
                while !flag.load(Ordering::Relaxed) {
                    if let Ok((n, from)) = reader.recv_from(&mut buf)
                        && inbound
                            .send(Inbound::Rtp {
                                port,
                                from,
                                data: buf[..n].to_vec(),
                            })
                            .is_err()
                    {
                        break;
                    }
                }
            })?;
        Ok(MediaLeg {
            sock,
            port,
            remote: None,
            sender: RtpSender::new(Codec::Pcmu, seed),
            stop,
        })
    }

    /// Sets the peer's media (from its SDP) and the codec we send.
    pub fn set_remote(&mut self, remote: RemoteMedia) {
        self.sender.codec = remote.codec;
        self.remote = Some(remote);
    }

    /// The codec of this leg.
    pub fn codec(&self) -> Codec {
        self.sender.codec
    }

    /// Sends one frame of samples, if the peer is known.
    pub fn send(&mut self, samples: &[i16]) {
        if let Some(r) = &self.remote {
            let pkt = self.sender.packet(samples);
            let _ = self.sock.send_to(&pkt, r.rtp);
        }
    }
}

impl Drop for MediaLeg {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

//! RTP sockets of call legs: one UDP socket per leg, read by a small thread that
//! forwards packets to the host loop.

use super::{Host, Inbound, Side};
use crate::media::Player;
use crate::media::parse_rtp;
use crate::media::{Codec, RemoteMedia, RtpSender};
use callroute::{CallId, Input};
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

impl Host {
    /// RTP from a caller or an agent: digits, relay, recording.
    pub(super) fn on_rtp(&mut self, port: u16, _from: SocketAddr, data: &[u8]) {
        self.metrics.rtp_in += 1;
        let Some(&(id, side)) = self.ports.get(&port) else {
            return;
        };
        let Some(pkt) = parse_rtp(data) else { return };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let leg = match side {
            Side::Caller => &call.media,
            Side::Agent => match &call.agent {
                Some(a) => &a.media,
                None => return,
            },
        };
        let Some(remote) = &leg.remote else { return };
        if remote.telephone_event == Some(pkt.payload_type) {
            if side == Side::Caller
                && let Some(d) = call.dtmf.on_packet(pkt.timestamp, &pkt.payload)
            {
                self.metrics.dtmf_rtp += 1;
                let _ = self.feed(Input::Dtmf {
                    call: id,
                    digits: d.to_string(),
                });
            }
            return;
        }
        let Some(codec) = crate::media::Codec::from_payload_type(pkt.payload_type) else {
            return;
        };
        let samples = codec.decode(&pkt.payload);
        if let Some(rec) = &mut call.recorder {
            rec.push(side, &samples);
        }
        if call.relay {
            match side {
                Side::Caller => {
                    if let Some(a) = &mut call.agent {
                        a.media.send(&samples);
                    }
                }
                Side::Agent => call.media.send(&samples),
            }
        }
    }

    /// One 20 ms frame for every call with something to play or record.
    pub(super) fn media_tick(&mut self) {
        let mut finished = Vec::new();
        for (&id, call) in self.calls.iter_mut() {
            if let Some(rec) = &mut call.recorder {
                rec.tick();
            }
            let Some(player) = &mut call.player else { continue };
            match player.next_frame() {
                Some(frame) => call.media.send(&frame),
                None => {
                    call.player = None;
                    if call.prompt_playing {
                        call.prompt_playing = false;
                        finished.push(id);
                    }
                }
            }
        }
        for id in finished {
            self.resume_music(id);
            self.pending.push_back(Input::PromptFinished { call: id });
        }
        if !self.pending.is_empty() {
            self.drain_engine();
        }
        if self
            .calls
            .values()
            .all(|c| c.player.is_none() && c.recorder.is_none())
        {
            self.next_tick = None;
        }
    }

    pub(super) fn resume_music(&mut self, id: CallId) {
        let Some(class) = self.calls.get(&id).and_then(|c| c.moh.clone()) else {
            return;
        };
        let tracks = self.sounds.music(&class);
        if let Some(c) = self.calls.get_mut(&id)
            && c.player.is_none()
            && !c.relay
        {
            c.player = Some(Player::looping(tracks));
        }
        self.start_ticking();
    }

    pub(super) fn start_ticking(&mut self) {
        if self.next_tick.is_none() {
            self.next_tick = Some(self.clock.now());
        }
    }
}

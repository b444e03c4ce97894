//! Runs real peers around the adapter: kamailio as the PBX, baresip phones for callers
//! and agents. Every process is bounded in time and killed by its own PID on drop;
//! every wait has a timeout; everything listens on 127.0.0.1 on ports private to one
//! test.

#![allow(dead_code)]

use callroute_sip::clock::Clock;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SOUNDS: &str = "/usr/share/asterisk/sounds/en_US_f_Allison";
pub const MOH: &str = "/usr/share/asterisk/moh";

/// A point in time a wait must not pass (the adapter's clock, the one allowed to
/// read system time).
pub struct Deadline {
    clock: Clock,
    end: u64,
}

impl Deadline {
    pub fn secs(secs: u64) -> Deadline {
        let clock = Clock::start();
        let end = clock.now() + secs * 1000;
        Deadline { clock, end }
    }
    pub fn passed(&self) -> bool {
        self.clock.now() >= self.end
    }
}

/// A child process killed when dropped.
pub struct Proc {
    child: Child,
}

impl Proc {
    fn spawn(cmd: &mut Command, log: &Path) -> Proc {
        let out = std::fs::File::create(log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = cmd
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn");
        Proc { child }
    }

    /// Ends the process: SIGTERM (which `timeout` passes on to the peer it runs, and
    /// which ends the adapter at once, as a crash would: it installs no handler), then
    /// SIGKILL if it is still there after a second.
    pub fn kill(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Deadline::secs(1);
        while !deadline.passed() {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn wait_port_udp(port: u16) {
    // The peers need a moment to bind; poll until the port is taken.
    let deadline = Deadline::secs(5);
    while !deadline.passed() {
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on UDP port {port}");
}

/// How the adapter connects calls in a test.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Refer,
    B2bua,
}

/// Kamailio and the adapter, with their folder and ports.
pub struct Center {
    pub dir: PathBuf,
    pub base: u16,
    pub rtp: u16,
    pub mode: Mode,
    pub allow: String,
    kamailio: Proc,
    adapter: Option<Proc>,
    adapter_runs: u32,
}

impl Center {
    pub fn proxy_port(&self) -> u16 {
        self.base
    }
    pub fn adapter_port(&self) -> u16 {
        self.base + 2
    }
    pub fn http_port(&self) -> u16 {
        self.base + 4
    }

    /// Starts kamailio and the adapter for one test. `slot` picks private ports.
    pub fn start(name: &str, slot: u16, mode: Mode, allow: &str) -> Center {
        // Ports below the kernel's ephemeral range; a run picks one of four regions so a
        // quick re-run does not meet the previous run's sockets in TIME_WAIT.
        let region = (std::process::id() % 4) as u16;
        let base = 12_000 + region * 1_000 + slot * 100;
        let rtp = 20_000 + region * 3_000 + slot * 200;
        let dir = std::env::temp_dir().join(format!("callroute-sip-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("run")).unwrap();
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
        let cfg = std::fs::read_to_string(here.join("kamailio.cfg"))
            .unwrap()
            .replace("PROXY_PORT", &base.to_string())
            .replace("ADAPTER_PORT", &(base + 2).to_string());
        std::fs::write(dir.join("kamailio.cfg"), cfg).unwrap();
        let kamailio = Proc::spawn(
            Command::new("timeout")
                .args(["300", "kamailio", "-DD", "-E", "-m", "32", "-M", "8", "-f"])
                .arg(dir.join("kamailio.cfg"))
                .arg("-P")
                .arg(dir.join("kamailio.pid"))
                .arg("-Y")
                .arg(dir.join("run")),
            &dir.join("kamailio.log"),
        );
        wait_port_udp(base);
        let mut c = Center {
            dir,
            base,
            rtp,
            mode,
            allow: allow.to_string(),
            kamailio,
            adapter: None,
            adapter_runs: 0,
        };
        c.start_adapter();
        c
    }

    fn adapter_config(&self) -> String {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
        let mode = match self.mode {
            Mode::Refer => "refer",
            Mode::B2bua => "b2bua",
        };
        format!(
            r#"engine = "{engine}"
connect = "{mode}"
[sip]
listen = "127.0.0.1:{sip}"
allow = [{allow}]
[media]
rtp_ports = [{lo}, {hi}]
sounds_dir = "{SOUNDS}"
moh_dir = "{MOH}"
recordings_dir = "{dir}"
[agents]
201 = "sip:agent201@127.0.0.1:{a1}"
[ops]
http = "127.0.0.1:{http}"
journal = "{dir}/journal.sqlite"
# Compact often, so restarts recover from a snapshot plus entries.
compact_every = 3
events = "{dir}/events.jsonl"
"#,
            engine = here.join("center.toml").display(),
            sip = self.adapter_port(),
            allow = self.allow,
            lo = self.rtp,
            hi = self.rtp + 59,
            dir = self.dir.display(),
            a1 = self.base + 20,
            http = self.http_port(),
        )
    }

    /// Starts (or restarts) the adapter with the same journal.
    pub fn start_adapter(&mut self) {
        std::fs::write(self.dir.join("adapter.toml"), self.adapter_config()).unwrap();
        self.adapter_runs += 1;
        let log = self.dir.join(format!("adapter-{}.log", self.adapter_runs));
        let proc = Proc::spawn(
            Command::new("timeout")
                .arg("300")
                .arg(env!("CARGO_BIN_EXE_callroute-sip"))
                .arg("--config")
                .arg(self.dir.join("adapter.toml"))
                .env("CALLROUTE_LOG", "debug"),
            &log,
        );
        self.adapter = Some(proc);
        let deadline = Deadline::secs(10);
        while !deadline.passed() {
            if self.try_http("GET", "/health").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("adapter did not start; see {}", log.display());
    }

    /// The log of the adapter's `run`-th start.
    pub fn adapter_log(&self, run: u32) -> String {
        std::fs::read_to_string(self.dir.join(format!("adapter-{run}.log"))).unwrap_or_default()
    }

    /// Kills the adapter mid-call (SIGTERM, no clean-up runs).
    pub fn crash_adapter(&mut self) {
        if let Some(mut p) = self.adapter.take() {
            p.kill();
        }
    }

    fn try_http(&self, method: &str, path: &str) -> Option<(u16, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.http_port())).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
        )
        .ok()?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).ok()?;
        let code = resp.split_whitespace().nth(1)?.parse().ok()?;
        let body = resp
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Some((code, body))
    }

    /// An HTTP call that must succeed with 200 and JSON.
    pub fn http(&self, method: &str, path: &str) -> Value {
        let (code, body) = self.try_http(method, path).expect("HTTP request");
        assert_eq!(code, 200, "{method} {path}: {body}");
        serde_json::from_str(&body).unwrap_or(Value::Null)
    }

    pub fn stats(&self) -> Value {
        self.http("GET", "/stats")
    }

    /// Logs an agent in and makes it ready.
    pub fn agent_ready(&self, agent: u32) {
        self.http("POST", &format!("/agents/{agent}/login"));
        self.http("POST", &format!("/agents/{agent}/ready"));
    }

    /// Waits until `check` holds for the stats, or panics with the last stats.
    pub fn wait_stats(&self, what: &str, secs: u64, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Deadline::secs(secs);
        loop {
            let s = self.stats();
            if check(&s) {
                return s;
            }
            if deadline.passed() {
                panic!("timed out waiting for {what}; stats: {s:#}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The queue totals of queue `id`.
    pub fn totals(s: &Value, id: u64) -> Value {
        s["queues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["status"]["queue"] == id)
            .unwrap()["totals"]
            .clone()
    }

    /// The status of agent `id`.
    pub fn agent(s: &Value, id: u64) -> Value {
        s["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()
            .clone()
    }

    /// Lines of the events log.
    pub fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join("events.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for Center {
    fn drop(&mut self) {
        self.crash_adapter();
        self.kamailio.kill();
        // Keep the logs and recordings of a failed test for a look.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A baresip phone driven over ctrl_tcp.
pub struct Phone {
    proc: Proc,
    ctrl: TcpStream,
    buf: Vec<u8>,
    pub snd: PathBuf,
    pub sip_port: u16,
    pub events: Vec<Value>,
}

/// A 60 s sine tone at `hz`, the phone's microphone.
pub fn tone(dir: &Path, hz: u32) -> PathBuf {
    let path = dir.join(format!("tone-{hz}.wav"));
    crate::common::write_tone(&path, f64::from(hz), 60.0);
    path
}

impl Phone {
    /// Starts a phone `user` on `sip_port`; `answer` is `Some("auto")` or
    /// `Some("manual")` for an agent, `None` for a caller. A user `agent-ID` registers
    /// with the adapter instead of being configured there.
    pub fn start(
        center: &Center,
        user: &str,
        sip_port: u16,
        ctrl_port: u16,
        rtp: u16,
        hz: u32,
        answer: Option<&str>,
    ) -> Phone {
        let dir = center.dir.join(user);
        let snd = dir.join("snd");
        std::fs::create_dir_all(&snd).unwrap();
        let source = tone(&dir, hz);
        let config = format!(
            "sip_listen 127.0.0.1:{sip_port}\nnet_interface 127.0.0.1\naudio_source aufile,{src}\n\
audio_player aubridge,nil\naudio_alert aubridge,nil\nrtp_ports {rtp}-{rtp_hi}\n\
module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule aufile.so\nmodule aubridge.so\n\
module sndfile.so\nmodule account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\n\
ctrl_tcp_listen 127.0.0.1:{ctrl_port}\nsnd_path {snd}\n",
            src = source.display(),
            rtp_hi = rtp + 39,
            snd = snd.display(),
        );
        std::fs::write(dir.join("config"), config).unwrap();
        let mode = answer.map(|a| format!(";answermode={a}")).unwrap_or_default();
        let account = if user.starts_with("agent-") {
            format!(
                "<sip:{user}@127.0.0.1:{}>;regint=60{mode}\n",
                center.adapter_port()
            )
        } else {
            format!("<sip:{user}@127.0.0.1:{sip_port}>;regint=0{mode}\n")
        };
        std::fs::write(dir.join("accounts"), account).unwrap();
        let proc = Proc::spawn(
            Command::new("timeout")
                .args(["300", "baresip", "-f"])
                .arg(&dir)
                .current_dir(&dir),
            &center.dir.join(format!("{user}.log")),
        );
        let deadline = Deadline::secs(10);
        let ctrl = loop {
            if let Ok(s) = TcpStream::connect(("127.0.0.1", ctrl_port)) {
                break s;
            }
            assert!(!deadline.passed(), "baresip {user} did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        ctrl.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        Phone {
            proc,
            ctrl,
            buf: Vec::new(),
            snd,
            sip_port,
            events: Vec::new(),
        }
    }

    /// Sends a ctrl_tcp command.
    pub fn command(&mut self, command: &str, params: &str) {
        let msg = serde_json::json!({"command": command, "params": params, "token": "t"}).to_string();
        write!(self.ctrl, "{}:{},", msg.len(), msg).unwrap();
    }

    fn read_events(&mut self) {
        let mut chunk = [0u8; 4096];
        if let Ok(n) = self.ctrl.read(&mut chunk) {
            self.buf.extend_from_slice(&chunk[..n]);
        }
        // Netstrings: LEN:JSON,
        loop {
            let Some(colon) = self.buf.iter().position(|&b| b == b':') else {
                return;
            };
            let Ok(len) = std::str::from_utf8(&self.buf[..colon])
                .unwrap_or("x")
                .parse::<usize>()
            else {
                self.buf.clear();
                return;
            };
            if self.buf.len() < colon + 1 + len + 1 {
                return;
            }
            let json = self.buf[colon + 1..colon + 1 + len].to_vec();
            self.buf.drain(..colon + 2 + len);
            if let Ok(v) = serde_json::from_slice::<Value>(&json)
                && v["event"] == true
            {
                self.events.push(v);
            }
        }
    }

    /// Waits for an event of this type (seen before or arriving within `secs`).
    pub fn wait_event(&mut self, ty: &str, secs: u64) -> Value {
        let deadline = Deadline::secs(secs);
        loop {
            if let Some(i) = self.events.iter().position(|e| e["type"] == ty) {
                return self.events.remove(i);
            }
            assert!(
                !deadline.passed(),
                "no {ty} within {secs} s; events: {:?}",
                self.events
            );
            self.read_events();
        }
    }

    /// Whether an event of this type arrives within `secs`.
    pub fn saw_event(&mut self, ty: &str, secs: u64) -> bool {
        let deadline = Deadline::secs(secs);
        while !deadline.passed() {
            if self.events.iter().any(|e| e["type"] == ty) {
                return true;
            }
            self.read_events();
        }
        false
    }

    /// Everything this phone heard, from sndfile's decoder recordings, in order.
    pub fn heard(&self) -> Vec<i16> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.snd)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with("-dec.wav"))
            .collect();
        files.sort();
        files
            .iter()
            .flat_map(|f| callroute_sip::media::load_wav(f).unwrap_or_default())
            .collect()
    }
}

/// RMS per 20 ms block.
pub fn envelope(samples: &[i16]) -> Vec<f64> {
    samples
        .chunks(160)
        .map(|c| (c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / c.len() as f64).sqrt())
        .collect()
}

/// The best correlation of `pattern`'s envelope against any stretch of `audio`'s.
pub fn best_match(audio: &[i16], pattern: &[i16]) -> f64 {
    let (a, p) = (envelope(audio), envelope(pattern));
    if a.len() < p.len() || p.is_empty() {
        return 0.0;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let pm = mean(&p);
    let pd: Vec<f64> = p.iter().map(|x| x - pm).collect();
    let pn = pd.iter().map(|x| x * x).sum::<f64>().sqrt();
    (0..=a.len() - p.len())
        .map(|i| {
            let w = &a[i..i + p.len()];
            let wm = mean(w);
            let num: f64 = w.iter().zip(&pd).map(|(x, y)| (x - wm) * y).sum();
            let wn = w.iter().map(|x| (x - wm).powi(2)).sum::<f64>().sqrt();
            if wn == 0.0 || pn == 0.0 {
                0.0
            } else {
                num / (wn * pn)
            }
        })
        .fold(0.0, f64::max)
}

/// A prompt file's samples.
pub fn prompt(name: &str) -> Vec<i16> {
    callroute_sip::media::load_wav(&Path::new(SOUNDS).join(format!("{name}.wav"))).unwrap()
}

/// The first `secs` of the first music track.
pub fn music(secs: usize) -> Vec<i16> {
    let mut s = callroute_sip::media::load_wav(&Path::new(MOH).join("macroform-cold_day.wav")).unwrap();
    s.truncate(8000 * secs);
    s
}

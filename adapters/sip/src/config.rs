//! The adapter's configuration file (TOML). The engine's own configuration is a
//! separate file it points to.
//!
//! ```
//! let cfg = callroute_sip::config::AdapterConfig::from_toml_str(r#"
//!     engine = "center.toml"
//!     [sip]
//!     listen = "127.0.0.1:5080"
//!     allow = ["127.0.0.0/8"]
//!     [agents]
//!     101 = "sip:agent1@127.0.0.1:5072"
//! "#).unwrap();
//! assert_eq!(cfg.agents.len(), 1);
//! ```

use crate::media::Codec;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A configuration error, with the file it came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML is invalid or has unknown keys.
    #[error("{path}: {message}")]
    Toml {
        /// File.
        path: PathBuf,
        /// Parser message with line and column.
        message: String,
    },
    /// The engine configuration is invalid.
    #[error("engine configuration: {0}")]
    Engine(#[from] callroute::ConfigError),
    /// A value is out of range.
    #[error("{0}")]
    Invalid(String),
}

/// How caller and agent are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectMode {
    /// Blind transfer of the caller to the agent with REFER; falls back to B2BUA for a
    /// caller whose peer refuses REFER.
    #[default]
    Refer,
    /// The adapter calls the agent and relays RTP between the two legs.
    B2bua,
}

/// SIP settings.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SipConfig {
    /// Address to listen on, for UDP and TCP.
    pub listen: SocketAddr,
    /// User part of our Contact.
    #[serde(default = "default_user")]
    pub user: String,
    /// Networks (`10.0.0.0/8`) or addresses that may send calls and REGISTER; others
    /// get 403.
    #[serde(default)]
    pub allow: Vec<ipnet::IpNet>,
    /// Digest credentials (user to password) required of allowed peers, if any.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
    /// Digest realm.
    #[serde(default = "default_user")]
    pub realm: String,
}

fn default_user() -> String {
    "callroute".into()
}

/// Media settings.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MediaConfig {
    /// First and last RTP port (even ports are used).
    #[serde(default = "default_ports")]
    pub rtp_ports: (u16, u16),
    /// Folder of prompt files (`File` parts are relative to it; `digits/N.wav` says numbers).
    #[serde(default)]
    pub sounds_dir: PathBuf,
    /// Folder of music on hold (`CLASS/*.wav`; `*.wav` for class `default`).
    #[serde(default)]
    pub moh_dir: PathBuf,
    /// Text-to-speech command, with `{text}`, `{locale}` and `{out}` placeholders.
    #[serde(default)]
    pub tts_command: Vec<String>,
    /// Codec offered first to agents in B2BUA mode.
    #[serde(default = "default_codec")]
    pub agent_codec: Codec,
    /// Folder for B2BUA call recordings (WAV); none when unset.
    #[serde(default)]
    pub recordings_dir: Option<PathBuf>,
}

fn default_ports() -> (u16, u16) {
    (20000, 20999)
}
fn default_codec() -> Codec {
    Codec::Pcmu
}

/// Operations settings.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpsConfig {
    /// HTTP address for stats, agent commands and metrics.
    #[serde(default)]
    pub http: Option<SocketAddr>,
    /// SQLite journal of engine inputs.
    #[serde(default)]
    pub journal: Option<PathBuf>,
    /// JSON-lines log of engine events and call detail records.
    #[serde(default)]
    pub events: Option<PathBuf>,
    /// Compact the journal (an engine snapshot replaces the entries) at start and
    /// while running, once this many entries follow the last snapshot; 0 never.
    #[serde(default = "default_compact")]
    pub compact_every: u64,
}

fn default_compact() -> u64 {
    10_000
}

/// The whole adapter configuration.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterConfig {
    /// The engine's configuration file.
    pub engine: PathBuf,
    /// Seed of the engine's random choices.
    #[serde(default)]
    pub seed: u64,
    /// The queue for calls the IVR does not take (no entry flow matched).
    #[serde(default)]
    pub default_queue: Option<u32>,
    /// SIP.
    pub sip: SipConfig,
    /// Media.
    #[serde(default = "default_media")]
    pub media: MediaConfig,
    /// How calls reach agents.
    #[serde(default)]
    pub connect: ConnectMode,
    /// Seconds an agent's phone may ring in B2BUA mode before the adapter gives up on
    /// its own (the engine's ring timeout normally ends it first).
    #[serde(default = "default_ring")]
    pub ring_timeout_secs: u32,
    /// Agents' phones by agent id. Agents may also REGISTER as `agent-ID`.
    #[serde(default)]
    pub agents: BTreeMap<u32, String>,
    /// Operations.
    #[serde(default)]
    pub ops: OpsConfig,
    /// Folder the relative paths are resolved against (the file's folder).
    #[serde(skip)]
    pub base: PathBuf,
}

fn default_media() -> MediaConfig {
    MediaConfig {
        rtp_ports: default_ports(),
        sounds_dir: PathBuf::new(),
        moh_dir: PathBuf::new(),
        tts_command: Vec::new(),
        agent_codec: default_codec(),
        recordings_dir: None,
    }
}
impl Default for OpsConfig {
    fn default() -> Self {
        OpsConfig {
            http: None,
            journal: None,
            events: None,
            compact_every: default_compact(),
        }
    }
}

fn default_ring() -> u32 {
    60
}

impl AdapterConfig {
    /// Parses TOML; relative paths stay relative to the current folder.
    pub fn from_toml_str(src: &str) -> Result<AdapterConfig, ConfigError> {
        Self::parse(src, Path::new("<string>"))
    }

    fn parse(src: &str, path: &Path) -> Result<AdapterConfig, ConfigError> {
        let cfg: AdapterConfig = toml::from_str(src).map_err(|e| ConfigError::Toml {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let (lo, hi) = cfg.media.rtp_ports;
        if lo == 0 || hi < lo + 1 {
            return Err(ConfigError::Invalid(format!(
                "media.rtp_ports: bad range {lo}-{hi}"
            )));
        }
        if cfg.sip.listen.ip().is_unspecified() {
            // The address goes into Via, Contact and SDP: peers must be able to reach it.
            return Err(ConfigError::Invalid(format!(
                "sip.listen: {} is not an address peers can reach; give the interface's address",
                cfg.sip.listen
            )));
        }
        for (id, uri) in &cfg.agents {
            if crate::sip::uri_addr(uri).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "agents.{id}: {uri:?} is not a SIP URI with an IP address"
                )));
            }
        }
        Ok(cfg)
    }

    /// Reads a file; relative paths in it are resolved against its folder.
    pub fn from_path(path: &Path) -> Result<AdapterConfig, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg = Self::parse(&src, path)?;
        cfg.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(cfg)
    }

    /// A path from the file, resolved against its folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// Loads the engine configuration it points to.
    pub fn engine_config(&self) -> Result<callroute::Config, ConfigError> {
        Ok(callroute::Config::from_path(self.resolve(&self.engine))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_configuration_loads_with_its_engine() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapter.toml");
        let cfg = AdapterConfig::from_path(&path).unwrap();
        assert_eq!(cfg.connect, ConnectMode::Refer);
        assert_eq!(
            cfg.agents.get(&201).map(String::as_str),
            Some("sip:agent201@127.0.0.1:5070")
        );
        let engine = cfg.engine_config().unwrap();
        assert_eq!(engine.queues.len(), 2);
    }

    #[test]
    fn mistakes_are_reported_with_the_file() {
        let e = AdapterConfig::from_toml_str("engine = 1").unwrap_err();
        assert!(e.to_string().starts_with("<string>: "), "{e}");
        let ports = "engine = \"x\"\n[sip]\nlisten = \"127.0.0.1:5060\"\n[media]\nrtp_ports = [30000, 20000]";
        assert!(matches!(
            AdapterConfig::from_toml_str(ports),
            Err(ConfigError::Invalid(_))
        ));
        let any = "engine = \"x\"\n[sip]\nlisten = \"0.0.0.0:5060\"";
        assert!(
            matches!(AdapterConfig::from_toml_str(any), Err(ConfigError::Invalid(m)) if m.starts_with("sip.listen"))
        );
        let agent =
            "engine = \"x\"\n[sip]\nlisten = \"127.0.0.1:5060\"\n[agents]\n7 = \"sip:ana@pbx.example\"";
        assert!(
            matches!(AdapterConfig::from_toml_str(agent), Err(ConfigError::Invalid(m)) if m.starts_with("agents.7"))
        );
    }
}

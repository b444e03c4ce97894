//! Audio the adapter plays: announcements rendered from WAV files (8 kHz mono 16-bit,
//! other rates are converted), text through a pluggable renderer, and music on hold.

use super::rtp::FRAME_SAMPLES;
use callroute::output::{Announcement, PromptPart};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why audio could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file could not be read as WAV.
    #[error("{path}: {message}")]
    Wav {
        /// File.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The text renderer failed.
    #[error("text to speech: {0}")]
    Tts(String),
}

/// Loads a WAV file as 8 kHz mono samples (channels mixed down, other rates converted
/// linearly).
pub fn load_wav(path: &Path) -> Result<Vec<i16>, AudioError> {
    let err = |message: String| AudioError::Wav {
        path: path.to_path_buf(),
        message,
    };
    let mut r = hound::WavReader::open(path).map_err(|e| err(e.to_string()))?;
    let spec = r.spec();
    if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 {
        return Err(err("only 16-bit PCM is supported".into()));
    }
    let raw: Vec<i16> = r
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .map_err(|e| err(e.to_string()))?;
    let ch = usize::from(spec.channels.max(1));
    let mono: Vec<i16> = raw
        .chunks(ch)
        .map(|c| (c.iter().map(|&s| i32::from(s)).sum::<i32>() / ch as i32) as i16)
        .collect();
    if spec.sample_rate == 8000 || mono.is_empty() {
        return Ok(mono);
    }
    let ratio = f64::from(spec.sample_rate) / 8000.0;
    let n = (mono.len() as f64 / ratio) as usize;
    Ok((0..n)
        .map(|i| {
            let x = i as f64 * ratio;
            let (j, f) = (x as usize, x.fract());
            let a = f64::from(mono[j]);
            let b = f64::from(*mono.get(j + 1).unwrap_or(&mono[j]));
            (a + (b - a) * f) as i16
        })
        .collect())
}

/// Renders text to 8 kHz mono samples: the hook for a text-to-speech engine.
pub trait TtsRenderer: Send {
    /// Speaks `text` in `locale` (an IVR locale such as `en`).
    fn render(&self, text: &str, locale: Option<&str>) -> Result<Vec<i16>, AudioError>;
}

/// A renderer that runs a command writing a WAV file: `{text}`, `{locale}` and `{out}`
/// in the arguments are replaced (for example `espeak-ng -v {locale} -w {out} {text}`).
#[derive(Debug, Clone)]
pub struct CommandTts {
    /// Program and arguments.
    pub command: Vec<String>,
    /// Folder for the rendered files.
    pub dir: PathBuf,
}

impl TtsRenderer for CommandTts {
    fn render(&self, text: &str, locale: Option<&str>) -> Result<Vec<i16>, AudioError> {
        let hash = format!("{:x}", md5::compute(format!("{locale:?}/{text}")));
        let out = self.dir.join(format!("tts-{hash}.wav"));
        let fill = |a: &String| {
            a.replace("{text}", text)
                .replace("{locale}", locale.unwrap_or("en"))
                .replace("{out}", &out.to_string_lossy())
        };
        let (prog, args) = self
            .command
            .split_first()
            .ok_or_else(|| AudioError::Tts("empty command".into()))?;
        let status = std::process::Command::new(fill(prog))
            .args(args.iter().map(fill))
            .status()
            .map_err(|e| AudioError::Tts(e.to_string()))?;
        if !status.success() {
            return Err(AudioError::Tts(format!("{prog} exited with {status}")));
        }
        load_wav(&out)
    }
}

/// The audio library: prompt files under one folder, music classes under another,
/// an optional text renderer, and a cache of decoded files.
pub struct Sounds {
    dir: PathBuf,
    moh_dir: PathBuf,
    tts: Option<Box<dyn TtsRenderer>>,
    cache: HashMap<String, Arc<Vec<i16>>>,
}

impl Sounds {
    /// A library over `dir` (prompts, with `digits/N.wav` for numbers) and `moh_dir`
    /// (music on hold: `moh_dir/CLASS/*.wav`, or `moh_dir/*.wav` for class `default`).
    pub fn new(dir: PathBuf, moh_dir: PathBuf, tts: Option<Box<dyn TtsRenderer>>) -> Sounds {
        Sounds {
            dir,
            moh_dir,
            tts,
            cache: HashMap::new(),
        }
    }

    fn file(&mut self, name: &str) -> Result<Arc<Vec<i16>>, AudioError> {
        if let Some(s) = self.cache.get(name) {
            return Ok(s.clone());
        }
        let mut path = self.dir.join(name);
        if path.extension().is_none() {
            path.set_extension("wav");
        }
        let samples = Arc::new(load_wav(&path)?);
        self.cache.insert(name.to_string(), samples.clone());
        Ok(samples)
    }

    fn text(&mut self, text: &str, locale: Option<&str>) -> Result<Arc<Vec<i16>>, AudioError> {
        let key = format!("tts:{locale:?}:{text}");
        if let Some(s) = self.cache.get(&key) {
            return Ok(s.clone());
        }
        let tts = self
            .tts
            .as_ref()
            .ok_or_else(|| AudioError::Tts("no renderer configured".into()))?;
        let samples = Arc::new(tts.render(text, locale)?);
        self.cache.insert(key, samples.clone());
        Ok(samples)
    }

    /// The files that say a number: digits below 100 as words, larger ones digit by digit.
    fn number_files(n: i64) -> Vec<String> {
        let mut out = Vec::new();
        if n < 0 {
            out.push("digits/minus".to_string());
        }
        let n = n.unsigned_abs();
        match n {
            0..=20 => out.push(format!("digits/{n}")),
            21..=99 => {
                out.push(format!("digits/{}", n / 10 * 10));
                if !n.is_multiple_of(10) {
                    out.push(format!("digits/{}", n % 10));
                }
            }
            _ => out.extend(n.to_string().chars().map(|c| format!("digits/{c}"))),
        }
        out
    }

    /// Renders an announcement to samples. Parts that cannot be rendered are skipped
    /// and reported, so a missing file never silences the whole prompt.
    pub fn render(&mut self, a: &Announcement) -> (Vec<i16>, Vec<AudioError>) {
        let locale = a.locale.as_deref();
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for part in &a.parts {
            let pieces: Vec<Result<Arc<Vec<i16>>, AudioError>> = match part {
                PromptPart::Prompt(id) | PromptPart::File(id) => vec![self.file(id)],
                PromptPart::Text(t) => vec![self.text(t, locale)],
                PromptPart::Number(n) => Self::number_files(*n).iter().map(|f| self.file(f)).collect(),
                PromptPart::Digits(d) => d
                    .chars()
                    .filter_map(|c| match c {
                        '0'..='9' => Some(format!("digits/{c}")),
                        '*' => Some("digits/star".into()),
                        '#' => Some("digits/pound".into()),
                        _ => None,
                    })
                    .map(|f| self.file(&f))
                    .collect(),
                PromptPart::Duration { secs } => {
                    let mut files = Self::number_files((secs / 60) as i64);
                    files.push("minutes".into());
                    files.iter().map(|f| self.file(f)).collect()
                }
                PromptPart::Date(d) => vec![self.text(d, locale)],
                PromptPart::Money { amount, currency } => {
                    vec![self.text(&format!("{amount} {currency}"), locale)]
                }
            };
            for p in pieces {
                match p {
                    Ok(s) => out.extend_from_slice(&s),
                    Err(e) => errors.push(e),
                }
            }
        }
        (out, errors)
    }

    /// The tracks of a music class, in name order.
    pub fn music(&mut self, class: &str) -> Vec<Arc<Vec<i16>>> {
        let dir = if class == "default" || class.is_empty() {
            self.moh_dir.clone()
        } else {
            self.moh_dir.join(class)
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "wav"));
        files.sort();
        files
            .iter()
            .filter_map(|p| {
                let key = format!("moh:{}", p.display());
                if let Some(s) = self.cache.get(&key) {
                    return Some(s.clone());
                }
                let s = Arc::new(load_wav(p).ok()?);
                self.cache.insert(key, s.clone());
                Some(s)
            })
            .collect()
    }
}

/// What plays to one call leg, one 20 ms frame at a time.
#[derive(Debug, Default)]
pub struct Player {
    queue: VecDeque<Arc<Vec<i16>>>,
    pos: usize,
    looping: bool,
}

impl Player {
    /// Plays `samples` once.
    pub fn once(samples: Vec<i16>) -> Player {
        Player {
            queue: VecDeque::from([Arc::new(samples)]),
            pos: 0,
            looping: false,
        }
    }

    /// Plays the tracks in a loop (music on hold).
    pub fn looping(tracks: Vec<Arc<Vec<i16>>>) -> Player {
        Player {
            queue: tracks.into_iter().filter(|t| !t.is_empty()).collect(),
            pos: 0,
            looping: true,
        }
    }

    /// The next frame (padded with silence at the end), or `None` when finished.
    pub fn next_frame(&mut self) -> Option<[i16; FRAME_SAMPLES]> {
        let track = self.queue.front()?.clone();
        let mut frame = [0i16; FRAME_SAMPLES];
        let end = (self.pos + FRAME_SAMPLES).min(track.len());
        frame[..end - self.pos].copy_from_slice(&track[self.pos..end]);
        self.pos = end;
        if self.pos >= track.len() {
            self.pos = 0;
            if let Some(t) = self.queue.pop_front()
                && self.looping
            {
                self.queue.push_back(t);
            }
        }
        Some(frame)
    }

    /// Whether the player loops (music) rather than plays once (a prompt).
    pub fn is_music(&self) -> bool {
        self.looping
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for &s in samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn wav_files_are_converted_to_8k_mono() {
        let dir = std::env::temp_dir().join(format!("callroute-sip-audio-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("digits")).unwrap();
        write_wav(&dir.join("stereo16k.wav"), 16000, 2, &[100, 300].repeat(1600));
        let s = load_wav(&dir.join("stereo16k.wav")).unwrap();
        assert_eq!(s.len(), 800);
        assert!(s.iter().all(|&x| x == 200));
        write_wav(&dir.join("digits/4.wav"), 8000, 1, &[4; 200]);
        write_wav(&dir.join("digits/40.wav"), 8000, 1, &[40; 100]);
        let mut sounds = Sounds::new(dir.clone(), dir.join("none"), None);
        let a = Announcement::of(vec![
            PromptPart::Number(44),
            PromptPart::File("missing.wav".into()),
        ]);
        let (samples, errors) = sounds.render(&a);
        assert_eq!(samples.len(), 300);
        assert_eq!((samples[0], samples[299]), (40, 4));
        assert_eq!(errors.len(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_command_renders_text_and_sounds_cache_it() {
        let dir = std::env::temp_dir().join(format!("callroute-sip-tts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let voice = dir.join("voice.wav");
        write_wav(&voice, 8000, 1, &[9; 400]);
        // A stand-in for a speech engine: it copies a file to `{out}`.
        let tts = CommandTts {
            command: vec!["cp".into(), voice.to_string_lossy().into_owned(), "{out}".into()],
            dir: dir.clone(),
        };
        assert_eq!(tts.render("hello", Some("en")).unwrap().len(), 400);
        let mut sounds = Sounds::new(dir.clone(), dir.clone(), Some(Box::new(tts)));
        let mut a = Announcement::of(vec![
            PromptPart::Text("hello".into()),
            PromptPart::Text("hello".into()),
        ]);
        a.locale = Some("en".into());
        let (samples, errors) = sounds.render(&a);
        assert!(errors.is_empty());
        assert_eq!(samples.len(), 800);
        let failing = CommandTts {
            command: vec!["false".into()],
            dir: dir.clone(),
        };
        assert!(matches!(failing.render("x", None), Err(AudioError::Tts(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_player_pads_the_last_frame_and_music_loops() {
        let mut p = Player::once(vec![1; 200]);
        assert_eq!(p.next_frame().unwrap()[159], 1);
        let last = p.next_frame().unwrap();
        assert_eq!((last[39], last[40]), (1, 0));
        assert!(p.next_frame().is_none());
        let mut m = Player::looping(vec![Arc::new(vec![7; 160])]);
        for _ in 0..5 {
            assert_eq!(m.next_frame().unwrap()[0], 7);
        }
    }
}

//! The flow definition format: one serde model read from TOML or JSON.
//!
//! A flow is a graph of nodes keyed by id. Every node names the nodes it can go to
//! (`next`, `options`, `on_failure`, ...), so the flow loads into a directed graph
//! whose edges are labelled by digit, condition or outcome.

use crate::ids::QueueId;
use crate::routing::Requirement;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A node id (the key under `nodes`).
pub type NodeId = String;

/// Everything the IVR needs: locales, prompts, entry rules and flows. Calendars are
/// shared with queues and tickets and live at the top of [`crate::Config`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IvrConfig {
    /// Declared locales; the first is the default. Every prompt must exist in each.
    #[serde(default = "default_locales")]
    pub locales: Vec<String>,
    /// Prompts by id, then by locale.
    #[serde(default)]
    pub prompts: BTreeMap<String, BTreeMap<String, Vec<PromptPart>>>,
    /// How the entry flow is chosen when a call is offered.
    #[serde(default)]
    pub entry: EntryRules,
    /// Rules on the caller number (blacklist, VIP).
    #[serde(default)]
    pub ani_rules: Vec<AniRule>,
    /// IANA time zone of the `time` variable in CEL (default `UTC`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Menus may not be nested deeper than this (lint).
    #[serde(default = "default_depth")]
    pub max_menu_depth: u32,
    /// Flows by id.
    #[serde(default)]
    pub flows: BTreeMap<String, Flow>,
    /// Flow files to load (TOML or JSON, one flow each, id = file stem unless the file
    /// sets `id`), relative to the configuration file.
    #[serde(default)]
    pub flow_files: Vec<String>,
}

fn default_locales() -> Vec<String> {
    vec!["en".into()]
}
fn default_depth() -> u32 {
    4
}

/// Entry-flow selection: DNIS first, then rules in order, then the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRules {
    /// Dialled number to flow id.
    #[serde(default)]
    pub dnis: BTreeMap<String, String>,
    /// Rules tried in order after DNIS.
    #[serde(default)]
    pub rules: Vec<EntryRule>,
    /// Flow used when nothing matched; without it the host keeps the call.
    #[serde(default)]
    pub default: Option<String>,
}

/// `when` (a CEL condition over `ani`, `dnis`, `attrs`, `time` and `open`) selects `flow`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRule {
    /// CEL condition.
    pub when: String,
    /// Flow id.
    pub flow: String,
}

/// What to do with callers whose number matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AniRule {
    /// Exact numbers.
    #[serde(default)]
    pub numbers: Vec<String>,
    /// Number prefixes.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// The treatment.
    pub action: AniAction,
}

/// Treatment of a matching caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum AniAction {
    /// Blacklisted: play `prompt` (if any) and hang up, or run `flow` instead.
    Block {
        /// Prompt played before hanging up.
        #[serde(default)]
        prompt: Option<String>,
        /// Flow to run instead of hanging up.
        #[serde(default)]
        flow: Option<String>,
    },
    /// VIP: raise the call's priority (and tag it `vip`).
    Vip {
        /// Priority added.
        priority: i32,
    },
    /// Add a customer tag (visible to CEL as `tags`).
    Tag {
        /// The tag.
        tag: String,
    },
}

/// A prompt part as written in configuration. Values starting with `$` name a call
/// variable (`$balance`, `$ani`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum PromptPart {
    /// A recorded file.
    File(String),
    /// Text for text-to-speech.
    Text(String),
    /// A number, said as a number.
    SayNumber(String),
    /// Digits, said one by one.
    SayDigits(String),
    /// A date (`YYYY-MM-DD`).
    SayDate(String),
    /// An amount of money.
    SayMoney {
        /// Decimal amount (`12.50`) or `$variable`.
        amount: String,
        /// ISO currency code.
        currency: String,
    },
}

/// One flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Id (when loaded from a file; the key otherwise).
    #[serde(default)]
    pub id: Option<String>,
    /// First node.
    pub start: NodeId,
    /// Nodes by id.
    pub nodes: BTreeMap<NodeId, Node>,
    /// Scripted conversations run by the flow test runner.
    #[serde(default)]
    pub tests: Vec<Conversation>,
}

/// A node. `type` selects the kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Node {
    /// A DTMF menu.
    Menu(Menu),
    /// Play prompts.
    Play(Play),
    /// Collect digits into a variable.
    Collect(Collect),
    /// Go where the first true CEL condition says.
    Branch(Branch),
    /// Open, closed or holiday by a calendar.
    Schedule(Schedule),
    /// Ask the host for data (a "data dip") and wait for the result.
    Lookup(Lookup),
    /// Set variables from CEL expressions.
    Set(SetVars),
    /// Let the caller choose a language.
    Language(Language),
    /// Join a queue of the engine, with in-queue options.
    Queue(QueueNode),
    /// Transfer to an agent, a queue, a number or another flow.
    Transfer(Transfer),
    /// Record a voicemail; it becomes a missed-call item.
    Voicemail(Voicemail),
    /// Offer a callback, confirming the number.
    Callback(CallbackNode),
    /// Ask post-call survey questions.
    Survey(Survey),
    /// Run another flow, then come back to `next`.
    Subflow(Subflow),
    /// Return from a subflow.
    Return(Return),
    /// Play an optional prompt and hang up.
    Hangup(Hangup),
}

fn three() -> u32 {
    3
}
fn five() -> u32 {
    5
}
fn yes() -> bool {
    true
}

/// A DTMF menu.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Menu {
    /// Greeting played on first entry.
    pub greeting: String,
    /// Shorter greeting played on re-entry after a failure (default: the greeting).
    #[serde(default)]
    pub short_greeting: Option<String>,
    /// Digit (or digit string) to node.
    pub options: BTreeMap<String, NodeId>,
    /// Played after an invalid choice.
    #[serde(default)]
    pub invalid: Option<String>,
    /// Played after no input.
    #[serde(default)]
    pub timeout_prompt: Option<String>,
    /// Invalid choices allowed before `on_failure`.
    #[serde(default = "three")]
    pub max_failures: u32,
    /// Timeouts allowed before `on_failure`.
    #[serde(default = "three")]
    pub max_timeouts: u32,
    /// Where to go after too many failures or timeouts.
    pub on_failure: NodeId,
    /// Seconds to wait for the first digit after the greeting.
    #[serde(default = "five")]
    pub first_digit_timeout_secs: u32,
    /// Seconds to wait between digits of a multi-digit option.
    #[serde(default = "three")]
    pub inter_digit_timeout_secs: u32,
    /// Digits interrupt the greeting.
    #[serde(default = "yes")]
    pub barge_in: bool,
}

/// Play prompts, then go on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Play {
    /// Prompt ids in order.
    pub prompts: Vec<String>,
    /// Next node.
    pub next: NodeId,
}

/// How collected digits are checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Validation {
    /// A regular expression the whole input must match.
    Pattern(String),
    /// The Luhn check digit (card numbers).
    Luhn,
}

/// Collect digits into a variable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Collect {
    /// Prompt asking for the digits.
    pub prompt: String,
    /// Variable that receives the digits.
    pub into: String,
    /// Fewest digits.
    #[serde(default = "one")]
    pub min_digits: u32,
    /// Most digits (input ends when reached).
    pub max_digits: u32,
    /// Key that ends the input early (`#` by default; empty for none).
    #[serde(default = "hash")]
    pub terminator: String,
    /// Seconds to wait for the first digit.
    #[serde(default = "five")]
    pub first_digit_timeout_secs: u32,
    /// Seconds to wait between digits.
    #[serde(default = "three")]
    pub inter_digit_timeout_secs: u32,
    /// Validation of the complete input.
    #[serde(default)]
    pub validate: Option<Validation>,
    /// Read the digits back and ask 1 to confirm, 2 to re-enter.
    #[serde(default)]
    pub confirm: Option<String>,
    /// Keep the digits out of every event and log (PINs, card numbers).
    #[serde(default)]
    pub sensitive: bool,
    /// Played after invalid input.
    #[serde(default)]
    pub invalid: Option<String>,
    /// Attempts before `on_failure`.
    #[serde(default = "three")]
    pub max_attempts: u32,
    /// Next node on success.
    pub next: NodeId,
    /// Next node after too many failed attempts.
    pub on_failure: NodeId,
}

fn one() -> u32 {
    1
}
fn hash() -> String {
    "#".into()
}

/// Branch on CEL conditions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Conditions tried in order.
    pub conditions: Vec<Condition>,
    /// Next node when none is true.
    pub otherwise: NodeId,
}

/// A CEL condition and where it leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// CEL expression over `ani`, `dnis`, `vars`, `attrs`, `tags`, `queues`, `time`, `open`.
    pub when: String,
    /// Next node when true.
    pub next: NodeId,
}

/// Open or closed by a calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Calendar name.
    pub calendar: String,
    /// Next node when open.
    pub open: NodeId,
    /// Next node when closed.
    pub closed: NodeId,
    /// Next node on a holiday (default: `closed`).
    #[serde(default)]
    pub holiday: Option<NodeId>,
}

/// An external data dip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// What to look up (the host's name for the dip).
    pub name: String,
    /// Variables sent as parameters.
    #[serde(default)]
    pub params: Vec<String>,
    /// Prefix for result variables (`into.key`; default: the node id).
    #[serde(default)]
    pub into: Option<String>,
    /// Seconds to wait for the result.
    #[serde(default = "five")]
    pub timeout_secs: u32,
    /// Next node on success.
    pub next: NodeId,
    /// Next node on failure or timeout.
    pub on_failure: NodeId,
}

/// Set variables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetVars {
    /// Variable name to CEL expression (its string value is stored).
    pub vars: BTreeMap<String, String>,
    /// Next node.
    pub next: NodeId,
}

/// Language selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// Prompt offering the languages.
    pub prompt: String,
    /// Digit to locale.
    pub options: BTreeMap<String, String>,
    /// Seconds to wait for the choice.
    #[serde(default = "five")]
    pub timeout_secs: u32,
    /// Next node (on no choice the default locale stays).
    pub next: NodeId,
}

/// In-queue options offered to a waiting caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueOffers {
    /// Offer after this many seconds of waiting.
    #[serde(default)]
    pub after_secs: Option<u32>,
    /// Or as soon as the estimated wait exceeds this many seconds.
    #[serde(default)]
    pub when_wait_over_secs: Option<u32>,
    /// Prompt offering the choices ("press 1 for a callback, 2 for voicemail").
    pub prompt: String,
    /// Digit that requests a callback (to the caller's number).
    #[serde(default)]
    pub callback_digit: Option<String>,
    /// Digit that leaves the queue for this voicemail node.
    #[serde(default)]
    pub voicemail: Option<VoicemailOffer>,
}

/// Voicemail offered while queued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VoicemailOffer {
    /// Digit.
    pub digit: String,
    /// Voicemail node.
    pub node: NodeId,
}

/// Join a queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueNode {
    /// Queue number.
    pub queue: QueueId,
    /// Priority (added to the caller's, which VIP rules may have raised).
    #[serde(default)]
    pub priority: i32,
    /// Requirement for this call (replaces the queue's base requirement).
    #[serde(default)]
    pub requirement: Option<Requirement>,
    /// Callback and voicemail offers while waiting.
    #[serde(default)]
    pub offers: Option<QueueOffers>,
}

/// Where a transfer node sends the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum TransferTo {
    /// An agent.
    Agent(u32),
    /// A queue.
    Queue(QueueId),
    /// A number or URI.
    External(String),
    /// Another flow (from its start).
    Flow(String),
}

/// Transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Target.
    pub to: TransferTo,
}

/// Voicemail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Voicemail {
    /// Mailbox.
    pub mailbox: String,
    /// Prompt before the beep.
    pub prompt: String,
    /// Longest message in seconds.
    #[serde(default = "sixty")]
    pub max_secs: u32,
}

fn sixty() -> u32 {
    60
}

/// Callback request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackNode {
    /// Prompt reading the caller's number back: "press 1 to confirm, 2 for another".
    pub confirm: String,
    /// Prompt asking for another number.
    pub ask_number: String,
    /// Queue the callback waits in (keeping its place like any caller).
    pub queue: QueueId,
    /// Prompt played after the request is registered, before hanging up.
    #[serde(default)]
    pub done: Option<String>,
}

/// Post-call survey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Questions in order.
    pub questions: Vec<Question>,
    /// Next node.
    pub next: NodeId,
}

/// A survey question answered with one digit in `min..=max`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Question id (in the answer events).
    pub id: String,
    /// Prompt.
    pub prompt: String,
    /// Lowest answer.
    #[serde(default = "one")]
    pub min: u32,
    /// Highest answer.
    #[serde(default = "five")]
    pub max: u32,
}

/// Run a subflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subflow {
    /// Flow id.
    pub flow: String,
    /// Where to continue after it returns.
    pub next: NodeId,
}

/// Return from a subflow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Return {}

/// Hang up.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hangup {
    /// Prompt played first.
    #[serde(default)]
    pub prompt: Option<String>,
}

/// A scripted conversation: what the caller does and what must happen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    /// Test name.
    pub name: String,
    /// Caller number.
    #[serde(default = "default_ani")]
    pub ani: String,
    /// Dialled number (the flow is entered directly when empty).
    #[serde(default)]
    pub dnis: String,
    /// Wall-clock time of the call (RFC 3339), for schedules.
    #[serde(default)]
    pub at: Option<String>,
    /// Steps in order.
    pub steps: Vec<Step>,
}

fn default_ani() -> String {
    "+10000000000".into()
}

/// One step of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    /// The caller presses these keys (one DTMF each).
    Press(String),
    /// Time passes (seconds); timers fire.
    Wait(f64),
    /// The prompt with this id was played since the last check.
    ExpectPrompt(String),
    /// The caller is now in this node.
    ExpectNode(String),
    /// The call joined this queue.
    ExpectQueue(u32),
    /// The call was transferred to this destination.
    ExpectTransfer(String),
    /// A variable has this value.
    ExpectVar {
        /// Variable name.
        name: String,
        /// Expected value.
        value: String,
    },
    /// The pending lookup gets this reply (`ok = false` for a failure).
    Reply {
        /// Result values.
        #[serde(default)]
        values: BTreeMap<String, String>,
        /// Success.
        #[serde(default = "yes")]
        ok: bool,
    },
    /// The engine asked for a recording (voicemail).
    ExpectRecording(String),
    /// The call was hung up by the flow.
    ExpectHangup,
    /// The caller hangs up.
    HangUp,
}

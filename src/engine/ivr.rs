//! IVR execution: a call offered with an IVR configured enters its entry flow and
//! walks the flow's nodes. Nodes that need the caller or the host (announcements,
//! keys, lookups, recordings) wait for the matching input or a timer.

use super::Engine;
use super::timers::TimerKind;
use crate::call::Phase;
use crate::error::{Error, Result};
use crate::ids::{AgentId, CallId, Millis};
use crate::ivr::expr::{QueueFacts, Scope, TimeFacts, root_bit};
use crate::ivr::model::{self, AniAction, Node, NodeId, TransferTo, Validation};
use crate::ivr::session::{Session, Sub, Then, Wait, luhn};
use crate::output::{Action, Announcement, CallOutcome, Event, OverflowReason, PromptPart};
use std::collections::BTreeMap;

/// Most nodes one input may walk through before the engine gives up on the flow
/// (validation rejects loops without exit; this guards what validation cannot see).
const MAX_STEPS: u32 = 256;

impl Engine {
    fn ivr_cfg(&self) -> Option<&model::IvrConfig> {
        self.state.config.ivr.as_ref()
    }

    fn session(&self, call: CallId) -> Option<&Session> {
        self.state.calls.get(&call).and_then(|c| c.ivr.as_deref())
    }

    fn session_mut(&mut self, call: CallId) -> Option<&mut Session> {
        self.state.calls.get_mut(&call).and_then(|c| c.ivr.as_deref_mut())
    }

    fn node(&self, call: CallId) -> Option<&Node> {
        let s = self.session(call)?;
        self.ivr_cfg()?.flows.get(&s.flow)?.nodes.get(&s.node)
    }

    /// Starts the entry flow for a newly offered call, when one applies.
    pub(super) fn ivr_start(&mut self, now: Millis, call: CallId) {
        let Some(ivr) = self.ivr_cfg() else { return };
        let Some(c) = self.state.calls.get(&call) else {
            return;
        };
        let locale = ivr.locales.first().cloned().unwrap_or_else(|| "en".into());
        // ANI rules first: blocking wins over any flow.
        let mut tags = Vec::new();
        let mut boost = 0;
        let mut blocked = None;
        for rule in &ivr.ani_rules {
            let hit = rule.numbers.iter().any(|n| **n == *c.info.ani)
                || rule.prefixes.iter().any(|p| c.info.ani.starts_with(p));
            if !hit {
                continue;
            }
            match &rule.action {
                AniAction::Block { prompt, flow } => {
                    blocked = Some((prompt.clone(), flow.clone()));
                    break;
                }
                AniAction::Vip { priority } => {
                    boost += priority;
                    tags.push("vip".to_string());
                }
                AniAction::Tag { tag } => tags.push(tag.clone()),
            }
        }
        let mut flow = ivr.entry.dnis.get(&*c.info.dnis).cloned();
        if flow.is_none() && !ivr.entry.rules.is_empty() {
            let mut scope = Scope {
                ani: c.info.ani.to_string(),
                dnis: c.info.dnis.to_string(),
                attrs: c.info.attributes.to_map(),
                tags: tags.clone(),
                locale: locale.clone(),
                ..Scope::default()
            };
            self.fill_scope_parts(
                now,
                &mut scope,
                self.needs(ivr.entry.rules.iter().map(|r| &r.when)),
            );
            flow = ivr
                .entry
                .rules
                .iter()
                .find(|r| self.eval_cond(&r.when, &scope))
                .map(|r| r.flow.clone());
        }
        if flow.is_none() {
            flow = ivr.entry.default.clone();
        }
        if let Some((prompt, block_flow)) = blocked {
            let ani = c.info.ani.to_string();
            self.push_event(Event::CallerBlocked { call, ani });
            match block_flow {
                Some(f) => flow = Some(f),
                None => {
                    let mut s = Session::new(String::new(), String::new(), locale);
                    s.wait = Wait::Done;
                    if let Some(c) = self.state.calls.get_mut(&call) {
                        c.ivr = Some(Box::new(s));
                    }
                    self.ivr_hangup(now, call, prompt);
                    return;
                }
            }
        }
        let Some(flow) = flow else { return };
        let Some(start) = self
            .ivr_cfg()
            .and_then(|c| c.flows.get(&flow))
            .map(|f| f.start.clone())
        else {
            return;
        };
        let mut s = Session::new(flow.clone(), start, locale);
        s.tags = tags;
        if let Some(c) = self.state.calls.get_mut(&call) {
            c.priority = c.priority.saturating_add(boost);
            c.ivr = Some(Box::new(s));
        }
        self.push_event(Event::IvrStarted { call, flow });
        self.ivr_enter(now, call);
    }

    /// Walks instant nodes from the session's current node until one waits.
    fn ivr_enter(&mut self, now: Millis, call: CallId) {
        for _ in 0..MAX_STEPS {
            let Some(s) = self.session(call) else { return };
            let (flow, node) = (s.flow.clone(), s.node.clone());
            self.push_event(Event::IvrNode { call, flow, node });
            // The nodes that only play and listen are the common case: take what they
            // need by reference rather than copying the node.
            let listen = match self.node(call) {
                Some(Node::Menu(m)) => Some((m.greeting.clone(), m.barge_in)),
                Some(Node::Collect(c)) => Some((c.prompt.clone(), true)),
                Some(Node::Language(l)) => Some((l.prompt.clone(), true)),
                _ => None,
            };
            if let Some((prompt, barge_in)) = listen {
                self.ivr_play(
                    call,
                    std::slice::from_ref(&prompt),
                    Vec::new(),
                    barge_in,
                    Then::Listen,
                );
                return;
            }
            let Some(node) = self.node(call).cloned() else {
                // Validation rules this out; a broken reference ends the call.
                self.ivr_hangup(now, call, None);
                return;
            };
            let next: Option<NodeId> = match node {
                Node::Play(p) => {
                    self.ivr_play(call, &p.prompts, Vec::new(), false, Then::Goto(p.next));
                    None
                }
                // Handled above.
                Node::Menu(_) | Node::Collect(_) | Node::Language(_) => None,
                Node::Survey(sv) => match sv.questions.first() {
                    Some(q) => {
                        if let Some(s) = self.session_mut(call) {
                            s.sub = Sub::Question(0);
                        }
                        self.ivr_play(
                            call,
                            std::slice::from_ref(&q.prompt),
                            Vec::new(),
                            true,
                            Then::Listen,
                        );
                        None
                    }
                    None => Some(sv.next),
                },
                Node::Callback(cb) => {
                    let ani = self
                        .state
                        .calls
                        .get(&call)
                        .map(|c| c.info.ani.to_string())
                        .unwrap_or_default();
                    if let Some(s) = self.session_mut(call) {
                        s.sub = Sub::Confirm;
                    }
                    self.ivr_play(
                        call,
                        &[cb.confirm],
                        vec![PromptPart::Digits(ani)],
                        true,
                        Then::Listen,
                    );
                    None
                }
                Node::Voicemail(v) => {
                    if let Some(s) = self.session_mut(call) {
                        s.mailbox = Some(v.mailbox.clone());
                    }
                    self.ivr_play(call, &[v.prompt], Vec::new(), false, Then::Record);
                    None
                }
                Node::Hangup(h) => {
                    self.ivr_hangup(now, call, h.prompt);
                    return;
                }
                Node::Branch(b) => {
                    let scope = self.scope(now, call, b.conditions.iter().map(|c| &c.when));
                    Some(
                        b.conditions
                            .iter()
                            .find(|c| self.eval_cond(&c.when, &scope))
                            .map_or(b.otherwise.clone(), |c| c.next.clone()),
                    )
                }
                Node::Set(sv) => {
                    let scope = self.scope(now, call, sv.vars.values());
                    let values: Vec<(String, String)> = sv
                        .vars
                        .iter()
                        .map(|(k, e)| (k.clone(), self.eval_string(e, &scope)))
                        .collect();
                    if let Some(s) = self.session_mut(call) {
                        s.vars.extend(values);
                    }
                    Some(sv.next)
                }
                Node::Schedule(sc) => {
                    let state = self.calendar_state(&sc.calendar, now);
                    Some(match state {
                        crate::calendar::OpenState::Open => sc.open,
                        crate::calendar::OpenState::Closed => sc.closed,
                        crate::calendar::OpenState::Holiday { .. } => sc.holiday.unwrap_or(sc.closed),
                    })
                }
                Node::Lookup(l) => {
                    self.state.lookup_seq += 1;
                    let request = self.state.lookup_seq;
                    let params = self
                        .session(call)
                        .map(|s| {
                            l.params
                                .iter()
                                .map(|p| (p.clone(), self.var(call, s, p)))
                                .collect::<BTreeMap<_, _>>()
                        })
                        .unwrap_or_default();
                    let epoch = self.bump(call, Wait::Lookup { request });
                    self.push_action(Action::Lookup {
                        call,
                        request,
                        name: l.name,
                        params,
                    });
                    self.schedule(
                        now + Millis::from(l.timeout_secs) * 1000,
                        TimerKind::IvrTimeout { call, epoch },
                    );
                    None
                }
                Node::Queue(q) => {
                    let offers = q.offers.is_some();
                    self.ivr_to_queue(now, call, q.queue, q.priority, q.requirement);
                    if offers
                        && self
                            .state
                            .calls
                            .get(&call)
                            .is_some_and(|c| c.phase == Phase::Waiting)
                    {
                        let epoch = self.bump(call, Wait::InQueue { offered: false });
                        self.schedule(now + 5_000, TimerKind::IvrTimeout { call, epoch });
                    } else {
                        self.end_session(call);
                    }
                    return;
                }
                Node::Transfer(t) => match t.to {
                    TransferTo::Flow(f) => {
                        let start = self
                            .ivr_cfg()
                            .and_then(|c| c.flows.get(&f))
                            .map(|fl| fl.start.clone());
                        match (start, self.session_mut(call)) {
                            (Some(start), Some(s)) => {
                                s.flow = f;
                                s.stack.clear();
                                Some(start)
                            }
                            _ => {
                                self.ivr_hangup(now, call, None);
                                return;
                            }
                        }
                    }
                    other => {
                        self.ivr_transfer(now, call, other);
                        return;
                    }
                },
                Node::Subflow(sf) => {
                    let start = self
                        .ivr_cfg()
                        .and_then(|c| c.flows.get(&sf.flow))
                        .map(|fl| fl.start.clone());
                    match (start, self.session_mut(call)) {
                        (Some(start), Some(s)) => {
                            s.stack.push((s.flow.clone(), sf.next));
                            s.flow = sf.flow;
                            Some(start)
                        }
                        _ => {
                            self.ivr_hangup(now, call, None);
                            return;
                        }
                    }
                }
                Node::Return(_) => match self.session_mut(call).and_then(|s| s.stack.pop().map(|f| (s, f))) {
                    Some((s, (flow, next))) => {
                        s.flow = flow;
                        Some(next)
                    }
                    None => {
                        self.ivr_hangup(now, call, None);
                        return;
                    }
                },
            };
            match next {
                Some(n) => self.goto(call, n),
                None => return,
            }
        }
        self.ivr_hangup(now, call, None);
    }

    /// Moves to a node in the current flow, resetting the node's counters.
    fn goto(&mut self, call: CallId, node: NodeId) {
        if let Some(s) = self.session_mut(call) {
            s.node = node;
            s.sub = Sub::Main;
            s.failures = 0;
            s.timeouts = 0;
            s.digits.clear();
            s.epoch += 1;
        }
    }

    /// Sets what the session waits for and invalidates its older timers.
    fn bump(&mut self, call: CallId, wait: Wait) -> u32 {
        match self.session_mut(call) {
            Some(s) => {
                s.wait = wait;
                s.epoch += 1;
                s.epoch
            }
            None => 0,
        }
    }

    /// Plays prompts (by id, in the caller's locale) plus extra parts, and waits for
    /// them to finish.
    fn ivr_play(
        &mut self,
        call: CallId,
        prompts: &[String],
        extra: Vec<PromptPart>,
        barge_in: bool,
        then: Then,
    ) {
        let Some(announcement) = self.announcement(call, prompts, extra, barge_in) else {
            return;
        };
        self.bump(call, Wait::Prompt { barge_in, then });
        self.push_action(Action::Play { call, announcement });
    }

    /// Renders prompts in the caller's locale, falling back to the default locale.
    fn announcement(
        &self,
        call: CallId,
        prompts: &[String],
        extra: Vec<PromptPart>,
        barge_in: bool,
    ) -> Option<Announcement> {
        let s = self.session(call)?;
        let locale = s.locale.clone();
        let mut parts = Vec::new();
        if let Some(ivr) = self.ivr_cfg() {
            let fallback = ivr.locales.first();
            for id in prompts {
                let Some(by_locale) = ivr.prompts.get(id) else {
                    continue;
                };
                let chosen = by_locale
                    .get(&locale)
                    .or_else(|| fallback.and_then(|f| by_locale.get(f)));
                for p in chosen.into_iter().flatten() {
                    parts.push(self.render_part(call, s, p));
                }
            }
        }
        parts.extend(extra);
        Some(Announcement {
            parts,
            barge_in,
            prompts: prompts.to_vec(),
            locale: Some(locale),
        })
    }

    fn render_part(&self, call: CallId, s: &Session, p: &model::PromptPart) -> PromptPart {
        let value = |v: &str| match v.strip_prefix('$') {
            Some(name) => self.var(call, s, name),
            None => v.to_string(),
        };
        match p {
            model::PromptPart::File(f) => PromptPart::File(f.clone()),
            model::PromptPart::Text(t) => PromptPart::Text(value(t)),
            model::PromptPart::SayNumber(n) => {
                let v = value(n);
                v.parse().map_or(PromptPart::Digits(v), PromptPart::Number)
            }
            model::PromptPart::SayDigits(d) => PromptPart::Digits(value(d)),
            model::PromptPart::SayDate(d) => PromptPart::Date(value(d)),
            model::PromptPart::SayMoney { amount, currency } => PromptPart::Money {
                amount: value(amount),
                currency: currency.clone(),
            },
        }
    }

    /// A variable's value: session variables first, then call facts.
    fn var(&self, call: CallId, s: &Session, name: &str) -> String {
        if let Some(v) = s.vars.get(name) {
            return v.clone();
        }
        let c = self.state.calls.get(&call);
        match name {
            "ani" => c.map(|c| c.info.ani.to_string()).unwrap_or_default(),
            "dnis" => c.map(|c| c.info.dnis.to_string()).unwrap_or_default(),
            "locale" => s.locale.clone(),
            _ => c
                .and_then(|c| c.info.data.get(name).map(str::to_string))
                .unwrap_or_default(),
        }
    }

    fn eval_cond(&self, src: &str, scope: &Scope) -> bool {
        self.compiled_ivr
            .as_ref()
            .and_then(|c| c.exprs.get(src))
            .is_some_and(|e| e.eval_bool(scope).unwrap_or(false))
    }

    fn eval_string(&self, src: &str, scope: &Scope) -> String {
        self.compiled_ivr
            .as_ref()
            .and_then(|c| c.exprs.get(src))
            .and_then(|e| e.eval_string(scope).ok())
            .unwrap_or_default()
    }

    /// The scope for evaluating these expressions: live queue data, time and
    /// calendars are computed only when one of them reads it.
    fn scope<'a>(&self, now: Millis, call: CallId, exprs: impl Iterator<Item = &'a String>) -> Scope {
        let mut scope = Scope::default();
        let needs = self.needs(exprs);
        let uses = |root: &str| needs & root_bit(root) != 0;
        if let (Some(c), Some(s)) = (self.state.calls.get(&call), self.session(call)) {
            // Only what the expressions read is copied: a flow's variables can be many.
            if uses("ani") {
                scope.ani = c.info.ani.to_string();
            }
            if uses("dnis") {
                scope.dnis = c.info.dnis.to_string();
            }
            if uses("attrs") {
                scope.attrs = c.info.attributes.to_map();
            }
            if uses("vars") {
                scope.vars = s.vars.clone();
            }
            if uses("tags") {
                scope.tags = s.tags.clone();
            }
            if uses("locale") {
                scope.locale = s.locale.clone();
            }
        }
        self.fill_scope_parts(now, &mut scope, needs);
        scope
    }

    /// The variables these expressions read (a bit set, see [`root_bit`]).
    fn needs<'a>(&self, exprs: impl Iterator<Item = &'a String>) -> u16 {
        let compiled = self.compiled_ivr.as_ref();
        exprs
            .filter_map(|src| compiled.and_then(|c| c.exprs.get(src)))
            .fold(0, |m, e| m | e.root_mask())
    }

    /// Fills the costly parts of the scope (queues, time, open) that `needs` names.
    fn fill_scope_parts(&self, now: Millis, scope: &mut Scope, needs: u16) {
        let [queues, time, open] = ["queues", "time", "open"].map(|r| needs & root_bit(r) != 0);
        for q in self.state.queues.values().filter(|_| queues) {
            let name = if q.cfg.name.is_empty() {
                q.cfg.id.0.to_string()
            } else {
                q.cfg.name.clone()
            };
            let counts = q.counts(&self.state.pools);
            scope.queues.insert(
                name,
                QueueFacts {
                    waiting: q.waiting.len() as u64,
                    ewt_secs: q
                        .estimated_wait_ms(q.waiting.len() as u32 + 1, counts)
                        .map_or(-1, |ms| ms.div_ceil(1000) as i64),
                    agents_ready: u64::from(counts.available),
                    agents_logged_in: u64::from(counts.logged_in),
                },
            );
        }
        if let Some(t) = self.clock.as_ref().filter(|_| time).map(|c| c.local_time(now)) {
            scope.time = TimeFacts {
                weekday: t.weekday.as_str().to_string(),
                hour: i64::from(t.hour),
                minute: i64::from(t.minute),
                date: t.date.to_string(),
            };
        }
        for (name, cal) in self.calendars.iter().filter(|_| open) {
            scope.open.insert(name.clone(), cal.is_open(now));
        }
    }

    fn calendar_state(&self, name: &str, now: Millis) -> crate::calendar::OpenState {
        self.calendars
            .get(name)
            .map_or(crate::calendar::OpenState::Closed, |c| c.state_at(now))
    }

    /// Copies what the IVR collected into the call's attached data.
    fn attach_vars(&mut self, call: CallId) {
        let vars = self.session(call).map(|s| s.shareable_vars()).unwrap_or_default();
        if let Some(c) = self.state.calls.get_mut(&call) {
            std::sync::Arc::make_mut(&mut c.info).data.extend(vars);
        }
    }

    fn ivr_to_queue(
        &mut self,
        now: Millis,
        call: CallId,
        queue: crate::QueueId,
        priority: i32,
        requirement: Option<crate::routing::Requirement>,
    ) {
        self.attach_vars(call);
        if !self.state.queues.contains_key(&queue) {
            self.ivr_hangup(now, call, None);
            return;
        }
        let p = self
            .state
            .calls
            .get(&call)
            .map_or(0, |c| c.priority)
            .saturating_add(priority);
        self.enqueue(now, call, queue, Some(p), requirement, 0);
    }

    fn ivr_transfer(&mut self, now: Millis, call: CallId, to: TransferTo) {
        self.attach_vars(call);
        self.end_session(call);
        match to {
            TransferTo::Queue(q) => self.ivr_to_queue(now, call, q, 0, None),
            TransferTo::Agent(a) => {
                let agent = AgentId(a);
                let channel = self.state.calls.get(&call).map(|c| c.channel).unwrap_or_default();
                let free = self
                    .state
                    .agents
                    .get(&agent)
                    .is_some_and(|x| x.can_take(channel, now));
                if free {
                    if let Some(c) = self.state.calls.get_mut(&call) {
                        c.direct_agent = Some(agent);
                    }
                    self.offer(now, call, &[agent], None);
                } else {
                    self.push_action(Action::Transfer {
                        call,
                        destination: format!("agent:{a}"),
                    });
                    self.end_call(call, CallOutcome::LeftEngine);
                }
            }
            TransferTo::External(d) => {
                self.push_action(Action::Transfer { call, destination: d });
                self.end_call(call, CallOutcome::LeftEngine);
            }
            TransferTo::Flow(_) => {}
        }
    }

    /// Plays an optional prompt, then hangs up when it finished.
    fn ivr_hangup(&mut self, now: Millis, call: CallId, prompt: Option<String>) {
        match prompt {
            Some(p) if self.session(call).is_some() => {
                self.ivr_play(call, &[p], Vec::new(), false, Then::HangUp);
            }
            _ => self.finish_hangup(now, call),
        }
    }

    fn finish_hangup(&mut self, _now: Millis, call: CallId) {
        self.push_action(Action::HangUp { call });
        self.end_call(call, CallOutcome::NotQueued);
    }

    fn end_session(&mut self, call: CallId) {
        if let Some(s) = self.session_mut(call) {
            s.wait = Wait::Done;
            s.epoch += 1;
        }
    }

    /// Starts listening for keys with the node's first-digit timeout.
    fn listen(&mut self, now: Millis, call: CallId) {
        let secs = match self.node(call) {
            Some(Node::Menu(m)) => m.first_digit_timeout_secs,
            Some(Node::Collect(c)) => c.first_digit_timeout_secs,
            Some(Node::Language(l)) => l.timeout_secs,
            _ => 5,
        };
        let epoch = self.bump(call, Wait::Digits);
        if let Some(s) = self.session_mut(call) {
            s.digits.clear();
        }
        self.schedule(
            now + Millis::from(secs) * 1000,
            TimerKind::IvrTimeout { call, epoch },
        );
    }

    fn inter_digit(&mut self, now: Millis, call: CallId) {
        let secs = match self.node(call) {
            Some(Node::Menu(m)) => m.inter_digit_timeout_secs,
            Some(Node::Collect(c)) => c.inter_digit_timeout_secs,
            _ => 3,
        };
        let epoch = self.bump(call, Wait::Digits);
        self.schedule(
            now + Millis::from(secs) * 1000,
            TimerKind::IvrTimeout { call, epoch },
        );
    }

    // ---- inputs ----

    pub(super) fn prompt_finished(&mut self, now: Millis, call: CallId) -> Result<()> {
        self.call(call)?;
        let then = match self.session(call).map(|s| &s.wait) {
            Some(Wait::Prompt { then, .. }) => then.clone(),
            _ => return Err(self.illegal_call(call, "finish a prompt that is not playing")),
        };
        match then {
            Then::Listen => self.listen(now, call),
            Then::Goto(n) => {
                self.goto(call, n);
                self.ivr_enter(now, call);
            }
            Then::Record => {
                let (mailbox, max_secs) = match self.node(call) {
                    Some(Node::Voicemail(v)) => (v.mailbox.clone(), v.max_secs),
                    _ => (String::new(), 60),
                };
                self.bump(call, Wait::Recording);
                self.push_action(Action::Record {
                    call,
                    mailbox,
                    max_secs,
                });
            }
            Then::HangUp => self.finish_hangup(now, call),
            Then::Queue => {
                self.bump(call, Wait::InQueue { offered: true });
            }
        }
        Ok(())
    }

    pub(super) fn recording_finished(&mut self, now: Millis, call: CallId) -> Result<()> {
        let c = self.call(call)?;
        if !matches!(self.session(call).map(|s| &s.wait), Some(Wait::Recording)) {
            return Err(self.illegal_call(call, "finish a recording"));
        }
        let ani = c.info.ani.to_string();
        let s = self.session(call);
        let mailbox = s.and_then(|s| s.mailbox.clone()).unwrap_or_default();
        let mut data = c.info.data.to_map();
        data.extend(s.map(|s| s.shareable_vars()).unwrap_or_default());
        self.push_event(Event::VoicemailLeft {
            call,
            mailbox,
            ani,
            data,
        });
        self.finish_hangup(now, call);
        Ok(())
    }

    pub(super) fn lookup_result(
        &mut self,
        now: Millis,
        call: CallId,
        request: u64,
        ok: bool,
        values: BTreeMap<String, String>,
    ) -> Result<()> {
        self.call(call)?;
        match self.session(call).map(|s| &s.wait) {
            Some(Wait::Lookup { request: r }) if *r == request => {}
            _ => {
                return Err(Error::InvalidInput(format!(
                    "no lookup {request} is pending for {call}"
                )));
            }
        }
        let Some(Node::Lookup(l)) = self.node(call).cloned() else {
            return Ok(());
        };
        let node_id = self.session(call).map(|s| s.node.clone()).unwrap_or_default();
        if ok {
            let prefix = l.into.unwrap_or(node_id);
            if let Some(s) = self.session_mut(call) {
                s.vars
                    .extend(values.into_iter().map(|(k, v)| (format!("{prefix}.{k}"), v)));
            }
            self.goto(call, l.next);
        } else {
            self.goto(call, l.on_failure);
        }
        self.ivr_enter(now, call);
        Ok(())
    }

    pub(super) fn dtmf(&mut self, now: Millis, call: CallId, digits: String) -> Result<()> {
        let c = self.call(call)?;
        if digits.is_empty() || !digits.chars().all(|d| d.is_ascii_digit() || d == '*' || d == '#') {
            return Err(Error::InvalidInput(format!("`{digits}` is not DTMF (0-9, *, #)")));
        }
        let taking = match self.session(call).map(|s| &s.wait) {
            Some(Wait::Prompt { barge_in: true, .. } | Wait::Digits) => true,
            Some(Wait::InQueue { offered: true }) => c.phase == Phase::Waiting,
            _ => false,
        };
        if !taking {
            return Err(self.illegal_call(call, "take keys outside a menu or collect node"));
        }
        if matches!(self.session(call).map(|s| &s.wait), Some(Wait::Prompt { .. })) {
            self.push_action(Action::StopPlayback { call });
            if let Some(s) = self.session_mut(call) {
                s.digits.clear();
            }
        }
        for d in digits.chars() {
            let waiting_keys = matches!(
                self.session(call).map(|s| &s.wait),
                Some(Wait::Prompt { barge_in: true, .. } | Wait::Digits | Wait::InQueue { offered: true })
            );
            if !waiting_keys {
                break; // the flow moved on; later keys have nothing to go to
            }
            self.key(now, call, d);
        }
        Ok(())
    }

    /// One key in the current node.
    fn key(&mut self, now: Millis, call: CallId, d: char) {
        let Some(s) = self.session_mut(call) else { return };
        s.digits.push(d);
        let buf = s.digits.clone();
        let sub = s.sub;
        // Menus are the hot path: decide by reference, without copying the node.
        let menu = match self.node(call) {
            Some(Node::Menu(m)) => Some((
                m.options.get(&buf).cloned(),
                m.options
                    .keys()
                    .any(|k| k.len() > buf.len() && k.starts_with(&buf)),
            )),
            _ => None,
        };
        if let Some((exact, longer)) = menu {
            match (exact, longer) {
                (Some(t), false) => {
                    self.goto(call, t);
                    self.ivr_enter(now, call);
                }
                (_, true) => self.inter_digit(now, call),
                (None, false) => self.menu_failure(now, call, false),
            }
            return;
        }
        let Some(node) = self.node(call).cloned() else {
            return;
        };
        match node {
            Node::Collect(c) => match sub {
                Sub::Confirm => match d {
                    '1' => self.collect_accept(now, call),
                    _ => {
                        if let Some(s) = self.session_mut(call) {
                            s.sub = Sub::Main;
                        }
                        self.ivr_play(
                            call,
                            std::slice::from_ref(&c.prompt),
                            Vec::new(),
                            true,
                            Then::Listen,
                        );
                    }
                },
                _ => {
                    if !c.terminator.is_empty() && c.terminator.contains(d) {
                        if let Some(s) = self.session_mut(call) {
                            s.digits.pop();
                        }
                        self.collect_done(now, call);
                    } else if buf.len() as u32 >= c.max_digits {
                        self.collect_done(now, call);
                    } else {
                        self.inter_digit(now, call);
                    }
                }
            },
            Node::Language(l) => {
                if let Some(loc) = l.options.get(&buf).cloned()
                    && let Some(s) = self.session_mut(call)
                {
                    s.locale = loc;
                }
                self.goto(call, l.next);
                self.ivr_enter(now, call);
            }
            Node::Survey(sv) => {
                let Sub::Question(i) = sub else { return };
                if let Some(q) = sv.questions.get(i)
                    && let Some(n) = d.to_digit(10)
                    && (q.min..=q.max).contains(&n)
                {
                    self.push_event(Event::SurveyAnswer {
                        call,
                        question: q.id.clone(),
                        answer: n,
                    });
                }
                self.next_question(now, call, &sv, i);
            }
            Node::Callback(cb) => match sub {
                Sub::Confirm => match d {
                    '1' => {
                        let ani = self
                            .state
                            .calls
                            .get(&call)
                            .map(|c| c.info.ani.to_string())
                            .unwrap_or_default();
                        self.register_callback(now, call, cb, ani);
                    }
                    '2' => {
                        if let Some(s) = self.session_mut(call) {
                            s.sub = Sub::CallbackNumber;
                        }
                        self.ivr_play(
                            call,
                            std::slice::from_ref(&cb.ask_number),
                            Vec::new(),
                            true,
                            Then::Listen,
                        );
                    }
                    _ => self.listen(now, call),
                },
                _ => {
                    if d == '#' || buf.len() >= 15 {
                        let number: String = buf.chars().filter(|c| c.is_ascii_digit()).collect();
                        if number.is_empty() {
                            self.listen(now, call);
                        } else {
                            self.register_callback(now, call, cb, number);
                        }
                    } else {
                        self.inter_digit(now, call);
                    }
                }
            },
            Node::Queue(q) => {
                let Some(offers) = q.offers else { return };
                if let Some(s) = self.session_mut(call) {
                    s.digits.clear();
                }
                if offers.callback_digit.as_deref() == Some(&buf) {
                    let ani = self
                        .state
                        .calls
                        .get(&call)
                        .map(|c| c.info.ani.to_string())
                        .unwrap_or_default();
                    self.end_session(call);
                    let _ = self.request_callback(now, call, ani);
                } else if let Some(v) = offers.voicemail.filter(|v| v.digit == buf) {
                    let mailbox = match self.ivr_cfg().and_then(|c| {
                        let s = self.session(call)?;
                        c.flows.get(&s.flow)?.nodes.get(&v.node)
                    }) {
                        Some(Node::Voicemail(vm)) => vm.mailbox.clone(),
                        _ => String::new(),
                    };
                    if let Some(visit) = self.leave_queue(now, call) {
                        self.push_event(Event::CallOverflowed {
                            call,
                            queue: visit.queue,
                            to: crate::config::Destination::Voicemail(mailbox),
                            reason: OverflowReason::CallerChoice,
                        });
                    }
                    if let Some(c) = self.state.calls.get_mut(&call)
                        && std::mem::replace(&mut c.moh, false)
                    {
                        c.phase = Phase::Arrived;
                        self.push_action(Action::StopMusicOnHold { call });
                    } else if let Some(c) = self.state.calls.get_mut(&call) {
                        c.phase = Phase::Arrived;
                    }
                    self.goto(call, v.node);
                    self.ivr_enter(now, call);
                }
            }
            _ => {}
        }
    }

    fn next_question(&mut self, now: Millis, call: CallId, sv: &model::Survey, i: usize) {
        match sv.questions.get(i + 1) {
            Some(q) => {
                if let Some(s) = self.session_mut(call) {
                    s.sub = Sub::Question(i + 1);
                    s.digits.clear();
                }
                self.ivr_play(
                    call,
                    std::slice::from_ref(&q.prompt),
                    Vec::new(),
                    true,
                    Then::Listen,
                );
            }
            None => {
                self.goto(call, sv.next.clone());
                self.ivr_enter(now, call);
            }
        }
    }

    fn register_callback(&mut self, now: Millis, call: CallId, cb: model::CallbackNode, number: String) {
        if let Some(s) = self.session_mut(call) {
            s.vars.insert("callback.number".into(), number.clone());
        }
        if let Some(announcement) = cb
            .done
            .and_then(|d| self.announcement(call, &[d], Vec::new(), false))
        {
            self.push_action(Action::Play { call, announcement });
        }
        self.end_session(call);
        self.ivr_to_queue(now, call, cb.queue, 0, None);
        if self
            .state
            .calls
            .get(&call)
            .is_some_and(|c| c.phase == Phase::Waiting)
        {
            let _ = self.request_callback(now, call, number);
        }
    }

    /// The caller's input for a collect node is complete.
    fn collect_done(&mut self, now: Millis, call: CallId) {
        let Some(Node::Collect(c)) = self.node(call).cloned() else {
            return;
        };
        let buf = self.session(call).map(|s| s.digits.clone()).unwrap_or_default();
        let n = buf.len() as u32;
        let mut valid = n >= c.min_digits && n <= c.max_digits && buf.chars().all(|d| d.is_ascii_digit());
        match &c.validate {
            Some(Validation::Luhn) => valid &= luhn(&buf),
            Some(Validation::Pattern(p)) => {
                valid &= self
                    .compiled_ivr
                    .as_ref()
                    .and_then(|x| x.patterns.get(p))
                    .is_some_and(|re| re.is_match(&buf));
            }
            None => {}
        }
        self.push_event(Event::DigitsCollected {
            call,
            var: c.into.clone(),
            digits: (!c.sensitive).then(|| buf.clone()),
            valid,
        });
        if !valid {
            self.collect_failure(now, call, &c);
            return;
        }
        match &c.confirm {
            Some(confirm) => {
                if let Some(s) = self.session_mut(call) {
                    s.sub = Sub::Confirm;
                    s.vars.insert(format!("{}.pending", c.into), buf.clone());
                }
                let extra = if c.sensitive {
                    Vec::new()
                } else {
                    vec![PromptPart::Digits(buf)]
                };
                self.ivr_play(call, std::slice::from_ref(confirm), extra, true, Then::Listen);
            }
            None => {
                if let Some(s) = self.session_mut(call) {
                    s.vars.insert(c.into.clone(), buf);
                    if c.sensitive {
                        s.sensitive.insert(c.into.clone());
                    }
                }
                self.goto(call, c.next);
                self.ivr_enter(now, call);
            }
        }
    }

    fn collect_accept(&mut self, now: Millis, call: CallId) {
        let Some(Node::Collect(c)) = self.node(call).cloned() else {
            return;
        };
        if let Some(s) = self.session_mut(call) {
            let key = format!("{}.pending", c.into);
            if let Some(v) = s.vars.remove(&key) {
                s.vars.insert(c.into.clone(), v);
            }
            if c.sensitive {
                s.sensitive.insert(c.into.clone());
            }
        }
        self.goto(call, c.next);
        self.ivr_enter(now, call);
    }

    fn collect_failure(&mut self, now: Millis, call: CallId, c: &model::Collect) {
        let failures = match self.session_mut(call) {
            Some(s) => {
                s.failures += 1;
                s.digits.clear();
                s.failures
            }
            None => return,
        };
        if failures >= c.max_attempts {
            self.goto(call, c.on_failure.clone());
            self.ivr_enter(now, call);
            return;
        }
        let mut prompts: Vec<String> = c.invalid.iter().cloned().collect();
        prompts.push(c.prompt.clone());
        self.ivr_play(call, &prompts, Vec::new(), true, Then::Listen);
    }

    /// An invalid menu choice (`timeout = false`) or no choice at all.
    fn menu_failure(&mut self, now: Millis, call: CallId, timeout: bool) {
        let Some(Node::Menu(m)) = self.node(call).cloned() else {
            return;
        };
        let (failures, timeouts) = match self.session_mut(call) {
            Some(s) => {
                if timeout {
                    s.timeouts += 1;
                } else {
                    s.failures += 1;
                }
                s.digits.clear();
                (s.failures, s.timeouts)
            }
            None => return,
        };
        if failures >= m.max_failures || timeouts >= m.max_timeouts {
            self.goto(call, m.on_failure);
            self.ivr_enter(now, call);
            return;
        }
        let first = if timeout {
            m.timeout_prompt.clone()
        } else {
            m.invalid.clone()
        };
        let mut prompts: Vec<String> = first.into_iter().collect();
        prompts.push(m.short_greeting.clone().unwrap_or(m.greeting.clone()));
        self.ivr_play(call, &prompts, Vec::new(), m.barge_in, Then::Listen);
    }

    /// An IVR timer: no key in time, a lookup that did not answer, or the in-queue
    /// offer check.
    pub(super) fn ivr_timeout(&mut self, now: Millis, call: CallId, epoch: u32) {
        let Some(s) = self.session(call) else { return };
        if s.epoch != epoch {
            return;
        }
        let (wait, sub, buf) = (s.wait.clone(), s.sub, s.digits.clone());
        let Some(node) = self.node(call).cloned() else {
            return;
        };
        match (wait, node) {
            (Wait::Lookup { .. }, Node::Lookup(l)) => {
                self.goto(call, l.on_failure);
                self.ivr_enter(now, call);
            }
            (Wait::InQueue { offered: false }, Node::Queue(q)) => {
                let Some(offers) = q.offers else { return };
                let Some(c) = self.state.calls.get(&call) else {
                    return;
                };
                if c.phase != Phase::Waiting {
                    self.end_session(call);
                    return;
                }
                let waited = c.waited(now);
                let ewt = c
                    .visit
                    .as_ref()
                    .and_then(|v| self.state.queues.get(&v.queue))
                    .and_then(|q| q.estimated_wait_ms(q.waiting.len() as u32, q.counts(&self.state.pools)));
                let due = offers
                    .after_secs
                    .is_some_and(|s| waited >= Millis::from(s) * 1000)
                    || offers
                        .when_wait_over_secs
                        .is_some_and(|s| ewt.is_some_and(|e| e > Millis::from(s) * 1000));
                if due {
                    self.ivr_play(call, &[offers.prompt], Vec::new(), true, Then::Queue);
                } else {
                    let epoch = self.bump(call, Wait::InQueue { offered: false });
                    self.schedule(now + 5_000, TimerKind::IvrTimeout { call, epoch });
                }
            }
            (Wait::Digits, Node::Menu(m)) => {
                if buf.is_empty() {
                    self.menu_failure(now, call, true);
                } else if let Some(t) = m.options.get(&buf).cloned() {
                    self.goto(call, t);
                    self.ivr_enter(now, call);
                } else {
                    self.menu_failure(now, call, false);
                }
            }
            (Wait::Digits, Node::Collect(c)) => {
                if buf.is_empty() || sub == Sub::Confirm {
                    self.collect_failure(now, call, &c);
                } else {
                    self.collect_done(now, call);
                }
            }
            (Wait::Digits, Node::Language(l)) => {
                self.goto(call, l.next);
                self.ivr_enter(now, call);
            }
            (Wait::Digits, Node::Survey(sv)) => {
                if let Sub::Question(i) = sub {
                    self.next_question(now, call, &sv, i);
                }
            }
            (Wait::Digits, Node::Callback(cb)) => {
                if sub == Sub::CallbackNumber && !buf.is_empty() {
                    let number: String = buf.chars().filter(|c| c.is_ascii_digit()).collect();
                    self.register_callback(now, call, cb, number);
                } else {
                    // No confirmation: ask again, up to three times, then give up.
                    let tries = self.session_mut(call).map_or(3, |s| {
                        s.timeouts += 1;
                        s.timeouts
                    });
                    if tries >= 3 {
                        self.ivr_hangup(now, call, None);
                    } else {
                        let ani = self
                            .state
                            .calls
                            .get(&call)
                            .map(|c| c.info.ani.to_string())
                            .unwrap_or_default();
                        self.ivr_play(
                            call,
                            &[cb.confirm],
                            vec![PromptPart::Digits(ani)],
                            true,
                            Then::Listen,
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

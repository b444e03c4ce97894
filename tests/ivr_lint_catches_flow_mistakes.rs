//! Every lint check, one test each: the code, the flow and node, the field path and the
//! exact line and column where the mistake is written. Plus loading errors with exact
//! locations, and the example flows linting clean.

use callroute::ivr::lint::{Diagnostic, LintReport, Severity, codes, lint, validate};
use callroute::ivr::source::{Format, Sources};
use callroute::ivr::{Flow, IvrConfig};
use std::path::Path;

/// Prompts used by the flows below; `PROMPTS` has 4 lines.
const PROMPTS: &str = r#"locales = ["en"]
[prompts]
p = { en = [{ text = "hello" }] }
bye = { en = [{ text = "bye" }] }
"#;

fn parse(src: &str) -> (IvrConfig, Sources) {
    let ivr = IvrConfig::from_toml_str(src, "ivr.toml").unwrap_or_else(|e| panic!("{e}"));
    (ivr, Sources::with_config("ivr.toml", src, Format::Toml))
}

fn run(src: &str) -> LintReport {
    let (ivr, sources) = parse(src);
    lint(&ivr, &["main"], &[1, 2, 3], Some(&sources))
}

/// 1-based line of the first line containing `needle`.
fn line_of(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in source"))
        + 1
}

/// The one diagnostic with `code`; fails when there are none or several.
fn only<'a>(report: &'a LintReport, code: &str) -> &'a Diagnostic {
    let found: Vec<_> = report.with_code(code).collect();
    assert_eq!(found.len(), 1, "expected one `{code}` in:\n{report}");
    found[0]
}

fn assert_at(d: &Diagnostic, flow: &str, node: Option<&str>, field: &str, line: usize, column: usize) {
    assert_eq!(d.flow, flow, "{d}");
    assert_eq!(d.node.as_deref(), node, "{d}");
    assert_eq!(d.field, field, "{d}");
    assert_eq!(d.file.as_deref(), Some("ivr.toml"), "{d}");
    assert_eq!((d.line, d.column), (Some(line), Some(column)), "{d}");
}

fn flow(body: &str) -> String {
    format!("{PROMPTS}{body}")
}

#[test]
fn a_clean_flow_has_no_diagnostics() {
    let src = flow(
        r#"[flows.f]
start = "m"
[flows.f.nodes.m]
type = "menu"
greeting = "p"
options = { 1 = "q", 2 = "bye" }
on_failure = "bye"
[flows.f.nodes.q]
type = "queue"
queue = 1
[flows.f.nodes.bye]
type = "hangup"
prompt = "bye"
"#,
    );
    let report = run(&src);
    assert!(report.diagnostics.is_empty(), "{report}");
    assert_eq!(report.to_string(), "0 errors, 0 warnings");
}

#[test]
fn unknown_target() {
    let src = flow(
        r#"[flows.f]
start = "m"
[flows.f.nodes.m]
type = "menu"
greeting = "p"
options = { 1 = "q", 2 = "nowhere" }
on_failure = "q"
[flows.f.nodes.q]
type = "queue"
queue = 1
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNKNOWN_TARGET);
    assert_eq!(d.severity, Severity::Error);
    // The key `2` inside the inline table on line 10.
    assert_at(d, "f", Some("m"), "nodes.m.options.2", 10, 22);
    assert_eq!(
        d.message,
        "option `2` goes to `nowhere`, which is not a node of this flow"
    );
    assert_eq!(report.diagnostics.len(), 1, "{report}");
    assert_eq!(
        d.to_string(),
        "ivr.toml:10:22: error[unknown-target]: flow `f`, node `m` at `nodes.m.options.2`: \
         option `2` goes to `nowhere`, which is not a node of this flow"
    );
}

#[test]
fn unknown_start() {
    let src = flow(
        r#"[flows.f]
start = "missing"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNKNOWN_START);
    assert_at(d, "f", None, "start", 6, 1);
    assert_eq!(d.message, "start node `missing` is not a node of this flow");
}

#[test]
fn unreachable_node_is_a_warning() {
    let src = flow(
        r#"[flows.f]
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
[flows.f.nodes.orphan]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNREACHABLE_NODE);
    assert_eq!(d.severity, Severity::Warning);
    assert_at(d, "f", Some("orphan"), "nodes.orphan", 9, 16);
    assert!(!report.has_errors());
}

#[test]
fn dead_end_before_a_loop() {
    let src = flow(
        r#"[flows.f]
start = "intro"
[flows.f.nodes.intro]
type = "play"
prompts = ["p"]
next = "a"
[flows.f.nodes.a]
type = "play"
prompts = ["p"]
next = "b"
[flows.f.nodes.b]
type = "play"
prompts = ["p"]
next = "a"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::DEAD_END);
    assert_at(
        d,
        "f",
        Some("intro"),
        "nodes.intro",
        line_of(&src, "nodes.intro]"),
        16,
    );
    assert_eq!(
        d.message,
        "no hangup, transfer, queue, voicemail, callback or return can be reached from here"
    );
}

#[test]
fn loop_without_exit() {
    let src = flow(
        r#"[flows.f]
start = "a"
[flows.f.nodes.a]
type = "play"
prompts = ["p"]
next = "b"
[flows.f.nodes.b]
type = "menu"
greeting = "p"
options = { 1 = "a" }
on_failure = "a"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::LOOP_WITHOUT_EXIT);
    assert_at(d, "f", Some("a"), "nodes.a", 7, 16);
    assert_eq!(
        d.message,
        "nodes `a`, `b` lead only to each other: a call that gets here never ends"
    );
    // The loop is reported once, not again as dead ends or as an unguarded loop.
    assert_eq!(report.errors().count(), 1, "{report}");
}

#[test]
fn a_loop_through_a_menu_whose_failure_leaves_is_fine() {
    let src = flow(
        r#"[flows.f]
start = "m"
[flows.f.nodes.m]
type = "menu"
greeting = "p"
options = { 1 = "again", 2 = "bye" }
on_failure = "bye"
[flows.f.nodes.again]
type = "play"
prompts = ["p"]
next = "m"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    assert!(report.diagnostics.is_empty(), "{report}");
}

#[test]
fn unguarded_loop_through_on_failure() {
    let src = flow(
        r#"[flows.f]
start = "m"
[flows.f.nodes.m]
type = "menu"
greeting = "p"
options = { 1 = "q" }
on_failure = "sorry"
[flows.f.nodes.sorry]
type = "play"
prompts = ["p"]
next = "m"
[flows.f.nodes.q]
type = "queue"
queue = 1
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNGUARDED_LOOP);
    assert_at(d, "f", Some("m"), "nodes.m", 7, 16);
    assert!(
        d.message
            .starts_with("a caller who presses nothing goes round `m`, `sorry` forever")
    );
    assert_eq!(report.errors().count(), 1, "{report}");
}

#[test]
fn a_branch_guards_a_retry_loop() {
    let src = flow(
        r#"[flows.f]
start = "count"
[flows.f.nodes.count]
type = "set"
vars = { tries = "string(int(vars.tries) + 1)" }
next = "check"
[flows.f.nodes.check]
type = "branch"
conditions = [{ when = "int(vars.tries) > 3", next = "bye" }]
otherwise = "dip"
[flows.f.nodes.dip]
type = "lookup"
name = "x"
next = "bye"
on_failure = "count"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    assert!(report.diagnostics.is_empty(), "{report}");
}

#[test]
fn overlapping_digits() {
    let src = flow(
        r#"[flows.f]
start = "m"
[flows.f.nodes.m]
type = "menu"
greeting = "p"
on_failure = "bye"
[flows.f.nodes.m.options]
1 = "bye"
12 = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::OVERLAPPING_DIGITS);
    assert_at(d, "f", Some("m"), "nodes.m.options.12", 13, 1);
    assert_eq!(
        d.message,
        "option `12` overlaps option `1`, which is a prefix of it"
    );
}

#[test]
fn invalid_digits() {
    let src = flow(
        r#"[flows.f]
start = "m"
[flows.f.nodes.m]
type = "menu"
greeting = "p"
on_failure = "bye"
options = { 1 = "bye", "A" = "bye" }
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::INVALID_DIGITS);
    assert_at(d, "f", Some("m"), "nodes.m.options.A", 11, 24);
    assert_eq!(d.message, "option `A` is not a string of keys 0-9, * and #");
}

#[test]
fn duplicate_digit_in_queue_offers() {
    let src = flow(
        r#"[flows.f]
start = "q"
[flows.f.nodes.q]
type = "queue"
queue = 1
offers = { after_secs = 30, prompt = "p", callback_digit = "1", voicemail = { digit = "1", node = "vm" } }
[flows.f.nodes.vm]
type = "voicemail"
mailbox = "m"
prompt = "p"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::DUPLICATE_DIGIT);
    let line = line_of(&src, "offers =");
    let column = src
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("digit = \"1\", node")
        .unwrap()
        + 1;
    assert_at(d, "f", Some("q"), "nodes.q.offers.voicemail.digit", line, column);
    assert_eq!(d.message, "digit `1` is also the callback digit");
}

#[test]
fn missing_prompt_locale() {
    let src = r#"locales = ["en", "pt"]
[prompts.p]
en = [{ text = "hello" }]
[flows.f]
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
prompt = "p"
"#;
    let report = run(src);
    let d = only(&report, codes::MISSING_PROMPT_LOCALE);
    assert_eq!(d.flow, "");
    assert_eq!(d.node, None);
    assert_eq!(d.field, "prompts.p");
    assert_eq!((d.line, d.column), (Some(2), Some(10)));
    assert_eq!(
        d.message,
        "prompt `p` has no `pt` version (declared locales: en, pt)"
    );
}

#[test]
fn unknown_prompt() {
    let src = flow(
        r#"[flows.f]
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
prompt = "nope"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNKNOWN_PROMPT);
    assert_at(d, "f", Some("bye"), "nodes.bye.prompt", 9, 1);
    assert_eq!(d.message, "prompt `nope` is not defined under `prompts`");
}

#[test]
fn cel_that_does_not_parse() {
    let src = flow(
        r#"[flows.f]
start = "b"
[flows.f.nodes.b]
type = "branch"
otherwise = "bye"
conditions = [
  { when = "ani == '1'", next = "bye" },
  { when = "ani ==", next = "bye" },
]
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::CEL_SYNTAX);
    assert_at(d, "f", Some("b"), "nodes.b.conditions[1].when", 12, 5);
    assert!(
        d.message.starts_with("CEL `ani ==` does not parse: "),
        "{}",
        d.message
    );
}

#[test]
fn cel_reading_unknown_variables() {
    let src = flow(
        r#"[flows.f]
start = "s"
[flows.f.nodes.s]
type = "set"
vars = { vip = "tags.exists(t, t == 'vip') && customer.gold", ok = "vars.x == dnis" }
next = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::CEL_UNKNOWN_VARIABLE);
    assert_at(d, "f", Some("s"), "nodes.s.vars.vip", 9, 10);
    assert_eq!(
        d.message,
        "CEL `tags.exists(t, t == 'vip') && customer.gold` reads unknown variable `customer` \
         (known: ani, dnis, vars, attrs, tags, queues, time, open, locale)"
    );
}

#[test]
fn cel_too_deeply_nested() {
    let src = flow(
        r#"[flows.f]
start = "b"
[flows.f.nodes.b]
type = "branch"
conditions = [{ when = "(((((((ani)))))))", next = "bye" }]
otherwise = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::CEL_TOO_COMPLEX);
    assert_at(d, "f", Some("b"), "nodes.b.conditions[0].when", 9, 17);
    assert_eq!(
        d.message,
        "CEL `(((((((ani)))))))` nests brackets 7 deep (at most 6)"
    );
}

#[test]
fn unknown_calendar() {
    let src = flow(
        r#"[flows.f]
start = "h"
[flows.f.nodes.h]
type = "schedule"
calendar = "weekend"
open = "bye"
closed = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNKNOWN_CALENDAR);
    assert_at(d, "f", Some("h"), "nodes.h.calendar", 9, 1);
    assert_eq!(d.message, "calendar `weekend` is not configured");
}

#[test]
fn unknown_queue() {
    let src = flow(
        r#"[flows.f]
start = "t"
[flows.f.nodes.t]
type = "transfer"
to = { queue = 9 }
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNKNOWN_QUEUE);
    assert_at(d, "f", Some("t"), "nodes.t.to.queue", 9, 8);
    assert_eq!(d.message, "queue 9 is not configured");
}

#[test]
fn unknown_flow_in_subflow_and_entry() {
    let src = flow(
        r#"[entry]
dnis = { "0800" = "ghost" }
[flows.f]
start = "s"
[flows.f.nodes.s]
type = "subflow"
flow = "missing"
next = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let found: Vec<_> = report.with_code(codes::UNKNOWN_FLOW).collect();
    assert_eq!(found.len(), 2, "{report}");
    let entry = found[0];
    assert_eq!((entry.flow.as_str(), entry.node.as_deref()), ("", None));
    assert_eq!(entry.field, "entry.dnis.0800");
    assert_eq!((entry.line, entry.column), (Some(6), Some(10)));
    assert_eq!(
        entry.message,
        "DNIS `0800` goes to flow `ghost`, which is not defined"
    );
    assert_at(found[1], "f", Some("s"), "nodes.s.flow", 11, 1);
    assert_eq!(found[1].message, "flow `missing` is not defined");
}

#[test]
fn recursive_subflow() {
    let src = flow(
        r#"[flows.a]
start = "call_b"
[flows.a.nodes.call_b]
type = "subflow"
flow = "b"
next = "bye"
[flows.a.nodes.bye]
type = "hangup"
[flows.b]
start = "call_a"
[flows.b.nodes.call_a]
type = "subflow"
flow = "a"
next = "back"
[flows.b.nodes.back]
type = "return"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::RECURSIVE_SUBFLOW);
    assert_at(d, "a", Some("call_b"), "nodes.call_b.flow", 9, 1);
    assert_eq!(
        d.message,
        "flows `a`, `b` call each other as subflows without end"
    );
}

#[test]
fn return_outside_subflow_is_a_warning() {
    let src = flow(
        r#"[flows.f]
start = "r"
[flows.f.nodes.r]
type = "return"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::RETURN_OUTSIDE_SUBFLOW);
    assert_eq!(d.severity, Severity::Warning);
    assert_at(d, "f", Some("r"), "nodes.r", 7, 16);
    assert_eq!(
        d.message,
        "no subflow node calls flow `f`, so this return has nowhere to go"
    );
}

#[test]
fn menus_nested_too_deep() {
    let src = format!(
        "max_menu_depth = 2\n{}",
        flow(
            r#"[flows.f]
start = "m1"
[flows.f.nodes.m1]
type = "menu"
greeting = "p"
options = { 1 = "m2" }
on_failure = "bye"
[flows.f.nodes.m2]
type = "menu"
greeting = "p"
options = { 1 = "m3", 9 = "m1" }
on_failure = "bye"
[flows.f.nodes.m3]
type = "menu"
greeting = "p"
options = { 1 = "bye" }
on_failure = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#
        )
    );
    let report = run(&src);
    let d = only(&report, codes::MENU_TOO_DEEP);
    assert_at(d, "f", Some("m3"), "nodes.m3", line_of(&src, "nodes.m3]"), 16);
    assert_eq!(
        d.message,
        "this menu is nested 3 menus deep (max_menu_depth is 2)"
    );
}

#[test]
fn invalid_regex_in_collect() {
    let src = flow(
        r#"[flows.f]
start = "c"
[flows.f.nodes.c]
type = "collect"
prompt = "p"
into = "acct"
max_digits = 8
validate = { pattern = "^[0-9{8}$" }
next = "bye"
on_failure = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::INVALID_REGEX);
    assert_at(d, "f", Some("c"), "nodes.c.validate.pattern", 12, 14);
    assert_eq!(
        d.message,
        "pattern `^[0-9{8}$` is not a valid regular expression: unclosed character class"
    );
}

#[test]
fn collect_min_digits_above_max_digits() {
    let src = flow(
        r#"[flows.f]
start = "c"
[flows.f.nodes.c]
type = "collect"
prompt = "p"
into = "acct"
min_digits = 9
max_digits = 8
next = "bye"
on_failure = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::COLLECT_DIGIT_RANGE);
    assert_at(d, "f", Some("c"), "nodes.c.min_digits", 11, 1);
    assert_eq!(d.message, "min_digits (9) is more than max_digits (8)");
}

#[test]
fn survey_min_above_max() {
    let src = flow(
        r#"[flows.f]
start = "s"
[flows.f.nodes.s]
type = "survey"
next = "bye"
[[flows.f.nodes.s.questions]]
id = "q1"
prompt = "p"
[[flows.f.nodes.s.questions]]
id = "q2"
prompt = "p"
min = 4
max = 2
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::SURVEY_RANGE);
    assert_at(d, "f", Some("s"), "nodes.s.questions[1].min", 16, 1);
    assert_eq!(d.message, "question `q2`: min (4) is more than max (2)");
}

#[test]
fn language_option_for_an_undeclared_locale() {
    let src = flow(
        r#"[flows.f]
start = "l"
[flows.f.nodes.l]
type = "language"
prompt = "p"
options = { 1 = "en", 2 = "fr" }
next = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::UNKNOWN_LOCALE);
    assert_at(d, "f", Some("l"), "nodes.l.options.2", 10, 23);
    assert_eq!(
        d.message,
        "option `2` selects locale `fr`, which is not in `locales` (en)"
    );
}

#[test]
fn no_locales() {
    let src = "locales = []\n";
    let report = run(src);
    let d = only(&report, codes::NO_LOCALES);
    assert_eq!(
        (d.field.as_str(), d.line, d.column),
        ("locales", Some(1), Some(1))
    );
}

#[test]
fn undeclared_prompt_locale_is_a_warning() {
    let src = "[prompts.p]\nen = [{ text = \"hi\" }]\nde = [{ text = \"hallo\" }]\n";
    let report = run(src);
    let d = only(&report, codes::UNDECLARED_PROMPT_LOCALE);
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        (d.field.as_str(), d.line, d.column),
        ("prompts.p.de", Some(3), Some(1))
    );
}

#[test]
fn flow_id_mismatch() {
    let src = flow(
        r#"[flows.f]
id = "g"
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::FLOW_ID_MISMATCH);
    assert_at(d, "f", None, "id", 6, 1);
}

#[test]
fn test_expecting_an_unknown_node() {
    let src = flow(
        r#"[flows.f]
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
[[flows.f.tests]]
name = "t"
steps = [{ expect-node = "bye" }, { expect-node = "gone" }]
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::TEST_UNKNOWN_REFERENCE);
    assert_at(d, "f", None, "tests[0].steps[1]", 11, 35);
    assert_eq!(
        d.message,
        "test `t` step 2: expects node `gone`, which the flow does not have"
    );
}

#[test]
fn invalid_requirement() {
    let src = flow(
        r#"[flows.f]
start = "q"
[flows.f.nodes.q]
type = "queue"
queue = 1
requirement = { all = [{ skill = "cards" }, { skill = "" }] }
"#,
    );
    let report = run(&src);
    let d = only(&report, codes::INVALID_REQUIREMENT);
    assert_at(d, "f", Some("q"), "nodes.q.requirement", 10, 1);
    assert_eq!(d.message, "skill name is empty");
}

#[test]
fn entry_rule_cel_and_ani_rule_prompt_are_checked() {
    let src = flow(
        r#"[[entry.rules]]
when = "caller == '1'"
flow = "f"
[[ani_rules]]
numbers = ["+1"]
action = { block = { prompt = "nope" } }
[flows.f]
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
"#,
    );
    let report = run(&src);
    let cel = only(&report, codes::CEL_UNKNOWN_VARIABLE);
    assert_eq!(
        (cel.field.as_str(), cel.line, cel.column),
        ("entry.rules[0].when", Some(6), Some(1))
    );
    let prompt = only(&report, codes::UNKNOWN_PROMPT);
    assert_eq!(prompt.field, "ani_rules[0].action.block.prompt");
    assert_eq!((prompt.line, prompt.column), (Some(10), Some(22)));
}

#[test]
fn flows_from_their_own_files_are_located_in_them() {
    let dir = std::env::temp_dir().join(format!("callroute-ivr-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("side.json"),
        "{\n  \"start\": \"a\",\n  \"nodes\": {\n    \"a\": {\"type\": \"play\", \"prompts\": [\"p\"], \"next\": \"zz\"}\n  }\n}\n",
    )
    .unwrap();
    let main = format!("flow_files = [\"side.json\"]\n{PROMPTS}");
    std::fs::write(dir.join("ivr.toml"), &main).unwrap();
    let (ivr, sources) = IvrConfig::from_path(dir.join("ivr.toml")).unwrap();
    assert_eq!(ivr.flows["side"].id.as_deref(), Some("side"));
    let report = lint(&ivr, &[], &[], Some(&sources));
    let d = only(&report, codes::UNKNOWN_TARGET);
    let file = dir.join("side.json").display().to_string();
    assert_eq!(d.file.as_deref(), Some(file.as_str()));
    assert_eq!((d.flow.as_str(), d.node.as_deref()), ("side", Some("a")));
    assert_eq!((d.line, d.column), (Some(4), Some(45)));
    let err = validate(&ivr, &[], &[], Some(&sources)).unwrap_err();
    assert_eq!(err.location.file, file);
    assert_eq!(err.location.path, "nodes.a.next");
    assert_eq!((err.location.line, err.location.column), (Some(4), Some(45)));
    assert_eq!(
        err.message,
        "error[unknown-target] flow `side`, node `a`: `next` goes to `zz`, which is not a node of this flow"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn validate_names_the_file_line_and_path_of_the_first_error() {
    let src = flow(
        r#"[flows.f]
start = "bye"
[flows.f.nodes.bye]
type = "hangup"
prompt = "nope"
"#,
    );
    let (ivr, sources) = parse(&src);
    let err = validate(&ivr, &[], &[], Some(&sources)).unwrap_err();
    assert_eq!(err.location.file, "ivr.toml");
    assert_eq!(err.location.path, "flows.f.nodes.bye.prompt");
    assert_eq!((err.location.line, err.location.column), (Some(9), Some(1)));
    assert_eq!(
        err.to_string(),
        "ivr.toml:9:1 at `flows.f.nodes.bye.prompt`: error[unknown-prompt] flow `f`, node `bye`: \
         prompt `nope` is not defined under `prompts`"
    );
    // Without sources there is no position, but still the path.
    let err = validate(&ivr, &[], &[], None).unwrap_err();
    assert_eq!(err.location.file, "<ivr>");
    assert_eq!(err.location.line, None);
    assert_eq!(err.location.path, "flows.f.nodes.bye.prompt");
}

#[test]
fn an_ivr_table_inside_a_center_configuration_is_located() {
    let center = r#"[[queues]]
id = 1
[ivr.prompts.p]
en = [{ text = "hi" }]
[ivr.flows.f]
start = "m"
[ivr.flows.f.nodes.m]
type = "menu"
greeting = "p"
options = { 1 = "gone" }
on_failure = "m"
"#;
    let cfg: toml::Table = toml::from_str(center).unwrap();
    let ivr: IvrConfig = cfg["ivr"].clone().try_into().unwrap();
    let sources = Sources::with_config("center.toml", center, Format::Toml).under("ivr");
    let report = lint(&ivr, &[], &[1], Some(&sources));
    let d = only(&report, codes::UNKNOWN_TARGET);
    assert_eq!((d.line, d.column), (Some(10), Some(13)));
    let err = validate(&ivr, &[], &[1], Some(&sources)).unwrap_err();
    assert_eq!(err.location.path, "ivr.flows.f.nodes.m.options.1");
    assert_eq!((err.location.line, err.location.column), (Some(10), Some(13)));
    // The contact-center loader lints its `[ivr]` table the same way.
    let loaded = callroute::Config::from_toml_str(center, "center.toml").unwrap_err();
    assert_eq!(loaded, err);
}

#[test]
fn diagnostics_serialize_with_stable_field_names() {
    let src = flow("[flows.f]\nstart = \"x\"\nnodes = {}\n");
    let report = run(&src);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["diagnostics"][0],
        serde_json::json!({
            "severity": "error", "code": "unknown-start", "flow": "f", "node": null,
            "field": "start", "message": "start node `x` is not a node of this flow",
            "file": "ivr.toml", "line": 6, "column": 1
        })
    );
}

// ----------------------------------------------------------------------------- loading

#[test]
fn a_type_error_inside_a_node_names_the_exact_field_and_line() {
    let src = "start = \"a\"\n[nodes.a]\ntype = \"menu\"\ngreeting = \"p\"\non_failure = \"a\"\noptions = {}\nmax_failures = \"three\"\n";
    let err = Flow::from_toml_str(src, "f.toml").unwrap_err();
    assert_eq!(err.location.file, "f.toml");
    assert_eq!(err.location.path, "nodes.a.max_failures");
    assert_eq!((err.location.line, err.location.column), (Some(7), Some(1)));
    assert_eq!(err.message, "invalid type: string \"three\", expected u32");
}

#[test]
fn an_unknown_field_inside_a_node_is_located() {
    let src = "{\n \"start\": \"a\",\n \"nodes\": {\n  \"a\": {\n   \"type\": \"play\",\n   \"prompts\": [],\n   \"nxt\": \"b\"\n  }\n }\n}";
    let err = Flow::from_json_str(src, "f.json").unwrap_err();
    assert_eq!(err.location.path, "nodes.a.nxt");
    assert_eq!((err.location.line, err.location.column), (Some(7), Some(4)));
    assert_eq!(err.message, "unknown field `nxt`, expected `prompts` or `next`");
}

#[test]
fn a_missing_field_names_the_node() {
    let src = "[flows.f]\nstart = \"a\"\n[flows.f.nodes.a]\ntype = \"play\"\nprompts = []\n";
    let err = IvrConfig::from_toml_str(src, "ivr.toml").unwrap_err();
    assert_eq!(err.location.path, "flows.f.nodes.a");
    assert_eq!((err.location.line, err.location.column), (Some(3), Some(16)));
    assert_eq!(err.message, "missing field `next`");
}

#[test]
fn an_unknown_node_type_is_located_at_the_type() {
    let src = "start = \"a\"\n[nodes.a]\ntype = \"dance\"\n";
    let err = Flow::from_toml_str(src, "f.toml").unwrap_err();
    assert_eq!(err.location.path, "nodes.a.type");
    assert_eq!((err.location.line, err.location.column), (Some(3), Some(8)));
    assert!(
        err.message.starts_with("unknown variant `dance`"),
        "{}",
        err.message
    );
}

#[test]
fn toml_syntax_errors_have_a_position() {
    let err = IvrConfig::from_toml_str("locales = [\"en\"\n[x", "ivr.toml").unwrap_err();
    assert_eq!(err.location.file, "ivr.toml");
    assert_eq!(err.location.path, "");
    assert_eq!((err.location.line, err.location.column), (Some(2), Some(1)));
    assert_eq!(err.message, "missing comma between array elements, expected `,`");
}

#[test]
fn json_errors_outside_nodes_have_line_and_path() {
    let src = "{\n \"locales\": [\"en\"],\n \"max_menu_depth\": \"deep\"\n}";
    let err = IvrConfig::from_json_str(src, "ivr.json").unwrap_err();
    assert_eq!(err.location.path, "max_menu_depth");
    assert_eq!(err.location.line, Some(3));
    assert_eq!(err.message, "invalid type: string \"deep\", expected u32");
}

#[test]
fn duplicate_json_keys_are_rejected() {
    let src = "{\"start\": \"a\", \"nodes\": {\"a\": {\"type\": \"menu\", \"greeting\": \"p\", \"on_failure\": \"a\",\n \"options\": {\"1\": \"a\", \"1\": \"b\"}}}}";
    let err = Flow::from_json_str(src, "f.json").unwrap_err();
    assert_eq!(err.location.path, "nodes.a.options.1");
    assert_eq!((err.location.line, err.location.column), (Some(2), Some(24)));
    assert_eq!(err.message, "duplicate key `1`");
}

#[test]
fn duplicate_flow_ids_across_files_are_an_error() {
    let dir = std::env::temp_dir().join(format!("callroute-ivr-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("one.toml"),
        "id = \"x\"\nstart = \"b\"\n[nodes.b]\ntype = \"hangup\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("x.json"),
        "{\"start\": \"b\", \"nodes\": {\"b\": {\"type\": \"hangup\"}}}",
    )
    .unwrap();
    let mut ivr = IvrConfig {
        flow_files: vec!["one.toml".into(), "x.json".into()],
        ..IvrConfig::default()
    };
    let err = ivr.load_flow_files(&dir).unwrap_err();
    assert_eq!(err.location.file, dir.join("x.json").display().to_string());
    assert_eq!(
        err.message,
        format!(
            "duplicate flow id `x`: {} defines it too",
            dir.join("one.toml").display()
        )
    );
    // A missing file is reported with its name.
    let mut ivr = IvrConfig {
        flow_files: vec!["nope.toml".into()],
        ..IvrConfig::default()
    };
    let err = ivr.load_flow_files(&dir).unwrap_err();
    assert!(err.message.starts_with("cannot read: "), "{}", err.message);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sources_locate_nodes_and_fields_in_toml_and_json() {
    let toml = "start = \"a\"\n\n[nodes.a]\ntype = \"menu\"\noptions = { 1 = \"a\" }\n[nodes.b]\ntype = \"hangup\"\n";
    let mut sources = Sources::new();
    sources.add_flow("t", "t.toml", toml, Format::Toml);
    assert_eq!(sources.locate("t", "a", None), Some((3, 8)));
    assert_eq!(sources.locate("t", "a", Some("options.1")), Some((5, 13)));
    assert_eq!(sources.locate("t", "a", Some("not_written")), Some((3, 8)));
    assert_eq!(sources.locate("t", "zz", None), None);
    let inline = "[flows.f.nodes]\nx = { type = \"hangup\" }\n";
    let sources = Sources::with_config("c.toml", inline, Format::Toml);
    assert_eq!(sources.locate("f", "x", None), Some((2, 1)));
    assert_eq!(sources.locate("f", "x", Some("type")), Some((2, 7)));
    let json = "{\"nodes\": {\n  \"x\": {\"type\": \"hangup\"}}}";
    let mut sources = Sources::new();
    sources.add_flow("j", "j.json", json, Format::Json);
    assert_eq!(sources.locate("j", "x", None), Some((2, 3)));
    assert_eq!(sources.locate("j", "x", Some("type")), Some((2, 9)));
}

// ------------------------------------------------------------------------- the examples

fn example(name: &str) -> (IvrConfig, Sources) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/flows")
        .join(name);
    IvrConfig::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_bank_hotline_example_lints_clean() {
    let (ivr, sources) = example("bank_hotline.toml");
    let report = lint(&ivr, &["main"], &[1, 2, 3], Some(&sources));
    assert!(report.diagnostics.is_empty(), "{report}");
    assert_eq!(ivr.flows["bank"].tests.len(), 7);
    assert_eq!(ivr.entry.dnis["0800-BANK"], "bank");
}

#[test]
fn the_repair_line_example_lints_clean() {
    let (ivr, sources) = example("repair_line.toml");
    let report = lint(&ivr, &[], &[4], Some(&sources));
    assert!(report.diagnostics.is_empty(), "{report}");
    assert!(validate(&ivr, &[], &[4], Some(&sources)).is_ok());
    // Without the repairs queue every queue reference is an error.
    let report = lint(&ivr, &[], &[], Some(&sources));
    let lines: Vec<_> = report.with_code(codes::UNKNOWN_QUEUE).map(|d| d.line).collect();
    assert_eq!(lines.len(), 3, "{report}");
}

/// The scripted conversations of both examples pass against the engine (the bank hotline
/// with its contact center, examples/bank_hotline.toml, and calendar "main": weekdays
/// 08:00-20:00 UTC).
#[test]
fn the_example_conversations_pass_in_the_engine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let calendar = callroute::calendar::Calendar::from_toml_str(
        "time_zone = \"UTC\"\n[hours]\nmon = [\"08:00-20:00\"]\ntue = [\"08:00-20:00\"]\n\
         wed = [\"08:00-20:00\"]\nthu = [\"08:00-20:00\"]\nfri = [\"08:00-20:00\"]\n",
    )
    .unwrap();
    let center = std::fs::read_to_string(root.join("examples/bank_hotline.toml")).unwrap();
    let mut bank = callroute::Config::from_toml_str(&center, "bank_hotline.toml").unwrap();
    bank.calendars.insert("main".into(), calendar.clone());
    bank.ivr = Some(example("bank_hotline.toml").0);
    let mut repair =
        callroute::Config::from_toml_str("[[queues]]\nid = 4\nname = \"repairs\"\n", "r.toml").unwrap();
    repair.calendars.insert("main".into(), calendar);
    repair.ivr = Some(example("repair_line.toml").0);
    let mut ran = Vec::new();
    for cfg in [&bank, &repair] {
        for r in callroute::ivr::testing::run_flow_tests(cfg) {
            assert!(r.passed(), "{} / {}: {:?}", r.flow, r.name, r.failures);
            ran.push(format!("{}/{}", r.flow, r.name));
        }
    }
    assert_eq!(ran.len(), 12, "{ran:?}");
}

#[test]
fn every_code_is_kebab_case_and_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for code in codes::ALL {
        assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{code}");
        assert!(seen.insert(code), "{code} twice");
    }
    assert_eq!(seen.len(), 29);
}

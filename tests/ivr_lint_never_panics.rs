//! Random flows (random node kinds, targets that may not exist, random digits, random
//! CEL) never make the linter or the renderers panic, and random text never makes the
//! loaders panic.

use callroute::QueueId;
use callroute::ivr::lint::{lint, validate};
use callroute::ivr::model::*;
use callroute::ivr::render::{to_dot, to_mermaid};
use callroute::ivr::source::{Format, Sources};
use proptest::prelude::*;
use std::collections::BTreeMap;

const IDS: &[&str] = &["a", "b", "c", "d", "e", "f", "ghost"];
const PROMPTS: &[&str] = &["p", "q", "missing"];

fn id() -> impl Strategy<Value = String> {
    prop::sample::select(IDS).prop_map(str::to_string)
}

fn prompt() -> impl Strategy<Value = String> {
    prop::sample::select(PROMPTS).prop_map(str::to_string)
}

fn digits() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9*#]{1,3}", "[0-9]", ".{0,3}",]
}

fn cel() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ani == '1'".to_string()),
        Just("vars[\"x.y\"] == \"open\" && open".to_string()),
        Just("tags.exists(t, t == 'vip')".to_string()),
        Just("unknown_thing > 3".to_string()),
        Just("((((((((((1))))))))))".to_string()),
        Just("a ? b : c ? d : e".to_string()),
        "[a-z0-9 ()\\[\\]{}.,'\"!?:|&=<>+*/%-]{0,40}",
        ".{0,20}",
    ]
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        (
            prompt(),
            prop::collection::btree_map(digits(), id(), 0..4),
            id(),
            0u32..4
        )
            .prop_map(|(greeting, options, on_failure, max_failures)| Node::Menu(Menu {
                greeting,
                short_greeting: None,
                options,
                invalid: None,
                timeout_prompt: None,
                max_failures,
                max_timeouts: 3,
                on_failure,
                first_digit_timeout_secs: 5,
                inter_digit_timeout_secs: 3,
                barge_in: true,
            })),
        (prop::collection::vec(prompt(), 0..3), id())
            .prop_map(|(prompts, next)| Node::Play(Play { prompts, next })),
        (prompt(), 0u32..10, 0u32..10, ".{0,8}", id(), id(), digits()).prop_map(
            |(prompt, min_digits, max_digits, pattern, next, on_failure, terminator)| Node::Collect(
                Collect {
                    prompt,
                    into: "v".into(),
                    min_digits,
                    max_digits,
                    terminator,
                    first_digit_timeout_secs: 5,
                    inter_digit_timeout_secs: 3,
                    validate: Some(Validation::Pattern(pattern)),
                    confirm: None,
                    sensitive: false,
                    invalid: None,
                    max_attempts: 3,
                    next,
                    on_failure,
                }
            )
        ),
        (prop::collection::vec((cel(), id()), 0..3), id()).prop_map(|(conds, otherwise)| Node::Branch(
            Branch {
                conditions: conds
                    .into_iter()
                    .map(|(when, next)| Condition { when, next })
                    .collect(),
                otherwise,
            }
        )),
        (
            prop::sample::select(&["main", "other"][..]),
            id(),
            id(),
            prop::option::of(id())
        )
            .prop_map(|(calendar, open, closed, holiday)| Node::Schedule(Schedule {
                calendar: calendar.into(),
                open,
                closed,
                holiday,
            })),
        (id(), id()).prop_map(|(next, on_failure)| Node::Lookup(Lookup {
            name: "x".into(),
            params: vec![],
            into: None,
            timeout_secs: 5,
            next,
            on_failure,
        })),
        (prop::collection::btree_map("[a-z.]{1,4}", cel(), 0..3), id())
            .prop_map(|(vars, next)| Node::Set(SetVars { vars, next })),
        (
            prop::collection::btree_map(digits(), prop::sample::select(&["en", "pt", "xx"][..]), 0..3),
            id()
        )
            .prop_map(|(options, next)| Node::Language(Language {
                prompt: "p".into(),
                options: options.into_iter().map(|(k, v)| (k, v.to_string())).collect(),
                timeout_secs: 5,
                next,
            })),
        (
            0u32..5,
            prop::option::of(digits()),
            prop::option::of((digits(), id()))
        )
            .prop_map(|(q, cb, vm)| {
                Node::Queue(QueueNode {
                    queue: QueueId(q),
                    priority: 0,
                    requirement: None,
                    offers: Some(QueueOffers {
                        after_secs: Some(10),
                        when_wait_over_secs: None,
                        prompt: "p".into(),
                        callback_digit: cb,
                        voicemail: vm.map(|(digit, node)| VoicemailOffer { digit, node }),
                    }),
                })
            }),
        prop::sample::select(&["main", "sub", "nope"][..]).prop_map(|f| Node::Transfer(Transfer {
            to: TransferTo::Flow(f.into())
        })),
        Just(Node::Voicemail(Voicemail {
            mailbox: "m".into(),
            prompt: "p".into(),
            max_secs: 60
        })),
        (0u32..5).prop_map(|q| Node::Callback(CallbackNode {
            confirm: "p".into(),
            ask_number: "q".into(),
            queue: QueueId(q),
            done: None,
        })),
        (0u32..12, 0u32..12, id()).prop_map(|(min, max, next)| Node::Survey(Survey {
            questions: vec![Question {
                id: "q".into(),
                prompt: "p".into(),
                min,
                max
            }],
            next,
        })),
        (prop::sample::select(&["main", "sub", "nope"][..]), id())
            .prop_map(|(f, next)| Node::Subflow(Subflow { flow: f.into(), next })),
        Just(Node::Return(Return {})),
        Just(Node::Hangup(Hangup { prompt: None })),
    ]
}

fn flow() -> impl Strategy<Value = Flow> {
    (id(), prop::collection::btree_map(id(), node(), 0..7)).prop_map(|(start, nodes)| Flow {
        id: None,
        start,
        nodes,
        tests: vec![],
    })
}

fn ivr() -> impl Strategy<Value = IvrConfig> {
    (
        flow(),
        flow(),
        0u32..4,
        prop::collection::vec(prop::sample::select(&["en", "pt"][..]), 0..3),
    )
        .prop_map(|(main, sub, depth, locales)| {
            let mut prompts = BTreeMap::new();
            for p in ["p", "q"] {
                let mut by_locale = BTreeMap::new();
                by_locale.insert("en".to_string(), vec![PromptPart::Text("x".into())]);
                prompts.insert(p.to_string(), by_locale);
            }
            IvrConfig {
                locales: locales.into_iter().map(str::to_string).collect(),
                prompts,
                max_menu_depth: depth,
                flows: [("main".to_string(), main), ("sub".to_string(), sub)]
                    .into_iter()
                    .collect(),
                ..IvrConfig::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lint_never_panics_and_is_consistent(ivr in ivr()) {
        let text = toml::to_string(&ivr).unwrap();
        let sources = Sources::with_config("r.toml", text.clone(), Format::Toml);
        let report = lint(&ivr, &["main"], &[1, 2], Some(&sources));
        let again = lint(&ivr, &["main"], &[1, 2], Some(&sources));
        prop_assert_eq!(&report, &again);
        // validate agrees with has_errors.
        prop_assert_eq!(validate(&ivr, &["main"], &[1, 2], Some(&sources)).is_err(), report.has_errors());
        for d in &report.diagnostics {
            prop_assert!(callroute::ivr::lint::codes::ALL.contains(&d.code));
            // Every flow diagnostic is located in the source text it came from.
            if !d.flow.is_empty() {
                prop_assert!(d.line.is_some(), "{}", d);
            }
        }
        // The serialized config loads back to the same thing.
        let back = IvrConfig::from_toml_str(&text, "r.toml").unwrap();
        prop_assert_eq!(&back, &ivr);
        for (id, f) in &ivr.flows {
            let _ = to_dot(id, f);
            let _ = to_mermaid(id, f);
        }
    }

    #[test]
    fn toml_loader_never_panics(src in ".{0,200}") {
        let _ = IvrConfig::from_toml_str(&src, "x.toml");
        let _ = Flow::from_toml_str(&src, "x.toml");
    }

    #[test]
    fn json_loader_never_panics(src in ".{0,200}") {
        let _ = IvrConfig::from_json_str(&src, "x.json");
        let _ = Flow::from_json_str(&src, "x.json");
    }

    #[test]
    fn mangled_flow_text_never_panics(cut in 0usize..2000, insert in ".{0,8}") {
        let base = include_str!("../examples/flows/bank_hotline.toml");
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        let src = format!("{}{}{}", &base[..at], insert, &base[at..]);
        if let Ok(ivr) = IvrConfig::from_toml_str(&src, "b.toml") {
            let sources = Sources::with_config("b.toml", src.clone(), Format::Toml);
            let _ = lint(&ivr, &["main"], &[1, 2, 3], Some(&sources));
        }
        let json = serde_json::to_string(&toml::from_str::<serde_json::Value>(base).unwrap()).unwrap();
        let mut at = cut.min(json.len());
        while !json.is_char_boundary(at) {
            at -= 1;
        }
        let src = format!("{}{}{}", &json[..at], insert, &json[at..]);
        let _ = IvrConfig::from_json_str(&src, "b.json");
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let src = String::from_utf8_lossy(&bytes);
        let _ = IvrConfig::from_toml_str(&src, "x.toml");
        let _ = IvrConfig::from_json_str(&src, "x.json");
        let sources = Sources::with_config("x.toml", src.to_string(), Format::Toml);
        let _ = sources.locate("f", "a", Some("options.1"));
        let sources = Sources::with_config("x.json", src.to_string(), Format::Json);
        let _ = sources.locate("f", "a", Some("x[0]"));
    }
}

// ------------------------------------------------------------------ CEL: fast path

const CEL_TOKENS: &[&str] = &[
    "a",
    "vars",
    "ani",
    "x",
    "tags",
    "t",
    "(",
    ")",
    "[",
    "]",
    ".",
    "size",
    "startsWith",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "!",
    "-",
    "+",
    "*",
    "/",
    "%",
    "?",
    ":",
    ",",
    "1",
    "0",
    "007",
    "'s'",
    "\"t\"",
    "''",
    "\"\"",
    "true",
    "false",
    "null",
    "in",
    "has",
    "exists",
    "map",
    "all",
    "filter",
    "int",
    "string",
    "type",
    "for",
    "if",
    "as",
    "{",
    "}",
    "r'x'",
    "b'y'",
    "1.5",
    "1u",
    "0x1f",
    "1e3",
    "99999999999999999999",
    "9223372036854775807",
    "'\\n'",
    "'''x'''",
    "//c\n",
    ".?",
    "=",
    "&",
    "|",
    "é",
    "'é'",
    "\t",
    "\u{c}",
];

fn token_soup() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(CEL_TOKENS), 1..14),
        any::<bool>(),
    )
        .prop_map(|(toks, spaced)| toks.join(if spaced { " " } else { "" }))
}

fn cel_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(&["a", "vars", "ani", "open", "x_1", "_y", "int", "string"][..])
            .prop_map(str::to_string),
        (0u64..1_000_000_000).prop_map(|n| n.to_string()),
        "[a-z ]{0,4}".prop_map(|s| format!("'{s}'")),
        "[a-z.]{0,4}".prop_map(|s| format!("\"{s}\"")),
        prop::sample::select(&["true", "false", "null"][..]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop::sample::select(
            &[
                "==", "!=", "<", "<=", ">", ">=", "in", "&&", "||", "+", "-", "*", "/", "%",
            ][..],
        );
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            (inner.clone(), prop::sample::select(&["b", "size", "status"][..]))
                .prop_map(|(a, f)| format!("{a}.{f}")),
            (inner.clone(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(a, args)| format!("{a}.f({})", args.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (
                prop::sample::select(&["size", "int", "g"][..]),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("{a} ? {b} : {c}")),
            prop::collection::vec(inner, 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The fast recogniser never changes a verdict: same result as the CEL parser.
    #[test]
    fn cel_fast_path_agrees_with_the_parser_on_token_soup(src in token_soup()) {
        use callroute::ivr::lint::{check_cel, check_cel_exact};
        prop_assert_eq!(check_cel(&src), check_cel_exact(&src), "{:?}", src);
    }

    #[test]
    fn cel_fast_path_agrees_with_the_parser_on_expressions(src in cel_expr()) {
        use callroute::ivr::lint::{check_cel, check_cel_exact};
        prop_assert_eq!(check_cel(&src), check_cel_exact(&src), "{:?}", src);
    }
}

#[test]
fn cel_fast_path_agrees_on_edge_cases() {
    use callroute::ivr::lint::{check_cel, check_cel_exact};
    for src in [
        "true.x",
        "-1",
        "--1",
        "- -a",
        "!!a",
        "!-a",
        "a in b",
        "[1, 2][0]",
        "[1, 2,]",
        "'' == \"\"",
        "f()",
        "a.b()",
        "a < b < c",
        "!a == b",
        "a ? b : c ? d : e",
        "a ? b ? c : d : e",
        "(a)",
        "int(x) == 1",
        "type(a) == string",
        "x.size() > 0",
        "a.as",
        "as",
        "a.true",
        "a.in",
        "in",
        "1 + -1",
        "9223372036854775807",
        "-9223372036854775808",
        "00",
        "a[b][c]",
        "\"\" + 'x'",
        "null.x",
        "'a' 'b'",
        "'é' == ani",
        "a.b.c.d",
        "f(a)(b)",
        "(a)(b)",
        "a.(b)",
        "a..b",
        "",
        " ",
        "a b",
        "1 2",
        "-",
        "!",
        "a.",
        "a[",
        "a[]",
        "[]",
        "[[]]",
        "()",
        "has(a.b)",
        "a.exists(t, t)",
        "a.map(t, t)",
        "x.all(y, y > 0)",
        "a.filter(t, t)",
        "a.exists_one(t, t)",
        "vars[\"acct.balance\"] != \"\"",
        "_",
        "_a1",
        "a_",
        "ani.startsWith('+1') && !open",
        "time.getHours() >= 9",
        "size(tags) > 0 || queues[1] < 10",
        "dnis == '0800-BANK'",
        "1 / 0",
        "1 % 2 * 3 - 4 + 5",
        "a ? b : c",
        "a ?b:c",
        "a?",
        "a ? b",
        "? a",
        "a : b",
        "a, b",
        "[a, b], c",
        "a == = b",
        "a === b",
        "a !== b",
        "a <> b",
        "a =< b",
        "a >> b",
    ] {
        assert_eq!(check_cel(src), check_cel_exact(src), "{src:?}");
    }
}

//! The IVR fuzz targets' bodies (`fuzz/fuzz_targets/flow.rs` and `conversation.rs`) on
//! fixed inputs: the example flows, broken variants of them, and byte strings that walk
//! callers through the bank flow. Inputs that once broke a check stay here.

#[path = "../fuzz/fuzz_targets/conversation.rs"]
mod conversation;
#[path = "../fuzz/fuzz_targets/flow.rs"]
mod flow;

const BANK_HOTLINE: &str = include_str!("../examples/flows/bank_hotline.toml");
const REPAIR_LINE: &str = include_str!("../examples/flows/repair_line.toml");
const BANK_FLOW: &str = include_str!("../examples/center/flows/bank.toml");

#[test]
fn example_flows_pass_the_parser_target() {
    for src in [BANK_HOTLINE, REPAIR_LINE, BANK_FLOW] {
        flow::run(src.as_bytes());
    }
}

#[test]
fn broken_flows_pass_the_parser_target() {
    let cut = &BANK_HOTLINE[..BANK_HOTLINE.len() / 2];
    let cases = [
        "",
        "[flows.x]\nstart = \"a\"\n[flows.x.nodes.a]\ntype = \"menu\"\n",
        "[flows.x]\nstart = \"a\"\n[flows.x.nodes.a]\ntype = \"branch\"\nconditions = [{ when = \"((((((((((1))))))))))\", next = \"a\" }]\notherwise = \"a\"\n",
        "{\"flows\": {\"x\": {\"start\": \"a\", \"nodes\": {\"a\": {\"type\": \"hangup\"}}}}}",
        "start = \"a\"\n[nodes.a]\ntype = \"goto\"\n",
        "\u{feff}[flows]\n\"\u{1f600}\" = 3",
        cut,
    ];
    for src in cases {
        flow::run(src.as_bytes());
    }
}

#[test]
fn invalid_utf8_is_ignored_by_the_parser_target() {
    flow::run(&[0xff, 0xfe, b'[', 0x80]);
}

#[test]
fn callers_walk_through_the_bank_flow() {
    // Offer a call to the bank, finish prompts, press 1 (English), finish, press 1
    // (balance), type an account number, the PIN, answer the lookup, time passes.
    let walk: Vec<u8> = vec![
        0, 0, 0, // call 1: ordinary number, bank DNIS
        3, 0, 1, 0, 0, // prompt done; press "1"
        3, 0, 1, 0, 0, // prompt done; press "1"
        3, 0, 1, 0, 6, // prompt done; account "12345678"
        3, 0, 1, 0, 0, 0, // prompt done; at the PIN: "7319"
        4, 0, 1, // lookup answered
        6, 6, 6, 6, // deadlines
        0, 1, 0, // call 2: the blocked number
        0, 2, 0, // call 3: VIP
        9, 0, 9, 1, // agents log in
        3, 2, 1, 2, 3, // call 3: prompt done, "3"
        10, 0, // answer a ring
        8, 1, // hang up
        11, 200, 6, 6, 6, // time passes
    ];
    conversation::run(&walk);
}

#[test]
fn byte_patterns_drive_the_bank_flow() {
    for seed in 0u64..24 {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let bytes: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        conversation::run(&bytes);
    }
}

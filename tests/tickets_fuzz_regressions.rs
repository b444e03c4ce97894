//! Nasty inputs for the definition parser (the body of the `ticket_definitions` fuzz
//! target): none may panic, and every error has a code in 6000-6099. Crashers found by
//! fuzzing belong here.

use callroute::tickets::{Definitions, fuzz_definitions};

const VALID: &str = r#"
roles = ["csr"]
users = [{ id = "ana", roles = ["csr"] }]
[calendars.c]
time_zone = "UTC"
hours.mon = ["09:00-17:00"]
[[categories]]
id = "x"
calendar = "c"
resolution = { minutes = 1 }
fields = [{ name = "f", type = "text", required = true }]
states = [{ id = "a", due = { hours = 1 } }, { id = "b", final = true }]
transitions = [{ from = "a", to = "b", roles = ["csr"], guard = "has(fields.f)" }]
"#;

#[test]
fn nasty_definitions_never_panic() {
    let long_guard = format!(
        "roles=[\"r\"]\n[[categories]]\nid=\"c\"\nstates=[{{id=\"a\"}},{{id=\"b\",final=true}}]\ntransitions=[{{from=\"a\",to=\"b\",roles=[\"r\"],guard=\"{}\"}}]\n",
        "(".repeat(200) + "true" + &")".repeat(200)
    );
    let deep_json = "[".repeat(10_000) + &"]".repeat(10_000);
    let huge_hours = "roles=[]\n[[categories]]\nid=\"c\"\nstates=[{id=\"a\",due={hours=4294967295,minutes=4294967295}},{id=\"b\",final=true}]\ntransitions=[{from=\"a\",to=\"b\",roles=[]}]\n";
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        b"roles = 5".to_vec(),
        b"roles = []\ncategories = []".to_vec(),
        b"roles = []\n[[categories]]\nid = \"\"\nstates = []".to_vec(),
        b"roles=[\"a\"]\n[[categories]]\nid=\"c\"\nstates=[{id=\"s\"}]\ntransitions=[{from=[],to=\"s\",roles=[]}]".to_vec(),
        b"roles=[\"a\",\"a\",\"\"]\n[[users]]\nid=\"system\"\n[[categories]]\nid=\"c\"\nstates=[{id=\"s\",final=true}]".to_vec(),
        b"roles=[]\n[[categories]]\nid=\"c\"\nfields=[{name=\"m\",type=\"money\",precision=255,min=1e308,max=-1e308}]\nstates=[{id=\"s\"}]".to_vec(),
        b"roles=[]\n[[categories]]\nid=\"c\"\nfields=[{name=\"t\",type=\"text\",pattern=\"(a{1000}){1000}\"}]\nstates=[{id=\"s\"}]".to_vec(),
        b"roles=[]\n[[categories]]\nid=\"c\"\nstates=[{id=\"s\"}]\ntransitions=[{from=\"s\",to=\"s\",roles=[],guard=\"\"}]".to_vec(),
        b"roles=[]\n[[categories]]\nid=\"c\"\nstates=[{id=\"s\"}]\ntransitions=[{from=\"s\",to=\"s\",roles=[],guard=\"fields.\\u0000 ++ ]]\"}]".to_vec(),
        b"roles=[]\n[[categories]]\nid=\"c\"\nstates=[{id=\"s\"}]\ntransitions=[{from=\"s\",to=\"s\",roles=[],guard=\"1/0 == 1 && 'a' < 2\"}]".to_vec(),
        b"roles=[]\n[intake]\ncategory=\"zz\"\nkinds=[]\n[[categories]]\nid=\"c\"\nstates=[{id=\"s\"}]".to_vec(),
        b"roles=[]\n[calendars.x]\ntime_zone=\"\"\nhours.mon=[\"25:00-26:00\"]\n[[categories]]\nid=\"c\"\ncalendar=\"x\"\nstates=[{id=\"s\"}]".to_vec(),
        b"{\"roles\":[],\"categories\":[{\"id\":\"c\",\"states\":[{\"id\":\"s\",\"final\":true}],\"initial\":\"s\"}]}".to_vec(),
        b"{\"roles\":[], \"categories\": [{\"id\": 1e999}]}".to_vec(),
        long_guard.into_bytes(),
        deep_json.into_bytes(),
        huge_hours.as_bytes().to_vec(),
        VALID.as_bytes().to_vec(),
        VALID.replace("minutes = 1", "minutes = 0").into_bytes(),
        VALID.replace('"', "'").into_bytes(),
        VALID.as_bytes()[..VALID.len() / 2].to_vec(),
    ];
    for input in &inputs {
        fuzz_definitions(input);
    }
    // Every prefix of a valid file, too.
    for end in (0..VALID.len()).step_by(7) {
        fuzz_definitions(&VALID.as_bytes()[..end]);
    }
    assert!(Definitions::from_toml_str(VALID, "valid.toml").is_ok());
    assert!(
        Definitions::from_toml_str(huge_hours, "huge.toml").is_ok(),
        "huge due times are fine"
    );
}

//! Tests of the calendar module. Instants are computed independently with
//! jiff (`at`) or by hand from UTC (`utc`), never with the code under test.

use super::*;
use proptest::prelude::*;

const H: u64 = 3_600_000;
const M: u64 = 60_000;

/// Epoch ms of a local wall-clock time (gaps resolve forward, folds to the first).
fn at(tz: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> u64 {
    let tz = jiff::tz::TimeZoneDatabase::bundled().get(tz).unwrap();
    let ts = tz
        .to_timestamp(jiff::civil::date(y, mo, d).at(h, mi, 0, 0))
        .unwrap();
    u64::try_from(ts.as_millisecond()).unwrap()
}

/// Epoch ms of a UTC time.
fn utc(y: i64, mo: u32, d: u32, h: u64, mi: u64) -> u64 {
    let days = u64::try_from(civil::days_from_civil(y, mo, d)).unwrap();
    days * 86_400_000 + h * H + mi * M
}

fn compile(toml: &str) -> CompiledCalendar {
    Calendar::from_toml_str(toml).unwrap().compile().unwrap()
}

fn holiday(name: &str) -> OpenState {
    OpenState::Holiday {
        name: Some(name.to_string()),
    }
}

const OFFICE: &str = r#"
    time_zone = "Europe/Lisbon"
    holidays = ["2026-06-10", { date = "12-25", name = "Christmas" }, { date = "2026-04-06", name = "Easter Monday" }]
    exceptions = [
        { date = "2026-12-24", hours = ["09:00-13:00"], name = "Christmas Eve" },
        { date = "2026-01-07", closed = true },
        { date = "2026-01-11", hours = ["10:00-14:00"] },
        { date = "2026-12-25", hours = ["10:00-12:00"] },
    ]

    [hours]
    mon = ["08:00-12:30", "13:30-18:00"]
    tue = ["08:00-12:30", "13:30-18:00"]
    wed = ["08:00-12:30", "13:30-18:00"]
    thu = ["08:00-12:30", "13:30-18:00"]
    fri = ["08:00-12:30", "13:30-18:00"]
    sat = ["10:00-14:00"]
"#;

#[test]
fn weekday_hours_and_lunch_break() {
    let cal = compile(OFFICE);
    // Monday 2026-01-05, Lisbon is UTC+0 in January.
    let mon = |h: u64, m: u64| utc(2026, 1, 5, h, m);
    assert_eq!(cal.state_at(mon(7, 59)), OpenState::Closed);
    assert_eq!(cal.state_at(mon(8, 0)), OpenState::Open);
    assert_eq!(cal.state_at(mon(12, 30) - 1), OpenState::Open);
    assert_eq!(cal.state_at(mon(12, 30)), OpenState::Closed);
    assert_eq!(cal.state_at(mon(13, 0)), OpenState::Closed);
    assert_eq!(cal.state_at(mon(13, 30)), OpenState::Open);
    assert_eq!(cal.state_at(mon(18, 0)), OpenState::Closed);
    assert!(cal.is_open(mon(9, 0)));
    assert!(!cal.is_open(mon(12, 45)));
    // Next changes walk the day: 08:00, 12:30, 13:30, 18:00, then Tuesday 08:00.
    let mut t = mon(0, 0);
    let mut changes = Vec::new();
    for _ in 0..5 {
        t = cal.next_change(t).unwrap();
        changes.push(t);
    }
    assert_eq!(
        changes,
        vec![
            mon(8, 0),
            mon(12, 30),
            mon(13, 30),
            mon(18, 0),
            utc(2026, 1, 6, 8, 0)
        ]
    );
    // 9 open hours a weekday, 4 on Saturday, none on Sunday.
    assert_eq!(cal.business_ms_between(mon(0, 0), utc(2026, 1, 6, 0, 0)), 9 * H);
    assert_eq!(
        cal.business_ms_between(utc(2026, 1, 10, 0, 0), utc(2026, 1, 11, 0, 0)),
        4 * H
    );
    assert_eq!(
        cal.business_ms_between(utc(2026, 1, 18, 0, 0), utc(2026, 1, 19, 0, 0)),
        0
    );
    // A normal week (Mon 2026-01-12 .. Mon 2026-01-19): 5 * 9 + 4 hours.
    assert_eq!(
        cal.business_ms_between(utc(2026, 1, 12, 0, 0), utc(2026, 1, 19, 0, 0)),
        49 * H
    );
    assert_eq!(cal.business_ms_between(mon(10, 0), mon(9, 0)), 0);
    assert_eq!(
        cal.open_intervals(mon(0, 0), utc(2026, 1, 6, 0, 0)),
        vec![(mon(8, 0), mon(12, 30)), (mon(13, 30), mon(18, 0))]
    );
    // Local time helper, summer time (UTC+1) included.
    let lt = cal.local_time(utc(2026, 7, 4, 9, 5) + 7_123);
    assert_eq!(lt.weekday, Weekday::Sat);
    assert_eq!(lt.date.to_string(), "2026-07-04");
    assert_eq!((lt.hour, lt.minute, lt.second, lt.millisecond), (10, 5, 7, 123));
    assert_eq!(lt.utc_offset_secs, 3600);
    assert_eq!(lt.minute_of_day(), 605);
    assert_eq!(cal.time_zone_name(), "Europe/Lisbon");
}

#[test]
fn holidays_fixed_and_yearly() {
    let cal = compile(OFFICE);
    // Yearly "12-25" with a name, any year; Christmas 2026 has an exception, 2027 does not.
    assert_eq!(cal.state_at(utc(2027, 12, 25, 11, 0)), holiday("Christmas"));
    assert_eq!(cal.state_at(utc(2030, 12, 25, 3, 0)), holiday("Christmas"));
    // A dated holiday without a name, only that year (Wednesday 2026-06-10, UTC+1).
    assert_eq!(
        cal.state_at(at("Europe/Lisbon", 2026, 6, 10, 10, 0)),
        OpenState::Holiday { name: None }
    );
    assert_eq!(
        cal.state_at(at("Europe/Lisbon", 2027, 6, 10, 10, 0)),
        OpenState::Open
    );
    // A holiday wins over weekly hours all day, even outside hours.
    assert_eq!(
        cal.state_at(at("Europe/Lisbon", 2026, 6, 10, 23, 0)),
        OpenState::Holiday { name: None }
    );
    assert_eq!(
        cal.business_ms_between(utc(2026, 6, 9, 23, 0), utc(2026, 6, 10, 23, 0)),
        0
    );
    assert_eq!(OpenState::Holiday { name: None }.as_str(), "holiday");
    assert!(!cal.is_open(at("Europe/Lisbon", 2026, 6, 10, 10, 0)));
    // Holiday to closed is not an open/closed change: next change is the next opening.
    assert_eq!(
        cal.next_change(at("Europe/Lisbon", 2026, 6, 10, 10, 0)),
        Some(at("Europe/Lisbon", 2026, 6, 11, 8, 0))
    );
}

#[test]
fn exceptions_override_holidays_and_hours() {
    let cal = compile(OFFICE);
    // Wednesday 2026-01-07 closed by exception: Closed, not Holiday.
    assert_eq!(cal.state_at(utc(2026, 1, 7, 10, 0)), OpenState::Closed);
    assert_eq!(
        cal.business_ms_between(utc(2026, 1, 7, 0, 0), utc(2026, 1, 8, 0, 0)),
        0
    );
    // Sunday 2026-01-11 opens 10:00-14:00 by exception.
    assert_eq!(cal.state_at(utc(2026, 1, 11, 9, 59)), OpenState::Closed);
    assert_eq!(cal.state_at(utc(2026, 1, 11, 10, 0)), OpenState::Open);
    assert_eq!(
        cal.next_change(utc(2026, 1, 11, 11, 0)),
        Some(utc(2026, 1, 11, 14, 0))
    );
    assert_eq!(
        cal.business_ms_between(utc(2026, 1, 11, 0, 0), utc(2026, 1, 12, 0, 0)),
        4 * H
    );
    // Christmas Eve short day (Thursday).
    assert_eq!(cal.state_at(utc(2026, 12, 24, 12, 59)), OpenState::Open);
    assert_eq!(cal.state_at(utc(2026, 12, 24, 13, 0)), OpenState::Closed);
    assert_eq!(cal.state_at(utc(2026, 12, 24, 15, 0)), OpenState::Closed);
    // Exception over a holiday: 2026-12-25 opens 10:00-12:00, closed (not holiday) outside.
    assert_eq!(cal.state_at(utc(2026, 12, 25, 11, 0)), OpenState::Open);
    assert_eq!(cal.state_at(utc(2026, 12, 25, 15, 0)), OpenState::Closed);
}

#[test]
fn yearly_exception_and_dated_precedence() {
    let cal = compile(
        r#"
        time_zone = "UTC"
        hours.mon = ["09:00-17:00"]
        hours.tue = ["09:00-17:00"]
        holidays = ["2026-12-24"]
        exceptions = [
            { date = "12-24", hours = ["09:00-12:00"] },
            { date = "2027-12-24", closed = true },
            { date = "2028-12-24", hours = [] },
        ]
        "#,
    );
    // 2026-12-24 is a Thursday: the yearly exception beats the dated holiday.
    assert_eq!(
        cal.business_ms_between(utc(2026, 12, 24, 0, 0), utc(2026, 12, 25, 0, 0)),
        3 * H
    );
    // 2027: dated exception beats the yearly one.
    assert_eq!(
        cal.business_ms_between(utc(2027, 12, 24, 0, 0), utc(2027, 12, 25, 0, 0)),
        0
    );
    // 2028: `hours = []` also closes.
    assert_eq!(
        cal.business_ms_between(utc(2028, 12, 24, 0, 0), utc(2028, 12, 25, 0, 0)),
        0
    );
    // 2029-12-24 is a Monday: the yearly exception replaces its 09:00-17:00.
    assert_eq!(cal.state_at(utc(2029, 12, 24, 10, 0)), OpenState::Open);
    assert_eq!(cal.state_at(utc(2029, 12, 24, 13, 0)), OpenState::Closed);
}

#[test]
fn ranges_crossing_midnight() {
    let cal = compile(
        r#"
        time_zone = "UTC"
        holidays = ["2026-01-10"]
        [hours]
        fri = ["22:00-06:00"]
        sat = ["05:00-07:00"]
        mon = ["20:00-24:00"]
        tue = ["00:00-02:00"]
        "#,
    );
    // Friday 2026-01-09 22:00 to Saturday 06:00 although Saturday is a holiday.
    assert_eq!(cal.state_at(utc(2026, 1, 9, 21, 59)), OpenState::Closed);
    assert_eq!(cal.state_at(utc(2026, 1, 9, 22, 0)), OpenState::Open);
    assert_eq!(cal.state_at(utc(2026, 1, 10, 3, 0)), OpenState::Open);
    assert_eq!(
        cal.state_at(utc(2026, 1, 10, 6, 0)),
        OpenState::Holiday { name: None }
    );
    assert_eq!(
        cal.next_change(utc(2026, 1, 9, 23, 0)),
        Some(utc(2026, 1, 10, 6, 0))
    );
    assert_eq!(
        cal.business_ms_between(utc(2026, 1, 9, 0, 0), utc(2026, 1, 11, 0, 0)),
        8 * H
    );
    // A normal Saturday: the spill and Saturday's own 05:00-07:00 merge into 22:00-07:00.
    assert_eq!(
        cal.next_change(utc(2026, 1, 16, 23, 0)),
        Some(utc(2026, 1, 17, 7, 0))
    );
    assert_eq!(
        cal.open_intervals(utc(2026, 1, 16, 0, 0), utc(2026, 1, 18, 0, 0)),
        vec![(utc(2026, 1, 16, 22, 0), utc(2026, 1, 17, 7, 0))]
    );
    // Monday 20:00-24:00 and Tuesday 00:00-02:00 are one opening.
    assert_eq!(
        cal.next_change(utc(2026, 1, 12, 21, 0)),
        Some(utc(2026, 1, 13, 2, 0))
    );
    assert_eq!(
        cal.add_business_ms(utc(2026, 1, 12, 23, 0), 2 * H),
        Some(utc(2026, 1, 13, 1, 0))
    );
    // Thursday has nothing: the first change from Wednesday noon is Friday 22:00.
    assert_eq!(
        cal.next_change(utc(2026, 1, 14, 12, 0)),
        Some(utc(2026, 1, 16, 22, 0))
    );
}

#[test]
fn dst_spring_forward_new_york() {
    const NY: &str = "America/New_York";
    // 2026-03-08 (Sunday): 02:00 EST jumps to 03:00 EDT.
    let day = |hours: &str| {
        compile(&format!(
            "time_zone = \"{NY}\"\nhours.sun = [{hours}]\nhours.sat = [{hours}]"
        ))
    };
    let (start, end) = (at(NY, 2026, 3, 8, 0, 0), at(NY, 2026, 3, 9, 0, 0));
    assert_eq!(end - start, 23 * H);
    let std_day = (at(NY, 2026, 3, 7, 0, 0), at(NY, 2026, 3, 8, 0, 0));

    // A 09:00-17:00 day still has 8 open hours.
    let cal = day("\"09:00-17:00\"");
    assert_eq!(cal.business_ms_between(start, end), 8 * H);
    assert_eq!(cal.state_at(utc(2026, 3, 8, 13, 0)), OpenState::Open); // 09:00 EDT
    assert_eq!(cal.state_at(utc(2026, 3, 8, 13, 0) - 1), OpenState::Closed);
    assert_eq!(cal.next_change(start), Some(utc(2026, 3, 8, 13, 0)));
    // The whole day is 23 hours long.
    assert_eq!(day("\"00:00-24:00\"").business_ms_between(start, end), 23 * H);

    // 01:30-03:30 loses the skipped hour: open 01:30-02:00 EST then 03:00-03:30 EDT.
    let cal = day("\"01:30-03:30\"");
    assert_eq!(cal.business_ms_between(start, end), H);
    assert_eq!(cal.business_ms_between(std_day.0, std_day.1), 2 * H);
    // No change at the jump itself: the wall clock goes from 01:59 to 03:00, both open.
    assert_eq!(
        cal.next_change(utc(2026, 3, 8, 6, 45)),
        Some(utc(2026, 3, 8, 7, 30))
    );
    assert_eq!(cal.state_at(utc(2026, 3, 8, 7, 0)), OpenState::Open); // 03:00 EDT

    // A range starting inside the gap opens when the clock jumps past its start.
    let cal = day("\"02:30-04:00\"");
    assert_eq!(cal.next_change(start), Some(utc(2026, 3, 8, 7, 0))); // 03:00 EDT
    assert_eq!(cal.business_ms_between(start, end), H);
    // A range entirely inside the gap never opens that day.
    let cal = day("\"02:15-02:45\"");
    assert_eq!(cal.business_ms_between(start, end), 0);
    assert_eq!(cal.business_ms_between(std_day.0, std_day.1), 30 * M);
    assert_eq!(cal.next_change(start), Some(at(NY, 2026, 3, 14, 2, 15)));

    let lt = cal.local_time(utc(2026, 3, 8, 7, 0));
    assert_eq!((lt.hour, lt.minute, lt.utc_offset_secs), (3, 0, -4 * 3600));
    let lt = cal.local_time(utc(2026, 3, 8, 7, 0) - 1);
    assert_eq!(
        (lt.hour, lt.minute, lt.second, lt.utc_offset_secs),
        (1, 59, 59, -5 * 3600)
    );
}

#[test]
fn dst_fall_back_new_york_and_lisbon() {
    const NY: &str = "America/New_York";
    // 2026-11-01 (Sunday): 02:00 EDT falls back to 01:00 EST; the day lasts 25 hours.
    let start = utc(2026, 11, 1, 4, 0);
    let end = utc(2026, 11, 2, 5, 0);
    let cal = compile(&format!("time_zone = \"{NY}\"\nhours.sun = [\"09:00-17:00\"]"));
    assert_eq!(cal.business_ms_between(start, end), 8 * H);
    let cal = compile(&format!("time_zone = \"{NY}\"\nhours.sun = [\"00:00-24:00\"]"));
    assert_eq!(cal.business_ms_between(start, end), 25 * H);
    // 01:00-03:00 is lived through for 3 real hours: 01:00-02:00 EDT, then 01:00-03:00 EST.
    let cal = compile(&format!("time_zone = \"{NY}\"\nhours.sun = [\"01:00-03:00\"]"));
    assert_eq!(cal.business_ms_between(start, end), 3 * H);
    // 00:30-01:30 opens twice: 00:30-01:30 EDT and 01:00-01:30 EST.
    let cal = compile(&format!("time_zone = \"{NY}\"\nhours.sun = [\"00:30-01:30\"]"));
    assert_eq!(
        cal.open_intervals(start, end),
        vec![
            (utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 5, 30)),
            (utc(2026, 11, 1, 6, 0), utc(2026, 11, 1, 6, 30))
        ]
    );
    assert_eq!(
        cal.next_change(utc(2026, 11, 1, 5, 45)),
        Some(utc(2026, 11, 1, 6, 0))
    );

    // Lisbon 2026-03-29: 01:00 WET jumps to 02:00 WEST. 09:00-17:00 is still 8 hours
    // and starts at 08:00 UTC instead of 09:00.
    let cal = compile("time_zone = \"Europe/Lisbon\"\nhours.sun = [\"09:00-17:00\"]");
    assert_eq!(
        cal.business_ms_between(utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 23, 0)),
        8 * H
    );
    assert_eq!(
        cal.next_change(utc(2026, 3, 29, 0, 0)),
        Some(utc(2026, 3, 29, 8, 0))
    );
    assert_eq!(
        cal.next_change(utc(2026, 3, 22, 0, 0)),
        Some(utc(2026, 3, 22, 9, 0))
    );
}

#[test]
fn twenty_four_business_hours_over_a_holiday_weekend() {
    // Friday 2026-03-27 16:00 WET; Lisbon moves to summer time on Sunday 03-29;
    // Monday 03-30 is a holiday. 1 h Friday + 8 h Tue + 8 h Wed + 7 h Thu = 24 h,
    // so the ticket is due Thursday 2026-04-02 16:00 WEST (15:00 UTC).
    let cal = compile(
        r#"
        time_zone = "Europe/Lisbon"
        holidays = [{ date = "2026-03-30", name = "Company day" }]
        hours.mon = ["09:00-17:00"]
        hours.tue = ["09:00-17:00"]
        hours.wed = ["09:00-17:00"]
        hours.thu = ["09:00-17:00"]
        hours.fri = ["09:00-17:00"]
        "#,
    );
    let created = utc(2026, 3, 27, 16, 0);
    let due = cal.add_business_ms(created, 24 * H).unwrap();
    assert_eq!(due, utc(2026, 4, 2, 15, 0));
    assert_eq!(due, at("Europe/Lisbon", 2026, 4, 2, 16, 0));
    assert_eq!(cal.business_ms_between(created, due), 24 * H);
    // Without the holiday it would be due Wednesday 16:00.
    let no_holiday = Calendar {
        holidays: Vec::new(),
        ..cal.source().clone()
    }
    .compile()
    .unwrap();
    assert_eq!(
        no_holiday.add_business_ms(created, 24 * H),
        Some(at("Europe/Lisbon", 2026, 4, 1, 16, 0))
    );
    // Exactly at closing time: due at 17:00 Friday, not at Tuesday's opening.
    assert_eq!(cal.add_business_ms(created, H), Some(utc(2026, 3, 27, 17, 0)));
    assert_eq!(
        cal.add_business_ms(created, H + 1),
        Some(utc(2026, 3, 31, 8, 0) + 1)
    );
    // Created while closed: the clock starts at the next opening.
    assert_eq!(
        cal.add_business_ms(utc(2026, 3, 28, 12, 0), 30 * M),
        Some(utc(2026, 3, 31, 8, 30))
    );
    assert_eq!(cal.add_business_ms(created, 0), Some(created));
    // The same in New York: Friday 2026-03-06 16:00 EST, DST on 03-08, Monday 03-09 holiday.
    let ny = Calendar {
        time_zone: "America/New_York".into(),
        holidays: vec![Holiday {
            date: "2026-03-09".into(),
            name: None,
        }],
        ..cal.source().clone()
    }
    .compile()
    .unwrap();
    let created = at("America/New_York", 2026, 3, 6, 16, 0);
    assert_eq!(
        ny.add_business_ms(created, 24 * H),
        Some(at("America/New_York", 2026, 3, 12, 16, 0))
    );
    assert_eq!(ny.add_business_ms(created, 24 * H), Some(utc(2026, 3, 12, 20, 0)));
}

#[test]
fn never_open_and_always_open() {
    let never = Calendar::new("Europe/Lisbon").compile().unwrap();
    let t = utc(2026, 1, 1, 0, 0);
    assert_eq!(never.add_business_ms(t, 1), None);
    assert_eq!(never.next_change(t), None);
    assert_eq!(never.business_ms_between(t, t + 1000 * H), 0);
    assert_eq!(never.state_at(t), OpenState::Closed);

    let mut always = Calendar::new("America/New_York");
    for d in Weekday::ALL {
        always.hours.day_mut(d).push("00:00-24:00".into());
    }
    let always = always.compile().unwrap();
    assert_eq!(always.next_change(t), None);
    assert_eq!(always.add_business_ms(t, 5 * H), Some(t + 5 * H));
    assert_eq!(always.business_ms_between(t, t + 1000 * H), 1000 * H);
    assert_eq!(always.open_intervals(t, t + 1000 * H), vec![(t, t + 1000 * H)]);

    // Open once, two years out: beyond one 400-day window.
    let rare = compile(
        r#"
        time_zone = "UTC"
        exceptions = [{ date = "2028-06-01", hours = ["09:00-10:00"] }]
        "#,
    );
    assert_eq!(rare.next_change(t), None);
    assert_eq!(rare.add_business_ms(t, M), None);
    assert_eq!(
        rare.add_business_ms(utc(2027, 6, 1, 0, 0), M),
        Some(utc(2028, 6, 1, 9, 1))
    );
    // Yearly only: always reachable within a window.
    let yearly =
        compile("time_zone = \"UTC\"\nexceptions = [{ date = \"02-14\", hours = [\"09:00-10:00\"] }]");
    assert_eq!(yearly.add_business_ms(t, 90 * M), Some(utc(2027, 2, 14, 9, 30)));
}

#[test]
fn extreme_instants_do_not_panic() {
    let cal = compile(OFFICE);
    for t in [
        0,
        1,
        MAX_INSTANT_MS - 1,
        MAX_INSTANT_MS,
        MAX_INSTANT_MS + 1,
        u64::MAX,
    ] {
        let _ = cal.state_at(t);
        let _ = cal.local_time(t);
        if let Some(c) = cal.next_change(t) {
            assert!(c > t && c <= MAX_INSTANT_MS);
        }
        let _ = cal.business_ms_between(t, t.saturating_add(SEARCH_HORIZON_MS));
        let _ = cal.business_ms_between(u64::MAX, t);
        if let Some(r) = cal.add_business_ms(t, u64::MAX) {
            panic!("{r}");
        }
        if let Some(r) = cal.add_business_ms(t, 10 * H) {
            assert!(r <= MAX_INSTANT_MS);
        }
    }
    // The whole supported range in one call (the slowest possible query).
    let all = cal.business_ms_between(0, u64::MAX);
    // Just under 49 of every 168 hours (holidays and exceptions take a little off).
    assert!(
        all > MAX_INSTANT_MS / 168 * 48 && all < MAX_INSTANT_MS / 168 * 49,
        "{all}"
    );
    assert_eq!(cal.local_time(u64::MAX), cal.local_time(MAX_INSTANT_MS));
    assert_eq!(cal.local_time(MAX_INSTANT_MS).date.to_string(), "9999-01-01");
    assert_eq!(cal.local_time(0).date.to_string(), "1970-01-01");
    assert_eq!(cal.local_time(0).weekday, Weekday::Thu);
    assert_eq!(MAX_INSTANT_MS, utc(9999, 1, 1, 0, 0));
    assert_eq!(SEARCH_HORIZON_MS, 400 * 24 * H);
}

#[test]
fn toml_and_json_parsing() {
    let cal = Calendar::from_toml_str(OFFICE).unwrap();
    assert_eq!(cal.time_zone, "Europe/Lisbon");
    assert_eq!(cal.hours.mon, vec!["08:00-12:30", "13:30-18:00"]);
    assert!(cal.hours.sun.is_empty());
    assert_eq!(cal.hours.day(Weekday::Sat), ["10:00-14:00"]);
    assert_eq!(
        cal.holidays[..2],
        [
            Holiday {
                date: "2026-06-10".into(),
                name: None
            },
            Holiday {
                date: "12-25".into(),
                name: Some("Christmas".into())
            }
        ]
    );
    assert_eq!(
        cal.exceptions[0],
        Exception {
            date: "2026-12-24".into(),
            hours: Some(vec!["09:00-13:00".into()]),
            closed: false,
            name: Some("Christmas Eve".into()),
        }
    );
    assert!(cal.exceptions[1].closed && cal.exceptions[1].hours.is_none());

    // Round trips through TOML and JSON.
    let toml_text = toml::to_string(&cal).unwrap();
    assert_eq!(Calendar::from_toml_str(&toml_text).unwrap(), cal);
    let json = serde_json::to_string(&cal).unwrap();
    assert!(
        json.contains(r#""holidays":["2026-06-10",{"date":"12-25","name":"Christmas"}"#),
        "{json}"
    );
    assert_eq!(Calendar::from_json_str(&json).unwrap(), cal);

    // Array-of-tables style.
    let cal = Calendar::from_toml_str(
        r#"
        time_zone = "America/New_York"
        [hours]
        sat = ["10:00-14:00"]
        [[holidays]]
        date = "07-04"
        name = "Independence Day"
        [[exceptions]]
        date = "2026-07-05"
        hours = ["12:00-16:00"]
        "#,
    )
    .unwrap();
    assert_eq!(cal.holidays[0].name.as_deref(), Some("Independence Day"));
    let c = cal.compile().unwrap();
    assert_eq!(c.state_at(utc(2026, 7, 4, 15, 0)), holiday("Independence Day"));
    assert_eq!(c.state_at(utc(2026, 7, 5, 17, 0)), OpenState::Open); // Sunday 13:00 EDT

    // Named calendars.
    let cals = Calendars::from_toml_str(
        r#"
        [main]
        time_zone = "Europe/Lisbon"
        hours.mon = ["08:00-18:00"]
        [night-desk]
        time_zone = "UTC"
        hours.sun = ["22:00-06:00"]
        "#,
    )
    .unwrap();
    let compiled = cals.compile().unwrap();
    assert_eq!(compiled.names().collect::<Vec<_>>(), ["main", "night-desk"]);
    assert_eq!(compiled.len(), 2);
    assert!(compiled.contains("main") && !compiled.is_empty());
    assert!(compiled.get("night-desk").unwrap().is_open(utc(2026, 1, 5, 3, 0)));
    assert!(compiled.get("nope").is_none());
    assert_eq!(cals.get("main").unwrap().hours.mon, ["08:00-18:00"]);
    let json = serde_json::to_string(&cals).unwrap();
    assert_eq!(Calendars::from_json_str(&json).unwrap(), cals);

    // OpenState serialises with a tag.
    assert_eq!(
        serde_json::to_string(&holiday("Christmas")).unwrap(),
        r#"{"state":"holiday","name":"Christmas"}"#
    );
    assert_eq!(
        serde_json::to_string(&OpenState::Open).unwrap(),
        r#"{"state":"open"}"#
    );
    assert_eq!("Saturday".parse::<Weekday>(), Ok(Weekday::Sat));
    assert_eq!("sun".parse::<Weekday>(), Ok(Weekday::Sun));
    assert!("xyz".parse::<Weekday>().is_err());
    assert_eq!(Weekday::Sun.number_from_monday(), 7);
    assert!(Weekday::Sat.is_weekend() && !Weekday::Fri.is_weekend());
}

/// `(toml, code, path)`: every validation error names its field.
#[test]
fn invalid_inputs_name_the_field() {
    let cases: &[(&str, u32, &str)] = &[
        ("time_zone = \"Mars/Olympus\"", 5001, "time_zone"),
        ("time_zone = \"\"", 5001, "time_zone"),
        ("time_zone = \"Etc/Unknown\"", 5001, "time_zone"),
        (
            "time_zone = \"UTC\"\nhours.mon = [\"08:00-12:30\", \"13:30-25:00\"]",
            5002,
            "hours.mon[1]",
        ),
        (
            "time_zone = \"UTC\"\nhours.tue = [\"0800-1200\"]",
            5002,
            "hours.tue[0]",
        ),
        (
            "time_zone = \"UTC\"\nhours.sun = [\"10:00-10:00\"]",
            5002,
            "hours.sun[0]",
        ),
        (
            "time_zone = \"UTC\"\nhours.wed = [\"24:00-02:00\"]",
            5002,
            "hours.wed[0]",
        ),
        (
            "time_zone = \"UTC\"\nhours.fri = [\"08:00-12:00\", \"13:00-18:00\", \"11:00-12:30\"]",
            5003,
            "hours.fri[2]",
        ),
        (
            "time_zone = \"UTC\"\nhours.sat = [\"22:00-03:00\", \"23:00-23:30\"]",
            5003,
            "hours.sat[1]",
        ),
        (
            "time_zone = \"UTC\"\nholidays = [\"2026-12-25\", \"12-25\", \"2026-02-30\"]",
            5004,
            "holidays[2]",
        ),
        ("time_zone = \"UTC\"\nholidays = [\"12/25\"]", 5004, "holidays[0]"),
        (
            "time_zone = \"UTC\"\nholidays = [\"12-25\", { date = \"12-25\", name = \"X\" }]",
            5005,
            "holidays[1]",
        ),
        (
            "time_zone = \"UTC\"\nexceptions = [{ date = \"2026-13-01\", closed = true }]",
            5004,
            "exceptions[0].date",
        ),
        (
            "time_zone = \"UTC\"\nexceptions = [{ date = \"2026-01-01\" }]",
            5006,
            "exceptions[0]",
        ),
        (
            "time_zone = \"UTC\"\nexceptions = [{ date = \"2026-01-01\", closed = true, hours = [\"09:00-10:00\"] }]",
            5006,
            "exceptions[0]",
        ),
        (
            "time_zone = \"UTC\"\nexceptions = [{ date = \"01-01\", closed = true }, { date = \"2026-01-01\", hours = [\"9:00-9:30\", \"09:15-10:00\"] }]",
            5003,
            "exceptions[1].hours[1]",
        ),
        (
            "time_zone = \"UTC\"\nexceptions = [{ date = \"2026-01-01\", closed = true }, { date = \"2026-01-01\", hours = [] }]",
            5005,
            "exceptions[1].date",
        ),
        (
            "time_zone = \"UTC\"\nhours.mon = \"08:00-12:00\"",
            5000,
            "hours.mon",
        ),
        (
            "time_zone = \"UTC\"\nhours.monday = [\"08:00-12:00\"]",
            5000,
            "hours.monday",
        ),
        (
            "time_zone = \"UTC\"\nholidays = [{ date = \"12-25\", title = \"X\" }]",
            5000,
            "holidays[0].title",
        ),
        ("time_zone = \"UTC\"\nholidays = [25]", 5000, "holidays[0]"),
        ("hours.mon = []", 5000, ""),
        ("time_zone = ", 5000, ""),
    ];
    for &(src, code, path) in cases {
        let err = Calendar::from_toml_str(src).expect_err(src);
        assert_eq!((err.code(), err.path()), (code, path), "{src}\n=> {err}");
        assert!(err.to_string().starts_with(path), "{err}");
    }
    // Exact messages.
    let msg = |src: &str| Calendar::from_toml_str(src).unwrap_err().to_string();
    assert_eq!(
        msg("time_zone = \"Mars/Olympus\""),
        "time_zone: unknown time zone `Mars/Olympus` (expected an IANA name such as `Europe/Lisbon`)"
    );
    assert_eq!(
        msg("time_zone = \"UTC\"\nhours.fri = [\"08:00-12:00\", \"11:00-12:30\"]"),
        "hours.fri[1]: time range `11:00-12:30` overlaps `hours.fri[0]`"
    );
    assert_eq!(
        msg("time_zone = \"UTC\"\nholidays = [\"2026-02-30\"]"),
        "holidays[0]: invalid date `2026-02-30`: no such day in that month"
    );
    assert_eq!(
        msg("time_zone = \"UTC\"\nholidays = [\"01-06\", \"01-06\"]"),
        "holidays[1]: date `01-06` is already listed at `holidays[0]`"
    );
    let err = Calendar::from_toml_str(
        "time_zone = \"UTC\"\nhours.sun = [\"9:00-8:00\", \"07:00-07:30\", \"23:00-23:30\"]",
    )
    .unwrap_err();
    // 07:00-07:30 is Sunday morning, before the 09:00-08:00 (Monday) shift; 23:00 is inside it.
    assert_eq!(err.path(), "hours.sun[2]");
    assert_eq!(err.message(), "time range `23:00-23:30` overlaps `hours.sun[0]`");
    let err = Calendar::from_toml_str("time_zone = \"UTC\"\n\nhours.mon = \"x\"").unwrap_err();
    match &err {
        CalendarError::Parse { line, .. } => assert_eq!(*line, Some(3)),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().starts_with("hours.mon: line 3, column 13: "),
        "{err}"
    );
    assert!(
        err.message().starts_with("line 3, column 13: invalid type"),
        "{}",
        err.message()
    );
    let err = Calendar::from_toml_str("time_zone = ").unwrap_err();
    assert_eq!(err.path(), "");
    assert_eq!(err.message(), err.to_string());

    // JSON errors carry the path too.
    let err = Calendar::from_json_str(r#"{"time_zone": "UTC", "hours": {"mon": [1]}}"#).unwrap_err();
    assert_eq!((err.code(), err.path()), (5000, "hours.mon[0]"));
    let err = Calendar::from_json_str(r#"{"time_zone": "UTC"} x"#).unwrap_err();
    assert_eq!(err.code(), 5000);
    let err = Calendar::from_json_str(r#"{"time_zone": "UTC", "hours": {"mon": ["7-8"]}}"#).unwrap_err();
    assert_eq!((err.code(), err.path()), (5002, "hours.mon[0]"));

    // Named calendars put the name in the path.
    let err =
        Calendars::from_toml_str("[main]\ntime_zone = \"UTC\"\nhours.mon = [\"08:00-25:00\"]").unwrap_err();
    assert_eq!((err.code(), err.path()), (5002, "calendars.main.hours.mon[0]"));
    let err = Calendars::from_toml_str("[main]\ntime_zone = \"UTC\"\nhours.mon = [8]").unwrap_err();
    assert_eq!((err.code(), err.path()), (5000, "calendars.main.hours.mon[0]"));
    let err = Calendars::from_toml_str("[main]\ntime_zone = \"Nowhere\"").unwrap_err();
    assert_eq!(
        err.to_string(),
        "calendars.main.time_zone: unknown time zone `Nowhere` (expected an IANA name such as `Europe/Lisbon`)"
    );
    let err = Calendars::from_toml_str("[main]\ntime_zone = \"UTC\"\nholidays = [\"01-01\", \"01-01\"]")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "calendars.main.holidays[1]: date `01-01` is already listed at `calendars.main.holidays[0]`"
    );
    let err = Calendars::from_toml_str("[\"main office\"]\ntime_zone = \"UTC\"").unwrap_err();
    assert_eq!((err.code(), err.path()), (5007, "calendars.main office"));
    let err = Calendars::from_json_str(r#"{"": {"time_zone": "UTC"}}"#).unwrap_err();
    assert_eq!(err.code(), 5007);
}

#[test]
fn error_codes_are_stable_and_in_range() {
    let s = String::new;
    let all = [
        (
            CalendarError::Parse {
                path: s(),
                line: None,
                column: None,
                message: "m".into(),
            },
            5000,
        ),
        (CalendarError::UnknownTimeZone { path: s(), name: s() }, 5001),
        (
            CalendarError::InvalidTimeRange {
                path: s(),
                value: s(),
                reason: "r",
            },
            5002,
        ),
        (
            CalendarError::OverlappingRanges {
                path: s(),
                value: s(),
                other: s(),
            },
            5003,
        ),
        (
            CalendarError::InvalidDate {
                path: s(),
                value: s(),
                reason: "r",
            },
            5004,
        ),
        (
            CalendarError::DuplicateDate {
                path: s(),
                value: s(),
                other: s(),
            },
            5005,
        ),
        (
            CalendarError::InvalidException {
                path: s(),
                reason: "r",
            },
            5006,
        ),
        (
            CalendarError::InvalidName {
                path: s(),
                name: s(),
                reason: "r",
            },
            5007,
        ),
    ];
    for (err, code) in all {
        assert_eq!(err.code(), code, "{err:?}");
        assert!((5000..=5099).contains(&err.code()));
        let prefixed = err.clone().with_prefix("calendars.x");
        assert_eq!(prefixed.path(), "calendars.x");
        assert_eq!(prefixed.code(), code);
        assert!(!err.to_string().is_empty());
    }
}

/// A calendar with everything: DST, lunch breaks, midnight crossing, holidays,
/// exceptions and a 24-hour day.
fn busy_calendar() -> CompiledCalendar {
    compile(
        r#"
        time_zone = "America/New_York"
        holidays = ["2026-07-03", { date = "12-25", name = "Christmas" }, "01-01", "2027-05-31"]
        exceptions = [
            { date = "2026-11-27", hours = ["09:00-12:00"] },
            { date = "2026-03-08", hours = ["01:30-03:30", "20:00-02:00"] },
            { date = "11-01", hours = ["00:30-01:30"] },
            { date = "2026-08-03", closed = true },
        ]
        [hours]
        mon = ["08:00-12:00", "13:00-17:30"]
        tue = ["08:00-12:00", "13:00-17:30"]
        wed = ["00:00-24:00"]
        thu = ["08:00-12:00", "13:00-17:30", "23:00-01:15"]
        fri = ["08:00-16:00"]
        sat = ["22:00-04:00"]
        "#,
    )
}

const YEAR: u64 = 365 * 24 * H;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn add_then_between_round_trips(offset in 0..YEAR, d in 0..YEAR) {
        let cal = busy_calendar();
        let s = utc(2026, 1, 1, 0, 0) + offset;
        let due = cal.add_business_ms(s, d).unwrap();
        prop_assert!(due >= s);
        prop_assert_eq!(cal.business_ms_between(s, due), d);
        if d > 0 {
            // The earliest such instant: the last millisecond before it was open.
            prop_assert_eq!(cal.business_ms_between(s, due - 1), d - 1);
            prop_assert!(cal.is_open(due - 1));
        }
    }

    #[test]
    fn between_is_additive_and_bounded(a in 0..YEAR, b in 0..YEAR, c in 0..YEAR) {
        let cal = busy_calendar();
        let base = utc(2026, 1, 1, 0, 0);
        let mut v = [base + a, base + b, base + c];
        v.sort_unstable();
        let (x, y) = (cal.business_ms_between(v[0], v[1]), cal.business_ms_between(v[1], v[2]));
        prop_assert_eq!(x + y, cal.business_ms_between(v[0], v[2]));
        prop_assert!(x <= v[1] - v[0]);
    }

    #[test]
    fn state_agrees_with_walks(offset in 0..YEAR) {
        let cal = busy_calendar();
        let t = utc(2026, 1, 1, 0, 0) + offset;
        let open = cal.is_open(t);
        prop_assert_eq!(open, cal.state_at(t) == OpenState::Open);
        prop_assert_eq!(open, cal.business_ms_between(t, t + 1) == 1);
        let c = cal.next_change(t).unwrap();
        prop_assert!(c > t);
        prop_assert_eq!(cal.is_open(c), !open);
        prop_assert_eq!(cal.is_open(c - 1), open);
        prop_assert_eq!(cal.business_ms_between(t, c), if open { c - t } else { 0 });
        let iv = cal.open_intervals(t, c);
        prop_assert_eq!(iv.is_empty(), !open);
        prop_assert!(iv.len() <= 1);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}", date in "[0-9-]{0,12}") {
        let mut cal = Calendar::new("Europe/Lisbon");
        cal.hours.mon.push(text.clone());
        let _ = cal.validate();
        let mut cal = Calendar::new(text);
        cal.holidays.push(Holiday { date, name: None });
        let _ = cal.validate();
    }
}

//! Every input file is read exactly, or refused in words (issues 10 and 11): JSON amounts from
//! their text, encodings detected and never mixed, ID numbers never echoed, full-width digits
//! read as ASCII, phone numbers checked, and dates that deserve a look listed as warnings.

mod interchange_support;
use interchange_support::*;

fn env() -> Env {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS_CSV);
    env
}

/// Issue 11 item 5: a JSON amount is read from its text, never through a float.
#[test]
fn json_amounts_are_read_exactly() {
    let env = env();
    let json = r#"[{"date":"2021-01-01","unit":"S1","kind":"allocation","amount":90071992547409.93}]"#;
    env.import_ok("budget", "b.json", json);
    let budget = env.export_json("budget");
    assert_eq!(field(&budget[0], "amount"), "90071992547409.93", "{budget:?}");
}

/// Issue 11 item 12: a JSON file of many distinct keys is refused in words, at once.
#[test]
fn json_with_thousands_of_keys_is_refused_in_words() {
    let env = env();
    let objects: Vec<String> = (0..20_000).map(|i| format!("{{\"k{i}\":\"x\"}}")).collect();
    let json = format!("[{}]", objects.join(",\n"));
    let started = std::time::Instant::now();
    let err = env.import_refused("budget", "keys.json", json);
    assert!(err.contains("more than 64 different keys"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

//! The QA walk's CLI wording: `report` in English says "not yet" (the JSON keeps the token
//! `not_yet`) and writes no Chinese unit of money.

mod interchange_support;
use interchange_support::*;

#[test]
fn english_report_says_not_yet_in_words() {
    let env = Env::xishan();
    let out = env.run_lang("en", &["report", "--as-of", "2020-12-31"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Own station on 2020-12-31: not yet"), "{text}");
    assert!(!text.contains("not_yet"), "{text}");
    // The JSON keeps SPEC's token.
    let json = env.report_at("2020-12-31", Some("530112006000"));
    assert!(json.to_string().contains("\"not_yet\""), "{json}");
}

#[test]
fn english_report_has_no_chinese_unit_of_money() {
    let env = Env::xishan();
    let out = env.run_lang("en", &["report"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('万') && !text.contains('亿'), "{text}");
    assert!(text.contains("1,700,000.00"), "{text}");
}

#[test]
fn history_writes_amounts_as_the_screens_do_and_json_as_the_files() {
    let env = Env::xishan();
    let text = env.ok(&["history", "--limit", "0"]);
    assert!(text.contains("amount: 1,700,000.00"), "{text}");
    let json = env.ok(&["history", "--limit", "0", "--format", "json"]);
    assert!(json.contains("\"1700000.00\""), "{json}");
}

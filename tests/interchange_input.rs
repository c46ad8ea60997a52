//! Every input file is read exactly, or refused in words (issues 10 and 11): JSON amounts from
//! their text, encodings detected and never mixed, ID numbers never echoed, full-width digits
//! read as ASCII, phone numbers checked, and dates that deserve a look listed as warnings.

mod common;
mod interchange_support;
use common::repeated_ods;
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

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

/// Issue 11 item 3: a GBK file whose Chinese is short names (valid UTF-8 by accident) is read
/// as GBK, streamed from disk and read whole alike.
#[test]
fn short_gbk_names_are_read_as_gbk() {
    let env = env();
    let csv = "code,parent,level,name,contact\nC9,S1,community,谢叶,毛史\n";
    assert!(std::str::from_utf8(&gbk(csv)).is_ok());
    env.import_ok("units", "gbk.csv", gbk(csv));
    let units = env.export_json("units");
    let c9 = units.iter().find(|u| field(u, "code") == "C9").unwrap();
    assert_eq!((field(c9, "name"), field(c9, "contact")), ("谢叶", "毛史"));
    let bytes = gbk(csv);
    let whole = shegong::interchange::decode_text(&bytes).unwrap();
    assert_eq!(whole, csv);
}

/// A file whose rows are UTF-8 and then GBK (or GBK, then UTF-8) is refused at the first line
/// that disagrees; nothing is stored.
#[test]
fn a_file_that_mixes_encodings_is_refused_at_the_line() {
    let env = env();
    let head = "date,unit,kind,amount,note\n2021-01-01,S1,allocation,1,中文\n";
    let mut utf8_then_gbk = head.as_bytes().to_vec();
    utf8_then_gbk.extend(gbk("2021-01-02,S1,allocation,2,西苑街道\n"));
    let err = env.import_refused("budget", "mixed1.csv", &utf8_then_gbk);
    assert!(err.contains("mixed1.csv:3:") && err.contains("not UTF-8"), "{err}");
    let mut gbk_then_utf8 = gbk(head);
    gbk_then_utf8.extend("2021-01-02,S1,allocation,2,中文\n".as_bytes());
    let err = env.import_refused("budget", "mixed2.csv", &gbk_then_utf8);
    assert!(
        err.contains("mixed2.csv:3:") && err.contains("mixes two encodings"),
        "{err}"
    );
    // Read whole, the same.
    let p = shegong::interchange::decode_text(&gbk_then_utf8).unwrap_err();
    assert_eq!(p.shown[0].line, 3, "{p:?}");
    let p = shegong::interchange::decode_text(&utf8_then_gbk).unwrap_err();
    assert_eq!(p.shown[0].line, 3, "{p:?}");
}

/// UTF-16 without a byte-order mark is refused in words, with no NUL byte in the message.
#[test]
fn utf16_without_bom_is_refused_without_nul_bytes() {
    let env = env();
    let le: Vec<u8> = "date,unit,kind,amount\n2021-01-01,S1,allocation,1\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let err = env.import_refused("budget", "u16.csv", &le);
    assert!(!err.contains('\0'), "{err:?}");
    assert!(err.contains("UTF-16 text without a byte-order mark"), "{err}");
}

// The standard's worked example (GB 11643-1999), not a real person's number.
const ID: &str = "11010519491231002X";

/// An ID number typed into the amount, unit, date or kind column is never echoed.
#[test]
fn an_id_number_in_any_column_is_never_echoed() {
    let env = env();
    for (i, row) in [
        format!("2021-01-01,S1,allocation,{ID}"),
        format!("2021-01-01,{ID},allocation,1"),
        format!("{ID},S1,allocation,1"),
        format!("2021-01-01,S1,{ID},1"),
        "2021-01-01,S1,allocation,1101 0519 4912 3100 2X".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let err = env.import_refused(
            "budget",
            &format!("id{i}.csv"),
            format!("date,unit,kind,amount\n{row}\n"),
        );
        let digits: String = ID.chars().filter(char::is_ascii_digit).collect();
        assert!(
            !err.contains(ID) && !err.contains("0519") && !err.contains(&digits[..10]),
            "{err}"
        );
        assert!(err.contains(":2: "), "{err}");
    }
}

/// The ID check is not bypassed by grouping spaces or hyphens.
#[test]
fn a_grouped_id_number_is_refused() {
    let env = env();
    for (i, note) in ["1101 0519 4912 3100 2X", "110105-19491231-002X"].iter().enumerate() {
        let err = env.import_refused(
            "budget",
            &format!("g{i}.csv"),
            format!("date,unit,kind,amount,note\n2021-01-01,S1,allocation,1,{note}\n"),
        );
        assert!(err.contains("looks like a resident ID number"), "{err}");
    }
}

/// Issue 11 item 12: an .ods of under a kilobyte that repeats a row a million times is refused
/// in words before it is expanded; one that repeats it a little is read.
#[test]
fn an_ods_that_repeats_rows_past_the_limit_is_refused() {
    let env = env();
    let big = repeated_ods(1_000_000, 40);
    assert!(big.len() < 3000, "{}", big.len());
    let err = env.import_refused("budget", "r.ods", &big);
    assert!(err.contains("once its repeated rows are expanded"), "{err}");
    let wide = repeated_ods(3, 1000);
    let err = env.import_refused("budget", "w.ods", &wide);
    assert!(err.contains("1000 columns"), "{err}");
    // A few repeats are read (and refused for what they say, not for their size).
    let err = env.import_refused("budget", "s.ods", repeated_ods(3, 1));
    assert!(err.contains("the required column"), "{err}");
}

/// Issue 11 item 12: an .xlsx whose one cell is at XFD1048576 is read as the cells it holds
/// and refused in words for that cell, without building a sheet of 17 billion cells.
#[test]
fn an_xlsx_with_a_far_cell_is_refused_in_words() {
    let env = env();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in ["date", "unit", "kind", "amount"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err = env.import_refused("budget", "far.xlsx", &bytes);
    assert!(err.contains("far.xlsx:1048576: column 16384 has a value"), "{err}");
}

/// Issue 10: full-width digits and signs read as ASCII in files (the same parsers serve the
/// UI's forms).
#[test]
fn full_width_digits_and_signs_read_as_ascii() {
    let env = env();
    env.import_ok(
        "budget",
        "fw.csv",
        "date,unit,kind,amount\n２０２１－１１－０８,S1,allocation,１，０００．５０\n２０２１／３／５,S1,expenditure,－１２３\n",
    );
    let mut stored: Vec<(String, String)> = env
        .export_json("budget")
        .iter()
        .map(|r| (field(r, "date").to_string(), field(r, "amount").to_string()))
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        vec![
            ("2021-03-05".to_string(), "-123.00".to_string()),
            ("2021-11-08".to_string(), "1000.50".to_string())
        ]
    );
    env.import_ok(
        "units",
        "fw-units.csv",
        "code,parent,level,name,social_workers,certified_workers\nC7,S1,community,新社区,１２,３\n",
    );
    let units = env.export_json("units");
    let c7 = units.iter().find(|u| field(u, "code") == "C7").unwrap();
    assert_eq!(
        c7.get("social_workers").map(|v| v.to_string()).as_deref(),
        Some("\"12\""),
        "{c7:?}"
    );
}

/// Issue 10: a phone number is digits, spaces, +, -, parentheses and an extension.
#[test]
fn a_phone_number_must_be_one() {
    let env = env();
    let err = env.import_refused(
        "units",
        "p.csv",
        "code,parent,level,name,phone\nC8,S1,community,新社区,abc\n",
    );
    assert!(err.contains("p.csv:2: phone: “abc” is not a phone number"), "{err}");
    env.import_ok(
        "units",
        "p2.csv",
        "code,parent,level,name,phone\nC8,S1,community,新社区,(0871) 6818-1234 转 801、+86 138 0000 0000\nC9,S1,community,又一社区,０８７１－６８１８１２３４ ext. 12\n",
    );
}

/// Issue 10: dates after today and records before the station opened are imported and listed
/// as warnings with file:line; text in unlikely characters likewise.
#[test]
fn dates_that_deserve_a_look_are_warnings() {
    let env = env();
    let out = env.import_ok(
        "budget",
        "w.csv",
        "date,unit,kind,amount,note\n2099-01-01,S1,allocation,1,\n2019-06-01,D1,allocation,2,\n",
    );
    assert!(out.contains("2 rows: 2 added."), "{out}");
    assert!(out.contains("imported, but 2 to check:"), "{out}");
    assert!(
        out.contains("w.csv:2: date: the date 2099-01-01 is after today"),
        "{out}"
    );
    assert!(
        out.contains("w.csv:3: date: the date 2019-06-01 is before unit D1's station opened on 2021-05-30"),
        "{out}"
    );
    assert_eq!(env.counts()[3], 2);
    // Text that is not what the file's encoding makes of Chinese (a JSON file is UTF-8 only).
    let out = env.import_ok(
        "budget",
        "w.json",
        r#"[{"date":"2021-06-01","unit":"S1","kind":"allocation","amount":3,"note":"лҶ"}]"#,
    );
    assert!(
        out.contains("w.json:1: note: “лҶ” has the unlikely character “л”"),
        "{out}"
    );
}

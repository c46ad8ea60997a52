//! Files as clerks have them: UTF-8 with or without a BOM, GBK/GB18030 (Excel on Chinese
//! Windows), UTF-16 "Unicode text", CRLF or LF, English or Chinese headers and words.

mod interchange_support;
use interchange_support::*;

const CHINESE: &str = "编码,上级编码,层级,名称,站点状态,建站日期,运营机构\r\n\
D1,,区,西山区,运营,2021年5月30日,昆明市西山区社会工作服务中心\r\n\
S1,D1,街道,棕树营街道,筹建,,\r\n";

fn assert_units(env: &Env) {
    let units = env.export_json("units");
    assert_eq!(units.len(), 2);
    assert_eq!(field(&units[0], "name"), "西山区");
    assert_eq!(field(&units[0], "level"), "district");
    assert_eq!(field(&units[0], "station"), "operating");
    assert_eq!(field(&units[0], "opened_on"), "2021-05-30");
    assert_eq!(field(&units[0], "operator"), "昆明市西山区社会工作服务中心");
    assert_eq!(field(&units[1], "name"), "棕树营街道");
    assert_eq!(field(&units[1], "station"), "planned");
}

#[test]
fn utf8_without_bom() {
    let env = Env::empty();
    env.import_ok("units", "u.csv", CHINESE);
    assert_units(&env);
}

#[test]
fn utf8_with_bom() {
    let env = Env::empty();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(CHINESE.as_bytes());
    env.import_ok("units", "u.csv", bytes);
    assert_units(&env);
}

#[test]
fn gbk() {
    let env = Env::empty();
    let (bytes, _, bad) = encoding_rs::GBK.encode(CHINESE);
    assert!(!bad);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test file must really be GBK");
    env.import_ok("units", "u.csv", bytes);
    assert_units(&env);
}

#[test]
fn gbk_fixture_as_excel_writes_it() {
    // tests/fixtures/units-gbk.csv: GBK, CRLF, Chinese headers and words, as Excel on Chinese
    // Windows saves "CSV (逗号分隔)".
    let env = Env::empty();
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/units-gbk.csv")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());
    env.import_ok("units", "u.csv", bytes);
    assert_units(&env);
}

#[test]
fn gb18030_beyond_gbk() {
    // 𠮷 is outside GBK; GB18030 has it as a four-byte sequence.
    let env = Env::empty();
    let text = CHINESE.replace("棕树营街道", "𠮷祥街道");
    let (bytes, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    env.import_ok("units", "u.csv", bytes);
    assert_eq!(field(&env.export_json("units")[1], "name"), "𠮷祥街道");
}

#[test]
fn utf16_unicode_text_tab_separated() {
    let env = Env::empty();
    let mut bytes = vec![0xFF, 0xFE];
    for u in CHINESE.replace(',', "\t").encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    env.import_ok("units", "u.txt", bytes);
    assert_units(&env);
}

#[test]
fn lf_and_crlf_and_english_headers() {
    let english = "code,parent,level,name,station,opened_on,operator\n\
D1,,district,西山区,operating,2021-05-30,昆明市西山区社会工作服务中心\n\
S1,D1,street,棕树营街道,planned,,\n";
    for (i, text) in [english.to_string(), english.replace('\n', "\r\n")].iter().enumerate() {
        let env = Env::empty();
        env.import_ok("units", &format!("u{i}.csv"), text);
        assert_units(&env);
    }
}

#[test]
fn headers_in_any_order_and_case_with_mixed_languages() {
    let env = Env::empty();
    let text = "名称,CODE,Level,上级编码,站点状态,Opened_On,运营机构\n\
西山区,D1,区,,operating,2021/5/30,昆明市西山区社会工作服务中心\n\
棕树营街道,S1,street,D1,筹建,,\n";
    env.import_ok("units", "u.csv", text);
    assert_units(&env);
}

#[test]
fn a_file_that_is_not_text_is_refused_in_words() {
    let env = Env::empty();
    let err = env.import_refused("units", "u.csv", [0x81u8, 0x20, 0xFF, 0xFF, 0x00, 0x81, 0x0A]);
    assert!(err.contains("u.csv: cannot read the file's text"), "{err}");
}

#[test]
fn an_empty_file_is_refused() {
    let env = Env::empty();
    let err = env.import_refused("units", "u.csv", "");
    assert!(err.contains("u.csv:1: the file is empty"), "{err}");
}

#[test]
fn a_header_only_file_imports_nothing_and_says_so() {
    let env = Env::empty();
    let out = env.import_ok("units", "u.csv", "code,level,name\r\n");
    assert!(out.contains("no data rows"), "{out}");
}

//! Excel workbooks as clerks make them: real date cells, money and codes typed as numbers,
//! formulas with cached results, Chinese headers, blank rows above the header; the first sheet
//! only; detected by content whatever the file is called.

mod interchange_support;
use interchange_support::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

const UNITS: &str = "code,parent,level,name,station,opened_on\n\
530112000000,,district,西山区,operating,2021-05-30\n\
530112001000,530112000000,street,西苑街道,operating,2020\n";

fn env() -> Env {
    let env = Env::empty();
    env.import_ok("units", "u.csv", UNITS);
    env
}

fn date(sheet: &mut Worksheet, row: u32, col: u16, y: u16, m: u8, d: u8) {
    let format = Format::new().set_num_format("yyyy/m/d");
    sheet
        .write_datetime_with_format(row, col, ExcelDateTime::from_ymd(y, m, d).unwrap(), &format)
        .unwrap();
}

fn headers(sheet: &mut Worksheet, row: u32, names: &[&str]) {
    for (c, h) in names.iter().enumerate() {
        sheet.write_string(row, c as u16, *h).unwrap();
    }
}

#[test]
fn numbers_dates_and_formulas_read_exactly() {
    let env = env();
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    headers(sheet, 0, &["编号", "日期", "站点", "类型", "金额", "备注"]);
    let money = Format::new().set_num_format("#,##0.00");
    let rows: [(f64, &str); 7] = [
        (1_700_000.0, "1700000.00"),
        (1200.5, "1200.50"),
        (0.1 + 0.2, "0.30"),
        (-20.5, "-20.50"),
        (1_234_567.89, "1234567.89"),
        (0.07, "0.07"),
        (99_999_999_999.99, "99999999999.99"),
    ];
    for (i, (amount, _)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, format!("X{r}")).unwrap();
        date(sheet, r, 1, 2021, 11, 8);
        // Codes typed as numbers, as Excel makes of a column of digits.
        sheet.write_number(r, 2, 530_112_001_000.0).unwrap();
        sheet.write_string(r, 3, "拨付").unwrap();
        sheet.write_number_with_format(r, 4, *amount, &money).unwrap();
    }
    // A formula whose cached result carries float noise, and a date typed as text.
    let r = rows.len() as u32 + 1;
    sheet.write_string(r, 0, "F1").unwrap();
    sheet.write_string(r, 1, "2021年11月9日").unwrap();
    sheet.write_number(r, 2, 530_112_000_000.0).unwrap();
    sheet.write_string(r, 3, "allocation").unwrap();
    sheet
        .write_formula(r, 4, Formula::new("=0.1*3*400").set_result("120.00000000000001"))
        .unwrap();
    sheet.write_number(r, 5, 12.5).unwrap();
    // A second sheet is not read.
    let other = wb.add_worksheet();
    other.write_string(0, 0, "anything").unwrap();
    let bytes = wb.save_to_buffer().unwrap();

    env.import_ok("budget", "资金.xlsx", &bytes);
    let stored = env.export_json("budget");
    assert_eq!(stored.len(), rows.len() + 1);
    for (i, (_, expected)) in rows.iter().enumerate() {
        let r = stored.iter().find(|b| field(b, "id") == format!("X{}", i + 1)).unwrap();
        assert_eq!(field(r, "amount"), *expected);
        assert_eq!(field(r, "date"), "2021-11-08");
        assert_eq!(field(r, "unit"), "530112001000");
    }
    let f = stored.iter().find(|b| field(b, "id") == "F1").unwrap();
    assert_eq!(field(f, "amount"), "120.00");
    assert_eq!(field(f, "date"), "2021-11-09");
    assert_eq!(field(f, "note"), "12.5");
}

#[test]
fn errors_point_at_the_sheets_own_row_numbers() {
    let env = env();
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    // Two blank rows, then a title-less header on row 3.
    headers(sheet, 2, &["date", "unit", "kind", "amount"]);
    date(sheet, 3, 0, 2021, 1, 1);
    sheet.write_string(3, 1, "530112001000").unwrap();
    sheet.write_string(3, 2, "allocation").unwrap();
    sheet.write_string(3, 3, "一百").unwrap();
    date(sheet, 5, 0, 2021, 1, 2);
    sheet.write_string(5, 1, "530112001000").unwrap();
    sheet.write_string(5, 2, "支出").unwrap();
    sheet
        .write_formula(5, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err = env.import_refused("budget", "b.xlsx", &bytes);
    assert!(err.contains("b.xlsx:4: amount: cannot read the amount “一百”"), "{err}");
    assert!(
        err.contains("b.xlsx:6: amount: cannot read the amount “#DIV/0!”"),
        "{err}"
    );
}

#[test]
fn a_workbook_is_known_by_its_content_not_its_name() {
    let env = env();
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    headers(sheet, 0, &["日期", "站点", "类型", "金额"]);
    sheet.write_string(1, 0, "2021-01-01").unwrap();
    sheet.write_string(1, 1, "530112001000").unwrap();
    sheet.write_string(1, 2, "拨付").unwrap();
    sheet.write_number(1, 3, 5.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    env.import_ok("budget", "saved-as.csv", &bytes);
    assert_eq!(env.counts()[3], 1);
}

#[test]
fn a_damaged_workbook_is_refused_in_words() {
    let env = env();
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    let err = env.import_refused("budget", "b.xlsx", &bytes);
    assert!(err.contains("b.xlsx: cannot read this Excel workbook"), "{err}");
    let zh = env.run_lang("zh", &["import", "budget", env.path("b.xlsx").to_str().unwrap()]);
    assert!(stderr(&zh).contains("无法读取此 Excel 工作簿"), "{}", stderr(&zh));
}

#[test]
fn an_empty_sheet_is_refused() {
    let env = env();
    let mut wb = Workbook::new();
    wb.add_worksheet();
    let err = env.import_refused("budget", "b.xlsx", wb.save_to_buffer().unwrap());
    assert!(err.contains("b.xlsx: the workbook's first sheet is empty"), "{err}");
}

#[test]
fn exported_workbooks_use_the_clerks_language_and_read_back() {
    let env = env();
    env.import_ok(
        "budget",
        "b.csv",
        "date,unit,kind,category,amount\n2021-11-09,530112000000,allocation,operation,170万\n",
    );
    let zh = env.path("资金.xlsx");
    let out = env.run_lang(
        "zh",
        &["export", "budget", "--format", "xlsx", "-o", zh.to_str().unwrap()],
    );
    assert!(out.status.success());
    assert!(stderr(&out).contains("已将 1 条资金记录导出到"), "{}", stderr(&out));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&zh).unwrap();
    use calamine::{Data, Reader};
    assert_eq!(wb.sheet_names(), vec!["资金".to_string()]);
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][1], Data::String("日期".into()));
    assert_eq!(rows[1][3], Data::String("拨付".into()));
    assert_eq!(rows[1][4], Data::String("运营".into()));
    assert_eq!(rows[1][6], Data::Float(1_700_000.0), "money is a number in the sheet");
    // Read back into a new store.
    let dst = Env::empty();
    dst.import_ok("units", "u.csv", UNITS);
    dst.import_ok("budget", "b.xlsx", std::fs::read(&zh).unwrap());
    assert_eq!(dst.report(), env.report());
}

#[test]
fn a_workbook_is_not_written_to_a_terminal_but_to_a_pipe_it_is() {
    let env = env();
    // Under the test harness stdout is a pipe: the bytes come out.
    let out = env.run(&["export", "units", "--format", "xlsx"]);
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
}

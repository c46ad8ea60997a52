//! `shegong report --format xlsx -o FILE` (SPEC.md "The report as a workbook"): the Xishan
//! workbook read back with calamine, its XML checked where calamine cannot tell (frozen panes,
//! number formats), and its figures compared with `report --format json`'s.

mod common;
use common::*;

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use serde_json::Value;
use shegong::domain::{Category, EvalKind, Grade, Source, TrainingKind, TrainingMode};
use std::io::{Cursor, Read};
use std::path::Path;

const SHEETS_ZH: [&str; 6] = ["汇总", "覆盖", "资金（按科目）", "资金（按来源）", "评估", "培训"];
const SHEETS_EN: [&str; 6] = [
    "Summary",
    "Coverage",
    "Funding by category",
    "Funding by source",
    "Evaluations",
    "Trainings",
];

struct Book {
    bytes: Vec<u8>,
    sheets: Vec<(String, Range<Data>)>,
}

impl Book {
    fn read(path: &Path) -> Book {
        let bytes = std::fs::read(path).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        let sheets = wb
            .sheet_names()
            .into_iter()
            .map(|name| {
                let range = wb.worksheet_range(&name).unwrap();
                (name, range)
            })
            .collect();
        Book { bytes, sheets }
    }

    fn names(&self) -> Vec<&str> {
        self.sheets.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn sheet(&self, name: &str) -> Sheet<'_> {
        let range = &self.sheets.iter().find(|(n, _)| n == name).unwrap().1;
        Sheet::new(range)
    }

    /// A file of the workbook's zip, as text.
    fn xml(&self, file: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(&self.bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(file).unwrap().read_to_string(&mut text).unwrap();
        text
    }
}

/// A sheet as rows of cells (from A1), its header row found as the first row after a blank one.
struct Sheet<'a> {
    rows: Vec<&'a [Data]>,
    header: usize,
}

impl<'a> Sheet<'a> {
    fn new(range: &'a Range<Data>) -> Sheet<'a> {
        assert_eq!(range.start(), Some((0, 0)));
        let rows: Vec<&[Data]> = range.rows().collect();
        let blank = rows.iter().position(|r| r.iter().all(|c| *c == Data::Empty)).unwrap();
        Sheet {
            rows,
            header: blank + 1,
        }
    }

    fn line(&self, i: usize) -> String {
        text(&self.rows[i][0])
    }

    fn headers(&self) -> Vec<String> {
        self.rows[self.header].iter().map(text).collect()
    }

    fn column(&self, name: &str) -> usize {
        self.headers()
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}: {:?}", self.headers()))
    }

    fn data(&self) -> &[&'a [Data]] {
        &self.rows[self.header + 1..]
    }

    /// The data row whose first cell is `code`.
    fn row(&self, code: &str) -> &'a [Data] {
        self.data()
            .iter()
            .find(|r| text(&r[0]) == code)
            .unwrap_or_else(|| panic!("no row {code}"))
    }

    fn get(&self, code: &str, column: &str) -> &'a Data {
        &self.row(code)[self.column(column)]
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn fen(d: &Data) -> i64 {
    (number(d) * 100.0).round() as i64
}

fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    (tmp, dir)
}

fn workbook(dir: &Path, lang: &str, extra: &[&str]) -> Book {
    let file = dir.with_file_name(format!("report-{lang}-{}.xlsx", extra.join("_")));
    let mut args = vec!["--lang", lang, "report", "--format", "xlsx", "-o"];
    let path = file.to_str().unwrap().to_string();
    args.push(&path);
    args.extend_from_slice(extra);
    ok(dir, &args);
    Book::read(&file)
}

fn json_count(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// Every figure of every child row (and of the summary) equals the JSON report's.
fn assert_same_figures(book: &Book, json: &Value) {
    let children = json["children"].as_array().unwrap();
    let cov = book.sheet("覆盖");
    let cat = book.sheet("资金（按科目）");
    let src = book.sheet("资金（按来源）");
    let ev = book.sheet("评估");
    let tr = book.sheet("培训");
    for sheet in [&cov, &cat, &src, &ev, &tr] {
        assert_eq!(sheet.data().len(), children.len());
    }
    for (i, child) in children.iter().enumerate() {
        let code = child["code"].as_str().unwrap();
        // In the report's order, names intact.
        assert_eq!(text(&cov.data()[i][0]), code);
        assert_eq!(
            *cov.get(code, "名称"),
            Data::String(child["name"].as_str().unwrap().into())
        );
        for (level, c) in child["coverage"].as_object().unwrap() {
            let l = shegong::domain::Level::parse(level).unwrap().zh();
            assert_eq!(
                number(cov.get(code, &format!("{l}单位数"))) as i64,
                c["units"].as_i64().unwrap()
            );
            assert_eq!(
                number(cov.get(code, &format!("{l}有运营站点"))) as i64,
                c["covered"].as_i64().unwrap()
            );
        }
        let on_date = shegong::domain::StationOnDate::parse(child["station"]["on_date"].as_str().unwrap()).unwrap();
        assert_eq!(text(cov.get(code, "本级站点（截至当日）")), on_date.zh());

        let f = &child["funding"];
        for sheet in [&cat, &src] {
            assert_eq!(fen(sheet.get(code, "拨付（元）")), f["allocated_fen"].as_i64().unwrap());
            assert_eq!(fen(sheet.get(code, "支出（元）")), f["spent_fen"].as_i64().unwrap());
        }
        let pairs = Category::ALL
            .iter()
            .map(|c| (&cat, c.zh(), &f["by_category"][c.en()]))
            .chain([(&cat, "未注明科目", &f["category_unspecified"])])
            .chain(Source::ALL.iter().map(|s| (&src, s.zh(), &f["by_source"][s.en()])))
            .chain([(&src, "未注明来源", &f["source_unspecified"])]);
        for (sheet, part, pair) in pairs {
            assert_eq!(
                fen(sheet.get(code, &format!("{part}·拨付（元）"))),
                pair["allocated_fen"].as_i64().unwrap()
            );
            assert_eq!(
                fen(sheet.get(code, &format!("{part}·支出（元）"))),
                pair["spent_fen"].as_i64().unwrap()
            );
        }

        let e = &child["evaluations"];
        assert_eq!(number(ev.get(code, "评估次数")) as i64, e["count"].as_i64().unwrap());
        for k in EvalKind::ALL {
            let n = number(ev.get(code, &format!("类型：{}", k.zh()))) as i64;
            assert_eq!(n, json_count(&e["by_kind"], k.en()), "{code} {k:?}");
        }
        for g in Grade::ALL {
            let n = number(ev.get(code, &format!("等级：{}", g.zh()))) as i64;
            assert_eq!(n, json_count(&e["by_grade"], g.en()), "{code} {g:?}");
        }
        assert_eq!(number(ev.get(code, "未定等级")) as i64, e["ungraded"].as_i64().unwrap());
        assert_eq!(
            number(ev.get(code, "已评估站点")) as i64,
            e["evaluated_stations"].as_i64().unwrap()
        );
        assert_eq!(
            number(ev.get(code, "未评估的运营站点")) as i64,
            e["stations_without_evaluation"].as_i64().unwrap()
        );
        match e["latest"].as_object() {
            None => assert_eq!(*ev.get(code, "本级最近评估日期"), Data::Empty),
            Some(latest) => {
                assert_eq!(text(ev.get(code, "本级最近评估日期")), latest["date"].as_str().unwrap());
                // The letter gives no scores: "not stated", never 0.
                match latest["score"].as_f64() {
                    None => assert_eq!(text(ev.get(code, "得分")), "未注明"),
                    Some(s) => assert_eq!(number(ev.get(code, "得分")), s),
                }
            }
        }

        let t = &child["trainings"];
        assert_eq!(number(tr.get(code, "培训次数")) as i64, t["count"].as_i64().unwrap());
        for k in TrainingKind::ALL {
            let n = number(tr.get(code, &format!("类型：{}", k.zh()))) as i64;
            assert_eq!(n, json_count(&t["by_kind"], k.en()), "{code} {k:?}");
        }
        for x in TrainingMode::ALL {
            let n = number(tr.get(code, &format!("形式：{}", x.zh()))) as i64;
            assert_eq!(n, json_count(&t["by_mode"], x.en()), "{code} {x:?}");
        }
        assert_eq!(
            number(tr.get(code, "未注明形式")) as i64,
            t["mode_unspecified"].as_i64().unwrap()
        );
        match t["hours"].as_f64() {
            None => assert_eq!(text(tr.get(code, "课时")), "未注明"),
            Some(h) => assert_eq!(number(tr.get(code, "课时")), h),
        }
        match t["attendees"].as_i64() {
            None => assert_eq!(text(tr.get(code, "参训人次")), "未注明"),
            Some(a) => assert_eq!(number(tr.get(code, "参训人次")) as i64, a),
        }
        assert_eq!(
            number(tr.get(code, "给出课时的培训")) as i64,
            t["hours_given"].as_i64().unwrap()
        );
        assert_eq!(
            number(tr.get(code, "给出人数的培训")) as i64,
            t["attendees_given"].as_i64().unwrap()
        );
    }

    // The summary: the unit's own figures.
    let sum = book.sheet("汇总");
    let value = |item: &str| -> &Data {
        let row = sum
            .data()
            .iter()
            .find(|r| text(&r[1]) == item)
            .unwrap_or_else(|| panic!("no summary item {item}"));
        &row[2]
    };
    assert_eq!(text(value("名称")), json["name"].as_str().unwrap());
    assert_eq!(text(value("编码")), json["code"].as_str().unwrap());
    assert_eq!(text(value("截至")), json["as_of"].as_str().unwrap());
    for (level, c) in json["coverage"].as_object().unwrap() {
        let l = shegong::domain::Level::parse(level).unwrap().zh();
        assert_eq!(
            number(value(&format!("{l}单位数"))) as i64,
            c["units"].as_i64().unwrap()
        );
        assert_eq!(
            number(value(&format!("{l}有运营站点"))) as i64,
            c["covered"].as_i64().unwrap()
        );
    }
    assert_eq!(
        fen(value("拨付（元）")),
        json["funding"]["allocated_fen"].as_i64().unwrap()
    );
    assert_eq!(fen(value("支出（元）")), json["funding"]["spent_fen"].as_i64().unwrap());
    assert_eq!(
        number(value("评估次数")) as i64,
        json["evaluations"]["count"].as_i64().unwrap()
    );
    assert_eq!(
        number(value("培训次数")) as i64,
        json["trainings"]["count"].as_i64().unwrap()
    );
    for k in TrainingKind::ALL {
        let n = number(value(&format!("类型：{}", k.zh()))) as i64;
        assert_eq!(n, json_count(&json["trainings"]["by_kind"], k.en()));
    }
    match json["trainings"]["hours"].as_f64() {
        None => assert_eq!(text(value("课时")), "未注明"),
        Some(h) => assert_eq!(number(value("课时")), h),
    }
    match json["trainings"]["attendees"].as_i64() {
        None => assert_eq!(text(value("参训人次")), "未注明"),
        Some(a) => assert_eq!(number(value("参训人次")) as i64, a),
    }
}

/// The cell reference of a sheet's data row `row` (0-based over the sheet) and column.
fn cell_ref(row: usize, column: usize) -> String {
    format!("{}{}", (b'A' + column as u8) as char, row + 1)
}

/// The style index of a cell in a sheet's XML.
fn style_of(sheet_xml: &str, cell: &str) -> usize {
    let at = sheet_xml
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let tag = &sheet_xml[at..at + sheet_xml[at..].find('>').unwrap()];
    tag.split(" s=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map_or(0, |s| s.parse().unwrap())
}

/// The number format (code or built-in id) of a cell style.
fn number_format(styles_xml: &str, style: usize) -> String {
    let xfs = &styles_xml[styles_xml.find("<cellXfs").unwrap()..];
    let xf = xfs.split("<xf ").nth(style + 1).unwrap();
    let id: u32 = xf
        .split("numFmtId=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    // 4 is Excel's built-in "#,##0.00"; custom formats are listed with their code.
    if id == 4 {
        return "#,##0.00".into();
    }
    let def = styles_xml
        .split("<numFmt ")
        .find(|d| d.contains(&format!("numFmtId=\"{id}\"")))
        .unwrap_or_else(|| panic!("no format {id}"));
    def.split("formatCode=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn the_xishan_workbook_as_of_2021_11_09() {
    let (_tmp, dir) = store();
    let book = workbook(&dir, "zh", &["--as-of", "2021-11-09"]);
    assert_eq!(book.names(), SHEETS_ZH);

    let store_dir = std::fs::canonicalize(&dir).unwrap();
    for (i, name) in SHEETS_ZH.iter().enumerate() {
        let sheet = book.sheet(name);
        // The unit and the as-of date, then the source, on every sheet.
        assert_eq!(sheet.line(0), "西山区（530112000000） · 区 · 截至 2021-11-09", "{name}");
        let source = sheet.line(1);
        assert!(source.starts_with("数据来源："), "{name}: {source}");
        assert!(source.contains(&store_dir.display().to_string()), "{name}: {source}");
        assert!(source.contains("报表生成于 20"), "{name}: {source}");
        // Frozen below the header (calamine does not tell: the sheet's XML does).
        let xml = book.xml(&format!("xl/worksheets/sheet{}.xml", i + 1));
        let split = sheet.header + 1;
        assert!(
            xml.contains(&format!("<pane ySplit=\"{split}\" topLeftCell=\"A{}\"", split + 1))
                && xml.contains("state=\"frozen\""),
            "{name}: {xml}"
        );
        assert!(xml.contains("<autoFilter"), "{name}");
    }

    // The summary: headers, the Chinese name, the money to the fen.
    let sum = book.sheet("汇总");
    assert_eq!(sum.headers(), ["分类", "项目", "数值"]);
    let money_at = sum.header + 1 + sum.data().iter().position(|r| text(&r[1]) == "拨付（元）").unwrap();
    let money = &sum.rows[money_at][2];
    assert_eq!(*money, Data::Float(1_700_000.00));
    let styles = book.xml("xl/styles.xml");
    let summary_xml = book.xml("xl/worksheets/sheet1.xml");
    assert_eq!(
        number_format(&styles, style_of(&summary_xml, &cell_ref(money_at, 2))),
        "#,##0.00"
    );
    assert_eq!(text(&sum.data()[0][2]), "西山区");

    // The children: ten streets, in order, names intact.
    let cov = book.sheet("覆盖");
    assert_eq!(
        &cov.headers()[..4],
        ["编码", "名称", "层级", "本级站点（截至当日）"],
        "{:?}",
        cov.headers()
    );
    assert_eq!(cov.data().len(), 10);
    assert_eq!(text(cov.get("530112007000", "名称")), "棕树营街道");
    assert!(cov.line(2).contains("每行为一个下级单位"));
    let cat = book.sheet("资金（按科目）");
    assert_eq!(&cat.headers()[3..6], ["拨付（元）", "支出（元）", "执行率"]);
    // A child's money is a number formatted to the fen too, 0 included.
    let funding_xml = book.xml("xl/worksheets/sheet3.xml");
    let at = cat.header + 1;
    assert_eq!(cat.rows[at][3], Data::Float(0.0));
    assert_eq!(
        number_format(&styles, style_of(&funding_xml, &cell_ref(at, 3))),
        "#,##0.00"
    );

    let json = report_json(&dir, &["--as-of", "2021-11-09"]);
    assert_same_figures(&book, &json);
}

#[test]
fn the_xishan_workbook_as_of_2020_12_31_and_deeper() {
    let (_tmp, dir) = store();
    let book = workbook(&dir, "zh", &["--as-of", "2020-12-31"]);
    let json = report_json(&dir, &["--as-of", "2020-12-31"]);
    assert_same_figures(&book, &json);
    // Five of the ten street stations on that date; the others opened later.
    let cov = book.sheet("覆盖");
    let on_date: Vec<String> = cov.data().iter().map(|r| text(&r[3])).collect();
    assert_eq!(on_date.iter().filter(|s| *s == "运营").count(), 5, "{on_date:?}");
    assert_eq!(on_date.iter().filter(|s| *s == "未建").count(), 5, "{on_date:?}");
    for name in SHEETS_ZH {
        assert_eq!(
            book.sheet(name).line(0),
            "西山区（530112000000） · 区 · 截至 2020-12-31"
        );
    }

    // Deeper: each row says its level and parent, in tree order.
    let deep = workbook(&dir, "zh", &["--as-of", "2020-12-31", "--depth", "3"]);
    let json = report_json(&dir, &["--as-of", "2020-12-31", "--depth", "3"]);
    assert_same_figures(&deep, &json);
    let cov = deep.sheet("覆盖");
    assert_eq!(&cov.headers()[..4], ["编码", "名称", "层级", "上级编码"]);
    assert_eq!(text(cov.get("530112001000", "上级编码")), "530112000000");
    assert_eq!(text(cov.get("530112001000", "层级")), "街道");
}

#[test]
fn english_words_and_no_workbook_without_a_file() {
    let (_tmp, dir) = store();
    let book = workbook(&dir, "en", &["--as-of", "2021-11-09"]);
    assert_eq!(book.names(), SHEETS_EN);
    for name in SHEETS_EN {
        let sheet = book.sheet(name);
        assert_eq!(sheet.line(0), "西山区（530112000000） · district · as of 2021-11-09");
        assert!(sheet.line(1).starts_with("Source: the shegong store in "));
    }
    let tr = book.sheet("Trainings");
    assert_eq!(tr.headers()[3], "trainings");
    assert!(tr.headers().contains(&"kind: coaching".to_string()));
    let sum = book.sheet("Summary");
    let row = sum.data().iter().find(|r| text(&r[1]) == "hours").unwrap();
    // The letter states no hours: not stated, never 0.
    assert_eq!(text(&row[2]), "not stated");
    // The station on a date before it opened reads in words, as on screen.
    let early = workbook(&dir, "en", &["--as-of", "2020-12-31"]);
    let sum = early.sheet("Summary");
    let row = sum
        .data()
        .iter()
        .find(|r| text(&r[1]) == "own station on the date")
        .unwrap();
    assert_eq!(text(&row[2]), "not yet");

    // A workbook needs a file: refused in words, exit 2, nothing written.
    let out = shegong(&dir, &["report", "--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("-o FILE.xlsx"), "{err}");
    assert!(out.stdout.is_empty());

    // -o takes the other formats too: the same bytes as stdout.
    let file = dir.with_file_name("report.json");
    ok(
        &dir,
        &[
            "report",
            "--format",
            "json",
            "--as-of",
            "2021-11-09",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    let stdout = ok(&dir, &["report", "--format", "json", "--as-of", "2021-11-09"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout);
}

#[test]
fn text_cells_do_not_run_as_formulas() {
    let (tmp, dir) = store();
    let csv = tmp.path().join("units.csv");
    std::fs::write(
        &csv,
        "code,parent,level,name,station,opened_on\n530112001001,530112001000,community,=1+2,operating,2021-01-01\n",
    )
    .unwrap();
    ok(&dir, &["import", "units", csv.to_str().unwrap()]);
    let book = workbook(&dir, "en", &["--as-of", "2021-11-09", "--depth", "2"]);
    let cov = book.sheet("Coverage");
    let name = cov.column("name");
    let at = cov.header + 1 + cov.data().iter().position(|r| text(&r[0]) == "530112001001").unwrap();
    assert_eq!(text(&cov.rows[at][name]), "=1+2");
    let xml = book.xml("xl/worksheets/sheet2.xml");
    assert!(!xml.contains("<f>"), "a formula was written");
    let styles = book.xml("xl/styles.xml");
    let style = style_of(&xml, &cell_ref(at, name));
    let xf = styles[styles.find("<cellXfs").unwrap()..]
        .split("<xf ")
        .nth(style + 1)
        .unwrap();
    assert!(xf.contains("quotePrefix=\"1\""), "{xf}");
    // The community is a row of its street's subtree, after it.
    let codes: Vec<String> = cov.data().iter().map(|r| text(&r[0])).collect();
    assert_eq!(&codes[..2], ["530112001000", "530112001001"]);
    assert_eq!(text(cov.get("530112001001", "parent")), "530112001000");
    assert_eq!(number(cov.get("530112001000", "community covered")), 1.0);
}

#[test]
fn money_a_spreadsheet_cannot_show_to_the_fen_is_refused_not_rounded() {
    let (tmp, dir) = store();
    let csv = tmp.path().join("budget.csv");
    // 20 trillion yuan: 16 significant digits of fen, one more than a spreadsheet shows.
    std::fs::write(
        &csv,
        "id,date,unit,kind,amount\n,2021-01-01,530112001000,allocation,20000000000000.01\n",
    )
    .unwrap();
    ok(&dir, &["import", "budget", csv.to_str().unwrap()]);
    let file = tmp.path().join("big.xlsx");
    let out = shegong(&dir, &["report", "--format", "xlsx", "-o", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("20,000,001,700,000.01"), "{err}");
    assert!(err.contains("no workbook was written"), "{err}");
    assert!(!file.exists());
    // The JSON report still gives the exact amount in fen.
    let r = report_json(&dir, &[]);
    assert_eq!(r["funding"]["allocated_fen"], 2_000_000_170_000_001i64);
}

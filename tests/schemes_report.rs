//! The per-indicator rollup (issue 15) against a hand computation: a scheme of 20 indicators
//! in 5 groups imported, 60 stations evaluated by file (some twice: only the latest counts,
//! some leaving indicators out), then `report --format json` and the workbook's indicator
//! sheets (read back with calamine) compared with sums, means and the lowest stations worked
//! out here with plain loops and exact integers.

mod common;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::shegong;
use serde_json::Value;
use std::io::Cursor;
use std::path::Path;

const GROUPS: [&str; 5] = ["场所", "人员", "制度", "服务", "档案"];
const STATIONS: usize = 60;
const INDICATORS: usize = 20;

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = shegong(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn station(s: usize) -> String {
    format!("530112{:03}000", s + 1)
}

fn code(k: usize) -> String {
    format!("{}{}", ["P", "S", "R", "V", "F"][k / 4], k % 4 + 1)
}

/// Indicator k's maximum, in tenths: 4 or 6 points, 100 in all.
fn max(k: usize) -> u64 {
    if k.is_multiple_of(2) {
        40
    } else {
        60
    }
}

/// The latest evaluation's points of station s for indicator k, in tenths (`None`: left out).
fn points(s: usize, k: usize) -> Option<u64> {
    if (s + k).is_multiple_of(13) {
        return None;
    }
    Some(((s * 7 + k * 3) as u64) % (max(k) + 1))
}

fn setup(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("store");
    ok(&dir, &["init", "--empty"]);
    let mut units =
        String::from("code,parent,level,name,station,opened_on\n530112000000,,district,西山区,operating,2021\n");
    for s in 0..STATIONS {
        units.push_str(&format!(
            "{},530112000000,street,站{:02},operating,2021\n",
            station(s),
            s + 1
        ));
    }
    let file = tmp.join("units.csv");
    std::fs::write(&file, units).unwrap();
    ok(&dir, &["import", "units", file.to_str().unwrap()]);
    let mut scheme = String::from("方案,指标编码,指标名称,维度,满分\n");
    for k in 0..INDICATORS {
        scheme.push_str(&format!(
            "示例方案,{},指标{},{},{}\n",
            code(k),
            k + 1,
            GROUPS[k / 4],
            max(k) / 10
        ));
    }
    let file = tmp.join("scheme.csv");
    std::fs::write(&file, scheme).unwrap();
    let said = ok(&dir, &["import", "schemes", file.to_str().unwrap()]);
    assert!(said.contains("(20 indicators)"), "{said}");
    // Ten stations first (an earlier evaluation of all-full points that the latest replaces),
    // then fifty; then the latest of the ten.
    let header = {
        let mut h = String::from("unit,date,kind,scheme");
        for k in 0..INDICATORS {
            h.push(',');
            h.push_str(&code(k));
        }
        h.push('\n');
        h
    };
    let row = |s: usize, date: &str, full: bool| {
        let mut r = format!("{},{date},annual,示例方案", station(s));
        for k in 0..INDICATORS {
            r.push(',');
            let p = if full { Some(max(k)) } else { points(s, k) };
            if let Some(p) = p {
                r.push_str(&format!("{}.{}", p / 10, p % 10));
            }
        }
        r.push('\n');
        r
    };
    let mut early = header.clone();
    for s in 0..10 {
        early.push_str(&row(s, "2021-06-01", true));
    }
    let mut fifty = header.clone();
    for s in 10..STATIONS {
        fifty.push_str(&row(s, "2022-06-01", false));
    }
    let mut ten = header;
    for s in 0..10 {
        ten.push_str(&row(s, "2022-06-01", false));
    }
    for (name, text) in [("early.csv", early), ("fifty.csv", fifty), ("ten.csv", ten)] {
        let file = tmp.join(name);
        std::fs::write(&file, text).unwrap();
        ok(&dir, &["import", "evaluations", file.to_str().unwrap()]);
    }
    dir
}

/// The hand computation: per indicator (given, sum); per group the stations' (points, max).
struct Hand {
    given: Vec<u64>,
    sum: Vec<u64>,
    lowest: Vec<Vec<(String, u64, u64)>>,
}

fn hand() -> Hand {
    let mut given = vec![0u64; INDICATORS];
    let mut sum = vec![0u64; INDICATORS];
    let mut lowest = Vec::new();
    for g in 0..5 {
        let mut shares: Vec<(String, u64, u64)> = Vec::new();
        for s in 0..STATIONS {
            let (mut p, mut m, mut any) = (0, 0, false);
            for k in g * 4..g * 4 + 4 {
                if let Some(x) = points(s, k) {
                    p += x;
                    m += max(k);
                    any = true;
                }
            }
            if any {
                shares.push((station(s), p, m));
            }
        }
        // Lowest share first, exactly (p1/m1 < p2/m2 ⇔ p1·m2 < p2·m1), then by code.
        shares.sort_by(|a, b| (a.1 * b.2).cmp(&(b.1 * a.2)).then(a.0.cmp(&b.0)));
        shares.truncate(3);
        lowest.push(shares);
    }
    for s in 0..STATIONS {
        for k in 0..INDICATORS {
            if let Some(p) = points(s, k) {
                given[k] += 1;
                sum[k] += p;
            }
        }
    }
    Hand { given, sum, lowest }
}

#[test]
fn the_report_and_the_workbook_agree_with_a_hand_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = setup(tmp.path());
    let h = hand();
    let json: Value = serde_json::from_str(&ok(
        &dir,
        &["report", "--format", "json", "--as-of", "2022-12-31", "--depth", "0"],
    ))
    .unwrap();
    let schemes = json["indicators"].as_array().unwrap();
    assert_eq!(schemes.len(), 1);
    let s = &schemes[0];
    assert_eq!(s["scheme"], "示例方案");
    assert_eq!(s["stations"], 60);
    let indicators = s["indicators"].as_array().unwrap();
    assert_eq!(indicators.len(), INDICATORS);
    for k in 0..INDICATORS {
        let i = &indicators[k];
        assert_eq!(i["code"], code(k).as_str());
        assert_eq!(i["group"], GROUPS[k / 4]);
        assert_eq!(i["given"], h.given[k], "{k}");
        assert_eq!(i["points_sum"].as_f64().unwrap(), h.sum[k] as f64 / 10.0, "{k}");
        // Mean points in hundredths and mean share in basis points, truncated.
        let hundredths = h.sum[k] * 10 / h.given[k];
        assert_eq!(i["mean_points"].as_f64().unwrap(), hundredths as f64 / 100.0, "{k}");
        let bp = h.sum[k] * 10_000 / (h.given[k] * max(k));
        assert_eq!(i["mean_share"].as_f64().unwrap(), bp as f64 / 10_000.0, "{k}");
    }
    let groups = s["lowest_by_group"].as_array().unwrap();
    for g in 0..5 {
        assert_eq!(groups[g]["group"], GROUPS[g]);
        let listed: Vec<(String, f64, f64)> = groups[g]["lowest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["code"].as_str().unwrap().to_string(),
                    l["points"].as_f64().unwrap(),
                    l["max_points"].as_f64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, f64, f64)> = h.lowest[g]
            .iter()
            .map(|(c, p, m)| (c.clone(), *p as f64 / 10.0, *m as f64 / 10.0))
            .collect();
        assert_eq!(listed, expected, "group {}", GROUPS[g]);
    }
    // Before the latest evaluations, only the ten early ones count (all full marks).
    let early: Value = serde_json::from_str(&ok(
        &dir,
        &["report", "--format", "json", "--as-of", "2021-12-31", "--depth", "0"],
    ))
    .unwrap();
    assert_eq!(early["indicators"][0]["stations"], 10);
    assert_eq!(early["indicators"][0]["indicators"][0]["mean_share"], 1.0);

    // The workbook: the indicator sheet says the same, read back with calamine.
    let book = tmp.path().join("r.xlsx");
    ok(
        &dir,
        &[
            "--lang",
            "en",
            "report",
            "--format",
            "xlsx",
            "--as-of",
            "2022-12-31",
            "-o",
            book.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&book).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert!(names.contains(&"Indicators".to_string()), "{names:?}");
    assert!(names.contains(&"Lowest by group".to_string()), "{names:?}");
    let range = wb.worksheet_range("Indicators").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("Scheme".into())))
        .expect("a header row");
    for k in 0..INDICATORS {
        let r = rows[header + 1 + k];
        assert_eq!(r[2], Data::String(code(k)));
        assert_eq!(r[5], Data::Float(h.given[k] as f64), "{k}");
        let bp = h.sum[k] * 10_000 / (h.given[k] * max(k));
        assert_eq!(r[7], Data::Float(bp as f64 / 10_000.0), "{k}");
    }
    let range = wb.worksheet_range("Lowest by group").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("Scheme".into())))
        .expect("a header row");
    assert_eq!(rows[header + 1][3], Data::String(h.lowest[0][0].0.clone()));
    // The evaluations sheet: one mean-share column per indicator, a row per child.
    let range = wb.worksheet_range("Evaluations").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.iter().any(|c| c == &Data::String("示例方案 P1 mean share".into())))
        .expect("the indicator columns");
    let column = rows[header]
        .iter()
        .position(|c| c == &Data::String("示例方案 P1 mean share".into()))
        .unwrap();
    // Each child's subtree is its own station: its share of P1 (the first left it out).
    assert_eq!(points(0, 0), None);
    assert_eq!(rows[header + 1][column], Data::Empty);
    let p = points(1, 0).unwrap();
    assert_eq!(
        rows[header + 2][column],
        Data::Float((p * 10_000 / max(0)) as f64 / 10_000.0)
    );
}

/// The report's JSON with the per-indicator rollup in it, written straight from the nodes
/// (`report_json`, issue 14), is `report::to_json`'s byte for byte, at each depth and date.
#[test]
fn the_json_with_indicators_is_to_jsons_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = setup(tmp.path());
    let registry = shegong::registry::Registry::open(&dir, true).unwrap();
    for day in ["2021-12-31", "2022-12-31"] {
        let as_of: chrono::NaiveDate = day.parse().unwrap();
        for depth in 0..=1 {
            let node = shegong::report::build(&registry, None, as_of, depth).unwrap();
            assert!(!node.indicators.is_empty(), "no indicators as of {day}");
            let want = serde_json::to_string_pretty(&shegong::report::to_json(&node)).unwrap() + "\n";
            let mut got = Vec::new();
            shegong::report_json::write(&node, &mut got).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), want, "as of {day}, depth {depth}");
        }
    }
}

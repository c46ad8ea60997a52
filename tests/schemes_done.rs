//! Issue 15's "done when", as written: a scheme of 20 indicators in 5 groups is imported, the
//! ten Xishan streets are evaluated through the evaluation form (key by key: the station
//! found in the tree, `v`, the scheme chosen, each indicator's points typed, saved) and fifty
//! communities' stations (added by a units file) by an evaluations file in the wide form;
//! then the per-indicator tab (what it holds and what it draws) and `report --format json`'s
//! `indicators` are compared with a hand computation made here from the points typed and
//! filed, with plain loops over exact tenths (not with `shegong::indicators`).

mod common;
mod tui_support;

use chrono::NaiveDate;
use common::{ok, wait_until_closed};
use serde_json::Value;
use shegong::i18n::Lang;
use shegong::registry::Registry;
use shegong::tui::details::{Content, Tab};
use shegong::tui::App;
use std::path::Path;
use tui_support::{keys, screen, type_text};

const SCHEME: &str = "达标评估（测试方案）";
/// The groups, each with its indicators' maxima in whole points: 20 indicators, 100 points.
const GROUPS: [(&str, &[u16]); 5] = [
    ("场所", &[10, 5, 5, 4, 6]),
    ("人员", &[8, 4, 4, 4]),
    ("制度", &[5, 5, 5, 5]),
    ("服务", &[6, 6, 4, 4]),
    ("档案", &[3, 2, 5]),
];
const STREETS: [(&str, &str); 10] = [
    ("530112001000", "西苑街道"),
    ("530112002000", "马街街道"),
    ("530112003000", "金碧街道"),
    ("530112004000", "永昌街道"),
    ("530112005000", "前卫街道"),
    ("530112006000", "福海街道"),
    ("530112007000", "棕树营街道"),
    ("530112008000", "碧鸡街道"),
    ("530112009000", "海口街道"),
    ("530112010000", "团结街道"),
];
/// The day the form's evaluations are made (the form's date is today's).
const FORM_DAY: (i32, u32, u32) = (2021, 11, 30);
/// The day of the evaluations by file, and the day the view and the report are read.
const FILE_DAY: &str = "2021-12-15";
const AS_OF: &str = "2021-12-31";

/// One indicator: (code, group, max in tenths), in the scheme's order.
fn indicators() -> Vec<(String, &'static str, u64)> {
    let mut out = Vec::new();
    for (g, (group, maxima)) in GROUPS.iter().enumerate() {
        for (i, max) in maxima.iter().enumerate() {
            out.push((
                format!("{}{}", ["A", "B", "C", "D", "E"][g], i + 1),
                *group,
                u64::from(*max) * 10,
            ));
        }
    }
    out
}

fn indicator_name(code: &str) -> String {
    format!("指标{code}")
}

/// The text typed into station s's form for indicator k: "" (not given), whole or one decimal.
fn typed(s: usize, k: usize, max: u64) -> String {
    if (s + k) % 7 == 3 {
        return String::new();
    }
    let t = (s as u64 * 37 + k as u64 * 11 + 3) % (max + 1);
    if t.is_multiple_of(10) {
        (t / 10).to_string()
    } else {
        format!("{}.{}", t / 10, t % 10)
    }
}

/// The cell of community c's row for indicator k, in the same shapes.
fn filed(c: usize, k: usize, max: u64) -> String {
    if (c * 3 + k) % 11 == 5 {
        return String::new();
    }
    let t = (c as u64 * 53 + k as u64 * 29 + 7) % (max + 1);
    format!("{}.{}", t / 10, t % 10)
}

/// Points as a person reads them: `4.5` → 45 tenths, `4` → 40; "" → not given.
fn tenths_of(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    let (whole, tenth) = text.split_once('.').unwrap_or((text, "0"));
    Some(whole.parse::<u64>().expect("whole points") * 10 + tenth.parse::<u64>().expect("a tenth"))
}

/// Community c (0..50): the street it is in, its code and name.
fn community(c: usize) -> (String, String) {
    let (street, name) = STREETS[c / 5];
    let code = format!("{}{:03}", &street[..9], c % 5 + 1);
    (code, format!("{}第{}社区", name.trim_end_matches("街道"), c % 5 + 1))
}

/// Every station's points: (code, name, per indicator tenths or not given).
fn all_points() -> Vec<(String, String, Vec<Option<u64>>)> {
    let ind = indicators();
    let mut out = Vec::new();
    for (s, (code, name)) in STREETS.iter().enumerate() {
        let p = ind
            .iter()
            .enumerate()
            .map(|(k, i)| tenths_of(&typed(s, k, i.2)))
            .collect();
        out.push((code.to_string(), name.to_string(), p));
    }
    for c in 0..50 {
        let (code, name) = community(c);
        let p = ind
            .iter()
            .enumerate()
            .map(|(k, i)| tenths_of(&filed(c, k, i.2)))
            .collect();
        out.push((code, name, p));
    }
    out
}

/// The hand computation.
struct Hand {
    /// Per indicator: how many gave it and the sum of their tenths.
    given: Vec<u64>,
    sum: Vec<u64>,
    /// Per group: how many stations gave any of it, and the lowest three (code, name, points,
    /// max), lowest share first, ties by code.
    stations: Vec<u64>,
    lowest: Vec<Vec<(String, String, u64, u64)>>,
}

fn hand() -> Hand {
    let ind = indicators();
    let all = all_points();
    let mut given = vec![0u64; ind.len()];
    let mut sum = vec![0u64; ind.len()];
    for (_, _, points) in &all {
        for (k, p) in points.iter().enumerate() {
            if let Some(p) = p {
                given[k] += 1;
                sum[k] += p;
            }
        }
    }
    let mut stations = Vec::new();
    let mut lowest = Vec::new();
    for (group, _) in GROUPS {
        let mut shares: Vec<(String, String, u64, u64)> = Vec::new();
        for (code, name, points) in &all {
            let (mut p, mut m, mut any) = (0, 0, false);
            for (k, i) in ind.iter().enumerate() {
                if let (true, Some(x)) = (i.1 == group, points[k]) {
                    p += x;
                    m += i.2;
                    any = true;
                }
            }
            if any {
                shares.push((code.clone(), name.clone(), p, m));
            }
        }
        stations.push(shares.len() as u64);
        // p1/m1 < p2/m2 exactly when p1·m2 < p2·m1.
        shares.sort_by(|a, b| (a.2 * b.3).cmp(&(b.2 * a.3)).then(a.0.cmp(&b.0)));
        shares.truncate(3);
        lowest.push(shares);
    }
    Hand {
        given,
        sum,
        stations,
        lowest,
    }
}

/// Basis points of a share, truncated, written as the report and the tab write them.
fn percent(bp: u64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

fn open(dir: &Path) -> Registry {
    for _ in 0..100 {
        match Registry::open(dir, false) {
            Ok(store) => return store,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
    panic!("the store did not open");
}

/// The store: Xishan, the fifty communities with stations, the scheme; all by the binary.
fn setup(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("store");
    ok(&dir, &["init"]);
    let mut units = String::from("code,parent,level,name,station,opened_on\n");
    for c in 0..50 {
        let (code, name) = community(c);
        units.push_str(&format!(
            "{code},{},community,{name},operating,2021\n",
            STREETS[c / 5].0
        ));
    }
    let file = tmp.join("communities.csv");
    std::fs::write(&file, units).expect("written");
    ok(&dir, &["import", "units", file.to_str().expect("a path")]);
    let mut scheme = String::from("方案,指标编码,指标名称,维度,满分\n");
    for (code, group, max) in indicators() {
        scheme.push_str(&format!(
            "{SCHEME},{code},{},{group},{}\n",
            indicator_name(&code),
            max / 10
        ));
    }
    let file = tmp.join("scheme.csv");
    std::fs::write(&file, scheme).expect("written");
    let said = ok(&dir, &["import", "schemes", file.to_str().expect("a path")]);
    assert!(said.contains("(20 indicators)"), "{said}");
    dir
}

/// The ten streets through the form, as a user types them.
fn evaluate_through_the_form(dir: &Path) {
    let today = NaiveDate::from_ymd_opt(FORM_DAY.0, FORM_DAY.1, FORM_DAY.2).expect("a date");
    let mut app = App::new(open(dir), Lang::Zh, today).expect("the UI starts");
    let ind = indicators();
    for (s, (code, name)) in STREETS.iter().enumerate() {
        keys(&mut app, &["/"]);
        type_text(&mut app, code);
        keys(&mut app, &["Enter"]);
        assert_eq!(
            app.selected_unit().map(|u| u.code.as_str()),
            Some(*code),
            "{name} selected"
        );
        keys(&mut app, &["v"]);
        let form = app.form.as_ref().expect("the evaluation form opens");
        let at = form
            .fields
            .iter()
            .position(|f| f.name == "scheme")
            .expect("a Scheme field");
        for _ in 0..at {
            keys(&mut app, &["Tab"]);
        }
        // The one scheme stored, chosen; then to its first indicator.
        keys(&mut app, &["Right", "Tab"]);
        for (k, i) in ind.iter().enumerate() {
            let form = app.form.as_ref().expect("the form is open");
            assert_eq!(
                form.focused().map(|f| f.key.as_str()),
                Some(i.0.as_str()),
                "{name} {}",
                i.0
            );
            type_text(&mut app, &typed(s, k, i.2));
            keys(&mut app, &["Tab"]);
        }
        screen(&mut app, 80, 24);
        keys(&mut app, &["Enter"]);
        assert!(app.form.is_none(), "{name} saved: {:?}", app.status);
    }
    drop(app);
    wait_until_closed(dir);
}

/// The fifty communities by one file in the wide form (the score given: the sum).
fn evaluate_by_file(tmp: &Path, dir: &Path) {
    let ind = indicators();
    let mut csv = String::from("unit,date,kind,evaluator,scheme,score");
    for i in &ind {
        csv.push(',');
        csv.push_str(&i.0);
    }
    csv.push('\n');
    for c in 0..50 {
        let cells: Vec<String> = ind.iter().enumerate().map(|(k, i)| filed(c, k, i.2)).collect();
        let sum: u64 = cells.iter().filter_map(|t| tenths_of(t)).sum();
        csv.push_str(&format!(
            "{},{FILE_DAY},midterm,第三方,{SCHEME},{}.{},{}\n",
            community(c).0,
            sum / 10,
            sum % 10,
            cells.join(",")
        ));
    }
    let file = tmp.join("evaluations.csv");
    std::fs::write(&file, csv).expect("written");
    ok(dir, &["import", "evaluations", file.to_str().expect("a path")]);
}

#[test]
fn the_view_and_the_report_agree_with_a_hand_computation() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = setup(tmp.path());
    evaluate_through_the_form(&dir);
    evaluate_by_file(tmp.path(), &dir);
    let h = hand();
    let ind = indicators();
    assert_eq!(ind.len(), 20);
    assert!(h.given.iter().all(|g| *g > 0), "every indicator given by someone");

    // The report.
    let json: Value = serde_json::from_str(&ok(
        &dir,
        &["report", "--format", "json", "--as-of", AS_OF, "--depth", "0"],
    ))
    .expect("JSON");
    let schemes = json["indicators"].as_array().expect("the rollup");
    assert_eq!(schemes.len(), 1);
    let s = &schemes[0];
    assert_eq!(s["scheme"], SCHEME);
    assert_eq!(s["stations"], 60);
    let listed = s["indicators"].as_array().expect("indicators");
    assert_eq!(listed.len(), 20);
    for (k, (code, group, max)) in ind.iter().enumerate() {
        let i = &listed[k];
        assert_eq!(i["code"], code.as_str());
        assert_eq!(i["name"], indicator_name(code));
        assert_eq!(i["group"], *group);
        assert_eq!(i["max_points"].as_f64(), Some(*max as f64 / 10.0));
        assert_eq!(i["given"], h.given[k], "{code}");
        assert_eq!(i["points_sum"].as_f64(), Some(h.sum[k] as f64 / 10.0), "{code}");
        let hundredths = h.sum[k] * 10 / h.given[k];
        assert_eq!(i["mean_points"].as_f64(), Some(hundredths as f64 / 100.0), "{code}");
        let bp = h.sum[k] * 10_000 / (h.given[k] * max);
        assert_eq!(i["mean_share"].as_f64(), Some(bp as f64 / 10_000.0), "{code}");
    }
    let groups = s["lowest_by_group"].as_array().expect("groups");
    assert_eq!(groups.len(), 5);
    for (g, (group, _)) in GROUPS.iter().enumerate() {
        assert_eq!(groups[g]["group"], *group);
        assert_eq!(groups[g]["stations"], h.stations[g], "{group}");
        let got: Vec<(String, String, f64, f64, f64)> = groups[g]["lowest"]
            .as_array()
            .expect("lowest")
            .iter()
            .map(|l| {
                (
                    l["code"].as_str().unwrap_or_default().to_string(),
                    l["name"].as_str().unwrap_or_default().to_string(),
                    l["points"].as_f64().unwrap_or(-1.0),
                    l["max_points"].as_f64().unwrap_or(-1.0),
                    l["share"].as_f64().unwrap_or(-1.0),
                )
            })
            .collect();
        let want: Vec<(String, String, f64, f64, f64)> = h.lowest[g]
            .iter()
            .map(|(c, n, p, m)| {
                (
                    c.clone(),
                    n.clone(),
                    *p as f64 / 10.0,
                    *m as f64 / 10.0,
                    (p * 10_000 / m) as f64 / 10_000.0,
                )
            })
            .collect();
        assert_eq!(got, want, "group {group}");
    }

    // The per-indicator tab of the district, as of the same day.
    let as_of = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("a date");
    let mut app = App::new(open(&dir), Lang::En, as_of).expect("the UI starts");
    while app.details.tab != Tab::Indicators {
        keys(&mut app, &["Tab"]);
    }
    let text = screen(&mut app, 160, 120);
    let loaded = app.details.loaded.as_ref().expect("the tab is read");
    let Content::Indicators { rollups, .. } = &loaded.content else {
        panic!("the per-indicator tab holds the rollup");
    };
    assert_eq!(rollups.len(), 1);
    let r = &rollups[0];
    assert_eq!((r.scheme.as_str(), r.stations), (SCHEME, 60));
    for (k, (code, _, max)) in ind.iter().enumerate() {
        let f = &r.indicators[k];
        assert_eq!((&f.code, f.given, f.sum_tenths), (code, h.given[k], h.sum[k]));
        assert_eq!(u64::from(f.max_points), *max);
    }
    for (g, (group, _)) in GROUPS.iter().enumerate() {
        let got: Vec<(String, String, u64, u64)> = r.groups[g]
            .lowest
            .iter()
            .map(|l| (l.code.clone(), l.name.clone(), l.points_tenths, l.max_tenths))
            .collect();
        assert_eq!((r.groups[g].group.as_str(), got), (*group, h.lowest[g].clone()));
    }
    // What it draws: each indicator's mean share beside its name, then the lowest stations
    // in order with theirs.
    assert!(text.contains("latest evaluations of 60 stations"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    for (k, (code, _, max)) in ind.iter().enumerate() {
        let share = percent(h.sum[k] * 10_000 / (h.given[k] * max));
        let name = indicator_name(code);
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&name) && l.contains(&format!(" {share}"))),
            "{name} {share}\n{text}"
        );
    }
    let mut at = 0;
    for group in &h.lowest {
        for (_, name, p, m) in group {
            let figure = format!("{} ({}/{})", percent(p * 10_000 / m), tenths(*p), tenths(*m));
            let found = lines[at..]
                .iter()
                .position(|l| l.contains(name.as_str()) && l.contains(&figure))
                .unwrap_or_else(|| panic!("{name} {figure} after line {at}\n{text}"));
            at += found + 1;
        }
    }
}

/// Tenths as the screen writes them: `8`, `12.5`.
fn tenths(t: u64) -> String {
    if t.is_multiple_of(10) {
        (t / 10).to_string()
    } else {
        format!("{}.{}", t / 10, t % 10)
    }
}

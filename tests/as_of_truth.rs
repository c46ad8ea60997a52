//! Every report shows the as-of date's truth (issue 10): each unit's own station as it stood on
//! the date, and a value the source does not give is "not stated", never 0 — in the report,
//! in exports, and across the upgrade of a schema-2 store (issue 11 item 6).

mod interchange_support;
use interchange_support::*;

const XISHAN: &str = "530112000000";

/// The `station.on_date` of each child of the district, as of `as_of`.
fn streets_on(env: &Env, as_of: &str) -> Vec<(String, String)> {
    let r = env.report_at(as_of, Some(XISHAN));
    r["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["station"]["on_date"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn xishan_as_of_2020_12_31_has_five_streets_covered_and_five_not_yet() {
    let env = Env::xishan();
    let streets = streets_on(&env, "2020-12-31");
    assert_eq!(streets.len(), 10);
    let covered = streets.iter().filter(|(_, s)| s == "covered").count();
    let not_yet = streets.iter().filter(|(_, s)| s == "not_yet").count();
    assert_eq!((covered, not_yet), (5, 5), "{streets:?}");
    let r = env.report_at("2020-12-31", Some(XISHAN));
    assert_eq!(r["station"]["status"], "operating");
    assert_eq!(r["station"]["opened_on"], "2021-05-30");
    assert_eq!(r["station"]["closed_on"], serde_json::Value::Null);
    assert_eq!(r["station"]["on_date"], "not_yet");
    // The same store on the hub's day: all covered.
    assert!(streets_on(&env, "2021-05-30").iter().all(|(_, s)| s == "covered"));

    // The table says the same: no street row claims 运营 as of 2020-12-31.
    let zh = env.run_lang("zh", &["report", "--as-of", "2020-12-31"]);
    let zh = stdout(&zh);
    assert!(zh.contains("本级站点（截至 2020-12-31）：未建"), "{zh}");
    let rows: Vec<&str> = zh
        .lines()
        .filter(|l| l.contains("街道 ") && l.contains(" 5301120"))
        .collect();
    assert_eq!(rows.len(), 10, "{zh}");
    assert_eq!(rows.iter().filter(|l| l.contains(" 运营 ")).count(), 5, "{zh}");
    assert_eq!(rows.iter().filter(|l| l.contains(" 未建 ")).count(), 5, "{zh}");
    let en = env.ok(&["report", "--as-of", "2020-12-31"]);
    // Words for a reader: "not yet" (the JSON above keeps the token `not_yet`).
    assert!(en.contains("Own station on 2020-12-31: not yet"), "{en}");
    let rows: Vec<&str> = en.lines().filter(|l| l.contains("  5301120")).collect();
    assert_eq!(rows.len(), 10, "{en}");
    assert!(!rows.iter().any(|l| l.contains("operating")), "{en}");
}

#[test]
fn a_closed_station_is_closed_only_from_its_closing_date() {
    let env = Env::empty();
    env.import_ok(
        "units",
        "u.csv",
        "code,parent,level,name,station,opened_on,closed_on\n\
         D,,district,区,none,,\n\
         S,D,street,街,closed,2020-03-01,2021-06-30\n\
         P,D,street,筹,planned,,\n",
    );
    let on = |d: &str| {
        let r = env.report_at(d, Some("D"));
        let kids = r["children"].as_array().unwrap().clone();
        let of = |code: &str| {
            let kid = kids.iter().find(|k| k["code"] == code).unwrap();
            kid["station"]["on_date"].as_str().unwrap().to_string()
        };
        (of("S"), of("P"), r["station"]["on_date"].as_str().unwrap().to_string())
    };
    assert_eq!(on("2020-02-29"), ("not_yet".into(), "planned".into(), "none".into()));
    assert_eq!(on("2021-06-29"), ("covered".into(), "planned".into(), "none".into()));
    assert_eq!(on("2021-06-30"), ("closed".into(), "planned".into(), "none".into()));
    let r = env.report_at("2021-06-30", Some("S"));
    assert_eq!(r["station"]["closed_on"], "2021-06-30");
}

#[test]
fn unstated_staff_counts_stay_empty_and_a_stated_0_stays_0() {
    let env = Env::empty();
    env.import_ok(
        "units",
        "u.csv",
        "code,parent,level,name,station,opened_on,social_workers,certified_workers\n\
         D,,district,区,none,,,\n\
         A,D,street,甲,none,,0,0\n\
         B,D,street,乙,none,,4,\n",
    );
    let units = env.export_json("units");
    let by = |code: &str| units.iter().find(|u| field(u, "code") == code).unwrap().clone();
    assert_eq!(field(&by("D"), "social_workers"), "");
    assert_eq!(field(&by("D"), "certified_workers"), "");
    assert_eq!(field(&by("A"), "social_workers"), "0");
    assert_eq!(field(&by("B"), "social_workers"), "4");
    assert_eq!(field(&by("B"), "certified_workers"), "");
    let csv = env.ok(&["export", "units"]);
    let d = csv.lines().find(|l| l.starts_with("D,")).unwrap();
    assert!(!d.contains(",0"), "{d}");
}

#[test]
fn training_totals_are_not_stated_until_a_training_gives_them() {
    let env = Env::xishan();
    let r = env.report_at("2021-11-09", None);
    let t = &r["trainings"];
    assert_eq!(t["count"], 15);
    assert_eq!(t["hours"], serde_json::Value::Null, "{t}");
    assert_eq!(t["attendees"], serde_json::Value::Null, "{t}");
    assert_eq!(t["hours_given"], 0);
    assert_eq!(t["attendees_given"], 0);
    let table = stdout(&env.run_lang("zh", &["report", "--as-of", "2021-11-09"]));
    assert!(
        table.contains("课时未注明") && table.contains("参训人数未注明"),
        "{table}"
    );
    let en = env.ok(&["report", "--as-of", "2021-11-09"]);
    assert!(
        en.contains("hours not stated") && en.contains("attendees not stated"),
        "{en}"
    );

    env.import_ok(
        "trainings",
        "t.csv",
        "date,host,kind,hours,attendees\n2021-11-01,530112000000,class,2.5,\n",
    );
    let r = env.report_at("2021-11-09", None);
    let t = &r["trainings"];
    assert_eq!(t["hours"], 2.5);
    assert_eq!(t["hours_given"], 1);
    assert_eq!(t["attendees"], serde_json::Value::Null);
    let table = stdout(&env.run_lang("zh", &["report", "--as-of", "2021-11-09"]));
    assert!(table.contains("课时 2.5（1 次给出）"), "{table}");
}

/// Rewrites every unit of a store in its schema-2 layout (staff counts as plain numbers, an
/// unstated one as 0) and marks the store schema 2, as a store of the last version was.
fn make_schema_2(env: &Env) {
    use bincode::Options;
    use shegong::store::codec::legacy::{UnitRowV1, UnitV1};
    use shegong::store::codec::{Stored, UnitRow};
    {
        let db = sled::open(env.dir.join("sled")).unwrap();
        let units = db.open_tree("units").unwrap();
        for item in units.iter() {
            let (k, v) = item.unwrap();
            let row = UnitRow::decode(&v).unwrap();
            let u = row.unit;
            let old = UnitRowV1 {
                idx: row.idx,
                parent_idx: row.parent_idx,
                first_evaluation: row.first_evaluation,
                unit: UnitV1 {
                    code: u.code,
                    parent: u.parent,
                    level: u.level,
                    name: u.name,
                    station: u.station,
                    opened_on: u.opened_on,
                    closed_on: u.closed_on,
                    operator: u.operator,
                    address: u.address,
                    contact: u.contact,
                    phone: u.phone,
                    note: u.note,
                    social_workers: u.social_workers.unwrap_or(0),
                    certified_workers: u.certified_workers.unwrap_or(0),
                },
            };
            let mut bytes = vec![1u8];
            bytes.extend(bincode::DefaultOptions::new().serialize(&old).unwrap());
            units.insert(k, bytes).unwrap();
        }
        // Schema-2 totals had no counts of trainings that state hours: drop them all.
        db.open_tree("totals").unwrap().clear().unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &2u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    // sled lets go of its files a moment after the handle is dropped.
    for _ in 0..100 {
        if sled::open(env.dir.join("sled")).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_schema_2_store_upgrades_its_zeros_to_not_stated() {
    let env = Env::xishan();
    env.import_ok(
        "units",
        "u.csv",
        "code,parent,level,name,station,social_workers,certified_workers\n\
         X,530112000000,street,新街,none,4,0\n",
    );
    env.import_ok(
        "trainings",
        "t.csv",
        "date,host,kind,hours,attendees\n2021-11-01,530112000000,class,2.5,\n",
    );
    let before = env.report_at("2021-11-09", None);
    make_schema_2(&env);
    let out = env.run(&["report", "--format", "json", "--as-of", "2021-11-09", "--depth", "9"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "upgraded from format version 2 to {}",
            shegong::store::SCHEMA_VERSION
        )),
        "{}",
        stderr(&out)
    );
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after, before);
    assert_eq!(after["trainings"]["hours_given"], 1);
    env.ok(&["check"]);
    // The Xishan units stated no staff: empty, not 0. A stated 4 is kept; the 0 beside it
    // could have been an empty cell in schema 2 and becomes "not stated".
    let units = env.export_json("units");
    for u in &units {
        let code = field(u, "code");
        if code == "X" {
            assert_eq!(field(u, "social_workers"), "4");
            assert_eq!(field(u, "certified_workers"), "");
        } else {
            assert_eq!(field(u, "social_workers"), "", "{code}");
            assert_eq!(field(u, "certified_workers"), "", "{code}");
        }
    }
}

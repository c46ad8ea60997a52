//! The report's JSON written straight from its nodes (`report_json`, issue 14) is the JSON of
//! the `serde_json::Value` that `report::to_json` builds, byte for byte: on the Xishan data at
//! depths 0, 1 and 2, today and at past dates (`tests/schemes_report.rs` holds the same with
//! the per-indicator rollup in it). The CLI prints those bytes.

mod common;

use chrono::NaiveDate;
use common::{shegong, wait_until_closed};
use shegong::registry::Registry;

/// `report::to_json`'s bytes as the CLI printed them before `report_json`.
fn through_value(node: &shegong::report::ReportNode) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(&shegong::report::to_json(node)).expect("JSON");
    text.push('\n');
    text.into_bytes()
}

fn written(node: &shegong::report::ReportNode) -> Vec<u8> {
    let mut out = Vec::new();
    shegong::report_json::write(node, &mut out).expect("written");
    out
}

#[test]
fn the_json_written_from_the_nodes_is_to_jsons_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("store");
    common::ok(&dir, &["init"]);
    let today = chrono::Local::now().date_naive();
    let dates = [
        None,
        NaiveDate::from_ymd_opt(2021, 11, 9),
        NaiveDate::from_ymd_opt(2022, 6, 15),
        NaiveDate::from_ymd_opt(2020, 1, 1),
    ];
    let mut compared = 0;
    let mut expected = Vec::new();
    {
        let registry = Registry::open(&dir, true).expect("opened");
        for as_of in dates {
            for depth in 0..=2 {
                for code in [None, Some("530112000000"), Some("530112001000")] {
                    let Ok(node) = shegong::report::build(&registry, code, as_of.unwrap_or(today), depth) else {
                        continue;
                    };
                    let (want, got) = (through_value(&node), written(&node));
                    assert!(
                        want == got,
                        "{code:?} as of {as_of:?}, depth {depth}:\n{}\n---\n{}",
                        String::from_utf8_lossy(&want),
                        String::from_utf8_lossy(&got)
                    );
                    compared += 1;
                }
            }
        }
        // What the CLI must print (its date is today unless given), read before it runs.
        for (as_of, depth) in [(None, 1), (Some("2021-11-09"), 2)] {
            let day = as_of.map_or(today, |d: &str| d.parse().expect("a date"));
            let node = shegong::report::build(&registry, None, day, depth).expect("report");
            expected.push((as_of, depth, through_value(&node)));
        }
    }
    wait_until_closed(&dir);
    for (as_of, depth, want) in expected {
        let depth_text = depth.to_string();
        let mut args = vec!["report", "--format", "json", "--depth", &depth_text];
        if let Some(day) = as_of {
            args.extend(["--as-of", day]);
        }
        let out = shegong(&dir, &args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout == want, "the CLI's JSON differs: {args:?}");
    }
    assert!(compared >= 24, "only {compared} reports compared");
}

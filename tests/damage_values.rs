//! Damage that sled's checksums cannot see: values inside the store changed through sled
//! itself (as a bug, an older program or a hand edit would), then the real binary run on it.
//! Garbage is refused in words; a total that decodes but is wrong is what `shegong check`
//! exists for, and it must say so; nothing panics or hangs.

mod common;

use common::*;
use std::path::Path;
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn xishan() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    (tmp, dir)
}

/// Changes the store through sled directly, while no shegong runs.
fn edit(dir: &Path, change: impl FnOnce(&sled::Db)) {
    {
        let db = sled::open(dir.join("sled")).unwrap();
        change(&db);
        db.flush().unwrap();
    }
    wait_until_closed(dir);
}

fn first(db: &sled::Db, tree: &str) -> (sled::IVec, sled::IVec) {
    db.open_tree(tree).unwrap().iter().next().unwrap().unwrap()
}

fn put(db: &sled::Db, tree: &str, key: &[u8], value: &[u8]) {
    db.open_tree(tree).unwrap().insert(key, value).unwrap();
}

/// No panic, and a failure is a message in words with exit 1.
fn judged(out: &Output) -> (bool, String) {
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked") && out.status.code().is_some_and(|c| c != 101),
        "panic: {stderr}"
    );
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("damaged") || stderr.contains("Check failed"),
            "not a clear message: {stderr}"
        );
        assert!(
            stderr.contains("Check failed") || stderr.trim().lines().count() == 1,
            "a damage message is one line: {stderr}"
        );
        assert!(!stderr.contains("bincode"), "bincode's words reach the user: {stderr}");
    }
    (out.status.success(), stderr)
}

/// The report, judged; with exit 0, its JSON (to compare with the undamaged store's).
fn report(dir: &Path) -> (bool, String) {
    let out = shegong(
        dir,
        &["report", "--as-of", "2021-11-09", "--format", "json", "--depth", "1"],
    );
    let (passed, _) = judged(&out);
    (passed, text(&out.stdout))
}

fn check(dir: &Path) -> (bool, String) {
    judged(&shegong(dir, &["check"]))
}

const GARBAGE: &[u8] = &[1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x13];

#[test]
fn a_wrong_total_is_found_by_check() {
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--as-of", "2021-11-09"]);
    // The district's 2021 bucket gets the bytes of another unit's bucket: valid, but wrong.
    edit(&dir, |db| {
        let buckets = db.open_tree("buckets").unwrap();
        let all: Vec<_> = buckets.iter().map(|i| i.unwrap()).collect();
        let (district_key, district) = all.iter().max_by_key(|(_, v)| v.len()).unwrap().clone();
        let other = all.iter().find(|(_, v)| *v != district).unwrap().1.clone();
        buckets.insert(district_key, other).unwrap();
    });
    // The report cannot know (it reads the stored totals); check must.
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on a wrong total");
    assert!(stderr.contains("totals differ"), "{stderr}");
    assert_ne!(
        report_json(&dir, &["--as-of", "2021-11-09"]),
        before,
        "the edit changed nothing"
    );
}

#[test]
fn a_missing_or_extra_bucket_is_found_by_check() {
    let (_tmp, dir) = xishan();
    // The first bucket removed, and a copy of the last one under a year nothing happened in.
    edit(&dir, |db| {
        let buckets = db.open_tree("buckets").unwrap();
        let (first_key, _) = first(db, "buckets");
        let (last_key, last) = buckets.iter().next_back().unwrap().unwrap();
        buckets.remove(first_key).unwrap();
        let mut extra = last_key.to_vec();
        let len = extra.len();
        extra[len - 2..].copy_from_slice(&2999u16.to_be_bytes());
        buckets.insert(extra, last).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed with a bucket missing and one too many");
    assert!(stderr.contains("totals missing"), "{stderr}");
    assert!(stderr.contains("totals without records"), "{stderr}");
}

/// The largest year total of any bucket, encoded as a total kept with a parent is: valid bytes
/// of a total, the wrong ones for any child.
fn largest_year_total(db: &sled::Db) -> Vec<u8> {
    use shegong::store::codec::{bucket_total, encode_total};
    let buckets = db.open_tree("buckets").unwrap();
    let (_, largest) = buckets
        .iter()
        .map(|i| i.unwrap())
        .map(|(k, v)| (k, encode_total(&bucket_total(&v).unwrap()).unwrap()))
        .max_by_key(|(_, v)| v.len())
        .unwrap();
    largest
}

#[test]
fn a_wrong_year_total_is_found_by_check() {
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--as-of", "2021-12-31"]);
    // Whole years are read from the totals at the head of the buckets (schema 9): give the
    // largest bucket the bytes of another.
    edit(&dir, |db| {
        let buckets = db.open_tree("buckets").unwrap();
        let all: Vec<_> = buckets.iter().map(|i| i.unwrap()).collect();
        let (key, largest) = all.iter().max_by_key(|(_, v)| v.len()).unwrap().clone();
        let other = all.iter().find(|(_, v)| *v != largest).unwrap().1.clone();
        buckets.insert(key, other).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on a wrong year total");
    assert!(stderr.contains("differ"), "{stderr}");
    assert_ne!(
        report_json(&dir, &["--as-of", "2021-12-31"]),
        before,
        "the edit changed nothing"
    );
}

/// Each unit's total kept with its parent (`child_totals`, what the report's children read
/// today): one made wrong, one removed, one added for a unit that is not a child, and the
/// latest day of the events moved before the last event: check finds each.
#[test]
fn a_wrong_total_kept_with_a_parent_is_found_by_check() {
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &[]);
    edit(&dir, |db| {
        // A street's total gets the bytes of the district's largest year total: valid, wrong.
        let largest = largest_year_total(db);
        let (key, _) = first(db, "child_totals");
        put(db, "child_totals", &key, &largest);
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on a wrong total kept with a parent");
    assert!(stderr.contains("total kept with its parent differs"), "{stderr}");
    // Today's report reads their packed copy (`kid_totals`, schema 7), which no longer agrees.
    assert!(
        stderr.contains("children's totals kept with the unit differ"),
        "{stderr}"
    );
    assert_eq!(report_json(&dir, &[]), before, "the packed copy was not what changed");

    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        let kept = db.open_tree("child_totals").unwrap();
        let (key, value) = first(db, "child_totals");
        kept.remove(&key).unwrap();
        let mut stray = key.to_vec();
        stray[4..].copy_from_slice(&0x00FF_FFFFu32.to_be_bytes());
        kept.insert(stray, value).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed with a kept total missing and one too many");
    assert_eq!(
        stderr.matches("total kept with its parent differs").count(),
        2,
        "{stderr}"
    );

    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        // Day numbers are stored with their sign bit flipped: this is long before any event.
        put(db, "meta", b"latest_day", &0x8000_0001u32.to_be_bytes());
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed with the latest day before the last event");
    assert!(stderr.contains("latest day of the events differs"), "{stderr}");
}

/// Each unit's children kept with it (`kids`, schema 6: what the tree, the report's children
/// and the funding chart read): one made another's (valid, wrong), one removed, one garbage,
/// one kept for a unit without children: check names each.
#[test]
fn wrong_children_kept_with_a_unit_are_found_by_check() {
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--depth", "1"]);
    let largest_two = |db: &sled::Db| {
        let mut all: Vec<_> = db.open_tree("kids").unwrap().iter().map(|i| i.unwrap()).collect();
        all.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        (all[0].clone(), all[1].clone())
    };
    edit(&dir, |db| {
        let ((key, _), (_, other)) = largest_two(db);
        put(db, "kids", &key, &other);
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on wrong children kept with a unit");
    assert!(stderr.contains("children kept with the unit differ"), "{stderr}");
    assert_ne!(
        report_json(&dir, &["--depth", "1"]),
        before,
        "the report's children do not read the kept children"
    );

    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        let ((first_key, _), (second_key, _)) = largest_two(db);
        let kids = db.open_tree("kids").unwrap();
        kids.remove(&first_key).unwrap();
        kids.insert(&second_key, &b"\x01garbage"[..]).unwrap();
        kids.insert(&0x00FF_FFFFu32.to_be_bytes()[..], &b"\x01"[..]).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed with children kept missing, damaged and astray");
    for what in [
        "children kept with the unit are missing",
        "children kept with the unit are damaged",
        "children kept with a unit that has none",
    ] {
        assert!(stderr.contains(what), "{what}: {stderr}");
    }
}

/// Each unit's children's totals packed with it (`kid_totals`, schema 7: what the report's
/// children and the funding chart read): a child's total made wrong (valid bytes), a value
/// removed, garbage, one kept for a unit without children:
/// check names each, and the report reads them.
#[test]
fn wrong_childrens_totals_packed_with_a_unit_are_found_by_check() {
    use shegong::store::codec::{KidTotals, Stored};
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--depth", "1"]);
    edit(&dir, |db| {
        // A child's packed total gets the bytes of the largest year total: valid, wrong.
        let largest = largest_year_total(db);
        let (key, value) = first(db, "kid_totals");
        let mut packed = KidTotals::decode(&value).unwrap();
        assert_ne!(packed.totals[0].1, largest.to_vec());
        packed.totals[0].1 = largest.to_vec();
        put(db, "kid_totals", &key, &packed.encode().unwrap());
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on wrong children's totals packed with a unit");
    assert!(
        stderr.contains("children's totals kept with the unit differ"),
        "{stderr}"
    );
    assert_ne!(
        report_json(&dir, &["--depth", "1"]),
        before,
        "the report's children do not read the packed totals"
    );

    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        let (key, _) = first(db, "kid_totals");
        let tree = db.open_tree("kid_totals").unwrap();
        tree.remove(&key).unwrap();
        tree.insert(&0x00FF_FFFFu32.to_be_bytes()[..], &b"\x01"[..]).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed with children's totals missing and astray");
    for what in [
        "children's totals kept with the unit are missing",
        "children's totals kept with a unit that has none",
    ] {
        assert!(stderr.contains(what), "{what}: {stderr}");
    }

    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        let (key, _) = first(db, "kid_totals");
        put(db, "kid_totals", &key, b"\x01garbage");
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed with damaged children's totals");
    assert!(
        stderr.contains("children's totals kept with the unit are damaged"),
        "{stderr}"
    );
}

/// A process killed while a large write packed the children's totals again (its undo log and
/// the mark `kid_totals_stale` left on disk, the values half changed): the next open rolls the
/// write back and packs every value again; check passes and the report is as before.
#[test]
fn childrens_totals_left_half_packed_by_a_kill_are_packed_again_on_open() {
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--depth", "1"]);
    edit(&dir, |db| {
        let tree = db.open_tree("kid_totals").unwrap();
        let (key, _) = tree.iter().next().unwrap().unwrap();
        tree.insert(&key, &b"\x01garbage"[..]).unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("pending", &[1u8][..]).unwrap();
        meta.insert("kid_totals_stale", &[1u8][..]).unwrap();
    });
    assert_eq!(report_json(&dir, &["--depth", "1"]), before);
    let (passed, stderr) = check(&dir);
    assert!(passed, "{stderr}");
    edit(&dir, |db| {
        let meta = db.open_tree("meta").unwrap();
        assert!(!meta.contains_key("kid_totals_stale").unwrap(), "the mark stays");
    });
}

#[test]
fn garbage_values_are_refused_in_words() {
    type Change = fn(&sled::Db);
    let cases: [(&str, Change); 10] = [
        ("a bucket", |db| {
            let (k, _) = first(db, "buckets");
            put(db, "buckets", &k, GARBAGE);
        }),
        ("a bucket of an unknown version", |db| {
            let (k, v) = first(db, "buckets");
            let mut v = v.to_vec();
            v[0] = 9;
            put(db, "buckets", &k, &v);
        }),
        ("a year total left by schema 8", |db| {
            let (k, _) = first(db, "buckets");
            put(db, "totals", &k, GARBAGE);
        }),
        ("a unit", |db| {
            let (k, _) = first(db, "units");
            put(db, "units", &k, GARBAGE);
        }),
        ("an empty unit", |db| {
            let (k, _) = first(db, "units");
            put(db, "units", &k, b"");
        }),
        ("a record page", |db| {
            let (k, _) = first(db, "evaluations");
            put(db, "evaluations", &k, GARBAGE);
        }),
        ("a record inside a page", |db| {
            // The page decodes; the record bytes inside it do not.
            let (k, v) = first(db, "budget");
            let mut v = v.to_vec();
            let n = v.len();
            for b in &mut v[n - 8..] {
                *b = 0xFF;
            }
            put(db, "budget", &k, &v);
        }),
        ("a total kept with a parent", |db| {
            let (k, _) = first(db, "child_totals");
            put(db, "child_totals", &k, GARBAGE);
        }),
        ("the schema version removed", |db| {
            db.open_tree("meta").unwrap().remove("schema").unwrap();
        }),
        ("an unfinished write with a garbage undo log", |db| {
            put(db, "pending", &0u32.to_be_bytes(), GARBAGE);
            put(db, "meta", b"pending", &[1]);
        }),
    ];
    let mut refused = Vec::new();
    let undamaged = {
        let (_tmp, dir) = xishan();
        report(&dir).1
    };
    for (name, change) in cases {
        let (_tmp, dir) = xishan();
        edit(&dir, change);
        let (report_ok, figures) = report(&dir);
        // A report that does not read the damaged value must still show the right figures.
        assert!(!report_ok || figures == undamaged, "{name}: other figures with exit 0");
        let (check_ok, stderr) = check(&dir);
        assert!(!check_ok, "{name}: check passed on a damaged store");
        let export = shegong(&dir, &["export", "budget"]);
        judged(&export);
        refused.push(format!(
            "{name}: report {}, check: {}",
            report_ok,
            stderr.lines().next().unwrap_or("")
        ));
    }
    eprintln!("{}", refused.join("\n"));
}

#[test]
fn an_unfinished_write_with_an_empty_log_is_rolled_back_and_the_store_is_whole() {
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]);
    edit(&dir, |db| {
        // A write that had logged nothing yet; its totals half rebuilt (one bucket gone).
        put(db, "meta", b"pending", &[1]);
        let (k, _) = first(db, "buckets");
        db.open_tree("buckets").unwrap().remove(k).unwrap();
    });
    // Read-only cannot roll back: it says so.
    let out = shegong(&dir, &["--readonly", "report"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("without --readonly"),
        "{}",
        text(&out.stderr)
    );
    // The next writable open rolls back and rebuilds every total.
    assert!(check(&dir).0);
    assert_eq!(report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]), before);
}

#[test]
fn a_unit_that_is_its_own_parent_is_refused_not_looped_on() {
    use shegong::store::codec::{Stored, UnitRow};
    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        let units = db.open_tree("units").unwrap();
        let (k, v) = units.iter().nth(3).unwrap().unwrap();
        let mut row = UnitRow::decode(&v).unwrap();
        row.parent_idx = Some(row.idx);
        units.insert(k, row.encode().unwrap()).unwrap();
    });
    let (check_ok, _) = check(&dir);
    assert!(!check_ok, "check passed on a hierarchy with a cycle");
    for unit in ["530112000000", "530112003000"] {
        judged(&shegong(&dir, &["report", "--unit", unit]));
    }
}

/// `check` also reads the hierarchy (a unit not deeper than its parent, whose rollups would skip
/// its children) and each unit's first evaluation, which reports count stations by; the
/// mutation run (docs/TESTING.md) found no test that damaged either.
#[test]
fn a_level_not_below_its_parent_and_a_wrong_first_evaluation_are_found_by_check() {
    use shegong::domain::Level;
    use shegong::store::codec::{Stored, UnitRow};
    let (_tmp, dir) = xishan();
    assert!(check(&dir).0, "the undamaged store passes");
    edit(&dir, |db| {
        let units = db.open_tree("units").unwrap();
        let rows: Vec<_> = units.iter().map(|i| i.unwrap()).collect();
        let (k, v) = rows
            .iter()
            .find(|(_, v)| UnitRow::decode(v).unwrap().parent_idx.is_some())
            .unwrap();
        let mut row = UnitRow::decode(v).unwrap();
        row.unit.level = Level::Province;
        units.insert(k, row.encode().unwrap()).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on a unit made a province below its parent");
    assert!(
        stderr.contains("its level (province) is not deeper than its parent's"),
        "{stderr}"
    );

    let (_tmp, dir) = xishan();
    edit(&dir, |db| {
        let units = db.open_tree("units").unwrap();
        let rows: Vec<_> = units.iter().map(|i| i.unwrap()).collect();
        let (k, v) = rows.last().unwrap();
        let mut row = UnitRow::decode(v).unwrap();
        // A day before its first evaluation, or one when it has none.
        row.first_evaluation = Some(row.first_evaluation.map_or(0, |d| d - 1));
        units.insert(k, row.encode().unwrap()).unwrap();
    });
    let (passed, stderr) = check(&dir);
    assert!(!passed, "check passed on a wrong first evaluation");
    assert!(stderr.contains("first evaluation differs"), "{stderr}");
}

/// Rolling back an unfinished write rebuilds every total and puts each unit's first
/// evaluation back as the records say; the mutation run (docs/TESTING.md) found that a rebuild
/// which left a wrong first evaluation in place went unseen.
#[test]
fn a_rollback_puts_back_a_wrong_first_evaluation() {
    use shegong::store::codec::{Stored, UnitRow};
    let (_tmp, dir) = xishan();
    let before = report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]);
    edit(&dir, |db| {
        put(db, "meta", b"pending", &[1]);
        let units = db.open_tree("units").unwrap();
        let rows: Vec<_> = units.iter().map(|i| i.unwrap()).collect();
        let (k, v) = rows.last().unwrap();
        let mut row = UnitRow::decode(v).unwrap();
        row.first_evaluation = Some(row.first_evaluation.map_or(0, |d| d - 1));
        units.insert(k, row.encode().unwrap()).unwrap();
    });
    // The writable open rolls back and rebuilds; nothing is left for check to find.
    let (passed, stderr) = check(&dir);
    assert!(passed, "{stderr}");
    assert_eq!(report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]), before);
}

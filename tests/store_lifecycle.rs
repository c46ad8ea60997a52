//! The store across processes and versions: reopening keeps everything, a newer schema is
//! refused in words, an older one is backed up and upgraded, a second process gets exit code 3, --readonly refuses writes.

mod common;
use common::*;
use shegong::store::{Store, StoreError};

#[test]
fn reopening_keeps_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let before = report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]);
    let store = Store::open(&dir, true).unwrap();
    assert_eq!(store.counts().unwrap(), [11, 10, 15, 1]);
    drop(store);
    let after = report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]);
    assert_eq!(before, after);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    {
        let db = sled::open(dir.join("sled")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &99u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    // sled's flusher thread can hold sled's own file lock a moment after the handle above is
    // dropped (seen under load, as an I/O error "WouldBlock"): give it up to 5 s before taking
    // another answer as the store's.
    let mut opened = Store::open(&dir, false);
    for _ in 0..50 {
        if matches!(opened, Err(StoreError::NewerSchema { .. })) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        opened = Store::open(&dir, false);
    }
    match opened {
        Err(StoreError::NewerSchema { found: 99, .. }) => {}
        other => panic!("expected a newer-schema refusal, got {:?}", other.map(|_| ())),
    }
    let out = shegong(&dir, &["report"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("format version 99"));
}

#[test]
fn an_older_schema_is_backed_up_then_upgraded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let as_of = ["--as-of", "2021-11-09", "--depth", "1"];
    let before = report_json(&dir, &as_of);

    // The step is needed: the same damage under the current schema number gives wrong figures.
    make_store_without_totals(&dir, shegong::store::SCHEMA_VERSION);
    assert_ne!(
        report_json(&dir, &as_of),
        before,
        "a store without year totals reports wrong figures"
    );
    make_store_without_totals(&dir, 1);

    // --readonly may not upgrade: refused in words, nothing written, no backup made.
    let out = shegong(&dir, &["--readonly", "report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("format version 1") && err.contains("without --readonly"),
        "{err}"
    );
    assert!(!dir.join("backups").exists());

    // Opened normally: backed up, upgraded, said so, and the figures are right again.
    let out = shegong(
        &dir,
        &["report", "--format", "json", "--as-of", "2021-11-09", "--depth", "1"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("upgraded from format version 1 to"), "{err}");
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after, before);
    ok(&dir, &["check"]);
    let backups: Vec<_> = std::fs::read_dir(dir.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = backups[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("pre-upgrade-v1-to-v") && name.ends_with(".sgbak"),
        "{name}"
    );

    // The second open has nothing to upgrade and makes no second backup.
    let out = shegong(&dir, &["report"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("upgraded"));
    assert_eq!(std::fs::read_dir(dir.join("backups")).unwrap().count(), 1);

    // The backup made before the upgrade restores the same figures.
    let restored = tmp.path().join("restored");
    ok(&restored, &["restore", backups[0].to_str().unwrap()]);
    assert_eq!(report_json(&restored, &as_of), before);
}

/// Makes a store look as schema 3 wrote it: no totals kept with the parents, no latest day.
fn make_schema_3(dir: &std::path::Path, schema: u32) {
    {
        let db = sled::open(dir.join("sled")).expect("sled opens");
        db.open_tree("child_totals").unwrap().clear().unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.remove("latest_day").unwrap();
        meta.insert("schema", &schema.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    wait_until_closed(dir);
}

/// Schema 4 keeps each unit's total over every year with its parent (what today's report of a
/// unit's children reads): a schema 3 store is backed up, then gains them, and check passes.
#[test]
fn a_schema_3_store_gains_the_totals_kept_with_parents() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let today = ["--depth", "1"];
    let before = report_json(&dir, &today);
    // The step is needed: under the current schema number, check finds them missing.
    make_schema_3(&dir, shegong::store::SCHEMA_VERSION);
    let out = shegong(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(1), "check passed without the kept totals");
    make_schema_3(&dir, 3);
    upgraded_once(&dir, 3, &today, &before);
}

/// The first command on a store of schema `from` upgrades it, saying so, after one backup; the
/// report (`args`) is what it was before, and check passes.
fn upgraded_once(dir: &std::path::Path, from: u32, args: &[&str], before: &serde_json::Value) {
    let mut report = vec!["report", "--format", "json"];
    report.extend_from_slice(args);
    let out = shegong(dir, &report);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("upgraded from format version {from} to")),
        "{err}"
    );
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(&after, before);
    ok(dir, &["check"]);
    let backups: Vec<_> = std::fs::read_dir(dir.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = format!("pre-upgrade-v{from}-to-v{}", shegong::store::SCHEMA_VERSION);
    assert!(backups[0].starts_with(&name), "{backups:?}");
}

/// A store as schema `from` wrote it, without `tree` (which schema `from + 1` added): under
/// the current schema number check finds the tree's values `missing` (so the step is needed);
/// under `from` it is backed up, then gains them, with the same report, and check passes.
fn gains_tree_from(from: u32, tree: &str, missing: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let today = ["--depth", "2"];
    let before = report_json(&dir, &today);
    make_store_without_tree(&dir, tree, shegong::store::SCHEMA_VERSION);
    let out = shegong(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(1), "check passed without the tree {tree}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(missing), "{err}");
    make_store_without_tree(&dir, tree, from);
    upgraded_once(&dir, from, &today, &before);
}

/// Schema 6 keeps each unit's children (their units and newest evaluations) with it, which the
/// tree, the report's children and the funding chart read.
#[test]
fn a_schema_5_store_gains_the_children_kept_with_each_unit() {
    gains_tree_from(5, "kids", "children kept with the unit are missing");
}

/// Schema 7 packs each unit's children's totals in one value with it, which the report's
/// children and the funding chart read.
#[test]
fn a_schema_6_store_gains_the_childrens_totals_packed_with_each_unit() {
    gains_tree_from(6, "kid_totals", "children's totals kept with the unit are missing");
}

/// Schema 8 keeps the code's substrings of 4 and 6 digits in the find index, in a family apart
/// from the spelling's: a schema 7 store's index (here: none at all) is rebuilt.
#[test]
fn a_schema_7_store_gains_the_find_index_of_long_code_grams() {
    gains_tree_from(7, "find", "find index misses a unit");
}

/// Makes a store look as schema 8 wrote it: each bucket's year total kept apart as well, in
/// the `totals` tree (the bucket's head, encoded as a total alone), and `schema` as the meta
/// value.
fn make_schema_8(dir: &std::path::Path, schema: u32) {
    use shegong::store::codec::{bucket_total, encode_total};
    {
        let db = sled::open(dir.join("sled")).expect("sled opens");
        let totals = db.open_tree("totals").unwrap();
        for item in db.open_tree("buckets").unwrap().iter() {
            let (k, v) = item.unwrap();
            totals
                .insert(k, encode_total(&bucket_total(&v).unwrap()).unwrap())
                .unwrap();
        }
        assert!(!totals.is_empty());
        stamp_schema(&db, schema);
    }
    wait_until_closed(dir);
}

/// Schema 9 reads a year's total from the head of its bucket and keeps it nowhere else (issue
/// 14: a value fewer per bucket an import writes): a schema 8 store is backed up, its `totals`
/// tree emptied, with the same reports (today's and a past date's), and check passes.
#[test]
fn a_schema_8_store_loses_the_year_totals_kept_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let past = ["--as-of", "2021-11-09", "--depth", "2"];
    let before = report_json(&dir, &past);
    // The step is needed: under the current schema number, check finds them left.
    make_schema_8(&dir, shegong::store::SCHEMA_VERSION);
    let out = shegong(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(1), "check passed with the old year totals left");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("year totals of an older schema are left"), "{err}");
    make_schema_8(&dir, 8);
    upgraded_once(&dir, 8, &past, &before);
    let db = sled::open(dir.join("sled")).expect("sled opens");
    assert!(db.open_tree("totals").unwrap().is_empty(), "the old year totals stay");
}

#[test]
fn a_lost_sled_conf_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let before = report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]);
    std::fs::remove_file(dir.join("sled").join("conf")).unwrap();
    // Not "no store, run init": the data in sled/db is read, and sled writes its settings again.
    assert_eq!(report_json(&dir, &["--as-of", "2021-11-09", "--depth", "1"]), before);
    ok(&dir, &["check"]);
    let out = shegong(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(1), "init must not write over the data");
}

#[test]
fn a_second_process_gets_exit_three_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let held = Store::open(&dir, false).unwrap();
    let out = shegong(&dir, &["report"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another shegong process"), "{err}");
    drop(held);
    ok(&dir, &["report"]);
}

#[test]
fn readonly_refuses_writes_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let file = tmp.path().join("b.csv");
    std::fs::write(&file, "date,unit,kind,amount\n2021-12-01,530112000000,allocation,2万\n").unwrap();
    let out = shegong(&dir, &["--readonly", "import", "budget", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "--readonly refusals exit 4 (SPEC.md)");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Read-only"));
    let r = report_json(&dir, &["--as-of", "2021-12-31"]);
    assert_eq!(r["funding"]["allocated_fen"], 170_000_000);
    ok(&dir, &["import", "budget", file.to_str().unwrap()]);
    let r = report_json(&dir, &["--as-of", "2021-12-31"]);
    assert_eq!(r["funding"]["allocated_fen"], 172_000_000);
}

#[test]
fn init_refuses_a_store_with_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let out = shegong(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(Store::open(&dir, true).unwrap().counts().unwrap(), [11, 10, 15, 1]);
}

#[cfg(unix)]
#[test]
fn the_store_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init", "--empty"]);
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[cfg(unix)]
#[test]
fn every_file_of_the_store_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            if path.is_dir() {
                assert_eq!(mode, 0o700, "{}", path.display());
                stack.push(path);
            } else {
                assert_eq!(mode, 0o600, "{}", path.display());
            }
        }
    }
}

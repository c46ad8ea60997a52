//! The shared server's bulk paths (issue 13): many units added through staging
//! (`pg/unit_stage.rs`), and migration 6's statement-level check that a record's unit exists
//! (`0006_unit_check.sql`), which replaced the foreign keys: what they guaranteed still holds
//! (no record of a missing unit, no unit deleted or renamed under its records, not even by a
//! deletion racing an import), `check` says so if a record ever lost its unit, and a database
//! made by migrations 1–5 is upgraded in place.

#[allow(dead_code)]
mod pg_support;
#[allow(dead_code)]
mod skip;

use pg_support::{Cluster, Login};
use shegong::interchange::{import_file, ImportError, Kind};
use shegong::pg::backend::PgStorage;
use shegong::pg::migrate;
use shegong::registry::Registry;
use std::sync::Arc;

/// The file's shared cluster; `None` after its skip was said.
fn cluster() -> Option<Arc<Cluster>> {
    Cluster::shared()
}

/// A client of `db` as `login`, over the cluster's socket.
fn client(cluster: &Cluster, login: &Login, db: &str) -> postgres::Client {
    let mut config = postgres::Config::new();
    config
        .host_path(cluster.root())
        .port(5432)
        .user(&login.name)
        .password(&login.password)
        .dbname(db);
    config.connect(postgres::NoTls).expect("connected")
}

/// A new database of every migration, and the program's registry on it as its owner.
fn registry(cluster: &Cluster, db: &str) -> (Registry, Login) {
    let owner = Login::new(&format!("{db}_owner"));
    cluster.create_database(db, &owner);
    let storage = PgStorage::new(client(cluster, &owner, db), format!("{db}@socket")).expect("the backend");
    (Registry::over(Box::new(storage)), owner)
}

/// A city, 5 districts and 8 streets under each (46 units: over `BULK_FROM`), children listed
/// before their parents (the import orders them), and `extra` rows after.
fn units_file(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let mut text = String::from("code,parent,level,name\n");
    for d in 1..=5 {
        for s in 1..=8 {
            text.push_str(&format!("99000{d}00{s}000,99000{d}000000,street,街道{d}{s}\n"));
        }
        text.push_str(&format!("99000{d}000000,990000000000,district,区{d}\n"));
    }
    text.push_str("990000000000,,city,市\n");
    text.push_str(extra);
    let path = dir.join("units.csv");
    std::fs::write(&path, text).expect("written");
    path
}

#[test]
fn many_units_go_in_by_level_with_their_paths() {
    let Some(cluster) = cluster() else { return };
    let (registry, owner) = registry(&cluster, "bulk_units");
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = units_file(dir.path(), "");
    let first = import_file(&registry, Kind::Units, &file).expect("imported");
    assert_eq!((first.added, first.updated), (46, 0));
    let paths = cluster.query(
        &owner,
        "bulk_units",
        "SELECT path::text FROM shegong.units WHERE code IN ('990000000000', '990003000000', '990003005000') ORDER BY code",
    );
    assert_eq!(
        paths.lines().collect::<Vec<_>>(),
        [
            "990000000000",
            "990000000000.990003000000",
            "990000000000.990003000000.990003005000"
        ]
    );
    // Journaled row by row as before, each unit once.
    let entries = cluster.query(
        &owner,
        "bulk_units",
        "SELECT count(*) FROM shegong.journal WHERE kind = 'unit'",
    );
    assert_eq!(entries.trim(), "46");
    // Again: nothing added.
    let again = import_file(&registry, Kind::Units, &file).expect("imported again");
    assert_eq!((again.added, again.updated, again.already_present), (0, 0, 46));
    assert!(registry.check().expect("checked").is_empty());
    // Undo takes the 46 back.
    registry.undo_last().expect("undone");
    let left = cluster.query(&owner, "bulk_units", "SELECT count(*) FROM shegong.units");
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_bulk_of_units_with_an_unknown_parent_stores_nothing() {
    let Some(cluster) = cluster() else { return };
    let (registry, owner) = registry(&cluster, "bulk_orphan");
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = units_file(dir.path(), "990009001000,990009000000,street,无主\n");
    match import_file(&registry, Kind::Units, &file) {
        Err(ImportError::Problems(_)) | Err(ImportError::Store(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    let left = cluster.query(&owner, "bulk_orphan", "SELECT count(*) FROM shegong.units");
    assert_eq!(left.trim(), "0");
}

const ONE_UNIT: &str = "INSERT INTO shegong.units (code, level, name, path) VALUES ('u1', 'district', 'one', ''), ('u2', 'district', 'two', '');";

fn budget_row(unit: &str, hash: &str) -> String {
    format!(
        "INSERT INTO shegong.budget (date, unit, kind, amount, content_hash) VALUES ('2021', '{unit}', 'allocation', 100, '\\x{hash}');"
    )
}

#[test]
fn a_record_needs_its_unit_and_a_unit_keeps_its_records() {
    let Some(cluster) = cluster() else { return };
    let (registry, owner) = registry(&cluster, "unit_check");
    cluster.run(&owner, "unit_check", ONE_UNIT);
    cluster.run(&owner, "unit_check", &budget_row("u1", "01"));
    let refused = |sql: &str, words: &str| {
        let out = cluster.psql(&owner, "unit_check", sql);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success() && err.contains(words), "{sql}: {err}");
    };
    refused(&budget_row("ghost", "02"), "unit ghost does not exist");
    refused(
        "UPDATE shegong.budget SET unit = 'ghost' WHERE unit = 'u1';",
        "unit ghost does not exist",
    );
    refused(
        "DELETE FROM shegong.units WHERE code = 'u1';",
        "unit u1 still has records",
    );
    refused(
        "UPDATE shegong.units SET code = 'u9' WHERE code = 'u1';",
        "unit u1 still has records",
    );
    refused(
        "BEGIN ISOLATION LEVEL REPEATABLE READ; DELETE FROM shegong.units WHERE code = 'u2'; COMMIT;",
        "READ COMMITTED",
    );
    // A unit without records still goes, and a record moves between units that exist.
    cluster.run(&owner, "unit_check", "DELETE FROM shegong.units WHERE code = 'u2';");
    assert!(registry.check().expect("checked").is_empty());
    // Should a record ever lose its unit (the owner turning the check off), `check` says so.
    cluster.run(
        &owner,
        "unit_check",
        &format!(
            "ALTER TABLE shegong.budget DISABLE TRIGGER budget_need_units_insert; {} \
             ALTER TABLE shegong.budget ENABLE TRIGGER budget_need_units_insert;",
            budget_row("ghost", "03")
        ),
    );
    let differences = registry.check().expect("checked");
    assert!(
        differences
            .iter()
            .any(|d| d.unit == "ghost" && d.what.contains("does not exist")),
        "{differences:?}"
    );
}

#[test]
fn a_deletion_racing_an_import_does_not_slip_past_it() {
    let Some(cluster) = cluster() else { return };
    let owner = Login::new("race_owner");
    cluster.create_database("race", &owner);
    cluster.run(&owner, "race", ONE_UNIT);
    // The import's transaction adds a record of u1 and stays open; the deletion of u1 waits
    // for it, then finds the record.
    let mut import = client(&cluster, &owner, "race");
    import.batch_execute("BEGIN").expect("began");
    import.batch_execute(&budget_row("u1", "01")).expect("added");
    let deleting = {
        let cluster = Arc::clone(&cluster);
        let owner = owner.clone();
        std::thread::spawn(move || {
            let mut other = client(&cluster, &owner, "race");
            other.batch_execute("DELETE FROM shegong.units WHERE code = 'u1'")
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!deleting.is_finished(), "the deletion waits for the import");
    import.batch_execute("COMMIT").expect("committed");
    let deleted = deleting.join().expect("the deleting thread");
    let err = deleted.expect_err("the deletion is refused");
    assert!(format!("{err:?}").contains("still has records"), "{err:?}");
    // The other way round: the deletion first, the import's check waits, then refuses.
    let mut deleter = client(&cluster, &owner, "race");
    deleter
        .batch_execute("BEGIN; DELETE FROM shegong.units WHERE code = 'u2'")
        .expect("deleted");
    let adding = {
        let cluster = Arc::clone(&cluster);
        let owner = owner.clone();
        std::thread::spawn(move || {
            let mut other = client(&cluster, &owner, "race");
            other.batch_execute(&budget_row("u2", "02"))
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));
    deleter.batch_execute("COMMIT").expect("committed");
    let added = adding.join().expect("the adding thread");
    let err = added.expect_err("the record is refused");
    assert!(format!("{err:?}").contains("unit u2 does not exist"), "{err:?}");
    let left = cluster.query(&owner, "race", "SELECT count(*) FROM shegong.budget WHERE unit = 'u2'");
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_database_of_migrations_one_to_five_is_upgraded_in_place() {
    let Some(cluster) = cluster() else { return };
    let owner = Login::new("upgrade_owner");
    cluster.create_login(&owner, "CREATEROLE");
    cluster.run(
        cluster.superuser(),
        "postgres",
        &format!("CREATE DATABASE upgrade OWNER \"{}\";", owner.name),
    );
    let mut old = client(&cluster, &owner, "upgrade");
    for (version, sql) in shegong::pg::MIGRATIONS.iter().take(5) {
        old.batch_execute(&format!("BEGIN; {sql}\nCOMMIT;"))
            .unwrap_or_else(|e| panic!("migration {version}: {e}"));
    }
    old.batch_execute(ONE_UNIT).expect("units");
    old.batch_execute(&budget_row("u1", "01")).expect("a record");
    assert_eq!(migrate::version(&mut old).expect("read"), Some(5));
    assert_eq!(migrate::apply(&mut old).expect("upgraded"), migrate::latest());
    let fks = cluster.query(
        &owner,
        "upgrade",
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN \
         ('shegong.budget'::regclass, 'shegong.evaluations'::regclass, 'shegong.trainings'::regclass)",
    );
    assert_eq!(fks.trim(), "0");
    let kept = cluster.query(&owner, "upgrade", "SELECT unit FROM shegong.budget");
    assert_eq!(kept.trim(), "u1");
    // Migration 8 made `budget` partitioned: the old rows are its main partition, and a row
    // added now is numbered after them (the identity goes on from the old one).
    cluster.run(&owner, "upgrade", &budget_row("u1", "03"));
    let numbered = cluster.query(
        &owner,
        "upgrade",
        "SELECT count(DISTINCT seq), count(*), min(tableoid::regclass::text), max(tableoid::regclass::text),
                (SELECT seq FROM shegong.budget WHERE content_hash = '\\x03') > (SELECT seq FROM shegong.budget WHERE content_hash = '\\x01')
           FROM shegong.budget",
    );
    assert_eq!(numbered.trim(), "2|2|shegong.budget_main|shegong.budget_main|t");
    let out = cluster.psql(&owner, "upgrade", &budget_row("ghost", "02"));
    assert!(!out.status.success(), "the upgraded schema checks a record's unit");
}

/// A budget file of `n` rows over the 40 streets of `units_file`, amounts from `from` on (each
/// row its own content), plus `extra` rows.
fn budget_file(dir: &std::path::Path, name: &str, from: usize, n: usize) -> std::path::PathBuf {
    let mut text = String::from("date,unit,kind,category,source,amount,voucher,note\n");
    for i in from..from + n {
        let (d, s) = (i % 5 + 1, i / 5 % 8 + 1);
        text.push_str(&format!(
            "2022-{:02},99000{d}00{s}000,allocation,operation,fiscal,{}.{:02},V{i},\n",
            i % 12 + 1,
            i / 100 + 1,
            i % 100
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}

fn partitions(cluster: &Cluster, owner: &Login, db: &str) -> String {
    cluster.query(
        owner,
        db,
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'shegong.budget'::regclass",
    )
}

#[test]
fn a_bulk_import_of_budget_rows_gets_a_partition_of_its_own() {
    let Some(cluster) = cluster() else { return };
    let (registry, owner) = registry(&cluster, "bulk_budget");
    let dir = tempfile::tempdir().expect("a temp dir");
    import_file(&registry, Kind::Units, &units_file(dir.path(), "")).expect("units");
    let sum = || {
        cluster.query(
            &owner,
            "bulk_budget",
            "SELECT count(*), sum(amount) FROM shegong.budget",
        )
    };
    // A few rows go into the main partition.
    let small = budget_file(dir.path(), "small.csv", 0, 50);
    assert_eq!(import_file(&registry, Kind::Budget, &small).expect("small").added, 50);
    assert_eq!(partitions(&cluster, &owner, "bulk_budget").trim(), "1");
    // 12,000 rows (the 50 among them): a partition of their own, the 50 left out.
    let big = budget_file(dir.path(), "big.csv", 0, 12_000);
    let first = import_file(&registry, Kind::Budget, &big).expect("big");
    assert_eq!((first.added, first.already_present), (11_950, 50));
    assert_eq!(partitions(&cluster, &owner, "bulk_budget").trim(), "2");
    // Numbered in the file's order (the voucher is the row's number).
    let ordered = cluster.query(
        &owner,
        "bulk_budget",
        "SELECT bool_and(later) FROM (SELECT seq > lag(seq) OVER (ORDER BY substr(voucher, 2)::int) AS later
           FROM shegong.budget WHERE part <> 0) o",
    );
    assert_eq!(ordered.trim(), "t");
    let after_first = sum();
    // Again: nothing added, no partition made; the small file again, nothing either.
    let again = import_file(&registry, Kind::Budget, &big).expect("again");
    assert_eq!((again.added, again.already_present), (0, 12_000));
    assert_eq!(
        import_file(&registry, Kind::Budget, &small).expect("small again").added,
        0
    );
    assert_eq!(partitions(&cluster, &owner, "bulk_budget").trim(), "2");
    assert_eq!(sum(), after_first);
    // Half stored, half new: the new half in a partition of its own.
    let half = budget_file(dir.path(), "half.csv", 6_000, 12_000);
    let third = import_file(&registry, Kind::Budget, &half).expect("half");
    assert_eq!((third.added, third.already_present), (6_000, 6_000));
    assert_eq!(partitions(&cluster, &owner, "bulk_budget").trim(), "3");
    assert!(registry.check().expect("checked").is_empty());
    // Journaled as one import each; undo takes the last one back whole.
    let imports = cluster.query(
        &owner,
        "bulk_budget",
        "SELECT count(*) FROM shegong.journal WHERE action = 'import'",
    );
    assert_eq!(imports.trim(), "2");
    registry.undo_last().expect("undone");
    assert_eq!(sum(), after_first);
    assert!(registry.check().expect("checked").is_empty());
    // Ids stay unique across partitions, seqs too.
    let dupes = cluster.query(
        &owner,
        "bulk_budget",
        "SELECT (SELECT count(*) - count(DISTINCT seq) FROM shegong.budget),
                (SELECT count(*) - count(DISTINCT (content_hash, occurrence)) FROM shegong.budget)",
    );
    assert_eq!(dupes.trim(), "0|0");
}

#[test]
fn a_bulk_import_refused_or_dropped_leaves_nothing() {
    let Some(cluster) = cluster() else { return };
    let (registry, owner) = registry(&cluster, "bulk_refused");
    let dir = tempfile::tempdir().expect("a temp dir");
    import_file(&registry, Kind::Units, &units_file(dir.path(), "")).expect("units");
    // A row of a unit that does not exist, at the end of 12,000: refused, nothing stored.
    let file = budget_file(dir.path(), "bad.csv", 0, 12_000);
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str("2022-01,990009009000,allocation,operation,fiscal,1.00,V,\n");
    std::fs::write(&file, text).expect("written");
    match import_file(&registry, Kind::Budget, &file) {
        Err(ImportError::Problems(_)) | Err(ImportError::Store(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    let left = cluster.query(&owner, "bulk_refused", "SELECT count(*) FROM shegong.budget");
    assert_eq!(left.trim(), "0");
    assert_eq!(partitions(&cluster, &owner, "bulk_refused").trim(), "1");
    // At the server: a partition made, then the transaction rolled back, leaves no table.
    let sql = "BEGIN;
         CREATE TEMP TABLE stage_budget (ord bigint, id text, date text, unit text, kind text, category text,
           source text, amount bigint, voucher text, note text, content_hash bytea, occurrence integer);
         INSERT INTO stage_budget VALUES (1, NULL, '2022', '990001001000', 'allocation', NULL, NULL, 100, '', '', '\\x01', 0);
         SELECT added FROM shegong.import_budget(pg_current_xact_id()::text::bigint);
         SELECT count(*) FROM shegong.budget;
         ROLLBACK;";
    let out = cluster.query(&owner, "bulk_refused", sql);
    assert_eq!(out.lines().collect::<Vec<_>>(), ["1", "1"], "{out}");
    assert_eq!(partitions(&cluster, &owner, "bulk_refused").trim(), "1");
    let tables = cluster.query(
        &owner,
        "bulk_refused",
        "SELECT count(*) FROM pg_class WHERE relname ~ '^budget_p[0-9]+$'",
    );
    assert_eq!(tables.trim(), "0");
    let left = cluster.query(&owner, "bulk_refused", "SELECT count(*) FROM shegong.budget");
    assert_eq!(left.trim(), "0");
}

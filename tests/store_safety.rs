//! The store never loses or mis-stores data (issue 11), through the real binary: a page that
//! would pass the size the store keeps is refused in words before anything is stored (it used
//! to be written empty, losing the page's earlier records); restore is all or nothing and
//! checks a backup's values as strictly as an import; `--readonly` refusals exit 4.

mod skip;

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The Xishan data: 11 units and 26 records, among them the district's 170万 allocation.
fn store() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    (tmp, dir)
}

const XISHAN: [usize; 4] = [11, 10, 15, 1];

fn counts(dir: &Path) -> [usize; 4] {
    let counts = shegong::store::Store::open(dir, true).unwrap().counts().unwrap();
    wait_until_closed(dir);
    counts
}

/// Refused with exit 1 in words, and the store as it was: counts, `check`, and the 170万
/// entry still exported.
fn assert_refused_and_intact(dir: &Path, out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{}", text(&out.stdout));
    assert!(stderr.contains("nothing from this file was stored"), "{stderr}");
    assert_eq!(counts(dir), XISHAN, "a refused file changed the store");
    ok(dir, &["check"]);
    let budget = ok(dir, &["export", "budget"]);
    assert!(budget.contains("1700000"), "the 170万 entry is gone:\n{budget}");
    stderr
}

/// One unit's records of one year are stored together, in one page. Rows at the text cap for
/// the district in 2021 (where the 170万 entry is) pass the page limit after about 4,200
/// rows: the import is refused, naming the row, and the page keeps what it had. Before, a
/// page past bincode's limit was written as an empty value and printed "… added".
#[test]
fn a_page_past_its_limit_is_refused_before_anything_is_stored() {
    let (tmp, dir) = store();
    let cap = shegong::domain::records::MAX_TEXT_CHARS;
    let voucher = "凭".repeat(cap);
    let note = "备".repeat(cap);
    let file = tmp.path().join("big.csv");
    let mut csv = String::from("date,unit,kind,amount,voucher,note\n");
    for i in 0..4_400 {
        csv.push_str(&format!(
            "2021-12-01,530112000000,allocation,{},{voucher},{note}\n",
            i + 1
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let out = shegong(&dir, &["import", "budget", file.to_str().unwrap()]);
    let stderr = assert_refused_and_intact(&dir, &out);
    assert!(
        stderr.contains("unit 530112000000's budget entries of 2021 pass 48 MB at this row"),
        "{stderr}"
    );
}

/// 70 rows with notes of 3.9 MB each (273 MB, past bincode's 256 MB limit for the page): the
/// page used to be stored empty and the import to exit 0. Now each note is refused where it is.
#[test]
fn seventy_notes_of_four_megabytes_are_refused_where_they_are() {
    let (tmp, dir) = store();
    let file = tmp.path().join("notes.csv");
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        out.write_all(b"date,unit,kind,amount,note\n").unwrap();
        let note = "备".repeat(1_300_000);
        for i in 0..70 {
            writeln!(out, "2021-12-01,530112000000,allocation,{},{note}", i + 1).unwrap();
        }
        out.flush().unwrap();
    }
    let out = shegong(&dir, &["import", "budget", file.to_str().unwrap()]);
    let stderr = assert_refused_and_intact(&dir, &out);
    assert!(
        stderr.contains("notes.csv:2: note: at most 2000 characters, has 1300000"),
        "{stderr}"
    );
}

/// A backup file as `shegong backup` writes it (format 1), of these items, with a right
/// checksum: what a crafted or buggy file looks like to `restore`.
fn craft_backup(path: &Path, units: &[shegong::domain::Unit], budget: &[shegong::domain::BudgetEntry]) {
    use bincode::Options;
    let codec = bincode::DefaultOptions::new();
    let mut out = Vec::new();
    out.extend_from_slice(shegong::backup::MAGIC);
    out.extend_from_slice(&1u32.to_le_bytes());
    let info = shegong::backup::BackupInfo {
        app_version: "0.1.0".into(),
        created_at: "2026-11-29T00:00:00+00:00".into(),
        store_schema: 2,
    };
    out.extend(codec.serialize(&info).unwrap());
    for u in units {
        out.push(1);
        out.extend(codec.serialize(u).unwrap());
    }
    for b in budget {
        out.push(4);
        out.extend(codec.serialize(b).unwrap());
    }
    out.push(0);
    let counts: [u64; 5] = [units.len() as u64, 0, 0, budget.len() as u64, 0];
    out.extend(codec.serialize(&counts).unwrap());
    let checksum = xxhash_rust::xxh3::xxh3_64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

fn district() -> shegong::domain::Unit {
    shegong::domain::Unit::new("D1", None, shegong::domain::Level::District, "区")
}

fn entry(id: &str, amount: i64) -> shegong::domain::BudgetEntry {
    use shegong::domain::*;
    BudgetEntry {
        id: Some(id.into()),
        date: PartialDate::parse("2021-11").unwrap(),
        unit: "D1".into(),
        kind: BudgetKind::Allocation,
        category: None,
        source: None,
        amount: Fen(amount),
        voucher: String::new(),
        note: String::new(),
    }
}

/// A restore whose records fail (here: one id twice, with different content) used to leave the
/// units stored, say "nothing was stored", and refuse the retry because the store "already
/// holds data". Now nothing is left, and a good backup restores into the same folder.
#[test]
fn a_restore_whose_records_fail_leaves_nothing_and_can_be_retried() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.sgbak");
    craft_backup(&bad, &[district()], &[entry("B1", 100), entry("B1", 200)]);
    let good = tmp.path().join("good.sgbak");
    craft_backup(&good, &[district()], &[entry("B1", 100), entry("B2", 200)]);
    for empty_first in [false, true] {
        let dir = tmp.path().join(format!("store-{empty_first}"));
        if empty_first {
            ok(&dir, &["init", "--empty"]);
        }
        let out = shegong(&dir, &["restore", bad.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("B1 appears twice"), "{stderr}");
        if empty_first {
            assert_eq!(counts(&dir), [0, 0, 0, 0], "the failed restore left data");
        } else {
            assert!(!dir.exists(), "the failed restore left a store");
        }
        ok(&dir, &["restore", good.to_str().unwrap()]);
        assert_eq!(counts(&dir), [1, 0, 0, 2]);
        assert!(!dir.join(shegong::backup::RESTORE_FOLDER).exists());
        ok(&dir, &["check"]);
    }
}

/// A crafted backup with a date no calendar has (65535-02-30) is refused before any store is
/// touched, naming the item and the field, as an import would refuse it.
#[test]
fn a_restore_refuses_impossible_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("dates.sgbak");
    let mut unit = district();
    unit.station = shegong::domain::StationStatus::Operating;
    unit.opened_on = Some(shegong::domain::PartialDate {
        year: 65535,
        month: 2,
        day: 30,
    });
    craft_backup(&file, &[unit], &[]);
    let dir = tmp.path().join("store");
    let out = shegong(&dir, &["restore", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Item 1 of the backup") && stderr.contains("opened_on: 65535-02-30 is not a date"),
        "{stderr}"
    );
    assert!(!dir.exists());
    let mut budget = entry("B1", 100);
    budget.date = shegong::domain::PartialDate {
        year: 2021,
        month: 2,
        day: 30,
    };
    craft_backup(&file, &[district()], &[budget]);
    let out = shegong(&dir, &["--lang", "zh", "restore", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("第 2 项") && stderr.contains("2021-02-30"), "{stderr}");
    assert!(!dir.exists());
}

/// A restore killed half way (here after its units and while its records are being stored)
/// used to leave part of the backup, which then refused the retry. Now the folder holds no
/// store, or the empty one it held, and the same restore run again completes.
#[test]
fn a_killed_restore_leaves_nothing_and_can_be_retried() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("big.sgbak");
    let budget: Vec<_> = (1..=300_000)
        .map(|i| {
            let mut e = entry("", i);
            e.id = None;
            e
        })
        .collect();
    craft_backup(&file, &[district()], &budget);
    let dir = tmp.path().join("store");
    ok(&dir, &["init", "--empty"]);
    let mut child = command(&dir, &["restore", file.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the records are being written (the store has grown past its first files),
    // then kill it.
    let started = std::time::Instant::now();
    let grown = |p: &Path| walk_size(p) > 2 * 1024 * 1024;
    while !grown(&dir) && started.elapsed() < std::time::Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        killed,
        "the restore finished before it could be killed: make the backup larger"
    );
    assert_eq!(counts(&dir), [0, 0, 0, 0], "the killed restore left part of the backup");
    ok(&dir, &["restore", file.to_str().unwrap()]);
    assert_eq!(counts(&dir), [1, 0, 0, 300_000]);
    ok(&dir, &["check"]);
}

fn walk_size(p: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(p) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => walk_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Every file under `dir`, with its bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(e.path(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// `--readonly` reads a store without writing a byte of it, damaged or not: sled's recovery
/// of a damaged log (which rewrites `db`) runs on a private copy.
#[test]
fn readonly_never_changes_a_byte_of_the_store_even_a_damaged_one() {
    let (_tmp, dir) = store();
    let before = files(&dir);
    ok(&dir, &["--readonly", "report"]);
    assert!(files(&dir) == before, "--readonly report changed the store's files");
    // Cut the log in the middle of its last part: sled would recover by rewriting it.
    let db = dir.join("sled").join("db");
    let len = std::fs::metadata(&db).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len - len / 3)
        .unwrap();
    let damaged = files(&dir);
    for args in [&["--readonly", "report"][..], &["--readonly", "check"]] {
        let out = shegong(&dir, args);
        assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
        assert!(
            files(&dir) == damaged,
            "--readonly {args:?} changed a damaged store's files"
        );
    }
}

/// `--readonly` refusals exit 4 (SPEC.md: the write is not allowed), in words.
#[test]
fn readonly_refusals_exit_4() {
    let (tmp, dir) = store();
    let file = tmp.path().join("b.csv");
    std::fs::write(&file, "date,unit,kind,amount\n2021-12-01,530112000000,allocation,1\n").unwrap();
    let backup = tmp.path().join("all.sgbak");
    ok(&dir, &["backup", backup.to_str().unwrap()]);
    let other = tmp.path().join("other");
    for (at, args) in [
        (&dir, vec!["import", "budget", file.to_str().unwrap()]),
        (&dir, vec!["undo"]),
        (&other, vec!["init"]),
        (&other, vec!["restore", backup.to_str().unwrap()]),
    ] {
        let mut all = vec!["--readonly"];
        all.extend(args.iter().copied());
        let out = shegong(at, &all);
        assert_eq!(out.status.code(), Some(4), "{all:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("Read-only mode"), "{}", text(&out.stderr));
    }
    assert_eq!(counts(&dir), XISHAN);
    assert!(!other.exists());
}

/// A data folder that is a file is said so in words, not as "File exists (os error 17)".
#[test]
fn a_data_folder_that_is_a_file_is_said_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    for args in [&["init"][..], &["report"], &["--lang", "zh", "init"]] {
        for dir in [file.clone(), file.join("below")] {
            let out = shegong(&dir, args);
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(!stderr.contains("os error"), "{stderr}");
            assert!(
                stderr.contains("is a file, not a folder") || stderr.contains("是一个文件，不是文件夹"),
                "{stderr}"
            );
        }
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// A file system mounted for this test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// A tmpfs of `size` at `at`; `None` (and why, printed) when this machine does not let the
    /// test mount one (not root, or no mount permission in a container).
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(at)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Mount(at.to_path_buf())),
            Ok(o) => {
                skip::skip(&format!("cannot mount a tmpfs here: {}", text(&o.stderr).trim()));
                None
            }
            Err(e) => {
                skip::skip(&format!("cannot run mount: {e}"));
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let out = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "remount {options}: {}", text(&out.stderr));
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let out = std::process::Command::new("umount").arg("-l").arg(&self.0).output();
        if !matches!(&out, Ok(o) if o.status.success()) {
            eprintln!("could not unmount {}: {out:?}", self.0.display());
        }
    }
}

/// A store whose files cannot be written (here: on a file system mounted read-only) opens
/// under `--readonly`: reports, exports, history and check work; a write is refused with 4.
#[test]
fn a_store_on_a_read_only_file_system_opens_under_readonly() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&tmp.path().join("mnt"), "64m") else {
        return;
    };
    let dir = mount.0.join("store");
    ok(&dir, &["init"]);
    let report = ok(&dir, &["report"]);
    mount.remount("ro");
    assert_eq!(ok(&dir, &["--readonly", "report"]), report);
    ok(&dir, &["--readonly", "check"]);
    ok(&dir, &["--readonly", "export", "budget"]);
    let out = shegong(&dir, &["--readonly", "undo"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
}

/// Runs the binary, killing it after `limit`: `None` when it had to be killed (it hung).
fn run_with_limit(dir: &Path, args: &[&str], limit: std::time::Duration) -> Option<Output> {
    let mut child = command(dir, args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Some(child.wait_with_output().unwrap())
}

/// A disk that fills during an import used to leave the process waiting forever on a lock
/// inside sled. Now it fails in words and exits 1; the import's partial writes are rolled back
/// when the store is next opened with space (here: the file system grown), and `check` passes.
#[test]
fn a_full_disk_during_an_import_fails_in_words_and_is_rolled_back() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&tmp.path().join("mnt"), "4m") else {
        return;
    };
    let dir = mount.0.join("store");
    ok(&dir, &["init"]);
    let file = tmp.path().join("big.csv");
    let mut csv = String::from("date,unit,kind,amount,note\n");
    for i in 0..150_000 {
        csv.push_str(&format!(
            "2021-12-01,530112001000,allocation,{},note {i} of a file larger than the disk\n",
            i + 1
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let out = run_with_limit(
        &dir,
        &["import", "budget", file.to_str().unwrap()],
        std::time::Duration::from_secs(180),
    )
    .expect("the import hung on a full disk");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the disk is full"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    mount.remount("size=64m");
    ok(&dir, &["check"]);
    assert_eq!(counts(&dir), XISHAN);
}

/// No encode or write error is dropped unread: the crate denies `unused_must_use` and clippy's
/// `let_underscore_must_use` (so `cargo clippy -D warnings` fails on a discarded `Result`), and
/// the store's code, the backup's and the upgrade's hold no `let _ =` and no `.ok();`.
#[test]
fn no_result_is_discarded_in_the_store_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for crate_root in ["src/lib.rs", "src/main.rs"] {
        let text = std::fs::read_to_string(root.join(crate_root)).unwrap();
        assert!(
            text.contains("#![deny(unused_must_use, clippy::let_underscore_must_use)]"),
            "{crate_root} does not deny discarded results"
        );
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("src/store"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root.join("src/backup.rs"));
    files.push(root.join("src/upgrade.rs"));
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let discards_ok = code.trim_end().ends_with(".ok();") && !code.contains('=');
            assert!(
                !code.contains("let _ =") && !discards_ok,
                "{}:{}: a discarded result: {line}",
                file.display(),
                n + 1
            );
        }
    }
}

/// A budget file of `rows` rows at the text cap for the district on 2021-12-01, amounts from
/// `first`: about 12 KB a row.
fn capped_rows(path: &Path, first: usize, rows: usize) {
    let cap = shegong::domain::records::MAX_TEXT_CHARS;
    let voucher = "凭".repeat(cap);
    let note = "备".repeat(cap);
    let mut csv = String::from("date,unit,kind,amount,voucher,note\n");
    for i in first..first + rows {
        csv.push_str(&format!("2021-12-01,530112000000,allocation,{i},{voucher},{note}\n"));
    }
    std::fs::write(path, csv).unwrap();
}

/// A page that passes its limit only together with what is stored already is refused when it
/// is written, and the import rolled back whole; importing a large file again (which adds
/// nothing) is not refused.
#[test]
fn a_page_past_its_limit_with_what_is_stored_is_refused_and_a_reimport_is_not() {
    let (tmp, dir) = store();
    let first = tmp.path().join("first.csv");
    capped_rows(&first, 1, 2_300);
    let out = shegong(&dir, &["import", "budget", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored = counts(&dir);
    assert_eq!(stored, [11, 10, 15, 2_301]);
    // The same 27 MB again: nothing to add, nothing refused.
    let out = shegong(&dir, &["import", "budget", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // 2,300 other rows: 54 MB with those stored.
    let second = tmp.path().join("second.csv");
    capped_rows(&second, 10_001, 2_300);
    let out = shegong(&dir, &["import", "budget", second.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unit 530112000000's budget records of 2021, with those stored already, would pass 48 MB")
            && stderr.contains("nothing was stored"),
        "{stderr}"
    );
    assert_eq!(counts(&dir), stored);
    ok(&dir, &["check"]);
}

/// Free text stored before the text cap existed (a note of 100,000 characters was stored
/// whole until session 3) is in backups: a restore puts it back whole, and `check` passes.
#[test]
fn a_restore_keeps_text_stored_before_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("old.sgbak");
    let long: String = "备注".repeat(50_000) + "。";
    let mut unit = district();
    unit.note = long.clone();
    let mut budget = entry("B1", 100);
    budget.note = long.clone();
    craft_backup(&file, &[unit], &[budget]);
    let dir = tmp.path().join("store");
    ok(&dir, &["restore", file.to_str().unwrap()]);
    assert_eq!(counts(&dir), [1, 0, 0, 1]);
    ok(&dir, &["check"]);
    assert!(ok(&dir, &["export", "budget"]).contains(&long));
    assert!(ok(&dir, &["export", "units"]).contains(&long));
}

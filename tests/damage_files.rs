//! Damaged store files: parts of `DIR/sled/` (the `db` log, `conf`, the snapshot, the blobs
//! folder) truncated, overwritten or removed, then `shegong report` and `shegong check` run on
//! the copy. Each must either give exactly the figures of the undamaged store or fail with a
//! message in words and a non-zero exit: never a panic (exit 101, "panicked at"), never other
//! figures presented as fine.
//!
//! `SHEGONG_DAMAGE_POINTS=N` sweeps N evenly spaced offsets of the `db` file per kind of damage
//! (default 12; the full run in `docs/RELIABILITY.md` used 400).

mod common;
use common::{copy_dir, Rng};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

const REPORT: [&str; 7] = ["report", "--format", "json", "--as-of", "2030-12-31", "--depth", "3"];

/// The Xishan data and a few hundred more units and budget entries, and what it reports.
struct Fixture {
    _tmp: tempfile::TempDir,
    store: PathBuf,
    report: String,
    check: String,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    common::ok(&store, &["init"]);
    let mut units = String::from("code,parent,level,name,station,opened_on\n");
    let mut budget = String::from("date,unit,kind,category,source,amount\n");
    let mut rng = Rng(7);
    for s in 1..=10 {
        for c in 1..=30 {
            let code = format!("530112{s:03}{c:03}");
            let _ = writeln!(
                units,
                "{code},530112{s:03}000,community,社区{s}-{c},operating,202{}-0{}-1{}",
                rng.next() % 3,
                1 + rng.next() % 9,
                rng.next() % 10
            );
            for _ in 0..3 {
                let _ = writeln!(
                    budget,
                    "202{}-{:02}-{:02},{code},{},operation,fiscal,{}.{:02}",
                    rng.next() % 4,
                    1 + rng.next() % 12,
                    1 + rng.next() % 28,
                    if rng.next().is_multiple_of(2) {
                        "allocation"
                    } else {
                        "expenditure"
                    },
                    1 + rng.next() % 100_000,
                    rng.next() % 100
                );
            }
        }
    }
    for (kind, content) in [("units", units), ("budget", budget)] {
        let file = tmp.path().join(format!("{kind}.csv"));
        std::fs::write(&file, content).unwrap();
        common::ok(&store, &["import", kind, file.to_str().unwrap()]);
    }
    let report = common::ok(&store, &REPORT);
    let check = common::ok(&store, &["check"]);
    Fixture {
        _tmp: tmp,
        store,
        report,
        check,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Words a user can act on, rather than an OS error or a panic: one line, without sled's or
/// bincode's internals.
fn is_clear(stderr: &str) -> bool {
    ["damaged", "There is no store", "Could not read or write the store"]
        .iter()
        .any(|w| stderr.contains(w))
        && stderr.trim().lines().count() == 1
        && !["backtrace", "bincode", "Some(", "Inline("]
            .iter()
            .any(|w| stderr.contains(w))
}

/// What a command did on a damaged store, judged; `Err` says what is wrong.
fn judge(what: &str, out: &Output, fine: &str) -> Result<&'static str, String> {
    let stderr = text(&out.stderr);
    let stdout = text(&out.stdout);
    if stderr.contains("panicked") || out.status.code() == Some(101) || out.status.code().is_none() {
        return Err(format!("{what}: panicked (exit {:?}): {stderr}", out.status.code()));
    }
    if out.status.success() {
        if stdout == fine {
            Ok("same")
        } else {
            Err(format!(
                "{what}: exit 0 with other output than the undamaged store:\n{}",
                stdout.chars().take(600).collect::<String>()
            ))
        }
    } else if !is_clear(&stderr) {
        Err(format!(
            "{what}: exit {:?} without a clear message: {stderr}",
            out.status.code()
        ))
    } else {
        Ok("refused")
    }
}

type Damage = Box<dyn Fn(&Path)>;

fn sled_file(dir: &Path, name: &str) -> PathBuf {
    dir.join("sled").join(name)
}

fn snapshot(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir.join("sled"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("snap.") && !name.ends_with(".generating")
        })
        .expect("the store has a snapshot")
}

fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

fn overwrite(path: &Path, at: u64, bytes: &[u8]) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(at)).unwrap();
    f.write_all(bytes).unwrap();
}

fn len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

/// Runs report and check on a damaged copy of the store; returns the problems found.
fn try_damage(fx: &Fixture, root: &Path, name: &str, damage: &dyn Fn(&Path)) -> Vec<String> {
    let dir = root.join("damaged");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fx.store, &dir);
    damage(&dir);
    let mut problems = Vec::new();
    let report = common::shegong(&dir, &REPORT);
    let check = common::shegong(&dir, &["check"]);
    let outcomes = [judge("report", &report, &fx.report), judge("check", &check, &fx.check)];
    for outcome in &outcomes {
        if let Err(e) = outcome {
            problems.push(format!("{name}: {e}"));
        }
    }
    problems
}

fn assert_none(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn named_damage_fails_in_words_or_changes_nothing() {
    let fx = fixture();
    let root = fx._tmp.path();
    let db_len = len(&sled_file(&fx.store, "db"));
    let mut cases: Vec<(String, Damage)> = Vec::new();
    for cut in [0, 1, 100, 4096, db_len / 4, db_len / 2, db_len * 3 / 4, db_len - 1] {
        cases.push((
            format!("db truncated to {cut} bytes"),
            Box::new(move |d: &Path| truncate(&sled_file(d, "db"), cut)),
        ));
    }
    for at in [0, 16, 100, 4096, db_len / 2, db_len - 600] {
        cases.push((
            format!("db: 512 zero bytes at {at}"),
            Box::new(move |d: &Path| overwrite(&sled_file(d, "db"), at, &[0; 512])),
        ));
    }
    cases.push((
        "db removed".into(),
        Box::new(|d: &Path| std::fs::remove_file(sled_file(d, "db")).unwrap()),
    ));
    cases.push((
        "db replaced by a folder".into(),
        Box::new(|d: &Path| {
            std::fs::remove_file(sled_file(d, "db")).unwrap();
            std::fs::create_dir(sled_file(d, "db")).unwrap();
        }),
    ));
    cases.push((
        "conf removed".into(),
        Box::new(|d: &Path| std::fs::remove_file(sled_file(d, "conf")).unwrap()),
    ));
    cases.push((
        "conf truncated".into(),
        Box::new(|d: &Path| truncate(&sled_file(d, "conf"), 10)),
    ));
    cases.push((
        "conf: one byte changed".into(),
        Box::new(|d: &Path| overwrite(&sled_file(d, "conf"), 20, b"X")),
    ));
    cases.push((
        "conf: another segment size, checksum kept".into(),
        Box::new(|d: &Path| {
            let conf = std::fs::read(sled_file(d, "conf")).unwrap();
            let changed = String::from_utf8_lossy(&conf).replace("524288", "262144");
            std::fs::write(sled_file(d, "conf"), changed.as_bytes()).unwrap();
        }),
    ));
    cases.push((
        "snapshot removed".into(),
        Box::new(|d: &Path| std::fs::remove_file(snapshot(d)).unwrap()),
    ));
    cases.push((
        "snapshot emptied".into(),
        Box::new(|d: &Path| truncate(&snapshot(d), 0)),
    ));
    cases.push((
        "snapshot cut in half".into(),
        Box::new(|d: &Path| {
            let s = snapshot(d);
            truncate(&s, len(&s) / 2)
        }),
    ));
    cases.push((
        "snapshot: 100 zero bytes at 50".into(),
        Box::new(|d: &Path| overwrite(&snapshot(d), 50, &[0; 100])),
    ));
    cases.push((
        // What a kill while sled writes a snapshot can leave: sled reads the newest
        // `snap.*` file, `.generating` ones included.
        "a half-written snap.*.generating beside the snapshot".into(),
        Box::new(|d: &Path| {
            let s = snapshot(d);
            let bytes = std::fs::read(&s).unwrap();
            std::fs::write(
                sled_file(d, "snap.FFFFFFFFFFFFFFF0.generating"),
                &bytes[..bytes.len() / 2],
            )
            .unwrap();
        }),
    ));
    cases.push((
        "blobs folder removed".into(),
        Box::new(|d: &Path| std::fs::remove_dir_all(d.join("sled/blobs")).unwrap()),
    ));
    cases.push((
        "the whole sled folder emptied".into(),
        Box::new(|d: &Path| {
            std::fs::remove_dir_all(d.join("sled")).unwrap();
            std::fs::create_dir(d.join("sled")).unwrap();
        }),
    ));
    let mut problems = Vec::new();
    for (name, damage) in &cases {
        problems.extend(try_damage(&fx, root, name, damage));
    }
    assert_none(problems);
}

/// Evenly spaced offsets of the `db` file: cut there, zeroed there, random bytes there.
#[test]
fn swept_damage_to_the_log_fails_in_words_or_changes_nothing() {
    let points: u64 = std::env::var("SHEGONG_DAMAGE_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let fx = fixture();
    let root = fx._tmp.path();
    let db_len = len(&sled_file(&fx.store, "db"));
    let mut rng = Rng(points);
    let mut problems = Vec::new();
    let mut refused = 0;
    for i in 0..points {
        let at = db_len * i / points + (rng.next() % 512);
        let noise = rng.bytes(32);
        let damages: [(String, Damage); 3] = [
            (
                format!("db truncated to {at}"),
                Box::new(move |d: &Path| truncate(&sled_file(d, "db"), at)),
            ),
            (
                format!("db: 256 zero bytes at {at}"),
                Box::new(move |d: &Path| overwrite(&sled_file(d, "db"), at, &[0; 256])),
            ),
            (
                format!("db: 32 random bytes at {at}"),
                Box::new(move |d: &Path| overwrite(&sled_file(d, "db"), at, &noise)),
            ),
        ];
        for (name, damage) in &damages {
            let found = try_damage(&fx, root, name, damage);
            refused += usize::from(found.is_empty());
            problems.extend(found);
        }
    }
    eprintln!(
        "{points} points × 3 damages: {refused} handled, {} problems",
        problems.len()
    );
    assert_none(problems);
}

/// sled 0.34.7 panics instead of returning an error when two log segments carry the same
/// LSN and there is no snapshot to start from: `assert_eq!` in
/// `sled-0.34.7/src/pagecache/iterator.rs:371` ("duplicate segment LSN 0 detected at both 0
/// and 524288"). Damage that does it: the snapshot file removed and the first bytes of the
/// `db` file (segment 0's header) copied over the start of the second segment.
#[test]
fn a_duplicated_segment_header_without_a_snapshot_is_refused_in_words() {
    let fx = fixture();
    let root = fx._tmp.path();
    assert_none(try_damage(
        &fx,
        root,
        "segment header duplicated, snapshot removed",
        &|d: &Path| {
            std::fs::remove_file(snapshot(d)).unwrap();
            let db = sled_file(d, "db");
            let head = std::fs::read(&db).unwrap()[..64].to_vec();
            overwrite(&db, 512 * 1024, &head);
        },
    ));
}

/// A kill while sled writes a snapshot leaves a torn `snap.*.generating`; the store must open
/// with its figures whole (the file is set aside), not merely fail in words.
#[test]
fn a_torn_generating_snapshot_does_not_lose_the_store() {
    let fx = fixture();
    let dir = fx._tmp.path().join("torn");
    copy_dir(&fx.store, &dir);
    let s = snapshot(&dir);
    let bytes = std::fs::read(&s).unwrap();
    std::fs::write(
        sled_file(&dir, "snap.FFFFFFFFFFFFFFF0.generating"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    let report = common::shegong(&dir, &REPORT);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    assert!(judge("report", &report, &fx.report).is_ok());
    assert!(common::shegong(&dir, &["check"]).status.success());
}

//! Input at and past the limits, through the real binary: a cell of 100,000 characters, a file
//! of 100,000 bad rows, ragged rows, binary garbage. Each is refused with a message in words
//! (or, for free text, stored intact), nothing of a refused file is stored, and nothing panics.
//! Peak memory does not grow with a file of bad rows (25 MB here, 200 MB in an ignored test;
//! 2 GB by hand: see `docs/RELIABILITY.md`).

mod common;

use common::*;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The store of every test: the Xishan data, 11 units and 26 records.
fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    ok(&dir, &["init"]);
    (tmp, dir)
}

fn counts(dir: &Path) -> [usize; 4] {
    let counts = shegong::store::Store::open(dir, true).unwrap().counts().unwrap();
    wait_until_closed(dir);
    counts
}

const XISHAN: [usize; 4] = [11, 10, 15, 1];

fn import(dir: &Path, kind: &str, name: &str, content: &[u8]) -> Output {
    let file = dir.parent().unwrap().join(name);
    std::fs::write(&file, content).unwrap();
    shegong(dir, &["import", kind, file.to_str().unwrap()])
}

/// Refused: exit 1, no panic, the "nothing was stored" message, and the store as it was.
fn assert_refused(dir: &Path, out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing from this file was stored"), "{stderr}");
    assert_eq!(counts(dir), XISHAN, "a refused file changed the store");
    ok(dir, &["check"]);
    stderr
}

const BUDGET_HEAD: &str = "date,unit,kind,amount,note\n";

#[test]
fn a_cell_of_100000_characters_is_refused_where_it_is_too_long() {
    let (_tmp, dir) = store();
    let big = "字".repeat(100_000);
    // A unit name may have 64 characters.
    let units = format!("code,parent,level,name\n530112011000,530112000000,street,{big}\n");
    let stderr = assert_refused(&dir, &import(&dir, "units", "name.csv", units.as_bytes()));
    assert!(
        stderr.contains("name.csv:2: name: at most 64 characters, has 100000"),
        "{stderr}"
    );
    // Money and dates are refused too.
    let budget = format!(
        "{BUDGET_HEAD}2021-12-01,530112000000,allocation,{},\n",
        "9".repeat(100_000)
    );
    let stderr = assert_refused(&dir, &import(&dir, "budget", "amount.csv", budget.as_bytes()));
    assert!(stderr.contains("amount.csv:2: amount:"), "{}", &stderr[..200]);
    let budget = format!("{BUDGET_HEAD}{},530112000000,allocation,1,\n", "2".repeat(100_000));
    let stderr = assert_refused(&dir, &import(&dir, "budget", "date.csv", budget.as_bytes()));
    assert!(stderr.contains("date.csv:2: date:"), "{}", &stderr[..200]);
}

#[test]
fn a_note_of_100000_characters_is_refused_and_one_at_the_cap_is_stored_intact() {
    // Free text is capped at MAX_TEXT_CHARS (a note of megabytes is a mistake): one of
    // 100,000 characters is refused where it is; one at the cap is kept, exactly.
    let (_tmp, dir) = store();
    let big: String = "备注".repeat(50_000) + "。";
    let budget = format!("{BUDGET_HEAD}2021-12-01,530112000000,allocation,1,{big}\n");
    let stderr = assert_refused(&dir, &import(&dir, "budget", "note.csv", budget.as_bytes()));
    assert!(
        stderr.contains("note.csv:2: note: at most 2000 characters, has 100001"),
        "{stderr}"
    );
    let cap = shegong::domain::records::MAX_TEXT_CHARS;
    let at_cap: String = "备".repeat(cap - 1) + "。";
    let budget = format!("{BUDGET_HEAD}2021-12-01,530112000000,allocation,1,{at_cap}\n");
    let out = import(&dir, "budget", "note.csv", budget.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    ok(&dir, &["check"]);
    let exported = ok(&dir, &["export", "budget"]);
    assert!(exported.contains(&at_cap), "the long note did not come back whole");
    assert_eq!(counts(&dir), [11, 10, 15, 2]);
}

/// A message echoes the bad cell; a cell of 100,000 characters (or a header line of
/// binary garbage without a line break) is echoed whole, and the clerk's terminal gets
/// hundreds of kilobytes per problem.
#[test]
fn a_huge_bad_cell_is_not_echoed_whole() {
    let (_tmp, dir) = store();
    let budget = format!(
        "{BUDGET_HEAD}2021-12-01,530112000000,allocation,{},\n",
        "9".repeat(100_000)
    );
    let stderr = assert_refused(&dir, &import(&dir, "budget", "amount.csv", budget.as_bytes()));
    assert!(stderr.len() < 2_000, "the message has {} bytes", stderr.len());
    let header = format!(
        "date,unit,kind,amount,{}\n2021-12-01,530112000000,allocation,1,x\n",
        "列".repeat(100_000)
    );
    let stderr = assert_refused(&dir, &import(&dir, "budget", "header.csv", header.as_bytes()));
    assert!(stderr.len() < 2_000, "the message has {} bytes", stderr.len());
}

/// Writes a budget file of `rows` rows with two problems each (a month 13 and an amount that
/// is not money), a row at a time: the file is never in memory.
fn bad_budget_file(path: &Path, rows: usize) -> u64 {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    file.write_all(BUDGET_HEAD.as_bytes()).unwrap();
    for i in 0..rows {
        writeln!(file, "2021-13-01,530112000000,allocation,x{i},").unwrap();
    }
    file.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn a_file_of_100000_bad_rows_lists_100_and_counts_the_rest() {
    let (_tmp, dir) = store();
    let rows = 100_000;
    let file = dir.parent().unwrap().join("bad.csv");
    bad_budget_file(&file, rows);
    let started = Instant::now();
    let out = shegong(&dir, &["import", "budget", file.to_str().unwrap()]);
    let took = started.elapsed();
    let stderr = assert_refused(&dir, &out);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() <= 110, "{} lines of problems", lines.len());
    assert!(
        lines[1].contains("bad.csv:2: date:") || lines[1].contains("bad.csv:2: amount:"),
        "{}",
        lines[1]
    );
    let last = lines.last().unwrap();
    assert!(
        last.starts_with(&format!("... and {} more problems", 2 * rows - 100)),
        "{stderr}"
    );
    // A debug build on a busy machine: generous, but a hang or a quadratic pass fails.
    assert!(took < Duration::from_secs(120), "took {took:?}");
}

/// Peak memory of an import of `rows` bad rows, and of one of a small file, which is what the
/// program needs whatever the file: the first must not be much above the second. (Before
/// imports read CSV from the file as it streams, the whole file was in memory.)
fn peak_with_bad_rows(rows: usize) -> (u64, u64, u64) {
    let (_tmp, dir) = store();
    let small = dir.parent().unwrap().join("small.csv");
    bad_budget_file(&small, 2_000);
    let (out, small_kb) = shegong_peak_kb(&dir, &["import", "budget", small.to_str().unwrap()]);
    assert_refused(&dir, &out);
    let large = dir.parent().unwrap().join("large.csv");
    let size_kb = bad_budget_file(&large, rows) / 1024;
    let (out, large_kb) = shegong_peak_kb(&dir, &["import", "budget", large.to_str().unwrap()]);
    let stderr = assert_refused(&dir, &out);
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!("... and {} more problems", 2 * rows - 100)),
        "{last}"
    );
    eprintln!("{size_kb} KB of bad rows: peak {large_kb} KB; a small file: {small_kb} KB");
    (size_kb, small_kb, large_kb)
}

#[test]
fn memory_does_not_grow_with_a_file_of_bad_rows() {
    // 25 MB: above the 16 MB from which imports of records stream (check, then write).
    let (size_kb, small_kb, large_kb) = peak_with_bad_rows(580_000);
    assert!(size_kb > 24 << 10, "{size_kb} KB");
    assert!(
        large_kb < small_kb + size_kb / 4,
        "a file of {size_kb} KB took {large_kb} KB at peak, a small one {small_kb} KB"
    );
}

#[test]
#[ignore = "a 210 MB file: 55 s in a debug build, 4.4 s in release (cargo test --release -- --ignored)"]
fn memory_stays_bounded_with_200_mb_of_bad_rows() {
    let (size_kb, small_kb, large_kb) = peak_with_bad_rows(4_800_000);
    assert!(size_kb > 200 << 10, "{size_kb} KB");
    assert!(large_kb < 150 << 10, "peak {large_kb} KB");
    assert!(
        large_kb < small_kb + size_kb / 20,
        "a file of {size_kb} KB took {large_kb} KB at peak, a small one {small_kb} KB"
    );
}

#[test]
fn ragged_rows_with_missing_cells_are_refused_by_line() {
    let (_tmp, dir) = store();
    let csv = format!("{BUDGET_HEAD}2021-12-02,530112000000\n2021-12-03,530112000000,allocation,5,完整\n2021-12-04\n");
    let stderr = assert_refused(&dir, &import(&dir, "budget", "short.csv", csv.as_bytes()));
    assert!(stderr.contains("short.csv:2: kind: is required"), "{stderr}");
    assert!(stderr.contains("short.csv:4: unit: is required"), "{stderr}");
    assert!(!stderr.contains("short.csv:3:"), "{stderr}");
}

/// A row with more cells than the header has columns: here an amount written with
/// thousands separators and no quotes, so that `1,700,000.00` becomes three cells. The
/// importer keeps the first cells and drops the rest: 1 yuan is stored instead of 1,700,000.
#[test]
fn a_row_with_more_cells_than_the_header_is_refused() {
    let (_tmp, dir) = store();
    let csv = "date,unit,kind,amount\n2021-12-01,530112000000,allocation,1,700,000.00\n";
    let out = import(&dir, "budget", "shifted.csv", csv.as_bytes());
    let stderr = assert_refused(&dir, &out);
    assert!(stderr.contains("shifted.csv:2:"), "{stderr}");
}

#[test]
fn binary_garbage_is_refused_in_words() {
    let (_tmp, dir) = store();
    // Deterministic noise: every byte value, some line breaks, some NULs.
    let mut state = 0x2021_1109_u64;
    let noise: Vec<u8> = (0..100_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let zip_like = [b"PK\x03\x04".as_slice(), &noise[..4096]].concat();
    let inputs: [(&str, &[u8]); 4] = [
        ("noise.csv", &noise),
        ("zeros.csv", &[0u8; 4096]),
        ("zip.csv", &zip_like),
        ("empty.csv", b""),
    ];
    for kind in ["units", "evaluations", "trainings", "budget"] {
        for (name, bytes) in inputs {
            let stderr = assert_refused(&dir, &import(&dir, kind, name, bytes));
            assert!(stderr.contains(&format!("{name}:")), "{kind} {name}: {stderr}");
        }
    }
}

/// Records of one unit in one year live in one page. Each new record used to be inserted into
/// the page's sorted list one at a time, so N such rows took time growing with N² (50,000 rows
/// 0.74 s, 100,000 2.5 s in release); now they are appended and the page sorted once.
#[test]
#[ignore = "timed: run by hand (fixed: pages are appended to and sorted once; 40k rows 0.88 s, 320k 6.6 s in a debug build)"]
fn many_rows_of_one_unit_and_year_import_in_linear_time() {
    let time = |rows: usize| {
        let (_tmp, dir) = store();
        let mut csv = String::from(BUDGET_HEAD);
        for i in 0..rows {
            csv.push_str(&format!("2021-12-01,530112000000,allocation,{},\n", i + 1));
        }
        let started = Instant::now();
        let out = import(&dir, "budget", "one.csv", csv.as_bytes());
        assert!(out.status.success(), "{}", text(&out.stderr));
        started.elapsed()
    };
    let small = time(40_000);
    let large = time(320_000);
    eprintln!("40,000 rows took {small:?}, 320,000 took {large:?}");
    // Eight times the rows: linear takes about eight times as long, quadratic sixty-four.
    assert!(large < small * 16, "40,000 rows took {small:?}, 320,000 took {large:?}");
}

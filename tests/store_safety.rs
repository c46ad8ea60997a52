//! The store never loses or mis-stores data (issue 11), through the real binary: a page that
//! would pass the size the store keeps is refused in words before anything is stored (it used
//! to be written empty, losing the page's earlier records); restore is all or nothing and
//! checks a backup's values as strictly as an import; `--readonly` refusals exit 4.

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

//! Helpers shared by the whole-program tests: run the real binary on a temporary store.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The binary on a store, in English.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shegong"));
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    command
}

pub fn shegong(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("the binary runs")
}

/// Runs the binary as `shegong` does, and also gives its peak resident memory in KB, as the
/// kernel counted it for that one process (`wait4`). Its output goes through files beside
/// the store, so that a long list of problems cannot block it.
pub fn shegong_peak_kb(dir: &Path, args: &[&str]) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    let (out, err) = (dir.with_extension("stdout"), dir.with_extension("stderr"));
    // Reaped by wait4 below: std's wait does not give the child's resource usage.
    #[allow(clippy::zombie_processes)]
    let child = command(dir, args)
        .stdout(std::fs::File::create(&out).expect("a file for stdout"))
        .stderr(std::fs::File::create(&err).expect("a file for stderr"))
        .spawn()
        .expect("the binary runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for our own child; both pointers are to live locals.
        let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if got == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: std::fs::read(out).expect("stdout"),
        stderr: std::fs::read(err).expect("stderr"),
    };
    (output, usage.ru_maxrss as u64)
}

/// Runs and insists on exit 0; returns stdout.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = shegong(dir, args);
    assert!(
        out.status.success(),
        "shegong {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn report_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["report", "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(dir, &args)).expect("report is JSON")
}

/// sled lets go of its files a moment after its handle is dropped (its background threads
/// finish first); a store opened in this process must be let go before the binary runs on it,
/// or the binary finds it in use (exit 3).
pub fn wait_until_closed(dir: &Path) {
    use fs2::FileExt;
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        match std::fs::File::open(dir.join("sled").join("db")) {
            Ok(f) if f.try_lock_exclusive().is_err() => std::thread::sleep(std::time::Duration::from_millis(20)),
            _ => return,
        }
    }
    panic!("{} stays locked by this process", dir.display());
}

/// A small deterministic random number generator (SplitMix64), so that a failing run can be
/// repeated from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An index below `len` (0 when `len` is 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Copies a store folder (or any folder) with everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Makes a store look as builds before schema 2 wrote it: no year totals (the `totals` tree
/// came later), and `schema` as the meta value. Let go of before it returns. Since schema 9
/// the year totals are read from the head of each bucket, so the buckets go too: a store
/// whose figures are wrong until the upgrade rebuilds them.
pub fn make_store_without_totals(dir: &Path, schema: u32) {
    make_store_without_tree(dir, "buckets", schema);
    make_store_without_tree(dir, "totals", schema);
}

/// Makes a store look as a schema before `tree` wrote it: that tree empty, and `schema` as the
/// meta value. Let go of before it returns.
pub fn make_store_without_tree(dir: &Path, tree: &str, schema: u32) {
    {
        let db = sled::open(dir.join("sled")).expect("sled opens");
        db.open_tree(tree).unwrap().clear().unwrap();
        stamp_schema(&db, schema);
    }
    wait_until_closed(dir);
}

/// Writes `schema` as the store's meta value and flushes: the last step of making a store look
/// as an older schema wrote it.
pub fn stamp_schema(db: &sled::Db, schema: u32) {
    db.open_tree("meta")
        .unwrap()
        .insert("schema", &schema.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

/// A zip archive of the given parts, stored uncompressed (an .ods or .xlsx by hand).
fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// An .ods file whose first sheet has a header row, then one row of `cols` values repeated
/// `rows` times.
pub fn repeated_ods(rows: u64, cols: u64) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="s">
<table:table-row><table:table-cell office:value-type="string"><text:p>date</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cols}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip_of(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", MANIFEST),
        ("content.xml", &content),
    ])
}

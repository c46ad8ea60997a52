//! The fuzz targets' checks (`fuzz/checks.rs`) on the stable toolchain, in `cargo test`:
//!
//! - every saved input under `fuzz/regressions/TARGET/` (what the fuzzer found, and seeds) is
//!   replayed: none may panic again;
//! - random inputs, half pure random bytes, half mutations of valid files and values, a few
//!   thousand per target by default; `SHEGONG_FUZZ_CASES=N` for more, and the `#[ignore]`d
//!   `long_random_inputs_never_panic` runs a million per target.

#[path = "../fuzz/checks.rs"]
mod checks;
mod common;
use common::Rng;

use shegong::rollup::{Sparse, YearBucket};
use shegong::store::codec::{Page, PageEntry, Stored, UnitRow};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 7] = [
    ("money", checks::money),
    ("date", checks::date),
    ("csv", checks::csv),
    ("csv_stream", checks::csv_stream),
    ("codec", checks::codec),
    ("workbook", checks::workbook),
    ("json", checks::json),
];

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let texts = |list: &[&str]| list.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    match target {
        "money" => texts(&[
            "1700000",
            "1,700,000.00",
            "¥1700000",
            "￥300",
            "170万",
            "170万元",
            "1.5万",
            "-20.5",
            "1.234567万",
            "92233720368547758.07",
            "－¥-0.01",
        ]),
        "date" => texts(&[
            "2021-11-08",
            "2021/11/8",
            "2021.11.8",
            "2021年11月8日",
            "2021-11",
            "2021",
            "2999-12-31",
            "1900-02-29",
        ]),
        // The stream's first byte picks its chunk size.
        "csv_stream" => seeds("csv")
            .into_iter()
            .map(|b| [&[3u8][..], &b[..]].concat())
            .collect(),
        "csv" => {
            let mut out: Vec<Vec<u8>> = shegong::xishan::FILES.iter().map(|(_, _, b)| b.to_vec()).collect();
            let (gbk, _, _) = encoding_rs::GBK.encode("编码,上级编码,层级,名称\r\n1,,区,西山区\r\n");
            out.push(gbk.into_owned());
            out.push(b"\xEF\xBB\xBFdate,unit,kind,amount\n2021-01-01,1,allocation,1\n".to_vec());
            out.push(b"PK\x03\x04garbage".to_vec());
            out
        }
        "workbook" => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/csv");
            let mut out: Vec<Vec<u8>> = ["units", "budget", "trainings"]
                .iter()
                .filter_map(|k| std::fs::read(dir.join(format!("seed-xishan-{k}.xlsx"))).ok())
                .collect();
            out.push(common::repeated_ods(3, 2));
            out
        }
        "json" => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/csv");
            let mut out: Vec<Vec<u8>> = ["units", "budget", "trainings"]
                .iter()
                .filter_map(|k| std::fs::read(dir.join(format!("seed-xishan-{k}.json"))).ok())
                .collect();
            out.push(br#"[{"date":"2021-01-01","unit":"1","kind":"allocation","amount":90071992547409.93}]"#.to_vec());
            out.push(br#"[{"a":1},{"b":[1]},{"c":{"d":null}},{"e":true,"e":"x"}]"#.to_vec());
            out
        }
        _ => codec_seeds(),
    }
}

/// Encoded values of every stored type, each behind the byte that picks its decoder.
fn codec_seeds() -> Vec<Vec<u8>> {
    use shegong::interchange::{parse_file, ParsedFile};
    let files = shegong::xishan::FILES;
    let parsed = |i: usize| parse_file(files[i].0, files[i].2).unwrap();
    let ParsedFile::Units(units) = parsed(0) else {
        panic!("units")
    };
    let ParsedFile::Evaluations(evaluations) = parsed(1) else {
        panic!("evaluations")
    };
    let ParsedFile::Trainings(trainings) = parsed(2) else {
        panic!("trainings")
    };
    let ParsedFile::Budget(budget) = parsed(3) else {
        panic!("budget")
    };
    let (units, evaluations, trainings, budget) =
        (units.records, evaluations.records, trainings.records, budget.records);
    let tagged = |tag: u8, bytes: Vec<u8>| {
        let mut v = vec![tag];
        v.extend(bytes);
        v
    };
    let mut out = Vec::new();
    for (i, unit) in units.iter().take(3).enumerate() {
        let row = UnitRow {
            idx: i as u32,
            parent_idx: i.checked_sub(1).map(|p| p as u32),
            first_evaluation: Some(738_000),
            unit: unit.clone(),
        };
        out.push(tagged(0, row.encode().unwrap()));
    }
    let page = Page {
        entries: vec![
            PageEntry {
                day: 738_000,
                hash: 7,
                occurrence: 0,
                record: evaluations[0].encode().unwrap(),
            },
            PageEntry {
                day: 738_001,
                hash: 8,
                occurrence: 1,
                record: budget[0].encode().unwrap(),
            },
        ],
    };
    out.push(tagged(1, page.encode().unwrap()));
    out.push(tagged(2, evaluations[0].encode().unwrap()));
    out.push(tagged(2, trainings[0].encode().unwrap()));
    out.push(tagged(2, budget[0].encode().unwrap()));
    let mut bucket = YearBucket::default();
    bucket.add(738_000, &Sparse(vec![(3, 7), (20, -5)])).unwrap();
    bucket.add(738_100, &Sparse(vec![(60, 1)])).unwrap();
    out.push(tagged(3, bucket.encode().unwrap()));
    out.push(tagged(5, shegong::store::codec::encode_total(&bucket.total).unwrap()));
    let entry = shegong::store::JournalEntry {
        at: 1_636_416_000,
        operator: "民政局".into(),
        action: "import".into(),
        kind: "budget".into(),
        unit: Some("530112000000".into()),
        key: None,
        before: None,
        after: Some("{\"amount\":\"170万\"}".into()),
        summary: "导入 1 条".into(),
        undoes: Some(3),
    };
    out.push(tagged(6, entry.encode().unwrap()));
    out.push(tagged(7, vec![0; 20]));
    out
}

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.index(6) {
        let at = rng.index(v.len() + 1);
        match rng.index(7) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.index(8);
            }
            1 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = rng.next() as u8;
            }
            2 => v.insert(at, rng.next() as u8),
            3 if at < v.len() => {
                let end = (at + 1 + rng.index(16)).min(v.len());
                v.drain(at..end);
            }
            4 => {
                // Splice in a piece of another input.
                let from = rng.index(other.len() + 1);
                let end = (from + rng.index(32)).min(other.len());
                v.splice(at..at, other[from..end].iter().copied());
            }
            5 => {
                let special: &[u8] = match rng.index(6) {
                    0 => b",",
                    1 => b"\n",
                    2 => b"\"",
                    3 => "万".as_bytes(),
                    4 => &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
                    _ => &[0xFB, 0xFF, 0xFF],
                };
                v.splice(at..at, special.iter().copied());
            }
            _ => v.truncate(at),
        }
    }
    v
}

fn random_cases(cases: usize, seed: u64) {
    for (name, check) in TARGETS {
        let seeds = seeds(name);
        let mut rng = Rng(seed ^ name.len() as u64);
        for case in 0..cases {
            let input = if case % 2 == 0 {
                let len = rng.index(if name.starts_with("csv") { 512 } else { 64 });
                (0..len).map(|_| rng.next() as u8).collect()
            } else {
                let a = &seeds[rng.index(seeds.len())];
                let b = &seeds[rng.index(seeds.len())];
                mutate(&mut rng, a, b)
            };
            if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
                let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
                panic!("{name}: case {case} (seed {seed}) panicked on input (hex) {hex}");
            }
        }
    }
}

fn cases_from_env(default: usize) -> usize {
    std::env::var("SHEGONG_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn saved_fuzz_inputs_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (name, check) in TARGETS {
        for seed in seeds(name) {
            check(&seed);
        }
        let Ok(dir) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in dir {
            let path = entry.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
                panic!("{name}: {} panics again", path.display());
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} saved inputs");
}

#[test]
fn random_inputs_never_panic() {
    random_cases(cases_from_env(3_000), 1);
}

#[test]
#[ignore = "long: a million random inputs per target (SHEGONG_FUZZ_CASES to change)"]
fn long_random_inputs_never_panic() {
    random_cases(cases_from_env(1_000_000), 2);
}

/// Writes the seeds of every target to `fuzz/corpus/TARGET/` (not kept in git) for
/// `cargo fuzz run` to start from.
#[test]
#[ignore = "a tool: writes the fuzzers' seed corpus"]
fn write_seed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, _) in TARGETS {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, seed) in seeds(name).iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i}")), seed).unwrap();
        }
    }
}

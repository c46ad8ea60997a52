//! Read + parse throughput of a large CSV file, without the store (the store's write side is
//! measured separately). Ignored by default; run in release mode on the synthetic budget file:
//!
//! ```text
//! python3 /work/shared/tools/gen_synthetic.py --out /tmp/io-syn
//! SHEGONG_SPEED_FILE=/tmp/io-syn/budget.csv \
//!   cargo test --release --test interchange_speed -- --ignored --nocapture
//! ```

use shegong::interchange::{parse_file, Kind};
use std::time::Instant;

#[test]
#[ignore]
fn parse_throughput() {
    let path = std::env::var("SHEGONG_SPEED_FILE").unwrap_or_else(|_| "/tmp/io-syn/budget.csv".into());
    let kind = Kind::parse(&std::env::var("SHEGONG_SPEED_KIND").unwrap_or_else(|_| "budget".into())).unwrap();
    let bytes = std::fs::read(&path).expect("the synthetic file exists (see the module doc)");
    let mut best = f64::MAX;
    let mut rows = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let parsed = parse_file(kind, &bytes).expect("the file parses");
        let secs = start.elapsed().as_secs_f64();
        rows = parsed.len();
        best = best.min(secs);
        drop(parsed);
    }
    println!(
        "{path}: {rows} rows read + parsed in {best:.3} s (best of 3) = {:.0} rows/s, {:.0} MB/s",
        rows as f64 / best,
        bytes.len() as f64 / best / 1e6
    );
}

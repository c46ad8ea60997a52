//! Reads the root's children with their totals, as the funding chart and a report do, N times
//! over one open store, and prints how long each read took: the probe of docs/PERFORMANCE.md's
//! "The funding chart: children's totals read borrowed…" (issue 14). Under
//! `valgrind --tool=callgrind`, runs of N = 1 and N = 5 give a read's instructions by
//! difference (the open is the same in both).
//!
//! ```text
//! children_measures STORE_DIR [N]
//! ```

use shegong::registry::Registry;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: children_measures STORE_DIR [N]");
        std::process::exit(2);
    };
    let times = match args.next().map(|n| n.parse::<usize>()) {
        None => 8,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("N: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&dir, times) {
        eprintln!("{dir}: {e}");
        std::process::exit(1);
    }
}

fn run(dir: &str, times: usize) -> Result<(), Box<dyn std::error::Error>> {
    // Opened as a writer, as `tests/tui_perf.rs` does with SHEGONG_PERF_READONLY=0: a read-only
    // open copies the store first. Nothing is written.
    let store = Registry::open(std::path::Path::new(dir), false)?;
    let root = store.roots()?.into_iter().next().ok_or("the store has no unit")?.code;
    let today = chrono::Local::now().date_naive();
    for n in 1..=times {
        let started = Instant::now();
        let (_, kids) = store.measures_with_children(&root, today)?;
        let together = started.elapsed();
        let started = Instant::now();
        store.subtree_measures(&root, today)?;
        let subtree = started.elapsed();
        let started = Instant::now();
        store.children_measures(&root, today)?;
        let children = started.elapsed();
        println!(
            "{n}: {} children; measures_with_children {together:?}, subtree_measures {subtree:?}, children_measures {children:?}",
            kids.len()
        );
    }
    Ok(())
}

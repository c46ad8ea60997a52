//! Helpers shared by the whole-program tests: run the real binary on a temporary store.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn shegong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shegong"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("the binary runs")
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

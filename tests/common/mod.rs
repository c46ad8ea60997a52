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

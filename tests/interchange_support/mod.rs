//! Helpers for the interchange and backup tests: a temporary store driven through the real
//! binary, files written next to it, and a snapshot of everything a store holds, to assert that
//! a refused import changed nothing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

/// Everything observable about a store: counts, the full report, every record exported.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub counts: [usize; 4],
    pub report: serde_json::Value,
    pub exports: Vec<String>,
}

pub fn run_in(dir: &Path, lang: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shegong"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--lang")
        .arg(lang)
        .args(args)
        .env_remove("SHEGONG_DATA_DIR")
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

impl Env {
    /// A store that does not exist yet.
    pub fn none() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        Env { tmp, dir }
    }

    pub fn empty() -> Env {
        let env = Env::none();
        env.ok(&["init", "--empty"]);
        env
    }

    pub fn xishan() -> Env {
        let env = Env::none();
        env.ok(&["init"]);
        env
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_in(&self.dir, "en", args)
    }

    pub fn run_lang(&self, lang: &str, args: &[&str]) -> Output {
        run_in(&self.dir, lang, args)
    }

    /// Runs and insists on exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "shegong {args:?} failed ({:?}): {}\n{}",
            out.status.code(),
            stderr(&out),
            stdout(&out)
        );
        stdout(&out)
    }

    /// Writes a file in the test's folder (outside the store).
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn import(&self, kind: &str, path: &Path) -> Output {
        self.run(&["import", kind, path.to_str().unwrap()])
    }

    /// Imports a file that must be accepted; returns the summary line.
    pub fn import_ok(&self, kind: &str, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.file(name, bytes);
        let out = self.import(kind, &path);
        assert!(out.status.success(), "import {kind} {name} failed: {}", stderr(&out));
        stdout(&out)
    }

    /// Imports a file that must be refused with exit 1 and change nothing; returns the message.
    pub fn import_refused(&self, kind: &str, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let before = self.snapshot();
        let path = self.file(name, bytes);
        let out = self.import(kind, &path);
        assert_eq!(
            out.status.code(),
            Some(1),
            "import {kind} {name} should fail: {}",
            stdout(&out)
        );
        assert_eq!(self.snapshot(), before, "a refused import changed the store");
        stderr(&out)
    }

    pub fn counts(&self) -> [usize; 4] {
        let store = shegong::store::Store::open(&self.dir, true).unwrap();
        store.counts().unwrap()
    }

    pub fn report(&self) -> serde_json::Value {
        let text = self.ok(&["report", "--format", "json", "--as-of", "2099-12-31", "--depth", "9"]);
        serde_json::from_str(&text).unwrap()
    }

    /// The report as of a date, to the given depth.
    pub fn report_at(&self, as_of: &str, unit: Option<&str>) -> serde_json::Value {
        let mut args = vec!["report", "--format", "json", "--as-of", as_of, "--depth", "9"];
        if let Some(u) = unit {
            args.extend(["--unit", u]);
        }
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    /// A kind exported as JSON, parsed.
    pub fn export_json(&self, kind: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
        let text = self.ok(&["export", kind, "--format", "json"]);
        serde_json::from_str(&text).unwrap()
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            counts: self.counts(),
            report: self.report(),
            exports: KINDS
                .iter()
                .map(|k| self.ok(&["export", k, "--format", "csv"]))
                .collect(),
        }
    }
}

/// The four kinds of file, in import order.
pub const KINDS: [&str; 4] = ["units", "evaluations", "trainings", "budget"];

/// Every record of every kind, as sorted JSON objects (export order follows internal unit
/// numbers, which a new store may assign differently).
pub fn records(env: &Env) -> std::collections::BTreeMap<&'static str, Vec<String>> {
    KINDS
        .iter()
        .map(|k| {
            let mut v: Vec<String> = env
                .export_json(k)
                .iter()
                .map(|r| serde_json::to_string(r).unwrap())
                .collect();
            v.sort();
            (*k, v)
        })
        .collect()
}

/// A fixture file of tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The value of one column of one exported record.
pub fn field<'a>(record: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> &'a str {
    record.get(name).and_then(|v| v.as_str()).unwrap_or("")
}

/// A small hierarchy every test can build on: a district, two streets with stations, a
/// community without one.
pub const UNITS_CSV: &str = "code,parent,level,name,station,opened_on,social_workers,certified_workers\n\
D1,,district,西山区,operating,2021-05-30,3,2\n\
S1,D1,street,西苑街道,operating,2020,2,1\n\
S2,D1,street,马街街道,building,,0,0\n\
C1,S1,community,前卫社区,none,,0,0\n";

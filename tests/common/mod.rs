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

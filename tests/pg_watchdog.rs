//! The throwaway cluster of `pg_support` stops itself when its test process dies without
//! dropping it (`Cluster::watch`): this test runs a child test process (this same test program,
//! its ignored `holds_a_cluster_until_killed`) that starts a cluster and waits, kills it with
//! SIGKILL (no destructor runs), and sees the server stop and its folder go. Skipped, saying
//! why, without PostgreSQL.

#[allow(dead_code)]
mod pg_support;
mod skip;

use pg_support::Cluster;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set for the child: only then does `holds_a_cluster_until_killed` start a cluster.
const CHILD: &str = "SHEGONG_WATCHDOG_CHILD";

/// The child: starts a cluster, says its server's pid and folder, and waits to be killed.
#[test]
#[ignore = "run by a_killed_test_process_leaves_no_server, as its child"]
fn holds_a_cluster_until_killed() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let Some(cluster) = Cluster::start() else { return };
    println!("cluster {} {}", cluster.pid(), cluster.root().display());
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    })
}

#[test]
fn a_killed_test_process_leaves_no_server() {
    // Skips (saying why) where no cluster can start; this one also shows the harness works.
    let Some(_probe) = Cluster::start() else { return };
    let program = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => panic!("this test program: {e}"),
    };
    let mut child = match Command::new(program)
        .args(["--ignored", "--exact", "holds_a_cluster_until_killed", "--nocapture"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("the child test process: {e}"),
    };
    let Some(out) = child.stdout.take() else {
        panic!("the child's output")
    };
    let mut said = None;
    for line in BufReader::new(out).lines() {
        let Ok(line) = line else { break };
        if let Some(rest) = line.strip_prefix("cluster ") {
            said = rest
                .split_once(' ')
                .map(|(pid, root)| (pid.to_string(), PathBuf::from(root)));
            break;
        }
    }
    let Some((pid, root)) = said else {
        // The child could not start a cluster: killed anyway, then said.
        let _ = child.kill();
        let _ = child.wait();
        panic!("the child did not start a cluster");
    };
    let pid: i32 = match pid.parse() {
        Ok(p) => p,
        Err(e) => panic!("the server's pid {pid:?}: {e}"),
    };
    assert!(alive(pid), "the child's server runs");
    assert!(root.join("data").is_dir());

    // SIGKILL: no destructor of the child runs.
    if let Err(e) = child.kill() {
        panic!("killing the child: {e}");
    }
    if let Err(e) = child.wait() {
        panic!("reaping the child: {e}");
    }
    let killed = Instant::now();
    while (alive(pid) || root.exists()) && killed.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!alive(pid), "the server (pid {pid}) outlived its test process");
    assert!(!root.exists(), "the folder {} stayed", root.display());
    println!(
        "the server stopped and its folder went {:?} after its test process was killed",
        killed.elapsed()
    );
}

//! The real binary against a throwaway cluster, shared by the PostgreSQL test files: the
//! command with none of the caller's `PG*`, `SHEGONG_*` or `LC_*` settings (in English), the
//! URL of a login on a database (the socket folder as `host`, never a password), the binary as
//! that login (the password from the cluster's password file), running it, and its exit code
//! asserted.

// Each test file uses part of what the files share.
#![allow(dead_code)]

use super::{Cluster, Login};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The binary, in English, with no `PG*`, `SHEGONG_*` or `LC_*` setting of the caller's.
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shegong"));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("PG") || key.starts_with("SHEGONG_") || key.starts_with("LC_") {
            command.env_remove(key);
        }
    }
    command.env("LANG", "en_US.UTF-8");
    command
}

/// The URL of `login` on `db` of `cluster`: no password, the socket folder as `host`.
pub fn url(cluster: &Cluster, login: &Login, db: &str) -> String {
    format!("postgresql://{}@/{db}?host={}", login.name, cluster.root().display())
}

/// `url`, naming the cluster's password file in it (for a process or a connection that is
/// not given `PGPASSFILE`).
pub fn url_with_passfile(cluster: &Cluster, login: &Login, db: &str) -> String {
    format!(
        "{}&passfile={}",
        url(cluster, login, db),
        cluster.root().join("pgpass").display()
    )
}

/// The binary as `login` on `db` (`--db URL`, the password from the cluster's password file
/// as `PGPASSFILE`), given `args`.
pub fn on(cluster: &Cluster, login: &Login, db: &str, args: &[&str]) -> Command {
    let mut command = binary();
    command
        .arg("--db")
        .arg(url(cluster, login, db))
        .args(args)
        .env("PGPASSFILE", cluster.root().join("pgpass"));
    command
}

/// Runs `command` with `stdin` on its standard input (closed at once when `None`).
pub fn run(mut command: Command, stdin: Option<&str>) -> Output {
    let spawned = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => panic!("the binary did not start: {e}"),
    };
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(text) = stdin {
            if let Err(e) = pipe.write_all(text.as_bytes()) {
                panic!("stdin: {e}");
            }
        }
    }
    match child.wait_with_output() {
        Ok(out) => out,
        Err(e) => panic!("the binary: {e}"),
    }
}

/// Asserts that `out` exited with `code` (saying its output if not); its standard output.
#[track_caller]
pub fn expect(out: &Output, code: i32) -> String {
    let said = format!("stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(code), "{said}");
    text(&out.stdout)
}

/// Bytes a process wrote, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A login that owns a new database `db` and may create roles (as the one that runs `init`
/// must), with no shegong schema in it yet.
pub fn empty_database(cluster: &Cluster, db: &str) -> Login {
    let owner = Login::new(&format!("{db}_owner"));
    cluster.create_login(&owner, "CREATEROLE");
    cluster.run(
        cluster.superuser(),
        "postgres",
        &format!("CREATE DATABASE \"{db}\" OWNER \"{}\";", owner.name),
    );
    owner
}

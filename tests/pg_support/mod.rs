//! A throwaway PostgreSQL cluster for the tests: Debian's binaries
//! (`/usr/lib/postgresql/*/bin`), a private temp folder holding the data, the Unix socket (no TCP:
//! `listen_addresses=''`) and the log, stopped by its own pid and removed on drop. The server
//! refuses to run as root, so as root every server command runs as the `postgres` user the
//! package creates (`runuser -u postgres --`), with the folder given to it; as anyone else it
//! runs directly.
//!
//! Passwords go through a password file (`PGPASSFILE`, mode 0600), never a command line or an
//! environment variable: neither `ps` nor `/proc/PID/environ` shows them. Every `PG*` variable
//! of the caller's environment is removed from each command, so a developer's own settings never
//! point a test at a real server.
//!
//! A cluster whose test process dies without dropping it (killed, aborted) is stopped and
//! removed by a watchdog started with the server (`Cluster::watch`); `tests/pg_watchdog.rs`
//! shows it.
//!
//! Where the binaries (or, as root, the `postgres` user and `runuser`) are missing, `start`
//! reports a skip through `skip::skip`, which fails under `SHEGONG_NO_SKIP=1`.
//!
//! Beside it, what the PostgreSQL test files share: `binary` (the real binary as a login on a
//! database of the cluster, and running it) and `tmux` (the UI in a private tmux server).

pub mod binary;
pub mod tmux;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// The port in the socket's name; nothing listens on TCP (unless `start_listening`).
const PORT: &str = "5432";

/// What `start_listening` adds: a TCP address, more server settings, and files for them
/// (a certificate and its key), written into the cluster's folder as the server's own.
#[derive(Clone, Default)]
struct Listen {
    port: Option<u16>,
    settings: String,
    files: Vec<(String, Vec<u8>)>,
}

/// A login and its password.
#[derive(Clone, Debug)]
pub struct Login {
    pub name: String,
    pub password: String,
}

impl Login {
    /// A login named `name` with a fresh random password.
    pub fn new(name: &str) -> Login {
        Login {
            name: name.to_string(),
            password: random_hex(16),
        }
    }
}

/// A running cluster; stopped and removed on drop.
pub struct Cluster {
    root: tempfile::TempDir,
    bin: PathBuf,
    /// As root: `runuser`, and the uid and gid of `postgres`, which runs the server.
    run_as: Option<(PathBuf, u32, u32)>,
    pid: i32,
    superuser: Login,
    /// Applying migrations creates the cluster-wide group roles, which two databases of one
    /// cluster must not do at the same moment.
    migrating: Mutex<()>,
    passfile: Mutex<()>,
    listen: Listen,
}

/// Why a cluster could not start: a skip (something missing) or a failure.
enum Refusal {
    Skip(String),
    Fail(String),
}

impl Cluster {
    /// One cluster shared by the tests of one test binary that run at the same time (each with
    /// its own database); it stops when the last of them drops it. `None` after reporting a skip.
    pub fn shared() -> Option<Arc<Cluster>> {
        static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cluster) = shared.upgrade() {
            return Some(cluster);
        }
        let cluster = Arc::new(Cluster::start()?);
        *shared = Arc::downgrade(&cluster);
        Some(cluster)
    }

    /// A new cluster of its own; `None` after reporting a skip. Panics when the binaries are
    /// there but the server does not start (a real failure, never a skip).
    pub fn start() -> Option<Cluster> {
        match Cluster::try_start() {
            Ok(cluster) => Some(cluster),
            Err(Refusal::Skip(why)) => {
                super::skip::skip(&why);
                None
            }
            Err(Refusal::Fail(why)) => panic!("the throwaway PostgreSQL cluster did not start: {why}"),
        }
    }

    /// A new cluster of its own that also listens on 127.0.0.1 at a free port (and on its
    /// socket, under that port's number), with more server settings (`-c name=value …`, e.g.
    /// TLS; `{root}` in them is the cluster's folder) and `files` (name, contents) written into
    /// that folder for them, readable by the server only; `None` after reporting a skip.
    // Only tests/pg_tls.rs listens on TCP.
    #[allow(dead_code)]
    pub fn start_listening(settings: &str, files: &[(&str, &[u8])]) -> Option<Cluster> {
        let port = match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
            Ok(addr) => addr.port(),
            Err(e) => panic!("no free port on 127.0.0.1: {e}"),
        };
        let listen = Listen {
            port: Some(port),
            settings: settings.to_string(),
            files: files.iter().map(|(n, c)| (n.to_string(), c.to_vec())).collect(),
        };
        match Cluster::try_start_with(listen) {
            Ok(cluster) => Some(cluster),
            Err(Refusal::Skip(why)) => {
                super::skip::skip(&why);
                None
            }
            Err(Refusal::Fail(why)) => panic!("the throwaway PostgreSQL cluster did not start: {why}"),
        }
    }

    /// The port it listens on (and names its socket by).
    pub fn port(&self) -> String {
        self.listen.port.map_or_else(|| PORT.to_string(), |p| p.to_string())
    }

    fn try_start() -> Result<Cluster, Refusal> {
        Cluster::try_start_with(Listen::default())
    }

    fn try_start_with(listen: Listen) -> Result<Cluster, Refusal> {
        let bin = bin_dir().map_err(Refusal::Skip)?;
        let run_as = if unsafe { libc::geteuid() } == 0 {
            let Some(runuser) = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
                .into_iter()
                .map(PathBuf::from)
                .find(|path| path.is_file())
            else {
                return Err(Refusal::Skip("the tests run as root and runuser is missing".into()));
            };
            let (uid, gid) = postgres_ids().map_err(Refusal::Skip)?;
            Some((runuser, uid, gid))
        } else {
            None
        };
        let root = tempfile::Builder::new()
            .prefix("shegong-pg")
            .tempdir()
            .map_err(|e| Refusal::Fail(format!("temp folder: {e}")))?;
        let mut cluster = Cluster {
            root,
            bin,
            run_as,
            pid: 0,
            superuser: Login::new("postgres"),
            migrating: Mutex::new(()),
            passfile: Mutex::new(()),
            listen,
        };
        cluster.init_and_run().map_err(Refusal::Fail)?;
        Ok(cluster)
    }

    fn init_and_run(&mut self) -> Result<(), String> {
        let root = self.root.path().to_path_buf();
        let pwfile = root.join("pw");
        std::fs::write(&pwfile, format!("{}\n", self.superuser.password)).map_err(|e| format!("pwfile: {e}"))?;
        std::fs::write(root.join("pgpass"), "").map_err(|e| format!("pgpass: {e}"))?;
        std::fs::set_permissions(root.join("pgpass"), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("pgpass: {e}"))?;
        self.remember(&self.superuser.clone())?;
        if let Some((_, uid, gid)) = &self.run_as {
            // The folder is the server's; root keeps reading it (the password file stays
            // root's, mode 0600: it is the client's).
            for path in [root.as_path(), pwfile.as_path()] {
                std::os::unix::fs::chown(path, Some(*uid), Some(*gid)).map_err(|e| format!("chown: {e}"))?;
            }
        }
        let data = root.join("data");
        let out = self
            .server_command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!("initdb: {}", String::from_utf8_lossy(&out.stderr)));
        }
        std::fs::remove_file(&pwfile).map_err(|e| format!("pwfile: {e}"))?;
        self.launch()
    }

    /// Starts the server on the initialized folder (again, after `stop_server`).
    fn launch(&mut self) -> Result<(), String> {
        let root = self.root.path().to_path_buf();
        let data = root.join("data");
        // A test server: no durability needed, and the socket only in our folder.
        let addresses = if self.listen.port.is_some() { "127.0.0.1" } else { "" };
        let options = format!(
            "-c listen_addresses='{addresses}' -c port={} -c unix_socket_directories='{}' -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off {}",
            self.port(),
            root.display(),
            self.listen.settings.replace("{root}", &root.display().to_string())
        );
        for (name, contents) in &self.listen.files {
            let path = root.join(name);
            std::fs::write(&path, contents).map_err(|e| format!("{name}: {e}"))?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("{name}: {e}"))?;
            if let Some((_, uid, gid)) = &self.run_as {
                std::os::unix::fs::chown(&path, Some(*uid), Some(*gid)).map_err(|e| format!("chown: {e}"))?;
            }
        }
        let out = self
            .server_command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(root.join("log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("pg_ctl: {e}"))?;
        let pid = std::fs::read_to_string(data.join("postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next().and_then(|line| line.trim().parse::<i32>().ok()));
        if let Some(pid) = pid {
            self.pid = pid;
        }
        if !out.status.success() || pid.is_none() {
            return Err(format!(
                "pg_ctl start: {}\n{}",
                String::from_utf8_lossy(&out.stderr),
                self.log()
            ));
        }
        self.watch()
    }

    /// Starts the watchdog that stops this server when the test process is gone without
    /// dropping the cluster (killed, or aborted): a shell loop, detached (its own process
    /// group, its parent gone at once, no standard streams, so that neither a signal to the
    /// test's group nor a reader of the test's output waits on it), that looks every half
    /// second whether the test process lives (a zombie counts as gone) and whether this server
    /// still runs (its `postmaster.pid` names it: a cluster stopped or dropped, or started again
    /// under another pid, ends the watch, so a pid used again later is never signalled). When the
    /// test is gone and the server is not, it stops the server by its pid as `stop` would
    /// (SIGQUIT, the immediate shutdown, then SIGKILL after 10 s) and removes the folder.
    fn watch(&self) -> Result<(), String> {
        const SCRIPT: &str = r#"
            alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | grep -q '^Z'; }
            ours() { [ "$(head -n 1 "$3/postmaster.pid" 2>/dev/null)" = "$2" ]; }
            watch() {
                while alive "$1"; do ours "$@" || exit 0; sleep 0.5; done
                ours "$@" || exit 0
                kill -QUIT "$2"
                n=0
                while alive "$2" && [ "$n" -lt 20 ]; do sleep 0.5; n=$((n + 1)); done
                alive "$2" && kill -KILL "$2"
                rm -rf -- "$4"
            }
            watch "$@" </dev/null >/dev/null 2>&1 &
        "#;
        let root = self.root.path();
        let status = Command::new("/bin/sh")
            .args(["-c", SCRIPT, "watchdog"])
            .arg(std::process::id().to_string())
            .arg(self.pid.to_string())
            .arg(root.join("data"))
            .arg(root)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("the watchdog: {e}"))?;
        if !status.success() {
            return Err(format!("the watchdog did not start: {status}"));
        }
        Ok(())
    }

    /// Stops the server by its pid, as if it went away mid-session (tests/pg_fault.rs); the
    /// folder stays for `start_again`.
    // Only tests/pg_fault.rs stops a server it still uses.
    #[allow(dead_code)]
    pub fn stop_server(&mut self) {
        self.stop();
        // Not signalled again on drop: the pid may be someone else's by then.
        self.pid = 0;
    }

    /// Starts the stopped server again on the same folder and socket.
    #[allow(dead_code)]
    pub fn start_again(&mut self) {
        if let Err(why) = self.launch() {
            panic!("the throwaway PostgreSQL cluster did not start again: {why}");
        }
    }

    /// A command of the server's binaries, as `postgres` when the tests run as root.
    fn server_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if let Some((runuser, _, _)) = &self.run_as {
            let mut c = Command::new(runuser);
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        // `postgres` may not be able to enter the caller's folder.
        command.current_dir(self.root.path());
        clear_pg_env(&mut command);
        command
    }

    /// Adds a login to the password file, the only place a password is written.
    pub fn remember(&self, login: &Login) -> Result<(), String> {
        let _held = self.passfile.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.root.path().join("pgpass"))
            .map_err(|e| format!("pgpass: {e}"))?;
        writeln!(file, "*:*:*:{}:{}", login.name, login.password).map_err(|e| format!("pgpass: {e}"))
    }

    /// The server's log so far (for a failure's message, and to check what it never holds).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("log")).unwrap_or_default()
    }

    /// The server's pid.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The cluster's folder (data, socket, log, password file).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    pub fn superuser(&self) -> &Login {
        &self.superuser
    }

    /// `psql` as `login` on `db`, the SQL on its standard input, stopping at the first error.
    /// The password comes from the password file.
    pub fn psql(&self, login: &Login, db: &str, sql: &str) -> Output {
        self.psql_with(login, db, sql, &[])
    }

    /// `psql` with more arguments (never a password).
    pub fn psql_with(&self, login: &Login, db: &str, sql: &str, args: &[&str]) -> Output {
        let mut command = self.psql_command(login, db, args);
        let mut run = || -> std::io::Result<Output> {
            let mut child = command
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(sql.as_bytes())?;
            }
            child.wait_with_output()
        };
        match run() {
            Ok(out) => out,
            Err(e) => panic!("psql did not run: {e}"),
        }
    }

    /// The `psql` command for `login` on `db`, not yet started.
    pub fn psql_command(&self, login: &Login, db: &str, args: &[&str]) -> Command {
        let mut command = Command::new(self.bin.join("psql"));
        clear_pg_env(&mut command);
        command
            .args(["-X", "-w", "-v", "ON_ERROR_STOP=1"])
            .args(args)
            .env("PGHOST", self.root.path())
            .env("PGPORT", self.port())
            .env("PGUSER", &login.name)
            .env("PGDATABASE", db)
            .env("PGPASSFILE", self.root.path().join("pgpass"));
        command
    }

    /// Runs `sql`; panics with psql's words when it fails. Returns its standard output.
    pub fn run(&self, login: &Login, db: &str, sql: &str) -> String {
        let out = self.psql(login, db, sql);
        assert!(
            out.status.success(),
            "psql as {} on {db} failed:\n{}\nSQL:\n{sql}",
            login.name,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `sql` in tuples-only, unaligned mode: its rows, `|`-separated.
    pub fn query(&self, login: &Login, db: &str, sql: &str) -> String {
        let out = self.psql_with(login, db, sql, &["-A", "-t", "-q"]);
        assert!(
            out.status.success(),
            "psql as {} on {db} failed:\n{}\nSQL:\n{sql}",
            login.name,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Makes a login (with `attributes` such as `CREATEROLE` or `IN ROLE g`) and remembers its
    /// password. The password travels on psql's standard input, never a command line.
    pub fn create_login(&self, login: &Login, attributes: &str) {
        if let Err(e) = self.remember(login) {
            panic!("{e}");
        }
        let password = login.password.replace('\'', "''");
        self.run(
            &self.superuser,
            "postgres",
            &format!(
                "CREATE ROLE \"{}\" LOGIN PASSWORD '{password}' {attributes};",
                login.name
            ),
        );
    }

    /// A database owned by a new login `owner` (which may create roles, as the login that runs
    /// `shegong init` must), with every migration applied as that owner, each in one
    /// transaction.
    pub fn create_database(&self, db: &str, owner: &Login) {
        self.create_login(owner, "CREATEROLE");
        self.run(
            &self.superuser,
            "postgres",
            &format!("CREATE DATABASE \"{db}\" OWNER \"{}\";", owner.name),
        );
        let _held = self.migrating.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (version, sql) in shegong::pg::MIGRATIONS {
            let out = self.psql_with(owner, db, sql, &["-q", "--single-transaction"]);
            assert!(
                out.status.success(),
                "migration {version} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// Stops the server by its own pid (a fast shutdown), waiting until it is gone.
    fn stop(&self) {
        if self.pid <= 0 {
            return;
        }
        // Gone, or a zombie nobody has reaped yet (its pid is still taken, but it serves nothing).
        let gone = |pid: i32| {
            (unsafe { libc::kill(pid, 0) }) != 0
                || std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                    stat.rsplit(')')
                        .next()
                        .is_some_and(|rest| rest.trim_start().starts_with('Z'))
                })
        };
        for (signal, wait) in [(libc::SIGINT, 30), (libc::SIGQUIT, 10), (libc::SIGKILL, 10)] {
            // SAFETY: a signal to the server's own pid, read from its postmaster.pid.
            unsafe { libc::kill(self.pid, signal) };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(wait) {
                if gone(self.pid) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        eprintln!("the throwaway PostgreSQL server (pid {}) did not stop", self.pid);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        // The folder goes with `root` (tempfile), as root even though `postgres` owns it.
    }
}

/// The newest Debian PostgreSQL binaries with everything the harness runs.
fn bin_dir() -> Result<PathBuf, String> {
    let base = Path::new("/usr/lib/postgresql");
    let entries = std::fs::read_dir(base)
        .map_err(|_| "PostgreSQL is not installed (no /usr/lib/postgresql; apt-get install postgresql)".to_string())?;
    let mut found: Vec<(u32, PathBuf)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .to_string_lossy()
                .split('.')
                .next()?
                .parse::<u32>()
                .ok()?;
            let bin = entry.path().join("bin");
            ["initdb", "pg_ctl", "postgres", "psql"]
                .iter()
                .all(|program| bin.join(program).is_file())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "no /usr/lib/postgresql/*/bin has initdb, pg_ctl, postgres and psql (apt-get install postgresql)".to_string()
    })
}

/// The uid and gid of the `postgres` user.
fn postgres_ids() -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"postgres") && fields.len() > 3)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .ok_or_else(|| "the tests run as root and there is no postgres user to run the server".to_string())
}

fn clear_pg_env(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            command.env_remove(key);
        }
    }
}

/// `bytes` random bytes in hex, from the kernel.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf));
    if let Err(e) = read {
        panic!("/dev/urandom: {e}");
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

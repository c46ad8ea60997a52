//! The UI (the real binary) in tmux on a private socket, for the PostgreSQL test files: opened
//! as a login on a database of the cluster, its screen read, keys sent, and waiting (bounded)
//! until the screen shows something. The tmux server, and the UI in it, end on drop.

// Each test file uses part of what the files share.
#![allow(dead_code)]

use super::binary::{text, url};
use super::{Cluster, Login};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// tmux on a private socket, so that a user's own sessions are never touched; the server
/// (and the UI in it) is ended on drop.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> Option<Output> {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .ok()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "ui"])
            .map(|o| text(&o.stdout))
            .unwrap_or_default()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "ui"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Waits until `done` says yes of the screen; panics with the screen after `within`.
    pub fn wait(&self, what: &str, within: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if start.elapsed() > within {
                panic!("{what} not within {within:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        self.wait(&format!("“{text}”"), Duration::from_secs(secs), |s| {
            s.contains(text)
        })
    }

    /// Moves the selection down until the status line names `code`.
    pub fn select(&self, code: &str) {
        for _ in 0..30 {
            if self.screen().contains(code) {
                return;
            }
            self.keys(&["Down"]);
            std::thread::sleep(Duration::from_millis(150));
        }
        self.wait_for(code, 2);
    }

    /// Records an allocation of `yuan` for the selected unit through the form.
    pub fn record_allocation(&self, yuan: &str, title: &str, saved: &str) -> Instant {
        self.type_allocation(yuan, title);
        self.keys(&["C-s"]);
        self.wait_for(saved, 10);
        Instant::now()
    }

    /// Opens the budget form of the selected unit and types `yuan` as the amount (not saved).
    pub fn type_allocation(&self, yuan: &str, title: &str) {
        self.keys(&["b"]);
        self.wait_for(title, 10);
        // Date, unit, kind, category, source: the amount is the sixth field.
        self.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
        self.keys(&["-l", yuan]);
        self.wait_for(yuan, 5);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// `s` quoted for the shell.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Whether tmux is there to run (a test without it says it is skipped).
pub fn available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok()
}

/// The UI of `login` on `db` in `lang`, in a tmux window of `size` (columns, rows).
pub fn open_ui(cluster: &Cluster, login: &Login, db: &str, lang: &str, size: (u16, u16)) -> Tmux {
    let tmux = Tmux {
        socket: format!("shegong-{db}-{}-{lang}", std::process::id()),
    };
    let command = format!(
        "env -u PGPASSWORD PGPASSFILE={} {} --db {} --lang {lang}",
        quote(&cluster.root().join("pgpass").display().to_string()),
        quote(env!("CARGO_BIN_EXE_shegong")),
        quote(&url(cluster, login, db)),
    );
    let (w, h) = (size.0.to_string(), size.1.to_string());
    let started = tmux.run(&["new-session", "-d", "-s", "ui", "-x", &w, "-y", &h, &command]);
    assert!(started.is_some_and(|o| o.status.success()), "tmux started");
    tmux
}

/// The first line of `screen` that names `name` (its tree row).
pub fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen.lines().find(|l| l.contains(name)).unwrap_or("")
}

//! The real binary in a real terminal (tmux): open the Xishan data, open the district, record
//! a training, see it in the district's history (`H`), quit, and check with `shegong report`
//! that it was stored (15 → 16). Skipped, with a word, where tmux is not installed. Waits by
//! polling the screen, never by fixed sleeps.

mod skip;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// tmux on a private socket, so that a user's own sessions are never touched.
struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Option<Output> {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .ok()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.session])
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Waits until the screen shows `text`; panics with the screen after `secs`.
    fn wait_for(&self, text: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("“{text}” did not appear within {secs} s; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        self.run(&["has-session", "-t", &self.session])
            .is_some_and(|o| o.status.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn trainings(bin: &str, dir: &str) -> i64 {
    let out = Command::new(bin)
        .args(["--data-dir", dir, "report", "--format", "json"])
        .output()
        .expect("shegong report runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json["trainings"]["count"].as_i64().expect("a training count")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A temporary folder whose `store` holds the Xishan data, and the binary; `None`, said as a
/// skip, where tmux is not installed.
fn xishan_store() -> Option<(tempfile::TempDir, &'static str)> {
    if Command::new("tmux").arg("-V").output().is_err() {
        skip::skip("tmux is not installed");
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_shegong");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let init = Command::new(bin)
        .arg("--data-dir")
        .arg(dir.path().join("store"))
        .arg("init")
        .output()
        .expect("shegong init runs");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    Some((dir, bin))
}

/// The UI on the store `data`, in `lang`, in a tmux window of `size` on a private socket.
fn open_ui(bin: &str, data: &str, lang: &str, size: (u16, u16), tag: &str) -> Tmux {
    let tmux = Tmux {
        socket: format!("shegong-{tag}-{}", std::process::id()),
        session: "ui".into(),
    };
    let command = format!("{} --data-dir {} --lang {lang}", quote(bin), quote(data));
    let (w, h) = (size.0.to_string(), size.1.to_string());
    let started = tmux.run(&["new-session", "-d", "-s", &tmux.session, "-x", &w, "-y", &h, &command]);
    assert!(started.is_some_and(|o| o.status.success()), "tmux started");
    tmux
}

#[test]
fn records_a_training_in_the_real_binary() {
    let Some((dir, bin)) = xishan_store() else {
        return;
    };
    let data = dir.path().join("store");
    let data = data.to_str().expect("a UTF-8 path");
    assert_eq!(trainings(bin, data), 15);
    // Twelve automatic backups of earlier sessions, and a backup of the user's own: the
    // session's backup makes thirteen automatic ones, of which the newest 10 are kept.
    let backups_dir = std::path::Path::new(data).join("backups");
    std::fs::create_dir_all(&backups_dir).expect("a backups folder");
    let earlier: Vec<String> = (1..=12).map(|i| format!("auto-2020{i:02}01-080000.sgbak")).collect();
    for name in earlier.iter().chain([&"mine.sgbak".to_string()]) {
        std::fs::write(backups_dir.join(name), b"an earlier backup").expect("written");
    }

    let tmux = open_ui(bin, data, "en", (120, 40), "test");
    tmux.wait_for("西山区", 20);
    tmux.wait_for("as of", 5);
    // The district is open from the start.
    tmux.wait_for("西苑街道", 10);
    // Record a training for it: the form starts with today and the district as host.
    tmux.keys(&["t"]);
    tmux.wait_for("Record a training", 10);
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    tmux.keys(&["-l", "tmux smoke run"]);
    tmux.wait_for("tmux smoke run", 10);
    tmux.keys(&["C-s"]);
    tmux.wait_for("Saved the training", 10);
    // The district's row and the list show it at once.
    tmux.wait_for("16 records", 10);
    // Its history names the change; Esc goes back.
    tmux.keys(&["H"]);
    tmux.wait_for("History · 西山区", 10);
    tmux.wait_for("added training", 10);
    tmux.keys(&["Escape"]);
    tmux.wait_for("16 records", 10);
    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.alive() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the UI did not quit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(trainings(bin, data), 16);
    // A session that changed something leaves an automatic backup behind, and only the
    // newest 10 automatic backups stay: the three oldest went, the user's own file stays.
    let mut names: Vec<String> = std::fs::read_dir(&backups_dir)
        .expect("a backups folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let autos: Vec<&String> = names.iter().filter(|n| n.starts_with("auto-")).collect();
    assert_eq!(autos.len(), 10, "{names:?}");
    assert_eq!(autos[..9], earlier.iter().skip(3).collect::<Vec<_>>()[..], "{names:?}");
    assert!(
        !earlier.contains(autos[9]),
        "the session's own backup is kept: {names:?}"
    );
    assert!(names.contains(&"mine.sgbak".to_string()), "{names:?}");
}

/// Issue 10 at 80×24 in the real binary, in Chinese: the overview marks and scrolls, the
/// footer points to `?`, the help pages and stays open on a stray key, `g` shows any date,
/// an untouched form closes on Esc, a negative allocation is asked about as a correction.
#[test]
fn a_clerk_at_80x24_loses_nothing_silently() {
    let Some((dir, bin)) = xishan_store() else {
        return;
    };
    let data = dir.path().join("store");
    let data = data.to_str().expect("a UTF-8 path");
    let tmux = open_ui(bin, data, "zh", (80, 24), "test80");
    tmux.wait_for("西山区", 20);
    // The district opens with its streets shown.
    tmux.wait_for("西苑街道", 10);
    // The overview is cut at 80×24: marked, and J scrolls it to its end.
    let screen = tmux.wait_for("↓ 下面还有 J", 10);
    assert!(screen.contains("…? 其余按键"), "{screen}");
    tmux.keys(&["J"; 24]);
    tmux.wait_for("↑ 上面还有 K", 10);
    tmux.wait_for("站日期取该截止日", 10);
    // The help: a stray key keeps it, PgDn pages, q closes it (and not the program).
    tmux.keys(&["?"]);
    tmux.wait_for("按键一览", 10);
    tmux.keys(&["x", "PageDown"]);
    tmux.wait_for("↑ 上面还有", 10);
    assert!(tmux.screen().contains("按键一览"));
    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.screen().contains("按键一览") {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(tmux.alive());
    // g: any date the importer reads.
    tmux.keys(&["g"]);
    tmux.wait_for("截至日期：", 10);
    tmux.keys(&["-l", "2021/5/30"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("截至 2021-05-30", 10);
    tmux.keys(&["."]);
    // An untouched form closes on Esc without a question.
    tmux.keys(&["t"]);
    tmux.wait_for("录入培训 ·", 10);
    tmux.keys(&["Escape"]);
    let start = Instant::now();
    while tmux.screen().contains("录入培训 ·") {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!tmux.screen().contains("请确认"));
    // A negative allocation: named a correction, asked again, then saved.
    tmux.keys(&["b"]);
    tmux.wait_for("录入资金 ·", 10);
    tmux.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
    tmux.keys(&["-l", "--", "-500"]);
    tmux.wait_for("是更正", 10);
    tmux.keys(&["Enter"]);
    tmux.wait_for("仍然保存吗", 10);
    tmux.keys(&["y"]);
    tmux.wait_for("已保存", 10);
    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.alive() {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
}

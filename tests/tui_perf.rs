//! How fast the UI is on a large store, measured at the library level (drawing into a
//! TestBackend, so no terminal is timed). Ignored by default; run on a store you built:
//!
//! ```text
//! SHEGONG_PERF_DIR=/tmp/tui-big cargo test --release --test tui_perf -- --ignored --nocapture
//! ```
//!
//! `SHEGONG_PERF_READONLY=0` opens the store to write instead of through `--readonly`'s copy.
//! On a shared server instead (issue 13; `benches/server.py` does this), the same measures with
//! the store opened as `--db URL --readonly` opens it: `SHEGONG_PERF_DB=URL` in place of
//! `SHEGONG_PERF_DIR`.

mod tui_support;

use crossterm::event::KeyCode;
use shegong::i18n::Lang;
use shegong::registry::Registry;
use shegong::tui::App;
use std::time::{Duration, Instant};
use tui_support::*;

const W: u16 = 200;
const H: u16 = 60;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Presses keys and draws after each; returns (mean, max) per key.
fn timed(app: &mut App, codes: &[KeyCode]) -> (Duration, Duration) {
    let mut total = Duration::ZERO;
    let mut max = Duration::ZERO;
    for code in codes {
        let t = Instant::now();
        press(app, *code);
        render(app, W, H);
        let d = t.elapsed();
        total += d;
        max = max.max(d);
    }
    (total / codes.len().max(1) as u32, max)
}

fn report(what: &str, (mean, max): (Duration, Duration)) {
    println!("{what:<46} mean {:>10}  max {:>10}", ms(mean), ms(max));
}

#[test]
#[ignore]
fn large_store() {
    let db = std::env::var("SHEGONG_PERF_DB").ok();
    let dir = std::env::var("SHEGONG_PERF_DIR").ok();
    if db.is_none() && dir.is_none() {
        println!("skipped: set SHEGONG_PERF_DIR to a large store (or SHEGONG_PERF_DB to a server)");
        return;
    }
    let t = Instant::now();
    // Read-only (as a read-only UI opens it: a private copy of the store) unless
    // SHEGONG_PERF_READONLY=0, for a store too large to copy beside itself.
    let readonly = std::env::var("SHEGONG_PERF_READONLY").map_or(true, |v| v != "0");
    let store = match (&db, &dir) {
        (Some(url), _) => Registry::connect(Some(url), Lang::Zh, true).expect("the server's store opens"),
        (None, Some(dir)) => Registry::open(std::path::Path::new(dir), readonly).expect("the store opens"),
        (None, None) => return,
    };
    let opened = t.elapsed();
    let mut app = App::new(store, Lang::Zh, chrono::Local::now().date_naive()).expect("the UI starts");
    render(&mut app, W, H);
    let first = t.elapsed();
    println!("open the store                                 {:>10}", ms(opened));
    println!("open + first frame ({W}×{H})                 {:>10}", ms(first));

    // The root is open from the start (its children were read before the first frame).
    report("↓ ×100 in the tree", timed(&mut app, &[KeyCode::Down; 100]));
    report("PgDn ×5", timed(&mut app, &[KeyCode::PageDown; 5]));
    report("open a district (→)", timed(&mut app, &[KeyCode::Right]));
    report("↓ ×50 among streets", timed(&mut app, &[KeyCode::Down; 50]));
    report(
        "{ (as of a year back: rows' figures again)",
        timed(&mut app, &[KeyCode::Char('{')]),
    );
    report(". (as of today)", timed(&mut app, &[KeyCode::Char('.')]));
    report("Home (the root)", timed(&mut app, &[KeyCode::Home]));
    report("Tab → evaluations of the root", timed(&mut app, &[KeyCode::Tab]));
    report("Tab → trainings of the root", timed(&mut app, &[KeyCode::Tab]));
    report("Tab → budget of the root", timed(&mut app, &[KeyCode::Tab]));
    report("Tab → coverage chart of the root", timed(&mut app, &[KeyCode::Tab]));
    report(
        "Tab → funding chart of the root (each child a bar)",
        timed(&mut app, &[KeyCode::Tab]),
    );
    report(
        "↓ with the funding chart shown (a district)",
        timed(&mut app, &[KeyCode::Down]),
    );
    report("Tab → overview", timed(&mut app, &[KeyCode::Tab]));
    report("↓ ×20 with the overview shown", timed(&mut app, &[KeyCode::Down; 20]));
    keys(&mut app, &["Tab", "Tab", "Tab"]);
    report(
        "s: budget of a district with its subtree",
        timed(&mut app, &[KeyCode::Char('s')]),
    );
    report(
        "↓ with subtree budget shown (next district)",
        timed(&mut app, &[KeyCode::Down]),
    );
    report(
        "Home: budget of the root with its whole subtree",
        timed(&mut app, &[KeyCode::Home]),
    );
    println!(
        "  ({} budget entries listed for {}, subtree {}; {:?})",
        app.details.len(),
        app.tree.selected_code().unwrap_or_default(),
        app.details.subtree,
        app.details.loaded.as_ref().map(|l| (l.tab, l.too_many))
    );
    // Back on the overview before `/`, so that its frame draws no tab for the first time:
    // budget → coverage → funding (not drawn, so not loaded), then the per-indicator view
    // (issue 15), timed, then the overview.
    // The per-indicator view (issue 15) is the fourth tab from here.
    keys(&mut app, &["s", "Tab", "Tab", "Tab"]);
    report("Tab → indicators of the root", timed(&mut app, &[KeyCode::Tab]));
    report(
        "/ (find: the store's find index)",
        timed(&mut app, &[KeyCode::Char('/')]),
    );
    report(
        "typing “hx” in find",
        timed(&mut app, &[KeyCode::Char('h'), KeyCode::Char('x')]),
    );
    // Each key of a name, a spelling and a code, and a query nothing matches.
    for typed in ["社区", "xiyuan", "990001002", "zzq"] {
        keys(&mut app, &["Esc", "/"]);
        let codes: Vec<KeyCode> = typed.chars().map(KeyCode::Char).collect();
        report(&format!("typing “{typed}” in find, per key"), timed(&mut app, &codes));
    }
    keys(&mut app, &["Esc", "/"]);
    timed(&mut app, &[KeyCode::Char('h'), KeyCode::Char('x')]);
    report("Enter (reveal the match)", timed(&mut app, &[KeyCode::Enter]));
    report(
        "N (wraps: reads the matches past those listed)",
        timed(&mut app, &[KeyCode::Char('N')]),
    );
    keys(&mut app, &["/"]);
    timed(&mut app, &[KeyCode::Char('h'), KeyCode::Char('x')]);
    timed(&mut app, &[KeyCode::Enter]);
    let listed = app.find.matches.len();
    report(
        "n through the listed matches and one past",
        timed(&mut app, &vec![KeyCode::Char('n'); listed]),
    );
    report("t (open a training form)", timed(&mut app, &[KeyCode::Char('t')]));
    // Issue 14: before, `/` built an in-memory index of every unit (what the unit pickers
    // still build) and scanned it at each key; timed here for comparison, last: reading every
    // unit leaves sled's cache cold, and the next frame took ~0.5 s at national size.
    let t = Instant::now();
    let index = shegong::tui::find::build_index(&app.store).expect("the index builds");
    println!(
        "{:<46} {:>10}",
        "(before: build the index of every unit)",
        ms(t.elapsed())
    );
    let t = Instant::now();
    let n = index.search("hx", shegong::tui::find::MAX_RESULTS).len();
    println!(
        "{:<46} {:>10}  ({n} matches)",
        "(before: one key, “hx” in it)",
        ms(t.elapsed())
    );
    drop(index);
}

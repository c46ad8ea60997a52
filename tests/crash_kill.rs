//! Crash safety with the real binary: an import is killed with SIGKILL after a random delay,
//! the store is reopened, and it must open, pass `shegong check`, and hold either everything
//! the import would have added or nothing of it (every export and the report equal the state
//! before or the state after a clean run, never a mix). Re-running the import then gives
//! exactly the state of a clean run.
//!
//! Scenarios, in turn: units into an empty store; evaluations, trainings and budget into a
//! store that has units; a units file that moves streets to another district (the hierarchy
//! changes shape, so every total is rebuilt: the undo-logged write path at any size); a
//! single-row budget file into a full store (the one-transaction path, as a form in the UI
//! writes); budget and trainings files with the importer's streaming thresholds lowered, so
//! that they take the path of a large file (checked in chunks, then written in several passes
//! of one import session). Now and then the first reopen is itself killed while it may be
//! rolling back. A batch (`Storage::commit`: forty corrections, a unit and an evaluation, in
//! one logged write) is killed until a kill lands inside it, by the test binary run again as
//! the child that commits it (`a_killed_batch_leaves_nothing_of_it`).
//!
//! Settings (environment):
//! - `SHEGONG_CRASH_ITERATIONS` (default 20)
//! - `SHEGONG_CRASH_SIZE`: `small` (default, for CI), `medium` (large enough that every bulk
//!   import takes the undo-logged path), or `large`
//! - `SHEGONG_CRASH_SEED` (default fixed; printed on failure)
//!
//! The full run (`docs/RELIABILITY.md`):
//! `SHEGONG_CRASH_ITERATIONS=60 SHEGONG_CRASH_SIZE=medium cargo test --release --test crash_kill -- --nocapture`

#![cfg(unix)]

mod common;
use common::{copy_dir, wait_until_closed, Rng};

use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- a small deterministic RNG

// ---------------------------------------------------------------- synthetic data

#[derive(Clone, Copy, Debug)]
struct Shape {
    districts: usize,
    streets: usize,
    communities: usize,
    evaluations: usize,
    trainings: usize,
    budget: usize,
}

impl Shape {
    fn from_env() -> (Shape, &'static str) {
        let size = std::env::var("SHEGONG_CRASH_SIZE").unwrap_or_default();
        match size.as_str() {
            // ~7,600 units, 20,000 evaluations and trainings, 40,000 budget rows, half with
            // ids: more than 20,000 writes each, so every bulk import takes the undo log.
            "medium" => (
                Shape {
                    districts: 30,
                    streets: 12,
                    communities: 20,
                    evaluations: 20_000,
                    trainings: 20_000,
                    budget: 40_000,
                },
                "medium",
            ),
            "large" => (
                Shape {
                    districts: 60,
                    streets: 15,
                    communities: 25,
                    evaluations: 40_000,
                    trainings: 40_000,
                    budget: 200_000,
                },
                "large",
            ),
            _ => (
                Shape {
                    districts: 2,
                    streets: 5,
                    communities: 6,
                    evaluations: 300,
                    trainings: 300,
                    budget: 1_000,
                },
                "small",
            ),
        }
    }
}

fn date(rng: &mut Rng, from_year: u64, years: u64) -> String {
    let y = from_year + rng.below(years);
    let m = 1 + rng.below(12);
    let d = 1 + rng.below(28);
    match rng.below(20) {
        0 => format!("{y}"),
        1 => format!("{y}-{m:02}"),
        2 => format!("{y}/{m}/{d}"),
        _ => format!("{y}-{m:02}-{d:02}"),
    }
}

struct Data {
    units: String,
    moved_units: String,
    evaluations: String,
    trainings: String,
    budget: String,
    single: String,
}

fn generate(shape: Shape, seed: u64) -> Data {
    let mut rng = Rng(seed ^ 0x5EED);
    let mut units =
        String::from("code,parent,level,name,station,opened_on,closed_on,operator,social_workers,certified_workers\n");
    let mut moved = String::from("code,parent,level,name,station,opened_on,operator\n");
    let mut stations: Vec<String> = Vec::new();
    let mut all: Vec<String> = Vec::new();
    units.push_str("C0,,city,合成市,operating,2019-01-01,,,2,1\n");
    stations.push("C0".into());
    all.push("C0".into());
    for d in 0..shape.districts {
        let dc = format!("D{d:03}");
        let _ = writeln!(
            units,
            "{dc},C0,district,区{d},operating,{},,机构{d},3,1",
            date(&mut rng, 2019, 3)
        );
        stations.push(dc.clone());
        all.push(dc.clone());
        for s in 0..shape.streets {
            let sc = format!("{dc}S{s:02}");
            let opened = date(&mut rng, 2019, 4);
            let _ = writeln!(units, "{sc},{dc},street,街道{d}-{s},operating,{opened},,机构{s},4,2");
            if s == 0 && shape.districts > 1 {
                // The first street of every district moves to the next district.
                let to = format!("D{:03}", (d + 1) % shape.districts);
                let _ = writeln!(moved, "{sc},{to},street,街道{d}-{s}（划转）,operating,{opened},机构{s}");
            }
            stations.push(sc.clone());
            all.push(sc.clone());
            for c in 0..shape.communities {
                let cc = format!("{sc}C{c:02}");
                let line = match rng.below(10) {
                    0..=4 => {
                        stations.push(cc.clone());
                        format!(
                            "{cc},{sc},community,社区{c},operating,{},,,2,1",
                            date(&mut rng, 2019, 5)
                        )
                    }
                    5 => {
                        stations.push(cc.clone());
                        format!(
                            "{cc},{sc},community,社区{c},closed,{},{},,1,0",
                            date(&mut rng, 2019, 2),
                            date(&mut rng, 2021, 3)
                        )
                    }
                    6 => {
                        stations.push(cc.clone());
                        format!("{cc},{sc},community,社区{c},planned,,,,0,0")
                    }
                    _ => format!("{cc},{sc},community,社区{c},,,,,0,0"),
                };
                units.push_str(&line);
                units.push('\n');
                all.push(cc);
            }
        }
    }

    let mut evaluations = String::from("id,unit,date,kind,evaluator,score,grade,note\n");
    for n in 0..shape.evaluations {
        let id = if rng.chance(50) { format!("E{n}") } else { String::new() };
        let unit = rng.pick(&stations).clone();
        let kind = rng.pick(&["midterm", "annual", "final", "self", "spot"]);
        let score = if rng.chance(80) {
            format!("{}.{}", 40 + rng.below(60), rng.below(10))
        } else {
            String::new()
        };
        let _ = writeln!(
            evaluations,
            "{id},{unit},{},{kind},评估机构{},{score},,第{n}次",
            date(&mut rng, 2020, 5),
            rng.below(5)
        );
    }

    let mut trainings = String::from("id,date,host,kind,mode,topic,hours,attendees,units,note\n");
    for n in 0..shape.trainings {
        let id = if rng.chance(50) { format!("T{n}") } else { String::new() };
        let host = rng.pick(&all).clone();
        let served = match rng.below(3) {
            0 => String::new(),
            1 => rng.pick(&stations).clone(),
            _ => format!("{};{}", rng.pick(&stations), rng.pick(&stations)),
        };
        let _ = writeln!(
            trainings,
            "{id},{},{host},{},{},专题{},{}.{},{},{served},",
            date(&mut rng, 2020, 5),
            rng.pick(&["class", "coaching", "supervision", "meeting"]),
            rng.pick(&["online", "offline", "mixed", ""]),
            rng.below(30),
            1 + rng.below(8),
            rng.below(10),
            rng.below(80),
        );
    }

    let mut budget = String::from("id,date,unit,kind,category,source,amount,voucher,note\n");
    for n in 0..shape.budget {
        let id = if rng.chance(60) { format!("B{n}") } else { String::new() };
        let amount = match rng.below(10) {
            0 => format!("-{}.{:02}", 1 + rng.below(5_000), rng.below(100)),
            1 => format!("{}万", 1 + rng.below(200)),
            _ => format!("{}.{:02}", 1 + rng.below(900_000), rng.below(100)),
        };
        let _ = writeln!(
            budget,
            "{id},{},{},{},{},{},{amount},V{n},",
            date(&mut rng, 2019, 6),
            rng.pick(&all),
            rng.pick(&["allocation", "expenditure"]),
            rng.pick(&[
                "construction",
                "operation",
                "service_purchase",
                "training",
                "equipment",
                "other",
                ""
            ]),
            rng.pick(&["fiscal", "welfare_lottery", "other", ""]),
        );
    }
    let single = "id,date,unit,kind,category,source,amount,voucher,note\n\
                  SINGLE-1,2022-03-15,D000S01,allocation,operation,fiscal,12345.67,V-single,表单录入\n"
        .to_string();
    Data {
        units,
        moved_units: moved,
        evaluations,
        trainings,
        budget,
        single,
    }
}

// ---------------------------------------------------------------- running the binary

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shegong"));
    c.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("SHEGONG_DATA_DIR");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Everything a user can see of the store: every record of every kind, and the rollups of
/// every unit. Read in this process (one open instead of five runs of the binary).
#[derive(Clone, PartialEq, Eq)]
struct State {
    counts: [usize; 4],
    records: String,
    report: String,
    /// The journal, one line per entry: everything but the time it was written, and a bulk
    /// import's token (a number sled hands out, which differs between runs and which a
    /// backup does not carry).
    journal: Vec<String>,
}

impl State {
    /// The same records and figures, whatever the journal says.
    fn same_data(&self, other: &State) -> bool {
        (self.counts, &self.records, &self.report) == (other.counts, &other.records, &other.report)
    }

    fn summary(&self) -> String {
        format!("(units, evaluations, trainings, budget) = {:?}", self.counts)
    }
}

fn state(dir: &Path) -> Result<State, String> {
    let state = read_state(dir);
    wait_until_closed(dir);
    state
}

fn read_state(dir: &Path) -> Result<State, String> {
    use shegong::domain::{BudgetEntry, Evaluation, Training};
    let store = shegong::registry::Registry::open(dir, true).map_err(|e| e.to_string())?;
    let e = |e: shegong::store::StoreError| e.to_string();
    let records = format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        store.all_units().map_err(e)?,
        store.all_records::<Evaluation>().map_err(e)?,
        store.all_records::<Training>().map_err(e)?,
        store.all_records::<BudgetEntry>().map_err(e)?,
    );
    // A past date (each child's totals read on their own), and a day after every record (sled
    // reads a unit's children's totals from those kept with it, `child_totals`).
    let mut report = String::new();
    for as_of in [(2022, 6, 30), (2099, 12, 31)] {
        let as_of = chrono::NaiveDate::from_ymd_opt(as_of.0, as_of.1, as_of.2).unwrap();
        for root in store.roots().map_err(e)? {
            let node = shegong::report::build(&store, Some(&root.code), as_of, 99).map_err(e)?;
            report.push_str(&shegong::report::to_json(&node).to_string());
        }
    }
    let journal = shegong::storage::Storage::journal_entries(store.storage())
        .map_err(e)?
        .into_iter()
        .map(|(n, j)| {
            let key = match j.key.as_deref() {
                // A backup does not carry it either (it names keys in the store it was made in).
                Some(k) if k.starts_with("import:") => None,
                other => other,
            };
            format!(
                "#{n} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                j.action, j.kind, j.unit, key, j.before, j.after, j.undoes, j.operator, j.summary
            )
        })
        .collect();
    find_agrees(&store)?;
    Ok(State {
        counts: store.counts().map_err(e)?,
        records,
        report,
        journal,
    })
}

/// The find index (issue 14) answers what a scan of every unit answers, for parts of the
/// names, pinyin and codes of a spread of units: after a kill it must have been rolled back
/// or kept together with the units.
fn find_agrees(store: &shegong::registry::Registry) -> Result<(), String> {
    let units = store.all_units().map_err(|e| e.to_string())?;
    let mut queries: Vec<String> = vec!["jie".into(), "社区".into(), "1".into(), "x".into()];
    for u in units.iter().step_by((units.len() / 8).max(1)) {
        let forms = shegong::search::Forms::of(&u.name);
        let first = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        let inside = |s: &str| s.chars().skip(1).take(2).collect::<String>();
        queries.extend([
            forms.name.clone(),
            first(&forms.name, 1),
            inside(&forms.name),
            forms.initials.clone(),
            inside(&forms.spelled),
            first(&u.code, 6),
            inside(&u.code),
        ]);
    }
    for q in queries {
        let indexed: Vec<String> = store
            .find_units(&q, 50)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|u| u.code)
            .collect();
        let scanned: Vec<String> = shegong::search::scan(units.clone(), &q, 50)
            .into_iter()
            .map(|u| u.code)
            .collect();
        if indexed != scanned {
            return Err(format!(
                "the find index answers {q:?} with {indexed:?}, a scan with {scanned:?}"
            ));
        }
    }
    Ok(())
}

fn check(dir: &Path) -> Result<(), String> {
    let out = run(dir, &["check"]);
    let stderr = text(&out.stderr);
    if out.status.success() && !stderr.contains("panicked") {
        Ok(())
    } else {
        Err(format!(
            "check failed (exit {:?}): {}{}",
            out.status.code(),
            stderr,
            text(&out.stdout)
        ))
    }
}

fn kill_after(mut child: Child, delay: Duration) -> (bool, std::process::ExitStatus) {
    let started = Instant::now();
    // Sleep in small steps so that a process that ends early is not waited on for long.
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (false, status);
        }
        let left = delay.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(5)));
    }
    let _ = child.kill(); // SIGKILL
    let status = child.wait().unwrap();
    (status.signal() == Some(9), status)
}

/// Whether an unfinished logged write was left behind (sled opened directly, not through
/// shegong, so that nothing is rolled back yet).
/// Whether a killed write left the find index marked as being changed (`store::find`).
fn find_stale_left(dir: &Path) -> bool {
    set_aside_torn_snapshots(dir);
    let stale = std::panic::catch_unwind(|| {
        let db = sled::open(dir.join("sled")).ok()?;
        db.open_tree("meta").ok()?.contains_key("find_stale").ok()
    });
    wait_until_closed(dir);
    matches!(stale, Ok(Some(true)))
}

fn pending_left(dir: &Path) -> bool {
    // sled 0.34 can panic (not err) on some killed files, and the store's own open swaps the
    // panic hook for a silent one while it opens sled (store::open_catching_panics), which can
    // hide a panic of this thread if another test is opening at that moment. So the panic is
    // caught here and said again with the folder kept, to leave a message either way.
    set_aside_torn_snapshots(dir);
    let opened = std::panic::catch_unwind(|| -> Result<bool, String> {
        let db = sled::open(dir.join("sled")).map_err(|e| e.to_string())?;
        let meta = db.open_tree("meta").map_err(|e| e.to_string())?;
        meta.contains_key("pending").map_err(|e| e.to_string())
    });
    wait_until_closed(dir);
    match opened {
        Ok(Ok(pending)) => pending,
        Ok(Err(e)) => {
            keep_and_panic(
                dir,
                "shegong-crash-pending",
                "reading the pending mark",
                format!("sled refused: {e}"),
            );
            false
        }
        Err(_) => {
            keep_and_panic(
                dir,
                "shegong-crash-pending",
                "reading the pending mark",
                "sled panicked".into(),
            );
            false
        }
    }
}

/// A kill while sled wrote a snapshot leaves a `snap.*.generating` file that sled alone takes
/// for a snapshot and refuses the store over ("Read corrupted data"); shegong's open sets such
/// files aside first (`store::set_aside_torn_snapshots`), and so does a look with sled alone.
fn set_aside_torn_snapshots(dir: &Path) {
    if let Err(e) = shegong::store::set_aside_torn_snapshots(&dir.join("sled")) {
        panic!("setting aside a torn snapshot in {}: {e}", dir.display());
    }
}

/// Keeps the store of a failed iteration for a post-mortem, and fails.
fn keep_and_panic(dir: &Path, name: &str, tag: &str, what: String) -> String {
    let kept = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&kept);
    copy_dir(dir, &kept);
    panic!("{tag}: {what}\nthe store is kept in {}", kept.display());
}

// ---------------------------------------------------------------- the scenarios

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    UnitsIntoEmpty,
    Evaluations,
    Trainings,
    Budget,
    MoveStreets,
    SingleRow,
    BudgetStreamed,
    TrainingsStreamed,
}

/// The environment of a scenario's import: the streamed ones lower the importer's thresholds
/// so that a small file takes the path of a large one (checked in chunks, written in several
/// passes of one import session).
fn scenario_env(scenario: Scenario, shape: Shape) -> Vec<(&'static str, String)> {
    match scenario {
        // Two passes or more for the smaller of the two files.
        Scenario::BudgetStreamed | Scenario::TrainingsStreamed => vec![
            ("SHEGONG_STREAM_ABOVE_BYTES", "0".into()),
            ("SHEGONG_PASS_ROWS", (shape.trainings / 2).max(1).to_string()),
        ],
        _ => Vec::new(),
    }
}

const SCENARIOS: [Scenario; 8] = [
    Scenario::UnitsIntoEmpty,
    Scenario::Evaluations,
    Scenario::Trainings,
    Scenario::Budget,
    Scenario::MoveStreets,
    Scenario::SingleRow,
    Scenario::BudgetStreamed,
    Scenario::TrainingsStreamed,
];

struct Prepared {
    kind: &'static str,
    env: Vec<(&'static str, String)>,
    file: PathBuf,
    base: PathBuf,
    before: State,
    after: State,
    clean: Duration,
}

#[derive(Default, Debug)]
struct Tally {
    killed_mid_import: usize,
    finished_before_kill: usize,
    ended_before: usize,
    ended_after: usize,
    probed: usize,
    pending_seen: usize,
    reopen_killed: usize,
}

struct Settings {
    iterations: usize,
    seed: u64,
    shape: Shape,
    context: String,
}

fn settings() -> Settings {
    let iterations: usize = std::env::var("SHEGONG_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("SHEGONG_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_211_109);
    let (shape, size) = Shape::from_env();
    let context = format!("seed {seed} (SHEGONG_CRASH_SEED), size {size}, {iterations} iterations");
    Settings {
        iterations,
        seed,
        shape,
        context,
    }
}

/// The data files, the base stores, and a clean run of each wanted scenario.
struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    prepared: Vec<(Scenario, Prepared)>,
    check_time: Duration,
}

fn fixture(s: &Settings, wanted: &[Scenario]) -> Fixture {
    let context = &s.context;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let data = generate(s.shape, s.seed);
    let files: Vec<(&str, &str)> = vec![
        ("units.csv", &data.units),
        ("moved_units.csv", &data.moved_units),
        ("evaluations.csv", &data.evaluations),
        ("trainings.csv", &data.trainings),
        ("budget.csv", &data.budget),
        ("single.csv", &data.single),
    ];
    for (name, content) in &files {
        std::fs::write(root.join(name), content).unwrap();
    }
    let file = |name: &str| root.join(name);
    let import_ok = |dir: &Path, kind: &str, f: &Path, env: &[(&str, String)]| {
        let out = command(dir, &["import", kind, f.to_str().unwrap()])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "clean import of {kind} failed ({context}): {}",
            text(&out.stderr)
        );
    };

    // Base stores: empty; units only; everything.
    let empty = root.join("base-empty");
    common::ok(&empty, &["init", "--empty"]);
    let with_units = root.join("base-units");
    copy_dir(&empty, &with_units);
    import_ok(&with_units, "units", &file("units.csv"), &[]);
    let full = root.join("base-full");
    copy_dir(&with_units, &full);
    for kind in ["evaluations", "trainings", "budget"] {
        import_ok(&full, kind, &file(&format!("{kind}.csv")), &[]);
    }

    // A clean run of every scenario: the state before and after, and how long it takes.
    let mut prepared = Vec::new();
    for &scenario in wanted {
        let (kind, name, base) = match scenario {
            Scenario::UnitsIntoEmpty => ("units", "units.csv", &empty),
            Scenario::Evaluations => ("evaluations", "evaluations.csv", &with_units),
            Scenario::Trainings => ("trainings", "trainings.csv", &with_units),
            Scenario::Budget => ("budget", "budget.csv", &with_units),
            Scenario::MoveStreets => ("units", "moved_units.csv", &full),
            Scenario::SingleRow => ("budget", "single.csv", &full),
            Scenario::BudgetStreamed => ("budget", "budget.csv", &with_units),
            Scenario::TrainingsStreamed => ("trainings", "trainings.csv", &with_units),
        };
        let env = scenario_env(scenario, s.shape);
        let clean_dir = root.join(format!("clean-{scenario:?}"));
        copy_dir(base, &clean_dir);
        let before = state(&clean_dir).unwrap();
        let started = Instant::now();
        import_ok(&clean_dir, kind, &file(name), &env);
        let clean = started.elapsed();
        check(&clean_dir).unwrap_or_else(|e| panic!("a clean {scenario:?} fails check ({context}): {e}"));
        let after = state(&clean_dir).unwrap();
        assert!(
            before != after,
            "{scenario:?} changes nothing: the test would prove nothing"
        );
        std::fs::remove_dir_all(&clean_dir).unwrap();
        eprintln!("crash_kill: clean {scenario:?} takes {clean:?}");
        prepared.push((
            scenario,
            Prepared {
                kind,
                env,
                file: file(name),
                base: base.clone(),
                before,
                after,
                clean,
            },
        ));
    }
    let check_time = {
        let started = Instant::now();
        check(&full).unwrap();
        started.elapsed()
    };
    Fixture {
        _tmp: tmp,
        root,
        prepared,
        check_time,
    }
}

/// What the store holds after a kill and a reopen: the state before or after the import.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Before,
    After,
}

/// Reopens a store after a kill: it must pass `check` and hold all or nothing of the import;
/// then the import is run again and must give a clean run's state.
fn verify(dir: &Path, p: &Prepared, fail: &dyn Fn(String) -> String) -> Result<Ended, String> {
    check(dir).map_err(|e| fail(format!("after the kill: {e}")))?;
    let now = state(dir).map_err(fail)?;
    let ended = if now == p.before {
        Ended::Before
    } else if now == p.after {
        Ended::After
    } else {
        return Err(fail(format!(
            "the store is neither as before nor as after the import: now {}, before {}, after {}",
            now.summary(),
            p.before.summary(),
            p.after.summary()
        )));
    };
    let out = command(dir, &["import", p.kind, p.file.to_str().unwrap()])
        .envs(p.env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(fail(format!("re-running the import failed: {}", text(&out.stderr))));
    }
    check(dir).map_err(|e| fail(format!("after re-running the import: {e}")))?;
    if state(dir).map_err(fail)? != p.after {
        return Err(fail(
            "re-running the import did not give the state of a clean run".into(),
        ));
    }
    Ok(ended)
}

fn spawn_import(dir: &Path, p: &Prepared) -> Child {
    command(dir, &["import", p.kind, p.file.to_str().unwrap()])
        .envs(p.env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn killed_imports_happen_entirely_or_not_at_all() {
    let s = settings();
    let context = &s.context;
    eprintln!("crash_kill: {context}, shape {:?}", s.shape);
    let fx = fixture(&s, &SCENARIOS);
    let mut rng = Rng(s.seed);
    let mut tally = Tally::default();
    for i in 0..s.iterations {
        let (scenario, p) = &fx.prepared[i % fx.prepared.len()];
        let dir = fx.root.join(format!("iteration-{i}"));
        copy_dir(&p.base, &dir);
        // Up to 1.2 times a clean run: most kills land inside the import, some after it.
        let delay = Duration::from_micros(rng.below(p.clean.as_micros() as u64 * 12 / 10 + 1));
        let probe = rng.chance(50);
        let kill_reopen = rng.chance(25);
        let reopen_delay = Duration::from_micros(rng.below(fx.check_time.as_micros() as u64 + 1));
        let tag = format!("iteration {i} ({scenario:?}, kill after {delay:?}); {context}");
        let name = format!("shegong-crash-{}-{i}", s.seed);
        let fail = |what: String| -> String { keep_and_panic(&dir, &name, &tag, what) };

        let (killed, status) = kill_after(spawn_import(&dir, p), delay);
        if killed {
            tally.killed_mid_import += 1;
        } else if status.success() {
            tally.finished_before_kill += 1;
        } else {
            fail(format!("the import ended on its own with {status:?}"));
        }
        if probe {
            tally.probed += 1;
            if pending_left(&dir) {
                tally.pending_seen += 1;
            }
        }
        if kill_reopen {
            // The first open after the crash rolls an unfinished write back: kill that too.
            let child = command(&dir, &["check"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            if kill_after(child, reopen_delay).0 {
                tally.reopen_killed += 1;
            }
        }
        match verify(&dir, p, &fail).unwrap() {
            Ended::Before => tally.ended_before += 1,
            Ended::After => tally.ended_after += 1,
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("crash_kill: {context}: {tally:?}");
    assert_eq!(tally.ended_before + tally.ended_after, s.iterations);
    if s.iterations >= 10 {
        assert!(
            tally.killed_mid_import > 0,
            "no kill landed inside an import: the test proved nothing ({tally:?})"
        );
    }
}

/// The undo-logged paths at any size: a units file that moves streets makes the store rebuild
/// every total, and a streamed budget import writes in several passes. Kill times are bisected
/// until a kill lands inside such a write (the store then holds the pending undo log), so the
/// roll-back on open is exercised on every run, then that roll-back is killed too.
#[test]
fn a_kill_inside_the_logged_write_is_rolled_back() {
    let s = settings();
    let context = &s.context;
    let fx = fixture(&s, &[Scenario::MoveStreets, Scenario::BudgetStreamed]);
    for (scenario, p) in &fx.prepared {
        let (mut low, mut high) = (Duration::ZERO, p.clean * 2);
        let mut hits = 0;
        let mut stale = 0;
        let mut attempts = 0;
        while hits < 3 && attempts < 24 {
            attempts += 1;
            let delay = (low + high) / 2;
            let dir = fx.root.join(format!("attempt-{scenario:?}-{attempts}"));
            copy_dir(&p.base, &dir);
            let tag = format!("attempt {attempts} ({scenario:?}, kill after {delay:?}); {context}");
            let name = format!("shegong-crash-logged-{}-{scenario:?}-{attempts}", s.seed);
            let fail = |what: String| -> String { keep_and_panic(&dir, &name, &tag, what) };
            let (killed, _) = kill_after(spawn_import(&dir, p), delay);
            let pending = pending_left(&dir);
            if pending {
                hits += 1;
                // Killed while the write's end was changing the find index: rebuilt on reopen.
                stale += usize::from(find_stale_left(&dir));
                // Kill the roll-back itself at some point, then let it finish.
                let child = command(&dir, &["check"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                kill_after(child, fx.check_time * hits / 4);
                // Widen the window again so that the next hit lands elsewhere in the write.
                high += p.clean / 4;
            }
            let ended = verify(&dir, p, &fail).unwrap();
            if pending && ended != Ended::Before {
                fail("an unfinished write was not rolled back".into());
            }
            if !pending {
                match (killed, ended) {
                    // Too early: the write had not begun.
                    (true, Ended::Before) => low = delay,
                    // Too late: it had finished.
                    _ => high = delay,
                }
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
        eprintln!("crash_kill: {scenario:?}: {hits} kills inside the logged write ({stale} of them while it changed the find index) in {attempts} attempts ({context})");
        assert!(
            hits > 0,
            "{scenario:?}: no kill landed inside the logged write in {attempts} attempts: the roll-back is untested"
        );
    }
}

/// Runs `shegong ARGS` on fresh copies of `base` (between 5 and 30 of them), each killed after a
/// random delay of up to 1.2 times `clean`; each copy must then pass `check`, and `judge` says
/// whether it holds what it should (failing through `fail`, which keeps the store). `inside`
/// looks at the store right after the kill, before anything opens it, and says whether the
/// kill landed inside the write. Returns how many runs the kill cut short, how many of those
/// inside the write, and how many ran.
#[allow(clippy::too_many_arguments)]
fn kill_copies(
    s: &Settings,
    root: &Path,
    label: &str,
    base: &Path,
    args: &[&str],
    clean: Duration,
    inside: &dyn Fn(&Path) -> bool,
    judge: impl Fn(&Path, &dyn Fn(String) -> String),
) -> (usize, usize, usize) {
    let mut rng = Rng(s.seed ^ label.bytes().fold(0, |h, b| h * 31 + u64::from(b)));
    let (mut killed, mut inside_count, iterations) = (0, 0, s.iterations.clamp(5, 30));
    for i in 0..iterations {
        let dir = root.join(format!("{label}-{i}"));
        copy_dir(base, &dir);
        let delay = Duration::from_micros(rng.below(clean.as_micros() as u64 * 12 / 10 + 1));
        let tag = format!("{label} iteration {i} (kill after {delay:?}); {}", s.context);
        let name = format!("shegong-crash-{label}-{}-{i}", s.seed);
        let fail = |what: String| -> String { keep_and_panic(&dir, &name, &tag, what) };
        let child = command(&dir, args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if kill_after(child, delay).0 {
            killed += 1;
            if inside(&dir) {
                inside_count += 1;
            }
        }
        check(&dir).map_err(|e| fail(format!("after the kill: {e}"))).unwrap();
        judge(&dir, &fail);
        std::fs::remove_dir_all(&dir).unwrap();
    }
    (killed, inside_count, iterations)
}

/// The schema number a store says, read with sled directly (nothing upgraded or rolled back).
fn schema_left(dir: &Path) -> u32 {
    let schema = {
        let db = sled::open(dir.join("sled")).expect("sled opens after a kill");
        let meta = db.open_tree("meta").unwrap();
        let bytes = meta.get("schema").unwrap().expect("a schema number");
        u32::from_be_bytes(bytes.as_ref().try_into().expect("four bytes"))
    };
    wait_until_closed(dir);
    schema
}

/// Whether a killed upgrade had begun its work: the backup made before it is complete, and
/// the store still says its old schema (the new number is written when the work is done).
fn killed_inside_upgrade(dir: &Path, old_schema: u32) -> bool {
    let backed_up = std::fs::read_dir(dir.join("backups")).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".sgbak"))
    });
    backed_up && schema_left(dir) == old_schema
}

/// Upgrading a schema 1 store (backup, then the totals rebuilt from the records) killed at
/// random moments: the next open upgrades again, and the store ends as a clean upgrade leaves
/// it. The backup made before the upgrade restores the same state.
#[test]
fn a_killed_upgrade_runs_again_and_loses_nothing() {
    let s = settings();
    let context = &s.context;
    let fx = fixture(&s, &[]);
    let full = fx.root.join("base-full");
    let reference = state(&full).unwrap();
    let old = fx.root.join("base-schema-1");
    copy_dir(&full, &old);
    common::make_store_without_totals(&old, 1);

    let clean_dir = fx.root.join("upgrade-clean");
    copy_dir(&old, &clean_dir);
    let started = Instant::now();
    check(&clean_dir).unwrap_or_else(|e| panic!("a clean upgrade fails check ({context}): {e}"));
    let clean = started.elapsed();
    assert!(
        state(&clean_dir).unwrap() == reference,
        "a clean upgrade changes the figures"
    );

    let inside = |dir: &Path| killed_inside_upgrade(dir, 1);
    let (killed_count, inside_count, iterations) = kill_copies(
        &s,
        &fx.root,
        "upgrade",
        &old,
        &["check"],
        clean,
        &inside,
        |dir, fail| {
            if state(dir).map_err(fail).unwrap() != reference {
                fail("the upgraded store's records, figures or journal differ from a clean upgrade's".into());
            }
        },
    );
    // Random delays may all miss the upgrade's own work (the backup before it takes most of
    // the time): aim at it, halving the window, until a kill lands inside it.
    let (mut inside_count, mut attempts) = (inside_count, 0);
    let (mut low, mut high) = (Duration::ZERO, clean * 2);
    while inside_count == 0 && attempts < 24 {
        attempts += 1;
        let delay = (low + high) / 2;
        let dir = fx.root.join(format!("upgrade-aimed-{attempts}"));
        copy_dir(&old, &dir);
        let tag = format!("aimed upgrade {attempts} (kill after {delay:?}); {context}");
        let name = format!("shegong-crash-upgrade-aimed-{}-{attempts}", s.seed);
        let fail = |what: String| -> String { keep_and_panic(&dir, &name, &tag, what) };
        let child = command(&dir, &["check"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (killed, _) = kill_after(child, delay);
        if killed && killed_inside_upgrade(&dir, 1) {
            inside_count += 1;
        } else if !killed || schema_left(&dir) != 1 {
            high = delay; // too late: the upgrade was done
        } else {
            low = delay; // too early: the backup was not finished
        }
        check(&dir).map_err(|e| fail(format!("after the kill: {e}"))).unwrap();
        if state(&dir).map_err(fail).unwrap() != reference {
            fail("the upgraded store's records, figures or journal differ from a clean upgrade's".into());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!(
        "crash_kill: upgrade: {killed_count} of {iterations} runs killed before they ended, {inside_count} inside the upgrade ({attempts} aimed runs) ({context})"
    );
    assert!(
        inside_count > 0,
        "no kill landed inside the upgrade (backup made, old schema still stated) in {iterations} runs: the re-run is untested"
    );

    let backup = std::fs::read_dir(clean_dir.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".sgbak"))
        .expect("the upgrade made a backup");
    let restored = fx.root.join("upgrade-restored");
    common::ok(&restored, &["restore", backup.to_str().unwrap()]);
    let restored = state(&restored).unwrap();
    assert!(
        restored.same_data(&reference),
        "the backup made before the upgrade restores other figures"
    );
    // Its journal: the store's, then the restore's own entry.
    let n = reference.journal.len();
    assert_eq!(restored.journal[..n], reference.journal[..]);
    assert_eq!(restored.journal.len(), n + 1);
    assert!(
        restored.journal[n].starts_with(&format!("#{} restore store", n + 1)),
        "{}",
        restored.journal[n]
    );
}

/// The UI's other writes: undo (and through it, deleting a record). A budget entry is added as
/// a form would add it, then `undo` is killed at random moments: the entry is there whole or
/// gone whole, `check` passes, and an undo run afterwards leaves the store as before the entry.
#[test]
fn a_killed_undo_is_all_or_nothing() {
    let s = settings();
    let context = &s.context;
    let fx = fixture(&s, &[Scenario::SingleRow]);
    let (_, p) = &fx.prepared[0];
    let with_entry = fx.root.join("base-with-entry");
    copy_dir(&p.base, &with_entry);
    common::ok(&with_entry, &["import", p.kind, p.file.to_str().unwrap()]);

    let clean_dir = fx.root.join("undo-clean");
    copy_dir(&with_entry, &clean_dir);
    let started = Instant::now();
    common::ok(&clean_dir, &["undo"]);
    let clean = started.elapsed();
    let undone_state = state(&clean_dir).unwrap();
    assert!(
        undone_state.same_data(&p.before),
        "a clean undo does not give the state before the entry"
    );
    let entry_state = state(&with_entry).unwrap();
    assert!(entry_state.same_data(&p.after));
    // The journal: the entry's adding, then its undo, naming it.
    assert_eq!(undone_state.journal.len(), entry_state.journal.len() + 1);
    assert_eq!(
        undone_state.journal[..entry_state.journal.len()],
        entry_state.journal[..]
    );

    let undone = std::cell::Cell::new(0);
    // A single entry's undo is one sled transaction: there is no inside to land in.
    let (killed_count, _, iterations) = kill_copies(
        &s,
        &fx.root,
        "undo",
        &with_entry,
        &["undo"],
        clean,
        &|_| false,
        |dir, fail| {
            let now = state(dir).map_err(fail).unwrap();
            if now == undone_state {
                undone.set(undone.get() + 1);
            } else if now == entry_state {
                common::ok(dir, &["undo"]);
                if state(dir).map_err(fail).unwrap() != undone_state {
                    fail("undo after the kill did not give the state (and journal) of a clean undo".into());
                }
            } else {
                fail("the store holds part of the undo, or its journal differs".into());
            }
        },
    );
    let undone_count = undone.get();
    eprintln!(
        "crash_kill: undo: {killed_count} of {iterations} runs killed before they ended, {undone_count} had undone ({context})"
    );
}

/// An undo that goes through the logged write (taking back a move of streets, which rebuilds
/// every total) killed until a kill lands inside that write: the store then holds the pending
/// undo log, the next open rolls the undo back whole (records, figures and journal as before
/// the undo), and undo run again gives a clean undo's state.
#[test]
fn a_kill_inside_a_logged_undo_is_rolled_back() {
    let s = settings();
    let context = &s.context;
    let fx = fixture(&s, &[Scenario::MoveStreets]);
    let (_, p) = &fx.prepared[0];
    let moved = fx.root.join("base-moved");
    copy_dir(&p.base, &moved);
    common::ok(&moved, &["import", p.kind, p.file.to_str().unwrap()]);
    let moved_state = state(&moved).unwrap();

    let clean_dir = fx.root.join("undo-move-clean");
    copy_dir(&moved, &clean_dir);
    let started = Instant::now();
    common::ok(&clean_dir, &["undo"]);
    let clean = started.elapsed();
    let undone_state = state(&clean_dir).unwrap();
    assert!(undone_state.same_data(&p.before), "a clean undo of the move");

    let (mut low, mut high) = (Duration::ZERO, clean * 2);
    let (mut hits, mut attempts) = (0, 0);
    while hits < 2 && attempts < 24 {
        attempts += 1;
        let delay = (low + high) / 2;
        let dir = fx.root.join(format!("undo-move-{attempts}"));
        copy_dir(&moved, &dir);
        let tag = format!("undo attempt {attempts} (kill after {delay:?}); {context}");
        let name = format!("shegong-crash-undo-move-{}-{attempts}", s.seed);
        let fail = |what: String| -> String { keep_and_panic(&dir, &name, &tag, what) };
        let child = command(&dir, &["undo"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (killed, _) = kill_after(child, delay);
        let pending = pending_left(&dir);
        check(&dir).map_err(|e| fail(format!("after the kill: {e}"))).unwrap();
        let now = state(&dir).map_err(fail).unwrap();
        if pending {
            hits += 1;
            if now != moved_state {
                fail("an unfinished undo was not rolled back whole".into());
            }
            high += clean / 4;
        } else if now == moved_state {
            if killed {
                low = delay;
            } else {
                fail("the undo ended without undoing".into());
            }
        } else if now == undone_state {
            high = delay;
        } else {
            fail("the store holds part of the undo, or its journal differs".into());
        }
        if now == moved_state {
            common::ok(&dir, &["undo"]);
            if state(&dir).map_err(fail).unwrap() != undone_state {
                fail("undo after the kill did not give a clean undo's state and journal".into());
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("crash_kill: undo of a move: {hits} kills inside the logged write in {attempts} attempts ({context})");
    assert!(
        hits > 0,
        "no kill landed inside the undo's logged write in {attempts} attempts: its roll-back is untested"
    );
}

// ---------------------------------------------------------------- a batch killed

/// The test binary runs itself as the child that commits the batch (no command of the program
/// commits a batch of this size: the UI's correction is two changes): set to the store's
/// folder, `a_killed_batch_leaves_nothing_of_it` commits `batch_of` there and exits.
const BATCH_CHILD: &str = "SHEGONG_CRASH_BATCH_CHILD";
const BATCH_STREETS: usize = 40;

/// A district and `BATCH_STREETS` streets with stations, each with one budget entry.
fn batch_base(dir: &Path) {
    use shegong::domain::*;
    let r = shegong::registry::Registry::create(dir).expect("a new store");
    let mut units = vec![Unit::new("530112000000", None, Level::District, "西山区")];
    let mut entries = Vec::new();
    for i in 0..BATCH_STREETS {
        let code = format!("530112{:03}000", i + 1);
        let mut street = Unit::new(&code, Some("530112000000"), Level::Street, &format!("街道{i}"));
        street.station = StationStatus::Operating;
        street.opened_on = PartialDate::parse("2021-05").ok();
        units.push(street);
        entries.push(batch_entry(&code, 10_000 + i as i64));
    }
    r.apply_units(&units).expect("units");
    r.add_records(&entries).expect("entries");
    r.flush().expect("flushed");
}

fn batch_entry(unit: &str, fen: i64) -> shegong::domain::BudgetEntry {
    use shegong::domain::*;
    BudgetEntry {
        id: None,
        date: PartialDate::parse("2022-03-01").expect("a date"),
        unit: unit.into(),
        kind: BudgetKind::Allocation,
        category: Some(Category::Operation),
        source: Some(Source::Fiscal),
        amount: Fen(fen),
        voucher: String::new(),
        note: String::new(),
    }
}

/// Every street's entry corrected (its reversal, then the corrected entry), then a new unit
/// and an evaluation of it: many changes, each one part of the batch's one logged write.
fn batch_of(r: &shegong::registry::Registry) -> shegong::registry::batch::Batch {
    use shegong::domain::*;
    use shegong::registry::batch::{Batch, Change, RecordRows};
    let mut batch = Batch::new();
    for i in 0..BATCH_STREETS {
        let code = format!("530112{:03}000", i + 1);
        let (id, entry) = r
            .records_of::<BudgetEntry>(&code, false, 1)
            .expect("read")
            .into_iter()
            .next()
            .expect("the street's entry");
        let mut reversal = entry.clone();
        reversal.amount = Fen(-entry.amount.0);
        batch.push(Change::ReverseBudget { of: id, reversal });
        batch.push(Change::AddNewRecords(RecordRows::Budget(vec![batch_entry(
            &code,
            20_000 + i as i64,
        )])));
    }
    let mut community = Unit::new("530112001001", Some("530112001000"), Level::Community, "新社区");
    community.station = StationStatus::Operating;
    community.opened_on = PartialDate::parse("2022-01").ok();
    batch.push(Change::PutUnits(vec![community]));
    batch.push(Change::AddRecords(RecordRows::Evaluations(vec![Evaluation {
        id: None,
        unit: "530112001001".into(),
        date: PartialDate::parse("2022-06-30").expect("a date"),
        kind: EvalKind::Annual,
        evaluator: "区民政局".into(),
        score: Some(880),
        grade: Some(Grade::Good),
        note: String::new(),
        points: None,
    }])));
    batch
}

fn commit_batch_in(dir: &Path) {
    let r = shegong::registry::Registry::open(dir, false).expect("the store opens");
    r.commit(&batch_of(&r)).expect("the batch commits");
}

/// A batch (`Storage::commit`) killed until a kill lands inside its one logged write (the
/// store then holds the pending undo log): the next open rolls the whole batch back (records,
/// figures and journal as before it), `check` passes, and the batch committed again gives a
/// clean run's state. A kill that lands before or after the write leaves the state before or
/// after, never a mix.
#[test]
fn a_killed_batch_leaves_nothing_of_it() {
    if let Some(dir) = std::env::var_os(BATCH_CHILD) {
        commit_batch_in(Path::new(&dir));
        return;
    }
    let s = settings();
    let context = &s.context;
    let root = tempfile::tempdir().expect("a temporary folder");
    let base = root.path().join("base");
    batch_base(&base);
    let before = state(&base).unwrap();
    let clean_dir = root.path().join("clean");
    copy_dir(&base, &clean_dir);
    let started = Instant::now();
    commit_batch_in(&clean_dir);
    let clean = started.elapsed();
    let after = state(&clean_dir).unwrap();
    assert!(!after.same_data(&before), "the batch changes the store");
    assert_eq!(after.counts[3], before.counts[3] + 2 * BATCH_STREETS);
    check(&clean_dir).unwrap();

    let child = |dir: &Path| {
        Command::new(std::env::current_exe().expect("this test binary"))
            .args(["--exact", "a_killed_batch_leaves_nothing_of_it", "--test-threads=1"])
            .env(BATCH_CHILD, dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the child runs")
    };
    // The child starts a test binary before it writes: its own clean run, timed.
    let timed = root.path().join("timed");
    copy_dir(&base, &timed);
    let started = Instant::now();
    let status = child(&timed).wait().expect("the child ends");
    assert!(status.success(), "the child commits the batch");
    let whole = started.elapsed();
    assert!(state(&timed).unwrap() == after || state(&timed).unwrap().same_data(&after));

    let (mut low, mut high) = (whole.saturating_sub(clean * 2), whole);
    let (mut hits, mut attempts) = (0, 0);
    while hits < 2 && attempts < 30 {
        attempts += 1;
        let delay = (low + high) / 2;
        let dir = root.path().join(format!("batch-{attempts}"));
        copy_dir(&base, &dir);
        let tag = format!("batch attempt {attempts} (kill after {delay:?}); {context}");
        let name = format!("shegong-crash-batch-{}-{attempts}", s.seed);
        let fail = |what: String| -> String { keep_and_panic(&dir, &name, &tag, what) };
        let (killed, _) = kill_after(child(&dir), delay);
        let pending = pending_left(&dir);
        check(&dir).map_err(|e| fail(format!("after the kill: {e}"))).unwrap();
        let now = state(&dir).map_err(fail).unwrap();
        if pending {
            hits += 1;
            if now != before {
                fail("an unfinished batch was not rolled back whole".into());
            }
            // Land elsewhere inside it next time.
            high = delay + clean / 3;
        } else if now == before {
            if killed {
                low = delay;
            } else {
                fail("the batch ended without committing".into());
            }
        } else if now.same_data(&after) {
            high = delay;
        } else {
            fail("the store holds part of the batch".into());
        }
        if now == before {
            commit_batch_in(&dir);
            if !state(&dir).map_err(fail).unwrap().same_data(&after) {
                fail("the batch committed after the kill did not give a clean run's state".into());
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("crash_kill: batch: {hits} kills inside the logged write in {attempts} attempts ({context})");
    assert!(
        hits > 0,
        "no kill landed inside the batch's logged write in {attempts} attempts: its roll-back is untested"
    );
}

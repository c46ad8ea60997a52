//! The backend suite (`tests/backend_suite`) on the shared PostgreSQL server: one throwaway
//! cluster for this file (`pg_support`), and a fresh database per test (per case of the
//! reference-model test too), dropped when the test is done. The program brings the schema up
//! itself (`pg::migrate::apply`, once per cluster, into a template the test databases are
//! copied from, as their owner login); each test's owner connects through the socket, its
//! password from the cluster's password file, and hands the connection to `PgStorage`.
//! Skipped, saying why, without PostgreSQL.

mod backend_suite;
// The harness serves other test files too; this one uses part of it.
#[allow(dead_code)]
mod pg_support;
mod skip;

use backend_suite::Fixture;
use pg_support::{Cluster, Login};
use shegong::pg::backend::PgStorage;
use shegong::pg::migrate;
use shegong::pg::restore::PgRestore;
use shegong::registry::Registry;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const TEMPLATE: &str = "suite_template";

/// A connection as `login` to `db` through the cluster's socket.
fn connect(cluster: &Cluster, login: &Login, db: &str) -> postgres::Client {
    let mut config = postgres::Config::new();
    config
        .host_path(cluster.root())
        .port(5432)
        .user(&login.name)
        .password(&login.password)
        .dbname(db);
    match config.connect(postgres::NoTls) {
        Ok(client) => client,
        Err(e) => panic!("connecting as {} to {db}: {e}", login.name),
    }
}

/// The owner login of the test databases of the running cluster (by its pid), and whether the
/// template is made: a cluster stopped between tests is started anew, without either.
static OWNER: Mutex<Option<(i32, Login)>> = Mutex::new(None);

/// The owner of this cluster's test databases, making it and the migrated template first.
fn owner(cluster: &Cluster) -> Login {
    let mut held = OWNER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((pid, login)) = held.as_ref() {
        if *pid == cluster.pid() {
            return login.clone();
        }
    }
    let login = Login::new("suite_owner");
    cluster.create_login(&login, "CREATEROLE CREATEDB");
    cluster.run(
        cluster.superuser(),
        "postgres",
        &format!("CREATE DATABASE {TEMPLATE} OWNER \"{}\";", login.name),
    );
    {
        let mut client = connect(cluster, &login, TEMPLATE);
        assert_eq!(migrate::version(&mut client).expect("version"), None, "not initialized");
        let version = migrate::apply(&mut client).expect("migrated");
        assert_eq!(version, migrate::latest());
        assert_eq!(
            migrate::apply(&mut client).expect("again"),
            version,
            "a second apply does nothing"
        );
    }
    *held = Some((cluster.pid(), login.clone()));
    login
}

/// A test's database: dropped with the test (the registry, declared first in `Fixture`, has
/// closed its connection by then).
struct Database {
    cluster: Arc<Cluster>,
    name: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        let out = self.cluster.psql(
            self.cluster.superuser(),
            "postgres",
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE);", self.name),
        );
        if !out.status.success() {
            eprintln!(
                "could not drop the test database {}: {}",
                self.name,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// A fresh database of the running cluster (from the template), and a connection to it as
/// its owner, with the owner's login.
fn fresh(cluster: &Arc<Cluster>) -> (Database, postgres::Client, Login) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let owner = owner(cluster);
    let name = format!("suite_{}", NEXT.fetch_add(1, Ordering::SeqCst));
    cluster.run(
        &owner,
        "postgres",
        &format!("CREATE DATABASE \"{name}\" TEMPLATE {TEMPLATE};"),
    );
    let client = connect(cluster, &owner, &name);
    (
        Database {
            cluster: Arc::clone(cluster),
            name,
        },
        client,
        owner,
    )
}

/// A registry over a fresh database of the running cluster.
fn pg() -> Fixture {
    let Some(cluster) = Cluster::shared() else {
        panic!("the cluster was there when the test began");
    };
    let (database, client, owner) = fresh(&cluster);
    let place = format!("{}@socket/{}", owner.name, database.name);
    let storage = PgStorage::new(client, place).expect("the backend");
    Fixture {
        registry: Registry::over(Box::new(storage)),
        journal_login: Some(owner.name.clone()),
        _keep: Box::new(database),
    }
}

backend_suite!(pg, if Cluster::shared());

/// The reports of a few units at a few dates, as JSON.
fn reports(registry: &Registry) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for code in [
        backend_suite::DISTRICT,
        backend_suite::STREET_A,
        backend_suite::COMMUNITY_A1,
    ] {
        for day in ["2021-06-30", "2021-12-31", "2022-12-31", "2030-01-01"] {
            let as_of = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a day");
            let node = shegong::report::build(registry, Some(code), as_of, 2).expect("a report");
            out.push(shegong::report::to_json(&node));
        }
    }
    out
}

/// Moving between stores: a sled store's backup restored onto the server gives the same
/// reports and passes `check`; a second restore into it is refused; the server's backup
/// restored into a new sled store gives the same reports again.
#[test]
fn a_sled_backup_restores_onto_the_server_and_back() {
    use backend_suite::*;
    use shegong::domain::BudgetKind;
    use shegong::store::StoreError;
    let Some(cluster) = Cluster::shared() else { return };
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let sled = Registry::create(&tmp.path().join("sled")).expect("a sled store");
    sled.apply_units(&hierarchy()).expect("units");
    sled.add_records(&[
        budget("2021-01-15", STREET_A, BudgetKind::Allocation, 500_000),
        budget("2021-12-31", STREET_A, BudgetKind::Expenditure, 120_000),
        budget("2022", COMMUNITY_A1, BudgetKind::Allocation, 7),
    ])
    .expect("budget");
    sled.add_records(&[evaluation("2022-06-30", STREET_A)])
        .expect("evaluations");
    sled.add_records(&[
        training("2021-12-31", COMMUNITY_A1, 15),
        training("2022-03-01", STREET_B, 20),
    ])
    .expect("trainings");
    let from_sled = tmp.path().join("sled.backup");
    shegong::backup::backup(sled.storage(), &from_sled).expect("backed up");

    let (database, client, owner) = fresh(&cluster);
    let place = format!("{}@socket/{}", owner.name, database.name);
    let mut target = PgRestore::new(client, place.clone());
    shegong::backup::restore_into(&mut target, &from_sled, "王芳").expect("restored onto the server");
    let server = Registry::over(Box::new(
        PgStorage::new(connect(&cluster, &owner, &database.name), place.clone()).expect("the backend"),
    ));
    assert_eq!(server.counts().expect("counts"), sled.counts().expect("counts"));
    assert_eq!(reports(&server), reports(&sled), "the same reports on the server");
    assert!(server.check().expect("checked").is_empty());
    let journal = server.history(None, 0).expect("journal");
    assert_eq!(
        journal.len(),
        sled.history(None, 0).expect("journal").len() + 1,
        "the restore's note added"
    );
    assert_eq!(journal[0].kind, "store");

    let mut again = PgRestore::new(connect(&cluster, &owner, &database.name), place);
    assert!(
        shegong::backup::restore_into(&mut again, &from_sled, "王芳").is_err(),
        "a database holding data is refused"
    );
    assert_eq!(server.counts().expect("counts"), sled.counts().expect("counts"));

    let from_server = tmp.path().join("server.backup");
    shegong::backup::backup(server.storage(), &from_server).expect("backed up from the server");
    shegong::backup::restore(&tmp.path().join("back"), &from_server, "王芳").expect("restored into sled");
    // Other tests of this binary fork psql meanwhile: a child forked while the restore held
    // the folder's lock keeps it until it execs, so the first open may find it in use.
    let mut tries = 0;
    let back = loop {
        match Registry::open(&tmp.path().join("back"), false) {
            Err(StoreError::InUse(_)) if tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            opened => break opened.expect("opened"),
        }
    };
    assert_eq!(reports(&back), reports(&sled), "the same reports back on sled");
    assert!(back.check().expect("checked").is_empty());
}

/// Logins and what they may write, as the program says it: a clerk writes its street and what
/// is below it, and a write elsewhere is refused naming the unit (exit 4), before the server's
/// policies would; the journal records the clerk's login. An auditor's backend is read-only and
/// its writes are refused the same way.
#[test]
fn a_clerk_writes_its_units_and_is_refused_elsewhere_naming_the_unit() {
    use backend_suite::*;
    use shegong::domain::{BudgetKind, Level, Unit};
    use shegong::store::StoreError;
    let Some(cluster) = Cluster::shared() else { return };
    let (database, mut client, owner) = fresh(&cluster);
    let clerk = Login::new(&format!("{}_clerk", database.name));
    let auditor = Login::new(&format!("{}_auditor", database.name));
    cluster.create_login(&clerk, "IN ROLE shegong_clerk");
    cluster.create_login(&auditor, "IN ROLE shegong_auditor");
    let place = format!("{}@socket/{}", owner.name, database.name);
    {
        let district = Registry::over(Box::new(
            PgStorage::new(connect(&cluster, &owner, &database.name), place.clone()).expect("the backend"),
        ));
        district.apply_units(&hierarchy()).expect("units");
    }
    client
        .execute(
            "INSERT INTO shegong.staff (login, role, unit) VALUES ($1, 'clerk', $2), ($3, 'auditor', NULL)",
            &[&clerk.name, &STREET_A, &auditor.name],
        )
        .expect("staff rows");
    let as_clerk = Registry::over(Box::new(
        PgStorage::new(connect(&cluster, &clerk, &database.name), place.clone()).expect("the clerk's backend"),
    ));
    assert!(!as_clerk.is_readonly());
    as_clerk
        .add_records(&[budget("2022-01-01", COMMUNITY_A1, BudgetKind::Allocation, 100)])
        .expect("its own community");
    as_clerk
        .apply_units(&[Unit::new("530112001002", Some(STREET_A), Level::Community, "新社区")])
        .expect("a unit under its street");
    let refused_unit = |e: StoreError| {
        assert_eq!(e.exit_code(), 4, "{e:?}");
        match e {
            StoreError::NotAllowed { login, unit } => {
                assert_eq!(login, clerk.name);
                unit
            }
            other => panic!("refused as not allowed, got {other:?}"),
        }
    };
    let other = as_clerk
        .add_records(&[budget("2022-01-01", STREET_B, BudgetKind::Allocation, 100)])
        .expect_err("another street");
    assert_eq!(refused_unit(other), STREET_B);
    let mut renamed = hierarchy()[2].clone();
    renamed.name = "改名".into();
    assert_eq!(
        refused_unit(as_clerk.apply_units(&[renamed]).expect_err("another street's unit")),
        STREET_B
    );
    assert_eq!(
        refused_unit(as_clerk.delete_unit(STREET_B).expect_err("another street's unit")),
        STREET_B
    );
    let mut session = as_clerk
        .import_session::<shegong::domain::BudgetEntry>()
        .expect("a session");
    let rows = [budget("2022-02-01", STREET_B, BudgetKind::Allocation, 5)];
    assert_eq!(refused_unit(session.check(&rows, 0).expect_err("checked")), STREET_B);
    drop(session);
    assert_eq!(as_clerk.counts().expect("counts"), [5, 0, 0, 1]);
    let newest = as_clerk.history(None, 1).expect("journal");
    assert_eq!(newest[0].operator, clerk.name, "the journal records the server's login");

    let as_auditor = Registry::over(Box::new(
        PgStorage::new(connect(&cluster, &auditor, &database.name), place).expect("the auditor's backend"),
    ));
    assert!(as_auditor.is_readonly());
    assert_eq!(as_auditor.counts().expect("reads everything"), [5, 0, 0, 1]);
    match as_auditor.add_records(&[budget("2022-01-01", STREET_A, BudgetKind::Allocation, 100)]) {
        Err(StoreError::NotAllowed { unit, .. }) => assert_eq!(unit, STREET_A),
        other => panic!("an auditor's write refused, got {other:?}"),
    }
    assert!(as_auditor.check().expect("checked").is_empty());
}

/// A clerk's batch whose last change falls outside its street is refused whole, naming the
/// unit: the changes before it, inside its street, are rolled back with it (one transaction),
/// and the records, every figure and the journal are as before. The same batch without that
/// change commits.
#[test]
fn a_clerks_batch_refused_at_another_street_leaves_nothing() {
    use backend_suite::*;
    use shegong::domain::{BudgetKind, Level, Unit};
    use shegong::registry::batch::{Batch, Change, RecordRows};
    use shegong::store::StoreError;
    let Some(cluster) = Cluster::shared() else { return };
    let (database, mut client, owner) = fresh(&cluster);
    let clerk = Login::new(&format!("{}_clerk", database.name));
    cluster.create_login(&clerk, "IN ROLE shegong_clerk");
    let place = format!("{}@socket/{}", owner.name, database.name);
    let district = Registry::over(Box::new(
        PgStorage::new(connect(&cluster, &owner, &database.name), place.clone()).expect("the backend"),
    ));
    district.apply_units(&hierarchy()).expect("units");
    let entry = district
        .add_records(&[budget("2022-03-01", STREET_A, BudgetKind::Allocation, 10_000)])
        .expect("an entry");
    client
        .execute(
            "INSERT INTO shegong.staff (login, role, unit) VALUES ($1, 'clerk', $2)",
            &[&clerk.name, &STREET_A],
        )
        .expect("staff row");
    let seen = |r: &Registry| {
        let figures: Vec<_> = [DISTRICT, STREET_A, STREET_B, COMMUNITY_A1]
            .iter()
            .map(|code| {
                let m = r
                    .subtree_measures(code, chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("a day"))
                    .expect("totals");
                (m.allocated().0, m.units(Level::Community))
            })
            .collect();
        (
            r.counts().expect("counts"),
            r.all_units().expect("units"),
            figures,
            r.storage().journal_entries().expect("journal"),
            r.reversals().expect("reversals").len(),
        )
    };
    let before = seen(&district);
    let as_clerk = Registry::over(Box::new(
        PgStorage::new(connect(&cluster, &clerk, &database.name), place).expect("the clerk's backend"),
    ));
    let mut reversal = budget("2022-03-01", STREET_A, BudgetKind::Allocation, -10_000);
    reversal.note = "冲销".into();
    let good = Batch::new()
        .with(Change::PutUnits(vec![Unit::new(
            "530112001002",
            Some(STREET_A),
            Level::Community,
            "新社区",
        )]))
        .with(Change::ReverseBudget {
            of: entry.keys[0].clone(),
            reversal,
        })
        .with(Change::AddNewRecords(RecordRows::Budget(vec![budget(
            "2022-03-01",
            COMMUNITY_A1,
            BudgetKind::Allocation,
            12_000,
        )])));
    let outside = good.clone().with(Change::AddRecords(RecordRows::Budget(vec![budget(
        "2022-03-02",
        STREET_B,
        BudgetKind::Allocation,
        5,
    )])));
    match as_clerk.commit(&outside) {
        Err(StoreError::NotAllowed { login, unit }) => assert_eq!((login, unit), (clerk.name.clone(), STREET_B.into())),
        other => panic!("refused naming the other street, got {other:?}"),
    }
    assert_eq!(seen(&district), before, "nothing of the batch stays");
    as_clerk.commit(&good).expect("the batch inside its street");
    let after = seen(&district);
    assert_eq!(after.0, [5, 0, 0, 3]);
    assert_eq!(after.4, 1, "the reversal in force");
    assert_eq!(after.3.len(), before.3.len() + 3);
}

/// The tree's figures on the server (read a parent's children at once,
/// `Storage::children_measures_at_once`) are each row's own subtree totals, for every row of
/// the whole tree opened, at a past date and today; the sled store says it reads row by row.
#[test]
fn the_trees_figures_read_by_parent_are_each_rows_totals() {
    use backend_suite::*;
    use shegong::domain::BudgetKind;
    use shegong::tui::App;
    let Some(_cluster) = Cluster::shared() else { return };
    let Fixture { registry, _keep, .. } = pg();
    assert!(registry.children_measures_at_once());
    registry.apply_units(&hierarchy()).expect("units");
    registry
        .add_records(&[
            budget("2021-01-15", STREET_A, BudgetKind::Allocation, 500_000),
            budget("2021-12-31", COMMUNITY_A1, BudgetKind::Expenditure, 120_000),
            budget("2022", DISTRICT, BudgetKind::Allocation, 7),
            budget("2022-02-28", STREET_B, BudgetKind::Allocation, 300_000),
        ])
        .expect("budget");
    registry
        .add_records(&[evaluation("2022-06-30", STREET_A)])
        .expect("evaluations");
    let today = chrono::Local::now().date_naive();
    let mut app = App::new(registry, shegong::i18n::Lang::En, today).expect("the app");
    for as_of in [chrono::NaiveDate::from_ymd_opt(2021, 12, 31).expect("a day"), today] {
        app.as_of = as_of;
        app.figures.clear();
        app.tree.set_depth(&app.store, 5, 1000).expect("opened");
        assert_eq!(app.tree.rows.len(), 4, "every unit a row");
        app.prepare(ratatui::layout::Rect::new(0, 0, 120, 40));
        assert!(app.status.as_ref().is_none_or(|s| !s.error), "no error shown");
        for row in &app.tree.rows {
            let m = app.store.subtree_measures(&row.unit.code, as_of).expect("totals");
            let (covered, units) = shegong::tui::tree::coverage_of(row.unit.level, &m);
            let want = shegong::tui::app::Figures {
                covered,
                units,
                allocated: m.allocated(),
                spent: m.spent(),
            };
            assert_eq!(
                app.figures.get(&row.unit.code),
                Some(&want),
                "{} as of {as_of}",
                row.unit.code
            );
        }
    }
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let sled = Registry::create(&tmp.path().join("sled")).expect("a sled store");
    assert!(!sled.children_measures_at_once(), "sled reads the rows on screen");
}

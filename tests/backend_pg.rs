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

/// A registry over a fresh database of the running cluster.
fn pg() -> Fixture {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let Some(cluster) = Cluster::shared() else {
        panic!("the cluster was there when the test began");
    };
    let owner = owner(&cluster);
    let name = format!("suite_{}", NEXT.fetch_add(1, Ordering::SeqCst));
    cluster.run(
        &owner,
        "postgres",
        &format!("CREATE DATABASE \"{name}\" TEMPLATE {TEMPLATE};"),
    );
    let database = Database {
        cluster: Arc::clone(&cluster),
        name: name.clone(),
    };
    let client = connect(&cluster, &owner, &name);
    let storage = PgStorage::new(client, format!("{}@socket/{name}", owner.name)).expect("the backend");
    Fixture {
        registry: Registry::over(Box::new(storage)),
        journal_login: Some(owner.name.clone()),
        _keep: Box::new(database),
    }
}

backend_suite!(pg, if Cluster::shared());

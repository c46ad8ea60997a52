//! Bulk-import throughput on the shared server (issue 13: at least 100,000 budget rows/s):
//! the synthetic network's units, then its budget file, imported through the program's own
//! streamed import (`interchange::import_file`: checked in chunks, binary COPY into staging,
//! one `INSERT … SELECT` under the policies) into a throwaway cluster, the budget part timed.
//! Ignored by default; run in release mode on the default-size synthetic files:
//!
//! ```text
//! python3 /work/shared/tools/gen_synthetic.py --out /tmp/pg-syn
//! SHEGONG_SPEED_DIR=/tmp/pg-syn cargo test --release --test pg_import_speed -- --ignored --nocapture
//! ```

#[allow(dead_code)]
mod pg_support;
mod skip;

use pg_support::{Cluster, Login};
use shegong::interchange::{import_file, Kind};
use shegong::pg::backend::PgStorage;
use shegong::pg::migrate;
use shegong::registry::Registry;
use std::path::PathBuf;
use std::time::Instant;

#[test]
#[ignore]
fn budget_rows_per_second() {
    let dir = PathBuf::from(std::env::var("SHEGONG_SPEED_DIR").unwrap_or_else(|_| "/tmp/pg-syn".into()));
    let Some(cluster) = Cluster::start() else { return };
    let owner = Login::new("speed_owner");
    cluster.create_login(&owner, "CREATEROLE");
    cluster.run(
        cluster.superuser(),
        "postgres",
        &format!("CREATE DATABASE speed OWNER \"{}\";", owner.name),
    );
    let mut config = postgres::Config::new();
    config
        .host_path(cluster.root())
        .port(5432)
        .user(&owner.name)
        .password(&owner.password)
        .dbname("speed");
    let mut client = config.connect(postgres::NoTls).expect("connected");
    migrate::apply(&mut client).expect("migrated");
    let storage = PgStorage::new(client, "speed_owner@socket/speed".into()).expect("the backend");
    let registry = Registry::over(Box::new(storage));
    let start = Instant::now();
    let units = import_file(&registry, Kind::Units, &dir.join("units.csv")).expect("units imported");
    println!("{} units in {:.1} s", units.added, start.elapsed().as_secs_f64());
    let start = Instant::now();
    let budget = import_file(&registry, Kind::Budget, &dir.join("budget.csv")).expect("budget imported");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} budget rows in {secs:.2} s = {:.0} rows/s",
        budget.added,
        budget.added as f64 / secs
    );
    let again = Instant::now();
    let twice = import_file(&registry, Kind::Budget, &dir.join("budget.csv")).expect("imported again");
    println!(
        "again: {} added, {} already present, in {:.2} s",
        twice.added,
        twice.already_present,
        again.elapsed().as_secs_f64()
    );
    assert_eq!(twice.added, 0);
}

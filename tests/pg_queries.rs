//! How many statements a report at the root sends the shared server: a fixed few, whatever
//! the number of children (issue 13). The children's totals are one query per record table for
//! them all (`Storage::children_measures`) and their newest evaluations one query
//! (`Storage::newest_evaluation_days`); before, the newest evaluation was four round trips per
//! child. The root's own total comes from the same pass over the records as its children's
//! (`Storage::measures_with_children`): one pass over the budget rows per report. The cluster
//! logs every statement (`log_statement=all`); the report of Xishan's district (10 streets)
//! and, after 290 more streets (each with an evaluation, two of them on one day) are imported,
//! of the same district with 300 streets, send the same number. Skipped, saying why, without
//! PostgreSQL.

#[allow(dead_code)]
mod pg_support;
mod skip;

use pg_support::binary::{binary, empty_database, expect, run};
use pg_support::{Cluster, Login};
use std::process::Command;

/// The binary as `login` on `db`, through the socket of a cluster that listens on a port of
/// its own (and names its socket by it).
fn on(cluster: &Cluster, login: &Login, db: &str, args: &[&str]) -> Command {
    let mut command = binary();
    command
        .arg("--db")
        .arg(format!(
            "postgresql://{}@/{db}?host={}&port={}",
            login.name,
            cluster.root().display(),
            cluster.port()
        ))
        .args(args)
        .env("PGPASSFILE", cluster.root().join("pgpass"));
    command
}

/// The statements the server logged so far (simple queries and executions of prepared ones).
fn statements(cluster: &Cluster) -> usize {
    cluster
        .log()
        .lines()
        .filter(|l| l.contains("LOG:  statement: ") || l.contains("LOG:  execute "))
        .count()
}

/// The passes over the budget records the server was asked for so far: the one query per
/// pass that sums the amounts.
fn budget_passes(cluster: &Cluster) -> usize {
    cluster
        .log()
        .lines()
        .filter(|l| l.contains("sum(amount)::bigint"))
        .count()
}

#[test]
fn a_root_report_sends_as_many_statements_for_300_children_as_for_10() {
    let Some(cluster) = Cluster::start_listening("-c log_statement=all", &[]) else {
        return;
    };
    let db = "queries";
    let owner = empty_database(&cluster, db);
    expect(&run(on(&cluster, &owner, db, &["init"]), None), 0);
    let report = |what: &str| -> (usize, serde_json::Value) {
        let before = statements(&cluster);
        let passes = budget_passes(&cluster);
        let out = expect(
            &run(
                on(&cluster, &owner, db, &["report", "--format", "json", "--depth", "1"]),
                None,
            ),
            0,
        );
        let sent = statements(&cluster) - before;
        // The root's total comes from the pass that gives its children's (it read the records
        // twice, once for each, which cost seconds at the default size).
        assert_eq!(
            budget_passes(&cluster) - passes,
            1,
            "{what}: passes over the budget records"
        );
        let json: serde_json::Value = match serde_json::from_str(&out) {
            Ok(v) => v,
            Err(e) => panic!("{what}: the report's JSON: {e}\n{out}"),
        };
        (sent, json)
    };
    let (ten, small) = report("10 streets");
    assert_eq!(small["children"].as_array().map(Vec::len), Some(10));

    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let mut units = String::from("code,parent,level,name,station,opened_on\n");
    let mut evaluations = String::from("id,unit,date,kind,evaluator,score,grade,note\n");
    for i in 100..390 {
        units.push_str(&format!(
            "530112{i}000,530112000000,street,街道{i},operating,2020-06-01\n"
        ));
        evaluations.push_str(&format!(
            ",530112{i}000,2021-0{}-15,self,评估{i},{}.0,,\n",
            1 + i % 9,
            50 + i % 40
        ));
    }
    evaluations.push_str(",530112389000,2021-09-15,spot,评估,88.0,,同日\n");
    for (kind, text) in [("units", &units), ("evaluations", &evaluations)] {
        let file = tmp.path().join(format!("{kind}.csv"));
        if let Err(e) = std::fs::write(&file, text) {
            panic!("{e}");
        }
        let path = file.display().to_string();
        expect(&run(on(&cluster, &owner, db, &["import", kind, &path]), None), 0);
    }
    let (three_hundred, large) = report("300 streets");
    let children = large["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(children.len(), 300);
    // The new streets' newest evaluations came back with the rest.
    let latest = children
        .iter()
        .filter(|c| c["evaluations"]["latest"]["date"].is_string())
        .count();
    assert!(latest >= 290, "{latest} streets with a newest evaluation");
    println!("report --depth 1 at the root: {ten} statements for 10 children, {three_hundred} for 300");
    assert_eq!(ten, three_hundred, "statements grew with the children");
    assert!(ten <= 30, "{ten} statements for one report");
}

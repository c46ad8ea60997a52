//! Evaluation schemes on the server (issue 15, migration 9): the server itself holds that only
//! `district` adds schemes and that nobody changes or deletes one, while every role reads them;
//! checked with psql as each login, as `pg_security.rs` checks the other tables.

// Not every helper of the harness is used here.
#[allow(dead_code)]
mod pg_support;
mod skip;

use pg_support::{Cluster, Login};

const ROW: &str = "INSERT INTO shegong.schemes (name, position, code, indicator, grp, max_points)
                   VALUES ('示例方案', {n}, 'A{n}', '场所面积', '场所', 50);";

#[test]
fn only_district_adds_schemes_and_everyone_reads_them() {
    let Some(cluster) = Cluster::shared() else { return };
    let db = "schemes_rls";
    let owner = Login::new(&format!("{db}_owner"));
    cluster.create_database(db, &owner);
    let district = Login::new(&format!("{db}_district"));
    let clerk = Login::new(&format!("{db}_clerk"));
    let auditor = Login::new(&format!("{db}_auditor"));
    cluster.create_login(&district, "IN ROLE shegong_district");
    cluster.create_login(&clerk, "IN ROLE shegong_clerk");
    cluster.create_login(&auditor, "IN ROLE shegong_auditor");
    cluster.run(
        &owner,
        db,
        &format!(
            "INSERT INTO shegong.units (code, parent, level, name) VALUES ('530112000000', NULL, 'district', '西山区');
             INSERT INTO shegong.staff VALUES ('{}', 'district', NULL), ('{}', 'clerk', '530112000000'),
               ('{}', 'auditor', NULL);",
            district.name, clerk.name, auditor.name
        ),
    );
    cluster.run(&district, db, &ROW.replace("{n}", "1"));
    for who in [&clerk, &auditor] {
        let out = cluster.psql(who, db, &ROW.replace("{n}", "2"));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success() && err.contains("permission denied"),
            "{}: {err}",
            who.name
        );
        assert_eq!(
            cluster.query(who, db, "SELECT count(*) FROM shegong.schemes").trim(),
            "1",
            "{} reads",
            who.name
        );
    }
    for sql in [
        "UPDATE shegong.schemes SET max_points = 10",
        "DELETE FROM shegong.schemes",
    ] {
        let out = cluster.psql(&district, db, sql);
        assert!(!out.status.success(), "{sql}: a stored scheme never changes");
    }
    assert_eq!(
        cluster
            .query(&owner, db, "SELECT max_points FROM shegong.schemes")
            .trim(),
        "50"
    );
}

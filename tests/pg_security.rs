//! The shared server's locks, tried at the server itself (issue 13): a throwaway cluster
//! (`pg_support`) with the migrations of `shegong::pg` applied as a non-superuser owner, a
//! small district (two streets, a community under each, records under every unit), and logins
//! that connect with `psql` over the socket, their passwords in a password file. A clerk of
//! 碧鸡 tries every write it could type on every table outside its street; each is refused or
//! touches no row, and a dump of every table and of the totals is the same afterwards. Within
//! its street it writes. An auditor writes nothing. The journal records the connecting login,
//! whatever the client sends. No password shows in the journal, the server's log, an error
//! message, or any process's command line or environment. Skipped, saying why, without
//! PostgreSQL.

mod pg_support;
mod skip;

use pg_support::{Cluster, Login};
use std::sync::Arc;

const DISTRICT: &str = "530112000000";
const BIJI: &str = "530112001000";
const BIJI_COMMUNITY: &str = "530112001001";
const XIYUAN: &str = "530112002000";
const XIYUAN_COMMUNITY: &str = "530112002001";
/// The session's staging table of budget rows, as the program makes it (src/pg/stage.rs).
const STAGE_BUDGET: &str = "CREATE TEMP TABLE stage_budget (ord bigint, id text, date text, unit text, kind text, \
     category text, source text, amount bigint, voucher text, note text, content_hash bytea, occurrence integer);";
/// What the program runs to let `shegong.import_budget` read the session's staging table of
/// budget rows (src/pg/partition.rs).
const STAGE_READABLE: &str = "DO $$ BEGIN EXECUTE format('GRANT SELECT ON pg_temp.stage_budget TO %I', \
     (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'shegong')); END $$;";

/// A database of its own on the shared cluster, with the district loaded and four logins.
struct District {
    cluster: Arc<Cluster>,
    db: String,
    owner: Login,
    district: Login,
    clerk: Login,
    auditor: Login,
}

fn district(tag: &str) -> Option<District> {
    let cluster = Cluster::shared()?;
    let db = format!("sec_{tag}");
    let owner = Login::new(&format!("{db}_owner"));
    cluster.create_database(&db, &owner);
    let district = Login::new(&format!("{db}_district"));
    let clerk = Login::new(&format!("{db}_clerk_biji"));
    let auditor = Login::new(&format!("{db}_auditor"));
    cluster.create_login(&district, "IN ROLE shegong_district");
    cluster.create_login(&clerk, "IN ROLE shegong_clerk");
    cluster.create_login(&auditor, "IN ROLE shegong_auditor");
    let seed = format!(
        "INSERT INTO shegong.units (code, parent, level, name, station, opened_on) VALUES
           ('{DISTRICT}', NULL, 'district', '西山区', 'operating', '2021-05-30'),
           ('{BIJI}', '{DISTRICT}', 'street', '碧鸡街道', 'operating', '2021-06'),
           ('{BIJI_COMMUNITY}', '{BIJI}', 'community', '碧鸡社区', 'none', NULL),
           ('{XIYUAN}', '{DISTRICT}', 'street', '西苑街道', 'operating', '2021'),
           ('{XIYUAN_COMMUNITY}', '{XIYUAN}', 'community', '西苑社区', 'none', NULL);
         INSERT INTO shegong.evaluations (id, unit, date, kind, evaluator, score, content_hash)
           SELECT 'E-' || code, code, '2021-11-08', 'midterm', '第三方', 855, decode(md5('e' || code), 'hex')
           FROM shegong.units;
         INSERT INTO shegong.trainings (id, date, host, kind, mode, topic, hours, attendees, content_hash)
           SELECT 'T-' || code, '2021-10', code, 'coaching', 'offline', '督导', 35, 12, decode(md5('t' || code), 'hex')
           FROM shegong.units;
         INSERT INTO shegong.budget (id, date, unit, kind, category, source, amount, content_hash)
           SELECT 'B-' || code, '2021-09-01', code, 'allocation', 'operation', 'fiscal', 17000000,
                  decode(md5('b' || code), 'hex') FROM shegong.units
           UNION ALL
           SELECT NULL, '2021-12-01', code, 'expenditure', 'training', 'fiscal', 123456,
                  decode(md5('x' || code), 'hex') FROM shegong.units;
         INSERT INTO shegong.journal (kind, action, unit, summary)
           SELECT 'import', 'add', code, 'seed' FROM shegong.units;
         INSERT INTO shegong.staff VALUES
           ('{d}', 'district', NULL), ('{c}', 'clerk', '{BIJI}'), ('{a}', 'auditor', NULL);",
        d = district.name,
        c = clerk.name,
        a = auditor.name,
    );
    cluster.run(&owner, &db, &seed);
    Some(District {
        cluster,
        db,
        owner,
        district,
        clerk,
        auditor,
    })
}

impl District {
    /// Every table, the totals of every unit over its subtree (as the report computes them on
    /// read) and the tables' row-level security, as the owner sees them.
    fn dump(&self) -> String {
        let sql = "
            SET search_path = shegong, pg_catalog;
            SELECT 'units', u::text FROM shegong.units u ORDER BY code;
            SELECT 'evaluations', r::text FROM shegong.evaluations r ORDER BY seq;
            SELECT 'trainings', r::text FROM shegong.trainings r ORDER BY seq;
            SELECT 'budget', r::text FROM shegong.budget r ORDER BY seq;
            SELECT 'journal', r::text FROM shegong.journal r ORDER BY id;
            SELECT 'staff', r::text FROM shegong.staff r ORDER BY login;
            SELECT 'totals', u.code,
              (SELECT count(*) FROM shegong.evaluations e JOIN shegong.units s ON s.code = e.unit WHERE s.path <@ u.path),
              (SELECT count(*) FROM shegong.trainings t JOIN shegong.units s ON s.code = t.host WHERE s.path <@ u.path),
              (SELECT sum(amount) FILTER (WHERE kind = 'allocation') FROM shegong.budget b JOIN shegong.units s ON s.code = b.unit WHERE s.path <@ u.path),
              (SELECT sum(amount) FILTER (WHERE kind = 'expenditure') FROM shegong.budget b JOIN shegong.units s ON s.code = b.unit WHERE s.path <@ u.path)
              FROM shegong.units u ORDER BY code;
            SELECT 'security', c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid), c.relacl::text
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'shegong' AND c.relkind = 'r' ORDER BY c.relname;";
        self.cluster.query(&self.owner, &self.db, sql)
    }

    /// Runs `sql` as `login`, expecting its last statement refused by the server or touching no
    /// row. `Err` says what happened instead.
    fn refused(&self, login: &Login, sql: &str) -> Result<(), String> {
        let out = self.cluster.psql(login, &self.db, sql);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            // Refused for the right reason, not for a typo in the test.
            const REASONS: &[&str] = &[
                "permission denied",
                "row-level security",
                "must be owner",
                "must be member",
                "must be able to SET ROLE",
                // The direct path of migration 9: not finished, or not begun.
                "was begun and not finished",
                "no import of budget rows was begun",
                "between 1 and 100,000,000 rows",
            ];
            return if REASONS.iter().any(|reason| stderr.contains(reason)) {
                Ok(())
            } else {
                Err(format!("refused for another reason: {stderr}"))
            };
        }
        let last = stdout.lines().rev().find(|line| {
            ["INSERT ", "UPDATE ", "DELETE ", "COPY "]
                .iter()
                .any(|tag| line.starts_with(tag))
        });
        match last.and_then(|line| line.rsplit(' ').next()).map(str::trim) {
            Some("0") => Ok(()),
            _ => Err(format!("it went through: {stdout}")),
        }
    }

    /// Every write the clerk of 碧鸡 must not make, one psql session each.
    fn forbidden(&self) -> Vec<String> {
        let mut sql = vec![
            // Units outside its street, and moving its own out of it.
            format!("INSERT INTO shegong.units (code, parent, level, name) VALUES ('530112002009', '{XIYUAN}', 'community', '新社区');"),
            "INSERT INTO shegong.units (code, parent, level, name) VALUES ('X1', NULL, 'district', '别区');".into(),
            format!("UPDATE shegong.units SET name = '改' WHERE code IN ('{XIYUAN}', '{XIYUAN_COMMUNITY}', '{DISTRICT}');"),
            format!("UPDATE shegong.units SET parent = '{BIJI}' WHERE code = '{XIYUAN_COMMUNITY}';"),
            format!("UPDATE shegong.units SET parent = '{XIYUAN}' WHERE code = '{BIJI_COMMUNITY}';"),
            format!("UPDATE shegong.units SET parent = NULL WHERE code = '{BIJI}';"),
            format!("UPDATE shegong.units SET path = 'x' WHERE code = '{XIYUAN_COMMUNITY}';"),
            format!("DELETE FROM shegong.units WHERE code IN ('{XIYUAN_COMMUNITY}', '{XIYUAN}', '{DISTRICT}');"),
            // The journal: appended only, and only for its own units.
            format!("INSERT INTO shegong.journal (kind, action, unit, summary) VALUES ('unit', 'change', '{XIYUAN}', '冒充');"),
            "INSERT INTO shegong.journal (kind, action, unit, summary) VALUES ('unit', 'change', NULL, '冒充');".into(),
            "UPDATE shegong.journal SET summary = '改';".into(),
            format!("UPDATE shegong.journal SET summary = '改' WHERE unit = '{BIJI}';"),
            "DELETE FROM shegong.journal;".into(),
            format!("DELETE FROM shegong.journal WHERE unit = '{BIJI}';"),
            // Staff: nobody but district and the owner.
            "INSERT INTO shegong.staff VALUES ('someone', 'district', NULL);".into(),
            "UPDATE shegong.staff SET role = 'district', unit = NULL WHERE login = current_user;".into(),
            format!("UPDATE shegong.staff SET unit = '{DISTRICT}' WHERE login = current_user;"),
            "DELETE FROM shegong.staff;".into(),
            // Lending itself a scope: its own temporary `staff`, a group role, the policies.
            format!(
                "CREATE TEMP TABLE staff (login name, role text, unit text);
                 INSERT INTO staff VALUES (current_user, 'district', NULL);
                 CREATE TEMP TABLE units (code text, path text, level text);
                 INSERT INTO units VALUES ('{XIYUAN}', 'x', 'street');
                 UPDATE shegong.budget SET amount = 1 WHERE unit = '{XIYUAN}';"
            ),
            format!("SET ROLE shegong_clerk; UPDATE shegong.budget SET amount = 1 WHERE unit = '{BIJI}';"),
            format!("SET ROLE shegong_district; UPDATE shegong.budget SET amount = 1 WHERE unit = '{XIYUAN}';"),
            "SET row_security = off; DELETE FROM shegong.budget;".into(),
            "ALTER TABLE shegong.budget DISABLE ROW LEVEL SECURITY;".into(),
            "ALTER TABLE shegong.budget NO FORCE ROW LEVEL SECURITY;".into(),
            "DROP POLICY change ON shegong.budget;".into(),
            "CREATE POLICY open ON shegong.budget FOR ALL USING (true);".into(),
            "CREATE OR REPLACE FUNCTION shegong.writes_all(who name) RETURNS boolean LANGUAGE sql AS 'SELECT true';".into(),
            "CREATE TABLE shegong.mine (x int);".into(),
        ];
        // Each record table: another street's records, and moving its own there.
        for (table, unit, values) in [
            (
                "evaluations",
                "unit",
                "(unit, date, kind, content_hash) VALUES ('{U}', '2021-11', 'spot', '\\x01')",
            ),
            (
                "trainings",
                "host",
                "(host, date, kind, content_hash) VALUES ('{U}', '2021-11', 'class', '\\x01')",
            ),
            (
                "budget",
                "unit",
                "(unit, date, kind, amount, content_hash) VALUES ('{U}', '2021-11', 'allocation', 100, '\\x01')",
            ),
        ] {
            for other in [XIYUAN, XIYUAN_COMMUNITY, DISTRICT] {
                sql.push(format!("INSERT INTO shegong.{table} {};", values.replace("{U}", other)));
            }
            sql.push(format!(
                "UPDATE shegong.{table} SET note = '改' WHERE {unit} IN ('{XIYUAN}', '{XIYUAN_COMMUNITY}', '{DISTRICT}');"
            ));
            sql.push(format!(
                "UPDATE shegong.{table} SET {unit} = '{XIYUAN}' WHERE {unit} = '{BIJI}';"
            ));
            sql.push(format!(
                "DELETE FROM shegong.{table} WHERE {unit} IN ('{XIYUAN}', '{XIYUAN_COMMUNITY}', '{DISTRICT}');"
            ));
            sql.push(format!("TRUNCATE shegong.{table};"));
            // The bulk import's path: all or nothing, one row outside its street spoils it.
            sql.push(format!(
                "BEGIN;
                 CREATE TEMP TABLE s (LIKE shegong.staging_{table}) ON COMMIT DROP;
                 INSERT INTO s ({unit}, date, kind, content_hash, occurrence) VALUES
                   ('{BIJI}', '2021-11', '{k}', '\\x0a', 0), ('{XIYUAN}', '2021-11', '{k}', '\\x0b', 0);
                 {fill}
                 INSERT INTO shegong.{table} ({unit}, date, kind, content_hash, occurrence{extra})
                   SELECT {unit}, date, kind, content_hash, occurrence{extra} FROM s;
                 COMMIT;",
                k = match table {
                    "evaluations" => "spot",
                    "trainings" => "class",
                    _ => "allocation",
                },
                fill = if table == "budget" {
                    "UPDATE s SET amount = 100;"
                } else {
                    ""
                },
                extra = if table == "budget" { ", amount" } else { "" },
            ));
        }
        for table in ["units", "journal", "staff"] {
            sql.push(format!("TRUNCATE shegong.{table};"));
        }
        // Budget rows' partitions (migration 8): a partition written directly, one of its own attached, `part` changed, and the
        // bulk import's own function given a row outside its street.
        sql.extend([
            format!("INSERT INTO shegong.budget_main (seq, unit, date, kind, amount, content_hash) VALUES (1000, '{BIJI}', '2021-11', 'allocation', 100, '\\x0e');"),
            format!("UPDATE shegong.budget SET part = 5 WHERE unit = '{BIJI}';"),
            format!("UPDATE shegong.budget SET batch = 5 WHERE unit = '{BIJI}';"),
            "DELETE FROM shegong.budget_main;".into(),
            "CREATE TEMP TABLE p (LIKE shegong.budget); ALTER TABLE shegong.budget ATTACH PARTITION p FOR VALUES IN (5);".into(),
            "ALTER TABLE shegong.budget DETACH PARTITION shegong.budget_main;".into(),
            format!(
                "BEGIN;
                 {STAGE_BUDGET}
                 INSERT INTO stage_budget VALUES
                   (1, NULL, '2021-11', '{BIJI}', 'allocation', NULL, NULL, 100, '', '', '\\x0f', 0),
                   (2, NULL, '2021-11', '{XIYUAN}', 'allocation', NULL, NULL, 100, '', '', '\\x0f', 1);
                 {STAGE_READABLE}
                 SELECT shegong.import_budget(pg_current_xact_id()::text::bigint);
                 COMMIT;"
            ),
        ]);
        // Migration 9: an import's partition COPYed into directly before it is checked. A row
        // outside the street refuses the import; the partition cannot be kept without that
        // check (a commit without `finish_budget_import` is refused), nor attached by the
        // clerk, nor its open import forgotten; `finish` needs a `begin` of its own.
        let begin = "BEGIN;\nSELECT part, base FROM shegong.begin_budget_import(pg_current_xact_id()::text::bigint, 2) \\gset\n";
        let rows = format!(
            "INSERT INTO shegong.budget_p:part (seq, unit, date, kind, amount, content_hash) VALUES
               (:base + 1, '{BIJI}', '2021-11', 'allocation', 100, '\\x10'),
               (:base + 2, '{XIYUAN}', '2021-11', 'allocation', 100, '\\x11');\n"
        );
        let finish = "SELECT shegong.finish_budget_import(pg_current_xact_id()::text::bigint);\n";
        sql.extend([
            format!("{begin}{rows}{finish}COMMIT;"),
            format!("{begin}{rows}COMMIT;"),
            format!("BEGIN;\nSAVEPOINT a;\nSELECT part, base FROM shegong.begin_budget_import(pg_current_xact_id()::text::bigint, 2) \\gset\n{rows}RELEASE SAVEPOINT a;\nCOMMIT;"),
            format!("{begin}{rows}SET CONSTRAINTS ALL IMMEDIATE;\nCOMMIT;"),
            format!("{begin}{rows}DELETE FROM shegong.budget_imports;\nCOMMIT;"),
            format!("{begin}{rows}ALTER TABLE shegong.budget ATTACH PARTITION shegong.budget_p:part FOR VALUES IN (:part);\nCOMMIT;"),
            format!("{begin}{rows}ALTER TABLE shegong.budget_p:part DISABLE TRIGGER ALL;\nCOMMIT;"),
            format!("BEGIN;\n{finish}COMMIT;"),
            // A count with no rows behind it would spend the numbers of `seq` for good.
            "SELECT shegong.begin_budget_import(pg_current_xact_id()::text::bigint, 9000000000000000000);".into(),
        ]);
        // The staging templates: nobody writes them, COPY included.
        for table in ["staging_evaluations", "staging_trainings", "staging_budget"] {
            sql.push(format!("INSERT INTO shegong.{table} (content_hash) VALUES ('\\x01');"));
            sql.push(format!("UPDATE shegong.{table} SET content_hash = '\\x02';"));
            sql.push(format!("DELETE FROM shegong.{table};"));
            sql.push(format!("TRUNCATE shegong.{table};"));
            sql.push(format!("COPY shegong.{table} (note) FROM STDIN;\nx\n\\.\n"));
        }
        sql
    }
}

/// Tries every statement as `login`; panics listing each that was not refused.
fn all_refused(d: &District, login: &Login, statements: &[String]) {
    let failures: Vec<String> = statements
        .iter()
        .filter_map(|sql| d.refused(login, sql).err().map(|why| format!("{sql}\n  → {why}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} writes were not refused:\n{}",
        failures.len(),
        statements.len(),
        failures.join("\n")
    );
}

#[test]
fn a_clerk_writes_nothing_outside_its_street_and_writes_within_it() {
    let Some(d) = district("clerk") else { return };
    let before = d.dump();
    all_refused(&d, &d.clerk, &d.forbidden());
    assert_eq!(before, d.dump(), "the clerk's refused writes changed something");

    // Within its street it writes: units, every kind of record, the journal, a bulk import.
    let within = format!(
        "UPDATE shegong.units SET name = '碧鸡社区（新）' WHERE code = '{BIJI_COMMUNITY}';
         INSERT INTO shegong.units (code, parent, level, name) VALUES ('530112001002', '{BIJI}', 'community', '新社区');
         INSERT INTO shegong.evaluations (unit, date, kind, score, content_hash) VALUES ('{BIJI}', '2022-01', 'annual', 900, '\\x10');
         INSERT INTO shegong.trainings (host, date, kind, content_hash) VALUES ('530112001002', '2022-01', 'class', '\\x11');
         UPDATE shegong.budget SET note = '改' WHERE unit = '{BIJI_COMMUNITY}';
         DELETE FROM shegong.evaluations WHERE unit = '{BIJI_COMMUNITY}';
         INSERT INTO shegong.journal (kind, action, unit, summary) VALUES ('budget', 'change', '{BIJI_COMMUNITY}', '改备注');
         BEGIN;
         CREATE TEMP TABLE s (LIKE shegong.staging_budget) ON COMMIT DROP;
         COPY s (unit, date, kind, amount, content_hash, occurrence) FROM STDIN;
{BIJI}\t2022-02\tallocation\t500000\t\\\\x20\t0
530112001002\t2022-02\tallocation\t250000\t\\\\x20\t1
\\.
         INSERT INTO shegong.budget (unit, date, kind, amount, content_hash, occurrence)
           SELECT unit, date, kind, amount, content_hash, occurrence FROM s
           ON CONFLICT (content_hash, occurrence, part) DO NOTHING;
         COMMIT;"
    );
    d.cluster.run(&d.clerk, &d.db, &within);
    let sums = d.cluster.query(
        &d.owner,
        &d.db,
        &format!(
            "SET search_path = shegong, pg_catalog;
             SELECT (SELECT name FROM shegong.units WHERE code = '{BIJI_COMMUNITY}'),
                    (SELECT count(*) FROM shegong.units WHERE path <@ (SELECT path FROM shegong.units WHERE code = '{BIJI}')),
                    (SELECT count(*) FROM shegong.evaluations WHERE unit = '{BIJI_COMMUNITY}'),
                    (SELECT sum(amount) FROM shegong.budget WHERE date = '2022-02'),
                    (SELECT count(*) FROM shegong.journal WHERE login = '{}');",
            d.clerk.name
        ),
    );
    assert_eq!(sums.trim(), "碧鸡社区（新）|3|0|750000|1");
    // Its own writes left the other street as it was.
    let other = |dump: &str| -> Vec<String> {
        dump.lines()
            .filter(|line| line.contains(XIYUAN) || line.starts_with("security") || line.starts_with("staff"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(other(&before), other(&d.dump()));
}

#[test]
fn an_auditor_writes_nothing() {
    let Some(d) = district("auditor") else { return };
    let before = d.dump();
    let mut statements = d.forbidden();
    // What the clerk may do in its street, the auditor may not do anywhere.
    statements.extend([
        format!("UPDATE shegong.units SET name = '改' WHERE code = '{BIJI_COMMUNITY}';"),
        format!("INSERT INTO shegong.units (code, parent, level, name) VALUES ('530112001002', '{BIJI}', 'community', '新');"),
        format!("INSERT INTO shegong.budget (unit, date, kind, amount, content_hash) VALUES ('{BIJI}', '2022-01', 'allocation', 1, '\\x30');"),
        "UPDATE shegong.evaluations SET note = '改';".into(),
        "UPDATE shegong.trainings SET note = '改';".into(),
        "UPDATE shegong.budget SET note = '改';".into(),
        "DELETE FROM shegong.evaluations;".into(),
        "DELETE FROM shegong.trainings;".into(),
        "DELETE FROM shegong.budget;".into(),
        format!("INSERT INTO shegong.journal (kind, action, unit) VALUES ('unit', 'change', '{BIJI}');"),
    ]);
    all_refused(&d, &d.auditor, &statements);
    assert_eq!(before, d.dump(), "the auditor's refused writes changed something");
    // It reads everything.
    let counts = d.cluster.query(
        &d.auditor,
        &d.db,
        "SELECT (SELECT count(*) FROM shegong.units), (SELECT count(*) FROM shegong.budget), (SELECT count(*) FROM shegong.journal);",
    );
    assert_eq!(counts.trim(), "5|10|5");
}

#[test]
fn the_journal_records_the_connecting_login_whatever_the_client_sends() {
    let Some(d) = district("journal") else { return };
    for login in [&d.clerk, &d.district] {
        d.cluster.run(
            login,
            &d.db,
            &format!(
                "INSERT INTO shegong.journal (id, at, login, kind, action, unit, summary)
                 VALUES (1, '2000-01-01', '{}', 'unit', 'change', '{BIJI}', 'forged');",
                d.owner.name
            ),
        );
    }
    let rows = d.cluster.query(
        &d.owner,
        &d.db,
        "SELECT id > 5, login, at > now() - interval '1 hour' FROM shegong.journal WHERE summary = 'forged' ORDER BY id;",
    );
    assert_eq!(rows, format!("t|{}|t\nt|{}|t\n", d.clerk.name, d.district.name));
    // A login without a staff row, even in a group, reads and writes nothing.
    let stray = Login::new(&format!("{}_stray", d.db));
    d.cluster.create_login(&stray, "IN ROLE shegong_district");
    assert_eq!(
        d.cluster
            .query(&stray, &d.db, "SELECT count(*) FROM shegong.units;")
            .trim(),
        "0"
    );
    all_refused(
        &d,
        &stray,
        &[format!(
            "INSERT INTO shegong.journal (kind, action, unit) VALUES ('unit', 'change', '{BIJI}');"
        )],
    );
}

#[test]
fn passwords_stay_out_of_the_journal_the_log_errors_and_processes() {
    let Some(d) = district("secrets") else { return };
    // A clerk's session that stays open while every process is looked at.
    let mut session = d.cluster.psql_command(&d.clerk, &d.db, &["-c", "SELECT pg_sleep(2);"]);
    let child = session.stdout(std::process::Stdio::null()).spawn();
    let child = match child {
        Ok(child) => child,
        Err(e) => panic!("psql did not start: {e}"),
    };
    std::thread::sleep(std::time::Duration::from_millis(700));
    let mut seen = String::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        for file in ["cmdline", "environ"] {
            if let Ok(bytes) = std::fs::read(entry.path().join(file)) {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                seen.push('\n');
            }
        }
    }
    let finished = child.wait_with_output();
    assert!(
        finished.is_ok_and(|out| out.status.success()),
        "the clerk's session failed"
    );
    assert!(
        seen.contains(&d.clerk.name),
        "the clerk's session was not seen among the processes"
    );

    // A failed login's message.
    let wrong = Login::new(&format!("{}_nobody", d.db));
    if let Err(e) = d.cluster.remember(&wrong) {
        panic!("{e}");
    }
    let refused = d.cluster.psql(&wrong, &d.db, "SELECT 1;");
    assert!(!refused.status.success(), "an unknown login was let in");
    let message = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(message.contains("password authentication failed"), "{message}");

    let journal = d
        .cluster
        .query(&d.owner, &d.db, "SELECT r::text FROM shegong.journal r;");
    let log = d.cluster.log();
    for login in [
        &d.owner,
        &d.district,
        &d.clerk,
        &d.auditor,
        &wrong,
        d.cluster.superuser(),
    ] {
        let password = &login.password;
        assert!(
            !seen.contains(password.as_str()),
            "{}'s password is visible in /proc",
            login.name
        );
        assert!(
            !journal.contains(password.as_str()),
            "{}'s password is in the journal",
            login.name
        );
        assert!(
            !log.contains(password.as_str()),
            "{}'s password is in the server's log",
            login.name
        );
        assert!(
            !message.contains(password.as_str()),
            "{}'s password is in an error message",
            login.name
        );
    }
}

#[test]
fn every_table_is_under_forced_row_level_security_and_writes_notify_the_units() {
    let Some(d) = district("live") else { return };
    let loose = d.cluster.query(
        &d.owner,
        &d.db,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'shegong' AND c.relkind IN ('r', 'p')
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity);",
    );
    assert_eq!(loose, "", "tables without forced row-level security");

    // One notification per statement, naming the units touched and the login; none for a
    // transaction rolled back.
    let out = d.cluster.run(
        &d.clerk,
        &d.db,
        &format!(
            "LISTEN shegong_changes;
             BEGIN; INSERT INTO shegong.budget (unit, date, kind, amount, content_hash)
               VALUES ('{BIJI}', '2022-01', 'allocation', 1, '\\x41'); ROLLBACK;
             UPDATE shegong.budget SET note = '改' WHERE unit IN ('{BIJI}', '{BIJI_COMMUNITY}');
             SELECT 1;"
        ),
    );
    let notes: Vec<&str> = out
        .lines()
        .filter(|line| line.starts_with("Asynchronous notification"))
        .collect();
    assert_eq!(notes.len(), 1, "{out}");
    assert!(
        notes[0].contains(&format!("\"units\" : [\"{BIJI}\",\"{BIJI_COMMUNITY}\"]"))
            && notes[0].contains(&d.clerk.name),
        "{out}"
    );

    // The path follows a move, down the subtree, and a forged path is put right.
    d.cluster.run(
        &d.clerk,
        &d.db,
        &format!("UPDATE shegong.units SET path = 'x.y' WHERE code = '{BIJI_COMMUNITY}';"),
    );
    d.cluster.run(
        &d.district,
        &d.db,
        &format!(
            "INSERT INTO shegong.units (code, parent, level, name) VALUES ('530111000000', NULL, 'district', '五华区');
             UPDATE shegong.units SET parent = '530111000000' WHERE code = '{XIYUAN}';"
        ),
    );
    let paths = d
        .cluster
        .query(&d.owner, &d.db, "SELECT code, path FROM shegong.units ORDER BY code;");
    let expected = [
        "530111000000|530111000000".to_string(),
        format!("{DISTRICT}|{DISTRICT}"),
        format!("{BIJI}|{DISTRICT}.{BIJI}"),
        format!("{BIJI_COMMUNITY}|{DISTRICT}.{BIJI}.{BIJI_COMMUNITY}"),
        format!("{XIYUAN}|530111000000.{XIYUAN}"),
        format!("{XIYUAN_COMMUNITY}|530111000000.{XIYUAN}.{XIYUAN_COMMUNITY}"),
    ];
    assert_eq!(paths.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn the_harness_stops_its_own_server_and_removes_its_folder() {
    let Some(cluster) = Cluster::start() else { return };
    let (pid, root) = (cluster.pid(), cluster.root().to_path_buf());
    assert_eq!(cluster.query(cluster.superuser(), "postgres", "SELECT 1;").trim(), "1");
    drop(cluster);
    assert!(!root.exists(), "{} is still there", root.display());
    let alive = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    });
    assert!(!alive, "the server (pid {pid}) still runs");
}

#[test]
fn a_stale_save_touches_nothing_and_names_who_saved_and_a_reimport_adds_nothing() {
    let Some(d) = district("stamps") else { return };
    // Both read version 1; the district saves first; the clerk's save of version 1 touches
    // nothing, and the row says who saved and when.
    let version = d.cluster.query(
        &d.clerk,
        &d.db,
        &format!("SELECT version FROM shegong.units WHERE code = '{BIJI}';"),
    );
    assert_eq!(version.trim(), "1");
    d.cluster.run(
        &d.district,
        &d.db,
        &format!("UPDATE shegong.units SET phone = '1' WHERE code = '{BIJI}' AND version = 1;"),
    );
    let clerk = d.cluster.run(
        &d.clerk,
        &d.db,
        &format!("UPDATE shegong.units SET phone = '2', version = 1, updated_by = 'x' WHERE code = '{BIJI}' AND version = 1;"),
    );
    assert!(clerk.contains("UPDATE 0"), "{clerk}");
    let stamp = d.cluster.query(
        &d.clerk,
        &d.db,
        &format!("SELECT phone, version, updated_by, updated_at > now() - interval '1 hour' FROM shegong.units WHERE code = '{BIJI}';"),
    );
    assert_eq!(stamp.trim(), format!("1|2|{}|t", d.district.name));

    // The same rows imported twice: the second adds nothing; two identical rows of one file
    // (occurrences 0 and 1) are two records.
    let import = format!(
        "BEGIN;
         CREATE TEMP TABLE s (LIKE shegong.staging_trainings) ON COMMIT DROP;
         COPY s (host, date, kind, content_hash, occurrence) FROM STDIN;
{BIJI}\t2022-03\tclass\t\\\\x50\t0
{BIJI}\t2022-03\tclass\t\\\\x50\t1
\\.
         INSERT INTO shegong.trainings (host, date, kind, content_hash, occurrence)
           SELECT host, date, kind, content_hash, occurrence FROM s
           ON CONFLICT (content_hash, occurrence) DO NOTHING;
         COMMIT;"
    );
    let first = d.cluster.run(&d.clerk, &d.db, &import);
    let second = d.cluster.run(&d.clerk, &d.db, &import);
    assert!(first.contains("INSERT 0 2"), "{first}");
    assert!(second.contains("INSERT 0 0"), "{second}");
}

#[test]
fn a_clerk_imports_budget_rows_in_bulk_within_its_street() {
    let Some(d) = district("bulkclerk") else { return };
    let import = format!(
        "BEGIN;
         {STAGE_BUDGET}
         INSERT INTO stage_budget VALUES
           (1, NULL, '2022-04', '{BIJI}', 'allocation', NULL, NULL, 700, '', '', '\\x60', 0),
           (2, NULL, '2022-04', '{BIJI_COMMUNITY}', 'allocation', NULL, NULL, 300, '', '', '\\x61', 0);
         {STAGE_READABLE}
         SELECT added FROM shegong.import_budget(pg_current_xact_id()::text::bigint);
         COMMIT;"
    );
    let first = d.cluster.query(&d.clerk, &d.db, &import);
    assert_eq!(first.trim(), "2");
    let again = d.cluster.query(&d.clerk, &d.db, &import);
    assert_eq!(again.trim(), "0", "a re-import adds nothing");
    let stored = d.cluster.query(
        &d.owner,
        &d.db,
        "SELECT count(*), sum(amount), count(DISTINCT part) FROM shegong.budget WHERE date = '2022-04'",
    );
    assert_eq!(stored.trim(), "2|1000|1");
    // Nobody but the owner reads or writes the partition directly.
    let part = d.cluster.query(
        &d.owner,
        &d.db,
        "SELECT part FROM shegong.budget WHERE date = '2022-04' LIMIT 1",
    );
    let direct = d.cluster.psql(
        &d.clerk,
        &d.db,
        &format!("SELECT count(*) FROM shegong.budget_p{};", part.trim()),
    );
    assert!(!direct.status.success(), "the clerk read a partition directly");
    let routed = format!(
        "INSERT INTO shegong.budget (unit, date, kind, amount, content_hash, part) \
         VALUES ('{BIJI}', '2021-11', 'allocation', 100, '\\x62', {});",
        part.trim()
    );
    assert_eq!(
        d.refused(&d.clerk, &routed),
        Ok(()),
        "a row put in a bulk import's partition"
    );
    // Migration 9's path: the rows COPYed (here inserted) straight into the import's partition,
    // checked and attached by `finish_budget_import`; a re-import adds nothing and leaves no
    // partition; the clerk writes none of them afterwards.
    let direct = format!(
        "BEGIN;
         SELECT part, base FROM shegong.begin_budget_import(pg_current_xact_id()::text::bigint, 2) \\gset
         INSERT INTO shegong.budget_p:part (seq, unit, date, kind, amount, content_hash) VALUES
           (:base + 1, '{BIJI}', '2022-05', 'allocation', 500, '\\x70'),
           (:base + 2, '{BIJI_COMMUNITY}', '2022-05', 'allocation', 200, '\\x71');
         SELECT added FROM shegong.finish_budget_import(pg_current_xact_id()::text::bigint);
         COMMIT;"
    );
    let first = d.cluster.query(&d.clerk, &d.db, &direct);
    assert_eq!(first.trim(), "2", "{first}");
    let again = d.cluster.query(&d.clerk, &d.db, &direct);
    assert_eq!(again.trim(), "0", "a re-import adds nothing");
    let stored = d.cluster.query(
        &d.owner,
        &d.db,
        "SELECT count(*), sum(amount), count(DISTINCT part), min(batch) = max(batch) FROM shegong.budget WHERE date = '2022-05';
         SELECT count(*) FROM pg_class WHERE relname LIKE 'budget_p%' AND relkind = 'r' AND NOT relispartition;
         SELECT count(*) FROM shegong.budget_imports;",
    );
    assert_eq!(stored.trim(), "2|700|1|t\n0\n0", "{stored}");
    let part = d.cluster.query(
        &d.owner,
        &d.db,
        "SELECT part FROM shegong.budget WHERE date = '2022-05' LIMIT 1",
    );
    let into = format!(
        "INSERT INTO shegong.budget_p{} (seq, unit, date, kind, amount, content_hash, part) \
         VALUES (99999, '{BIJI}', '2021-11', 'allocation', 100, '\\x72', {});",
        part.trim(),
        part.trim()
    );
    assert_eq!(
        d.refused(&d.clerk, &into),
        Ok(()),
        "a row written into an imported partition"
    );
    // The auditor may not run it at all.
    let out = d.cluster.psql(&d.auditor, &d.db, &import);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("permission denied"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

//! The command line on a shared server (issue 13), through the real binary against a
//! throwaway cluster of `pg_support` (a Unix socket in a temp folder; every password in the
//! cluster's password file, handed to the binary as `PGPASSFILE`, never on a command line):
//! `--db` with the `PG*` variables and the password file, `init` on an empty database,
//! `staff add|list|remove`, and the exit codes and words of a refused login (5), an unreachable
//! server (5) and a bad mix of options (2). Skipped, saying why, without PostgreSQL.

// Not every helper of the harness is used here.
#[allow(dead_code)]
mod pg_support;
mod skip;

use pg_support::binary::{binary, empty_database, expect, on, run, text, url};
use pg_support::{Cluster, Login};
use std::process::Command;

#[test]
fn operator_is_refused_with_db() {
    let out = run(
        {
            let mut c = binary();
            c.args(["--db", "postgresql://clerk@/x", "--operator", "someone", "report"]);
            c
        },
        None,
    );
    expect(&out, 2);
    assert!(
        text(&out.stderr).contains("--operator cannot be used with --db"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn db_and_data_dir_typed_together_are_refused() {
    let mut c = binary();
    c.args(["--db", "postgresql://clerk@/x", "--data-dir", "/nonexistent", "report"]);
    let out = run(c, None);
    expect(&out, 2);
    assert!(text(&out.stderr).contains("--db and --data-dir cannot be used together"));
}

#[test]
fn staff_needs_a_server() {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let mut c = binary();
    c.arg("--data-dir").arg(tmp.path()).args(["staff", "list"]);
    let out = run(c, None);
    expect(&out, 2);
    assert!(text(&out.stderr).contains("staff works on a shared server only"));
}

#[test]
fn a_server_that_is_not_there_exits_5_naming_it() {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let mut c = binary();
    c.args(["report"]).env(
        "SHEGONG_DB",
        format!("postgresql://clerk:hunter2@/reg?host={}", tmp.path().display()),
    );
    let out = run(c, None);
    expect(&out, 5);
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!("clerk@{}:5432/reg", tmp.path().display())),
        "{said}"
    );
    assert!(said.contains("no server is running on that socket"), "{said}");
    assert!(!said.contains("hunter2"), "{said}");
}

#[test]
fn a_wrong_password_exits_5_naming_the_server_and_not_the_password() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let db = "wrongpw";
    let owner = empty_database(&cluster, db);
    let wrong = "not-the-password-7f3a";
    let mut c = binary();
    c.args(["report"])
        .env(
            "SHEGONG_DB",
            format!(
                "postgresql://{}:{wrong}@/{db}?host={}",
                owner.name,
                cluster.root().display()
            ),
        )
        .env("PGPASSFILE", "/nonexistent");
    let out = run(c, None);
    expect(&out, 5);
    let said = text(&out.stderr);
    let place = format!("{}@{}:5432/{db}", owner.name, cluster.root().display());
    assert!(said.contains(&place), "{said}");
    assert!(said.contains("the login or its password is wrong"), "{said}");
    assert!(!said.contains(wrong) && !said.contains(&owner.password), "{said}");

    // The error itself, as a program sees it: neither its words nor its Debug hold the password.
    let url_with = format!(
        "postgresql://{}:{wrong}@/{db}?host={}&passfile=/nonexistent",
        owner.name,
        cluster.root().display()
    );
    match shegong::pg::connect::connect(Some(&url_with), shegong::i18n::Lang::Zh) {
        Ok(_) => panic!("connected with a wrong password"),
        Err(e) => {
            let shown = format!("{} {e:?}", e.message(shegong::i18n::Lang::Zh));
            assert!(shown.contains(&place) && shown.contains("登录名或口令不对"), "{shown}");
            assert!(!shown.contains(wrong), "{shown}");
            assert_eq!(e.exit_code(), 5);
        }
    }

    // No password at all, and a password file others may read: both said.
    let loose = cluster.root().join("loose-pgpass");
    let written = std::fs::write(&loose, format!("*:*:*:{}:{}\n", owner.name, owner.password)).and_then(|()| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644))
    });
    if let Err(e) = written {
        panic!("{e}");
    }
    let mut c = on(&cluster, &owner, db, &["report"]);
    c.env("PGPASSFILE", &loose);
    let out = run(c, None);
    expect(&out, 5);
    let said = text(&out.stderr);
    assert!(
        said.contains("the server asks for a password and none was given"),
        "{said}"
    );
    assert!(
        said.contains("may be read by other users, so it was not used"),
        "{said}"
    );
    assert!(!said.contains(&owner.password), "{said}");
}

#[test]
fn a_stopped_server_exits_5() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let db = "stopped";
    let owner = empty_database(&cluster, db);
    expect(&run(on(&cluster, &owner, db, &["init", "--empty"]), None), 0);
    let command = on(&cluster, &owner, db, &["staff", "list"]);
    let root = cluster.root().to_path_buf();
    // Stopped by its own pid, and its folder (socket included) gone.
    drop(cluster);
    let out = run(command, None);
    expect(&out, 5);
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!("{}@{}:5432/{db}", owner.name, root.display())),
        "{said}"
    );
}

#[test]
fn init_on_an_empty_database_then_staff() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let db = "staffing";
    let owner = empty_database(&cluster, db);
    let out = run(on(&cluster, &owner, db, &["init", "--empty"]), None);
    expect(&out, 0);
    assert!(
        text(&out.stderr).contains("Created an empty store in"),
        "{}",
        text(&out.stderr)
    );
    let version = cluster.query(&owner, db, "SELECT max(version) FROM shegong.schema_version");
    assert_eq!(version.trim(), shegong::pg::MIGRATIONS.len().to_string());

    // A login that may not create the tables is told who may, and nothing is made.
    let stranger = Login::new(&format!("{db}_stranger"));
    cluster.create_login(&stranger, "");
    let fresh = "staffing_fresh";
    empty_database(&cluster, fresh);
    let out = run(on(&cluster, &stranger, fresh, &["init"]), None);
    expect(&out, 1);
    assert!(
        text(&out.stderr).contains("init must be run by the database's owner"),
        "{}",
        text(&out.stderr)
    );

    // An auditor with a password given on standard input; it logs in with it.
    let auditor = Login::new(&format!("{db}_audit"));
    let out = run(
        on(
            &cluster,
            &owner,
            db,
            &["staff", "add", &auditor.name, "--role", "auditor", "--password-stdin"],
        ),
        Some(&format!("{}\n", auditor.password)),
    );
    expect(&out, 0);
    assert!(text(&out.stdout).contains(&format!("Added the login {} (auditor)", auditor.name)));
    if let Err(e) = cluster.remember(&auditor) {
        panic!("{e}");
    }
    let listed = expect(&run(on(&cluster, &auditor, db, &["staff", "list"]), None), 0);
    assert!(listed.starts_with("login"), "{listed}");
    assert!(
        listed
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == [auditor.name.as_str(), "auditor"]),
        "{listed}"
    );
    // What the server keeps is a SCRAM verifier, never the password; nor is it in its log.
    let stored = cluster.query(
        cluster.superuser(),
        db,
        &format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{}'", auditor.name),
    );
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");
    assert!(!stored.contains(&auditor.password));
    assert!(!cluster.log().contains(&auditor.password));

    // The auditor may not add staff: refused in words.
    let out = run(
        on(
            &cluster,
            &auditor,
            db,
            &["staff", "add", "someone", "--role", "district"],
        ),
        None,
    );
    expect(&out, 1);
    assert!(
        text(&out.stderr).contains("may not manage logins"),
        "{}",
        text(&out.stderr)
    );

    // A clerk needs a unit (a usage error), one that exists.
    let out = run(
        on(&cluster, &owner, db, &["staff", "add", "c1", "--role", "clerk"]),
        None,
    );
    expect(&out, 2);
    let out = run(
        on(
            &cluster,
            &owner,
            db,
            &["staff", "add", "c1", "--role", "clerk", "--unit", "999"],
        ),
        None,
    );
    expect(&out, 1);
    assert!(
        text(&out.stderr).contains("There is no unit with code 999"),
        "{}",
        text(&out.stderr)
    );
    let roles = cluster.query(
        cluster.superuser(),
        db,
        "SELECT count(*) FROM pg_roles WHERE rolname = 'c1'",
    );
    assert_eq!(roles.trim(), "0", "a refused add leaves no role behind");

    // A login name that needs quoting is one identifier, not SQL.
    let odd = "odd\"; DROP ROLE x; --";
    expect(
        &run(
            on(&cluster, &owner, db, &["staff", "add", odd, "--role", "auditor"]),
            None,
        ),
        0,
    );
    expect(&run(on(&cluster, &owner, db, &["staff", "remove", odd]), None), 0);

    // A login that owns something on the server is not removed, and keeps its row.
    let keeper = format!("{db}_keeper");
    expect(
        &run(
            on(&cluster, &owner, db, &["staff", "add", &keeper, "--role", "district"]),
            None,
        ),
        0,
    );
    cluster.run(
        cluster.superuser(),
        db,
        &format!("CREATE TABLE public.kept (x int); ALTER TABLE public.kept OWNER TO \"{keeper}\";"),
    );
    let out = run(on(&cluster, &owner, db, &["staff", "remove", &keeper]), None);
    expect(&out, 1);
    assert!(
        text(&out.stderr).contains("still owns objects"),
        "{}",
        text(&out.stderr)
    );
    let listed = expect(&run(on(&cluster, &owner, db, &["staff", "list"]), None), 0);
    assert!(listed.contains(&keeper), "{listed}");

    // Removing: the row and the role go; a second remove is refused in words.
    expect(
        &run(on(&cluster, &owner, db, &["staff", "remove", &auditor.name]), None),
        0,
    );
    let listed = expect(&run(on(&cluster, &owner, db, &["staff", "list"]), None), 0);
    assert!(!listed.contains(&auditor.name), "{listed}");
    let roles = cluster.query(
        cluster.superuser(),
        db,
        &format!("SELECT count(*) FROM pg_roles WHERE rolname = '{}'", auditor.name),
    );
    assert_eq!(roles.trim(), "0");
    let out = run(on(&cluster, &owner, db, &["staff", "remove", &auditor.name]), None);
    expect(&out, 1);
    assert!(text(&out.stderr).contains("is not a staff login of this database"));
}

/// A budget file of one allocation to `unit`.
fn budget_file(dir: &std::path::Path, name: &str, id: &str, unit: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let csv =
        format!("id,date,unit,kind,category,source,amount,voucher,note\n{id},2022-01-05,{unit},allocation,,,1.5万,,\n");
    if let Err(e) = std::fs::write(&path, csv) {
        panic!("{e}");
    }
    path
}

const BIJI: &str = "530112008000";
const XIYUAN: &str = "530112001000";

#[test]
fn init_loads_xishan_and_clerks_write_only_their_units() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let db = "xishan";
    let owner = empty_database(&cluster, db);
    let out = run(on(&cluster, &owner, db, &["init"]), None);
    expect(&out, 0);
    assert!(
        text(&out.stderr).contains("with the Xishan data"),
        "{}",
        text(&out.stderr)
    );

    // The letter's figures, as tests/xishan_figures.rs checks them on the folder store.
    let report = |login: &Login, args: &[&str]| -> serde_json::Value {
        let mut all = vec!["report", "--format", "json"];
        all.extend_from_slice(args);
        let json = expect(&run(on(&cluster, login, db, &all), None), 0);
        match serde_json::from_str(&json) {
            Ok(v) => v,
            Err(e) => panic!("{e}: {json}"),
        }
    };
    let r = report(&owner, &["--as-of", "2020-12-31"]);
    assert_eq!(r["code"], "530112000000");
    assert_eq!(r["coverage"]["street"]["units"], 10);
    assert_eq!(r["coverage"]["street"]["covered"], 5);
    let r = report(&owner, &["--as-of", "2021-05-30"]);
    assert_eq!(r["coverage"]["street"]["covered"], 10);
    assert_eq!(r["station"]["covered"], true);
    let r = report(&owner, &["--as-of", "2021-11-08", "--depth", "1"]);
    assert_eq!(r["evaluations"]["by_kind"]["midterm"], 10);
    assert_eq!(r["children"].as_array().map(Vec::len), Some(10));
    let r = report(&owner, &["--as-of", "2021-11-09"]);
    assert_eq!(r["trainings"]["count"], 15);
    assert_eq!(r["trainings"]["by_kind"]["class"], 1);
    assert_eq!(r["trainings"]["by_kind"]["coaching"], 10);
    assert_eq!(r["trainings"]["by_kind"]["meeting"], 4);
    assert_eq!(r["funding"]["allocated_fen"], 170_000_000);
    assert_eq!(r["funding"]["spent_fen"], 0);
    expect(&run(on(&cluster, &owner, db, &["check"]), None), 0);
    // The other reading commands as on a folder store.
    let units = expect(&run(on(&cluster, &owner, db, &["export", "units"]), None), 0);
    assert!(units.contains("碧鸡街道"), "{units}");
    let books = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let book = books.path().join("report.xlsx");
    let book_name = book.display().to_string();
    expect(
        &run(
            on(&cluster, &owner, db, &["report", "--format", "xlsx", "-o", &book_name]),
            None,
        ),
        0,
    );
    assert!(std::fs::metadata(&book).map(|m| m.len() > 0).unwrap_or(false));

    // A database with data is not initialized again.
    let out = run(on(&cluster, &owner, db, &["init"]), None);
    expect(&out, 1);
    assert!(text(&out.stderr).contains("already exists"), "{}", text(&out.stderr));

    // A clerk of 碧鸡街道, its password given on standard input, connecting by a URL without
    // one (the password file has it).
    let clerk = Login::new(&format!("{db}_biji"));
    let out = run(
        on(
            &cluster,
            &owner,
            db,
            &[
                "staff",
                "add",
                &clerk.name,
                "--role",
                "clerk",
                "--unit",
                BIJI,
                "--password-stdin",
            ],
        ),
        Some(&format!("{}\n", clerk.password)),
    );
    expect(&out, 0);
    if let Err(e) = cluster.remember(&clerk) {
        panic!("{e}");
    }
    let listed = expect(&run(on(&cluster, &owner, db, &["staff", "list"]), None), 0);
    assert!(listed.contains(&format!("{BIJI} 碧鸡街道")), "{listed}");

    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let mine = budget_file(tmp.path(), "biji.csv", "BJ-2022-1", BIJI);
    let mine = mine.display().to_string();
    let out = run(on(&cluster, &clerk, db, &["import", "budget", &mine]), None);
    expect(&out, 0);
    // 西苑 is not the clerk's: exit 4, naming the unit; nothing stored.
    let theirs = budget_file(tmp.path(), "xiyuan.csv", "XY-2022-1", XIYUAN);
    let out = run(
        on(
            &cluster,
            &clerk,
            db,
            &["import", "budget", &theirs.display().to_string()],
        ),
        None,
    );
    expect(&out, 4);
    let said = text(&out.stderr);
    assert!(said.contains(XIYUAN) && said.contains(&clerk.name), "{said}");
    let r = report(&owner, &["--as-of", "2022-01-05", "--depth", "1"]);
    assert_eq!(r["funding"]["allocated_fen"], 170_000_000 + 1_500_000);
    // --readonly holds on a server too: reads work, a write is refused (exit 4) in its words.
    let again = budget_file(tmp.path(), "again.csv", "BJ-2022-2", BIJI)
        .display()
        .to_string();
    let out = run(
        on(&cluster, &clerk, db, &["--readonly", "import", "budget", &again]),
        None,
    );
    expect(&out, 4);
    assert!(text(&out.stderr).contains("Read-only mode"), "{}", text(&out.stderr));
    expect(&run(on(&cluster, &clerk, db, &["--readonly", "undo"]), None), 4);
    expect(&run(on(&cluster, &clerk, db, &["--readonly", "check"]), None), 0);

    // An auditor writes nothing: exit 4.
    let auditor = Login::new(&format!("{db}_audit"));
    expect(
        &run(
            on(
                &cluster,
                &owner,
                db,
                &["staff", "add", &auditor.name, "--role", "auditor", "--password-stdin"],
            ),
            Some(&format!("{}\n", auditor.password)),
        ),
        0,
    );
    if let Err(e) = cluster.remember(&auditor) {
        panic!("{e}");
    }
    let out = run(on(&cluster, &auditor, db, &["import", "budget", &mine]), None);
    expect(&out, 4);
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!("The login {} may read but not change anything", auditor.name)),
        "{said}"
    );
    expect(&run(on(&cluster, &auditor, db, &["undo"]), None), 4);

    // The UI opens the clerk's forms on its units unmarked. (A unit outside them is marked in
    // the form's title once `PgStorage` answers `Storage::may_write` from the server's scope.)
    let clerk_url = format!(
        "{}&passfile={}",
        url(&cluster, &clerk, db),
        cluster.root().join("pgpass").display()
    );
    let store = match shegong::registry::Registry::connect(Some(&clerk_url), shegong::i18n::Lang::En, false) {
        Ok(store) => store,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(store.may_write(BIJI).ok(), Some(true));
    let today = chrono::NaiveDate::from_ymd_opt(2022, 1, 5).unwrap_or_default();
    let mut app = match shegong::tui::App::new(store, shegong::i18n::Lang::En, today) {
        Ok(app) => app,
        Err(e) => panic!("{e}"),
    };
    if let Err(e) = app.reveal(BIJI) {
        panic!("{e}");
    }
    app.apply(shegong::tui::action::Action::AddBudget);
    let title = app.form.as_ref().map(|f| f.title.1.clone()).unwrap_or_default();
    assert!(
        title.contains("碧鸡街道") && !title.contains("may not change"),
        "{title}"
    );
    drop(app);

    // The journal names the clerk's login, as the server recorded it.
    let history = expect(
        &run(on(&cluster, &auditor, db, &["history", "--format", "json"]), None),
        0,
    );
    assert!(history.contains(&clerk.name), "{history}");
    expect(&run(on(&cluster, &auditor, db, &["check"]), None), 0);
}

/// The binary on a store folder.
fn on_folder(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = binary();
    command.arg("--data-dir").arg(dir).args(args);
    command
}

#[test]
fn a_folder_store_moves_to_the_server_and_back_with_the_same_reports() {
    let Some(cluster) = Cluster::shared() else {
        return;
    };
    let db = "moving";
    let owner = empty_database(&cluster, db);
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let folder = tmp.path().join("store");
    let back = tmp.path().join("back");
    let file = tmp.path().join("xishan.sgbak").display().to_string();
    let again = tmp.path().join("again.sgbak").display().to_string();
    expect(&run(on_folder(&folder, &["init"]), None), 0);
    let mine = budget_file(tmp.path(), "b.csv", "MOVE-1", BIJI).display().to_string();
    expect(&run(on_folder(&folder, &["import", "budget", &mine]), None), 0);
    expect(&run(on_folder(&folder, &["backup", &file]), None), 0);

    // Into an empty database (no schema yet): made, filled, and the same figures.
    let out = run(on(&cluster, &owner, db, &["restore", &file]), None);
    let said = expect(&out, 0);
    assert!(said.contains(&format!("{}@", owner.name)), "{said}");
    let reports = |run_on: &dyn Fn(&[&str]) -> Command| -> Vec<String> {
        ["2020-12-31", "2021-11-09", "2022-01-05"]
            .iter()
            .flat_map(|day| {
                [
                    expect(
                        &run(
                            run_on(&["report", "--format", "json", "--depth", "2", "--as-of", day]),
                            None,
                        ),
                        0,
                    ),
                    expect(
                        &run(
                            run_on(&["report", "--format", "json", "--unit", BIJI, "--as-of", day]),
                            None,
                        ),
                        0,
                    ),
                ]
            })
            .collect()
    };
    let on_sled = reports(&|args| on_folder(&folder, args));
    let on_server = reports(&|args| on(&cluster, &owner, db, args));
    assert_eq!(on_sled, on_server);
    expect(&run(on(&cluster, &owner, db, &["check"]), None), 0);
    // A second restore into it is refused: it holds data.
    expect(&run(on(&cluster, &owner, db, &["restore", &file]), None), 1);

    // And back to a folder.
    expect(&run(on(&cluster, &owner, db, &["backup", &again]), None), 0);
    expect(&run(on_folder(&back, &["restore", &again]), None), 0);
    assert_eq!(on_sled, reports(&|args| on_folder(&back, args)));
    expect(&run(on_folder(&back, &["check"]), None), 0);
}

//! Where `export -o` and `backup` write (issue 11 item 9): a FIFO, a device and `-` as a
//! stream, never renamed over; a link written through to its file; a folder, a link to nothing
//! and anything inside the store folder refused in words, with the store intact.

mod skip;

mod interchange_support;
use interchange_support::*;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo failed");
}

/// Reads a FIFO to its end on another thread, as `cat FIFO` would.
fn drain(path: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let path = path.to_path_buf();
    std::thread::spawn(move || std::fs::read(path).expect("the FIFO reads"))
}

#[test]
fn export_and_backup_to_a_fifo_stream_into_it() {
    let env = Env::xishan();
    let fifo = env.path("pipe");
    mkfifo(&fifo);
    let reader = drain(&fifo);
    let out = env.run(&["export", "units", "-o", fifo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Checked before waiting for the reader: had the FIFO been renamed over, nothing would
    // ever open it for writing, and the reader would wait for ever.
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let got = reader.join().unwrap();
    assert_eq!(
        got,
        env.ok(&["export", "units"]).into_bytes(),
        "the FIFO got the export"
    );

    let reader = drain(&fifo);
    let out = env.run(&["backup", fifo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let got = reader.join().unwrap();
    assert!(got.len() > 1000, "the FIFO got the backup ({} bytes)", got.len());
    // What went through the pipe is a whole backup.
    let copy = env.file("copy.sgbak", &got);
    let other = Env::none();
    other.ok(&["restore", copy.to_str().unwrap()]);
    assert_eq!(other.counts(), env.counts());
}

#[test]
fn export_to_dash_is_stdout() {
    let env = Env::xishan();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shegong"))
        .current_dir(env.tmp.path())
        .args(["--lang", "en", "--data-dir"])
        .arg(&env.dir)
        .args(["export", "units", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), env.ok(&["export", "units"]));
    assert!(!env.path("-").exists(), "no file named - was made");
}

/// A character device (a copy of /dev/null, made with mknod in the test's folder, so that a
/// broken build replaces that copy and never the system's own) stays a device: the export and
/// the backup stream into it.
#[test]
fn a_device_target_stays_a_device() {
    // SAFETY: geteuid only reads the process's user id.
    if unsafe { libc::geteuid() } != 0 {
        skip::skip("only root can make a device node to write to (this test is not running as root)");
        return;
    }
    let env = Env::xishan();
    let null = env.path("null");
    let made = std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        skip::skip("mknod cannot make a device here (a container without that right)");
        return;
    }
    let is_device = |p: &Path| std::fs::symlink_metadata(p).unwrap().file_type().is_char_device();
    assert!(is_device(&null));
    let out = env.run(&["export", "units", "-o", null.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(is_device(&null), "the export replaced the device with a file");
    let out = env.run(&["backup", null.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(is_device(&null), "the backup replaced the device with a file");
    // And the system's /dev/null, written the same way, stays one too.
    let out = env.run(&["export", "units", "-o", "/dev/null"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(is_device(Path::new("/dev/null")));
}

#[test]
fn a_target_inside_the_store_folder_is_refused_and_the_store_stays() {
    let env = Env::xishan();
    let before = env.snapshot();
    let db = env.dir.join("sled").join("db");
    let size = std::fs::metadata(&db).unwrap().len();
    for args in [
        vec!["backup", db.to_str().unwrap()],
        vec!["export", "units", "-o", db.to_str().unwrap()],
        vec!["report", "-o", db.to_str().unwrap()],
        vec!["report", "--format", "xlsx", "-o", db.to_str().unwrap()],
        vec!["backup", env.dir.join("lock").to_str().unwrap()],
        vec!["backup", env.dir.join("sled").join("new.sgbak").to_str().unwrap()],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains("inside the store folder"), "{}", stderr(&out));
        assert!(!stdout(&out).contains("Backed up"));
    }
    // Through a link, and with `..`, it is the same folder.
    let link = env.path("link-to-db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let out = env.run(&["backup", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let dotted = env.dir.join("backups").join("..").join("sled").join("db");
    std::fs::create_dir_all(env.dir.join("backups")).unwrap();
    let out = env.run(&["backup", dotted.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let zh = env.run_lang("zh", &["backup", db.to_str().unwrap()]);
    assert!(stderr(&zh).contains("数据库文件夹"), "{}", stderr(&zh));

    assert_eq!(std::fs::metadata(&db).unwrap().len(), size);
    assert!(env.ok(&["check"]).contains("Check passed"));
    assert_eq!(env.snapshot(), before);
    // The backups folder inside it is where automatic backups go: allowed.
    let mine = env.dir.join("backups").join("mine.sgbak");
    env.ok(&["backup", mine.to_str().unwrap()]);
    assert!(mine.is_file());
}

#[test]
fn a_link_is_written_through_and_stays_a_link() {
    let env = Env::xishan();
    let real_dir = env.path("real");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("units.csv");
    std::fs::write(&real, "old").unwrap();
    let link = env.path("units-link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    env.ok(&["export", "units", "-o", link.to_str().unwrap()]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), env.ok(&["export", "units"]));
    // No temporary file is left beside the link or the file.
    assert_eq!(std::fs::read_dir(&real_dir).unwrap().count(), 1);

    let dangling = env.path("nowhere-link");
    std::os::unix::fs::symlink(env.path("missing/file.csv"), &dangling).unwrap();
    let out = env.run(&["export", "units", "-o", dangling.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("symbolic link to a file that does not exist"),
        "{}",
        stderr(&out)
    );

    let out = env.run(&["backup", env.tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("it is a folder"), "{}", stderr(&out));
}

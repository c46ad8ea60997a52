//! The binary: parse the arguments, run a command (or the terminal UI), print a failure in the
//! user's language and exit with SPEC.md's code (0 ok, 1 bad data or failed check, 2 usage,
//! 3 store in use, 4 the write is not allowed: `--readonly`, or outside a server login's units;
//! 5 the shared server cannot be reached or refused the login).

// No error may be dropped unread (issue 11): a `Result` is handled, returned, or said why not.
#![deny(unused_must_use, clippy::let_underscore_must_use)]

use shegong::cli::{self, Args, Context};
use shegong::words::{tr, C};

/// mimalloc rather than glibc's malloc: an import allocates and frees a few small values per
/// row, and glibc's allocator was a sixth of a budget import's CPU (issue 14, session 10).
/// (Branch recmem's glibc tuning, `M_MMAP_THRESHOLD`, was dropped at the merge: with a global
/// allocator glibc's malloc no longer serves Rust's allocations.)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    no_huge_pages();
    install_panic_message();
    make_files_private();
    let args = Args::from_command_line();
    if matches!(args.command, Some(cli::Command::Import { .. } | cli::Command::Check)) {
        return_freed_memory_at_once();
    }
    let ctx = match Context::from_args(&args) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{}", shegong::text::for_terminal_lines(&message));
            std::process::exit(2);
        }
    };
    let result = match &args.command {
        Some(command) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            cli::run(&ctx, command, &mut out)
        }
        None => open_ui(&ctx),
    };
    if let Err(failure) = result {
        // A message may echo a cell, a name or a file name: its control characters escaped.
        eprintln!("{}", shegong::text::for_terminal_lines(&failure.message));
        std::process::exit(failure.code);
    }
}

/// mimalloc's `purge_delay` option (its index in `mi_option_e` of mimalloc 3's `mimalloc.h`;
/// libmimalloc-sys exports no constant for it). The test below pins the index to the option
/// whose default is 1,000 ms, so a renumbering in a newer mimalloc fails a test, not a figure.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once rather than a second later (mimalloc 3's
/// default `purge_delay` is 1,000 ms). An import frees a pass's rows and a batch's values
/// while it allocates the next: held back, they counted in every national import's peak
/// (units 505 against 573 MB, budget 564 against 592; issue 14, session 11), at no CPU cost
/// we could measure. Only for the commands that stream whole files (`import`, `check`): a
/// national `report` spent 0.13-0.22 s in the kernel returning memory at once against
/// 0.11-0.12 s without. Set after the arguments are read, before the store opens (and with
/// it sled's threads), so before anything large is allocated.
fn return_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's options to an integer; mimalloc reads it on its next
    // purge. Not thread-safe, hence in `main` before the store opens and any thread starts.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

/// No transparent huge pages for this process. mimalloc asks the kernel for them
/// (`MADV_HUGEPAGE`) on its large regions; each first touch of one then faults in and zeroes
/// 2 MB, often after the kernel compacts memory to find it: a national `report` spent 0.6–0.8 s
/// in the kernel on its first run after a pause (0.05 s without), and every peak counted whole
/// 2 MB pages (a report's 219 MB was 184 MB). Set before anything large is allocated.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process's memory; it takes no
    // pointers. If a kernel refuses it, pages stay as they were, which changes only the
    // figures above, so there is nothing to report.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Every file shegong writes — the store's files above all — is readable by its user only:
/// they hold records of public money.
fn make_files_private() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// A panic is a bug (or a store damaged in a way sled does not report): say so in words, in
/// both languages, instead of Rust's message, and exit 1. Nothing half-written stays: every
/// write is all or nothing, and an unfinished import is rolled back on the next open.
fn install_panic_message() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        let (zh, en) = shegong::words::both(C::InternalError, &[&place]);
        eprintln!("{zh}\n{en}");
        std::process::exit(1);
    }));
}

/// The terminal UI: the store is opened (or created with the Xishan data) before the screen
/// is taken, so that "in use" and other failures print on a normal screen.
fn open_ui(ctx: &Context) -> Result<(), cli::Failure> {
    use shegong::words::S;
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(cli::Failure {
            code: 2,
            message: tr(ctx.lang, S::NeedsTerminal).to_string(),
        });
    }
    let (store, created) = cli::open_or_create(ctx)?;
    let today = chrono::Local::now().date_naive();
    let mut app = shegong::tui::App::new(store, ctx.lang, today).map_err(|e| cli::Failure {
        code: e.exit_code(),
        message: e.message(ctx.lang),
    })?;
    if created {
        app.first_run(&ctx.dir);
    }
    let mark = app.store.journal_mark().unwrap_or(0);
    let app = shegong::tui::run(app).map_err(|e| cli::Failure {
        code: 1,
        message: format!("{}{e}", tr(ctx.lang, S::UiFailed)),
    })?;
    // The automatic backup is the folder store's: a server is backed up by its keepers.
    if ctx.db.is_none() && app.store.journal_mark().unwrap_or(0) != mark {
        automatic_backup(&app.store, ctx);
    }
    Ok(())
}

/// How many automatic backups are kept (`SHEGONG_KEEP_BACKUPS`, default 10).
fn backups_kept() -> usize {
    std::env::var("SHEGONG_KEEP_BACKUPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// After a session of the UI that changed something: the whole store to
/// `DIR/backups/auto-YYYYMMDD-HHMMSS.sgbak`, keeping the newest few. A failure is said, not
/// fatal: the store itself is safe.
fn automatic_backup(store: &shegong::registry::Registry, ctx: &Context) {
    let folder = ctx.dir.join("backups");
    if let Err(e) = std::fs::create_dir_all(&folder) {
        eprintln!("{}{}: {e}", tr(ctx.lang, C::AutoBackupFailed), folder.display());
        return;
    }
    let name = format!("auto-{}.sgbak", chrono::Local::now().format("%Y%m%d-%H%M%S"));
    match shegong::backup::backup(store.storage(), &folder.join(&name)) {
        Ok(_) => {
            let mut autos: Vec<_> = std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("auto-") && n.ends_with(".sgbak"))
                })
                .collect();
            autos.sort();
            let keep = backups_kept().max(1);
            if autos.len() > keep {
                for old in &autos[..autos.len() - keep] {
                    if let Err(e) = std::fs::remove_file(old) {
                        eprintln!("{}{}: {e}", tr(ctx.lang, C::OldBackupNotRemoved), old.display());
                    }
                }
            }
            eprintln!(
                "{}{}",
                tr(ctx.lang, C::BackedUpAutomatically),
                folder.join(name).display()
            );
        }
        Err(e) => eprintln!("{}{e}", tr(ctx.lang, C::AutoBackupFailed)),
    }
}

#[cfg(test)]
mod tests {
    /// The index set in `return_freed_memory_at_once` is mimalloc's purge delay: the only
    /// option of mimalloc 3 whose default is 1,000 ms.
    #[test]
    fn the_purge_delay_index_is_mimallocs_purge_delay() {
        // SAFETY: reads one of mimalloc's options; nothing is set.
        let default = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
    }
}

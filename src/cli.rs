//! The command line: arguments (clap), then one thin call into the library per command, and
//! the exit code. Messages go to stderr in the user's language; results go to stdout.

use crate::backup::{self, BackupError, BackupSummary};
use crate::domain::date::parse_as_of;
use crate::domain::{BudgetEntry, Evaluation, Training};
use crate::i18n::Lang;
use crate::interchange::{self, check_output, render_problems, ExportError, Exporter, ImportError, Kind};
use crate::registry::Registry;
use crate::report;
use crate::report_book;
use crate::store::{self, StoreError};
use crate::words::{say, tr, C, N, S};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "shegong",
    version,
    about = "社工站管理 · the registry of a district's social-work stations"
)]
pub struct Args {
    /// The store folder (else $SHEGONG_DATA_DIR, else ~/.local/share/shegong)
    #[arg(long, global = true, env = "SHEGONG_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// zh or en (default: Chinese when the locale is Chinese)
    #[arg(long, global = true, value_name = "zh|en")]
    pub lang: Option<String>,
    /// Refuse every write
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Who the change journal records (default: the OS user; not with --db, where it is the login)
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    /// A shared PostgreSQL server instead of a store folder (else $SHEGONG_DB): a URL such as
    /// postgresql://LOGIN@HOST/DB?sslmode=verify-full, or key=value pairs; the PG* variables and
    /// ~/.pgpass fill in what it leaves out
    #[arg(long, global = true, env = "SHEGONG_DB", value_name = "URL", hide_env_values = true)]
    pub db: Option<String>,
    /// Which of --db and --data-dir were typed (not taken from the environment).
    #[arg(skip)]
    pub typed: Typed,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which options were typed on the command line rather than taken from the environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Typed {
    pub db: bool,
    pub data_dir: bool,
}

impl Args {
    /// The arguments of this process, knowing which options were typed.
    pub fn from_command_line() -> Args {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Args::command().get_matches();
        let mut args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let typed = |id: &str| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
        args.typed = Typed {
            db: typed("db"),
            data_dir: typed("data_dir"),
        };
        args
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the store and load the Xishan data (unless --empty)
    Init {
        #[arg(long)]
        empty: bool,
    },
    /// Import a file (CSV, .xlsx or JSON): KIND is units, evaluations, trainings, budget or schemes
    /// (`import schemes example`: the example scheme shipped in data/example-scheme.csv, an
    /// example only, not the Xishan standard)
    Import { kind: String, file: PathBuf },
    /// Export every record of a kind in the import format (to stdout unless -o FILE)
    Export {
        kind: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Rollups of a unit and its children as of a date (xlsx: a workbook, to -o FILE)
    Report {
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long, default_value_t = 1)]
        depth: usize,
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Write to this file (required for xlsx) instead of stdout
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Recompute every rollup from the records and compare with the stored totals
    Check,
    /// Undo the newest change not undone yet, whatever it was (a record, a unit added, changed or deleted, a whole import)
    Undo,
    /// The change journal, newest first, numbered #1, #2, … as in the UI: who changed what, when, before and after
    History {
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// At most this many entries (0: all)
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// text: the UI's words; json: for programs
        #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
        format: HistoryFormat,
    },
    /// Units: `unit delete CODE` deletes a unit with no units below it and no records (undo brings it back)
    Unit {
        #[command(subcommand)]
        action: UnitCommand,
    },
    /// Write the whole store to one file
    Backup { file: PathBuf },
    /// Fill a new or empty store from a backup file (creates the store if missing)
    Restore { file: PathBuf },
    /// Logins of the shared server (--db) and what they may write: add, list, remove
    Staff {
        #[command(subcommand)]
        action: StaffCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Create a login: district (writes everywhere), clerk (its unit and below), auditor (reads)
    Add {
        login: String,
        #[arg(long, value_enum)]
        role: crate::pg::staff::Role,
        /// The clerk's unit (required for a clerk)
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// Read the login's password from standard input (one line); never give it as an option
        #[arg(long)]
        password_stdin: bool,
    },
    /// Every login with its role and unit
    List,
    /// Remove a login (its role on the server, and its row)
    Remove { login: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Subcommand, Debug)]
pub enum UnitCommand {
    /// Delete a unit added by mistake: one with no units below it, no records, serving no training
    Delete { code: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum HistoryFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

/// Who the journal names when `--operator` does not say: the login name the system has for
/// this process's user, then `$USER` (or `$USERNAME`), and only then "unknown". A shell
/// started without `$USER` (cron, `env -i`, some containers) still names the real user.
pub fn os_operator() -> String {
    #[cfg(unix)]
    if let Some(name) = login_name() {
        return name;
    }
    store::default_operator()
}

/// The user's name from the password database (`getpwuid_r`), if it has one.
#[cfg(unix)]
fn login_name() -> Option<String> {
    // SAFETY: getuid cannot fail and only reads the process's user id.
    let uid = unsafe { libc::getuid() };
    let mut size = 1024;
    // A buffer too small gives ERANGE: retry with a larger one, up to 1 MB.
    while size <= 1 << 20 {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: passwd is plain data that getpwuid_r fills in.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is to a live local, and `buf.len()` is the buffer's length;
        // the strings it fills in point into `buf`, read before `buf` is dropped.
        let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
        if rc == libc::ERANGE {
            size *= 4;
            continue;
        }
        if rc != 0 || found.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: pw_name is a NUL-terminated string inside `buf`, which is still alive.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) }
            .to_str()
            .ok()?
            .trim()
            .to_string();
        return (!name.is_empty()).then_some(name);
    }
    None
}

/// Where the store lives when neither --data-dir nor $SHEGONG_DATA_DIR says.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "shegong")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".shegong"))
}

/// The settings every command shares.
pub struct Context {
    pub dir: PathBuf,
    /// The shared server's URL (`--db` or `$SHEGONG_DB`, possibly empty: the `PG*` variables
    /// alone); `None` for the store folder `dir`.
    pub db: Option<String>,
    pub lang: Lang,
    pub readonly: bool,
    pub operator: String,
}

impl Context {
    pub fn from_args(args: &Args) -> Result<Context, String> {
        let lang = match &args.lang {
            None => Lang::from_env(),
            Some(l) => Lang::parse(l).ok_or_else(|| format!("--lang: “{l}” is not zh or en"))?,
        };
        // A typed option wins over the environment; two typed, or two from the environment,
        // are refused rather than guessed between.
        let db = match (args.typed.db, args.typed.data_dir, &args.db, &args.data_dir) {
            (true, true, _, _) => return Err(tr(lang, C::DbAndDataDir).into()),
            (true, false, db, _) => db.clone(),
            (false, true, _, _) => None,
            (false, false, Some(_), Some(_)) => return Err(tr(lang, C::DbAndDataDirInEnv).into()),
            (false, false, db, _) => db.clone(),
        };
        if db.is_some() && args.operator.is_some() {
            return Err(tr(lang, C::OperatorWithDb).into());
        }
        let operator = args.operator.clone().unwrap_or_else(os_operator);
        Ok(Context {
            dir: args.data_dir.clone().unwrap_or_else(default_data_dir),
            db,
            lang,
            readonly: args.readonly,
            operator,
        })
    }

    /// Where the data is, in words: the store folder, or the `--db` text without a password
    /// (the server's own name for it is `Registry::place`, once connected).
    fn server(&self) -> Option<&str> {
        self.db.as_deref()
    }

    /// Opens the store, with this session's operator for the journal. A store from an older
    /// shegong is backed up and upgraded first, and the user is told where the backup is.
    pub fn open(&self) -> Result<Registry, Failure> {
        if let Some(url) = self.server() {
            // On the server, who writes is the login: the journal takes it from the server.
            return Registry::connect(Some(url), self.lang, self.readonly).map_err(|e| Failure::store(e, self.lang));
        }
        let (mut store, upgraded) = crate::upgrade::open(&self.dir, self.readonly).map_err(|e| {
            Failure {
                code: e.exit_code(),
                message: e.message(self.lang),
            }
            .with_team_hint(self.lang)
        })?;
        if let Some(upgraded) = upgraded {
            eprintln!("{}", crate::text::for_terminal_lines(&upgraded.message(self.lang)));
        }
        store.set_operator(&self.operator);
        Ok(Registry::from(store))
    }

    fn create(&self) -> Result<Registry, StoreError> {
        let mut store = Registry::create(&self.dir)?;
        store.set_operator(&self.operator);
        Ok(store)
    }
}

/// An error that ends a command: the message, and the exit code.
pub struct Failure {
    pub message: String,
    pub code: i32,
}

impl Failure {
    fn store(e: StoreError, lang: Lang) -> Failure {
        Failure {
            code: e.exit_code(),
            message: e.message(lang),
        }
        .with_team_hint(lang)
    }

    /// "In use" (exit 3) also says how a team can work at once: one line, promising no
    /// command that does not work yet.
    fn with_team_hint(mut self, lang: Lang) -> Failure {
        if self.code == 3 {
            self.message.push('\n');
            self.message.push_str(tr(lang, C::TeamHint));
        }
        self
    }

    fn usage(message: String) -> Failure {
        Failure { message, code: 2 }
    }
}

/// Runs a command that is not the UI. When stdout is a terminal, what goes to it has its
/// control characters shown escaped (`text::TerminalWriter`); a file or a pipe gets the exact
/// bytes.
pub fn run(ctx: &Context, command: &Command, out: &mut dyn Write) -> Result<(), Failure> {
    if !std::io::stdout().is_terminal() {
        return run_on(ctx, command, out);
    }
    let mut terminal = crate::text::TerminalWriter::new(out);
    let result = run_on(ctx, command, &mut terminal);
    let finished = terminal.finish().map(drop).map_err(|e| io_failure(e, ctx.lang));
    result.and(finished)
}

fn run_on(ctx: &Context, command: &Command, out: &mut dyn Write) -> Result<(), Failure> {
    let lang = ctx.lang;
    let st = |e: StoreError| Failure::store(e, lang);
    match command {
        Command::Init { empty } => {
            if ctx.readonly {
                return Err(st(StoreError::ReadOnly));
            }
            if let Some(url) = ctx.server() {
                return init_server(url, *empty, lang);
            }
            let store = ctx.create().map_err(st)?;
            if !empty {
                load_xishan(&store, lang)?;
            }
            store.flush().map_err(st)?;
            let created = if *empty { C::CreatedEmpty } else { C::CreatedWithXishan };
            let msg = say(lang, created, &[&ctx.dir.display()]);
            eprintln!("{}", crate::text::for_terminal_lines(&msg));
            Ok(())
        }
        Command::Import { kind, file } if interchange::schemes::is_schemes_kind(kind) => {
            let store = ctx.open()?;
            import_schemes(&store, file, lang, out)
        }
        Command::Import { kind, file } => {
            let kind = parse_kind(kind, lang)?;
            let store = ctx.open()?;
            import_file(&store, kind, file, lang, out)
        }
        Command::Export { kind, format, output } => {
            let schemes = interchange::schemes::is_schemes_kind(kind);
            let kind = if schemes {
                Kind::Evaluations
            } else {
                parse_kind(kind, lang)?
            };
            // `-o -` is stdout, as for most tools.
            let output = output.as_deref().filter(|p| *p != Path::new("-"));
            if let Some(path) = output {
                check_output(path, &ctx.dir).map_err(|r| Failure::usage(r.message(lang)))?;
            }
            if *format == ExportFormat::Xlsx && output.is_none() && std::io::stdout().is_terminal() {
                return Err(Failure::usage(tr(lang, C::XlsxNotToTerminal).into()));
            }
            let store = ctx.open()?;
            if schemes {
                return export_schemes_file(&store, *format, lang, output, out);
            }
            export_file(&store, kind, *format, lang, output, out)
        }
        Command::Backup { file } => {
            check_output(file, &ctx.dir).map_err(|r| Failure::usage(r.message(lang)))?;
            let store = ctx.open()?;
            let summary = backup::backup(store.storage(), file).map_err(|e| backup_failure(e, lang))?;
            let [u, e, t, b] = summary.counts;
            let j = summary.journal;
            let msg = say(lang, C::BackedUp, &[&u, &e, &t, &b, &j, &file.display()]);
            writeln!(out, "{msg}").map_err(|e| io_failure(e, lang))
        }
        Command::Restore { file } => {
            if ctx.readonly {
                return Err(st(StoreError::ReadOnly));
            }
            if let Some(url) = ctx.server() {
                // Into a database on the server: its schema made if missing, refused with data.
                let (client, place) = crate::pg::connect::connect(Some(url), lang).map_err(st)?;
                let mut target = crate::pg::restore::PgRestore::new(client, place.clone());
                let summary =
                    backup::restore_into(&mut target, file, &ctx.operator).map_err(|e| backup_failure(e, lang))?;
                let into = Path::new(&place);
                return writeln!(out, "{}", restored_message(&summary, file, into, lang))
                    .map_err(|e| io_failure(e, lang));
            }
            let summary = backup::restore(&ctx.dir, file, &ctx.operator).map_err(|e| backup_failure(e, lang))?;
            writeln!(out, "{}", restored_message(&summary, file, &ctx.dir, lang)).map_err(|e| io_failure(e, lang))
        }
        Command::Report {
            unit,
            as_of,
            depth,
            format,
            output,
        } => {
            // `-o -` is stdout, as for export; a file goes where export may write.
            let output = output.as_deref().filter(|p| *p != Path::new("-"));
            if let Some(path) = output {
                check_output(path, &ctx.dir).map_err(|r| Failure::usage(r.message(lang)))?;
            }
            if *format == ReportFormat::Xlsx && output.is_none() {
                return Err(Failure::usage(tr(lang, C::ReportBookNotToTerminal).into()));
            }
            let as_of = match as_of {
                None => chrono::Local::now().date_naive(),
                Some(text) => parse_as_of(text).map_err(|_| Failure::usage(say(lang, C::AsOfUnreadable, &[text])))?,
            };
            let store = ctx.open()?;
            let node = report::build(&store, unit.as_deref(), as_of, *depth).map_err(st)?;
            let bytes = match format {
                ReportFormat::Table => (report::to_table(&node, lang) + "\n").into_bytes(),
                ReportFormat::Csv => report::to_csv(&node).into_bytes(),
                ReportFormat::Json => {
                    // Written from the nodes, not through a `serde_json::Value` (`report_json`).
                    let mut json = Vec::new();
                    crate::report_json::write(&node, &mut json).map_err(|e| Failure {
                        code: 1,
                        message: say(lang, C::JsonFailed, &[&e]),
                    })?;
                    json
                }
                ReportFormat::Xlsx => {
                    let store_dir = match ctx.server() {
                        Some(_) => PathBuf::from(store.place()),
                        None => std::fs::canonicalize(&ctx.dir).unwrap_or_else(|_| ctx.dir.clone()),
                    };
                    let source = report_book::BookSource {
                        store: &store_dir,
                        made_at: chrono::Local::now().format("%Y-%m-%d %H:%M:%S %:z").to_string(),
                    };
                    report_book::workbook(&node, *depth, lang, &source).map_err(|e| Failure {
                        code: e.exit_code(),
                        message: e.message(lang),
                    })?
                }
            };
            match output {
                None => out.write_all(&bytes).map_err(|e| io_failure(e, lang)),
                Some(path) => write_report_file(path, &bytes, lang),
            }
        }
        Command::Undo => {
            let store = ctx.open()?;
            let id = store.undo_target().map_err(st)?.map(|(id, _)| id);
            let entry = store.undo_last().map_err(st)?;
            let name = |code: &str| store.unit(code).ok().flatten().map(|u| u.name);
            let what = crate::history::describe(&entry, lang, &name) + &crate::history::undo_scope(&entry, lang);
            let what = crate::text::for_terminal_lines(&what);
            let number = id.map(|id| format!("#{id} ")).unwrap_or_default();
            writeln!(out, "{}", say(lang, S::Undone, &[&format!("{number}{what}")])).map_err(|e| io_failure(e, lang))
        }
        Command::Unit {
            action: UnitCommand::Delete { code },
        } => {
            let store = ctx.open()?;
            let unit = store.delete_unit(code).map_err(st)?;
            let said = say(lang, C::UnitDeleted, &[&unit.name, &unit.code]);
            writeln!(out, "{said}").map_err(|e| io_failure(e, lang))
        }
        Command::History { unit, limit, format } => {
            let store = ctx.open()?;
            let entries = store.history_with_ids(unit.as_deref(), *limit).map_err(st)?;
            let name = |code: &str| store.unit(code).ok().flatten().map(|u| u.name);
            let text = match format {
                HistoryFormat::Text => crate::history::listing(&entries, lang, &name),
                HistoryFormat::Json => {
                    let json = crate::history::to_json(&entries, lang, &name);
                    serde_json::to_string_pretty(&json).map_err(|e| io_failure(std::io::Error::other(e), lang))? + "\n"
                }
            };
            out.write_all(text.as_bytes()).map_err(|e| io_failure(e, lang))
        }
        Command::Staff { action } => {
            let Some(url) = ctx.server() else {
                return Err(Failure::usage(tr(lang, C::StaffNeedsDb).into()));
            };
            staff_command(url, action, lang, out)
        }
        Command::Check => {
            let store = ctx.open()?;
            let differences = store.check().map_err(st)?;
            let [units, evals, trainings, budget] = store.counts().map_err(st)?;
            if differences.is_empty() {
                let msg = say(lang, C::CheckPassed, &[&units, &evals, &trainings, &budget]);
                writeln!(out, "{msg}").map_err(|e| io_failure(e, lang))
            } else {
                let mut lines = vec![say(lang, C::CheckFailed, &[&differences.len()])];
                for d in differences.iter().take(100) {
                    lines.push(format!("  {} {}: {}", d.unit, d.year, d.what));
                }
                Err(Failure {
                    message: lines.join("\n"),
                    code: 1,
                })
            }
        }
    }
}

fn io_failure(e: std::io::Error, lang: Lang) -> Failure {
    Failure {
        message: say(lang, C::WriteFailed, &[&e]),
        code: 1,
    }
}

fn parse_kind(text: &str, lang: Lang) -> Result<Kind, Failure> {
    Kind::parse(text).ok_or_else(|| Failure::usage(say(lang, C::UnknownKind, &[&text])))
}

/// Loads the built-in Xishan data, turning a problem into a failure (it would be a bug).
pub fn load_xishan(store: &Registry, lang: Lang) -> Result<(), Failure> {
    crate::xishan::load(store).map_err(|(name, e)| import_failure(&name, e, lang))
}

fn import_failure(name: &str, e: ImportError, lang: Lang) -> Failure {
    match e {
        ImportError::Problems(problems) => {
            let n = problems.len();
            let head = match n {
                1 => say(lang, C::ImportProblem, &[&name]),
                _ => say(lang, C::ImportProblems, &[&name, &n]),
            };
            Failure {
                message: format!("{head}\n{}", render_problems(name, &problems, lang)),
                code: 1,
            }
        }
        ImportError::File(problem) => Failure {
            message: format!("{name}: {}", problem.message(lang)),
            code: 1,
        },
        ImportError::Store(e) => Failure::store(e, lang),
    }
}

fn import_file(store: &Registry, kind: Kind, file: &Path, lang: Lang, out: &mut dyn Write) -> Result<(), Failure> {
    let name = file.display().to_string();
    let summary = interchange::import_file(store, kind, file).map_err(|e| import_failure(&name, e, lang))?;
    let (rows, added, updated, same) = (summary.rows, summary.added, summary.updated, summary.already_present);
    let units = kind == Kind::Units;
    let msg = if rows == 0 {
        say(lang, C::ImportNoRows, &[&name])
    } else if added == 0 && updated == 0 {
        say(lang, C::ImportAllStored, &[&name, &rows])
    } else {
        let [add, update, keep] = match units {
            true => [C::AddedUnits, C::UpdatedUnits, C::SameUnits],
            false => [C::AddedRecords, C::UpdatedRecords, C::SameRecords],
        };
        let parts: Vec<String> = [(added, add), (updated, update), (same, keep)]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, key)| say(lang, key, &[&n]))
            .collect();
        let parts = parts.join(tr(lang, C::ListSeparator));
        say(lang, C::ImportRows, &[&name, &rows, &parts])
    };
    writeln!(out, "{msg}").map_err(|e| io_failure(e, lang))?;
    // Each unit that changed, field by field; then what was stored but deserves a look.
    for change in &summary.changes {
        writeln!(out, "  {}", change.render(lang)).map_err(|e| io_failure(e, lang))?;
    }
    if !summary.warnings.is_empty() {
        let head = say(lang, C::ImportedToCheck, &[&name, &summary.warnings.total]);
        writeln!(out, "{head}").map_err(|e| io_failure(e, lang))?;
        writeln!(out, "{}", render_problems(&name, &summary.warnings, lang)).map_err(|e| io_failure(e, lang))?;
    }
    Ok(())
}

fn export_failure(e: ExportError, lang: Lang) -> Failure {
    Failure {
        code: if matches!(e, ExportError::TooManyRows) { 2 } else { 1 },
        message: e.message(lang),
    }
}

/// Writes every record of a kind to the exporter, straight from the store.
fn export_rows(
    store: &Registry,
    kind: Kind,
    exporter: &mut Exporter,
    wide: Option<&[(String, String)]>,
    lang: Lang,
) -> Result<(), Failure> {
    enum Fail {
        Store(StoreError),
        Export(ExportError),
    }
    impl From<StoreError> for Fail {
        fn from(e: StoreError) -> Self {
            Fail::Store(e)
        }
    }
    let result: Result<(), Fail> = match kind {
        Kind::Units => store
            .all_units()
            .map_err(Fail::Store)
            .and_then(|units| units.iter().try_for_each(|u| exporter.row(u).map_err(Fail::Export))),
        Kind::Evaluations => match wide {
            Some(columns) => store.for_each_record(|r: Evaluation| {
                let extra = interchange::schemes::wide_cells(&r, columns);
                exporter.row_wide(&r, extra).map_err(Fail::Export)
            }),
            None => store.for_each_record(|r: Evaluation| exporter.row(&r).map_err(Fail::Export)),
        },
        Kind::Trainings => store.for_each_record(|r: Training| exporter.row(&r).map_err(Fail::Export)),
        Kind::Budget => store.for_each_record(|r: BudgetEntry| exporter.row(&r).map_err(Fail::Export)),
    };
    result.map_err(|e| match e {
        Fail::Store(e) => Failure::store(e, lang),
        Fail::Export(e) => export_failure(e, lang),
    })
}

fn export_to(
    store: &Registry,
    kind: Kind,
    format: ExportFormat,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<usize, Failure> {
    let format = match format {
        ExportFormat::Csv => interchange::Format::Csv,
        ExportFormat::Xlsx => interchange::Format::Xlsx,
        ExportFormat::Json => interchange::Format::Json,
    };
    let wide = wide_columns(store, kind, lang)?;
    let mut exporter = match &wide {
        Some(columns) => Exporter::new_wide(kind, format, lang, out, columns),
        None => Exporter::new(kind, format, lang, out),
    }
    .map_err(|e| export_failure(e, lang))?;
    export_rows(store, kind, &mut exporter, wide.as_deref(), lang)?;
    exporter.finish().map_err(|e| export_failure(e, lang))
}

/// The extra columns of an evaluations export when any evaluation gives points per indicator
/// (issue 15): a first pass finds the schemes they use. `None`: the usual columns only.
fn wide_columns(store: &Registry, kind: Kind, lang: Lang) -> Result<Option<Vec<(String, String)>>, Failure> {
    if kind != Kind::Evaluations {
        return Ok(None);
    }
    let mut used: Vec<String> = Vec::new();
    store
        .for_each_record(|r: Evaluation| -> Result<(), StoreError> {
            if let Some(p) = &r.points {
                if !used.contains(&p.scheme) {
                    used.push(p.scheme.clone());
                }
            }
            Ok(())
        })
        .map_err(|e| Failure::store(e, lang))?;
    if used.is_empty() {
        return Ok(None);
    }
    let schemes = store.schemes().map_err(|e| Failure::store(e, lang))?;
    Ok(Some(interchange::schemes::wide_columns(&schemes, &used)))
}

/// `import schemes FILE` (issue 15).
fn import_schemes(store: &Registry, file: &Path, lang: Lang, out: &mut dyn Write) -> Result<(), Failure> {
    let name = file.display().to_string();
    // `import schemes example` (no such file here): the example scheme built into the program.
    let added = if file == Path::new(interchange::schemes::EXAMPLE_NAME) && !file.exists() {
        interchange::schemes::import_schemes_bytes(store, interchange::schemes::EXAMPLE_SCHEME)
    } else {
        interchange::schemes::import_schemes_file(store, file)
    }
    .map_err(|e| import_failure(&name, e, lang))?;
    use crate::words::K;
    // Each count in its own number ("1 evaluation scheme", "2 evaluation schemes").
    let counted = |n: usize, one: K, many: K| {
        if n == 1 {
            tr(lang, one).to_string()
        } else {
            say(lang, many, &[&n])
        }
    };
    let msg = say(
        lang,
        K::SchemesImported,
        &[
            &counted(added.added, K::SchemesCountOne, K::SchemesCount),
            &counted(added.indicators, K::IndicatorsCountOne, K::IndicatorsCount),
            &counted(added.already_present, K::SchemesStoredOne, K::SchemesStored),
        ],
    );
    writeln!(out, "{name}: {msg}").map_err(|e| io_failure(e, lang))
}

/// `export schemes` (issue 15): to stdout, or to a file written whole or not at all.
fn export_schemes_file(
    store: &Registry,
    format: ExportFormat,
    lang: Lang,
    output: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let format = match format {
        ExportFormat::Csv => interchange::Format::Csv,
        ExportFormat::Xlsx => interchange::Format::Xlsx,
        ExportFormat::Json => interchange::Format::Json,
    };
    let schemes = store.schemes().map_err(|e| Failure::store(e, lang))?;
    let what = tr(lang, crate::words::K::SchemesSheet);
    export_with(lang, output, out, what, &mut |w| {
        interchange::schemes::export_schemes(&schemes, format, lang, w).map_err(|e| export_failure(e, lang))
    })
}

/// Exports to stdout, or to a file written whole or not at all (a temporary file renamed), or
/// to a device or FIFO as a stream.
fn export_file(
    store: &Registry,
    kind: Kind,
    format: ExportFormat,
    lang: Lang,
    output: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    export_with(lang, output, out, kind.label(lang), &mut |w| {
        export_to(store, kind, format, lang, w)
    })
}

/// Writes an export with `write` (which says how many rows it wrote): to stdout, or to a file
/// written whole or not at all (a temporary file renamed), saying then what went where.
fn export_with(
    lang: Lang,
    output: Option<&Path>,
    out: &mut dyn Write,
    what: &str,
    write: &mut dyn FnMut(&mut dyn Write) -> Result<usize, Failure>,
) -> Result<(), Failure> {
    let Some(path) = output else {
        write(out)?;
        return out.flush().map_err(|e| io_failure(e, lang));
    };
    let io_err = |e: std::io::Error| Failure {
        message: say(lang, C::CannotWriteFile, &[&path.display(), &e]),
        code: 1,
    };
    let n = backup::write_atomically(
        path,
        |mut w| {
            let n = write(&mut w)?;
            Ok((w, n))
        },
        io_err,
    )?;
    let msg = say(lang, C::Exported, &[&n, &what, &path.display()]);
    eprintln!("{}", crate::text::for_terminal_lines(&msg));
    Ok(())
}

/// A report to a file, written whole or not at all (a temporary file renamed), as export does.
fn write_report_file(path: &Path, bytes: &[u8], lang: Lang) -> Result<(), Failure> {
    let io_err = |e: std::io::Error| Failure {
        message: say(lang, C::CannotWriteFile, &[&path.display(), &e]),
        code: 1,
    };
    backup::write_atomically(
        path,
        |mut w| {
            w.write_all(bytes).map_err(io_err)?;
            Ok((w, ()))
        },
        io_err,
    )?;
    eprintln!("{}", say(lang, C::ReportWritten, &[&path.display()]));
    Ok(())
}

fn backup_failure(e: BackupError, lang: Lang) -> Failure {
    Failure {
        code: e.exit_code(),
        message: e.message(lang),
    }
}

fn restored_message(summary: &BackupSummary, file: &Path, dir: &Path, lang: Lang) -> String {
    let [u, e, t, b] = summary.counts;
    let j = summary.journal;
    let (version, when) = (&summary.info.app_version, &summary.info.created_at);
    say(
        lang,
        C::Restored,
        &[&u, &e, &t, &b, &j, &file.display(), version, when, &dir.display()],
    )
}

/// `staff add|list|remove` on the server `url`.
fn staff_command(url: &str, action: &StaffCommand, lang: Lang, out: &mut dyn Write) -> Result<(), Failure> {
    use crate::pg::staff::{self, Role};
    let st = |e: StoreError| Failure::store(e, lang);
    if let StaffCommand::Add { role, unit, .. } = action {
        match (role, unit) {
            (Role::Clerk, None) => return Err(Failure::usage(tr(lang, N::StaffClerkNeedsUnit).into())),
            (Role::District | Role::Auditor, Some(_)) => {
                return Err(Failure::usage(tr(lang, N::StaffUnitOnlyForClerk).into()))
            }
            _ => {}
        }
    }
    let (mut client, place) = crate::pg::connect::connect(Some(url), lang).map_err(st)?;
    let said = match action {
        StaffCommand::Add {
            login,
            role,
            unit,
            password_stdin,
        } => {
            let password = match password_stdin {
                true => Some(staff::read_password(login, lang).map_err(st)?),
                false => None,
            };
            staff::add(&mut client, &place, login, *role, unit.as_deref(), password.as_deref()).map_err(st)?;
            staff::added(login, *role, unit.as_deref(), lang) + "\n"
        }
        StaffCommand::List => staff::table(&staff::list(&mut client, &place).map_err(st)?, lang),
        StaffCommand::Remove { login } => {
            staff::remove(&mut client, &place, login).map_err(st)?;
            say(lang, N::StaffRemoved, &[login]) + "\n"
        }
    };
    out.write_all(said.as_bytes()).map_err(|e| io_failure(e, lang))
}

/// `init` on a shared server: the schema's migrations in a database without shegong's data
/// (one that has it is refused, as sled's `init` refuses a store with data), then the Xishan
/// data unless `--empty`.
fn init_server(url: &str, empty: bool, lang: Lang) -> Result<(), Failure> {
    let st = |e: StoreError| Failure::store(e, lang);
    let (mut client, place) = crate::pg::connect::connect(Some(url), lang).map_err(st)?;
    if crate::pg::migrate::version(&mut client).map_err(st)?.is_some() {
        // A schema there already: refused when it holds any unit, else brought up to date.
        let held = client
            .query_one("SELECT EXISTS (SELECT FROM shegong.units)", &[])
            .and_then(|row| row.try_get::<_, bool>(0))
            .map_err(|e| st(crate::pg::error::store_error(&e, &place, "")))?;
        if held {
            return Err(st(StoreError::AlreadyExists(PathBuf::from(&place))));
        }
    }
    // Say who may, rather than the server's refusal halfway through the first migration.
    let may = client
        .query_one(
            "SELECT current_user::text, has_database_privilege(current_database(), 'CREATE'),
                    coalesce((SELECT rolcreaterole OR rolsuper FROM pg_catalog.pg_roles
                               WHERE rolname = current_user), false)
                    OR (SELECT count(*) = 3 FROM pg_catalog.pg_roles
                         WHERE rolname IN ('shegong_district', 'shegong_clerk', 'shegong_auditor'))",
            &[],
        )
        .and_then(|row| {
            Ok((
                row.try_get::<_, String>(0)?,
                row.try_get::<_, bool>(1)?,
                row.try_get::<_, bool>(2)?,
            ))
        })
        .map_err(|e| st(crate::pg::error::store_error(&e, &place, "")))?;
    if let (login, false, _) | (login, _, false) = may {
        return Err(st(StoreError::refused(N::InitNotAllowed, &[&login, &place])));
    }
    crate::pg::migrate::apply(&mut client).map_err(st)?;
    let store = Registry::over(Box::new(
        crate::pg::backend::PgStorage::new(client, place.clone()).map_err(st)?,
    ));
    if !empty {
        load_xishan(&store, lang)?;
    }
    let created = if empty { C::CreatedEmpty } else { C::CreatedWithXishan };
    eprintln!("{}", crate::text::for_terminal_lines(&say(lang, created, &[&place])));
    Ok(())
}

/// `shegong` alone: opens the store (creating it with the Xishan data on first run).
/// Returns the store and whether it was just created.
pub fn open_or_create(ctx: &Context) -> Result<(Registry, bool), Failure> {
    // A server is made by `init` (it needs a login that may create roles), never on the way.
    if ctx.server().is_some() || store::exists(&ctx.dir) {
        return ctx.open().map(|s| (s, false));
    }
    if ctx.readonly {
        return Err(Failure::store(StoreError::Missing(ctx.dir.clone()), ctx.lang));
    }
    let store = ctx.create().map_err(|e| Failure::store(e, ctx.lang))?;
    load_xishan(&store, ctx.lang)?;
    Ok((store, true))
}

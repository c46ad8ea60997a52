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
    /// Who the change journal records (default: the OS user)
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the store and load the Xishan data (unless --empty)
    Init {
        #[arg(long)]
        empty: bool,
    },
    /// Import a file (CSV, .xlsx or JSON): KIND is units, evaluations, trainings or budget
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
        let operator = args.operator.clone().unwrap_or_else(os_operator);
        Ok(Context {
            dir: args.data_dir.clone().unwrap_or_else(default_data_dir),
            lang,
            readonly: args.readonly,
            operator,
        })
    }

    /// Opens the store, with this session's operator for the journal. A store from an older
    /// shegong is backed up and upgraded first, and the user is told where the backup is.
    pub fn open(&self) -> Result<Registry, Failure> {
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
            self.message.push_str(lang.pick(
                "多人同时录入：计划支持共享的 PostgreSQL 服务器（--db 选项，尚未提供）；在此之前请轮流使用，或各自录入后用 export / import 合并。",
                "For a team working at once, a shared PostgreSQL server (a --db option) is planned but not there yet; until then take turns, or enter records apart and merge them with export / import.",
            ));
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
            let store = ctx.create().map_err(st)?;
            if !empty {
                load_xishan(&store, lang)?;
            }
            store.flush().map_err(st)?;
            let msg = match (lang, empty) {
                (Lang::Zh, false) => format!("已在 {} 创建数据库，并载入西山区数据。", ctx.dir.display()),
                (Lang::Zh, true) => format!("已在 {} 创建空数据库。", ctx.dir.display()),
                (Lang::En, false) => format!("Created the store in {} with the Xishan data.", ctx.dir.display()),
                (Lang::En, true) => format!("Created an empty store in {}.", ctx.dir.display()),
            };
            eprintln!("{}", crate::text::for_terminal_lines(&msg));
            Ok(())
        }
        Command::Import { kind, file } => {
            let kind = parse_kind(kind, lang)?;
            let store = ctx.open()?;
            import_file(&store, kind, file, lang, out)
        }
        Command::Export { kind, format, output } => {
            let kind = parse_kind(kind, lang)?;
            // `-o -` is stdout, as for most tools.
            let output = output.as_deref().filter(|p| *p != Path::new("-"));
            if let Some(path) = output {
                check_output(path, &ctx.dir).map_err(|r| Failure::usage(r.message(lang)))?;
            }
            if *format == ExportFormat::Xlsx && output.is_none() && std::io::stdout().is_terminal() {
                return Err(Failure::usage(
                    lang.pick(
                        "Excel 工作簿不能显示在终端上：请用 -o 文件名.xlsx 指定输出文件",
                        "an Excel workbook cannot be shown in a terminal: name the file with -o FILE.xlsx",
                    )
                    .into(),
                ));
            }
            let store = ctx.open()?;
            export_file(&store, kind, *format, lang, output, out)
        }
        Command::Backup { file } => {
            check_output(file, &ctx.dir).map_err(|r| Failure::usage(r.message(lang)))?;
            let store = ctx.open()?;
            let summary = backup::backup(store.storage(), file).map_err(|e| backup_failure(e, lang))?;
            let [u, e, t, b] = summary.counts;
            let j = summary.journal;
            let msg = match lang {
                Lang::Zh => format!(
                    "已将 {u} 个单位、{e} 条评估、{t} 条培训、{b} 条资金记录及 {j} 条变更日志备份到 {}。",
                    file.display()
                ),
                Lang::En => format!(
                    "Backed up {u} units, {e} evaluations, {t} trainings, {b} budget entries and {j} journal entries to {}.",
                    file.display()
                ),
            };
            writeln!(out, "{msg}").map_err(|e| io_failure(e, lang))
        }
        Command::Restore { file } => {
            if ctx.readonly {
                return Err(st(StoreError::ReadOnly));
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
                return Err(Failure::usage(
                    lang.pick(
                        "报表工作簿须写入文件，不能输出到终端：请用 -o 文件名.xlsx 指定输出文件",
                        "a report workbook is written to a file, not to a terminal: name the file with -o FILE.xlsx",
                    )
                    .into(),
                ));
            }
            let as_of = match as_of {
                None => chrono::Local::now().date_naive(),
                Some(text) => parse_as_of(text).map_err(|_| {
                    Failure::usage(
                        lang.pick(
                            &format!("--as-of：无法识别日期“{text}”（例如 2021-11-09）"),
                            &format!("--as-of: cannot read the date “{text}” (e.g. 2021-11-09)"),
                        )
                        .to_string(),
                    )
                })?,
            };
            let store = ctx.open()?;
            let node = report::build(&store, unit.as_deref(), as_of, *depth).map_err(st)?;
            let bytes = match format {
                ReportFormat::Table => (report::to_table(&node, lang) + "\n").into_bytes(),
                ReportFormat::Csv => report::to_csv(&node).into_bytes(),
                ReportFormat::Json => {
                    let json = serde_json::to_string_pretty(&report::to_json(&node)).map_err(|e| Failure {
                        code: 1,
                        message: format!("{}{e}", lang.pick("无法生成 JSON：", "cannot write the JSON: ")),
                    })?;
                    (json + "\n").into_bytes()
                }
                ReportFormat::Xlsx => {
                    let store_dir = std::fs::canonicalize(&ctx.dir).unwrap_or_else(|_| ctx.dir.clone());
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
            writeln!(out, "{}{number}{what}", lang.pick("已撤销：", "Undone: ")).map_err(|e| io_failure(e, lang))
        }
        Command::Unit {
            action: UnitCommand::Delete { code },
        } => {
            let store = ctx.open()?;
            let unit = store.delete_unit(code).map_err(st)?;
            let said = match lang {
                Lang::Zh => format!("已删除单位 {}（{}）；`shegong undo` 可撤销。", unit.name, unit.code),
                Lang::En => format!(
                    "Deleted the unit {} ({}); `shegong undo` brings it back.",
                    unit.name, unit.code
                ),
            };
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
        Command::Check => {
            let store = ctx.open()?;
            let differences = store.check().map_err(st)?;
            let [units, evals, trainings, budget] = store.counts().map_err(st)?;
            if differences.is_empty() {
                let msg = match lang {
                    Lang::Zh => format!(
                        "检查通过：{units} 个单位、{evals} 条评估、{trainings} 条培训、{budget} 条资金记录，所有汇总与重新计算一致。"
                    ),
                    Lang::En => format!(
                        "Check passed: {units} units, {evals} evaluations, {trainings} trainings, {budget} budget entries; every stored total equals the recomputation."
                    ),
                };
                writeln!(out, "{msg}").map_err(|e| io_failure(e, lang))
            } else {
                let mut lines = vec![match lang {
                    Lang::Zh => format!("检查未通过：{} 处汇总与重新计算不一致：", differences.len()),
                    Lang::En => format!(
                        "Check failed: {} stored totals differ from the recomputation:",
                        differences.len()
                    ),
                }];
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
        message: format!("{}{e}", lang.pick("写出失败：", "cannot write the output: ")),
        code: 1,
    }
}

fn parse_kind(text: &str, lang: Lang) -> Result<Kind, Failure> {
    Kind::parse(text).ok_or_else(|| {
        Failure::usage(
            lang.pick(
                &format!("未知的类别“{text}”：可用 units、evaluations、trainings、budget"),
                &format!("unknown kind “{text}”: use units, evaluations, trainings or budget"),
            )
            .to_string(),
        )
    })
}

/// Loads the built-in Xishan data, turning a problem into a failure (it would be a bug).
pub fn load_xishan(store: &Registry, lang: Lang) -> Result<(), Failure> {
    crate::xishan::load(store).map_err(|(name, e)| import_failure(&name, e, lang))
}

fn import_failure(name: &str, e: ImportError, lang: Lang) -> Failure {
    match e {
        ImportError::Problems(problems) => {
            let n = problems.len();
            let head = match lang {
                Lang::Zh => format!("{name}：发现 {n} 处错误，此文件中的数据均未导入。请改正后重新导入整个文件："),
                Lang::En if n == 1 => format!("{name}: 1 problem; nothing from this file was stored. Fix it and import the whole file again:"),
                Lang::En => format!("{name}: {n} problems; nothing from this file was stored. Fix them and import the whole file again:"),
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
    let msg = match lang {
        Lang::Zh if rows == 0 => format!("{name}：文件中没有数据行，未导入任何记录。"),
        Lang::Zh if added == 0 && updated == 0 => {
            format!("{name}：{rows} 行均已在库中，未新增或更改任何记录。")
        }
        Lang::Zh => {
            let unit = if units { "个" } else { "条" };
            let parts: Vec<String> = [
                (added, format!("新增 {added} {unit}")),
                (updated, format!("更新 {updated} {unit}")),
                (
                    same,
                    format!("{same} {unit}已在库中{}", if units { "且无变化" } else { "" }),
                ),
            ]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(_, t)| t)
            .collect();
            format!("{name}：{rows} 行：{}。", parts.join("，"))
        }
        Lang::En if rows == 0 => format!("{name}: the file has no data rows; nothing was imported."),
        Lang::En if added == 0 && updated == 0 => {
            format!("{name}: all {rows} rows are already stored; nothing was added or changed.")
        }
        Lang::En => {
            let parts: Vec<String> = [
                (added, format!("{added} added")),
                (updated, format!("{updated} updated")),
                (
                    same,
                    format!("{same} already stored{}", if units { " unchanged" } else { "" }),
                ),
            ]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(_, t)| t)
            .collect();
            format!("{name}: {rows} rows: {}.", parts.join(", "))
        }
    };
    writeln!(out, "{msg}").map_err(|e| io_failure(e, lang))?;
    // Each unit that changed, field by field; then what was stored but deserves a look.
    for change in &summary.changes {
        writeln!(out, "  {}", change.render(lang)).map_err(|e| io_failure(e, lang))?;
    }
    if !summary.warnings.is_empty() {
        let head = match lang {
            Lang::Zh => format!("{name}：已导入，但有 {} 处请核对：", summary.warnings.total),
            Lang::En => format!("{name}: imported, but {} to check:", summary.warnings.total),
        };
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
fn export_rows(store: &Registry, kind: Kind, exporter: &mut Exporter, lang: Lang) -> Result<(), Failure> {
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
        Kind::Evaluations => store.for_each_record(|r: Evaluation| exporter.row(&r).map_err(Fail::Export)),
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
    let mut exporter = Exporter::new(kind, format, lang, out).map_err(|e| export_failure(e, lang))?;
    export_rows(store, kind, &mut exporter, lang)?;
    exporter.finish().map_err(|e| export_failure(e, lang))
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
    let Some(path) = output else {
        export_to(store, kind, format, lang, out)?;
        return out.flush().map_err(|e| io_failure(e, lang));
    };
    let io_err = |e: std::io::Error| Failure {
        message: format!("{}{}: {e}", lang.pick("无法写入 ", "cannot write "), path.display()),
        code: 1,
    };
    let n = backup::write_atomically(
        path,
        |mut w| {
            let n = export_to(store, kind, format, lang, &mut w)?;
            Ok((w, n))
        },
        io_err,
    )?;
    let what = kind.label(lang);
    let msg = match lang {
        Lang::Zh => format!("已将 {n} 条{what}记录导出到 {}。", path.display()),
        Lang::En => format!("Exported {n} {what} to {}.", path.display()),
    };
    eprintln!("{}", crate::text::for_terminal_lines(&msg));
    Ok(())
}

/// A report to a file, written whole or not at all (a temporary file renamed), as export does.
fn write_report_file(path: &Path, bytes: &[u8], lang: Lang) -> Result<(), Failure> {
    let io_err = |e: std::io::Error| Failure {
        message: format!("{}{}: {e}", lang.pick("无法写入 ", "cannot write "), path.display()),
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
    eprintln!(
        "{}",
        match lang {
            Lang::Zh => format!("已将报表写入 {}。", path.display()),
            Lang::En => format!("Wrote the report to {}.", path.display()),
        }
    );
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
    match lang {
        Lang::Zh => format!(
            "已从 {}（shegong {version} 于 {when} 备份）恢复 {u} 个单位、{e} 条评估、{t} 条培训、{b} 条资金记录及 {j} 条变更日志到 {}。",
            file.display(),
            dir.display()
        ),
        Lang::En => format!(
            "Restored {u} units, {e} evaluations, {t} trainings, {b} budget entries and {j} journal entries from {} (backed up by shegong {version} at {when}) into {}.",
            file.display(),
            dir.display()
        ),
    }
}

/// `shegong` alone: opens the store (creating it with the Xishan data on first run).
/// Returns the store and whether it was just created.
pub fn open_or_create(ctx: &Context) -> Result<(Registry, bool), Failure> {
    if store::exists(&ctx.dir) {
        return ctx.open().map(|s| (s, false));
    }
    if ctx.readonly {
        return Err(Failure::store(StoreError::Missing(ctx.dir.clone()), ctx.lang));
    }
    let store = ctx.create().map_err(|e| Failure::store(e, ctx.lang))?;
    load_xishan(&store, ctx.lang)?;
    Ok((store, true))
}

//! Importing a file into the store: read, parse, write all or nothing, and turn the store's
//! row problems back into `FILE:LINE: column` form. A file on disk (`import_file`) is read as
//! it streams by when it is CSV; bytes already in memory (`import_bytes`) are read in place.

use super::file::{self, Opened};
use super::parse::{self, parse_sheet_against, Flush, Parsed, ParsedFile, Refs};
use super::spill::Spill;
use super::table::open_sheet;
use super::Sheet;
use super::{FileProblem, Kind, Problems};
use crate::domain::Problem;
use crate::domain::RecordKind;
use crate::record::Record;
use crate::registry::Registry;
use crate::store::{AddOutcome, RowProblem, StoreError};
use crate::words::P;
use std::path::Path;

/// What an import did, for the message the user reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Non-blank rows in the file.
    pub rows: usize,
    pub added: usize,
    /// Units whose fields changed (records are never updated).
    pub updated: usize,
    /// Rows that were stored already: the same record, or the same unit unchanged.
    pub already_present: usize,
    /// Each unit that changed: as stored before, and as stored now.
    pub changes: Vec<UnitChange>,
    /// What was stored but deserves a look (a date after today, text in unlikely characters),
    /// at its line and column.
    pub warnings: Problems,
}

/// Text for a terminal: control characters shown escaped, never run.
fn visible(text: &str) -> String {
    crate::text::for_terminal(text).into_owned()
}

/// A stored unit that a units file changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitChange {
    pub before: crate::domain::Unit,
    pub after: crate::domain::Unit,
}

impl UnitChange {
    /// `碧鸡街道: 站点状态 运营 → 无`: the unit's name, then each changed field under its column
    /// name in the user's language, its value before and after as an export writes it.
    pub fn render(&self, lang: crate::i18n::Lang) -> String {
        use super::ToRow;
        let empty = crate::words::tr(lang, P::EmptyValue);
        let shown = |t: String| if t.is_empty() { empty.to_string() } else { visible(&t) };
        let fields: Vec<String> = super::columns_of(Kind::Units)
            .iter()
            .zip(self.before.cells().into_iter().zip(self.after.cells()))
            .filter_map(|(column, (b, a))| {
                let (b, a) = (b.plain(lang), a.plain(lang));
                (b != a).then(|| format!("{} {} → {}", lang.pick(column.alias, column.name), shown(b), shown(a)))
            })
            .collect();
        let sep = crate::words::tr(lang, P::ChangesSeparator);
        format!("{}: {}", visible(&self.after.name), fields.join(sep))
    }
}

#[derive(Debug)]
pub enum ImportError {
    /// The file cannot be opened or read at all (no such file, a folder, too large a workbook);
    /// nothing was stored.
    File(Problem),
    /// The file's content is wrong; nothing was stored.
    Problems(Problems),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// The store's problems with rows, at the file's lines and under the file's column names.
fn locate<T>(kind: Kind, parsed: &Parsed<T>, problems: Vec<RowProblem>) -> ImportError {
    let located = problems
        .into_iter()
        .map(|RowProblem { row, problem }| {
            // One about an indicator's points is under that indicator's column.
            let column = if let Some(code) = &problem.about {
                code.clone()
            } else if problem.field.is_empty() {
                String::new()
            } else {
                parsed.column_of(kind, problem.field)
            };
            FileProblem::new(parsed.lines.get(row).copied().unwrap_or(0), column, problem)
        })
        .collect();
    ImportError::Problems(located)
}

fn store_result<T>(
    kind: Kind,
    parsed: &Parsed<T>,
    result: Result<ImportSummary, StoreError>,
) -> Result<ImportSummary, ImportError> {
    match result {
        Ok(s) => Ok(s),
        Err(StoreError::Rejected(problems)) => Err(locate(kind, parsed, problems)),
        Err(e) => Err(ImportError::Store(e)),
    }
}

fn summary(rows: usize, o: AddOutcome) -> ImportSummary {
    ImportSummary {
        rows,
        added: o.added,
        updated: 0,
        already_present: o.already_present,
        ..ImportSummary::default()
    }
}

/// Files larger than this are streamed (records only): read twice, checked in chunks, then
/// written in chunks, so memory stays bounded by a chunk rather than by the file.
const STREAM_ABOVE_BYTES: usize = 16 * 1024 * 1024;

/// At most this many rows, and this many bytes of rows as the store encodes them, are written
/// per pass of a streamed import (see `stream`). A pass holds its rows, their pages and their
/// writes: at the default size about 0.5 KB a row besides sled's cache, so ~16 MB of encoded
/// budget rows (~300,000) is ~150 MB.
const PASS_ROWS: usize = 1_500_000;
const PASS_BYTES: usize = 16 * 1024 * 1024;
/// Evaluations and trainings files pass in half the bytes: a pass of either costs about
/// twice what a budget pass of the same bytes does.
///
/// - An evaluation also moves its unit's first evaluation (the unit's row read, written again,
///   its old bytes kept for undo) and changes the children kept with its parent. At national
///   size (issue 14, recmem) 16 MB passes peaked at ~700 MB and 8 MB ones at ~580 MB, for
///   about the same CPU.
/// - A training's row is small once encoded but counts in more cells (kind, mode, hours,
///   attendees), each copied to every ancestor's yearly bucket before it folds. The national
///   file (250,000 rows) peaked at 456 MB in 16 MB passes and 337–339 MB in 8 MB ones, in
///   the same 11.8 s (session 13, two alternating runs each).
const HEAVY_PASS_BYTES: usize = 8 * 1024 * 1024;

/// The default bytes of rows per pass of a streamed import of a kind.
fn pass_bytes(kind: crate::domain::RecordKind) -> usize {
    match kind {
        crate::domain::RecordKind::Evaluation | crate::domain::RecordKind::Training => HEAVY_PASS_BYTES,
        _ => PASS_BYTES,
    }
}

/// Imports one file of a kind (CSV in any encoding, a workbook or JSON), all or nothing.
pub fn import_bytes(store: &Registry, kind: Kind, bytes: &[u8]) -> Result<ImportSummary, ImportError> {
    import(store, kind, bytes.len() as u64, &|| open_sheet(bytes))
}

/// Imports one file from disk, as `import_bytes` would its bytes, without holding the file in
/// memory when it is CSV: the rows are read as they come, and a streamed import opens the file
/// again for each pass. A workbook or JSON file is read whole (up to `file::WHOLE_FILE_LIMIT`).
pub fn import_file(store: &Registry, kind: Kind, path: &Path) -> Result<ImportSummary, ImportError> {
    if store.is_readonly() {
        return Err(ImportError::Store(store.readonly_error()));
    }
    let whole_limit = tunable("SHEGONG_WHOLE_FILE_LIMIT", file::WHOLE_FILE_LIMIT as usize) as u64;
    match file::open(path, whole_limit).map_err(ImportError::File)? {
        Opened::Whole(bytes) => import_bytes(store, kind, &bytes),
        Opened::Csv { size } => import(store, kind, size, &|| file::csv_sheet(path)),
    }
}

/// Opens the file's rows afresh, from its first row: once, or once per pass of a streamed import.
type Open<'o, 'a> = &'o dyn Fn() -> Result<Sheet<'a>, Problems>;

fn import(store: &Registry, kind: Kind, size: u64, open: Open) -> Result<ImportSummary, ImportError> {
    if store.is_readonly() {
        return Err(ImportError::Store(store.readonly_error()));
    }
    if size > tunable("SHEGONG_STREAM_ABOVE_BYTES", STREAM_ABOVE_BYTES) as u64 {
        match kind {
            Kind::Units => {}
            Kind::Evaluations => {
                return stream::<crate::domain::Evaluation>(store, open, parse::evaluations_rows_chunked)
            }
            Kind::Trainings => return stream::<crate::domain::Training>(store, open, parse::trainings_rows_chunked),
            Kind::Budget => return stream::<crate::domain::BudgetEntry>(store, open, parse::budget_rows_chunked),
        }
    }
    let mut sheet = open().map_err(ImportError::Problems)?;
    if kind == Kind::Units {
        return import_units(store, &mut sheet);
    }
    // Unknown unit codes are listed with the file's other problems, in one pass. What is read
    // of each unit is kept for the warnings below: on the server every read is a round trip.
    let mut units = Units::default();
    let mut lookup = |code: &str| match store.unit_station(code) {
        Ok(unit) => {
            let known = unit.map(|u| u.has_station);
            units.insert(code.to_string(), unit);
            known
        }
        Err(_) => Some(true),
    };
    let schemes = schemes_for(store, kind)?;
    let parsed = parse_sheet_against(kind, &mut sheet, Some(&mut lookup), schemes).map_err(ImportError::Problems)?;
    let rows = parsed.len();
    let units = &units;
    match &parsed {
        ParsedFile::Units(_) => unreachable_units(),
        ParsedFile::Evaluations(p) => records(store, units, kind, p, rows, |e| (&e.unit, e.date)),
        ParsedFile::Trainings(p) => records(store, units, kind, p, rows, |t| (&t.host, t.date)),
        ParsedFile::Budget(p) => records(store, units, kind, p, rows, |b| (&b.unit, b.date)),
    }
}

/// What was read of the units a file's rows name while it was parsed (`None`: no such unit).
type Units = rustc_hash::FxHashMap<String, Option<crate::storage::UnitStation>>;

/// Stores a file of records; the summary carries the parser's warnings and those of records
/// dated before their unit's station opened.
fn records<R: Record>(
    store: &Registry,
    units: &Units,
    kind: Kind,
    p: &Parsed<R>,
    rows: usize,
    dated: fn(&R) -> (&String, crate::domain::PartialDate),
) -> Result<ImportSummary, ImportError> {
    let mut warnings = p.warnings.clone();
    before_opening(store, units, kind, p, dated, &mut warnings)?;
    let mut s = store_result(kind, p, store.add_parsed_records(&p.records).map(|o| summary(rows, o)))?;
    warnings.sort();
    s.warnings = warnings;
    Ok(s)
}

/// Warns of each record dated before its unit's station opened (stored all the same: the
/// money or training may have come before the opening, but it deserves a look).
fn before_opening<R>(
    store: &Registry,
    units: &Units,
    kind: Kind,
    p: &Parsed<R>,
    dated: fn(&R) -> (&String, crate::domain::PartialDate),
    warnings: &mut Problems,
) -> Result<(), ImportError> {
    let mut opened: rustc_hash::FxHashMap<&str, Option<crate::domain::PartialDate>> = Default::default();
    let column = p.column_of(kind, "date");
    for (i, record) in p.records.iter().enumerate() {
        let (unit, date) = dated(record);
        let on = match opened.get(unit.as_str()) {
            Some(on) => *on,
            None => {
                let on = match units.get(unit.as_str()) {
                    Some(read) => read.and_then(|u| u.opened_on),
                    None => store.unit_station(unit)?.and_then(|u| u.opened_on),
                };
                opened.insert(unit.as_str(), on);
                on
            }
        };
        let Some(on) = on else { continue };
        if date.end() < on.start() {
            let line = p.lines.get(i).copied().unwrap_or(0);
            warnings.push_with(|| {
                FileProblem::new(
                    line,
                    column.clone(),
                    Problem::said("date", P::DateBeforeOpened, &[&date, &unit, &on]),
                )
            });
        }
    }
    Ok(())
}

/// Units are parsed over what is stored (a column the file lacks keeps the stored value), and
/// the summary lists each field that changed.
fn import_units(store: &Registry, sheet: &mut Sheet) -> Result<ImportSummary, ImportError> {
    let mut before: rustc_hash::FxHashMap<String, crate::domain::Unit> = rustc_hash::FxHashMap::default();
    let mut failure: Option<StoreError> = None;
    let parsed = parse::parse_units_over(sheet, &mut |code| match store.unit(code) {
        Ok(found) => {
            if let Some(u) = &found {
                before.insert(code.to_string(), u.clone());
            }
            found
        }
        Err(e) => {
            failure.get_or_insert(e);
            None
        }
    });
    if let Some(e) = failure {
        return Err(ImportError::Store(e));
    }
    let mut p = parsed.map_err(ImportError::Problems)?;
    let rows = p.records.len();
    // What changed is known before the write (and said only when it succeeds): the file and
    // the stored units read for it are then handed over and freed as the write goes on.
    let changes = p
        .records
        .iter()
        .filter_map(|after| {
            let old = before.get(&after.code)?;
            (old != after).then(|| UnitChange {
                before: old.clone(),
                after: after.clone(),
            })
        })
        .collect();
    drop(before);
    let result = store
        .import_units(std::mem::take(&mut p.records))
        .map(|o| ImportSummary {
            rows,
            added: o.added,
            updated: o.updated,
            already_present: o.unchanged,
            changes,
            warnings: p.warnings.clone(),
        });
    store_result(Kind::Units, &p, result)
}

/// The units path returns before a units file is parsed as records.
fn unreachable_units() -> Result<ImportSummary, ImportError> {
    Err(ImportError::Problems(Problems::file(P::UnitsFileWrongPath, &[])))
}

/// How a kind's rows are read in chunks.
type ChunkedRows<R> = fn(&mut Sheet, &mut Refs, Flush<R>) -> Result<Parsed<R>, Problems>;

/// A large file of records: every row is parsed and checked against the store, chunk by chunk,
/// keeping only the problems, and spilled to disk by share of the units (`spill`); then, when
/// there are no problems, the shares are written in passes, one import session for all of them
/// (rolled back whole if anything fails on the way). The file is read once, and a pass holds
/// about `PASS_BYTES` of rows whatever the file's size.
fn stream<R: Record>(store: &Registry, open: Open, rows: ChunkedRows<R>) -> Result<ImportSummary, ImportError> {
    let schemes = schemes_for(store, kind_of(R::KIND))?;
    let mut session = store.import_session::<R>()?;
    // Every row handed to `check` passed the parser's `validate`: the parse hands rows on only
    // while the file has no problem (`parse::parse_rows_chunked`).
    session.fields_checked();
    let mut store_problems = Problems::default();
    let mut failure: Option<StoreError> = None;
    let mut checked = 0usize;
    let mut spill = Spill::<R>::new();
    let mut groups = Groups::new(session.groups_by_street());
    let headers;
    let warnings;
    {
        let mut check = |records: &mut Vec<R>, lines: &mut Vec<usize>| {
            if failure.is_none() {
                match session.check(records, checked) {
                    Ok(found) => {
                        for RowProblem { row, problem } in found {
                            let line = lines.get(row - checked).copied().unwrap_or(0);
                            store_problems.push_with(|| FileProblem::new(line, problem.field.to_string(), problem));
                        }
                    }
                    Err(e) => failure = Some(e),
                }
            }
            // Rows are kept for writing only while there is nothing to refuse.
            if failure.is_none() && store_problems.is_empty() {
                for record in records.iter() {
                    // A share by the unit's place in the store where it has one (neighbouring
                    // keys written by one pass), else a hash.
                    let group = match session.share_of(record.owner(), super::spill::SHARES) {
                        Ok(Some(share)) => Ok(share as u64),
                        Ok(None) => groups.of(store, record.owner()),
                        Err(e) => Err(e),
                    };
                    if let Err(e) = group.and_then(|g| spill.push_in(record, g)) {
                        failure = Some(e);
                        break;
                    }
                }
            }
            checked += records.len();
            records.clear();
            lines.clear();
        };
        let mut sheet = open().map_err(ImportError::Problems)?;
        let parsed = rows(
            &mut sheet,
            &mut Refs::new(None).with_schemes(schemes.clone()),
            &mut check,
        );
        match parsed {
            Ok(mut rest) => {
                check(&mut rest.records, &mut rest.lines);
                warnings = rest.warnings;
                headers = rest.headers;
            }
            Err(parse_problems) => return Err(ImportError::Problems(merge(parse_problems, store_problems))),
        }
    }
    if let Some(e) = failure {
        return Err(ImportError::Store(e));
    }
    if !store_problems.is_empty() {
        // Name each field's column as the file writes it.
        for p in &mut store_problems.shown {
            if let Some(i) = super::columns::position(kind_of(R::KIND), p.problem.field) {
                if let Some(h) = headers.get(i) {
                    p.column = h.clone();
                }
            }
        }
        return Err(ImportError::Problems(store_problems));
    }
    // Records in a file come in any order, and every write of a page rewrites it: so each pass
    // writes the records of a run of shares of the units, touching each page once.
    let mut passes = spill.into_passes(
        tunable("SHEGONG_PASS_ROWS", PASS_ROWS).max(1),
        tunable("SHEGONG_PASS_BYTES", pass_bytes(R::KIND)).max(1) as u64,
    );
    // A unit's rows are in one share, a share in one pass.
    session.parts_hold_whole_units();
    while let Some(batch) = passes.next_pass()? {
        session.write(&batch)?;
    }
    let outcome = session.finish()?;
    Ok(ImportSummary {
        warnings,
        ..summary(checked, outcome)
    })
}

/// Which rows a streamed import writes in the same pass: a community's with its street's, so
/// that each street's yearly totals are written once, not once per pass that holds one of its
/// communities (issue 14, import speed: at the default size a 16 MB pass split each street's
/// rows over every pass, and the passes wrote 2.8 times as many totals as there are). Other
/// units' rows go with their own. Each unit is read once; what is kept is a hash per unit. A
/// server's import groups nothing (and so reads nothing here).
struct Groups {
    by_street: bool,
    of_unit: rustc_hash::FxHashMap<u64, u64>,
}

impl Groups {
    fn new(by_street: bool) -> Groups {
        Groups {
            by_street,
            of_unit: rustc_hash::FxHashMap::default(),
        }
    }

    /// The group of a unit's rows, as a hash of the code that names it.
    fn of(&mut self, store: &Registry, code: &str) -> Result<u64, StoreError> {
        let own = xxhash_rust::xxh3::xxh3_64(code.as_bytes());
        if !self.by_street {
            return Ok(own);
        }
        if let Some(group) = self.of_unit.get(&own) {
            return Ok(*group);
        }
        let group = match store.unit(code)? {
            Some(unit) if unit.level == crate::domain::Level::Community => unit
                .parent
                .map_or(own, |street| xxhash_rust::xxh3::xxh3_64(street.as_bytes())),
            _ => own,
        };
        self.of_unit.insert(own, group);
        Ok(group)
    }
}

/// The stored schemes an evaluations file's points are read against (issue 15); none for the
/// other kinds.
fn schemes_for(store: &Registry, kind: Kind) -> Result<Vec<crate::domain::Scheme>, ImportError> {
    match kind {
        Kind::Evaluations => store.schemes().map_err(ImportError::Store),
        _ => Ok(Vec::new()),
    }
}

/// Two lists of problems as one, in line order, capped.
fn merge(a: Problems, b: Problems) -> Problems {
    let total = a.total + b.total;
    let mut shown = a.shown;
    shown.extend(b.shown);
    shown.sort_by_key(|p| p.line);
    shown.truncate(super::PROBLEM_LIST_LIMIT);
    Problems { shown, total }
}

fn kind_of(kind: RecordKind) -> Kind {
    Kind::from(kind)
}

/// A size limit, overridable from the environment so that tests can stream small files (and
/// refuse small workbooks as too large).
fn tunable(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::super::stream::{Digest, Hashed};
    use super::super::table::read_csv;
    use super::*;
    use crate::domain::BudgetEntry;
    use std::cell::Cell;

    /// The file is read once, while it is checked (issue 14: its rows are spilled to disk by
    /// share of the units); what is written is what was checked, whatever happens to the file
    /// afterwards. (Passes of a few shares each: `tests/import_streamed.rs`, `spill`'s test.)
    #[test]
    fn a_streamed_file_is_read_once() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Registry::create(&tmp.path().join("s")).unwrap();
        crate::xishan::load(&store).unwrap();
        let before = store.counts().unwrap();
        let units = ["530112000000", "530112001000", "530112002000"];
        let mut csv = String::from("date,unit,kind,amount\n");
        for i in 0..300 {
            csv.push_str(&format!("2021-12-01,{},allocation,{}\n", units[i % 3], i + 1));
        }
        let opened = Cell::new(0);
        let open = || {
            opened.set(opened.get() + 1);
            let digest = Digest::default();
            Ok(read_csv(Hashed::new(csv.as_bytes(), digest.clone()))?.hashed_by(digest))
        };
        let summary = stream::<BudgetEntry>(&store, &open, parse::budget_rows_chunked).unwrap();
        assert_eq!(summary.added, 300);
        assert_eq!(opened.get(), 1);
        let after = store.counts().unwrap();
        assert_eq!(after[3], before[3] + 300, "{before:?} {after:?}");
    }

    /// Evaluations and trainings files are written in passes of half the bytes of a budget
    /// file's (a row of either costs about twice as much memory: issue 14, import memory).
    #[test]
    fn evaluations_and_trainings_pass_in_smaller_passes() {
        use crate::domain::RecordKind;
        assert_eq!(pass_bytes(RecordKind::Evaluation) * 2, pass_bytes(RecordKind::Budget));
        assert_eq!(pass_bytes(RecordKind::Training) * 2, pass_bytes(RecordKind::Budget));
        assert_eq!(pass_bytes(RecordKind::Budget), PASS_BYTES);
    }

    /// A community's rows are written in its street's pass; every other unit's with its own.
    #[test]
    fn a_community_is_grouped_with_its_street() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Registry::create(&tmp.path().join("s")).unwrap();
        let units = "code,parent,level,name\nD1,,district,甲区\nS1,D1,street,乙街道\nC1,S1,community,丙社区\n";
        import_bytes(&store, Kind::Units, units.as_bytes()).unwrap();
        let hash = |code: &str| xxhash_rust::xxh3::xxh3_64(code.as_bytes());
        let mut groups = Groups::new(true);
        for _ in 0..2 {
            assert_eq!(groups.of(&store, "C1").unwrap(), hash("S1"));
            assert_eq!(groups.of(&store, "S1").unwrap(), hash("S1"));
            assert_eq!(groups.of(&store, "D1").unwrap(), hash("D1"));
            assert_eq!(groups.of(&store, "nowhere").unwrap(), hash("nowhere"));
        }
        assert_eq!(Groups::new(false).of(&store, "C1").unwrap(), hash("C1"));
        assert!(store.import_session::<BudgetEntry>().unwrap().groups_by_street());
    }
}

//! Cells to records: each kind's columns read with the domain's parsers, every problem named by
//! line and column, all of a file's problems counted (the first hundred kept) before anything
//! is returned.
//!
//! This is the hot path of an import: a row is read into one reused `StringRecord`, cells are
//! found by precomputed position (no lookup by name), the common date and money forms are read
//! without allocating, and messages are only built for cells that are wrong.

use super::columns::{self, budget_col as B, columns_of, eval_col as E, training_col as T, unit_col as U, MAX_COLUMNS};
use super::table::Sheet;
use super::{open_sheet, unneutralize, FileProblem, Kind, Problems};
use crate::domain::fields::{self, FieldError};
use crate::domain::records::check_code;
use crate::domain::*;
use crate::i18n::Lang;
use crate::words::{say, tr, K, P};
use csv::StringRecord;
use std::collections::HashMap;

/// Kept here for the interchange's public names; the one parser is the domain's.
pub use crate::domain::fields::parse_tenths;

/// The records of a file, with the line each came from and the file's name for each column.
#[derive(Clone, Debug)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    /// `lines[i]` is the line of `records[i]` in the file.
    pub lines: Vec<usize>,
    /// For each of the kind's columns (in `columns_of` order): the header as the file writes
    /// it, or `name/别名` when the file has no such column.
    pub headers: Vec<String>,
    /// What is read and stored but deserves a look: a date after today, text in characters
    /// that suggest a wrong encoding.
    pub warnings: Problems,
}

impl<T> Parsed<T> {
    /// The column a field's problem belongs to, as the file names it.
    pub fn column_of(&self, kind: Kind, field: &str) -> String {
        match columns::position(kind, field) {
            Some(i) => self.headers[i].clone(),
            None => field.to_string(),
        }
    }
}

/// The columns every row of a kind must fill: a file without one of them is refused at its
/// header, rather than once per row.
fn required_columns(kind: Kind) -> &'static [usize] {
    match kind {
        Kind::Units => &[U::CODE, U::LEVEL, U::NAME],
        Kind::Evaluations => &[E::UNIT, E::DATE, E::KIND],
        Kind::Trainings => &[T::DATE, T::HOST, T::KIND],
        Kind::Budget => &[B::DATE, B::UNIT, B::KIND, B::AMOUNT],
    }
}

/// Where each of the kind's columns is in the file.
struct Columns {
    kind: Kind,
    /// For the kind's column i: its position in the file's rows.
    slot: [Option<usize>; MAX_COLUMNS],
    /// The header of each of the kind's columns as the file writes it.
    names: Vec<String>,
    /// How many headers the file has; cells past them have no column.
    width: usize,
    /// Whether text cells may carry the formula guard.
    guarded: bool,
    /// Positions of empty headers (cells there have no column either).
    unnamed: Vec<usize>,
    /// An evaluations file's `scheme/方案` column (issue 15), when it has one.
    scheme: Option<usize>,
    /// The scheme column's header as the file writes it.
    scheme_header: String,
    /// With `scheme`: the other headers, each an indicator (code or name) of a stored scheme,
    /// with their positions.
    indicators: Vec<(usize, String)>,
}

/// Whether a header names an evaluations file's scheme column.
fn is_scheme_header(header: &str) -> bool {
    header.trim().eq_ignore_ascii_case("scheme") || header.trim() == "方案"
}

fn both(kind: Kind, i: usize) -> String {
    let c = columns_of(kind)[i];
    format!("{}/{}", c.name, c.alias)
}

impl Columns {
    /// Maps the file's headers to columns. Unknown, repeated and missing required columns are
    /// problems of the header line.
    fn new(
        kind: Kind,
        headers: &[String],
        header_line: usize,
        guarded: bool,
        schemes: &[Scheme],
    ) -> Result<Columns, Problems> {
        let list = columns_of(kind);
        let mut slot = [None; MAX_COLUMNS];
        let mut names: Vec<String> = (0..list.len()).map(|i| both(kind, i)).collect();
        let mut unnamed = Vec::new();
        let mut problems = Problems::default();
        // Issue 15: an evaluations file with a scheme column carries one column per indicator.
        let scheme = match kind {
            Kind::Evaluations => headers.iter().position(|h| is_scheme_header(h)),
            _ => None,
        };
        let mut indicators = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            if header.is_empty() {
                unnamed.push(i);
                continue;
            }
            let known = columns::find(kind, header).and_then(|c| columns::position(kind, c.name));
            if scheme.is_some() && known.is_none() {
                if scheme == Some(i) {
                    continue;
                }
                if is_scheme_header(header) {
                    problems.push(FileProblem::new(
                        header_line,
                        header.clone(),
                        Problem::said("", P::ColumnTwice, &[&"scheme/方案"]),
                    ));
                } else if schemes.iter().any(|s| s.indicator(header.trim()).is_some()) {
                    indicators.push((i, header.trim().to_string()));
                } else {
                    problems.push(FileProblem::new(
                        header_line,
                        header.clone(),
                        Problem::said("", K::UnknownIndicatorColumn, &[]),
                    ));
                }
                continue;
            }
            match known {
                Some(c) if slot[c].is_some() => problems.push(FileProblem::new(
                    header_line,
                    header.clone(),
                    Problem::said("", P::ColumnTwice, &[&names[c]]),
                )),
                Some(c) => {
                    slot[c] = Some(i);
                    names[c] = header.clone();
                }
                None => {
                    let known: Vec<String> = (0..list.len()).map(|i| both(kind, i)).collect();
                    problems.push(FileProblem::new(
                        header_line,
                        header.clone(),
                        // The Chinese names the kind in words, the English by its file kind.
                        Problem::from_both(
                            "",
                            say(
                                Lang::Zh,
                                P::UnknownColumn,
                                &[&kind.label(Lang::Zh), &known.join(tr(Lang::Zh, P::ColumnSeparator))],
                            ),
                            say(
                                Lang::En,
                                P::UnknownColumn,
                                &[&kind.name(), &known.join(tr(Lang::En, P::ColumnSeparator))],
                            ),
                        ),
                    ));
                }
            }
        }
        // An empty JSON array has no keys at all: nothing to check.
        let required = if headers.is_empty() {
            &[][..]
        } else {
            required_columns(kind)
        };
        for &c in required {
            if slot[c].is_none() {
                let name = both(kind, c);
                problems.push(FileProblem::new(
                    header_line,
                    "",
                    Problem::said("", P::RequiredColumnMissing, &[&name]),
                ));
            }
        }
        if problems.is_empty() {
            Ok(Columns {
                kind,
                slot,
                names,
                width: headers.len(),
                guarded,
                unnamed,
                scheme_header: scheme.and_then(|i| headers.get(i)).cloned().unwrap_or_default(),
                scheme,
                indicators,
            })
        } else {
            Err(problems)
        }
    }
}

/// Answers "is there a unit with this code, and has it a station?" (`None`: no such unit;
/// `Some(has_station)`), so that a file's unknown codes are listed together with its other
/// problems in one pass. The store checks again when it writes; an answer that cannot be had
/// (a store error) should be `Some(true)`, leaving the store to report it.
pub type UnitLookup<'l> = &'l mut dyn FnMut(&str) -> Option<bool>;

/// The lookup, with each code asked once, and the problems it found (kept apart from the
/// cells' problems: see `parse_rows`).
pub(super) struct Refs<'l> {
    lookup: Option<UnitLookup<'l>>,
    cache: HashMap<String, Option<bool>>,
    problems: Problems,
    /// The stored evaluation schemes, for an evaluations file's points (issue 15).
    schemes: Vec<Scheme>,
}

impl<'l> Refs<'l> {
    pub(super) fn new(lookup: Option<UnitLookup<'l>>) -> Refs<'l> {
        Refs {
            lookup,
            cache: HashMap::new(),
            problems: Problems::default(),
            schemes: Vec::new(),
        }
    }

    /// With the stored schemes that an evaluations file's points are read against.
    pub(super) fn with_schemes(mut self, schemes: Vec<Scheme>) -> Refs<'l> {
        self.schemes = schemes;
        self
    }

    /// `None` when there is no lookup; else what it says about the code.
    fn unit(&mut self, code: &str) -> Option<Option<bool>> {
        let lookup = self.lookup.as_mut()?;
        if let Some(known) = self.cache.get(code) {
            return Some(*known);
        }
        let known = lookup(code);
        self.cache.insert(code.to_string(), known);
        Some(known)
    }
}

/// One row being read: its cells by column, and where its problems go.
struct Row<'r, 'l> {
    line: usize,
    rec: &'r StringRecord,
    cols: &'r Columns,
    problems: &'r mut Problems,
    warnings: &'r mut Problems,
    refs: &'r mut Refs<'l>,
}

impl<'r> Row<'r, '_> {
    /// The cell of the kind's column `c`, trimmed; "" when the file lacks the column.
    fn raw(&self, c: usize) -> &'r str {
        match self.cols.slot[c] {
            Some(i) => self.rec.get(i).map_or("", trim),
            None => "",
        }
    }

    fn field(&self, c: usize) -> &'static str {
        columns_of(self.cols.kind)[c].name
    }

    /// Notes a problem with the column its field names (none for a whole-row problem).
    fn problem(&mut self, problem: Problem) {
        let cols = self.cols;
        let line = self.line;
        self.problems.push_with(|| {
            // One about an indicator's points is under that indicator's column.
            let column = if let Some(code) = &problem.about {
                code.clone()
            } else if problem.field.is_empty() {
                String::new()
            } else {
                match columns::position(cols.kind, problem.field) {
                    Some(c) => cols.names[c].clone(),
                    None => problem.field.to_string(),
                }
            };
            FileProblem::new(line, column, problem)
        });
    }

    fn required(&mut self, c: usize) {
        let field = self.field(c);
        self.problem(Problem::required(field));
    }

    /// A text cell, with an exported formula guard removed.
    fn unguarded(&self, c: usize) -> &'r str {
        let raw = self.raw(c);
        if self.cols.guarded {
            unneutralize(raw)
        } else {
            raw
        }
    }

    /// Free text.
    fn text(&self, c: usize) -> String {
        self.unguarded(c).to_string()
    }

    fn optional_text(&self, c: usize) -> Option<String> {
        let t = self.unguarded(c);
        if t.is_empty() {
            None
        } else {
            Some(t.to_string())
        }
    }

    fn required_text(&mut self, c: usize) -> String {
        let t = self.text(c);
        if t.is_empty() {
            self.required(c);
        }
        t
    }

    /// Notes what is wrong with the cell of column `c`, worded by the field's parser.
    fn refuse(&mut self, c: usize, error: FieldError) {
        let field = self.field(c);
        self.problem(error.problem(field));
    }

    fn date(&mut self, c: usize) -> Option<PartialDate> {
        let raw = self.raw(c);
        if raw.is_empty() {
            return None;
        }
        match fields::date(raw) {
            Ok(d) => {
                self.after_today(c, d);
                Some(d)
            }
            Err(e) => {
                self.refuse(c, e);
                None
            }
        }
    }

    /// A date after today is stored, and listed as a warning (a typo in the year, usually).
    fn after_today(&mut self, c: usize, d: PartialDate) {
        if d.start() <= today() {
            return;
        }
        let (line, column) = (self.line, self.cols.names[c].clone());
        let field = self.field(c);
        self.warnings
            .push_with(|| FileProblem::new(line, column, Problem::said(field, P::ImportedDateAfterToday, &[&d])));
    }

    /// Cells in characters that text in the wrong encoding turns into (`лҶ` for 谢叶 read as
    /// UTF-8) are stored, and listed as warnings.
    fn check_unlikely_characters(&mut self) {
        for (i, cell) in self.rec.iter().enumerate() {
            if cell.is_ascii() {
                continue;
            }
            let Some(ch) = super::encoding::unlikely_char(cell) else {
                continue;
            };
            let column = self
                .cols
                .slot
                .iter()
                .position(|s| *s == Some(i))
                .map(|c| self.cols.names[c].clone());
            let (line, shown) = (self.line, super::clip(cell).into_owned());
            self.warnings.push_with(|| {
                FileProblem::new(
                    line,
                    column.unwrap_or_else(|| format!("#{}", i + 1)),
                    Problem::said("", P::UnlikelyCharacter, &[&shown, &ch]),
                )
            });
        }
    }

    fn required_date(&mut self, c: usize) -> Option<PartialDate> {
        if self.raw(c).is_empty() {
            self.required(c);
            return None;
        }
        self.date(c)
    }

    fn word<W>(&mut self, c: usize, parse: fn(&str) -> Option<W>, choices: fn() -> String) -> Option<W> {
        match fields::optional(fields::word(self.raw(c), parse, choices)) {
            Ok(w) => w,
            Err(e) => {
                self.refuse(c, e);
                None
            }
        }
    }

    fn required_word<W>(&mut self, c: usize, parse: fn(&str) -> Option<W>, choices: fn() -> String) -> Option<W> {
        if self.raw(c).is_empty() {
            self.required(c);
            return None;
        }
        self.word(c, parse, choices)
    }

    /// A count: empty is "not stated".
    fn whole(&mut self, c: usize) -> Option<u32> {
        match fields::optional(fields::count(self.raw(c))) {
            Ok(n) => n,
            Err(e) => {
                self.refuse(c, e);
                None
            }
        }
    }

    /// A number with at most one decimal, in tenths (hours, score): empty is "not stated".
    fn tenths(&mut self, c: usize, parse: fn(&str) -> Result<u32, FieldError>) -> Option<u32> {
        match fields::optional(parse(self.raw(c))) {
            Ok(t) => t,
            Err(e) => {
                self.refuse(c, e);
                None
            }
        }
    }

    /// An amount (required: empty is the required problem).
    fn money(&mut self, c: usize) -> Option<Fen> {
        match fields::money(self.raw(c)) {
            Ok(f) => Some(f),
            Err(e) => {
                self.refuse(c, e);
                None
            }
        }
    }

    /// A unit the record names must exist (and have a station, for an evaluation).
    fn reference(&mut self, c: usize, code: &str, needs_station: bool) {
        if code.is_empty() || check_code("", code).is_some() {
            return;
        }
        // The clipped code and the field are made only for a problem: most rows have none.
        let problem = match self.refs.unit(code) {
            Some(None) => Problem::said(self.field(c), P::UnknownUnit, &[&super::clip(code)]),
            Some(Some(false)) if needs_station => crate::registry::rules::no_station(self.field(c), &super::clip(code)),
            _ => return,
        };
        let column = self.cols.names[c].clone();
        self.refs.problems.push(FileProblem::new(self.line, column, problem));
    }

    fn record_problems(&mut self, problems: Vec<Problem>) {
        for p in problems {
            self.problem(p);
        }
    }

    /// An evaluation's points per indicator (issue 15): `None` without a scheme column or with
    /// an empty scheme cell and no points. Each indicator column's cell is read against the
    /// row's scheme: a scheme not stored, a column that is not one of its indicators, points
    /// that are not a number or over the indicator's maximum are each a problem of that cell.
    fn points(&mut self) -> Option<Points> {
        let cols = self.cols;
        let at = cols.scheme?;
        let line = self.line;
        let name = self.rec.get(at).map_or("", trim).to_string();
        let given: Vec<(usize, &String, &str)> = cols
            .indicators
            .iter()
            .map(|(i, header)| (*i, header, self.rec.get(*i).map_or("", trim)))
            .filter(|(_, _, cell)| !cell.is_empty())
            .collect();
        let header = self.rec_header(at);
        if name.is_empty() {
            if !given.is_empty() {
                self.problems
                    .push_with(|| FileProblem::new(line, header, Problem::said("scheme", K::PointsWithoutScheme, &[])));
            }
            return None;
        }
        let Some(scheme) = self.refs.schemes.iter().find(|s| s.name == name) else {
            let shown = super::clip(&name).into_owned();
            self.problems
                .push_with(|| FileProblem::new(line, header, Problem::said("scheme", K::UnknownScheme, &[&shown])));
            return None;
        };
        let mut points = Points {
            scheme: name.clone(),
            given: Vec::new(),
        };
        let mut problems = Vec::new();
        for (_, header, cell) in given {
            let Some(indicator) = scheme.indicator(header) else {
                problems.push(FileProblem::new(
                    line,
                    header.clone(),
                    Problem::said("", K::NotAnIndicator, &[header, &name]),
                ));
                continue;
            };
            match fields::tenths(cell, crate::domain::scheme::MAX_SCHEME_TENTHS) {
                Ok(t) if t <= u32::from(indicator.max_points) => {
                    // At most the indicator's maximum, which is a u16.
                    points.given.push((indicator.code.clone(), t as u16));
                }
                Ok(t) => problems.push(FileProblem::new(
                    line,
                    header.clone(),
                    Problem::said(
                        "",
                        K::PointsOverMax,
                        &[
                            &crate::domain::records::tenths(t),
                            &crate::domain::records::tenths(u32::from(indicator.max_points)),
                        ],
                    ),
                )),
                Err(e) => problems.push(FileProblem::new(line, header.clone(), e.problem(""))),
            }
        }
        for p in problems {
            self.problems.push(p);
        }
        Some(points.sorted())
    }

    /// The header of the file's column at position `at`.
    fn rec_header(&self, at: usize) -> String {
        if self.cols.scheme == Some(at) {
            return self.cols.scheme_header.clone();
        }
        format!("#{}", at + 1)
    }

    /// Cells outside every column (past the header, or under an empty header) are refused
    /// rather than silently dropped: they usually mean a shifted row.
    fn check_stray_cells(&mut self) {
        let cols = self.cols;
        if self.rec.len() <= cols.width && cols.unnamed.is_empty() {
            return;
        }
        let stray: Vec<(usize, String)> = self
            .rec
            .iter()
            .enumerate()
            .filter(|(i, v)| (*i >= cols.width || cols.unnamed.contains(i)) && !v.trim().is_empty())
            .map(|(i, v)| (i, v.trim().to_string()))
            .collect();
        for (i, v) in stray {
            let line = self.line;
            let n = i + 1;
            self.problems.push_with(|| {
                FileProblem::new(
                    line,
                    format!("#{n}"),
                    Problem::said("", P::CellWithoutHeader, &[&n, &v]),
                )
            });
        }
    }
}

/// `str::trim`, with a shortcut for the usual cell that has nothing to trim.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (None, _) => s,
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Today, for warnings of dates after it.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Runs `read` over every row; returns the records, or every problem of the file. Once a
/// problem is found, records are no longer kept: the rest of the file is only checked.
///
/// Unknown units (from the lookup) are reported with the cells' problems. When they are the
/// only problems and few, the records go on to the store instead, which reports them again
/// together with what only it can see (ids already stored, ids twice in the file), so that the
/// clerk gets the whole list at once; when they are many, they are the answer, which keeps a
/// file of a million rows for units not yet imported as cheap as any other bad file.
fn parse_rows<R>(
    kind: Kind,
    sheet: &mut Sheet,
    refs: &mut Refs,
    read: impl FnMut(&mut Row) -> Option<R>,
) -> Result<Parsed<R>, Problems> {
    parse_rows_chunked(kind, sheet, refs, read, &mut |_, _| {})
}

/// Records handed on while a file is read: the records so far and their lines, to be taken
/// (drained) by the callee. A streamed import checks or writes them and keeps none.
pub type Flush<'f, R> = &'f mut dyn FnMut(&mut Vec<R>, &mut Vec<usize>);

/// Rows per chunk of a streamed import.
pub const CHUNK_ROWS: usize = 100_000;

/// `parse_rows`, handing each `CHUNK_ROWS` records to `flush` while the file is still clean;
/// what is left at the end is returned as usual.
fn parse_rows_chunked<R>(
    kind: Kind,
    sheet: &mut Sheet,
    refs: &mut Refs,
    mut read: impl FnMut(&mut Row) -> Option<R>,
    flush: Flush<R>,
) -> Result<Parsed<R>, Problems> {
    let cols = Columns::new(kind, &sheet.headers, sheet.header_line, sheet.guarded, &refs.schemes)?;
    let mut problems = Problems::default();
    let mut warnings = Problems::default();
    let mut records = Vec::new();
    let mut lines = Vec::new();
    let mut rec = StringRecord::new();
    loop {
        let line = match sheet.next_row(&mut rec) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(p) => {
                problems.push(p);
                break;
            }
        };
        let mut row = Row {
            line,
            rec: &rec,
            cols: &cols,
            problems: &mut problems,
            warnings: &mut warnings,
            refs,
        };
        let record = read(&mut row);
        row.check_stray_cells();
        if record.is_some() {
            row.check_unlikely_characters();
        }
        if problems.is_empty() && refs.problems.total <= super::PROBLEM_LIST_LIMIT {
            if let Some(r) = record {
                records.push(r);
                lines.push(line);
                if records.len() >= CHUNK_ROWS && refs.problems.is_empty() {
                    flush(&mut records, &mut lines);
                }
            }
        } else if !records.is_empty() {
            // The file will be refused: what was read so far will not be stored.
            records = Vec::new();
            lines = Vec::new();
        }
    }
    let unknown = std::mem::take(&mut refs.problems);
    if problems.is_empty() && unknown.total <= super::PROBLEM_LIST_LIMIT {
        return Ok(Parsed {
            records,
            lines,
            headers: cols.names,
            warnings,
        });
    }
    // Both lists hold their first problems by line, so the first of the merged list are right.
    let total = problems.total + unknown.total;
    let mut shown = problems.shown;
    shown.extend(unknown.shown);
    shown.sort_by_key(|p| p.line);
    shown.truncate(super::PROBLEM_LIST_LIMIT);
    Err(Problems { shown, total })
}

pub fn parse_units(sheet: &mut Sheet) -> Result<Parsed<Unit>, Problems> {
    parse_units_over(sheet, &mut |_| None)
}

/// The stored unit of a code, for a units file that re-imports it (`None`: not stored).
pub type StoredUnit<'s> = &'s mut dyn FnMut(&str) -> Option<Unit>;

/// `parse_units`, over what is stored: a unit already stored keeps every field whose column the
/// file does not have (a file of `code,parent,level,name` renames and moves units, it does not
/// clear their stations); an empty cell in a column the file has clears the field. The merged
/// unit is what is checked, so a file without `opened_on` may still name an operating station.
pub fn parse_units_over(sheet: &mut Sheet, stored: StoredUnit) -> Result<Parsed<Unit>, Problems> {
    // Parents may be in the same file: the store checks the hierarchy.
    parse_rows(Kind::Units, sheet, &mut Refs::new(None), |row| {
        let code = row.required_text(U::CODE);
        let old = if code.is_empty() { None } else { stored(&code) };
        let present = row.cols.slot;
        let has = |c: usize| present[c].is_some();
        let level = row.required_word(U::LEVEL, Level::parse, Level::choices);
        let name = row.required_text(U::NAME);
        let station = row
            .word(U::STATION, StationStatus::parse, StationStatus::choices)
            .unwrap_or(StationStatus::None);
        let mut unit = Unit {
            code,
            parent: row.optional_text(U::PARENT),
            level: level?,
            name,
            station,
            opened_on: row.date(U::OPENED_ON),
            closed_on: row.date(U::CLOSED_ON),
            operator: row.text(U::OPERATOR),
            address: row.text(U::ADDRESS),
            contact: row.text(U::CONTACT),
            phone: row.text(U::PHONE),
            note: row.text(U::NOTE),
            // An empty cell is "not stated", kept apart from a stated 0.
            social_workers: row.whole(U::SOCIAL_WORKERS),
            certified_workers: row.whole(U::CERTIFIED_WORKERS),
        };
        if let Some(old) = old {
            // Code, level and name are required columns: always present.
            if !has(U::PARENT) {
                unit.parent = old.parent;
            }
            if !has(U::STATION) {
                unit.station = old.station;
            }
            if !has(U::OPENED_ON) {
                unit.opened_on = old.opened_on;
            }
            if !has(U::CLOSED_ON) {
                unit.closed_on = old.closed_on;
            }
            if !has(U::OPERATOR) {
                unit.operator = old.operator;
            }
            if !has(U::ADDRESS) {
                unit.address = old.address;
            }
            if !has(U::CONTACT) {
                unit.contact = old.contact;
            }
            if !has(U::PHONE) {
                unit.phone = old.phone;
            }
            if !has(U::NOTE) {
                unit.note = old.note;
            }
            if !has(U::SOCIAL_WORKERS) {
                unit.social_workers = old.social_workers;
            }
            if !has(U::CERTIFIED_WORKERS) {
                unit.certified_workers = old.certified_workers;
            }
        }
        // Empty code and name were reported above already.
        let problems: Vec<Problem> = unit
            .validate()
            .into_iter()
            .filter(|p| !(p.field == "code" && unit.code.is_empty() || p.field == "name" && unit.name.is_empty()))
            .collect();
        row.record_problems(problems);
        Some(unit)
    })
}

pub fn parse_evaluations(sheet: &mut Sheet) -> Result<Parsed<Evaluation>, Problems> {
    evaluations_rows(sheet, &mut Refs::new(None))
}

fn evaluations_rows(sheet: &mut Sheet, refs: &mut Refs) -> Result<Parsed<Evaluation>, Problems> {
    evaluations_rows_chunked(sheet, refs, &mut |_, _| {})
}

pub(super) fn evaluations_rows_chunked(
    sheet: &mut Sheet,
    refs: &mut Refs,
    flush: Flush<Evaluation>,
) -> Result<Parsed<Evaluation>, Problems> {
    parse_rows_chunked(
        Kind::Evaluations,
        sheet,
        refs,
        |row| {
            let unit = row.required_text(E::UNIT);
            row.reference(E::UNIT, &unit, true);
            let date = row.required_date(E::DATE);
            let kind = row.required_word(E::KIND, EvalKind::parse, EvalKind::choices);
            let score = row
                .tenths(E::SCORE, |raw| fields::score(raw).map(u32::from))
                .map(|t| t as u16);
            let grade = row.word(E::GRADE, Grade::parse, Grade::choices);
            let points = row.points();
            // The score is the sum of the points when the file leaves it empty.
            let score_cell_empty = row.raw(E::SCORE).is_empty();
            let score = match &points {
                Some(p) if score_cell_empty && !p.given.is_empty() => u16::try_from(p.sum()).ok(),
                _ => score,
            };
            let e = Evaluation {
                id: row.optional_text(E::ID),
                unit,
                date: date?,
                kind: kind?,
                evaluator: row.text(E::EVALUATOR),
                score,
                grade,
                note: row.text(E::NOTE),
                points,
            };
            row.record_problems(e.validate());
            Some(e)
        },
        flush,
    )
}

pub fn parse_trainings(sheet: &mut Sheet) -> Result<Parsed<Training>, Problems> {
    trainings_rows(sheet, &mut Refs::new(None))
}

fn trainings_rows(sheet: &mut Sheet, refs: &mut Refs) -> Result<Parsed<Training>, Problems> {
    trainings_rows_chunked(sheet, refs, &mut |_, _| {})
}

pub(super) fn trainings_rows_chunked(
    sheet: &mut Sheet,
    refs: &mut Refs,
    flush: Flush<Training>,
) -> Result<Parsed<Training>, Problems> {
    parse_rows_chunked(
        Kind::Trainings,
        sheet,
        refs,
        |row| {
            let date = row.required_date(T::DATE);
            let host = row.required_text(T::HOST);
            row.reference(T::HOST, &host, false);
            let kind = row.required_word(T::KIND, TrainingKind::parse, TrainingKind::choices);
            let mode = row.word(T::MODE, TrainingMode::parse, TrainingMode::choices);
            let hours = row.tenths(T::HOURS, fields::hours);
            let units: Vec<String> = row
                .unguarded(T::UNITS)
                .split([';', '；'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            for code in &units {
                row.reference(T::UNITS, code, false);
            }
            let t = Training {
                id: row.optional_text(T::ID),
                date: date?,
                host,
                kind: kind?,
                mode,
                topic: row.text(T::TOPIC),
                hours,
                attendees: row.whole(T::ATTENDEES),
                units,
                note: row.text(T::NOTE),
            };
            row.record_problems(t.validate());
            Some(t)
        },
        flush,
    )
}

pub fn parse_budget(sheet: &mut Sheet) -> Result<Parsed<BudgetEntry>, Problems> {
    budget_rows(sheet, &mut Refs::new(None))
}

fn budget_rows(sheet: &mut Sheet, refs: &mut Refs) -> Result<Parsed<BudgetEntry>, Problems> {
    budget_rows_chunked(sheet, refs, &mut |_, _| {})
}

pub(super) fn budget_rows_chunked(
    sheet: &mut Sheet,
    refs: &mut Refs,
    flush: Flush<BudgetEntry>,
) -> Result<Parsed<BudgetEntry>, Problems> {
    parse_rows_chunked(
        Kind::Budget,
        sheet,
        refs,
        |row| {
            let date = row.required_date(B::DATE);
            let unit = row.required_text(B::UNIT);
            row.reference(B::UNIT, &unit, false);
            let kind = row.required_word(B::KIND, BudgetKind::parse, BudgetKind::choices);
            let category = row.word(B::CATEGORY, Category::parse, Category::choices);
            let source = row.word(B::SOURCE, Source::parse, Source::choices);
            let amount = row.money(B::AMOUNT);
            let b = BudgetEntry {
                id: row.optional_text(B::ID),
                date: date?,
                unit,
                kind: kind?,
                category,
                source,
                amount: amount?,
                voucher: row.text(B::VOUCHER),
                note: row.text(B::NOTE),
            };
            row.record_problems(b.validate());
            Some(b)
        },
        flush,
    )
}

/// A file of any kind, parsed.
#[derive(Clone, Debug)]
pub enum ParsedFile {
    Units(Parsed<Unit>),
    Evaluations(Parsed<Evaluation>),
    Trainings(Parsed<Training>),
    Budget(Parsed<BudgetEntry>),
}

impl ParsedFile {
    pub fn len(&self) -> usize {
        match self {
            ParsedFile::Units(p) => p.records.len(),
            ParsedFile::Evaluations(p) => p.records.len(),
            ParsedFile::Trainings(p) => p.records.len(),
            ParsedFile::Budget(p) => p.records.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads and parses a file's bytes (CSV in any encoding, a workbook, or JSON): everything an
/// import does before it touches the store.
pub fn parse_file(kind: Kind, bytes: &[u8]) -> Result<ParsedFile, Problems> {
    parse_file_with(kind, bytes, None)
}

/// `parse_file`, also checking that the units records name exist (see `UnitLookup`).
pub fn parse_file_with(kind: Kind, bytes: &[u8], lookup: Option<UnitLookup>) -> Result<ParsedFile, Problems> {
    parse_sheet_with(kind, &mut open_sheet(bytes)?, lookup)
}

/// `parse_file_with` for a sheet already opened (a CSV file read as it streams, say).
pub fn parse_sheet_with(kind: Kind, sheet: &mut Sheet, lookup: Option<UnitLookup>) -> Result<ParsedFile, Problems> {
    parse_sheet_against(kind, sheet, lookup, Vec::new())
}

/// `parse_sheet_with`, an evaluations file's points read against the stored `schemes`.
pub fn parse_sheet_against(
    kind: Kind,
    sheet: &mut Sheet,
    lookup: Option<UnitLookup>,
    schemes: Vec<Scheme>,
) -> Result<ParsedFile, Problems> {
    let refs = &mut Refs::new(lookup).with_schemes(schemes);
    Ok(match kind {
        Kind::Units => ParsedFile::Units(parse_units(sheet)?),
        Kind::Evaluations => ParsedFile::Evaluations(evaluations_rows(sheet, refs)?),
        Kind::Trainings => ParsedFile::Trainings(trainings_rows(sheet, refs)?),
        Kind::Budget => ParsedFile::Budget(budget_rows(sheet, refs)?),
    })
}

#[cfg(test)]
mod tests {
    use super::super::table::open_csv;
    use super::*;
    use crate::i18n::Lang;

    fn budget(csv: &str) -> Result<Parsed<BudgetEntry>, Problems> {
        parse_budget(&mut open_csv(csv.as_bytes())?)
    }

    #[test]
    fn every_bad_cell_is_named_with_its_line() {
        let csv = "日期,站点,类型,金额\n2021-13-01,A,拨付,100\n2021-01-01,A,spend,1.234\n2021-01-01,A,拨付,170万\n";
        let problems = budget(csv).unwrap_err();
        let rendered: Vec<String> = problems.shown.iter().map(|p| p.render("b.csv", Lang::En)).collect();
        assert_eq!(rendered.len(), 3, "{rendered:?}");
        assert!(rendered[0].starts_with("b.csv:2: 日期:"), "{}", rendered[0]);
        assert!(rendered[1].starts_with("b.csv:3: 类型:"), "{}", rendered[1]);
        assert!(rendered[2].starts_with("b.csv:3: 金额:"), "{}", rendered[2]);
    }

    #[test]
    fn unknown_and_missing_columns_are_named_at_the_header() {
        let problems = budget("date,unit,kind,colour\n").unwrap_err();
        assert_eq!(problems.shown[0].column, "colour");
        assert_eq!(problems.shown[0].line, 1);
        assert!(
            problems.shown[1].problem.en.contains("amount/金额"),
            "{:?}",
            problems.shown[1]
        );
    }

    #[test]
    fn stray_cells_are_refused() {
        let problems = budget("date,unit,kind,amount\n2021-01-01,A,拨付,100,oops\n").unwrap_err();
        assert_eq!(problems.shown[0].line, 2);
        assert_eq!(problems.shown[0].column, "#5");
    }

    #[test]
    fn a_million_bad_rows_keep_a_hundred() {
        let mut csv = String::from("date,unit,kind,amount\n");
        for _ in 0..20_000 {
            csv.push_str("x,A,拨付,y\n");
        }
        let problems = budget(&csv).unwrap_err();
        assert_eq!(problems.total, 40_000);
        assert_eq!(problems.shown.len(), super::super::PROBLEM_LIST_LIMIT);
    }
}

//! The report as a workbook (SPEC.md "The report as a workbook"): what a bureau sends up the
//! line, from the same `ReportNode` as `report --format json`.
//!
//! - a summary sheet: the unit, the date, coverage, funding, evaluations, trainings;
//! - sheets with one row per child (or, deeper than 1, per unit of the subtree in tree order,
//!   with its level and parent): coverage, funding by category, funding by source,
//!   evaluations (by kind and grade, the latest), trainings (by kind and mode, hours and
//!   attendees with how many trainings gave them; a sum over none is "not stated", never 0).
//!
//! Every sheet starts with the same lines: the unit and the as-of date, and the source (the
//! store's folder and the time of the report); its header row is frozen below them. Words are
//! in the user's language, enumeration values the domain's own words. Cells go through the
//! export's `XlsxSheet` (column widths in terminal cells, text guarded against formulas).
//!
//! Money: a spreadsheet cell holds a binary double, so the yuan value is built from the whole
//! fen as `fen / 100` (one correctly rounded division). For |fen| < 10^15 the amount has at
//! most 15 significant digits, which is what spreadsheets show, and the double nearest to it
//! shows back as exactly that amount to the fen. (2^53 fen, where whole fen stop being exact
//! in a double, is not the limit: the cell holds yuan, whose 16th digit a spreadsheet does
//! not show.) A report with a larger amount is refused in words, never rounded.

use crate::domain::*;
use crate::i18n::Lang;
use crate::interchange::{Cell, ExportError, XlsxSheet, MONEY_FORMAT};
use crate::report::ReportNode;
use crate::words::{say, tr, F, J, K, R, S};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

/// Where the figures came from: the store's folder and when the report was made.
#[derive(Clone, Debug)]
pub struct BookSource<'a> {
    pub store: &'a Path,
    /// The time of the report as written on every sheet (e.g. `2021-11-09 10:30:00 +08:00`).
    pub made_at: String,
}

/// Why no workbook was written.
#[derive(Debug)]
pub enum BookError {
    /// An amount a spreadsheet cannot show exactly to the fen (see the module's header).
    MoneyTooLarge {
        unit: String,
        amount: Fen,
    },
    Xlsx(String),
}

impl From<XlsxError> for BookError {
    fn from(e: XlsxError) -> Self {
        BookError::Xlsx(e.to_string())
    }
}

impl From<ExportError> for BookError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Xlsx(e) => BookError::Xlsx(e),
            other => BookError::Xlsx(other.message(Lang::En)),
        }
    }
}

impl BookError {
    pub fn exit_code(&self) -> i32 {
        1
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            BookError::MoneyTooLarge { unit, amount } => say(lang, R::MoneyTooLargeForSheet, &[unit, &amount.yuan()]),
            BookError::Xlsx(e) => say(lang, F::XlsxFailed, &[e]),
        }
    }
}

/// Amounts below this many fen (in magnitude) are written as numbers; see the module header.
pub const MAX_EXACT_FEN: i64 = 1_000_000_000_000_000;

/// The yuan value of a cell, built from whole fen; `None` when a spreadsheet could not show it
/// exactly to the fen.
pub fn yuan_value(fen: Fen) -> Option<f64> {
    (fen.0.unsigned_abs() < MAX_EXACT_FEN as u64).then(|| fen.0 as f64 / 100.0)
}

fn unit_title(node: &ReportNode) -> String {
    if node.code.is_empty() {
        node.name.clone()
    } else {
        format!("{}（{}）", node.name, node.code)
    }
}

/// Every amount the workbook writes must be exact (refused whole otherwise).
fn check_money(node: &ReportNode) -> Result<(), BookError> {
    let m = &node.measures;
    let mut amounts = vec![m.allocated(), m.spent()];
    for c in Category::ALL.iter().map(|c| Some(*c)).chain([None]) {
        let (a, s) = m.by_category(c);
        amounts.extend([a, s]);
    }
    for src in Source::ALL.iter().map(|s| Some(*s)).chain([None]) {
        let (a, s) = m.by_source(src);
        amounts.extend([a, s]);
    }
    if let Some(amount) = amounts.into_iter().find(|a| yuan_value(*a).is_none()) {
        return Err(BookError::MoneyTooLarge {
            unit: unit_title(node),
            amount,
        });
    }
    node.children.iter().try_for_each(check_money)
}

/// One row of a child sheet: the unit, how deep below the first children, its parent's code.
struct Row<'a> {
    node: &'a ReportNode,
    parent: &'a str,
}

fn flatten<'a>(node: &'a ReportNode, out: &mut Vec<Row<'a>>) {
    for child in &node.children {
        out.push(Row {
            node: child,
            parent: &node.code,
        });
        flatten(child, out);
    }
}

fn count(n: i64) -> Cell {
    Cell::Number(n.to_string())
}

/// "未注明 / not stated": a figure the records do not give (never 0).
fn not_stated() -> Cell {
    Cell::Word("not stated", "未注明")
}

/// Tenths (hours, scores) as decimal text.
fn tenths_text(t: i64) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let abs = t.unsigned_abs();
    if abs.is_multiple_of(10) {
        format!("{sign}{}", abs / 10)
    } else {
        format!("{sign}{}.{}", abs / 10, abs % 10)
    }
}

fn hours(m: &crate::rollup::Measures) -> Cell {
    m.stated_hours_tenths()
        .map_or_else(not_stated, |h| Cell::Number(tenths_text(h)))
}

fn attendees(m: &crate::rollup::Measures) -> Cell {
    m.stated_attendees().map_or_else(not_stated, count)
}

fn word<W: Copy>(w: W, en: fn(W) -> &'static str, zh: fn(W) -> &'static str) -> Cell {
    Cell::Word(en(w), zh(w))
}

fn text(t: &str) -> Cell {
    if t.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(t.to_string())
    }
}

/// The workbook being built: the lines every sheet starts with, and the sheets so far.
struct Book<'a> {
    lang: Lang,
    root: &'a ReportNode,
    lines: Vec<String>,
    rows: Vec<Row<'a>>,
    /// Rows go deeper than the children: they carry their level and parent.
    deep: bool,
    workbook: Workbook,
    money: Format,
    percent: Format,
}

impl<'a> Book<'a> {
    /// A sheet with the common lines, one more line saying what its rows are, and a header.
    fn sheet(&self, name: &str, rows_are: Option<String>, headers: &[String]) -> Result<XlsxSheet, BookError> {
        let mut lines = self.lines.clone();
        lines.extend(rows_are);
        lines.push(String::new());
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut sheet = XlsxSheet::titled(name, &lines, &headers, self.lang)?;
        let header_row = lines.len() as u32;
        // On paper: landscape A4, the lines and the header on every page; a narrow sheet one
        // page wide, a wide one across pages with the unit's columns repeated on each.
        let page = sheet.worksheet();
        page.set_landscape().set_paper_size(9).set_repeat_rows(0, header_row)?;
        if headers.len() <= 14 {
            page.set_print_fit_to_pages(1, 0);
        } else {
            page.set_repeat_columns(0, 1)?;
        }
        // A page that holds only some columns would cut those lines short: the unit and the
        // date head every printed page, the source and the page number foot it.
        let escape = |t: &str| t.replace('&', "&&");
        if let [title, source, ..] = self.lines.as_slice() {
            let header = format!("&L{}", escape(title));
            let footer = format!("&L{}&R&P / &N", escape(source));
            // Excel's limit for a header or footer is 255 characters.
            if header.chars().count() < 255 {
                page.set_header(header);
            }
            if footer.chars().count() < 255 {
                page.set_footer(footer);
            }
        }
        Ok(sheet)
    }

    fn push(&mut self, sheet: XlsxSheet) -> Result<(), BookError> {
        self.workbook.push_worksheet(sheet.into_worksheet()?);
        Ok(())
    }

    /// What the rows of a child sheet are.
    fn rows_are(&self) -> String {
        if self.deep {
            say(self.lang, R::OneRowPerUnit, &[])
        } else {
            say(self.lang, R::OneRowPerChild, &[])
        }
    }

    /// The columns every child sheet starts with.
    fn key_headers(&self) -> Vec<String> {
        let mut h = vec![say(self.lang, R::HeaderCode, &[]), say(self.lang, R::HeaderName, &[])];
        h.push(say(self.lang, R::HeaderLevel, &[]));
        if self.deep {
            h.push(say(self.lang, R::HeaderParent, &[]));
        }
        h
    }

    fn key_cells(&self, row: &Row) -> Vec<Cell> {
        let n = row.node;
        let mut cells = vec![text(&n.code), text(&n.name), word(n.level, Level::en, Level::zh)];
        if self.deep {
            cells.push(text(row.parent));
        }
        cells
    }

    /// Writes a row: money cells as numbers of yuan built from their whole fen (formatted to
    /// the fen), and at `ratio` spent ÷ allocated as a percentage ("—" when nothing was
    /// allocated); the rest through the export's cells.
    fn put(
        &self,
        sheet: &mut XlsxSheet,
        cells: Vec<Cell>,
        ratio: Option<(usize, &ReportNode)>,
    ) -> Result<(), BookError> {
        let mut money = Vec::new();
        let mut cells: Vec<Cell> = cells
            .into_iter()
            .enumerate()
            .map(|(c, cell)| match cell {
                Cell::Money(fen) => {
                    money.push((c as u16, fen));
                    Cell::Empty
                }
                other => other,
            })
            .collect();
        let percent = ratio.and_then(|(c, node)| {
            let bp = node.spent_basis_points();
            if bp.is_none() {
                if let Some(cell) = cells.get_mut(c) {
                    *cell = Cell::Text("—".into());
                }
            }
            bp.map(|bp| (c as u16, bp))
        });
        sheet.row(cells)?;
        let row = sheet.last_row();
        for (c, fen) in money {
            let value = yuan_value(fen).ok_or_else(|| BookError::MoneyTooLarge {
                unit: String::new(),
                amount: fen,
            })?;
            sheet.worksheet().write_number_with_format(row, c, value, &self.money)?;
            sheet.widen(c, &fen.yuan());
        }
        if let Some((c, bp)) = percent {
            let shown = format!("{}.{:02}%", bp / 100, (bp % 100).abs());
            sheet
                .worksheet()
                .write_number_with_format(row, c, bp as f64 / 10_000.0, &self.percent)?;
            sheet.widen(c, &shown);
        }
        Ok(())
    }

    fn summary(&mut self) -> Result<(), BookError> {
        let lang = self.lang;
        let node = self.root;
        let m = &node.measures;
        let headers = [
            say(self.lang, R::HeaderSection, &[]),
            say(self.lang, R::HeaderItem, &[]),
            say(self.lang, R::HeaderValue, &[]),
        ];
        let mut sheet = self.sheet(&say(self.lang, R::SheetSummary, &[]), None, &headers)?;
        let mut rows: Vec<(String, String, Cell)> = Vec::new();
        fn add(rows: &mut Vec<(String, String, Cell)>, section: &str, item: String, value: Cell) {
            rows.push((section.to_string(), item, value));
        }

        let s = tr(lang, J::KindUnit);
        add(&mut rows, s, say(self.lang, R::HeaderName, &[]), text(&node.name));
        add(&mut rows, s, say(self.lang, R::HeaderCode, &[]), text(&node.code));
        add(
            &mut rows,
            s,
            say(self.lang, R::HeaderLevel, &[]),
            word(node.level, Level::en, Level::zh),
        );
        add(
            &mut rows,
            s,
            say(self.lang, R::HeaderAsOf, &[]),
            Cell::Date(node.as_of.to_string()),
        );
        if !node.virtual_root {
            add(
                &mut rows,
                s,
                say(self.lang, R::OwnStationDate, &[]),
                word(node.on_date, |w| w.shown(Lang::En), StationOnDate::zh),
            );
            add(
                &mut rows,
                s,
                say(self.lang, R::StationStored, &[]),
                word(node.station, StationStatus::en, StationStatus::zh),
            );
            add(
                &mut rows,
                s,
                say(self.lang, R::HeaderOpened, &[]),
                node.opened_on.map_or(Cell::Empty, |d| Cell::Date(d.to_string())),
            );
            add(
                &mut rows,
                s,
                say(self.lang, R::HeaderClosed, &[]),
                node.closed_on.map_or(Cell::Empty, |d| Cell::Date(d.to_string())),
            );
        }

        let s = tr(lang, R::SectionCoverage);
        for level in node.levels_below() {
            let l = level.label(lang);
            add(&mut rows, s, say(lang, R::UnitsAtLevel, &[&l]), count(m.units(level)));
            add(
                &mut rows,
                s,
                say(lang, R::CoveredAtLevel, &[&l]),
                count(m.covered(level)),
            );
        }

        let s = tr(lang, R::SectionFunding);
        add(
            &mut rows,
            s,
            say(self.lang, R::AllocatedYuan, &[]),
            Cell::Money(m.allocated()),
        );
        add(&mut rows, s, say(self.lang, R::SpentYuan, &[]), Cell::Money(m.spent()));
        let ratio_at = rows.len();
        add(&mut rows, s, say(self.lang, R::SpentShare, &[]), Cell::Empty);
        // The parts that hold money, as the report's table lists them.
        let not_stated_category = tr(lang, R::CategoryNotStated);
        for c in Category::ALL.iter().map(|c| Some(*c)).chain([None]) {
            let (a, sp) = m.by_category(c);
            let name = c.map_or(not_stated_category, |c| c.label(lang));
            for (amount, what) in [(a, tr(lang, R::AllocatedLower)), (sp, tr(lang, R::SpentLower))] {
                if amount.0 != 0 {
                    add(
                        &mut rows,
                        s,
                        say(lang, R::MeasureYuan, &[&name, &what]),
                        Cell::Money(amount),
                    );
                }
            }
        }
        let not_stated_source = tr(lang, R::SourceNotStated);
        for src in Source::ALL.iter().map(|s| Some(*s)).chain([None]) {
            let (a, sp) = m.by_source(src);
            let name = src.map_or(not_stated_source, |s| s.label(lang));
            for (amount, what) in [(a, tr(lang, R::AllocatedLower)), (sp, tr(lang, R::SpentLower))] {
                if amount.0 != 0 {
                    add(
                        &mut rows,
                        s,
                        say(lang, R::MeasureYuan, &[&name, &what]),
                        Cell::Money(amount),
                    );
                }
            }
        }

        let s = tr(lang, F::KindPluralEvaluations);
        add(
            &mut rows,
            s,
            say(self.lang, R::EvaluationCount, &[]),
            count(m.evaluations()),
        );
        for k in EvalKind::ALL {
            add(
                &mut rows,
                s,
                self.kind_header(k.label(lang)),
                count(m.evaluations_of_kind(*k)),
            );
        }
        for g in Grade::ALL {
            add(
                &mut rows,
                s,
                self.grade_header(g.label(lang)),
                count(m.evaluations_of_grade(Some(*g))),
            );
        }
        add(
            &mut rows,
            s,
            say(self.lang, R::GradeNotSet, &[]),
            count(m.evaluations_of_grade(None)),
        );
        add(
            &mut rows,
            s,
            say(self.lang, R::StationsEvaluated, &[]),
            count(m.evaluated_stations()),
        );
        add(
            &mut rows,
            s,
            say(self.lang, R::OperatingStationsWithoutOne, &[]),
            count(m.stations_without_evaluation()),
        );

        let s = tr(lang, F::KindPluralTrainings);
        add(
            &mut rows,
            s,
            say(self.lang, R::TrainingCount, &[]),
            count(m.trainings()),
        );
        for k in TrainingKind::ALL {
            add(
                &mut rows,
                s,
                self.kind_header(k.label(lang)),
                count(m.trainings_of_kind(*k)),
            );
        }
        for x in TrainingMode::ALL {
            add(
                &mut rows,
                s,
                self.mode_header(x.label(lang)),
                count(m.trainings_of_mode(Some(*x))),
            );
        }
        add(
            &mut rows,
            s,
            say(self.lang, R::ModeNotStated, &[]),
            count(m.trainings_of_mode(None)),
        );
        add(&mut rows, s, say(self.lang, R::HeaderHours, &[]), hours(m));
        add(
            &mut rows,
            s,
            say(self.lang, R::TrainingsGivingHours, &[]),
            count(m.trainings_with_hours()),
        );
        add(&mut rows, s, say(self.lang, R::HeaderAttendees, &[]), attendees(m));
        add(
            &mut rows,
            s,
            say(self.lang, R::TrainingsGivingAttendees, &[]),
            count(m.trainings_with_attendees()),
        );

        for (i, (section, item, value)) in rows.into_iter().enumerate() {
            let ratio = (i == ratio_at).then_some((2, node));
            self.put(&mut sheet, vec![Cell::Text(section), Cell::Text(item), value], ratio)?;
        }
        self.push(sheet)
    }

    fn kind_header(&self, word: &str) -> String {
        say(self.lang, R::KindIs, &[&word]).to_string()
    }

    fn grade_header(&self, word: &str) -> String {
        say(self.lang, R::GradeIs, &[&word]).to_string()
    }

    fn mode_header(&self, word: &str) -> String {
        say(self.lang, R::ModeIs, &[&word]).to_string()
    }

    fn coverage(&mut self) -> Result<(), BookError> {
        let lang = self.lang;
        // The levels below some row's unit (a row counts only the levels below its own).
        let levels: Vec<Level> = self
            .root
            .levels_below()
            .into_iter()
            .filter(|l| self.rows.iter().any(|r| *l > r.node.level))
            .collect();
        let mut headers = self.key_headers();
        headers.extend([
            say(self.lang, R::OwnStationDate, &[]),
            say(self.lang, R::StationStored, &[]),
            say(self.lang, R::HeaderOpened, &[]),
            say(self.lang, R::HeaderClosed, &[]),
        ]);
        for l in &levels {
            let l = l.label(lang);
            headers.push(say(lang, R::UnitsAtLevel, &[&l]));
            headers.push(say(lang, R::CoveredAtLevel, &[&l]));
        }
        let mut sheet = self.sheet(&say(self.lang, R::SheetCoverage, &[]), Some(self.rows_are()), &headers)?;
        for row in &self.rows {
            let n = row.node;
            let mut cells = self.key_cells(row);
            cells.extend([
                word(n.on_date, |w| w.shown(Lang::En), StationOnDate::zh),
                word(n.station, StationStatus::en, StationStatus::zh),
                n.opened_on.map_or(Cell::Empty, |d| Cell::Date(d.to_string())),
                n.closed_on.map_or(Cell::Empty, |d| Cell::Date(d.to_string())),
            ]);
            for l in &levels {
                // Only the levels below the row's own unit count anything (as in the JSON).
                if *l > n.level {
                    cells.extend([count(n.measures.units(*l)), count(n.measures.covered(*l))]);
                } else {
                    cells.extend([Cell::Empty, Cell::Empty]);
                }
            }
            self.put(&mut sheet, cells, None)?;
        }
        self.push(sheet)
    }

    /// Funding by category (`by_source` false) or by source.
    fn funding(&mut self, by_source: bool) -> Result<(), BookError> {
        let lang = self.lang;
        let parts: Vec<String> = if by_source {
            Source::ALL
                .iter()
                .map(|s| s.label(lang).to_string())
                .chain([say(self.lang, R::SourceNotStated, &[])])
                .collect()
        } else {
            Category::ALL
                .iter()
                .map(|c| c.label(lang).to_string())
                .chain([say(self.lang, R::CategoryNotStated, &[])])
                .collect()
        };
        let mut headers = self.key_headers();
        let keys = headers.len();
        headers.extend([
            say(self.lang, R::AllocatedYuan, &[]),
            say(self.lang, R::SpentYuan, &[]),
            say(self.lang, R::SpentShare, &[]),
        ]);
        for p in &parts {
            headers.push(say(lang, R::AllocatedYuanOf, &[&p]));
            headers.push(say(lang, R::SpentYuanOf, &[&p]));
        }
        let name = if by_source {
            say(self.lang, R::FundingBySource, &[])
        } else {
            say(self.lang, R::FundingByCategory, &[])
        };
        let mut sheet = self.sheet(&name, Some(self.rows_are()), &headers)?;
        for row in &self.rows {
            let m = &row.node.measures;
            let mut cells = self.key_cells(row);
            cells.extend([Cell::Money(m.allocated()), Cell::Money(m.spent()), Cell::Empty]);
            let pairs: Vec<(Fen, Fen)> = if by_source {
                Source::ALL
                    .iter()
                    .map(|s| Some(*s))
                    .chain([None])
                    .map(|s| m.by_source(s))
                    .collect()
            } else {
                Category::ALL
                    .iter()
                    .map(|c| Some(*c))
                    .chain([None])
                    .map(|c| m.by_category(c))
                    .collect()
            };
            for (a, s) in pairs {
                cells.extend([Cell::Money(a), Cell::Money(s)]);
            }
            self.put(&mut sheet, cells, Some((keys + 2, row.node)))?;
        }
        self.push(sheet)
    }

    fn evaluations(&mut self) -> Result<(), BookError> {
        let lang = self.lang;
        let mut headers = self.key_headers();
        headers.push(say(self.lang, R::EvaluationCount, &[]));
        headers.extend(EvalKind::ALL.iter().map(|k| self.kind_header(k.label(lang))));
        headers.extend(Grade::ALL.iter().map(|g| self.grade_header(g.label(lang))));
        headers.extend([
            say(self.lang, R::GradeNotSet, &[]),
            say(self.lang, R::StationsEvaluated, &[]),
            say(self.lang, R::OperatingStationsWithoutOne, &[]),
            say(self.lang, R::OwnLatestEvaluation, &[]),
            say(self.lang, R::HeaderKind, &[]),
            say(self.lang, R::HeaderEvaluator, &[]),
            say(self.lang, R::HeaderScore, &[]),
            say(self.lang, R::HeaderGrade, &[]),
        ]);
        let columns: Vec<(&str, &str)> = self.indicator_columns().collect();
        headers.extend(
            columns
                .iter()
                .map(|(scheme, code)| say(lang, K::IndicatorShareHeader, &[scheme, code])),
        );
        let mut sheet = self.sheet(&say(self.lang, S::TabEvaluations, &[]), Some(self.rows_are()), &headers)?;
        for row in &self.rows {
            let m = &row.node.measures;
            let mut cells = self.key_cells(row);
            cells.push(count(m.evaluations()));
            cells.extend(EvalKind::ALL.iter().map(|k| count(m.evaluations_of_kind(*k))));
            cells.extend(Grade::ALL.iter().map(|g| count(m.evaluations_of_grade(Some(*g)))));
            cells.extend([
                count(m.evaluations_of_grade(None)),
                count(m.evaluated_stations()),
                count(m.stations_without_evaluation()),
            ]);
            match &row.node.latest_evaluation {
                None => cells.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]),
                Some(e) => cells.extend([
                    Cell::Date(e.date.to_string()),
                    word(e.kind, EvalKind::en, EvalKind::zh),
                    text(&e.evaluator),
                    e.score
                        .map_or_else(not_stated, |s| Cell::Number(tenths_text(i64::from(s)))),
                    e.effective_grade()
                        .map_or_else(not_stated, |g| word(g, Grade::en, Grade::zh)),
                ]),
            }
            // Issue 15: each indicator of the unit's schemes, as the row's mean share of it.
            let first = cells.len();
            let shares: Vec<Option<u64>> = self
                .indicator_columns()
                .map(|(s, i)| share_of(row.node, s, i))
                .collect();
            cells.extend(shares.iter().map(|_| Cell::Empty));
            self.put(&mut sheet, cells, None)?;
            self.put_shares(&mut sheet, first, &shares)?;
        }
        self.push(sheet)
    }

    /// The root's schemes' indicators, (scheme, indicator code), in order.
    fn indicator_columns(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let root: &'a ReportNode = self.root;
        root.indicators
            .iter()
            .flat_map(|s| s.indicators.iter().map(move |i| (s.scheme.as_str(), i.code.as_str())))
    }

    /// Writes shares (basis points) as percentages into the last row, from column `first`.
    fn put_shares(&self, sheet: &mut XlsxSheet, first: usize, shares: &[Option<u64>]) -> Result<(), BookError> {
        let row = sheet.last_row();
        for (n, bp) in shares.iter().enumerate() {
            let Some(bp) = bp else { continue };
            let c = (first + n) as u16;
            sheet
                .worksheet()
                .write_number_with_format(row, c, *bp as f64 / 10_000.0, &self.percent)?;
            sheet.widen(c, &format!("{}.{:02}%", bp / 100, bp % 100));
        }
        Ok(())
    }

    /// Issue 15: one row per indicator of each scheme the unit's latest evaluations give
    /// points of (given, mean points, mean share); then the lowest stations of each group.
    fn indicators(&mut self) -> Result<(), BookError> {
        if self.root.indicators.is_empty() {
            return Ok(());
        }
        let lang = self.lang;
        let headers: Vec<String> = [
            K::HeaderScheme,
            K::HeaderGroup,
            K::HeaderIndicator,
            K::HeaderIndicatorName,
            K::HeaderMaxPoints,
            K::HeaderGiven,
            K::HeaderMeanPoints,
            K::HeaderMeanShare,
        ]
        .iter()
        .map(|k| tr(lang, *k).to_string())
        .collect();
        let rows_are = tr(lang, K::IndicatorRowsAre).to_string();
        let mut sheet = self.sheet(tr(lang, K::IndicatorsSheet), Some(rows_are), &headers)?;
        let root: &'a ReportNode = self.root;
        for s in &root.indicators {
            for i in &s.indicators {
                let cells = vec![
                    text(&s.scheme),
                    text(&i.group),
                    text(&i.code),
                    text(&i.name),
                    Cell::Number(tenths_text(i64::from(i.max_points))),
                    count(i.given as i64),
                    i.mean_hundredths()
                        .map_or(Cell::Empty, |h| Cell::Number(hundredths_text(h))),
                    Cell::Empty,
                ];
                self.put(&mut sheet, cells, None)?;
                self.put_shares(&mut sheet, 7, &[i.mean_share_bp()])?;
            }
        }
        self.push(sheet)?;
        let headers: Vec<String> = [
            K::HeaderScheme,
            K::HeaderGroup,
            K::HeaderRank,
            K::HeaderStationCode,
            K::HeaderStationName,
            K::HeaderPoints,
            K::HeaderMaxPoints,
            K::HeaderShare,
        ]
        .iter()
        .map(|k| tr(lang, *k).to_string())
        .collect();
        let rows_are = say(lang, K::LowestRowsAre, &[&crate::indicators::LOWEST_PER_GROUP]);
        let mut sheet = self.sheet(tr(lang, K::LowestSheet), Some(rows_are), &headers)?;
        for s in &root.indicators {
            for g in &s.groups {
                for (rank, l) in g.lowest.iter().enumerate() {
                    let cells = vec![
                        text(&s.scheme),
                        text(&g.group),
                        count(rank as i64 + 1),
                        text(&l.code),
                        text(&l.name),
                        Cell::Number(tenths_text(l.points_tenths as i64)),
                        Cell::Number(tenths_text(l.max_tenths as i64)),
                        Cell::Empty,
                    ];
                    self.put(&mut sheet, cells, None)?;
                    self.put_shares(&mut sheet, 7, &[Some(l.share_bp())])?;
                }
            }
        }
        self.push(sheet)
    }

    fn trainings(&mut self) -> Result<(), BookError> {
        let lang = self.lang;
        let mut headers = self.key_headers();
        headers.push(say(self.lang, R::TrainingCount, &[]));
        headers.extend(TrainingKind::ALL.iter().map(|k| self.kind_header(k.label(lang))));
        headers.extend(TrainingMode::ALL.iter().map(|x| self.mode_header(x.label(lang))));
        headers.extend([
            say(self.lang, R::ModeNotStated, &[]),
            say(self.lang, R::HeaderHours, &[]),
            say(self.lang, R::TrainingsGivingHours, &[]),
            say(self.lang, R::HeaderAttendees, &[]),
            say(self.lang, R::TrainingsGivingAttendees, &[]),
        ]);
        let mut sheet = self.sheet(&say(self.lang, S::TabTrainings, &[]), Some(self.rows_are()), &headers)?;
        for row in &self.rows {
            let m = &row.node.measures;
            let mut cells = self.key_cells(row);
            cells.push(count(m.trainings()));
            cells.extend(TrainingKind::ALL.iter().map(|k| count(m.trainings_of_kind(*k))));
            cells.extend(TrainingMode::ALL.iter().map(|x| count(m.trainings_of_mode(Some(*x)))));
            cells.extend([
                count(m.trainings_of_mode(None)),
                hours(m),
                count(m.trainings_with_hours()),
                attendees(m),
                count(m.trainings_with_attendees()),
            ]);
            self.put(&mut sheet, cells, None)?;
        }
        self.push(sheet)
    }
}

/// A node's mean share of one indicator of a scheme, in basis points.
fn share_of(node: &ReportNode, scheme: &str, code: &str) -> Option<u64> {
    node.indicators
        .iter()
        .find(|s| s.scheme == scheme)?
        .indicators
        .iter()
        .find(|i| i.code == code)?
        .mean_share_bp()
}

/// `8.25` from 825 hundredths.
fn hundredths_text(h: u64) -> String {
    match h % 100 {
        0 => format!("{}", h / 100),
        r if r % 10 == 0 => format!("{}.{}", h / 100, r / 10),
        r => format!("{}.{:02}", h / 100, r),
    }
}

/// The lines every sheet starts with: the unit and the date, then the source.
pub fn heading(node: &ReportNode, lang: Lang, source: &BookSource) -> Vec<String> {
    let title = unit_title(node);
    let store = source.store.display();
    let made = &source.made_at;
    vec![
        say(lang, R::TitleAsOf, &[&title, &node.level.label(lang), &node.as_of]),
        say(lang, R::MadeFrom, &[&store, made]),
    ]
}

/// The workbook's bytes: the summary, then coverage, funding (by category, by source),
/// evaluations and trainings, one row per child; `depth` as the report was built with.
pub fn workbook(node: &ReportNode, depth: usize, lang: Lang, source: &BookSource) -> Result<Vec<u8>, BookError> {
    check_money(node)?;
    let mut rows = Vec::new();
    flatten(node, &mut rows);
    let mut book = Book {
        lang,
        root: node,
        lines: heading(node, lang, source),
        rows,
        deep: depth > 1,
        workbook: Workbook::new(),
        money: Format::new().set_num_format(MONEY_FORMAT),
        percent: Format::new().set_num_format("0.00%"),
    };
    book.summary()?;
    book.coverage()?;
    book.funding(false)?;
    book.funding(true)?;
    book.evaluations()?;
    book.indicators()?;
    book.trainings()?;
    Ok(book.workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::number_text;

    #[test]
    fn yuan_from_fen_shows_back_to_the_fen() {
        for fen in [
            0,
            1,
            -1,
            5,
            170_000_000,
            123_456_789,
            99_999_999_999_999,
            MAX_EXACT_FEN - 1,
            -(MAX_EXACT_FEN - 1),
            987_654_321_098_765,
        ] {
            let f = yuan_value(Fen(fen)).unwrap();
            // What a spreadsheet shows (15 significant digits) is the amount, to the fen.
            let plain = Fen(fen).plain();
            let canonical = plain.trim_end_matches('0').trim_end_matches('.');
            let canonical = if canonical.is_empty() || canonical == "-" {
                "0"
            } else {
                canonical
            };
            assert_eq!(number_text(f), canonical, "{fen}");
        }
        assert_eq!(yuan_value(Fen(MAX_EXACT_FEN)), None);
        assert_eq!(yuan_value(Fen(i64::MIN)), None);
    }

    #[test]
    fn tenths_are_decimals() {
        assert_eq!(tenths_text(0), "0");
        assert_eq!(tenths_text(125), "12.5");
        assert_eq!(tenths_text(-5), "-0.5");
        assert_eq!(tenths_text(30), "3");
    }
}

//! Records to cells in the import format, and cells to CSV (UTF-8 with a BOM, so that Excel
//! opens it; text cells guarded against formula execution) or JSON. The workbook writer is in
//! `xlsx`. Writers take records one at a time, so an export never holds a second copy of them.

use super::columns::columns_of;
use super::{neutralize, Kind};
use crate::domain::records::tenths;
use crate::domain::*;
use crate::i18n::Lang;
use crate::words::{say, C, F};
use std::io::{self, Write};

/// One cell of an exported row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Free text (names, notes, codes): guarded against formula execution where it matters.
    Text(String),
    /// An enumeration word: English and Chinese; CSV and JSON write the English one.
    Word(&'static str, &'static str),
    /// A date, full or partial, as `2021-11-08`, `2021-11` or `2021`: written as text, so that a
    /// partial date stays partial.
    Date(String),
    /// A number as canonical decimal text (`12`, `85.5`).
    Number(String),
    /// Money, written as yuan with two decimals (`1700000.00`).
    Money(Fen),
    Empty,
}

impl Cell {
    pub fn text(t: &str) -> Cell {
        if t.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(t.to_string())
        }
    }

    fn opt_text(t: Option<&str>) -> Cell {
        Cell::text(t.unwrap_or(""))
    }

    fn word<W: Copy>(w: Option<W>, en: fn(W) -> &'static str, zh: fn(W) -> &'static str) -> Cell {
        match w {
            Some(w) => Cell::Word(en(w), zh(w)),
            None => Cell::Empty,
        }
    }

    fn date(d: Option<PartialDate>) -> Cell {
        d.map_or(Cell::Empty, |d| Cell::Date(d.to_string()))
    }

    fn number(n: Option<String>) -> Cell {
        n.map_or(Cell::Empty, Cell::Number)
    }

    /// The cell as its text in the import format, without a formula guard (JSON, and widths).
    pub fn plain(&self, lang: Lang) -> String {
        match self {
            Cell::Text(t) | Cell::Date(t) | Cell::Number(t) => t.clone(),
            Cell::Word(en, zh) => lang.pick(zh, en).to_string(),
            Cell::Money(f) => f.plain(),
            Cell::Empty => String::new(),
        }
    }

    /// The cell as workbooks write it: text as it is, except that a text starting with
    /// `'` gets one more (which the import removes again), so that `'=x` stays `'=x`.
    pub fn unguarded(&self, lang: Lang) -> String {
        match self {
            Cell::Text(t) if t.starts_with('\'') => format!("'{t}"),
            other => other.plain(lang),
        }
    }

    /// The cell as CSV writes it: English words, guarded text.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(t) => neutralize(t),
            other => other.plain(Lang::En),
        }
    }
}

/// A record that can be written as a row of its kind's file.
pub trait ToRow {
    const KIND: Kind;
    /// The cells, in `columns_of(KIND)` order.
    fn cells(&self) -> Vec<Cell>;
}

impl ToRow for Unit {
    const KIND: Kind = Kind::Units;
    fn cells(&self) -> Vec<Cell> {
        let u = self;
        vec![
            Cell::text(&u.code),
            Cell::opt_text(u.parent.as_deref()),
            Cell::Word(u.level.en(), u.level.zh()),
            Cell::text(&u.name),
            Cell::Word(u.station.en(), u.station.zh()),
            Cell::date(u.opened_on),
            Cell::date(u.closed_on),
            Cell::text(&u.operator),
            Cell::text(&u.address),
            Cell::text(&u.contact),
            Cell::text(&u.phone),
            Cell::number(u.social_workers.map(|n| n.to_string())),
            Cell::number(u.certified_workers.map(|n| n.to_string())),
            Cell::text(&u.note),
        ]
    }
}

impl ToRow for Evaluation {
    const KIND: Kind = Kind::Evaluations;
    fn cells(&self) -> Vec<Cell> {
        let e = self;
        vec![
            Cell::opt_text(e.id.as_deref()),
            Cell::text(&e.unit),
            Cell::date(Some(e.date)),
            Cell::Word(e.kind.en(), e.kind.zh()),
            Cell::text(&e.evaluator),
            Cell::number(e.score.map(|s| tenths(s as u32))),
            Cell::word(e.grade, Grade::en, Grade::zh),
            Cell::text(&e.note),
        ]
    }
}

impl ToRow for Training {
    const KIND: Kind = Kind::Trainings;
    fn cells(&self) -> Vec<Cell> {
        let t = self;
        vec![
            Cell::opt_text(t.id.as_deref()),
            Cell::date(Some(t.date)),
            Cell::text(&t.host),
            Cell::Word(t.kind.en(), t.kind.zh()),
            Cell::word(t.mode, TrainingMode::en, TrainingMode::zh),
            Cell::text(&t.topic),
            Cell::number(t.hours.map(tenths)),
            Cell::number(t.attendees.map(|a| a.to_string())),
            Cell::text(&t.units.join(";")),
            Cell::text(&t.note),
        ]
    }
}

impl ToRow for BudgetEntry {
    const KIND: Kind = Kind::Budget;
    fn cells(&self) -> Vec<Cell> {
        let b = self;
        vec![
            Cell::opt_text(b.id.as_deref()),
            Cell::date(Some(b.date)),
            Cell::text(&b.unit),
            Cell::Word(b.kind.en(), b.kind.zh()),
            Cell::word(b.category, Category::en, Category::zh),
            Cell::word(b.source, Source::en, Source::zh),
            Cell::Money(b.amount),
            Cell::text(&b.voucher),
            Cell::text(&b.note),
        ]
    }
}

/// The three formats an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug)]
pub enum ExportError {
    Io(io::Error),
    Xlsx(String),
    /// More rows than a worksheet holds.
    TooManyRows,
}

impl From<io::Error> for ExportError {
    fn from(e: io::Error) -> Self {
        ExportError::Io(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Io(e.into())
    }
}

impl ExportError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ExportError::Io(e) => say(lang, C::WriteFailed, &[e]),
            ExportError::Xlsx(e) => say(lang, F::XlsxFailed, &[e]),
            ExportError::TooManyRows => say(lang, F::TooManyRowsForXlsx, &[&super::XLSX_MAX_ROWS]),
        }
    }
}

enum Target<'w> {
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Json {
        out: &'w mut dyn Write,
        names: Vec<String>,
    },
    Xlsx {
        sheet: Box<super::xlsx::XlsxSheet>,
        out: &'w mut dyn Write,
    },
}

/// Writes one kind's file, one record at a time.
pub struct Exporter<'w> {
    target: Target<'w>,
    rows: usize,
}

impl<'w> Exporter<'w> {
    /// Starts the file: CSV gets a BOM and the English header; JSON its opening bracket; a
    /// workbook its header row in the user's language.
    pub fn new(kind: Kind, format: Format, lang: Lang, out: &'w mut dyn Write) -> Result<Exporter<'w>, ExportError> {
        Exporter::new_wide(kind, format, lang, out, &[])
    }

    /// `new`, with `extra` columns (English name, Chinese name) after the kind's: an
    /// evaluations file's scheme and indicators (issue 15), whose cells `row_wide` adds.
    pub fn new_wide(
        kind: Kind,
        format: Format,
        lang: Lang,
        out: &'w mut dyn Write,
        extra: &[(String, String)],
    ) -> Result<Exporter<'w>, ExportError> {
        let en: Vec<String> = columns_of(kind)
            .iter()
            .map(|c| c.name.to_string())
            .chain(extra.iter().map(|(en, _)| en.clone()))
            .collect();
        let shown: Vec<String> = columns_of(kind)
            .iter()
            .map(|c| lang.pick(c.alias, c.name).to_string())
            .chain(extra.iter().map(|(en, zh)| lang.pick(zh, en).to_string()))
            .collect();
        Exporter::with_headers(kind.label(lang), &en, &shown, format, lang, out)
    }

    /// A file of any columns: `en` the headers CSV and JSON write, `shown` a workbook's (in the
    /// user's language), on a sheet named `sheet`.
    pub fn with_headers(
        sheet: &str,
        en: &[String],
        shown: &[String],
        format: Format,
        lang: Lang,
        out: &'w mut dyn Write,
    ) -> Result<Exporter<'w>, ExportError> {
        let target = match format {
            Format::Csv => {
                out.write_all(&[0xEF, 0xBB, 0xBF])?;
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                writer.write_record(en)?;
                Target::Csv(Box::new(writer))
            }
            Format::Json => {
                out.write_all(b"[")?;
                let names = en
                    .iter()
                    .map(|name| serde_json::to_string(name).unwrap_or_default())
                    .collect();
                Target::Json { out, names }
            }
            Format::Xlsx => {
                let headers: Vec<&str> = shown.iter().map(String::as_str).collect();
                let sheet = super::xlsx::XlsxSheet::titled(sheet, &[], &headers, lang)
                    .map_err(|e| ExportError::Xlsx(e.to_string()))?;
                Target::Xlsx {
                    sheet: Box::new(sheet),
                    out,
                }
            }
        };
        Ok(Exporter { target, rows: 0 })
    }

    /// A record's row with the cells of the extra columns after its own.
    pub fn row_wide<R: ToRow>(&mut self, record: &R, extra: Vec<Cell>) -> Result<(), ExportError> {
        let mut cells = record.cells();
        cells.extend(extra);
        self.cells(cells)
    }

    pub fn row<R: ToRow>(&mut self, record: &R) -> Result<(), ExportError> {
        self.cells(record.cells())
    }

    /// One row of cells, in the columns' order.
    pub fn cells(&mut self, cells: Vec<Cell>) -> Result<(), ExportError> {
        match &mut self.target {
            Target::Csv(writer) => writer.write_record(cells.iter().map(Cell::csv))?,
            Target::Json { out, names } => {
                // One object per line: `FILE:LINE` of an import of this file points at it.
                out.write_all(if self.rows == 0 { b"\n{" } else { b",\n{" })?;
                for (i, (name, cell)) in names.iter().zip(&cells).enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(name.as_bytes())?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut **out, &cell.plain(Lang::En)).map_err(io::Error::from)?;
                }
                out.write_all(b"}")?;
            }
            Target::Xlsx { sheet, .. } => sheet.row(cells)?,
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the file; returns how many records it holds.
    pub fn finish(self) -> Result<usize, ExportError> {
        match self.target {
            Target::Csv(mut writer) => writer.flush()?,
            Target::Json { out, .. } => out.write_all(b"\n]\n")?,
            Target::Xlsx { sheet, out } => out.write_all(&sheet.finish()?)?,
        }
        Ok(self.rows)
    }
}

/// A whole file in memory (for tests and small exports).
pub fn export_bytes<'r, R: ToRow + 'r>(
    records: impl IntoIterator<Item = &'r R>,
    format: Format,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::new();
    let mut exporter = Exporter::new(R::KIND, format, lang, &mut out)?;
    for r in records {
        exporter.row(r)?;
    }
    exporter.finish()?;
    Ok(out)
}

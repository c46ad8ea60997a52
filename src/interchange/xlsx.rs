//! Excel workbooks. In: the first sheet of an .xlsx (also .xls and .ods), its cells turned into
//! the text the CSV path reads: date cells as `YYYY-MM-DD`, numbers as the decimal Excel shows
//! (15 significant digits, so `1200.5` stays `1200.5` and a computed `120.00000000000001` is
//! `120`), never through a lossy float format. Out: one sheet with a bold frozen header, column
//! widths measured in terminal cells (a Chinese character counts two), numbers as numbers.

use super::columns::columns_of;
use super::table::{clean_headers, Table};
use super::write::{Cell, ExportError};
use super::{looks_like_formula, FileProblem, Kind, Problems};
use crate::domain::Problem;
use crate::i18n::Lang;
use crate::words::P;
use calamine::{Data, Range, Reader};
use csv::StringRecord;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};
use std::io::Cursor;

/// Rows a sheet can hold below its header.
pub const XLSX_MAX_ROWS: usize = 1_048_575;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether the bytes are a workbook (by content, whatever the file is called).
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC)
}

fn unreadable(e: impl std::fmt::Display) -> Problems {
    Problems::file(P::WorkbookUnreadable, &[&e])
}

/// The widest sheet read: a kind has at most 14 columns, so a cell far to the right is a
/// mistake, and a sheet of 16,384 columns would cost memory for nothing.
pub const MAX_SHEET_COLUMNS: usize = 64;

/// The most cells a workbook read whole (.xls, .ods) may expand to, empty ones between them
/// counted: a million rows of 16 columns. An .ods file repeats a row or a cell by a number, so
/// 879 bytes can stand for billions of cells; it is sized up before it is read.
pub const MAX_SHEET_CELLS: u64 = 16 << 20;

/// The most bytes the parts of an .xlsx or .ods file may unzip to, by what the archive says.
pub const MAX_UNZIPPED_BYTES: u64 = 1 << 30;

/// Reads the first sheet of a workbook into a table: an .xlsx as a stream of its cells (memory
/// in proportion to the cells it holds, whatever dimensions it claims), an .xls or .ods whole
/// once it is sized up.
pub fn read_workbook(bytes: &[u8]) -> Result<Table, Problems> {
    let cursor = Cursor::new(bytes);
    let range = if bytes.starts_with(OLE_MAGIC) {
        // An .xls holds at most 65,536 × 256 cells.
        let mut wb: calamine::Xls<_> = calamine::open_workbook_from_rs(cursor).map_err(|e| {
            // An OLE file that is not a workbook is usually a password-protected .xlsx.
            unreadable(format!(
                "{e}; a password-protected workbook must be saved without the password first"
            ))
        })?;
        first_sheet(&mut wb)?
    } else {
        check_unzipped_size(bytes)?;
        match calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(cursor.clone()) {
            Ok(mut wb) => return read_xlsx_cells(&mut wb),
            Err(xlsx_error) => {
                if let Some(problem) = ods_too_large(bytes) {
                    return Err(problem);
                }
                match calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(cursor) {
                    Ok(mut wb) => first_sheet(&mut wb)?,
                    Err(_) => return Err(unreadable(xlsx_error)),
                }
            }
        }
    };
    let mut table = TableBuilder::new();
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    for (i, row) in range.rows().enumerate() {
        // The sheet's own row number, as Excel shows it.
        table.row(first_row + i + 1, row.iter().map(cell_text).collect())?;
    }
    table.finish()
}

/// The first sheet of an .xlsx, cell by cell as its XML streams by.
fn read_xlsx_cells<RS: std::io::Read + std::io::Seek>(wb: &mut calamine::Xlsx<RS>) -> Result<Table, Problems> {
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(Problems::file(P::WorkbookNoSheet, &[]));
    };
    let mut reader = wb.worksheet_cells_reader(&name).map_err(unreadable)?;
    let mut table = TableBuilder::new();
    let mut row: Option<u32> = None;
    let mut cells: Vec<Result<String, String>> = Vec::new();
    loop {
        let cell = reader.next_cell().map_err(unreadable)?;
        let at = cell.as_ref().map(|c| c.get_position());
        if row.is_some() && at.map(|(r, _)| r) != row {
            let line = row.map_or(0, |r| r as usize + 1);
            table.row(line, std::mem::take(&mut cells))?;
        }
        let (Some(cell), Some((r, c))) = (cell, at) else { break };
        row = Some(r);
        let data = Data::from(cell.get_value().clone());
        if data == Data::Empty {
            continue;
        }
        let c = c as usize;
        if c >= MAX_SHEET_COLUMNS {
            return Err(too_wide(r as usize + 1, c));
        }
        if cells.len() <= c {
            cells.resize(c + 1, Ok(String::new()));
        }
        cells[c] = cell_text(&data);
    }
    table.finish()
}

fn too_wide(line: usize, column: usize) -> Problems {
    let n = column + 1;
    Problems::one(FileProblem::new(
        line,
        "",
        Problem::said("", P::SheetTooWide, &[&n, &MAX_SHEET_COLUMNS]),
    ))
}

/// The workbook is too large: `what` says how, in words of its own.
fn too_large(what: P, args: &[&dyn std::fmt::Display]) -> Problems {
    let (zh, en) = crate::words::both_within(P::WorkbookTooLarge, what, args);
    Problems::one(FileProblem::new(0, "", Problem::from_both("", zh, en)))
}

/// Refuses a zip archive whose parts say they unzip to more than `MAX_UNZIPPED_BYTES`.
fn check_unzipped_size(bytes: &[u8]) -> Result<(), Problems> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Not a zip archive calamine could read either: it says why.
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(file) = zip.by_index_raw(i) {
            total = total.saturating_add(file.size());
        }
    }
    if total > MAX_UNZIPPED_BYTES {
        let mb = total >> 20;
        return Err(too_large(P::WorkbookUnzipsTo, &[&mb]));
    }
    Ok(())
}

/// Sizes up each sheet of an .ods file (its `content.xml`, streamed) before calamine
/// expands its repeated rows and cells: `None` when it fits within `MAX_SHEET_CELLS`, or when
/// it is no .ods (calamine then says what is wrong).
fn ods_too_large(bytes: &[u8]) -> Option<Problems> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut buf = Vec::new();
    let repeat = |e: &quick_xml::events::BytesStart, name: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.parse().ok())
            .unwrap_or(1)
    };
    let (mut in_table, mut in_row) = (false, false);
    // Rows so far (repeats counted); the first and last row with a value; the widest row.
    let (mut rows, mut first, mut last, mut widest) = (0u64, None::<u64>, 0u64, 0u64);
    let (mut row_repeat, mut col, mut row_width) = (1u64, 0u64, 0u64);
    let mut cell_open: Option<u64> = None;
    loop {
        let event = xml.read_event_into(&mut buf).ok()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    "table:table" => in_table = !empty,
                    "table:table-row" if in_table => {
                        row_repeat = repeat(e, "table:number-rows-repeated");
                        (col, row_width, in_row) = (0, 0, !empty);
                        if empty {
                            rows = rows.saturating_add(row_repeat);
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" if in_row => {
                        let n = repeat(e, "table:number-columns-repeated");
                        let has_value = e.attributes().flatten().any(|a| a.key.as_ref() == "office:value-type");
                        col = col.saturating_add(n);
                        if has_value {
                            row_width = col;
                        } else if !empty {
                            // Text inside the cell (`<text:p>`) is a value too.
                            cell_open = Some(col);
                        }
                    }
                    "text:p" | "text:span" => {
                        if let Some(c) = cell_open {
                            row_width = row_width.max(c);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => cell_open = None,
                "table:table-row" if in_row => {
                    in_row = false;
                    if row_width > 0 {
                        first.get_or_insert(rows);
                        last = rows.saturating_add(row_repeat);
                        widest = widest.max(row_width);
                    }
                    rows = rows.saturating_add(row_repeat);
                }
                "table:table" => {
                    // calamine reads every sheet when it opens the file: each is sized up.
                    in_table = false;
                    let cells = last.saturating_sub(first.unwrap_or(0)).saturating_mul(widest);
                    if widest > MAX_SHEET_COLUMNS as u64 || cells > MAX_SHEET_CELLS {
                        break;
                    }
                    (rows, first, last, widest) = (0, None, 0, 0);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let cells = last.saturating_sub(first.unwrap_or(0)).saturating_mul(widest);
    if widest > MAX_SHEET_COLUMNS as u64 {
        return Some(too_large(P::WorkbookSheetTooWide, &[&widest, &MAX_SHEET_COLUMNS]));
    }
    (cells > MAX_SHEET_CELLS).then(|| too_large(P::WorkbookSheetTooManyCells, &[&cells, &MAX_SHEET_CELLS]))
}

fn first_sheet<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &mut R) -> Result<Range<Data>, Problems>
where
    R::Error: std::fmt::Display,
{
    match wb.worksheet_range_at(0) {
        None => Err(Problems::file(P::WorkbookNoSheet, &[])),
        Some(Err(e)) => Err(unreadable(e)),
        Some(Ok(range)) => Ok(range),
    }
}

/// A sheet's rows made into a table: blank rows skipped, the first other row the header, error
/// cells listed as problems.
struct TableBuilder {
    table: Table,
    have_header: bool,
    problems: Problems,
}

impl TableBuilder {
    fn new() -> TableBuilder {
        TableBuilder {
            table: Table {
                guarded: true,
                ..Table::default()
            },
            have_header: false,
            problems: Problems::default(),
        }
    }

    /// One row at its line; refuses a row wider than `MAX_SHEET_COLUMNS` that has a value there.
    fn row(&mut self, line: usize, row: Vec<Result<String, String>>) -> Result<(), Problems> {
        let mut cells = Vec::with_capacity(row.len().min(MAX_SHEET_COLUMNS));
        for (c, data) in row.into_iter().enumerate() {
            match data {
                Ok(text) if c >= MAX_SHEET_COLUMNS => {
                    if !text.trim().is_empty() {
                        return Err(too_wide(line, c));
                    }
                }
                Ok(text) => cells.push(text),
                Err(shown) => {
                    let column = self
                        .table
                        .headers
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", c + 1));
                    self.problems.push(FileProblem::new(
                        line,
                        column,
                        Problem::said("", P::ExcelErrorCell, &[&shown]),
                    ));
                    cells.push(String::new());
                }
            }
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        if !self.have_header {
            self.table.headers = clean_headers(cells.iter().map(String::as_str));
            self.table.header_line = line;
            self.have_header = true;
        } else {
            self.table.rows.push((line, StringRecord::from(cells)));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Table, Problems> {
        if !self.have_header {
            self.problems.push(FileProblem::file(P::SheetEmpty, &[]));
        }
        if self.problems.is_empty() {
            Ok(self.table)
        } else {
            Err(self.problems)
        }
    }
}

/// A cell as the text a CSV file would hold; an error cell gives its error text as `Err`.
fn cell_text(data: &Data) -> Result<String, String> {
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
            let has_time = (hh, mm, ss, ms) != (0, 0, 0, 0);
            if dt.as_f64() < 1.0 {
                format!("{hh:02}:{mm:02}:{ss:02}")
            } else if has_time {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02}")
            }
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(e.to_string()),
    })
}

/// A number as the decimal text Excel shows: rounded to 15 significant digits (Excel's own
/// precision), trailing zeros dropped, no exponent. Exact for every value typed with at most
/// 15 digits: `1700000` → "1700000", `1200.5` → "1200.5", `0.1 + 0.2` → "0.3".
pub fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == 0.0 {
        return "0".into();
    }
    // `{:.14e}` rounds the exact binary value correctly to 15 significant digits.
    let sci = format!("{:.14e}", f.abs());
    let (mantissa, exp) = match sci.split_once('e') {
        Some(parts) => parts,
        None => return f.to_string(),
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let n = digits.len() as i32;
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    if exp >= 0 {
        let int_len = exp + 1;
        if n <= int_len {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', (int_len - n) as usize));
        } else {
            out.push_str(&digits[..int_len as usize]);
            out.push('.');
            out.push_str(&digits[int_len as usize..]);
        }
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(digits);
    }
    out
}

/// The number a decimal text names, when a workbook can hold it exactly (it reads back as the
/// same text); `None` means "write it as text".
fn exact_number(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    let canonical = match text.split_once('.') {
        Some((int, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                int.to_string()
            } else {
                format!("{int}.{frac}")
            }
        }
        None => text.to_string(),
    };
    let canonical = if canonical == "-0" { "0".to_string() } else { canonical };
    (number_text(f) == canonical).then_some(f)
}

/// How money shows: yuan with thousands separators, to the fen.
pub const MONEY_FORMAT: &str = "#,##0.00";

/// The widest a column gets, in character widths.
const MAX_COLUMN_WIDTH: usize = 60;

fn shown_width(text: &str) -> usize {
    text.lines().map(crate::text::width).max().unwrap_or(0)
}

/// A workbook of one sheet being written: the header (in the user's language: Chinese aliases
/// or English names), then one row per record, enumeration words in the user's language too.
/// Both read back. Numbers are numbers (money with two decimals shown), dates are text, so a
/// partial date stays partial; a text a spreadsheet would run is stored with Excel's quote
/// prefix, which shows it as typed and keeps it text when edited.
pub struct XlsxSheet {
    sheet: Worksheet,
    lang: Lang,
    guarded: Format,
    money: Format,
    widths: Vec<usize>,
    /// The row last written (the header's at first).
    row: u32,
    /// The header's row: 0, or below the lines of a `titled` sheet.
    header_row: u32,
    columns: u16,
}

impl XlsxSheet {
    pub fn new(kind: Kind, lang: Lang) -> Result<XlsxSheet, XlsxError> {
        let headers: Vec<&str> = columns_of(kind)
            .iter()
            .map(|column| lang.pick(column.alias, column.name))
            .collect();
        XlsxSheet::titled(kind.label(lang), &[], &headers, lang)
    }

    /// A sheet of any table: `lines` of text above the header (a title, the date, the source;
    /// they do not widen the columns), then the header, frozen with everything above it.
    pub fn titled(name: &str, lines: &[String], headers: &[&str], lang: Lang) -> Result<XlsxSheet, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(name)?;
        let guarded = Format::new().set_quote_prefix();
        for (r, line) in lines.iter().enumerate() {
            // The first line is the title.
            let format = if r == 0 {
                Format::new().set_bold()
            } else {
                Format::new()
            };
            let format = if looks_like_formula(line) {
                format.set_quote_prefix()
            } else {
                format
            };
            sheet.write_string_with_format(r as u32, 0, line, &format)?;
        }
        let header_row = lines.len() as u32;
        let header = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border_bottom(FormatBorder::Thin);
        let mut widths = Vec::with_capacity(headers.len());
        for (c, name) in headers.iter().enumerate() {
            sheet.write_string_with_format(header_row, c as u16, *name, &header)?;
            widths.push(shown_width(name) + 2);
        }
        Ok(XlsxSheet {
            sheet,
            lang,
            guarded,
            money: Format::new().set_num_format(MONEY_FORMAT),
            widths,
            row: header_row,
            header_row,
            columns: headers.len() as u16,
        })
    }

    pub fn row(&mut self, cells: Vec<Cell>) -> Result<(), ExportError> {
        if self.row as usize >= XLSX_MAX_ROWS {
            return Err(ExportError::TooManyRows);
        }
        self.row += 1;
        self.write_cells(cells).map_err(|e| ExportError::Xlsx(e.to_string()))
    }

    /// The row `row` last wrote.
    pub fn last_row(&self) -> u32 {
        self.row
    }

    /// The sheet itself, for what cells do not say (a format on a cell just written); what is
    /// written through it should be measured with `widen`.
    pub fn worksheet(&mut self) -> &mut Worksheet {
        &mut self.sheet
    }

    /// Makes a column at least as wide as `shown` (in terminal cells), up to the cap.
    pub fn widen(&mut self, column: u16, shown: &str) {
        if let Some(w) = self.widths.get_mut(column as usize) {
            *w = (*w).max(shown_width(shown) + 2).min(MAX_COLUMN_WIDTH);
        }
    }

    fn write_cells(&mut self, cells: Vec<Cell>) -> Result<(), XlsxError> {
        let (row, lang, sheet) = (self.row, self.lang, &mut self.sheet);
        for (c, cell) in cells.into_iter().enumerate() {
            let col = c as u16;
            let shown = match &cell {
                Cell::Empty => continue,
                Cell::Text(t) => {
                    // A text that starts with ' gets one more, as in CSV, so the import gives it back.
                    let value = if t.starts_with('\'') {
                        format!("'{t}")
                    } else {
                        t.clone()
                    };
                    if looks_like_formula(t) {
                        sheet.write_string_with_format(row, col, &value, &self.guarded)?;
                    } else {
                        sheet.write_string(row, col, &value)?;
                    }
                    value
                }
                Cell::Word(en, zh) => {
                    let w = lang.pick(zh, en);
                    sheet.write_string(row, col, w)?;
                    w.to_string()
                }
                Cell::Date(d) => {
                    sheet.write_string(row, col, d)?;
                    d.clone()
                }
                Cell::Number(n) => {
                    match exact_number(n) {
                        Some(f) => sheet.write_number(row, col, f)?,
                        None => sheet.write_string(row, col, n)?,
                    };
                    n.clone()
                }
                Cell::Money(fen) => {
                    let plain = fen.plain();
                    match exact_number(&plain) {
                        Some(f) => sheet.write_number_with_format(row, col, f, &self.money)?,
                        None => sheet.write_string(row, col, &plain)?,
                    };
                    fen.yuan()
                }
            };
            if let Some(w) = self.widths.get_mut(c) {
                *w = (*w).max(shown_width(&shown) + 2).min(MAX_COLUMN_WIDTH);
            }
        }
        Ok(())
    }

    /// The workbook's bytes.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        let sheet = self.into_worksheet().map_err(|e| ExportError::Xlsx(e.to_string()))?;
        let mut workbook = Workbook::new();
        workbook.push_worksheet(sheet);
        workbook.save_to_buffer().map_err(|e| ExportError::Xlsx(e.to_string()))
    }

    /// The finished sheet, for a workbook of several: columns as wide as their widest cell,
    /// the header and what is above it frozen, a filter on the header.
    pub fn into_worksheet(mut self) -> Result<Worksheet, XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            self.sheet
                .set_column_width(c as u16, (*w).min(MAX_COLUMN_WIDTH) as f64)?;
        }
        self.sheet.set_freeze_panes(self.header_row + 1, 0)?;
        self.sheet
            .autofilter(self.header_row, 0, self.row, self.columns.saturating_sub(1))?;
        Ok(self.sheet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        let cases: [(f64, &str); 12] = [
            (1_700_000.0, "1700000"),
            (1200.5, "1200.5"),
            (0.1 + 0.2, "0.3"),
            (120.00000000000001, "120"),
            (1e-7, "0.0000001"),
            (530_112_001_000.0, "530112001000"),
            (1.005, "1.005"),
            (-20.5, "-20.5"),
            (85.5, "85.5"),
            (99_999_999_999.99, "99999999999.99"),
            (1e20, "100000000000000000000"),
            (0.0, "0"),
        ];
        for (f, text) in cases {
            assert_eq!(number_text(f), text, "{f:?}");
        }
    }

    #[test]
    fn exact_numbers_are_numbers() {
        assert_eq!(exact_number("1700000.00"), Some(1_700_000.0));
        assert_eq!(exact_number("-0.50"), Some(-0.5));
        assert_eq!(exact_number("12"), Some(12.0));
        assert_eq!(exact_number("92233720368547758.07"), None);
    }

    #[test]
    fn cells_become_csv_text() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let dt = |v: f64, is_1904: bool| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, is_1904));
        assert_eq!(cell_text(&dt(44508.0, false)), Ok("2021-11-08".into()));
        assert_eq!(cell_text(&dt(44508.5, false)), Ok("2021-11-08 12:00:00".into()));
        assert_eq!(cell_text(&dt(43046.0, true)), Ok("2021-11-08".into()));
        assert_eq!(cell_text(&Data::Int(40)), Ok("40".into()));
        assert_eq!(cell_text(&Data::Float(85.5)), Ok("85.5".into()));
        assert_eq!(cell_text(&Data::Error(CellErrorType::NA)), Err("#N/A".into()));
        assert_eq!(
            cell_text(&Data::DateTimeIso("2021-11-08T00:00:00".into())),
            Ok("2021-11-08".into())
        );
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_in_terminal_cells() {
        let mut sheet = XlsxSheet::new(Kind::Units, Lang::Zh).unwrap();
        sheet
            .row(vec![
                Cell::Text("530112001000".into()),
                Cell::Empty,
                Cell::Word("street", "街道"),
                Cell::Text("棕树营街道社会工作服务站".into()),
            ])
            .unwrap();
        sheet
            .row(vec![
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Text("长".repeat(100)),
            ])
            .unwrap();
        // 编码 is 4 cells wide + 2; the code is 12 + 2; 上级编码 8 + 2; the long name is capped.
        assert_eq!(&sheet.widths[..4], &[14, 10, 6, MAX_COLUMN_WIDTH]);
        assert!(sheet.finish().unwrap().starts_with(ZIP_MAGIC));
    }
}

//! A file's rows of text cells, before they mean anything. CSV is read row by row straight
//! from the file's bytes (no copy of the whole file unless it must be re-encoded); workbooks and
//! JSON arrive as a `Table` already in memory. Either way the parser sees a `Sheet`: the header,
//! then one row at a time with its line in the file.

use super::{FileProblem, Problems};
use crate::domain::Problem;
use csv::StringRecord;
use std::borrow::Cow;
use std::io::Cursor;

/// Cells already read (from a workbook or JSON): the header and the non-blank rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    /// The header's line (row number in a workbook); 1 in a CSV file.
    pub header_line: usize,
    /// (line of the row, its cells)
    pub rows: Vec<(usize, StringRecord)>,
    /// Whether text cells may carry the export's formula guard (`'=…`), to be removed: true for
    /// spreadsheets, false for JSON, whose values are exactly the stored text.
    pub guarded: bool,
}

/// Rows to parse: the header, then each non-blank row with its line.
pub struct Sheet<'a> {
    pub headers: Vec<String>,
    pub header_line: usize,
    /// See `Table::guarded`.
    pub guarded: bool,
    body: Body<'a>,
}

enum Body<'a> {
    Csv {
        reader: Box<csv::Reader<Cursor<Cow<'a, [u8]>>>>,
        lines: Lines,
    },
    Rows(std::vec::IntoIter<(usize, StringRecord)>),
}

impl Sheet<'_> {
    pub fn from_table(table: Table) -> Sheet<'static> {
        Sheet {
            headers: table.headers,
            header_line: table.header_line,
            guarded: table.guarded,
            body: Body::Rows(table.rows.into_iter()),
        }
    }

    /// Reads the next row with any non-blank cell into `record`; returns its line, or None at
    /// the end of the file.
    pub fn next_row(&mut self, record: &mut StringRecord) -> Result<Option<usize>, FileProblem> {
        match &mut self.body {
            Body::Rows(rows) => match rows.next() {
                Some((line, cells)) => {
                    *record = cells;
                    Ok(Some(line))
                }
                None => Ok(None),
            },
            Body::Csv { reader, lines } => loop {
                let more = reader.read_record(record);
                let start = record.position().map_or(0, |p| p.byte() as usize);
                let line = lines.line_at(reader.get_ref().get_ref(), start);
                match more {
                    Ok(false) => return Ok(None),
                    Ok(true) if is_blank(record) => continue,
                    Ok(true) => return Ok(Some(line)),
                    Err(e) => {
                        return Err(FileProblem::new(
                            line,
                            "",
                            Problem::new("", format!("无法读取此行：{e}"), format!("cannot read this line: {e}")),
                        ))
                    }
                }
            },
        }
    }
}

/// Whether every cell is empty or white space (one pass over the row's text).
fn is_blank(record: &StringRecord) -> bool {
    record.as_slice().trim().is_empty()
}

/// Line numbers from byte offsets, counted forward once over the file.
struct Lines {
    pos: usize,
    line: usize,
    /// The line break: `\n`, or `\r` in a file that has no `\n` at all (old Mac files).
    newline: u8,
}

impl Lines {
    fn new(bytes: &[u8]) -> Lines {
        let newline = if !bytes.contains(&b'\n') && bytes.contains(&b'\r') {
            b'\r'
        } else {
            b'\n'
        };
        Lines {
            pos: 0,
            line: 1,
            newline,
        }
    }

    /// The line of a record that the CSV reader says starts at `start`. The reader may place the
    /// start before the line break that ends the previous record (a CRLF's LF) or before blank
    /// lines it skipped; a record never starts with a line break, so those are skipped here.
    fn line_at(&mut self, bytes: &[u8], start: usize) -> usize {
        let mut s = start.min(bytes.len());
        while s < bytes.len() && (bytes[s] == b'\n' || bytes[s] == b'\r') {
            s += 1;
        }
        if s > self.pos {
            let nl = self.newline;
            self.line += bytes[self.pos..s].iter().filter(|&&b| b == nl).count();
            self.pos = s;
        }
        self.line
    }
}

/// Text from bytes: UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's "Unicode text"), else
/// GB18030, which covers GBK and GB2312 (what Excel on Chinese Windows writes).
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, Problems> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|e| {
            Problems::file(
                format!(
                    "文件开头标明是 UTF-8，但第 {} 个字节起不是 UTF-8 文字",
                    e.valid_up_to() + 4
                ),
                format!(
                    "the file says it is UTF-8, but from byte {} on it is not UTF-8 text",
                    e.valid_up_to() + 4
                ),
            )
        });
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        // `decode` sniffs the BOM and picks UTF-16LE or BE.
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err(not_text());
        }
        return Ok(Cow::Owned(text.into_owned()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad {
        return Err(not_text());
    }
    Ok(Cow::Owned(text.into_owned()))
}

fn not_text() -> Problems {
    Problems::file(
        "无法识别文件的文字编码（应为 UTF-8 或 GBK/GB18030 的 CSV，或 .xlsx 工作簿）",
        "cannot read the file's text: it is neither UTF-8 nor GBK/GB18030 (expected CSV, or an .xlsx workbook)",
    )
}

/// The cell separator: a comma, or a tab when the header has tabs and no commas (a sheet saved
/// as "text (tab delimited)" or "Unicode text").
fn delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    }
}

/// Opens CSV bytes (any encoding `decode_text` reads) as a sheet: reads the header row.
pub fn open_csv(bytes: &[u8]) -> Result<Sheet<'_>, Problems> {
    let text = decode_text(bytes)?;
    let delimiter = delimiter(&text);
    let data: Cow<[u8]> = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    };
    let lines = Lines::new(&data);
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 16)
        .from_reader(Cursor::new(data));
    let mut sheet = Sheet {
        headers: Vec::new(),
        header_line: 1,
        guarded: true,
        body: Body::Csv {
            reader: Box::new(reader),
            lines,
        },
    };
    let mut record = StringRecord::new();
    match sheet.next_row(&mut record) {
        Err(p) => Err(Problems::one(p)),
        Ok(None) => Err(Problems::one(FileProblem::new(
            1,
            "",
            Problem::new("", "文件是空的，没有标题行", "the file is empty: it has no header row"),
        ))),
        Ok(Some(line)) => {
            sheet.header_line = line;
            sheet.headers = clean_headers(record.iter());
            Ok(sheet)
        }
    }
}

/// Headers as compared with the column names: trimmed, a stray BOM dropped.
pub(super) fn clean_headers<'s>(cells: impl Iterator<Item = &'s str>) -> Vec<String> {
    cells
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect()
}

/// Opens any file shegong reads: an Excel workbook (by content: a zip or OLE archive), a JSON
/// array (as `export --format json` writes), else CSV.
pub fn open_sheet(bytes: &[u8]) -> Result<Sheet<'_>, Problems> {
    if super::xlsx::is_workbook(bytes) {
        return super::xlsx::read_workbook(bytes).map(Sheet::from_table);
    }
    if super::json::is_json(bytes) {
        return super::json::read_json(bytes).map(Sheet::from_table);
    }
    open_csv(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_rows(bytes: &[u8]) -> (Vec<String>, Vec<(usize, Vec<String>)>) {
        let mut sheet = open_csv(bytes).unwrap();
        let mut rec = StringRecord::new();
        let mut rows = Vec::new();
        while let Some(line) = sheet.next_row(&mut rec).unwrap() {
            rows.push((line, rec.iter().map(str::to_string).collect()));
        }
        (sheet.headers, rows)
    }

    #[test]
    fn reads_gbk_and_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode("编码,名称\r\n1,西苑街道\r\n");
        let (h, rows) = all_rows(&gbk);
        assert_eq!(h, vec!["编码", "名称"]);
        assert_eq!(rows[0], (2, vec!["1".to_string(), "西苑街道".to_string()]));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("code\n1\n".as_bytes());
        assert_eq!(all_rows(&bom).0, vec!["code"]);
    }

    #[test]
    fn lines_count_the_header_as_one_with_any_line_end() {
        for nl in ["\n", "\r\n", "\r"] {
            let text = format!("a,b{nl}1,2{nl}{nl}3,4{nl}\"x{nl}y\",5{nl}6,7{nl}");
            let (_, rows) = all_rows(text.as_bytes());
            let lines: Vec<usize> = rows.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![2, 4, 5, 7], "{nl:?}");
            assert_eq!(rows[2].1[0], format!("x{nl}y"));
        }
    }

    #[test]
    fn reads_utf16_tab_separated() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "编码\t名称\r\n1\t西苑\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (h, rows) = all_rows(&bytes);
        assert_eq!(h, vec!["编码", "名称"]);
        assert_eq!(rows[0].1, vec!["1", "西苑"]);
    }

    #[test]
    fn refuses_what_is_not_text() {
        assert!(open_csv(&[0x81, 0x20, 0xFF, 0xFF, 0x00, 0x81]).is_err());
        assert!(open_csv(b"").is_err());
        assert!(open_csv(b"\n\n").is_err());
    }
}

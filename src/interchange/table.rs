//! A file's rows of text cells, before they mean anything. CSV is read row by row, either from
//! bytes in memory (`open_csv`: no copy of the whole file unless it must be re-encoded) or from
//! a reader as it streams by (`read_csv`: a file of any size in bounded memory); workbooks and
//! JSON arrive as a `Table` already in memory. Either way the parser sees a `Sheet`: the header,
//! then one row at a time with its line in the file.

use super::encoding::{choose, is_utf16_without_bom, utf8_line_in_gbk, Choice, Refusal};
use super::stream::{Counted, Decoded, Digest, Unreadable, CHUNK, MAX_ROW_BYTES, SNIFF_BYTES};
use super::{FileProblem, Problems};
use crate::domain::Problem;
use crate::words::P;
use csv::StringRecord;
use std::borrow::Cow;
use std::io::{Cursor, Read};

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
    /// The hash of the file's bytes, complete once the last row is read (a file read from disk).
    digest: Option<Digest>,
}

enum Body<'a> {
    Csv {
        reader: Box<csv::Reader<Cursor<Cow<'a, [u8]>>>>,
        lines: Lines,
    },
    Stream(Box<csv::Reader<Counted<Box<dyn Read + 'a>>>>),
    Rows(std::vec::IntoIter<(usize, StringRecord)>),
}

impl Sheet<'_> {
    pub fn from_table(table: Table) -> Sheet<'static> {
        Sheet {
            headers: table.headers,
            header_line: table.header_line,
            guarded: table.guarded,
            body: Body::Rows(table.rows.into_iter()),
            digest: None,
        }
    }

    /// Hashes the bytes read from here on; `digest` gives the hash once every row is read.
    pub(super) fn hashed_by(mut self, digest: Digest) -> Self {
        self.digest = Some(digest);
        self
    }

    /// The hash of the file's bytes, for a sheet read from a file to the end: a later reading
    /// of the same file with another hash read another file.
    pub fn digest(&self) -> Option<u64> {
        self.digest.as_ref().map(Digest::value)
    }

    /// Reads the next row with any non-blank cell into `record`; returns its line, or None at
    /// the end of the file.
    pub fn next_row(&mut self, record: &mut StringRecord) -> Result<Option<usize>, FileProblem> {
        match &mut self.body {
            Body::Stream(reader) => loop {
                let more = reader.read_record(record);
                let start = record.position().map_or(0, |p| p.byte());
                let end = reader.position().byte();
                let text = reader.get_mut();
                let line = text.line_at(start);
                text.row_ends(end);
                match more {
                    Ok(false) => return Ok(None),
                    Ok(true) if is_blank(record) => continue,
                    Ok(true) => return Ok(Some(line)),
                    Err(e) => return Err(stream_problem(&e, line, &self.headers)),
                }
            },
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
                    Err(e) => return Err(FileProblem::new(line, "", Problem::said("", P::LineUnreadable, &[&e]))),
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
}

impl Lines {
    fn new() -> Lines {
        Lines { pos: 0, line: 1 }
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
            // `pos` and `s` each follow a line break or start the file, so no CRLF is split.
            self.line += line_breaks(&bytes[self.pos..s]);
            self.pos = s;
        }
        self.line
    }
}

/// Line breaks in text: `\n`, `\r\n` and a lone `\r` each end a line, as the CSV reader ends a
/// record at each (and as editors number lines). `stream::Counted` counts the same way.
fn line_breaks(text: &[u8]) -> usize {
    memchr::memchr2_iter(b'\n', b'\r', text)
        .filter(|&i| text[i] == b'\n' || text.get(i + 1) != Some(&b'\n'))
        .count()
}

/// Text from bytes: UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's "Unicode text"), else
/// GB18030, which covers GBK and GB2312 (what Excel on Chinese Windows writes).
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, Problems> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|e| Problems::file(P::BomUtf8Broken, &[&(e.valid_up_to() + 4)]));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        // `decode` sniffs the BOM and picks UTF-16LE or BE.
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err(not_text());
        }
        return Ok(Cow::Owned(text.into_owned()));
    }
    if is_utf16_without_bom(bytes) {
        return Err(Problems::one(utf16_without_bom()));
    }
    let Some(first) = bytes.iter().position(|b| !b.is_ascii()) else {
        return std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| not_text());
    };
    let end = bytes.len().min(first + SNIFF_BYTES);
    match choose(&bytes[first..end], end == bytes.len()) {
        Ok(Choice::Utf8) => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            let line = line_breaks(&bytes[..e.valid_up_to()]) + 1;
            Problems::one(FileProblem::new(line, "", Problem::said("", P::RowNotUtf8, &[])))
        }),
        Ok(Choice::Gb18030) => {
            let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if bad {
                return Err(not_text());
            }
            let mut at = 0;
            for line in bytes.split(|&b| b == b'\n') {
                if utf8_line_in_gbk(line) {
                    let n = line_breaks(&bytes[..at]) + 1;
                    return Err(Problems::one(FileProblem::new(n, "", mixed_problem())));
                }
                at += line.len() + 1;
            }
            Ok(Cow::Owned(text.into_owned()))
        }
        Err(Refusal::Other(name)) => Err(Problems::one(other_encoding(name))),
    }
}

/// A line that is UTF-8 in a file that is GBK before it.
fn mixed_problem() -> Problem {
    Problem::said("", P::MixedEncodings, &[])
}

fn utf16_without_bom() -> FileProblem {
    FileProblem::file(P::Utf16WithoutBom, &[])
}

fn other_encoding(name: &str) -> FileProblem {
    FileProblem::file(P::EncodingUnsupported, &[&name])
}

fn not_text() -> Problems {
    Problems::one(not_text_problem())
}

fn not_text_problem() -> FileProblem {
    FileProblem::file(P::EncodingUnknown, &[])
}

/// The cell separator: a comma, or a tab when the first non-blank line has tabs and no commas
/// (a sheet saved as "text (tab delimited)" or "Unicode text").
fn delimiter(text: &[u8]) -> u8 {
    let first = text
        .split(|&b| b == b'\n' || b == b'\r')
        .find(|l| !is_blank_line(l))
        .unwrap_or(b"");
    if first.contains(&b'\t') && !first.contains(&b',') {
        b'\t'
    } else {
        b','
    }
}

fn is_blank_line(line: &[u8]) -> bool {
    String::from_utf8_lossy(line).trim().is_empty()
}

/// Whether `text` holds the whole first non-blank line (a line break follows it), which is
/// all that `delimiter` looks at.
fn has_first_line(text: &[u8]) -> bool {
    let mut rest = text;
    while let Some(i) = memchr::memchr2(b'\n', b'\r', rest) {
        if !is_blank_line(&rest[..i]) {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

/// Opens CSV bytes (any encoding `decode_text` reads) as a sheet: reads the header row.
pub fn open_csv(bytes: &[u8]) -> Result<Sheet<'_>, Problems> {
    let text = decode_text(bytes)?;
    let delimiter = delimiter(text.as_bytes());
    let data: Cow<[u8]> = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    };
    let reader = csv_reader(delimiter).from_reader(Cursor::new(data));
    read_header(Sheet {
        headers: Vec::new(),
        header_line: 1,
        guarded: true,
        body: Body::Csv {
            reader: Box::new(reader),
            lines: Lines::new(),
        },
        digest: None,
    })
}

/// Opens CSV from a reader as a sheet that reads the rows as they come, in the encodings
/// `decode_text` reads (see `stream::Decoded` for how one is chosen without the whole file):
/// memory holds a buffer and the current row, whatever the size of the file. Reads the header
/// row. Rows and lines are those `open_csv` gives for the same bytes.
pub fn read_csv<'a>(source: impl Read + 'a) -> Result<Sheet<'a>, Problems> {
    let mut text = Decoded::new(source);
    // The delimiter comes from the first non-blank line: read that far, and hand the text read
    // to the CSV reader first.
    let mut start = Vec::new();
    let mut chunk = vec![0; CHUNK];
    while start.len() < SNIFF_BYTES && !has_first_line(&start) {
        match text.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => start.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // The CSV reader meets the same error where it is, and says where.
            Err(_) => break,
        }
    }
    let delimiter = delimiter(&start);
    let source: Box<dyn Read + 'a> = Box::new(Cursor::new(start).chain(text));
    let reader = csv_reader(delimiter).from_reader(Counted::new(source));
    read_header(Sheet {
        headers: Vec::new(),
        header_line: 1,
        guarded: true,
        body: Body::Stream(Box::new(reader)),
        digest: None,
    })
}

fn csv_reader(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CHUNK);
    builder
}

/// Reads a new sheet's header row.
fn read_header(mut sheet: Sheet<'_>) -> Result<Sheet<'_>, Problems> {
    let mut record = StringRecord::new();
    match sheet.next_row(&mut record) {
        Err(p) => Err(Problems::one(p)),
        Ok(None) => Err(Problems::one(FileProblem::new(
            1,
            "",
            Problem::said("", P::FileEmpty, &[]),
        ))),
        Ok(Some(line)) => {
            sheet.header_line = line;
            sheet.headers = clean_headers(record.iter());
            Ok(sheet)
        }
    }
}

/// What went wrong reading a streamed row, at the row's line. Before the header is read (no
/// `headers` yet), text that cannot be decoded is a problem of the whole file, as `decode_text`
/// says it.
fn stream_problem(e: &csv::Error, line: usize, headers: &[String]) -> FileProblem {
    let at_header = headers.is_empty();
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } if at_header => FileProblem::file(P::HeaderNotUtf8, &[]),
        csv::ErrorKind::Utf8 { err, .. } => {
            let (column, what) = match headers.get(err.field()) {
                Some(h) => (h.clone(), P::CellNotUtf8),
                None => (String::new(), P::RowNotUtf8),
            };
            FileProblem::new(line, column, Problem::said("", what, &[]))
        }
        csv::ErrorKind::Io(io) => match Unreadable::of(io) {
            Some(Unreadable::NotText { .. }) if at_header => not_text_problem(),
            // Bytes are counted from 1 in messages, as `decode_text` counts them.
            Some(&Unreadable::NotText { utf16: false, byte }) => {
                FileProblem::new(line, "", Problem::said("", P::RowNotText, &[&(byte + 1)]))
            }
            Some(&Unreadable::NotText { utf16: true, byte }) => {
                FileProblem::new(line, "", Problem::said("", P::Utf16Broken, &[&(byte + 1)]))
            }
            Some(Unreadable::Utf16WithoutBom) => utf16_without_bom(),
            Some(&Unreadable::Encoding(name)) => other_encoding(name),
            Some(Unreadable::Mixed { .. }) => FileProblem::new(line, "", mixed_problem()),
            Some(Unreadable::RowTooLong) => {
                FileProblem::new(line, "", Problem::said("", P::RowTooLong, &[&(MAX_ROW_BYTES >> 20)]))
            }
            None => FileProblem::new(line, "", Problem::said("", P::ReadFailed, &[&io])),
        },
        _ => FileProblem::new(line, "", Problem::said("", P::LineUnreadable, &[&e])),
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

//! A CSV file read as it streams by (`read_csv`, what `shegong import` does with a file) gives
//! exactly the header, rows and lines that the same bytes give in memory (`open_sheet`, what
//! the built-in data and `import_bytes` use): in every encoding, with every line end, quoted
//! cells over several lines and blank lines, read in chunks of any size. And what only a
//! stream meets (bad bytes far into a file, a row that never ends) is refused at its line.

use proptest::prelude::*;
use shegong::i18n::Lang;
use shegong::interchange::{open_sheet, parse_sheet_with, read_csv, render_problems, Kind, Problems, Sheet};
use std::io::Read;

type Rows = (Vec<String>, usize, Vec<(usize, Vec<String>)>);

fn rows_of(sheet: Result<Sheet, Problems>) -> Result<Rows, Problems> {
    let mut sheet = sheet?;
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    loop {
        match sheet.next_row(&mut record) {
            Ok(Some(line)) => rows.push((line, record.iter().map(str::to_string).collect())),
            Ok(None) => break,
            Err(p) => return Err(Problems::one(p)),
        }
    }
    Ok((sheet.headers.clone(), sheet.header_line, rows))
}

/// Hands out the bytes in chunks of the given sizes, in turn: chunk ends fall inside
/// characters, byte-order marks, CRLFs and quoted cells.
struct Chunks<'a> {
    bytes: &'a [u8],
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let n = size.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Both readings of `bytes`, the stream in chunks of `sizes`, must agree; returns them.
fn same(bytes: &[u8], sizes: Vec<usize>) -> Result<Rows, Problems> {
    let in_memory = rows_of(open_sheet(bytes));
    let streamed = rows_of(read_csv(Chunks { bytes, sizes, turn: 0 }));
    assert_eq!(in_memory, streamed, "{:?}", String::from_utf8_lossy(bytes));
    in_memory
}

#[derive(Clone, Copy, Debug)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

const ENCODINGS: [Encoding; 6] = [
    Encoding::Utf8,
    Encoding::Utf8Bom,
    Encoding::Gbk,
    Encoding::Gb18030,
    Encoding::Utf16Le,
    Encoding::Utf16Be,
];

fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF", text.as_bytes()].concat(),
        Encoding::Gbk => encoding_rs::GBK.encode(text).0.into_owned(),
        Encoding::Gb18030 => encoding_rs::GB18030.encode(text).0.into_owned(),
        Encoding::Utf16Le => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        Encoding::Utf16Be => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
    }
}

/// A file with every awkward thing, on lines that are known: blank lines before the header and
/// between rows, a row of empty cells, a quoted cell over three lines, a quoted separator.
fn awkward(nl: &str, sep: char) -> (String, Vec<usize>) {
    let text = [
        "",
        "  ",
        &format!("编码{sep}名称{sep}备注"),
        &format!("1{sep}西苑街道{sep}"),
        "",
        &format!("{sep}{sep}"),
        &format!("2{sep}\"马街{nl}街道{nl}\"\"二\"\"\"{sep}x"),
        &format!("3{sep}\"金碧{sep}街道\"{sep}"),
        "",
        "",
        &format!("4{sep}永昌{sep}末行"),
    ]
    .join(nl);
    // The header on line 3; rows 1, 2 (three lines), 3, 4.
    (text + nl, vec![4, 7, 10, 13])
}

#[test]
fn every_encoding_and_line_end_reads_the_same_at_the_same_lines() {
    for encoding in ENCODINGS {
        for nl in ["\n", "\r\n", "\r"] {
            for sep in [',', '\t'] {
                let (text, lines) = awkward(nl, sep);
                let bytes = encode(&text, encoding);
                for sizes in [vec![1], vec![2, 3], vec![7], vec![1 << 16]] {
                    let (headers, header_line, rows) = same(&bytes, sizes).unwrap();
                    assert_eq!(headers, ["编码", "名称", "备注"], "{encoding:?} {nl:?} {sep:?}");
                    assert_eq!(header_line, 3);
                    let got: Vec<usize> = rows.iter().map(|r| r.0).collect();
                    assert_eq!(got, lines, "{encoding:?} {nl:?} {sep:?}");
                    assert_eq!(rows[1].1[1], format!("马街{nl}街道{nl}\"二\""));
                    assert_eq!(rows[2].1[1], format!("金碧{sep}街道"));
                }
            }
        }
    }
}

#[test]
fn empty_and_blank_files_are_refused_alike() {
    for bytes in [&b""[..], b"\n\n", b"\r\n \r\n", b"\xEF\xBB\xBF", b"\xFF\xFE"] {
        assert!(same(bytes, vec![1]).is_err(), "{bytes:?}");
    }
}

/// One cell as a CSV writer would quote it.
fn quoted(cell: &str, sep: char) -> String {
    if cell.contains([sep, '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn streamed_equals_in_memory(
        rows in prop::collection::vec(prop::collection::vec("[a-z0-9 ,\"\t\r\n西苑街道𠮷]{0,6}", 1..4), 1..8),
        ends in prop::collection::vec(prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"]), 8),
        encoding in prop::sample::select(ENCODINGS.to_vec()),
        tabs in any::<bool>(),
        sizes in prop::collection::vec(1usize..40, 1..5),
    ) {
        let sep = if tabs { '\t' } else { ',' };
        let mut text = String::new();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|c| quoted(c, sep)).collect();
            text.push_str(&cells.join(&sep.to_string()));
            text.push_str(ends[i % ends.len()]);
        }
        // GBK has no 𠮷: such a file is GB18030.
        let encoding = match encoding {
            Encoding::Gbk if text.contains('𠮷') => Encoding::Gb18030,
            e => e,
        };
        same(&encode(&text, encoding), sizes).ok();
    }
}

/// Any bytes at all: the stream never panics, and where the in-memory reader reads the file,
/// the stream reads the same (where it refuses the file, the stream refuses it too, maybe at a
/// row rather than as a whole).
fn same_or_both_refused(bytes: &[u8], sizes: Vec<usize>) {
    let in_memory = rows_of(open_sheet(bytes));
    let streamed = rows_of(read_csv(Chunks { bytes, sizes, turn: 0 }));
    match (&in_memory, &streamed) {
        (Ok(_), _) => assert_eq!(&in_memory, &streamed, "{bytes:?}"),
        (Err(_), s) => assert!(s.is_err(), "{bytes:?}: {s:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_bytes_stream_as_they_read_in_memory(
        start in prop::sample::select(vec![&b""[..], b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"]),
        body in prop::collection::vec(prop::sample::select(vec![
            b'a', b'1', b',', b'\t', b'"', b' ', b'\r', b'\n', 0, 0x81, 0x30, 0xA4, 0xD8, 0xDC, 0xE4, 0xB8, 0xAD, 0xFF,
        ]), 0..200),
        sizes in prop::collection::vec(1usize..17, 1..4),
    ) {
        same_or_both_refused(&[start, &body[..]].concat(), sizes);
    }
}

fn budget_problems(bytes: &[u8]) -> String {
    let mut sheet = read_csv(bytes).unwrap();
    match parse_sheet_with(Kind::Budget, &mut sheet, None) {
        Ok(_) => panic!("the file was read whole"),
        Err(problems) => render_problems("b.csv", &problems, Lang::En),
    }
}

#[test]
fn utf8_that_turns_into_gbk_far_into_the_file_fails_at_its_row() {
    // Over a megabyte of UTF-8 Chinese decides the file is UTF-8; then a GBK row.
    let mut text = String::from("date,unit,kind,amount,note\n");
    let rows = 40_000;
    for _ in 0..rows {
        text.push_str("2021-12-01,530112000000,allocation,1,西山区拨付\n");
    }
    assert!(text.len() > 1 << 20);
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"2021-12-01,530112000000,allocation,1,");
    bytes.extend_from_slice(&encoding_rs::GBK.encode("西山区").0);
    bytes.extend_from_slice(b"\n");
    let message = budget_problems(&bytes);
    let line = rows + 2;
    assert!(
        message.contains(&format!("b.csv:{line}: note: is not UTF-8 text")),
        "{message}"
    );
}

#[test]
fn a_quote_never_closed_is_refused_at_its_row_not_read_to_the_end() {
    let mut text = String::from("date,unit,kind,amount,note\n2021-12-01,530112000000,allocation,1,\"unclosed\n");
    while text.len() < 6 << 20 {
        text.push_str("2021-12-01,530112000000,allocation,1,西山区拨付\n");
    }
    let message = budget_problems(text.as_bytes());
    assert!(
        message.contains("b.csv:2: this row is longer than 4 MB: most likely a quote"),
        "{message}"
    );
}

#[test]
fn a_gbk_file_with_bad_bytes_fails_at_their_row() {
    let mut bytes = encoding_rs::GBK
        .encode("日期,站点,类型,金额\n2021-12-01,530112000000,拨付,1\n")
        .0
        .into_owned();
    bytes.extend_from_slice(b"2021-12-01,530112000000,\x81\x20,1\n");
    let message = budget_problems(&bytes);
    assert!(
        message
            .contains("b.csv:3: from this row on the text is neither UTF-8 nor GBK/GB18030 (from byte 76 of the file)"),
        "{message}"
    );
}

#[test]
fn utf16_with_a_lone_surrogate_fails_at_its_row() {
    let mut units: Vec<u16> = "date\tunit\tkind\tamount\r\n2021-12-01\t530112000000\tallocation\t1\r\n2021-12-01\t"
        .encode_utf16()
        .collect();
    units.push(0xD800);
    units.extend("\tallocation\t1\r\n".encode_utf16());
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(units.into_iter().flat_map(u16::to_le_bytes))
        .collect();
    let message = budget_problems(&bytes);
    assert!(
        message.contains(
            "b.csv:3: the file says it is UTF-16, but from this row on (from byte 147) it is not UTF-16 text"
        ),
        "{message}"
    );
}

//! CSV text as it streams from a file: its bytes decoded to UTF-8 on the way (`Decoded`), the
//! line breaks counted so that a record's byte offset gives its line in the file (`Counted`),
//! and the raw bytes hashed so that a second reading can tell it read the same file (`Hashed`).
//! None of them holds more than a buffer and the row being read, so a file of any size is read
//! in bounded memory.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

use super::encoding::{Choice, Refusal};

/// Text read past the first byte that is not ASCII to choose between UTF-8 and GB18030.
pub(super) const SNIFF_BYTES: usize = 1 << 20;

/// Bytes asked of the file at a time; also the CSV reader's buffer.
pub(super) const CHUNK: usize = 1 << 16;

/// The longest row read. An unclosed quote makes the rest of a file one cell, which the CSV
/// reader would hold whole; a real row, even with a note of 100,000 characters, is far shorter.
pub(super) const MAX_ROW_BYTES: u64 = 4 << 20;

/// Why the text cannot be read on; travels inside an `io::Error` through the CSV reader.
#[derive(Clone, Copy, Debug)]
pub(super) enum Unreadable {
    /// Bytes that are not text in the file's encoding: UTF-16 when the file starts with its
    /// byte-order mark, else GB18030 (chosen because the text was not UTF-8).
    NotText { utf16: bool, byte: u64 },
    /// A row longer than `MAX_ROW_BYTES`.
    RowTooLong,
    /// UTF-16 without its byte-order mark (every other byte NUL).
    Utf16WithoutBom,
    /// Text in an encoding shegong does not read, as the detector names it.
    Encoding(&'static str),
    /// A line in UTF-8 in a file read as GBK, at this byte.
    Mixed { byte: u64 },
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::NotText { utf16: true, byte } => write!(f, "not UTF-16 text at byte {byte}"),
            Unreadable::NotText { utf16: false, byte } => write!(f, "not GB18030 text at byte {byte}"),
            Unreadable::RowTooLong => write!(f, "a row longer than {MAX_ROW_BYTES} bytes"),
            Unreadable::Utf16WithoutBom => write!(f, "UTF-16 text without a byte-order mark"),
            Unreadable::Encoding(name) => write!(f, "text in {name}"),
            Unreadable::Mixed { byte } => write!(f, "a UTF-8 line in GBK text at byte {byte}"),
        }
    }
}

impl std::error::Error for Unreadable {}

impl Unreadable {
    fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }

    /// The `Unreadable` inside an error of the CSV reader, if that is what it is.
    pub(super) fn of(e: &io::Error) -> Option<&Unreadable> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<Unreadable>())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing read yet: a byte-order mark decides.
    Start,
    /// ASCII so far, which reads the same in UTF-8 and GB18030: the first other byte decides.
    Ascii,
    /// UTF-8, passed on as it is: the CSV reader checks every row and says which one is not.
    Utf8,
    /// UTF-16 or GB18030, decoded to UTF-8 by `decoder`.
    Decode { utf16: bool },
}

/// A reader of a CSV file's bytes that gives UTF-8: UTF-8 with or without a BOM (dropped),
/// UTF-16 with a BOM, else GB18030 (which covers GBK), as `table::decode_text` reads a whole
/// file. Without a BOM the first `SNIFF_BYTES` from the first byte that is not ASCII decide:
/// UTF-8 if they are UTF-8, else GB18030. Bad bytes are an error, not U+FFFD: a registry of
/// public money stores no guessed characters.
pub(super) struct Decoded<R> {
    inner: R,
    /// Bytes read from `inner`; `raw[at..]` are not used yet.
    raw: Vec<u8>,
    at: usize,
    eof: bool,
    /// Bytes of the file before `raw[at]`.
    used: u64,
    mode: Mode,
    decoder: Option<encoding_rs::Decoder>,
    /// Decoded text not handed on yet: `out[out_at..out_len]`. `out` is allocated (and
    /// zeroed) once, at `CHUNK` bytes, and reused.
    out: Vec<u8>,
    out_at: usize,
    out_len: usize,
    /// Where reads from `inner` land before they join `raw`: allocated once, so that a source
    /// that hands out a few bytes at a time (a pipe) does not cost a zeroed chunk per read.
    scratch: Vec<u8>,
    /// Where the first bad bytes are; every later read fails there.
    failed: Option<u64>,
    /// Why the text cannot be read on (a refused encoding, a line in another encoding): every
    /// read fails with it once the text before it is handed on.
    stopped: Option<Unreadable>,
    /// In GBK: where the next line not yet checked for UTF-8 starts (bytes of the file).
    checked: u64,
    /// In GBK: where the first line that is UTF-8 starts.
    mixed: Option<u64>,
}

impl<R: Read> Decoded<R> {
    pub(super) fn new(inner: R) -> Decoded<R> {
        Decoded {
            inner,
            raw: Vec::new(),
            at: 0,
            eof: false,
            used: 0,
            mode: Mode::Start,
            decoder: None,
            out: Vec::new(),
            out_at: 0,
            out_len: 0,
            scratch: Vec::new(),
            failed: None,
            stopped: None,
            checked: 0,
            mixed: None,
        }
    }

    /// Reads until `raw[at..]` holds at least `n` bytes or the file ends.
    fn fill(&mut self, n: usize) -> io::Result<()> {
        if self.raw.len() - self.at >= n {
            return Ok(());
        }
        self.raw.drain(..self.at);
        self.at = 0;
        if self.scratch.is_empty() {
            self.scratch = vec![0; CHUNK];
        }
        while self.raw.len() < n && !self.eof {
            match self.inner.read(&mut self.scratch) {
                Ok(0) => self.eof = true,
                Ok(got) => self.raw.extend_from_slice(&self.scratch[..got]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Hands on up to `n` bytes of `raw` as they are.
    fn pass(&mut self, buf: &mut [u8], n: usize) -> usize {
        let n = n.min(buf.len());
        buf[..n].copy_from_slice(&self.raw[self.at..self.at + n]);
        self.skip(n);
        n
    }

    fn skip(&mut self, n: usize) {
        self.at += n;
        self.used += n as u64;
    }

    fn choose(&mut self, mode: Mode) {
        self.mode = mode;
        self.decoder = match mode {
            Mode::Decode { utf16: true } if self.raw[self.at..].starts_with(&[0xFE, 0xFF]) => {
                Some(encoding_rs::UTF_16BE.new_decoder_without_bom_handling())
            }
            Mode::Decode { utf16: true } => Some(encoding_rs::UTF_16LE.new_decoder_without_bom_handling()),
            Mode::Decode { utf16: false } => Some(encoding_rs::GB18030.new_decoder_without_bom_handling()),
            _ => None,
        };
    }

    /// In GBK: checks the lines of `raw[at..]` not checked yet, and says how many bytes may be
    /// decoded: up to the first line that is UTF-8, else the lines checked (or all of it when
    /// one line fills the buffer, or at the end of the file).
    fn check_lines(&mut self) -> usize {
        let raw = &self.raw[self.at..];
        let base = self.used;
        if let Some(byte) = self.mixed_at() {
            return byte.saturating_sub(base) as usize;
        }
        let mut from = self.checked.saturating_sub(base) as usize;
        while from < raw.len() {
            let end = match memchr::memchr(b'\n', &raw[from..]) {
                Some(i) => from + i,
                None if self.eof => raw.len(),
                None => break,
            };
            if super::encoding::utf8_line_in_gbk(&raw[from..end]) {
                self.mixed = Some(base + from as u64);
                return from;
            }
            from = (end + 1).min(raw.len());
        }
        self.checked = base + from as u64;
        if from == 0 && !self.eof {
            // One line longer than the buffer: decoded unchecked.
            return raw.len();
        }
        from
    }

    fn mixed_at(&self) -> Option<u64> {
        self.mixed
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.out_at < self.out_len {
                let n = (self.out_len - self.out_at).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
                self.out_at += n;
                return Ok(n);
            }
            if let Some(byte) = self.failed {
                let utf16 = self.mode == Mode::Decode { utf16: true };
                return Err(Unreadable::NotText { utf16, byte }.into_io());
            }
            if let Some(why) = self.stopped {
                return Err(why.into_io());
            }
            match self.mode {
                Mode::Start => {
                    self.fill(512)?;
                    let head = &self.raw[self.at..];
                    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
                        self.skip(3);
                        self.choose(Mode::Utf8);
                    } else if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
                        self.choose(Mode::Decode { utf16: true });
                        self.skip(2);
                    } else if super::encoding::is_utf16_without_bom(head) {
                        self.stopped = Some(Unreadable::Utf16WithoutBom);
                        self.choose(Mode::Ascii);
                    } else {
                        self.choose(Mode::Ascii);
                    }
                }
                Mode::Ascii => {
                    self.fill(1)?;
                    let rest = &self.raw[self.at..];
                    if rest.is_empty() {
                        return Ok(0);
                    }
                    match rest.iter().position(|b| !b.is_ascii()) {
                        Some(0) => {
                            self.fill(SNIFF_BYTES)?;
                            // The same window as `table::decode_text` looks at.
                            let end = self.raw.len().min(self.at + SNIFF_BYTES);
                            let eof = self.eof && end == self.raw.len();
                            match super::encoding::choose(&self.raw[self.at..end], eof) {
                                Ok(Choice::Utf8) => self.choose(Mode::Utf8),
                                Ok(Choice::Gb18030) => {
                                    self.checked = self.used;
                                    self.choose(Mode::Decode { utf16: false })
                                }
                                Err(Refusal::Other(name)) => self.stopped = Some(Unreadable::Encoding(name)),
                            }
                        }
                        Some(ascii) => return Ok(self.pass(buf, ascii)),
                        None => return Ok(self.pass(buf, rest.len())),
                    }
                }
                Mode::Utf8 => {
                    self.fill(1)?;
                    let n = self.raw.len() - self.at;
                    return Ok(if n == 0 { 0 } else { self.pass(buf, n) });
                }
                Mode::Decode { utf16 } => {
                    // GBK: whole lines, each checked first (a line never ends inside a GBK
                    // character: `\n` is no trail byte), unless a line is longer than a chunk.
                    self.fill(if utf16 { 1 } else { CHUNK })?;
                    let mut take = self.raw.len() - self.at;
                    if !utf16 {
                        take = self.check_lines();
                        if take == 0 {
                            if let Some(byte) = self.mixed_at() {
                                self.stopped = Some(Unreadable::Mixed { byte });
                                continue;
                            }
                        }
                    }
                    let last = self.eof && take == self.raw.len() - self.at;
                    let Some(decoder) = self.decoder.as_mut() else {
                        return Ok(0);
                    };
                    if self.out.is_empty() {
                        self.out = vec![0; CHUNK];
                    }
                    let (result, read, written) = decoder.decode_to_utf8_without_replacement(
                        &self.raw[self.at..self.at + take],
                        &mut self.out,
                        last,
                    );
                    self.out_len = written;
                    self.out_at = 0;
                    self.skip(read);
                    match result {
                        encoding_rs::DecoderResult::Malformed(bad, after) => {
                            self.failed = Some(self.used.saturating_sub(u64::from(bad) + u64::from(after)));
                        }
                        // The decoder has had the last byte: it must not be called again.
                        encoding_rs::DecoderResult::InputEmpty if last => self.decoder = None,
                        _ => {}
                    }
                }
            }
        }
    }
}

/// The text the CSV reader reads, with its line breaks counted: `\n`, `\r\n` and a lone `\r`
/// each end a line, as the CSV reader ends a record at each (and as editors number lines).
/// The reader's `Position::line()` counts `\n` only, and places a record's start before the
/// line breaks that precede it, so the count is kept here.
pub(super) struct Counted<R> {
    inner: R,
    /// Bytes handed on so far.
    read: u64,
    /// Runs of adjacent line-break bytes not yet behind a record's start: (offset of the
    /// run's first byte, line breaks in it). Blank lines are one run, so there is about one
    /// entry per line of the read-ahead.
    runs: VecDeque<(u64, u64)>,
    /// Just past the last line-break byte, and whether that byte was `\r`.
    break_end: u64,
    after_cr: bool,
    /// The line of the last record asked about.
    line: usize,
    /// Where the row being read starts (just past the last record read).
    row_start: u64,
}

impl<R: Read> Counted<R> {
    pub(super) fn new(inner: R) -> Counted<R> {
        Counted {
            inner,
            read: 0,
            runs: VecDeque::new(),
            break_end: u64::MAX,
            after_cr: false,
            line: 1,
            row_start: 0,
        }
    }

    /// The line of a record that the CSV reader says starts at byte `start` (called in
    /// increasing order). The breaks before `start`, and those right at it (the reader's start
    /// may lie before the blank lines it skipped, or between a CRLF's CR and LF), are behind
    /// the record's first cell.
    pub(super) fn line_at(&mut self, start: u64) -> usize {
        while let Some(&(at, breaks)) = self.runs.front() {
            if at > start {
                break;
            }
            self.line += breaks as usize;
            self.runs.pop_front();
        }
        self.line
    }

    /// The last record read ends at `end`: the next row starts there.
    pub(super) fn row_ends(&mut self, end: u64) {
        self.row_start = end;
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The CSV reader reads at most its buffer ahead of the row it is in.
        if self.read.saturating_sub(self.row_start) > MAX_ROW_BYTES + CHUNK as u64 {
            return Err(Unreadable::RowTooLong.into_io());
        }
        let n = self.inner.read(buf)?;
        for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
            let at = self.read + i as u64;
            let adjacent = at == self.break_end;
            // A CRLF is one break: its CR counted it.
            let breaks = u64::from(!(adjacent && self.after_cr && buf[i] == b'\n'));
            match self.runs.back_mut() {
                Some(run) if adjacent => run.1 += breaks,
                _ => self.runs.push_back((at, breaks)),
            }
            self.break_end = at + 1;
            self.after_cr = buf[i] == b'\r';
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// The hash of every byte read through a `Hashed`, shared with whoever opened it.
#[derive(Clone, Default)]
pub(super) struct Digest(Rc<RefCell<xxhash_rust::xxh3::Xxh3>>);

impl Digest {
    pub(super) fn value(&self) -> u64 {
        self.0.borrow().digest()
    }
}

/// A file's bytes, hashed as they go by.
pub(super) struct Hashed<R> {
    inner: R,
    digest: Digest,
}

impl<R> Hashed<R> {
    pub(super) fn new(inner: R, digest: Digest) -> Hashed<R> {
        Hashed { inner, digest }
    }
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.0.borrow_mut().update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads one byte at a time: every chunk boundary falls inside a character, a BOM, a CRLF.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn decode(bytes: &[u8]) -> io::Result<String> {
        let mut text = Vec::new();
        Decoded::new(Trickle(bytes)).read_to_end(&mut text)?;
        String::from_utf8(text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    #[test]
    fn decodes_each_encoding_a_byte_at_a_time() {
        let text = "编码,名称\r\n1,西苑街道 𠮷\r\n";
        assert_eq!(decode(text.as_bytes()).unwrap(), text);
        assert_eq!(decode(&[b"\xEF\xBB\xBF", text.as_bytes()].concat()).unwrap(), text);
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(decode(&gb).unwrap(), text);
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), text);
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap(), text);
    }

    #[test]
    fn ascii_first_then_gbk_is_gbk() {
        // A megabyte of ASCII decides nothing: the first Chinese character does.
        let text = format!("{}\n备注\n", "a,1\n".repeat(SNIFF_BYTES / 2));
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let mut out = String::new();
        Decoded::new(&gbk[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn a_character_cut_at_the_sniffed_window_is_still_utf8() {
        // The window ends inside a three-byte character.
        let text = format!("中{}", "文".repeat(SNIFF_BYTES / 3 + 10));
        let mut out = String::new();
        Decoded::new(text.as_bytes()).read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn bad_bytes_fail_where_they_are() {
        let mut gb = encoding_rs::GB18030.encode("名称\n西苑\n").0.into_owned();
        let at = gb.len() as u64;
        gb.extend_from_slice(&[0x81, 0x20, b'\n']);
        let mut out = Vec::new();
        let e = Decoded::new(&gb[..]).read_to_end(&mut out).unwrap_err();
        assert!(
            matches!(Unreadable::of(&e), Some(Unreadable::NotText { utf16: false, byte }) if *byte == at),
            "{e}"
        );
        // Everything before them was handed on.
        assert_eq!(out, "名称\n西苑\n".as_bytes());
    }

    #[test]
    fn counts_lf_crlf_and_lone_cr_across_chunks() {
        // a, b, c, d and e are on lines 1, 2, 4, 5 and 7.
        let text = b"a\r\nb\n\nc\rd\r\r\ne";
        let mut counted = Counted::new(Trickle(text));
        let mut sink = Vec::new();
        counted.read_to_end(&mut sink).unwrap();
        // Record starts as the CSV reader may give them: at a CRLF's LF, before blank lines.
        assert_eq!(counted.line_at(0), 1);
        assert_eq!(counted.line_at(2), 2);
        assert_eq!(counted.line_at(5), 4);
        assert_eq!(counted.line_at(8), 5);
        assert_eq!(counted.line_at(10), 7);
    }
}

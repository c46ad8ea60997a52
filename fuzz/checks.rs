// What every fuzz target checks, shared with `tests/fuzz_regressions.rs` (which replays the
// saved inputs and runs random bytes on the stable toolchain): `include!`d by the targets and
// `#[path]`-included by the test, so both run exactly the same code.
//
// The rule for all of them: any input gives a result or an error, never a panic. Where a
// parser accepts an input, what it gives back must also round trip.

#[allow(unused_imports)]
use shegong::domain::{BudgetEntry, Evaluation, Fen, PartialDate, Training};
#[allow(unused_imports)]
use shegong::store::codec::{bucket_total, decode_total, encode_total, Page, Stored, UnitRow};

/// Money (`Fen::parse`): accepted text gives fen that print and parse back to the same fen.
#[allow(dead_code)]
pub fn money(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fen) = Fen::parse(text) {
        assert_eq!(Fen::parse(&fen.plain()), Ok(fen), "plain form of {text:?}");
        assert_eq!(Fen::parse(&fen.yuan()), Ok(fen), "yuan form of {text:?}");
        let _ = (fen.wan(), fen.human(), fen.to_string());
        let _ = fen.checked_neg().map(|n| n.plain());
    }
}

/// Dates (`PartialDate::parse`, `--as-of`): accepted text prints and parses back; its period
/// starts no later than it ends.
#[allow(dead_code)]
pub fn date(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = PartialDate::parse(text) {
        assert_eq!(PartialDate::parse(&d.to_string()), Ok(d), "printed form of {text:?}");
        assert!(d.start() <= d.end(), "{text:?}: starts after it ends");
        let _ = (d.end_day(), d.is_full());
    }
    let _ = shegong::domain::date::parse_as_of(text);
}

/// The importer: any bytes are read as a sheet (CSV in any encoding, a workbook, JSON) and
/// parsed as each kind into records or a list of problems, each of which renders.
#[allow(dead_code)]
pub fn csv(data: &[u8]) {
    use shegong::i18n::Lang;
    use shegong::interchange::{self, render_problems, Kind, ParsedFile};
    for kind in Kind::ALL {
        match interchange::parse_file(kind, data) {
            Ok(ParsedFile::Units(p)) => p.records.iter().for_each(|u| {
                let _ = u.validate();
            }),
            Ok(ParsedFile::Evaluations(p)) => p.records.iter().for_each(|r| {
                let _ = (r.validate(), shegong::rollup::evaluation_delta(r));
            }),
            Ok(ParsedFile::Trainings(p)) => p.records.iter().for_each(|r| {
                let _ = (r.validate(), shegong::rollup::training_delta(r));
            }),
            Ok(ParsedFile::Budget(p)) => p.records.iter().for_each(|r| {
                let _ = (r.validate(), shegong::rollup::budget_delta(r));
            }),
            Err(problems) => {
                assert!(!problems.is_empty(), "refused without a problem");
                let _ = render_problems("f.csv", &problems, Lang::Zh);
                let _ = render_problems("f.csv", &problems, Lang::En);
            }
        }
    }
}

/// Workbooks (.xlsx, .ods, .xls) read within bounded memory: any bytes behind a zip's magic
/// number go to the importer as a workbook (run with `-rss_limit_mb=1024`: a sheet that
/// claims or repeats more cells than it holds must be refused, not allocated).
#[allow(dead_code)]
pub fn workbook(data: &[u8]) {
    if shegong::interchange::is_workbook(data) {
        csv(data);
    } else {
        csv(&[&b"PK\x03\x04"[..], data].concat());
    }
}

/// JSON arrays read exactly and within bounded memory: any bytes behind a `[` go to the
/// importer as JSON; an accepted amount is the amount its text says.
#[allow(dead_code)]
pub fn json(data: &[u8]) {
    if data.first() == Some(&b'[') {
        csv(data);
    } else {
        csv(&[&b"["[..], data].concat());
    }
}

/// The CSV reader `shegong import` uses on a file (`read_csv`: decoded and split as the bytes
/// stream by), fed in chunks whose sizes come from the input's first byte so that chunk ends
/// fall inside characters, byte-order marks, CRLFs and quoted cells: it never panics, and where
/// the whole-file reader reads the bytes, it reads the same header, rows and lines; then every
/// kind is parsed from it.
#[allow(dead_code)]
pub fn csv_stream(data: &[u8]) {
    use shegong::interchange::{open_csv, parse_sheet_with, read_csv, Kind, Problems, Sheet};
    type Rows = (Vec<String>, usize, Vec<(usize, Vec<String>)>);
    fn rows_of(sheet: Result<Sheet, Problems>) -> Result<Rows, Problems> {
        let mut sheet = sheet?;
        let mut record = csv::StringRecord::new();
        let mut rows = Vec::new();
        while let Some(line) = sheet.next_row(&mut record).map_err(Problems::one)? {
            rows.push((line, record.iter().map(str::to_string).collect()));
        }
        Ok((sheet.headers.clone(), sheet.header_line, rows))
    }
    struct Chunks<'a> {
        bytes: &'a [u8],
        size: usize,
    }
    impl std::io::Read for Chunks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.size.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let size = usize::from(first % 17) + 1;
    let streamed = rows_of(read_csv(Chunks { bytes, size }));
    let whole = rows_of(open_csv(bytes));
    if whole.is_ok() {
        assert_eq!(whole, streamed, "the stream reads otherwise than the whole file");
    }
    for kind in Kind::ALL {
        if let Ok(mut sheet) = read_csv(Chunks { bytes, size }) {
            let _ = parse_sheet_with(kind, &mut sheet, None);
        }
    }
}

fn round_trip<T: Stored + PartialEq + std::fmt::Debug>(value: &T) {
    assert_eq!(
        T::decode(&value.encode().expect("a decoded value encodes again")).as_ref(),
        Ok(value),
        "{} does not round trip",
        T::NAME
    );
}

fn record_uses(bytes: &[u8]) {
    if let Ok(e) = Evaluation::decode(bytes) {
        round_trip(&e);
        let _ = (e.validate(), shegong::rollup::evaluation_delta(&e), e.effective_grade());
    }
    if let Ok(t) = Training::decode(bytes) {
        round_trip(&t);
        let _ = (t.validate(), shegong::rollup::training_delta(&t), t.served());
    }
    if let Ok(b) = BudgetEntry::decode(bytes) {
        round_trip(&b);
        let _ = (b.validate(), shegong::rollup::budget_delta(&b));
    }
}

/// The stored-value decoders (`store::codec`): any bytes decode to a value or an error; a value
/// encodes and decodes to itself, and what reports and `check` do with it does not panic.
/// The first byte picks the decoder, so that the fuzzer can steer each one.
#[allow(dead_code)]
pub fn codec(data: &[u8]) {
    use shegong::rollup::{self, YearBucket};
    use shegong::store::keys;
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 8 {
        0 => {
            if let Ok(row) = UnitRow::decode(bytes) {
                round_trip(&row);
                let _ = (
                    row.unit.validate(),
                    rollup::unit_events(&row.unit, row.first_evaluation),
                );
                let _ = row
                    .unit
                    .covered_on(chrono::NaiveDate::from_ymd_opt(2021, 11, 9).unwrap());
            }
        }
        1 => {
            if let Ok(page) = Page::decode(bytes) {
                round_trip(&page);
                for entry in &page.entries {
                    record_uses(&entry.record);
                }
            }
        }
        2 => record_uses(bytes),
        3 | 4 => {
            let total = bucket_total(bytes);
            if let Ok(bucket) = YearBucket::decode(bytes) {
                round_trip(&bucket);
                assert_eq!(total.as_ref(), Ok(&bucket.total), "the head disagrees with the bucket");
                for day in [i32::MIN, 0, 738_000, i32::MAX] {
                    let _ = bucket.until(day);
                }
            }
        }
        5 => {
            // A year's total, kept apart from its days.
            if let Ok(total) = decode_total(bytes) {
                assert_eq!(
                    decode_total(&encode_total(&total).expect("a decoded total encodes again")).as_ref(),
                    Ok(&total),
                    "a year total does not round trip"
                );
            }
        }
        6 => {
            if let Ok(entry) = shegong::store::JournalEntry::decode(bytes) {
                round_trip(&entry);
            }
        }
        _ => {
            let _ = (keys::read_u32(bytes), keys::parse_bucket_key(bytes));
            if let Some(k) = keys::RecordKey::parse(bytes) {
                assert_eq!(keys::RecordKey::parse(&k.bytes()), Some(k));
                assert_eq!(keys::RecordKey::from_text(&k.to_text()), Some(k));
                let _ = k.page();
            }
            if let Ok(text) = std::str::from_utf8(bytes) {
                let _ = keys::RecordKey::from_text(text);
            }
        }
    }
}

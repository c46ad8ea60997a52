//! One parser per field kind of the SPEC's file formats, used by the importer (cells of CSV,
//! XLSX and JSON rows) and the UI forms alike, and the one wording of what is wrong with a
//! field's value. The importer puts `FILE:LINE: column:` around a `FieldError`, the form puts it
//! under the field: the same bad value reads the same in both places.
//!
//! Each parser takes the text as typed or read (the caller trims it) and returns the domain
//! value, or a `FieldError` that says what was given and what is accepted. An empty text is
//! `FieldError::Empty`: the caller decides whether the field is required (`Problem::required`)
//! or optional (`optional`: empty = not stated).
//!
//! The rules that need the whole record (spent against allocated, closing after opening, score
//! against grade, the text cap, phone numbers, ID numbers in any text, codes) are the records'
//! own `validate` (`records.rs`, `privacy.rs`), which both callers run after these parsers.
//!
//! Speed: an import reads a million budget rows through `date` and `money`. Their common forms
//! (`2021-11-08`, `1700000`, `-20.5`) are read without allocating; a `FieldError` allocates,
//! but only for a value that is wrong.

use super::date::{DateError, PartialDate, MAX_YEAR, MIN_YEAR};
use super::money::{to_halfwidth, Fen, MoneyError};
use super::problem::Problem;
use super::records::{MAX_CODE_LEN, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::i18n::Lang;
use crate::words::{say, P};
use std::borrow::Cow;
use std::fmt;

/// The most hours one training session may state, in tenths (10,000 hours).
pub const MAX_HOURS_TENTHS: u32 = 100_000;
/// The highest score, in tenths (100 points).
pub const MAX_SCORE_TENTHS: u32 = 1_000;

/// What is wrong with one field's value. The given text is kept as a message shows it
/// (`shown`: clipped, ID numbers masked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    /// Nothing was given.
    Empty,
    /// Not a date in any accepted form.
    DateUnreadable(String),
    /// A date's form, but no such day (2021-02-30) or a year out of range.
    DateOutOfRange(String),
    /// Not an amount in any accepted form.
    MoneyUnreadable(String),
    /// More than two decimals of a yuan: amounts are exact to the fen.
    MoneyDecimals(String),
    /// More than an amount can hold.
    MoneyTooLarge(String),
    /// Not a number from 0 to `max` (whole units) with at most one decimal.
    Tenths { given: String, max: u32 },
    /// Not a whole number of 0 or more.
    Count(String),
    /// Not one of a word list's words; `choices` lists them (`a/甲, b/乙`).
    Word { given: String, choices: String },
    /// Not a unit's code (1–32 of `0-9 A-Z a-z _ -`).
    Code(String),
    /// Not a phone number.
    Phone(String),
    /// More characters than the field holds.
    TooLong { max: usize, has: usize },
    /// A record's id of more than `MAX_ID_CHARS` characters.
    IdTooLong,
    /// Text holding a resident ID number, from character `at` (1-based); never echoed.
    IdNumber { at: usize },
}

/// A value as a message echoes it: at most 40 characters, so that a huge bad cell does not
/// flood the clerk's screen, and an ID number in it shown as `*`s (a message never echoes one).
pub fn shown(text: &str) -> Cow<'_, str> {
    let text = super::privacy::mask_id_numbers(text);
    match text.char_indices().nth(40) {
        None => text,
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
    }
}

fn given(text: &str) -> String {
    shown(text).into_owned()
}

impl FieldError {
    /// The message, in one language (without the field's name: the caller places it).
    pub fn message(&self, lang: Lang) -> String {
        let (key, args) = self.words();
        let args: Vec<&dyn fmt::Display> = args.iter().map(|a| a.as_ref() as &dyn fmt::Display).collect();
        say(lang, key, &args)
    }

    /// The catalogue's key of the message and its arguments.
    fn words(&self) -> (P, Vec<Box<dyn fmt::Display + '_>>) {
        use FieldError::*;
        match self {
            Empty => (P::Required, vec![]),
            DateUnreadable(s) => (P::DateUnreadable, vec![Box::new(s)]),
            DateOutOfRange(s) => (
                P::DateNotReal,
                vec![Box::new(s), Box::new(MIN_YEAR), Box::new(MAX_YEAR)],
            ),
            MoneyUnreadable(s) => (P::MoneyUnreadable, vec![Box::new(s)]),
            MoneyDecimals(s) => (P::MoneyDecimals, vec![Box::new(s)]),
            MoneyTooLarge(s) => (P::MoneyTooLarge, vec![Box::new(s)]),
            Tenths { given, max } => (P::NotTenths, vec![Box::new(given), Box::new(max)]),
            Count(s) => (P::NotACount, vec![Box::new(s)]),
            Word { given, choices } => (P::NotAWord, vec![Box::new(given), Box::new(choices)]),
            Code(s) => (P::BadCode, vec![Box::new(s)]),
            Phone(s) => (P::BadPhone, vec![Box::new(s)]),
            TooLong { max, has } => (P::TooManyCharacters, vec![Box::new(max), Box::new(has)]),
            IdTooLong => (P::AtMostCharacters, vec![Box::new(MAX_ID_CHARS)]),
            IdNumber { at } => (P::LooksLikeResidentId, vec![Box::new(at)]),
        }
    }

    /// The problem of `field` (its English column name), in both languages.
    pub fn problem(&self, field: &'static str) -> Problem {
        let (key, args) = self.words();
        let args: Vec<&dyn fmt::Display> = args.iter().map(|a| a.as_ref() as &dyn fmt::Display).collect();
        Problem::said(field, key, &args)
    }
}

/// An optional field: empty is "not stated" (`None`), anything else must parse.
pub fn optional<T>(parsed: Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    match parsed {
        Ok(v) => Ok(Some(v)),
        Err(FieldError::Empty) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A full or partial date: `2021-11-08`, `2021/11/8`, `2021.11.8`, `2021年11月8日`, `2021-11`,
/// `2021年11月`, `2021`, in full-width digits too.
pub fn date(raw: &str) -> Result<PartialDate, FieldError> {
    if let Some(d) = fast_date(raw) {
        return Ok(d);
    }
    PartialDate::parse(raw).map_err(|e| match e {
        DateError::Empty => FieldError::Empty,
        DateError::Unreadable(_) => FieldError::DateUnreadable(given(raw)),
        DateError::OutOfRange(_) => FieldError::DateOutOfRange(given(raw)),
    })
}

/// An amount in yuan, to whole fen: `1700000`, `1,700,000.00`, `¥300`, `170万`, `1.5万元`,
/// negative for a correction. Exact (no float) and checked.
pub fn money(raw: &str) -> Result<Fen, FieldError> {
    if let Some(f) = fast_money(raw) {
        return Ok(f);
    }
    Fen::parse(raw).map_err(|e| match e {
        MoneyError::Empty => FieldError::Empty,
        MoneyError::TooManyDecimals(_) => FieldError::MoneyDecimals(given(raw)),
        MoneyError::TooLarge(_) => FieldError::MoneyTooLarge(given(raw)),
        MoneyError::NotANumber(_) => FieldError::MoneyUnreadable(given(raw)),
    })
}

/// A number with at most one decimal, in tenths, from 0 to `max_tenths`: `12`, `12.5`, `１２．５`.
pub fn tenths(raw: &str, max_tenths: u32) -> Result<u32, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::Empty);
    }
    parse_tenths(&to_halfwidth(raw.trim()))
        .filter(|t| *t <= max_tenths)
        .ok_or_else(|| FieldError::Tenths {
            given: given(raw),
            max: max_tenths / 10,
        })
}

/// A training's hours, in tenths (`2.5` → 25).
pub fn hours(raw: &str) -> Result<u32, FieldError> {
    tenths(raw, MAX_HOURS_TENTHS)
}

/// An evaluation's score, in tenths of a point, 0 to 100 (`85.5` → 855).
pub fn score(raw: &str) -> Result<u16, FieldError> {
    // At most MAX_SCORE_TENTHS, which fits.
    tenths(raw, MAX_SCORE_TENTHS).map(|t| t as u16)
}

/// A count (attendees, staff): a whole number of 0 or more, in full-width digits too.
pub fn count(raw: &str) -> Result<u32, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::Empty);
    }
    let half = to_halfwidth(t);
    match half.parse::<u32>() {
        Ok(n) if half.bytes().all(|c| c.is_ascii_digit()) => Ok(n),
        _ => Err(FieldError::Count(given(raw))),
    }
}

/// One word of a list (a level, station status, evaluation kind, grade, training kind or
/// mode, budget kind, category, source): its English or Chinese word. `parse` and `choices`
/// are the list's own (`Level::parse`, `Level::choices`, ...).
pub fn word<W>(raw: &str, parse: fn(&str) -> Option<W>, choices: fn() -> String) -> Result<W, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::Empty);
    }
    parse(raw).ok_or_else(|| FieldError::Word {
        given: given(raw),
        choices: choices(),
    })
}

/// A unit's code: 1–32 of `0-9 A-Z a-z _ -`.
pub fn code(raw: &str) -> Result<&str, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::Empty);
    }
    let ok_chars = raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok_chars || raw.len() > MAX_CODE_LEN {
        // Never echo an ID number typed where a code goes.
        return Err(FieldError::Code(super::privacy::mask_id_numbers(raw).into_owned()));
    }
    Ok(raw)
}

/// A phone number (or several, separated by `、` `,` `;` `/`): digits, spaces, `+`, `-`,
/// parentheses, and an extension (`转 801`, `分机 801`, `ext. 801`, `x801`); full-width forms
/// read as ASCII. Empty is allowed (the field is optional): it is `Ok`.
pub fn phone(raw: &str) -> Result<&str, FieldError> {
    if raw.trim().is_empty() {
        return Ok(raw);
    }
    let half = to_halfwidth(raw);
    let mut rest = half.to_lowercase();
    for word in ["分机", "转", "ext.", "ext", "x"] {
        rest = rest.replace(word, " ");
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-()、,;/；，".contains(c);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if rest.chars().all(allowed) && digits >= 3 {
        return Ok(raw);
    }
    Err(FieldError::Phone(super::privacy::mask_id_numbers(raw).into_owned()))
}

/// Free text (note, address, evaluator, topic, voucher, ...): at most `MAX_TEXT_CHARS`
/// characters. Empty is allowed. (An ID number in it is `no_id_number`'s to refuse.)
pub fn text(raw: &str) -> Result<&str, FieldError> {
    at_most(raw, MAX_TEXT_CHARS)
}

/// A unit's name: required, at most `MAX_NAME_CHARS` characters.
pub fn name(raw: &str) -> Result<&str, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::Empty);
    }
    at_most(raw, MAX_NAME_CHARS)
}

fn at_most(raw: &str, max: usize) -> Result<&str, FieldError> {
    // Bytes first: a string of at most `max` bytes cannot have more characters.
    if raw.len() <= max {
        return Ok(raw);
    }
    let has = raw.chars().count();
    if has > max {
        return Err(FieldError::TooLong { max, has });
    }
    Ok(raw)
}

/// The most characters a record's id may have.
pub const MAX_ID_CHARS: usize = 64;

/// A record's id (a file's `id` column; the UI makes its own): at most `MAX_ID_CHARS`.
pub fn record_id(raw: &str) -> Result<&str, FieldError> {
    if raw.chars().count() > MAX_ID_CHARS {
        return Err(FieldError::IdTooLong);
    }
    Ok(raw)
}

/// Text that holds no resident ID number (`privacy.rs`): shegong never keeps one.
pub fn no_id_number(raw: &str) -> Result<&str, FieldError> {
    match super::privacy::find_id_number(raw) {
        Some(at) => Err(FieldError::IdNumber { at }),
        None => Ok(raw),
    }
}

/// `2021-11-08` read without allocating; `None` means "use the full parser" (other forms and
/// every error go there, so the result is always the full parser's).
fn fast_date(s: &str) -> Option<PartialDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digit = |i: usize| -> Option<u32> {
        let c = b[i];
        c.is_ascii_digit().then(|| (c - b'0') as u32)
    };
    let num =
        |r: std::ops::Range<usize>| -> Option<u32> { r.into_iter().try_fold(0, |acc, i| Some(acc * 10 + digit(i)?)) };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(MIN_YEAR as u32..=MAX_YEAR as u32).contains(&year) || month == 0 || day == 0 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
    Some(PartialDate {
        year: year as u16,
        month: month as u8,
        day: day as u8,
    })
}

/// `1700000`, `-20.5`, `1200.50` read without allocating; `None` means "use the full parser".
fn fast_money(s: &str) -> Option<Fen> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    // 15 digits of yuan and 2 of fen stay far below i64::MAX: no overflow to check.
    if int.is_empty()
        || int.len() > 15
        || frac.len() > 2
        || (digits.contains('.') && frac.is_empty())
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut fen: i64 = 0;
    for c in int.bytes() {
        fen = fen * 10 + (c - b'0') as i64;
    }
    let mut cents = 0i64;
    for (i, c) in frac.bytes().enumerate() {
        cents += (c - b'0') as i64 * if i == 0 { 10 } else { 1 };
    }
    let fen = fen * 100 + cents;
    Some(Fen(if negative { -fen } else { fen }))
}

/// `12`, `12.5` → tenths (ASCII digits only: callers make full-width ones plain first);
/// anything else is None.
pub fn parse_tenths(raw: &str) -> Option<u32> {
    let (int, frac) = match raw.split_once('.') {
        Some((i, f)) => (i, f),
        None => (raw, ""),
    };
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 1
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = int.parse().ok()?;
    let tenth: u32 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    whole.checked_mul(10)?.checked_add(tenth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn en(e: FieldError) -> String {
        e.message(Lang::En)
    }

    #[test]
    fn dates_in_every_accepted_form() {
        let d = |y, m, day| PartialDate { year: y, month: m, day };
        assert_eq!(date("2021-11-08"), Ok(d(2021, 11, 8)));
        assert_eq!(date("2021/11/8"), Ok(d(2021, 11, 8)));
        assert_eq!(date("2021.11.8"), Ok(d(2021, 11, 8)));
        assert_eq!(date("2021年11月8日"), Ok(d(2021, 11, 8)));
        assert_eq!(date("２０２１－１１－０８"), Ok(d(2021, 11, 8)));
        assert_eq!(date("2021-11"), Ok(d(2021, 11, 0)));
        assert_eq!(date("2021年11月"), Ok(d(2021, 11, 0)));
        assert_eq!(date("2021"), Ok(d(2021, 0, 0)));
    }

    #[test]
    fn dates_refused_say_what_was_given_and_what_is_accepted() {
        assert_eq!(date(""), Err(FieldError::Empty));
        assert_eq!(date("去年"), Err(FieldError::DateUnreadable("去年".into())));
        assert_eq!(date("21-11-08"), Err(FieldError::DateUnreadable("21-11-08".into())));
        assert_eq!(date("2021-02-30"), Err(FieldError::DateOutOfRange("2021-02-30".into())));
        assert_eq!(date("1899"), Err(FieldError::DateOutOfRange("1899".into())));
        assert_eq!(date("3000-01-01"), Err(FieldError::DateOutOfRange("3000-01-01".into())));
        let m = en(date("去年").unwrap_err());
        assert!(
            m.contains("“去年”") && m.contains("2021/11/8") && m.contains("2021-11"),
            "{m}"
        );
        let m = date("2021-13-01").unwrap_err().message(Lang::Zh);
        assert!(m.contains("“2021-13-01”") && m.contains("1900–2999"), "{m}");
    }

    #[test]
    fn money_in_every_accepted_form() {
        assert_eq!(money("1700000"), Ok(Fen(170_000_000)));
        assert_eq!(money("-20.5"), Ok(Fen(-2050)));
        assert_eq!(money("1,700,000.00"), Ok(Fen(170_000_000)));
        assert_eq!(money("¥300"), Ok(Fen(30_000)));
        assert_eq!(money("170万"), Ok(Fen(170_000_000)));
        assert_eq!(money("1.5万元"), Ok(Fen(1_500_000)));
        assert_eq!(money("１２．５"), Ok(Fen(1250)));
    }

    #[test]
    fn money_refused() {
        assert_eq!(money(""), Err(FieldError::Empty));
        assert_eq!(money("1.234"), Err(FieldError::MoneyDecimals("1.234".into())));
        assert_eq!(money("一百元"), Err(FieldError::MoneyUnreadable("一百元".into())));
        assert_eq!(money("12万5"), Err(FieldError::MoneyUnreadable("12万5".into())));
        let huge = "9".repeat(30);
        assert!(matches!(money(&huge), Err(FieldError::MoneyTooLarge(_))));
        assert!(en(money("x").unwrap_err()).contains("170万"));
    }

    #[test]
    fn hours_and_scores_in_tenths() {
        assert_eq!(hours("12.5"), Ok(125));
        assert_eq!(hours("3"), Ok(30));
        assert_eq!(hours("１２．５"), Ok(125));
        assert_eq!(hours("10000"), Ok(MAX_HOURS_TENTHS));
        assert_eq!(score("85.5"), Ok(855));
        assert_eq!(score("100"), Ok(1000));
        assert_eq!(hours(""), Err(FieldError::Empty));
        for bad in ["1.25", "-1", "abc", "10000.1"] {
            assert!(
                matches!(hours(bad), Err(FieldError::Tenths { max: 10_000, .. })),
                "{bad}"
            );
        }
        assert_eq!(
            en(score("101").unwrap_err()),
            "“101” is not a number from 0 to 100 with at most one decimal"
        );
        assert_eq!(parse_tenths("1.25"), None);
        assert_eq!(parse_tenths("99999999999"), None);
    }

    #[test]
    fn counts_are_whole_numbers_and_empty_is_not_stated() {
        assert_eq!(count("12"), Ok(12));
        assert_eq!(count("０"), Ok(0));
        assert_eq!(optional(count("")), Ok(None));
        assert_eq!(optional(count("3")), Ok(Some(3)));
        for bad in ["-3", "+3", "1.5", "三", "99999999999"] {
            assert_eq!(count(bad), Err(FieldError::Count(bad.into())), "{bad}");
        }
        assert_eq!(en(count("-3").unwrap_err()), "“-3” is not a whole number of 0 or more");
    }

    #[test]
    fn words_in_either_language() {
        use crate::domain::words::*;
        assert_eq!(word("street", Level::parse, Level::choices), Ok(Level::Street));
        assert_eq!(word("街道", Level::parse, Level::choices), Ok(Level::Street));
        assert_eq!(
            word("Online", TrainingMode::parse, TrainingMode::choices),
            Ok(TrainingMode::Online)
        );
        assert_eq!(word("", Grade::parse, Grade::choices), Err(FieldError::Empty));
        let e = word("spend", BudgetKind::parse, BudgetKind::choices).unwrap_err();
        let m = en(e);
        assert!(m.starts_with("“spend” is not one of the accepted words: "), "{m}");
        assert!(m.contains(&BudgetKind::choices()), "{m}");
    }

    #[test]
    fn a_message_never_echoes_an_id_number_nor_a_flood() {
        let m = en(date("11010519491231002X").unwrap_err());
        assert!(!m.contains("11010519491231002X"), "{m}");
        let long = "x".repeat(500);
        let m = en(money(&long).unwrap_err());
        assert!(m.chars().count() < 200, "{m}");
    }

    #[test]
    fn empty_is_the_required_problem() {
        assert_eq!(FieldError::Empty.problem("amount"), Problem::required("amount"));
        let p = FieldError::Count("x".into()).problem("attendees");
        assert_eq!(p.field, "attendees");
        assert_eq!(p.zh, "“x”不是不小于 0 的整数");
    }

    #[test]
    fn codes() {
        assert_eq!(code("530102001"), Ok("530102001"));
        assert_eq!(code("bj_01-a"), Ok("bj_01-a"));
        assert_eq!(code(""), Err(FieldError::Empty));
        assert_eq!(code("a b"), Err(FieldError::Code("a b".into())));
        assert_eq!(code(&"1".repeat(33)), Err(FieldError::Code("1".repeat(33))));
        let masked = code("11010519491231002X#").unwrap_err();
        assert!(!en(masked).contains("11010519491231002X"));
    }

    #[test]
    fn phone_numbers() {
        for ok in [
            "",
            "0871-6818 1234",
            "(0871) 68181234 转 801",
            "13800138000、0871-1234567",
            "１３８００１３８０００",
            "x801 0871",
        ] {
            assert_eq!(phone(ok), Ok(ok), "{ok}");
        }
        for bad in ["call me", "12", "0871-abc"] {
            assert_eq!(phone(bad), Err(FieldError::Phone(bad.into())), "{bad}");
        }
        assert!(en(phone("call me").unwrap_err()).contains("ext. 801"));
    }

    #[test]
    fn text_names_and_ids_have_their_caps() {
        let cap = "字".repeat(MAX_TEXT_CHARS);
        assert_eq!(text(&cap), Ok(cap.as_str()));
        assert_eq!(text(""), Ok(""));
        let over = "a".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            text(&over),
            Err(FieldError::TooLong {
                max: MAX_TEXT_CHARS,
                has: MAX_TEXT_CHARS + 1
            })
        );
        assert_eq!(name("翠湖"), Ok("翠湖"));
        assert_eq!(name("  "), Err(FieldError::Empty));
        assert!(matches!(
            name(&"名".repeat(MAX_NAME_CHARS + 1)),
            Err(FieldError::TooLong { .. })
        ));
        assert_eq!(record_id(&"i".repeat(MAX_ID_CHARS)).map(str::len), Ok(MAX_ID_CHARS));
        assert_eq!(record_id(&"i".repeat(MAX_ID_CHARS + 1)), Err(FieldError::IdTooLong));
    }

    #[test]
    fn id_numbers_are_refused_and_never_echoed() {
        assert_eq!(no_id_number("会议记录"), Ok("会议记录"));
        assert_eq!(
            no_id_number("号 11010519491231002X"),
            Err(FieldError::IdNumber { at: 3 })
        );
        // A wrong check character is not an ID number.
        assert_eq!(no_id_number("110105194912310021"), Ok("110105194912310021"));
        let m = FieldError::IdNumber { at: 3 }.message(Lang::Zh);
        assert!(m.starts_with("第 3 个字起像是居民身份证号码"), "{m}");
    }

    // What the mutation run (docs/TESTING.md) found the tests above left open.

    #[test]
    fn a_code_may_have_exactly_32_characters() {
        let longest = "a".repeat(MAX_CODE_LEN);
        assert_eq!(code(&longest), Ok(longest.as_str()));
    }

    #[test]
    fn the_fast_date_reads_only_hyphens_in_both_places() {
        // Ten characters with one hyphen in its place: not the fast form, and no date.
        for s in ["2021-11x08", "2021x11-08", "2021-11 08"] {
            assert_eq!(date(s), Err(FieldError::DateUnreadable(s.into())), "{s}");
        }
    }

    #[test]
    fn the_fast_money_reads_only_digits_after_the_point() {
        for s in ["1.x", "3.a", "12.5a"] {
            assert_eq!(money(s), Err(FieldError::MoneyUnreadable(s.into())), "{s}");
        }
    }

    #[test]
    fn tenths_take_no_sign_that_u32_would() {
        assert_eq!(parse_tenths("+1"), None);
        assert_eq!(parse_tenths("1.+"), None);
        assert_eq!(parse_tenths(".5"), None);
        assert!(matches!(hours("+1"), Err(FieldError::Tenths { .. })));
    }

    proptest! {
        #[test]
        fn fast_date_agrees_with_the_full_parser(y in 0u32..10000, m in 0u32..100, d in 0u32..100, sep in "[-/.]") {
            let s = format!("{y:04}{sep}{m:02}{sep}{d:02}");
            if let Some(fast) = fast_date(&s) {
                prop_assert_eq!(Ok(fast), PartialDate::parse(&s));
            } else if sep == "-" {
                prop_assert!(PartialDate::parse(&s).is_err(), "{}", s);
            }
        }

        #[test]
        fn fast_money_agrees_with_the_full_parser(s in "-?[0-9]{0,17}(\\.[0-9]{0,3})?") {
            if let Some(fast) = fast_money(&s) {
                prop_assert_eq!(Ok(fast), Fen::parse(&s));
            }
        }
    }
}

//! Money as whole fen (1/100 yuan) in an `i64`: parsing the forms clerks write, formatting
//! for people, and checked arithmetic. No float ever touches an amount.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen. Negative amounts are corrections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Fen(pub i64);

/// Why a money cell could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber(String),
    TooManyDecimals(String),
    TooLarge(String),
}

/// Text with full-width ASCII forms (`１２３`, `，`, `．`, `－`, `／`) and the ideographic space
/// made plain ASCII, for the parsers of numbers and dates (files and forms alike). Text that
/// has none is returned as it is, without a copy. `￥` is kept: it is a sign of its own.
pub fn to_halfwidth(text: &str) -> std::borrow::Cow<'_, str> {
    let full = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}') && c != '￥';
    if !text.chars().any(full) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            c if full(c) => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .into()
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    pub fn checked_neg(self) -> Option<Fen> {
        self.0.checked_neg().map(Fen)
    }

    /// Parses `1700000`, `1,700,000.00`, `¥1700000`, `￥300`, `170万`, `170万元`, `1.5万`, `-20.5`.
    /// Full-width digits and signs, as Chinese input methods type them (`１，０００．５０`), read
    /// as their ASCII forms.
    pub fn parse(text: &str) -> Result<Fen, MoneyError> {
        let original = text;
        let half = to_halfwidth(text);
        let mut s = half.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let mut negative = false;
        if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('－')) {
            negative = true;
            s = rest.trim_start();
        }
        for sign in ['¥', '￥'] {
            if let Some(rest) = s.strip_prefix(sign) {
                s = rest.trim_start();
            }
        }
        if !negative {
            if let Some(rest) = s.strip_prefix('-') {
                negative = true;
                s = rest.trim_start();
            }
        }
        if let Some(rest) = s.strip_suffix('元') {
            s = rest.trim_end();
        }
        // 万 multiplies by 10,000: shift the decimal point four places.
        let mut shift = 0usize;
        if let Some(rest) = s.strip_suffix('万') {
            s = rest.trim_end();
            shift = 4;
        }
        let bad = || MoneyError::NotANumber(original.to_string());
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int_part.is_empty() || !valid_integer_part(int_part) {
            return Err(bad());
        }
        if !frac_part.chars().all(|c| c.is_ascii_digit()) || (s.contains('.') && frac_part.is_empty()) {
            return Err(bad());
        }
        let digits: String = int_part.chars().filter(|c| *c != ',').collect();
        // Fen = yuan * 100; with 万, yuan = value * 10^4. Allowed decimals in the written value.
        let allowed = 2 + shift;
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > allowed {
            return Err(MoneyError::TooManyDecimals(original.to_string()));
        }
        let mut frac = frac_trimmed.to_string();
        while frac.len() < allowed {
            frac.push('0');
        }
        let all = format!("{digits}{frac}");
        let value: i64 = all
            .trim_start_matches('0')
            .parse::<i64>()
            .or_else(|e| {
                if all.trim_start_matches('0').is_empty() {
                    Ok(0)
                } else {
                    Err(e)
                }
            })
            .map_err(|_| MoneyError::TooLarge(original.to_string()))?;
        Ok(Fen(if negative { -value } else { value }))
    }

    /// `1700000.00` style: what export writes, and what import reads back exactly.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `1,700,000.00`: yuan with thousands separators, for people.
    pub fn yuan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100)
    }

    /// `170.00万`: ten-thousands of yuan, exact to the fen would need six decimals, so this is
    /// for display of large figures only; it rounds half away from zero at two decimals.
    pub fn wan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs() as u128;
        // 1万元 = 1,000,000 fen; two decimals of 万 = 10,000 fen.
        let hundredths = (abs + 5_000) / 10_000;
        format!(
            "{sign}{}.{:02}万",
            group_thousands((hundredths / 100) as u64),
            hundredths % 100
        )
    }

    /// Yuan, or 万元 when the amount is a million yuan or more.
    pub fn human(self) -> String {
        if self.0.unsigned_abs() >= 100_000_000 {
            self.wan()
        } else {
            self.yuan()
        }
    }
}

fn valid_integer_part(s: &str) -> bool {
    if !s.contains(',') {
        return s.chars().all(|c| c.is_ascii_digit());
    }
    // With separators, groups after the first must be exactly three digits.
    let mut groups = s.split(',');
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 || !first.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10: as Chinese input methods type them; the UI's forms read through here too.
    #[test]
    fn full_width_digits_and_signs_read_as_ascii() {
        assert_eq!(Fen::parse("１２３"), Ok(Fen(12_300)));
        assert_eq!(Fen::parse("１，０００．５０"), Ok(Fen(100_050)));
        assert_eq!(Fen::parse("－２０．５"), Ok(Fen(-2_050)));
        assert_eq!(Fen::parse("￥１．５万"), Ok(Fen(1_500_000)));
        assert_eq!(
            crate::domain::PartialDate::parse("２０２１－１１－０８").map(|d| d.to_string()),
            Ok("2021-11-08".to_string())
        );
        assert_eq!(to_halfwidth("abc"), "abc");
    }

    #[test]
    fn parses_every_form_in_the_spec() {
        assert_eq!(Fen::parse("1700000"), Ok(Fen(170_000_000)));
        assert_eq!(Fen::parse("1,700,000.00"), Ok(Fen(170_000_000)));
        assert_eq!(Fen::parse("¥1700000"), Ok(Fen(170_000_000)));
        assert_eq!(Fen::parse("￥300"), Ok(Fen(30_000)));
        assert_eq!(Fen::parse("170万"), Ok(Fen(170_000_000)));
        assert_eq!(Fen::parse("170万元"), Ok(Fen(170_000_000)));
        assert_eq!(Fen::parse("1.5万"), Ok(Fen(1_500_000)));
        assert_eq!(Fen::parse("2万"), Ok(Fen(2_000_000)));
        assert_eq!(Fen::parse("1,200.50"), Ok(Fen(120_050)));
        assert_eq!(Fen::parse("-20.5"), Ok(Fen(-2_050)));
        assert_eq!(Fen::parse("1.234567万"), Ok(Fen(1_234_567)));
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert!(Fen::parse("").is_err());
        assert!(Fen::parse("abc").is_err());
        assert!(Fen::parse("1.234").is_err());
        assert!(Fen::parse("1,23").is_err());
        assert!(Fen::parse("1.2.3").is_err());
        assert!(Fen::parse("99999999999999999999").is_err());
    }

    /// The edges cargo-mutants found untested (docs/TESTING.md): a minus after the yuan sign,
    /// a second minus, a point with no decimals, and the first group of thousands.
    #[test]
    fn signs_and_separators_at_their_edges() {
        assert_eq!(Fen::parse("¥-5"), Ok(Fen(-500)));
        assert!(Fen::parse("-¥-5").is_err());
        assert!(Fen::parse("12.").is_err());
        assert!(Fen::parse(",123").is_err());
        assert!(Fen::parse("1234,567").is_err());
        assert_eq!(Fen::parse("123,456"), Ok(Fen(12_345_600)));
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(Fen(170_000_000).yuan(), "1,700,000.00");
        assert_eq!(Fen(170_000_000).wan(), "170.00万");
        assert_eq!(Fen(-2_050).plain(), "-20.50");
        assert_eq!(Fen(5).plain(), "0.05");
    }

    /// The edges of each format cargo-mutants found untested (docs/TESTING.md): signs, zero,
    /// the last fen, each place a separator goes, and 万's rounding and threshold.
    #[test]
    fn formats_at_their_edges() {
        assert_eq!(Fen(0).plain(), "0.00");
        assert_eq!(Fen(100).plain(), "1.00");
        assert_eq!(Fen(-5).plain(), "-0.05");
        assert_eq!(Fen(123_456_789).plain(), "1234567.89");
        assert_eq!(Fen(i64::MIN).plain(), "-92233720368547758.08");

        assert_eq!(Fen(0).yuan(), "0.00");
        assert_eq!(Fen(99_999).yuan(), "999.99");
        assert_eq!(Fen(100_000).yuan(), "1,000.00");
        assert_eq!(Fen(-123_456_789).yuan(), "-1,234,567.89");
        assert_eq!(format!("{}", Fen(-100_001)), "-1,000.01");

        assert_eq!(Fen(0).wan(), "0.00万");
        assert_eq!(Fen(4_999).wan(), "0.00万");
        assert_eq!(Fen(5_000).wan(), "0.01万");
        assert_eq!(Fen(-5_000).wan(), "-0.01万");
        assert_eq!(Fen(12_345_678_900).wan(), "12,345.68万");
        assert_eq!(Fen(1_000_000).wan(), "1.00万");

        assert_eq!(Fen(99_999_999).human(), "999,999.99");
        assert_eq!(Fen(100_000_000).human(), "100.00万");
        assert_eq!(Fen(-100_000_000).human(), "-100.00万");
        assert_eq!(Fen(-99_999_999).human(), "-999,999.99");

        for (n, grouped) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (123_456, "123,456"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(group_thousands(n), grouped);
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen(2).checked_add(Fen(3)), Some(Fen(5)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(2).checked_sub(Fen(3)), Some(Fen(-1)));
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert_eq!(Fen(7).checked_neg(), Some(Fen(-7)));
        assert_eq!(Fen(i64::MIN).checked_neg(), None);
    }

    #[test]
    fn only_full_width_forms_become_ascii() {
        use std::borrow::Cow;
        assert!(matches!(to_halfwidth("1,000.50"), Cow::Borrowed(_)));
        assert!(matches!(to_halfwidth("￥1"), Cow::Borrowed(_)));
        assert_eq!(to_halfwidth("！～"), "!~");
        assert_eq!(to_halfwidth("￥１"), "￥1");
        assert_eq!(to_halfwidth("１\u{3000}２"), "1 2");
        // Just outside the block: left as typed.
        assert_eq!(to_halfwidth("\u{FF00}\u{FF5F}１"), "\u{FF00}\u{FF5F}1");
    }
}

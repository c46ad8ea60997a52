//! What shegong refuses to keep: personal ID numbers (居民身份证号码) in any text. The registry
//! is about stations, trainings and money; a person's ID number has no place in it, and a note
//! or an evaluator's name is where one would slip in. Every write passes the records' own
//! `validate`, which asks here, so the importer and the UI's forms refuse alike.

use super::Problem;

/// Problems for each field whose text holds something that is a resident ID number: 18
/// characters — a region, a real birth date, a sequence, and the ISO 7064 MOD 11-2 check
/// character — standing alone (not inside a longer run of digits). The number itself is never
/// echoed back.
pub fn id_number_problems(fields: &[(&'static str, &str)]) -> Vec<Problem> {
    fields
        .iter()
        .filter_map(|(field, text)| super::fields::no_id_number(text).err().map(|e| e.problem(field)))
        .collect()
}

/// The position (1-based, in characters) where an ID number starts, if the text holds one.
pub(super) fn find_id_number(text: &str) -> Option<usize> {
    id_number_spans(text).next().map(|(start, _)| start + 1)
}

/// Characters that may group an ID number's digits (`1101 0519 4912 3100 2X`,
/// `110105-19491231-002X`): one of them between two digits does not end the run.
fn is_grouping(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{3000}' | '－' | '‐' | '–')
}

/// Where each ID number in the text is: (first character, one past the last), in characters.
/// One pass, no allocation: it runs on every text field of every imported row. Grouping spaces
/// and hyphens are read through, so that a number written in groups is still found; and any
/// whole groups of a run that make 18 characters are tried, so that a number followed (or
/// preceded) by another group of digits, `11010519491231002X 2X`, is found too. An ungrouped
/// run longer than 18 stays a longer number, not an ID number.
fn id_number_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let is_part = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x';
    // The run's last 18 characters, as a ring: the character, its position, and whether it
    // starts a group (the run's first character, or the first after a grouping character).
    let mut ring = [('0', 0usize, false); 18];
    let mut run_len = 0usize;
    // A grouping character right after a digit: the run goes on if a digit follows it.
    let mut grouped = false;
    // The 18 characters that end the run so far, when they start at a group's start.
    let window_at_group_end = move |ring: &[(char, usize, bool); 18], run_len: usize| {
        if run_len < 18 {
            return None;
        }
        // `run_len % 18` is the ring slot of the oldest of the last 18 characters.
        let oldest = run_len % 18;
        let (_, start, starts_group) = ring[oldest];
        if !starts_group {
            return None;
        }
        let chars: [char; 18] = std::array::from_fn(|i| ring[(oldest + i) % 18].0);
        let end = ring[(oldest + 17) % 18].1 + 1;
        is_id_number(&chars).then_some((start, end))
    };
    let mut chars = text.chars().map(Some).chain(std::iter::once(None)).enumerate();
    std::iter::from_fn(move || {
        for (pos, c) in chars.by_ref() {
            // Full-width digits (０-９, Ｘ) count: a number typed with a Chinese IME is still one.
            let c = c.map(ascii_digit_or_x);
            match c {
                Some(c) if is_part(c) => {
                    ring[run_len % 18] = (c, pos, run_len == 0 || grouped);
                    run_len += 1;
                    grouped = false;
                }
                Some(c) if is_grouping(c) && run_len > 0 && !grouped => {
                    // A group ends here: the groups that end with it may make a number.
                    if let Some(span) = window_at_group_end(&ring, run_len) {
                        // Nothing of a number found is reused for the next one.
                        run_len = 0;
                        return Some(span);
                    }
                    grouped = true;
                }
                _ => {
                    let found = window_at_group_end(&ring, run_len);
                    run_len = 0;
                    grouped = false;
                    if found.is_some() {
                        return found;
                    }
                }
            }
        }
        None
    })
}

/// The text with every ID number in it replaced by `*`s, for a message that echoes a cell: an
/// ID number typed into an amount, a unit, a date or a kind is never shown back.
pub fn mask_id_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    let mut spans = id_number_spans(text).peekable();
    if spans.peek().is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let spans: Vec<(usize, usize)> = spans.collect();
    let masked = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if spans.iter().any(|&(s, e)| (s..e).contains(&i)) {
                '*'
            } else {
                c
            }
        })
        .collect();
    std::borrow::Cow::Owned(masked)
}

fn ascii_digit_or_x(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        'Ｘ' | 'ｘ' => 'X',
        other => other,
    }
}

/// Whether 18 characters are a resident ID number: digits, a birth date that exists, and the
/// check character.
fn is_id_number(chars: &[char]) -> bool {
    let digits: Option<Vec<u32>> = chars[..17].iter().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits else {
        return false;
    };
    let number = |range: std::ops::Range<usize>| range.fold(0, |n, i| n * 10 + digits[i]);
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    if !(1900..=2100).contains(&year) || chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_none() {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let expected = b"10X98765432"[(sum % 11) as usize] as char;
    chars[17].to_ascii_uppercase() == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    // The standard's worked example (GB 11643-1999), not a real person's number.
    const SAMPLE: &str = "11010519491231002X";

    #[test]
    fn finds_a_valid_number_alone_in_text() {
        assert_eq!(find_id_number(SAMPLE), Some(1));
        assert_eq!(find_id_number(&format!("联系人 {SAMPLE} 王")), Some(5));
        assert_eq!(find_id_number(&SAMPLE.to_lowercase()), Some(1));
        let full_width: String = SAMPLE
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32('０' as u32 + c.to_digit(10).unwrap_or(0)).unwrap_or(c),
                _ => 'Ｘ',
            })
            .collect();
        assert_eq!(find_id_number(&full_width), Some(1));
    }

    #[test]
    fn leaves_other_numbers_alone() {
        // A wrong check character, an impossible date, a longer run of digits, unit codes,
        // vouchers and amounts.
        assert_eq!(find_id_number("110105194912310021"), None);
        assert_eq!(find_id_number("110105194913310025"), None);
        assert_eq!(find_id_number(&format!("9{SAMPLE}")), None);
        for text in ["530112008000", "西民函〔2021〕38号", "V-2024-000123456789", "170000000"] {
            assert_eq!(find_id_number(text), None, "{text}");
        }
    }

    #[test]
    fn grouped_numbers_are_found_and_masked() {
        assert_eq!(find_id_number("1101 0519 4912 3100 2X"), Some(1));
        assert_eq!(find_id_number("号 110105-19491231-002X。"), Some(3));
        assert_eq!(find_id_number("１１０１０５　１９４９１２３１　００２Ｘ"), Some(1));
        // Two groupings in a row end the run.
        assert_eq!(find_id_number("110105  19491231002X"), None);
        assert_eq!(
            mask_id_numbers("金额 1101 0519 4912 3100 2X 元"),
            "金额 ********************** 元"
        );
        assert_eq!(mask_id_numbers("1700000"), "1700000");
    }

    /// The edges cargo-mutants found untested (docs/TESTING.md): each check character below is
    /// right, so only the date or the grouping refuses them.
    #[test]
    fn the_date_and_the_grouping_are_checked_on_their_own() {
        // Years 1900 to 2100 only, and a date that exists (month 13 is none).
        assert_eq!(find_id_number("110105190001010028"), Some(1));
        assert_eq!(find_id_number("110105210012310021"), Some(1));
        assert_eq!(find_id_number("110105189912310023"), None);
        assert_eq!(find_id_number("110105210101010020"), None);
        assert_eq!(find_id_number("110105194913310021"), None);
        // Only spaces and hyphens group digits; a letter or a CJK character ends the run.
        assert_eq!(find_id_number("110105a19491231002X"), None);
        assert_eq!(find_id_number("110105号19491231002X"), None);
        // A short run after a number is not a number: nothing of the earlier run is reused.
        assert_eq!(mask_id_numbers(&format!("{SAMPLE}，1")), "******************，1");
    }

    /// A hostile-input run found a number followed by a space and more digits slipping through:
    /// whole groups that make 18 characters are tried, wherever they sit in the run.
    #[test]
    fn a_number_among_other_groups_of_digits_is_found() {
        assert_eq!(find_id_number(&format!("{SAMPLE} 2X")), Some(1));
        assert_eq!(find_id_number(&format!("3 {SAMPLE}")), Some(3));
        assert_eq!(find_id_number(&format!("12 {SAMPLE} 45")), Some(4));
        assert_eq!(find_id_number("1101 0519 4912 3100 2X 2X"), Some(1));
        assert_eq!(mask_id_numbers(&format!("1 {SAMPLE} 2")), "1 ****************** 2");
        // Still not inside an ungrouped longer run, even when other groups follow or precede it.
        assert_eq!(find_id_number(&format!("1 9{SAMPLE}")), None);
        assert_eq!(find_id_number(&format!("{SAMPLE}9 1")), None);
    }

    #[test]
    fn the_problem_names_the_field_and_does_not_echo_the_number() {
        let problems = id_number_problems(&[("note", "无"), ("evaluator", SAMPLE)]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "evaluator");
        assert!(!problems[0].zh.contains(SAMPLE) && !problems[0].en.contains(SAMPLE));
    }
}

//! Property tests: money and dates print and parse back to themselves. (The stored rollups
//! against a recomputation are the backend suite's reference model's, which checks every measure of the
//! report with a calendar of its own.)

use chrono::NaiveDate;
use proptest::prelude::*;
use shegong::domain::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn money_prints_and_parses_back(fen in -10_000_000_000_000i64..10_000_000_000_000) {
        let f = Fen(fen);
        prop_assert_eq!(Fen::parse(&f.plain()), Ok(f));
        prop_assert_eq!(Fen::parse(&f.yuan()), Ok(f));
        prop_assert_eq!(Fen::parse(&format!("¥{}", f.plain().trim_start_matches('-'))).map(|x| x.0.abs()), Ok(fen.abs()));
    }

    #[test]
    fn wan_parses_exactly(wan in 0i64..100_000, frac in 0u32..1_000_000) {
        // 万 with up to six decimals is still a whole number of fen.
        let text = format!("{wan}.{frac:06}万");
        let expected = wan * 1_000_000 + frac as i64;
        prop_assert_eq!(Fen::parse(&text), Ok(Fen(expected)));
    }

    #[test]
    fn dates_print_and_parse_back(y in 1900u16..2999, m in 0u8..=12, d in 1u8..=31, full in any::<bool>()) {
        // Month ends (29th to 31st, Feb 29) included: a day the month lacks becomes its last.
        let d = (28..=d)
            .rev()
            .find(|d| m == 0 || NaiveDate::from_ymd_opt(y as i32, m as u32, *d as u32).is_some())
            .unwrap_or(d.min(28));
        let date = PartialDate { year: y, month: m, day: if m != 0 && full { d } else { 0 } };
        prop_assert_eq!(PartialDate::parse(&date.to_string()), Ok(date));
        if date.is_full() {
            let slashes = format!("{}/{}/{}", date.year, date.month, date.day);
            prop_assert_eq!(PartialDate::parse(&slashes), Ok(date));
            let chinese = format!("{}年{}月{}日", date.year, date.month, date.day);
            prop_assert_eq!(PartialDate::parse(&chinese), Ok(date));
        }
    }
}

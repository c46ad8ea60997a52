//! A problem with one field of one record, in both languages. Validation returns these; the
//! importer adds file and line, the UI shows them next to the field.

use crate::i18n::Lang;
use crate::words::Word;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The English column name of the field (`amount`, `opened_on`, ...).
    pub field: &'static str,
    pub zh: String,
    pub en: String,
    /// What within the field it is about, where one field stands for several values: the
    /// indicator's code of a problem with an evaluation's `points` (the form puts it beside
    /// that indicator, a file names that column). `None`: the field as a whole.
    pub about: Option<String>,
}

impl Problem {
    pub fn new(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            field,
            zh: zh.into(),
            en: en.into(),
            about: None,
        }
    }

    /// A problem worded by the catalogue: the key's text in both languages, with `args`.
    pub fn said<W: Word>(field: &'static str, key: W, args: &[&dyn fmt::Display]) -> Problem {
        let (zh, en) = crate::words::both(key, args);
        Problem {
            field,
            zh,
            en,
            about: None,
        }
    }

    /// A problem worded by the catalogue whose arguments are words themselves, given in each
    /// language by `args` (a grade, a station status).
    pub fn said_in<W: Word>(field: &'static str, key: W, args: impl Fn(Lang) -> Vec<Box<dyn fmt::Display>>) -> Problem {
        let text = |lang: Lang| {
            let args = args(lang);
            let args: Vec<&dyn fmt::Display> = args.iter().map(|a| a.as_ref() as &dyn fmt::Display).collect();
            crate::words::say(lang, key, &args)
        };
        Problem {
            field,
            zh: text(Lang::Zh),
            en: text(Lang::En),
            about: None,
        }
    }

    /// A problem whose two texts were put together already (from catalogue entries).
    pub fn from_both(field: &'static str, zh: String, en: String) -> Problem {
        Problem {
            field,
            zh,
            en,
            about: None,
        }
    }

    /// The problem, about one of the values its field stands for (an indicator's code).
    pub fn about(mut self, what: impl Into<String>) -> Problem {
        self.about = Some(what.into());
        self
    }

    pub fn required(field: &'static str) -> Problem {
        Problem::said(field, crate::words::P::Required, &[])
    }

    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }

    pub fn render(&self, lang: Lang) -> String {
        format!("{}: {}", self.field, self.message(lang))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.en)
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_in_either_language_with_its_field() {
        let p = Problem::from_both("amount", "不能为 0".into(), "must not be zero".into());
        assert_eq!(p, Problem::said("amount", crate::words::P::MustNotBeZero, &[]));
        assert_eq!(p.message(Lang::Zh), "不能为 0");
        assert_eq!(p.message(Lang::En), "must not be zero");
        assert_eq!(p.render(Lang::Zh), "amount: 不能为 0");
        assert_eq!(p.render(Lang::En), "amount: must not be zero");
        assert_eq!(p.to_string(), "amount: must not be zero");
        let r = Problem::required("date");
        assert_eq!((r.field, r.en.as_str()), ("date", "is required"));
        let s = Problem::said_in("opened_on", crate::words::P::OpenedOnRequired, |lang| {
            vec![Box::new(lang.pick("运营", "operating"))]
        });
        assert_eq!(s.en, "is required when the station is operating");
        assert_eq!(s.zh, "站点状态为“运营”时必须填写建站日期");
    }
}

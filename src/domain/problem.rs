//! A problem with one field of one record, in both languages. Validation returns these; the
//! importer adds file and line, the UI shows them next to the field.

use crate::i18n::Lang;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The English column name of the field (`amount`, `opened_on`, ...).
    pub field: &'static str,
    pub zh: String,
    pub en: String,
}

impl Problem {
    pub fn new(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            field,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn required(field: &'static str) -> Problem {
        Problem::new(field, "必填，不能为空", "is required")
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

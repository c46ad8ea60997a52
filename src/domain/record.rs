//! The kind of a dated record and a record's identity, whatever stores it. `RecordKind` is the
//! one list of the three kinds (evaluations, trainings, budget entries) with their words; the
//! file kinds of `interchange`, the journal's kind and the UI's tabs map to it. `RecordId` is
//! the opaque id a storage backend gives a record: callers keep it, show it, and hand it back.

use crate::i18n::Lang;
use crate::words::{tr, F};

/// The three kinds of dated record. The numbers are the sled store's (they name its trees and
/// its id index), so they never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    Evaluation = 1,
    Training = 2,
    Budget = 3,
}

impl RecordKind {
    pub const ALL: [RecordKind; 3] = [RecordKind::Evaluation, RecordKind::Training, RecordKind::Budget];

    /// The kind as the journal writes it (`evaluation`, `training`, `budget`).
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Evaluation => "evaluation",
            RecordKind::Training => "training",
            RecordKind::Budget => "budget",
        }
    }

    /// The kind the journal wrote, back.
    pub fn from_name(name: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The name of one stored value of this kind, for messages about damaged values.
    pub fn value_name(self) -> &'static str {
        match self {
            RecordKind::Evaluation => "evaluation",
            RecordKind::Training => "training",
            RecordKind::Budget => "budget entry",
        }
    }

    /// What a clerk calls records of this kind, in the plural.
    pub fn label(self, lang: Lang) -> &'static str {
        let key = match self {
            RecordKind::Evaluation => F::KindPluralEvaluations,
            RecordKind::Training => F::KindPluralTrainings,
            RecordKind::Budget => F::KindPluralBudget,
        };
        tr(lang, key)
    }
}

/// A record's identity as its storage gives it: opaque text, stable while the record is stored,
/// kept in the journal and shown to the user. Only the backend that gave it reads inside it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    /// An id as a backend gives it, or as the journal or the user wrote it.
    pub fn new(text: impl Into<String>) -> RecordId {
        RecordId(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_reads_back_from_its_journal_name() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(RecordKind::from_name("unit"), None);
    }

    #[test]
    fn each_kind_has_its_words_and_an_id_shows_as_given() {
        assert_eq!(
            RecordKind::ALL.map(RecordKind::name),
            ["evaluation", "training", "budget"]
        );
        assert_eq!(
            RecordKind::ALL.map(RecordKind::value_name),
            ["evaluation", "training", "budget entry"]
        );
        assert_eq!(
            RecordKind::ALL.map(|k| k.label(Lang::En)),
            ["evaluations", "trainings", "budget entries"]
        );
        assert_eq!(RecordKind::ALL.map(|k| k.label(Lang::Zh)), ["评估", "培训", "资金"]);
        let id = RecordId::new("12/2021/3f");
        assert_eq!(id.as_str(), "12/2021/3f");
        assert_eq!(id.to_string(), "12/2021/3f");
    }
}

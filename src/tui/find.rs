//! Finding units by name, code or pinyin (`xy` and `xiyuan` both find 西苑街道): the `/`
//! prompt's state and the matches n/N step through, which the store finds
//! (`Registry::find_units`), and the in-memory index of every unit (`search::Index`) that the
//! unit pickers of the forms search, built on their first use. Both follow `crate::search`.

use super::text_input::TextInput;
use crate::registry::Registry;
use crate::store::Result;

pub use crate::search::{pinyin_of, Entry, Index};

/// The pickers' index of every unit, built on their first use.
pub fn build_index(store: &Registry) -> Result<Index> {
    Ok(Index::from_units(store.all_units()?))
}

/// One match listed under the `/` prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub code: String,
    pub name: String,
    /// The parent's name, for telling apart units of the same name.
    pub parent: Option<String>,
}

/// The `/` prompt and the matches of the last search.
#[derive(Default)]
pub struct Find {
    /// Whether the prompt is open (the tree pane shows the matches).
    pub open: bool,
    /// What is typed, with its caret.
    pub query: TextInput,
    /// The matches listed, best first: as many as the pane shows (more as it scrolls).
    pub results: Vec<Hit>,
    /// More units match than `results` holds.
    pub more: bool,
    pub selected: usize,
    pub offset: usize,
    /// Codes of the last accepted search, for n/N: those listed when it was accepted, more
    /// (up to `MAX_RESULTS`) read when n or N steps past them.
    pub matches: Vec<String>,
    /// The accepted search matches more units than `matches` holds yet.
    pub matches_more: bool,
    /// More than `MAX_RESULTS` units match the accepted search: n/N step through the first.
    pub matches_capped: bool,
    /// The accepted search's query, for reading the rest of its matches.
    pub matched_query: String,
    pub current: usize,
}

/// At most this many matches are listed, and stepped through with n/N.
pub const MAX_RESULTS: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Level, Unit};

    #[test]
    fn finds_by_initials_and_spelling() {
        assert_eq!(pinyin_of("西苑街道").0, "xyjd");
        assert_eq!(pinyin_of("西苑街道").1, "xiyuanjiedao");
        let units = vec![
            Unit::new("530112001000", None, Level::Street, "西苑街道"),
            Unit::new("530112008000", None, Level::Street, "碧鸡街道"),
        ];
        let index = Index::from_units(units);
        assert_eq!(index.search("xy", 10), vec![0]);
        assert_eq!(index.search("biji", 10), vec![1]);
        assert_eq!(index.search("碧鸡", 10), vec![1]);
        assert_eq!(index.search("530112008", 10), vec![1]);
        assert_eq!(index.search("jd", 10).len(), 2);
    }
}

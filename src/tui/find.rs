//! Finding units by name, code or pinyin (`xy` and `xiyuan` both find 西苑街道): the `/`
//! prompt's state and the matches n/N step through, which the store finds
//! (`Registry::find_units`: sled's find index), and the in-memory index of every unit that the
//! unit pickers of the forms search, built on their first use. Both follow `crate::search`.

use super::text_input::TextInput;
use crate::domain::{Level, Unit};
use crate::registry::Registry;
use crate::search::{self, Forms};
use crate::store::Result;
use std::collections::HashMap;

pub use crate::search::pinyin_of;

/// One unit as the pickers' index sees it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub has_station: bool,
    /// Lower-case name, initials (`xyjd`) and full pinyin (`xiyuanjiedao`).
    forms: Forms,
}

/// Every unit, searchable.
#[derive(Default)]
pub struct Index {
    pub entries: Vec<Entry>,
    by_code: HashMap<String, usize>,
}

impl Index {
    pub fn build(store: &Registry) -> Result<Index> {
        Ok(Index::from_units(store.all_units()?))
    }

    pub fn from_units(units: Vec<Unit>) -> Index {
        let mut entries = Vec::with_capacity(units.len());
        let mut by_code = HashMap::with_capacity(units.len());
        for u in units {
            by_code.insert(u.code.clone(), entries.len());
            entries.push(Entry {
                forms: Forms::of(&u.name),
                has_station: u.station != crate::domain::StationStatus::None,
                code: u.code,
                name: u.name,
                level: u.level,
                parent: u.parent,
            });
        }
        Index { entries, by_code }
    }

    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.by_code.get(code).map(|i| &self.entries[*i])
    }

    /// The parent's name, for telling apart units of the same name.
    pub fn parent_name(&self, e: &Entry) -> Option<&str> {
        e.parent.as_deref().and_then(|p| self.get(p)).map(|p| p.name.as_str())
    }

    /// Indices of the units that match, best first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let q = search::normalize(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, usize)> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(rank) = search::rank(&e.forms, &e.code, &q) {
                hits.push((rank, i));
            }
        }
        hits.sort_by(|a, b| {
            let (x, y) = (&self.entries[a.1], &self.entries[b.1]);
            search::order_key(a.0, x.level, &x.code).cmp(&search::order_key(b.0, y.level, &y.code))
        });
        hits.truncate(limit);
        hits.into_iter().map(|(_, i)| i).collect()
    }
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
    /// Codes of the last accepted search, for n/N.
    pub matches: Vec<String>,
    pub current: usize,
}

/// At most this many matches are listed, and stepped through with n/N.
pub const MAX_RESULTS: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

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

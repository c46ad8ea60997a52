//! Finding units by name, code or pinyin (`xy` and `xiyuan` both find 西苑街道): an index of
//! every unit built on first use, the `/` prompt's state, and the matches n/N step through.
//! The unit pickers of the forms search the same index.

use super::text_input::TextInput;
use crate::domain::{Level, Unit};
use crate::registry::Registry;
use crate::store::Result;
use pinyin::ToPinyin;
use std::collections::HashMap;

/// One unit as find sees it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub has_station: bool,
    /// Lower-case name, initials (`xyjd`) and full pinyin (`xiyuanjiedao`).
    name_lower: String,
    initials: String,
    spelled: String,
}

/// Every unit, searchable.
#[derive(Default)]
pub struct Index {
    pub entries: Vec<Entry>,
    by_code: HashMap<String, usize>,
}

/// `西苑街道` → (`xyjd`, `xiyuanjiedao`); letters and digits stay as they are.
pub fn pinyin_of(name: &str) -> (String, String) {
    let mut initials = String::new();
    let mut spelled = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(p) => {
                initials.push_str(p.first_letter());
                spelled.push_str(p.plain());
            }
            None if ch.is_alphanumeric() => {
                for l in ch.to_lowercase() {
                    initials.push(l);
                    spelled.push(l);
                }
            }
            None => {}
        }
    }
    (initials, spelled)
}

impl Index {
    pub fn build(store: &Registry) -> Result<Index> {
        Ok(Index::from_units(store.all_units()?))
    }

    pub fn from_units(units: Vec<Unit>) -> Index {
        let mut entries = Vec::with_capacity(units.len());
        let mut by_code = HashMap::with_capacity(units.len());
        for u in units {
            let (initials, spelled) = pinyin_of(&u.name);
            by_code.insert(u.code.clone(), entries.len());
            entries.push(Entry {
                name_lower: u.name.to_lowercase(),
                initials,
                spelled,
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
        let q: String = query.trim().to_lowercase().split_whitespace().collect();
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, usize)> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let rank = if e.name_lower == q || e.code == q {
                0
            } else if e.name_lower.starts_with(&q) || e.initials.starts_with(&q) || e.code.starts_with(&q) {
                1
            } else if e.spelled.starts_with(&q) {
                2
            } else if e.name_lower.contains(&q) || e.initials.contains(&q) {
                3
            } else if e.code.contains(&q) || e.spelled.contains(&q) {
                4
            } else {
                continue;
            };
            hits.push((rank, i));
        }
        hits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(self.entries[a.1].level.cmp(&self.entries[b.1].level))
                .then(self.entries[a.1].code.cmp(&self.entries[b.1].code))
        });
        hits.truncate(limit);
        hits.into_iter().map(|(_, i)| i).collect()
    }
}

/// The `/` prompt and the matches of the last search.
#[derive(Default)]
pub struct Find {
    /// Whether the prompt is open (the tree pane shows the matches).
    pub open: bool,
    /// What is typed, with its caret.
    pub query: TextInput,
    /// Indices into the index, best first.
    pub results: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    /// Codes of the last accepted search, for n/N.
    pub matches: Vec<String>,
    pub current: usize,
}

/// At most this many matches are listed.
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

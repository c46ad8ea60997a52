//! Find's matching rules, written once: what a query matches in a unit (its name, its code, the
//! pinyin initials `xyjd` and spelling `xiyuanjiedao` of its name) and in what order the
//! matches come; and an in-memory index of units that applies them. The storage trait's
//! default `find_units` (a scan of every unit), the sled store's find index (`store::find`,
//! which ranks each candidate it reads by `rank`) and the unit pickers (`tui::find`) all use
//! them, so each answers the same.

use crate::domain::{Level, Unit};
use pinyin::ToPinyin;

/// `西苑街道` → (`xyjd`, `xiyuanjiedao`); letters and digits stay as they are, lower-cased.
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

/// What a query is compared as: trimmed, lower-case, without white space (`"Xi Yuan"` is
/// `xiyuan`). Empty means "nothing to find".
pub fn normalize(query: &str) -> String {
    query.trim().to_lowercase().split_whitespace().collect()
}

/// The forms of a unit's name a query is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forms {
    /// The name, lower-case.
    pub name: String,
    /// Pinyin initials (`xyjd`).
    pub initials: String,
    /// Full pinyin (`xiyuanjiedao`).
    pub spelled: String,
}

impl Forms {
    pub fn of(name: &str) -> Forms {
        let (initials, spelled) = pinyin_of(name);
        Forms {
            name: name.to_lowercase(),
            initials,
            spelled,
        }
    }
}

/// The best ranks come first: 0 the name or code itself; 1 the start of the name, its
/// initials or its code; 2 the start of the spelling; 3 inside the name or the initials; 4
/// inside the code or the spelling.
pub const RANKS: u8 = 5;

/// How well a unit matches a normalized, non-empty query `q` (see `RANKS`); `None`: not at all.
pub fn rank(forms: &Forms, code: &str, q: &str) -> Option<u8> {
    if forms.name == q || code == q {
        Some(0)
    } else if forms.name.starts_with(q) || forms.initials.starts_with(q) || code.starts_with(q) {
        Some(1)
    } else if forms.spelled.starts_with(q) {
        Some(2)
    } else if forms.name.contains(q) || forms.initials.contains(q) {
        Some(3)
    } else if code.contains(q) || forms.spelled.contains(q) {
        Some(4)
    } else {
        None
    }
}

/// The order of matches: by rank, then shallower levels first, then by code.
pub fn order_key(rank: u8, level: Level, code: &str) -> (u8, Level, &str) {
    (rank, level, code)
}

/// Every unit that matches `query`, best first, at most `limit`: the scan that any backend
/// can run over its units, and what an index must answer the same as.
pub fn scan(units: impl IntoIterator<Item = Unit>, query: &str, limit: usize) -> Vec<Unit> {
    let q = normalize(query);
    if q.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut hits: Vec<(u8, Unit)> = units
        .into_iter()
        .filter_map(|u| rank(&Forms::of(&u.name), &u.code, &q).map(|r| (r, u)))
        .collect();
    hits.sort_by(|a, b| order_key(a.0, a.1.level, &a.1.code).cmp(&order_key(b.0, b.1.level, &b.1.code)));
    hits.truncate(limit);
    hits.into_iter().map(|(_, u)| u).collect()
}

/// One unit as an in-memory index sees it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub has_station: bool,
    /// Lower-case name, initials (`xyjd`) and full pinyin (`xiyuanjiedao`).
    pub forms: Forms,
}

/// Every unit with its pinyin worked out once, searched by a scan per query (`rank` over each
/// entry): the unit pickers of the forms.
#[derive(Default)]
pub struct Index {
    pub entries: Vec<Entry>,
    by_code: std::collections::HashMap<String, usize>,
}

impl Index {
    pub fn from_units(units: Vec<Unit>) -> Index {
        let mut entries = Vec::with_capacity(units.len());
        let mut by_code = std::collections::HashMap::with_capacity(units.len());
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

    /// Indices of the units that match, best first, at most `limit`: what `scan` answers.
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let q = normalize(query);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<(u8, usize)> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(rank) = rank(&e.forms, &e.code, &q) {
                hits.push((rank, i));
            }
        }
        hits.sort_by(|a, b| {
            let (x, y) = (&self.entries[a.1], &self.entries[b.1]);
            order_key(a.0, x.level, &x.code).cmp(&order_key(b.0, y.level, &y.code))
        });
        hits.truncate(limit);
        hits.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_rules() {
        let f = Forms::of("西苑街道");
        assert_eq!(rank(&f, "530112001000", "西苑街道"), Some(0));
        assert_eq!(rank(&f, "530112001000", "530112001000"), Some(0));
        assert_eq!(rank(&f, "530112001000", "西苑"), Some(1));
        assert_eq!(rank(&f, "530112001000", "xy"), Some(1));
        assert_eq!(rank(&f, "530112001000", "5301"), Some(1));
        assert_eq!(rank(&f, "530112001000", "xiyuan"), Some(2));
        assert_eq!(rank(&f, "530112001000", "街道"), Some(3));
        assert_eq!(rank(&f, "530112001000", "jd"), Some(3));
        assert_eq!(rank(&f, "530112001000", "1120"), Some(4));
        assert_eq!(rank(&f, "530112001000", "jiedao"), Some(4));
        assert_eq!(rank(&f, "530112001000", "东"), None);
        assert_eq!(normalize("  Xi Yuan "), "xiyuan");
    }

    #[test]
    fn a_scan_orders_by_rank_level_and_code() {
        let units = vec![
            Unit::new("2", None, Level::Community, "西苑社区"),
            Unit::new("1", None, Level::Street, "东西苑"),
            Unit::new("3", None, Level::Street, "西苑街道"),
        ];
        let codes: Vec<String> = scan(units, "西苑", 10).into_iter().map(|u| u.code).collect();
        assert_eq!(codes, ["3", "2", "1"]);
    }
}

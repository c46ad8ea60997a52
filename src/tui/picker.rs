//! The picker a form opens for an enumeration or a unit: a filter line (type to narrow) over
//! a list. Words match in either language and by pinyin; units come from the find index.

use super::find::{pinyin_of, Index};
use super::form::UnitRef;
use super::text_input::TextInput;
use crate::i18n::Lang;

#[derive(Clone, Debug)]
pub struct Item {
    pub zh: String,
    pub en: String,
    /// What is chosen: the option's index, or the unit.
    pub value: Choice,
    search: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Choice {
    Option(Option<usize>),
    Unit(UnitRef),
}

impl Item {
    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// Where the items come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Options,
    Units,
}

#[derive(Clone, Debug)]
pub struct Picker {
    /// The form field it fills.
    pub field: usize,
    pub source: Source,
    /// What is typed to narrow the list (its caret stays at the end: the picker has no
    /// caret keys).
    pub filter: TextInput,
    /// Every option (for `Options`), or the units shown before anything is typed.
    all: Vec<Item>,
    pub shown: Vec<Item>,
    pub selected: usize,
    pub offset: usize,
}

/// At most this many units are listed.
const UNIT_LIMIT: usize = 200;

fn searchable(zh: &str, en: &str) -> String {
    let (initials, spelled) = pinyin_of(zh);
    format!("{} {} {initials} {spelled}", zh.to_lowercase(), en.to_lowercase())
}

impl Picker {
    /// A picker of words; `optional` adds "not stated" first.
    pub fn options(field: usize, options: &[(&str, &str)], optional: bool, not_stated: (&str, &str)) -> Picker {
        let mut all = Vec::new();
        if optional {
            all.push(Item {
                zh: not_stated.0.into(),
                en: not_stated.1.into(),
                value: Choice::Option(None),
                search: searchable(not_stated.0, not_stated.1),
            });
        }
        for (i, (zh, en)) in options.iter().enumerate() {
            all.push(Item {
                zh: (*zh).into(),
                en: (*en).into(),
                value: Choice::Option(Some(i)),
                search: searchable(zh, en),
            });
        }
        Picker {
            field,
            source: Source::Options,
            filter: TextInput::default(),
            shown: all.clone(),
            all,
            selected: 0,
            offset: 0,
        }
    }

    /// A picker of units; before anything is typed it lists `nearby` (the visible tree).
    pub fn units(field: usize, nearby: Vec<UnitRef>) -> Picker {
        let all: Vec<Item> = nearby.into_iter().map(unit_item).collect();
        Picker {
            field,
            source: Source::Units,
            filter: TextInput::default(),
            shown: all.clone(),
            all,
            selected: 0,
            offset: 0,
        }
    }

    /// Selects the item with this value, if listed.
    pub fn select_value(&mut self, value: &Choice) {
        if let Some(i) = self.shown.iter().position(|it| &it.value == value) {
            self.selected = i;
        }
    }

    /// Narrows the list to the filter.
    pub fn refilter(&mut self, index: Option<&Index>) {
        let q = self.filter.trim().to_lowercase();
        self.shown = if q.is_empty() {
            self.all.clone()
        } else {
            match (&self.source, index) {
                (Source::Units, Some(index)) => index
                    .search(&q, UNIT_LIMIT)
                    .into_iter()
                    .map(|i| {
                        let e = &index.entries[i];
                        let mut item = unit_item(UnitRef {
                            code: e.code.clone(),
                            name: e.name.clone(),
                            has_station: e.has_station,
                        });
                        if let Some(p) = index.parent_name(e) {
                            item.zh = format!("{}  ‹{p}›", item.zh);
                            item.en = format!("{}  ‹{p}›", item.en);
                        }
                        item
                    })
                    .collect(),
                _ => self.all.iter().filter(|it| it.search.contains(&q)).cloned().collect(),
            }
        };
        self.selected = 0;
        self.offset = 0;
    }

    pub fn move_by(&mut self, delta: isize) {
        self.selected = super::scroll::moved(self.selected, delta, self.shown.len());
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = super::scroll::offset_showing(self.selected, self.offset, height);
    }

    pub fn chosen(&self) -> Option<&Item> {
        self.shown.get(self.selected)
    }
}

fn unit_item(u: UnitRef) -> Item {
    let label = format!("{}  {}", u.name, u.code);
    Item {
        search: searchable(&u.name, &u.code),
        zh: label.clone(),
        en: label,
        value: Choice::Unit(u),
    }
}

//! Find in the sled store (issue 14): `Storage::find_units` answered from an in-memory index of
//! every unit (`search::Index`: names, codes, pinyin worked out once), built on the first
//! search and kept until a write changes a unit (`write::apply`, `logged_part`, `recover`).
//!
//! # Why not an index kept in sled
//!
//! This session built one (commits c2e225f–22fecb3 on branch `find`: tree `find`, schema 4,
//! keys `family, term, 0, level, code` for the names, codes and pinyin, whole, their starts and
//! every substring of up to 2–3 characters, kept in each write's transaction or logged write
//! and rolled back with a unit's row). It answered each key in 1–5 ms at the default size, but
//! it is about 80 keys per unit, and sled writes each key at about 50k keys/s here: a units
//! import at the default size went from 2 s to 84 s and its store from 35 MB to 890 MB (opened
//! in 0.6 s instead of 0.1 s), and the national units import had not finished after 26 min
//! and 7.6 GB (docs/PERFORMANCE.md, "Find at national size"). Keeping the index in the store
//! needs postings packed into few large values (pages of codes per term, as records are packed
//! per unit and year), not a key per posting.

use super::{Result, Store};
use crate::domain::Unit;
use crate::search::Index;
use std::sync::Arc;

impl Store {
    /// The units that match `query`, best first, at most `limit`: `search::scan`'s answer.
    pub fn find_units(&self, query: &str, limit: usize) -> Result<Vec<Unit>> {
        let index = self.find_index()?;
        let mut units = Vec::new();
        for i in index.search(query, limit) {
            // Read from the store: the index keeps what find compares, not every field.
            if let Some(unit) = self.unit(&index.entries[i].code)? {
                units.push(unit);
            }
        }
        Ok(units)
    }

    fn find_index(&self) -> Result<Arc<Index>> {
        if let Some(index) = self.find_cache.lock().ok().and_then(|c| c.clone()) {
            return Ok(index);
        }
        let index = Arc::new(Index::from_units(self.all_units()?));
        if let Ok(mut cache) = self.find_cache.lock() {
            *cache = Some(index.clone());
        }
        Ok(index)
    }

    /// Whether an index is kept (a write then checks whether it changes what it holds).
    pub(crate) fn has_find_index(&self) -> bool {
        self.find_cache.lock().map_or(true, |c| c.is_some())
    }

    /// Drops the index: a write is changing units.
    pub(crate) fn forget_find_index(&self) {
        // A poisoned lock still holds the slot: it is emptied all the same.
        let mut cache = self.find_cache.lock().unwrap_or_else(|e| e.into_inner());
        *cache = None;
    }
}

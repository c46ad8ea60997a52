//! Upgrading a store's layout from an older schema, one step per version. `upgrade::open`
//! backs the store up before it calls this. Each step recomputes what it needs from the
//! records and may be interrupted: the new schema number is written only after the step's
//! work is flushed, so a store killed mid-step still says the old number and the step runs
//! again, from the records, the next time it is opened.

use super::keys::{self, TreeId};
use super::{Result, Store, StoreError, SCHEMA_VERSION};

impl Store {
    /// Brings a store written with schema `from` up to `SCHEMA_VERSION`.
    pub fn upgrade(&self, from: u32) -> Result<()> {
        self.check_writable()?;
        for version in from..SCHEMA_VERSION {
            match version {
                // Schema 1 stores were written before the year totals had a tree of their own
                // (`totals`): their reports would miss every whole year. Buckets and year
                // totals are recomputed from the records.
                1 => self.rebuild_totals()?,
                // Schema 3: each step of this session, one call each.
                2 => {
                    // Unit staff counts become optional; training totals count stated values.
                    self.upgrade_optional_numbers()?;
                    // Journal entries were keyed by sled's generate_id, which jumps by a
                    // million after a reopen: numbered 1, 2, 3, … again.
                    self.renumber_journal()?;
                }
                // Schema 4: each unit's total over every year is kept with its parent
                // (`child_totals`), with the latest day of any event; both are recomputed with
                // the rest of the totals.
                3 => self.rebuild_totals()?,
                // Schema 5: the find index (`store::find`), built from every unit.
                4 => self.rebuild_find_index()?,
                // Schema 6: each unit's children kept with it (`store::kids`), built from the
                // units and their evaluation pages.
                5 => self.rebuild_kids()?,
                // Schema 7: each unit's children's totals packed in one value with it
                // (`store::kid_totals`), packed from `child_totals`.
                6 => self.rebuild_kid_totals()?,
                // Schema 8: the find index gains the code's substrings of 4 and 6 characters, in a
                // family of their own apart from the spelling's (`store::find`): rebuilt.
                7 => self.rebuild_find_index()?,
                // Schema 9: a bucket's year total is read from the head of its value, no longer
                // kept apart as well (issue 14: a value fewer per bucket written): emptied.
                8 => self.tree(TreeId::Totals).clear()?,
                other => return Err(StoreError::Corrupt(format!("unknown schema version {other}"))),
            }
            self.flush()?;
            self.tree(TreeId::Meta)
                .insert(keys::META_SCHEMA, &(version + 1).to_be_bytes())?;
            self.flush()?;
        }
        Ok(())
    }
}

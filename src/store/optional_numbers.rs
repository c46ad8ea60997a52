//! Schema 2 → 3, the part for optional numbers: unit staff counts became `Option` (a stored 0
//! reads as "not stated", see `records::count_from_schema2`), and the rollup counts how many
//! trainings state their hours and attendees. Every unit row is rewritten in its new layout and
//! the totals are recomputed from the records; both are idempotent, so a step killed halfway
//! runs again from the start.

use super::codec::{Stored, UnitRow};
use super::keys::TreeId;
use super::{Result, Store};

impl Store {
    pub(crate) fn upgrade_optional_numbers(&self) -> Result<()> {
        let units = self.tree(TreeId::Units);
        for item in units.iter() {
            let (key, bytes) = item?;
            // `decode` reads both layouts; writing it back stores the new one.
            let row = UnitRow::decode(&bytes)?;
            let new = row.encode()?;
            if new != bytes.as_ref() {
                units.insert(key, new)?;
            }
        }
        self.rebuild_totals()
    }
}

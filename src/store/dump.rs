//! Reading the whole store out one record at a time (export and backup), so that a million
//! records are never held twice in memory.

use super::codec::{Page, Stored};
use super::import::{tree_of, Record};
use super::{Store, StoreError};

impl Store {
    /// Calls `f` with every record of a kind, in key order (unit, day, identity): the same
    /// records, in the same order, as `all_records`. Stops at the first error `f` returns.
    pub fn for_each_record<R: Record, E: From<StoreError>>(
        &self,
        mut f: impl FnMut(R) -> Result<(), E>,
    ) -> Result<(), E> {
        for item in self.tree(tree_of(R::KIND)).iter() {
            let (_, v) = item.map_err(StoreError::from)?;
            for e in Page::decode(&v).map_err(StoreError::from)?.entries {
                f(R::decode(&e.record).map_err(StoreError::from)?)?;
            }
        }
        Ok(())
    }
}

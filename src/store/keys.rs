//! The key spaces: which trees exist and how their keys are built, by hand, from big-endian
//! parts so that byte order is domain order. Raw key bytes never leave `store/`.

use crate::domain::Day;

/// Every tree of the store. The names are part of the stored format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum TreeId {
    /// "schema", "next_unit", "pending" → small values.
    Meta,
    /// unit idx (u32) → UnitRow.
    Units,
    /// unit code (UTF-8) → unit idx (u32).
    Codes,
    /// parent idx, child idx (u32, u32) → empty. Roots have parent `ROOT_PARENT`.
    Children,
    /// unit idx (u32), year (u16) → Page of that unit's evaluations in that year.
    Evaluations,
    Trainings,
    Budget,
    /// record kind (u8), id (UTF-8) → record key: the explicit ids.
    Ids,
    /// unit idx (u32), year (u16) → YearBucket of the unit's subtree. Communities have none:
    /// they are the deepest level, and their own pages are small enough to sum.
    Buckets,
    /// chunk number (u32) → undo entries of a write that has not finished.
    Pending,
    /// unit idx (u32), year (u16) → the year's total of the bucket of the same key, alone.
    /// Schemas 2–8 only: since schema 9 the total is read from the bucket's head
    /// (`codec::bucket_total`) and this tree is empty (the name stays: undo logs name trees by
    /// their place in this list).
    Totals,
    /// entry number (u64: 1, 2, 3, … in the order of changes, no gaps) → JournalEntry.
    Journal,
    /// import token (u64), chunk (u32) → the keys of the records a bulk import added
    /// (`RecordKey::bytes`, one after another): what undoing that import removes.
    Batches,
    /// parent idx, child idx (u32, u32, as `Children`) → the child's subtree total over every
    /// year (the sum of its `Totals`), for each child that keeps buckets: a parent's children
    /// are one range read, whatever their number (`aggregate::children_measures`).
    ChildTotals,
    /// The find index (`store::find`): a lower bound of its records (empty for the first) →
    /// a page of records `family, term, 0xFF, level, code`, packed.
    Find,
    /// scheme name (UTF-8) → Scheme (`store::schemes`, issue 15).
    Schemes,
    /// parent idx (u32, `ROOT_PARENT` for the roots) → `codec::Kids`: each child's unit and the
    /// evaluations of its newest day (schema 6, `store::kids`): a parent's children are one
    /// read, whatever their number.
    Kids,
    /// parent idx (u32) → `codec::KidTotals`: the parent's `ChildTotals` values packed in one
    /// (schema 7, `store::kid_totals`): a parent's children's totals are one read, whatever
    /// their number.
    KidTotals,
}

impl TreeId {
    pub const ALL: [TreeId; 18] = [
        TreeId::Meta,
        TreeId::Units,
        TreeId::Codes,
        TreeId::Children,
        TreeId::Evaluations,
        TreeId::Trainings,
        TreeId::Budget,
        TreeId::Ids,
        TreeId::Buckets,
        TreeId::Pending,
        TreeId::Journal,
        TreeId::Totals,
        TreeId::Batches,
        TreeId::ChildTotals,
        TreeId::Find,
        TreeId::Schemes,
        TreeId::Kids,
        TreeId::KidTotals,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TreeId::Meta => "meta",
            TreeId::Units => "units",
            TreeId::Codes => "codes",
            TreeId::Children => "children",
            TreeId::Evaluations => "evaluations",
            TreeId::Trainings => "trainings",
            TreeId::Budget => "budget",
            TreeId::Ids => "ids",
            TreeId::Buckets => "buckets",
            TreeId::Pending => "pending",
            TreeId::Journal => "journal",
            TreeId::Totals => "totals",
            TreeId::Batches => "batches",
            TreeId::ChildTotals => "child_totals",
            TreeId::Find => "find",
            TreeId::Schemes => "schemes",
            TreeId::Kids => "kids",
            TreeId::KidTotals => "kid_totals",
        }
    }
}

pub const ROOT_PARENT: u32 = u32::MAX;

pub const META_SCHEMA: &[u8] = b"schema";
pub const META_NEXT_UNIT: &[u8] = b"next_unit";
pub const META_PENDING: &[u8] = b"pending";
/// The latest day of any event stored (a bound: a delete leaves it; a rebuild makes it exact).
/// On or after it, every subtree's totals as of the day are its totals over every year.
pub const META_LATEST_DAY: &[u8] = b"latest_day";

pub fn day_value(day: Day) -> [u8; 4] {
    day_bits(day).to_be_bytes()
}

pub fn read_day(bytes: &[u8]) -> Option<Day> {
    read_u32(bytes).map(day_from_bits)
}

pub fn u32_key(value: u32) -> [u8; 4] {
    value.to_be_bytes()
}

pub fn read_u32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?))
}

/// Days as an order-preserving unsigned number (the sign bit flipped).
fn day_bits(day: Day) -> u32 {
    (day as u32) ^ 0x8000_0000
}

fn day_from_bits(bits: u32) -> Day {
    (bits ^ 0x8000_0000) as i32
}

pub fn child_key(parent: Option<u32>, child: u32) -> [u8; 8] {
    let mut k = [0u8; 8];
    k[..4].copy_from_slice(&parent.unwrap_or(ROOT_PARENT).to_be_bytes());
    k[4..].copy_from_slice(&child.to_be_bytes());
    k
}

pub fn children_prefix(parent: Option<u32>) -> [u8; 4] {
    parent.unwrap_or(ROOT_PARENT).to_be_bytes()
}

/// The key of a dated record: the unit it belongs to, its day, and its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    pub unit: u32,
    pub day: Day,
    pub hash: u64,
    pub occurrence: u32,
}

pub const RECORD_KEY_LEN: usize = 20;

impl RecordKey {
    pub fn bytes(&self) -> [u8; RECORD_KEY_LEN] {
        let mut k = [0u8; RECORD_KEY_LEN];
        k[..4].copy_from_slice(&self.unit.to_be_bytes());
        k[4..8].copy_from_slice(&day_bits(self.day).to_be_bytes());
        k[8..16].copy_from_slice(&self.hash.to_be_bytes());
        k[16..].copy_from_slice(&self.occurrence.to_be_bytes());
        k
    }

    pub fn parse(bytes: &[u8]) -> Option<RecordKey> {
        if bytes.len() != RECORD_KEY_LEN {
            return None;
        }
        Some(RecordKey {
            unit: read_u32(&bytes[..4])?,
            day: day_from_bits(read_u32(&bytes[4..8])?),
            hash: u64::from_be_bytes(bytes[8..16].try_into().ok()?),
            occurrence: read_u32(&bytes[16..])?,
        })
    }

    pub fn page(&self) -> [u8; 6] {
        page_key(self.unit, crate::rollup::bucket_year(self.day))
    }

    /// A short text form for the command line and the UI: `unit-day-hash-occurrence` in hex.
    pub fn to_text(&self) -> String {
        self.bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The opaque id callers see: the text form, which is also what the journal keeps.
    pub fn id(&self) -> crate::domain::RecordId {
        crate::domain::RecordId::new(self.to_text())
    }

    /// The key inside an id this store gave; `UnknownRecord` for any other text.
    pub fn of_id(id: &crate::domain::RecordId) -> super::Result<RecordKey> {
        RecordKey::from_text(id.as_str()).ok_or_else(|| super::StoreError::UnknownRecord(id.to_string()))
    }

    pub fn from_text(text: &str) -> Option<RecordKey> {
        let text = text.trim();
        if text.len() != RECORD_KEY_LEN * 2 || !text.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect();
        RecordKey::parse(&bytes?)
    }
}

pub fn id_key(kind: u8, id: &str) -> Vec<u8> {
    let mut k = vec![kind];
    k.extend_from_slice(id.as_bytes());
    k
}

/// Where a record lives: its unit's page for its year.
pub fn page_key(unit: u32, year: u16) -> [u8; 6] {
    bucket_key(unit, year)
}

pub fn bucket_key(unit: u32, year: u16) -> [u8; 6] {
    let mut k = [0u8; 6];
    k[..4].copy_from_slice(&unit.to_be_bytes());
    k[4..].copy_from_slice(&year.to_be_bytes());
    k
}

pub fn parse_bucket_key(bytes: &[u8]) -> Option<(u32, u16)> {
    if bytes.len() != 6 {
        return None;
    }
    Some((read_u32(&bytes[..4])?, u16::from_be_bytes(bytes[4..6].try_into().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_sort_by_unit_then_day() {
        let a = RecordKey {
            unit: 1,
            day: -5,
            hash: 9,
            occurrence: 0,
        };
        let b = RecordKey {
            unit: 1,
            day: 3,
            hash: 1,
            occurrence: 0,
        };
        let c = RecordKey {
            unit: 2,
            day: -100,
            hash: 0,
            occurrence: 0,
        };
        assert!(a.bytes() < b.bytes() && b.bytes() < c.bytes());
        assert_eq!(RecordKey::parse(&b.bytes()), Some(b));
        assert_eq!(RecordKey::from_text(&a.to_text()), Some(a));
    }
}

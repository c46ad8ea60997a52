//! The only place that calls bincode. Every stored value is a version byte and a bincode
//! payload; decoding checks the version and upgrades old ones, so a format change is explicit.

use crate::domain::{BudgetEntry, Day, Evaluation, Training, Unit};
use crate::rollup::{Measures, Sparse, YearBucket};
use bincode::Options;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// No stored value is this large; a length prefix that claims more is damage, not data.
const DECODE_LIMIT: u64 = 256 * 1024 * 1024;

/// The largest value the store writes. Encoding a larger one is an error (`EncodeError`), never
/// an empty value: sled keeps a value whole in memory, and a page this size is already far
/// past any real unit's year.
pub const MAX_VALUE_BYTES: u64 = 64 * 1024 * 1024;

/// How large one unit's page of one kind for one year may grow. An import that would pass it
/// is refused in words by `ImportSession::check`, before anything is stored; the margin below
/// `MAX_VALUE_BYTES` covers the estimate's rounding.
pub const PAGE_LIMIT: u64 = 48 * 1024 * 1024;

/// What a record adds to its page beyond its own bytes (day, hash, occurrence and length, as
/// varints at their largest).
pub const PAGE_ENTRY_OVERHEAD: u64 = 24;

fn options() -> impl Options {
    bincode::DefaultOptions::new().with_limit(DECODE_LIMIT)
}

/// A value that could not be encoded: too large for the store, or refused by bincode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// What was being encoded ("record page", "unit", ...).
    pub name: &'static str,
    /// Its size when it was too large; `None` for any other failure.
    pub bytes: Option<u64>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl DecodeError {
    /// A value of `name` whose payload bincode refused. bincode's message can run to several
    /// lines and guess at causes ("Do you have a mismatched bincode version…"); its first line
    /// says what was wrong, which is all a damaged-store message needs.
    fn payload(name: &str, e: &bincode::Error) -> DecodeError {
        let text = e.to_string();
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("unreadable");
        DecodeError(format!("{name} cannot be read: {first}"))
    }
}

/// A value the store keeps, with the version its bytes are written in.
pub trait Stored: Sized {
    const VERSION: u8;
    const NAME: &'static str;
    fn encode(&self) -> Result<Vec<u8>, EncodeError>;
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError>;
}

/// The version byte and the bincode payload. A value over `MAX_VALUE_BYTES` is an error: an
/// earlier version dropped this error and stored the version byte alone, losing a whole page.
fn envelope<T: Serialize>(name: &'static str, version: u8, value: &T) -> Result<Vec<u8>, EncodeError> {
    let limited = bincode::DefaultOptions::new().with_limit(MAX_VALUE_BYTES);
    // Sized first, then written once after the version byte: no payload copied into a second
    // buffer (issue 14, import speed: every page, bucket and record is encoded here).
    let written = limited.serialized_size(value).and_then(|size| {
        let mut out = Vec::with_capacity(size as usize + 1);
        out.push(version);
        limited.serialize_into(&mut out, value).map(|()| out)
    });
    match written {
        Ok(out) => Ok(out),
        Err(e) => {
            let bytes = match *e {
                bincode::ErrorKind::SizeLimit => bincode::DefaultOptions::new().serialized_size(value).ok(),
                _ => None,
            };
            Err(EncodeError {
                name,
                bytes,
                detail: e.to_string(),
            })
        }
    }
}

/// A value's payload after its version byte; `T` may borrow its text from `bytes`.
fn open<'a, T: Deserialize<'a>>(name: &str, expected: u8, bytes: &'a [u8]) -> Result<T, DecodeError> {
    let (&version, payload) = bytes
        .split_first()
        .ok_or_else(|| DecodeError(format!("{name}: empty value")))?;
    if version != expected {
        return Err(DecodeError(format!(
            "{name}: unknown format version {version} (this program reads {expected})"
        )));
    }
    options()
        .deserialize(payload)
        .map_err(|e| DecodeError::payload(name, &e))
}

/// A unit as stored: the unit, its numeric index, its parent's index, and the day of its
/// first evaluation (kept here because coverage-with-evaluation depends on it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRow {
    pub idx: u32,
    pub parent_idx: Option<u32>,
    pub first_evaluation: Option<Day>,
    pub unit: Unit,
}

macro_rules! stored_v1 {
    ($t:ty, $name:literal) => {
        impl Stored for $t {
            const VERSION: u8 = 1;
            const NAME: &'static str = $name;
            fn encode(&self) -> Result<Vec<u8>, EncodeError> {
                envelope(Self::NAME, Self::VERSION, self)
            }
            fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
                open(Self::NAME, Self::VERSION, bytes)
            }
        }
    };
}

/// One unit's records of one kind in one year, sorted by (day, hash, occurrence). Records are
/// kept in pages because sled pays per insert: a bulk import writes a page, not a row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub entries: Vec<PageEntry>,
}

/// A record in a page: its place, and its own versioned bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageEntry {
    pub day: Day,
    pub hash: u64,
    pub occurrence: u32,
    #[serde(with = "serde_bytes")]
    pub record: Vec<u8>,
}

/// A unit's children as kept with it (`TreeId::Kids`, `store::kids`), by index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kids {
    pub kids: Vec<Kid>,
}

/// A parent's stored children (`Kids`) with their units' text borrowed from the bytes: a
/// write that changes only some children's newest evaluations (an evaluations import) reads
/// and writes the value without an owned `Unit` per child (issue 14, fastrec: decoding and
/// encoding every child whole was ~5% of an evaluations import's instructions). Encodes to
/// the bytes `Kids` does.
pub struct KidsNewest<'a>(KidsRef<'a>);

#[derive(Serialize, Deserialize)]
struct KidsRef<'a> {
    #[serde(borrow)]
    kids: Vec<KidRef<'a>>,
}

/// `Kid`, field for field.
#[derive(Serialize, Deserialize)]
struct KidRef<'a> {
    idx: u32,
    #[serde(borrow)]
    unit: UnitRef<'a>,
    #[serde(with = "super::byte_fields::newest")]
    newest: Option<(Day, Vec<Vec<u8>>)>,
}

/// `Unit`, field for field, its text borrowed.
#[derive(Serialize, Deserialize)]
struct UnitRef<'a> {
    code: &'a str,
    #[serde(borrow)]
    parent: Option<&'a str>,
    level: crate::domain::Level,
    name: &'a str,
    station: crate::domain::StationStatus,
    opened_on: Option<crate::domain::PartialDate>,
    closed_on: Option<crate::domain::PartialDate>,
    operator: &'a str,
    address: &'a str,
    contact: &'a str,
    phone: &'a str,
    note: &'a str,
    social_workers: Option<u32>,
    certified_workers: Option<u32>,
}

impl UnitRef<'_> {
    fn to_unit(&self) -> Unit {
        Unit {
            code: self.code.to_string(),
            parent: self.parent.map(str::to_string),
            level: self.level,
            name: self.name.to_string(),
            station: self.station,
            opened_on: self.opened_on,
            closed_on: self.closed_on,
            operator: self.operator.to_string(),
            address: self.address.to_string(),
            contact: self.contact.to_string(),
            phone: self.phone.to_string(),
            note: self.note.to_string(),
            social_workers: self.social_workers,
            certified_workers: self.certified_workers,
        }
    }
}

impl<'a> KidsNewest<'a> {
    pub fn decode(bytes: &'a [u8]) -> Result<KidsNewest<'a>, DecodeError> {
        open(Kids::NAME, Kids::VERSION, bytes).map(KidsNewest)
    }

    /// Where a child is among them (they are sorted by index).
    pub fn position(&self, idx: u32) -> Option<usize> {
        self.0.kids.binary_search_by_key(&idx, |k| k.idx).ok()
    }

    pub fn set_newest(&mut self, at: usize, newest: Option<(Day, Vec<Vec<u8>>)>) {
        if let Some(kid) = self.0.kids.get_mut(at) {
            kid.newest = newest;
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        envelope(Kids::NAME, Kids::VERSION, &self.0)
    }
}

/// A unit's children's totals over every year as kept with it (`TreeId::KidTotals`,
/// `store::kid_totals`): each child's index and its `TreeId::ChildTotals` value, bytes as
/// stored there (`encode_total`), by index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KidTotals {
    #[serde(with = "super::byte_fields::indexed")]
    pub totals: Vec<(u32, Vec<u8>)>,
}

/// A parent's children's totals (`KidTotals`) read without copying: each child's index and its
/// total's bytes borrowed from the value (the national root's funding chart and report read the
/// 2,850 of them, by index, to decode each once).
pub fn kid_totals_borrowed(bytes: &[u8]) -> Result<Vec<(u32, &[u8])>, DecodeError> {
    #[derive(Deserialize)]
    struct KidTotalsRef<'a> {
        #[serde(borrow)]
        totals: Vec<(u32, &'a [u8])>,
    }
    open::<KidTotalsRef>(KidTotals::NAME, KidTotals::VERSION, bytes).map(|k| k.totals)
}

/// A parent's children's units (`Kids`), without their newest evaluations: what a list of the
/// children with their totals shows (their evaluations' bytes are borrowed and dropped, not
/// copied).
pub fn kid_units(bytes: &[u8]) -> Result<Vec<(u32, Unit)>, DecodeError> {
    /// `Kid`, field for field, everything borrowed.
    #[derive(Deserialize)]
    struct KidUnitRef<'a> {
        idx: u32,
        #[serde(borrow)]
        unit: UnitRef<'a>,
        #[serde(borrow)]
        _newest: Option<(Day, Vec<&'a [u8]>)>,
    }
    #[derive(Deserialize)]
    struct KidUnitsRef<'a> {
        #[serde(borrow)]
        kids: Vec<KidUnitRef<'a>>,
    }
    let kids: KidUnitsRef = open(Kids::NAME, Kids::VERSION, bytes)?;
    Ok(kids.kids.into_iter().map(|k| (k.idx, k.unit.to_unit())).collect())
}

/// One child: its unit, and the day of its newest evaluation with that day's evaluations (their
/// own versioned bytes, in page order); `None` when it has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kid {
    pub idx: u32,
    pub unit: Unit,
    #[serde(with = "super::byte_fields::newest")]
    pub newest: Option<(Day, Vec<Vec<u8>>)>,
}

/// Version 2 (schema 3): staff counts are optional. Version 1 bytes still decode, their counts
/// read by `records::count_from_schema2` (a stored 0 there may have been an empty cell).
impl Stored for UnitRow {
    const VERSION: u8 = 2;
    const NAME: &'static str = "unit";
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        envelope(Self::NAME, Self::VERSION, self)
    }
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.first() == Some(&1) {
            let old: legacy::UnitRowV1 = open(Self::NAME, 1, bytes)?;
            return Ok(old.into());
        }
        open(Self::NAME, Self::VERSION, bytes)
    }
}

/// The fields a `UnitRow` encodes before its unit (version 2), read without the unit
/// (issue 14, fastrec: an evaluations import moves tens of thousands of units' first
/// evaluation, and the find index and the children kept with each parent decoded each row
/// whole, before and after, only to learn that its unit and parent had not changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRowHead {
    pub idx: u32,
    pub parent_idx: Option<u32>,
    pub first_evaluation: Option<Day>,
}

impl UnitRowHead {
    /// A stored row's head and the bytes of its unit as encoded; `None` for a row of an
    /// earlier version (decode it whole).
    pub fn split(bytes: &[u8]) -> Result<Option<(UnitRowHead, &[u8])>, DecodeError> {
        match bytes.split_first() {
            Some((&version, payload)) if version == UnitRow::VERSION => {
                let head: UnitRowHead = options()
                    .allow_trailing_bytes()
                    .deserialize(payload)
                    .map_err(|e| DecodeError::payload(UnitRow::NAME, &e))?;
                let len = options()
                    .serialized_size(&head)
                    .map_err(|e| DecodeError::payload(UnitRow::NAME, &e))?;
                let unit = usize::try_from(len)
                    .ok()
                    .and_then(|len| payload.get(len..))
                    .ok_or_else(|| DecodeError(format!("{}: a head longer than the row", UnitRow::NAME)))?;
                Ok(Some((head, unit)))
            }
            _ => Ok(None),
        }
    }

    /// The unit of the bytes `split` gave.
    pub fn unit(unit: &[u8]) -> Result<Unit, DecodeError> {
        options()
            .deserialize(unit)
            .map_err(|e| DecodeError::payload(UnitRow::NAME, &e))
    }

    /// A row's bytes with this head over the unit bytes `split` gave: the row with its head
    /// changed, without encoding the unit again.
    pub fn join(&self, unit: &[u8]) -> Result<Vec<u8>, EncodeError> {
        let mut out = envelope(UnitRow::NAME, UnitRow::VERSION, self)?;
        out.extend_from_slice(unit);
        Ok(out)
    }
}

/// What an import of records asks of a stored unit (its place, level, station and opening),
/// read from the front of its row without the rest (issue 14, fastrec: every unit a file names
/// was decoded whole, ten strings, for these; session 12: the file's parse too, for its
/// lookup of each unit named and the warnings of rows dated before the opening).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitFront {
    pub idx: u32,
    pub parent_idx: Option<u32>,
    pub level: crate::domain::Level,
    pub station: crate::domain::StationStatus,
    pub opened_on: Option<crate::domain::PartialDate>,
}

/// The first fields of `Unit`, in its order, borrowed from the bytes.
#[derive(Deserialize)]
struct UnitFirstFields<'a> {
    #[allow(dead_code)]
    code: &'a str,
    #[allow(dead_code)]
    parent: Option<&'a str>,
    level: crate::domain::Level,
    #[allow(dead_code)]
    name: &'a str,
    station: crate::domain::StationStatus,
    opened_on: Option<crate::domain::PartialDate>,
}

impl UnitFront {
    /// The front of a stored row (of any version).
    pub fn of(bytes: &[u8]) -> Result<UnitFront, DecodeError> {
        let Some((head, unit)) = UnitRowHead::split(bytes)? else {
            let row = UnitRow::decode(bytes)?;
            return Ok(UnitFront {
                idx: row.idx,
                parent_idx: row.parent_idx,
                level: row.unit.level,
                station: row.unit.station,
                opened_on: row.unit.opened_on,
            });
        };
        let first: UnitFirstFields = options()
            .allow_trailing_bytes()
            .deserialize(unit)
            .map_err(|e| DecodeError::payload(UnitRow::NAME, &e))?;
        Ok(UnitFront {
            idx: head.idx,
            parent_idx: head.parent_idx,
            level: first.level,
            station: first.station,
            opened_on: first.opened_on,
        })
    }
}

/// Whether two stored rows hold the same unit (their parent and first evaluation may
/// differ), told from their bytes; `false` when that cannot be told so.
pub fn same_unit(old: &[u8], new: &[u8]) -> Result<bool, DecodeError> {
    same_rows(old, new, false)
}

/// Whether two stored rows hold the same unit under the same parent (only their first
/// evaluation may differ), told from their bytes; `false` when that cannot be told so.
pub fn same_unit_and_parent(old: &[u8], new: &[u8]) -> Result<bool, DecodeError> {
    same_rows(old, new, true)
}

fn same_rows(old: &[u8], new: &[u8], parent_too: bool) -> Result<bool, DecodeError> {
    Ok(match (UnitRowHead::split(old)?, UnitRowHead::split(new)?) {
        (Some((a, a_unit)), Some((b, b_unit))) => a_unit == b_unit && (!parent_too || a.parent_idx == b.parent_idx),
        _ => false,
    })
}

/// Stored layouts of earlier versions, read only to upgrade them.
pub mod legacy {
    use super::{Day, UnitRow};
    use serde::{Deserialize, Serialize};

    pub use crate::domain::legacy::UnitV1;

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct UnitRowV1 {
        pub idx: u32,
        pub parent_idx: Option<u32>,
        pub first_evaluation: Option<Day>,
        pub unit: UnitV1,
    }

    impl From<UnitRowV1> for UnitRow {
        fn from(r: UnitRowV1) -> UnitRow {
            UnitRow {
                idx: r.idx,
                parent_idx: r.parent_idx,
                first_evaluation: r.first_evaluation,
                unit: r.unit.into(),
            }
        }
    }
}

stored_v1!(Page, "record page");
stored_v1!(Kids, "children of a unit");
stored_v1!(KidTotals, "children's totals of a unit");
stored_v1!(Training, "training");
stored_v1!(BudgetEntry, "budget entry");

/// An evaluation: version 1 without points per indicator, version 2 with them (issue 15); see
/// `encode_record`.
impl Stored for Evaluation {
    const VERSION: u8 = 2;
    const NAME: &'static str = "evaluation";
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        encode_record(self)
    }
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode_record(bytes)
    }
}

/// Any record's bytes, as its kind's `Stored` impl writes them: generic code above the store
/// knows records by `Record` alone, which says nothing of encoding.
///
/// Version 1 is every record as it was before evaluation schemes; an evaluation with points
/// per indicator (`Record::layout` 2) is version 2, its new field last. An evaluation without
/// points is written as version 1, in exactly the bytes it had before the field existed: bincode
/// writes a `None` as one 0 byte after the other fields, which is dropped. So the records stored
/// before keep their content hash (sled's keys, the server's unique key, the dedup of a
/// re-import), no stored page is rewritten, and no schema upgrade is needed.
pub fn encode_record<R: crate::record::Record>(record: &R) -> Result<Vec<u8>, EncodeError> {
    let layout = record.layout();
    let mut bytes = envelope(R::KIND.value_name(), layout, record)?;
    if R::KIND == crate::domain::RecordKind::Evaluation && layout == 1 {
        // The `None` of `points`, the last field.
        if bytes.pop() != Some(0) {
            return Err(EncodeError {
                name: R::KIND.value_name(),
                bytes: None,
                detail: "an evaluation without points must end in the None of its points".into(),
            });
        }
    }
    Ok(bytes)
}

/// The length of `encode_record`'s bytes, without writing them (`serialized_size`): what a
/// page grows by, counted for every row an import checks.
pub fn encoded_record_len<R: crate::record::Record>(record: &R) -> Result<u64, EncodeError> {
    let layout = record.layout();
    let payload = bincode::DefaultOptions::new()
        .with_limit(MAX_VALUE_BYTES)
        .serialized_size(record)
        .map_err(|e| EncodeError {
            name: R::KIND.value_name(),
            bytes: None,
            detail: e.to_string(),
        })?;
    // The version byte; an evaluation of layout 1 drops the `None` of its points.
    let dropped = u64::from(R::KIND == crate::domain::RecordKind::Evaluation && layout == 1);
    Ok((1 + payload).saturating_sub(dropped))
}

pub fn decode_record<R: crate::record::Record>(bytes: &[u8]) -> Result<R, DecodeError> {
    if R::KIND == crate::domain::RecordKind::Evaluation {
        return match bytes.first() {
            // Version 1 lacks the trailing `None` of `points`: put it back.
            Some(1) => {
                let mut v2 = Vec::with_capacity(bytes.len() + 1);
                v2.push(2);
                v2.extend_from_slice(&bytes[1..]);
                v2.push(0);
                open(R::KIND.value_name(), 2, &v2)
            }
            _ => open(R::KIND.value_name(), 2, bytes),
        };
    }
    open(R::KIND.value_name(), 1, bytes)
}

type Pairs = Vec<(u8, i64)>;

#[derive(Serialize, Deserialize)]
struct BucketBytes {
    total: Pairs,
    days: Vec<(Day, Pairs)>,
}

/// `BucketBytes` as it is written, the days borrowed (the same bytes, no day's counters
/// copied: every bucket an import changes is encoded).
#[derive(Serialize)]
struct BucketRef<'a> {
    total: Pairs,
    days: DaysRef<'a>,
}

struct DaysRef<'a>(&'a std::collections::BTreeMap<Day, Sparse>);

impl Serialize for DaysRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(d, m)| (d, &m.0)))
    }
}

/// Only the head of a bucket: decoding it skips the per-day detail of whole years.
#[derive(Deserialize)]
struct BucketHead {
    total: Pairs,
}

impl Stored for YearBucket {
    const VERSION: u8 = 1;
    const NAME: &'static str = "year bucket";
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let bytes = BucketRef {
            total: self.total.to_sparse(),
            days: DaysRef(&self.days),
        };
        envelope(Self::NAME, Self::VERSION, &bytes)
    }
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let raw: BucketBytes = open(Self::NAME, Self::VERSION, bytes)?;
        Ok(YearBucket {
            total: Measures::from_sparse(&raw.total),
            days: raw.days.into_iter().map(|(d, s)| (d, Sparse(s))).collect(),
        })
    }
}

/// A total alone: each unit's total over every year as its parent keeps it (`child_totals`,
/// `kid_totals`), and, up to schema 8, a year's total beside its bucket (`totals`; since
/// schema 9 it is read from the bucket's head, `bucket_total`).
pub fn encode_total(total: &Measures) -> Result<Vec<u8>, EncodeError> {
    envelope("year total", 1, &total.to_sparse())
}

pub fn decode_total(bytes: &[u8]) -> Result<Measures, DecodeError> {
    let pairs: Pairs = open("year total", 1, bytes)?;
    Ok(Measures::from_sparse(&pairs))
}

/// The year's total of a stored bucket, without decoding its days.
pub fn bucket_total(bytes: &[u8]) -> Result<Measures, DecodeError> {
    let (&version, payload) = bytes
        .split_first()
        .ok_or_else(|| DecodeError("year bucket: empty value".into()))?;
    if version != YearBucket::VERSION {
        return Err(DecodeError(format!("year bucket: unknown format version {version}")));
    }
    let head: BucketHead = options()
        .allow_trailing_bytes()
        .deserialize(payload)
        .map_err(|e| DecodeError::payload("year bucket", &e))?;
    Ok(Measures::from_sparse(&head.total))
}

/// The measures of a stored bucket's days on or before `until`, summed as the days are read
/// (`YearBucket::decode` then `until` gave the same, after building a map of every day's
/// counters: a coverage chart reads a bucket for each of its ~40 points, and the national
/// root's bucket of a year holds every day of it). `Err(Overflow)` inside: a sum left `i64`.
pub fn bucket_until(bytes: &[u8], until: Day) -> Result<Result<Measures, crate::rollup::Overflow>, DecodeError> {
    let (&version, payload) = bytes
        .split_first()
        .ok_or_else(|| DecodeError("year bucket: empty value".into()))?;
    if version != YearBucket::VERSION {
        return Err(DecodeError(format!("year bucket: unknown format version {version}")));
    }
    let mut sum = bucket_sum::Sum {
        until,
        measures: Measures::default(),
        overflow: false,
    };
    options()
        .deserialize_seed(bucket_sum::Bucket(&mut sum), payload)
        .map_err(|e| DecodeError::payload("year bucket", &e))?;
    Ok(match sum.overflow {
        true => Err(crate::rollup::Overflow),
        false => Ok(sum.measures),
    })
}

/// `bucket_until`'s reading of a bucket (`BucketBytes`: the total, then each day and its
/// counters), adding each counter of a day on or before `until` as it is read.
mod bucket_sum {
    use super::{Day, Measures};
    use serde::de::{DeserializeSeed, Deserializer, Error, SeqAccess, Visitor};
    use std::fmt;

    pub struct Sum {
        pub until: Day,
        pub measures: Measures,
        pub overflow: bool,
    }

    /// The whole bucket: its total (read past), then its days.
    pub struct Bucket<'s>(pub &'s mut Sum);
    /// A bucket's days.
    struct Days<'s>(&'s mut Sum);
    /// One day and its counters.
    struct OneDay<'s>(&'s mut Sum);
    /// A list of counters, added when `add` (or read past).
    struct Counters<'s> {
        sum: &'s mut Sum,
        add: bool,
    }

    impl<'de> DeserializeSeed<'de> for Bucket<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_tuple(2, self)
        }
    }

    impl<'de> Visitor<'de> for Bucket<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a year bucket")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let total = Counters {
                sum: &mut *self.0,
                add: false,
            };
            seq.next_element_seed(total)?
                .ok_or_else(|| A::Error::invalid_length(0, &"a total and days"))?;
            seq.next_element_seed(Days(self.0))?
                .ok_or_else(|| A::Error::invalid_length(1, &"a total and days"))?;
            Ok(())
        }
    }

    impl<'de> DeserializeSeed<'de> for Days<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Days<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a bucket's days")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(OneDay(&mut *self.0))?.is_some() {}
            Ok(())
        }
    }

    impl<'de> DeserializeSeed<'de> for OneDay<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_tuple(2, self)
        }
    }

    impl<'de> Visitor<'de> for OneDay<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a day and its counters")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let day: Day = seq
                .next_element()?
                .ok_or_else(|| A::Error::invalid_length(0, &"a day and its counters"))?;
            let add = day <= self.0.until;
            seq.next_element_seed(Counters { sum: self.0, add })?
                .ok_or_else(|| A::Error::invalid_length(1, &"a day and its counters"))?;
            Ok(())
        }
    }

    impl<'de> DeserializeSeed<'de> for Counters<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Counters<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("counters")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some((at, value)) = seq.next_element::<(u8, i64)>()? {
                if !self.add {
                    continue;
                }
                // As `Sparse::add_to`: a counter this program does not know is left out.
                if let Some(slot) = self.sum.measures.0.get_mut(usize::from(at)) {
                    match slot.checked_add(value) {
                        Some(v) => *slot = v,
                        None => self.sum.overflow = true,
                    }
                }
            }
            Ok(())
        }
    }
}

/// The envelope for stored types declared in other modules of the store.
pub(crate) fn encode_versioned<T: Serialize>(
    name: &'static str,
    version: u8,
    value: &T,
) -> Result<Vec<u8>, EncodeError> {
    envelope(name, version, value)
}

pub(crate) fn decode_versioned<T: DeserializeOwned>(name: &str, version: u8, bytes: &[u8]) -> Result<T, DecodeError> {
    open(name, version, bytes)
}

/// Plain lists of small values (undo logs) share the envelope too.
pub fn encode_list<T: Serialize>(items: &T) -> Result<Vec<u8>, EncodeError> {
    envelope("undo log", 1, items)
}

pub fn decode_list<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    open("undo log", 1, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn sample_unit() -> UnitRow {
        let mut unit = Unit::new("530112001000", Some("530112000000"), Level::Street, "西苑街道");
        unit.station = StationStatus::Operating;
        unit.opened_on = PartialDate::parse("2021-05").ok();
        unit.social_workers = Some(3);
        unit.certified_workers = Some(1);
        UnitRow {
            idx: 2,
            parent_idx: Some(1),
            first_evaluation: Some(738_000),
            unit,
        }
    }

    /// Issue 14 (fastrec): a parent's children read with their units borrowed encode to the
    /// bytes `Kids` does, before and after a child's newest evaluations change.
    #[test]
    fn kids_read_borrowed_encode_as_kids_do() {
        let mut full = sample_unit().unit;
        full.closed_on = PartialDate::parse("2024").ok();
        full.station = StationStatus::Closed;
        full.operator = "机构".into();
        full.address = "地址".into();
        full.contact = "联系人".into();
        full.phone = "0871".into();
        full.note = "备注".into();
        let mut bare = Unit::new("530112001001", None, Level::Community, "社区");
        bare.certified_workers = None;
        let mut kids = Kids {
            kids: vec![
                Kid {
                    idx: 3,
                    unit: full,
                    newest: Some((738_000, vec![vec![1, 2, 3], vec![]])),
                },
                Kid {
                    idx: 7,
                    unit: bare,
                    newest: None,
                },
            ],
        };
        let bytes = kids.encode().unwrap();
        let mut borrowed = KidsNewest::decode(&bytes).unwrap();
        assert_eq!(borrowed.encode().unwrap(), bytes);
        assert_eq!(borrowed.position(7), Some(1));
        assert_eq!(borrowed.position(4), None);
        let newest = Some((738_100, vec![vec![9u8; 40]]));
        borrowed.set_newest(1, newest.clone());
        kids.kids[1].newest = newest;
        assert_eq!(borrowed.encode().unwrap(), kids.encode().unwrap());
        // Read for a list of the children: their units by index, nothing else copied.
        let units = kid_units(&kids.encode().unwrap()).unwrap();
        let expected: Vec<(u32, Unit)> = kids.kids.iter().map(|k| (k.idx, k.unit.clone())).collect();
        assert_eq!(units, expected);
    }

    /// The byte fields (`store::byte_fields`: a record in a page, a child's newest evaluations,
    /// a child's total) are written as runs of bytes, in the very bytes that serde's default, a
    /// sequence of `u8`, gave: values stored before read the same (issue 14, session 12).
    #[test]
    fn byte_fields_keep_the_bytes_of_a_sequence_of_u8() {
        #[derive(Serialize)]
        struct PlainEntry {
            day: Day,
            hash: u64,
            occurrence: u32,
            record: Vec<u8>,
        }
        #[derive(Serialize)]
        struct PlainKid {
            idx: u32,
            unit: Unit,
            newest: Option<(Day, Vec<Vec<u8>>)>,
        }
        #[derive(Serialize)]
        struct PlainTotals {
            totals: Vec<(u32, Vec<u8>)>,
        }
        let record: Vec<u8> = (0..=255u8).collect();
        let page = Page {
            entries: vec![PageEntry {
                day: 738_000,
                hash: u64::MAX,
                occurrence: 2,
                record: record.clone(),
            }],
        };
        let plain_page = vec![PlainEntry {
            day: 738_000,
            hash: u64::MAX,
            occurrence: 2,
            record: record.clone(),
        }];
        assert_eq!(
            page.encode().unwrap(),
            envelope("record page", 1, &(plain_page,)).unwrap()
        );
        assert_eq!(Page::decode(&page.encode().unwrap()).unwrap(), page);
        let unit = Unit::new("530112001001", None, Level::Community, "社区");
        for newest in [
            None,
            Some((738_000, vec![])),
            Some((738_001, vec![record.clone(), vec![]])),
        ] {
            let kids = Kids {
                kids: vec![Kid {
                    idx: 300,
                    unit: unit.clone(),
                    newest: newest.clone(),
                }],
            };
            let twin = (vec![PlainKid {
                idx: 300,
                unit: unit.clone(),
                newest,
            }],);
            assert_eq!(
                kids.encode().unwrap(),
                envelope(Kids::NAME, Kids::VERSION, &twin).unwrap()
            );
            assert_eq!(Kids::decode(&kids.encode().unwrap()).unwrap(), kids);
        }
        let totals = KidTotals {
            totals: vec![(1, record.clone()), (70_000, vec![])],
        };
        let twin = PlainTotals {
            totals: totals.totals.clone(),
        };
        let bytes = totals.encode().unwrap();
        assert_eq!(bytes, envelope(KidTotals::NAME, KidTotals::VERSION, &twin).unwrap());
        assert_eq!(KidTotals::decode(&bytes).unwrap(), totals);
        let borrowed = kid_totals_borrowed(&bytes).unwrap();
        assert_eq!(borrowed, vec![(1, record.as_slice()), (70_000, &[][..])]);
    }

    /// Issue 14 (fastrec): a row's head is read and changed over its unit's bytes as they are,
    /// giving the bytes `encode` gives; a different unit or parent is told apart.
    #[test]
    fn a_rows_head_is_read_and_changed_without_its_unit() {
        let row = sample_unit();
        let bytes = row.encode().unwrap();
        let (head, unit) = UnitRowHead::split(&bytes).unwrap().unwrap();
        assert_eq!(
            (head.idx, head.parent_idx, head.first_evaluation),
            (row.idx, row.parent_idx, row.first_evaluation)
        );
        assert_eq!(UnitRowHead::unit(unit).unwrap(), row.unit);
        let moved = UnitRow {
            first_evaluation: Some(739_000),
            ..row.clone()
        };
        let joined = UnitRowHead {
            first_evaluation: Some(739_000),
            ..head
        }
        .join(unit)
        .unwrap();
        assert_eq!(joined, moved.encode().unwrap());
        assert!(same_unit_and_parent(&bytes, &joined).unwrap());
        let mut renamed = moved.clone();
        renamed.unit.name.push('站');
        assert!(!same_unit_and_parent(&bytes, &renamed.encode().unwrap()).unwrap());
        let reparented = UnitRow {
            parent_idx: Some(99),
            ..moved
        };
        assert!(!same_unit_and_parent(&bytes, &reparented.encode().unwrap()).unwrap());
        let front = UnitFront::of(&bytes).unwrap();
        assert_eq!(
            (front.idx, front.parent_idx, front.level, front.station, front.opened_on),
            (
                row.idx,
                row.parent_idx,
                row.unit.level,
                row.unit.station,
                row.unit.opened_on
            )
        );
        // An earlier version is not split: it is decoded whole.
        let mut v1 = bytes.clone();
        v1[0] = 1;
        assert!(UnitRowHead::split(&v1).unwrap().is_none());
    }

    fn sample_budget() -> BudgetEntry {
        BudgetEntry {
            id: Some("B1".into()),
            date: PartialDate::parse("2021-11").unwrap(),
            unit: "530112000000".into(),
            kind: BudgetKind::Allocation,
            category: None,
            source: Some(Source::Fiscal),
            amount: Fen(170_000_000),
            voucher: "V1".into(),
            note: "合计".into(),
        }
    }

    fn sample_evaluation() -> Evaluation {
        Evaluation {
            id: None,
            unit: "530112001000".into(),
            date: PartialDate::parse("2021-11-08").unwrap(),
            kind: EvalKind::Midterm,
            evaluator: "三方".into(),
            score: Some(905),
            grade: None,
            note: String::new(),
            points: None,
        }
    }

    fn sample_training() -> Training {
        Training {
            id: Some("T1".into()),
            date: PartialDate::parse("2021").unwrap(),
            host: "530112000000".into(),
            kind: TrainingKind::Coaching,
            mode: Some(TrainingMode::Mixed),
            topic: "运营".into(),
            hours: Some(15),
            attendees: Some(12),
            units: vec!["530112001000".into()],
            note: String::new(),
        }
    }

    // Saved bytes of version 1 of every stored type. If one of these fails, the stored format
    // changed: add a new version with an upgrade from this one instead of editing the bytes.
    const UNIT_V1: &str = "0102010101fca08516000c353330313132303031303030010c353330313132303030303030030ce8a5bfe88b91e8a197e981930301fbe50705000000000000000301";
    /// Version 2 (schema 3): the staff counts became optional.
    const UNIT_V2: &str = "0202010101fca08516000c353330313132303031303030010c353330313132303030303030030ce8a5bfe88b91e8a197e981930301fbe507050000000000000001030101";
    const BUDGET_V1: &str = "0101024231fbe5070b000c35333031313230303030303000000100fc00fd431402563106e59088e8aea1";
    const EVALUATION_V1: &str = "01000c353330313132303031303030fbe5070b080006e4b889e696b901fb89030000";
    const TRAINING_V1: &str =
        "0101025431fbe50700000c35333031313230303030303001010206e8bf90e890a5010f010c010c35333031313230303130303000";

    #[test]
    fn saved_bytes_of_every_version_still_decode() {
        let cases: [(&str, &str); 5] = [
            ("unit", UNIT_V1),
            ("unit", UNIT_V2),
            ("budget", BUDGET_V1),
            ("evaluation", EVALUATION_V1),
            ("training", TRAINING_V1),
        ];
        for (name, saved) in cases {
            let bytes: Vec<u8> = (0..saved.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&saved[i..i + 2], 16).unwrap())
                .collect();
            match name {
                "unit" => assert_eq!(UnitRow::decode(&bytes).unwrap(), sample_unit()),
                "budget" => assert_eq!(BudgetEntry::decode(&bytes).unwrap(), sample_budget()),
                "evaluation" => assert_eq!(Evaluation::decode(&bytes).unwrap(), sample_evaluation()),
                _ => assert_eq!(Training::decode(&bytes).unwrap(), sample_training()),
            }
        }
    }

    #[test]
    fn encoding_is_what_was_saved() {
        assert_eq!(hex(&sample_unit().encode().unwrap()), UNIT_V2);
        assert_eq!(hex(&sample_budget().encode().unwrap()), BUDGET_V1);
        assert_eq!(hex(&sample_evaluation().encode().unwrap()), EVALUATION_V1);
        assert_eq!(hex(&sample_training().encode().unwrap()), TRAINING_V1);
    }

    /// An evaluation with points per indicator is version 2: the version-1 fields, then the
    /// points (issue 15); one without keeps its version-1 bytes (above), and so its hash.
    #[test]
    fn an_evaluation_with_points_is_version_2() {
        let mut e = sample_evaluation();
        e.points = Some(Points {
            scheme: "示例".into(),
            given: vec![("A1".into(), 0), ("B2".into(), 905)],
        });
        let bytes = e.encode().unwrap();
        assert_eq!(bytes[0], 2);
        let v1 = sample_evaluation().encode().unwrap();
        assert_eq!(&bytes[1..v1.len()], &v1[1..], "the old fields come first, unchanged");
        assert_eq!(Evaluation::decode(&bytes).unwrap(), e);
        e.points = Some(Points {
            scheme: "示例".into(),
            given: vec![("A1".into(), 0)],
        });
        let bytes = e.encode().unwrap();
        assert_eq!(
            (bytes[0], *bytes.last().unwrap()),
            (2, 0),
            "a 0 at the end is still version 2"
        );
        assert_eq!(Evaluation::decode(&bytes).unwrap(), e);
    }

    /// What a page grows by is counted without encoding (`encoded_record_len`): the length of
    /// the bytes `encode_record` writes, for every kind and both evaluation versions.
    #[test]
    fn a_records_length_is_counted_without_encoding() {
        let len = |bytes: Vec<u8>| bytes.len() as u64;
        let budget = sample_budget();
        assert_eq!(
            encoded_record_len(&budget).unwrap(),
            len(encode_record(&budget).unwrap())
        );
        let training = sample_training();
        assert_eq!(
            encoded_record_len(&training).unwrap(),
            len(encode_record(&training).unwrap())
        );
        let mut e = sample_evaluation();
        assert_eq!(encoded_record_len(&e).unwrap(), len(encode_record(&e).unwrap()));
        e.points = Some(Points {
            scheme: "示例".into(),
            given: vec![("A1".into(), 0), ("B2".into(), 905)],
        });
        assert_eq!(encoded_record_len(&e).unwrap(), len(encode_record(&e).unwrap()));
    }

    fn sample_page() -> Page {
        Page {
            entries: vec![PageEntry {
                day: 738_000,
                hash: 42,
                occurrence: 1,
                record: sample_budget().encode().unwrap(),
            }],
        }
    }

    fn sample_bucket() -> YearBucket {
        let mut b = YearBucket::default();
        b.add(738_000, &Sparse(vec![(3, 7), (20, -170_000_000)])).unwrap();
        b
    }

    fn sample_journal() -> crate::store::JournalEntry {
        crate::store::JournalEntry {
            at: 1_700_000_000,
            operator: "李淳".into(),
            action: "add".into(),
            kind: "budget".into(),
            unit: Some("530112000000".into()),
            key: Some("00".into()),
            before: None,
            after: Some("{}".into()),
            summary: "budget added".into(),
            undoes: Some(7),
        }
    }

    const PAGE_V1: &str =
        "0101fca08516002a012a0101024231fbe5070b000c35333031313230303030303000000100fc00fd431402563106e59088e8aea1";
    const BUCKET_V1: &str = "0102030e14fcfffc431401fca085160002030e14fcfffc4314";
    const JOURNAL_V1: &str = "01fc00e2a7ca06e69d8ee6b7b30361646406627564676574010c353330313132303030303030010230300001027b7d0c6275646765742061646465640107";

    #[test]
    fn saved_bytes_of_pages_buckets_and_journal_still_decode() {
        let bytes = |saved: &str| -> Vec<u8> {
            (0..saved.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&saved[i..i + 2], 16).unwrap())
                .collect()
        };
        assert_eq!(hex(&sample_page().encode().unwrap()), PAGE_V1);
        assert_eq!(Page::decode(&bytes(PAGE_V1)).unwrap(), sample_page());
        assert_eq!(hex(&sample_bucket().encode().unwrap()), BUCKET_V1);
        assert_eq!(YearBucket::decode(&bytes(BUCKET_V1)).unwrap(), sample_bucket());
        assert_eq!(hex(&sample_journal().encode().unwrap()), JOURNAL_V1);
        assert_eq!(
            crate::store::JournalEntry::decode(&bytes(JOURNAL_V1)).unwrap(),
            sample_journal()
        );
    }

    /// A bucket's days summed as they are read give what the decoded bucket's `until` gives,
    /// on every day around them, with a counter this program does not know, and on overflow.
    #[test]
    fn a_buckets_days_summed_as_read_equal_its_decoded_until() {
        let mut b = YearBucket::default();
        for (day, pairs) in [
            (738_010, vec![(3u8, 7i64), (20, -170_000_000)]),
            (738_011, vec![(0, 1)]),
            (738_200, vec![(3, -2), (250, 9)]),
            (738_364, vec![(20, 5), (21, 6)]),
        ] {
            b.add(day, &Sparse(pairs)).unwrap();
        }
        let bytes = b.encode().unwrap();
        for day in 738_000..738_400 {
            assert_eq!(bucket_until(&bytes, day).unwrap(), b.until(day), "day {day}");
        }
        let mut full = YearBucket::default();
        full.days.insert(738_001, Sparse(vec![(4, i64::MAX)]));
        full.days.insert(738_002, Sparse(vec![(4, 1)]));
        let bytes = full.encode().unwrap();
        assert_eq!(bucket_until(&bytes, 738_001).unwrap(), full.until(738_001));
        assert!(full.until(738_002).is_err());
        assert!(bucket_until(&bytes, 738_002).unwrap().is_err());
        // Damage is an error, never a panic or a sum.
        for cut in 0..bytes.len() {
            assert!(bucket_until(&bytes[..cut], 738_002).is_err() || cut == bytes.len());
        }
    }

    #[test]
    fn a_schema_2_unit_with_0_staff_reads_as_not_stated() {
        let mut row = sample_unit();
        row.unit.social_workers = None;
        row.unit.certified_workers = None;
        let old = super::legacy::UnitRowV1 {
            idx: row.idx,
            parent_idx: row.parent_idx,
            first_evaluation: row.first_evaluation,
            unit: super::legacy::UnitV1 {
                code: row.unit.code.clone(),
                parent: row.unit.parent.clone(),
                level: row.unit.level,
                name: row.unit.name.clone(),
                station: row.unit.station,
                opened_on: row.unit.opened_on,
                closed_on: row.unit.closed_on,
                operator: String::new(),
                address: String::new(),
                contact: String::new(),
                phone: String::new(),
                note: String::new(),
                social_workers: 0,
                certified_workers: 0,
            },
        };
        assert_eq!(UnitRow::decode(&envelope("unit", 1, &old).unwrap()).unwrap(), row);
    }

    #[test]
    fn buckets_round_trip_and_heads_decode_alone() {
        let mut b = YearBucket::default();
        b.add(738_000, &Sparse(vec![(3, 7)])).unwrap();
        let bytes = b.encode().unwrap();
        assert_eq!(YearBucket::decode(&bytes).unwrap(), b);
        assert_eq!(bucket_total(&bytes).unwrap(), b.total);
        assert_eq!(decode_total(&encode_total(&b.total).unwrap()).unwrap(), b.total);
    }

    /// A page over the limit is an error, never the version byte alone (as it once was).
    #[test]
    fn a_value_over_the_limit_is_an_error_not_an_empty_value() {
        let big = vec![0u8; (MAX_VALUE_BYTES + 1) as usize];
        let page = Page {
            entries: vec![PageEntry {
                day: 0,
                hash: 0,
                occurrence: 0,
                record: big,
            }],
        };
        let e = page.encode().unwrap_err();
        assert_eq!(e.name, "record page");
        assert!(e.bytes.is_some_and(|b| b > MAX_VALUE_BYTES));
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in [
            &[][..],
            &[1],
            &[9, 1, 2],
            &[1, 255, 255, 255, 255, 255, 255, 255, 255, 255],
        ] {
            assert!(UnitRow::decode(bytes).is_err());
            assert!(YearBucket::decode(bytes).is_err() || bytes.len() > 1);
        }
    }
}

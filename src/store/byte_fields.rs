//! How the store's byte fields are written: as one run of bytes (`serde_bytes`), not a
//! sequence of `u8` values. bincode writes both as the same length and the same bytes, so
//! stored values do not change; what changes is the cost: a sequence is encoded and decoded a
//! byte at a time, a run is one copy (issue 14: the children's totals and newest evaluations of
//! the national root are ~100 KB each, decoded for every funding chart and report; every
//! record's bytes in every page are encoded on import and decoded on each read).
//!
//! `serde_bytes` covers a `Vec<u8>` field itself; the modules here cover the nested shapes the
//! store keeps, for `#[serde(with = …)]`.

use crate::domain::Day;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_bytes::{ByteBuf, Bytes};

/// A child's newest day and that day's evaluations, each its own bytes (`codec::Kid::newest`).
pub type Newest = Option<(Day, Vec<Vec<u8>>)>;

/// `Newest`, for `#[serde(with = …)]`.
pub mod newest {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Newest, s: S) -> Result<S::Ok, S::Error> {
        value.as_ref().map(|(day, list)| (*day, Runs(list))).serialize(s)
    }

    /// A list of byte strings written as runs, without a list of their own (an evaluations
    /// import writes every parent's value it touches).
    struct Runs<'a>(&'a [Vec<u8>]);

    impl Serialize for Runs<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|b| Bytes::new(b)))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Newest, D::Error> {
        let runs: Option<(Day, Vec<ByteBuf>)> = Deserialize::deserialize(d)?;
        Ok(runs.map(|(day, list)| (day, list.into_iter().map(ByteBuf::into_vec).collect())))
    }
}

/// `Vec<(u32, Vec<u8>)>`: values by index (`codec::KidTotals::totals`).
pub mod indexed {
    use super::*;

    pub fn serialize<S: Serializer>(value: &[(u32, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(value.iter().map(|(idx, bytes)| (*idx, Bytes::new(bytes))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(u32, Vec<u8>)>, D::Error> {
        let runs: Vec<(u32, ByteBuf)> = Deserialize::deserialize(d)?;
        Ok(runs.into_iter().map(|(idx, bytes)| (idx, bytes.into_vec())).collect())
    }
}

//! A streamed import's checked rows, spilled to temporary files by share of the units while the
//! file is read and checked, so that the file is read once and each pass of the write holds
//! only its own group of shares (issue 14: import memory that does not grow with the file).
//! Every row of one unit falls in one share, so a page (one unit, kind and year) is written by
//! one pass only. Rows are kept in the store's own encoding (`codec::encode_record`), which the
//! write encodes again. The files are unlinked as they are made (`tempfile::tempfile`): nothing
//! is left behind, not even by a killed process.

use crate::record::Record;
use crate::store::codec::{decode_record, encode_record};
use crate::store::{Result, StoreError};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;

/// A spill file could not be made, written or read back (a full or failing disk), named by
/// the folder it is in.
fn failed(e: io::Error) -> StoreError {
    StoreError::Io(format!("{}: {e}", std::env::temp_dir().display()))
}

/// Shares of the units; a pass writes a run of neighbouring shares.
pub(super) const SHARES: usize = 128;

struct Share {
    file: BufWriter<File>,
    rows: usize,
    bytes: u64,
}

/// Rows spilled so far, by share.
pub(super) struct Spill<R> {
    shares: Vec<Option<Share>>,
    record: PhantomData<R>,
}

impl<R: Record> Spill<R> {
    pub fn new() -> Spill<R> {
        Spill {
            shares: (0..SHARES).map(|_| None).collect(),
            record: PhantomData,
        }
    }

    /// Adds one checked row to its unit's share.
    #[cfg(test)]
    pub fn push(&mut self, record: &R) -> Result<()> {
        self.push_in(record, xxhash_rust::xxh3::xxh3_64(record.owner().as_bytes()))
    }

    /// Adds one checked row to the share of `group` (modulo `SHARES`), the same for every row
    /// of a unit: a share the store chose by the unit's place in it, or a hash (the load puts
    /// a community's rows with its street's: `load::Groups`, `BulkImport::share_of`).
    pub fn push_in(&mut self, record: &R, group: u64) -> Result<()> {
        let bytes = encode_record(record)?;
        let len = u32::try_from(bytes.len()).map_err(|_| StoreError::Overflow)?;
        let at = (group % SHARES as u64) as usize;
        let share = match &mut self.shares[at] {
            Some(share) => share,
            slot => slot.insert(Share {
                file: BufWriter::new(tempfile::tempfile().map_err(failed)?),
                rows: 0,
                bytes: 0,
            }),
        };
        share.file.write_all(&len.to_le_bytes()).map_err(failed)?;
        share.file.write_all(&bytes).map_err(failed)?;
        share.rows += 1;
        share.bytes += 4 + u64::from(len);
        Ok(())
    }

    /// The shares grouped into passes of at most `max_rows` rows and `max_bytes` spilled bytes
    /// each (a share larger than that is a pass of its own).
    pub fn into_passes(self, max_rows: usize, max_bytes: u64) -> Passes<R> {
        let mut passes: Vec<Vec<Share>> = Vec::new();
        let (mut rows, mut bytes) = (0usize, 0u64);
        for share in self.shares.into_iter().flatten() {
            let fits = rows + share.rows <= max_rows && bytes + share.bytes <= max_bytes;
            match passes.last_mut() {
                Some(pass) if fits => {
                    rows += share.rows;
                    bytes += share.bytes;
                    pass.push(share);
                }
                _ => {
                    (rows, bytes) = (share.rows, share.bytes);
                    passes.push(vec![share]);
                }
            }
        }
        passes.reverse();
        Passes {
            passes,
            record: PhantomData,
        }
    }
}

/// The passes of a spilled import, each read back when it is written.
pub(super) struct Passes<R> {
    /// In reverse order: the next pass is popped from the end.
    passes: Vec<Vec<Share>>,
    record: PhantomData<R>,
}

impl<R: Record> Passes<R> {
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.passes.len()
    }

    /// The rows of the next pass (its share files closed, and so deleted, once read).
    pub fn next_pass(&mut self) -> Result<Option<Vec<R>>> {
        let Some(pass) = self.passes.pop() else {
            return Ok(None);
        };
        let mut rows = Vec::with_capacity(pass.iter().map(|s| s.rows).sum());
        for share in pass {
            let mut file = share.file.into_inner().map_err(|e| failed(e.into_error()))?;
            file.seek(SeekFrom::Start(0)).map_err(failed)?;
            let mut file = BufReader::new(file);
            let mut bytes = Vec::new();
            for _ in 0..share.rows {
                let mut len = [0u8; 4];
                file.read_exact(&mut len).map_err(failed)?;
                bytes.resize(u32::from_le_bytes(len) as usize, 0);
                file.read_exact(&mut bytes).map_err(failed)?;
                rows.push(decode_record::<R>(&bytes)?);
            }
        }
        Ok(Some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BudgetEntry, BudgetKind, Fen, PartialDate};

    fn entry(unit: &str, fen: i64) -> BudgetEntry {
        BudgetEntry {
            id: None,
            date: PartialDate::parse("2021-12-01").unwrap(),
            unit: unit.into(),
            kind: BudgetKind::Allocation,
            category: None,
            source: None,
            amount: Fen(fen),
            voucher: String::new(),
            note: String::new(),
        }
    }

    /// Every row comes back once, a unit's rows in one pass, in the order they were spilled.
    #[test]
    fn rows_come_back_by_unit_in_passes() {
        let mut spill = Spill::new();
        let rows: Vec<BudgetEntry> = (0..2_000).map(|i| entry(&format!("U{}", i % 97), i)).collect();
        for r in &rows {
            spill.push(r).unwrap();
        }
        let mut passes = spill.into_passes(300, u64::MAX);
        assert!(passes.len() >= 7, "{}", passes.len());
        let mut back = Vec::new();
        let mut pass_of = std::collections::HashMap::new();
        let mut n = 0;
        while let Some(pass) = passes.next_pass().unwrap() {
            assert!(!pass.is_empty());
            for r in &pass {
                assert_eq!(*pass_of.entry(r.unit.clone()).or_insert(n), n, "{}", r.unit);
            }
            back.extend(pass);
            n += 1;
        }
        assert_eq!(back.len(), rows.len());
        for unit in pass_of.keys() {
            let sent: Vec<_> = rows.iter().filter(|r| &r.unit == unit).collect();
            let got: Vec<_> = back.iter().filter(|r| &r.unit == unit).collect();
            assert_eq!(sent, got);
        }
    }
}

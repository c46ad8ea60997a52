//! Evaluation schemes in the sled store (issue 15): the `schemes` tree, the scheme's name →
//! the scheme, each value in the codec's envelope ("scheme", version 1). Schemes are few and
//! small, so they are read whole. A new tree, not a new layout of an old one: a store written
//! before schemes opens as it was, with none.

use super::codec::{decode_versioned, encode_versioned};
use super::keys::TreeId;
use super::{Result, Store};
use crate::domain::Scheme;

const NAME: &str = "scheme";
const VERSION: u8 = 1;

impl Store {
    /// Every stored scheme, by name.
    pub fn schemes(&self) -> Result<Vec<Scheme>> {
        let mut out = Vec::new();
        for item in self.tree(TreeId::Schemes).iter() {
            let (_, value) = item?;
            out.push(decode_versioned(NAME, VERSION, &value)?);
        }
        Ok(out)
    }

    /// Stores `schemes` (the registry checked that none is stored already) in one atomic batch
    /// of the tree: all of them or, after a crash, none.
    pub fn add_schemes(&self, schemes: &[Scheme]) -> Result<()> {
        self.check_writable()?;
        let mut batch = sled::Batch::default();
        for scheme in schemes {
            batch.insert(scheme.name.as_bytes(), encode_versioned(NAME, VERSION, scheme)?);
        }
        self.tree(TreeId::Schemes).apply_batch(batch)?;
        self.flush()
    }
}

//! Opening a store whatever shegong wrote it: one from an older schema is backed up to
//! `DIR/backups/pre-upgrade-vN-to-vM-…sgbak` first, then upgraded in place. If the backup
//! cannot be written, the store is not touched.

use crate::backup::{self, BackupError};
use crate::i18n::Lang;
use crate::store::{Store, StoreError, SCHEMA_VERSION};
use crate::words::{say, F};
use std::path::{Path, PathBuf};

/// What an upgrade did, for the message the user reads.
#[derive(Debug)]
pub struct Upgraded {
    pub from: u32,
    pub to: u32,
    pub backup: PathBuf,
}

impl Upgraded {
    pub fn message(&self, lang: Lang) -> String {
        say(lang, F::Upgraded, &[&self.from, &self.to, &self.backup.display()])
    }
}

/// Opens the store in `dir`. A store of an older schema is backed up and upgraded, unless
/// `readonly` (then it is refused with `OlderSchema`, unchanged).
pub fn open(dir: &Path, readonly: bool) -> Result<(Store, Option<Upgraded>), BackupError> {
    let (store, found) = Store::open_any_schema(dir, readonly)?;
    if found >= SCHEMA_VERSION {
        return Ok((store, None));
    }
    if readonly {
        return Err(StoreError::OlderSchema {
            found,
            supported: SCHEMA_VERSION,
        }
        .into());
    }
    let folder = dir.join("backups");
    crate::store::create_private_dir(&folder)?;
    let name = format!(
        "pre-upgrade-v{found}-to-v{SCHEMA_VERSION}-{}.sgbak",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    );
    let path = folder.join(name);
    backup::backup(&store, &path)?;
    store.upgrade(found)?;
    Ok((
        store,
        Some(Upgraded {
            from: found,
            to: SCHEMA_VERSION,
            backup: path,
        }),
    ))
}

//! The Xishan District data of the bureau's 2021 letter (`data/xishan/`), built into the binary
//! and loaded through the same importer as any file.

use crate::interchange::{import_bytes, ImportError, Kind};
use crate::registry::Registry;

/// The four files, in the order they must be loaded (units first).
pub const FILES: [(Kind, &str, &[u8]); 4] = [
    (
        Kind::Units,
        "data/xishan/units.csv",
        include_bytes!("../data/xishan/units.csv"),
    ),
    (
        Kind::Evaluations,
        "data/xishan/evaluations.csv",
        include_bytes!("../data/xishan/evaluations.csv"),
    ),
    (
        Kind::Trainings,
        "data/xishan/trainings.csv",
        include_bytes!("../data/xishan/trainings.csv"),
    ),
    (
        Kind::Budget,
        "data/xishan/budget.csv",
        include_bytes!("../data/xishan/budget.csv"),
    ),
];

/// Loads the Xishan data into a store.
pub fn load(store: &Registry) -> Result<(), (String, ImportError)> {
    for (kind, name, bytes) in FILES {
        import_bytes(store, kind, bytes).map_err(|e| (name.to_string(), e))?;
    }
    Ok(())
}

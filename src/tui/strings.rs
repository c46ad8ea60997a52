//! The UI's words, by their old address: the texts live in the catalogue (`crate::words`, file
//! `words/ui.rs`); this module re-exports the key type and the look-ups the UI code uses.

pub use crate::words::{fill, say, tr, S};

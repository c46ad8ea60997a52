//! shegong: the registry of a district's social-work stations.
//!
//! Modules, and which may use which (dependencies point one way):
//!
//! - `domain`: pure types and rules (units, stations, records, money, dates, words, the one
//!   parser of each field that files and forms share). Uses nothing.
//! - `i18n`: the user's language. Uses nothing.
//! - `rollup`: pure measures and their sums. Uses `domain`.
//! - `store`: sled, keys, codec, writes, stored totals. Uses `domain`, `rollup`.
//! - `report`: the rollup report of a unit and its children, and its formats. Uses `store`.
//! - `report_book`: the report as an Excel workbook. Uses `report`, `interchange`.
//! - `interchange`: CSV, XLSX and JSON files in and out. Uses `domain`, `store`.
//! - `backup`: the whole store as one file and back. Uses `domain`, `store`.
//! - `history`: the change journal in words (when, what, fields before and after). Uses
//!   `domain`, `store`, `interchange`.
//! - `cli`: the commands. Uses everything above; only `main` uses it.

// No error may be dropped unread (issue 11): a `Result` is handled, returned, or said why not.
#![deny(unused_must_use, clippy::let_underscore_must_use)]

pub mod backup;
pub mod cli;
pub mod coverage_series;
pub mod domain;
pub mod history;
pub mod i18n;
pub mod interchange;
pub mod report;
pub mod report_book;
pub mod rollup;
pub mod store;
pub mod text;
pub mod tui;
pub mod upgrade;
pub mod xishan;

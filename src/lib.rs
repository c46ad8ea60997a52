//! shegong: the registry of a district's social-work stations.
//!
//! Modules, and which may use which (dependencies point one way):
//!
//! - `i18n`: the user's language. Uses nothing.
//! - `words`: the catalogue of every user-facing text, zh and en, by key. Uses `i18n`.
//! - `domain`: pure types and rules (units, stations, records, money, dates, words, the one
//!   parser of each field that files and forms share). Uses `words` for the texts of its
//!   problems.
//! - `rollup`: pure measures and their sums. Uses `domain`.
//! - `search`: find's matching rules (name, code, pinyin; the order of matches), written once
//!   for the UI, the storage trait's default and sled's index. Uses `domain`.
//! - `record`: what a dated record is to the registry and any backend (no encoding). Uses
//!   `domain`, `rollup`.
//! - `storage`: the `Storage` trait every backend implements (sled now, PostgreSQL next).
//!   Uses `domain`, `record`, `rollup`, `search` (the default `find_units`).
//! - `registry`: `Registry` over a `Box<dyn Storage>`, what everything below calls; the rules
//!   written once (validation and its words, the parent walk, the journal's entries, undo's
//!   decisions, an all-or-nothing batch of changes and the corrections built as one). Uses
//!   `domain`, `record`, `storage`, and `store` to open the sled backend, `pg` to connect to a
//!   server.
//! - `store`: the sled backend (keys, codec, writes, stored totals, recovery, lock, a restore's
//!   build-beside-then-rename); calls the `registry` rules. Uses `domain`, `record`, `rollup`, `registry::{rules, journal}`, `search`.
//! - `binary`: the backup file's item encoding. Uses nothing.
//! - `report`: the rollup report of a unit and its children, and its formats. Uses `registry`.
//! - `report_book`: the report as an Excel workbook. Uses `report`, `interchange`.
//! - `report_json`: the report's JSON written straight from its nodes, the bytes of
//!   `report::to_json`. Uses `report`.
//! - `indicators`: the per-indicator rollup of evaluation schemes (issue 15), for the report,
//!   its workbook and the UI. Uses `domain`, `registry`.
//! - `interchange`: CSV, XLSX and JSON files in and out. Uses `domain`, `registry`.
//! - `backup`: the whole store as one file and back. Uses `domain`, `storage` (writing, and
//!   restoring into any `RestoreTarget`), `store` (its errors; `restore(dir)` gives sled's
//!   target), `binary`.
//! - `history`: the change journal in words (when, what, fields before and after). Uses
//!   `domain`, `registry`, `interchange`.
//! - `pg`: the shared PostgreSQL server's schema, roles and row-level security as SQL
//!   migrations; `pg::migrate` applies them; `pg::backend::PgStorage` implements `storage` on
//!   the server (`pg::error` maps its errors; `pg::restore::PgRestore` is its restore target);
//!   `pg::connect` connects (URL, `PG*` variables, password file, TLS) and `pg::staff` manages
//!   the logins. Uses `domain`, `record`, `rollup`, `storage`, `registry::{rules, journal}`,
//!   `store` (its errors, outcomes and record encoding, for the content hash), `words`.
//! - `live`: other people's changes on a shared server, as the UI receives them (`Change`,
//!   `ChangeFeed`; `pg::listen` feeds it). Uses nothing of the crate.
//! - `cli`: the commands. Uses everything above; only `main` uses it.

// No error may be dropped unread (issue 11): a `Result` is handled, returned, or said why not.
#![deny(unused_must_use, clippy::let_underscore_must_use)]

pub mod backup;
pub mod binary;
pub mod cli;
pub mod coverage_series;
pub mod domain;
pub mod history;
pub mod i18n;
pub mod indicators;
pub mod interchange;
pub mod live;
pub mod pg;
pub mod record;
pub mod registry;
pub mod report;
pub mod report_book;
pub mod report_json;
pub mod rollup;
pub mod search;
pub mod storage;
pub mod store;
pub mod text;
pub mod tui;
pub mod upgrade;
pub mod words;
pub mod xishan;

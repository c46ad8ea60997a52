//! Importing a file into the store: read, parse, write all or nothing, and turn the store's
//! row problems back into `FILE:LINE: column` form.

use super::parse::{parse_file_with, Parsed, ParsedFile};
use super::{FileProblem, Kind, Problems};
use crate::domain::StationStatus;
use crate::store::{AddOutcome, RowProblem, Store, StoreError};

/// What an import did, for the message the user reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Non-blank rows in the file.
    pub rows: usize,
    pub added: usize,
    /// Units whose fields changed (records are never updated).
    pub updated: usize,
    /// Rows that were stored already: the same record, or the same unit unchanged.
    pub already_present: usize,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file's content is wrong; nothing was stored.
    Problems(Problems),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// The store's problems with rows, at the file's lines and under the file's column names.
fn locate<T>(kind: Kind, parsed: &Parsed<T>, problems: Vec<RowProblem>) -> ImportError {
    let located = problems
        .into_iter()
        .map(|RowProblem { row, problem }| {
            let column = if problem.field.is_empty() {
                String::new()
            } else {
                parsed.column_of(kind, problem.field)
            };
            FileProblem::new(parsed.lines.get(row).copied().unwrap_or(0), column, problem)
        })
        .collect();
    ImportError::Problems(located)
}

fn store_result<T>(
    kind: Kind,
    parsed: &Parsed<T>,
    result: Result<ImportSummary, StoreError>,
) -> Result<ImportSummary, ImportError> {
    match result {
        Ok(s) => Ok(s),
        Err(StoreError::Rejected(problems)) => Err(locate(kind, parsed, problems)),
        Err(e) => Err(ImportError::Store(e)),
    }
}

fn summary(rows: usize, o: AddOutcome) -> ImportSummary {
    ImportSummary {
        rows,
        added: o.added,
        updated: 0,
        already_present: o.already_present,
    }
}

/// Imports one file of a kind (CSV in any encoding, a workbook or JSON), all or nothing.
pub fn import_bytes(store: &Store, kind: Kind, bytes: &[u8]) -> Result<ImportSummary, ImportError> {
    if store.is_readonly() {
        return Err(ImportError::Store(StoreError::ReadOnly));
    }
    // Unknown unit codes are listed with the file's other problems, in one pass.
    let mut lookup = |code: &str| match store.unit(code) {
        Ok(Some(unit)) => Some(unit.station != StationStatus::None),
        Ok(None) => None,
        Err(_) => Some(true),
    };
    let parsed = parse_file_with(kind, bytes, Some(&mut lookup)).map_err(ImportError::Problems)?;
    let rows = parsed.len();
    match &parsed {
        ParsedFile::Units(p) => {
            let result = store.apply_units(&p.records).map(|o| ImportSummary {
                rows,
                added: o.added,
                updated: o.updated,
                already_present: o.unchanged,
            });
            store_result(kind, p, result)
        }
        ParsedFile::Evaluations(p) => store_result(kind, p, store.add_records(&p.records).map(|o| summary(rows, o))),
        ParsedFile::Trainings(p) => store_result(kind, p, store.add_records(&p.records).map(|o| summary(rows, o))),
        ParsedFile::Budget(p) => store_result(kind, p, store.add_records(&p.records).map(|o| summary(rows, o))),
    }
}

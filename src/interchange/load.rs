//! Importing a file into the store: read, parse, write all or nothing, and turn the store's
//! row problems back into `FILE:LINE: column` form.

use super::{parse_budget, parse_evaluations, parse_trainings, parse_units, read_csv, FileProblem, Kind, Table};
use crate::domain::Problem;
use crate::store::{RowProblem, Store, StoreError};

/// What an import did, for the message the user reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub already_present: usize,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file's content is wrong; nothing was stored.
    Problems(Vec<FileProblem>),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// Reads a file's bytes as CSV, or as XLSX when they are a zip archive.
pub fn read_table(bytes: &[u8]) -> Result<Table, Vec<FileProblem>> {
    if bytes.starts_with(b"PK\x03\x04") {
        return super::xlsx::read_xlsx(bytes);
    }
    read_csv(bytes)
}

fn locate(table: &Table, problems: Vec<RowProblem>) -> ImportError {
    let header_of = |field: &str| -> String {
        let col = table
            .headers
            .iter()
            .find(|h| super::columns::find_any(h).is_some_and(|c| c.name == field))
            .cloned();
        col.unwrap_or_else(|| field.to_string())
    };
    let located = problems
        .into_iter()
        .map(|RowProblem { row, problem }| FileProblem {
            line: table.rows.get(row).map_or(0, |(line, _)| *line),
            column: if problem.field.is_empty() {
                String::new()
            } else {
                header_of(problem.field)
            },
            problem,
        })
        .collect();
    ImportError::Problems(located)
}

/// Imports one file of a kind, all or nothing.
pub fn import_bytes(store: &Store, kind: Kind, bytes: &[u8]) -> Result<ImportSummary, ImportError> {
    let table = read_table(bytes).map_err(ImportError::Problems)?;
    let rows = table.rows.len();
    let result = match kind {
        Kind::Units => {
            let units = parse_units(&table).map_err(ImportError::Problems)?;
            store.apply_units(&units).map(|o| ImportSummary {
                rows,
                added: o.added,
                updated: o.updated,
                already_present: o.unchanged,
            })
        }
        Kind::Evaluations => {
            let records = parse_evaluations(&table).map_err(ImportError::Problems)?;
            store.add_records(&records).map(|o| summary(rows, o))
        }
        Kind::Trainings => {
            let records = parse_trainings(&table).map_err(ImportError::Problems)?;
            store.add_records(&records).map(|o| summary(rows, o))
        }
        Kind::Budget => {
            let records = parse_budget(&table).map_err(ImportError::Problems)?;
            store.add_records(&records).map(|o| summary(rows, o))
        }
    };
    match result {
        Ok(s) => Ok(s),
        Err(StoreError::Rejected(problems)) => Err(locate(&table, problems)),
        Err(e) => Err(ImportError::Store(e)),
    }
}

fn summary(rows: usize, o: crate::store::AddOutcome) -> ImportSummary {
    ImportSummary {
        rows,
        added: o.added,
        updated: 0,
        already_present: o.already_present,
    }
}

/// A problem of the whole file (it cannot be read at all).
pub fn file_problem(zh: String, en: String) -> Vec<FileProblem> {
    vec![FileProblem {
        line: 0,
        column: String::new(),
        problem: Problem::new("", zh, en),
    }]
}

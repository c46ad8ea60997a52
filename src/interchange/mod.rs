//! Interchange files: the four kinds of CSV of SPEC.md, read into domain records with every bad
//! cell reported as `FILE:LINE: column: what is wrong`, and written back in the same format.
//! Parsing never sees the store; the store checks what needs it (units that exist).

mod columns;
mod load;
mod parse;
mod table;
mod write;
mod xlsx;

pub use columns::{columns_of, Column};
pub use load::{import_bytes, read_table, ImportError, ImportSummary};
pub use parse::{parse_budget, parse_evaluations, parse_trainings, parse_units};
pub use table::{decode_text, read_csv, Table};
pub use write::{write_csv, Rows};

use crate::domain::Problem;
use crate::i18n::Lang;

/// The four kinds of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Units,
    Evaluations,
    Trainings,
    Budget,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Units, Kind::Evaluations, Kind::Trainings, Kind::Budget];

    pub fn parse(text: &str) -> Option<Kind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "units" | "unit" | "单位" => Some(Kind::Units),
            "evaluations" | "evaluation" | "评估" => Some(Kind::Evaluations),
            "trainings" | "training" | "培训" => Some(Kind::Trainings),
            "budget" | "budgets" | "资金" | "预算" => Some(Kind::Budget),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Units => "units",
            Kind::Evaluations => "evaluations",
            Kind::Trainings => "trainings",
            Kind::Budget => "budget",
        }
    }
}

/// One bad cell (or row, or header) of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// Line in the file, the header being line 1.
    pub line: usize,
    /// The column as the file names it ("" when the problem is the whole row).
    pub column: String,
    pub problem: Problem,
}

impl FileProblem {
    pub fn render(&self, file: &str, lang: Lang) -> String {
        if self.column.is_empty() {
            format!("{file}:{}: {}", self.line, self.problem.message(lang))
        } else {
            format!("{file}:{}: {}: {}", self.line, self.column, self.problem.message(lang))
        }
    }
}

/// At most this many problems are listed; the rest are counted.
pub const PROBLEM_LIST_LIMIT: usize = 100;

/// The list a clerk reads: every problem up to the limit, then how many more there are.
pub fn render_problems(file: &str, problems: &[FileProblem], lang: Lang) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(PROBLEM_LIST_LIMIT)
        .map(|p| p.render(file, lang))
        .collect();
    if problems.len() > PROBLEM_LIST_LIMIT {
        let rest = problems.len() - PROBLEM_LIST_LIMIT;
        lines.push(match lang {
            Lang::Zh => format!("……另有 {rest} 处错误未列出"),
            Lang::En => format!("... and {rest} more problems"),
        });
    }
    lines.join("\n")
}

/// Spreadsheet programs run a cell that starts with one of these as a formula.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// A text cell as exported: a leading `'` keeps a spreadsheet from running it.
pub fn neutralize(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Undoes `neutralize` on import.
pub fn unneutralize(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

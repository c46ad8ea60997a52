//! Interchange files: the four kinds of file of SPEC.md ("Interchange files") as CSV, XLSX or
//! JSON, read into domain records with every bad cell reported as `FILE:LINE: column: what is
//! wrong`, and written back in the same format. Parsing never sees the store; the store checks
//! what needs it (units that exist, ids already stored).
//!
//! - `table`: bytes to rows of text cells (encoding, CSV, and the sheet abstraction).
//! - `encoding`: which encoding a CSV file is in (UTF-8 or GBK), and lines that disagree.
//! - `stream`: a CSV file's bytes decoded, their lines counted, as they stream by.
//! - `file`: a file on disk opened for import: CSV streamed, workbooks and JSON read whole;
//!   and where an export or a backup is written (never over a device or into the store).
//! - `xlsx`: Excel workbooks in (first sheet) and out.
//! - `json`: the JSON export and its import.
//! - `parse`: rows of cells to records.
//! - `write`: records to cells, and cells to CSV or JSON.
//! - `load`: a file into the store, all or nothing.
//! - `schemes`: evaluation schemes' files in and out, and the wide form of evaluations (issue 15).

mod columns;
mod encoding;
mod file;
mod json;
mod load;
mod parse;
pub mod schemes;
mod spill;
mod stream;
mod table;
mod write;
mod xlsx;

pub use columns::{columns_of, Column};
pub use file::{check_output, write_output, OutputRefusal, WHOLE_FILE_LIMIT};
pub use json::MAX_JSON_KEYS;
pub use load::{import_bytes, import_file, ImportError, ImportSummary, UnitChange};
pub use parse::{
    parse_budget, parse_evaluations, parse_file, parse_file_with, parse_sheet_with, parse_tenths, parse_trainings,
    parse_units, parse_units_over, Parsed, ParsedFile, UnitLookup,
};
pub use table::{decode_text, open_csv, open_sheet, read_csv, Sheet, Table};
pub use write::{export_bytes, Cell, ExportError, Exporter, Format, ToRow};
pub use xlsx::{
    is_workbook, number_text, XlsxSheet, MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_UNZIPPED_BYTES, MONEY_FORMAT,
    XLSX_MAX_ROWS,
};

use crate::domain::{Problem, RecordKind};
use crate::i18n::Lang;
use crate::words::{Word, F};

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

    /// What a clerk calls the records of this kind, for messages and sheet names.
    pub fn label(self, lang: Lang) -> &'static str {
        let word = match self {
            Kind::Units => F::KindPluralUnits,
            Kind::Evaluations => F::KindPluralEvaluations,
            Kind::Trainings => F::KindPluralTrainings,
            Kind::Budget => F::KindPluralBudget,
        };
        crate::words::tr(lang, word)
    }

    /// The kind of record a file of this kind holds; `None` for units.
    pub fn record(self) -> Option<RecordKind> {
        match self {
            Kind::Units => None,
            Kind::Evaluations => Some(RecordKind::Evaluation),
            Kind::Trainings => Some(RecordKind::Training),
            Kind::Budget => Some(RecordKind::Budget),
        }
    }
}

impl From<RecordKind> for Kind {
    fn from(kind: RecordKind) -> Kind {
        match kind {
            RecordKind::Evaluation => Kind::Evaluations,
            RecordKind::Training => Kind::Trainings,
            RecordKind::Budget => Kind::Budget,
        }
    }
}

/// One bad cell (or row, or header) of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// Line in the file, the header being line 1 (in a workbook: the sheet's row number).
    pub line: usize,
    /// The column as the file names it ("" when the problem is the whole row or file).
    pub column: String,
    pub problem: Problem,
}

impl FileProblem {
    pub fn new(line: usize, column: impl Into<String>, problem: Problem) -> FileProblem {
        FileProblem {
            line,
            column: column.into(),
            problem,
        }
    }

    /// A problem of the whole file (it cannot be read at all).
    pub fn file<W: Word>(key: W, args: &[&dyn std::fmt::Display]) -> FileProblem {
        FileProblem::new(0, "", Problem::said("", key, args))
    }

    /// `FILE:LINE: column: what is wrong` (`FILE: what is wrong` for the whole file).
    pub fn render(&self, file: &str, lang: Lang) -> String {
        match (self.line, self.column.is_empty()) {
            (0, _) => format!("{file}: {}", self.problem.message(lang)),
            (line, true) => format!("{file}:{line}: {}", self.problem.message(lang)),
            (line, false) => format!("{file}:{line}: {}: {}", clip(&self.column), self.problem.message(lang)),
        }
    }
}

/// A cell or header as a message echoes it: at most 40 characters, so that a huge bad cell
/// does not flood the clerk's screen.
/// An ID number in it is shown as `*`s: a message never echoes one. The field parsers' own rule.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    crate::domain::fields::shown(text)
}

/// At most this many problems are kept and listed; the rest are only counted, so that a file
/// of a million bad rows costs no more memory than one of a hundred.
pub const PROBLEM_LIST_LIMIT: usize = 100;

/// The problems of one file: the first `PROBLEM_LIST_LIMIT`, and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    pub shown: Vec<FileProblem>,
    pub total: usize,
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn len(&self) -> usize {
        self.total
    }

    /// Counts a problem; builds it only while the list has room.
    pub fn push_with(&mut self, make: impl FnOnce() -> FileProblem) {
        self.total += 1;
        if self.shown.len() < PROBLEM_LIST_LIMIT {
            self.shown.push(make());
        }
    }

    pub fn push(&mut self, problem: FileProblem) {
        self.push_with(|| problem);
    }

    pub fn one(problem: FileProblem) -> Problems {
        let mut p = Problems::default();
        p.push(problem);
        p
    }

    /// A problem of the whole file.
    pub fn file<W: Word>(key: W, args: &[&dyn std::fmt::Display]) -> Problems {
        Problems::one(FileProblem::file(key, args))
    }

    /// Problems in line order (stable: a line's problems keep their column order).
    pub fn sort(&mut self) {
        self.shown.sort_by_key(|p| p.line);
    }
}

impl FromIterator<FileProblem> for Problems {
    fn from_iter<I: IntoIterator<Item = FileProblem>>(iter: I) -> Self {
        let mut p = Problems::default();
        for item in iter {
            p.push(item);
        }
        p
    }
}

/// The list a clerk reads: every problem up to the limit, then how many more there are.
pub fn render_problems(file: &str, problems: &Problems, lang: Lang) -> String {
    let mut lines: Vec<String> = problems.shown.iter().map(|p| p.render(file, lang)).collect();
    let rest = problems.total.saturating_sub(problems.shown.len());
    if rest > 0 {
        lines.push(crate::words::say(lang, crate::words::P::MoreProblems, &[&rest]));
    }
    lines.join("\n")
}

/// Spreadsheet programs run a cell that starts with one of these as a formula.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// Whether a spreadsheet would run this text as a formula.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// A text cell as exported to CSV: a leading `'` keeps a spreadsheet from running it. Text that
/// itself starts with `'` gets one more, so that `unneutralize` gives back exactly the text.
pub fn neutralize(text: &str) -> String {
    if looks_like_formula(text) || text.starts_with('\'') {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Undoes `neutralize` on import: drops one leading `'` before a formula character or a `'`.
/// A clerk's own `'abc` (no formula after it) is kept as written.
pub fn unneutralize(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) || rest.starts_with('\'') => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralize_round_trips_every_text() {
        for t in [
            "", "a", "=1+1", "+86 871", "-x", "@a", "'", "''", "'=a", "'abc", "''=b", "中文",
        ] {
            assert_eq!(unneutralize(&neutralize(t)), t, "{t:?}");
        }
        assert_eq!(neutralize("=1+1"), "'=1+1");
        assert_eq!(unneutralize("'0123"), "'0123");
    }

    #[test]
    fn problems_are_bounded() {
        let mut p = Problems::default();
        for i in 0..10_000 {
            p.push(FileProblem::new(
                0,
                "",
                Problem::new("", format!("{i}"), format!("{i}")),
            ));
        }
        assert_eq!(p.total, 10_000);
        assert_eq!(p.shown.len(), PROBLEM_LIST_LIMIT);
        let text = render_problems("f.csv", &p, Lang::En);
        assert!(
            text.ends_with("... and 9900 more problems not listed (fix the ones above and import again to see them)")
        );
    }
}

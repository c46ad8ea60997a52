//! Evaluation schemes as files (SPEC.md "Evaluation schemes", issue 15): `import schemes FILE`
//! reads one row per indicator (`scheme/方案`, `indicator/指标编码`, `name/指标名称`,
//! `group/维度`, `max_points/满分`), CSV in any encoding, a workbook or JSON like every other
//! kind, all or nothing with every bad cell as `FILE:LINE: column: …`; `export schemes` writes
//! the same columns back. And the wide form of an evaluations export: the scheme and one column
//! per indicator after the usual columns, for the evaluations that give points.

use super::file::{self, Opened};
use super::table::Sheet;
use super::write::{Cell, ExportError, Exporter, Format};
use super::{open_sheet, unneutralize, FileProblem, ImportError, Problems};
use crate::domain::records::{check_code, tenths};
use crate::domain::{fields, Evaluation, Indicator, Problem, Scheme};
use crate::i18n::Lang;
use crate::registry::schemes::SchemesAdded;
use crate::registry::Registry;
use crate::store::StoreError;
use crate::words::{tr, K, P};
use csv::StringRecord;
use std::io::Write;
use std::path::Path;

/// The columns of a schemes file: English name, Chinese alias; all required.
pub const SCHEME_COLUMNS: [(&str, &str); 5] = [
    ("scheme", "方案"),
    ("indicator", "指标编码"),
    ("name", "指标名称"),
    ("group", "维度"),
    ("max_points", "满分"),
];

/// The example scheme shipped with the program (`data/example-scheme.csv`): an example of the
/// form only, named so; the letter does not give the Xishan standard's indicators.
pub const EXAMPLE_SCHEME: &[u8] = include_bytes!("../../data/example-scheme.csv");

/// What `import schemes` takes as the example scheme's name, when no file is called so.
pub const EXAMPLE_NAME: &str = "example";

/// Whether a command's KIND names schemes.
pub fn is_schemes_kind(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "schemes" | "scheme" | "方案" | "评估方案"
    )
}

/// The schemes of a file, each with the line of its first row.
#[derive(Clone, Debug, Default)]
pub struct ParsedSchemes {
    pub schemes: Vec<Scheme>,
    pub lines: Vec<usize>,
    /// The file's header of each column, in `SCHEME_COLUMNS` order.
    pub headers: Vec<String>,
}

/// Reads a schemes file's rows into schemes (rows of one scheme name together, in the file's
/// order), with every problem of a cell or of a scheme as a whole.
pub fn parse_schemes(sheet: &mut Sheet) -> Result<ParsedSchemes, Problems> {
    let mut problems = Problems::default();
    let mut slot = [None; 5];
    let mut headers: Vec<String> = SCHEME_COLUMNS.iter().map(|(en, zh)| format!("{en}/{zh}")).collect();
    for (i, header) in sheet.headers.iter().enumerate() {
        let h = header.trim();
        if h.is_empty() {
            continue;
        }
        match SCHEME_COLUMNS
            .iter()
            .position(|(en, zh)| en.eq_ignore_ascii_case(h) || *zh == h)
        {
            Some(c) if slot[c].is_some() => problems.push(FileProblem::new(
                sheet.header_line,
                header.clone(),
                Problem::said("", P::ColumnTwice, &[&headers[c]]),
            )),
            Some(c) => {
                slot[c] = Some(i);
                headers[c] = header.clone();
            }
            None => {
                let known: Vec<&str> = SCHEME_COLUMNS.iter().map(|(en, _)| *en).collect();
                problems.push(FileProblem::new(
                    sheet.header_line,
                    header.clone(),
                    Problem::from_both(
                        "",
                        crate::words::say(Lang::Zh, P::UnknownColumn, &[&"评估方案", &known.join("、")]),
                        crate::words::say(Lang::En, P::UnknownColumn, &[&"schemes", &known.join(", ")]),
                    ),
                ));
            }
        }
    }
    for (c, at) in slot.iter().enumerate() {
        if at.is_none() && !sheet.headers.is_empty() {
            problems.push(FileProblem::new(
                sheet.header_line,
                "",
                Problem::said("", P::RequiredColumnMissing, &[&headers[c]]),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let width = sheet.headers.len();
    let mut out = ParsedSchemes {
        headers: headers.clone(),
        ..ParsedSchemes::default()
    };
    let mut rec = StringRecord::new();
    loop {
        let line = match sheet.next_row(&mut rec) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(p) => {
                problems.push(p);
                break;
            }
        };
        let cell = |c: usize| {
            let raw = slot[c].and_then(|i| rec.get(i)).map_or("", str::trim);
            if sheet.guarded {
                unneutralize(raw)
            } else {
                raw
            }
        };
        let mut bad = |c: usize, problem: Problem| problems.push(FileProblem::new(line, headers[c].clone(), problem));
        for c in [0, 2, 3] {
            if cell(c).is_empty() {
                bad(c, Problem::required(SCHEME_COLUMNS[c].0));
            }
        }
        let code = cell(1);
        if let Some(p) = check_code("indicator", code) {
            bad(1, p);
        }
        let max = match fields::tenths(cell(4), crate::domain::scheme::MAX_SCHEME_TENTHS) {
            Ok(0) => {
                bad(4, Problem::said("max_points", P::MustBePositive, &[]));
                0
            }
            // At most 1000 tenths, which fits.
            Ok(t) => t as u16,
            Err(e) => {
                bad(4, e.problem("max_points"));
                0
            }
        };
        for (i, value) in rec.iter().enumerate() {
            if i >= width && !value.trim().is_empty() {
                let n = i + 1;
                problems.push(FileProblem::new(
                    line,
                    format!("#{n}"),
                    Problem::said("", P::CellWithoutHeader, &[&n, &value.trim()]),
                ));
            }
        }
        let name = cell(0).to_string();
        let at = match out.schemes.iter().position(|s| s.name == name) {
            Some(at) => at,
            None => {
                out.schemes.push(Scheme {
                    name: name.clone(),
                    indicators: Vec::new(),
                });
                out.lines.push(line);
                out.schemes.len() - 1
            }
        };
        if out.schemes[at].indicators.iter().any(|i| i.code == code) {
            problems.push(FileProblem::new(
                line,
                headers[1].clone(),
                Problem::said("indicator", K::SchemeRowsDisagree, &[&name, &code]),
            ));
        }
        out.schemes[at].indicators.push(Indicator {
            code: code.to_string(),
            name: cell(2).to_string(),
            group: cell(3).to_string(),
            max_points: max,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // What only the whole scheme shows (its total over 100 points), at its first line.
    for (scheme, line) in out.schemes.iter().zip(&out.lines) {
        for p in scheme.validate() {
            problems.push(FileProblem::new(*line, column_of(&out.headers, p.field), p));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The file's header of a field's column.
fn column_of(headers: &[String], field: &str) -> String {
    SCHEME_COLUMNS
        .iter()
        .position(|(en, _)| *en == field)
        .and_then(|c| headers.get(c).cloned())
        .unwrap_or_else(|| field.to_string())
}

/// Imports a schemes file, all or nothing: a scheme stored already with the same indicators
/// adds nothing, one stored with others is refused (`Registry::add_schemes`).
pub fn import_schemes_file(store: &Registry, path: &Path) -> Result<SchemesAdded, ImportError> {
    if store.is_readonly() {
        return Err(ImportError::Store(store.readonly_error()));
    }
    let parsed = match file::open(path, file::WHOLE_FILE_LIMIT).map_err(ImportError::File)? {
        Opened::Whole(bytes) => parse_schemes(&mut open_sheet(&bytes).map_err(ImportError::Problems)?),
        Opened::Csv { .. } => parse_schemes(&mut file::csv_sheet(path).map_err(ImportError::Problems)?),
    }
    .map_err(ImportError::Problems)?;
    import_parsed(store, &parsed)
}

/// Imports a schemes file's bytes (the example scheme built into the program, tests).
pub fn import_schemes_bytes(store: &Registry, bytes: &[u8]) -> Result<SchemesAdded, ImportError> {
    let parsed =
        parse_schemes(&mut open_sheet(bytes).map_err(ImportError::Problems)?).map_err(ImportError::Problems)?;
    import_parsed(store, &parsed)
}

fn import_parsed(store: &Registry, parsed: &ParsedSchemes) -> Result<SchemesAdded, ImportError> {
    match store.add_schemes(&parsed.schemes) {
        Ok(added) => Ok(added),
        Err(StoreError::Rejected(rows)) => Err(ImportError::Problems(
            rows.into_iter()
                .map(|r| {
                    let line = parsed.lines.get(r.row).copied().unwrap_or(0);
                    FileProblem::new(line, column_of(&parsed.headers, r.problem.field), r.problem)
                })
                .collect(),
        )),
        Err(e) => Err(ImportError::Store(e)),
    }
}

/// Writes every stored scheme, one row per indicator, in the import format.
pub fn export_schemes(
    schemes: &[Scheme],
    format: Format,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    let en: Vec<String> = SCHEME_COLUMNS.iter().map(|(en, _)| en.to_string()).collect();
    let shown: Vec<String> = SCHEME_COLUMNS
        .iter()
        .map(|(en, zh)| lang.pick(zh, en).to_string())
        .collect();
    let mut exporter = Exporter::with_headers(tr(lang, K::SchemesSheet), &en, &shown, format, lang, out)?;
    for s in schemes {
        for i in &s.indicators {
            exporter.cells(vec![
                Cell::text(&s.name),
                Cell::text(&i.code),
                Cell::text(&i.name),
                Cell::text(&i.group),
                Cell::Number(tenths(u32::from(i.max_points))),
            ])?;
        }
    }
    exporter.finish()
}

/// The extra columns of an evaluations export for the schemes its evaluations give points of:
/// `scheme`, then each indicator's code once (schemes by name, indicators in their order), so
/// that the file reads back into the same evaluations.
pub fn wide_columns(schemes: &[Scheme], used: &[String]) -> Vec<(String, String)> {
    let mut columns = vec![("scheme".to_string(), "方案".to_string())];
    let mut names: Vec<&String> = used.iter().collect();
    names.sort();
    names.dedup();
    for name in names {
        let Some(scheme) = schemes.iter().find(|s| &s.name == name) else {
            continue;
        };
        for i in &scheme.indicators {
            if !columns.iter().any(|(en, _)| en == &i.code) {
                columns.push((i.code.clone(), i.code.clone()));
            }
        }
    }
    columns
}

/// An evaluation's cells in the extra columns `wide_columns` gave.
pub fn wide_cells(e: &Evaluation, columns: &[(String, String)]) -> Vec<Cell> {
    let Some(points) = &e.points else {
        return columns.iter().map(|_| Cell::Empty).collect();
    };
    columns
        .iter()
        .enumerate()
        .map(|(n, (code, _))| match n {
            0 => Cell::text(&points.scheme),
            _ => points
                .of(code)
                .map_or(Cell::Empty, |p| Cell::Number(tenths(u32::from(p)))),
        })
        .collect()
}

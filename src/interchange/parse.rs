//! Cells to records: each kind's columns read with the domain's parsers, every problem named by
//! line and column, all of a file's problems collected before anything is returned.

use super::columns::{self, columns_of};
use super::{unneutralize, FileProblem, Kind, Table};
use crate::domain::date::DateError;
use crate::domain::money::MoneyError;
use crate::domain::*;
use std::collections::HashMap;

/// Maps the file's headers to columns; unknown and repeated headers are problems of line 1.
fn header_map(kind: Kind, table: &Table) -> Result<HashMap<&'static str, (usize, String)>, Vec<FileProblem>> {
    let mut map = HashMap::new();
    let mut problems = Vec::new();
    for (i, header) in table.headers.iter().enumerate() {
        if header.is_empty() {
            continue;
        }
        match columns::find(kind, header) {
            Some(col) => {
                if map.insert(col.name, (i, header.clone())).is_some() {
                    problems.push(FileProblem {
                        line: 1,
                        column: header.clone(),
                        problem: Problem::new("", "该列出现了两次", "this column appears twice"),
                    });
                }
            }
            None => {
                let known: Vec<String> = columns_of(kind)
                    .iter()
                    .map(|c| format!("{}/{}", c.name, c.alias))
                    .collect();
                problems.push(FileProblem {
                    line: 1,
                    column: header.clone(),
                    problem: Problem::new(
                        "",
                        format!("未知的列。可用的列：{}", known.join(", ")),
                        format!("unknown column. Known columns: {}", known.join(", ")),
                    ),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(map)
    } else {
        Err(problems)
    }
}

/// Reads the cells of one row by column name, noting each problem.
struct Row<'a> {
    line: usize,
    cells: &'a [String],
    columns: &'a HashMap<&'static str, (usize, String)>,
    problems: &'a mut Vec<FileProblem>,
}

impl Row<'_> {
    fn header(&self, name: &'static str) -> String {
        self.columns
            .get(name)
            .map_or_else(|| name.to_string(), |(_, h)| h.clone())
    }

    fn problem(&mut self, problem: Problem) {
        let column = if problem.field.is_empty() {
            String::new()
        } else {
            self.header(problem.field)
        };
        self.problems.push(FileProblem {
            line: self.line,
            column,
            problem,
        });
    }

    fn raw(&self, name: &'static str) -> &str {
        self.columns
            .get(name)
            .and_then(|(i, _)| self.cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// Free text, with an exported formula guard removed.
    fn text(&self, name: &'static str) -> String {
        unneutralize(self.raw(name)).to_string()
    }

    fn optional_text(&self, name: &'static str) -> Option<String> {
        let t = self.text(name);
        if t.is_empty() {
            None
        } else {
            Some(t)
        }
    }

    fn required_text(&mut self, name: &'static str) -> String {
        let t = self.text(name);
        if t.is_empty() {
            self.problem(Problem::required(name));
        }
        t
    }

    fn date(&mut self, name: &'static str) -> Option<PartialDate> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return None;
        }
        match PartialDate::parse(&raw) {
            Ok(d) => Some(d),
            Err(DateError::OutOfRange(_)) => {
                self.problem(Problem::new(
                    name,
                    format!("日期“{raw}”不存在"),
                    format!("“{raw}” is not a real date"),
                ));
                None
            }
            Err(_) => {
                self.problem(Problem::new(
                    name,
                    format!("无法识别日期“{raw}”（可写 2021-11-08、2021/11/8、2021年11月8日、2021-11 或 2021）"),
                    format!(
                        "cannot read the date “{raw}” (write 2021-11-08, 2021/11/8, 2021年11月8日, 2021-11 or 2021)"
                    ),
                ));
                None
            }
        }
    }

    fn required_date(&mut self, name: &'static str) -> Option<PartialDate> {
        if self.raw(name).is_empty() {
            self.problem(Problem::required(name));
            return None;
        }
        self.date(name)
    }

    fn word<T>(&mut self, name: &'static str, parse: fn(&str) -> Option<T>, choices: fn() -> String) -> Option<T> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return None;
        }
        let value = parse(&raw);
        if value.is_none() {
            let list = choices();
            self.problem(Problem::new(
                name,
                format!("“{raw}”不是可用的值：{list}"),
                format!("“{raw}” is not one of: {list}"),
            ));
        }
        value
    }

    fn required_word<T>(
        &mut self,
        name: &'static str,
        parse: fn(&str) -> Option<T>,
        choices: fn() -> String,
    ) -> Option<T> {
        if self.raw(name).is_empty() {
            self.problem(Problem::required(name));
            return None;
        }
        self.word(name, parse, choices)
    }

    fn whole(&mut self, name: &'static str) -> Option<u32> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.problem(Problem::new(
                    name,
                    format!("“{raw}”不是不小于 0 的整数"),
                    format!("“{raw}” is not a whole number ≥ 0"),
                ));
                None
            }
        }
    }

    /// A number with at most one decimal, in tenths.
    fn tenths(&mut self, name: &'static str, max_tenths: u32) -> Option<u32> {
        let raw = self.raw(name).to_string();
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_tenths(&raw).filter(|t| *t <= max_tenths);
        if parsed.is_none() {
            self.problem(Problem::new(
                name,
                format!("“{raw}”不是不超过 {} 、最多一位小数的数", max_tenths / 10),
                format!(
                    "“{raw}” is not a number up to {} with at most one decimal",
                    max_tenths / 10
                ),
            ));
        }
        parsed
    }

    fn money(&mut self, name: &'static str) -> Option<Fen> {
        let raw = self.raw(name).to_string();
        match Fen::parse(&raw) {
            Ok(f) => Some(f),
            Err(MoneyError::Empty) => {
                self.problem(Problem::required(name));
                None
            }
            Err(MoneyError::TooManyDecimals(_)) => {
                self.problem(Problem::new(
                    name,
                    format!("金额“{raw}”超过两位小数（精确到分）"),
                    format!("“{raw}” has more than two decimals (fen)"),
                ));
                None
            }
            Err(_) => {
                self.problem(Problem::new(
                    name,
                    format!("无法识别金额“{raw}”（可写 1700000、1,700,000.00、¥300、170万、1.5万元）"),
                    format!("cannot read the amount “{raw}” (write 1700000, 1,700,000.00, ¥300, 170万, 1.5万元)"),
                ));
                None
            }
        }
    }

    fn record_problems(&mut self, problems: Vec<Problem>) {
        for p in problems {
            self.problem(p);
        }
    }
}

/// `12`, `12.5` → tenths; anything else is None.
pub fn parse_tenths(raw: &str) -> Option<u32> {
    let (int, frac) = match raw.split_once('.') {
        Some((i, f)) => (i, f),
        None => (raw, ""),
    };
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 1
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = int.parse().ok()?;
    let tenth: u32 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    whole.checked_mul(10)?.checked_add(tenth)
}

/// Runs `read` over every row; returns the records, or every problem of the file.
fn parse_rows<T>(kind: Kind, table: &Table, read: impl Fn(&mut Row) -> Option<T>) -> Result<Vec<T>, Vec<FileProblem>> {
    let columns = header_map(kind, table)?;
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let before = problems.len();
        let mut row = Row {
            line: *line,
            cells,
            columns: &columns,
            problems: &mut problems,
        };
        let record = read(&mut row);
        if problems.len() == before {
            if let Some(r) = record {
                out.push(r);
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

pub fn parse_units(table: &Table) -> Result<Vec<Unit>, Vec<FileProblem>> {
    parse_rows(Kind::Units, table, |row| {
        let code = row.required_text("code");
        let level = row.required_word("level", Level::parse, Level::choices);
        let name = row.required_text("name");
        let station = row
            .word("station", StationStatus::parse, StationStatus::choices)
            .unwrap_or(StationStatus::None);
        let unit = Unit {
            code,
            parent: row.optional_text("parent"),
            level: level?,
            name,
            station,
            opened_on: row.date("opened_on"),
            closed_on: row.date("closed_on"),
            operator: row.text("operator"),
            address: row.text("address"),
            contact: row.text("contact"),
            phone: row.text("phone"),
            note: row.text("note"),
            social_workers: row.whole("social_workers").unwrap_or(0),
            certified_workers: row.whole("certified_workers").unwrap_or(0),
        };
        row.record_problems(
            unit.validate()
                .into_iter()
                .filter(|p| p.field != "code" || !unit.code.is_empty())
                .collect(),
        );
        Some(unit)
    })
}

pub fn parse_evaluations(table: &Table) -> Result<Vec<Evaluation>, Vec<FileProblem>> {
    parse_rows(Kind::Evaluations, table, |row| {
        let unit = row.required_text("unit");
        let date = row.required_date("date");
        let kind = row.required_word("kind", EvalKind::parse, EvalKind::choices);
        let score = row.tenths("score", 1000).map(|t| t as u16);
        let grade = row.word("grade", Grade::parse, Grade::choices);
        let e = Evaluation {
            id: row.optional_text("id"),
            unit,
            date: date?,
            kind: kind?,
            evaluator: row.text("evaluator"),
            score,
            grade,
            note: row.text("note"),
        };
        row.record_problems(e.validate());
        Some(e)
    })
}

pub fn parse_trainings(table: &Table) -> Result<Vec<Training>, Vec<FileProblem>> {
    parse_rows(Kind::Trainings, table, |row| {
        let date = row.required_date("date");
        let host = row.required_text("host");
        let kind = row.required_word("kind", TrainingKind::parse, TrainingKind::choices);
        let mode = row.word("mode", TrainingMode::parse, TrainingMode::choices);
        let hours = row.tenths("hours", 100_000);
        let units: Vec<String> = row
            .text("units")
            .split([';', '；'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let t = Training {
            id: row.optional_text("id"),
            date: date?,
            host,
            kind: kind?,
            mode,
            topic: row.text("topic"),
            hours,
            attendees: row.whole("attendees"),
            units,
            note: row.text("note"),
        };
        row.record_problems(t.validate());
        Some(t)
    })
}

pub fn parse_budget(table: &Table) -> Result<Vec<BudgetEntry>, Vec<FileProblem>> {
    parse_rows(Kind::Budget, table, |row| {
        let date = row.required_date("date");
        let unit = row.required_text("unit");
        let kind = row.required_word("kind", BudgetKind::parse, BudgetKind::choices);
        let category = row.word("category", Category::parse, Category::choices);
        let source = row.word("source", Source::parse, Source::choices);
        let amount = row.money("amount");
        let b = BudgetEntry {
            id: row.optional_text("id"),
            date: date?,
            unit,
            kind: kind?,
            category,
            source,
            amount: amount?,
            voucher: row.text("voucher"),
            note: row.text("note"),
        };
        row.record_problems(b.validate());
        Some(b)
    })
}

#[cfg(test)]
mod tests {
    use super::super::read_csv;
    use super::*;

    #[test]
    fn every_bad_cell_is_named_with_its_line() {
        let csv = "日期,站点,类型,金额\n2021-13-01,A,拨付,100\n2021-01-01,A,spend,1.234\n2021-01-01,A,拨付,170万\n";
        let table = read_csv(csv.as_bytes()).unwrap();
        let problems = parse_budget(&table).unwrap_err();
        let rendered: Vec<String> = problems
            .iter()
            .map(|p| p.render("b.csv", crate::i18n::Lang::En))
            .collect();
        assert_eq!(rendered.len(), 3, "{rendered:?}");
        assert!(rendered[0].starts_with("b.csv:2: 日期:"), "{}", rendered[0]);
        assert!(rendered[1].starts_with("b.csv:3: 类型:"), "{}", rendered[1]);
        assert!(rendered[2].starts_with("b.csv:3: 金额:"), "{}", rendered[2]);
    }

    #[test]
    fn unknown_columns_are_named() {
        let table = read_csv("date,unit,kind,amount,colour\n".as_bytes()).unwrap();
        let problems = parse_budget(&table).unwrap_err();
        assert_eq!(problems[0].column, "colour");
        assert_eq!(problems[0].line, 1);
    }

    #[test]
    fn tenths() {
        assert_eq!(parse_tenths("12.5"), Some(125));
        assert_eq!(parse_tenths("3"), Some(30));
        assert_eq!(parse_tenths("1.25"), None);
        assert_eq!(parse_tenths("-1"), None);
    }
}

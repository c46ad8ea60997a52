//! Records to rows of text in the import format, and rows to CSV (UTF-8 with a BOM, so that
//! Excel opens it; text cells guarded against formula execution).

use super::columns::columns_of;
use super::{neutralize, Kind};
use crate::domain::records::tenths;
use crate::domain::*;

/// A kind's header and its rows of cells, in column order.
pub struct Rows {
    pub kind: Kind,
    pub rows: Vec<Vec<String>>,
}

fn date_text(d: Option<PartialDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl Rows {
    pub fn headers(&self) -> Vec<&'static str> {
        columns_of(self.kind).iter().map(|c| c.name).collect()
    }

    pub fn units(units: &[Unit]) -> Rows {
        let rows = units
            .iter()
            .map(|u| {
                vec![
                    u.code.clone(),
                    u.parent.clone().unwrap_or_default(),
                    u.level.en().to_string(),
                    neutralize(&u.name),
                    u.station.en().to_string(),
                    date_text(u.opened_on),
                    date_text(u.closed_on),
                    neutralize(&u.operator),
                    neutralize(&u.address),
                    neutralize(&u.contact),
                    neutralize(&u.phone),
                    u.social_workers.to_string(),
                    u.certified_workers.to_string(),
                    neutralize(&u.note),
                ]
            })
            .collect();
        Rows {
            kind: Kind::Units,
            rows,
        }
    }

    pub fn evaluations(records: &[Evaluation]) -> Rows {
        let rows = records
            .iter()
            .map(|e| {
                vec![
                    neutralize(e.id.as_deref().unwrap_or("")),
                    e.unit.clone(),
                    e.date.to_string(),
                    e.kind.en().to_string(),
                    neutralize(&e.evaluator),
                    e.score.map(|s| tenths(s as u32)).unwrap_or_default(),
                    e.grade.map(|g| g.en().to_string()).unwrap_or_default(),
                    neutralize(&e.note),
                ]
            })
            .collect();
        Rows {
            kind: Kind::Evaluations,
            rows,
        }
    }

    pub fn trainings(records: &[Training]) -> Rows {
        let rows = records
            .iter()
            .map(|t| {
                vec![
                    neutralize(t.id.as_deref().unwrap_or("")),
                    t.date.to_string(),
                    t.host.clone(),
                    t.kind.en().to_string(),
                    t.mode.map(|m| m.en().to_string()).unwrap_or_default(),
                    neutralize(&t.topic),
                    t.hours.map(tenths).unwrap_or_default(),
                    t.attendees.map(|a| a.to_string()).unwrap_or_default(),
                    t.units.join(";"),
                    neutralize(&t.note),
                ]
            })
            .collect();
        Rows {
            kind: Kind::Trainings,
            rows,
        }
    }

    pub fn budget(records: &[BudgetEntry]) -> Rows {
        let rows = records
            .iter()
            .map(|b| {
                vec![
                    neutralize(b.id.as_deref().unwrap_or("")),
                    b.date.to_string(),
                    b.unit.clone(),
                    b.kind.en().to_string(),
                    b.category.map(|c| c.en().to_string()).unwrap_or_default(),
                    b.source.map(|s| s.en().to_string()).unwrap_or_default(),
                    b.amount.plain(),
                    neutralize(&b.voucher),
                    neutralize(&b.note),
                ]
            })
            .collect();
        Rows {
            kind: Kind::Budget,
            rows,
        }
    }
}

/// CSV bytes: a BOM, the header, the rows, CRLF line ends (what Excel writes).
pub fn write_csv(rows: &Rows) -> Result<Vec<u8>, csv::Error> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer.write_record(rows.headers())?;
        for row in &rows.rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
    }
    Ok(out)
}

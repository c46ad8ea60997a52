//! Layouts of domain values that older versions wrote, read only to bring them up to date: a
//! unit as schema 2 stores and backup format 1 files hold it; an evaluation as backup formats
//! 1 and 2 hold it (before points per indicator).

use super::records::count_from_schema2;
use super::{EvalKind, Evaluation, Grade, Level, PartialDate, StationStatus, Unit};
use serde::{Deserialize, Serialize};

/// A unit as schema 2 and backup format 1 wrote it: staff counts were plain numbers, and an
/// empty cell was stored as 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitV1 {
    pub code: String,
    pub parent: Option<String>,
    pub level: Level,
    pub name: String,
    pub station: StationStatus,
    pub opened_on: Option<PartialDate>,
    pub closed_on: Option<PartialDate>,
    pub operator: String,
    pub address: String,
    pub contact: String,
    pub phone: String,
    pub note: String,
    pub social_workers: u32,
    pub certified_workers: u32,
}

impl From<UnitV1> for Unit {
    fn from(u: UnitV1) -> Unit {
        Unit {
            code: u.code,
            parent: u.parent,
            level: u.level,
            name: u.name,
            station: u.station,
            opened_on: u.opened_on,
            closed_on: u.closed_on,
            operator: u.operator,
            address: u.address,
            contact: u.contact,
            phone: u.phone,
            note: u.note,
            social_workers: count_from_schema2(u.social_workers),
            certified_workers: count_from_schema2(u.certified_workers),
        }
    }
}

/// An evaluation as backup formats 1 and 2 wrote it: without points per indicator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationV1 {
    pub id: Option<String>,
    pub unit: String,
    pub date: PartialDate,
    pub kind: EvalKind,
    pub evaluator: String,
    pub score: Option<u16>,
    pub grade: Option<Grade>,
    pub note: String,
}

impl From<EvaluationV1> for Evaluation {
    fn from(e: EvaluationV1) -> Evaluation {
        Evaluation {
            id: e.id,
            unit: e.unit,
            date: e.date,
            kind: e.kind,
            evaluator: e.evaluator,
            score: e.score,
            grade: e.grade,
            note: e.note,
            points: None,
        }
    }
}

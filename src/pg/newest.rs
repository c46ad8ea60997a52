//! The newest evaluations of many units in one query (a report's children: 300 at the root at
//! the default size): each unit's own evaluations dated on its newest day on or before a day,
//! found by one probe of the `(unit, day)` index per unit (a `LATERAL max(day)`), then that
//! day's rows. Which of one day's is the latest is the registry's rule
//! (`Registry::latest_evaluations`), applied to what this returns, so the server and sled name
//! the same one; read one unit at a time this was four round trips per child.

use super::backend::PgStorage;
use super::read::bound;
use super::rows;
use crate::domain::{Day, Evaluation, RecordKind};
use crate::record::AnyRecord;
use crate::store::{Result, StoreError};

impl PgStorage {
    pub(super) fn read_newest_evaluation_days(&self, codes: &[String], until: Day) -> Result<Vec<Vec<Evaluation>>> {
        let mut out: Vec<Vec<Evaluation>> = vec![Vec::new(); codes.len()];
        // No stored day lies on or before a day before every calendar date.
        let end = bound(until);
        if codes.is_empty() || (end.is_none() && until < 1) {
            return Ok(out);
        }
        let t = rows::table(RecordKind::Evaluation);
        let columns = t
            .columns
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT c.i::bigint, {columns}
             FROM unnest($1::text[]) WITH ORDINALITY AS c(code, i)
             CROSS JOIN LATERAL (SELECT max(day) AS d FROM {name}
                                 WHERE unit = c.code AND ($2::date IS NULL OR day <= $2)) m
             JOIN {name} e ON e.unit = c.code AND e.day = m.d",
            name = t.name
        );
        let found = self.client()?.query(&sql, &[&codes, &end]).map_err(|e| self.err(&e))?;
        for row in &found {
            let i: i64 = row.try_get(0).map_err(|e| self.err(&e))?;
            let slot = usize::try_from(i - 1)
                .ok()
                .and_then(|i| out.get_mut(i))
                .ok_or_else(|| StoreError::Corrupt(format!("the server named unit {i} of {}", codes.len())))?;
            match rows::record(RecordKind::Evaluation, row, 1)? {
                AnyRecord::Evaluation(e) => slot.push(e),
                _ => {
                    return Err(StoreError::Corrupt(
                        "the server returned a record of another kind".into(),
                    ))
                }
            }
        }
        Ok(out)
    }
}

//! Evaluation schemes on the server (issue 15, migration 9): `shegong.schemes`, one row per
//! indicator in its scheme's order. Everyone reads them; only `district` adds them, which the
//! server holds too (grant and row-level security).

use super::backend::PgStorage;
use crate::domain::{Indicator, Scheme};
use crate::store::{Result, StoreError};

impl PgStorage {
    /// Every stored scheme, by name, its indicators in order.
    pub(super) fn read_schemes(&self) -> Result<Vec<Scheme>> {
        let rows = self
            .client()?
            .query(
                "SELECT name, code, indicator, grp, max_points FROM shegong.schemes ORDER BY name, position",
                &[],
            )
            .map_err(|e| self.err(&e))?;
        let mut out: Vec<Scheme> = Vec::new();
        for row in rows {
            let name: String = row.try_get(0).map_err(|e| self.err(&e))?;
            let max: i16 = row.try_get(4).map_err(|e| self.err(&e))?;
            let indicator = Indicator {
                code: row.try_get(1).map_err(|e| self.err(&e))?,
                name: row.try_get(2).map_err(|e| self.err(&e))?,
                group: row.try_get(3).map_err(|e| self.err(&e))?,
                max_points: u16::try_from(max)
                    .map_err(|_| StoreError::Corrupt(format!("the server holds the maximum points {max}")))?,
            };
            match out.last_mut() {
                Some(last) if last.name == name => last.indicators.push(indicator),
                _ => out.push(Scheme {
                    name,
                    indicators: vec![indicator],
                }),
            }
        }
        Ok(out)
    }

    /// Adds schemes none of which is stored, in one transaction.
    pub(super) fn write_schemes(&self, schemes: &[Scheme]) -> Result<()> {
        let mut tx = self.begin()?;
        let insert = tx
            .prepare(
                "INSERT INTO shegong.schemes (name, position, code, indicator, grp, max_points)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .map_err(|e| self.err(&e))?;
        for scheme in schemes {
            for (position, i) in scheme.indicators.iter().enumerate() {
                let position = i32::try_from(position).map_err(|_| StoreError::Overflow)?;
                let max = i16::try_from(i.max_points).map_err(|_| StoreError::Overflow)?;
                tx.execute(&insert, &[&scheme.name, &position, &i.code, &i.name, &i.group, &max])
                    .map_err(|e| self.err(&e))?;
            }
        }
        tx.commit()
    }
}

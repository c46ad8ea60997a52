//! Evaluation schemes through the registry (issue 15): read them, and add new ones under the
//! rules written once here for every backend: each scheme passes `Scheme::validate`, and a
//! scheme whose name is stored already must be that same scheme (then it adds nothing), never
//! a silent change of what stored evaluations were given points against.

use super::Registry;
use crate::domain::{Problem, Scheme};
use crate::store::{Result, RowProblem, StoreError};
use crate::words::K;

/// What adding schemes did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemesAdded {
    /// New schemes stored, and their indicators.
    pub added: usize,
    pub indicators: usize,
    /// Schemes stored already, identical.
    pub already_present: usize,
}

impl Registry {
    /// Every stored evaluation scheme, by name.
    pub fn schemes(&self) -> Result<Vec<Scheme>> {
        self.storage.schemes()
    }

    /// The stored scheme of this name.
    pub fn scheme(&self, name: &str) -> Result<Option<Scheme>> {
        Ok(self.schemes()?.into_iter().find(|s| s.name == name))
    }

    /// Adds the schemes not stored yet, all or nothing. A problem is `Rejected` with the index
    /// of its scheme in `schemes` as its row.
    pub fn add_schemes(&self, schemes: &[Scheme]) -> Result<SchemesAdded> {
        self.writing()?;
        let stored = self.schemes()?;
        let mut problems = Vec::new();
        let mut new = Vec::new();
        let mut outcome = SchemesAdded::default();
        for (row, scheme) in schemes.iter().enumerate() {
            problems.extend(scheme.validate().into_iter().map(|problem| RowProblem { row, problem }));
            match stored.iter().find(|s| s.name == scheme.name) {
                Some(old) if old == scheme => outcome.already_present += 1,
                Some(_) => problems.push(RowProblem {
                    row,
                    problem: Problem::said("scheme", K::SchemeChanged, &[&scheme.name]),
                }),
                None => new.push(scheme.clone()),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        if !new.is_empty() {
            self.storage.add_schemes(&new)?;
        }
        outcome.added = new.len();
        outcome.indicators = new.iter().map(|s| s.indicators.len()).sum();
        Ok(outcome)
    }
}

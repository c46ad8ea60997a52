//! The rules every write follows, written once for every backend, with their words in both
//! languages: the walk up the parent chain (with its limit), what makes a batch of units
//! acceptable (codes once per file, parents that exist, levels that deepen, no loops, stored
//! children that stay deeper), and what makes a record acceptable (its own fields, an owner
//! that exists and, for an evaluation, has a station, references that exist, an id used once).
//! A backend supplies the facts it stores through small lookups and reports the problems.

use crate::domain::{Level, Problem, Unit};
use crate::record::Record;
use crate::store::{Result, RowProblem, StoreError};
use crate::words::{say, P};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;

/// The deepest a hierarchy may be before a walk up it calls it a loop: far past the six levels
/// a real district has, and a stop for a store damaged or edited elsewhere.
pub const MAX_DEPTH: usize = 64;

/// The error of a walk that did not reach a root.
pub fn cycle() -> StoreError {
    StoreError::Corrupt("the hierarchy has a cycle".into())
}

/// Walks up from `start`: `visit` sees each unit (the start first) and returns its parent, or
/// `None` at a root. More than `MAX_DEPTH` steps is a loop (`Corrupt`). Allocates nothing.
pub fn walk_up<T>(start: T, mut visit: impl FnMut(&T) -> Result<Option<T>>) -> Result<()> {
    let mut current = start;
    for _ in 0..=MAX_DEPTH {
        match visit(&current)? {
            Some(parent) => current = parent,
            None => return Ok(()),
        }
    }
    Err(cycle())
}

/// No unit has this code. An ID number typed where a code goes is never echoed.
pub fn unknown_unit(field: &'static str, code: &str) -> Problem {
    let code = crate::domain::privacy::mask_id_numbers(code);
    Problem::said(field, P::UnknownUnit, &[&code])
}

/// The unit coded `code` has no station (status none), so it cannot be evaluated.
pub fn no_station(field: &'static str, code: &str) -> Problem {
    Problem::said_in(field, P::NoStation, |lang| {
        vec![Box::new(say(lang, P::UnitCoded, &[&code]))]
    })
}

/// A code (or id) given twice in one input.
pub fn twice_in_file(field: &'static str, value: &str) -> Problem {
    let key = if field == "id" {
        P::IdTwiceInFile
    } else {
        P::CodeTwiceInFile
    };
    Problem::said(field, key, &[&value])
}

/// A record's id is stored with other content.
pub fn id_conflict(id: &str) -> Problem {
    Problem::said("id", P::IdConflict, &[&id])
}

/// What a backend knows of stored units, for checking a batch of units.
pub trait StoredUnits {
    /// The stored unit's parent and level.
    fn parent_and_level(&mut self, code: &str) -> Result<Option<(Option<String>, Level)>>;
    /// The stored unit's children: code and level.
    fn children_of(&mut self, code: &str) -> Result<Vec<(String, Level)>>;
}

/// The problems of a batch of units against what is stored, sorted by row; empty when the
/// batch may be written. `cap_text` is false for a restore (values stored before the cap).
pub fn unit_problems(units: &[Unit], cap_text: bool, stored: &mut dyn StoredUnits) -> Result<Vec<RowProblem>> {
    let mut problems: Vec<RowProblem> = Vec::new();
    let mut in_batch: HashMap<&str, usize> = HashMap::default();
    for (row, unit) in units.iter().enumerate() {
        let rules = if cap_text {
            unit.validate()
        } else {
            unit.validate_restored()
        };
        for problem in rules {
            problems.push(RowProblem { row, problem });
        }
        if in_batch.insert(unit.code.as_str(), row).is_some() {
            problems.push(RowProblem {
                row,
                problem: twice_in_file("code", &unit.code),
            });
        }
    }
    // The hierarchy as it will be: the batch over the store.
    let mut merged_parent: HashMap<&str, (Option<&str>, Level)> = HashMap::default();
    for unit in units {
        merged_parent.insert(unit.code.as_str(), (unit.parent.as_deref(), unit.level));
    }
    // Codes borrowed from the batch where they are in it (a national file: 550,000 of them,
    // each an allocation when copied); only a stored ancestor's code is owned.
    let mut reaches_root: HashSet<Cow<str>> = HashSet::default();
    for (row, unit) in units.iter().enumerate() {
        let Some(parent) = &unit.parent else { continue };
        let parent_level = match merged_parent.get(parent.as_str()) {
            Some((_, level)) => Some(*level),
            None => stored.parent_and_level(parent)?.map(|(_, level)| level),
        };
        match parent_level {
            None => problems.push(RowProblem {
                row,
                problem: unknown_unit("parent", parent),
            }),
            Some(level) if level >= unit.level => problems.push(RowProblem {
                row,
                problem: Problem::said_in("level", P::LevelBelowParent, |lang| {
                    vec![
                        Box::new(unit.level.label(lang)),
                        Box::new(parent.clone()),
                        Box::new(level.label(lang)),
                    ]
                }),
            }),
            Some(_) => {}
        }
        // Walk up; with levels strictly deepening a loop is impossible, but a store edited
        // elsewhere is not trusted. A unit whose ancestors were walked already and reach a root
        // is not walked again, so a chain of N parents costs N steps, not N².
        let mut seen = HashSet::default();
        let mut current = Some(Cow::Borrowed(parent.as_str()));
        let mut cycle = false;
        while let Some(code) = current {
            if reaches_root.contains(code.as_ref()) {
                break;
            }
            if code.as_ref() == unit.code || !seen.insert(code.clone()) {
                problems.push(RowProblem {
                    row,
                    problem: Problem::said("parent", P::ParentCycle, &[]),
                });
                cycle = true;
                break;
            }
            current = match merged_parent.get(code.as_ref()) {
                Some((p, _)) => p.map(Cow::Borrowed),
                None => stored.parent_and_level(&code)?.and_then(|(p, _)| p).map(Cow::Owned),
            };
        }
        if !cycle {
            reaches_root.extend(seen);
        }
    }
    // A unit whose level changes keeps its stored children (those the batch does not move):
    // each must stay deeper than it, or the rollups of the unit would lose them.
    for (row, unit) in units.iter().enumerate() {
        let Some((_, old_level)) = stored.parent_and_level(&unit.code)? else {
            continue;
        };
        if old_level == unit.level {
            continue;
        }
        for (code, level) in stored.children_of(&unit.code)? {
            if merged_parent.contains_key(code.as_str()) || level > unit.level {
                continue;
            }
            problems.push(RowProblem {
                row,
                problem: Problem::said_in("level", P::LevelAboveChild, |lang| {
                    vec![
                        Box::new(unit.level.label(lang)),
                        Box::new(code.clone()),
                        Box::new(level.label(lang)),
                    ]
                }),
            });
        }
    }
    problems.sort_by_key(|p| p.row);
    Ok(problems)
}

/// What a backend knows of a record's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner {
    pub has_station: bool,
}

/// Which of a record's own rules (`Record::validate`) `record_problems` applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fields {
    /// Every rule: a form's record, a batch, an undo.
    #[default]
    Check,
    /// Every rule but the text cap, for values a backup holds (`Record::validate_restored`).
    Restored,
    /// None: the caller applied `Record::validate` already and it found nothing. A file's rows
    /// reach the store only when the parser's `validate` of each found no problem, and its
    /// problems are the ones listed (by line and column); running it again per row was ~2% of
    /// an import (issue 14, session 12: `privacy::id_number_spans` over every text field).
    Checked,
}

/// The problems of one record that depend on nothing but it and the units it names: its own
/// fields (as `fields` says), an owner that exists (`owner` is `None` when it does not) and
/// has a station where the kind needs one, references that exist. Ids and sizes are the
/// backend's to check against what it stores.
pub fn record_problems<R: Record>(
    record: &R,
    fields: Fields,
    owner: Option<Owner>,
    mut exists: impl FnMut(&str) -> Result<bool>,
    mut bad: impl FnMut(Problem),
) -> Result<()> {
    let rules = match fields {
        Fields::Check => record.validate(),
        Fields::Restored => record.validate_restored(),
        Fields::Checked => Vec::new(),
    };
    for p in rules {
        bad(p);
    }
    let Some(owner) = owner else {
        bad(unknown_unit(R::owner_field(), record.owner()));
        return Ok(());
    };
    if R::needs_station() && !owner.has_station {
        bad(no_station(R::owner_field(), record.owner()));
    }
    for (field, code) in record.references() {
        if !exists(code)? {
            bad(unknown_unit(field, code));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_stops_at_a_root_and_refuses_a_loop() {
        let mut seen = Vec::new();
        walk_up(3u32, |u| {
            seen.push(*u);
            Ok(u.checked_sub(1).filter(|p| *p > 0))
        })
        .expect("walked");
        assert_eq!(seen, [3, 2, 1]);
        let mut steps = 0;
        let looped = walk_up(1u32, |u| {
            steps += 1;
            Ok(Some(*u))
        });
        assert!(looped.is_err());
        assert_eq!(steps, MAX_DEPTH + 1);
    }
}

//! The domain: pure types and rules, no I/O. Units and their stations, evaluations, trainings,
//! budget entries, money in fen, partial dates, the words of every enumeration, what is
//! never kept (personal ID numbers), and the one parser of each field (`fields`).

pub mod date;
pub mod fields;
pub mod legacy;
pub mod money;
pub mod privacy;
pub mod problem;
pub mod record;
pub mod records;
pub mod scheme;
pub mod words;

pub use date::{Day, PartialDate};
pub use fields::FieldError;
pub use money::Fen;
pub use problem::Problem;
pub use record::{RecordId, RecordKind};
pub use records::{BudgetEntry, Evaluation, Training, Unit};
pub use scheme::{Indicator, Points, Scheme};
pub use words::*;

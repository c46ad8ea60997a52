//! A PostgreSQL error as a `StoreError`, by SQLSTATE: the server gone or the connection broken
//! is `Unreachable` (exit 5); a write the grants or row-level security refused is `NotAllowed`
//! (exit 4); a check, unique or foreign-key violation is a refusal in the server's words; the
//! rest is `Corrupt` (the data is not what this program wrote) or `Io`, with the server's words.
//!
//! `place` names the server as the caller shows it (never with a password: the connecting code
//! builds it from the URL without one), and no message here reads the connection string, so a
//! password cannot reach a message this way.

use crate::i18n::Lang;
use crate::store::StoreError;
use crate::words::{say, D};
use postgres::error::SqlState;

/// The error `e`, met at `place` by `login`.
pub fn store_error(e: &postgres::Error, place: &str, login: &str) -> StoreError {
    store_error_at(e, place, login, None)
}

/// The error `e`, met while writing `unit` (named in a refusal) when the caller knows it.
pub fn store_error_at(e: &postgres::Error, place: &str, login: &str, unit: Option<&str>) -> StoreError {
    let Some(db) = e.as_db_error() else {
        // No answer from the server: the connection closed, or the socket failed.
        if e.is_closed() || source_is_io(e) {
            return StoreError::Unreachable {
                server: place.to_string(),
                reason: e.to_string(),
            };
        }
        // A value the server sent that does not convert: not what this program wrote.
        return StoreError::Corrupt(e.to_string());
    };
    let code = db.code();
    let words = match db.detail() {
        Some(detail) => format!("{} ({detail})", db.message()),
        None => db.message().to_string(),
    };
    if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        return StoreError::NotAllowed {
            login: login.to_string(),
            unit: unit.map_or_else(|| db.table().unwrap_or("?").to_string(), str::to_string),
        };
    }
    if [
        SqlState::CHECK_VIOLATION,
        SqlState::UNIQUE_VIOLATION,
        SqlState::FOREIGN_KEY_VIOLATION,
        SqlState::NOT_NULL_VIOLATION,
        SqlState::RESTRICT_VIOLATION,
    ]
    .contains(code)
    {
        let text = |lang: Lang| say(lang, D::PgRefused, &[&words]);
        return StoreError::Refused {
            zh: text(Lang::Zh),
            en: text(Lang::En),
        };
    }
    let class = &code.code()[..2.min(code.code().len())];
    match class {
        // connection exception; operator intervention (shutdown); insufficient resources.
        "08" | "57" | "53" => StoreError::Unreachable {
            server: place.to_string(),
            reason: words,
        },
        // data exception, syntax or access rule: the schema is not what this program expects.
        "22" | "42" | "XX" => StoreError::Corrupt(format!("{place}: {words}")),
        _ => StoreError::Io(format!("{place}: {words}")),
    }
}

fn source_is_io(e: &postgres::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

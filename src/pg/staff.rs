//! The logins of a shared server and what they may write (`shegong --db URL staff …`): each is
//! a PostgreSQL role that may log in, a member of one group (`pg::GROUPS`), and a row in
//! `shegong.staff` (its role, and a clerk's unit). Both are needed for the server to let it
//! read or write (docs/SERVER.md); `add` makes the three and `remove` undoes them, each in one
//! transaction, by a login that may create roles (the owner that ran `init`, or another with
//! CREATEROLE).
//!
//! A password never travels in clear: `add` sends the SCRAM-SHA-256 verifier computed here
//! (`postgres_protocol::password::scram_sha_256`, the form the server stores), so not even the
//! server's statement log sees it. `CREATE ROLE` takes no parameters, so the login and the
//! verifier are written into the statement, each quoted (`quote_ident`, `quote_literal`).

use super::error::store_error;
use crate::i18n::Lang;
use crate::store::StoreError;
use crate::words::{say, tr, D, N};
use postgres::error::SqlState;
use postgres::Client;

/// What a login may do (`--role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Writes everywhere.
    District,
    /// Writes its unit and the units below it.
    Clerk,
    /// Reads everything, writes nothing.
    Auditor,
}

impl Role {
    /// The word in `shegong.staff.role`.
    pub fn word(self) -> &'static str {
        match self {
            Role::District => "district",
            Role::Clerk => "clerk",
            Role::Auditor => "auditor",
        }
    }

    /// The group role a login of this role is put in.
    pub fn group(self) -> &'static str {
        super::GROUPS
            .iter()
            .find(|(word, _)| *word == self.word())
            .map_or("shegong_auditor", |(_, group)| group)
    }

    fn parse(word: &str) -> Option<Role> {
        [Role::District, Role::Clerk, Role::Auditor]
            .into_iter()
            .find(|r| r.word() == word)
    }

    /// The role in the user's words.
    pub fn label(self, lang: Lang) -> &'static str {
        tr(
            lang,
            match self {
                Role::District => N::RoleDistrict,
                Role::Clerk => N::RoleClerk,
                Role::Auditor => N::RoleAuditor,
            },
        )
    }
}

/// One login of `list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub login: String,
    /// `None` for a role word this program does not know (the schema's check forbids it).
    pub role: Option<Role>,
    pub role_word: String,
    /// A clerk's unit: its code and name.
    pub unit: Option<(String, String)>,
}

/// A refusal in both languages.
fn refused(key: N, args: &[&dyn std::fmt::Display]) -> StoreError {
    StoreError::refused(key, args)
}

/// The server's error, with the words of the staff commands where they say more.
fn server_error(e: &postgres::Error, place: &str, login: &str) -> StoreError {
    let code = e.as_db_error().map(|db| db.code().clone());
    match code {
        Some(SqlState::INSUFFICIENT_PRIVILEGE) => {
            let words = e.as_db_error().map_or_else(String::new, |db| db.message().to_string());
            refused(N::StaffNotAllowed, &[&login, &words])
        }
        _ => store_error(e, place, login),
    }
}

/// `"name"`, with every `"` doubled: any text is then one identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`, with every `'` doubled (and as `E'…'` with `\` doubled when it holds one, so that
/// the server's `standard_conforming_strings` does not matter).
pub fn quote_literal(text: &str) -> String {
    let quoted = text.replace('\'', "''");
    if quoted.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// A login the server takes as a role name: 1 to 63 bytes, no NUL.
fn check_login(login: &str) -> Result<(), StoreError> {
    if login.is_empty() || login.len() > 63 || login.contains('\0') {
        return Err(refused(N::StaffBadLogin, &[&login]));
    }
    Ok(())
}

/// The schema must be there (`init` makes it).
fn check_initialized(client: &mut Client, place: &str) -> Result<(), StoreError> {
    match super::migrate::version(client)? {
        Some(_) => Ok(()),
        None => Err(StoreError::refused(D::PgNotInitialized, &[&place])),
    }
}

/// Creates `login` with `role` (and a clerk's `unit`), able to log in with `password` when
/// given, in one transaction: the role, its group, its `staff` row.
pub fn add(
    client: &mut Client,
    place: &str,
    login: &str,
    role: Role,
    unit: Option<&str>,
    password: Option<&str>,
) -> Result<(), StoreError> {
    check_login(login)?;
    match (role, unit) {
        (Role::Clerk, None) => return Err(refused(N::StaffClerkNeedsUnit, &[])),
        (Role::District | Role::Auditor, Some(_)) => return Err(refused(N::StaffUnitOnlyForClerk, &[])),
        _ => {}
    }
    check_initialized(client, place)?;
    let me = current_user(client, place)?;
    let err = |e: postgres::Error| server_error(&e, place, &me);
    let exists = client
        .query_opt("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", &[&login])
        .map_err(err)?;
    if exists.is_some() {
        return Err(refused(N::StaffExists, &[&login]));
    }
    if let Some(code) = unit {
        let found = client
            .query_opt("SELECT 1 FROM shegong.units WHERE code = $1", &[&code])
            .map_err(err)?;
        if found.is_none() {
            return Err(StoreError::UnknownUnit(code.to_string()));
        }
    }
    let credential = match password {
        Some(password) => format!(
            " PASSWORD {}",
            quote_literal(&postgres_protocol::password::scram_sha_256(password.as_bytes()))
        ),
        None => String::new(),
    };
    let mut tx = client.transaction().map_err(err)?;
    tx.batch_execute(&format!("CREATE ROLE {} LOGIN{credential}", quote_ident(login)))
        .map_err(err)?;
    tx.batch_execute(&format!(
        "GRANT {} TO {}",
        quote_ident(role.group()),
        quote_ident(login)
    ))
    .map_err(err)?;
    tx.execute(
        "INSERT INTO shegong.staff (login, role, unit) VALUES ($1, $2, $3)",
        &[&login, &role.word(), &unit],
    )
    .map_err(err)?;
    tx.commit().map_err(err)
}

/// Every login with its role and unit, by login.
pub fn list(client: &mut Client, place: &str) -> Result<Vec<Member>, StoreError> {
    check_initialized(client, place)?;
    let rows = client
        .query(
            "SELECT s.login::text, s.role, s.unit, u.name
               FROM shegong.staff s LEFT JOIN shegong.units u ON u.code = s.unit
              ORDER BY s.login",
            &[],
        )
        .map_err(|e| server_error(&e, place, ""))?;
    rows.iter()
        .map(|row| {
            let login: String = row.try_get(0)?;
            let role_word: String = row.try_get(1)?;
            let code: Option<String> = row.try_get(2)?;
            let name: Option<String> = row.try_get(3)?;
            Ok(Member {
                login,
                role: Role::parse(&role_word),
                role_word,
                unit: code.map(|c| (c, name.unwrap_or_default())),
            })
        })
        .collect::<Result<Vec<Member>, postgres::Error>>()
        .map_err(|e| server_error(&e, place, ""))
}

/// Removes `login`: its `staff` row and its role, in one transaction. Only a login with a
/// `staff` row is removed (never another role of the cluster); one that still owns something
/// (or holds grants) is refused with the server's words for what.
pub fn remove(client: &mut Client, place: &str, login: &str) -> Result<(), StoreError> {
    check_login(login)?;
    check_initialized(client, place)?;
    let me = current_user(client, place)?;
    let err = |e: postgres::Error| server_error(&e, place, &me);
    let mut tx = client.transaction().map_err(err)?;
    let deleted = tx
        .execute("DELETE FROM shegong.staff WHERE login = $1", &[&login])
        .map_err(err)?;
    if deleted == 0 {
        return Err(refused(N::StaffUnknown, &[&login]));
    }
    let dropped = tx.batch_execute(&format!("DROP ROLE IF EXISTS {}", quote_ident(login)));
    if let Err(e) = dropped {
        if let Some(db) = e.as_db_error() {
            if *db.code() == SqlState::DEPENDENT_OBJECTS_STILL_EXIST || *db.code() == SqlState::OBJECT_IN_USE {
                let words = match db.detail() {
                    Some(detail) => format!("{} ({})", db.message(), detail.replace('\n', "; ")),
                    None => db.message().to_string(),
                };
                return Err(refused(N::StaffOwnsThings, &[&login, &words]));
            }
        }
        return Err(err(e));
    }
    tx.commit().map_err(err)
}

fn current_user(client: &mut Client, place: &str) -> Result<String, StoreError> {
    client
        .query_one("SELECT current_user::text", &[])
        .and_then(|row| row.try_get(0))
        .map_err(|e| store_error(&e, place, ""))
}

/// `list` as a table: login, role, unit (code and name).
pub fn table(members: &[Member], lang: Lang) -> String {
    use crate::text::{pad_right, width};
    if members.is_empty() {
        return format!("{}\n", tr(lang, N::StaffNone));
    }
    let rows: Vec<[String; 3]> = members
        .iter()
        .map(|m| {
            let role = m
                .role
                .map_or_else(|| m.role_word.clone(), |r| r.label(lang).to_string());
            let unit = m
                .unit
                .as_ref()
                .map_or_else(String::new, |(code, name)| format!("{code} {name}"));
            [m.login.clone(), role, unit]
        })
        .collect();
    let head = [
        tr(lang, N::StaffLogin).to_string(),
        tr(lang, N::StaffRole).to_string(),
        tr(lang, N::StaffUnit).to_string(),
    ];
    let widths: Vec<usize> = (0..2)
        .map(|i| {
            rows.iter()
                .map(|r| width(&r[i]))
                .chain([width(&head[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: &[String; 3]| {
        let text = format!(
            "{}  {}  {}",
            pad_right(&r[0], widths[0]),
            pad_right(&r[1], widths[1]),
            r[2]
        );
        text.trim_end().to_string() + "\n"
    };
    std::iter::once(line(&head)).chain(rows.iter().map(line)).collect()
}

/// The password for `login`, one line of standard input (its line end taken off). From a
/// terminal, asked for with a prompt and not echoed.
pub fn read_password(login: &str, lang: Lang) -> Result<String, StoreError> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let unreadable = |e: std::io::Error| refused(N::StaffPasswordUnreadable, &[&e]);
    let mut line = String::new();
    if stdin.is_terminal() {
        eprint!("{}", say(lang, N::StaffPasswordPrompt, &[&login]));
        let echo = EchoOff::new();
        let read = stdin.lock().read_line(&mut line);
        // The line end was echoed (ECHONL), so the next message starts on a line of its own.
        drop(echo);
        read.map_err(unreadable)?;
    } else {
        stdin.lock().read_line(&mut line).map_err(unreadable)?;
    }
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(refused(N::StaffPasswordEmpty, &[]));
    }
    Ok(password)
}

/// The terminal's echo turned off while alive (standard input's), restored on drop.
struct EchoOff {
    saved: Option<libc::termios>,
}

impl EchoOff {
    fn new() -> EchoOff {
        // SAFETY: termios is plain data that tcgetattr fills in; fd 0 is standard input.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        if unsafe { libc::tcgetattr(0, &mut saved) } != 0 {
            return EchoOff { saved: None };
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ECHONL;
        // SAFETY: sets standard input's attributes from a copy of its own.
        let set = unsafe { libc::tcsetattr(0, libc::TCSANOW, &quiet) } == 0;
        EchoOff {
            saved: set.then_some(saved),
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: puts back the attributes read in `new`. A failure leaves echo off, which
            // the shell's next prompt resets; there is nothing better to do in a drop.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, saved) };
        }
    }
}

/// The words `add` says when done.
pub fn added(login: &str, role: Role, unit: Option<&str>, lang: Lang) -> String {
    match unit {
        Some(code) => say(lang, N::StaffAddedWithUnit, &[&login, &role.label(lang), &code]),
        None => say(lang, N::StaffAdded, &[&login, &role.label(lang)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_any_text_one_token() {
        assert_eq!(quote_ident("clerk"), "\"clerk\"");
        assert_eq!(quote_ident("a\"; DROP ROLE x; --"), "\"a\"\"; DROP ROLE x; --\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\'b"), "E'a\\\\''b'");
    }

    #[test]
    fn roles_have_their_groups() {
        assert_eq!(Role::Clerk.group(), "shegong_clerk");
        assert_eq!(Role::District.group(), "shegong_district");
        assert_eq!(Role::Auditor.group(), "shegong_auditor");
        assert_eq!(Role::parse("clerk"), Some(Role::Clerk));
    }

    #[test]
    fn a_verifier_holds_no_password() {
        let verifier = postgres_protocol::password::scram_sha_256(b"hunter2-secret");
        assert!(verifier.starts_with("SCRAM-SHA-256$4096:"));
        assert!(!verifier.contains("hunter2"));
    }

    #[test]
    fn the_table_lines_up() {
        let members = vec![
            Member {
                login: "bj_clerk".into(),
                role: Some(Role::Clerk),
                role_word: "clerk".into(),
                unit: Some(("530112001".into(), "碧鸡街道".into())),
            },
            Member {
                login: "audit".into(),
                role: Some(Role::Auditor),
                role_word: "auditor".into(),
                unit: None,
            },
        ];
        let text = table(&members, Lang::En);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "login     role     unit");
        assert_eq!(lines[1], "bj_clerk  clerk    530112001 碧鸡街道");
        assert_eq!(lines[2], "audit     auditor");
    }
}

//! The password file, as libpq reads it (`~/.pgpass`, or `$PGPASSFILE`, or `passfile=` in the
//! connection string): lines `host:port:database:user:password`, `*` matching anything in the
//! first four fields, `\` taking the next character as it is (`\:`, `\\`), `#` starting a
//! comment line; the first line that matches wins. A file that others than its owner may read
//! or write (mode not 0600 or stricter) is ignored, as libpq ignores it, and so is anything
//! that is not a plain file; `Lookup::Ignored` says so, for the words of a failed login.
//!
//! Written here because the one crate on the registry that reads this file
//! (`postgres_secrets`) refuses a whole file for one line libpq would skip, does not check the
//! file's mode and does not match a socket connection to `localhost`; this is 60 lines.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Where libpq puts the default socket on Debian: a connection there also matches `localhost`.
pub const DEFAULT_SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/run/postgresql"];

/// What the file says for a connection.
#[derive(Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No file, or no line for this connection.
    None,
    /// The file was not used: it may be read by others (or is not a plain file).
    Ignored(PathBuf),
    Found(String),
}

// A password never shows.
impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lookup::None => f.write_str("None"),
            Lookup::Ignored(path) => write!(f, "Ignored({})", path.display()),
            Lookup::Found(_) => f.write_str("Found(…)"),
        }
    }
}

/// The file libpq would read: `passfile`, else `$PGPASSFILE`, else `~/.pgpass`.
pub fn location(passfile: Option<&str>) -> Option<PathBuf> {
    if let Some(path) = passfile {
        return Some(PathBuf::from(path));
    }
    if let Some(path) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| Path::new(&home).join(".pgpass"))
}

/// The password for `host` (a name, or a socket folder), `port`, `database` and `user`.
pub fn lookup(file: &Path, host: &str, port: &str, database: &str, user: &str) -> Lookup {
    let Ok(meta) = std::fs::metadata(file) else {
        return Lookup::None;
    };
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return Lookup::Ignored(file.to_path_buf());
    }
    // A file that can't be read gives no password, as with libpq: the server then says
    // what it needs, in its words.
    let Ok(text) = std::fs::read_to_string(file) else {
        return Lookup::None;
    };
    let hosts: Vec<&str> = if host.starts_with('/') && DEFAULT_SOCKET_DIRS.contains(&host) {
        vec![host, "localhost"]
    } else {
        vec![host]
    };
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let fields = fields(line.trim_end_matches('\r'))?;
            let [h, p, d, u, password] = fields;
            let matches = |field: &Field, value: &str| field.any || field.text == value;
            (hosts.iter().any(|host| matches(&h, host))
                && matches(&p, port)
                && matches(&d, database)
                && matches(&u, user))
            .then_some(password.text)
        })
        .map_or(Lookup::None, Lookup::Found)
}

/// One field: its text with escapes taken out, and whether it was a bare `*`.
struct Field {
    text: String,
    any: bool,
}

/// The five fields of a line; `None` for a line with fewer (libpq skips it). What follows a
/// fifth unescaped `:` is not part of the password.
fn fields(line: &str) -> Option<[Field; 5]> {
    let mut out: Vec<Field> = Vec::with_capacity(5);
    let mut text = String::new();
    let mut escaped_any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    text.push(next);
                    escaped_any = true;
                }
            }
            ':' => {
                let any = text == "*" && !escaped_any;
                out.push(Field {
                    text: std::mem::take(&mut text),
                    any,
                });
                escaped_any = false;
                if out.len() == 5 {
                    break;
                }
            }
            c => text.push(c),
        }
    }
    if out.len() == 4 {
        out.push(Field { text, any: false });
    }
    out.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("pgpass");
        let written = std::fs::write(&path, text)
            .and_then(|()| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)));
        if let Err(e) = written {
            panic!("{e}");
        }
        (dir, path)
    }

    fn found(password: &str) -> Lookup {
        Lookup::Found(password.into())
    }

    #[test]
    fn the_first_matching_line_wins() {
        let text = "# comment\nshort:line\ndb.example:5432:shegong:clerk:one\n*:*:*:clerk:two\n*:*:*:*:three\n";
        let (_dir, path) = file(text, 0o600);
        assert_eq!(lookup(&path, "db.example", "5432", "shegong", "clerk"), found("one"));
        assert_eq!(lookup(&path, "db.example", "5433", "shegong", "clerk"), found("two"));
        assert_eq!(lookup(&path, "other", "5432", "x", "auditor"), found("three"));
    }

    #[test]
    fn escapes_and_stars() {
        let text = "h\\:1:*:*:u:pa\\:ss\\\\w:ignored\n\\*:*:*:v:literal-star\n";
        let (_dir, path) = file(text, 0o400);
        assert_eq!(lookup(&path, "h:1", "5432", "db", "u"), found("pa:ss\\w"));
        assert_eq!(lookup(&path, "h", "5432", "db", "u"), Lookup::None);
        assert_eq!(lookup(&path, "*", "5432", "db", "v"), found("literal-star"));
        assert_eq!(lookup(&path, "h", "5432", "db", "v"), Lookup::None);
    }

    #[test]
    fn a_default_socket_matches_localhost() {
        let (_dir, path) = file("localhost:5432:*:u:sock\n/srv/sock:5432:*:u:other\n", 0o600);
        assert_eq!(lookup(&path, "/var/run/postgresql", "5432", "db", "u"), found("sock"));
        assert_eq!(lookup(&path, "/srv/sock", "5432", "db", "u"), found("other"));
        assert_eq!(lookup(&path, "/elsewhere", "5432", "db", "u"), Lookup::None);
    }

    #[test]
    fn a_file_others_may_read_is_ignored() {
        let (_dir, path) = file("*:*:*:*:secret\n", 0o644);
        assert_eq!(lookup(&path, "h", "5432", "db", "u"), Lookup::Ignored(path.clone()));
        let (_dir2, missing) = file("", 0o600);
        assert_eq!(
            lookup(&missing.with_file_name("none"), "h", "5432", "db", "u"),
            Lookup::None
        );
        assert!(!format!("{:?}", found("secret")).contains("secret"));
    }
}

//! Reading a connection string as libpq does, into its parameters by name: a URL
//! (`postgresql://user:password@host:port,host2/db?sslmode=require`) or `key=value` pairs
//! (`host=/run/postgresql user=clerk dbname='my db'`). `postgres::Config` parses both as well,
//! but knows only some values (no `sslmode=verify-full`, no `passfile`, no `sslrootcert`) and
//! fills in a port of its own where the URL gives none, which would hide `PGPORT`; so
//! `connect` reads the string here, takes the parameters it handles itself, fills the rest from
//! the `PG*` variables and only then builds the `Config`.
//!
//! A problem's words never repeat the string: it may hold a password.

use percent_encoding::percent_decode_str;

/// The parameters of a connection string, in the order given (a later one wins).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnInfo {
    params: Vec<(String, String)>,
}

// The password is never shown, even in a test's failure.
impl std::fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), if k == "password" { "…" } else { v.as_str() }))
            .collect();
        f.debug_struct("ConnInfo").field("params", &shown).finish()
    }
}

/// What is wrong with a connection string, in words that never quote it: which part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// A `key=value` pair without `=`, or a URL parameter without one.
    NoEquals,
    /// A quoted value with no closing quote.
    Unterminated,
    /// A `%` escape that is not valid UTF-8.
    BadEscape,
    /// An IPv6 address in `[` without its `]`.
    BadHost,
}

impl ConnInfo {
    /// Reads a URL (`postgres://` or `postgresql://`) or a `key=value` string.
    pub fn parse(text: &str) -> Result<ConnInfo, Unreadable> {
        let text = text.trim();
        for prefix in ["postgresql://", "postgres://"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return parse_url(rest);
            }
        }
        parse_pairs(text)
    }

    /// The value of `key` (the last one given), if any and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Sets `key` to `value`, replacing what was given.
    pub fn set(&mut self, key: &str, value: &str) {
        self.params.retain(|(k, _)| k != key);
        self.params.push((key.to_string(), value.to_string()));
    }

    /// Removes `key`, returning its value if it had one.
    pub fn take(&mut self, key: &str) -> Option<String> {
        let value = self.get(key).map(str::to_string);
        self.params.retain(|(k, _)| k != key);
        value
    }

    /// Every parameter, the later of two with one name only.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for (k, v) in &self.params {
            out.retain(|(key, _)| key != k);
            out.push((k, v));
        }
        out
    }
}

fn decode(text: &str) -> Result<String, Unreadable> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Unreadable::BadEscape)
}

/// `[user[:password]@][host[:port][,…]][/dbname][?key=value&…]`, after the scheme.
fn parse_url(rest: &str) -> Result<ConnInfo, Unreadable> {
    let mut info = ConnInfo::default();
    let (main, query) = match rest.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (rest, None),
    };
    let (authority, path) = match main.split_once('/') {
        Some((authority, path)) => (authority, Some(path)),
        None => (main, None),
    };
    // libpq takes the first `@` before the path: a password's own `@` must be written `%40`.
    let hostspec = match authority.split_once('@') {
        Some((userspec, hostspec)) => {
            let (user, password) = match userspec.split_once(':') {
                Some((user, password)) => (user, Some(password)),
                None => (userspec, None),
            };
            if !user.is_empty() {
                info.set("user", &decode(user)?);
            }
            if let Some(password) = password {
                info.set("password", &decode(password)?);
            }
            hostspec
        }
        None => authority,
    };
    if !hostspec.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for chunk in hostspec.split(',') {
            let (host, port) = if let Some(inner) = chunk.strip_prefix('[') {
                let (host, after) = inner.split_once(']').ok_or(Unreadable::BadHost)?;
                match after {
                    "" => (host, None),
                    _ => (host, Some(after.strip_prefix(':').ok_or(Unreadable::BadHost)?)),
                }
            } else {
                match chunk.split_once(':') {
                    Some((host, port)) => (host, Some(port)),
                    None => (chunk, None),
                }
            };
            hosts.push(decode(host)?);
            ports.push(decode(port.unwrap_or(""))?);
        }
        if hosts.iter().any(|h| !h.is_empty()) {
            info.set("host", &hosts.join(","));
        }
        if ports.iter().any(|p| !p.is_empty()) {
            info.set("port", &ports.join(","));
        }
    }
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        info.set("dbname", &decode(path)?);
    }
    for pair in query.into_iter().flat_map(|q| q.split('&')).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or(Unreadable::NoEquals)?;
        info.set(&decode(key)?, &decode(value)?);
    }
    Ok(info)
}

/// `key = value …`: a value is single-quoted (with `\'` and `\\`) or runs to the next space,
/// as libpq reads it.
fn parse_pairs(text: &str) -> Result<ConnInfo, Unreadable> {
    let mut info = ConnInfo::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(info);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(Unreadable::NoEquals);
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(Unreadable::Unterminated),
                    Some('\'') => break,
                    Some('\\') => value.push(chars.next().ok_or(Unreadable::Unterminated)?),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next() {
                match c {
                    c if c.is_whitespace() => break,
                    '\\' => {
                        if let Some(next) = chars.next() {
                            value.push(next);
                        }
                    }
                    c => value.push(c),
                }
            }
        }
        info.set(&key, &value);
    }
}

/// `key='value' …` for `postgres::Config`, every value quoted and escaped.
pub fn to_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, String)> {
        match ConnInfo::parse(text) {
            Ok(info) => info
                .pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            Err(e) => panic!("{text}: {e:?}"),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn reads_a_whole_url() {
        assert_eq!(
            read("postgresql://clerk:p%40ss:w@db.example:5433/shegong?sslmode=verify-full&application_name=x"),
            pairs(&[
                ("user", "clerk"),
                ("password", "p@ss:w"),
                ("host", "db.example"),
                ("port", "5433"),
                ("dbname", "shegong"),
                ("sslmode", "verify-full"),
                ("application_name", "x"),
            ])
        );
    }

    #[test]
    fn a_url_leaves_out_what_it_does_not_say() {
        assert_eq!(read("postgres://"), pairs(&[]));
        assert_eq!(read("postgresql:///shegong"), pairs(&[("dbname", "shegong")]));
        assert_eq!(
            read("postgresql://db.example/x"),
            pairs(&[("host", "db.example"), ("dbname", "x")])
        );
        assert_eq!(
            read("postgresql://%2Frun%2Fpostgresql/x?user=a"),
            pairs(&[("host", "/run/postgresql"), ("dbname", "x"), ("user", "a")])
        );
        assert_eq!(
            read("postgresql://[::1]:6000,h2/x"),
            pairs(&[("host", "::1,h2"), ("port", "6000,"), ("dbname", "x")])
        );
    }

    #[test]
    fn reads_key_value_pairs() {
        assert_eq!(
            read("host=/tmp/s port = 5432 user=clerk password='it\\'s' dbname='my \\'db\\''"),
            pairs(&[
                ("host", "/tmp/s"),
                ("port", "5432"),
                ("user", "clerk"),
                ("password", "it's"),
                ("dbname", "my 'db'"),
            ])
        );
        assert_eq!(ConnInfo::parse("host"), Err(Unreadable::NoEquals));
        assert_eq!(ConnInfo::parse("password='open"), Err(Unreadable::Unterminated));
        assert_eq!(ConnInfo::parse("postgresql://h/db?x"), Err(Unreadable::NoEquals));
        assert_eq!(ConnInfo::parse("postgresql://u:%ff@h/db"), Err(Unreadable::BadEscape));
    }

    #[test]
    fn pairs_written_back_read_the_same() {
        let info = match ConnInfo::parse("a='x y' b='q\\'s\\\\' c=") {
            Ok(info) => info,
            Err(e) => panic!("{e:?}"),
        };
        let again = match ConnInfo::parse(&to_pairs(&info.pairs())) {
            Ok(info) => info,
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(info, again);
        assert_eq!(again.get("b"), Some("q's\\"));
        assert_eq!(again.get("c"), None);
    }

    #[test]
    fn debug_hides_the_password() {
        let info = ConnInfo::parse("user=a password=s3cret").unwrap_or_default();
        assert!(!format!("{info:?}").contains("s3cret"));
    }
}

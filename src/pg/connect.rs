//! Connecting to the shared server: from `--db URL`, else `$SHEGONG_DB`, a libpq-style URL or
//! `key=value` string (`conninfo`), with what it leaves out taken from the usual `PG*`
//! variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `PGSSLMODE`,
//! `PGSSLROOTCERT`, `PGPASSFILE`, `PGCONNECT_TIMEOUT`, `PGAPPNAME`) and the password from the
//! password file (`pgpass`), then TLS as `sslmode` says (`tls`).
//!
//! Every failure is `StoreError::Unreachable`, naming the server as `user@host:port/db` (never
//! with the password) and the reason in the user's words, with the server's or the system's
//! own words beside them. The startup is bounded by the connect timeout as libpq's is (the
//! driver's bounds only opening the socket): a server that never answers is said, not waited
//! for. Nothing here starts a program, so no password is ever on a command
//! line; the password lives in the `postgres::Config`, whose `Debug` hides it.

use super::conninfo::{to_pairs, ConnInfo, Unreadable};
use super::pgpass::{self, Lookup};
use super::tls::{self, SslMode, TlsSetup};
use crate::i18n::Lang;
use crate::store::StoreError;
use crate::words::{say, tr, N};
use postgres::error::SqlState;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

/// The server in words for messages: `user@host:port/db`, never with the password.
pub type Place = String;

/// Connects as the URL (or `$SHEGONG_DB`, or the `PG*` variables alone) says. `lang` words
/// the reason of a failure.
pub fn connect(url: Option<&str>, lang: Lang) -> Result<(postgres::Client, Place), StoreError> {
    let from_env = std::env::var("SHEGONG_DB").ok();
    let text = url.or(from_env.as_deref()).unwrap_or("");
    let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
    let target = Target::resolve(text, &env).map_err(|why| why.into_error(None, lang))?;
    let place = target.place();
    target
        .connect()
        .map(|client| (client, place.clone()))
        .map_err(|why| why.into_error(Some(&place), lang))
}

/// Everything a connection needs, resolved from the string and the environment.
struct Target {
    hosts: Vec<String>,
    ports: Vec<u16>,
    user: String,
    dbname: String,
    password: Option<String>,
    sslmode: SslMode,
    rootcert: Option<String>,
    /// A password file that was not read because others may read it.
    ignored_passfile: Option<PathBuf>,
    /// The parameters `postgres::Config` reads itself (`connect_timeout`, `options`, …).
    rest: Vec<(String, String)>,
}

// A password never shows.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("place", &self.place())
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("sslmode", &self.sslmode)
            .finish()
    }
}

/// Why a connection was not made, before it is worded.
#[derive(Debug)]
enum Why {
    Unreadable(Unreadable),
    SslMode(String),
    Port(String),
    NoUser,
    Parameter(String),
    Tls(TlsSetup),
    Connect {
        error: postgres::Error,
        ignored_passfile: Option<PathBuf>,
    },
    /// The server took the connection but did not answer within the timeout.
    Silent(Duration),
    /// The thread that connects could not start or ended without an answer.
    Thread(String),
}

impl Target {
    /// Reads `text` and fills what it leaves out from `env` (the `PG*` variables) and the
    /// password file, as libpq does.
    fn resolve(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Target, Why> {
        let mut info = ConnInfo::parse(text).map_err(Why::Unreadable)?;
        let mut take = |key: &str, var: &str| info.take(key).filter(|v| !v.is_empty()).or_else(|| env(var));
        let host = take("host", "PGHOST").unwrap_or_else(default_host);
        let port = take("port", "PGPORT");
        let user = take("user", "PGUSER")
            .or_else(|| env("USER"))
            .or_else(|| env("LOGNAME"))
            .ok_or(Why::NoUser)?;
        let dbname = take("dbname", "PGDATABASE").unwrap_or_else(|| user.clone());
        let password = take("password", "PGPASSWORD");
        let sslmode_word = take("sslmode", "PGSSLMODE").unwrap_or_else(|| "prefer".into());
        let sslmode = SslMode::parse(&sslmode_word).ok_or(Why::SslMode(sslmode_word))?;
        let rootcert = take("sslrootcert", "PGSSLROOTCERT");
        let passfile = take("passfile", "PGPASSFILE");
        let timeout = take("connect_timeout", "PGCONNECT_TIMEOUT").unwrap_or_else(|| "10".into());
        let app = take("application_name", "PGAPPNAME").unwrap_or_else(|| "shegong".into());
        info.set("connect_timeout", &timeout);
        info.set("application_name", &app);

        let hosts: Vec<String> = host.split(',').map(|h| h.trim().to_string()).collect();
        let ports = ports(port.as_deref(), hosts.len())?;
        let mut target = Target {
            hosts,
            ports,
            user,
            dbname,
            password,
            sslmode,
            rootcert,
            ignored_passfile: None,
            rest: info
                .pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        if target.password.is_none() {
            if let Some(file) = pgpass::location(passfile.as_deref()) {
                let first_port = target.ports.first().copied().unwrap_or(5432).to_string();
                match pgpass::lookup(&file, &target.hosts[0], &first_port, &target.dbname, &target.user) {
                    Lookup::Found(password) => target.password = Some(password),
                    Lookup::Ignored(path) => target.ignored_passfile = Some(path),
                    Lookup::None => {}
                }
            }
        }
        Ok(target)
    }

    /// `user@host:port/db`.
    fn place(&self) -> Place {
        let port = match self.ports.as_slice() {
            [] => "5432".to_string(),
            [one] => one.to_string(),
            many if many.iter().all(|p| *p == many[0]) => many[0].to_string(),
            many => many.iter().map(u16::to_string).collect::<Vec<_>>().join(","),
        };
        format!("{}@{}:{port}/{}", self.user, self.hosts.join(","), self.dbname)
    }

    fn config(&self) -> Result<postgres::Config, Why> {
        let rest: Vec<(&str, &str)> = self.rest.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut config: postgres::Config = to_pairs(&rest)
            .parse()
            .map_err(|e: postgres::Error| Why::Parameter(with_causes(&e)))?;
        config.user(&self.user).dbname(&self.dbname);
        if let Some(password) = &self.password {
            config.password(password);
        }
        for host in &self.hosts {
            if host.starts_with('/') {
                config.host_path(host);
            } else {
                config.host(host);
            }
        }
        for port in &self.ports {
            config.port(*port);
        }
        // libpq never uses TLS on a Unix socket; the server would refuse it there.
        let mode = match self.hosts.iter().all(|h| h.starts_with('/')) {
            true => SslMode::Disable,
            false => self.sslmode,
        };
        config.ssl_mode(mode.client_mode());
        Ok(config)
    }

    /// Connects on a thread of its own and waits at most the connect timeout for each host
    /// (libpq's meaning of it): the driver's timeout bounds only opening the socket, and a
    /// server that takes the connection and never answers would hold the startup for ever. A
    /// try given up on is left to end by itself (its connection, if one ever comes, dropped).
    fn connect(&self) -> Result<postgres::Client, Why> {
        let config = self.config()?;
        let tls = match config.get_ssl_mode() {
            postgres::config::SslMode::Disable => None,
            _ => Some(tls::client_config(self.sslmode, self.rootcert.as_deref()).map_err(Why::Tls)?),
        };
        let hosts = u32::try_from(config.get_hosts().len().max(1)).unwrap_or(u32::MAX);
        let limit = config
            .get_connect_timeout()
            .filter(|t| !t.is_zero())
            .map(|t| t.saturating_mul(hosts));
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("shegong-connect".into())
            .spawn(move || {
                let connected = match tls {
                    None => config.connect(postgres::NoTls),
                    Some(tls) => config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)),
                };
                // Nobody waits any more when the try was given up on: the connection goes.
                if let Err(unwanted) = tx.send(connected) {
                    drop(unwanted);
                }
            })
            .map_err(|e| Why::Thread(e.to_string()))?;
        let answer = match limit {
            Some(limit) => rx.recv_timeout(limit),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match answer {
            Ok(connected) => connected.map_err(|error| Why::Connect {
                error,
                ignored_passfile: self.ignored_passfile.clone(),
            }),
            Err(RecvTimeoutError::Timeout) => Err(Why::Silent(limit.unwrap_or_default())),
            Err(RecvTimeoutError::Disconnected) => {
                Err(Why::Thread("the connecting thread ended without an answer".into()))
            }
        }
    }
}

/// An error's words and those of its causes (`postgres::Error` keeps the detail in its cause).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

/// libpq's default host: the Debian socket folder when it is there, else `localhost`.
fn default_host() -> String {
    pgpass::DEFAULT_SOCKET_DIRS
        .iter()
        .find(|dir| Path::new(dir).is_dir())
        .map_or_else(|| "localhost".to_string(), |dir| dir.to_string())
}

/// One port for every host, or one per host (an empty one is 5432).
fn ports(text: Option<&str>, hosts: usize) -> Result<Vec<u16>, Why> {
    let Some(text) = text else {
        return Ok(vec![5432]);
    };
    let ports = text
        .split(',')
        .map(|p| match p.trim() {
            "" => Ok(5432),
            p => p.parse::<u16>().ok().filter(|n| *n > 0).ok_or(Why::Port(p.to_string())),
        })
        .collect::<Result<Vec<u16>, Why>>()?;
    if ports.len() != 1 && ports.len() != hosts {
        return Err(Why::Port(text.to_string()));
    }
    Ok(ports)
}

impl Why {
    /// The error, naming `place` (or, when the string could not be read, the server only as
    /// "the one --db gives").
    fn into_error(self, place: Option<&str>, lang: Lang) -> StoreError {
        let server = place.map_or_else(|| tr(lang, N::ServerUnnamed).to_string(), str::to_string);
        let reason = match self {
            Why::Unreadable(part) => {
                let part = tr(
                    lang,
                    match part {
                        Unreadable::NoEquals => N::UrlNoEquals,
                        Unreadable::Unterminated => N::UrlUnterminated,
                        Unreadable::BadEscape => N::UrlBadEscape,
                        Unreadable::BadHost => N::UrlBadHost,
                    },
                );
                say(lang, N::UrlUnreadable, &[&part])
            }
            Why::SslMode(word) => say(lang, N::UnknownSslMode, &[&word]),
            Why::Port(text) => say(lang, N::BadPort, &[&text]),
            Why::NoUser => tr(lang, N::NoUser).to_string(),
            Why::Parameter(detail) => say(lang, N::BadParameter, &[&detail]),
            Why::Tls(TlsSetup::RootFile(path, detail)) => say(lang, N::TlsRootFile, &[&path.display(), &detail]),
            Why::Tls(TlsSetup::NoRoots) => tr(lang, N::TlsNoRoots).to_string(),
            Why::Tls(TlsSetup::Other(detail)) => say(lang, N::TlsFailed, &[&detail]),
            Why::Silent(limit) => say(lang, N::TimedOut, &[&format!("{} s", limit.as_secs_f32())]),
            Why::Thread(detail) => say(lang, N::ConnectFailed, &[&detail]),
            Why::Connect {
                error,
                ignored_passfile,
            } => {
                let (key, detail) = failure(&error);
                let mut reason = say(lang, key, &[&detail]);
                if let (Some(path), N::NoPassword | N::BadPassword) = (ignored_passfile, key) {
                    reason.push_str(&say(lang, N::PassfileIgnored, &[&path.display(), &path.display()]));
                }
                reason
            }
        };
        StoreError::Unreachable { server, reason }
    }
}

/// What a failed connection (or a later call that lost it) means, and the library's, server's
/// or system's own words for it.
pub fn failure(error: &postgres::Error) -> (N, String) {
    if let Some(db) = error.as_db_error() {
        let key = match *db.code() {
            SqlState::INVALID_PASSWORD => N::BadPassword,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION => N::LoginRefused,
            SqlState::INVALID_CATALOG_NAME => N::NoDatabase,
            SqlState::CANNOT_CONNECT_NOW | SqlState::ADMIN_SHUTDOWN => N::NotReady,
            SqlState::TOO_MANY_CONNECTIONS => N::TooManyConnections,
            _ => N::ConnectFailed,
        };
        return (key, db.message().to_string());
    }
    let text = with_causes(error);
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            let key = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => N::Refused,
                std::io::ErrorKind::NotFound => N::NoSocket,
                std::io::ErrorKind::TimedOut => N::TimedOut,
                _ if io.to_string().contains("lookup address") => N::NoSuchHost,
                std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe => N::ConnectionLost,
                _ if text.contains("TLS") => N::TlsFailed,
                _ => N::ConnectFailed,
            };
            return (key, io.to_string());
        }
        cause = e.source();
    }
    // The client's own kinds are not public: its words tell them apart.
    let key = if text.contains("password missing") {
        N::NoPassword
    } else if text.contains("TLS") {
        N::TlsFailed
    } else if error.is_closed() {
        N::ConnectionLost
    } else {
        N::ConnectFailed
    };
    (key, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(text: &str, env: &[(&str, &str)]) -> Result<Target, Why> {
        let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        // No password file of the developer's is read: PGPASSFILE points nowhere.
        let lookup = move |key: &str| match key {
            "PGPASSFILE" => Some(env.get(key).cloned().unwrap_or_else(|| "/nonexistent/pgpass".into())),
            _ => env.get(key).cloned(),
        };
        Target::resolve(text, &lookup)
    }

    fn target(text: &str, env: &[(&str, &str)]) -> Target {
        match resolve(text, env) {
            Ok(target) => target,
            Err(why) => panic!("{text}: {why:?}"),
        }
    }

    #[test]
    fn the_url_wins_over_the_variables() {
        let t = target(
            "postgresql://clerk:pw@db.example:6000/reg?sslmode=verify-full",
            &[
                ("PGHOST", "other"),
                ("PGPORT", "7000"),
                ("PGUSER", "x"),
                ("PGSSLMODE", "disable"),
            ],
        );
        assert_eq!(t.place(), "clerk@db.example:6000/reg");
        assert_eq!(t.sslmode, SslMode::VerifyFull);
        assert_eq!(t.password.as_deref(), Some("pw"));
    }

    #[test]
    fn the_variables_fill_what_the_url_leaves_out() {
        let t = target(
            "postgresql:///reg",
            &[
                ("PGHOST", "/tmp/sock"),
                ("PGPORT", "6001"),
                ("PGUSER", "clerk"),
                ("PGPASSWORD", "pw"),
            ],
        );
        assert_eq!(t.place(), "clerk@/tmp/sock:6001/reg");
        assert_eq!(t.password.as_deref(), Some("pw"));
        assert_eq!(t.sslmode, SslMode::Prefer);
        let t = target("", &[("PGHOST", "h"), ("USER", "me")]);
        assert_eq!(t.place(), "me@h:5432/me");
    }

    #[test]
    fn the_password_comes_from_the_password_file() {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let file = dir.path().join("pass");
        let written = std::fs::write(&file, "/tmp/sock:5432:reg:clerk:from-file\n").and_then(|()| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
        });
        if let Err(e) = written {
            panic!("{e}");
        }
        let path = file.display().to_string();
        let t = target("host=/tmp/sock user=clerk dbname=reg", &[("PGPASSFILE", &path)]);
        assert_eq!(t.password.as_deref(), Some("from-file"));
        let t = target(&format!("host=/tmp/sock user=clerk dbname=reg passfile={path}"), &[]);
        assert_eq!(t.password.as_deref(), Some("from-file"));
        let t = target("host=/tmp/sock user=clerk dbname=other", &[("PGPASSFILE", &path)]);
        assert_eq!(t.password, None);
        assert!(!format!("{t:?}").contains("from-file"));
    }

    #[test]
    fn bad_strings_are_refused_without_repeating_them() {
        let lang = Lang::En;
        for (text, words) in [
            ("postgresql://u:secret@h/db?sslmode=maybe", "sslmode “maybe”"),
            ("postgresql://u:secret@h:99999/db", "the port “99999”"),
            ("password='secret", "no closing quote"),
            ("host=h user=u password=secret bogus=1", "unknown option"),
        ] {
            let why = match resolve(text, &[]).and_then(|t| t.config().map(|_| t)) {
                Ok(t) => panic!("{text}: {t:?}"),
                Err(why) => why,
            };
            let error = why.into_error(None, lang);
            let shown = format!("{} {error:?}", error.message(lang));
            assert!(shown.contains(words), "{text}: {shown}");
            assert!(!shown.contains("secret"), "{shown}");
            assert_eq!(error.exit_code(), 5);
        }
    }

    #[test]
    fn a_server_that_is_not_there_is_named_with_the_reason() {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let url = format!(
            "postgresql://clerk:topsecret@{}/reg",
            percent_encoding::utf8_percent_encode(
                &dir.path().display().to_string(),
                percent_encoding::NON_ALPHANUMERIC
            )
        );
        let error = match connect(Some(&url), Lang::En) {
            Ok(_) => panic!("connected to nothing"),
            Err(e) => e,
        };
        let shown = format!("{} {error:?}", error.message(Lang::En));
        assert!(
            shown.contains(&format!("clerk@{}:5432/reg", dir.path().display())),
            "{shown}"
        );
        assert!(shown.contains("no server is running on that socket"), "{shown}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert_eq!(error.exit_code(), 5);
    }
}

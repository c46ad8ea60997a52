//! TLS to the shared server as `sslmode` says (issue 13): a throwaway cluster that also listens
//! on 127.0.0.1 with `ssl = on` and a certificate for `localhost` signed by a test authority
//! (made with the `openssl` command, which Debian's `postgresql` package brings along).
//! `require` encrypts without checking the certificate; `verify-full` checks it against the
//! authority in `sslrootcert` and the host's name, `verify-ca` the authority only; a certificate
//! from another authority, or for another name under `verify-full`, is refused with exit 5 and
//! words. Skipped, saying why, without PostgreSQL or openssl.

// Not every helper of the harness is used here.
#[allow(dead_code)]
mod pg_support;
mod skip;

use pg_support::binary::binary;
use pg_support::{Cluster, Login};
use shegong::i18n::Lang;
use std::path::Path;
use std::process::Command;

/// Runs `openssl` with `args` in `dir`; `false` when there is no openssl.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => panic!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => false,
    }
}

/// An authority `name` (its key and certificate) in `dir`.
fn authority(dir: &Path, name: &str) -> bool {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
        ],
    )
}

fn read(path: &Path) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Connects with `url` (the cluster's password file named in it); whether the session is
/// encrypted, or the error's words and exit code.
fn connect(url: &str) -> Result<bool, (String, i32)> {
    match shegong::pg::connect::connect(Some(url), Lang::En) {
        Ok((mut client, _)) => {
            let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]);
            match row.and_then(|r| r.try_get::<_, bool>(0)) {
                Ok(ssl) => Ok(ssl),
                Err(e) => panic!("{e}"),
            }
        }
        Err(e) => Err((format!("{} {e:?}", e.message(Lang::En)), e.exit_code())),
    }
}

#[test]
fn sslmode_is_carried_out_as_libpq_does() {
    let certs = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let dir = certs.path();
    if !authority(dir, "test-ca") {
        skip::skip("no openssl command to make the test certificates (apt-get install openssl)");
        return;
    }
    let made = authority(dir, "other-ca")
        && openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
    assert!(made);
    if let Err(e) = std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    ) {
        panic!("{e}");
    }
    assert!(openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "test-ca.crt",
            "-CAkey",
            "test-ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    ));
    let (crt, key) = (read(&dir.join("server.crt")), read(&dir.join("server.key")));
    let Some(cluster) = Cluster::start_listening(
        "-c ssl=on -c ssl_cert_file='{root}/server.crt' -c ssl_key_file='{root}/server.key'",
        &[("server.crt", &crt), ("server.key", &key)],
    ) else {
        return;
    };
    let owner = Login::new("tls_owner");
    cluster.create_database("tls", &owner);
    let passfile = cluster.root().join("pgpass");
    let url = |host: &str, mode: &str, root: &str| {
        let root = match root {
            "" => String::new(),
            name => format!(" sslrootcert={}", dir.join(name).display()),
        };
        format!(
            "host={host} port={} user={} dbname=tls passfile={} sslmode={mode}{root}",
            cluster.port(),
            owner.name,
            passfile.display()
        )
    };

    // Over the socket, never TLS; over TCP as the mode says.
    let socket = format!(
        "host={} port={} user={} dbname=tls passfile={} sslmode=require",
        cluster.root().display(),
        cluster.port(),
        owner.name,
        passfile.display()
    );
    assert_eq!(connect(&socket), Ok(false));
    assert_eq!(connect(&url("127.0.0.1", "disable", "")), Ok(false));
    assert_eq!(connect(&url("127.0.0.1", "prefer", "")), Ok(true));
    assert_eq!(connect(&url("127.0.0.1", "require", "")), Ok(true));
    assert_eq!(connect(&url("localhost", "verify-full", "test-ca.crt")), Ok(true));
    // The certificate names localhost, not 127.0.0.1: verify-ca takes it, verify-full does not.
    assert_eq!(connect(&url("127.0.0.1", "verify-ca", "test-ca.crt")), Ok(true));
    for (host, mode, root, words) in [
        ("127.0.0.1", "verify-full", "test-ca.crt", "not valid for name"),
        ("localhost", "verify-full", "other-ca.crt", "UnknownIssuer"),
        ("localhost", "verify-ca", "other-ca.crt", "UnknownIssuer"),
    ] {
        let (said, code) = match connect(&url(host, mode, root)) {
            Ok(ssl) => panic!("{host} {mode} {root}: connected (ssl {ssl})"),
            Err(e) => e,
        };
        assert_eq!(code, 5, "{said}");
        assert!(said.contains("the TLS connection failed"), "{said}");
        assert!(said.contains(words), "{said}");
        assert!(
            said.contains(&format!("{}@{host}:{}/tls", owner.name, cluster.port())),
            "{said}"
        );
        assert!(!said.contains(&owner.password), "{said}");
    }
    // A root file that is not there is named.
    let (said, code) = match connect(&url("localhost", "verify-full", "missing.crt")) {
        Ok(_) => panic!("connected without its root file"),
        Err(e) => e,
    };
    assert_eq!(code, 5);
    assert!(said.contains("cannot read the root certificate file"), "{said}");

    // The binary too, from $SHEGONG_DB.
    let out = binary()
        .args(["staff", "list"])
        .env("SHEGONG_DB", url("localhost", "verify-full", "test-ca.crt"))
        .output();
    match out {
        Ok(out) => assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => panic!("{e}"),
    }
}

//! TLS to the shared server, through rustls with the `ring` provider: a fresh machine builds it
//! without OpenSSL's headers (`postgres-native-tls` would need `libssl-dev`), and it is the
//! TLS stack `tokio-postgres-rustls` plugs into the `postgres` client.
//!
//! `sslmode` means what it means to libpq (`postgres::Config` itself knows only disable,
//! prefer and require, so the verifying modes are carried out here):
//!
//! - `disable`: no TLS. `prefer` (the default): TLS when the server offers it, without checking
//!   its certificate. `require`: TLS or no connection, again without checking the certificate
//!   (libpq's meaning: protection from eavesdropping, not from an impostor).
//! - `verify-ca`: the certificate must chain to a trusted root; `verify-full`: and name the
//!   host connected to.
//!
//! The trusted roots: the PEM file `sslrootcert` (or `$PGSSLROOTCERT`), else
//! `~/.postgresql/root.crt` when it exists (libpq's default), else the system's roots
//! (`sslrootcert=system`, read by `rustls-native-certs`). A Unix socket never uses TLS, as with
//! libpq.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// libpq's word for it; `allow` is taken as `prefer` (both try TLS without checking it).
    pub fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// The mode `postgres::Config` carries out: TLS asked for, or tried, or not.
    pub fn client_mode(self) -> postgres::config::SslMode {
        match self {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => postgres::config::SslMode::Require,
        }
    }
}

/// Why TLS could not be set up before connecting; the words are `connect`'s.
#[derive(Debug)]
pub enum TlsSetup {
    /// The root certificate file could not be read.
    RootFile(PathBuf, String),
    /// No trusted root at all (none in the file, none on the system).
    NoRoots,
    Other(String),
}

/// The rustls configuration for a mode (not `Disable`).
pub fn client_config(mode: SslMode, rootcert: Option<&str>) -> Result<ClientConfig, TlsSetup> {
    // ring's provider, named here rather than a process-wide default another library could set.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => Arc::new(Unchecked {
            algorithms: provider.signature_verification_algorithms,
        }),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = Arc::new(roots(rootcert)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| TlsSetup::Other(e.to_string()))?;
            match mode {
                SslMode::VerifyCa => Arc::new(AnyName { inner: webpki }),
                _ => webpki,
            }
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetup::Other(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// The trusted roots, from the file named, libpq's default file, or the system.
fn roots(rootcert: Option<&str>) -> Result<RootCertStore, TlsSetup> {
    let default_file = std::env::var_os("HOME").map(|home| Path::new(&home).join(".postgresql/root.crt"));
    let file = match rootcert {
        Some("system") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => default_file.filter(|path| path.is_file()),
    };
    let mut store = RootCertStore::empty();
    match file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(&path)
                .map_err(|e| TlsSetup::RootFile(path.clone(), e.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| TlsSetup::RootFile(path.clone(), e.to_string()))?;
            for cert in certs {
                store
                    .add(cert)
                    .map_err(|e| TlsSetup::RootFile(path.clone(), e.to_string()))?;
            }
        }
        None => {
            // A system store with some unreadable entries still serves with the rest.
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
        }
    }
    if store.is_empty() {
        return Err(TlsSetup::NoRoots);
    }
    Ok(store)
}

/// `prefer` and `require`: any certificate, as libpq; the handshake's signatures are still
/// checked, so the session is encrypted with the key of whoever holds that certificate.
#[derive(Debug)]
struct Unchecked {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must hold; the name in the certificate may be another host's.
#[derive(Debug)]
struct AnyName {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            // webpki checks the chain before the name: a wrong name means the chain held.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libpq_modes() {
        assert_eq!(SslMode::parse("verify-full"), Some(SslMode::VerifyFull));
        assert_eq!(SslMode::parse("allow"), Some(SslMode::Prefer));
        assert_eq!(SslMode::parse("VERIFY-FULL"), None);
        assert_eq!(SslMode::VerifyCa.client_mode(), postgres::config::SslMode::Require);
    }

    #[test]
    fn every_mode_builds_with_the_system_roots_or_says_why() {
        for mode in [SslMode::Prefer, SslMode::Require] {
            assert!(client_config(mode, None).is_ok(), "{mode:?}");
        }
        // The system store may be empty on a bare machine: then the words say so.
        match client_config(SslMode::VerifyFull, Some("system")) {
            Ok(_) | Err(TlsSetup::NoRoots) => {}
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_root_file_is_named() {
        match client_config(SslMode::VerifyCa, Some("/nonexistent/root.crt")) {
            Err(TlsSetup::RootFile(path, _)) => assert_eq!(path, PathBuf::from("/nonexistent/root.crt")),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}

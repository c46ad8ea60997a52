//! The backend suite (`tests/backend_suite`) on the sled store.

mod backend_suite;

use backend_suite::Fixture;
use shegong::registry::Registry;

/// A registry over a new sled store in a temporary folder.
fn sled() -> Fixture {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let registry = Registry::create(&tmp.path().join("store")).expect("a new store");
    Fixture {
        registry,
        journal_login: None,
        _keep: Box::new(tmp),
    }
}

backend_suite!(sled);

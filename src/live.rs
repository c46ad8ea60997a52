//! Other people's changes as they happen (issue 13, "Live"): what a backend's change feed
//! carries to the UI, and the reading of the server's notification payload. A backend that
//! other processes write to (the shared server) answers `Storage::watch` with a `ChangeFeed`;
//! sled, which one process holds, has nothing to listen for.
//!
//! The payload is the one migration 2 sends (`pg/migrations/0002_live.sql`):
//! `{"table":"budget","login":"clerk_biji","units":["530112001000"]}`, `units` null when the
//! list would not fit a notification (refresh everything).

use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

/// One statement's changes, committed by someone else.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Change {
    /// The table written: `units`, `evaluations`, `trainings` or `budget`.
    pub table: String,
    /// The login that wrote it.
    pub login: String,
    /// The codes of the units touched; `None`: too many to name, refresh everything.
    pub units: Option<Vec<String>>,
}

impl Change {
    /// Reads a notification's payload.
    pub fn parse(payload: &str) -> Result<Change, serde_json::Error> {
        serde_json::from_str(payload)
    }
}

/// What the feed says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedEvent {
    Changed(Change),
    /// A payload that could not be read (its text and why): something changed, not known what.
    Unreadable {
        payload: String,
        why: String,
    },
    /// The feed's connection went away (why, in the user's words); changes may be missed until
    /// `Back`.
    Lost(String),
    /// The feed listens again after `Lost`.
    Back,
}

/// The receiving end of a backend's change feed. Dropping it stops the listener.
pub struct ChangeFeed {
    events: Receiver<FeedEvent>,
    stop: Arc<AtomicBool>,
}

impl ChangeFeed {
    /// A feed over `events`; the listener stops when `stop` is set (on drop).
    pub fn new(events: Receiver<FeedEvent>, stop: Arc<AtomicBool>) -> ChangeFeed {
        ChangeFeed { events, stop }
    }

    /// The next event if one has come, without waiting. A listener that ended (it only ends
    /// when told to) gives nothing more.
    pub fn try_next(&self) -> Option<FeedEvent> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting at most `within`.
    pub fn next_within(&self, within: std::time::Duration) -> Option<FeedEvent> {
        self.events.recv_timeout(within).ok()
    }
}

impl Drop for ChangeFeed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_payload_of_migration_2() {
        let c = Change::parse(r#"{"table":"budget","login":"clerk_biji","units":["530112001000"]}"#);
        assert_eq!(
            c.ok(),
            Some(Change {
                table: "budget".into(),
                login: "clerk_biji".into(),
                units: Some(vec!["530112001000".into()]),
            })
        );
        let all = Change::parse(r#"{"table":"units","login":"district","units":null}"#);
        assert_eq!(all.ok().and_then(|c| c.units), None);
        assert!(Change::parse("not json").is_err());
    }
}

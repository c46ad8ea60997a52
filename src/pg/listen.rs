//! The change feed on a shared server: `PgStorage::watch` opens a second connection, the same
//! way the first was made (`Source`: the `--db` URL and the environment, read again; never the
//! password in any message), runs `LISTEN shegong_changes` on it and hands it to a thread, which
//! sends each notification migration 2 sends (`0002_live.sql`), read into a `live::Change`,
//! over a channel. Notifications of this session's own writes (the main connection's server
//! process, `PgStorage::own_pid`, set anew when it connects again) are left out: the save that
//! made them refreshed already.
//!
//! When the connection drops, the thread says `Lost` with why, tries again every second, and
//! says `Back` once it listens again; what the UI does about either is its own business. The
//! thread ends when the `ChangeFeed` is dropped (it looks every `WAIT`).

use super::backend::PgStorage;
use crate::i18n::Lang;
use crate::live::{Change, ChangeFeed, FeedEvent};
use crate::store::{Result, StoreError};
use crate::words::{say, N};
use postgres::fallible_iterator::FallibleIterator;
use postgres::Client;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Duration;

/// How the backend connected, to connect again.
pub(crate) struct Source {
    /// `--db URL`, or none (`$SHEGONG_DB` and the `PG*` variables, read again).
    pub(crate) url: Option<String>,
    /// The words of a failure to connect.
    pub(crate) lang: Lang,
}

/// The longest the thread waits for a notification before looking whether to stop.
const WAIT: Duration = Duration::from_millis(250);
/// Between tries to connect again after the connection dropped.
const RETRY: Duration = Duration::from_secs(1);

impl PgStorage {
    /// Opens the feed's connection and starts listening; `None` for a backend that does not
    /// know how it connected.
    pub(super) fn listen(&self) -> Result<Option<ChangeFeed>> {
        let Some(source) = &self.source else {
            return Ok(None);
        };
        let own = {
            let row = self
                .client()?
                .query_one("SELECT pg_backend_pid()", &[])
                .map_err(|e| self.err(&e))?;
            row.try_get::<_, i32>(0).map_err(|e| self.err(&e))?
        };
        self.own_pid.store(own, Ordering::Relaxed);
        let own = Arc::clone(&self.own_pid);
        let url = source.url.clone();
        let lang = source.lang;
        let client = listening(url.as_deref(), lang)?;
        let (send, events) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("shegong-listen".into())
            .spawn(move || feed(client, own, &send, &stopped, url.as_deref(), lang))
            .map_err(|e| StoreError::Io(e.to_string()))?;
        Ok(Some(ChangeFeed::new(events, stop)))
    }
}

/// A new connection, listening.
fn listening(url: Option<&str>, lang: Lang) -> Result<Client> {
    let (mut client, place) = super::connect::connect(url, lang)?;
    client
        .batch_execute("LISTEN shegong_changes")
        .map_err(|e| super::error::store_error(&e, &place, ""))?;
    Ok(client)
}

/// The thread: notifications to events until `stop`, or until nobody receives them.
fn feed(
    mut client: Client,
    own: Arc<AtomicI32>,
    send: &Sender<FeedEvent>,
    stop: &AtomicBool,
    url: Option<&str>,
    lang: Lang,
) {
    while !stop.load(Ordering::Relaxed) {
        let next = client.notifications().timeout_iter(WAIT).next();
        let event = match next {
            Ok(Some(note)) if note.process_id() == own.load(Ordering::Relaxed) => continue,
            Ok(Some(note)) => match Change::parse(note.payload()) {
                Ok(change) => FeedEvent::Changed(change),
                Err(why) => FeedEvent::Unreadable {
                    payload: note.payload().to_string(),
                    why: why.to_string(),
                },
            },
            // Nothing within `WAIT`, unless the connection closed.
            Ok(None) if !client.is_closed() => continue,
            Ok(None) => FeedEvent::Lost(say(lang, N::FeedLost, &[])),
            Err(e) => FeedEvent::Lost(say(lang, N::FeedLostWhy, &[&e])),
        };
        let lost = matches!(event, FeedEvent::Lost(_));
        if send.send(event).is_err() {
            return;
        }
        if lost {
            match again(send, stop, url, lang) {
                Some(back) => client = back,
                None => return,
            }
        }
    }
}

/// Tries to listen again every `RETRY` until it does (then says `Back`) or is told to stop.
fn again(send: &Sender<FeedEvent>, stop: &AtomicBool, url: Option<&str>, lang: Lang) -> Option<Client> {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(RETRY);
        if let Ok(client) = listening(url, lang) {
            return send.send(FeedEvent::Back).is_ok().then_some(client);
        }
    }
    None
}

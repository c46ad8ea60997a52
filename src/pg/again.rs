//! Connecting again after the server went away (issue 13, "Faults"). A command (the CLI)
//! connects again in place, waiting for the answer as it waited for its first connection. The
//! UI must not wait: one try can take the whole connect timeout (10 s) against a host that
//! drops packets, or longer against one that takes the connection and never answers, and its
//! keys and frames run on the thread that would wait. So, once `in_background` is set
//! (`Storage::reconnect_in_background`, which `tui::App` asks for), a closed connection is
//! made again on a thread of its own: the read or write that found it closed, and every one
//! until that thread answers, says the server cannot be reached (`StoreError::Unreachable`),
//! at once; the first one after it answered takes the new connection (or its failure, and the
//! next one tries again). A try that has not answered in `GIVE_UP` is left to end by itself
//! and a new one started: the driver's connect timeout bounds only the socket's connecting,
//! and a server that takes the connection and never answers would hold a try for ever.

use super::backend::PgStorage;
use super::error::store_error;
use crate::i18n::Lang;
use crate::store::{Result, StoreError};
use crate::words::{say, N};
use postgres::Client;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{channel, Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Connects again, as the first connection did; callable from another thread.
pub type Reconnect = Arc<dyn Fn() -> Result<Client> + Send + Sync>;

/// A try running on its own thread since when: its answer comes on the channel.
pub(super) type Pending = (Receiver<Result<Client>>, Instant);

/// How long a try in the background may go without an answer before another replaces it:
/// longer than the connect timeout (10 s by default) and a slow login after it.
const GIVE_UP: Duration = Duration::from_secs(30);

/// A new session, ready as the backend's was: `again`, then the schema's search path, and,
/// when a change feed leaves out this session's own notifications, the new server process's
/// number in `own_pid`.
fn session(again: &Reconnect, place: &str, login: &str, own_pid: &AtomicI32) -> Result<Client> {
    let mut fresh = again()?;
    fresh
        .batch_execute("SET search_path = pg_catalog, shegong")
        .map_err(|e| store_error(&e, place, login))?;
    if own_pid.load(Ordering::Relaxed) != 0 {
        let row = fresh
            .query_one("SELECT pg_backend_pid()", &[])
            .map_err(|e| store_error(&e, place, login))?;
        let pid: i32 = row.try_get(0).map_err(|e| store_error(&e, place, login))?;
        own_pid.store(pid, Ordering::Relaxed);
    }
    Ok(fresh)
}

impl PgStorage {
    /// A new connection after the old one closed: at once, or (in the background) the answer
    /// of the thread trying, started here when none runs, or `Unreachable` while it tries.
    pub(super) fn connect_again(&self, again: &Reconnect) -> Result<Client> {
        if !self.in_background.get() {
            return session(again, &self.place, &self.login, &self.own_pid);
        }
        let mut pending = self
            .pending
            .try_borrow_mut()
            .map_err(|_| StoreError::Io(format!("{}: the connection is busy", self.place)))?;
        let answer = match pending.as_ref() {
            None => Err(TryRecvError::Empty),
            Some((rx, _)) => rx.try_recv(),
        };
        match answer {
            Ok(result) => {
                *pending = None;
                return result;
            }
            // The thread ended without an answer (it cannot, but then: try anew).
            Err(TryRecvError::Disconnected) => *pending = None,
            Err(TryRecvError::Empty) => {
                if pending.as_ref().is_some_and(|(_, since)| since.elapsed() > GIVE_UP) {
                    *pending = None;
                }
            }
        }
        if pending.is_none() {
            let (tx, rx) = channel();
            let (again, place, login, own_pid) = (
                Arc::clone(again),
                self.place.clone(),
                self.login.clone(),
                Arc::clone(&self.own_pid),
            );
            std::thread::Builder::new()
                .name("shegong-reconnect".into())
                .spawn(move || {
                    // The backend was dropped meanwhile when this fails: nobody waits for the
                    // answer, and the connection made closes with it.
                    drop(tx.send(session(&again, &place, &login, &own_pid)));
                })
                .map_err(|e| StoreError::Io(format!("{}: {e}", self.place)))?;
            *pending = Some((rx, Instant::now()));
        }
        let lang = self.source.as_ref().map_or(Lang::En, |s| s.lang);
        Err(StoreError::Unreachable {
            server: self.place.clone(),
            reason: say(lang, N::Reconnecting, &[]),
        })
    }
}

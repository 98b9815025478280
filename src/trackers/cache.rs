//! The ticket cache (`.pm/tickets.json` by default): what the trackers said about every ticket
//! the repository refers to, when they said it, and whether the last attempt to ask failed.
//!
//! `pm sync` is its only writer; checks, `pm actions`, the site and the export read it. The file
//! is sorted by tracker and key and written whole to a temporary file that replaces the old one,
//! so it is deterministic for the same answers, and a failed or interrupted run leaves the
//! previous cache as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::refs::TicketRef;
use crate::model::TicketState;

/// The format version written in the file; a reader refuses a newer one.
pub const VERSION: u32 = 1;

/// The whole cache.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    /// [`VERSION`].
    pub version: u32,
    /// When `pm sync` last finished a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<Timestamp>,
    /// Every ticket, sorted by tracker and key.
    pub tickets: Vec<CachedTicket>,
    /// Tickets `pm sync --create` filed, by the marker of their item: written the moment a
    /// ticket exists, before the postmortem is edited, so a rerun after a crash in between
    /// writes the key back instead of filing a second ticket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created: Vec<Filed>,
}

/// A ticket `pm sync --create` filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filed {
    /// The item's marker (`pm-item:INC-2026-0042/3`).
    pub marker: String,
    /// The tracker's name.
    pub tracker: String,
    /// The ticket's key.
    pub key: String,
}

/// One ticket as its tracker last described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedTicket {
    /// The tracker's name in `pm.toml`.
    pub tracker: String,
    /// The canonical key.
    pub key: String,
    /// The ticket's web page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its state on the one scale.
    pub state: TicketState,
    /// The state as the tracker names it (`closed (not planned)`, `In Review`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tracker_state: String,
    /// Who it is assigned to: a login, or an email where the tracker gives no login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// When the ticket last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// When it was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// Where the tracker says the ticket went (a moved or transferred issue's new key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// When the tracker was asked.
    pub fetched_at: Timestamp,
    /// The last attempt to refresh this entry failed; it is what was known before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

impl CachedTicket {
    /// The normalized state.
    pub fn state(&self) -> TicketState {
        self.state
    }

    /// The reference this entry describes.
    pub fn reference(&self) -> TicketRef {
        TicketRef { tracker: self.tracker.clone(), key: self.key.clone() }
    }
}

/// Why the cache could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The cache file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a ticket cache this version of pm can read.
    #[error(
        "{path}: not a ticket cache pm can read ({message}); delete it and run `pm sync` again"
    )]
    Invalid {
        /// The cache file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Cache {
    /// Reads the cache at `path`; `Ok(None)` when there is none yet.
    pub fn load(path: &Path) -> Result<Option<Self>, CacheError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CacheError::Io { path: path.display().to_string(), source });
            }
        };
        let cache: Cache = serde_json::from_str(&text).map_err(|e| CacheError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if cache.version > VERSION {
            return Err(CacheError::Invalid {
                path: path.display().to_string(),
                message: format!("version {} is newer than {VERSION}; upgrade pm", cache.version),
            });
        }
        Ok(Some(cache))
    }

    /// Writes the cache to `path` (creating its folder) inside the repository at `root`,
    /// sorted, replacing any old file atomically.
    pub fn save(&mut self, root: &Path, path: &Path) -> Result<(), CacheError> {
        self.version = VERSION;
        self.tickets.sort_by(|a, b| (&a.tracker, &a.key).cmp(&(&b.tracker, &b.key)));
        self.tickets.dedup_by(|a, b| a.tracker == b.tracker && a.key == b.key);
        self.created.sort_by(|a, b| a.marker.cmp(&b.marker));
        self.created.dedup_by(|a, b| a.marker == b.marker);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| CacheError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        text.push('\n');
        let io = |source| CacheError::Io { path: path.display().to_string(), source };
        crate::atomic::write(root, path, text.as_bytes()).map_err(io)
    }

    /// The tickets by reference, for lookups.
    pub fn index(&self) -> BTreeMap<TicketRef, &CachedTicket> {
        self.tickets.iter().map(|t| (t.reference(), t)).collect()
    }

    /// Folds the result of a run into the cache: fetched entries replace what was known;
    /// entries whose refresh failed are kept, marked stale; nothing else is dropped.
    pub fn merge(&mut self, fetched: Vec<CachedTicket>, failed: &[TicketRef], now: Timestamp) {
        let mut by_ref: BTreeMap<TicketRef, CachedTicket> =
            std::mem::take(&mut self.tickets).into_iter().map(|t| (t.reference(), t)).collect();
        for reference in failed {
            if let Some(entry) = by_ref.get_mut(reference) {
                entry.stale = true;
            }
        }
        for ticket in fetched {
            by_ref.insert(ticket.reference(), ticket);
        }
        self.tickets = by_ref.into_values().collect();
        self.synced_at = Some(now);
    }

    /// How old the cache is at `now` (since the last run finished).
    pub fn age(&self, now: Timestamp) -> Option<jiff::SignedDuration> {
        Some(now.duration_since(self.synced_at?))
    }
}

/// The cache, opened for lookups: what every reader of ticket states holds.
#[derive(Debug, Clone, Default)]
pub struct Tickets {
    /// The cache as read.
    pub cache: Cache,
    /// The cache file, relative to the root (for messages).
    pub path: String,
    by_ref: std::collections::HashMap<TicketRef, usize>,
}

impl Tickets {
    /// Reads the cache of the repository at `root`; `Ok(None)` when `pm sync` never ran.
    pub fn open(root: &Path, config: &crate::config::Config) -> Result<Option<Self>, CacheError> {
        let Some(cache) = Cache::load(&path(root, config))? else { return Ok(None) };
        Ok(Some(Self::new(cache, config.sync.cache.clone())))
    }

    /// Indexes `cache`.
    pub fn new(cache: Cache, path: String) -> Self {
        let by_ref = cache.tickets.iter().enumerate().map(|(i, t)| (t.reference(), i)).collect();
        Self { cache, path, by_ref }
    }

    /// What the cache says about the ticket an item refers to as `ticket`.
    pub fn get(&self, config: &crate::config::Config, ticket: &str) -> Option<&CachedTicket> {
        let reference = super::refs::resolve(config, ticket).ok()?;
        self.by_ref.get(&reference).map(|&i| &self.cache.tickets[i])
    }

    /// The cache's age when it is older than `sync.max_age` as of the start of `today` in the
    /// repository's time zone (so a fixed `--today` gives a fixed verdict).
    pub fn too_old(
        &self,
        config: &crate::config::Config,
        today: jiff::civil::Date,
    ) -> Option<jiff::SignedDuration> {
        let synced = self.cache.synced_at?;
        let start = today.to_zoned_datetime(config.time_zone()).ok()?.timestamp();
        let age = start.duration_since(synced);
        (age > config.sync.max_age()).then_some(age)
    }
}

/// The cache file of the repository at `root`.
pub fn path(root: &Path, config: &crate::config::Config) -> PathBuf {
    root.join(&config.sync.cache)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(key: &str, state: TicketState, at: &str) -> CachedTicket {
        CachedTicket {
            tracker: "jira".into(),
            key: key.into(),
            url: None,
            state,
            tracker_state: String::new(),
            assignee: None,
            updated_at: None,
            closed_at: None,
            moved_to: None,
            fetched_at: at.parse().expect("timestamp"),
            stale: false,
        }
    }

    #[test]
    fn a_failed_refresh_keeps_the_old_entry_marked_stale() {
        let t0 = "2026-12-01T00:00:00Z";
        let mut cache = Cache {
            version: VERSION,
            synced_at: None,
            tickets: vec![
                ticket("PAY-2", TicketState::Open, t0),
                ticket("PAY-1", TicketState::Open, t0),
            ],
            created: Vec::new(),
        };
        let now: Timestamp = "2026-12-04T00:00:00Z".parse().expect("now");
        let failed = [TicketRef { tracker: "jira".into(), key: "PAY-2".into() }];
        cache.merge(vec![ticket("PAY-1", TicketState::Done, "2026-12-04T00:00:00Z")], &failed, now);
        assert_eq!(cache.tickets.len(), 2);
        assert_eq!(cache.tickets[0].state(), TicketState::Done);
        assert!(!cache.tickets[0].stale);
        assert_eq!(cache.tickets[1].state(), TicketState::Open);
        assert!(cache.tickets[1].stale, "kept, marked stale");
        assert_eq!(cache.synced_at, Some(now));
    }

    #[test]
    fn saves_sorted_and_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(".pm/tickets.json");
        let t0 = "2026-12-01T00:00:00Z";
        let mut cache = Cache {
            version: 0,
            synced_at: Some(t0.parse().expect("t")),
            tickets: vec![
                ticket("PAY-2", TicketState::Missing, t0),
                ticket("PAY-10", TicketState::NotDone, t0),
            ],
            created: Vec::new(),
        };
        cache.save(dir.path(), &path).expect("save");
        let first = std::fs::read(&path).expect("read");
        let back = Cache::load(&path).expect("load").expect("present");
        assert_eq!(back.tickets[0].key, "PAY-10");
        assert_eq!(back.version, VERSION);
        let mut again = back.clone();
        again.save(dir.path(), &path).expect("save again");
        assert_eq!(std::fs::read(&path).expect("read"), first, "byte-identical");
        std::fs::write(&path, "{\"version\": 1, \"tickets\": [{}]}").expect("write");
        let e = Cache::load(&path).expect_err("invalid");
        assert!(e.to_string().contains("delete it and run `pm sync` again"), "{e}");
        assert!(Cache::load(&dir.path().join("none.json")).expect("absent").is_none());
    }
}

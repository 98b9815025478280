//! Fetching every referenced ticket: one client per tracker, batches per provider, a bounded
//! pool of workers, and the answers turned into cache entries.
//!
//! A failed batch fails only its own tickets (they keep what the cache knew, marked stale); a
//! refused token stops the run, because every later request to that tracker would be refused
//! too. Nothing here writes a file: the caller merges the result into the cache and saves it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use jiff::Timestamp;

use super::cache::CachedTicket;
use super::http::{Client, HttpError, Retry};
use super::refs::TicketRef;
use crate::config::{Config, JiraEdition, Tracker, TrackerKind};
use crate::model::TicketState;

/// What a provider learned about one ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The key as it was asked for.
    pub key: String,
    /// Its web page.
    pub url: Option<String>,
    /// On the one scale.
    pub state: TicketState,
    /// As the tracker names it.
    pub tracker_state: String,
    /// A login, or an email.
    pub assignee: Option<String>,
    /// Last change.
    pub updated_at: Option<Timestamp>,
    /// Closed at.
    pub closed_at: Option<Timestamp>,
    /// The key it moved to, when the tracker says it moved.
    pub moved_to: Option<String>,
}

impl Fetched {
    /// A ticket the tracker does not know.
    pub fn missing(key: &str) -> Self {
        Self {
            key: key.to_owned(),
            url: None,
            state: TicketState::Missing,
            tracker_state: "not found".to_owned(),
            assignee: None,
            updated_at: None,
            closed_at: None,
            moved_to: None,
        }
    }
}

/// One tracker API.
pub(crate) trait Provider: Send + Sync {
    /// Keys that can share a request (same repository, project or team) have the same group.
    fn group(&self, key: &str) -> String;
    /// Most keys in one request.
    fn batch_size(&self) -> usize;
    /// Fetches one batch (keys of one group): one [`Fetched`] per key, in any order; a key the
    /// tracker does not know comes back [`TicketState::Missing`].
    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError>;

    /// The ticket filed earlier for `new` (found by its marker), if any.
    fn find(&self, client: &Client, new: &NewTicket) -> Result<Option<Created>, HttpError> {
        let _ = new;
        Err(not_yet(client, "look for tickets it filed"))
    }

    /// Files `new`.
    fn create(&self, client: &Client, new: &NewTicket) -> Result<Created, HttpError> {
        let _ = new;
        Err(not_yet(client, "file tickets"))
    }
}

fn not_yet(client: &Client, what: &str) -> HttpError {
    HttpError::Status {
        tracker: client.tracker().to_owned(),
        url: client.base().to_owned(),
        status: 0,
        message: format!(
            "pm cannot {what} in this kind of tracker yet; file the ticket by hand and write its key in `ticket`"
        ),
    }
}

/// A ticket `pm sync --create` files for an action item that has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// Where: `owner/repo`, `group/project`, a Jira project key, a Linear team key.
    pub project: String,
    /// The item's title.
    pub title: String,
    /// Markdown: what the item is, a link back to the postmortem, and the marker.
    pub body: String,
    /// The marker that identifies the item in the tracker (`pm-item:INC-2026-0042/3`), so a rerun
    /// after a crash finds the ticket instead of filing a second one.
    pub marker: String,
    /// Labels.
    pub labels: Vec<String>,
    /// The tracker login or email of the item's owner.
    pub assignee: Option<String>,
    /// Due date.
    pub due: Option<jiff::civil::Date>,
    /// P0–P3.
    pub priority: Option<crate::model::Priority>,
}

/// Whether `text` (a ticket's description) carries `marker` on a line of its own, as pm wrote
/// it: trackers' searches match words, and `pm-item:INC-2026-0007/1` is also the start of
/// `pm-item:INC-2026-0007/12`.
pub(crate) fn has_marker(text: &str, marker: &str) -> bool {
    !marker.is_empty() && text.lines().any(|line| line.trim() == marker)
}

/// A ticket that exists for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Its canonical key.
    pub key: String,
    /// Its page.
    pub url: Option<String>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The token's environment variable is not set.
    #[error(
        "tracker `{tracker}`: the environment variable {var} is not set; export a token there ({scopes})"
    )]
    NoToken {
        /// The tracker's name.
        tracker: String,
        /// The variable.
        var: String,
        /// What the token needs.
        scopes: String,
    },
    /// A tracker without an API address.
    #[error("tracker `{0}` has no `api` in pm.toml")]
    NoApi(String),
}

/// The outcome of fetching.
#[derive(Debug, Default)]
pub struct Fetch {
    /// Tickets fetched (found or missing).
    pub fetched: Vec<CachedTicket>,
    /// Batches that failed: their tickets and why.
    pub failed: Vec<(Vec<TicketRef>, HttpError)>,
    /// HTTP requests sent, retries included.
    pub requests: usize,
}

impl Fetch {
    /// The first refused token, if any (the run then exits 2).
    pub fn auth_error(&self) -> Option<&HttpError> {
        self.failed.iter().map(|(_, e)| e).find(|e| e.is_auth())
    }
}

/// Tunables of one run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Retry policy.
    pub retry: Retry,
}

impl Options {
    /// From `[sync]`.
    pub fn from_config(config: &Config) -> Self {
        Self {
            concurrency: *config.sync.concurrency.get_ref(),
            timeout: config.sync.timeout(),
            retry: Retry {
                attempts: config.sync.retries.get_ref().saturating_add(1),
                ..Retry::default()
            },
        }
    }
}

/// What the token of a tracker of `kind` needs, for messages.
pub fn scopes(kind: TrackerKind) -> &'static str {
    match kind {
        TrackerKind::Github => {
            "a fine-grained token with read access to Issues of the repositories (read and write \
             for `pm sync --create`), or a classic token with the `repo` scope"
        }
        TrackerKind::Gitlab => {
            "a personal, group or project access token with the `read_api` scope (`api` for \
             `pm sync --create`)"
        }
        TrackerKind::Jira => {
            "Jira Cloud: an API token of an account that can browse the projects (and create \
             issues, for `pm sync --create`), with the account's email in `user_env`; Server and \
             Data Center: a personal access token"
        }
        TrackerKind::Linear => {
            "a personal API key (Settings → Security & access) with read access (and create \
             issues for `pm sync --create`)"
        }
    }
}

/// A tracker's client and the provider that speaks its API.
pub(crate) type Connection = (Client, Box<dyn Provider>);

/// The client and provider of the tracker `name`, with its token read through `env`.
pub(crate) fn connect(
    name: &str,
    tracker: &Tracker,
    env: &dyn Fn(&str) -> Option<String>,
    options: &Options,
) -> Result<Option<Connection>, SetupError> {
    let Some(kind) = tracker.kind() else { return Ok(None) };
    let base = tracker.api_base().ok_or_else(|| SetupError::NoApi(name.to_owned()))?;
    let var = tracker.token_var().unwrap_or(kind.default_token_env()).to_owned();
    let no_token = |var: &str| SetupError::NoToken {
        tracker: name.to_owned(),
        var: var.to_owned(),
        scopes: scopes(kind).to_owned(),
    };
    let token = env(&var).filter(|t| !t.trim().is_empty()).ok_or_else(|| no_token(&var))?;
    let token = token.trim().to_owned();
    let (headers, provider): (Vec<(&'static str, String)>, Box<dyn Provider>) = match kind {
        TrackerKind::Github => (
            vec![("authorization", format!("Bearer {token}"))],
            Box::new(super::github::GitHub::new(&base)),
        ),
        TrackerKind::Gitlab => (vec![("private-token", token)], Box::new(super::gitlab::GitLab)),
        TrackerKind::Jira => {
            let edition = tracker.jira_edition();
            let auth = match (edition, &tracker.user_env) {
                (JiraEdition::Cloud, user) => {
                    let user_var = user.as_ref().map_or("JIRA_EMAIL", |u| u.get_ref().as_str());
                    let user = env(user_var)
                        .filter(|u| !u.trim().is_empty())
                        .ok_or_else(|| no_token(user_var))?;
                    use base64::Engine as _;
                    let pair = format!("{}:{token}", user.trim());
                    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
                }
                (JiraEdition::Server, _) => format!("Bearer {token}"),
            };
            (vec![("authorization", auth)], Box::new(super::jira::Jira { edition }))
        }
        TrackerKind::Linear => (vec![("authorization", token)], Box::new(super::linear::Linear)),
    };
    let client =
        Client::new(name, &base, headers, &var, scopes(kind), options.timeout, options.retry);
    Ok(Some((client, provider)))
}

/// Fetches `refs` (grouped by tracker, each tracker's client and provider in `connections`) with
/// at most `options.concurrency` requests in flight, stamping entries with `now`. `progress` is
/// called with the number of tickets finished after every batch.
pub(crate) fn fetch(
    connections: &BTreeMap<String, Connection>,
    refs: &[TicketRef],
    options: &Options,
    now: Timestamp,
    progress: &(dyn Fn(usize) + Sync),
) -> Fetch {
    let mut batches: Vec<(&str, Vec<String>)> = Vec::new();
    let mut grouped: BTreeMap<(&str, String), Vec<String>> = BTreeMap::new();
    for r in refs {
        if let Some((_, provider)) = connections.get(&r.tracker) {
            grouped
                .entry((r.tracker.as_str(), provider.group(&r.key)))
                .or_default()
                .push(r.key.clone());
        }
    }
    for ((tracker, _), mut keys) in grouped {
        keys.sort();
        keys.dedup();
        let size = connections[tracker].1.batch_size().max(1);
        batches.extend(keys.chunks(size).map(|c| (tracker, c.to_vec())));
    }

    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results = Mutex::new(Vec::with_capacity(batches.len()));
    let workers = options.concurrency.clamp(1, batches.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((tracker, keys)) = batches.get(i) else { break };
                    let (client, provider) = &connections[*tracker];
                    let outcome = if stop.load(Ordering::Relaxed) {
                        Err(None)
                    } else {
                        provider.fetch(client, keys).map_err(Some)
                    };
                    if matches!(&outcome, Err(Some(e)) if e.is_auth()) {
                        stop.store(true, Ordering::Relaxed);
                    }
                    progress(done.fetch_add(keys.len(), Ordering::Relaxed) + keys.len());
                    if let Ok(mut results) = results.lock() {
                        results.push((i, outcome));
                    }
                }
            });
        }
    });

    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    let mut out = Fetch {
        requests: connections.values().map(|(c, _)| c.requests()).sum(),
        ..Fetch::default()
    };
    let mut skipped: Vec<TicketRef> = Vec::new();
    for (i, outcome) in results {
        let (tracker, keys) = &batches[i];
        let refs =
            || keys.iter().map(|k| TicketRef { tracker: (*tracker).to_owned(), key: k.clone() });
        match outcome {
            Ok(found) => {
                let mut found: BTreeMap<String, Fetched> =
                    found.into_iter().map(|f| (f.key.clone(), f)).collect();
                for key in keys {
                    let f = found.remove(key).unwrap_or_else(|| Fetched::missing(key));
                    out.fetched.push(entry(tracker, f, now));
                }
            }
            Err(Some(e)) => out.failed.push((refs().collect(), e)),
            Err(None) => skipped.extend(refs()),
        }
    }
    if !skipped.is_empty() {
        if let Some(auth) = out.auth_error().cloned() {
            out.failed.push((skipped, auth));
        }
    }
    out
}

fn entry(tracker: &str, f: Fetched, now: Timestamp) -> CachedTicket {
    CachedTicket {
        tracker: tracker.to_owned(),
        key: f.key,
        url: f.url,
        state: f.state,
        tracker_state: f.tracker_state,
        assignee: f.assignee,
        updated_at: f.updated_at,
        closed_at: f.closed_at,
        moved_to: f.moved_to,
        fetched_at: now,
        stale: false,
    }
}

/// Reads an RFC 3339 time from a JSON answer.
pub(crate) fn time(value: Option<&serde_json::Value>) -> Option<Timestamp> {
    value?.as_str()?.parse().ok()
}

/// Fetches every ticket in `refs` from its tracker, reading tokens through `env`. Trackers
/// without a `kind` are skipped (their references never reach here: [`super::refs::resolve`]
/// reports them).
pub fn run(
    config: &Config,
    refs: &[TicketRef],
    env: &dyn Fn(&str) -> Option<String>,
    options: &Options,
    now: Timestamp,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Fetch, SetupError> {
    let mut connections = BTreeMap::new();
    for r in refs {
        if connections.contains_key(&r.tracker) {
            continue;
        }
        let Some(tracker) = config.trackers.get(&r.tracker) else { continue };
        if let Some(connection) = connect(&r.tracker, tracker, env, options)? {
            connections.insert(r.tracker.clone(), connection);
        }
    }
    Ok(fetch(&connections, refs, options, now, progress))
}

/// Why `pm sync --create` could not file one ticket.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The tracker cannot be reached at all (no token, no API).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The tracker answered with an error.
    #[error(transparent)]
    Http(#[from] Box<HttpError>),
    /// The tracker has no API kind.
    #[error("tracker `{0}` has no `kind` in pm.toml: pm cannot file tickets in it")]
    NoKind(String),
}

/// Files tickets, one connection per tracker.
pub struct Filer<'c> {
    config: &'c Config,
    env: &'c dyn Fn(&str) -> Option<String>,
    options: Options,
    connections: BTreeMap<String, Connection>,
}

impl<'c> Filer<'c> {
    /// A filer reading tokens through `env`.
    pub fn new(config: &'c Config, env: &'c dyn Fn(&str) -> Option<String>) -> Self {
        Self { config, env, options: Options::from_config(config), connections: BTreeMap::new() }
    }

    /// The ticket for `new` in the tracker `tracker`: the one filed before (found by its
    /// marker: `true`) or a new one (`false`).
    pub fn file(&mut self, tracker: &str, new: &NewTicket) -> Result<(Created, bool), FileError> {
        if !self.connections.contains_key(tracker) {
            let config = self
                .config
                .trackers
                .get(tracker)
                .ok_or_else(|| FileError::NoKind(tracker.to_owned()))?;
            let connection = connect(tracker, config, self.env, &self.options)?
                .ok_or_else(|| FileError::NoKind(tracker.to_owned()))?;
            self.connections.insert(tracker.to_owned(), connection);
        }
        let (client, provider) = &self.connections[tracker];
        if let Some(found) = provider.find(client, new).map_err(Box::new)? {
            return Ok((found, true));
        }
        Ok((provider.create(client, new).map_err(Box::new)?, false))
    }

    /// HTTP requests sent so far.
    pub fn requests(&self) -> usize {
        self.connections.values().map(|(c, _)| c.requests()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_counts_only_on_a_line_of_its_own() {
        let body = "Filed by pm.\n\npm-item:INC-2026-0007/12\n";
        assert!(has_marker(body, "pm-item:INC-2026-0007/12"));
        assert!(!has_marker(body, "pm-item:INC-2026-0007/1"), "a prefix of another item's");
        assert!(has_marker("a\r\n  pm-item:X/1  \r\n", "pm-item:X/1"));
        assert!(!has_marker("see pm-item:X/1 above", "pm-item:X/1"));
        assert!(!has_marker("\n\n", ""));
    }
}

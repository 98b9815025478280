//! `pm sync` on a fixture pointed at a fake tracker ([`super::trackers`]): the copy of the
//! fixture, the run (the tracker's token in the environment, a fixed clock), and what a test
//! reads back: the ticket cache, the files, the files as blessed. The `pm sync --create`
//! scenarios every tracker shares are here too: the fixtures `tests/fixtures/sync-create*` hold
//! one postmortem, [`CREATED`], with two outstanding items without a ticket.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

// The snapshot helpers live in `fs`, where every test that blesses finds them; the sync tests
// import them from here.
pub use super::fs::{assert_blessed, assert_expected};
use super::fs::{copy_tree, crate_path, walk};
use super::run::{pm, text};
use super::trackers::{FakeTracker, Seen};

/// The clock of every run (`PM_NOW`).
const NOW: &str = "2026-12-01T09:00:00Z";

/// What stands for the fake tracker's address in a fixture.
const PLACEHOLDER: &str = "@TRACKER@";

/// The postmortem of the `sync-create*` fixtures, whose two items get tickets.
pub const CREATED: &str = "postmortems/2026/INC-2026-0007-queue-backlog.md";

/// A fixture copied into a temporary folder (removed when dropped) and pointed at a tracker.
pub struct SyncRepo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    tracker: String,
    env: Vec<(String, String)>,
}

impl SyncRepo {
    /// A copy of `fixture` (a folder in the crate) without its `expected-*` files (what the
    /// tests compare with: `expected-after.md` would be read as a postmortem), with
    /// `@TRACKER@` replaced by `tracker`'s address in every file. `pm sync` runs with `env`
    /// (the tracker's token variables).
    pub fn new(fixture: &str, tracker: &FakeTracker, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        copy_tree(&crate_path(fixture), &root);
        let repo = Self {
            _dir: dir,
            root,
            tracker: tracker.url(""),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        };
        for (rel, path) in walk(&repo.root) {
            if rel.starts_with("expected-") {
                std::fs::remove_file(&path).expect("remove an expected file");
            } else {
                repo.replace(&rel, PLACEHOLDER, &repo.tracker);
            }
        }
        repo
    }

    /// The repository's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The text of `rel`.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Writes `text` to `rel`.
    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    /// Replaces `from` with `to` in `rel`.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        if text.contains(from) {
            self.write(rel, &text.replace(from, to));
        }
    }

    /// Appends `toml` to `pm.toml`.
    pub fn configure(&self, toml: &str) {
        self.write("pm.toml", &format!("{}{toml}", self.read("pm.toml")));
    }

    /// Points the repository at `url` (`http://127.0.0.1:PORT`) instead of the tracker it was
    /// made for: in `pm.toml` and in every ticket written as a URL.
    pub fn repoint(&self, url: &str) {
        for (rel, _) in walk(&self.root) {
            if rel == "pm.toml" || rel.ends_with(".md") {
                self.replace(&rel, &self.tracker, url);
            }
        }
    }

    /// `text` with the tracker's address (which changes every run) written `@TRACKER@`.
    pub fn with_placeholder(&self, text: &str) -> String {
        text.replace(&self.tracker, PLACEHOLDER)
    }

    /// Runs `pm sync ARGS` in the repository.
    pub fn sync(&self, args: &[&str]) -> Output {
        let mut command = pm(["sync"].iter().chain(args));
        command.current_dir(&self.root).env("PM_NOW", NOW);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command.output().expect("run pm sync")
    }

    /// Runs `pm sync ARGS` in the repository and asserts that it exits with `code`; what it
    /// printed on stderr.
    #[track_caller]
    pub fn sync_exits(&self, args: &[&str], code: i32) -> String {
        let out = self.sync(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "pm sync {}: {stderr}", args.join(" "));
        stderr
    }

    /// The ticket cache as written.
    pub fn written(&self) -> String {
        std::fs::read_to_string(self.path(".pm/tickets.json")).expect("the cache is written")
    }

    /// The ticket cache.
    pub fn cache(&self) -> Value {
        cache(&self.root)
    }

    /// The cache entry of `key`.
    pub fn ticket(&self, key: &str) -> Value {
        ticket(&self.cache(), key)
    }
}

/// The ticket cache of the repository at `root`.
pub fn cache(root: &Path) -> Value {
    let text =
        std::fs::read_to_string(root.join(".pm/tickets.json")).expect("the cache is written");
    serde_json::from_str(&text).expect("the cache is JSON")
}

/// The entries of `cache`.
pub fn tickets(cache: &Value) -> &[Value] {
    cache["tickets"].as_array().expect("tickets")
}

/// The entry of `key` in `cache`.
pub fn ticket(cache: &Value, key: &str) -> Value {
    tickets(cache)
        .iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("{key} is in the cache: {cache:#}"))
        .clone()
}

/// The JSON body of a request.
pub fn body(seen: &Seen) -> Value {
    serde_json::from_str(&seen.body).expect("a JSON body")
}

/// Runs `pm sync --create` on a `sync-create*` fixture and asserts that it filed two tickets
/// and wrote `keys` into the two items, changing nothing else.
#[track_caller]
pub fn assert_creates_both(repo: &SyncRepo, keys: [&str; 2]) {
    let original = repo.read(CREATED);
    let stderr = repo.sync_exits(&["--create"], 0);
    assert!(stderr.contains("filed 2 tickets, found 0 filed before, 0 failed"), "{stderr}");
    let [first, second] = keys;
    let expected = original
        .replace("    priority: P1\n", &format!("    priority: P1\n    ticket: {first}\n"))
        .replace("status: in-progress}", &format!("status: in-progress, ticket: {second}}}"));
    assert_eq!(repo.read(CREATED), expected, "only the two keys were added");
}

/// Runs `pm sync --create` again on a `sync-create*` fixture whose tickets are filed, and
/// asserts that it files nothing: `filed` counts the tickets the tracker was asked to file,
/// `expected` of them by now.
#[track_caller]
pub fn assert_nothing_left_to_file(repo: &SyncRepo, filed: impl Fn() -> usize, expected: usize) {
    let out = repo.sync(&["--create"]);
    assert!(text(&out.stderr).contains("filed 0 tickets"), "{}", text(&out.stderr));
    assert_eq!(filed(), expected);
}

/// The two crashes `pm sync --create` must survive without filing a ticket twice, on a
/// `sync-create*` fixture that was `original` before a first run filed its tickets: a crash
/// after filing but before the postmortem was edited (the journal in the cache has the keys,
/// so the tracker is not even searched), and one before the journal was written (the
/// tracker's search finds the marker). `filed` counts the tickets the tracker was asked to
/// file, `searched` its searches for a marker; `what` starts every message.
#[track_caller]
pub fn assert_a_crash_never_files_twice(
    repo: &SyncRepo,
    original: &str,
    filed: impl Fn() -> usize,
    searched: impl Fn() -> usize,
    what: &str,
) {
    let done = repo.read(CREATED);
    let (posted, searches) = (filed(), searched());

    // Crashed after filing, before the postmortem was edited.
    repo.write(CREATED, original);
    let out = repo.sync(&["--create"]);
    assert_eq!(out.status.code(), Some(0), "{what}: {}", text(&out.stderr));
    assert_eq!(filed(), posted, "{what}: nothing filed again");
    assert_eq!(searched(), searches, "{what}: the journal answers without asking the tracker");
    assert_eq!(repo.read(CREATED), done, "{what}");

    // Crashed before even the journal was written.
    repo.write(CREATED, original);
    std::fs::remove_file(repo.path(".pm/tickets.json")).expect("forget the journal");
    let out = repo.sync(&["--create"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{what}: {stderr}");
    assert!(stderr.contains("found 2 filed before"), "{what}: {stderr}");
    assert_eq!(filed(), posted, "{what}: nothing filed again");
    assert_eq!(repo.read(CREATED), done, "{what}");
}

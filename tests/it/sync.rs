//! `pm sync` against a local tracker (`support::trackers`, 127.0.0.1 only): the ticket cache it
//! writes, the requests it sends, and what it does when the tracker misbehaves — rate limits,
//! server errors, a refused token, a slow, HTML or malformed answer — or cannot be reached: a
//! port nothing listens on, `https` on a plain-HTTP port. Nothing reaches the internet.
//!
//! The expected cache is `tests/fixtures/sync/expected-tickets.json`; re-bless it with
//! `PM_BLESS=1 cargo test --test it sync::`.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use crate::support::fs::crate_path;
use crate::support::run::{pm, text};
use crate::support::sync::{
    CREATED, SyncRepo, assert_a_crash_never_files_twice, assert_blessed, assert_creates_both,
    assert_nothing_left_to_file, tickets,
};
use crate::support::trackers::{FakeTracker, Fault, Issue};

const TOKEN: &str = "t0k3n-for-tests";
const ENV: &[(&str, &str)] = &[("PM_TEST_GITHUB_TOKEN", TOKEN)];
const POSTMORTEM: &str = "postmortems/2026/INC-2026-0001-checkout-errors.md";

fn issues() -> Vec<Issue> {
    vec![
        Issue::new("acme/api#1", "OPEN").assignee("asmith-gh"),
        Issue::new("acme/api#2", "CLOSED"),
        Issue::new("acme/api#3", "CLOSED").reason("NOT_PLANNED"),
        Issue::new("acme/api#4", "OPEN"),
        Issue::new("acme/old#5", "OPEN").moved("acme/new#6"),
        Issue::new("acme/new#6", "OPEN"),
        Issue::new("acme/api#7", "OPEN").assignee("someone-else"),
    ]
}

/// A copy of the sync fixture pointed at `tracker`.
fn repo(tracker: &FakeTracker) -> SyncRepo {
    SyncRepo::new("tests/fixtures/sync", tracker, ENV)
}

#[test]
fn fetches_every_ticket_in_one_request_and_writes_the_cache() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(TOKEN);
    let repo = repo(&tracker);
    let stderr = repo.sync_exits(&[], 0);
    assert!(stderr.contains("synced 7 of 7 tickets from 1 tracker in 1 request ("), "{stderr}");
    assert!(
        stderr.contains("`WIKI-12` is a ticket of tracker `wiki`, which has no `kind`"),
        "{stderr}"
    );

    let seen = tracker.seen();
    assert_eq!(seen.len(), 1, "one GraphQL query for all seven tickets: {seen:#?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].url.as_str()),
        ("POST", "/api/graphql"),
        "GitHub Enterprise's GraphQL endpoint"
    );
    assert_eq!(seen[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert!(
        !seen[0].body.contains("\"acme\"") || seen[0].body.contains("\"variables\""),
        "owners travel as variables"
    );

    let written = repo.written();
    assert_blessed(&written, "tests/fixtures/sync/expected-tickets.json");

    // Same answers, same bytes.
    repo.sync_exits(&[], 0);
    assert_eq!(repo.written(), written);
}

#[test]
fn a_rate_limit_is_waited_out_as_the_tracker_asks() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(
        429,
        vec![("retry-after".into(), "1".into())],
        "{\"message\":\"slow down\"}".into(),
    ));
    let repo = repo(&tracker);
    let started = std::time::Instant::now();
    repo.sync_exits(&[], 0);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    assert_eq!(tracker.seen().len(), 2, "one refused, one answered");
    assert_eq!(tickets(&repo.cache()).len(), 7);
}

#[test]
fn a_server_error_is_retried() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(500, vec![], "{\"message\":\"oops\"}".into()));
    tracker.fault(Fault::Status(502, vec![], "<html>bad gateway</html>".into()));
    repo(&tracker).sync_exits(&[], 0);
    assert_eq!(tracker.seen().len(), 3);
}

#[test]
fn a_refused_token_exits_2_naming_the_variable_and_loses_nothing() {
    let tracker = FakeTracker::start(issues());
    let repo = repo(&tracker);
    repo.sync_exits(&[], 0);
    let before = Before::take(&repo);

    tracker.require_token("another-token");
    let stderr = repo.sync_exits(&[], 2);
    assert!(stderr.contains("$PM_TEST_GITHUB_TOKEN"), "names the variable: {stderr}");
    assert!(stderr.contains("Bad credentials"), "the tracker's words: {stderr}");
    assert!(stderr.contains("Issues"), "the scopes a token needs: {stderr}");
    before.assert_nothing_lost(&repo);
}

/// What a failed run must leave as it found it: the ticket cache and the postmortem.
struct Before {
    cache: serde_json::Value,
    postmortem: Vec<u8>,
}

impl Before {
    fn take(repo: &SyncRepo) -> Self {
        let postmortem = std::fs::read(repo.path(POSTMORTEM)).expect("postmortem");
        Self { cache: repo.cache(), postmortem }
    }

    /// Every entry of the cache is kept, with the state it had, marked stale, and the
    /// postmortem is unchanged byte for byte.
    #[track_caller]
    fn assert_nothing_lost(&self, repo: &SyncRepo) {
        let after = repo.cache();
        let entries = tickets(&after);
        assert_eq!(entries.len(), 7, "every entry kept");
        assert!(entries.iter().all(|t| t["stale"] == true), "and marked stale");
        assert_eq!(self.cache["tickets"][0]["state"], entries[0]["state"]);
        assert_eq!(
            std::fs::read(repo.path(POSTMORTEM)).expect("postmortem"),
            self.postmortem,
            "no postmortem byte changes"
        );
    }
}

#[test]
fn a_missing_token_stops_before_any_request() {
    let tracker = FakeTracker::start(issues());
    let repo = repo(&tracker);
    let out = pm(["sync"])
        .current_dir(repo.root())
        .env_remove("PM_TEST_GITHUB_TOKEN")
        .output()
        .expect("run");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PM_TEST_GITHUB_TOKEN is not set"), "{stderr}");
    assert!(tracker.seen().is_empty(), "nothing was sent");
    assert!(!repo.path(".pm/tickets.json").exists());
}

/// One attempt per request, and a second to answer.
const IMPATIENT: &str = "\n[sync]\ntimeout = \"1s\"\nretries = 0\n";

#[test]
fn bad_answers_fail_the_batch_with_a_clear_message() {
    for (fault, expect) in [
        (Fault::Html, "an HTML page instead of JSON"),
        (Fault::Malformed, "malformed JSON"),
        (Fault::Slow(Duration::from_secs(3)), "did not answer within 1 s"),
    ] {
        let tracker = FakeTracker::start(issues());
        let repo = repo(&tracker);
        repo.sync_exits(&[], 0);
        repo.configure(IMPATIENT);
        tracker.fault(fault);
        let out = repo.sync(&[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{expect}: {stderr}");
        assert!(stderr.contains(expect), "{expect}: {stderr}");
        assert!(stderr.contains("kept as they were, marked stale"), "{stderr}");
        assert_eq!(tickets(&repo.cache()).len(), 7, "nothing lost");
    }
}

/// A port on 127.0.0.1 that nothing listens on: bound, read and let go.
fn a_closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("a local address").port()
}

/// Syncs a copy of the fixture with `tracker`, points it at `api` (`toml` added to its
/// `pm.toml`) and syncs again: that run fails the batch (exit 1) saying each of `says`, reaches
/// no tracker, and loses nothing.
#[track_caller]
fn assert_a_failed_connection_loses_nothing(
    tracker: &FakeTracker,
    api: &str,
    toml: &str,
    says: &[&str],
) {
    let repo = repo(tracker);
    repo.sync_exits(&[], 0);
    let asked = tracker.seen().len();
    repo.repoint(api);
    repo.configure(toml);
    let before = Before::take(&repo);

    let stderr = repo.sync_exits(&[], 1);
    for said in says {
        assert!(stderr.contains(said), "{api}: says {said:?}: {stderr}");
    }
    assert!(stderr.contains("not refreshed (kept as they were, marked stale): "), "{stderr}");
    assert_eq!(tracker.seen().len(), asked, "{api}: no request reached the tracker");
    before.assert_nothing_lost(&repo);
}

#[test]
fn an_unreachable_tracker_fails_the_batch_naming_the_host_and_loses_nothing() {
    let tracker = FakeTracker::start(issues());
    let nowhere = format!("http://127.0.0.1:{}", a_closed_port());
    // Refused connections are retried as the default settings say (three times), then given up
    // on.
    assert_a_failed_connection_loses_nothing(
        &tracker,
        &nowhere,
        "",
        &[
            &format!("error: gh: cannot reach {nowhere}/api/graphql: "),
            "check `api` in pm.toml and the network",
        ],
    );
}

/// A plain-HTTP server on 127.0.0.1 that answers its first connection, whatever it is sent,
/// with `400 Bad Request` at once, as most web servers answer a TLS client's hello; its
/// address.
fn a_plain_http_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("a local address").port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        let mut hello = [0_u8; 4096];
        let _ = stream.read(&mut hello);
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        // Close only once the client has: unread bytes would turn the close into a reset.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = std::io::copy(&mut stream, &mut std::io::sink());
    });
    format!("http://127.0.0.1:{port}")
}

/// A server on 127.0.0.1 that accepts one connection and neither reads nor writes on it for
/// ten seconds; its address.
fn a_silent_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("a local address").port();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else { return };
        std::thread::sleep(Duration::from_secs(10));
        drop(stream);
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn a_failed_tls_handshake_fails_the_batch_saying_tls_and_loses_nothing() {
    let tracker = FakeTracker::start(issues());
    // `https` on a port that accepts and never answers, so the handshake never completes (not
    // the fake tracker's HTTP port: a hello whose random bytes happen to hold a line end gets a
    // 400 and a close from it); a usual web server answers the hello with a 400, which is not
    // TLS.
    let https = |plain: &str| plain.replacen("http://", "https://", 1);
    let silent = https(&a_silent_server());
    let answering = https(&a_plain_http_server());
    assert_a_failed_connection_loses_nothing(
        &tracker,
        &silent,
        IMPATIENT,
        &[&format!(
            "error: gh: no connection to {silent}/api/graphql within 1 s (the TCP connection or its TLS handshake did not complete)"
        )],
    );
    assert_a_failed_connection_loses_nothing(
        &tracker,
        &answering,
        IMPATIENT,
        &[&format!("error: gh: TLS with {answering}/api/graphql failed: ")],
    );
}

#[test]
fn the_diff_shows_what_write_then_does_byte_for_byte() {
    let tracker = FakeTracker::start(issues());
    let repo = repo(&tracker);
    repo.sync_exits(&[], 0);
    let before = repo.read(POSTMORTEM);

    // Offline: the cache alone decides; nothing is asked, nothing is written.
    let asked = tracker.seen().len();
    let out = repo.sync(&["--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(tracker.seen().len(), asked, "--offline sends nothing");
    assert_eq!(repo.read(POSTMORTEM), before, "no --write, no change");
    let diff = repo.with_placeholder(&text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("3 action items in 1 file would change"), "{stderr}");
    assert!(stderr.contains("2 other drifted items need a person"), "{stderr}");
    assert_blessed(&diff, "tests/fixtures/sync/expected-diff.txt");

    let out = repo.sync(&["--offline", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "--write prints no diff");
    let after = repo.with_placeholder(&repo.read(POSTMORTEM));
    assert_blessed(&after, "tests/fixtures/sync/expected-after.md");
    let before = repo.with_placeholder(&before);
    assert_ne!(after, before);
    assert_eq!(
        after.lines().filter(|l| l.starts_with("    status: done")).count(),
        before.lines().filter(|l| l.starts_with("    status: done")).count(),
        "one item closed (#2), one reopened (#4)"
    );
    assert!(after.contains("    ticket: acme/new#6\n"), "the moved ticket's new key");
    assert!(
        after.contains("    status: done\n    ticket: acme/api#2\n    closed_on: 2026-11-20\n"),
        "{after}"
    );

    // Run again: what the trackers can settle is settled.
    let out = repo.sync(&["--offline"]);
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("nothing the trackers' word can settle"),
        "{}",
        text(&out.stderr)
    );
}

/// `tests/fixtures/sync-create` pointed at `tracker`.
fn create_repo(tracker: &FakeTracker) -> SyncRepo {
    SyncRepo::new("tests/fixtures/sync-create", tracker, ENV)
}

fn posts(tracker: &FakeTracker) -> usize {
    tracker.seen().iter().filter(|s| s.method == "POST" && s.url.ends_with("/issues")).count()
}

/// The marker searches: `GET /search/issues`.
fn searches(tracker: &FakeTracker) -> usize {
    tracker.seen().iter().filter(|s| s.url.contains("/search/issues")).count()
}

#[test]
fn create_files_a_ticket_per_outstanding_item_and_writes_the_key_back() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "OPEN")]);
    let repo = create_repo(&tracker);
    assert_creates_both(&repo, ["acme/api#41", "acme/api#42"]);

    let body = tracker.body("acme/api#41").expect("filed");
    assert!(
        body.contains("https://postmortems.example.com/postmortems/INC-2026-0007.html"),
        "{body}"
    );
    assert!(body.ends_with("pm-item:INC-2026-0007/1\n"), "{body}");
    let filed = tracker.requests("POST", "/api/v3/repos/acme/api/issues");
    assert_eq!(
        filed.len(),
        3,
        "two tickets, one of them twice (its assignee was refused): {filed:#?}"
    );
    assert!(
        filed[0].body.contains("\"assignees\":[\"jdoe-gh\"]")
            && filed[0].body.contains("\"labels\":[\"postmortem\"]"),
        "{}",
        filed[0].body
    );
    assert!(
        !filed[2].body.contains("assignees"),
        "filed unassigned after the 422: {}",
        filed[2].body
    );

    // Nothing left to file.
    assert_nothing_left_to_file(&repo, || posts(&tracker), 3);
}

#[test]
fn a_rerun_after_a_crash_never_files_twice() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "OPEN")]);
    let repo = create_repo(&tracker);
    let original = repo.read(CREATED);
    repo.sync_exits(&["--create"], 0);
    assert_a_crash_never_files_twice(
        &repo,
        &original,
        || posts(&tracker),
        || searches(&tracker),
        "github",
    );
}

/// The README's `pm sync` transcript is this fixture's real output against the local GitHub
/// (the port shown as 8931, the time as 0.0 s; stderr around stdout, as a terminal shows them).
#[test]
fn the_readme_transcript_is_real() {
    let tracker = FakeTracker::start(issues());
    let out = repo(&tracker).sync(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let (before, last) = stderr.trim_end().rsplit_once('\n').expect("several lines");
    let seconds = regex::Regex::new(r"\(\d+\.\d s\)").expect("re");
    let shown = format!(
        "$ pm sync            # tests/fixtures/sync, against the test suite's local GitHub on 127.0.0.1\n{before}\n{}{last}\n",
        text(&out.stdout)
    );
    let shown =
        seconds.replace_all(&shown, "(0.0 s)").replace(&tracker.url(""), "http://127.0.0.1:8931");
    let readme = std::fs::read_to_string(crate_path("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("```console\n{shown}```")),
        "README's pm sync transcript is stale; it should read:\n{shown}"
    );
}

/// The drift fixture's cache, read by the figures and the site as by `pm check`.
#[test]
fn metrics_and_the_site_show_the_trackers_word() {
    let root = crate_path("tests/fixtures/rules/action-item-drift");
    let out = pm(["metrics", "--format", "json", "--today", "2026-06-01", "--root"])
        .arg(&root)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        metrics["action_items"]["tracker"],
        serde_json::json!({"synced": 10, "open": 5, "done": 3, "not_done": 1, "missing": 1, "drift": 7, "completion_rate": 0.375})
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    let out = pm(["build", "--today", "2026-06-01", "--root"])
        .arg(&root)
        .arg("--out")
        .arg(&site)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(site.join("postmortems/INC-2026-0002.html")).expect("page");
    assert!(
        page.contains("closed (completed) · synced 2026-05-31"),
        "the tracker's word on the page"
    );
    assert!(page.contains("class=\"badge drift\""), "a drift badge");
    let actions = std::fs::read_to_string(site.join("actions/index.html")).expect("actions");
    assert!(actions.contains("ticket acme/api#99 does not exist in its tracker"), "drift in words");
}

/// A cache older than `sync.max_age` is said once, as an info, on the first postmortem's id; a
/// fresh one is not mentioned.
#[test]
fn a_stale_cache_is_an_info_said_once() {
    let check = |today: &str| {
        let out = pm(["check", "--format", "concise", "--today", today, "--root"])
            .arg(crate_path("tests/fixtures/rules/action-item-drift"))
            .output()
            .expect("run");
        text(&out.stdout)
    };
    let stale = check("2026-06-30");
    let said: Vec<&str> =
        stale.lines().filter(|l| l.contains("older than `sync.max_age`")).collect();
    assert_eq!(said.len(), 1, "{stale}");
    assert!(
        said[0].starts_with("postmortems/INC-2026-0001-closed-items-open-tickets.md:2:5:")
            && said[0].contains("info[PM303]")
            && said[0].contains("synced 29 days ago (older than `sync.max_age` = 7d)"),
        "{}",
        said[0]
    );
    assert!(!check("2026-06-07").contains("sync.max_age"), "seven days is not stale yet");
}

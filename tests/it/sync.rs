//! `pm sync` against a local tracker (`support::trackers`, 127.0.0.1 only): the ticket cache it
//! writes, the requests it sends, and what it does when the tracker misbehaves — rate limits,
//! server errors, a refused token, a slow, HTML or malformed answer. Nothing reaches the
//! internet.
//!
//! The expected cache is `tests/fixtures/sync/expected-tickets.json`; re-bless it with
//! `PM_BLESS=1 cargo test --test it sync::`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::support::fs::{copy_tree, crate_path};
use crate::support::run::{pm, text};
use crate::support::trackers::{FakeTracker, Fault, Issue};

const TOKEN: &str = "t0k3n-for-tests";
const NOW: &str = "2026-12-01T09:00:00Z";

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
fn repo(tracker: &FakeTracker) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    copy_tree(&crate_path("tests/fixtures/sync"), &root);
    for expected in ["expected-tickets.json", "expected-diff.txt", "expected-after.md"] {
        let _ = std::fs::remove_file(root.join(expected));
    }
    for path in
        [root.join("pm.toml"), root.join("postmortems/2026/INC-2026-0001-checkout-errors.md")]
    {
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replace("@TRACKER@", &tracker.url(""))).expect("write");
    }
    (dir, root)
}

fn sync(root: &Path, extra: &[&str]) -> Output {
    pm(["sync"].iter().chain(extra))
        .current_dir(root)
        .env("PM_TEST_GITHUB_TOKEN", TOKEN)
        .env("PM_NOW", NOW)
        .output()
        .expect("run pm sync")
}

fn cache(root: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(root.join(".pm/tickets.json")).expect("the cache is written");
    serde_json::from_str(&text).expect("the cache is JSON")
}

#[test]
fn fetches_every_ticket_in_one_request_and_writes_the_cache() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(TOKEN);
    let (_dir, root) = repo(&tracker);
    let out = sync(&root, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
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

    let written = std::fs::read_to_string(root.join(".pm/tickets.json")).expect("cache");
    let expected_path = crate_path("tests/fixtures/sync/expected-tickets.json");
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(&expected_path, &written).expect("bless");
    }
    let expected = std::fs::read_to_string(&expected_path).expect("expected-tickets.json");
    assert_eq!(written, expected, "the cache as blessed (PM_BLESS=1 to re-bless)");

    // Same answers, same bytes.
    let again = sync(&root, &[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(root.join(".pm/tickets.json")).expect("cache"), written);
}

#[test]
fn a_rate_limit_is_waited_out_as_the_tracker_asks() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(
        429,
        vec![("retry-after".into(), "1".into())],
        "{\"message\":\"slow down\"}".into(),
    ));
    let (_dir, root) = repo(&tracker);
    let started = std::time::Instant::now();
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    assert_eq!(tracker.seen().len(), 2, "one refused, one answered");
    assert_eq!(cache(&root)["tickets"].as_array().expect("tickets").len(), 7);
}

#[test]
fn a_server_error_is_retried() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(500, vec![], "{\"message\":\"oops\"}".into()));
    tracker.fault(Fault::Status(502, vec![], "<html>bad gateway</html>".into()));
    let (_dir, root) = repo(&tracker);
    let out = sync(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(tracker.seen().len(), 3);
}

#[test]
fn a_refused_token_exits_2_naming_the_variable_and_loses_nothing() {
    let tracker = FakeTracker::start(issues());
    let (_dir, root) = repo(&tracker);
    assert_eq!(sync(&root, &[]).status.code(), Some(0));
    let before = std::fs::read(root.join(".pm/tickets.json")).expect("cache");
    let postmortem = root.join("postmortems/2026/INC-2026-0001-checkout-errors.md");
    let file_before = std::fs::read(&postmortem).expect("postmortem");

    tracker.require_token("another-token");
    let out = sync(&root, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("$PM_TEST_GITHUB_TOKEN"), "names the variable: {stderr}");
    assert!(stderr.contains("Bad credentials"), "the tracker's words: {stderr}");
    assert!(stderr.contains("Issues"), "the scopes a token needs: {stderr}");
    let after = cache(&root);
    let tickets = after["tickets"].as_array().expect("tickets");
    assert_eq!(tickets.len(), 7, "every entry kept");
    assert!(tickets.iter().all(|t| t["stale"] == true), "and marked stale");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&before).expect("json")["tickets"][0]["state"],
        tickets[0]["state"]
    );
    assert_eq!(
        std::fs::read(&postmortem).expect("postmortem"),
        file_before,
        "no postmortem byte changes"
    );
}

#[test]
fn a_missing_token_stops_before_any_request() {
    let tracker = FakeTracker::start(issues());
    let (_dir, root) = repo(&tracker);
    let out =
        pm(["sync"]).current_dir(&root).env_remove("PM_TEST_GITHUB_TOKEN").output().expect("run");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PM_TEST_GITHUB_TOKEN is not set"), "{stderr}");
    assert!(tracker.seen().is_empty(), "nothing was sent");
    assert!(!root.join(".pm/tickets.json").exists());
}

#[test]
fn bad_answers_fail_the_batch_with_a_clear_message() {
    for (fault, expect) in [
        (Fault::Html, "an HTML page instead of JSON"),
        (Fault::Malformed, "malformed JSON"),
        (Fault::Slow(Duration::from_secs(3)), "did not answer within 1 s"),
    ] {
        let tracker = FakeTracker::start(issues());
        let (_dir, root) = repo(&tracker);
        assert_eq!(sync(&root, &[]).status.code(), Some(0));
        let toml = std::fs::read_to_string(root.join("pm.toml")).expect("pm.toml");
        std::fs::write(
            root.join("pm.toml"),
            format!("{toml}\n[sync]\ntimeout = \"1s\"\nretries = 0\n"),
        )
        .expect("write");
        tracker.fault(fault);
        let out = sync(&root, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{expect}: {stderr}");
        assert!(stderr.contains(expect), "{expect}: {stderr}");
        assert!(stderr.contains("kept as they were, marked stale"), "{stderr}");
        assert_eq!(cache(&root)["tickets"].as_array().expect("tickets").len(), 7, "nothing lost");
    }
}

#[test]
fn the_diff_shows_what_write_then_does_byte_for_byte() {
    let tracker = FakeTracker::start(issues());
    let (_dir, root) = repo(&tracker);
    assert_eq!(sync(&root, &[]).status.code(), Some(0));
    let path = root.join("postmortems/2026/INC-2026-0001-checkout-errors.md");
    let before = std::fs::read_to_string(&path).expect("read");

    // Offline: the cache alone decides; nothing is asked, nothing is written.
    let asked = tracker.seen().len();
    let out = sync(&root, &["--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(tracker.seen().len(), asked, "--offline sends nothing");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before, "no --write, no change");
    let diff = text(&out.stdout).replace(&tracker.url(""), "@TRACKER@");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("3 action items in 1 file would change"), "{stderr}");
    assert!(stderr.contains("2 other drifted items need a person"), "{stderr}");
    let expected_path = crate_path("tests/fixtures/sync/expected-diff.txt");
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(&expected_path, &diff).expect("bless");
    }
    assert_eq!(diff, std::fs::read_to_string(&expected_path).expect("expected-diff.txt"));

    let out = sync(&root, &["--offline", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "--write prints no diff");
    let after =
        std::fs::read_to_string(&path).expect("read").replace(&tracker.url(""), "@TRACKER@");
    let after_path = crate_path("tests/fixtures/sync/expected-after.md");
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(&after_path, &after).expect("bless");
    }
    assert_eq!(after, std::fs::read_to_string(&after_path).expect("expected-after.md"));
    let before = before.replace(&tracker.url(""), "@TRACKER@");
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
    let out = sync(&root, &["--offline"]);
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("nothing the trackers' word can settle"),
        "{}",
        text(&out.stderr)
    );
}

/// `tests/fixtures/sync-create` pointed at `tracker`.
fn create_repo(tracker: &FakeTracker) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    copy_tree(&crate_path("tests/fixtures/sync-create"), &root);
    let toml = std::fs::read_to_string(root.join("pm.toml")).expect("pm.toml");
    std::fs::write(root.join("pm.toml"), toml.replace("@TRACKER@", &tracker.url("")))
        .expect("write");
    let path = root.join("postmortems/2026/INC-2026-0007-queue-backlog.md");
    (dir, root, path)
}

fn posts(tracker: &FakeTracker) -> usize {
    tracker.seen().iter().filter(|s| s.method == "POST" && s.url.ends_with("/issues")).count()
}

#[test]
fn create_files_a_ticket_per_outstanding_item_and_writes_the_key_back() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "OPEN")]);
    let (_dir, root, path) = create_repo(&tracker);
    let original = std::fs::read_to_string(&path).expect("read");

    let out = sync(&root, &["--create"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("filed 2 tickets, found 0 filed before, 0 failed"), "{stderr}");
    let after = std::fs::read_to_string(&path).expect("read");
    let expected = original
        .replace("    priority: P1\n", "    priority: P1\n    ticket: acme/api#41\n")
        .replace("status: in-progress}", "status: in-progress, ticket: acme/api#42}");
    assert_eq!(after, expected, "only the two keys were added");

    let body = tracker.body("acme/api#41").expect("filed");
    assert!(
        body.contains("https://postmortems.example.com/postmortems/INC-2026-0007.html"),
        "{body}"
    );
    assert!(body.ends_with("pm-item:INC-2026-0007/1\n"), "{body}");
    let filed: Vec<_> = tracker
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST" && s.url == "/api/v3/repos/acme/api/issues")
        .collect();
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
    let out = sync(&root, &["--create"]);
    assert!(text(&out.stderr).contains("filed 0 tickets"), "{}", text(&out.stderr));
    assert_eq!(posts(&tracker), 3);
}

#[test]
fn a_rerun_after_a_crash_never_files_twice() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "OPEN")]);
    let (_dir, root, path) = create_repo(&tracker);
    let original = std::fs::read_to_string(&path).expect("read");
    assert_eq!(sync(&root, &["--create"]).status.code(), Some(0));
    let done = std::fs::read_to_string(&path).expect("read");
    let posted = posts(&tracker);

    // Crashed after filing, before the postmortem was edited: the journal in the cache has
    // the keys.
    std::fs::write(&path, &original).expect("restore");
    let out = sync(&root, &["--create"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(posts(&tracker), posted, "nothing filed again");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), done);

    // Crashed before even the journal was written: the tracker's search finds the marker.
    std::fs::write(&path, &original).expect("restore");
    std::fs::remove_file(root.join(".pm/tickets.json")).expect("forget the journal");
    let out = sync(&root, &["--create"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("found 2 filed before"), "{stderr}");
    assert_eq!(posts(&tracker), posted, "nothing filed again");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), done);
}

/// The README's `pm sync` transcript is this fixture's real output against the local GitHub
/// (the port shown as 8931, the time as 0.0 s; stderr around stdout, as a terminal shows them).
#[test]
fn the_readme_transcript_is_real() {
    let tracker = FakeTracker::start(issues());
    let (_dir, root) = repo(&tracker);
    let out = sync(&root, &[]);
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

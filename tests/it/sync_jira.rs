//! `pm sync` against a local Jira (`support::trackers`, 127.0.0.1 only), Cloud and Server: the
//! requests it sends (JQL `key in (…)`, pages by `nextPageToken` or `startAt`), how an unknown
//! key (a `400` naming it, or a warning), a moved key and a won't-do resolution end up in the
//! ticket cache, and a refused token or a server error. The fake serves at most four issues a
//! page, so the eight tickets of the fixture take two pages. `pm sync --create`
//! (`tests/fixtures/sync-create-jira`) is tested on both editions: the Task it files (an
//! Atlassian Document Format description and an account id on Cloud, text and a login on
//! Server), the fields filed again without when Jira refuses them, and the marker search that
//! keeps a rerun from filing twice.
//!
//! The expected caches are `tests/fixtures/sync-jira/expected-tickets*.json`; re-bless them with
//! `PM_BLESS=1 cargo test --test it sync_jira::`.

use base64::Engine as _;
use serde_json::Value;

use crate::support::run::text;
use crate::support::sync::{
    CREATED, SyncRepo, assert_a_crash_never_files_twice, assert_blessed, assert_creates_both,
    assert_expected, assert_nothing_left_to_file, body,
};
use crate::support::trackers::{FakeTracker, Fault, Issue, Seen};

const TOKEN: &str = "jira-t0k3n-for-tests";
const EMAIL: &str = "pm-bot@example.com";
const ENV: &[(&str, &str)] = &[("PM_TEST_JIRA_TOKEN", TOKEN), ("PM_TEST_JIRA_EMAIL", EMAIL)];

fn issues() -> Vec<Issue> {
    vec![
        Issue::new("PAY-1", "indeterminate").named("In Progress").assignee("asmith@example.com"),
        Issue::new("PAY-2", "done").named("Done"),
        Issue::new("PAY-3", "done").named("Closed").reason("Won't Do"),
        Issue::new("PAY-4", "new").named("To Do"),
        Issue::new("PAY-5", "done").named("Resolved").reason("Duplicate"),
        Issue::new("OLD-1", "new").named("To Do").moved("PAY-7"),
        Issue::new("PAY-7", "indeterminate").named("In Review"),
        Issue::new("OPS-2", "new").named("Backlog").assignee("someone-else@example.com"),
    ]
}

/// A copy of `fixture` pointed at `tracker`, speaking the Jira `edition`.
fn repo_of(fixture: &str, tracker: &FakeTracker, edition: &str) -> SyncRepo {
    let repo = SyncRepo::new(fixture, tracker, ENV);
    repo.replace("pm.toml", "edition = \"cloud\"", &format!("edition = \"{edition}\""));
    repo
}

/// A copy of the fixture pointed at `tracker`, speaking the Jira `edition`.
fn repo(tracker: &FakeTracker, edition: &str) -> SyncRepo {
    repo_of("tests/fixtures/sync-jira", tracker, edition)
}

fn basic() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{TOKEN}"))
}

/// The path of the expected cache `name`, in which the fake's address (it changes every run) is
/// written `@TRACKER@`.
fn expected(name: &str) -> String {
    format!("tests/fixtures/sync-jira/{name}")
}

#[test]
fn cloud_pages_by_token_drops_unknown_keys_and_follows_moved_ones() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(&basic());
    let repo = repo(&tracker, "cloud");
    let stderr = repo.sync_exits(&[], 0);
    assert!(stderr.contains("synced 8 of 8 tickets from 1 tracker in 4 requests"), "{stderr}");

    let seen = tracker.seen();
    let requests: Vec<(&str, &str)> =
        seen.iter().map(|s| (s.method.as_str(), s.url.as_str())).collect();
    assert_eq!(
        requests,
        [
            ("POST", "/rest/api/3/search/jql"),
            ("POST", "/rest/api/3/search/jql"),
            ("POST", "/rest/api/3/search/jql"),
            (
                "GET",
                "/rest/api/3/issue/OLD-1?fields=status,resolution,assignee,updated,resolutiondate"
            ),
        ],
        "the refused query, its two pages without PAY-9, then the moved key alone"
    );
    let expected_auth = format!("Basic {}", basic());
    assert!(seen.iter().all(|s| s.header("authorization") == Some(expected_auth.as_str())));
    let (first, second, third) = (body(&seen[0]), body(&seen[1]), body(&seen[2]));
    assert_eq!(
        first["jql"],
        r#"key in ("OLD-1", "OPS-2", "PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5", "PAY-9")"#
    );
    assert_eq!(
        second["jql"], r#"key in ("OLD-1", "OPS-2", "PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5")"#,
        "the key Jira refused is asked no more"
    );
    assert_eq!(third["jql"], second["jql"]);
    assert_eq!(second.get("nextPageToken"), None);
    assert_eq!(third["nextPageToken"], "pg-4", "the token of the page before");
    for b in [&first, &second, &third] {
        assert_eq!(b["maxResults"], 100);
        assert_eq!(
            b["fields"],
            serde_json::json!(["status", "resolution", "assignee", "updated", "resolutiondate"])
        );
        assert_eq!(b.get("startAt"), None, "Cloud's search/jql refuses startAt");
    }

    let cache = repo.written();
    assert_eq!(repo.ticket("PAY-9")["state"], "missing");
    let moved = repo.ticket("OLD-1");
    assert_eq!(
        (&moved["moved_to"], &moved["state"], &moved["tracker_state"]),
        (&"PAY-7".into(), &"in-progress".into(), &"In Review".into()),
        "the moved ticket, in its new home's state"
    );
    let wont_do = repo.ticket("PAY-3");
    assert_eq!(
        (&wont_do["state"], &wont_do["tracker_state"]),
        (&"not-done".into(), &"Closed (Won't Do)".into())
    );
    assert_eq!(repo.ticket("PAY-5")["state"], "not-done", "a duplicate");
    assert_eq!(repo.ticket("PAY-2")["state"], "done");
    assert_eq!(repo.ticket("PAY-1")["assignee"], "asmith@example.com", "Cloud has no user names");
    assert_eq!(
        repo.ticket("PAY-1")["updated_at"],
        "2026-11-20T10:00:00Z",
        "Jira's time format read"
    );
    assert_blessed(&repo.with_placeholder(&cache), &expected("expected-tickets.json"));

    // Same answers, same bytes.
    repo.sync_exits(&[], 0);
    assert_eq!(repo.written(), cache);
}

#[test]
fn server_pages_by_start_at_and_reads_unknown_keys_from_warnings() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(TOKEN);
    let repo = repo(&tracker, "server");
    let stderr = repo.sync_exits(&[], 0);
    assert!(stderr.contains("synced 8 of 8 tickets from 1 tracker in 3 requests"), "{stderr}");

    let seen = tracker.seen();
    let requests: Vec<(&str, &str)> =
        seen.iter().map(|s| (s.method.as_str(), s.url.as_str())).collect();
    assert_eq!(
        requests,
        [
            ("POST", "/rest/api/2/search"),
            ("POST", "/rest/api/2/search"),
            (
                "GET",
                "/rest/api/2/issue/OLD-1?fields=status,resolution,assignee,updated,resolutiondate"
            ),
        ],
        "one query in two pages (PAY-9 only warned about), then the moved key alone"
    );
    let expected_auth = format!("Bearer {TOKEN}");
    assert!(seen.iter().all(|s| s.header("authorization") == Some(expected_auth.as_str())));
    let (first, second) = (body(&seen[0]), body(&seen[1]));
    assert_eq!((&first["startAt"], &second["startAt"]), (&0.into(), &4.into()));
    assert_eq!(first["jql"], second["jql"]);
    assert!(first["jql"].as_str().expect("jql").contains("\"PAY-9\""));
    assert_eq!(first["validateQuery"], "warn");

    assert_eq!(repo.ticket("PAY-9")["state"], "missing");
    assert_eq!(repo.ticket("OLD-1")["moved_to"], "PAY-7");
    assert_eq!(repo.ticket("PAY-1")["assignee"], "asmith", "Server's user name, the login");
    assert_blessed(
        &repo.with_placeholder(&repo.written()),
        &expected("expected-tickets-server.json"),
    );
}

#[test]
fn a_refused_token_exits_2_naming_the_variable() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token("another-token");
    let stderr = repo(&tracker, "server").sync_exits(&[], 2);
    assert!(stderr.contains("refused the token in $PM_TEST_JIRA_TOKEN (401"), "{stderr}");
    assert!(stderr.contains("personal access token"), "what a token needs: {stderr}");
    assert_eq!(tracker.seen().len(), 1, "nothing more is asked of a tracker that refused");
}

#[test]
fn a_server_error_is_retried() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(500, vec![], "{\"errorMessages\":[\"oops\"]}".into()));
    let repo = repo(&tracker, "cloud");
    repo.sync_exits(&[], 0);
    assert_eq!(tracker.seen().len(), 5, "the four requests and the one that failed");
    assert_eq!(body(&tracker.seen()[0]), body(&tracker.seen()[1]), "the same query again");
    assert_expected(&repo.with_placeholder(&repo.written()), &expected("expected-tickets.json"));
}

/// `tests/fixtures/sync-create-jira` pointed at `tracker`, speaking the Jira `edition`.
fn create_repo(tracker: &FakeTracker, edition: &str) -> SyncRepo {
    repo_of("tests/fixtures/sync-create-jira", tracker, edition)
}

/// Every `POST /rest/api/{3,2}/issue`, refused ones included.
fn posted(tracker: &FakeTracker, version: u8) -> Vec<Seen> {
    tracker.requests("POST", &format!("/rest/api/{version}/issue"))
}

/// The marker searches (`text ~`).
fn searches(tracker: &FakeTracker) -> usize {
    tracker.seen().iter().filter(|s| s.body.contains("text ~")).count()
}

#[test]
fn create_on_cloud_files_a_task_described_in_adf_and_writes_the_key_back() {
    let tracker = FakeTracker::start(vec![Issue::new("PAY-40", "new").named("To Do")]);
    tracker.require_token(&basic());
    let repo = create_repo(&tracker, "cloud");
    assert_creates_both(&repo, ["PAY-41", "PAY-42"]);

    let seen = tracker.seen();
    let searches: Vec<Value> = seen
        .iter()
        .filter(|s| s.url == "/rest/api/3/search/jql" && s.body.contains("text ~"))
        .map(body)
        .collect();
    assert_eq!(searches.len(), 2, "one search per item before filing: {seen:#?}");
    assert_eq!(
        searches[0]["jql"], r#"project = "PAY" AND text ~ "\"pm-item:INC-2026-0007/1\"""#,
        "the marker as a phrase"
    );
    let lookups: Vec<&str> = seen
        .iter()
        .filter(|s| s.url.starts_with("/rest/api/3/user/search"))
        .map(|s| s.url.as_str())
        .collect();
    assert_eq!(
        lookups,
        [
            "/rest/api/3/user/search?query=jdoe%40example.com",
            "/rest/api/3/user/search?query=nobody-asmith%40example.com"
        ],
        "Cloud assigns by account id, looked up by email"
    );

    let filed = posted(&tracker, 3);
    assert_eq!(filed.len(), 2, "{filed:#?}");
    let first = &body(&filed[0])["fields"];
    assert_eq!(first["project"], serde_json::json!({"key": "PAY"}));
    assert_eq!(first["summary"], "Alert on queue age, not depth");
    assert_eq!(first["issuetype"], serde_json::json!({"name": "Task"}));
    assert_eq!(first["labels"], serde_json::json!(["postmortem", "follow-up"]), "no spaces");
    assert_eq!(first["duedate"], "2026-04-01");
    assert_eq!(first["priority"], serde_json::json!({"name": "High"}), "P1");
    assert_eq!(first["assignee"], serde_json::json!({"accountId": "712020:jdoe"}));
    let description = &first["description"];
    assert_eq!((&description["type"], &description["version"]), (&"doc".into(), &1.into()));
    let paragraphs = description["content"].as_array().expect("paragraphs");
    assert_eq!(
        paragraphs.last().expect("a last paragraph"),
        &serde_json::json!({"type": "paragraph", "content": [
            {"type": "text", "text": "pm-item:INC-2026-0007/1"}
        ]}),
        "the marker is a paragraph of its own"
    );
    let link = "https://postmortems.example.com/postmortems/INC-2026-0007.html";
    assert!(
        paragraphs[1]["content"].as_array().expect("content").contains(&serde_json::json!({
            "type": "text", "text": link, "marks": [{"type": "link", "attrs": {"href": link}}]
        })),
        "the postmortem is a link: {:#}",
        paragraphs[1]
    );
    let second = &body(&filed[1])["fields"];
    assert!(second.get("assignee").is_none(), "Jira knows no nobody-asmith: {second:#}");
    assert!(second.get("priority").is_none(), "the item has none: {second:#}");

    assert_nothing_left_to_file(&repo, || posted(&tracker, 3).len(), 2);
    repo.sync_exits(&[], 0);
    let new = repo.ticket("PAY-41");
    assert_eq!((&new["state"], &new["tracker_state"]), (&"open".into(), &"To Do".into()));
    assert_eq!(new["url"], format!("{}/browse/PAY-41", tracker.url("")));
}

#[test]
fn create_on_server_files_plain_text_and_drops_the_fields_jira_refuses() {
    let tracker = FakeTracker::start(vec![Issue::new("PAY-40", "new").named("To Do")]);
    tracker.require_token(TOKEN);
    assert_creates_both(&create_repo(&tracker, "server"), ["PAY-41", "PAY-42"]);
    let seen = tracker.seen();
    assert!(
        seen.iter().any(|s| s.url == "/rest/api/2/search" && s.body.contains("text ~")),
        "Server's search: {seen:#?}"
    );
    assert!(!seen.iter().any(|s| s.url.contains("user/search")), "Server assigns by login");

    // Each ticket twice: its create screen has no priority (the first), and Jira refuses the
    // login nobody-asmith (the second).
    let filed: Vec<Value> = posted(&tracker, 2).iter().map(|s| body(s)["fields"].clone()).collect();
    assert_eq!(filed.len(), 4, "{filed:#?}");
    assert_eq!(filed[0]["priority"], serde_json::json!({"name": "High"}));
    assert_eq!(filed[0]["assignee"], serde_json::json!({"name": "jdoe"}));
    assert!(filed[1].get("priority").is_none(), "filed again without it: {:#}", filed[1]);
    assert_eq!(filed[1]["assignee"], serde_json::json!({"name": "jdoe"}), "the rest kept");
    assert_eq!(filed[1]["duedate"], "2026-04-01");
    assert_eq!(filed[2]["assignee"], serde_json::json!({"name": "nobody-asmith"}));
    assert!(filed[3].get("assignee").is_none(), "filed unassigned: {:#}", filed[3]);
    let description = filed[1]["description"].as_str().expect("Server's description is text");
    assert!(description.ends_with("\n\npm-item:INC-2026-0007/1\n"), "{description}");
    assert_eq!(tracker.body("PAY-41").as_deref(), Some(description));
}

#[test]
fn create_after_a_crash_never_files_twice() {
    for (edition, version) in [("cloud", 3), ("server", 2)] {
        let tracker = FakeTracker::start(vec![Issue::new("PAY-40", "new").named("To Do")]);
        let repo = create_repo(&tracker, edition);
        let original = repo.read(CREATED);
        assert_eq!(repo.sync(&["--create"]).status.code(), Some(0), "{edition}");
        assert_a_crash_never_files_twice(
            &repo,
            &original,
            || posted(&tracker, version).len(),
            || searches(&tracker),
            edition,
        );
    }
}

#[test]
fn create_in_a_project_jira_does_not_know_fails_each_item_and_edits_nothing() {
    let tracker = FakeTracker::start(vec![Issue::new("PAY-40", "new").named("To Do")]);
    let repo = create_repo(&tracker, "cloud");
    repo.replace("pm.toml", "project = \"PAY\"", "project = \"NOPE\"");
    let original = repo.read(CREATED);

    let out = repo.sync(&["--create"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "though PAY-40 synced: {stderr}");
    assert!(stderr.contains("filed 0 tickets, found 0 filed before, 2 failed"), "{stderr}");
    let search = tracker.url("/rest/api/3/search/jql");
    let why = "The value 'NOPE' does not exist for the field 'project'.";
    assert!(
        stderr
            .contains(&format!("error: INC-2026-0007 item 1: jira: {search} answered 400: {why}")),
        "Jira's own words: {stderr}"
    );
    assert!(posted(&tracker, 3).is_empty(), "nothing filed where nothing could be found");
    assert_eq!(repo.read(CREATED), original);
}

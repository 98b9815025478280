//! `pm sync` against a local Linear (`support::trackers`, 127.0.0.1 only): the GraphQL it sends
//! (one `issues` query per team, team and numbers as variables, cursors followed), how a moved
//! identifier, an unknown one and a canceled or duplicate issue end up in the ticket cache, and
//! what a refused key (a 401, or Linear's GraphQL authentication error), a server error and
//! Linear's `RATELIMITED` error do. The fake serves at most three issues a page. `pm sync
//! --create` (`tests/fixtures/sync-create-linear`): the ids looked up before `issueCreate` (team,
//! owner, labels), what the mutation carries, and the marker search that keeps a rerun from
//! filing twice.
//!
//! The expected cache is `tests/fixtures/sync-linear/expected-tickets.json`; re-bless it with
//! `PM_BLESS=1 cargo test --test it sync_linear::`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::run::text;
use crate::support::sync::{
    CREATED, SyncRepo, assert_a_crash_never_files_twice, assert_blessed, assert_creates_both,
    assert_nothing_left_to_file, body,
};
use crate::support::trackers::{FakeTracker, Fault, Issue, linear_id};

const KEY: &str = "lin_api_k3y-for-tests";
const ENV: &[(&str, &str)] = &[("PM_TEST_LINEAR_KEY", KEY)];

fn issues() -> Vec<Issue> {
    vec![
        Issue::new("ENG-1", "started").named("In Progress").assignee("asmith@example.com"),
        Issue::new("ENG-2", "completed").named("Done"),
        Issue::new("ENG-3", "canceled").named("Canceled"),
        Issue::new("ENG-4", "backlog").named("Backlog"),
        Issue::new("ENG-5", "started").named("In Progress").moved("OPS-7"),
        Issue::new("OPS-7", "started").named("In Review"),
        Issue::new("ENG-6", "canceled").named("Duplicate"),
        Issue::new("OPS-2", "triage").named("Triage").assignee("someone-else@example.com"),
    ]
}

/// A copy of the fixture pointed at `tracker`.
fn repo(tracker: &FakeTracker) -> SyncRepo {
    SyncRepo::new("tests/fixtures/sync-linear", tracker, ENV)
}

#[test]
fn fetches_per_team_follows_cursors_and_resolves_moved_identifiers() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(KEY);
    let repo = repo(&tracker);
    let stderr = repo.sync_exits(&[], 0);
    assert!(stderr.contains("synced 8 of 8 tickets from 1 tracker in 5 requests"), "{stderr}");

    let seen = tracker.seen();
    assert!(seen.iter().all(|s| (s.method.as_str(), s.url.as_str()) == ("POST", "/graphql")));
    assert!(
        seen.iter().all(|s| s.header("authorization") == Some(KEY)),
        "a personal key goes bare in Authorization, without Bearer"
    );
    let bodies: Vec<Value> = seen.iter().map(body).collect();
    let searches = |team: &str| -> Vec<&Value> {
        bodies
            .iter()
            .filter(|b| b["query"].as_str().is_some_and(|q| q.contains("issues(")))
            .filter(|b| b["variables"]["team"] == team)
            .collect()
    };
    let eng = searches("ENG");
    assert_eq!(eng.len(), 2, "five ENG issues found, three a page: {bodies:#?}");
    assert_eq!(eng[0]["variables"]["numbers"], json!([1, 2, 3, 4, 5, 6, 99]));
    assert_eq!(eng[0]["variables"]["after"], Value::Null);
    assert!(eng[1]["variables"]["after"].is_string(), "the second page asks after the cursor");
    assert_eq!(eng[1]["variables"]["numbers"], eng[0]["variables"]["numbers"]);
    assert!(!eng[0]["query"].as_str().expect("query").contains("ENG"), "the team is a variable");
    let ops = searches("OPS");
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0]["variables"]["numbers"], json!([2]));
    let mut lookups: Vec<&str> = bodies
        .iter()
        .filter(|b| b["query"].as_str().is_some_and(|q| q.contains("issue(id: $id)")))
        .filter_map(|b| b["variables"]["id"].as_str())
        .collect();
    lookups.sort_unstable();
    assert_eq!(lookups, ["ENG-5", "ENG-99"], "only the identifiers the filter did not find");

    let cache = repo.written();
    let moved = repo.ticket("ENG-5");
    assert_eq!(
        (&moved["moved_to"], &moved["state"], &moved["tracker_state"]),
        (&"OPS-7".into(), &"in-progress".into(), &"In Review".into()),
        "the moved ticket, in its new home's state"
    );
    assert_eq!(repo.ticket("ENG-99")["state"], "missing");
    assert_eq!(repo.ticket("ENG-3")["state"], "not-done", "canceled");
    let duplicate = repo.ticket("ENG-6");
    assert_eq!(
        (&duplicate["state"], &duplicate["tracker_state"]),
        (&"not-done".into(), &"Duplicate".into())
    );
    assert_eq!(repo.ticket("ENG-2")["closed_at"], "2026-11-20T10:00:00Z");
    assert_eq!(repo.ticket("ENG-4")["state"], "open", "backlog");
    assert_blessed(&cache, "tests/fixtures/sync-linear/expected-tickets.json");

    // Same answers, same bytes.
    repo.sync_exits(&[], 0);
    assert_eq!(repo.written(), cache);
}

#[test]
fn a_refused_key_exits_2_naming_the_variable() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token("another-key");
    let stderr = repo(&tracker).sync_exits(&[], 2);
    assert!(stderr.contains("refused the token in $PM_TEST_LINEAR_KEY (401"), "{stderr}");
    assert!(stderr.contains("personal API key"), "what a key needs: {stderr}");
}

#[test]
fn linears_graphql_authentication_error_is_a_refused_key() {
    let refusal = json!({"errors": [{
        "message": "Authentication required, not authenticated",
        "extensions": {
            "type": "authentication error",
            "code": "AUTHENTICATION_ERROR",
            "statusCode": 401,
            "userError": true,
            "userPresentableMessage": "You need to authenticate to access this operation."
        }
    }]});
    for status in [400, 200] {
        let tracker = FakeTracker::start(issues());
        let repo = repo(&tracker);
        // One request at a time, so the refusal is seen before the other team is asked.
        repo.configure("\n[sync]\nconcurrency = 1\n");
        tracker.fault(Fault::Status(
            status,
            vec![("content-type".into(), "application/json".into())],
            refusal.to_string(),
        ));
        let out = repo.sync(&[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{status}: {stderr}");
        assert!(
            stderr.contains(
                "refused the token in $PM_TEST_LINEAR_KEY (401: Authentication required, not authenticated)"
            ),
            "{status}: {stderr}"
        );
        assert_eq!(tracker.seen().len(), 1, "{status}: no retry, and nothing more asked");
    }
}

#[test]
fn a_server_error_is_retried() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(500, vec![], "{\"errors\":[{\"message\":\"oops\"}]}".into()));
    let repo = repo(&tracker);
    repo.sync_exits(&[], 0);
    assert_eq!(tracker.seen().len(), 6, "the five requests and the one that failed");
    assert_eq!(repo.ticket("ENG-5")["moved_to"], "OPS-7");
}

#[test]
fn linears_ratelimited_error_is_waited_out_like_a_429() {
    let tracker = FakeTracker::start(issues());
    let limited = json!({"errors": [{
        "message": "Rate limit exceeded",
        "extensions": {"type": "ratelimited", "code": "RATELIMITED", "statusCode": 429, "userError": true}
    }]});
    tracker.fault(Fault::Status(
        400,
        vec![
            ("content-type".into(), "application/json".into()),
            ("retry-after".into(), "1".into()),
        ],
        limited.to_string(),
    ));
    let repo = repo(&tracker);
    let started = std::time::Instant::now();
    repo.sync_exits(&[], 0);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    assert_eq!(tracker.seen().len(), 6, "the five requests and the one limited");
}

/// `tests/fixtures/sync-create-linear` pointed at `tracker`.
fn create_repo(tracker: &FakeTracker) -> SyncRepo {
    SyncRepo::new("tests/fixtures/sync-create-linear", tracker, ENV)
}

/// What the query of a marker search holds.
const MARKER_SEARCH: &str = "description: { contains: $marker }";

/// The GraphQL requests whose query contains `what`, as JSON.
fn queries(tracker: &FakeTracker, what: &str) -> Vec<Value> {
    let seen = tracker.seen();
    seen.iter()
        .map(body)
        .filter(|b| b["query"].as_str().is_some_and(|q| q.contains(what)))
        .collect()
}

#[test]
fn create_files_an_issue_per_outstanding_item_and_writes_the_key_back() {
    let tracker = FakeTracker::start(vec![
        Issue::new("ENG-40", "unstarted").named("Todo"),
        Issue::new("OPS-3", "unstarted").named("Todo"),
    ]);
    tracker.require_token(KEY);
    let repo = create_repo(&tracker);
    assert_creates_both(&repo, ["ENG-41", "ENG-42"]);

    let searches = queries(&tracker, MARKER_SEARCH);
    assert_eq!(searches.len(), 2, "one search per item before filing");
    assert_eq!(
        searches[0]["variables"],
        json!({"team": "ENG", "marker": "pm-item:INC-2026-0007/1"}),
        "the team and the marker travel as variables"
    );
    let lookups = queries(&tracker, "teams(filter: { key: { eq: $team } })");
    assert_eq!(lookups.len(), 2, "one lookup of ids per ticket");
    assert_eq!(
        lookups[0]["variables"],
        json!({"team": "ENG", "email": "jdoe@example.com", "labels": ["postmortem", "incident"]})
    );

    let filed = queries(&tracker, "issueCreate(input: $input)");
    assert_eq!(filed.len(), 2);
    let first = &filed[0]["variables"]["input"];
    assert_eq!(first["title"], "Alert on queue age, not depth");
    assert_eq!(first["dueDate"], "2026-04-01");
    assert_eq!(first["priority"], 2, "P1 is Linear's high");
    assert_eq!(first["teamId"], linear_id("team:ENG"), "the team's id, looked up by key");
    assert_eq!(first["assigneeId"], linear_id("user:jdoe@example.com"), "looked up by email");
    assert_eq!(
        first["labelIds"],
        json!([linear_id("label:postmortem:")]),
        "the workspace's postmortem label; incident is OPS's own"
    );
    let description = first["description"].as_str().expect("markdown");
    assert!(description.ends_with("\n\npm-item:INC-2026-0007/1\n"), "{description}");
    assert_eq!(tracker.body("ENG-41").as_deref(), Some(description));
    let second = &filed[1]["variables"]["input"];
    assert!(second.get("assigneeId").is_none(), "Linear knows no nobody-asmith: {second:#}");
    assert!(second.get("priority").is_none(), "the item has none: {second:#}");

    assert_nothing_left_to_file(&repo, || queries(&tracker, "issueCreate").len(), 2);
}

#[test]
fn create_after_a_crash_never_files_twice() {
    let tracker = FakeTracker::start(vec![Issue::new("ENG-40", "unstarted").named("Todo")]);
    let repo = create_repo(&tracker);
    let original = repo.read(CREATED);
    repo.sync_exits(&["--create"], 0);
    assert_eq!(queries(&tracker, "issueCreate").len(), 2);
    assert_a_crash_never_files_twice(
        &repo,
        &original,
        || queries(&tracker, "issueCreate").len(),
        || queries(&tracker, MARKER_SEARCH).len(),
        "linear",
    );
}

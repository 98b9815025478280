//! `pm sync` against a local GitLab (`support::trackers`, 127.0.0.1 only): one REST request per
//! project and page (`iids[]`, followed by `x-next-page`), projects and iids GitLab does not
//! know, a moved issue followed through GraphQL, the labels behind `in-progress` and
//! `not-done`, and a tracker that refuses the token or fails once; and `pm sync --create`
//! (`tests/fixtures/sync-create-gitlab`): the issues it files, the assignee's user id looked up
//! by login, and the marker search that keeps a rerun from filing twice. Nothing reaches the
//! internet.
//!
//! The fake pages three issues at a time (GitLab pages a hundred), so the six issues of
//! `acme/api` take two pages. The expected cache is
//! `tests/fixtures/sync-gitlab/expected-tickets.json`; re-bless it with
//! `PM_BLESS=1 cargo test --test it sync_gitlab::`.

use std::time::Duration;

use crate::support::sync::{
    CREATED, SyncRepo, assert_a_crash_never_files_twice, assert_blessed, assert_creates_both,
    assert_nothing_left_to_file, body, tickets,
};
use crate::support::trackers::{FakeTracker, Fault, Issue, Seen};

const TOKEN: &str = "glpat-for-tests";
const ENV: &[(&str, &str)] = &[("PM_TEST_GITLAB_TOKEN", TOKEN)];
const FIXTURE: &str = "tests/fixtures/sync-gitlab";

/// Every ticket the fixture's postmortem names.
const TICKETS: usize = 10;

fn issues() -> Vec<Issue> {
    vec![
        Issue::new("acme/api#1", "opened").assignee("asmith-gl"),
        Issue::new("acme/api#2", "closed"),
        Issue::new("acme/api#3", "closed").reason("wontfix"),
        Issue::new("acme/api#4", "opened").reason("workflow::in progress"),
        Issue::new("acme/api#7", "closed").reason("Won't Do"),
        Issue::new("acme/api#8", "opened").reason("Doing"),
        Issue::new("acme/old#5", "closed").moved("acme/new#6"),
        Issue::new("acme/new#6", "opened").assignee("bwong"),
        Issue::new("acme/platform/db#12", "opened").reason("status::doing"),
    ]
}

/// A copy of the fixture pointed at `tracker`, with `extra` appended to its `pm.toml`.
fn repo(tracker: &FakeTracker, extra: &str) -> SyncRepo {
    let repo = SyncRepo::new(FIXTURE, tracker, ENV);
    repo.configure(extra);
    repo
}

/// A 404 with a page of HTML: not GitLab's answer (a JSON message), but a proxy's, or an
/// instance's without GraphQL.
fn an_html_404() -> Fault {
    let html = vec![("content-type".into(), "text/html".into())];
    Fault::Status(404, html, "<html><body>Not Found</body></html>".into())
}

/// Batches one at a time, in key order, so that a scripted fault lands on a known request.
const ONE_AT_A_TIME: &str = "\n[sync]\nconcurrency = 1\n";

/// The REST requests for one project (its path encoded as GitLab wants it).
fn project_requests<'s>(seen: &'s [Seen], encoded: &str) -> Vec<&'s Seen> {
    let prefix = format!("/api/v4/projects/{encoded}/issues?");
    seen.iter().filter(|s| s.url.starts_with(&prefix)).collect()
}

#[test]
fn fetches_every_project_and_writes_the_cache() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(TOKEN);
    let repo = repo(&tracker, "");
    let stderr = repo.sync_exits(&[], 0);
    // acme/api: two pages; acme/old, acme/platform/db, ghost/tools: one each; one GraphQL
    // lookup for the moved issue.
    assert!(
        stderr.contains(&format!(
            "synced {TICKETS} of {TICKETS} tickets from 1 tracker in 6 requests"
        )),
        "{stderr}"
    );

    let seen = tracker.seen();
    assert_eq!(seen.len(), 6, "{seen:#?}");
    for s in &seen {
        assert_eq!(s.header("private-token"), Some(TOKEN), "GitLab's token header: {s:?}");
        assert_eq!(s.header("authorization"), None, "the token travels once: {s:?}");
    }
    let graphql: Vec<&Seen> = seen.iter().filter(|s| s.method == "POST").collect();
    assert_eq!(graphql.len(), 1, "{seen:#?}");
    assert_eq!(graphql[0].url, "/api/graphql", "GraphQL beside REST v4");
    assert!(
        graphql[0].body.contains("\"variables\"") && !graphql[0].body.contains("issue(id: \\\"gid"),
        "global ids travel as variables: {}",
        graphql[0].body
    );
    assert_eq!(
        project_requests(&seen, "acme%2Fplatform%2Fdb").len(),
        1,
        "a subgroup's path is one segment: {seen:#?}"
    );

    let written = repo.written();
    assert_blessed(&written, &format!("{FIXTURE}/expected-tickets.json"));

    repo.sync_exits(&[], 0);
    assert_eq!(repo.written(), written, "same answers, same bytes");
}

#[test]
fn follows_x_next_page_until_it_is_empty() {
    let tracker = FakeTracker::start(issues());
    let repo = repo(&tracker, "");
    repo.sync_exits(&[], 0);

    let seen = tracker.seen();
    let api = project_requests(&seen, "acme%2Fapi");
    let mut pages: Vec<&str> = api
        .iter()
        .map(|s| s.url.rsplit_once("&page=").expect("a page").1.split('&').next().expect("n"))
        .collect();
    pages.sort_unstable();
    assert_eq!(pages, ["1", "2"], "six issues, three a page, and no third request: {api:#?}");
    for s in &api {
        assert_eq!(s.method, "GET");
        for iid in [1, 2, 3, 4, 7, 8, 99] {
            assert!(s.url.contains(&format!("iids%5B%5D={iid}&")), "iid {iid} asked: {}", s.url);
        }
        assert!(s.url.contains("per_page=100") && s.url.contains("scope=all"), "{}", s.url);
    }
    for key in ["acme/api#1", "acme/api#2", "acme/api#3", "acme/api#4", "acme/api#7", "acme/api#8"]
    {
        assert_ne!(repo.ticket(key)["state"], "missing", "{key} came on one of the pages");
    }
}

#[test]
fn unknown_projects_and_iids_are_missing() {
    let tracker = FakeTracker::start(issues());
    let repo = repo(&tracker, "");
    repo.sync_exits(&[], 0);
    for key in ["acme/api#99", "ghost/tools#1"] {
        let t = repo.ticket(key);
        assert_eq!(t["state"], "missing", "{t:#}");
        assert_eq!(t["tracker_state"], "not found", "{t:#}");
        assert_eq!(t.get("url"), None, "{t:#}");
    }
    let ghost = project_requests(&tracker.seen(), "ghost%2Ftools").len();
    assert_eq!(ghost, 1, "a 404 Project Not Found is an answer, not a failure to retry");
}

#[test]
fn labels_decide_in_progress_and_not_done() {
    let tracker = FakeTracker::start(issues());
    let repo = repo(&tracker, "");
    repo.sync_exits(&[], 0);
    for (key, state, tracker_state) in [
        ("acme/api#1", "open", "opened"),
        ("acme/api#2", "done", "closed"),
        ("acme/api#3", "not-done", "closed (wontfix)"),
        ("acme/api#4", "in-progress", "opened (workflow::in progress)"),
        ("acme/api#7", "not-done", "closed (Won't Do)"),
        ("acme/api#8", "in-progress", "opened (Doing)"),
        ("acme/platform/db#12", "in-progress", "opened (status::doing)"),
    ] {
        let t = repo.ticket(key);
        assert_eq!(
            (t["state"].as_str(), t["tracker_state"].as_str()),
            (Some(state), Some(tracker_state)),
            "{key}"
        );
    }
}

#[test]
fn a_moved_issue_is_followed_to_its_new_home() {
    // Moved twice: old#5 → mid#1 → new#6.
    let mut issues = issues();
    issues.retain(|i| i.key != "acme/old#5");
    issues.push(Issue::new("acme/old#5", "closed").moved("acme/mid#1"));
    issues.push(Issue::new("acme/mid#1", "closed").moved("acme/new#6"));
    let tracker = FakeTracker::start(issues);
    let repo = repo(&tracker, "");
    repo.sync_exits(&[], 0);

    let t = repo.ticket("acme/old#5");
    assert_eq!(t["moved_to"], "acme/new#6", "{t:#}");
    assert_eq!(t["state"], "open", "the new issue's state: {t:#}");
    assert_eq!(t["tracker_state"], "opened", "{t:#}");
    assert_eq!(t["assignee"], "bwong", "{t:#}");
    assert_eq!(t["url"], "https://gitlab.example.com/acme/new/-/issues/6", "{t:#}");
    assert_eq!(t.get("closed_at"), None, "{t:#}");
    let hops = tracker.seen().iter().filter(|s| s.method == "POST").count();
    assert_eq!(hops, 2, "one GraphQL lookup per move");
}

#[test]
fn a_move_graphql_cannot_follow_leaves_the_ticket_missing() {
    let tracker = FakeTracker::start(issues());
    // One batch at a time, in key order: acme/api (two pages), acme/old, then its GraphQL
    // lookup, which gets GitLab's 404 (an instance without GraphQL).
    for _ in 0..3 {
        tracker.fault(Fault::Slow(Duration::ZERO));
    }
    tracker.fault(an_html_404());
    let repo = repo(&tracker, ONE_AT_A_TIME);
    repo.sync_exits(&[], 0);
    let seen = tracker.seen();
    assert_eq!(
        (seen[3].method.as_str(), seen[3].url.as_str()),
        ("POST", "/api/graphql"),
        "the fourth request is the lookup: {seen:#?}"
    );

    let t = repo.ticket("acme/old#5");
    assert_eq!(t["state"], "missing", "the old issue is not where the work is: {t:#}");
    assert_eq!(t["tracker_state"], "closed (moved)", "{t:#}");
    let moved_to = t["moved_to"].as_str().expect("moved_to");
    let id =
        moved_to.strip_prefix("gitlab issue id ").expect("the global id, for a person to look up");
    assert!(id.parse::<u64>().is_ok(), "{moved_to}");
    assert_eq!(t["url"], "https://gitlab.example.com/acme/old/-/issues/5", "{t:#}");
}

#[test]
fn a_refused_token_exits_2_naming_the_variable() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token("another-token");
    let stderr = repo(&tracker, "").sync_exits(&[], 2);
    assert!(stderr.contains("$PM_TEST_GITLAB_TOKEN"), "names the variable: {stderr}");
    assert!(stderr.contains("read_api"), "the scope a token needs: {stderr}");
    assert!(stderr.contains("401"), "{stderr}");
}

#[test]
fn a_server_error_is_retried() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(500, vec![], "{\"message\":\"500 Internal Server Error\"}".into()));
    let repo = repo(&tracker, "");
    repo.sync_exits(&[], 0);
    assert_eq!(tracker.seen().len(), 7, "six requests and one retry");
    let cache = repo.cache();
    let tickets = tickets(&cache);
    assert_eq!(tickets.len(), TICKETS);
    assert!(tickets.iter().all(|t| t.get("stale").is_none()), "{cache:#}");
}

#[test]
fn a_404_that_is_not_gitlabs_fails_the_batch_instead_of_losing_tickets() {
    let tracker = FakeTracker::start(issues());
    // A wrong `api` (or a proxy) answers 404 with a page of its own: that says nothing about
    // the tickets.
    tracker.fault(an_html_404());
    let repo = repo(&tracker, ONE_AT_A_TIME);
    let stderr = repo.sync_exits(&[], 1);
    assert!(stderr.contains("answered 404"), "{stderr}");
    assert!(
        stderr.contains("not refreshed (kept as they were, marked stale): acme/api#1"),
        "{stderr}"
    );
    let cache = repo.cache();
    let keys: Vec<&str> = tickets(&cache).iter().filter_map(|t| t["key"].as_str()).collect();
    assert_eq!(
        keys,
        ["acme/old#5", "acme/platform/db#12", "ghost/tools#1"],
        "acme/api is not called missing"
    );
}

/// `tests/fixtures/sync-create-gitlab` pointed at `tracker`.
fn create_repo(tracker: &FakeTracker) -> SyncRepo {
    SyncRepo::new("tests/fixtures/sync-create-gitlab", tracker, ENV)
}

/// The issues filed: `POST /projects/acme%2Fapi/issues`.
fn posted(tracker: &FakeTracker) -> Vec<Seen> {
    tracker.requests("POST", "/api/v4/projects/acme%2Fapi/issues")
}

/// The marker searches.
fn searches(tracker: &FakeTracker) -> usize {
    tracker.seen().iter().filter(|s| s.url.contains("search=")).count()
}

#[test]
fn create_files_an_issue_per_outstanding_item_and_writes_the_key_back() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "opened")]);
    tracker.require_token(TOKEN);
    let repo = create_repo(&tracker);
    assert_creates_both(&repo, ["acme/api#41", "acme/api#42"]);

    let seen = tracker.seen();
    let searches: Vec<&Seen> = seen.iter().filter(|s| s.url.contains("search=")).collect();
    assert_eq!(searches.len(), 2, "one search per item before filing: {seen:#?}");
    assert!(
        searches[0].url.starts_with(
            "/api/v4/projects/acme%2Fapi/issues?search=pm-item%3AINC-2026-0007%2F1&in=description"
        ),
        "{}",
        searches[0].url
    );
    let lookups: Vec<&str> = seen
        .iter()
        .filter(|s| s.url.starts_with("/api/v4/users?"))
        .map(|s| s.url.as_str())
        .collect();
    assert_eq!(
        lookups,
        ["/api/v4/users?username=jdoe-gl", "/api/v4/users?username=nobody-asmith"],
        "each owner's login looked up once"
    );

    let filed = posted(&tracker);
    assert_eq!(filed.len(), 2, "{filed:#?}");
    let first = body(&filed[0]);
    assert_eq!(first["title"], "Alert on queue age, not depth");
    assert_eq!(first["labels"], "postmortem,follow-up", "GitLab's labels: one string");
    assert_eq!(first["due_date"], "2026-04-01");
    assert_eq!(first["assignee_ids"], serde_json::json!([11]), "jdoe-gl's user id");
    assert!(
        first["description"].as_str().is_some_and(|d| d
            .contains("https://postmortems.example.com/postmortems/INC-2026-0007.html")
            && d.ends_with("\n\npm-item:INC-2026-0007/1\n")),
        "{first:#}"
    );
    let second = body(&filed[1]);
    assert!(second.get("assignee_ids").is_none(), "nobody-asmith is unknown: {second:#}");
    assert_eq!(tracker.body("acme/api#42").as_deref(), second["description"].as_str());

    // Nothing left to file, and the new issues sync like any other, with their assignee.
    assert_nothing_left_to_file(&repo, || posted(&tracker).len(), 2);
    repo.sync_exits(&[], 0);
    let new = repo.ticket("acme/api#41");
    assert_eq!(new["state"], "open");
    assert_eq!(new["assignee"], "jdoe-gl");
    assert_eq!(new["url"], "https://gitlab.example.com/acme/api/-/issues/41");
}

#[test]
fn create_after_a_crash_never_files_twice() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "opened")]);
    let repo = create_repo(&tracker);
    let original = repo.read(CREATED);
    repo.sync_exits(&["--create"], 0);
    assert_eq!(posted(&tracker).len(), 2);
    assert_a_crash_never_files_twice(
        &repo,
        &original,
        || posted(&tracker).len(),
        || searches(&tracker),
        "gitlab",
    );
}

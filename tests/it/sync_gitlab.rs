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

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::support::fs::{copy_tree, crate_path};
use crate::support::run::{pm, text};
use crate::support::trackers::{FakeTracker, Fault, Issue, Seen};

const TOKEN: &str = "glpat-for-tests";
const NOW: &str = "2026-12-01T09:00:00Z";
const FIXTURE: &str = "tests/fixtures/sync-gitlab";
const POSTMORTEM: &str = "postmortems/2026/INC-2026-0002-ledger-lag.md";

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
fn repo(tracker: &FakeTracker, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    copy_tree(&crate_path(FIXTURE), &root);
    let _ = std::fs::remove_file(root.join("expected-tickets.json"));
    for path in [root.join("pm.toml"), root.join(POSTMORTEM)] {
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replace("@TRACKER@", &tracker.url(""))).expect("write");
    }
    let toml = std::fs::read_to_string(root.join("pm.toml")).expect("pm.toml");
    std::fs::write(root.join("pm.toml"), format!("{toml}{extra}")).expect("write");
    (dir, root)
}

/// Batches one at a time, in key order, so that a scripted fault lands on a known request.
const ONE_AT_A_TIME: &str = "\n[sync]\nconcurrency = 1\n";

fn sync(root: &Path) -> Output {
    pm(["sync"])
        .current_dir(root)
        .env("PM_TEST_GITLAB_TOKEN", TOKEN)
        .env("PM_NOW", NOW)
        .output()
        .expect("run pm sync")
}

fn cache(root: &Path) -> Value {
    let text =
        std::fs::read_to_string(root.join(".pm/tickets.json")).expect("the cache is written");
    serde_json::from_str(&text).expect("the cache is JSON")
}

/// The cache entry of `key`.
fn ticket(cache: &Value, key: &str) -> Value {
    cache["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("{key} is in the cache: {cache:#}"))
        .clone()
}

/// The REST requests for one project (its path encoded as GitLab wants it).
fn project_requests<'s>(seen: &'s [Seen], encoded: &str) -> Vec<&'s Seen> {
    let prefix = format!("/api/v4/projects/{encoded}/issues?");
    seen.iter().filter(|s| s.url.starts_with(&prefix)).collect()
}

#[test]
fn fetches_every_project_and_writes_the_cache() {
    let tracker = FakeTracker::start(issues());
    tracker.require_token(TOKEN);
    let (_dir, root) = repo(&tracker, "");
    let out = sync(&root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
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

    let written = std::fs::read_to_string(root.join(".pm/tickets.json")).expect("cache");
    let expected_path = crate_path(&format!("{FIXTURE}/expected-tickets.json"));
    if std::env::var_os("PM_BLESS").is_some() {
        std::fs::write(&expected_path, &written).expect("bless");
    }
    let expected = std::fs::read_to_string(&expected_path).expect("expected-tickets.json");
    assert_eq!(written, expected, "the cache as blessed (PM_BLESS=1 to re-bless)");

    let again = sync(&root);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(root.join(".pm/tickets.json")).expect("cache"),
        written,
        "same answers, same bytes"
    );
}

#[test]
fn follows_x_next_page_until_it_is_empty() {
    let tracker = FakeTracker::start(issues());
    let (_dir, root) = repo(&tracker, "");
    let out = sync(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

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
    let cache = cache(&root);
    for key in ["acme/api#1", "acme/api#2", "acme/api#3", "acme/api#4", "acme/api#7", "acme/api#8"]
    {
        assert_ne!(ticket(&cache, key)["state"], "missing", "{key} came on one of the pages");
    }
}

#[test]
fn unknown_projects_and_iids_are_missing() {
    let tracker = FakeTracker::start(issues());
    let (_dir, root) = repo(&tracker, "");
    let out = sync(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cache = cache(&root);
    for key in ["acme/api#99", "ghost/tools#1"] {
        let t = ticket(&cache, key);
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
    let (_dir, root) = repo(&tracker, "");
    assert_eq!(sync(&root).status.code(), Some(0));
    let cache = cache(&root);
    for (key, state, tracker_state) in [
        ("acme/api#1", "open", "opened"),
        ("acme/api#2", "done", "closed"),
        ("acme/api#3", "not-done", "closed (wontfix)"),
        ("acme/api#4", "in-progress", "opened (workflow::in progress)"),
        ("acme/api#7", "not-done", "closed (Won't Do)"),
        ("acme/api#8", "in-progress", "opened (Doing)"),
        ("acme/platform/db#12", "in-progress", "opened (status::doing)"),
    ] {
        let t = ticket(&cache, key);
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
    let (_dir, root) = repo(&tracker, "");
    let out = sync(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let t = ticket(&cache(&root), "acme/old#5");
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
    tracker.fault(Fault::Status(
        404,
        vec![("content-type".into(), "text/html".into())],
        "<html><body>Not Found</body></html>".into(),
    ));
    let (_dir, root) = repo(&tracker, ONE_AT_A_TIME);
    let out = sync(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let seen = tracker.seen();
    assert_eq!(
        (seen[3].method.as_str(), seen[3].url.as_str()),
        ("POST", "/api/graphql"),
        "the fourth request is the lookup: {seen:#?}"
    );

    let t = ticket(&cache(&root), "acme/old#5");
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
    let (_dir, root) = repo(&tracker, "");
    let out = sync(&root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("$PM_TEST_GITLAB_TOKEN"), "names the variable: {stderr}");
    assert!(stderr.contains("read_api"), "the scope a token needs: {stderr}");
    assert!(stderr.contains("401"), "{stderr}");
}

#[test]
fn a_server_error_is_retried() {
    let tracker = FakeTracker::start(issues());
    tracker.fault(Fault::Status(500, vec![], "{\"message\":\"500 Internal Server Error\"}".into()));
    let (_dir, root) = repo(&tracker, "");
    let out = sync(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(tracker.seen().len(), 7, "six requests and one retry");
    let cache = cache(&root);
    let tickets = cache["tickets"].as_array().expect("tickets");
    assert_eq!(tickets.len(), TICKETS);
    assert!(tickets.iter().all(|t| t.get("stale").is_none()), "{cache:#}");
}

#[test]
fn a_404_that_is_not_gitlabs_fails_the_batch_instead_of_losing_tickets() {
    let tracker = FakeTracker::start(issues());
    // A wrong `api` (or a proxy) answers 404 with a page of its own: that says nothing about
    // the tickets.
    tracker.fault(Fault::Status(
        404,
        vec![("content-type".into(), "text/html".into())],
        "<html><body>Not Found</body></html>".into(),
    ));
    let (_dir, root) = repo(&tracker, ONE_AT_A_TIME);
    let out = sync(&root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("answered 404"), "{stderr}");
    assert!(
        stderr.contains("not refreshed (kept as they were, marked stale): acme/api#1"),
        "{stderr}"
    );
    let cache = cache(&root);
    let keys: Vec<&str> = cache["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["key"].as_str())
        .collect();
    assert_eq!(
        keys,
        ["acme/old#5", "acme/platform/db#12", "ghost/tools#1"],
        "acme/api is not called missing"
    );
}

/// `tests/fixtures/sync-create-gitlab` pointed at `tracker`, and its postmortem.
fn create_repo(tracker: &FakeTracker) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    copy_tree(&crate_path("tests/fixtures/sync-create-gitlab"), &root);
    let toml = std::fs::read_to_string(root.join("pm.toml")).expect("pm.toml");
    std::fs::write(root.join("pm.toml"), toml.replace("@TRACKER@", &tracker.url("")))
        .expect("write");
    let path = root.join("postmortems/2026/INC-2026-0007-queue-backlog.md");
    (dir, root, path)
}

fn create(root: &Path) -> Output {
    pm(["sync", "--create"])
        .current_dir(root)
        .env("PM_TEST_GITLAB_TOKEN", TOKEN)
        .env("PM_NOW", NOW)
        .output()
        .expect("run pm sync --create")
}

fn body(seen: &Seen) -> Value {
    serde_json::from_str(&seen.body).expect("a JSON body")
}

/// The issues filed: `POST /projects/acme%2Fapi/issues`.
fn posted(tracker: &FakeTracker) -> Vec<Seen> {
    let posts = tracker.seen().into_iter().filter(|s| s.method == "POST");
    posts.filter(|s| s.url == "/api/v4/projects/acme%2Fapi/issues").collect()
}

#[test]
fn create_files_an_issue_per_outstanding_item_and_writes_the_key_back() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "opened")]);
    tracker.require_token(TOKEN);
    let (_dir, root, path) = create_repo(&tracker);
    let original = std::fs::read_to_string(&path).expect("read");

    let out = create(&root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("filed 2 tickets, found 0 filed before, 0 failed"), "{stderr}");
    let after = std::fs::read_to_string(&path).expect("read");
    let expected = original
        .replace("    priority: P1\n", "    priority: P1\n    ticket: acme/api#41\n")
        .replace("status: in-progress}", "status: in-progress, ticket: acme/api#42}");
    assert_eq!(after, expected, "only the two keys were added");

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
    let out = create(&root);
    assert!(text(&out.stderr).contains("filed 0 tickets"), "{}", text(&out.stderr));
    assert_eq!(posted(&tracker).len(), 2);
    let out = sync(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cache = cache(&root);
    let new = ticket(&cache, "acme/api#41");
    assert_eq!(new["state"], "open");
    assert_eq!(new["assignee"], "jdoe-gl");
    assert_eq!(new["url"], "https://gitlab.example.com/acme/api/-/issues/41");
}

#[test]
fn create_after_a_crash_never_files_twice() {
    let tracker = FakeTracker::start(vec![Issue::new("acme/api#40", "opened")]);
    let (_dir, root, path) = create_repo(&tracker);
    let original = std::fs::read_to_string(&path).expect("read");
    assert_eq!(create(&root).status.code(), Some(0));
    let done = std::fs::read_to_string(&path).expect("read");
    assert_eq!(posted(&tracker).len(), 2);

    // Crashed after filing, before the postmortem was edited: the journal has the keys.
    std::fs::write(&path, &original).expect("restore");
    let searched = tracker.seen().iter().filter(|s| s.url.contains("search=")).count();
    let out = create(&root);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(posted(&tracker).len(), 2, "nothing filed again");
    let searches = tracker.seen().iter().filter(|s| s.url.contains("search=")).count();
    assert_eq!(searches, searched, "the journal answers without asking GitLab");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), done);

    // Crashed before even the journal was written: GitLab's search finds the marker.
    std::fs::write(&path, &original).expect("restore");
    std::fs::remove_file(root.join(".pm/tickets.json")).expect("forget the journal");
    let out = create(&root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("found 2 filed before"), "{stderr}");
    assert_eq!(posted(&tracker).len(), 2, "nothing filed again");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), done);
}

//! GitLab (SaaS and self-managed), REST v4: the issues of one project come in one request,
//! `GET /projects/:path/issues?iids[]=1&iids[]=2…&per_page=100&scope=all`, so a batch of a
//! hundred tickets of one project is one request (more only if GitLab pages the answer, which
//! `x-next-page` says). A project GitLab does not know, or hides from the token (`404 Project
//! Not Found`), makes every ticket of it `missing`; so does an iid the answer leaves out.
//!
//! States: GitLab issues are only `opened` or `closed`, so the rest comes from labels, compared
//! without case, apostrophes or `-`/`_` (a scoped label `scope::value` counts by its value):
//! an opened issue labelled `doing` or `in progress` (`workflow::in progress`, `status::doing`)
//! is `in-progress`, any other opened issue `open`; a closed issue is `done`, unless it was
//! closed as a duplicate (`_links.closed_as_duplicate_of`) or is labelled `wontfix`, `won't fix`,
//! `won't do`, `duplicate` or `declined`: then it is `not-done`.
//!
//! Moved issues: GitLab keeps the old issue, closed, with `moved_to_id`, the new issue's global
//! id (shown only to tokens that can read the new issue). The REST API finds an issue by global
//! id only for administrators (`GET /issues/:id`), so the new home is asked of the GraphQL API
//! (`issue(id: "gid://gitlab/Issue/N")`, which any `read_api` token may use), following a chain
//! of moves; the ticket then carries the new issue's state and `moved_to` its `group/project#iid`.
//! When GraphQL cannot say (no such endpoint, or the new issue is gone), the ticket is `missing`
//! with `moved_to` `gitlab issue id N`: the old issue is not where the work is.
//!
//! Filing (`pm sync --create`): the project's issues are searched for the item's marker
//! (`search=…&in=description`, a substring match, so the description is checked for the marker
//! on a line of its own) before `POST /projects/:path/issues` files one with the title,
//! description, labels (one comma-separated string), due date and the owner as assignee.
//! Assignees go by user id, looked up by login (`GET /users?username=`); a login GitLab does not
//! know files the ticket unassigned. Issues have no priority field (weights are a paid feature),
//! so the priority stays in the description.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::http::{Client, HttpError, Reply, Safety, encode_component};
use super::sync::{Created, Fetched, NewTicket, Provider, has_marker, time};
use crate::model::TicketState;

/// The GitLab provider.
pub(crate) struct GitLab;

/// Labels (normalised, see [`normalize`]) that say work has started on an opened issue.
const STARTED: &[&str] = &["doing", "in progress"];

/// Labels (normalised) that say a closed issue was closed without the work being done.
const NOT_DONE: &[&str] = &["wontfix", "wont fix", "wontdo", "wont do", "duplicate", "declined"];

/// Moved issues looked up per GraphQL query: GitLab caps a query's complexity (250 for a token),
/// and each lookup with its labels and assignees costs about twenty.
const MOVES_PER_QUERY: usize = 10;

/// Moves followed from the old issue, so that a cycle cannot keep `pm sync` asking forever.
const MOST_HOPS: usize = 5;

const GRAPHQL_FIELDS: &str = "iid state reference(full: true) webUrl updatedAt closedAt \
    assignees { nodes { username } } labels { nodes { title } } movedTo { id } \
    closedAsDuplicateOf { id }";

impl Provider for GitLab {
    fn group(&self, key: &str) -> String {
        key.rsplit_once('#').map_or(key, |(p, _)| p).to_ascii_lowercase()
    }

    fn batch_size(&self) -> usize {
        100
    }

    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError> {
        // Project paths are case-insensitive in GitLab: one request per project, however spelt.
        let mut projects: BTreeMap<String, (&str, BTreeMap<u64, Vec<&str>>)> = BTreeMap::new();
        let mut out = Vec::new();
        for key in keys {
            match key.rsplit_once('#').map(|(p, n)| (p, n.parse::<u64>())) {
                Some((project, Ok(iid))) if project.contains('/') => {
                    let (_, iids) = projects
                        .entry(project.to_ascii_lowercase())
                        .or_insert_with(|| (project, BTreeMap::new()));
                    iids.entry(iid).or_default().push(key);
                }
                _ => out.push(Fetched::missing(key)),
            }
        }
        let mut moves = Vec::new();
        for (project, wanted) in projects.values() {
            let iids: Vec<u64> = wanted.keys().copied().collect();
            let Some(issues) = list(client, project, &iids)? else {
                out.extend(wanted.values().flatten().map(|key| Fetched::missing(key)));
                continue;
            };
            let by_iid: BTreeMap<u64, &Value> = issues
                .iter()
                .filter_map(|issue| Some((issue.get("iid")?.as_u64()?, issue)))
                .collect();
            for (iid, keys) in wanted {
                for key in keys {
                    let Some(issue) = by_iid.get(iid) else {
                        out.push(Fetched::missing(key));
                        continue;
                    };
                    let fetched = Facts::rest(issue).map(|f| f.fetched(key)).ok_or_else(|| {
                        client.malformed(
                            &issues_path(project, &iids, 1),
                            200,
                            "an issue without a state",
                        )
                    })?;
                    match issue.get("moved_to_id").and_then(Value::as_u64) {
                        Some(id) => moves.push(Move {
                            old: fetched,
                            first: id,
                            next: Some(id),
                            found: None,
                        }),
                        None => out.push(fetched),
                    }
                }
            }
        }
        if !moves.is_empty() {
            follow(client, &mut moves)?;
            out.extend(moves.into_iter().map(Move::outcome));
        }
        Ok(out)
    }

    fn find(&self, client: &Client, new: &NewTicket) -> Result<Option<Created>, HttpError> {
        let path = format!(
            "projects/{}/issues?search={}&in=description&scope=all&per_page=100",
            encode_component(&new.project),
            encode_component(&new.marker)
        );
        let reply = client.get(&path)?;
        if reply.status != 200 {
            return Err(client.unexpected(&path, &reply));
        }
        let Some(issues) = reply.json.as_array() else {
            return Err(client.malformed(&path, reply.status, "not a list of issues"));
        };
        // The search matches a substring: `…/1` finds the ticket of `…/12` too.
        let Some(issue) = issues.iter().find(|i| {
            i.get("description").and_then(Value::as_str).is_some_and(|d| has_marker(d, &new.marker))
        }) else {
            return Ok(None);
        };
        created(&new.project, issue)
            .map(Some)
            .ok_or_else(|| client.malformed(&path, reply.status, "an issue without an iid"))
    }

    fn create(&self, client: &Client, new: &NewTicket) -> Result<Created, HttpError> {
        let path = format!("projects/{}/issues", encode_component(&new.project));
        let mut body = json!({ "title": new.title, "description": new.body });
        if !new.labels.is_empty() {
            body["labels"] = json!(new.labels.join(","));
        }
        if let Some(due) = new.due {
            body["due_date"] = json!(due.to_string());
        }
        if let Some(login) = &new.assignee {
            if let Some(id) = user_id(client, login)? {
                body["assignee_ids"] = json!([id]);
            }
        }
        let reply = client.post(&path, &body, Safety::Creates)?;
        if reply.status != 201 {
            return Err(client.unexpected(&path, &reply));
        }
        created(&new.project, &reply.json)
            .ok_or_else(|| client.malformed(&path, reply.status, "a created issue without an iid"))
    }
}

/// The ticket `issue` (a REST issue of `project`) is.
fn created(project: &str, issue: &Value) -> Option<Created> {
    let iid = issue.get("iid")?.as_u64()?;
    Some(Created {
        key: format!("{project}#{iid}"),
        url: issue.get("web_url").and_then(Value::as_str).map(str::to_owned),
    })
}

/// The id of the user `login`, which GitLab's assignees are given by. `None` when GitLab knows
/// no such user or will not say: the ticket is then filed unassigned rather than not at all.
fn user_id(client: &Client, login: &str) -> Result<Option<u64>, HttpError> {
    let path = format!("users?username={}", encode_component(login));
    let reply = match client.get(&path) {
        Err(HttpError::Auth { status: 403, .. }) => return Ok(None),
        reply => reply?,
    };
    if reply.status != 200 {
        return Ok(None);
    }
    Ok(reply.json.pointer("/0/id").and_then(Value::as_u64))
}

/// The issues of `project` with these `iids`, every page; `None` when GitLab does not know the
/// project (or hides it from the token: GitLab answers both with `404 Project Not Found`).
fn list(client: &Client, project: &str, iids: &[u64]) -> Result<Option<Vec<Value>>, HttpError> {
    let mut issues = Vec::new();
    let mut page = 1;
    loop {
        let path = issues_path(project, iids, page);
        let reply = client.get(&path)?;
        if reply.status == 404 && project_not_found(&reply) {
            return Ok(None);
        }
        if reply.status != 200 {
            return Err(client.unexpected(&path, &reply));
        }
        let Some(found) = reply.json.as_array() else {
            return Err(client.malformed(&path, reply.status, "not a list of issues"));
        };
        issues.extend(found.iter().cloned());
        // Each page holds at least one of the iids asked, so a next page beyond their count
        // (or one that does not move forward) is a server error, not a reason to keep asking.
        match reply.header("x-next-page").and_then(|n| n.trim().parse::<usize>().ok()) {
            Some(next) if next > page && next <= iids.len() => page = next,
            _ => return Ok(Some(issues)),
        }
    }
}

fn issues_path(project: &str, iids: &[u64], page: usize) -> String {
    let filter: String = iids.iter().map(|iid| format!("iids%5B%5D={iid}&")).collect();
    format!(
        "projects/{}/issues?{filter}per_page=100&page={page}&scope=all",
        super::http::encode_component(project)
    )
}

/// A 404 that is GitLab's "no such project", not a wrong `api` address (whose 404 must fail the
/// batch, or every ticket would silently turn `missing`).
fn project_not_found(reply: &Reply) -> bool {
    reply
        .json
        .get("message")
        .and_then(Value::as_str)
        .is_some_and(|m| m.to_ascii_lowercase().contains("project not found"))
}

/// What both APIs say about an issue, under their own field names.
struct Facts<'a> {
    state: &'a str,
    labels: Vec<&'a str>,
    duplicate: bool,
    url: Option<&'a str>,
    assignee: Option<&'a str>,
    updated_at: Option<&'a Value>,
    closed_at: Option<&'a Value>,
}

impl<'a> Facts<'a> {
    /// From a REST issue (labels as names, or as objects with `with_labels_details`).
    fn rest(issue: &'a Value) -> Option<Self> {
        let labels = issue.get("labels").and_then(Value::as_array);
        Some(Self {
            state: issue.get("state")?.as_str()?,
            labels: labels
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str().or_else(|| l.get("name")?.as_str()))
                .collect(),
            duplicate: issue
                .pointer("/_links/closed_as_duplicate_of")
                .is_some_and(|d| !d.is_null()),
            url: issue.get("web_url").and_then(Value::as_str),
            assignee: issue
                .pointer("/assignees/0/username")
                .or_else(|| issue.pointer("/assignee/username"))
                .and_then(Value::as_str),
            updated_at: issue.get("updated_at"),
            closed_at: issue.get("closed_at"),
        })
    }

    /// From a GraphQL `Issue`.
    fn graphql(issue: &'a Value) -> Option<Self> {
        let labels = issue.pointer("/labels/nodes").and_then(Value::as_array);
        Some(Self {
            state: issue.get("state")?.as_str()?,
            labels: labels.into_iter().flatten().filter_map(|l| l.get("title")?.as_str()).collect(),
            duplicate: issue.get("closedAsDuplicateOf").is_some_and(|d| !d.is_null()),
            url: issue.get("webUrl").and_then(Value::as_str),
            assignee: issue.pointer("/assignees/nodes/0/username").and_then(Value::as_str),
            updated_at: issue.get("updatedAt"),
            closed_at: issue.get("closedAt"),
        })
    }

    fn fetched(&self, key: &str) -> Fetched {
        let (state, tracker_state) = classify(self.state, &self.labels, self.duplicate);
        Fetched {
            key: key.to_owned(),
            url: self.url.map(str::to_owned),
            state,
            tracker_state,
            assignee: self.assignee.map(str::to_owned),
            updated_at: time(self.updated_at),
            closed_at: time(self.closed_at),
            moved_to: None,
        }
    }
}

/// An issue's state on the one scale, and as GitLab shows it (with the label that decided it).
/// Any state but `closed` counts as open: `opened` is the only other one issues have.
fn classify(state: &str, labels: &[&str], duplicate: bool) -> (TicketState, String) {
    let labelled = |names: &[&str]| {
        labels.iter().find(|label| names.contains(&normalize(label).as_str())).copied()
    };
    if state == "closed" {
        if duplicate {
            return (TicketState::NotDone, "closed (duplicate)".to_owned());
        }
        return match labelled(NOT_DONE) {
            Some(label) => (TicketState::NotDone, format!("closed ({label})")),
            None => (TicketState::Done, "closed".to_owned()),
        };
    }
    match labelled(STARTED) {
        Some(label) => (TicketState::InProgress, format!("{state} ({label})")),
        None => (TicketState::Open, state.to_owned()),
    }
}

/// A label as compared: the value of a scoped label, lower case, without apostrophes, with `-`
/// and `_` as spaces and runs of spaces as one (`Won't-Fix` → `wont fix`).
fn normalize(label: &str) -> String {
    let value = label.rsplit("::").next().unwrap_or(label);
    let plain: String = value
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}'))
        .map(|c| if matches!(c, '-' | '_') { ' ' } else { c })
        .flat_map(char::to_lowercase)
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A ticket whose issue was moved, on its way to the issue that holds the work now.
struct Move {
    /// The old issue, as the REST API described it.
    old: Fetched,
    /// The global id it first moved to.
    first: u64,
    /// The global id still to look up.
    next: Option<u64>,
    /// The latest issue found along the chain, and its `group/project#iid`.
    found: Option<(Fetched, String)>,
}

impl Move {
    fn outcome(self) -> Fetched {
        match self.found {
            Some((new, reference)) => {
                Fetched { key: self.old.key, moved_to: Some(reference), ..new }
            }
            None => Fetched {
                state: TicketState::Missing,
                tracker_state: "closed (moved)".to_owned(),
                moved_to: Some(format!("gitlab issue id {}", self.first)),
                ..self.old
            },
        }
    }
}

/// Follows every move through GraphQL, hop by hop, batching the lookups of one hop.
fn follow(client: &Client, moves: &mut [Move]) -> Result<(), HttpError> {
    let Some(graphql) = graphql_url(client.base()) else { return Ok(()) };
    for _ in 0..MOST_HOPS {
        let mut ids: Vec<u64> = moves.iter().filter_map(|m| m.next).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            break;
        }
        let mut found = BTreeMap::new();
        for chunk in ids.chunks(MOVES_PER_QUERY) {
            let Some(answers) = lookup(client, &graphql, chunk)? else { return Ok(()) };
            found.extend(answers);
        }
        for m in moves.iter_mut() {
            let Some(id) = m.next else { continue };
            let issue = found.get(&id);
            let read = issue.and_then(|i| {
                let reference = i.get("reference")?.as_str()?.to_owned();
                Some((Facts::graphql(i)?.fetched(&m.old.key), reference))
            });
            // An issue found ends the chain unless it moved on too; one not found ends it
            // where it is (GitLab shows no move to an issue the token cannot read).
            m.next = None;
            if let Some(read) = read {
                m.next = issue.and_then(|i| gid(i.pointer("/movedTo/id")?.as_str()?));
                m.found = Some(read);
            }
        }
    }
    Ok(())
}

/// The GraphQL endpoint beside REST v4 (`https://host/api/v4` → `https://host/api/graphql`).
fn graphql_url(base: &str) -> Option<String> {
    base.strip_suffix("/api/v4").map(|root| format!("{root}/api/graphql"))
}

/// The issues with these global ids, by id (those GitLab does not show are left out); `None`
/// when the instance has no GraphQL endpoint.
fn lookup(
    client: &Client,
    graphql: &str,
    ids: &[u64],
) -> Result<Option<BTreeMap<u64, Value>>, HttpError> {
    let mut params = Vec::new();
    let mut body = String::new();
    let mut variables = serde_json::Map::new();
    for (i, id) in ids.iter().enumerate() {
        params.push(format!("$i{i}: IssueID!"));
        body.push_str(&format!(" i{i}: issue(id: $i{i}) {{ {GRAPHQL_FIELDS} }}"));
        variables.insert(format!("i{i}"), json!(format!("gid://gitlab/Issue/{id}")));
    }
    let query = format!("query({}) {{{body} }}", params.join(", "));
    let reply = client.post(
        graphql,
        &json!({ "query": query, "variables": variables }),
        Safety::Idempotent,
    )?;
    if reply.status == 404 {
        return Ok(None);
    }
    let data = reply.json.get("data").filter(|d| d.is_object());
    let (200, Some(data)) = (reply.status, data) else {
        return Err(client.unexpected(graphql, &reply));
    };
    Ok(Some(
        ids.iter()
            .enumerate()
            .filter_map(|(i, id)| {
                Some((*id, data.get(format!("i{i}")).filter(|d| d.is_object())?.clone()))
            })
            .collect(),
    ))
}

/// The number of a global id, `gid://gitlab/Issue/123` → 123.
fn gid(id: &str) -> Option<u64> {
    id.strip_prefix("gid://gitlab/")?.rsplit('/').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(state: &str, labels: &[&str]) -> (TicketState, String) {
        classify(state, labels, false)
    }

    #[test]
    fn opened_issues_are_open_unless_a_label_says_work_started() {
        assert_eq!(state("opened", &[]), (TicketState::Open, "opened".into()));
        assert_eq!(state("opened", &["bug", "P1"]), (TicketState::Open, "opened".into()));
        assert_eq!(
            state("opened", &["bug", "Doing"]),
            (TicketState::InProgress, "opened (Doing)".into())
        );
        for label in
            ["in progress", "In-Progress", "in_progress", "workflow::in progress", "status::doing"]
        {
            assert_eq!(state("opened", &[label]).0, TicketState::InProgress, "{label}");
        }
        assert_eq!(state("opened", &["workflow::ready"]).0, TicketState::Open);
        assert_eq!(state("opened", &["doing-later"]).0, TicketState::Open, "whole words only");
    }

    #[test]
    fn closed_issues_are_done_unless_closed_without_the_work() {
        assert_eq!(state("closed", &[]), (TicketState::Done, "closed".into()));
        assert_eq!(state("closed", &["doing"]), (TicketState::Done, "closed".into()));
        assert_eq!(
            state("closed", &["bug", "wontfix"]),
            (TicketState::NotDone, "closed (wontfix)".into())
        );
        for label in [
            "Won't Fix",
            "won't-fix",
            "Won’t do",
            "wont_do",
            "Duplicate",
            "declined",
            "resolution::won't fix",
        ] {
            assert_eq!(state("closed", &[label]).0, TicketState::NotDone, "{label}");
        }
        assert_eq!(
            classify("closed", &[], true),
            (TicketState::NotDone, "closed (duplicate)".into()),
            "closed with /duplicate"
        );
        assert_eq!(state("opened", &["wontfix"]).0, TicketState::Open, "not closed yet");
    }

    #[test]
    fn reads_a_rest_issue() {
        let issue = json!({
            "id": 76, "iid": 6, "state": "closed", "labels": ["bug"],
            "web_url": "https://gitlab.example.com/acme/api/-/issues/6",
            "assignees": [{"username": "asmith"}], "assignee": {"username": "asmith"},
            "updated_at": "2026-11-20T10:00:00.081Z", "closed_at": "2026-11-19T08:00:00Z",
            "moved_to_id": null, "type": "ISSUE",
            "_links": {"closed_as_duplicate_of": "https://gitlab.example.com/api/v4/projects/1/issues/5"}
        });
        let f = Facts::rest(&issue).expect("facts").fetched("acme/api#6");
        assert_eq!(f.state, TicketState::NotDone);
        assert_eq!(f.tracker_state, "closed (duplicate)");
        assert_eq!(f.url.as_deref(), Some("https://gitlab.example.com/acme/api/-/issues/6"));
        assert_eq!(f.assignee.as_deref(), Some("asmith"));
        assert_eq!(
            f.updated_at.map(|t| t.to_string()).as_deref(),
            Some("2026-11-20T10:00:00.081Z")
        );
        assert_eq!(f.closed_at.map(|t| t.to_string()).as_deref(), Some("2026-11-19T08:00:00Z"));

        let old_style = json!({"iid": 1, "state": "opened", "assignee": {"username": "jdoe"},
            "labels": [{"name": "workflow::in progress"}]});
        let f = Facts::rest(&old_style).expect("facts").fetched("acme/api#1");
        assert_eq!((f.state, f.assignee.as_deref()), (TicketState::InProgress, Some("jdoe")));
        assert!(Facts::rest(&json!({"iid": 1})).is_none(), "no state, no ticket");
    }

    #[test]
    fn reads_a_graphql_issue() {
        let issue = json!({
            "iid": "6", "state": "opened", "reference": "acme/new#6",
            "webUrl": "https://gitlab.example.com/acme/new/-/issues/6",
            "updatedAt": "2026-11-20T10:00:00Z", "closedAt": null,
            "assignees": {"nodes": [{"username": "asmith"}]},
            "labels": {"nodes": [{"title": "status::doing"}]},
            "movedTo": null, "closedAsDuplicateOf": null
        });
        let f = Facts::graphql(&issue).expect("facts").fetched("acme/old#5");
        assert_eq!(
            (f.state, f.tracker_state.as_str()),
            (TicketState::InProgress, "opened (status::doing)")
        );
        assert_eq!(f.assignee.as_deref(), Some("asmith"));
        assert_eq!(f.closed_at, None);
    }

    #[test]
    fn a_move_nobody_can_follow_leaves_the_ticket_missing_with_the_id() {
        let old = Facts::rest(
            &json!({"iid": 5, "state": "closed", "web_url": "https://g/acme/old/-/issues/5"}),
        )
        .expect("facts")
        .fetched("acme/old#5");
        let lost = Move { old: old.clone(), first: 1234, next: None, found: None }.outcome();
        assert_eq!(lost.state, TicketState::Missing);
        assert_eq!(lost.tracker_state, "closed (moved)");
        assert_eq!(lost.moved_to.as_deref(), Some("gitlab issue id 1234"));
        assert_eq!(
            lost.url.as_deref(),
            Some("https://g/acme/old/-/issues/5"),
            "the old page says where"
        );

        let mut new = old.clone();
        new.state = TicketState::Open;
        new.url = Some("https://g/acme/new/-/issues/6".into());
        let found = Move { old, first: 1234, next: None, found: Some((new, "acme/new#6".into())) }
            .outcome();
        assert_eq!((found.key.as_str(), found.state), ("acme/old#5", TicketState::Open));
        assert_eq!(found.moved_to.as_deref(), Some("acme/new#6"));
    }

    #[test]
    fn addresses() {
        assert_eq!(
            crate::trackers::http::encode_component("acme/platform/db-1.x_y"),
            "acme%2Fplatform%2Fdb-1.x_y"
        );
        assert_eq!(
            issues_path("acme/api", &[1, 12], 2),
            "projects/acme%2Fapi/issues?iids%5B%5D=1&iids%5B%5D=12&per_page=100&page=2&scope=all"
        );
        assert_eq!(
            graphql_url("https://gitlab.example.com/gitlab/api/v4").as_deref(),
            Some("https://gitlab.example.com/gitlab/api/graphql")
        );
        assert_eq!(graphql_url("https://proxy.example.com/gl"), None);
        assert_eq!(gid("gid://gitlab/Issue/123"), Some(123));
        assert_eq!(gid("123"), None);
        assert_eq!(GitLab.group("Acme/API#7"), GitLab.group("acme/api#8"));
    }
}

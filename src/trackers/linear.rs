//! Linear, GraphQL: one `issues(filter: { team: { key: { eq } }, number: { in } })` query per
//! team and batch (keys `ENG-42` are a team key and a number), following `pageInfo` cursors.
//! The team and the numbers travel as variables, never spliced into the query text.
//!
//! An issue moved to another team gets a new identifier, so the team-and-number filter no
//! longer finds it under the old one; `issue(id: "ENG-42")` still does (Linear resolves old
//! identifiers), and answers with the new identifier: that is recorded as `moved_to`. An
//! identifier neither query finds is `missing`.
//!
//! States follow the workflow state's type: `triage`, `backlog`, `unstarted` → open; `started`
//! → in-progress; `completed` → done; `canceled` (where duplicates go too) → not-done.
//!
//! Linear reports a refused key as a GraphQL error (`extensions.type: "authentication error"`),
//! with status 200 or 400 rather than 401: that stops the run as a 401 would.
//!
//! Filing (`pm sync --create`): the team's issues are searched for the item's marker
//! (`description: { contains: $marker }`, then checked for the marker on a line of its own);
//! one query then looks up what `issueCreate` takes by id (the team by its key, the owner by
//! email, the tracker's labels by name, workspace labels and the team's own), and the mutation
//! files the issue with the title, the markdown description, due date, priority (P0–P3 as
//! Linear's 1 urgent to 4 low), assignee and labels. An owner or a label Linear does not know is
//! left out.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::http::{Client, HttpError, Reply, Safety};
use super::sync::{Created, Fetched, NewTicket, Provider, has_marker, time};
use crate::model::{Priority, TicketState};

/// The Linear provider.
pub(crate) struct Linear;

const GRAPHQL: &str = "graphql";

const FIELDS: &str = "identifier number url updatedAt completedAt canceledAt state { name type } assignee { name email displayName }";

fn issues_query() -> String {
    format!(
        "query($team: String!, $numbers: [Float!], $after: String) {{ issues(first: 100, after: $after, filter: {{ team: {{ key: {{ eq: $team }} }}, number: {{ in: $numbers }} }}) {{ nodes {{ {FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
}

fn issue_query() -> String {
    format!("query($id: String!) {{ issue(id: $id) {{ {FIELDS} }} }}")
}

const FIND: &str = "query($team: String!, $marker: String!) { issues(first: 50, filter: { team: { key: { eq: $team } }, description: { contains: $marker } }) { nodes { identifier url description } } }";

const CREATE: &str = "mutation($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { identifier url } } }";

/// The query that turns the team key, the owner's email and label names into the ids
/// `issueCreate` takes, asking only for what there is to look up.
fn ids_query(email: bool, labels: bool) -> String {
    let mut params = String::from("$team: String!");
    let mut fields = String::from("teams(filter: { key: { eq: $team } }) { nodes { id } }");
    if email {
        params.push_str(", $email: String!");
        fields.push_str(" users(filter: { email: { eq: $email } }) { nodes { id } }");
    }
    if labels {
        params.push_str(", $labels: [String!]!");
        fields.push_str(
            " issueLabels(filter: { name: { in: $labels } }) { nodes { id name team { id } } }",
        );
    }
    format!("query({params}) {{ {fields} }}")
}

impl Provider for Linear {
    fn group(&self, key: &str) -> String {
        key.split('-').next().unwrap_or(key).to_owned()
    }

    fn batch_size(&self) -> usize {
        100
    }

    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError> {
        let mut out = Vec::new();
        let mut teams: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
        for key in keys {
            match key.rsplit_once('-').map(|(t, n)| (t, n.parse::<u64>())) {
                Some((team, Ok(number))) if !team.is_empty() => {
                    teams.entry(team).or_default().push((key, number));
                }
                _ => out.push(Fetched::missing(key)),
            }
        }
        for (team, wanted) in teams {
            let numbers: Vec<u64> = wanted.iter().map(|(_, n)| *n).collect();
            let found = search(client, team, &numbers)?;
            for (key, _) in wanted {
                let issue = found.iter().find(|i| {
                    i.get("identifier")
                        .and_then(Value::as_str)
                        .is_some_and(|id| id.eq_ignore_ascii_case(key))
                });
                out.push(match issue {
                    Some(issue) => read(key, issue).ok_or_else(|| {
                        client.malformed(GRAPHQL, 200, "an issue without a state")
                    })?,
                    None => lookup(client, key)?,
                });
            }
        }
        Ok(out)
    }

    fn find(&self, client: &Client, new: &NewTicket) -> Result<Option<Created>, HttpError> {
        let variables = json!({ "team": new.project, "marker": new.marker });
        let reply =
            post(client, &json!({ "query": FIND, "variables": variables }), Safety::Idempotent)?;
        if let Some(error) = errors(&reply).first() {
            return Err(graphql_error(client, &reply, error));
        }
        let Some(nodes) = reply.json.pointer("/data/issues/nodes").and_then(Value::as_array) else {
            return Err(client.malformed(GRAPHQL, reply.status, "`issues` without `nodes`"));
        };
        // `contains` matches a substring: `…/1` finds the ticket of `…/12` too.
        let found = nodes.iter().find(|i| {
            i.get("description").and_then(Value::as_str).is_some_and(|d| has_marker(d, &new.marker))
        });
        found
            .map(|issue| {
                created(issue).ok_or_else(|| {
                    client.malformed(GRAPHQL, reply.status, "an issue without an identifier")
                })
            })
            .transpose()
    }

    fn create(&self, client: &Client, new: &NewTicket) -> Result<Created, HttpError> {
        let mut variables = json!({ "team": new.project });
        if let Some(email) = &new.assignee {
            variables["email"] = json!(email);
        }
        if !new.labels.is_empty() {
            variables["labels"] = json!(new.labels);
        }
        let query = ids_query(new.assignee.is_some(), !new.labels.is_empty());
        let reply =
            post(client, &json!({ "query": query, "variables": variables }), Safety::Idempotent)?;
        if let Some(error) = errors(&reply).first() {
            return Err(graphql_error(client, &reply, error));
        }
        let data = reply.json.get("data").unwrap_or(&Value::Null);
        let Some(team) = data.pointer("/teams/nodes/0/id").and_then(Value::as_str) else {
            return Err(HttpError::Status {
                tracker: client.tracker().to_owned(),
                url: format!("{}/{GRAPHQL}", client.base()),
                status: reply.status,
                message: format!(
                    "Linear has no team with the key `{}` (the `project` tickets are filed in)",
                    new.project
                ),
            });
        };
        let mut input = json!({ "teamId": team, "title": new.title, "description": new.body });
        if let Some(due) = new.due {
            input["dueDate"] = json!(due.to_string());
        }
        if let Some(priority) = new.priority {
            input["priority"] = json!(priority_number(priority));
        }
        if let Some(user) = data.pointer("/users/nodes/0/id").and_then(Value::as_str) {
            input["assigneeId"] = json!(user);
        }
        let labels = label_ids(data, team, &new.labels);
        if !labels.is_empty() {
            input["labelIds"] = json!(labels);
        }
        let body = json!({ "query": CREATE, "variables": { "input": input } });
        let reply = post(client, &body, Safety::Creates)?;
        if let Some(error) = errors(&reply).first() {
            return Err(graphql_error(client, &reply, error));
        }
        let result = reply.json.pointer("/data/issueCreate");
        let issue = result
            .filter(|r| r.get("success").and_then(Value::as_bool) == Some(true))
            .and_then(|r| r.get("issue"));
        issue.and_then(created).ok_or_else(|| {
            client.malformed(GRAPHQL, reply.status, "an `issueCreate` without a created issue")
        })
    }
}

/// The ticket a filed `issue` is.
fn created(issue: &Value) -> Option<Created> {
    Some(Created {
        key: issue.get("identifier")?.as_str()?.to_owned(),
        url: issue.get("url").and_then(Value::as_str).map(str::to_owned),
    })
}

/// Linear's priorities: 1 urgent, 2 high, 3 medium, 4 low (0 is none).
fn priority_number(priority: Priority) -> u8 {
    match priority {
        Priority::P0 => 1,
        Priority::P1 => 2,
        Priority::P2 => 3,
        Priority::P3 => 4,
    }
}

/// The ids of the labels named `names` that an issue of `team` may carry (workspace labels, and
/// the team's own, which win over a workspace label of the same name), in the order named. A
/// name Linear does not know is left out rather than created.
fn label_ids(data: &Value, team: &str, names: &[String]) -> Vec<String> {
    let nodes = data.pointer("/issueLabels/nodes").and_then(Value::as_array);
    let nodes: Vec<&Value> = nodes.into_iter().flatten().collect();
    let mut ids = Vec::new();
    for name in names {
        let usable = |own: bool| {
            nodes.iter().find(|l| {
                let label_team = l.pointer("/team/id").and_then(Value::as_str);
                l.get("name").and_then(Value::as_str) == Some(name.as_str())
                    && if own { label_team == Some(team) } else { label_team.is_none() }
            })
        };
        let id = usable(true).or_else(|| usable(false)).and_then(|l| l.get("id")?.as_str());
        if let Some(id) = id.filter(|id| !ids.iter().any(|i: &String| i == id)) {
            ids.push(id.to_owned());
        }
    }
    ids
}

/// Every issue of `team` numbered `numbers`, all pages.
fn search(client: &Client, team: &str, numbers: &[u64]) -> Result<Vec<Value>, HttpError> {
    let query = issues_query();
    let mut issues = Vec::new();
    let mut after: Option<String> = None;
    // Each page holds at least one issue and a number finds at most one: more pages than
    // numbers means pagination that does not end.
    for _ in 0..=numbers.len() {
        let variables = json!({ "team": team, "numbers": numbers, "after": after });
        let body = json!({ "query": query, "variables": variables });
        let reply = post(client, &body, Safety::Idempotent)?;
        if let Some(error) = errors(&reply).first() {
            return Err(graphql_error(client, &reply, error));
        }
        let Some(page) = reply.json.pointer("/data/issues") else {
            return Err(client.malformed(GRAPHQL, reply.status, "no `issues` in `data`"));
        };
        let Some(nodes) = page.get("nodes").and_then(Value::as_array) else {
            return Err(client.malformed(GRAPHQL, reply.status, "`issues` without `nodes`"));
        };
        issues.extend(nodes.iter().cloned());
        let more = page.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool) == Some(true);
        let cursor = page.pointer("/pageInfo/endCursor").and_then(Value::as_str);
        match cursor {
            Some(cursor) if more && !nodes.is_empty() => after = Some(cursor.to_owned()),
            _ => return Ok(issues),
        }
    }
    Err(client.malformed(GRAPHQL, 200, "pages that do not end"))
}

/// `key` looked up by itself: under a new identifier if it moved, `missing` if Linear does not
/// know it.
fn lookup(client: &Client, key: &str) -> Result<Fetched, HttpError> {
    let body = json!({ "query": issue_query(), "variables": { "id": key } });
    let reply = post(client, &body, Safety::Idempotent)?;
    let errors = errors(&reply);
    if let Some(error) = errors.iter().find(|e| !is_not_found(e)) {
        return Err(graphql_error(client, &reply, error));
    }
    match reply.json.pointer("/data/issue").filter(|i| i.is_object()) {
        Some(issue) => read(key, issue)
            .ok_or_else(|| client.malformed(GRAPHQL, 200, "an issue without a state")),
        None if !errors.is_empty() => Ok(Fetched::missing(key)),
        None => Err(client.malformed(GRAPHQL, reply.status, "no `issue` in `data`")),
    }
}

/// A GraphQL request; a refused key, however Linear words it, is an authentication error.
fn post(client: &Client, body: &Value, safety: Safety) -> Result<Reply, HttpError> {
    let reply = client.post(GRAPHQL, body, safety)?;
    if let Some(error) = errors(&reply).iter().find(|e| is_refusal(e)) {
        let status = error
            .pointer("/extensions/statusCode")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(reply.status);
        return Err(client.refused(GRAPHQL, status, message(error)));
    }
    // Linear answers GraphQL errors with 400 as well as 200; both carry `errors`.
    if reply.status == 200 || (reply.status == 400 && !errors(&reply).is_empty()) {
        Ok(reply)
    } else {
        Err(client.unexpected(GRAPHQL, &reply))
    }
}

fn errors(reply: &Reply) -> Vec<Value> {
    reply.json.get("errors").and_then(Value::as_array).cloned().unwrap_or_default()
}

fn extension<'v>(error: &'v Value, name: &str) -> &'v str {
    error.get("extensions").and_then(|e| e.get(name)).and_then(Value::as_str).unwrap_or_default()
}

fn is_refusal(error: &Value) -> bool {
    matches!(extension(error, "type"), "authentication error" | "forbidden")
        || matches!(extension(error, "code"), "AUTHENTICATION_ERROR" | "FORBIDDEN")
}

/// `Entity not found: Issue`, an `invalid input` error: how `issue(id:)` says it knows no such
/// issue.
fn is_not_found(error: &Value) -> bool {
    message(error).starts_with("Entity not found")
        || extension(error, "code") == "INPUT_ERROR"
        || extension(error, "type") == "invalid input"
}

fn message(error: &Value) -> &str {
    error.get("message").and_then(Value::as_str).unwrap_or("GraphQL error")
}

fn graphql_error(client: &Client, reply: &Reply, error: &Value) -> HttpError {
    HttpError::Status {
        tracker: client.tracker().to_owned(),
        url: format!("{}/{GRAPHQL}", client.base()),
        status: reply.status,
        message: message(error).to_owned(),
    }
}

/// One issue, answering for the asked `key`.
fn read(key: &str, issue: &Value) -> Option<Fetched> {
    let text = |pointer: &str| issue.pointer(pointer).and_then(Value::as_str);
    let identifier = text("/identifier")?;
    let kind = text("/state/type")?;
    let closed = time(issue.get("completedAt")).or_else(|| time(issue.get("canceledAt")));
    Some(Fetched {
        key: key.to_owned(),
        url: text("/url").map(str::to_owned),
        state: state(kind),
        tracker_state: text("/state/name").unwrap_or(kind).to_owned(),
        assignee: text("/assignee/email")
            .or_else(|| text("/assignee/displayName"))
            .map(str::to_owned),
        updated_at: time(issue.get("updatedAt")),
        closed_at: closed,
        moved_to: (!identifier.eq_ignore_ascii_case(key)).then(|| identifier.to_owned()),
    })
}

/// A workflow state type on the one scale. A type Linear may add later counts as open: not
/// finished is the safe reading.
fn state(kind: &str) -> TicketState {
    match kind {
        "started" => TicketState::InProgress,
        "completed" => TicketState::Done,
        "canceled" | "duplicate" => TicketState::NotDone,
        _ => TicketState::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_types_map_onto_the_one_scale() {
        for (kind, expected) in [
            ("triage", TicketState::Open),
            ("backlog", TicketState::Open),
            ("unstarted", TicketState::Open),
            ("started", TicketState::InProgress),
            ("completed", TicketState::Done),
            ("canceled", TicketState::NotDone),
            ("duplicate", TicketState::NotDone),
            ("something-new", TicketState::Open),
        ] {
            assert_eq!(state(kind), expected, "{kind}");
        }
    }

    #[test]
    fn an_issue_reads_its_closing_time_assignee_and_new_identifier() {
        let issue = json!({
            "identifier": "OPS-7", "number": 7, "url": "https://linear.app/acme/issue/OPS-7/pool",
            "updatedAt": "2026-11-20T10:00:00.000Z", "completedAt": null,
            "canceledAt": "2026-11-21T10:00:00.000Z",
            "state": {"name": "Duplicate", "type": "canceled"},
            "assignee": {"name": "Ann Smith", "email": null, "displayName": "asmith"}
        });
        let f = read("ENG-5", &issue).expect("an issue");
        assert_eq!(f.state, TicketState::NotDone);
        assert_eq!(f.tracker_state, "Duplicate");
        assert_eq!(f.assignee.as_deref(), Some("asmith"), "the display name without an email");
        assert_eq!(f.closed_at, Some("2026-11-21T10:00:00Z".parse().expect("time")));
        assert_eq!(f.moved_to.as_deref(), Some("OPS-7"));
        assert_eq!(read("OPS-7", &issue).expect("an issue").moved_to, None);
        assert!(read("OPS-7", &json!({"identifier": "OPS-7"})).is_none(), "no state");
    }

    #[test]
    fn labels_are_the_teams_own_or_the_workspaces() {
        let data = json!({"issueLabels": {"nodes": [
            {"id": "w-pm", "name": "postmortem", "team": null},
            {"id": "t-pm", "name": "postmortem", "team": {"id": "team-eng"}},
            {"id": "o-inc", "name": "incident", "team": {"id": "team-ops"}},
            {"id": "w-sec", "name": "security", "team": null},
        ]}});
        let names = |n: &[&str]| n.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let wanted = names(&["postmortem", "incident", "security", "unknown", "security"]);
        assert_eq!(label_ids(&data, "team-eng", &wanted), ["t-pm", "w-sec"]);
        assert_eq!(label_ids(&data, "team-ops", &wanted), ["w-pm", "o-inc", "w-sec"]);
        assert!(label_ids(&json!({}), "team-eng", &wanted).is_empty());
    }

    #[test]
    fn lookups_ask_only_for_what_there_is() {
        assert_eq!(
            ids_query(false, false),
            "query($team: String!) { teams(filter: { key: { eq: $team } }) { nodes { id } } }"
        );
        let all = ids_query(true, true);
        assert!(all.starts_with("query($team: String!, $email: String!, $labels: [String!]!)"));
        assert!(all.contains("users(filter: { email: { eq: $email } })"), "{all}");
        assert!(all.contains("issueLabels(filter: { name: { in: $labels } })"), "{all}");
        assert_eq!(priority_number(Priority::P0), 1);
        assert_eq!(priority_number(Priority::P3), 4);
    }

    #[test]
    fn errors_are_told_apart() {
        let auth = json!({"message": "Authentication required, not authenticated",
            "extensions": {"type": "authentication error", "code": "AUTHENTICATION_ERROR"}});
        let not_found = json!({"message": "Entity not found: Issue",
            "extensions": {"type": "invalid input", "code": "INPUT_ERROR"}});
        let other =
            json!({"message": "Query too complex", "extensions": {"type": "graphql error"}});
        assert!(is_refusal(&auth) && !is_not_found(&auth));
        assert!(is_not_found(&not_found) && !is_refusal(&not_found));
        assert!(!is_refusal(&other) && !is_not_found(&other));
    }
}

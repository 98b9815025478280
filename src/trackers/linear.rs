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

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::http::{Client, HttpError, Reply, Safety};
use super::sync::{Fetched, Provider, time};
use crate::model::TicketState;

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
        let reply = post(client, &json!({ "query": query, "variables": variables }))?;
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
    let reply = post(client, &json!({ "query": issue_query(), "variables": { "id": key } }))?;
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
fn post(client: &Client, body: &Value) -> Result<Reply, HttpError> {
    let reply = client.post(GRAPHQL, body, Safety::Idempotent)?;
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

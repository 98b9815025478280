//! GitHub and GitHub Enterprise Server: up to 100 issues per GraphQL query, as aliases
//! (`r0: repository(…) { i12: issueOrPullRequest(number: 12) { … } }`), so a thousand tickets
//! cost ten requests. Repository owners and names travel as variables, never spliced into the
//! query text.
//!
//! States: an open issue is `open` (an open pull request `in-progress`); closed as completed
//! (or merged) is `done`; closed as not planned or duplicate (a closed, unmerged pull request)
//! is `not-done`; a number or repository GitHub does not know is `missing`. An issue transferred
//! to another repository answers from its new home: that is recorded as `moved_to`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::http::encode_component;
use super::http::{Client, HttpError, Safety};
use super::sync::{Created, Fetched, NewTicket, Provider, has_marker, time};
use crate::model::TicketState;

/// The GitHub provider.
pub(crate) struct GitHub {
    graphql: String,
    rest: String,
}

impl GitHub {
    /// For the REST base `base` (`https://api.github.com`, or `https://host/api/v3`).
    pub(crate) fn new(base: &str) -> Self {
        let graphql = match base.strip_suffix("/api/v3") {
            Some(host) => format!("{host}/api/graphql"),
            None => format!("{base}/graphql"),
        };
        Self { graphql, rest: base.to_owned() }
    }
}

const FIELDS: &str = "number url state updatedAt closedAt assignees(first: 1) { nodes { login } } repository { nameWithOwner }";

impl Provider for GitHub {
    fn group(&self, _key: &str) -> String {
        String::new()
    }

    fn batch_size(&self) -> usize {
        100
    }

    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError> {
        // Repositories (case-insensitive, as GitHub's are) → the keys asked in each.
        let mut repos: BTreeMap<String, Vec<(&str, u64)>> = BTreeMap::new();
        let mut out = Vec::new();
        for key in keys {
            match key.rsplit_once('#').map(|(r, n)| (r, n.parse::<u64>())) {
                Some((repo, Ok(number))) if repo.contains('/') => {
                    repos.entry(repo.to_ascii_lowercase()).or_default().push((key, number));
                }
                _ => out.push(Fetched::missing(key)),
            }
        }
        let mut query = String::from("query(");
        let mut body = String::new();
        let mut variables = serde_json::Map::new();
        for (r, (repo, issues)) in repos.iter().enumerate() {
            let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
            query.push_str(&format!("$o{r}: String!, $n{r}: String!, "));
            variables.insert(format!("o{r}"), json!(owner));
            variables.insert(format!("n{r}"), json!(name));
            body.push_str(&format!(" r{r}: repository(owner: $o{r}, name: $n{r}) {{"));
            for (_, number) in issues {
                body.push_str(&format!(
                    " i{number}: issueOrPullRequest(number: {number}) {{ __typename ... on Issue {{ {FIELDS} stateReason }} ... on PullRequest {{ {FIELDS} merged }} }}"
                ));
            }
            body.push_str(" }");
        }
        if repos.is_empty() {
            return Ok(out);
        }
        let query = format!("{}) {{{body} }}", query.trim_end_matches([',', ' ']));
        let reply = client.post(
            &self.graphql,
            &json!({ "query": query, "variables": variables }),
            Safety::Idempotent,
        )?;
        if reply.status != 200 {
            return Err(client.unexpected(&self.graphql, &reply));
        }
        let Some(data) = reply.json.get("data").filter(|d| d.is_object()) else {
            return Err(client.unexpected(&self.graphql, &reply));
        };
        // NOT_FOUND errors are how GraphQL says "no such issue"; any other error is real.
        if let Some(errors) = reply.json.get("errors").and_then(Value::as_array) {
            if let Some(e) =
                errors.iter().find(|e| e.get("type").and_then(Value::as_str) != Some("NOT_FOUND"))
            {
                return Err(HttpError::Status {
                    tracker: client.tracker().to_owned(),
                    url: self.graphql.clone(),
                    status: reply.status,
                    message: e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("GraphQL error")
                        .to_owned(),
                });
            }
        }
        for (r, (repo, issues)) in repos.iter().enumerate() {
            let found = data.get(format!("r{r}"));
            for (key, number) in issues {
                let issue =
                    found.and_then(|f| f.get(format!("i{number}"))).filter(|i| i.is_object());
                out.push(match issue {
                    Some(issue) => read(key, repo, *number, issue).ok_or_else(|| {
                        client.malformed(&self.graphql, reply.status, "an issue without a state")
                    })?,
                    None => Fetched::missing(key),
                });
            }
        }
        Ok(out)
    }

    fn find(&self, client: &Client, new: &NewTicket) -> Result<Option<Created>, HttpError> {
        let query = format!("\"{}\" in:body repo:{} is:issue", new.marker, new.project);
        let path = format!("{}/search/issues?q={}", self.rest, encode_component(&query));
        let reply = client.get(&path)?;
        if reply.status != 200 {
            return Err(client.unexpected(&path, &reply));
        }
        // Search matches words, not the exact string: check the marker really is in the body.
        let found = reply.json.get("items").and_then(Value::as_array).and_then(|items| {
            items.iter().find(|i| {
                i.get("body").and_then(Value::as_str).is_some_and(|b| has_marker(b, &new.marker))
            })
        });
        Ok(found.and_then(|issue| {
            let number = issue.get("number")?.as_u64()?;
            Some(Created {
                key: format!("{}#{number}", new.project),
                url: issue.get("html_url").and_then(Value::as_str).map(str::to_owned),
            })
        }))
    }

    fn create(&self, client: &Client, new: &NewTicket) -> Result<Created, HttpError> {
        let path = format!("{}/repos/{}/issues", self.rest, new.project);
        let mut body = json!({ "title": new.title, "body": new.body, "labels": new.labels });
        if let Some(login) = &new.assignee {
            body["assignees"] = json!([login]);
        }
        let mut reply = client.post(&path, &body, Safety::Creates)?;
        // An owner who cannot be assigned in this repository must not stop the item from being
        // tracked: file it unassigned.
        if reply.status == 422 && new.assignee.is_some() {
            if let Some(map) = body.as_object_mut() {
                map.remove("assignees");
            }
            reply = client.post(&path, &body, Safety::Creates)?;
        }
        if reply.status != 201 {
            return Err(client.unexpected(&path, &reply));
        }
        let number = reply.json.get("number").and_then(Value::as_u64).ok_or_else(|| {
            client.malformed(&path, reply.status, "a created issue without a number")
        })?;
        Ok(Created {
            key: format!("{}#{number}", new.project),
            url: reply.json.get("html_url").and_then(Value::as_str).map(str::to_owned),
        })
    }
}

fn read(key: &str, repo: &str, number: u64, issue: &Value) -> Option<Fetched> {
    let text = |name: &str| issue.get(name).and_then(Value::as_str);
    let state = text("state")?;
    let reason = text("stateReason");
    let pull = text("__typename") == Some("PullRequest");
    let merged = issue.get("merged").and_then(Value::as_bool).unwrap_or(false);
    let (normalized, name) = match (state, pull) {
        ("OPEN", false) => (TicketState::Open, "open".to_owned()),
        ("OPEN", true) => (TicketState::InProgress, "open pull request".to_owned()),
        (_, true) if merged => (TicketState::Done, "merged".to_owned()),
        (_, true) => (TicketState::NotDone, "closed pull request (not merged)".to_owned()),
        (_, false) => match reason {
            Some("NOT_PLANNED") => (TicketState::NotDone, "closed (not planned)".to_owned()),
            Some("DUPLICATE") => (TicketState::NotDone, "closed (duplicate)".to_owned()),
            _ => (TicketState::Done, "closed (completed)".to_owned()),
        },
    };
    let home = issue.pointer("/repository/nameWithOwner").and_then(Value::as_str);
    let found_number = issue.get("number").and_then(Value::as_u64).unwrap_or(number);
    let moved_to = match home {
        Some(home) if !home.eq_ignore_ascii_case(repo) || found_number != number => {
            Some(format!("{home}#{found_number}"))
        }
        _ => None,
    };
    Some(Fetched {
        key: key.to_owned(),
        url: text("url").map(str::to_owned),
        state: normalized,
        tracker_state: name,
        assignee: issue
            .pointer("/assignees/nodes/0/login")
            .and_then(Value::as_str)
            .map(str::to_owned),
        updated_at: time(issue.get("updatedAt")),
        closed_at: time(issue.get("closedAt")),
        moved_to,
    })
}

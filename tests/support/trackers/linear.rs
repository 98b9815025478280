//! The fake Linear GraphQL: `issues(first, after, filter: { team: { key: { eq: $team } },
//! number: { in: $numbers } })` with `pageInfo` cursors, and `issue(id: $id)`.
//!
//! As Linear does: an issue moved to another team is found by the filter only under its new
//! team and number, while `issue(id:)` resolves its old identifier to it; `issue(id:)` of an
//! identifier nobody knows is an `Entity not found: Issue` error with `data: null`. Pages hold
//! at most [`PAGE`] issues whatever `first` asks, so tests follow cursors with a handful of
//! tickets (a client has to follow `hasNextPage` whatever it asked for).
//!
//! For `pm sync --create` it also answers `issues(filter: { team, description: { contains } })`
//! over the descriptions of the issues filed, the lookups by key, email and name
//! (`teams(filter: { key: { eq } })`, `users(filter: { email: { eq } })`,
//! `issueLabels(filter: { name: { in } })`) and `issueCreate`. The teams it knows are those of
//! its issues; its users are every email whose local part does not start with `nobody`; its
//! labels are [`LABELS`]. `issueCreate` refuses, as Linear does, an input field
//! `IssueCreateInput` does not have, a team id it does not know, a label of another team, a
//! priority outside 0–4 and a due date that is not `YYYY-MM-DD`.

use serde_json::{Value, json};

use super::{Bodies, Issue, Issues, Reply, Seen, current, next_number};

/// The most issues on one page.
const PAGE: usize = 3;

/// The labels of the workspace (no team) and of teams.
const LABELS: &[(&str, Option<&str>)] =
    &[("postmortem", None), ("incident", Some("OPS")), ("postmortem", Some("OPS"))];

/// What `IssueCreateInput` has, of what a client might send.
const INPUT: &[&str] = &[
    "teamId",
    "title",
    "description",
    "dueDate",
    "priority",
    "assigneeId",
    "labelIds",
    "stateId",
    "projectId",
    "parentId",
    "estimate",
];

/// The requests of `pm sync --create`: a description search, the lookups of ids, or
/// `issueCreate`.
pub(super) fn filed(issues: &mut Issues, bodies: &mut Bodies, seen: &Seen) -> Option<Reply> {
    let request = graphql(seen)?;
    let query = request["query"].as_str()?;
    let variables = &request["variables"];
    let teams: Vec<String> = issues
        .keys()
        .filter_map(|k| Some(k.rsplit_once('-')?.0.to_owned()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if query.contains("issueCreate(input: $input)") {
        return Some(create(issues, bodies, &teams, &variables["input"]));
    }
    if query.contains("description: { contains: $marker }") {
        let team = variables["team"].as_str().unwrap_or_default();
        let marker = variables["marker"].as_str().unwrap_or_default();
        let nodes: Vec<Value> = bodies
            .iter()
            .filter(|(key, body)| {
                key.rsplit_once('-').is_some_and(|(t, _)| t == team) && body.contains(marker)
            })
            .filter_map(|(key, body)| {
                let mut node = node(issues.get(key)?);
                node["description"] = json!(body);
                Some(node)
            })
            .collect();
        return Some(Reply::json(
            200,
            json!({"data": {"issues": {
                "nodes": nodes, "pageInfo": {"hasNextPage": false, "endCursor": null},
            }}}),
        ));
    }
    if !query.contains("teams(filter: { key: { eq: $team } })") {
        return None;
    }
    let team = variables["team"].as_str().unwrap_or_default();
    let mut data = serde_json::Map::new();
    let team_nodes: Vec<Value> = teams
        .iter()
        .filter(|t| *t == team)
        .map(|t| json!({"id": id(&format!("team:{t}"))}))
        .collect();
    data.insert("teams".into(), json!({"nodes": team_nodes}));
    if query.contains("users(filter: { email: { eq: $email } })") {
        let email = variables["email"].as_str().unwrap_or_default();
        let users: Vec<Value> = (email.contains('@') && !email.starts_with("nobody"))
            .then(|| json!({"id": id(&format!("user:{email}"))}))
            .into_iter()
            .collect();
        data.insert("users".into(), json!({"nodes": users}));
    }
    if query.contains("issueLabels(filter: { name: { in: $labels } })") {
        let names: Vec<&str> = variables["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let labels: Vec<Value> = LABELS
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, team)| {
                json!({
                    "id": id(&format!("label:{name}:{}", team.unwrap_or_default())),
                    "name": name,
                    "team": team.map(|t| json!({"id": id(&format!("team:{t}"))})),
                })
            })
            .collect();
        data.insert("issueLabels".into(), json!({"nodes": labels}));
    }
    Some(Reply::json(200, json!({ "data": data })))
}

/// `issueCreate`: the issue gets the next number of its team.
fn create(issues: &mut Issues, bodies: &mut Bodies, teams: &[String], input: &Value) -> Reply {
    let invalid = |message: &str| {
        Reply::json(
            400,
            json!({"data": null, "errors": [{
                "message": "Argument Validation Error",
                "path": ["issueCreate"],
                "extensions": {"type": "invalid input", "code": "INPUT_ERROR", "statusCode": 400,
                               "userError": true, "userPresentableMessage": message},
            }]}),
        )
    };
    let Some(fields) = input.as_object() else { return invalid("input is required") };
    if let Some(unknown) = fields.keys().find(|k| !INPUT.contains(&k.as_str())) {
        let message = format!(
            "Variable \"$input\" got invalid value; Field \"{unknown}\" is not defined by type \
             \"IssueCreateInput\"."
        );
        return Reply::json(
            400,
            json!({"errors": [{"message": message,
                               "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}),
        );
    }
    let team_id = input["teamId"].as_str().unwrap_or_default();
    let Some(team) = teams.iter().find(|t| id(&format!("team:{t}")) == team_id) else {
        return invalid("Team not found");
    };
    if input["priority"].as_u64().is_some_and(|p| p > 4) || input["priority"].is_string() {
        return invalid("priority must not be greater than 4");
    }
    if input["dueDate"].as_str().is_some_and(|d| d.parse::<jiff::civil::Date>().is_err()) {
        return invalid("dueDate must be a valid date");
    }
    let usable = |label: &str| {
        LABELS.iter().any(|(name, owner)| {
            owner.is_none_or(|o| o == team)
                && id(&format!("label:{name}:{}", owner.unwrap_or_default())) == label
        })
    };
    let labels = input["labelIds"].as_array().into_iter().flatten();
    if labels.map(|l| l.as_str().unwrap_or_default()).any(|l| !usable(l)) {
        return invalid("Labels must belong to the issue's team or the workspace");
    }
    let number = next_number(issues, &format!("{team}-"));
    let key = format!("{team}-{number}");
    issues.insert(key.clone(), Issue::new(&key, "unstarted").named("Todo"));
    bodies.insert(key.clone(), input["description"].as_str().unwrap_or_default().to_owned());
    let created = node(&issues[&key]);
    let issue = json!({"identifier": created["identifier"], "url": created["url"]});
    Reply::json(200, json!({"data": {"issueCreate": {"success": true, "issue": issue}}}))
}

/// The answer to `seen`, if it is a request of this provider.
pub(super) fn answer(issues: &Issues, seen: &Seen, page_size: Option<usize>) -> Option<Reply> {
    let request = graphql(seen)?;
    let query = request["query"].as_str()?;
    let variables = &request["variables"];
    if query.contains("issues(") {
        Some(search(issues, query, variables, page_size.unwrap_or(PAGE)))
    } else if query.contains("issue(id: $id)") {
        Some(lookup(issues, variables["id"].as_str().unwrap_or_default()))
    } else {
        None
    }
}

/// A GraphQL request (`POST …/graphql`), its body as JSON.
fn graphql(seen: &Seen) -> Option<Value> {
    if !seen.path().ends_with("/graphql") {
        return None;
    }
    seen.json()
}

fn search(issues: &Issues, query: &str, variables: &Value, page: usize) -> Reply {
    let team = variables["team"].as_str().unwrap_or_default();
    let numbers: Vec<u64> = variables["numbers"]
        .as_array()
        .map(|n| n.iter().filter_map(Value::as_f64).map(|n| n as u64).collect())
        .unwrap_or_default();
    let first = regex::Regex::new(r"issues\(first: (\d+)")
        .expect("re")
        .captures(query)
        .and_then(|c| c[1].parse::<usize>().ok())
        .unwrap_or(50);
    // Old identifiers of moved issues are not where the filter looks.
    let mut matching: Vec<(u64, &Issue)> = issues
        .values()
        .filter(|i| i.moved_to.is_none())
        .filter_map(|i| {
            let (t, n) = i.key.rsplit_once('-')?;
            let n = n.parse::<u64>().ok()?;
            (t == team && numbers.contains(&n)).then_some((n, i))
        })
        .collect();
    matching.sort_by_key(|(n, _)| *n);
    let start = match variables["after"].as_str() {
        None => 0,
        Some(cursor) => match matching.iter().position(|(_, i)| id(&i.key) == cursor) {
            Some(at) => at + 1,
            None => {
                return error(400, "Argument Validation Error", "The cursor is invalid.");
            }
        },
    };
    let page: Vec<&Issue> =
        matching.iter().skip(start).take(first.clamp(1, page)).map(|(_, i)| *i).collect();
    let more = start + page.len() < matching.len();
    let end_cursor = page.last().map(|i| id(&i.key));
    Reply::json(
        200,
        json!({"data": {"issues": {
            "nodes": page.iter().map(|i| node(i)).collect::<Vec<_>>(),
            "pageInfo": {"hasNextPage": more, "endCursor": end_cursor},
        }}}),
    )
}

fn lookup(issues: &Issues, identifier: &str) -> Reply {
    let issue = issues
        .values()
        .find(|i| i.key.eq_ignore_ascii_case(identifier))
        .map(|i| current(issues, i));
    match issue {
        Some(issue) => Reply::json(200, json!({"data": {"issue": node(&issue)}})),
        None => error(400, "Entity not found: Issue", "Could not find referenced Issue."),
    }
}

/// An input error as Linear words it, with `data: null`.
fn error(status: u16, message: &str, presentable: &str) -> Reply {
    Reply::json(
        status,
        json!({"data": null, "errors": [{
            "message": message,
            "path": ["issue"],
            "locations": [{"line": 1, "column": 21}],
            "extensions": {
                "type": "invalid input",
                "code": "INPUT_ERROR",
                "statusCode": status,
                "userError": true,
                "userPresentableMessage": presentable,
            },
        }]}),
    )
}

/// An issue node as Linear writes it.
fn node(issue: &Issue) -> Value {
    let number = issue.key.rsplit_once('-').and_then(|(_, n)| n.parse::<u64>().ok());
    let closed = |kind: &str| {
        (issue.state == kind).then(|| issue.closed_at.as_deref().map(linear_time)).flatten()
    };
    json!({
        "identifier": issue.key,
        "number": number,
        "url": format!("https://linear.app/acme/issue/{}/an-action-item", issue.key),
        "updatedAt": linear_time(&issue.updated_at),
        "completedAt": closed("completed"),
        "canceledAt": closed("canceled"),
        "state": {"name": issue.name, "type": issue.state},
        "assignee": issue.assignee.as_deref().map(|who| {
            let local = who.split('@').next().unwrap_or(who);
            json!({"name": format!("{local} (full name)"), "email": who.contains('@').then_some(who), "displayName": local})
        }),
    })
}

/// Linear's ids are UUIDs; a stable one per key (`team:ENG`, `user:<email>`,
/// `label:<name>:<team key or nothing>`, an issue's identifier).
pub fn id(key: &str) -> String {
    let sum = key.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("{:08x}-0000-4000-8000-{:012x}", sum & 0xffff_ffff, sum & 0xffff_ffff_ffff)
}

/// Linear's time format: RFC 3339 with milliseconds.
fn linear_time(rfc3339: &str) -> String {
    let at: jiff::Timestamp = rfc3339.parse().expect("an RFC 3339 time");
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

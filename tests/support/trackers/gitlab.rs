//! The fake GitLab: REST v4 `GET /api/v4/projects/:path/issues?iids[]=…` with GitLab's paging
//! headers, and the GraphQL `issue(id: "gid://gitlab/Issue/N")` lookups that follow a moved
//! issue to its new home.
//!
//! Like GitLab, it answers `404 Project Not Found` for a project it does not know, leaves out
//! iids it does not have, keeps a moved issue closed with the new issue's global id in
//! `moved_to_id`, and answers GraphQL `null` for an id it does not know. Global ids are the
//! issue's rank among all keys plus 1000: stable within one test.
//!
//! For `pm sync --create` it also files issues (`POST /projects/:path/issues`, 201 with the new
//! issue), searches descriptions (`GET /projects/:path/issues?search=…&in=description`, a
//! substring match as GitLab's is) and finds users by login (`GET /users?username=`, a list,
//! empty for a login it does not know): the users it knows are [`USERS`].

use serde_json::{Value, json};

use super::{Bodies, Issue, Issues, Reply, Seen};

/// Issues per page at most. GitLab's ceiling is 100 (the client asks for that); this fake's is
/// 3, so that a handful of tickets of one project spans pages and the client has to follow
/// `x-next-page`.
const MAX_PER_PAGE: usize = 3;

/// GitLab's page size when `per_page` is not given.
const DEFAULT_PER_PAGE: usize = 20;

/// Where issue pages live (`web_url`): fixed, so that expected caches do not hold the fake's
/// port.
const WEB: &str = "https://gitlab.example.com";

/// The users this GitLab knows, with their ids.
const USERS: &[(u64, &str)] = &[(11, "jdoe-gl"), (12, "asmith-gl"), (13, "bwong")];

/// The requests of `pm sync --create`: a description search, a user lookup or a new issue.
pub(super) fn filed(issues: &mut Issues, bodies: &mut Bodies, seen: &Seen) -> Option<Reply> {
    let path = seen.path();
    let params = params(seen.query());
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if seen.method == "GET" && path.ends_with("/api/v4/users") {
        let login = param("username").unwrap_or_default();
        let users: Vec<Value> = USERS
            .iter()
            .filter(|(_, name)| name.eq_ignore_ascii_case(&login))
            .map(|(id, name)| {
                json!({"id": id, "username": name, "name": name, "state": "active",
                       "locked": false, "avatar_url": null, "web_url": format!("{WEB}/{name}")})
            })
            .collect();
        return Some(Reply::json(200, Value::Array(users)));
    }
    let (_, rest) = path.split_once("/projects/")?;
    let project = rest.strip_suffix("/issues")?;
    if project.contains('/') {
        return None;
    }
    let project = decode(project);
    match seen.method.as_str() {
        "GET" => {
            let search = param("search")?;
            if param("in").is_some_and(|i| i != "description") {
                return None;
            }
            let found: Vec<Value> = bodies
                .iter()
                .filter(|(key, body)| {
                    project_of(key) == project.to_ascii_lowercase() && body.contains(&search)
                })
                .filter_map(|(key, body)| {
                    let mut issue = rest_issue(issues, issues.get(key)?);
                    issue["description"] = json!(body);
                    Some(issue)
                })
                .collect();
            Some(Reply::json(200, Value::Array(found)))
        }
        "POST" => Some(create(issues, bodies, &project, seen)),
        _ => None,
    }
}

/// `POST /projects/:id/issues`: GitLab takes `labels` as one comma-separated string, the
/// assignees by user id, the due date as `YYYY-MM-DD`.
fn create(issues: &mut Issues, bodies: &mut Bodies, project: &str, seen: &Seen) -> Reply {
    let Some(request) = seen.json() else {
        return Reply::json(400, json!({"error": "the body is not JSON"}));
    };
    if issues.keys().all(|k| project_of(k) != project.to_ascii_lowercase()) {
        return Reply::json(404, json!({"message": "404 Project Not Found"}));
    }
    if request["title"].as_str().is_none_or(str::is_empty) {
        return Reply::json(400, json!({"error": "title is missing"}));
    }
    if !(request["labels"].is_null() || request["labels"].is_string()) {
        return Reply::json(400, json!({"error": "labels is invalid"}));
    }
    let due = request["due_date"].as_str();
    if due.is_some_and(|d| d.parse::<jiff::civil::Date>().is_err()) {
        return Reply::json(400, json!({"error": "due_date is invalid"}));
    }
    let iid = issues
        .keys()
        .filter(|k| project_of(k) == project.to_ascii_lowercase())
        .map(|k| iid_of(k))
        .max()
        .unwrap_or(0)
        + 1;
    let key = format!("{project}#{iid}");
    let mut issue = Issue::new(&key, "opened");
    let assignee = request["assignee_ids"][0]
        .as_u64()
        .and_then(|id| USERS.iter().find(|(known, _)| *known == id));
    if let Some((_, login)) = assignee {
        issue = issue.assignee(login);
    }
    issues.insert(key.clone(), issue);
    bodies.insert(key.clone(), request["description"].as_str().unwrap_or_default().to_owned());
    let mut answer = rest_issue(issues, &issues[&key]);
    answer["title"] = request["title"].clone();
    answer["description"] = request["description"].clone();
    answer["due_date"] = json!(due);
    answer["labels"] = json!(
        request["labels"]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
    );
    Reply::json(201, answer)
}

/// The answer to `seen`, if it is a request of this provider.
pub(super) fn answer(issues: &Issues, seen: &Seen, page_size: Option<usize>) -> Option<Reply> {
    let path = seen.path();
    if seen.method == "POST"
        && path.ends_with("/api/graphql")
        && seen.body.contains("gid://gitlab/Issue/")
    {
        return Some(graphql(issues, seen));
    }
    let (api, rest) = path.split_once("/projects/")?;
    let project = rest.strip_suffix("/issues")?;
    // GitLab routes a project path only as one segment (`/` as `%2F`); a raw `/` is another
    // route altogether.
    if seen.method != "GET" || project.contains('/') {
        return None;
    }
    Some(list(issues, api, &decode(project), seen, page_size.unwrap_or(MAX_PER_PAGE)))
}

/// `GET /projects/:id/issues`: the project's issues with the asked iids, newest first (GitLab's
/// default `created_at desc`), one page of them.
fn list(issues: &Issues, api: &str, project: &str, seen: &Seen, max_per_page: usize) -> Reply {
    let project = project.to_ascii_lowercase();
    let in_project: Vec<&Issue> =
        issues.values().filter(|i| project_of(&i.key) == project).collect();
    if in_project.is_empty() {
        return Reply::json(404, json!({"message": "404 Project Not Found"}));
    }
    let query = seen.query();
    let params = params(query);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let iids: Vec<u64> =
        params.iter().filter(|(k, _)| k == "iids[]").filter_map(|(_, v)| v.parse().ok()).collect();
    let per_page = param("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, max_per_page);
    let page = param("page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);

    let mut matching: Vec<&Issue> = in_project
        .into_iter()
        .filter(|i| iids.is_empty() || iids.contains(&iid_of(&i.key)))
        .collect();
    matching.sort_by_key(|i| std::cmp::Reverse(iid_of(&i.key)));
    let total = matching.len();
    let pages = total.div_ceil(per_page).max(1);
    let body: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|i| rest_issue(issues, i))
        .collect();

    let host = seen.header("host").unwrap_or("127.0.0.1");
    let link_to = |n: usize| {
        let query: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("page="))
            .map(str::to_owned)
            .chain([format!("page={n}")])
            .collect();
        format!("<http://{host}{api}/projects/{}/issues?{}>", encode(&project), query.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link_to(page - 1)));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
    }
    links.push(format!("{}; rel=\"first\"", link_to(1)));
    links.push(format!("{}; rel=\"last\"", link_to(pages)));
    let blank_unless = |yes: bool, n: usize| if yes { n.to_string() } else { String::new() };
    Reply {
        status: 200,
        headers: vec![
            ("x-page".into(), page.to_string()),
            ("x-per-page".into(), per_page.to_string()),
            ("x-next-page".into(), blank_unless(page < pages, page + 1)),
            ("x-prev-page".into(), blank_unless(page > 1, page.saturating_sub(1))),
            ("x-total".into(), total.to_string()),
            ("x-total-pages".into(), pages.to_string()),
            ("link".into(), links.join(", ")),
        ],
        body: Value::Array(body),
    }
}

/// An issue as GitLab's REST API writes it (the fields a client might read, named as GitLab
/// documents them). `reason` is its one label.
fn rest_issue(issues: &Issues, issue: &Issue) -> Value {
    let (project, iid) = issue.key.rsplit_once('#').unwrap_or_default();
    let iid: u64 = iid.parse().unwrap_or_default();
    let (state, closed_at) = state(issue);
    let project_id = project_id(issues, project);
    let user = |name: &String| {
        json!({"id": 7, "username": name, "name": name, "state": "active", "locked": false,
               "avatar_url": null, "web_url": format!("{WEB}/{name}")})
    };
    let assignees: Vec<Value> = issue.assignee.iter().map(user).collect();
    let links = format!("{WEB}/api/v4/projects/{project_id}");
    json!({
        "id": global_id(issues, &issue.key),
        "iid": iid,
        "project_id": project_id,
        "title": format!("Follow-up {}", issue.key),
        "description": "",
        "state": state,
        "created_at": "2026-03-02T15:00:00.000Z",
        "updated_at": issue.updated_at,
        "closed_at": closed_at,
        "closed_by": null,
        "labels": issue.reason.iter().collect::<Vec<_>>(),
        "milestone": null,
        "assignees": assignees,
        "assignee": assignees.first(),
        "author": user(&"reporter".to_owned()),
        "type": "ISSUE",
        "issue_type": "issue",
        "user_notes_count": 0,
        "merge_requests_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "due_date": null,
        "confidential": false,
        "discussion_locked": null,
        "web_url": format!("{WEB}/{project}/-/issues/{iid}"),
        "references": {"short": format!("#{iid}"), "relative": format!("#{iid}"), "full": issue.key},
        "severity": "UNKNOWN",
        "moved_to_id": moved_to_id(issues, issue),
        "service_desk_reply_to": null,
        "_links": {
            "self": format!("{links}/issues/{iid}"),
            "notes": format!("{links}/issues/{iid}/notes"),
            "award_emoji": format!("{links}/issues/{iid}/award_emoji"),
            "project": links,
            "closed_as_duplicate_of": null,
        },
    })
}

/// GitLab closes the issue it moves.
fn state(issue: &Issue) -> (&str, Option<&str>) {
    if issue.moved_to.is_some() || issue.state == "closed" {
        ("closed", Some(issue.closed_at.as_deref().unwrap_or(&issue.updated_at)))
    } else {
        (issue.state.as_str(), None)
    }
}

/// The new issue's global id, shown (as GitLab does) only when the new issue is readable: here,
/// when the fake knows it.
fn moved_to_id(issues: &Issues, issue: &Issue) -> Option<u64> {
    global_id(issues, issue.moved_to.as_deref()?)
}

/// The fields of `Issue` a query may select: GitLab answers any other with an error, and so does
/// this fake, so a misspelt field fails here as it would there.
const GRAPHQL_WORDS: &[&str] = &[
    "query",
    "IssueID",
    "issue",
    "id",
    "iid",
    "state",
    "reference",
    "full",
    "true",
    "webUrl",
    "updatedAt",
    "closedAt",
    "assignees",
    "nodes",
    "username",
    "labels",
    "title",
    "movedTo",
    "closedAsDuplicateOf",
];

/// `POST /api/graphql` with aliased `issue(id: $iN)` lookups: each alias gets the issue or
/// `null`.
fn graphql(issues: &Issues, seen: &Seen) -> Reply {
    let Some(request) = seen.json() else {
        return Reply::json(400, json!({"errors": [{"message": "invalid JSON"}]}));
    };
    let query = request["query"].as_str().unwrap_or_default();
    let variables = &request["variables"];
    let word = regex::Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").expect("re");
    let alias = regex::Regex::new(r"^i[0-9]+$").expect("re");
    if let Some(unknown) = word
        .find_iter(query)
        .map(|m| m.as_str())
        .find(|w| !GRAPHQL_WORDS.contains(w) && !alias.is_match(w))
    {
        return Reply::json(
            200,
            json!({"errors": [{"message": format!("Field '{unknown}' doesn't exist on type 'Issue'")}]}),
        );
    }
    let lookups = regex::Regex::new(r"(i[0-9]+): issue\(id: \$(i[0-9]+)\)").expect("re");
    let mut data = serde_json::Map::new();
    for caps in lookups.captures_iter(query) {
        let id = variables[&caps[2]]
            .as_str()
            .and_then(|g| g.strip_prefix("gid://gitlab/Issue/"))
            .and_then(|n| n.parse::<u64>().ok());
        let issue = issues.values().find(|i| id.is_some() && global_id(issues, &i.key) == id);
        data.insert(caps[1].to_owned(), issue.map_or(Value::Null, |i| graphql_issue(issues, i)));
    }
    Reply::json(200, json!({ "data": data }))
}

fn graphql_issue(issues: &Issues, issue: &Issue) -> Value {
    let (project, iid) = issue.key.rsplit_once('#').unwrap_or_default();
    let (state, closed_at) = state(issue);
    json!({
        "iid": iid,
        "state": state,
        "reference": issue.key,
        "webUrl": format!("{WEB}/{project}/-/issues/{iid}"),
        "updatedAt": issue.updated_at,
        "closedAt": closed_at,
        "assignees": {"nodes": issue.assignee.iter().map(|a| json!({"username": a})).collect::<Vec<_>>()},
        "labels": {"nodes": issue.reason.iter().map(|l| json!({"title": l})).collect::<Vec<_>>()},
        "movedTo": moved_to_id(issues, issue).map(|id| json!({"id": format!("gid://gitlab/Issue/{id}")})),
        "closedAsDuplicateOf": null,
    })
}

fn global_id(issues: &Issues, key: &str) -> Option<u64> {
    let position = issues.keys().position(|k| k.eq_ignore_ascii_case(key))?;
    Some(1000 + u64::try_from(position).ok()?)
}

fn project_id(issues: &Issues, project: &str) -> u64 {
    let projects: std::collections::BTreeSet<String> =
        issues.keys().map(|k| project_of(k)).collect();
    let project = project.to_ascii_lowercase();
    projects.iter().position(|p| *p == project).map_or(0, |p| p as u64 + 1)
}

fn project_of(key: &str) -> String {
    key.rsplit_once('#').map_or(key, |(p, _)| p).to_ascii_lowercase()
}

fn iid_of(key: &str) -> u64 {
    key.rsplit_once('#').and_then(|(_, n)| n.parse().ok()).unwrap_or_default()
}

/// The decoded name and value of each parameter of `query`, in order.
fn params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

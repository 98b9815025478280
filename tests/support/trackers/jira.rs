//! The fake Jira: `POST /rest/api/3/search/jql` (Cloud, pages by `nextPageToken`),
//! `POST /rest/api/2/search` (Server / Data Center, pages by `startAt`) and
//! `GET /rest/api/{3,2}/issue/{key}`, over `key in (…)` queries.
//!
//! It behaves as Jira does where `pm` depends on it: a query naming a key it does not know fails
//! whole with `400` and the key in the message (Cloud, and Server unless `validateQuery` is
//! `warn`, where the answer is `200` with `warningMessages`); a moved issue answers for its old
//! key under its new one, in a search and in `GET issue/{old}`; only the fields asked for come
//! back; Cloud refuses `startAt` in a `search/jql` body. Pages hold at most [`PAGE`] issues
//! whatever `maxResults` asks (Jira may also answer with fewer), so tests page with a handful of
//! tickets.
//!
//! For `pm sync --create` it also files issues (`POST /rest/api/{3,2}/issue`, 201 with `id`,
//! `key` and `self`), answers `project = KEY AND text ~ "\"phrase\""` searches over the
//! descriptions of the issues filed (as a substring match; Cloud answers the description in
//! Atlassian Document Format, Server as text; a project it does not know is a `400`) and finds
//! Cloud users by email (`GET /rest/api/3/user/search?query=`; an address whose local part
//! starts with `nobody` is nobody). As Jira does, it refuses with `400` and the field named in
//! `errors`: a Cloud
//! description that is not a document or a Server one that is not text, a label with a space, an
//! issue type other than `Task`, a project it does not know, and a Server assignee whose login
//! starts with `nobody`; and the Server's create screen has no priority field, as many Server
//! projects' do not, so a priority there is refused too.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Bodies, Issue, Issues, Reply, Seen, current, next_number};

/// The most issues on one page.
const PAGE: usize = 4;

#[derive(Clone, Copy, PartialEq)]
enum Edition {
    Cloud,
    Server,
}

/// The answer to `seen`, if it is a request of this provider.
pub(super) fn answer(issues: &Issues, seen: &Seen, page_size: Option<usize>) -> Option<Reply> {
    let (edition, rest, base) = route(seen)?;
    let jira = Jira { issues, edition, base, page: page_size.unwrap_or(PAGE) };
    match (seen.method.as_str(), rest) {
        ("POST", "search/jql") if edition == Edition::Cloud => Some(jira.search(&seen.body)),
        ("POST", "search") if edition == Edition::Server => Some(jira.search(&seen.body)),
        ("GET", rest) => {
            let key = rest.strip_prefix("issue/")?;
            let fields = seen
                .query()
                .split('&')
                .find_map(|p| p.strip_prefix("fields="))
                .map(|f| f.split(',').map(str::to_owned).collect::<Vec<_>>());
            Some(jira.get(key, fields.as_deref()))
        }
        _ => None,
    }
}

/// The requests of `pm sync --create`: a marker search, a user lookup or a new issue.
pub(super) fn filed(issues: &mut Issues, bodies: &mut Bodies, seen: &Seen) -> Option<Reply> {
    let (edition, rest, base) = route(seen)?;
    match (seen.method.as_str(), rest) {
        ("GET", "user/search") if edition == Edition::Cloud => {
            let email = seen
                .query()
                .split('&')
                .find_map(|p| p.strip_prefix("query="))
                .and_then(pm::cmd::serve::percent_decode)
                .unwrap_or_default();
            let jira = Jira { issues, edition, base, page: PAGE };
            let api = format!("{}/rest/api/3", jira.base);
            let users: Vec<Value> = (email.contains('@') && !email.starts_with("nobody"))
                .then(|| jira.user(&api, &email))
                .into_iter()
                .collect();
            Some(Reply::json(200, Value::Array(users)))
        }
        ("POST", "search/jql") | ("POST", "search")
            if (rest == "search/jql") == (edition == Edition::Cloud) =>
        {
            let request = seen.json()?;
            let (project, phrase) = text_search(request["jql"].as_str()?)?;
            if !issues.keys().any(|k| k.starts_with(&format!("{project}-"))) {
                let message =
                    format!("The value '{project}' does not exist for the field 'project'.");
                return Some(errors(400, &[&message]));
            }
            let jira = Jira { issues, edition, base, page: PAGE };
            let found: Vec<Value> = bodies
                .iter()
                .filter(|(key, _)| key.starts_with(&format!("{project}-")))
                .filter(|(_, body)| {
                    let text = match edition {
                        Edition::Cloud => adf_text(&serde_json::from_str(body).unwrap_or_default()),
                        Edition::Server => (*body).clone(),
                    };
                    text.contains(&phrase)
                })
                .filter_map(|(key, body)| {
                    let (id, issue) = jira.find(key)?;
                    let mut json = jira.issue_json(id, &issue, Some(&[] as &[String]));
                    json["fields"]["description"] = match edition {
                        Edition::Cloud => serde_json::from_str(body).unwrap_or_default(),
                        Edition::Server => json!(body),
                    };
                    Some(json)
                })
                .collect();
            Some(Reply::json(
                200,
                match edition {
                    Edition::Cloud => json!({ "issues": found, "isLast": true }),
                    Edition::Server => json!({
                        "startAt": 0, "maxResults": 50, "total": found.len(), "issues": found,
                    }),
                },
            ))
        }
        ("POST", "issue") => Some(create(issues, bodies, edition, &base, &seen.body)),
        _ => None,
    }
}

/// The edition a request speaks (by its API version), its path after `/rest/api/N/`, and the
/// address it was sent to.
fn route(seen: &Seen) -> Option<(Edition, &str, String)> {
    let path = seen.path();
    let (edition, rest) = match path.strip_prefix("/rest/api/3/") {
        Some(rest) => (Edition::Cloud, rest),
        None => (Edition::Server, path.strip_prefix("/rest/api/2/")?),
    };
    Some((edition, rest, format!("http://{}", seen.header("host").unwrap_or("127.0.0.1"))))
}

/// The project and phrase of `project = KEY AND text ~ "\"phrase\""`.
fn text_search(jql: &str) -> Option<(String, String)> {
    let re = regex::Regex::new(
        r#"(?i)^\s*project\s*=\s*"?([A-Z][A-Z0-9_]*)"?\s+AND\s+text\s*~\s*"\\"(.*)\\""\s*$"#,
    )
    .expect("re");
    let caps = re.captures(jql)?;
    Some((caps[1].to_ascii_uppercase(), caps[2].replace("\\\\", "\\")))
}

/// The text of an Atlassian Document Format tree, its text nodes' text run together.
fn adf_text(node: &Value) -> String {
    let own = node["text"].as_str().unwrap_or_default().to_owned();
    let children = node["content"].as_array().into_iter().flatten().map(adf_text);
    std::iter::once(own).chain(children).collect::<Vec<_>>().join("\n")
}

/// `POST /issue`: what Jira checks of the fields `pm` sends, then a new key in the project.
fn create(
    issues: &mut Issues,
    bodies: &mut Bodies,
    edition: Edition,
    base: &str,
    body: &str,
) -> Reply {
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return errors(400, &["Unexpected character in the request body."]);
    };
    let fields = &request["fields"];
    let project = fields["project"]["key"].as_str().unwrap_or_default().to_ascii_uppercase();
    let mut refused = Map::new();
    if project.is_empty() || !issues.keys().any(|k| k.starts_with(&format!("{project}-"))) {
        refused.insert("project".into(), json!("valid project is required"));
    }
    if fields["summary"].as_str().is_none_or(str::is_empty) {
        refused.insert("summary".into(), json!("You must specify a summary of the issue."));
    }
    if fields["issuetype"]["name"] != "Task" {
        refused.insert("issuetype".into(), json!("Specify an issue type"));
    }
    let description = &fields["description"];
    match edition {
        Edition::Cloud if !(description.is_null() || description["type"] == "doc") => {
            let message = "Operation value must be an Atlassian Document (see the Atlassian \
                           Document Format)";
            refused.insert("description".into(), json!(message));
        }
        Edition::Server if !(description.is_null() || description.is_string()) => {
            refused.insert("description".into(), json!("Operation value must be a string"));
        }
        _ => {}
    }
    let labels: Vec<&str> =
        fields["labels"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if let Some(label) = labels.iter().find(|l| l.contains(' ')) {
        refused.insert(
            "labels".into(),
            json!(format!("The label '{label}' contains spaces which is invalid.")),
        );
    }
    if edition == Edition::Server && !fields["priority"].is_null() {
        refused.insert(
            "priority".into(),
            json!(
                "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown."
            ),
        );
    }
    if let Some(name) = fields["assignee"]["name"].as_str().filter(|n| n.starts_with("nobody")) {
        refused.insert("assignee".into(), json!(format!("User '{name}' does not exist.")));
    }
    if !refused.is_empty() {
        return Reply::json(400, json!({ "errorMessages": [], "errors": refused }));
    }
    let number = next_number(issues, &format!("{project}-"));
    let key = format!("{project}-{number}");
    let mut issue = Issue::new(&key, "new").named("To Do");
    let assignee = match edition {
        Edition::Cloud => fields["assignee"]["accountId"].as_str(),
        Edition::Server => fields["assignee"]["name"].as_str(),
    };
    if let Some(who) = assignee {
        issue = issue.assignee(who);
    }
    issues.insert(key.clone(), issue);
    let stored = match edition {
        Edition::Cloud => description.to_string(),
        Edition::Server => description.as_str().unwrap_or_default().to_owned(),
    };
    bodies.insert(key.clone(), stored);
    let id = 10_000 + issues.keys().position(|k| *k == key).unwrap_or_default();
    let version = if edition == Edition::Cloud { 3 } else { 2 };
    let link = format!("{base}/rest/api/{version}/issue/{id}");
    Reply::json(201, json!({ "id": id.to_string(), "key": key, "self": link }))
}

struct Jira<'a> {
    issues: &'a Issues,
    edition: Edition,
    base: String,
    page: usize,
}

impl Jira<'_> {
    fn version(&self) -> u8 {
        match self.edition {
            Edition::Cloud => 3,
            Edition::Server => 2,
        }
    }

    /// The issue `key` names now (following a move), with its position as Jira's numeric id.
    fn find(&self, key: &str) -> Option<(usize, Issue)> {
        let (_, issue) = self.issues.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?;
        let current = current(self.issues, issue);
        let id = self.issues.keys().position(|k| *k == current.key).unwrap_or(self.issues.len());
        Some((10_000 + id, current))
    }

    fn search(&self, body: &str) -> Reply {
        let Ok(request) = serde_json::from_str::<Value>(body) else {
            return errors(
                400,
                &["Invalid request payload. Refer to the REST API documentation and try again."],
            );
        };
        if self.edition == Edition::Cloud && request.get("startAt").is_some() {
            return errors(
                400,
                &["Invalid request payload. Refer to the REST API documentation and try again."],
            );
        }
        let jql = request["jql"].as_str().unwrap_or_default();
        let Some(keys) = keys_in(jql) else {
            return errors(400, &[&format!("Error in the JQL Query: cannot read '{jql}'.")]);
        };
        let mut found: BTreeMap<String, (usize, Issue)> = BTreeMap::new();
        let mut unknown = Vec::new();
        for key in &keys {
            match self.find(key) {
                Some((id, issue)) => {
                    found.insert(issue.key.clone(), (id, issue));
                }
                None => unknown.push(key.to_ascii_uppercase()),
            }
        }
        let warn = self.edition == Edition::Server && request["validateQuery"] == "warn";
        let messages: Vec<String> = unknown
            .iter()
            .map(|k| match self.edition {
                Edition::Cloud => {
                    format!("An issue with key '{k}' does not exist for field 'key'.")
                }
                Edition::Server => format!("The value '{k}' does not exist for the field 'key'."),
            })
            .collect();
        if !unknown.is_empty() && !warn {
            let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
            return errors(400, &messages);
        }
        let fields: Option<Vec<String>> = request["fields"]
            .as_array()
            .map(|f| f.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        let found: Vec<Value> =
            found.values().map(|(id, i)| self.issue_json(*id, i, fields.as_deref())).collect();
        let asked = request["maxResults"].as_u64().map_or(50, |m| m as usize);
        let size = asked.clamp(1, self.page);
        match self.edition {
            Edition::Cloud => {
                let start = match request["nextPageToken"].as_str() {
                    None => 0,
                    Some(token) => match token.strip_prefix("pg-").and_then(|n| n.parse().ok()) {
                        Some(start) => start,
                        None => return errors(400, &["The provided next page token is invalid."]),
                    },
                };
                let page: Vec<Value> = found.iter().skip(start).take(size).cloned().collect();
                let end = start + page.len();
                let mut reply = json!({ "issues": page, "isLast": end >= found.len() });
                if end < found.len() {
                    reply["nextPageToken"] = json!(format!("pg-{end}"));
                }
                Reply::json(200, reply)
            }
            Edition::Server => {
                let start = request["startAt"].as_u64().unwrap_or(0) as usize;
                let page: Vec<Value> = found.iter().skip(start).take(size).cloned().collect();
                let mut reply = json!({
                    "expand": "schema,names",
                    "startAt": start,
                    "maxResults": size,
                    "total": found.len(),
                    "issues": page,
                });
                if !messages.is_empty() {
                    reply["warningMessages"] = json!(messages);
                }
                Reply::json(200, reply)
            }
        }
    }

    fn get(&self, key: &str, fields: Option<&[String]>) -> Reply {
        match self.find(key) {
            Some((id, issue)) => Reply::json(200, self.issue_json(id, &issue, fields)),
            None => errors(404, &["Issue does not exist or you do not have permission to see it."]),
        }
    }

    /// An issue as Jira writes it, with the `fields` asked for (all when none were).
    fn issue_json(&self, id: usize, issue: &Issue, fields: Option<&[String]>) -> Value {
        let api = format!("{}/rest/api/{}", self.base, self.version());
        let (category_id, category_name, colour) = match issue.state.as_str() {
            "new" => (2, "To Do", "blue-gray"),
            "indeterminate" => (4, "In Progress", "yellow"),
            _ => (3, "Done", "green"),
        };
        let resolution = issue
            .reason
            .clone()
            .or_else(|| (issue.state == "done").then(|| "Done".to_owned()))
            .map(|name| {
                json!({"self": format!("{api}/resolution/10000"), "id": "10000", "name": name,
                       "description": "The work on this issue is finished."})
            });
        let assignee = issue.assignee.as_deref().map(|who| self.user(&api, who));
        let mut all = Map::new();
        all.insert(
            "status".into(),
            json!({
                "self": format!("{api}/status/10001"),
                "name": issue.name,
                "id": "10001",
                "statusCategory": {
                    "self": format!("{api}/statuscategory/{category_id}"),
                    "id": category_id,
                    "key": issue.state,
                    "colorName": colour,
                    "name": category_name,
                },
            }),
        );
        all.insert("resolution".into(), resolution.unwrap_or(Value::Null));
        all.insert("assignee".into(), assignee.unwrap_or(Value::Null));
        all.insert("updated".into(), json!(jira_time(&issue.updated_at)));
        all.insert("resolutiondate".into(), json!(issue.closed_at.as_deref().map(jira_time)));
        if let Some(fields) = fields {
            all.retain(|name, _| fields.iter().any(|f| f == name));
        }
        json!({
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": id.to_string(),
            "self": format!("{api}/issue/{id}"),
            "key": issue.key,
            "fields": all,
        })
    }

    /// A user: Cloud has account ids and (unless privacy hides it) an email; Server a user name.
    /// An assignee written without `@` is a Cloud user whose email is hidden: the account id.
    fn user(&self, api: &str, who: &str) -> Value {
        let local = who.split('@').next().unwrap_or(who);
        match self.edition {
            Edition::Cloud if !who.contains('@') => json!({
                "self": format!("{api}/user?accountId={who}"),
                "accountId": who,
                "displayName": "Hidden Person",
                "active": true,
            }),
            Edition::Cloud => json!({
                "self": format!("{api}/user?accountId=712020:{local}"),
                "accountId": format!("712020:{local}"),
                "emailAddress": who,
                "displayName": local,
                "active": true,
                "timeZone": "Europe/Berlin",
            }),
            Edition::Server => json!({
                "self": format!("{api}/user?username={local}"),
                "name": local,
                "key": format!("JIRAUSER{}", local.len() + 10_000),
                "emailAddress": who,
                "displayName": local,
                "active": true,
            }),
        }
    }
}

/// The keys of `key in (A-1, "B-2")`, or `None` for any other query.
fn keys_in(jql: &str) -> Option<Vec<String>> {
    let re = regex::Regex::new(r"(?i)^\s*(?:key|issuekey)\s+in\s*\(([^()]*)\)\s*$").expect("re");
    let list = re.captures(jql)?.get(1)?.as_str();
    let key = regex::Regex::new(r"^[A-Za-z][A-Za-z0-9_]*-[0-9]+$").expect("re");
    list.split(',')
        .map(|k| k.trim().trim_matches('"').to_owned())
        .map(|k| key.is_match(&k).then_some(k))
        .collect()
}

/// Jira's time format: milliseconds and an offset without a colon.
fn jira_time(rfc3339: &str) -> String {
    let at: jiff::Timestamp = rfc3339.parse().expect("an RFC 3339 time");
    at.to_zoned_datetime(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

fn errors(status: u16, messages: &[&str]) -> Reply {
    Reply::json(status, json!({ "errorMessages": messages, "errors": {} }))
}

//! Jira Cloud (`POST /rest/api/3/search/jql`, paged by `nextPageToken`) and Server / Data Center
//! (`POST /rest/api/2/search`, paged by `startAt`): one JQL query `key in (…)` per batch of up
//! to 100 keys.
//!
//! Jira answers a query naming a key it does not know with `400` and the key in the message
//! (`An issue with key 'PAY-9' does not exist for field 'key'.`); Server with
//! `validateQuery: warn` answers `200` and says the same in `warningMessages`. Those keys are
//! taken out, marked `missing`, and the rest asked again. A moved issue answers the query for
//! its old key under its new one; every asked key the answer lacks is then looked up alone
//! (`GET /issue/{key}`, which Jira resolves to the issue's current key) and recorded as
//! `moved_to`.
//!
//! States follow the status category (`new` → open, `indeterminate` → in-progress, `done` →
//! done), except that a done issue resolved as won't do, won't fix, duplicate, cannot reproduce,
//! declined or not a bug is `not-done`.
//!
//! Filing (`pm sync --create`): the project is searched for the item's marker as a phrase
//! (`project = KEY AND text ~ "\"marker\""`, through the edition's search) and the description
//! checked for it on a line of its own (Jira matches words, and Cloud answers in Atlassian
//! Document Format); then `POST /issue` files a Task with the summary, the description (Cloud: a
//! document of paragraphs, Server: plain text), labels (spaces as `-`: Jira refuses them), due
//! date, priority (P0–P3 as Highest, High, Medium, Low) and assignee (Cloud: the account id of
//! the owner's email, from `GET /user/search`; Server: the login). A project's create screen may
//! lack some of these fields, and an owner may not be assignable: when Jira answers `400` naming
//! any of them, the ticket is filed once more without them.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::http::{Client, HttpError, Safety, encode_component};
use super::sync::{Created, Fetched, NewTicket, Provider, has_marker};
use crate::config::JiraEdition;
use crate::model::{Priority, TicketState};

/// The Jira provider.
pub(crate) struct Jira {
    /// Which API.
    pub(crate) edition: JiraEdition,
}

/// Every field read, and nothing more: Jira's answer grows with each field asked for.
const FIELDS: [&str; 5] = ["status", "resolution", "assignee", "updated", "resolutiondate"];

/// Resolutions that close an issue without doing it (compared without case).
const NOT_DONE: [&str; 6] =
    ["won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "not a bug"];

/// Issues asked per page; Jira may answer with fewer, and the pages are followed.
const PAGE: usize = 100;

/// What one search said.
enum Search {
    /// The issues found, and the asked keys Jira warned it does not know.
    Found(Vec<Value>, BTreeSet<String>),
    /// The query was refused for naming these keys.
    Unknown(BTreeSet<String>),
}

impl Jira {
    fn api(&self) -> &'static str {
        match self.edition {
            JiraEdition::Cloud => "rest/api/3",
            JiraEdition::Server => "rest/api/2",
        }
    }

    fn search_path(&self) -> String {
        match self.edition {
            JiraEdition::Cloud => format!("{}/search/jql", self.api()),
            JiraEdition::Server => format!("{}/search", self.api()),
        }
    }

    /// Every issue `key in (keys)` finds, all pages.
    fn search(&self, client: &Client, keys: &[&str]) -> Result<Search, HttpError> {
        let list: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
        let jql = format!("key in ({})", list.join(", "));
        let path = self.search_path();
        let mut issues: Vec<Value> = Vec::new();
        let mut warned = BTreeSet::new();
        let mut token: Option<String> = None;
        // Each page holds at least one issue and a key finds at most one: more pages than
        // keys means pagination that does not end.
        for _ in 0..=keys.len() {
            let body = match self.edition {
                JiraEdition::Cloud => {
                    let mut body = json!({ "jql": jql, "fields": FIELDS, "maxResults": PAGE });
                    if let Some(token) = &token {
                        body["nextPageToken"] = json!(token);
                    }
                    body
                }
                JiraEdition::Server => json!({
                    "jql": jql,
                    "startAt": issues.len(),
                    "maxResults": PAGE,
                    "fields": FIELDS,
                    "validateQuery": "warn",
                }),
            };
            let reply = client.post(&path, &body, Safety::Idempotent)?;
            if reply.status == 400 {
                let unknown = named_keys(&reply.json, keys);
                if unknown.is_empty() {
                    return Err(client.unexpected(&path, &reply));
                }
                return Ok(Search::Unknown(unknown));
            }
            if reply.status != 200 {
                return Err(client.unexpected(&path, &reply));
            }
            warned.extend(named_keys(&reply.json, keys));
            let Some(page) = reply.json.get("issues").and_then(Value::as_array) else {
                return Err(client.malformed(&path, reply.status, "a search without `issues`"));
            };
            let empty = page.is_empty();
            issues.extend(page.iter().cloned());
            let more = match self.edition {
                JiraEdition::Cloud => {
                    token = reply.json.get("nextPageToken").and_then(Value::as_str).map(Into::into);
                    let last = reply.json.get("isLast").and_then(Value::as_bool).unwrap_or(false);
                    token.is_some() && !last
                }
                JiraEdition::Server => {
                    let total = reply.json.get("total").and_then(Value::as_u64).unwrap_or(0);
                    !empty && (issues.len() as u64) < total
                }
            };
            if !more {
                return Ok(Search::Found(issues, warned));
            }
        }
        Err(client.malformed(&path, 200, "search pages that do not end"))
    }

    /// The issue `key` names now, or `missing`.
    fn lookup(&self, client: &Client, key: &str, web: &str) -> Result<Fetched, HttpError> {
        let path = format!("{}/issue/{key}?fields={}", self.api(), FIELDS.join(","));
        let reply = client.get(&path)?;
        match reply.status {
            200 => read(key, &reply.json, self.edition, web)
                .ok_or_else(|| client.malformed(&path, reply.status, "an issue without a status")),
            404 => Ok(Fetched::missing(key)),
            _ => Err(client.unexpected(&path, &reply)),
        }
    }
}

/// Fields a ticket can be filed without: Jira names them in a `400` when the project's create
/// screen lacks them (or refuses the value, or the assignee), and the ticket is then filed again
/// without them.
const OPTIONAL: [&str; 4] = ["priority", "duedate", "assignee", "labels"];

impl Jira {
    /// The account id of the Cloud user with `email`; `None` when Jira shows none (or the token
    /// may not browse users): the ticket is then filed unassigned.
    fn account_id(&self, client: &Client, email: &str) -> Result<Option<String>, HttpError> {
        let path = format!("{}/user/search?query={}", self.api(), encode_component(email));
        let reply = match client.get(&path) {
            Err(HttpError::Auth { status: 403, .. }) => return Ok(None),
            reply => reply?,
        };
        if reply.status != 200 {
            return Ok(None);
        }
        Ok(reply.json.pointer("/0/accountId").and_then(Value::as_str).map(str::to_owned))
    }

    /// What a Jira of this edition takes as a description.
    fn description(&self, text: &str) -> Value {
        match self.edition {
            JiraEdition::Cloud => adf(text),
            JiraEdition::Server => json!(text),
        }
    }
}

impl Provider for Jira {
    fn group(&self, _key: &str) -> String {
        String::new()
    }

    fn batch_size(&self) -> usize {
        100
    }

    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError> {
        let mut out = Vec::new();
        let mut asked: Vec<&str> = Vec::new();
        for key in keys {
            if is_key(key) { asked.push(key) } else { out.push(Fetched::missing(key)) }
        }
        let mut unknown: BTreeSet<String> = BTreeSet::new();
        let mut remaining = asked.clone();
        // Every refusal names at least one key, which leaves the query: this ends.
        let found = loop {
            if remaining.is_empty() {
                break Vec::new();
            }
            match self.search(client, &remaining)? {
                Search::Found(issues, warned) => {
                    unknown.extend(warned);
                    break issues;
                }
                Search::Unknown(named) => {
                    remaining.retain(|k| !named.contains(&k.to_ascii_uppercase()));
                    unknown.extend(named);
                }
            }
        };
        let web = client.base();
        let by_key: BTreeMap<String, &Value> = found
            .iter()
            .filter_map(|i| Some((i.get("key")?.as_str()?.to_ascii_uppercase(), i)))
            .collect();
        for key in asked {
            let upper = key.to_ascii_uppercase();
            let fetched = match by_key.get(&upper) {
                Some(issue) => read(key, issue, self.edition, web).ok_or_else(|| {
                    client.malformed(&self.search_path(), 200, "an issue without a status")
                })?,
                None if unknown.contains(&upper) => Fetched::missing(key),
                // Asked, not refused, not answered: it lives under another key now.
                None => self.lookup(client, key, web)?,
            };
            out.push(fetched);
        }
        Ok(out)
    }

    fn find(&self, client: &Client, new: &NewTicket) -> Result<Option<Created>, HttpError> {
        let phrase = format!("\"{}\"", new.marker);
        let jql =
            format!("project = {} AND text ~ {}", jql_string(&new.project), jql_string(&phrase));
        let path = self.search_path();
        let body = json!({ "jql": jql, "fields": ["description"], "maxResults": 50 });
        let reply = client.post(&path, &body, Safety::Idempotent)?;
        if reply.status != 200 {
            return Err(client.unexpected(&path, &reply));
        }
        let Some(issues) = reply.json.get("issues").and_then(Value::as_array) else {
            return Err(client.malformed(&path, reply.status, "a search without `issues`"));
        };
        let found = issues.iter().find(|issue| {
            let description = issue.pointer("/fields/description").unwrap_or(&Value::Null);
            has_marker(&plain_text(description), &new.marker)
        });
        let Some(issue) = found else { return Ok(None) };
        let key = issue
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| client.malformed(&path, reply.status, "an issue without a key"))?;
        Ok(Some(Created { key: key.to_owned(), url: Some(browse(client, key)) }))
    }

    fn create(&self, client: &Client, new: &NewTicket) -> Result<Created, HttpError> {
        let path = format!("{}/issue", self.api());
        let mut fields = json!({
            "project": { "key": new.project },
            "summary": new.title,
            "issuetype": { "name": "Task" },
            "description": self.description(&new.body),
        });
        if !new.labels.is_empty() {
            let labels: Vec<String> = new
                .labels
                .iter()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join("-"))
                .collect();
            fields["labels"] = json!(labels);
        }
        if let Some(due) = new.due {
            fields["duedate"] = json!(due.to_string());
        }
        if let Some(priority) = new.priority {
            fields["priority"] = json!({ "name": priority_name(priority) });
        }
        if let Some(who) = &new.assignee {
            match self.edition {
                JiraEdition::Cloud => {
                    if let Some(id) = self.account_id(client, who)? {
                        fields["assignee"] = json!({ "accountId": id });
                    }
                }
                JiraEdition::Server => fields["assignee"] = json!({ "name": who }),
            }
        }
        let mut reply = client.post(&path, &json!({ "fields": fields }), Safety::Creates)?;
        if reply.status == 400 {
            let refused: Vec<&str> = OPTIONAL
                .into_iter()
                .filter(|f| {
                    fields.get(*f).is_some()
                        && reply.json.pointer(&format!("/errors/{f}")).is_some()
                })
                .collect();
            if !refused.is_empty() {
                if let Some(map) = fields.as_object_mut() {
                    map.retain(|name, _| !refused.contains(&name.as_str()));
                }
                reply = client.post(&path, &json!({ "fields": fields }), Safety::Creates)?;
            }
        }
        if reply.status != 201 {
            return Err(client.unexpected(&path, &reply));
        }
        let key = reply.json.get("key").and_then(Value::as_str).ok_or_else(|| {
            client.malformed(&path, reply.status, "a created issue without a key")
        })?;
        Ok(Created { key: key.to_owned(), url: Some(browse(client, key)) })
    }
}

/// A key Jira can be asked about in JQL and in a URL path: `PROJECT-123`.
fn is_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else { return false };
    project.starts_with(|c: char| c.is_ascii_alphabetic())
        && project.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `text` as a JQL string literal.
fn jql_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The page of `key`.
fn browse(client: &Client, key: &str) -> String {
    format!("{}/browse/{key}", client.base())
}

/// Jira's default priority scheme.
fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::P0 => "Highest",
        Priority::P1 => "High",
        Priority::P2 => "Medium",
        Priority::P3 => "Low",
    }
}

/// A description as text, a line per block: Server's is text already; Cloud's is an Atlassian
/// Document Format tree of blocks whose leaves are text nodes.
fn plain_text(description: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        if let Some(text) = node.get("text").and_then(Value::as_str) {
            out.push_str(text);
        }
        if node.get("type").and_then(Value::as_str) == Some("hardBreak") {
            out.push('\n');
        }
        if let Some(content) = node.get("content").and_then(Value::as_array) {
            for child in content {
                walk(child, out);
            }
            out.push('\n');
        }
    }
    match description {
        Value::String(text) => text.clone(),
        Value::Object(_) => {
            let mut out = String::new();
            walk(description, &mut out);
            out
        }
        _ => String::new(),
    }
}

/// Markdown-ish text as an Atlassian Document Format document: a paragraph per blank-line
/// separated block (its lines joined by hard breaks), web addresses as links. Every text node
/// is non-empty, as the format requires.
fn adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut content = Vec::new();
            for (i, line) in p.lines().enumerate() {
                if i > 0 {
                    content.push(json!({ "type": "hardBreak" }));
                }
                inline(line, &mut content);
            }
            json!({ "type": "paragraph", "content": content })
        })
        .collect();
    json!({ "type": "doc", "version": 1, "content": paragraphs })
}

/// The text nodes of one line: plain runs, and each web address as a link.
fn inline(line: &str, content: &mut Vec<Value>) {
    let mut plain = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            plain.push(' ');
        }
        if crate::url::is_http_url(word) {
            if !plain.is_empty() {
                content.push(json!({ "type": "text", "text": std::mem::take(&mut plain) }));
            }
            content.push(json!({
                "type": "text",
                "text": word,
                "marks": [{ "type": "link", "attrs": { "href": word } }],
            }));
        } else {
            plain.push_str(word);
        }
    }
    if !plain.is_empty() {
        content.push(json!({ "type": "text", "text": plain }));
    }
}

/// The asked keys (upper case) that Jira's error or warning messages name, in any of the
/// wordings it uses (`An issue with key 'X' does not exist…`, `The value 'X' does not exist
/// for the field 'key'.`, `The issue key 'X' for field 'key' is invalid.`): every quoted word
/// that is one of the keys.
fn named_keys(json: &Value, keys: &[&str]) -> BTreeSet<String> {
    let asked: BTreeSet<String> = keys.iter().map(|k| k.to_ascii_uppercase()).collect();
    let mut messages: Vec<&str> = Vec::new();
    for field in ["errorMessages", "warningMessages"] {
        if let Some(list) = json.get(field).and_then(Value::as_array) {
            messages.extend(list.iter().filter_map(Value::as_str));
        }
    }
    if let Some(errors) = json.get("errors").and_then(Value::as_object) {
        messages.extend(errors.values().filter_map(Value::as_str));
    }
    let mut named = BTreeSet::new();
    for message in messages {
        for (i, quoted) in message.split('\'').enumerate() {
            let quoted = quoted.to_ascii_uppercase();
            if i % 2 == 1 && asked.contains(&quoted) {
                named.insert(quoted);
            }
        }
    }
    named
}

/// One issue of a search or a lookup, answering for the asked `key`.
fn read(key: &str, issue: &Value, edition: JiraEdition, web: &str) -> Option<Fetched> {
    let found = issue.get("key")?.as_str()?;
    let fields = issue.get("fields")?;
    let text = |pointer: &str| fields.pointer(pointer).and_then(Value::as_str);
    let status = text("/status/name")?;
    let category = text("/status/statusCategory/key").unwrap_or_default();
    let resolution = text("/resolution/name");
    let tracker_state = match resolution {
        Some(r) if category == "done" && !r.eq_ignore_ascii_case(status) => {
            format!("{status} ({r})")
        }
        _ => status.to_owned(),
    };
    // Cloud has no user names (only account ids, and emails the user's privacy settings may
    // hide); Server and Data Center have a user name, the login.
    let assignee = match edition {
        JiraEdition::Cloud => {
            text("/assignee/emailAddress").or_else(|| text("/assignee/accountId"))
        }
        JiraEdition::Server => text("/assignee/name").or_else(|| text("/assignee/emailAddress")),
    };
    Some(Fetched {
        key: key.to_owned(),
        url: Some(format!("{web}/browse/{found}")),
        state: state(category, resolution),
        tracker_state,
        assignee: assignee.map(str::to_owned),
        updated_at: time(fields.get("updated")),
        closed_at: time(fields.get("resolutiondate")),
        moved_to: (!found.eq_ignore_ascii_case(key)).then(|| found.to_owned()),
    })
}

/// A status category and resolution on the one scale. A category Jira may add later counts as
/// open: not finished is the safe reading.
fn state(category: &str, resolution: Option<&str>) -> TicketState {
    match category {
        "indeterminate" => TicketState::InProgress,
        "done" => {
            let resolution = resolution.unwrap_or_default().replace('\u{2019}', "'");
            if NOT_DONE.iter().any(|r| r.eq_ignore_ascii_case(resolution.trim())) {
                TicketState::NotDone
            } else {
                TicketState::Done
            }
        }
        _ => TicketState::Open,
    }
}

/// Jira's times (`2026-11-20T10:00:00.000+0000`: an offset without a colon, which RFC 3339
/// does not allow), or RFC 3339.
fn time(value: Option<&Value>) -> Option<Timestamp> {
    let text = value?.as_str()?;
    text.parse().ok().or_else(|| {
        jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", text).ok()?.to_timestamp().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_categories_and_resolutions_map_onto_the_one_scale() {
        assert_eq!(state("new", None), TicketState::Open);
        assert_eq!(state("indeterminate", None), TicketState::InProgress);
        assert_eq!(state("done", Some("Done")), TicketState::Done);
        assert_eq!(state("done", Some("Fixed")), TicketState::Done);
        assert_eq!(state("done", None), TicketState::Done);
        for not_done in [
            "Won't Do",
            "won't fix",
            "Duplicate",
            "Cannot Reproduce",
            "DECLINED",
            "Not a Bug",
            "Won\u{2019}t Do",
        ] {
            assert_eq!(state("done", Some(not_done)), TicketState::NotDone, "{not_done}");
        }
        assert_eq!(state("indeterminate", Some("Won't Do")), TicketState::InProgress);
        assert_eq!(state("undefined", None), TicketState::Open);
    }

    #[test]
    fn jira_times_parse_with_and_without_a_colon_in_the_offset() {
        let at = |t: &str| time(Some(&json!(t)));
        let expected: Timestamp = "2026-11-20T10:00:00Z".parse().expect("time");
        assert_eq!(at("2026-11-20T10:00:00.000+0000"), Some(expected));
        assert_eq!(at("2026-11-20T11:30:00.000+0130"), Some(expected));
        assert_eq!(at("2026-11-20T10:00:00+0000"), Some(expected));
        assert_eq!(at("2026-11-20T10:00:00Z"), Some(expected));
        assert_eq!(at("2026-11-20"), None);
        assert_eq!(time(Some(&Value::Null)), None);
    }

    #[test]
    fn unknown_keys_are_read_from_every_wording() {
        let keys = ["PAY-1", "PAY-9", "OPS-3", "ABC-7"];
        let cloud = json!({"errorMessages": [
            "An issue with key 'PAY-9' does not exist for field 'key'.",
            "The issue key 'abc-7' for field 'key' is invalid."
        ], "errors": {}});
        assert_eq!(named_keys(&cloud, &keys), BTreeSet::from(["PAY-9".into(), "ABC-7".into()]));
        let server = json!({"errorMessages": [], "errors": {
            "key": "The value 'OPS-3' does not exist for the field 'key'."
        }});
        assert_eq!(named_keys(&server, &keys), BTreeSet::from(["OPS-3".into()]));
        let warned = json!({"issues": [], "warningMessages": [
            "The value 'PAY-9' does not exist for the field 'key'."
        ]});
        assert_eq!(named_keys(&warned, &keys), BTreeSet::from(["PAY-9".into()]));
        let other =
            json!({"errorMessages": ["The value 'XYZ-1' does not exist for the field 'key'."]});
        assert!(named_keys(&other, &keys).is_empty(), "only asked keys count");
    }

    #[test]
    fn an_issue_reads_its_assignee_per_edition_and_its_new_key() {
        let issue = json!({
            "key": "NEW-7",
            "fields": {
                "status": {"name": "Closed", "statusCategory": {"key": "done"}},
                "resolution": {"name": "Won't Fix"},
                "assignee": {"accountId": "5b10a2844c20165700ede21g", "name": "asmith",
                             "emailAddress": "asmith@example.com"},
                "updated": "2026-11-20T10:00:00.000+0000",
                "resolutiondate": "2026-11-21T10:00:00.000+0000"
            }
        });
        let web = "https://jira.example.com";
        let cloud = read("OLD-1", &issue, JiraEdition::Cloud, web).expect("an issue");
        assert_eq!(cloud.state, TicketState::NotDone);
        assert_eq!(cloud.tracker_state, "Closed (Won't Fix)");
        assert_eq!(cloud.assignee.as_deref(), Some("asmith@example.com"));
        assert_eq!(cloud.moved_to.as_deref(), Some("NEW-7"));
        assert_eq!(cloud.url.as_deref(), Some("https://jira.example.com/browse/NEW-7"));
        assert_eq!(cloud.closed_at, Some("2026-11-21T10:00:00Z".parse().expect("time")));
        let server = read("new-7", &issue, JiraEdition::Server, web).expect("an issue");
        assert_eq!(server.assignee.as_deref(), Some("asmith"));
        assert_eq!(server.moved_to, None, "keys compare without case");

        let mut hidden = issue.clone();
        hidden["fields"]["assignee"] = json!({"accountId": "5b10a2844c20165700ede21g"});
        let cloud = read("NEW-7", &hidden, JiraEdition::Cloud, web).expect("an issue");
        assert_eq!(cloud.assignee.as_deref(), Some("5b10a2844c20165700ede21g"));
        hidden["fields"]["status"] = Value::Null;
        assert!(read("NEW-7", &hidden, JiraEdition::Cloud, web).is_none());
    }

    #[test]
    fn a_description_becomes_paragraphs_and_reads_back_with_its_marker() {
        let text = "Action item of INC-1\n\nPostmortem: https://pm.example.com/INC-1.html\n\
                    Owner: jdoe\n\npm-item:INC-1/1\n";
        let doc = adf(text);
        let paragraphs = doc["content"].as_array().expect("paragraphs");
        assert_eq!(paragraphs.len(), 3);
        let link = "https://pm.example.com/INC-1.html";
        assert_eq!(
            paragraphs[1]["content"],
            json!([
                {"type": "text", "text": "Postmortem: "},
                {"type": "text", "text": link,
                 "marks": [{"type": "link", "attrs": {"href": link}}]},
                {"type": "hardBreak"},
                {"type": "text", "text": "Owner: jdoe"},
            ])
        );
        assert!(has_marker(&plain_text(&doc), "pm-item:INC-1/1"));
        assert!(!has_marker(&plain_text(&doc), "pm-item:INC-1/"));
        assert!(has_marker(&plain_text(&json!(text)), "pm-item:INC-1/1"), "Server's text");
        assert_eq!(plain_text(&Value::Null), "");
    }

    #[test]
    fn jql_strings_are_quoted_and_escaped() {
        assert_eq!(jql_string("PAY"), r#""PAY""#);
        assert_eq!(jql_string(r#""pm-item:X/1""#), r#""\"pm-item:X/1\"""#);
        assert_eq!(jql_string(r"a\b"), r#""a\\b""#);
        assert_eq!(priority_name(Priority::P0), "Highest");
        assert_eq!(priority_name(Priority::P3), "Low");
    }

    #[test]
    fn only_jira_shaped_keys_are_asked() {
        assert!(is_key("PAY-12"));
        assert!(is_key("A_B2-1"));
        assert!(!is_key("PAY-"));
        assert!(!is_key("12-3"));
        assert!(!is_key("PAY-1) OR key in (X-1"));
        assert!(!is_key("PAY-1\""));
    }
}

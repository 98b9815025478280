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

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::http::{Client, HttpError, Safety};
use super::sync::{Fetched, Provider};
use crate::config::JiraEdition;
use crate::model::TicketState;

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
}

/// A key Jira can be asked about in JQL and in a URL path: `PROJECT-123`.
fn is_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else { return false };
    project.starts_with(|c: char| c.is_ascii_alphabetic())
        && project.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
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
    fn only_jira_shaped_keys_are_asked() {
        assert!(is_key("PAY-12"));
        assert!(is_key("A_B2-1"));
        assert!(!is_key("PAY-"));
        assert!(!is_key("12-3"));
        assert!(!is_key("PAY-1) OR key in (X-1"));
        assert!(!is_key("PAY-1\""));
    }
}

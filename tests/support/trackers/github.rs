//! The fake GitHub: GraphQL batches of aliased `issueOrPullRequest` lookups, and the REST
//! calls `pm sync --create` makes (`POST /repos/:owner/:repo/issues`, `GET /search/issues`).

use serde_json::{Value, json};

use super::{Bodies, Issue, Issues, Reply, Seen, current, next_number};

/// REST: files an issue (201 with `number` and `html_url`; 422 for an assignee who is not a
/// collaborator, as GitHub answers), or searches the bodies of filed issues for a quoted
/// phrase.
pub(super) fn filed(issues: &mut Issues, bodies: &mut Bodies, seen: &Seen) -> Option<Reply> {
    let path = seen.path();
    if seen.method == "GET" && path.ends_with("/search/issues") {
        let query = seen
            .url
            .split_once("?q=")
            .map(|(_, q)| pm::cmd::serve::percent_decode(q).unwrap_or_default())
            .unwrap_or_default();
        let phrase = query.split('"').nth(1).unwrap_or_default().to_owned();
        let items: Vec<Value> = bodies
            .iter()
            .filter(|(_, body)| !phrase.is_empty() && body.contains(&phrase))
            .map(|(key, body)| {
                let (repo, number) = key.rsplit_once('#').unwrap_or_default();
                json!({"number": number.parse::<u64>().unwrap_or_default(), "html_url": format!("https://github.com/{repo}/issues/{number}"), "body": body})
            })
            .collect();
        return Some(Reply::json(
            200,
            json!({"total_count": items.len(), "incomplete_results": false, "items": items}),
        ));
    }
    let repo = path.split("/repos/").nth(1)?.strip_suffix("/issues")?;
    if seen.method != "POST" {
        return None;
    }
    let Some(request) = seen.json() else { return Some(unparsable()) };
    if request["assignees"]
        .as_array()
        .is_some_and(|a| a.iter().any(|l| l.as_str().is_some_and(|l| l.starts_with("nobody"))))
    {
        return Some(Reply::json(
            422,
            json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "assignees", "code": "invalid"}]}),
        ));
    }
    let number = next_number(issues, &format!("{repo}#"));
    let key = format!("{repo}#{number}");
    let mut issue = Issue::new(&key, "OPEN");
    if let Some(login) = request["assignees"][0].as_str() {
        issue = issue.assignee(login);
    }
    issues.insert(key.clone(), issue);
    bodies.insert(key.clone(), request["body"].as_str().unwrap_or_default().to_owned());
    Some(Reply::json(
        201,
        json!({"number": number, "html_url": format!("https://github.com/{repo}/issues/{number}"), "title": request["title"]}),
    ))
}

/// GitHub GraphQL: `rN: repository(owner: $oN, name: $nN) { iM: issueOrPullRequest(number: M)
/// { … } }`, answering each alias with the issue or `null` and a `NOT_FOUND` error, as GitHub
/// does.
pub(super) fn answer(issues: &Issues, seen: &Seen) -> Option<Reply> {
    if !(seen.path().ends_with("/graphql") && seen.body.contains("issueOrPullRequest")) {
        return None;
    }
    let Some(request) = seen.json() else { return Some(unparsable()) };
    let query = request["query"].as_str().unwrap_or_default();
    let variables = &request["variables"];
    let mut data = serde_json::Map::new();
    let mut errors = Vec::new();
    let repo_re =
        regex::Regex::new(r"r(\d+): repository\(owner: \$o\d+, name: \$n\d+\)").expect("re");
    let issue_re = regex::Regex::new(r"i(\d+): issueOrPullRequest\(number: (\d+)\)").expect("re");
    let starts: Vec<_> = repo_re.captures_iter(query).collect();
    for (i, caps) in starts.iter().enumerate() {
        let whole = caps.get(0).expect("match");
        let end = starts.get(i + 1).map_or(query.len(), |c| c.get(0).expect("match").start());
        let block = &query[whole.end()..end];
        let n = &caps[1];
        let alias = format!("r{n}");
        let owner = variables[format!("o{n}")].as_str().unwrap_or_default();
        let name = variables[format!("n{n}")].as_str().unwrap_or_default();
        let repo = format!("{owner}/{name}").to_ascii_lowercase();
        let prefix = format!("{repo}#");
        let known =
            issues.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix))
                || issues.keys().any(|k| k.to_ascii_lowercase().starts_with(&prefix));
        if !known {
            data.insert(alias.clone(), Value::Null);
            errors.push(json!({"type": "NOT_FOUND", "path": [alias], "message": format!("Could not resolve to a Repository with the name '{repo}'.")}));
            continue;
        }
        let mut found = serde_json::Map::new();
        for issue_caps in issue_re.captures_iter(block) {
            let alias_i = format!("i{}", &issue_caps[1]);
            let number = &issue_caps[2];
            let wanted = format!("{repo}#{number}");
            let issue = issues
                .get(&wanted)
                .or_else(|| issues.values().find(|i| i.key.to_ascii_lowercase() == wanted))
                .map(|i| current(issues, i));
            let Some(issue) = issue else {
                found.insert(alias_i.clone(), Value::Null);
                errors.push(json!({"type": "NOT_FOUND", "path": [alias, alias_i], "message": format!("Could not resolve to an issue or pull request with the number of {number}.")}));
                continue;
            };
            let (home, number) = issue.key.rsplit_once('#').unwrap_or_default();
            found.insert(
                alias_i,
                json!({
                    "__typename": "Issue",
                    "number": number.parse::<u64>().unwrap_or_default(),
                    "url": format!("https://github.com/{home}/issues/{number}"),
                    "state": issue.state,
                    "stateReason": issue.reason.clone().or_else(|| (issue.state == "CLOSED").then(|| "COMPLETED".to_owned())),
                    "updatedAt": issue.updated_at,
                    "closedAt": issue.closed_at,
                    "assignees": {"nodes": issue.assignee.iter().map(|a| json!({"login": a})).collect::<Vec<_>>()},
                    "repository": {"nameWithOwner": home},
                }),
            );
        }
        data.insert(alias, Value::Object(found));
    }
    let mut reply = json!({ "data": data });
    if !errors.is_empty() {
        reply["errors"] = Value::Array(errors);
    }
    Some(Reply::json(200, reply))
}

/// GitHub's answer to a body that is not JSON.
fn unparsable() -> Reply {
    Reply::json(400, json!({"message": "Problems parsing JSON"}))
}

//! Ticket references: which tracker an item's `ticket` belongs to and its canonical key.
//!
//! A reference is a key (`PAY-123`, `ENG-42`), `owner/repo#123` (GitHub), `group/project#123`
//! (GitLab), or the issue's web URL on a configured tracker. Two spellings of one ticket (its key
//! and its URL) resolve to the same [`TicketRef`], so the cache holds it once.

use crate::config::{Config, Tracker, TrackerKind};

/// A ticket in a tracker with an API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketRef {
    /// The tracker's name in `pm.toml`.
    pub tracker: String,
    /// The canonical key: `owner/repo#12`, `group/sub/project#12`, `PAY-123`.
    pub key: String,
}

/// Why a ticket is not synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// Neither a key of a tracker with an API nor a URL of one.
    NoTracker,
    /// It matches a tracker that has no `kind`, so there is no API to ask.
    NoApi(String),
}

/// Resolves `ticket` against the configured trackers (in name order, the first match wins).
pub fn resolve(config: &Config, ticket: &str) -> Result<TicketRef, Unresolved> {
    let ticket = ticket.trim();
    if crate::url::is_http_url(ticket) {
        return config
            .trackers
            .iter()
            .find_map(|(name, t)| {
                Some(TicketRef { tracker: name.clone(), key: key_of_url(t, ticket)? })
            })
            .ok_or(Unresolved::NoTracker);
    }
    let (name, tracker) = config
        .trackers
        .iter()
        .find(|(_, t)| t.regex().is_some_and(|r| r.is_match(ticket)))
        .ok_or(Unresolved::NoTracker)?;
    if tracker.kind().is_none() {
        return Err(Unresolved::NoApi(name.clone()));
    }
    Ok(TicketRef { tracker: name.clone(), key: ticket.to_owned() })
}

/// The key of the issue at `url` on `tracker`, if the URL is one of its issue pages.
fn key_of_url(tracker: &Tracker, url: &str) -> Option<String> {
    let kind = tracker.kind()?;
    let url = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
    let key = match kind {
        TrackerKind::Github => {
            let rest = strip_base(url, &web_base(tracker)?)?;
            let mut parts = rest.split('/');
            let (owner, repo, issues, number) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            (parts.next().is_none() && matches!(issues, "issues" | "pull") && is_number(number))
                .then(|| format!("{owner}/{repo}#{number}"))?
        }
        TrackerKind::Gitlab => {
            let rest = strip_base(url, &web_base(tracker)?)?;
            let (project, number) = rest.split_once("/-/issues/")?;
            (!project.is_empty() && is_number(number)).then(|| format!("{project}#{number}"))?
        }
        TrackerKind::Jira => {
            let rest = strip_base(url, &tracker.api_base()?)?;
            rest.strip_prefix("browse/")?.to_owned()
        }
        TrackerKind::Linear => {
            let rest = strip_base(url, "https://linear.app")?;
            let mut parts = rest.split('/');
            let (_workspace, issue, key) = (parts.next()?, parts.next()?, parts.next()?);
            (issue == "issue").then(|| key.to_owned())?
        }
    };
    tracker.regex().is_none_or(|r| r.is_match(&key)).then_some(key)
}

/// The web address issues live under, derived from the API's.
pub fn web_base(tracker: &Tracker) -> Option<String> {
    let api = tracker.api_base()?;
    Some(match tracker.kind()? {
        TrackerKind::Github if api == "https://api.github.com" => "https://github.com".to_owned(),
        TrackerKind::Github => api.strip_suffix("/api/v3").unwrap_or(&api).to_owned(),
        TrackerKind::Gitlab => api.strip_suffix("/api/v4").unwrap_or(&api).to_owned(),
        TrackerKind::Linear => "https://linear.app".to_owned(),
        TrackerKind::Jira => api,
    })
}

fn strip_base<'u>(url: &'u str, base: &str) -> Option<&'u str> {
    let rest = url.strip_prefix(base.trim_end_matches('/'))?;
    rest.strip_prefix('/').filter(|r| !r.is_empty())
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse(
            r#"
[trackers.gh]
kind = "github"
[trackers.lab]
kind = "gitlab"
api = "https://gitlab.example.com/api/v4"
pattern = '^[a-z]+/[a-z/]+#[0-9]+$'
[trackers.jira]
kind = "jira"
api = "https://acme.atlassian.net"
pattern = '^(PAY|OPS)-[0-9]+$'
[trackers.linear]
kind = "linear"
pattern = '^ENG-[0-9]+$'
[trackers.old]
pattern = '^OLD-[0-9]+$'
"#,
            "pm.toml",
        )
        .expect("config")
    }

    fn r(tracker: &str, key: &str) -> Result<TicketRef, Unresolved> {
        Ok(TicketRef { tracker: tracker.into(), key: key.into() })
    }

    #[test]
    fn keys_and_urls_resolve_to_one_reference() {
        let c = config();
        assert_eq!(resolve(&c, "PAY-123"), r("jira", "PAY-123"));
        assert_eq!(resolve(&c, "https://acme.atlassian.net/browse/PAY-123"), r("jira", "PAY-123"));
        assert_eq!(resolve(&c, "ENG-42"), r("linear", "ENG-42"));
        assert_eq!(
            resolve(&c, "https://linear.app/acme/issue/ENG-42/fix-the-pool"),
            r("linear", "ENG-42")
        );
        assert_eq!(resolve(&c, "Acme/API#7"), r("gh", "Acme/API#7"));
        assert_eq!(resolve(&c, "https://github.com/Acme/API/issues/7"), r("gh", "Acme/API#7"));
        assert_eq!(
            resolve(&c, "https://github.com/Acme/API/issues/7#issuecomment-1"),
            r("gh", "Acme/API#7")
        );
        assert_eq!(
            resolve(&c, "https://gitlab.example.com/infra/db/pool/-/issues/12"),
            r("lab", "infra/db/pool#12")
        );
    }

    #[test]
    fn what_does_not_resolve_says_why() {
        let c = config();
        assert_eq!(resolve(&c, "OLD-1"), Err(Unresolved::NoApi("old".into())));
        assert_eq!(resolve(&c, "see slack"), Err(Unresolved::NoTracker));
        assert_eq!(resolve(&c, "https://wiki.example.com/page"), Err(Unresolved::NoTracker));
        assert_eq!(resolve(&c, "https://github.com/acme/api/wiki"), Err(Unresolved::NoTracker));
        assert_eq!(
            resolve(&c, "https://acme.atlassian.net/browse/XYZ-1"),
            Err(Unresolved::NoTracker)
        );
    }
}

//! `pm.toml`: the repository's configuration, strict and optional.
//!
//! Every section has a default, so a repository without `pm.toml` works. Unknown keys are
//! errors that name the file, line and column: a misspelled `[deadlnes]` must not silently turn
//! a policy off. The published schema (`schema/pm.toml.schema.json`) is kept in sync with these
//! structs by a test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::source::LineIndex;

mod completion;
mod paths;
pub use completion::{Completion, FIELDS as COMPLETION_FIELDS, Question, ReviewRequirement};

/// The name of the configuration file.
pub const FILE_NAME: &str = "pm.toml";

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The repository's display title.
    pub title: String,
    /// Folder (relative to the root) scanned for `*.md` postmortems.
    pub postmortems: String,
    /// IANA time zone that "today", date-only deadlines and months mean.
    pub timezone: Spanned<String>,
    /// Allowed severities, most severe first.
    pub severities: Vec<String>,
    /// Business days from `resolved_at` to the postmortem's `due`, per severity.
    pub deadlines: BTreeMap<String, Spanned<u32>>,
    /// Prefix of postmortem ids (`INC` → `INC-2026-0042`).
    pub id_prefix: String,
    /// Teams, by slug.
    pub teams: BTreeMap<String, Team>,
    /// The service catalog, by slug.
    pub services: BTreeMap<String, Service>,
    /// Issue trackers that action-item tickets may refer to, by name.
    pub trackers: BTreeMap<String, Tracker>,
    /// Body sections.
    pub sections: Sections,
    /// Per-rule severity: `error`, `warning`, `info` or `off`, keyed by slug or code.
    pub rules: BTreeMap<String, Spanned<String>>,
    /// Rules switched off for some paths.
    pub suppress: Vec<Suppression>,
    /// Settings of the `blameless-language` rule.
    pub blameless: Blameless,
    /// Extra regular expressions that mark template placeholders.
    pub placeholders: Vec<Spanned<String>>,
    /// Dates that are not business days, for deadlines (`YYYY-MM-DD`).
    pub holidays: Vec<Spanned<String>>,
    /// `holidays` read and sorted once, at load: every deadline looks them up.
    #[serde(skip)]
    holiday_dates: crate::calendar::Holidays,
    /// Release gate policy (`pm gate`).
    pub gate: Gate,
    /// The static site (`pm build`).
    pub site: Site,
    /// Ticket sync (`pm sync`) and the ticket cache.
    pub sync: Sync,
    /// Tracker identities of people: a handle → the logins and emails they use in trackers.
    pub people: BTreeMap<String, Vec<String>>,
    /// Verified closure of action items.
    pub verification: Verification,
    /// What makes a postmortem complete.
    pub completion: Completion,
    /// Settings of the metrics (`pm metrics` and the site's metrics pages).
    pub metrics: MetricsSettings,
    /// What `pm new` writes besides the template.
    pub new: New,
    /// Which files of the postmortems folder `pm check` reads.
    pub check: Check,
}

/// Settings of the metrics.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// Rank teams against each other (the leaderboard and the teams ordered by on-time
    /// completion). Off by default: each team's figures stand on their own.
    pub rank_teams: bool,
}

/// The published address of the front matter schema (its `$id`), which editors can fetch.
pub const POSTMORTEM_SCHEMA_URL: &str = "https://pm.dev/schema/postmortem.schema.json";

/// Settings of `pm new`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct New {
    /// The schema named by the `# yaml-language-server: $schema=…` line written at the top of a
    /// new postmortem's front matter, so editors with the YAML language server complete and
    /// check its keys; empty: no such line.
    pub schema_comment: Spanned<String>,
}

impl Default for New {
    fn default() -> Self {
        Self { schema_comment: Spanned::new(0..0, POSTMORTEM_SCHEMA_URL.to_owned()) }
    }
}

/// Settings of `pm check`'s reading of the postmortems folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Check {
    /// Markdown files in the postmortems folder that are not postmortems: globs relative to
    /// that folder, matched case-insensitively (`**/` for any depth). A file they match is
    /// skipped with an info note.
    pub ignore: Vec<Spanned<String>>,
    /// `ignore` compiled, at load.
    #[serde(skip)]
    compiled: crate::discover::Ignore,
}

impl Check {
    /// The compiled `ignore` globs.
    pub fn ignored(&self) -> &crate::discover::Ignore {
        &self.compiled
    }
}

impl Default for Check {
    fn default() -> Self {
        Self {
            ignore: DEFAULT_IGNORE.iter().map(|g| Spanned::new(0..0, (*g).to_owned())).collect(),
            compiled: crate::discover::Ignore::new(DEFAULT_IGNORE.iter().copied())
                .unwrap_or_default(),
        }
    }
}

/// The markdown files of a postmortems folder that are not postmortems unless pm.toml says
/// otherwise: a folder's README, and notes kept beside the postmortems.
pub const DEFAULT_IGNORE: &[&str] = &["**/README.md", "**/notes.md"];

/// Settings of `pm sync` and of the ticket cache the checks read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sync {
    /// The ticket cache, relative to the root.
    pub cache: String,
    /// Age after which the cache is reported as stale (`7d`, `36h`).
    pub max_age: Spanned<String>,
    /// Requests in flight at once.
    pub concurrency: Spanned<usize>,
    /// Connect and read timeout of one request (`30s`).
    pub timeout: Spanned<String>,
    /// Times a failed read is retried (timeouts, `429`, `5xx`), at most [`MAX_RETRIES`].
    pub retries: Spanned<u32>,
    /// The tracker `pm sync --create` files tickets in when the postmortem's team names none.
    pub create_in: Option<Spanned<String>>,
}

impl Default for Sync {
    fn default() -> Self {
        Self {
            cache: ".pm/tickets.json".into(),
            max_age: Spanned::new(0..0, "7d".into()),
            concurrency: Spanned::new(0..0, 4),
            timeout: Spanned::new(0..0, "30s".into()),
            retries: Spanned::new(0..0, 3),
            create_in: None,
        }
    }
}

impl Sync {
    /// `max_age` (validated at load).
    pub fn max_age(&self) -> jiff::SignedDuration {
        parse_duration(self.max_age.get_ref()).unwrap_or(jiff::SignedDuration::from_hours(7 * 24))
    }

    /// `timeout` (validated at load).
    pub fn timeout(&self) -> std::time::Duration {
        parse_duration(self.timeout.get_ref())
            .and_then(|d| std::time::Duration::try_from(d).ok())
            .unwrap_or(std::time::Duration::from_secs(30))
    }
}

/// The most business days a deadline may be (about four years): more is a typo, and would
/// make every deadline computation walk that far.
pub const MAX_DEADLINE_DAYS: u32 = 1000;
/// The most retries of one request `pm sync` makes.
pub const MAX_RETRIES: u32 = 10;
/// The most days of `[gate] grace_days` (ten years).
pub const MAX_GRACE_DAYS: u32 = 3650;
/// The most postmortems a `[gate]` count may allow.
pub const MAX_GATE_COUNT: usize = 10_000;
/// The longest `sync.max_age` (ten years), as written in messages.
const MAX_AGE: (jiff::SignedDuration, &str) =
    (jiff::SignedDuration::from_hours(3650 * 24), "3650d");
/// The longest `sync.timeout` (one hour), as written in messages.
const MAX_TIMEOUT: (jiff::SignedDuration, &str) = (jiff::SignedDuration::from_hours(1), "1h");

/// `value` of `key` unless it is outside `range`: then the error says the range, located.
fn in_range<T: PartialOrd + std::fmt::Display + Copy>(
    key: &str,
    value: &Spanned<T>,
    range: std::ops::RangeInclusive<T>,
) -> Result<(), (std::ops::Range<usize>, String)> {
    if range.contains(value.get_ref()) {
        return Ok(());
    }
    Err((
        value.span(),
        format!(
            "`{key}` must be between {} and {}, not {}",
            range.start(),
            range.end(),
            value.get_ref()
        ),
    ))
}

/// A positive duration written the friendly way (`7d`, `36h`, `1h 30m`, `500ms`).
fn parse_duration(text: &str) -> Option<jiff::SignedDuration> {
    let span: jiff::Span = text.parse().ok()?;
    let duration = span.to_duration(jiff::SpanRelativeTo::days_are_24_hours()).ok()?;
    duration.is_positive().then_some(duration)
}

/// When a finished action item must show proof that it worked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Verification {
    /// Priorities whose `done` items need `verification: {by, on, evidence}`.
    pub priorities: Vec<Spanned<String>>,
}

impl Default for Verification {
    fn default() -> Self {
        Self { priorities: ["P0", "P1"].map(|p| Spanned::new(0..0, p.to_owned())).to_vec() }
    }
}

/// Settings of the static site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Site {
    /// Output folder, relative to the root.
    pub output: String,
    /// Absolute URL the site is published at; used only for the feed and sitemap (every page
    /// link is relative).
    pub base_url: Option<String>,
    /// Web URL of the repository (e.g. `https://github.com/acme/postmortems`), for "edit" and
    /// "history" links.
    pub repo_url: Option<String>,
    /// Branch the edit and history links point at.
    pub branch: String,
    /// Let raw HTML in postmortem bodies through an allow-list sanitizer instead of escaping it.
    pub allow_html: bool,
    /// The statuses whose postmortems are on the site; the others are left out entirely.
    pub publish: Vec<crate::model::Status>,
    /// The currency money amounts (`impact.revenue_loss`) are in, written after them
    /// (`USD`, `EUR`, `kr`); without it they are bare numbers.
    pub currency: Option<String>,
}

impl Site {
    /// Whether postmortems with `status` are on the site.
    pub fn publishes(&self, status: crate::model::Status) -> bool {
        self.publish.contains(&status)
    }
}

impl Default for Site {
    fn default() -> Self {
        Self {
            output: "public".into(),
            base_url: None,
            repo_url: None,
            branch: "main".into(),
            allow_html: false,
            // Every status, as before the key existed, so an upgrade removes no page; `pm init`
            // writes `["in-review", "published"]`.
            publish: crate::model::Status::ALL.to_vec(),
            currency: None,
        }
    }
}

/// When `pm gate` blocks a release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gate {
    /// Overdue postmortems a team may have before releases are blocked.
    pub max_overdue_postmortems: Spanned<usize>,
    /// Action-item priorities whose overdue items block a release.
    pub block_priorities: Vec<Spanned<String>>,
    /// Days past `due` before an item or postmortem counts as overdue for the gate.
    pub grace_days: Spanned<u32>,
    /// Postmortems past their due date that the completion policy does not call complete
    /// (published or not) a team may have before releases are blocked; absent, completion
    /// does not gate.
    pub max_incomplete_past_due: Option<Spanned<usize>>,
}

impl Default for Gate {
    fn default() -> Self {
        Self {
            max_overdue_postmortems: Spanned::new(0..0, 0),
            block_priorities: ["P0", "P1"].map(|p| Spanned::new(0..0, p.to_owned())).to_vec(),
            grace_days: Spanned::new(0..0, 0),
            max_incomplete_past_due: None,
        }
    }
}

/// A team.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Team {
    /// Display name.
    pub name: Option<String>,
    /// Member handles; the people registry is the union of all members.
    pub members: Vec<String>,
    /// Who owns the team's postmortems by default (a member).
    pub owner: Option<String>,
    /// The tracker (a `[trackers]` name) `pm sync --create` files the team's tickets in.
    pub tracker: Option<Spanned<String>>,
    /// Where in that tracker (overrides the tracker's `project`).
    pub project: Option<String>,
    /// Who the git host asks to review the team's postmortems (`pm codeowners`): `@user`,
    /// `@org/team` or an email. Without it, the team's owner and members as `@handle`; an empty
    /// list asks no one.
    pub codeowners: Option<Vec<Spanned<String>>>,
}

/// A service in the catalog.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Service {
    /// The owning team's slug.
    pub team: Option<Spanned<String>>,
    /// Default postmortem owner for incidents in this service.
    pub owner: Option<String>,
    /// One line on what the service is.
    pub description: Option<String>,
}

/// An issue tracker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracker {
    /// Which API the tracker speaks; without it, tickets are only recognised and linked.
    pub kind: Option<Spanned<TrackerKind>>,
    /// Regular expression a ticket key must match (anchor it with `^…$`); a `kind` brings a
    /// default (`owner/repo#123`, `group/project#123` or `KEY-123`).
    pub pattern: Option<Spanned<String>>,
    /// URL template with `{key}`, for links.
    pub url: Option<String>,
    /// Base URL of the API; the public clouds of GitHub, GitLab and Linear are the default,
    /// Jira and self-hosted GitHub Enterprise or GitLab need it.
    pub api: Option<Spanned<String>>,
    /// Name of the environment variable that holds the token (never the token itself).
    pub token_env: Option<Spanned<String>>,
    /// Jira Cloud: name of the environment variable holding the account's email (basic auth).
    pub user_env: Option<Spanned<String>>,
    /// Jira: `cloud` (`/rest/api/3`) or `server` (Server and Data Center, `/rest/api/2`);
    /// by default `cloud` when the API host ends in `.atlassian.net`.
    pub edition: Option<Spanned<JiraEdition>>,
    /// Where `pm sync --create` files tickets: `owner/repo` (GitHub), `group/project`
    /// (GitLab), a project key (Jira) or a team key (Linear).
    pub project: Option<Spanned<String>>,
    /// Labels put on tickets `pm sync --create` files.
    #[serde(default)]
    pub labels: Vec<String>,
    /// `pattern` (or the kind's default), compiled on first use: tickets are linked tens of
    /// thousands of times per site build, and the pattern was validated when the config was
    /// loaded.
    #[serde(skip)]
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

/// The API a tracker speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackerKind {
    /// GitHub or GitHub Enterprise Server (GraphQL).
    Github,
    /// GitLab, SaaS or self-managed (REST v4).
    Gitlab,
    /// Jira Cloud, Server or Data Center (REST v3 or v2).
    Jira,
    /// Linear (GraphQL).
    Linear,
}

/// Which Jira API a `jira` tracker speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JiraEdition {
    /// Jira Cloud: `/rest/api/3`, email and API token.
    Cloud,
    /// Jira Server and Data Center: `/rest/api/2`, personal access token.
    Server,
}

impl TrackerKind {
    /// The name written in `pm.toml`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TrackerKind::Github => "github",
            TrackerKind::Gitlab => "gitlab",
            TrackerKind::Jira => "jira",
            TrackerKind::Linear => "linear",
        }
    }

    /// The key pattern of a tracker of this kind that sets none.
    pub const fn default_pattern(self) -> &'static str {
        match self {
            TrackerKind::Github => r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#[0-9]+$",
            TrackerKind::Gitlab => r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+#[0-9]+$",
            TrackerKind::Jira | TrackerKind::Linear => r"^[A-Z][A-Z0-9_]*-[0-9]+$",
        }
    }

    /// The API of the public cloud, where there is one.
    pub const fn default_api(self) -> Option<&'static str> {
        match self {
            TrackerKind::Github => Some("https://api.github.com"),
            TrackerKind::Gitlab => Some("https://gitlab.com/api/v4"),
            TrackerKind::Linear => Some("https://api.linear.app"),
            TrackerKind::Jira => None,
        }
    }

    /// The environment variable the token is read from by default.
    pub const fn default_token_env(self) -> &'static str {
        match self {
            TrackerKind::Github => "GITHUB_TOKEN",
            TrackerKind::Gitlab => "GITLAB_TOKEN",
            TrackerKind::Jira => "JIRA_API_TOKEN",
            TrackerKind::Linear => "LINEAR_API_KEY",
        }
    }
}

impl Tracker {
    /// The compiled key pattern (`None` only for a pattern that does not compile, which config
    /// validation already refuses, or a tracker with neither pattern nor kind).
    pub fn regex(&self) -> Option<&regex::Regex> {
        self.compiled
            .get_or_init(|| {
                let pattern = match (&self.pattern, &self.kind) {
                    (Some(p), _) => p.get_ref().as_str(),
                    (None, Some(kind)) => kind.get_ref().default_pattern(),
                    (None, None) => return None,
                };
                regex::Regex::new(pattern).ok()
            })
            .as_ref()
    }

    /// The web link of `key` (a key this tracker's pattern matches): the `url` template, else
    /// the issue page the kind implies (GitHub, GitLab and Jira; a Linear link needs the
    /// workspace, so only a template gives one).
    pub fn link(&self, key: &str) -> Option<String> {
        if let Some(url) = &self.url {
            return Some(url.replace("{key}", key));
        }
        let api = self.api_base()?;
        match self.kind()? {
            TrackerKind::Github => {
                let (repo, number) = key.rsplit_once('#')?;
                let web = match api.as_str() {
                    "https://api.github.com" => "https://github.com",
                    other => other.strip_suffix("/api/v3").unwrap_or(other),
                };
                Some(format!("{web}/{repo}/issues/{number}"))
            }
            TrackerKind::Gitlab => {
                let (project, number) = key.rsplit_once('#')?;
                let web = api.strip_suffix("/api/v4").unwrap_or(&api);
                Some(format!("{web}/{project}/-/issues/{number}"))
            }
            TrackerKind::Jira => Some(format!("{api}/browse/{key}")),
            TrackerKind::Linear => None,
        }
    }

    /// The tracker's kind, if it has an API.
    pub fn kind(&self) -> Option<TrackerKind> {
        self.kind.as_ref().map(|k| *k.get_ref())
    }

    /// The API base URL without a trailing slash: the configured one or the kind's default.
    pub fn api_base(&self) -> Option<String> {
        let api = match &self.api {
            Some(api) => api.get_ref().as_str(),
            None => self.kind()?.default_api()?,
        };
        Some(api.trim_end_matches('/').to_owned())
    }

    /// The environment variable holding the token.
    pub fn token_var(&self) -> Option<&str> {
        match &self.token_env {
            Some(name) => Some(name.get_ref()),
            None => self.kind().map(TrackerKind::default_token_env),
        }
    }

    /// The Jira edition: as configured, else `cloud` for `*.atlassian.net`, else `server`.
    pub fn jira_edition(&self) -> JiraEdition {
        if let Some(edition) = &self.edition {
            return *edition.get_ref();
        }
        let host = self.api_base().unwrap_or_default();
        let host = host.split("://").nth(1).unwrap_or(&host);
        let host = host.split(['/', ':']).next().unwrap_or_default();
        if host.ends_with(".atlassian.net") { JiraEdition::Cloud } else { JiraEdition::Server }
    }
}

impl Tracker {
    fn validate(&self, name: &str) -> Result<(), (std::ops::Range<usize>, String)> {
        if let Some(pattern) = &self.pattern {
            if let Err(e) = regex::Regex::new(pattern.get_ref()) {
                return Err((
                    pattern.span(),
                    format!("`trackers.{name}.pattern` is not a valid regular expression: {e}"),
                ));
            }
        } else if self.kind.is_none() {
            return Err((
                0..0,
                format!(
                    "`trackers.{name}` needs a `kind` (github, gitlab, jira or linear) or a \
                     `pattern` its ticket keys match"
                ),
            ));
        }
        for (key, var) in [("token_env", &self.token_env), ("user_env", &self.user_env)] {
            let Some(var) = var else { continue };
            let valid = var.get_ref().chars().enumerate().all(|(i, c)| {
                c == '_'
                    || c.is_ascii_uppercase()
                    || c.is_ascii_lowercase()
                    || (i > 0 && c.is_ascii_digit())
            });
            if var.get_ref().is_empty() || !valid {
                return Err((
                    var.span(),
                    format!(
                        "`trackers.{name}.{key}` must name an environment variable (such as \
                         `JIRA_API_TOKEN`), not hold a secret: tokens never live in the repository"
                    ),
                ));
            }
        }
        if let Some(api) = &self.api {
            let text = api.get_ref();
            if !crate::url::is_http_url(text) {
                return Err((
                    api.span(),
                    format!(
                        "`trackers.{name}.api` must be an http(s) URL, e.g. `https://acme.atlassian.net`"
                    ),
                ));
            }
            let authority =
                text.split("://").nth(1).unwrap_or_default().split('/').next().unwrap_or_default();
            if authority.contains('@') {
                return Err((
                    api.span(),
                    format!(
                        "`trackers.{name}.api` carries credentials: tokens never live in the \
                         repository; use `token_env` (and `user_env` for Jira Cloud)"
                    ),
                ));
            }
        }
        match self.kind() {
            Some(TrackerKind::Jira) if self.api.is_none() => Err((
                self.kind.as_ref().map_or(0..0, Spanned::span),
                format!(
                    "`trackers.{name}` is a Jira tracker: set `api` to your site, e.g. \
                     `https://acme.atlassian.net` (Cloud) or `https://jira.example.com`"
                ),
            )),
            _ if self.edition.is_some() && self.kind() != Some(TrackerKind::Jira) => Err((
                self.edition.as_ref().map_or(0..0, Spanned::span),
                format!("`trackers.{name}.edition` applies to Jira trackers only"),
            )),
            _ => Ok(()),
        }
    }
}

/// Whether a CODEOWNERS file can name `owner` as written: a `@` handle or an email, one word
/// without `#` (the hosts read the rest of a line after it as a comment).
pub fn is_code_owner(owner: &str) -> bool {
    if owner.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#') {
        return false;
    }
    match owner.split_once('@') {
        Some(("", handle)) => !handle.is_empty() && !handle.contains('@'),
        Some((_, domain)) => {
            !domain.contains('@')
                && domain.contains('.')
                && domain.split('.').all(|p| !p.is_empty())
        }
        None => false,
    }
}

/// Where `text` holds something shaped like a well-known access token (GitHub, GitLab, Linear,
/// Atlassian, Slack), comments included: a token committed in a comment leaks just the same.
fn token_like(text: &str) -> Option<std::ops::Range<usize>> {
    static TOKEN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|lin_api_[A-Za-z0-9]{20,}|ATATT[A-Za-z0-9_=-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,})",
        )
        .expect("the token pattern compiles")
    });
    TOKEN.find(text).map(|m| m.range())
}

/// Required body sections.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sections {
    /// Sections every postmortem must have (titles compared case-insensitively).
    pub required: Vec<String>,
    /// Other titles accepted for a required section.
    pub aliases: BTreeMap<String, Vec<String>>,
}

/// Turns rules off for paths matching globs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Glob patterns of repo-relative paths (`postmortems/2019/**`).
    pub paths: Vec<Spanned<String>>,
    /// Rule slugs or codes; empty means every rule.
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
}

/// Settings of the `blameless-language` rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Blameless {
    /// Phrases never to flag (case-insensitive), e.g. a product named "Culprit".
    pub allow: Vec<String>,
    /// Flag registry people's names (handles) written in prose.
    pub names: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            title: "Postmortems".into(),
            postmortems: "postmortems".into(),
            timezone: Spanned::new(0..0, "UTC".into()),
            severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec(),
            deadlines: BTreeMap::new(),
            id_prefix: "INC".into(),
            teams: BTreeMap::new(),
            services: BTreeMap::new(),
            trackers: BTreeMap::new(),
            sections: Sections::default(),
            rules: BTreeMap::new(),
            suppress: Vec::new(),
            blameless: Blameless::default(),
            placeholders: Vec::new(),
            holidays: Vec::new(),
            holiday_dates: crate::calendar::Holidays::default(),
            gate: Gate::default(),
            site: Site::default(),
            sync: Sync::default(),
            people: BTreeMap::new(),
            verification: Verification::default(),
            completion: Completion::default(),
            metrics: MetricsSettings::default(),
            new: New::default(),
            check: Check::default(),
        }
    }
}

impl Default for Sections {
    fn default() -> Self {
        let required = [
            "Summary",
            "Impact",
            "Timeline",
            "Contributing Factors",
            "Resolution",
            "Lessons Learned",
            "Action Items",
        ]
        .map(String::from)
        .to_vec();
        let aliases = BTreeMap::from([(
            "Contributing Factors".to_owned(),
            vec![
                "Root Causes".to_owned(),
                "Root Cause".to_owned(),
                "Root Cause Analysis".to_owned(),
            ],
        )]);
        Self { required, aliases }
    }
}

impl Default for Blameless {
    fn default() -> Self {
        Self { allow: Vec::new(), names: true }
    }
}

/// A configuration problem, located in the file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The configuration file.
    pub path: String,
    /// 1-based line (1 when unknown).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl Config {
    /// Parses `text` read from `path` (used in messages) and validates what serde cannot.
    pub fn parse(text: &str, path: &str) -> Result<Self, ConfigError> {
        Self::parse_in(text, path, None)
    }

    /// [`Config::parse`] for the repository at `root`, whose own templates' headings are
    /// sections a completion policy may name.
    pub fn parse_in(text: &str, path: &str, root: Option<&Path>) -> Result<Self, ConfigError> {
        let lines = LineIndex::new(text);
        let located = |span: Option<std::ops::Range<usize>>, message: String| {
            let pos = lines.position(text, span.map_or(0, |s| s.start));
            ConfigError { path: path.to_owned(), line: pos.line, column: pos.column, message }
        };
        if let Some(found) = token_like(text) {
            return Err(located(
                Some(found),
                "this looks like an access token: tokens never live in the repository. Put it \
                 in an environment variable and name the variable here (`token_env = \"GITHUB_TOKEN\"`)"
                    .to_owned(),
            ));
        }
        let mut config: Config =
            toml::from_str(text).map_err(|e| located(e.span(), e.message().trim().to_owned()))?;
        let sections = match root {
            Some(root) => crate::templates::all_headings(root),
            None => crate::templates::BUILTINS
                .iter()
                .flat_map(|(_, t)| crate::templates::headings(t))
                .collect(),
        };
        config.validate(&sections).map_err(|(span, message)| {
            // A problem with a whole table (a tracker with neither kind nor pattern) has no
            // value to point at: point at the table's header.
            let span = match (span.is_empty(), message.strip_prefix('`')) {
                (true, Some(rest)) => {
                    let key = rest.split('`').next().unwrap_or_default();
                    let table = key.rsplit_once('.').filter(|_| key.matches('.').count() > 2);
                    let table = table.map_or(key, |(t, _)| t);
                    text.find(table).map(|at| at..at)
                }
                _ => Some(span),
            };
            located(span, message)
        })?;
        let schema = &config.new.schema_comment;
        if schema.get_ref().chars().any(char::is_control) {
            return Err(located(
                Some(schema.span()),
                "`new.schema_comment` must be one line: a URL or path of a JSON schema, or \"\" for none"
                    .to_owned(),
            ));
        }
        for pattern in &config.check.ignore {
            crate::discover::Ignore::new([pattern.get_ref().as_str()])
                .map_err(|m| located(Some(pattern.span()), format!("`check.ignore`: {m}")))?;
        }
        config.check.compiled =
            crate::discover::Ignore::new(config.check.ignore.iter().map(|p| p.get_ref().as_str()))
                .map_err(|m| located(None, format!("`check.ignore`: {m}")))?;
        config.holiday_dates = crate::calendar::Holidays::new(
            config.holidays.iter().filter_map(|h| h.get_ref().parse().ok()).collect(),
        );
        if let Some(root) = root {
            paths::check(&config, text, root).map_err(|(span, m)| located(Some(span), m))?;
        }
        Ok(config)
    }

    fn validate(&self, templates: &[String]) -> Result<(), (std::ops::Range<usize>, String)> {
        if jiff::tz::TimeZone::get(self.timezone.get_ref()).is_err() {
            return Err((
                self.timezone.span(),
                format!(
                    "unknown time zone `{}`: use an IANA name such as `UTC` or `Europe/Berlin`",
                    self.timezone.get_ref()
                ),
            ));
        }
        if self.severities.is_empty() {
            return Err((0..0, "`severities` must list at least one severity".into()));
        }
        for (severity, days) in &self.deadlines {
            in_range(&format!("deadlines.{severity}"), days, 0..=MAX_DEADLINE_DAYS)?;
            if !self.severities.contains(severity) {
                return Err((
                    days.span(),
                    format!(
                        "`deadlines.{severity}`: `{severity}` is not one of `severities` ({})",
                        self.severities.join(", ")
                    ),
                ));
            }
        }
        for (name, tracker) in &self.trackers {
            tracker.validate(name)?;
        }
        for (name, service) in &self.services {
            if let Some(team) = &service.team {
                if !self.teams.is_empty() && !self.teams.contains_key(team.get_ref()) {
                    return Err((
                        team.span(),
                        format!(
                            "`services.{name}.team`: no team `{}` in `[teams]`",
                            team.get_ref()
                        ),
                    ));
                }
            }
        }
        for pattern in &self.placeholders {
            if let Err(e) = regex::Regex::new(pattern.get_ref()) {
                return Err((
                    pattern.span(),
                    format!("`placeholders`: not a valid regular expression: {e}"),
                ));
            }
        }
        for holiday in &self.holidays {
            if holiday.get_ref().len() != 10
                || holiday.get_ref().parse::<jiff::civil::Date>().is_err()
            {
                return Err((
                    holiday.span(),
                    format!("`holidays`: `{}` is not a date (YYYY-MM-DD)", holiday.get_ref()),
                ));
            }
        }
        for priority in &self.gate.block_priorities {
            if priority.get_ref().parse::<crate::model::Priority>().is_err() {
                return Err((
                    priority.span(),
                    format!(
                        "`gate.block_priorities`: `{}` is not a priority (P0, P1, P2 or P3)",
                        priority.get_ref()
                    ),
                ));
            }
        }
        for priority in &self.verification.priorities {
            if priority.get_ref().parse::<crate::model::Priority>().is_err() {
                return Err((
                    priority.span(),
                    format!(
                        "`verification.priorities`: `{}` is not a priority (P0, P1, P2 or P3)",
                        priority.get_ref()
                    ),
                ));
            }
        }
        for (key, value, (max, shown_max)) in
            [("max_age", &self.sync.max_age, MAX_AGE), ("timeout", &self.sync.timeout, MAX_TIMEOUT)]
        {
            if parse_duration(value.get_ref()).is_some_and(|d| d > max) {
                return Err((
                    value.span(),
                    format!("`sync.{key}`: `{}` is longer than {shown_max}", value.get_ref()),
                ));
            }
            if parse_duration(value.get_ref()).is_none() {
                return Err((
                    value.span(),
                    format!(
                        "`sync.{key}`: `{}` is not a duration such as `7d`, `36h` or `30s`",
                        value.get_ref()
                    ),
                ));
            }
        }
        in_range("sync.concurrency", &self.sync.concurrency, 1..=64)?;
        in_range("sync.retries", &self.sync.retries, 0..=MAX_RETRIES)?;
        in_range("gate.grace_days", &self.gate.grace_days, 0..=MAX_GRACE_DAYS)?;
        let counts = [
            ("gate.max_overdue_postmortems", Some(&self.gate.max_overdue_postmortems)),
            ("gate.max_incomplete_past_due", self.gate.max_incomplete_past_due.as_ref()),
        ];
        for (key, count) in counts {
            if let Some(count) = count {
                in_range(key, count, 0..=MAX_GATE_COUNT)?;
            }
        }
        let tracker_names =
            || self.trackers.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
        let named = self.sync.create_in.iter().map(|t| ("sync.create_in".to_owned(), t)).chain(
            self.teams.iter().filter_map(|(slug, team)| {
                Some((format!("teams.{slug}.tracker"), team.tracker.as_ref()?))
            }),
        );
        for (key, tracker) in named {
            if !self.trackers.contains_key(tracker.get_ref()) {
                return Err((
                    tracker.span(),
                    format!(
                        "`{key}`: no tracker `{}` in `[trackers]` ({})",
                        tracker.get_ref(),
                        tracker_names()
                    ),
                ));
            }
        }
        for (slug, team) in &self.teams {
            for owner in team.codeowners.iter().flatten() {
                if !is_code_owner(owner.get_ref()) {
                    return Err((
                        owner.span(),
                        format!(
                            "`teams.{slug}.codeowners`: `{}` is neither a `@user` or \
                             `@org/team` handle nor an email address",
                            owner.get_ref()
                        ),
                    ));
                }
            }
        }
        let mut sections: Vec<String> = templates.to_vec();
        sections.extend(self.sections.required.iter().cloned());
        sections.extend(self.sections.aliases.values().flatten().cloned());
        self.completion.validate(self, &sections)?;
        for suppression in &self.suppress {
            for glob in &suppression.paths {
                if let Err(e) = globset::Glob::new(glob.get_ref()) {
                    return Err((glob.span(), format!("`suppress.paths`: not a valid glob: {e}")));
                }
            }
        }
        Ok(())
    }

    /// The holidays (validated and sorted at load).
    pub fn holiday_dates(&self) -> &crate::calendar::Holidays {
        &self.holiday_dates
    }

    /// The link for an action item's or postmortem's `ticket`: the URL itself, or the first
    /// tracker whose pattern matches the key and that has a `url` template. `None` when the
    /// ticket is neither (it is then shown as text).
    ///
    /// The one meaning of a ticket's link for every reader (pages, `postmortems.json`, the
    /// export, `pm actions`): only an absolute link that is safe to follow — a tracker template
    /// that makes a `javascript:` or relative URL out of a key gives no link.
    pub fn ticket_url(&self, ticket: &str) -> Option<String> {
        if ticket.is_empty() {
            return None;
        }
        if crate::url::is_http_url(ticket) {
            return Some(ticket.to_owned());
        }
        self.trackers
            .values()
            .find_map(|t| t.regex()?.is_match(ticket).then(|| t.link(ticket)).flatten())
            .filter(|u| crate::url::is_safe_url(u) && u.contains(':'))
    }

    /// The configured time zone (validated at load).
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(self.timezone.get_ref()).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// Every person in the registry: the union of team members and owners.
    pub fn people(&self) -> BTreeSet<&str> {
        self.teams
            .values()
            .flat_map(|t| t.members.iter().chain(t.owner.iter()))
            .map(String::as_str)
            .collect()
    }

    /// The acceptable (normalized) titles of each required section.
    pub fn required_sections(&self) -> Vec<(String, Vec<String>)> {
        use crate::parse::markdown::normalize_title;
        self.sections
            .required
            .iter()
            .map(|title| {
                let mut names = vec![normalize_title(title)];
                if let Some(aliases) = self.sections.aliases.get(title) {
                    names.extend(aliases.iter().map(|a| normalize_title(a)));
                }
                (title.clone(), names)
            })
            .collect()
    }
}

/// A repository root and its configuration.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The repository root (where `pm.toml` is, or would be).
    pub root: PathBuf,
    /// The path of `pm.toml` if one exists.
    pub config_path: Option<PathBuf>,
    /// The configuration (defaults when there is no file).
    pub config: Config,
}

/// Why a workspace could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// `pm.toml` is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// `--root` names a folder that does not exist.
    #[error("the root folder {0} does not exist or is not a folder")]
    NoRoot(String),
}

impl Workspace {
    /// Opens the repository at `root` if given, else the nearest ancestor of `cwd` holding
    /// `pm.toml`, else the enclosing git work tree, else `cwd`.
    pub fn discover(root: Option<&Path>, cwd: &Path) -> Result<Self, WorkspaceError> {
        let root = match root {
            Some(root) => {
                let root = cwd.join(root);
                if !root.is_dir() {
                    return Err(WorkspaceError::NoRoot(root.display().to_string()));
                }
                root
            }
            None => find_up(cwd, |d| d.join(FILE_NAME).is_file())
                .or_else(|| find_up(cwd, |d| d.join(".git").exists()))
                .unwrap_or_else(|| cwd.to_path_buf()),
        };
        Self::open(root)
    }

    /// Opens the repository at `root`.
    pub fn open(root: PathBuf) -> Result<Self, WorkspaceError> {
        let path = root.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let config = Config::parse_in(&text, FILE_NAME, Some(&root))?;
                Ok(Self { root, config_path: Some(path), config })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self { root, config_path: None, config: Config::default() })
            }
            Err(source) => Err(WorkspaceError::Io { path: path.display().to_string(), source }),
        }
    }
}

fn find_up(start: &Path, found: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    start.ancestors().find(|d| found(d)).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file() {
        let c = Config::parse("", "pm.toml").expect("empty is fine");
        assert_eq!(c.severities.len(), 4);
        assert_eq!(c.sections.required.len(), 7);
    }

    #[test]
    fn unknown_keys_are_located() {
        let e = Config::parse("title = \"x\"\n\n[deadlnes]\nSEV1 = 3\n", "pm.toml")
            .expect_err("unknown");
        assert_eq!((e.line, e.column), (3, 2), "{e}");
        assert!(e.message.contains("unknown field `deadlnes`"), "{e}");
        let e = Config::parse("[teams.a]\nmembrs = []\n", "pm.toml").expect_err("unknown");
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn semantic_errors_are_located() {
        let e = Config::parse("timezone = \"Mars/Base\"\n", "pm.toml").expect_err("tz");
        assert_eq!((e.line, e.column), (1, 12), "{e}");
        let e = Config::parse("[deadlines]\nSEV9 = 3\n", "pm.toml").expect_err("sev");
        assert_eq!(e.line, 2, "{e}");
    }

    /// The `[completion]` errors of `tests/fixtures/completion/config-errors.toml`, each at its
    /// place (the integration tests run the same cases through `pm check`: exit 2).
    #[test]
    fn completion_errors_are_located() {
        #[derive(Deserialize)]
        struct Cases {
            case: Vec<Case>,
        }
        #[derive(Deserialize)]
        struct Case {
            name: String,
            toml: String,
            at: String,
            message: String,
        }
        let cases: Cases =
            toml::from_str(include_str!("../tests/fixtures/completion/config-errors.toml"))
                .expect("the cases parse");
        for case in cases.case {
            let e = Config::parse(&case.toml, "pm.toml").expect_err(&case.name);
            assert_eq!(format!("{}:{}", e.line, e.column), case.at, "{}: {e}", case.name);
            assert!(e.message.contains(&case.message), "{}: {e}", case.name);
        }
    }

    #[test]
    fn tokens_never_live_in_the_repository() {
        let e = Config::parse(
            "[trackers.gh]\nkind = \"github\"\n# token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
            "pm.toml",
        )
        .expect_err("a token in a comment");
        assert_eq!((e.line, e.column), (3, 10), "{e}");
        assert!(e.message.contains("tokens never live in the repository"), "{e}");
        let e = Config::parse(
            "[trackers.gh]\nkind = \"github\"\ntoken_env = \"s3cr3t-value!\"\n",
            "pm.toml",
        )
        .expect_err("a value that is no variable name");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("must name an environment variable"), "{e}");
        let e = Config::parse(
            "[trackers.j]\nkind = \"jira\"\napi = \"https://me:pw@acme.atlassian.net\"\n",
            "pm.toml",
        )
        .expect_err("credentials in a URL");
        assert!(e.message.contains("carries credentials"), "{e}");
    }

    #[test]
    fn trackers_are_validated_where_they_are_written() {
        let e = Config::parse("[trackers.j]\nkind = \"jra\"\n", "pm.toml").expect_err("kind");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("unknown variant `jra`"), "{e}");
        let e = Config::parse("[trackers.j]\nkind = \"jira\"\n", "pm.toml").expect_err("no api");
        assert!(e.message.contains("set `api`"), "{e}");
        let e =
            Config::parse("title = \"x\"\n[trackers.w]\nurl = \"https://w/{key}\"\n", "pm.toml")
                .expect_err("neither kind nor pattern");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("needs a `kind`"), "{e}");
        let e = Config::parse("[sync]\nmax_age = \"a week\"\n", "pm.toml").expect_err("duration");
        assert_eq!(e.line, 2, "{e}");
        let e = Config::parse("[teams.a]\ntracker = \"nope\"\n", "pm.toml").expect_err("tracker");
        assert!(e.message.contains("no tracker `nope`"), "{e}");
        let c = Config::parse(
            "[trackers.gh]\nkind = \"github\"\n[trackers.ghe]\nkind = \"github\"\napi = \"https://ghe.example.com/api/v3\"\npattern = '^ghe:.*$'\n[trackers.j]\nkind = \"jira\"\napi = \"https://acme.atlassian.net/\"\n[sync]\nmax_age = \"36h\"\n",
            "pm.toml",
        )
        .expect("valid");
        assert_eq!(
            c.ticket_url("acme/api#3").as_deref(),
            Some("https://github.com/acme/api/issues/3")
        );
        assert_eq!(
            c.ticket_url("PAY-1").as_deref(),
            Some("https://acme.atlassian.net/browse/PAY-1")
        );
        assert_eq!(c.trackers["j"].jira_edition(), JiraEdition::Cloud);
        assert_eq!(
            c.trackers["ghe"].link("x/y#1").as_deref(),
            Some("https://ghe.example.com/x/y/issues/1")
        );
        assert_eq!(c.sync.max_age(), jiff::SignedDuration::from_hours(36));
    }
}

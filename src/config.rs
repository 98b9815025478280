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
    /// Release gate policy (`pm gate`).
    pub gate: Gate,
    /// The static site (`pm build`).
    pub site: Site,
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
}

impl Default for Site {
    fn default() -> Self {
        Self {
            output: "public".into(),
            base_url: None,
            repo_url: None,
            branch: "main".into(),
            allow_html: false,
        }
    }
}

/// When `pm gate` blocks a release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gate {
    /// Overdue postmortems a team may have before releases are blocked.
    pub max_overdue_postmortems: usize,
    /// Action-item priorities whose overdue items block a release.
    pub block_priorities: Vec<Spanned<String>>,
    /// Days past `due` before an item or postmortem counts as overdue for the gate.
    pub grace_days: u32,
}

impl Default for Gate {
    fn default() -> Self {
        Self {
            max_overdue_postmortems: 0,
            block_priorities: ["P0", "P1"].map(|p| Spanned::new(0..0, p.to_owned())).to_vec(),
            grace_days: 0,
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
    /// Regular expression a ticket key must match (anchor it with `^…$`).
    pub pattern: Spanned<String>,
    /// URL template with `{key}`, for links.
    pub url: Option<String>,
    /// `pattern`, compiled on first use: tickets are linked tens of thousands of times per
    /// site build, and the pattern was validated when the config was loaded.
    #[serde(skip)]
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

impl Tracker {
    /// The compiled `pattern` (`None` only for a pattern that does not compile, which config
    /// validation already refuses).
    pub fn regex(&self) -> Option<&regex::Regex> {
        self.compiled.get_or_init(|| regex::Regex::new(self.pattern.get_ref()).ok()).as_ref()
    }
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
            gate: Gate::default(),
            site: Site::default(),
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
        let lines = LineIndex::new(text);
        let located = |span: Option<std::ops::Range<usize>>, message: String| {
            let pos = lines.position(text, span.map_or(0, |s| s.start));
            ConfigError { path: path.to_owned(), line: pos.line, column: pos.column, message }
        };
        let config: Config =
            toml::from_str(text).map_err(|e| located(e.span(), e.message().trim().to_owned()))?;
        config.validate().map_err(|(span, message)| located(Some(span), message))?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), (std::ops::Range<usize>, String)> {
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
            if let Err(e) = regex::Regex::new(tracker.pattern.get_ref()) {
                return Err((
                    tracker.pattern.span(),
                    format!("`trackers.{name}.pattern` is not a valid regular expression: {e}"),
                ));
            }
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
        for suppression in &self.suppress {
            for glob in &suppression.paths {
                if let Err(e) = globset::Glob::new(glob.get_ref()) {
                    return Err((glob.span(), format!("`suppress.paths`: not a valid glob: {e}")));
                }
            }
        }
        Ok(())
    }

    /// The holidays (validated at load).
    pub fn holiday_dates(&self) -> Vec<jiff::civil::Date> {
        self.holidays.iter().filter_map(|h| h.get_ref().parse().ok()).collect()
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
            .find_map(|t| {
                let url = t.url.as_ref()?;
                t.regex()?.is_match(ticket).then(|| url.replace("{key}", ticket))
            })
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
                let config = Config::parse(&text, FILE_NAME)?;
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
}

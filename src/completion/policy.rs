//! The completion policy in force for a postmortem: `[completion]` over the built-in policy,
//! then `[completion.severity.NAME]` over that, resolved once per run.
//!
//! Without `[completion]`, a postmortem is complete when what `pm check` already asks of a
//! published one holds: the required sections written, an entry in the timeline, an action
//! item, a ticket for each. `pm init` writes the recommended policy (fields, approvals, a
//! review) into a new repository's `pm.toml`, where the team can read and change it.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::config::{Completion, Config, Question, ReviewRequirement};
use crate::model::Postmortem;

/// Who may approve a postmortem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The owning team's owner.
    Owner,
    /// A member of the owning team.
    Team,
    /// A member of the named team.
    TeamNamed(String),
    /// Anyone in the registry.
    Anyone,
}

impl Role {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "owner" => Some(Role::Owner),
            "team" => Some(Role::Team),
            "anyone" => Some(Role::Anyone),
            other => other.strip_prefix("team:").map(|t| Role::TeamNamed(t.to_owned())),
        }
    }
}

impl Role {
    /// The role in words for a postmortem of `team`: "the owner of payments", "a member of
    /// payments", "a member of platform".
    pub fn describe(&self, team: Option<&str>) -> String {
        let team = team.unwrap_or("the owning team");
        match self {
            Role::Owner => format!("the owner of {team}"),
            Role::Team => format!("a member of {team}"),
            Role::TeamNamed(t) => format!("a member of {t}"),
            Role::Anyone => "anyone in the registry".to_owned(),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Role::Owner => f.write_str("owner"),
            Role::Team => f.write_str("team"),
            Role::TeamNamed(t) => write!(f, "team:{t}"),
            Role::Anyone => f.write_str("anyone"),
        }
    }
}

/// One policy, every value decided.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Sections that must be written: display title and accepted normalized titles.
    pub sections: Vec<(String, Vec<String>)>,
    /// Fewest Timeline entries.
    pub min_timeline_entries: usize,
    /// Fewest action items.
    pub min_action_items: usize,
    /// Every action item has a ticket.
    pub tickets: bool,
    /// No drift between an item and its ticket (where the ticket cache exists).
    pub no_drift: bool,
    /// Front-matter keys that must be filled.
    pub fields: Vec<String>,
    /// Approvals needed.
    pub approvals: usize,
    /// Who may approve.
    pub approvers: Vec<Role>,
    /// Whether owner and authors may approve their own postmortem.
    pub self_approval: bool,
    /// The review that must be held.
    pub review: ReviewRequirement,
    /// Business days an asynchronous review has.
    pub async_window: u32,
    /// The team's questions.
    pub checklist: Vec<Question>,
}

impl Policy {
    /// The built-in policy of a repository configured by `config`.
    fn builtin(config: &Config) -> Self {
        Self {
            sections: config.required_sections(),
            min_timeline_entries: 1,
            min_action_items: 1,
            tickets: true,
            no_drift: false,
            fields: Vec::new(),
            approvals: 0,
            approvers: vec![Role::Owner, Role::Team],
            self_approval: false,
            review: ReviewRequirement::None,
            async_window: 5,
            checklist: Vec::new(),
        }
    }

    /// This policy with the keys `table` sets.
    fn with(mut self, table: &Completion, config: &Config) -> Self {
        let count = |v: &toml::Spanned<i64>| usize::try_from(*v.get_ref()).unwrap_or(0);
        if let Some(sections) = &table.sections {
            let known = config.required_sections();
            self.sections = sections
                .iter()
                .map(|s| {
                    let title = s.get_ref().clone();
                    let normalized = crate::parse::markdown::normalize_title(&title);
                    // A required section's aliases are accepted here too.
                    let names = known
                        .iter()
                        .find(|(_, names)| names.contains(&normalized))
                        .map_or_else(|| vec![normalized], |(_, names)| names.clone());
                    (title, names)
                })
                .collect();
        }
        if let Some(v) = &table.min_timeline_entries {
            self.min_timeline_entries = count(v);
        }
        if let Some(v) = &table.min_action_items {
            self.min_action_items = count(v);
        }
        if let Some(v) = table.tickets {
            self.tickets = v;
        }
        if let Some(v) = table.no_drift {
            self.no_drift = v;
        }
        if let Some(fields) = &table.fields {
            self.fields = fields.iter().map(|f| f.get_ref().clone()).collect();
        }
        if let Some(v) = &table.approvals {
            self.approvals = count(v);
        }
        if let Some(roles) = &table.approvers {
            self.approvers = roles.iter().filter_map(|r| Role::parse(r.get_ref())).collect();
        }
        if let Some(v) = table.self_approval {
            self.self_approval = v;
        }
        if let Some(v) = &table.review {
            self.review = *v.get_ref();
        }
        if let Some(v) = &table.async_window {
            self.async_window = u32::try_from(*v.get_ref()).unwrap_or(0);
        }
        if let Some(v) = &table.checklist {
            self.checklist = v.clone();
        }
        self
    }

    /// How many criteria this policy has for a postmortem (for the score).
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.sections.is_empty() {
            let titles: Vec<&str> = self.sections.iter().map(|(t, _)| t.as_str()).collect();
            out.push(format!("sections written: {}", titles.join(", ")));
        }
        if self.min_timeline_entries > 0 {
            out.push(format!("at least {} timeline entries", self.min_timeline_entries));
        }
        if self.min_action_items > 0 {
            out.push(format!("at least {} action items", self.min_action_items));
        }
        if self.tickets {
            out.push("every action item has a ticket".to_owned());
        }
        if self.no_drift {
            out.push("no action item disagrees with its ticket".to_owned());
        }
        if !self.fields.is_empty() {
            out.push(format!("filled: {}", self.fields.join(", ")));
        }
        if self.approvals > 0 {
            let roles: Vec<String> = self.approvers.iter().map(ToString::to_string).collect();
            out.push(format!("{} approvals from {}", self.approvals, roles.join(" or ")));
        }
        match self.review {
            ReviewRequirement::None => {}
            ReviewRequirement::Meeting => out.push("a review meeting held".to_owned()),
            ReviewRequirement::Async => out.push(format!(
                "an asynchronous review approved within {} business days",
                self.async_window
            )),
            ReviewRequirement::Any => {
                out.push("a review held (meeting or asynchronous)".to_owned())
            }
        }
        for q in &self.checklist {
            out.push(format!("answered: {}", q.question));
        }
        out
    }
}

/// The policies of a repository: one per severity that overrides, one for the rest.
#[derive(Debug, Clone)]
pub struct Policies {
    base: Policy,
    by_severity: BTreeMap<String, Policy>,
    since: Option<Date>,
    /// Whether commit trailers count as approvals.
    pub git_trailers: bool,
}

impl Policies {
    /// Resolves the policies of `config` (validated when it was loaded).
    pub fn new(config: &Config) -> Self {
        let table = &config.completion;
        let base = Policy::builtin(config).with(table, config);
        let by_severity = table
            .severity
            .iter()
            .map(|(severity, over)| (severity.get_ref().clone(), base.clone().with(over, config)))
            .collect();
        Self {
            base,
            by_severity,
            since: table.since.as_ref().and_then(|s| s.get_ref().parse().ok()),
            git_trailers: table.git_trailers.as_ref().is_some_and(|v| *v.get_ref()),
        }
    }

    /// The policy for `pm`'s severity.
    pub fn for_postmortem(&self, pm: &Postmortem) -> &Policy {
        pm.severity.as_ref().and_then(|s| self.by_severity.get(&s.value)).unwrap_or(&self.base)
    }

    /// Whether the policy holds for `pm`: its incident began on or after `since` (a postmortem
    /// without a start date is held to it).
    pub fn applies(&self, pm: &Postmortem, tz: &jiff::tz::TimeZone) -> bool {
        let (Some(since), Some(started)) = (self.since, &pm.times.started_at) else {
            return true;
        };
        started.value.timestamp.to_zoned_datetime(tz.clone()).date() >= since
    }
}

//! `[completion]`: a team's definition of a complete postmortem, as written in `pm.toml`, with
//! per-severity overrides (`[completion.severity.SEV1]`). Every key is optional here; what an
//! absent key means (the built-in policy) and how the tables combine is `completion::Policy`'s
//! business. This file only reads and validates, with locations.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[completion]`, and each `[completion.severity.NAME]` (which may not hold the keys that
/// apply to the whole policy: `since`, `git_trailers`, `severity`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Completion {
    /// Sections that must be written (no placeholder left). Default: `[sections] required`.
    pub sections: Option<Vec<Spanned<String>>>,
    /// Fewest entries in the Timeline section.
    pub min_timeline_entries: Option<Spanned<i64>>,
    /// Fewest action items.
    pub min_action_items: Option<Spanned<i64>>,
    /// Every action item has a ticket.
    pub tickets: Option<bool>,
    /// No action item disagrees with its ticket (read from the ticket cache, where one exists).
    pub no_drift: Option<bool>,
    /// Front-matter keys that must be filled (`detection`, `impact`, `contributing_factors`…).
    pub fields: Option<Vec<Spanned<String>>>,
    /// Approvals required.
    pub approvals: Option<Spanned<i64>>,
    /// Who may approve: `owner` (the owning team's owner), `team` (a member of the owning
    /// team), `team:NAME` (a member of team NAME, e.g. a postmortem guild), `anyone` (anyone in
    /// the registry).
    pub approvers: Option<Vec<Spanned<String>>>,
    /// Whether the postmortem's owner and authors may approve it themselves.
    pub self_approval: Option<bool>,
    /// The review that must be held: `none`, `meeting`, `async` or `any`.
    pub review: Option<Spanned<ReviewRequirement>>,
    /// Business days an asynchronous review has for its approvals, from `review.opened_on`.
    pub async_window: Option<Spanned<i64>>,
    /// Questions a team adds, answered in front matter under `checklist:`.
    pub checklist: Option<Vec<Question>>,
    /// The policy holds for incidents that began on or after this date (older postmortems are
    /// shown as they are, never failed): how a team adopts a policy without rewriting history.
    pub since: Option<Spanned<String>>,
    /// Count `Reviewed-by:` / `Approved-by:` trailers of the commits that touched a postmortem
    /// as approvals. (Spanned, as the keys of `severity` are, so that an error about one
    /// points at where it is written.)
    pub git_trailers: Option<Spanned<bool>>,
    /// Overrides by severity.
    pub severity: BTreeMap<Spanned<String>, Completion>,
}

/// Which review a complete postmortem has had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewRequirement {
    /// No review record is needed (approvals may still be).
    None,
    /// A review meeting, with its date and attendees.
    Meeting,
    /// An asynchronous review, approved within the window.
    Async,
    /// Either.
    Any,
}

/// A review question of the team's checklist.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Its key under `checklist:` in front matter.
    pub id: Spanned<String>,
    /// The question, as `pm status` shows it.
    pub question: String,
}

/// The front-matter keys a policy may require filled: the built-in schema's top-level keys (a
/// test keeps the two lists equal). Keys starting with `x-` are a team's own and allowed too.
pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "status",
    "visibility",
    "severity",
    "owner",
    "team",
    "services",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "due",
    "published_on",
    "authors",
    "reviewers",
    "detection",
    "contributing_factors",
    "tags",
    "related",
    "ticket",
    "chat",
    "impact",
    "action_items",
    "reviews",
    "review",
    "assignments",
    "checklist",
];

/// Counts beyond this are a typo, not a policy.
const MAX_COUNT: i64 = 1000;

type Invalid = (std::ops::Range<usize>, String);

impl Completion {
    /// Validates the policy against the rest of the configuration. `sections` are the titles a
    /// postmortem of this repository can have (required sections, their aliases, the
    /// templates' headings).
    pub(super) fn validate(
        &self,
        config: &super::Config,
        sections: &[String],
    ) -> Result<(), Invalid> {
        self.validate_table("completion", config, sections)?;
        if let Some(since) = &self.since {
            if since.get_ref().len() != 10 || since.get_ref().parse::<jiff::civil::Date>().is_err()
            {
                return Err((
                    since.span(),
                    format!("`completion.since`: `{}` is not a date (YYYY-MM-DD)", since.get_ref()),
                ));
            }
        }
        for (severity, table) in &self.severity {
            let key = format!("completion.severity.{}", severity.get_ref());
            if !config.severities.contains(severity.get_ref()) {
                return Err((
                    severity.span(),
                    format!(
                        "`{key}`: `{}` is not one of `severities` ({})",
                        severity.get_ref(),
                        config.severities.join(", ")
                    ),
                ));
            }
            // Point at the key that may not be here, not at the table's header.
            let whole = [
                ("since", table.since.as_ref().map(Spanned::span)),
                ("git_trailers", table.git_trailers.as_ref().map(Spanned::span)),
                ("severity", table.severity.keys().next().map(Spanned::span)),
            ];
            if let Some((name, Some(span))) = whole.iter().find(|(_, span)| span.is_some()) {
                return Err((
                    span.clone(),
                    format!(
                        "`{key}.{name}` applies to the whole policy: set it under `[completion]`"
                    ),
                ));
            }
            table.validate_table(&key, config, sections)?;
        }
        Ok(())
    }

    fn validate_table(
        &self,
        key: &str,
        config: &super::Config,
        sections: &[String],
    ) -> Result<(), Invalid> {
        use crate::parse::markdown::normalize_title;
        let counts = [
            ("min_timeline_entries", &self.min_timeline_entries),
            ("min_action_items", &self.min_action_items),
            ("approvals", &self.approvals),
            ("async_window", &self.async_window),
        ];
        for (name, value) in counts {
            let Some(value) = value else { continue };
            if !(0..=MAX_COUNT).contains(value.get_ref()) {
                return Err((
                    value.span(),
                    format!(
                        "`{key}.{name}` must be between 0 and {MAX_COUNT}, not {}",
                        value.get_ref()
                    ),
                ));
            }
        }
        let known: Vec<String> = sections.iter().map(|s| normalize_title(s)).collect();
        for section in self.sections.iter().flatten() {
            if !known.contains(&normalize_title(section.get_ref())) {
                let mut titles: Vec<&str> = sections.iter().map(String::as_str).collect();
                titles.sort_unstable();
                titles.dedup();
                return Err((
                    section.span(),
                    format!(
                        "`{key}.sections`: no section \"{}\" in the templates or `[sections]` ({})",
                        section.get_ref(),
                        titles.join(", ")
                    ),
                ));
            }
        }
        for field in self.fields.iter().flatten() {
            let name = field.get_ref().as_str();
            if !FIELDS.contains(&name) && !name.starts_with("x-") {
                return Err((
                    field.span(),
                    format!(
                        "`{key}.fields`: `{name}` is not a front-matter key ({}, or your own `x-…`)",
                        FIELDS.join(", ")
                    ),
                ));
            }
        }
        for role in self.approvers.iter().flatten() {
            let text = role.get_ref().as_str();
            match text.strip_prefix("team:") {
                Some(team) if config.teams.contains_key(team) => {}
                Some(team) => {
                    let names: Vec<&str> = config.teams.keys().map(String::as_str).collect();
                    return Err((
                        role.span(),
                        format!(
                            "`{key}.approvers`: no team `{team}` in `[teams]` ({})",
                            names.join(", ")
                        ),
                    ));
                }
                None if matches!(text, "owner" | "team" | "anyone") => {}
                None => {
                    return Err((
                        role.span(),
                        format!(
                            "`{key}.approvers`: `{text}` is not a role: use `owner` (the owning \
                             team's owner), `team` (a member of the owning team), `team:NAME` \
                             (a member of team NAME) or `anyone`"
                        ),
                    ));
                }
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for question in self.checklist.iter().flatten() {
            let id = question.id.get_ref();
            let valid = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !valid {
                return Err((
                    question.id.span(),
                    format!(
                        "`{key}.checklist`: the id `{id}` must be lowercase letters, digits, `-` \
                         and `_` (it is a key in front matter)"
                    ),
                ));
            }
            if !ids.insert(id.as_str()) {
                return Err((
                    question.id.span(),
                    format!("`{key}.checklist`: the id `{id}` is used twice"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_the_schemas_top_level_keys() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schema/postmortem.schema.json"))
                .expect("schema");
        let keys: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = FIELDS.to_vec();
        let mut keys = keys;
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
    }
}

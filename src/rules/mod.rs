//! The rules of `pm check`: one rule per file, one registry, stable codes.
//!
//! A rule is a unit struct with a [`Meta`] (code, slug, default severity, docs) and one or both
//! of the check hooks: per document (run in parallel) or over the whole repository (for facts
//! that span files, such as duplicate ids). The `docs` text is what `pm explain` prints and what
//! `docs/rules.md` is generated from.
//!
//! Codes are grouped by what they protect: `PM0xx` structure, `PM1xx` ownership, `PM2xx`
//! deadlines, `PM3xx` action items, `PM4xx` timestamps, `PM5xx` the written body, `PM6xx`
//! references between postmortems, `PM7xx` completion and review. A code never changes meaning
//! once released.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use regex::Regex;

use crate::config::Config;
use crate::diagnostic::{Finding, Severity};
use crate::repo::{Document, Repo};
use crate::schema::Schema;
use crate::trackers::cache::Tickets;

mod action_item_closed;
mod action_item_drift;
mod action_item_no_ticket;
mod action_item_overdue;
mod action_item_unverified;
mod assignment_overdue;
mod blameless_language;
mod due_policy;
mod duplicate_id;
mod id_filename;
mod incomplete_in_review;
mod incomplete_published;
mod invalid_front_matter;
mod missing_section;
mod placeholder_text;
mod postmortem_overdue;
mod review_invalid;
mod schema_rule;
mod timeline_order;
mod timestamp_order;
mod unknown_owner;
mod unknown_related;
mod unknown_service;
mod unknown_team;

/// What every rule declares about itself.
#[derive(Debug)]
pub struct Meta {
    /// Stable code, e.g. `PM503`.
    pub code: &'static str,
    /// Stable slug, e.g. `blameless-language`.
    pub slug: &'static str,
    /// Severity unless pm.toml says otherwise.
    pub default_severity: Severity,
    /// One line: what it checks.
    pub summary: &'static str,
    /// Markdown: what it does, why it matters, an example, how to configure it.
    pub docs: &'static str,
}

/// A rule. Implement one or both hooks.
pub trait Rule: Send + Sync {
    /// The rule's identity and docs.
    fn meta(&self) -> &'static Meta;

    /// Checks one document.
    fn check_document(&self, _cx: &Context<'_>, _doc: &Document, _out: &mut Vec<Finding>) {}

    /// Checks facts across the repository; findings are keyed by document index.
    fn check_repo(&self, _cx: &Context<'_>, _repo: &Repo, _out: &mut Vec<(usize, Finding)>) {}
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &invalid_front_matter::InvalidFrontMatter,
    &schema_rule::SchemaRule,
    &id_filename::IdFilename,
    &unknown_owner::UnknownOwner,
    &unknown_team::UnknownTeam,
    &unknown_service::UnknownService,
    &postmortem_overdue::PostmortemOverdue,
    &action_item_overdue::ActionItemOverdue,
    &due_policy::DuePolicy,
    &action_item_no_ticket::ActionItemNoTicket,
    &action_item_closed::ActionItemClosed,
    &action_item_drift::ActionItemDrift,
    &action_item_unverified::ActionItemUnverified,
    &timestamp_order::TimestampOrder,
    &timeline_order::TimelineOrder,
    &missing_section::MissingSection,
    &placeholder_text::PlaceholderText,
    &blameless_language::BlamelessLanguage,
    &duplicate_id::DuplicateId,
    &unknown_related::UnknownRelated,
    &incomplete_published::IncompletePublished,
    &incomplete_in_review::IncompleteInReview,
    &assignment_overdue::AssignmentOverdue,
    &review_invalid::ReviewInvalid,
];

/// Finds a rule by code (`PM503`, case-insensitive) or slug.
pub fn lookup(name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        let m = r.meta();
        m.slug == name || m.code.eq_ignore_ascii_case(name)
    })
}

/// The rules whose docs speak of `query`'s words, best first (at most `limit`): for a name
/// that is not a rule, such as `human-error`, the rules a reader is probably after. A word
/// counts by how few rules use it (words every rule's docs use, such as "error", weigh
/// nothing), a rule whose docs hold the words side by side, as a phrase, comes first, and
/// rules scoring under half the best are left out.
pub fn search(query: &str, limit: usize) -> Vec<&'static Meta> {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() > 2)
            .map(str::to_lowercase)
            .collect()
    };
    let wanted = words(query);
    if wanted.is_empty() {
        return Vec::new();
    }
    let texts: Vec<(&'static Meta, Vec<String>)> = RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            (m, words(&format!("{} {} {}", m.slug, m.summary, m.docs)))
        })
        .collect();
    let rules = texts.len() as f64;
    let weight = |word: &String| {
        let with = texts.iter().filter(|(_, t)| t.contains(word)).count();
        if with == 0 { 0.0 } else { (rules / with as f64).ln() }
    };
    let weights: Vec<f64> = wanted.iter().map(weight).collect();
    let mut scored: Vec<(f64, usize, &'static Meta)> = texts
        .iter()
        .enumerate()
        .filter_map(|(order, (m, text))| {
            let mut score: f64 =
                wanted.iter().zip(&weights).filter(|(w, _)| text.contains(w)).map(|(_, x)| x).sum();
            if wanted.len() > 1 && text.windows(wanted.len()).any(|w| w == wanted.as_slice()) {
                score += rules.ln();
            }
            (score > 0.0).then_some((score, order, *m))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // A rule that shares only a common word with the query is noise next to one that matches
    // it well.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored.into_iter().take_while(|s| s.0 * 2.0 >= best).take(limit).map(|(_, _, m)| m).collect()
}

/// Everything a rule may consult besides the document: configuration, the compiled schema,
/// "today", and what was derived from the configuration once per run.
pub struct Context<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The compiled schema.
    pub schema: &'a Schema,
    /// What "today" is (in the configured time zone).
    pub today: Date,
    /// Every person in the registry (empty: no registry configured).
    pub people: BTreeSet<&'a str>,
    /// The same people, indexed for "did you mean".
    pub people_nearest: crate::diagnostic::Nearest<'a>,
    /// The service catalog's names, indexed for "did you mean".
    pub services_nearest: crate::diagnostic::Nearest<'a>,
    /// Tracker key patterns, by tracker name.
    pub trackers: Vec<(&'a str, &'a Regex)>,
    /// Required sections: display title and accepted normalized titles.
    pub required_sections: Vec<(String, Vec<String>)>,
    /// Template placeholders (built in, and pm.toml's own).
    pub placeholders: crate::completion::Placeholders,
    /// Holidays from pm.toml (not business days).
    pub holidays: &'a crate::calendar::Holidays,
    /// The ticket cache `pm sync` wrote, if any (rules never reach the network).
    pub tickets: Option<&'a Tickets>,
    /// The completion policy and its judge.
    pub completion: crate::completion::Judge<'a>,
    /// Every section title a postmortem here can have: the templates' headings (built-in and
    /// the repository's own), the required sections and their aliases. Keyed by normalized
    /// title, each with the title as first written, for suggestions a reader recognises.
    pub known_sections: BTreeMap<String, String>,
}

impl<'a> Context<'a> {
    /// Derives the per-run context. Patterns were validated when the config was loaded.
    /// `root` is the repository's, for the commit trailers a policy may count as approvals.
    pub fn new(
        config: &'a Config,
        schema: &'a Schema,
        today: Date,
        tickets: Option<&'a Tickets>,
        root: Option<&std::path::Path>,
    ) -> Self {
        let people = config.people();
        let names: Vec<&str> = people.iter().copied().collect();
        let people_nearest = crate::diagnostic::Nearest::new(&names);
        let names: Vec<&str> = config.services.keys().map(String::as_str).collect();
        let services_nearest = crate::diagnostic::Nearest::new(&names);
        Self {
            config,
            schema,
            today,
            people,
            people_nearest,
            services_nearest,
            trackers: config
                .trackers
                .iter()
                .filter_map(|(name, t)| t.regex().map(|r| (name.as_str(), r)))
                .collect(),
            required_sections: config.required_sections(),
            holidays: config.holiday_dates(),
            placeholders: crate::completion::Placeholders::new(config),
            tickets,
            completion: crate::completion::Judge::new(config, tickets, today, root),
            known_sections: known_sections(config, root),
        }
    }
}

fn known_sections(config: &Config, root: Option<&std::path::Path>) -> BTreeMap<String, String> {
    use crate::parse::markdown::normalize_title;
    let templates = match root {
        Some(root) => crate::templates::all_headings(root),
        None => crate::templates::BUILTINS
            .iter()
            .flat_map(|(_, t)| crate::templates::headings(t))
            .collect(),
    };
    let mut known = BTreeMap::new();
    let required = &config.sections;
    for title in
        templates.iter().chain(&required.required).chain(required.aliases.values().flatten())
    {
        known.entry(normalize_title(title)).or_insert_with(|| title.clone());
    }
    known
}

/// Renders every rule's docs as one markdown reference (`docs/rules.md`).
pub fn reference() -> String {
    let mut out = String::from(
        "# Rule reference\n\nGenerated from the rules themselves (`pm explain --all`); do not edit by hand.\n\n| Code | Slug | Default | Checks |\n|---|---|---|---|\n",
    );
    for rule in RULES {
        let m = rule.meta();
        out.push_str(&format!(
            "| {} | [`{}`](#{}) | {} | {} |\n",
            m.code, m.slug, m.slug, m.default_severity, m.summary
        ));
    }
    for rule in RULES {
        out.push('\n');
        out.push_str(&explain(rule.meta()));
    }
    out
}

/// The `pm explain` text of one rule.
pub fn explain(m: &Meta) -> String {
    format!(
        "## {slug}\n\n`{code}` · default severity: {sev}\n\n{summary}\n\n{docs}\n",
        slug = m.slug,
        code = m.code,
        sev = m.default_severity,
        summary = m.summary,
        docs = m.docs.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_slugs_are_unique_and_well_formed() {
        let mut codes = BTreeSet::new();
        let mut slugs = BTreeSet::new();
        for rule in RULES {
            let m = rule.meta();
            assert!(codes.insert(m.code), "duplicate code {}", m.code);
            assert!(slugs.insert(m.slug), "duplicate slug {}", m.slug);
            assert!(m.code.len() == 5 && m.code.starts_with("PM"), "{}", m.code);
            assert!(
                m.docs.contains("## What it does") || m.docs.contains("### What it does"),
                "{} lacks docs",
                m.slug
            );
        }
    }
}

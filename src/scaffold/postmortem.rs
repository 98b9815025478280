//! From `pm new`'s values to the text of a new postmortem.
//!
//! The steps, in order: validate what was given against pm.toml (the scaffold must pass
//! `pm check`, so a value `pm check` would reject is refused up front, with the list of valid
//! ones); derive what was not given from the service catalog ([`derive_team`],
//! [`derive_owner`]); compute `due` from the severity's deadline ([`due`]); collect the template
//! variables ([`Vars`]); and after rendering, [`finish`] the text: check that the template
//! produced front matter with the allocated id, and append any section pm.toml requires that
//! the template lacks.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};
use serde::Serialize;

use crate::calendar;
use crate::config::Config;
use crate::model::{Instant, Status};
use crate::repo::{Depth, Document};

/// Business days to `due` for a severity without a `[deadlines]` entry.
pub const DEFAULT_DEADLINE_DAYS: u32 = 10;

/// What starts the line that names the front matter's schema for editors.
pub const SCHEMA_COMMENT: &str = "# yaml-language-server: $schema=";

/// Longest title accepted, in characters.
pub const MAX_TITLE: usize = 200;

/// Everything a postmortem is scaffolded from, validated.
#[derive(Debug, Clone)]
pub struct Fields {
    /// One line.
    pub title: String,
    /// Usually draft.
    pub status: Status,
    /// One of the configured severities.
    pub severity: String,
    /// A handle.
    pub owner: String,
    /// A team slug.
    pub team: String,
    /// Service slugs, at least one.
    pub services: Vec<String>,
    /// When the incident started, with the offset to write it in.
    pub started_at: Instant,
    /// The clock (for the `now` variable).
    pub now: Timestamp,
    /// The user's name from git config (for the `user` variable).
    pub user: String,
}

/// A catalog entry, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceVars {
    /// The slug.
    pub name: String,
    /// The owning team, if the catalog says.
    pub team: Option<String>,
    /// The default postmortem owner, if the catalog says.
    pub owner: Option<String>,
    /// One line on what it is.
    pub description: Option<String>,
}

/// A team, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct TeamVars {
    /// The slug.
    pub slug: String,
    /// The display name (the slug when pm.toml gives none).
    pub name: String,
    /// The team's postmortem owner, if set.
    pub owner: Option<String>,
    /// Its members.
    pub members: Vec<String>,
}

/// The variables a template is rendered with: every front matter value, plus context.
#[derive(Debug, Clone, Serialize)]
pub struct Vars {
    /// `INC-2026-0042`.
    pub id: String,
    /// The title.
    pub title: String,
    /// `draft`.
    pub status: String,
    /// `SEV2`.
    pub severity: String,
    /// The owner's handle.
    pub owner: String,
    /// The team slug.
    pub team: String,
    /// Service slugs.
    pub services: Vec<String>,
    /// RFC 3339, in the offset it was given in.
    pub started_at: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// How `due` was computed, in words (for a comment).
    pub due_rule: String,
    /// The clock, RFC 3339 in pm.toml's time zone.
    pub now: String,
    /// Today in pm.toml's time zone, `YYYY-MM-DD`.
    pub today: String,
    /// The user's name from git config (may be empty).
    pub user: String,
    /// pm.toml's time zone.
    pub timezone: String,
    /// The start's date in pm.toml's time zone.
    pub started_date: String,
    /// The start's time of day (`HH:MM`) in pm.toml's time zone.
    pub started_time: String,
    /// The incident's year.
    pub year: i16,
    /// The first service's catalog entry.
    pub service: ServiceVars,
    /// Every service's catalog entry, in the order given.
    pub catalog: Vec<ServiceVars>,
    /// The owning team's entry.
    pub team_info: TeamVars,
    /// The repository's title (pm.toml `title`).
    pub repo_title: String,
}

/// The team of the first service the catalog gives one for; else the one team `owner` belongs
/// to.
pub fn derive_team(config: &Config, services: &[String], owner: Option<&str>) -> Option<String> {
    let from_service = services
        .iter()
        .find_map(|s| config.services.get(s)?.team.as_ref().map(|t| t.get_ref().clone()));
    from_service.or_else(|| {
        let owner = owner?;
        let mut teams = config.teams.iter().filter(|(_, t)| {
            t.members.iter().any(|m| m == owner) || t.owner.as_deref() == Some(owner)
        });
        match (teams.next(), teams.next()) {
            (Some((slug, _)), None) => Some(slug.clone()),
            _ => None,
        }
    })
}

/// The owner of the first service of `team` (or of no team) that the catalog names one for;
/// else the team's `owner`; else its first member. A service of another team does not lend its
/// owner: the owner should belong to the owning team.
pub fn derive_owner(config: &Config, services: &[String], team: Option<&str>) -> Option<String> {
    services
        .iter()
        .filter_map(|s| config.services.get(s))
        .filter(|s| s.team.as_ref().is_none_or(|t| Some(t.get_ref().as_str()) == team))
        .find_map(|s| s.owner.clone())
        .or_else(|| {
            let team = config.teams.get(team?)?;
            team.owner.clone().or_else(|| team.members.first().cloned())
        })
}

/// The closest of `candidates` to `given`, if close enough to be a likely typo.
fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&given.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min();
    best.map(|(_, c)| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

fn is_slug(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// A one-line, non-empty title.
pub fn check_title(title: &str) -> Result<String, String> {
    let title = title.trim();
    if title.is_empty() {
        return Err("the title is empty".into());
    }
    if title.chars().any(char::is_control) {
        return Err("the title must be one line of text".into());
    }
    if title.chars().count() > MAX_TITLE {
        return Err(format!("the title is longer than {MAX_TITLE} characters"));
    }
    Ok(title.to_owned())
}

/// One of the configured severities (matched case-insensitively, returned as configured).
pub fn check_severity(config: &Config, given: &str) -> Result<String, String> {
    let given = given.trim();
    config.severities.iter().find(|s| s.eq_ignore_ascii_case(given)).cloned().ok_or_else(|| {
        format!(
            "`{given}` is not one of the severities in pm.toml: {}",
            config.severities.join(", ")
        )
    })
}

/// A service slug, from the catalog when pm.toml has one.
pub fn check_service(config: &Config, given: &str) -> Result<String, String> {
    let given = given.trim();
    if config.services.is_empty() {
        if is_slug(given) {
            return Ok(given.to_owned());
        }
        return Err(format!(
            "`{given}` is not a service slug (lowercase letters, digits, `.`, `_`, `-`)"
        ));
    }
    if config.services.contains_key(given) {
        return Ok(given.to_owned());
    }
    Err(format!(
        "`{given}` is not in the service catalog of pm.toml{}; add it as [services.{}] or pick one of: {}",
        did_you_mean(given, config.services.keys().map(String::as_str)),
        if is_slug(given) { given } else { "NAME" },
        config.services.keys().cloned().collect::<Vec<_>>().join(", ")
    ))
}

/// A team slug, from pm.toml's teams when it has any.
pub fn check_team(config: &Config, given: &str) -> Result<String, String> {
    let given = given.trim();
    if config.teams.is_empty() {
        if is_slug(given) {
            return Ok(given.to_owned());
        }
        return Err(format!(
            "`{given}` is not a team slug (lowercase letters, digits, `.`, `_`, `-`)"
        ));
    }
    if config.teams.contains_key(given) {
        return Ok(given.to_owned());
    }
    Err(format!(
        "`{given}` is not a team in pm.toml{}; the teams are: {}",
        did_you_mean(given, config.teams.keys().map(String::as_str)),
        config.teams.keys().cloned().collect::<Vec<_>>().join(", ")
    ))
}

/// A handle, from pm.toml's registry when it has one.
pub fn check_owner(config: &Config, given: &str) -> Result<String, String> {
    let given = given.trim();
    if given.is_empty() || given.chars().any(char::is_whitespace) {
        return Err(format!("`{given}` is not a handle (one word, no spaces)"));
    }
    let people = config.people();
    if people.is_empty() || people.contains(given) {
        return Ok(given.to_owned());
    }
    Err(format!(
        "`{given}` is not a member of any team in pm.toml{}",
        did_you_mean(given, people.iter().copied())
    ))
}

/// Parses `--started-at`: RFC 3339 with an offset (kept as written), or a local date and time
/// (`2026-03-02T14:05`, `2026-03-02 14:05`) in pm.toml's time zone.
pub fn parse_started_at(text: &str, tz: &TimeZone) -> Result<Instant, String> {
    let text = text.trim();
    if let Some(instant) = Instant::parse(text) {
        return Ok(instant);
    }
    let local: Result<jiff::civil::DateTime, _> = text.parse();
    match local {
        Ok(dt) if text.len() > 10 => {
            let zoned = dt.to_zoned_datetime(tz.clone()).map_err(|e| e.to_string())?;
            Ok(Instant { timestamp: zoned.timestamp(), offset: zoned.offset() })
        }
        _ => Err(format!(
            "`{text}` is not a date and time: use RFC 3339 (`2026-03-02T14:05:00Z`, \
             `2026-03-02T15:05:00+01:00`) or a local time in pm.toml's time zone (`2026-03-02 15:05`)"
        )),
    }
}

/// `instant` as RFC 3339 in its own offset, `Z` for UTC.
pub fn format_instant(instant: &Instant) -> String {
    let zoned = instant.timestamp.to_zoned_datetime(TimeZone::fixed(instant.offset));
    if instant.offset == Offset::UTC {
        zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// The clock as an [`Instant`] in `tz`, to the minute (what `started_at` defaults to).
pub fn now_in(now: Timestamp, tz: &TimeZone) -> Instant {
    let seconds = now.as_second();
    let minute = Timestamp::from_second(seconds - seconds.rem_euclid(60)).unwrap_or(now);
    let zoned = minute.to_zoned_datetime(tz.clone());
    Instant { timestamp: minute, offset: zoned.offset() }
}

/// The postmortem's `due` date: the severity's `[deadlines]` business days after the day the
/// incident started (weekends and `holidays` skipped), or [`DEFAULT_DEADLINE_DAYS`] without a
/// deadline; and that rule in words. Counting from the start rather than the (still unknown)
/// resolution keeps `due` within the `due-policy` rule's limit.
pub fn due(config: &Config, severity: &str, started: Date) -> (Date, String) {
    let (days, rule) = match config.deadlines.get(severity) {
        Some(days) => (*days.get_ref(), format!("the {severity} deadline in pm.toml")),
        None => (DEFAULT_DEADLINE_DAYS, format!("no {severity} deadline in pm.toml")),
    };
    let date = calendar::add_business_days(started, days, config.holiday_dates());
    (date, format!("{days} business days after the incident started ({rule})"))
}

/// The template variables for `fields` with `id`.
pub fn vars(config: &Config, fields: &Fields, id: &str) -> Vars {
    let tz = config.time_zone();
    let started: ZonedDateTime = fields.started_at.timestamp.to_zoned_datetime(tz.clone());
    let (due, due_rule) = due(config, &fields.severity, started.date());
    let now = fields.now.to_zoned_datetime(tz.clone());
    let catalog: Vec<ServiceVars> = fields
        .services
        .iter()
        .map(|name| {
            let entry = config.services.get(name);
            ServiceVars {
                name: name.clone(),
                team: entry.and_then(|s| s.team.as_ref().map(|t| t.get_ref().clone())),
                owner: entry.and_then(|s| s.owner.clone()),
                description: entry.and_then(|s| s.description.clone()),
            }
        })
        .collect();
    let service = catalog.first().cloned().unwrap_or(ServiceVars {
        name: String::new(),
        team: None,
        owner: None,
        description: None,
    });
    let team = config.teams.get(&fields.team);
    Vars {
        id: id.to_owned(),
        title: fields.title.clone(),
        status: fields.status.to_string(),
        severity: fields.severity.clone(),
        owner: fields.owner.clone(),
        team: fields.team.clone(),
        services: fields.services.clone(),
        started_at: format_instant(&fields.started_at),
        due: due.to_string(),
        due_rule,
        now: format_instant(&Instant { timestamp: fields.now, offset: now.offset() }),
        today: now.date().to_string(),
        user: fields.user.clone(),
        timezone: config.timezone.get_ref().clone(),
        started_date: started.date().to_string(),
        started_time: started.strftime("%H:%M").to_string(),
        year: started.year(),
        service,
        catalog,
        team_info: TeamVars {
            slug: fields.team.clone(),
            name: team.and_then(|t| t.name.clone()).unwrap_or_else(|| fields.team.clone()),
            owner: team.and_then(|t| t.owner.clone()),
            members: team.map(|t| t.members.clone()).unwrap_or_default(),
        },
        repo_title: config.title.clone(),
    }
}

/// Checks the rendered `text` and completes it: it must hold a front matter mapping whose `id`
/// is `id` (ids are allocated from what files say, so a template that drops the id would hand
/// it out twice); a section pm.toml requires that the template lacks is appended with a prompt
/// (an absent section is an error even in a draft).
pub fn finish(config: &Config, text: String, id: &str) -> Result<String, String> {
    let doc = Document::parse_text("new.md", text, Depth::Full);
    if let Some(problem) = &doc.problem {
        return Err(format!("the template did not produce a readable postmortem: {problem:?}"));
    }
    let Some(pm) = &doc.postmortem else {
        return Err("the template did not produce front matter".into());
    };
    if doc.id() != Some(id) {
        return Err(format!(
            "the template must write the allocated id into the front matter (`id: {{{{ id | yaml }}}}`); it wrote {}",
            doc.id().map_or_else(|| "no id".to_owned(), |i| format!("`{i}`"))
        ));
    }
    let missing: Vec<String> = config
        .required_sections()
        .into_iter()
        .filter(|(_, names)| pm.body.section(names).is_none())
        .map(|(title, _)| title)
        .collect();
    let mut text = doc.source.text.clone();
    let schema = config.new.schema_comment.get_ref().trim();
    if let Some(split) = doc.split.as_ref().filter(|_| !schema.is_empty()) {
        // First in the front matter, where the YAML language server looks for it; a template
        // that names a schema itself keeps its own.
        let yaml = &text[split.yaml.start..split.yaml.end];
        if !yaml.contains("yaml-language-server:") {
            let after_fence =
                text[split.open.end..].find('\n').map_or(text.len(), |i| split.open.end + i + 1);
            let eol = if text[..after_fence].ends_with("\r\n") { "\r\n" } else { "\n" };
            text.insert_str(after_fence, &format!("{SCHEMA_COMMENT}{schema}{eol}"));
        }
    }
    for title in missing {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("\n## {title}\n\n[Write this section.]\n"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn config() -> Config {
        Config::parse(
            r#"
timezone = "Europe/Berlin"
holidays = ["2026-03-09"]
[deadlines]
SEV2 = 5
[teams.payments]
members = ["jdoe", "asmith"]
owner = "asmith"
[teams.platform]
members = ["kchen", "jdoe"]
[services.checkout-api]
team = "payments"
owner = "jdoe"
[services.payment-gateway]
team = "payments"
[services.orders-db]
team = "platform"
[services.loose]
"#,
            "pm.toml",
        )
        .expect("config")
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn owner_and_team_come_from_the_catalog() {
        let c = config();
        assert_eq!(derive_team(&c, &s(&["checkout-api"]), None).as_deref(), Some("payments"));
        assert_eq!(
            derive_owner(&c, &s(&["checkout-api"]), Some("payments")).as_deref(),
            Some("jdoe")
        );
        // No service owner: the team's owner, else its first member.
        assert_eq!(
            derive_owner(&c, &s(&["payment-gateway"]), Some("payments")).as_deref(),
            Some("asmith")
        );
        assert_eq!(
            derive_owner(&c, &s(&["orders-db"]), Some("platform")).as_deref(),
            Some("kchen")
        );
        // A later service can supply what the first lacks.
        assert_eq!(derive_team(&c, &s(&["loose", "orders-db"]), None).as_deref(), Some("platform"));
        // But not an owner from another team.
        assert_eq!(
            derive_owner(&c, &s(&["orders-db", "checkout-api"]), Some("platform")).as_deref(),
            Some("kchen")
        );
        // Nothing to go on.
        assert_eq!(derive_team(&c, &s(&["loose"]), None), None);
        assert_eq!(derive_owner(&c, &s(&["loose"]), None), None);
        // The one team an owner belongs to; none when ambiguous.
        assert_eq!(derive_team(&c, &s(&["loose"]), Some("kchen")).as_deref(), Some("platform"));
        assert_eq!(derive_team(&c, &s(&["loose"]), Some("jdoe")), None);
    }

    #[test]
    fn values_are_checked_against_pm_toml() {
        let c = config();
        assert_eq!(check_severity(&c, "sev2"), Ok("SEV2".into()));
        assert!(
            check_severity(&c, "SEV5").expect_err("rejected").contains("SEV1, SEV2, SEV3, SEV4")
        );
        assert!(
            check_service(&c, "checkout-apii")
                .expect_err("rejected")
                .contains("did you mean `checkout-api`")
        );
        assert!(
            check_team(&c, "paymnets").expect_err("rejected").contains("did you mean `payments`")
        );
        assert!(check_owner(&c, "nobody").is_err());
        assert!(check_owner(&c, "j doe").is_err());
        assert_eq!(check_title("  Checkout 5xx "), Ok("Checkout 5xx".into()));
        assert!(check_title("a\nb").is_err());
        assert!(check_title(" ").is_err());
        let empty = Config::default();
        assert!(check_service(&empty, "anything-goes").is_ok());
        assert!(check_service(&empty, "Not A Slug").is_err());
    }

    #[test]
    fn started_at_keeps_its_offset() {
        let tz = TimeZone::get("Europe/Berlin").expect("tz");
        let t = parse_started_at("2026-03-02T14:05:00Z", &tz).expect("utc");
        assert_eq!(format_instant(&t), "2026-03-02T14:05:00Z");
        let t = parse_started_at("2026-03-02T15:05:00+01:00", &tz).expect("offset");
        assert_eq!(format_instant(&t), "2026-03-02T15:05:00+01:00");
        let t = parse_started_at("2026-07-02 15:05", &tz).expect("local");
        assert_eq!(format_instant(&t), "2026-07-02T15:05:00+02:00");
        assert!(parse_started_at("2026-03-02", &tz).is_err());
        assert!(parse_started_at("yesterday", &tz).is_err());
        let now = Timestamp::from_second(1_772_460_345).expect("ts");
        assert_eq!(format_instant(&now_in(now, &tz)), "2026-03-02T15:05:00+01:00");
    }

    #[test]
    fn due_skips_weekends_and_holidays() {
        let c = config();
        // Wednesday 2026-03-04 + 5 business days: Thu, Fri, (Mon 9th is a holiday) Tue, Wed, Thu.
        let (d, rule) = due(&c, "SEV2", date(2026, 3, 4));
        assert_eq!(d, date(2026, 3, 12));
        assert_eq!(
            rule,
            "5 business days after the incident started (the SEV2 deadline in pm.toml)"
        );
        let (d, rule) = due(&c, "SEV4", date(2026, 3, 2));
        assert_eq!(d, date(2026, 3, 17));
        assert!(rule.contains("no SEV4 deadline"), "{rule}");
    }

    #[test]
    fn finish_checks_the_id_and_adds_required_sections() {
        let c = Config::default();
        let text = "---\nid: INC-2026-0001\n---\n# T\n\n## Summary\n\nx\n".to_owned();
        let done = finish(&c, text.clone(), "INC-2026-0001").expect("ok");
        for title in ["Impact", "Timeline", "Contributing Factors", "Action Items"] {
            assert!(done.contains(&format!("\n## {title}\n\n[Write this section.]\n")), "{done}");
        }
        assert!(!done.contains("## Summary\n\n[Write"));
        assert!(finish(&c, text, "INC-2026-0002").expect_err("rejected").contains("allocated id"));
        assert!(finish(&c, "no front matter".into(), "X").is_err());
    }
}

//! `unknown-team`: the owning team is not configured.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct UnknownTeam;

static META: Meta = Meta {
    code: "PM102",
    slug: "unknown-team",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "The `team` is not one of the teams in pm.toml.",
    docs: r#"
### What it does
When pm.toml has a `[teams]` table, the postmortem's `team` must be one of its keys. Without
one the rule does nothing.

### Why it matters
Per-team pages, leaderboards and release gates group postmortems by team. A misspelled team
puts a postmortem outside every one of them.

### Example
```yaml
team: paymnets      # pm.toml has [teams.payments]
```
"#,
};

impl Rule for UnknownTeam {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(team) = doc.postmortem.as_ref().and_then(|p| p.team.as_ref()) else {
            return;
        };
        let teams = &cx.config.teams;
        if teams.is_empty() || team.value.is_empty() || teams.contains_key(&team.value) {
            return;
        }
        let names: Vec<&str> = teams.keys().map(String::as_str).collect();
        let finding = Finding::new(team.span, format!("team `{}` is not in pm.toml", team.value));
        out.push(match crate::diagnostic::did_you_mean(&team.value, &names) {
            Some(best) => finding.help(format!("did you mean `{best}`?")),
            None => finding.help(format!(
                "use one of: {}; or add `[teams.{}]` to pm.toml",
                names.join(", "),
                team.value
            )),
        });
    }
}

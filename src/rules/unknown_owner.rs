//! `unknown-owner`: a person named in the front matter is not in the teams registry.

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Suggestions};
use crate::repo::Document;

pub(super) struct UnknownOwner;

static META: Meta = Meta {
    code: "PM101",
    slug: "unknown-owner",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "A person the front matter names (owner, author, reviewer, assignee) is not in the teams registry.",
    docs: r#"
### What it does
When pm.toml lists team members, every person the front matter names — the postmortem `owner`,
each action item's `owner`, `authors`, `reviewers`, each review's `by`, each assignment's `to`
and the review meeting's `attendees` — must be one of them. Without a
`[teams]` registry the rule does nothing.

### Why it matters
Ownership is what gets a postmortem finished and its action items done. An owner nobody can
find, a typo, or someone who left the company means nobody is accountable, and reminders and
leaderboards go to no one.

### Example
```yaml
owner: jdoe        # registry has "j.doe"
```

### Configuration
```toml
[teams.payments]
members = ["jdoe", "asmith"]
```
"#,
};

impl Rule for UnknownOwner {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        if cx.people.is_empty() {
            return;
        }
        let mut suggestions = Suggestions::new(&cx.people_nearest);
        for (role, person) in pm.people() {
            if person.value.is_empty() || cx.people.contains(person.value.as_str()) {
                continue;
            }
            let finding = Finding::new(
                person.span,
                format!("{role} `{}` is not in the teams registry", person.value),
            );
            out.push(match suggestions.suggest(&person.value) {
                Some(best) => finding.help(format!(
                    "did you mean `{best}`? Otherwise add them to a team's `members` in pm.toml"
                )),
                None => finding
                    .help("add them to a team's `members` in pm.toml, or name someone who is"),
            });
        }
    }
}

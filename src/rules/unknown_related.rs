//! `unknown-related`: `related` names an id that no postmortem has.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Repo;

pub(super) struct UnknownRelated;

static META: Meta = Meta {
    code: "PM602",
    slug: "unknown-related",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "`related` names an id that no postmortem in the repository has.",
    docs: r#"
### What it does
Checks every id in `related` against the ids of all postmortems in the repository (even when
`pm check` is given only some files). A postmortem listing its own id is reported too.

### Why it matters
Related incidents are how a reader gets from this outage to the last one like it. A dangling
reference is a broken link on the site and a lost connection in the metrics.

### Example
```yaml
related: [INC-2025-0117]    # no such postmortem
```
"#,
};

impl Rule for UnknownRelated {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_repo(&self, _cx: &Context<'_>, repo: &Repo, out: &mut Vec<(usize, Finding)>) {
        for (i, doc) in repo.documents.iter().enumerate() {
            let Some(pm) = &doc.postmortem else { continue };
            let own = pm.id.as_ref().map(|s| s.value.as_str());
            for related in &pm.related {
                if Some(related.value.as_str()) == own {
                    out.push((
                        i,
                        Finding::new(
                            related.span,
                            format!("`related` lists this postmortem's own id `{}`", related.value),
                        )
                        .help("remove it"),
                    ));
                } else if !repo.by_id.contains_key(&related.value) {
                    let ids: Vec<&str> = repo.by_id.keys().map(String::as_str).collect();
                    let finding = Finding::new(
                        related.span,
                        format!(
                            "`related` names `{}`, but no postmortem has that id",
                            related.value
                        ),
                    );
                    out.push((
                        i,
                        match crate::diagnostic::did_you_mean(&related.value, &ids) {
                            Some(best) => finding.help(format!("did you mean `{best}`?")),
                            None => finding.help("check the id, or remove it"),
                        },
                    ));
                }
            }
        }
    }
}

//! `unknown-related`: `related` names an id that no postmortem has.

use rayon::prelude::*;

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Suggestions};
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
        // Suggestions compare an unknown id with every id: parallel, the id list built once, and
        // only for the first unknown ids of a file (the ones its report shows).
        let ids: Vec<&str> = repo.by_id.keys().map(String::as_str).collect();
        let ids = crate::diagnostic::Nearest::new(&ids);
        let found: Vec<Vec<(usize, Finding)>> = repo
            .documents
            .par_iter()
            .enumerate()
            .map(|(i, doc)| {
                let Some(pm) = &doc.postmortem else { return Vec::new() };
                let own = pm.id.as_ref().map(|s| s.value.as_str());
                let mut suggestions = Suggestions::new(&ids);
                pm.related
                    .iter()
                    .filter_map(|related| {
                        if Some(related.value.as_str()) == own {
                            let message = format!(
                                "`related` lists this postmortem's own id `{}`",
                                related.value
                            );
                            return Some((
                                i,
                                Finding::new(related.span, message).help("remove it"),
                            ));
                        }
                        if repo.by_id.contains_key(&related.value) {
                            return None;
                        }
                        let message = format!(
                            "`related` names `{}`, but no postmortem has that id",
                            related.value
                        );
                        let finding = Finding::new(related.span, message);
                        Some((
                            i,
                            match suggestions.suggest(&related.value) {
                                Some(best) => finding.help(format!("did you mean `{best}`?")),
                                None => finding.help("check the id, or remove it"),
                            },
                        ))
                    })
                    .collect()
            })
            .collect();
        out.extend(found.into_iter().flatten());
    }
}

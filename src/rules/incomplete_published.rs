//! `incomplete-published`: a postmortem marked published that its team's completion policy
//! does not call complete.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
use crate::repo::Document;

pub(super) struct IncompletePublished;

static META: Meta = Meta {
    code: "PM701",
    slug: "incomplete-published",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "A published postmortem does not meet the completion policy.",
    docs: r#"
### What it does
Judges every `published` postmortem against the repository's completion policy (`[completion]`
in pm.toml, with per-severity overrides) and reports one error when it is not complete, with a
note at each place that fails a criterion: a section still empty or holding a template prompt,
too few timeline entries, an action item without a ticket or drifted from it, a required field
left blank, approvals missing, no review held, a checklist question unanswered. `pm status`
shows the same judgement as a checklist.

Postmortems whose incident began before `completion.since` are not held to the policy.

### Why it matters
"Published" should mean done, by the team's own definition, not "someone changed the status".
A definition of complete that lives in pm.toml is reviewed like code and enforced by CI.

### Example
```toml
[completion]
fields = ["detection", "impact", "contributing_factors"]
approvals = 1
approvers = ["owner", "team:postmortem-guild"]

[completion.severity.SEV1]
approvals = 2
review = "meeting"
```
"#,
};

impl Rule for IncompletePublished {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let (Some(pm), Some(written)) = (&doc.postmortem, &doc.written) else { return };
        let Some(status) = pm.status.as_ref().filter(|s| s.value == Status::Published) else {
            return;
        };
        let verdict = cx.completion.evaluate(doc.path(), pm, written);
        if verdict.complete || !verdict.applies {
            return;
        }
        let unmet: Vec<&str> = verdict.unmet().map(|c| c.id.as_str()).collect();
        let notes = verdict.unmet().flat_map(|c| c.notes.iter().cloned()).collect();
        out.push(
            Finding::new(
                status.span,
                format!(
                    "published, but not complete: {} of {} criteria unmet ({})",
                    unmet.len(),
                    verdict.criteria.len(),
                    unmet.join(", ")
                ),
            )
            .notes(notes)
            .help("finish what the notes point at (`pm status` lists it), or set the status back to in-review"),
        );
    }
}

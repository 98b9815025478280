//! `incomplete-in-review`: a postmortem sent to review with sections still to write.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
use crate::repo::Document;

pub(super) struct IncompleteInReview;

static META: Meta = Meta {
    code: "PM702",
    slug: "incomplete-in-review",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "A postmortem in review still has sections the policy requires unwritten.",
    docs: r#"
### What it does
For a postmortem whose status is `in-review`, checks the sections the completion policy
requires (`completion.sections`, by default `[sections] required`): each must be present,
written and free of template prompts. Reports one warning with a note per section.

### Why it matters
Reviewers' time is the scarcest part of a postmortem. Asking for a review of a half-written
document wastes it, and the review comes back with "please fill in Impact".

### Example
```markdown
## Impact

[Describe who and what was affected …]
```
"#,
};

impl Rule for IncompleteInReview {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let (Some(pm), Some(written)) = (&doc.postmortem, &doc.written) else { return };
        let Some(status) = pm.status.as_ref().filter(|s| s.value == Status::InReview) else {
            return;
        };
        let verdict = cx.completion.evaluate(doc.path(), pm, written);
        let Some(sections) = verdict.criterion("sections").filter(|c| !c.met) else { return };
        if !verdict.applies {
            return;
        }
        out.push(
            Finding::new(
                status.span,
                format!("in review with sections to write: {}", sections.detail),
            )
            .notes(sections.notes.clone())
            .help("write them before asking for reviews, or set the status back to draft"),
        );
    }
}

//! `review-invalid`: a review or assignment that cannot count: an author approving their own
//! postmortem where the policy forbids it, a review dated in the future, a section assigned
//! that no template has.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Verdict;
use crate::parse::markdown::normalize_title;
use crate::repo::Document;

pub(super) struct ReviewInvalid;

static META: Meta = Meta {
    code: "PM704",
    slug: "review-invalid",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "A self-approval the policy forbids, a review dated in the future, or an assignment to a section no template has.",
    docs: r#"
### What it does
Checks `reviews:` and `assignments:` against the completion policy and the templates:

- an approval by the postmortem's owner or one of its authors, unless the policy sets
  `self_approval = true` (it never counts toward the approvals either);
- a review dated after today;
- an assignment to a section that neither the templates (built-in and `templates/*.md`), nor
  `[sections]`, nor the postmortem's own headings have.

Reviewers and assignees missing from the teams registry are `unknown-owner`'s to report; a
verdict other than `approved` or `changes-requested` is the schema's.

### Why it matters
An approval is worth something because someone other than the author read the document.
An assignment to a section that does not exist is work nobody can finish.

### Configuration
```toml
[completion]
self_approval = false   # the default
```
"#,
};

impl Rule for ReviewInvalid {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let policy = cx.completion.policies.for_postmortem(pm);
        for review in &pm.reviews {
            let Some(by) = &review.by else { continue };
            let approved = review.verdict.as_ref().is_some_and(|v| v.value == Verdict::Approved);
            if approved
                && !policy.self_approval
                && crate::completion::evaluate::is_author(pm, &by.value)
            {
                out.push(
                    Finding::new(by.span, format!("{} approves a postmortem they own or wrote", by.value))
                        .help("ask someone else to review it; a team that allows it sets `completion.self_approval = true`"),
                );
            }
            if let Some(on) = review.on.as_ref().filter(|on| on.value > cx.today) {
                out.push(
                    Finding::new(
                        on.span,
                        format!("review dated {}, after today ({})", on.value, cx.today),
                    )
                    .help("date a review on the day it was given"),
                );
            }
        }
        for assignment in &pm.assignments {
            let Some(section) = &assignment.section else { continue };
            let title = normalize_title(&section.value);
            let in_body = pm.body.sections.iter().any(|s| normalize_title(&s.title) == title);
            if in_body || cx.known_sections.contains_key(&title) {
                continue;
            }
            let candidates: Vec<&str> = cx.known_sections.keys().map(String::as_str).collect();
            let finding = Finding::new(
                section.span,
                format!("no section \"{}\" in the templates or this postmortem", section.value),
            );
            // Matched on normalized titles, suggested as the template writes it ("Impact", not
            // "impact").
            let best = crate::diagnostic::did_you_mean(&title, &candidates)
                .map(|best| cx.known_sections.get(best).map_or(best, String::as_str));
            out.push(match best {
                Some(best) => finding.help(format!("did you mean \"{best}\"?")),
                None => finding.help("assign a section the template has, or add its heading first"),
            });
        }
    }
}

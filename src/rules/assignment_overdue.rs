//! `assignment-overdue`: a section handed to someone is past its date and still unwritten.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
use crate::repo::Document;

pub(super) struct AssignmentOverdue;

static META: Meta = Meta {
    code: "PM703",
    slug: "assignment-overdue",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "A section assigned to a person is past its due date and still empty.",
    docs: r#"
### What it does
Reads `assignments:` (a section, the person writing it, a date) and warns, naming the person,
when the date has passed and the section is still absent, empty or holding a template prompt.
Published postmortems are left alone (`incomplete-published` judges those).

### Why it matters
The incident commander hands out sections ("@Geoff I need Impact, @Morgan please fill out
Detection…") and then has to chase them. Written down with a date, the chasing is a finding,
`pm todo` tells each person what they owe, and nobody needs to remember.

### Example
```yaml
assignments:
  - section: Impact
    to: tnguyen
    due: 2026-05-20
```
"#,
};

impl Rule for AssignmentOverdue {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let (Some(pm), Some(written)) = (&doc.postmortem, &doc.written) else { return };
        if pm.assignments.is_empty() || pm.status_or_draft() == Status::Published {
            return;
        }
        let verdict = cx.completion.evaluate(doc.path(), pm, written);
        for a in verdict.assignments.iter().filter(|a| a.days_overdue > 0) {
            let due = a.due.map(|d| d.to_string()).unwrap_or_default();
            out.push(
                Finding::new(
                    a.span,
                    format!(
                        "\"{}\", assigned to {}, was due {due} ({}) and is not written yet",
                        a.section,
                        a.to,
                        crate::calendar::ago(a.days_overdue)
                    ),
                )
                .help(format!("{} writes the section, or the assignment gets a new date", a.to)),
            );
        }
    }
}

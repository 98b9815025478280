//! `postmortem-overdue`: the postmortem is not published and its `due` date has passed.

use super::{Context, Meta, Rule};
use crate::calendar::ago;
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct PostmortemOverdue;

static META: Meta = Meta {
    code: "PM201",
    slug: "postmortem-overdue",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "The postmortem is not published and its `due` date has passed.",
    docs: r#"
### What it does
Reports a postmortem whose `status` is not `published` when `due` is before today. "Today" is
the current date in pm.toml's `timezone`, or `--today` / `PM_TODAY` when given.

### Why it matters
A postmortem written weeks late is written from memory, and its action items land after the
next incident. On-time completion is one of the marks of a postmortem culture that works.

### Example
```yaml
status: in-review
due: 2026-03-09        # today is 2026-03-20
```

### Configuration
A warning by default, so an old overdue postmortem does not break every commit; use
`pm check --deny warnings` in CI, or `[rules] postmortem-overdue = "error"`.
"#,
};

impl Rule for PostmortemOverdue {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let Some(due) = &pm.due else { return };
        let late = pm.days_overdue(cx.today);
        if late == 0 {
            return;
        }
        let status = pm.status_or_draft();
        out.push(
            Finding::new(
                due.span,
                format!(
                    "the postmortem was due {} ({}) and is still {}",
                    due.value,
                    ago(late),
                    status
                ),
            )
            .help("finish and publish it, or agree a new `due` date with its owner"),
        );
    }
}

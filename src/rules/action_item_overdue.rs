//! `action-item-overdue`: an open action item is past its due date.

use super::{Context, Meta, Rule};
use crate::calendar::{ago, days_between};
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct ActionItemOverdue;

static META: Meta = Meta {
    code: "PM202",
    slug: "action-item-overdue",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "An open or in-progress action item is past its `due` date.",
    docs: r#"
### What it does
Reports every action item with `status: open` or `in-progress` whose `due` is before today.

### Why it matters
Action items are how a postmortem prevents the next incident. Items that slip quietly are the
most common way postmortems fail: the same incident happens again, with the fix still "open".

### Example
```yaml
action_items:
  - title: Alert on connection-pool saturation
    owner: asmith
    due: 2026-03-16     # today is 2026-04-01
    status: open
```

### Configuration
A warning by default; `--deny warnings` or `[rules] action-item-overdue = "error"` makes it
fail. `pm actions --overdue` lists them across the repository.
"#,
};

impl Rule for ActionItemOverdue {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        for item in pm.action_items.iter().filter(|i| i.is_outstanding()) {
            let Some(due) = &item.due else { continue };
            if due.value >= cx.today {
                continue;
            }
            let title = item.title.as_ref().map_or("(untitled)", |t| t.value.as_str());
            let owner =
                item.owner.as_ref().map_or(String::new(), |o| format!(", owned by {}", o.value));
            out.push(
                Finding::new(due.span, format!("action item \"{title}\" was due {} ({}{owner})", due.value, ago(days_between(due.value, cx.today))))
                    .help("close it (status: done with closed_on), or move `due` with its owner's agreement"),
            );
        }
    }
}

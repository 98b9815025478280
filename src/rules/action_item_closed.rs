//! `action-item-closed-on`: `closed_on` disagrees with the item's status or dates.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct ActionItemClosed;

static META: Meta = Meta {
    code: "PM302",
    slug: "action-item-closed-on",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "An action item's `closed_on` contradicts its status or lies in the future.",
    docs: r#"
### What it does
Reports an action item that has `closed_on` while still `open` or `in-progress`, or whose
`closed_on` is after today or before the incident started. (A `done` or `wont-do` item without
`closed_on` is reported by the `schema` rule.)

### Why it matters
Follow-through metrics — completion rate, days to close, share closed on time — are computed
from `closed_on`. A wrong date makes a team look better or worse than it is.

### Example
```yaml
  - title: Rotate the leaked token
    status: open
    closed_on: 2026-03-04     # open items are not closed
```
"#,
};

impl Rule for ActionItemClosed {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let started = pm
            .times
            .started_at
            .as_ref()
            .map(|s| s.value.timestamp.to_zoned_datetime(cx.config.time_zone()).date());
        for item in &pm.action_items {
            let Some(closed) = &item.closed_on else {
                continue;
            };
            let title = item.title.as_ref().map_or("(untitled)", |t| t.value.as_str());
            if item.is_outstanding() {
                out.push(
                    Finding::new(
                        closed.span,
                        format!(
                            "action item \"{title}\" is {} but has `closed_on: {}`",
                            item.state(),
                            closed.value
                        ),
                    )
                    .help("set `status: done` (or `wont-do`), or remove `closed_on`"),
                );
            } else if closed.value > cx.today {
                out.push(
                    Finding::new(
                        closed.span,
                        format!(
                            "action item \"{title}\" is closed on {}, which is in the future",
                            closed.value
                        ),
                    )
                    .help("write the date it was actually closed"),
                );
            } else if let Some(started) = started.filter(|s| closed.value < *s) {
                out.push(
                    Finding::new(closed.span, format!("action item \"{title}\" is closed on {}, before the incident started ({started})", closed.value))
                        .help("write the date it was actually closed"),
                );
            }
        }
    }
}

//! `action-item-unverified`: a finished item of a high priority without proof that it worked,
//! or an item given up without a reason.

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::model::{ItemStatus, Priority};
use crate::repo::Document;

pub(super) struct ActionItemUnverified;

static META: Meta = Meta {
    code: "PM304",
    slug: "action-item-unverified",
    default_severity: Severity::Warning,
    summary: "A done action item of a verified priority has no `verification`, or a `wont-do` item no `reason`.",
    docs: r#"
### What it does
Reports a `done` action item whose priority is one of `[verification] priorities` (default P0
and P1) without `verification: {by, on, evidence}`, and a `wont-do` item without a `reason`.

### Why it matters
A closed ticket proves that someone closed it, not that the fix worked. Verified closure asks
for one more step on the items that matter most: someone checked — a game day, a dashboard
after the next deploy, a failing test that now passes — and left a link. An item given up
without a reason teaches the next reader nothing.

### Example
```yaml
  - title: Fail over the primary database automatically
    priority: P0
    status: done
    closed_on: 2026-11-30
    verification:
      by: aokafor
      on: 2026-12-03
      evidence: https://grafana.example.com/d/failover-gameday
  - title: Rewrite the scheduler
    status: wont-do
    closed_on: 2026-11-28
    reason: Replaced by the managed queue (PLAT-512)
```

### Configuration
`[verification] priorities = ["P0", "P1"]`; an empty list asks for no verification.
"#,
};

impl Rule for ActionItemUnverified {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let verified: Vec<Priority> = cx
            .config
            .verification
            .priorities
            .iter()
            .filter_map(|p| p.get_ref().parse().ok())
            .collect();
        for item in &pm.action_items {
            let Some(status) = &item.status else { continue };
            let title = item.title.as_ref().map_or("(untitled)", |t| t.value.as_str());
            match status.value {
                ItemStatus::Done => {
                    let Some(priority) =
                        item.priority.as_ref().filter(|p| verified.contains(&p.value))
                    else {
                        continue;
                    };
                    let complete = item
                        .verification
                        .as_ref()
                        .is_some_and(|v| v.by.is_some() && v.on.is_some() && v.evidence.is_some());
                    if !complete {
                        let span = item.verification.as_ref().map_or(status.span, |v| v.span);
                        out.push(
                            Finding::new(span, format!("{} action item \"{title}\" is done but not verified", priority.value))
                                .help("add `verification: {by: HANDLE, on: YYYY-MM-DD, evidence: URL}`: who checked that the fix works, when, and a link to the proof (a pull request, a dashboard, a game-day report)"),
                        );
                    }
                }
                ItemStatus::WontDo if item.reason.is_none() => out.push(
                    Finding::new(
                        status.span,
                        format!("action item \"{title}\" won't be done, but says no `reason`"),
                    )
                    .help("add `reason:` — why it is not worth doing, or what replaced it"),
                ),
                _ => {}
            }
        }
    }
}

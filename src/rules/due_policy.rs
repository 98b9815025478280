//! `due-policy`: the postmortem's `due` is later than the severity's deadline allows.

use super::{Context, Meta, Rule};
use crate::calendar::add_business_days;
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct DuePolicy;

static META: Meta = Meta {
    code: "PM203",
    slug: "due-policy",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "`due` is later than the severity's deadline in pm.toml allows.",
    docs: r#"
### What it does
When pm.toml sets `[deadlines]` for the postmortem's severity, `due` must be no later than that
many business days (weekends and pm.toml `holidays` skipped) after the date of `resolved_at`, in the configured time
zone.

### Why it matters
Deadlines are a team agreement; a `due` date pushed out by hand quietly opts a postmortem out
of it, and the timeliness metrics stop meaning anything.

### Example
```toml
[deadlines]
SEV1 = 3
```
```yaml
severity: SEV1
resolved_at: 2026-03-02T16:00:00Z   # a Monday: due by Thursday 2026-03-05
due: 2026-03-20
```
"#,
};

impl Rule for DuePolicy {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let (Some(severity), Some(due), Some(resolved)) =
            (&pm.severity, &pm.due, &pm.times.resolved_at)
        else {
            return;
        };
        let Some(days) = cx.config.deadlines.get(&severity.value) else {
            return;
        };
        let resolved_on = resolved.value.timestamp.to_zoned_datetime(cx.config.time_zone()).date();
        let latest = add_business_days(resolved_on, *days.get_ref(), cx.holidays);
        if due.value > latest {
            out.push(
                Finding::new(due.span, format!(
                    "`due` {} is later than the {} deadline: {} business days after resolution ({resolved_on}) is {latest}",
                    due.value, severity.value, days.get_ref()
                ))
                .help(format!("set `due: {latest}`, or change `[deadlines]` in pm.toml if the policy is wrong")),
            );
        }
    }
}

//! `timestamp-order`: the incident's timestamps are out of order.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Instant;
use crate::repo::Document;
use crate::source::Spanned;

pub(super) struct TimestampOrder;

static META: Meta = Meta {
    code: "PM401",
    slug: "timestamp-order",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "Incident timestamps are out of order (started ≤ detected ≤ mitigated ≤ resolved).",
    docs: r#"
### What it does
Checks, in absolute time, that `started_at` ≤ `detected_at` ≤ `mitigated_at` ≤ `resolved_at`,
that `acknowledged_at` lies between `detected_at` and `resolved_at`, and that `published_on` is
not before the day the incident was resolved. Timestamps written with different UTC offsets are
compared as instants: `10:30+02:00` is before `09:00Z`.

### Why it matters
Time to detect, mitigate and resolve are computed from these fields. One swapped pair yields a
negative duration that skews every median it lands in.

### Example
```yaml
started_at:  2026-03-02T14:10:00Z
detected_at: 2026-03-02T14:05:00Z     # before the start
```
"#,
};

type Field<'a> = (&'static str, &'a Option<Spanned<Instant>>);

impl Rule for TimestampOrder {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let t = &pm.times;
        let chain: [Field<'_>; 4] = [
            ("started_at", &t.started_at),
            ("detected_at", &t.detected_at),
            ("mitigated_at", &t.mitigated_at),
            ("resolved_at", &t.resolved_at),
        ];
        // Each present timestamp must not precede the nearest present one before it.
        let mut last: Option<(&str, &Spanned<Instant>)> = None;
        for (name, value) in chain {
            let Some(value) = value else { continue };
            if let Some((before_name, before)) = last {
                if value.value.timestamp < before.value.timestamp {
                    out.push(misordered(name, value, before_name, before));
                    continue;
                }
            }
            last = Some((name, value));
        }
        if let Some(ack) = &t.acknowledged_at {
            if let Some(detected) =
                t.detected_at.as_ref().filter(|d| ack.value.timestamp < d.value.timestamp)
            {
                out.push(misordered("acknowledged_at", ack, "detected_at", detected));
            } else if let Some(resolved) =
                t.resolved_at.as_ref().filter(|r| ack.value.timestamp > r.value.timestamp)
            {
                out.push(misordered("resolved_at", resolved, "acknowledged_at", ack));
            }
        }
        if let (Some(published), Some(resolved)) = (&pm.published_on, &t.resolved_at) {
            let resolved_on =
                resolved.value.timestamp.to_zoned_datetime(cx.config.time_zone()).date();
            if published.value < resolved_on {
                out.push(
                    Finding::new(published.span, format!("`published_on` ({}) is before the incident was resolved ({resolved_on})", published.value))
                        .help("check both dates"),
                );
            }
        }
    }
}

fn misordered(
    name: &str,
    value: &Spanned<Instant>,
    before_name: &str,
    before: &Spanned<Instant>,
) -> Finding {
    let show = |i: &Instant| {
        i.timestamp
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(i.offset))
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string()
    };
    let gap = before.value.timestamp.duration_since(value.value.timestamp);
    let minutes = gap.as_secs() / 60;
    Finding::new(
        value.span,
        format!(
            "`{name}` ({}) is {minutes} min before `{before_name}` ({})",
            show(&value.value),
            show(&before.value)
        ),
    )
    .help(format!(
        "`{before_name}` must not be later than `{name}`; check the dates and the UTC offsets"
    ))
}

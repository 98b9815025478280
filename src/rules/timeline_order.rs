//! `timeline-order`: an entry of the body's Timeline is earlier than the entry before it.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Document;
use crate::source::Span;
use crate::timeline::entries::{Entry, entries};

pub(super) struct TimelineOrder;

static META: Meta = Meta {
    code: "PM402",
    slug: "timeline-order",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "A Timeline entry is earlier than the entry before it at the same level.",
    docs: r#"
### What it does
Reads the Timeline section the way `pm export --what timeline` does (each entry's date, time and
zone, written or taken from the entries above it) and reports an entry whose instant is earlier
than the previous entry's at the same level: top-level entries against the top-level entry
before them, replies nested under an entry against the reply before them under the same entry.
The finding points at the entry, and its note names the previous entry's time. Entries without
a time (notes, placeholders) are not compared.

An entry without a date whose time is more than six hours before the previous entry's is read
as the next day (a timeline running past midnight), so it is not reported; write the date on
such an entry (`17 Jun 01:10 UTC — …`) when it means something else.

### Why it matters
A timeline out of order is read wrongly: an undated entry takes its date from the entry above
it, so a line pasted in the wrong place, or an import dated by the postmortem instead of by its
messages, moves events to another time. The exported timeline, the time-to-detect read off it,
and the story a reader follows all inherit the error.

### Example
```markdown
## Timeline

All times UTC.

- 14:05 UTC — Alert fires.
- 14:20 UTC — Rollback starts.
- 14:12 UTC — On-call acknowledges.    # before 14:20, the entry above
```
Move the entry to its place, or correct its time or date.
"#,
};

impl Rule for TimelineOrder {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        let titles = crate::timeline::section_titles(cx.config);
        let timeline = entries(pm, &doc.source.text, &titles, &cx.config.time_zone());
        // The last timed entry seen at each level, under the current parent.
        let mut last: Vec<Option<&Entry>> = Vec::new();
        for entry in &timeline {
            last.truncate(entry.depth + 1);
            last.resize(entry.depth + 1, None);
            let Some(at) = entry.at else { continue };
            if let Some(previous) = last[entry.depth] {
                if previous.at.is_some_and(|p| at < p) {
                    out.push(misordered(&doc.source.text, entry, previous));
                }
            }
            last[entry.depth] = Some(entry);
        }
    }
}

/// The entry's first line: where the finding points.
fn head(text: &str, span: Span) -> Span {
    let item = text.get(span.start..span.end).unwrap_or("");
    let end = item.find(['\n', '\r']).map_or(span.end, |i| span.start + item[..i].trim_end().len());
    Span { start: span.start, end }
}

/// The entry's time as its reader got it: date, time and offset.
fn shown(entry: &Entry) -> String {
    match (entry.at, entry.offset) {
        (Some(at), Some(offset)) => at
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset))
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string(),
        (Some(at), None) => at.to_string(),
        _ => String::new(),
    }
}

fn misordered(text: &str, entry: &Entry, previous: &Entry) -> Finding {
    let minutes = match (entry.at, previous.at) {
        (Some(at), Some(p)) => p.duration_since(at).as_secs() / 60,
        _ => 0,
    };
    Finding::new(
        head(text, entry.span),
        format!(
            "this Timeline entry ({}) is {minutes} min before the entry above it ({})",
            shown(entry),
            shown(previous)
        ),
    )
    .notes(vec![(head(text, previous.span), format!("the entry before it, at {}", shown(previous)))])
    .help("move the entry to its place in time, or correct its time; an entry without a date takes the date of the entry above it")
}

//! `missing-section`: a required body section is absent or empty.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
use crate::parse::markdown::Section;
use crate::repo::Document;
use crate::source::Span;

pub(super) struct MissingSection;

static META: Meta = Meta {
    code: "PM501",
    slug: "missing-section",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "A required body section is absent, or empty once the postmortem leaves draft.",
    docs: r#"
### What it does
Checks the body for the required sections — by default Google's template: Summary, Impact,
Timeline, Contributing Factors (or "Root Causes"), Resolution, Lessons Learned, Action Items.
Headings of any level count; titles are compared case-insensitively, ignoring numbering and a
trailing colon. An absent section is always reported; an empty one (only whitespace or HTML
comments) is reported once the status is `in-review` or `published`.

### Why it matters
A postmortem is referenced long after the incident by people who were not there. The sections
are the questions every reader has: what happened, who was affected, when, why, what fixed it,
what we learned and what we will change.

### Configuration
```toml
[sections]
required = ["Summary", "Impact", "Timeline", "Contributing Factors", "Action Items"]
aliases = { "Contributing Factors" = ["Root Causes", "Why it happened"] }
```
"#,
};

impl Rule for MissingSection {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let (Some(pm), Some(_)) = (&doc.postmortem, &doc.split) else {
            return;
        };
        let draft = pm.status_or_draft() == Status::Draft;
        let found: Vec<Option<&Section>> =
            cx.required_sections.iter().map(|(_, names)| pm.body.section(names)).collect();
        for (i, (title, _)) in cx.required_sections.iter().enumerate() {
            match found[i] {
                None => {
                    let (at, level, place) = place(&doc.source.text, &found, i);
                    let heading = "#".repeat(usize::from(level.max(1)));
                    out.push(
                        Finding::new(at, format!("the body has no \"{title}\" section")).help(
                            format!("add a `{heading} {title}` heading {place}, with its content"),
                        ),
                    );
                }
                Some(section) if !section.has_content && !draft => out.push(
                    Finding::new(
                        section.heading,
                        format!("the \"{}\" section is empty", section.title),
                    )
                    .help("write it, or say explicitly why there is nothing to say"),
                ),
                Some(_) => {}
            }
        }
    }
}

/// Where the missing `found[missing]` belongs, in the order of the required sections: right
/// after the last earlier one the file has, else right before the first later one, else at the
/// end of the body. Also the heading level of that neighbour and the place in words.
fn place(text: &str, found: &[Option<&Section>], missing: usize) -> (Span, u8, String) {
    if let Some(before) = found[..missing].iter().rev().flatten().next() {
        // The end of its last text, or of its heading when it has none (before a line break,
        // which may be a lone `\r`).
        let start = before.heading.start.min(before.content.start);
        let end = start + text[start..before.content.end.max(start)].trim_end().len();
        return (Span::point(end), before.level, format!("after \"{}\"", before.title));
    }
    if let Some(after) = found[missing + 1..].iter().flatten().next() {
        return (
            Span::point(after.heading.start),
            after.level,
            format!("before \"{}\"", after.title),
        );
    }
    // The front matter's closing fence is text too, so this is never before the body starts.
    let end = text.trim_end().len();
    (Span::point(end), 2, "at the end of the body".to_owned())
}

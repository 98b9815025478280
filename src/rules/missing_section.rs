//! `missing-section`: a required body section is absent or empty.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
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
        let (Some(pm), Some(split)) = (&doc.postmortem, &doc.split) else {
            return;
        };
        let draft = pm.status_or_draft() == Status::Draft;
        // An absent section is reported at the end of the front matter, where the body begins.
        let body_start = Span::new(split.close.start, split.close.end);
        for (title, names) in &cx.required_sections {
            match pm.body.section(names) {
                None => out.push(
                    Finding::new(body_start, format!("the body has no \"{title}\" section"))
                        .help(format!("add a `## {title}` heading with its content")),
                ),
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

//! `schema`: the front matter violates the JSON schema.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct SchemaRule;

static META: Meta = Meta {
    code: "PM002",
    slug: "schema",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "The front matter violates the postmortem schema.",
    docs: r#"
### What it does
Validates the front matter against `schema/postmortem.schema.json` (JSON Schema 2020-12, built
into `pm`; a repository may replace it with its own file at the same path). Reports wrong types,
unknown keys, unknown severities and statuses, invalid dates, and missing required keys — the
always-required ones (`id`, `title`, `status`, `severity`, `owner`, `team`, `services`,
`started_at`, `due`), `detected_at` and `resolved_at` once the status leaves `draft`, and
`published_on` plus at least one action item once it is `published`.

Each error points at the offending key; a missing key points at the mapping that should hold it.

### Why it matters
Every report, page and metric is computed from these fields. A typo such as `resovled_at` would
otherwise silently drop an incident from time-to-resolve figures.

### Example
```yaml
severity: SEV5            # not one of the configured severities
due: 2026-02-30           # not a date
resovled_at: 2026-03-02T14:05:00Z   # unknown key: did you mean `resolved_at`?
```

### Configuration
The severities come from `severities` in pm.toml. Keys starting with `x-` are free for a team's
own data.
"#,
};

impl Rule for SchemaRule {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let (Some(pm), Some(split)) = (&doc.postmortem, &doc.split) else {
            return;
        };
        if let Some(root) = &pm.front_matter {
            out.extend(cx.schema.check(root, split.open));
        }
    }
}

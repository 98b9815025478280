//! `id-filename-mismatch`: the file name does not start with the postmortem's id.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct IdFilename;

static META: Meta = Meta {
    code: "PM003",
    slug: "id-filename-mismatch",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "The file name does not start with the postmortem's id.",
    docs: r#"
### What it does
Checks that a postmortem's file name starts with its `id`, as `pm new` names files:
`postmortems/2026/INC-2026-0042-checkout-5xx.md` for `id: INC-2026-0042`.

### Why it matters
During an incident people look postmortems up by id, in the repository as much as on the site.
A file whose name disagrees with its id is found by neither.

### Example
`postmortems/2026/checkout-outage.md` with `id: INC-2026-0042`.

### Fix
Rename the file (`git mv`) so it starts with the id.
"#,
};

impl Rule for IdFilename {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, _cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(id) = doc.postmortem.as_ref().and_then(|p| p.id.as_ref()) else {
            return;
        };
        let name = doc.path().rsplit('/').next().unwrap_or_default();
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        let matches = stem == id.value
            || stem
                .strip_prefix(id.value.as_str())
                .is_some_and(|rest| rest.starts_with(['-', '_', '.']));
        if !id.value.is_empty() && !matches {
            out.push(
                Finding::new(
                    id.span,
                    format!("the file name `{name}` does not start with the id `{}`", id.value),
                )
                .help(format!("rename the file to `{}-<slug>.md`", id.value)),
            );
        }
    }
}

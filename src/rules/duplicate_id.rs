//! `duplicate-id`: two or more files share an id.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Repo;

pub(super) struct DuplicateId;

static META: Meta = Meta {
    code: "PM601",
    slug: "duplicate-id",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "Two or more postmortems share an id.",
    docs: r#"
### What it does
Reports every file whose `id` is also used by another file, naming the others. Checked across
the whole repository even when `pm check` is given only some files.

### Why it matters
Ids are how postmortems reference each other (`related`), how pages are addressed, and how
people find "the last time this happened". Two postmortems with one id make every link to it
ambiguous. This usually happens when two branches both run `pm new` on the same day.

### Fix
Give the newer postmortem the next free id (`pm new` allocates one) and rename its file.
"#,
};

impl Rule for DuplicateId {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_repo(&self, _cx: &Context<'_>, repo: &Repo, out: &mut Vec<(usize, Finding)>) {
        for (id, docs) in repo.by_id.iter().filter(|(_, d)| d.len() > 1) {
            for &i in docs {
                let others: Vec<&str> =
                    docs.iter().filter(|&&j| j != i).map(|&j| repo.documents[j].path()).collect();
                let span = repo.documents[i]
                    .postmortem
                    .as_ref()
                    .and_then(|p| p.id.as_ref())
                    .map(|s| s.span)
                    .unwrap_or_default();
                out.push((
                    i,
                    Finding::new(span, format!("id `{id}` is also used by {}", others.join(", ")))
                        .help("give one of them a new id (the next free one for its year) and rename its file"),
                ));
            }
        }
    }
}

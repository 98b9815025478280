//! `invalid-front-matter`: the file has no usable front matter.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::parse::front_matter::SplitError;
use crate::repo::{Document, Problem};
use crate::source::Span;

pub(super) struct InvalidFrontMatter;

static META: Meta = Meta {
    code: "PM001",
    slug: "invalid-front-matter",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "The file has no readable YAML front matter mapping.",
    docs: r#"
### What it does
Reports files under the postmortems folder that cannot be read as a postmortem: unreadable,
binary or not UTF-8, empty, without a `---` front matter block, with an unterminated one, with a
YAML syntax error, with a key written twice, or with front matter that is not a mapping. Aliases
that expand beyond 100,000 nodes and nesting deeper than 64 levels are refused here too.

### Why it matters
Every other rule, the site and the metrics read the front matter. A file that cannot be read is
invisible to all of them, so it must be fixed first. A duplicated key is an error because YAML
readers disagree on which value wins.

### Example
```markdown
---
id: INC-2026-0042
title: Checkout returned 5xx
title: Checkout errors        # duplicate key
```

### Fix
Start the file with a line `---`, write the YAML mapping, close it with another `---` line.
UTF-8 with or without a BOM and LF or CRLF line endings are all fine.
"#,
};

impl Rule for InvalidFrontMatter {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, _cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        for dup in &doc.duplicates {
            let first = doc.source.position(dup.first.start);
            out.push(
                Finding::new(
                    dup.duplicate,
                    format!(
                        "the key `{}` is written twice (first on line {})",
                        dup.key, first.line
                    ),
                )
                .help("remove one of them: YAML readers disagree on which one wins"),
            );
        }
        let Some(problem) = &doc.problem else { return };
        let start = Span::point(0);
        let finding = match problem {
            Problem::Unreadable(e) => Finding::new(start, format!("cannot read the file: {e}"))
                .help("check the file's permissions, or that a symlink points to a file"),
            Problem::NotUtf8(offset) => {
                Finding::new(Span::point(*offset), "the file is not valid UTF-8")
                    .help("save the file as UTF-8")
            }
            Problem::Binary => {
                Finding::new(start, "the file is binary (it contains NUL bytes), not markdown")
                    .help("move it out of the postmortems folder, or give it another extension")
            }
            Problem::Empty => Finding::new(start, "the file is empty")
                .help("scaffold a postmortem with `pm new`, or delete the file"),
            Problem::FrontMatter(SplitError::Missing) => {
                Finding::new(start, "the file has no front matter").help(
                    "start the file with a `---` line, the YAML fields, and a closing `---` line; \
                     a file that is not a postmortem belongs in `[check] ignore` in pm.toml",
                )
            }
            Problem::FrontMatter(SplitError::Unterminated { open }) => {
                Finding::new(*open, "the front matter is never closed")
                    .help("add a `---` line after the last YAML field")
            }
            Problem::Yaml(e) if e.limit => Finding::new(e.span, e.message.clone()).help(
                "pm refuses front matter this large or deep to stay safe on hostile input; postmortem fields never need it: flatten it and drop YAML aliases",
            ),
            Problem::Yaml(e) => Finding::new(e.span, e.message.clone()).help(
                "fix the YAML; quote values that contain `: ` or start with a special character",
            ),
            Problem::NotMapping { found, span } => Finding::new(
                *span,
                format!("the front matter is a {found}, not a mapping of keys to values"),
            )
            .help("write the fields as `key: value` lines"),
        };
        out.push(finding);
    }
}

//! `placeholder-text`: template placeholders left in a postmortem that is no longer a draft.

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::model::Status;
use crate::parse::yaml::{Node, Value};
use crate::repo::Document;
use crate::source::Span;

pub(super) struct PlaceholderText;

static META: Meta = Meta {
    code: "PM502",
    slug: "placeholder-text",
    default_severity: crate::diagnostic::Severity::Error,
    summary: "Template placeholders (TODO, TBD, {{ … }}, [fill in …]) remain after draft.",
    docs: r#"
### What it does
Once a postmortem's status is `in-review` or `published`, reports placeholders left from the
template, in the body's prose and in front matter values: the words `TODO`, `TBD`, `FIXME` and
`XXX` (upper case), unrendered template tags `{{ … }}` / `{% … %}`, and bracketed prompts such
as `[fill in …]`, `[describe …]`. Drafts may hold placeholders. Code spans and blocks are
skipped.

### Why it matters
A reviewer should read a finished postmortem, not a half-filled form; a published "TBD" in the
impact section is a fact the company never learns.

### Configuration
Extra patterns (regular expressions) in pm.toml:
```toml
placeholders = ["<your text here>", "Lorem ipsum"]
```
"#,
};

impl Rule for PlaceholderText {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        if pm.status_or_draft() == Status::Draft {
            return;
        }
        let mut report = |span: Span, text: &str| {
            out.push(
                Finding::new(
                    span,
                    format!(
                        "placeholder `{}` left in a postmortem with status {}",
                        shorten(text),
                        pm.status_or_draft()
                    ),
                )
                .help("replace it with the real content, or move the status back to draft"),
            );
        };
        for prose in &pm.body.prose {
            for m in matches(cx, &prose.text) {
                report(prose.span(m.0, m.1), &prose.text[m.0..m.1]);
            }
        }
        // Markdown reads a prompt such as `<your text here>` as inline HTML, so raw HTML (but
        // not comments, where template guidance lives) is searched too.
        for span in &pm.body.html {
            let raw = &doc.source.text[span.start..span.end];
            if raw.trim_start().starts_with("<!--") {
                continue;
            }
            for m in matches(cx, raw) {
                report(
                    crate::source::Span::new(span.start + m.0, span.start + m.1),
                    &raw[m.0..m.1],
                );
            }
        }
        if let Some(root) = &pm.front_matter {
            let mut stack: Vec<&Node> = vec![root];
            while let Some(node) = stack.pop() {
                match &node.value {
                    Value::Str(s) => {
                        if let Some(m) = matches(cx, s).first() {
                            report(node.span, &s[m.0..m.1]);
                        }
                    }
                    Value::Seq(items) => stack.extend(items.iter().rev()),
                    Value::Map(entries) => stack.extend(entries.iter().rev().map(|(_, v)| v)),
                    _ => {}
                }
            }
        }
    }
}

fn matches(cx: &Context<'_>, text: &str) -> Vec<(usize, usize)> {
    cx.placeholders.find(text)
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(39).collect::<String>())
    } else {
        text.to_owned()
    }
}

//! `blameless-language`: blame phrasing in the body.
//!
//! First cut: "human error" and "operator error" only; the full rule replaces this.

use std::sync::LazyLock;

use regex::Regex;

use super::{Context, Meta, Rule};
use crate::diagnostic::Finding;
use crate::repo::Document;

pub(super) struct BlamelessLanguage;

static META: Meta = Meta {
    code: "PM503",
    slug: "blameless-language",
    default_severity: crate::diagnostic::Severity::Warning,
    summary: "Blame phrasing in the body: human error, counterfactuals about people, judgements.",
    docs: r#"
### What it does
Flags "human error" and "operator error".

### Why it matters
Blame stops people from telling what really happened.
"#,
};

static PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:human|operator) error\b").expect("valid static regex"));

impl Rule for BlamelessLanguage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, _cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let Some(pm) = &doc.postmortem else { return };
        for prose in &pm.body.prose {
            for m in PATTERN.find_iter(&prose.text) {
                out.push(
                    Finding::new(
                        prose.span(m.start(), m.end()),
                        format!("\"{}\" assigns blame to a person", m.as_str()),
                    )
                    .help("describe what in the system allowed the action to cause harm"),
                );
            }
        }
    }
}

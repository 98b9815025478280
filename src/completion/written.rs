//! What a postmortem has written so far, read once when the document is loaded: each body
//! section empty, holding a template placeholder, or written; how many Timeline entries it
//! has; which front-matter keys are filled. Kept beside the typed fields so that every reader
//! (`pm status`, `pm todo`, the rules, the site, the metrics) judges completion the same way
//! without the body, and in time linear in the document whatever its shape.

use std::sync::LazyLock;

use regex::Regex;

use crate::config::Config;
use crate::model::Postmortem;
use crate::parse::markdown::normalize_title;
use crate::parse::yaml::{Node, Value};
use crate::source::Span;

/// The one meaning of "template placeholder": the words `TODO`, `TBD`, `FIXME` and `XXX`,
/// unrendered template tags and bracketed prompts (`[Describe …]`), plus the repository's own
/// patterns (`placeholders` in pm.toml).
#[derive(Debug, Clone)]
pub struct Placeholders {
    extra: Vec<Regex>,
}

static BUILTIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:TODO|TBD|FIXME|XXX)\b|\{\{.*?\}\}|\{%.*?%\}|(?i:\[(?:fill in|describe|add|insert|explain|write)\b[^\]]*\])")
        .expect("valid static regex")
});

impl Placeholders {
    /// The built-in patterns and those of `config` (validated when it was loaded).
    pub fn new(config: &Config) -> Self {
        Self {
            extra: config
                .placeholders
                .iter()
                .filter_map(|p| Regex::new(p.get_ref()).ok())
                .collect(),
        }
    }

    /// The byte ranges of `text` that are placeholders, in order.
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> =
            BUILTIN.find_iter(text).map(|m| (m.start(), m.end())).collect();
        for re in &self.extra {
            found.extend(re.find_iter(text).map(|m| (m.start(), m.end())));
        }
        found.sort_unstable();
        found
    }
}

/// How far a section is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fill {
    /// Only whitespace and HTML comments.
    Empty,
    /// Written, but a placeholder is left at `span`.
    Placeholder {
        /// Where.
        span: Span,
        /// The placeholder.
        text: String,
    },
    /// Written.
    Written,
}

/// One heading of the body and how far its section is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenSection {
    /// The title, normalized ([`normalize_title`]).
    pub title: String,
    /// The heading.
    pub heading: Span,
    /// Its content's state (subsections included).
    pub fill: Fill,
}

/// A top-level front-matter key and whether it holds anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenKey {
    /// The key.
    pub key: String,
    /// The key in the file.
    pub span: Span,
    /// Holds a value that is not empty, null or a placeholder.
    pub filled: bool,
}

/// What a postmortem has written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Every heading, in order.
    pub sections: Vec<WrittenSection>,
    /// Entries (top-level list items without a placeholder) in the Timeline section.
    pub timeline_entries: usize,
    /// The front matter's top-level keys.
    pub keys: Vec<WrittenKey>,
    /// Where the body begins (an absent section is reported here).
    pub body_start: Span,
}

impl Written {
    /// Reads `pm`, whose file text is `text`. `timeline` holds the Timeline section's
    /// accepted normalized titles.
    pub fn of(
        pm: &Postmortem,
        text: &str,
        placeholders: &Placeholders,
        timeline: &[String],
        body_start: Span,
    ) -> Self {
        // Every placeholder of the body, once, in file order: sections then look theirs up by
        // range instead of each scanning the whole body.
        let mut marks: Vec<(Span, String)> = Vec::new();
        for prose in &pm.body.prose {
            for (start, end) in placeholders.find(&prose.text) {
                marks.push((prose.span(start, end), prose.text[start..end].to_owned()));
            }
        }
        for span in &pm.body.html {
            let raw = text.get(span.start..span.end).unwrap_or_default();
            if raw.trim_start().starts_with("<!--") {
                continue;
            }
            for (start, end) in placeholders.find(raw) {
                marks.push((
                    Span::new(span.start + start, span.start + end),
                    raw[start..end].to_owned(),
                ));
            }
        }
        marks.sort_by_key(|(span, _)| (span.start, span.end));
        let first_in = |from: usize, to: usize| {
            let i = marks.partition_point(|(s, _)| s.start < from);
            marks.get(i).filter(|(s, _)| s.start < to)
        };
        let sections = pm
            .body
            .sections
            .iter()
            .map(|s| {
                let fill = if !s.has_content {
                    Fill::Empty
                } else if let Some((span, text)) = first_in(s.content.start, s.content.end) {
                    Fill::Placeholder { span: *span, text: text.clone() }
                } else {
                    Fill::Written
                };
                WrittenSection { title: normalize_title(&s.title), heading: s.heading, fill }
            })
            .collect();
        let timeline_entries = pm.body.section(timeline).map_or(0, |section| {
            let items = pm.body.top_level_items_in(section);
            items.iter().filter(|i| first_in(i.span.start, i.span.end).is_none()).count()
        });
        let keys = match pm.front_matter.as_ref().map(|n| &n.value) {
            Some(Value::Map(entries)) => entries
                .iter()
                .filter_map(|(k, v)| {
                    Some(WrittenKey {
                        key: k.as_str()?.to_owned(),
                        span: k.span,
                        filled: filled(v, placeholders),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        Self { sections, timeline_entries, keys, body_start }
    }

    /// The first section whose normalized title is one of `titles`.
    pub fn section(&self, titles: &[String]) -> Option<&WrittenSection> {
        self.sections.iter().find(|s| titles.contains(&s.title))
    }

    /// Whether the front-matter key `key` is filled.
    pub fn key(&self, key: &str) -> Option<&WrittenKey> {
        self.keys.iter().find(|k| k.key == key)
    }
}

/// A value holds something: a non-empty string that is not a placeholder, a number, a
/// boolean, or a list or mapping with at least one such value.
fn filled(node: &Node, placeholders: &Placeholders) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Null => {}
            Value::Str(s) => {
                if !s.trim().is_empty() && placeholders.find(s).is_empty() {
                    return true;
                }
            }
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => return true,
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
        }
    }
    false
}

//! Cuts a file into its YAML front matter and its markdown body, keeping byte offsets.
//!
//! Written by hand rather than with a front-matter crate because we need the exact offsets of
//! both parts (every diagnostic points into the file) and because a `---` later in the body is a
//! markdown thematic break, not the start of anything.

use crate::source::Span;

/// The two parts of a postmortem file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The opening `---` line, without its line ending.
    pub open: Span,
    /// The YAML between the fences.
    pub yaml: Span,
    /// The closing `---` (or `...`) line, without its line ending.
    pub close: Span,
    /// Everything after the closing fence's line.
    pub body: Span,
}

/// Why a file has no usable front matter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    #[error("the file does not start with a `---` front matter fence")]
    Missing,
    /// The opening fence is never closed.
    #[error("the front matter opened here is never closed by a `---` line")]
    Unterminated {
        /// The opening fence.
        open: Span,
    },
}

/// Splits `text` (BOM already removed). Line endings may be `\n` or `\r\n`.
pub fn split(text: &str) -> Result<Split, SplitError> {
    let mut lines = lines_with_offsets(text);
    let (start, first) = lines.next().ok_or(SplitError::Missing)?;
    if !is_fence(first, "---") {
        return Err(SplitError::Missing);
    }
    let open = Span::new(start, start + first.trim_end().len());
    let yaml_start = start + first.len();
    for (offset, line) in lines {
        if is_fence(line, "---") || is_fence(line, "...") {
            let close = Span::new(offset, offset + line.trim_end().len());
            return Ok(Split {
                open,
                yaml: Span::new(yaml_start, offset),
                close,
                body: Span::new(offset + line.len(), text.len()),
            });
        }
    }
    Err(SplitError::Unterminated { open })
}

/// Finds the top-level `id` of a front matter without parsing the YAML, for files that only
/// contribute repo-wide facts (a pre-commit check of one file still needs every other id).
///
/// Returns `None` whenever the answer is not certain — no or several `id:` lines, a value that
/// is not a simple plain or single-quoted scalar — and the caller then parses the YAML.
pub fn scan_id(text: &str, yaml: Span) -> Option<(String, Span)> {
    let mut found = None;
    // Whether the line before may go on: after the `id:` line, an indented line continues
    // its value (`id: INC-1\n  more` is the one scalar "INC-1 more"); before it, a quoted
    // scalar or flow collection left open makes a later `id:` line part of that value.
    let mut after_id = false;
    let mut open_before = false;
    for (offset, line) in lines_with_offsets(&text[yaml.start..yaml.end]) {
        let offset = offset + yaml.start;
        if after_id && !line.trim().is_empty() {
            // Blank lines in between still continue the value (as line breaks).
            after_id = false;
            if line.starts_with([' ', '\t']) {
                return None;
            }
        }
        if found.is_none() && !open_before {
            open_before = leaves_open(line);
        }
        if let Some(rest) = line.strip_prefix("id:") {
            if found.is_some() || open_before {
                return None;
            }
            after_id = true;
            let value_start = offset + 3 + (rest.len() - rest.trim_start().len());
            let raw = rest.trim();
            let raw = match raw.find(" #") {
                Some(i) => raw[..i].trim_end(),
                None => raw,
            };
            let value =
                if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
                    if inner.contains('\'') {
                        return None;
                    }
                    inner
                } else {
                    raw
                };
            let simple = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                && !value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'_')
                && !matches!(
                    value,
                    "null"
                        | "Null"
                        | "NULL"
                        | "true"
                        | "True"
                        | "TRUE"
                        | "false"
                        | "False"
                        | "FALSE"
                )
                && !value.starts_with("0x")
                && !value.starts_with("0o");
            if !simple || raw.starts_with('"') {
                return None;
            }
            found = Some((value.to_owned(), Span::new(value_start, value_start + raw.len())));
        }
    }
    found
}

/// Whether `line` may leave a quoted scalar or a flow collection open onto the next line: its
/// value (after `key:` or `- `) starts with a quote or bracket that does not close on the line.
/// Errs on the side of "open": the caller then parses the YAML.
fn leaves_open(line: &str) -> bool {
    let body = line.trim();
    let value = match body.find(": ") {
        Some(i) => body[i + 1..].trim_start(),
        None if body.starts_with("- ") => body[1..].trim_start(),
        None => body,
    };
    let rest = value.get(1..).unwrap_or("");
    match value.as_bytes().first() {
        Some(b'"') => {
            let mut escaped = false;
            !rest.chars().any(|c| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            })
        }
        Some(b'\'') => !rest.replace("''", "").contains('\''),
        Some(b'[' | b'{') => {
            let mut depth = 0i32;
            for c in value.chars() {
                match c {
                    '[' | '{' => depth += 1,
                    ']' | '}' => depth -= 1,
                    // Quotes inside a flow collection: too involved to follow here.
                    '"' | '\'' => return true,
                    _ => {}
                }
            }
            depth > 0
        }
        _ => false,
    }
}

fn is_fence(line: &str, fence: &str) -> bool {
    line.trim_end() == fence
}

/// Lines including their terminator, each with its start offset.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    // memchr rather than `split_inclusive('\n')`: this runs over the head of every file when a
    // single file is checked in a large repository.
    let ends = memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|i| i + 1)
        .chain(std::iter::once(text.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        if end <= start {
            return None;
        }
        let line = (start, &text[start..end]);
        start = end;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String) {
        let s = split(text).expect("splits");
        (text[s.yaml.start..s.yaml.end].to_owned(), text[s.body.start..s.body.end].to_owned())
    }

    #[test]
    fn splits_with_lf_and_crlf() {
        assert_eq!(parts("---\na: 1\n---\n# Body\n"), ("a: 1\n".into(), "# Body\n".into()));
        assert_eq!(parts("---\r\na: 1\r\n---\r\nx"), ("a: 1\r\n".into(), "x".into()));
    }

    #[test]
    fn body_thematic_break_is_not_a_fence() {
        let (yaml, body) = parts("---\na: 1\n---\ntext\n---\nmore\n");
        assert_eq!(yaml, "a: 1\n");
        assert_eq!(body, "text\n---\nmore\n");
    }

    #[test]
    fn empty_front_matter_and_no_trailing_newline() {
        assert_eq!(parts("---\n---"), (String::new(), String::new()));
    }

    #[test]
    fn scans_simple_ids_and_refuses_the_rest() {
        let scan = |yaml: &str| scan_id(yaml, Span::new(0, yaml.len())).map(|(id, _)| id);
        assert_eq!(scan("title: x\nid: INC-2026-0042\n"), Some("INC-2026-0042".into()));
        assert_eq!(scan("id: 'INC-1'  # quoted\n"), Some("INC-1".into()));
        assert_eq!(scan("id: \"INC-1\"\n"), None);
        assert_eq!(scan("id: 0x1F\n"), None);
        assert_eq!(scan("id: 42\n"), None);
        assert_eq!(scan("id: a\nid: b\n"), None);
        assert_eq!(scan("{id: a}\n"), None);
        assert_eq!(scan("id: &x a\n"), None);
        // A plain scalar goes on on indented lines (found by the front_matter fuzz target).
        assert_eq!(scan("id: INC-1\n SEC-488\nt: x\n"), None);
        assert_eq!(scan("id: INC-1\n\n  more\n"), None);
        assert_eq!(scan("id: INC-1\nt: x\n  nested\n"), Some("INC-1".into()));
        // An `id:` line inside a multi-line quoted scalar or flow collection is no key.
        assert_eq!(scan("title: \"a\nid: b\"\n"), None);
        assert_eq!(scan("title: 'it''s\nid: b'\n"), None);
        assert_eq!(scan("tags: [a,\nid: b]\n"), None);
        assert_eq!(scan("title: \"a \\\" b\"\nid: INC-2\n"), Some("INC-2".into()));
        assert_eq!(scan("title: it's fine\nid: INC-3\n"), Some("INC-3".into()));
        let yaml = "id: INC-7\n";
        let (_, span) = scan_id(yaml, Span::new(0, yaml.len())).expect("found");
        assert_eq!(&yaml[span.start..span.end], "INC-7");
    }

    #[test]
    fn errors() {
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("# title\n---\n"), Err(SplitError::Missing));
        assert_eq!(split("---\na: 1\n"), Err(SplitError::Unterminated { open: Span::new(0, 3) }));
    }
}

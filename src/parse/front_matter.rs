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

fn is_fence(line: &str, fence: &str) -> bool {
    line.trim_end() == fence
}

/// Lines including their terminator, each with its start offset.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let at = offset;
        offset += line.len();
        (at, line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String) {
        let s = split(text).expect("splits");
        (
            text[s.yaml.start..s.yaml.end].to_owned(),
            text[s.body.start..s.body.end].to_owned(),
        )
    }

    #[test]
    fn splits_with_lf_and_crlf() {
        assert_eq!(
            parts("---\na: 1\n---\n# Body\n"),
            ("a: 1\n".into(), "# Body\n".into())
        );
        assert_eq!(
            parts("---\r\na: 1\r\n---\r\nx"),
            ("a: 1\r\n".into(), "x".into())
        );
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
    fn errors() {
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("# title\n---\n"), Err(SplitError::Missing));
        assert_eq!(
            split("---\na: 1\n"),
            Err(SplitError::Unterminated {
                open: Span::new(0, 3)
            })
        );
    }
}

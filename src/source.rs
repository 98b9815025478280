//! One file's text and the mapping from byte offsets to human positions.
//!
//! Every parsed value in `pm` carries a [`Span`] of byte offsets into the file it came from.
//! Offsets are cheap to carry and to compare; lines and columns are computed once, at the edge,
//! when a diagnostic is reported.

use serde::Serialize;

/// A half-open byte range `start..end` into a file's text (after any UTF-8 BOM was removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty span at `at`.
    pub const fn point(at: usize) -> Self {
        Self { start: at, end: at }
    }

    /// The span moved `by` bytes to the right.
    #[must_use]
    pub const fn shift(self, by: usize) -> Self {
        Self { start: self.start + by, end: self.end + by }
    }

    /// The smallest span that covers both.
    #[must_use]
    pub fn cover(self, other: Span) -> Self {
        Self { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` with `span`.
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A 1-based line and column; the column counts Unicode scalar values, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// Start offsets of every line, for offset → position lookups by binary search.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`; a preceding `\r` belongs to the line ending.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { starts }
    }

    /// Number of lines (a trailing newline does not start a new line that counts).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where 1-based `line` starts, clamped to the last line.
    pub fn line_start(&self, line: usize) -> usize {
        let i = line.saturating_sub(1).min(self.starts.len() - 1);
        self.starts[i]
    }

    /// The position of byte `offset` in `text`. Offsets past the end or inside a multi-byte
    /// character are clamped, so any offset yields a position that lies inside the file.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        Position { line, column }
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line);
        let end = self.starts.get(line).copied().unwrap_or(text.len());
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// A file's text with its line index, ready to turn spans into positions.
#[derive(Debug, Clone)]
pub struct Source {
    /// The repo-relative path with `/` separators.
    pub path: String,
    /// The file's text, BOM removed.
    pub text: String,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

impl Source {
    /// Wraps `text` read from `path`.
    pub fn new(path: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        Self { path, text, lines }
    }

    /// Position of byte `offset`.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_clamp() {
        let text = "ab\r\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 4), Position { line: 2, column: 1 });
        // 'd' is after the two-byte 'ç'
        assert_eq!(idx.position(text, 6), Position { line: 2, column: 2 });
        // inside 'ç' clamps back to its start
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 1 });
        assert_eq!(idx.position(text, 999).line, 3);
        assert_eq!(idx.line_text(text, 1), "ab");
    }
}

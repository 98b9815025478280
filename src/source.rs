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

/// Start offsets of every line, for offset → position lookups by binary search, and the count
/// of characters (and of characters outside the Basic Multilingual Plane, two UTF-16 units
/// each) before every [`STRIDE`]-th byte: a column is then found by counting at most
/// `STRIDE` bytes, not the whole line before it (a diagnostic per word on a one-line body of
/// megabytes made counting from the line's start quadratic).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// `(characters, astral characters)` in `text[..k * STRIDE]`, for every `k`.
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between two character-count checkpoints.
const STRIDE: usize = 1024;

/// Characters and astral characters (4-byte sequences) in `bytes`, which need not start or
/// end on a character boundary: every byte that does not continue a sequence starts one.
fn count_chars(bytes: &[u8]) -> (usize, usize) {
    bytes.iter().fold((0, 0), |(chars, astral), &b| {
        (chars + usize::from((b as i8) >= -0x40), astral + usize::from(b >= 0xF0))
    })
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`; a preceding `\r` belongs to the line ending.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut total = (0, 0);
        checkpoints.push(total);
        for block in text.as_bytes().chunks_exact(STRIDE) {
            let (chars, astral) = count_chars(block);
            total = (total.0 + chars, total.1 + astral);
            checkpoints.push(total);
        }
        Self { starts, checkpoints }
    }

    /// `(characters, astral characters)` in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> (usize, usize) {
        let bytes = &text.as_bytes()[..offset.min(text.len())];
        // An index of another text (never made so here) only costs the shortcut.
        let k = (offset / STRIDE).min(self.checkpoints.len().saturating_sub(1));
        let (before, astral_before) = self.checkpoints.get(k).copied().unwrap_or_default();
        let (chars, astral) = count_chars(bytes.get(k * STRIDE..).unwrap_or(bytes));
        (before + chars, astral_before + astral)
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
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
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let column = self.chars_before(text, offset).0 - self.chars_before(text, start).0 + 1;
        Position { line, column }
    }

    /// The 1-based line and the column of byte `offset` in UTF-16 code units (0-based, as
    /// LSP and SARIF count), clamped like [`LineIndex::position`].
    pub fn utf16_position(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let (chars, astral) = self.chars_before(text, offset);
        let (chars_start, astral_start) = self.chars_before(text, start);
        (line, chars + astral - chars_start - astral_start)
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

    #[test]
    fn columns_on_a_long_line_agree_with_counting() {
        // Checkpoints fall inside multi-byte characters; columns must still be exact.
        let line: String = "aé😀\u{2028}".repeat(2000);
        let text = format!("x\n{line}\ny");
        let idx = LineIndex::new(&text);
        for offset in (0..text.len()).step_by(7).filter(|&o| text.is_char_boundary(o)) {
            let start = idx.line_start(idx.line(offset));
            let before = &text[start..offset];
            assert_eq!(idx.position(&text, offset).column, before.chars().count() + 1);
            assert_eq!(idx.utf16_position(&text, offset).1, before.encode_utf16().count());
        }
    }
}

//! Values from outside — a file name, a chat message, a title, a person's name — made safe for
//! the place `pm` writes them: a terminal line, a markdown file, a spreadsheet cell.
//!
//! Each destination has one function here and every writer calls it, so a new writer cannot
//! forget a case another writer already handles: [`printable`] (terminal output that may span
//! lines), [`printable_line`] (one line of a line-oriented format: a path, a concise
//! diagnostic), [`markdown_text`] (a value that must read as plain text on one line of
//! markdown), [`markdown_line_start`] (a line of imported markdown that must not open a block)
//! and [`csv_text`] (a text cell a spreadsheet must not run as a formula).

use std::borrow::Cow;

/// `text` with its control characters (C0 but tab and newline, DEL, C1) shown as Unicode
/// control pictures or U+FFFD, so a value quoted in terminal output cannot send escape
/// sequences (retitle the window, clear the screen, fake a hyperlink) to the reader's terminal.
pub fn printable(text: &str) -> Cow<'_, str> {
    pictures(text, |c| c.is_control() && c != '\t' && c != '\n')
}

/// [`printable`] for a value that must stay on one line (a path in ` --> path`, a field of a
/// line-oriented format): tab and newline are shown as pictures too, so a file name cannot end
/// a line and forge the next one.
pub fn printable_line(text: &str) -> Cow<'_, str> {
    pictures(text, |c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// `text` with each character `shown_as_picture` replaced by its control picture (C0, DEL) or
/// U+FFFD (anything else).
fn pictures(text: &str, shown_as_picture: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.contains(&shown_as_picture) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            c if !shown_as_picture(c) => c,
            '\x7f' => '\u{2421}',
            c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            _ => '\u{fffd}',
        })
        .collect::<String>()
        .into()
}

/// Characters markdown may read as syntax anywhere in a line: emphasis, code, links and
/// images (`![` needs its `[`), HTML (comments — and so pm's `pm-disable` markers — included),
/// tables, strike-through. Each is written backslash-escaped, which CommonMark defines for
/// every ASCII punctuation character. What is syntax only at the start or the end of a line
/// (`#`, `>`, `-`, `1.`) or before a word (`&amp;`) is escaped only there, so a title such as
/// `Replica lag #2 -> R&D` stays readable in the file.
const INLINE_SYNTAX: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '|', '~'];

/// A value written into markdown as plain text on one line: a person's name, a file name, a
/// title. Every run of whitespace that holds a line break (CR, LF, the Unicode line and
/// paragraph separators, NEL) becomes one space, so the value stays inside its list item or
/// heading; other control characters are shown as pictures; markdown syntax is
/// backslash-escaped; and a value that would open a block at the start of a line (`-`, `+`,
/// `=`, `1.`) is escaped there too.
pub fn markdown_text(text: &str) -> String {
    let one_line: String = {
        let breaks = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}');
        let mut out = String::with_capacity(text.len());
        for (i, part) in text.split(breaks).enumerate() {
            if i > 0 && !out.ends_with(' ') && !part.starts_with([' ', '\t']) {
                out.push(' ');
            }
            out.push_str(part);
        }
        out.replace('\t', " ")
    };
    let one_line = printable_line(&one_line);
    let chars: Vec<char> = one_line.chars().collect();
    // A run of `#` that ends the value would close an ATX heading (`# Title ##`).
    let closing = chars.iter().rev().take_while(|c| **c == '#').count();
    let mut out = String::with_capacity(one_line.len() + 8);
    for (i, c) in chars.iter().enumerate() {
        // `&amp;`, `&#60;`: a name and a semicolon make an entity.
        let name = chars[i + 1..].iter().take_while(|n| n.is_ascii_alphanumeric() || **n == '#');
        let name = name.count();
        let entity = *c == '&' && name > 0 && chars.get(i + 1 + name) == Some(&';');
        if INLINE_SYNTAX.contains(c) || entity || (closing > 0 && i == chars.len() - closing) {
            out.push('\\');
        }
        out.push(*c);
    }
    match markdown_line_start(&out) {
        Cow::Borrowed(_) => out,
        Cow::Owned(escaped) => escaped,
    }
}

/// `line` (one line of markdown, without its line break) escaped so that, written at the start
/// of a line or as a continuation line of a list item, it cannot open a block: an ATX heading
/// (`#`), a setext underline (`---`, `===`), a thematic break, a list item (`-`, `+`, `*`,
/// `1.`, `1)`), a quote (`>`), a table row (`|`), a code fence or indented code, or HTML.
/// Leading whitespace is dropped (four spaces would make indented code).
pub fn markdown_line_start(line: &str) -> Cow<'_, str> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    // Only what opens a block is escaped: `*bold*` or `-5%` at the start of a line stay as
    // written.
    let only = |c: char| trimmed.chars().all(|x| x == c || x == ' ' || x == '\t');
    let then_space = |at: usize| trimmed[at..].chars().next().is_none_or(|c| c == ' ' || c == '\t');
    let opens_block = match trimmed.chars().next() {
        Some('#' | '>' | '|') => true,
        Some(c @ ('-' | '+' | '*')) => then_space(1) || only(c),
        Some(c @ ('_' | '=')) => only(c),
        Some('`') => trimmed.starts_with("```"),
        Some('~') => trimmed.starts_with("~~~"),
        Some('<') => opens_html(&trimmed[1..]),
        Some('0'..='9') => {
            matches!(trimmed.as_bytes().get(digits), Some(b'.' | b')')) && then_space(digits + 1)
        }
        _ => false,
    };
    match (opens_block, digits) {
        (false, _) if trimmed.len() == line.len() => Cow::Borrowed(line),
        (false, _) => Cow::Borrowed(trimmed),
        // `1.` is escaped at its dot: `1\.` (a backslash before the digit would not do).
        (true, d) if d > 0 => Cow::Owned(format!("{}\\{}", &trimmed[..d], &trimmed[d..])),
        (true, _) => Cow::Owned(format!("\\{trimmed}")),
    }
}

/// Whether `<` followed by `after` starts an HTML block: a comment, a declaration, a processing
/// instruction, a closing tag, or a tag name ended by a space, `>` or `/` (an autolink such as
/// `<https://…>` is none of these).
fn opens_html(after: &str) -> bool {
    if after.starts_with(['/', '!', '?']) {
        return true;
    }
    let name = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
    name > 0
        && after.as_bytes()[0].is_ascii_alphabetic()
        && after[name..].chars().next().is_none_or(|c| c.is_whitespace() || matches!(c, '>' | '/'))
}

/// A text cell of a CSV file, neutralized as OWASP recommends for CSV injection: a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return is one a spreadsheet runs as a
/// formula (`=HYPERLINK(…)`, `@SUM(…)`), so it is written with a leading `'`, which the
/// spreadsheet shows as text. Numeric columns (counts, days, figures) are written as numbers
/// by their writers without coming through here.
///
/// A cell that is wholly a number (`-5`, `+2.5`) or a UTC offset (`+02:00`, `-05:30`) is kept:
/// a spreadsheet reads it as the number or time it is, and it has no room for a formula.
pub fn csv_text(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number_or_offset(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `[+-]digits[.digits]` or `[+-]HH:MM`: nothing a spreadsheet could run.
fn is_number_or_offset(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = match unsigned.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(unsigned),
    };
    let offset = unsigned.len() == 5
        && unsigned.as_bytes()[2] == b':'
        && digits(&unsigned[..2])
        && digits(&unsigned[3..]);
    number || offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal() {
        assert_eq!(printable("a\x1b]0;x\x07\nb"), "a\u{241b}]0;x\u{2407}\nb");
        assert_eq!(printable_line("a\nb\tc\u{9b}"), "a\u{240a}b\u{2409}c\u{fffd}");
        assert!(matches!(printable_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_values_stay_plain_text_on_one_line() {
        assert_eq!(
            markdown_text("<!-- pm-disable-file --> graph.png"),
            "\\<!-- pm-disable-file --> graph.png"
        );
        assert_eq!(markdown_text("Eve\n\n## Action Items"), "Eve ## Action Items");
        assert_eq!(markdown_text("## Action Items"), "\\## Action Items");
        assert_eq!(markdown_text("Replica lag #2 -> R&D"), "Replica lag #2 -> R&D");
        assert_eq!(markdown_text("Title ##"), "Title \\##");
        assert_eq!(markdown_text("&amp; &#60;"), "\\&amp; \\&#60;");
        assert_eq!(markdown_text("line1\r\n---"), "line1 ---");
        assert_eq!(markdown_text("- item"), "\\- item");
        assert_eq!(markdown_text("2026. A year"), "2026\\. A year");
        assert_eq!(markdown_text("3.5 s"), "3.5 s");
        assert_eq!(markdown_text("![x](y)"), "!\\[x\\](y)");
        assert_eq!(markdown_text("Checkout 5xx"), "Checkout 5xx");
    }

    #[test]
    fn line_starts() {
        assert_eq!(markdown_line_start("---"), "\\---");
        assert_eq!(markdown_line_start("    code"), "code");
        assert_eq!(markdown_line_start("12) x"), "12\\) x");
        assert_eq!(markdown_line_start("plain"), "plain");
        assert_eq!(markdown_line_start("2026 was"), "2026 was");
        assert_eq!(markdown_line_start("**bold** -5%"), "**bold** -5%");
        assert_eq!(markdown_line_start("- - -"), "\\- - -");
        assert_eq!(markdown_line_start("<https://x.example>"), "<https://x.example>");
        assert_eq!(markdown_line_start("<div>"), "\\<div>");
    }

    #[test]
    fn csv_cells() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "@SUM(A1)",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "\tx",
            "\rx",
            "-",
            "+02:00x",
        ] {
            assert_eq!(csv_text(formula), format!("'{formula}"));
        }
        for kept in ["INC-2026-0001", "-5", "+2.5", "+02:00", "-05:30", "plain = text"] {
            assert_eq!(csv_text(kept), kept);
        }
    }
}

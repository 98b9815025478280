//! `--into FILE`: adds timeline lines at the end of a file's Timeline section and changes
//! nothing else.
//!
//! The new text is spliced in at one byte offset — right after the last non-blank character of
//! the section — so every byte before and after it is the file's own: front matter, other
//! sections, line endings (CRLF files get CRLF lines), a missing final newline. When the
//! section ends with a bullet list the new items continue it, with its marker; otherwise they
//! start a new list after a blank line. Entries whose first line is already in the section are
//! skipped, so importing the same window twice adds nothing.
//!
//! The caller replaces the file with `atomic::replace`: if it changed since it was read,
//! nothing is written.

use anyhow::bail;

use super::lines::{Block, render};
use crate::parse::{front_matter, markdown};

/// What the insertion will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The file's new text.
    pub text: String,
    /// Byte offset of the insertion in the original.
    pub at: usize,
    /// Entries added (replies not counted).
    pub added: usize,
    /// Entries already in the section, skipped.
    pub skipped: usize,
}

/// Plans the insertion of `blocks` into `original` (the file's text), whose Timeline section
/// has one of the normalized `titles`. Fails when there is no such section.
pub fn plan(
    original: &str,
    blocks: &[Block],
    titles: &[String],
    path: &str,
) -> anyhow::Result<Plan> {
    let (body_start, body_text) = match front_matter::split(original) {
        Ok(split) => (split.body.start, &original[split.body.start..split.body.end]),
        Err(_) => (0, original),
    };
    let body = markdown::parse(body_text, body_start);
    let Some(section) = body.section(titles) else {
        bail!(
            "{path} has no Timeline section: add a `## Timeline` heading where the lines should go"
        );
    };
    // The next heading can start inside a line (a setext heading in a list item, `- text\n  -`):
    // insert before that line, never inside it, or the new lines would split it.
    let mut end = section.content.end.min(original.len());
    if end < original.len() && !original[..end].ends_with(['\n', '\r']) {
        end = original[..end].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    }
    let end = end.max(section.heading.end).max(section.heading.start);
    let region = &original[section.heading.start..end];
    let at = section.heading.start + region.trim_end().len();
    let newline = if original.contains("\r\n") { "\r\n" } else { "\n" };

    // Continue the section's list when it ends with a bullet item; else start a new list.
    let items = body.top_level_items_in(section);
    let bullet = |item: &markdown::ListItem| {
        original[item.span.start..].chars().next().filter(|c| matches!(c, '-' | '*' | '+'))
    };
    let continues = items.iter().find_map(|item| {
        let text = &original[item.span.start..item.span.end.min(original.len())];
        let end = item.span.start + text.trim_end().len();
        if end == at { bullet(item) } else { None }
    });
    let marker = continues.or_else(|| items.first().and_then(|i| bullet(i)));
    let marker = marker.unwrap_or('-');

    // Markdown ends a line at `\r` too (old Mac files, pasted logs): split as it does, or an
    // entry on a CR-separated line would not be seen and a second import would add it again.
    let existing: std::collections::BTreeSet<&str> = original
        [section.content.start..section.content.end]
        .split(['\n', '\r'])
        .map(|l| l.trim().trim_start_matches(['-', '*', '+']).trim())
        .collect();
    let mut fresh: Vec<Block> = Vec::new();
    let mut skipped = 0;
    for block in blocks {
        let first = block.line.lines().next().unwrap_or("").trim();
        if existing.contains(first) {
            skipped += 1;
        } else {
            fresh.push(block.clone());
        }
    }
    if fresh.is_empty() {
        return Ok(Plan { text: original.to_owned(), at, added: 0, skipped });
    }
    let mut inserted = String::new();
    inserted.push_str(newline);
    if continues.is_none() {
        inserted.push_str(newline);
    }
    inserted.push_str(&render(&fresh, marker, newline));
    // A blank line must follow the new items, or a line of text after them would continue
    // the last one lazily (and an underline under it would make it a heading).
    let rest = &original[at..];
    let after_break = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .or_else(|| rest.strip_prefix('\r'));
    let blank_follows = match after_break {
        None => rest.is_empty(),
        Some(r) => r.split(['\n', '\r']).next().is_none_or(|line| line.trim().is_empty()),
    };
    if !blank_follows {
        if after_break.is_none() {
            inserted.push_str(newline);
        }
        inserted.push_str(newline);
    }
    let mut text = String::with_capacity(original.len() + inserted.len());
    text.push_str(&original[..at]);
    text.push_str(&inserted);
    text.push_str(&original[at..]);
    Ok(Plan { text, at, added: fresh.len(), skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(line: &str) -> Block {
        Block { line: line.to_owned(), replies: Vec::new() }
    }

    fn titles() -> Vec<String> {
        vec!["timeline".to_owned()]
    }

    #[test]
    fn continues_a_list_and_keeps_the_rest() {
        let doc = "---\nid: X\n---\n# T\n\n## Timeline\n\n* 10:00 UTC — a\n* 10:05 UTC — b\n\n## Resolution\n\nDone.\n";
        let blocks = [Block {
            line: "10:07 UTC — AO: c".into(),
            replies: vec!["10:08 UTC — HW: d\nmore".into()],
        }];
        let p = plan(doc, &blocks, &titles(), "x.md").expect("plan");
        assert_eq!(
            p.text,
            "---\nid: X\n---\n# T\n\n## Timeline\n\n* 10:00 UTC — a\n* 10:05 UTC — b\n* 10:07 UTC — AO: c\n  * 10:08 UTC — HW: d\n    more\n\n## Resolution\n\nDone.\n"
        );
        assert_eq!(&p.text[..p.at], &doc[..p.at]);
        assert!(p.text.ends_with(&doc[p.at..]));
    }

    #[test]
    fn starts_a_list_after_prose_with_crlf() {
        let doc = "## Timeline\r\n\r\nAll times UTC.\r\n\r\n## Next\r\n";
        let p = plan(doc, &[block("10:07 UTC — AO: c")], &titles(), "x.md").expect("plan");
        assert_eq!(
            p.text,
            "## Timeline\r\n\r\nAll times UTC.\r\n\r\n- 10:07 UTC — AO: c\r\n\r\n## Next\r\n"
        );
    }

    #[test]
    fn empty_section_at_end_without_newline() {
        let doc = "# T\n\n## Timeline";
        let p = plan(doc, &[block("10:07 UTC — AO: c")], &titles(), "x.md").expect("plan");
        assert_eq!(p.text, "# T\n\n## Timeline\n\n- 10:07 UTC — AO: c");
    }

    #[test]
    fn skips_entries_already_there() {
        let doc = "## Timeline\n\n- 10:07 UTC — AO: c\n";
        let p =
            plan(doc, &[block("10:07 UTC — AO: c"), block("10:09 UTC — AO: e")], &titles(), "x.md")
                .expect("plan");
        assert_eq!((p.added, p.skipped), (1, 1));
        assert_eq!(p.text, "## Timeline\n\n- 10:07 UTC — AO: c\n- 10:09 UTC — AO: e\n");
    }

    #[test]
    fn a_long_timeline_is_continued_in_linear_time() {
        // 80,000 items: asking every item whether another holds it was 80,000² steps.
        let mut doc = String::from("## Timeline\n\n");
        for i in 0..80_000 {
            doc.push_str(&format!("* 10:00 UTC — entry {i}\n"));
        }
        let p = plan(&doc, &[block("11:00 UTC — AO: new")], &titles(), "x.md").expect("plan");
        assert_eq!((p.added, p.skipped), (1, 0));
        assert!(p.text.ends_with("* 10:00 UTC — entry 79999\n* 11:00 UTC — AO: new\n"));
    }

    #[test]
    fn a_long_nested_timeline_is_continued_with_its_marker() {
        // Every item has a reply nested under it: only the outer items are the list to continue.
        let mut doc = String::from("## Timeline\n\n");
        for i in 0..20_000 {
            doc.push_str(&format!("+ 10:00 UTC — entry {i}\n  - reply {i}\n"));
        }
        let p = plan(&doc, &[block("11:00 UTC — AO: new")], &titles(), "x.md").expect("plan");
        assert!(
            p.text.ends_with("  - reply 19999\n+ 11:00 UTC — AO: new\n"),
            "{}",
            &p.text[p.at - 40..]
        );
    }

    #[test]
    fn refuses_without_a_timeline() {
        let e = plan("# T\n\n## Summary\n\nx\n", &[block("a")], &titles(), "x.md")
            .expect_err("no section");
        assert!(e.to_string().contains("x.md has no Timeline section"), "{e}");
    }
}

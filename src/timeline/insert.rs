//! `--into FILE`: adds timeline lines to a file's Timeline section, in time order among the
//! entries already there, and changes nothing else.
//!
//! Where a line goes: right before the first top-level entry that is later than it. A line
//! later than every entry goes after the last entry with a time, before the items without one
//! that end the list — the templates end the Timeline with such a placeholder ("[Add one entry
//! per event …]"), which stays last, as a reminder, until someone deletes it. An item without a
//! time elsewhere keeps its place after the entry it follows. When the section has no entry
//! with a time (or is not a bullet list, or the list is inside another block), the lines go at
//! the end of the section, as a new list after prose.
//!
//! Each line carries its date where a reader would not give it that date from the entries
//! above it ([`super::lines::date_lines`], starting from the date the section's own entries
//! start from): a June line in a March postmortem is dated.
//!
//! The new text is spliced in at byte offsets between lines, so every other byte is the file's
//! own: front matter, other sections, line endings (CRLF files get CRLF lines), a missing final
//! newline. New items take the marker and indentation of the list they join. Entries whose
//! first line is already in the section (dated or not) are skipped, so importing the same window
//! twice adds nothing.
//!
//! The caller replaces the file with `atomic::replace`: if it changed since it was read,
//! nothing is written.

use std::collections::BTreeMap;

use anyhow::bail;

use super::entries::{Dating, Timeline};
use super::lines::{Block, date_lines, render};
use crate::parse::{front_matter, markdown};

/// What the insertion will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The file's new text.
    pub text: String,
    /// Byte offset of the first insertion in the original.
    pub at: usize,
    /// Entries added (replies not counted).
    pub added: usize,
    /// Entries already in the section, skipped.
    pub skipped: usize,
}

/// Plans the insertion of `blocks` (in time order) into `original` (the file's text), whose
/// Timeline section has one of the normalized `titles` and was read as `timeline` (from the
/// same text). Fails when there is no such section.
pub fn plan(
    original: &str,
    blocks: &[Block],
    timeline: &Timeline,
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
    let at_end = section.heading.start + region.trim_end().len();
    let newline = if original.contains("\r\n") { "\r\n" } else { "\n" };

    let items = body.top_level_items_in(section);
    let bullet = |item: &markdown::ListItem| {
        original[item.span.start..].chars().next().filter(|c| matches!(c, '-' | '*' | '+'))
    };

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
        if block.line.first_lines().iter().any(|l| existing.contains(l.as_str())) {
            skipped += 1;
        } else {
            fresh.push(block.clone());
        }
    }
    if fresh.is_empty() {
        return Ok(Plan { text: original.to_owned(), at: at_end, added: 0, skipped });
    }

    // Each top-level item's instant, and where its line starts (with the list's indentation).
    let instants: BTreeMap<usize, jiff::Timestamp> = timeline
        .entries
        .iter()
        .filter(|e| e.depth == 0)
        .filter_map(|e| Some((e.span.start, e.at?)))
        .collect();
    let at_of = |item: &markdown::ListItem| instants.get(&item.span.start).copied();
    let line_start = |item: &markdown::ListItem| {
        let start = original[..item.span.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let indent = &original[start..item.span.start];
        indent.chars().all(|c| c == ' ' || c == '\t').then_some((start, indent))
    };
    let mergeable = !items.is_empty()
        && items.iter().all(|i| bullet(i).is_some() && line_start(i).is_some())
        && items.iter().any(|i| at_of(i).is_some());
    let last_timed = items.iter().rposition(|i| at_of(i).is_some());
    // The top-level item each block goes before (`items.len()`: the end of the section).
    let target = |block: &Block| -> usize {
        if !mergeable {
            return items.len();
        }
        items
            .iter()
            .position(|i| at_of(i).is_some_and(|at| at > block.line.at))
            .or_else(|| last_timed.map(|k| k + 1))
            .unwrap_or(items.len())
    };
    let mut groups: BTreeMap<usize, Vec<Block>> = BTreeMap::new();
    for block in fresh {
        groups.entry(target(&block)).or_default().push(block);
    }
    let added = groups.values().map(Vec::len).sum();

    // Date the new lines as a reader of the merged list would meet them.
    let mut dating = Dating::new(timeline.start);
    let mut entries = timeline.entries.iter().peekable();
    for position in 0..=items.len() {
        if let Some(group) = groups.get_mut(&position) {
            date_lines(group.iter_mut().flat_map(Block::lines_mut), &mut dating);
        }
        let Some(item) = items.get(position) else { break };
        while let Some(entry) = entries.next_if(|e| e.span.start < item.span.end) {
            if entry.time.is_some() {
                dating.advance(entry.date, entry.at);
            }
        }
    }

    let mut splices: Vec<(usize, String)> = Vec::new();
    for (&position, group) in &groups {
        match items.get(position).and_then(|item| Some((item, line_start(item)?, bullet(item)?))) {
            Some((_, (start, indent), marker)) => {
                let mut text = render(group, indent, marker, newline);
                text.push_str(newline);
                splices.push((start, text));
            }
            None => splices.push((at_end, at_the_end(original, &items, at_end, group, newline))),
        }
    }
    let first = splices.first().map_or(at_end, |s| s.0);
    let mut text =
        String::with_capacity(original.len() + splices.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut from = 0;
    for (offset, inserted) in &splices {
        text.push_str(&original[from..*offset]);
        text.push_str(inserted);
        from = *offset;
    }
    text.push_str(&original[from..]);
    Ok(Plan { text, at: first, added, skipped })
}

/// The text that puts `blocks` at the end of the section (`at`: right after its last
/// non-blank character): continuing its list when it ends with a bullet item, else a new list
/// after a blank line.
fn at_the_end(
    original: &str,
    items: &[&markdown::ListItem],
    at: usize,
    blocks: &[Block],
    newline: &str,
) -> String {
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
    let mut inserted = String::new();
    inserted.push_str(newline);
    if continues.is_none() {
        inserted.push_str(newline);
    }
    inserted.push_str(&render(blocks, "", marker, newline));
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
    inserted
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::timeline::lines::Line;

    /// A line at `HH:MM` UTC on 2026-06-16 (the time is read from `rest`).
    fn line(rest: &str) -> Line {
        let (h, m) = (&rest[..2], &rest[3..5]);
        let at = jiff::civil::date(2026, 6, 16).at(
            h.parse().expect("hour"),
            m.parse().expect("minute"),
            0,
            0,
        );
        Line {
            date: at.date(),
            at: jiff::tz::Offset::UTC.to_timestamp(at).expect("instant"),
            day: "16 Jun".to_owned(),
            rest: rest.to_owned(),
            dated: true,
        }
    }

    fn block(rest: &str) -> Block {
        Block { line: line(rest), replies: Vec::new() }
    }

    fn titles() -> Vec<String> {
        vec!["timeline".to_owned()]
    }

    /// Plans with the Timeline read from `doc` itself, as the command does.
    fn plan_in(doc: &str, blocks: &[Block]) -> Plan {
        let timeline = super::super::entries::read_text(doc, &titles(), &jiff::tz::TimeZone::UTC);
        plan(doc, blocks, &timeline, &titles(), "x.md").expect("plan")
    }

    #[test]
    fn continues_a_list_and_keeps_the_rest() {
        let doc = "---\nid: X\nstarted_at: 2026-06-16T10:00:00Z\n---\n# T\n\n## Timeline\n\n* 10:00 UTC — a\n* 10:05 UTC — b\n\n## Resolution\n\nDone.\n";
        let blocks = [Block {
            line: line("10:07 UTC — AO: c"),
            replies: vec![line("10:08 UTC — HW: d\nmore")],
        }];
        let p = plan_in(doc, &blocks);
        assert_eq!(
            p.text,
            "---\nid: X\nstarted_at: 2026-06-16T10:00:00Z\n---\n# T\n\n## Timeline\n\n* 10:00 UTC — a\n* 10:05 UTC — b\n* 10:07 UTC — AO: c\n  * 10:08 UTC — HW: d\n    more\n\n## Resolution\n\nDone.\n"
        );
        assert_eq!(&p.text[..p.at], &doc[..p.at]);
        assert!(p.text.ends_with(&doc[p.at..]));
    }

    #[test]
    fn starts_a_list_after_prose_with_crlf() {
        let doc = "## Timeline\r\n\r\nAll times UTC.\r\n\r\n## Next\r\n";
        let p = plan_in(doc, &[block("10:07 UTC — AO: c")]);
        // Nothing says which day the section is about: the line carries its date.
        assert_eq!(
            p.text,
            "## Timeline\r\n\r\nAll times UTC.\r\n\r\n- 16 Jun 10:07 UTC — AO: c\r\n\r\n## Next\r\n"
        );
    }

    #[test]
    fn empty_section_at_end_without_newline() {
        let doc = "# T\n\n## Timeline";
        let p = plan_in(doc, &[block("10:07 UTC — AO: c")]);
        assert_eq!(p.text, "# T\n\n## Timeline\n\n- 16 Jun 10:07 UTC — AO: c");
    }

    #[test]
    fn skips_entries_already_there() {
        let doc = "## Timeline\n\n- 16 Jun 10:07 UTC — AO: c\n";
        let p = plan_in(doc, &[block("10:07 UTC — AO: c"), block("10:09 UTC — AO: e")]);
        assert_eq!((p.added, p.skipped), (1, 1));
        // `16 Jun` without a year anywhere reads as no date: the new line carries its own.
        assert_eq!(
            p.text,
            "## Timeline\n\n- 16 Jun 10:07 UTC — AO: c\n- 16 Jun 10:09 UTC — AO: e\n"
        );
    }

    #[test]
    fn a_long_timeline_is_continued_in_linear_time() {
        // 80,000 items: asking every item whether another holds it was 80,000² steps.
        let mut doc = String::from("## Timeline\n\n");
        for i in 0..80_000 {
            doc.push_str(&format!("* 10:00 UTC — entry {i}\n"));
        }
        let p = plan_in(&doc, &[block("11:00 UTC — AO: new")]);
        assert_eq!((p.added, p.skipped), (1, 0));
        assert!(p.text.ends_with("* 10:00 UTC — entry 79999\n* 16 Jun 11:00 UTC — AO: new\n"));
    }

    #[test]
    fn a_long_nested_timeline_is_continued_with_its_marker() {
        // Every item has a reply nested under it: only the outer items are the list to continue.
        let mut doc = String::from("## Timeline\n\n");
        for i in 0..20_000 {
            doc.push_str(&format!("+ 10:00 UTC — entry {i}\n  - reply {i}\n"));
        }
        let p = plan_in(&doc, &[block("11:00 UTC — AO: new")]);
        assert!(
            p.text.ends_with("  - reply 19999\n+ 16 Jun 11:00 UTC — AO: new\n"),
            "{}",
            &p.text[p.at - 40..]
        );
    }

    #[test]
    fn refuses_without_a_timeline() {
        let e = plan(
            "# T\n\n## Summary\n\nx\n",
            &[block("10:00 a")],
            &Timeline::default(),
            &titles(),
            "x.md",
        )
        .expect_err("no section");
        assert!(e.to_string().contains("x.md has no Timeline section"), "{e}");
    }

    #[test]
    fn lines_go_in_time_order_and_the_closing_placeholder_stays_last() {
        let doc = "---\nid: X\nstarted_at: 2026-06-16T10:30:00Z\n---\n## Timeline\n\nAll times UTC.\n\n- 2026-06-16 10:30 — Impact begins. [Describe the first symptom.]\n- 10:50 — Escalated.\n  - 10:51 — a reply\n- Note: no time here.\n- 11:10 — Mitigated.\n- [Add detection, mitigation and resolution, with their times.]\n\n## Next\n";
        let blocks = [
            block("10:20 UTC — AO: before all"),
            block("10:45 UTC — AO: first"),
            block("10:55 UTC — HW: second"),
            block("11:30 UTC — JL: last"),
        ];
        let p = plan_in(doc, &blocks);
        assert_eq!(p.added, 4);
        assert_eq!(
            p.text,
            "---\nid: X\nstarted_at: 2026-06-16T10:30:00Z\n---\n## Timeline\n\nAll times UTC.\n\n- 10:20 UTC — AO: before all\n- 2026-06-16 10:30 — Impact begins. [Describe the first symptom.]\n- 10:45 UTC — AO: first\n- 10:50 — Escalated.\n  - 10:51 — a reply\n- Note: no time here.\n- 10:55 UTC — HW: second\n- 11:10 — Mitigated.\n- 11:30 UTC — JL: last\n- [Add detection, mitigation and resolution, with their times.]\n\n## Next\n"
        );
        // Read back, every entry is where it was and in order.
        let back = super::super::entries::read_text(&p.text, &titles(), &jiff::tz::TimeZone::UTC);
        let times: Vec<String> = back
            .entries
            .iter()
            .filter(|e| e.depth == 0)
            .filter_map(|e| e.at.map(|a| a.to_string()))
            .collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted);
        assert_eq!(plan_in(&p.text, &blocks).added, 0, "a second import adds nothing");
    }

    #[test]
    fn a_line_of_another_day_carries_its_date() {
        // A March postmortem: June lines go after its entries and are dated, or a reader
        // would put them on 2 March.
        let doc = "---\nid: X\nstarted_at: 2026-03-02T09:40:00Z\n---\n## Timeline\n\n- 09:40 — Start.\n- 11:05 — Resolved.\n";
        let p = plan_in(doc, &[block("10:45 UTC — AO: a"), block("10:52 UTC — MK: b")]);
        assert!(
            p.text.ends_with(
                "- 11:05 — Resolved.\n- 16 Jun 10:45 UTC — AO: a\n- 10:52 UTC — MK: b\n"
            ),
            "{}",
            p.text
        );
    }

    #[test]
    fn an_ordered_or_quoted_list_is_continued_at_its_end() {
        let doc = "---\nstarted_at: 2026-06-16T10:00:00Z\n---\n## Timeline\n\n1. 10:00 UTC — a\n2. 11:00 UTC — b\n";
        let p = plan_in(doc, &[block("10:30 UTC — AO: c")]);
        assert!(p.text.ends_with("2. 11:00 UTC — b\n\n- 10:30 UTC — AO: c\n"), "{}", p.text);
    }
}

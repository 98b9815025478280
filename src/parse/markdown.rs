//! Reads a postmortem body: its sections, its prose (for language rules) and its HTML comments
//! (for inline suppressions), all with byte spans into the file.
//!
//! Prose is collected block by block with a map back to the source, so a rule can search plain
//! sentences (emphasis and links flattened, code and URLs left out) and still point at the exact
//! bytes it matched.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::source::Span;

/// A heading and the extent of its section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// 1 for `#`, 2 for `##`, …
    pub level: u8,
    /// The heading's text.
    pub title: String,
    /// The heading itself.
    pub heading: Span,
    /// From after the heading to the next heading of the same or a higher level.
    pub content: Span,
    /// Whether the section holds anything but whitespace and HTML comments.
    pub has_content: bool,
}

/// A block of running text (paragraph, heading, list item, table cell).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prose {
    /// The flattened text. Code spans are replaced by U+FFFC so words never join across them.
    pub text: String,
    /// `(offset in text, start in file, end in file)` of each piece of text.
    map: Vec<(usize, usize, usize)>,
}

impl Prose {
    /// The file span of `text[range]`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let from = self.file_offset(start);
        let to = if end > start { self.file_offset(end - 1) + 1 } else { from };
        Span::new(from, to.max(from))
    }

    fn file_offset(&self, at: usize) -> usize {
        let i = self.map.partition_point(|&(t, _, _)| t <= at).saturating_sub(1);
        match self.map.get(i) {
            Some(&(t, file, file_end)) => {
                (file + (at - t)).min(file_end.saturating_sub(1)).max(file)
            }
            None => 0,
        }
    }

    fn push(&mut self, text: &str, file: Span) {
        let file_end = file.end.max(file.start + 1);
        // A piece that continues the previous one in both the text and the file (the parser
        // splits a run of `<` or `[` into one event per character) extends its entry: one
        // entry per event would cost 24 bytes per byte of such a body.
        if let Some(last) = self.map.last_mut() {
            let (t, start, end) = *last;
            let verbatim =
                self.text.len() - t == end - start && text.len() == file.end - file.start;
            if verbatim && end == file.start && !text.is_empty() {
                last.2 = file_end;
                self.text.push_str(text);
                return;
            }
        }
        self.map.push((self.text.len(), file.start, file_end));
        self.text.push_str(text);
    }
}

/// A list item in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// The item's flattened text.
    pub text: String,
    /// The item in the file.
    pub span: Span,
}

/// What `pm` needs from a markdown body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// Every heading with its section, in order.
    pub sections: Vec<Section>,
    /// Running text, block by block.
    pub prose: Vec<Prose>,
    /// Raw HTML (blocks and inline), merged where adjacent; comments live here.
    pub html: Vec<Span>,
    /// Every list item, outermost first within each list.
    pub list_items: Vec<ListItem>,
}

impl Body {
    /// The first section whose normalized title is one of `titles` (normalized by
    /// [`normalize_title`]).
    pub fn section(&self, titles: &[String]) -> Option<&Section> {
        self.sections.iter().find(|s| {
            let t = normalize_title(&s.title);
            titles.contains(&t)
        })
    }

    /// List items inside `section`.
    pub fn items_in<'a>(&'a self, section: &'a Section) -> impl Iterator<Item = &'a ListItem> + 'a {
        self.list_items.iter().filter(move |i| {
            i.span.start >= section.content.start && i.span.start < section.content.end
        })
    }

    /// The list items inside `section` that are inside no other item, in file order. One sort
    /// and one pass: asking every item whether another holds it made a long list quadratic.
    pub fn top_level_items_in<'a>(&'a self, section: &'a Section) -> Vec<&'a ListItem> {
        let mut items: Vec<&ListItem> = self.items_in(section).collect();
        items.sort_by_key(|i| (i.span.start, std::cmp::Reverse(i.span.end)));
        let mut outer_end = 0;
        items.retain(|i| {
            let top = i.span.start >= outer_end;
            if top {
                outer_end = i.span.end;
            }
            top
        });
        items
    }
}

/// Lowercases, trims, and drops leading numbering and trailing colons: "2. Root Causes:" →
/// "root causes".
pub fn normalize_title(title: &str) -> String {
    let t = title.trim().trim_end_matches(':').trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')').trim_start();
    t.to_lowercase()
}

/// Parses the markdown `text`, which starts at byte `base` of the file.
pub fn parse(text: &str, base: usize) -> Body {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut body = Body::default();
    let mut headings: Vec<(u8, Span, String)> = Vec::new();
    let mut content_marks = Marks { at: Vec::new(), since_heading: true };
    let mut current = Prose::default();
    let mut heading: Option<(u8, usize, String)> = None;
    let mut items: Vec<(usize, usize, String)> = Vec::new(); // (index in list_items, start, text)
    let mut code_block = false;
    let mut autolink = 0usize;

    let flush = |current: &mut Prose, prose: &mut Vec<Prose>| {
        if !current.text.trim().is_empty() {
            prose.push(std::mem::take(current));
        } else {
            *current = Prose::default();
        }
    };

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let span = Span::new(range.start + base, range.end + base);
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    flush(&mut current, &mut body.prose);
                    content_marks.since_heading = true;
                    heading = Some((level as u8, span.start, String::new()));
                }
                Tag::CodeBlock(_) => {
                    flush(&mut current, &mut body.prose);
                    code_block = true;
                    content_marks.mark(span.start);
                }
                Tag::Link { link_type: LinkType::Autolink | LinkType::Email, .. } => autolink += 1,
                Tag::Item => {
                    flush(&mut current, &mut body.prose);
                    items.push((body.list_items.len(), span.start, String::new()));
                    body.list_items.push(ListItem { text: String::new(), span });
                }
                Tag::Image { .. } => content_marks.mark(span.start),
                Tag::Paragraph
                | Tag::BlockQuote(_)
                | Tag::TableCell
                | Tag::List(_)
                | Tag::Table(_) => {
                    flush(&mut current, &mut body.prose);
                }
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Heading(_) => {
                    flush(&mut current, &mut body.prose);
                    content_marks.since_heading = true;
                    if let Some((level, start, title)) = heading.take() {
                        headings.push((level, Span::new(start, span.end), title.trim().to_owned()));
                    }
                }
                TagEnd::CodeBlock => code_block = false,
                TagEnd::Link if autolink > 0 => autolink -= 1,
                TagEnd::Item => {
                    flush(&mut current, &mut body.prose);
                    if let Some((index, _, text)) = items.pop() {
                        body.list_items[index].text = text.trim().to_owned();
                        body.list_items[index].span.end = span.end;
                    }
                }
                TagEnd::Paragraph | TagEnd::BlockQuote(_) | TagEnd::TableCell => {
                    flush(&mut current, &mut body.prose);
                }
                _ => {}
            },
            Event::Text(t) => {
                if code_block {
                    continue;
                }
                if !t.trim().is_empty() {
                    content_marks.mark(span.start);
                }
                append_item_text(&mut items, &t);
                if let Some((_, _, title)) = heading.as_mut() {
                    title.push_str(&t);
                    continue;
                }
                if autolink == 0 {
                    current.push(&t, span);
                }
            }
            Event::Code(c) => {
                content_marks.mark(span.start);
                append_item_text(&mut items, &c);
                if let Some((_, _, title)) = heading.as_mut() {
                    title.push_str(&c);
                } else {
                    current.push("\u{FFFC}", span);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                append_item_text(&mut items, " ");
                if heading.is_none() {
                    current.push(" ", span);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                let raw = &text[range.clone()];
                if !raw.trim_start().starts_with("<!--") && !raw.trim().is_empty() {
                    content_marks.mark(span.start);
                }
                match body.html.last_mut() {
                    Some(last) if last.end == span.start => last.end = span.end,
                    _ => body.html.push(span),
                }
            }
            Event::Rule | Event::TaskListMarker(_) | Event::FootnoteReference(_) => {
                content_marks.mark(span.start);
            }
            _ => {}
        }
    }
    flush(&mut current, &mut body.prose);

    let end = base + text.len();
    // Sorted, so each section asks by binary search whether something lies in it: a scan per
    // heading made a body of 20,000 headings cost 20,000² steps.
    let mut content_marks = content_marks.at;
    content_marks.sort_unstable();
    for (i, (level, span, title)) in headings.iter().enumerate() {
        // Linear overall: a heading is passed over only by the earlier headings of a lower
        // level with none of theirs in between, at most one per level.
        let next =
            headings[i + 1..].iter().find(|(l, _, _)| l <= level).map_or(end, |(_, s, _)| s.start);
        let content = Span::new(span.end, next.max(span.end));
        let first = content_marks.partition_point(|&m| m < content.start);
        let has_content = content_marks.get(first).is_some_and(|&m| m < content.end);
        body.sections.push(Section {
            level: *level,
            title: title.clone(),
            heading: *span,
            content,
            has_content,
        });
    }
    body
}

/// Where something that counts as content was seen, to tell which sections have content.
/// Sections start and end at headings, so only the first mark after each heading's start or
/// end can decide a section: the others are not kept (a body of a million one-character
/// lines would otherwise keep a million marks).
struct Marks {
    at: Vec<usize>,
    since_heading: bool,
}

impl Marks {
    fn mark(&mut self, at: usize) {
        if self.since_heading {
            self.at.push(at);
            self.since_heading = false;
        }
    }
}

fn append_item_text(items: &mut [(usize, usize, String)], text: &str) {
    if let Some((_, _, t)) = items.last_mut() {
        t.push_str(text);
    }
}

/// The first paragraph of `markdown` as plain text (emphasis, links and code flattened),
/// cut at a word boundary to at most `max_chars` characters. For lists, feeds and JSON.
pub fn first_paragraph(markdown: &str, max_chars: usize) -> String {
    let mut paragraph: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Paragraph) => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = paragraph.take() {
                    let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !p.is_empty() {
                        return truncate(&p, max_chars);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(p) = paragraph.as_mut() {
                    p.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(p) = paragraph.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
    }
    String::new()
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((at, _)) => {
            let cut = text[..at].rfind(' ').unwrap_or(at);
            format!("{}…", text[..cut].trim_end_matches([',', ';', ':', ' ']))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_paragraphs() {
        assert_eq!(
            first_paragraph("# T\n\nThe `cache`\n*was* cold.\n\nMore.\n", 100),
            "The cache was cold."
        );
        assert_eq!(first_paragraph("- a list\n", 100), "");
        assert_eq!(first_paragraph("a b c d e f", 5), "a b…");
    }

    #[test]
    fn sections_and_emptiness() {
        let text = "# T\n\n## Summary\n\nWords.\n\n## Impact\n\n<!-- prompt -->\n\n## Timeline\n\n- 10:00 began\n- 10:05 paged\n";
        let body = parse(text, 0);
        let titles: Vec<_> =
            body.sections.iter().map(|s| (s.title.as_str(), s.has_content)).collect();
        assert_eq!(titles, [("T", true), ("Summary", true), ("Impact", false), ("Timeline", true)]);
        let timeline = body.section(&["timeline".into()]).expect("timeline");
        let items: Vec<_> = body.items_in(timeline).map(|i| i.text.as_str()).collect();
        assert_eq!(items, ["10:00 began", "10:05 paged"]);
    }

    #[test]
    fn prose_skips_code_and_autolinks_and_maps_back() {
        let text = "The `deploy` *should have* run. See <https://x.example/blame>.\n\n```\nhuman error\n```\n";
        let body = parse(text, 10);
        assert_eq!(body.prose.len(), 1);
        let p = &body.prose[0];
        assert!(!p.text.contains("blame"));
        assert!(!p.text.contains("human"));
        let at = p.text.find("should").expect("found");
        let span = p.span(at, at + "should have".len());
        assert_eq!(&text[span.start - 10..span.end - 10], "should have");
    }

    #[test]
    fn normalizes_titles() {
        assert_eq!(normalize_title(" 2. Root Causes: "), "root causes");
    }
}

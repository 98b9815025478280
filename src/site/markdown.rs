//! Safe markdown rendering for the site: postmortems are written by many people, and nothing
//! one of them writes may run in a reader's browser.
//!
//! By default raw HTML is shown as text (comments, which are template prompts, are dropped).
//! With `allow_html` it passes through ammonia's allow-list instead. Either way, link and image
//! URLs whose scheme is not http, https or mailto are removed (the text stays), headings get
//! stable, unique ids, and the table of contents is collected on the way.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// One heading of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    /// The heading's id (the anchor).
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A rendered body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Safe HTML.
    pub html: String,
    /// Headings of level 2 and 3, in order; the first [`MAX_TOC`].
    pub toc: Vec<TocEntry>,
}

/// How many headings the table of contents lists. More is no longer a way to find a section,
/// and each entry costs far more in the page's template context than the heading's bytes in
/// the body (a body of 800,000 two-byte headings took 190 times its size to build).
pub const MAX_TOC: usize = 500;

/// How to render one body.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// The postmortem's title: a leading `# Title` repeating it is left out (the page shows it).
    pub title: Option<&'a str>,
    /// Let raw HTML through the sanitizer instead of escaping it.
    pub allow_html: bool,
}

/// Where a relative link in the body should point instead (links to other postmortems' `.md`
/// files become links to their pages). Returns `None` to keep the link as written.
pub type Rewrite<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Renders `markdown` to safe HTML.
///
/// The parser's events are streamed to the HTML writer: only one heading (to name it) and one
/// raw HTML block (to escape it whole) are ever held, so memory stays proportional to the body
/// whatever it contains (a body of `<` or of one-character lines makes one event per byte or
/// two, which collected would cost far more than the text).
pub fn render(markdown: &str, options: RenderOptions<'_>, rewrite: Rewrite<'_>) -> Rendered {
    let parser_options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let headings = Headings { title: options.title, ids: UniqueNames::default(), toc: Vec::new() };
    let headings = Pipe::new(Parser::new_ext(markdown, parser_options), headings);
    let safe = Safe {
        allow_html: options.allow_html,
        rewrite,
        kept: Vec::new(),
        closing: Vec::new(),
        html_block: None,
    };
    let mut events = Pipe::new(headings, safe);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, &mut events);
    let toc = std::mem::take(&mut events.input.step.toc);
    if options.allow_html {
        html = sanitizer().clean(&html).to_string();
    }
    Rendered { html, toc }
}

/// `text` without its tables (a `Cow` borrowing `text` when it has none), and whether anything
/// but blank space is left: a postmortem page shows its action items once, as the front
/// matter's table with ticket links, so the body's own table of them is left out.
pub fn without_tables(text: &str) -> (Cow<'_, str>, bool) {
    let mut out = String::new();
    let mut at = 0;
    let mut parser = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    while let Some((event, range)) = parser.next() {
        if matches!(event, Event::Start(Tag::Table(_))) {
            out.push_str(&text[at..range.start]);
            at = range.end;
            // The table's own events end with it: skip to its end.
            for (event, _) in parser.by_ref() {
                if matches!(event, Event::End(TagEnd::Table)) {
                    break;
                }
            }
        }
    }
    if at == 0 {
        return (Cow::Borrowed(text), !text.trim().is_empty());
    }
    out.push_str(&text[at..]);
    let left = Parser::new(&out).any(|e| !is_comment_or_blank(&e));
    (Cow::Owned(out), left)
}

/// A piece of a one-line text: plain, or a code span written between backticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlinePart {
    /// Written between backticks: shown as code.
    pub code: bool,
    /// The text, without the backticks (the template escapes it).
    pub text: String,
}

/// `text` cut into plain pieces and `code` spans, as markdown reads backticks in a line: a run
/// of backticks opens a span that the next run of the same length closes; a run with no match
/// is plain text. Nothing else is interpreted, and nothing is HTML yet: the template escapes
/// each piece, so a title cannot bring markup of its own.
pub fn inline_code(text: &str) -> Vec<InlinePart> {
    let mut parts: Vec<InlinePart> = Vec::new();
    let mut push = |code: bool, piece: &str| {
        if piece.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.code == code && !code => last.text.push_str(piece),
            _ => parts.push(InlinePart { code, text: piece.to_owned() }),
        }
    };
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let run = rest[open..].bytes().take_while(|&b| b == b'`').count();
        let after = &rest[open + run..];
        let fence = &rest[open..open + run];
        // The closing run must be exactly as long as the opening one.
        let mut search = 0;
        let close = loop {
            let Some(at) = after[search..].find(fence) else { break None };
            let at = search + at;
            let len = after[at..].bytes().take_while(|&b| b == b'`').count();
            if len == run {
                break Some(at);
            }
            search = at + len;
        };
        match close {
            Some(close) => {
                push(false, &rest[..open]);
                let inner = &after[..close];
                // As in markdown: one space each side is padding when both are there.
                let inner = match inner.strip_prefix(' ').and_then(|i| i.strip_suffix(' ')) {
                    Some(trimmed) if !trimmed.trim().is_empty() => trimmed,
                    _ => inner,
                };
                push(true, inner);
                rest = &after[close + run..];
            }
            None => {
                push(false, &rest[..open + run]);
                rest = after;
            }
        }
    }
    push(false, rest);
    parts
}

/// A lowercase, ASCII slug for anchors: letters and digits kept, everything else collapsed to
/// single hyphens. Non-ASCII letters are kept (browsers handle them in fragments).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut hyphen = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if hyphen && !out.is_empty() {
                out.push('-');
            }
            hyphen = false;
            out.extend(c.to_lowercase());
        } else {
            hyphen = true;
        }
    }
    out
}

/// The body's events with a first heading of level 1 that repeats the title left out, and every
/// heading given a unique id from its text. Ids never start with `pm-`, which the theme keeps
/// for its own elements. The level 2 and 3 headings are collected for the table of contents.
struct Headings<'o> {
    /// The title, until the first event that is not a comment or blank HTML has been seen.
    title: Option<&'o str>,
    ids: UniqueNames,
    toc: Vec<TocEntry>,
}

/// A stream of markdown events through one [`Step`]: what the step makes of an event is handed
/// out before the next event is read, so nothing but the step's own state is ever held.
struct Pipe<'a, I, S> {
    input: I,
    step: S,
    pending: VecDeque<Event<'a>>,
}

impl<'a, I, S> Pipe<'a, I, S> {
    fn new(input: I, step: S) -> Self {
        Self { input, step, pending: VecDeque::new() }
    }
}

/// One stage of rendering: turns an event (and, if it must, the events after it, read from
/// `rest`) into zero or more events pushed to `out`.
trait Step<'a> {
    fn step(
        &mut self,
        event: Event<'a>,
        rest: &mut dyn Iterator<Item = Event<'a>>,
        out: &mut VecDeque<Event<'a>>,
    );
}

impl<'a, I: Iterator<Item = Event<'a>>, S: Step<'a>> Iterator for Pipe<'a, I, S> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            let event = self.input.next()?;
            self.step.step(event, &mut self.input, &mut self.pending);
        }
    }
}

impl<'a> Step<'a> for Headings<'_> {
    fn step(
        &mut self,
        event: Event<'a>,
        rest: &mut dyn Iterator<Item = Event<'a>>,
        out: &mut VecDeque<Event<'a>>,
    ) {
        if self.title.is_some() && is_comment_or_blank(&event) {
            out.push_back(event);
            return;
        }
        let title = self.title.take();
        let Event::Start(Tag::Heading { level, .. }) = &event else {
            out.push_back(event);
            return;
        };
        let level = *level;
        let mut heading = vec![event];
        let mut closed = false;
        for event in rest {
            closed = matches!(event, Event::End(TagEnd::Heading(_)));
            heading.push(event);
            if closed {
                break;
            }
        }
        let text = plain_text(&heading);
        let repeats_title = title.is_some_and(|t| normalize(&text) == normalize(t));
        if level == HeadingLevel::H1 && closed && repeats_title {
            return;
        }
        let mut base = slugify(&text);
        if base.is_empty() {
            base = "section".into();
        }
        if base.starts_with("pm-") {
            base.insert_str(0, "h-");
        }
        let id = self.ids.claim(base, 1, str::to_owned);
        if let Some(Event::Start(Tag::Heading { id: slot, .. })) = heading.first_mut() {
            *slot = Some(CowStr::from(id.clone()));
        }
        if (level == HeadingLevel::H2 || level == HeadingLevel::H3) && self.toc.len() < MAX_TOC {
            self.toc.push(TocEntry { level: level as u8, id, title: text });
        }
        out.extend(heading);
    }
}

fn is_comment_or_blank(event: &Event<'_>) -> bool {
    match event {
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => true,
        Event::Html(h) => h.trim().is_empty() || h.trim_start().starts_with("<!--"),
        _ => false,
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Applies the safety policy to a stream of events.
struct Safe<'r> {
    allow_html: bool,
    rewrite: Rewrite<'r>,
    /// For each open link or image: whether its start tag was kept.
    kept: Vec<bool>,
    /// For each kept image: the end tag that closes what was written for it.
    closing: Vec<TagEnd>,
    /// The raw HTML block being read, escaped whole when it ends.
    html_block: Option<String>,
}

impl<'a> Step<'a> for Safe<'_> {
    fn step(
        &mut self,
        event: Event<'a>,
        _rest: &mut dyn Iterator<Item = Event<'a>>,
        out: &mut VecDeque<Event<'a>>,
    ) {
        match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                match checked_url(&dest_url, self.rewrite) {
                    Some(url) => {
                        self.kept.push(true);
                        out.push_back(Event::Start(Tag::Link {
                            link_type,
                            dest_url: url,
                            title,
                            id,
                        }));
                    }
                    None => self.kept.push(false),
                }
            }
            // An image from another host would be fetched by every reader who opens the page
            // (a tracking pixel, or a request the reader never chose): it becomes a link.
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                match checked_url(&dest_url, self.rewrite) {
                    Some(url) if is_external(&url) => {
                        self.kept.push(true);
                        self.closing.push(TagEnd::Link);
                        out.push_back(Event::Start(Tag::Link {
                            link_type,
                            dest_url: url,
                            title,
                            id,
                        }));
                    }
                    Some(url) => {
                        self.kept.push(true);
                        self.closing.push(TagEnd::Image);
                        out.push_back(Event::Start(Tag::Image {
                            link_type,
                            dest_url: url,
                            title,
                            id,
                        }));
                    }
                    None => self.kept.push(false),
                }
            }
            Event::End(TagEnd::Link) => {
                if self.kept.pop().unwrap_or(false) {
                    out.push_back(Event::End(TagEnd::Link));
                }
            }
            Event::End(TagEnd::Image) => {
                if self.kept.pop().unwrap_or(false) {
                    out.push_back(Event::End(self.closing.pop().unwrap_or(TagEnd::Image)));
                }
            }
            event if self.allow_html => out.push_back(event),
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(String::new()),
            Event::Html(h) => match self.html_block.as_mut() {
                Some(block) => block.push_str(&h),
                None => push_escaped_html(out, &h, false),
            },
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = self.html_block.take() {
                    push_escaped_html(out, &block, true);
                }
            }
            Event::InlineHtml(h) => push_escaped_html(out, &h, false),
            event => out.push_back(event),
        }
    }
}

/// The URL to use for a link or image, or `None` to drop it.
fn checked_url<'a>(url: &CowStr<'a>, rewrite: Rewrite<'_>) -> Option<CowStr<'a>> {
    if !crate::url::is_safe_url(url) {
        return None;
    }
    match rewrite(url) {
        Some(new) => Some(CowStr::from(new)),
        None => Some(url.clone()),
    }
}

/// Whether `url` points at another host: it has a scheme or is protocol-relative (`//host/…`).
/// Relative paths and fragments stay on the site.
fn is_external(url: &str) -> bool {
    // Browsers skip leading spaces and control characters, drop tabs and newlines anywhere,
    // and read `\` as `/`.
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if url.chars().take(2).filter(|&c| c == '/' || c == '\\').count() == 2 {
        return true;
    }
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    url[..end].contains(':')
}

/// Shows raw HTML as text, without its comments (template prompts are not content).
fn push_escaped_html<'a>(out: &mut VecDeque<Event<'a>>, html: &str, block: bool) {
    let text = strip_comments(html);
    let text = if block { text.trim_end_matches(['\n', '\r']) } else { &text };
    if text.trim().is_empty() {
        return;
    }
    let text = text.to_owned();
    if block {
        out.push_back(Event::Html(CowStr::from("<pre class=\"raw-html\"><code>")));
        out.push_back(Event::Text(CowStr::from(text)));
        out.push_back(Event::Html(CowStr::from("</code></pre>\n")));
    } else {
        out.push_back(Event::Text(CowStr::from(text)));
    }
}

fn strip_comments(html: &str) -> Cow<'_, str> {
    if !html.contains("<!--") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The allow-list for `allow_html`: ammonia's defaults (formatting, tables, details, images)
/// plus what the markdown renderer itself emits, with only http, https, mailto and relative
/// URLs, no `style` but text alignment, and no ids that could shadow the theme's `pm-` ones.
fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::PassThrough)
        // Task lists are the one reason for `<input>`: every input is made a disabled checkbox,
        // whatever type it was written with (or without, which is a text field), so a body
        // cannot put a form field, a button or an image input on the page.
        .add_tags(["input"])
        .add_tag_attributes("input", ["checked"])
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .add_generic_attributes(["id"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("pre", ["class"])
        .filter_style_properties(HashSet::from(["text-align"]))
        .attribute_filter(|element, attribute, value| {
            if attribute == "id" && value.to_ascii_lowercase().starts_with("pm-") {
                None
            } else if element == "img" && attribute == "src" && is_external(value) {
                // As in markdown: no image is fetched from another host.
                None
            } else {
                Some(Cow::Borrowed(value))
            }
        });
    builder
}

/// Unique, filesystem-safe page names for keys that may contain anything: letters, digits,
/// `-`, `_` and `.` kept (ASCII only), the rest collapsed to `-`; never empty, never hidden,
/// and unique ignoring case (case-insensitive file systems). Deterministic in input order.
#[derive(Debug, Default)]
pub struct Names {
    used: UniqueNames,
}

impl Names {
    /// The name for `key`; `fallback` when the key has nothing usable.
    pub fn name(&mut self, key: &str, fallback: &str) -> String {
        let mut base = String::with_capacity(key.len());
        let mut hyphen = false;
        for c in key.chars() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' {
                if hyphen && !base.is_empty() {
                    base.push('-');
                }
                hyphen = false;
                base.push(c);
            } else {
                hyphen = true;
            }
        }
        let mut base = base.trim_matches(['.', '-']).to_owned();
        if base.len() > 100 {
            base.truncate(100);
        }
        if base.is_empty() || base.eq_ignore_ascii_case("index") {
            base = if base.is_empty() { fallback.to_owned() } else { format!("{base}-page") };
        }
        self.used.claim(base, 2, str::to_ascii_lowercase)
    }
}

/// Hands out names that were not handed out before: a name already taken gets the first free
/// suffix `-n`, counting up from where the last search for the same name stopped. Finding a
/// free name is then constant work amortised (each name taken can turn away at most one
/// search), where counting up from the start each time made `n` repeats of one heading cost
/// `n²` steps.
#[derive(Debug, Default)]
struct UniqueNames {
    /// Every name handed out, by its key.
    taken: HashSet<String>,
    /// Per key of a repeated name: the next suffix to try.
    next: HashMap<String, usize>,
}

impl UniqueNames {
    /// `base` if its key is free, else `base-n` with the smallest free `n` from `first` up.
    /// `key` says which names count as the same (case-folded for file names).
    fn claim(&mut self, base: String, first: usize, key: fn(&str) -> String) -> String {
        let base_key = key(&base);
        if !self.taken.contains(&base_key) {
            self.taken.insert(base_key);
            return base;
        }
        let next = self.next.entry(base_key).or_insert(first);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.taken.insert(key(&candidate)) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_cut_out() {
        let (text, left) = without_tables("\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<!-- x -->\n");
        assert!(!left, "{text:?}");
        assert!(!text.contains('|'));
        let (text, left) = without_tables("Agreed in review.\n\n| a |\n|---|\n| 1 |\n");
        assert!(left);
        assert_eq!(text.trim(), "Agreed in review.");
        assert!(matches!(without_tables("no table"), (Cow::Borrowed(_), true)));
    }

    #[test]
    fn backticks_make_code_spans() {
        let part = |code, text: &str| InlinePart { code, text: text.to_owned() };
        assert_eq!(
            inline_code("Raise `max_conns` to <200>"),
            vec![part(false, "Raise "), part(true, "max_conns"), part(false, " to <200>")]
        );
        assert_eq!(
            inline_code("a ``x ` y`` b"),
            vec![part(false, "a "), part(true, "x ` y"), part(false, " b")]
        );
        assert_eq!(inline_code("unclosed `tick"), vec![part(false, "unclosed `tick")]);
        assert_eq!(inline_code("<script>"), vec![part(false, "<script>")]);
        assert!(inline_code("").is_empty());
    }

    fn html(md: &str) -> String {
        render(md, RenderOptions { title: Some("T"), allow_html: false }, &|_| None).html
    }

    fn sanitized(md: &str) -> String {
        render(md, RenderOptions { title: None, allow_html: true }, &|_| None).html
    }

    #[test]
    fn raw_html_is_text() {
        let out = html(
            "Hi <script>alert(1)</script> <b onclick=\"x()\">b</b>\n\n<div>\n<img src=x onerror=alert(1)>\n</div>\n",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<b "), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"), "{out}");
    }

    #[test]
    fn outside_images_become_links() {
        let out =
            html("![pixel](http://evil.example/p.png) ![ok](diagram.png) ![p](//evil.example/x)\n");
        assert!(!out.contains("<img src=\"http"), "{out}");
        assert!(!out.contains("<img src=\"//"), "{out}");
        assert!(out.contains("<a href=\"http://evil.example/p.png\">pixel</a>"), "{out}");
        assert!(out.contains("<img src=\"diagram.png\" alt=\"ok\""), "{out}");
        let out = sanitized(
            "<img src=\"https://evil.example/r.png\"> <img src=\"/&#9;/evil.example/t.png\"> <img src=\"local.png\">\n",
        );
        assert!(!out.contains("evil.example"), "{out}");
        assert!(out.contains("src=\"local.png\""), "{out}");
        for url in
            ["//x", " //x", "/\\x", "\\\\x", "https://x", "data:x", "/\t/x", "/\n/x", "ht\ttp://x"]
        {
            assert!(is_external(url), "{url}");
        }
        for url in ["a.png", "../img/a.png", "#top", "/abs/a.png", "a/b:c.png", "?q=a:b"] {
            assert!(!is_external(url), "{url}");
        }
    }

    #[test]
    fn comments_are_dropped() {
        let out = html("<!-- prompt: what happened? -->\n\nText <!-- inline --> here.\n");
        assert!(!out.contains("prompt"), "{out}");
        assert!(!out.contains("inline"), "{out}");
        assert!(out.contains("Text"), "{out}");
    }

    #[test]
    fn dangerous_schemes_are_dropped() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "\u{1}javascript:alert(1)",
        ] {
            let md = format!("[click](<{url}>) ![img](<{url}>) <{url}>");
            let out = html(&md);
            assert!(!out.contains("<a "), "{url}: {out}");
            assert!(!out.contains("<img"), "{url}: {out}");
            assert!(out.contains("click"), "{url}: the text stays: {out}");
        }
        let out = html("[a](https://x.example/) [b](mailto:a@x.example) [c](../y.html#z) [d](#q)");
        assert_eq!(out.matches("<a href=").count(), 4, "{out}");
    }

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let r = render(
            "# T\n\n## Summary\n\n## Summary\n\n### What `went` well\n\n## pm-data\n",
            RenderOptions { title: Some("T"), allow_html: false },
            &|_| None,
        );
        assert!(!r.html.contains("<h1"), "title heading dropped: {}", r.html);
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["summary", "summary-1", "what-went-well", "h-pm-data"]);
        assert!(r.html.contains("<h2 id=\"summary-1\">"), "{}", r.html);
    }

    #[test]
    fn many_repeated_headings_get_ids_in_linear_time() {
        // 20,000 repeats of one heading: counting up from 1 for each was 20,000² steps.
        let md = "## x\n".repeat(20_000);
        let r = render(&md, RenderOptions { title: None, allow_html: false }, &|_| None);
        assert_eq!(r.toc.len(), MAX_TOC);
        assert_eq!(r.toc[0].id, "x");
        assert_eq!(r.toc[MAX_TOC - 1].id, format!("x-{}", MAX_TOC - 1));
        assert!(
            r.html.ends_with("<h2 id=\"x-19999\">x</h2>\n"),
            "{}",
            &r.html[r.html.len() - 40..]
        );
        // Headings whose own slug is a suffixed one: the counter skips what is taken.
        let md = "## x 1\n## x 2\n## x\n## x\n## x\n## x\n";
        let r = render(md, RenderOptions { title: None, allow_html: false }, &|_| None);
        let ids: Vec<_> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["x-1", "x-2", "x", "x-3", "x-4", "x-5"]);
    }

    #[test]
    fn many_repeated_names_in_linear_time() {
        // Every suffix of `a` taken first, then `a` again and again: the counter resumes where
        // it stopped instead of walking past every taken name each time.
        let mut n = Names::default();
        for i in 2..20_002 {
            assert_eq!(n.name(&format!("a-{i}"), "x"), format!("a-{i}"));
        }
        assert_eq!(n.name("a", "x"), "a");
        for i in 20_002..40_000 {
            assert_eq!(n.name("A", "x"), format!("A-{i}"));
        }
    }

    #[test]
    fn only_disabled_checkboxes_survive_allow_html() {
        for input in [
            "<input type=\"text\" value=\"x\">",
            "<input>",
            "<input type=\"image\" src=\"https://evil.example/x.png\">",
            "<input type=\"submit\" formaction=\"https://evil.example/\">",
            "<input type=\"hidden\" name=\"csrf\">",
            "<input type=\"password\">",
            "<input type=\"CHECKBOX\" onclick=\"x()\">",
        ] {
            let out = sanitized(&format!("a {input} b\n"));
            let tags: Vec<&str> = out.match_indices("<input").map(|(i, _)| &out[i..]).collect();
            assert_eq!(tags.len(), 1, "{input}: {out}");
            let tag = &tags[0][..tags[0].find('>').unwrap_or(tags[0].len())];
            assert!(tag.contains("type=\"checkbox\""), "{input}: {out}");
            assert!(tag.contains("disabled"), "{input}: {out}");
            for attr in ["value", "src", "formaction", "name", "onclick", "text", "image"] {
                assert!(!tag.contains(attr), "{input}: {attr} kept: {out}");
            }
        }
        let out = sanitized("- [x] done\n- [ ] open\n");
        assert_eq!(out.matches("type=\"checkbox\"").count(), 2, "{out}");
        assert!(out.contains("checked"), "{out}");
    }

    #[test]
    fn allow_html_sanitizes() {
        let out = sanitized(
            "<details><summary>Logs</summary>\n\n<script>alert(1)</script><b onclick=\"x()\">b</b> <a href=\"javascript:alert(1)\">x</a> <h3 id=\"pm-data\">h</h3>\n\n</details>\n\n|a|\n|:-:|\n|b|\n",
        );
        assert!(out.contains("<details>"), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
        assert!(!out.contains("id=\"pm-data\""), "{out}");
        assert!(out.contains("text-align"), "{out}");
    }

    #[test]
    fn rewrites_relative_links() {
        let r =
            render("[other](INC-1.md)", RenderOptions { title: None, allow_html: false }, &|u| {
                (u == "INC-1.md").then(|| "INC-1.html".to_owned())
            });
        assert!(r.html.contains("href=\"INC-1.html\""), "{}", r.html);
    }

    #[test]
    fn names_are_safe_and_unique() {
        let mut n = Names::default();
        assert_eq!(n.name("INC-1", "x"), "INC-1");
        assert_eq!(n.name("inc-1", "x"), "inc-1-2");
        assert_eq!(n.name("../../etc/passwd", "x"), "etc-passwd");
        assert_eq!(n.name("<script>", "x"), "script");
        assert_eq!(n.name("", "pm"), "pm");
        assert_eq!(n.name("index", "x"), "index-page");
        assert_eq!(n.name(".hidden", "x"), "hidden");
    }
}

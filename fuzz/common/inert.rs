//! Is a built page inert? An HTML tokenizer that reads a page the way a browser's tokenizer
//! does (WHATWG "tokenization": tag, attribute and comment states, quoted and unquoted values,
//! character references in attribute values, raw-text elements) and a judge that says whether
//! anything in it could run code.
//!
//! Shared, by `#[path]`, by the `render_page` fuzz target and `tests/it/properties.rs`: neither
//! `html5ever` nor `scraper` is a dependency of the crate, and a substring search would both
//! miss real tags (`<ScRiPt`, `<img/src="x"/onerror=…>`) and flag harmless text (`&lt;script`).
//!
//! What counts as executable, from content: a `<script>` other than the theme's own (`src`
//! under `assets/`) and JSON data (`type="application/json"` that cannot end its element);
//! an attribute whose name starts with `on`; a URL attribute whose scheme is not http, https
//! or mailto (after the browser's clean-up: control characters and whitespace stripped,
//! character references decoded); `url(`/`expression(` in a style attribute; `<meta
//! http-equiv>`; and elements that embed other documents or code (`iframe`, `object`,
//! `embed`, `frame`, `applet`, `base` outside the theme, `svg`, `math`, forms that are not the
//! theme's).

#![allow(dead_code)]

/// One start (or end) tag, as the tokenizer emitted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Lowercased name.
    pub name: String,
    /// Whether it is an end tag (`</x …>`).
    pub end: bool,
    /// Attributes in order, names lowercased, values with character references decoded.
    pub attrs: Vec<(String, String)>,
    /// For a raw-text element (`script`, `style`, …): its text.
    pub text: Option<String>,
}

impl Tag {
    /// The first attribute called `name`, as a browser keeps the first of duplicates.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Every tag of `html`, in order. Tags cut off by the end of the input are emitted too (a
/// browser drops them; being stricter than a browser is the safe side for a judge).
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr(b'<', &b[i..]) {
        let lt = i + p;
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            i = lt + comment_len(rest);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            // Doctype, CDATA outside foreign content, processing instruction: bogus comments
            // up to the next `>`.
            i = lt + rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        let (end, name_at) = if rest.starts_with("</") { (true, lt + 2) } else { (false, lt + 1) };
        match b.get(name_at) {
            Some(c) if c.is_ascii_alphabetic() => {}
            Some(b'>') if end => {
                // `</>` is dropped.
                i = name_at + 1;
                continue;
            }
            Some(_) if end => {
                // `</` and a non-letter: a bogus comment.
                i = lt + rest.find('>').map_or(rest.len(), |e| e + 1);
                continue;
            }
            _ => {
                // A `<` that starts no tag is text.
                i = lt + 1;
                continue;
            }
        }
        let (mut tag, after) = read_tag(html, name_at, end);
        i = after;
        if !end {
            if let Some(close) = raw_text_end(&tag.name) {
                let (text, next) = raw_text(html, i, close);
                tag.text = Some(text.to_owned());
                i = next;
            }
        }
        out.push(tag);
    }
    out
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// Length of the comment at the start of `rest` (which starts with `<!--`): up to `-->` or
/// `--!>`, with the abrupt `<!-->` and `<!--->`, or to the end of the input.
fn comment_len(rest: &str) -> usize {
    let body = &rest[4..];
    if body.starts_with('>') {
        return 5;
    }
    if body.starts_with("->") {
        return 6;
    }
    let a = body.find("-->").map(|e| e + 3);
    let b = body.find("--!>").map(|e| e + 4);
    match (a, b) {
        (Some(a), Some(b)) => 4 + a.min(b),
        (Some(x), None) | (None, Some(x)) => 4 + x,
        (None, None) => rest.len(),
    }
}

/// The end-tag name that closes a raw-text (or escapable raw-text) element, if `name` is one.
fn raw_text_end(name: &str) -> Option<&'static str> {
    Some(match name {
        "script" => "script",
        "style" => "style",
        "textarea" => "textarea",
        "title" => "title",
        "xmp" => "xmp",
        "iframe" => "iframe",
        "noembed" => "noembed",
        "noframes" => "noframes",
        "noscript" => "noscript",
        "plaintext" => "\u{0}",
        _ => return None,
    })
}

/// The text of a raw-text element starting at `from`, and where its end tag starts: the first
/// `</name` followed by whitespace, `/` or `>` (any case).
fn raw_text<'a>(html: &'a str, from: usize, name: &str) -> (&'a str, usize) {
    let lower = html[from..].to_ascii_lowercase();
    let needle = format!("</{name}");
    let mut at = 0;
    while let Some(p) = lower[at..].find(&needle) {
        let end = at + p;
        let next = lower.as_bytes().get(end + needle.len()).copied();
        if next.is_none_or(|c| is_space(c) || c == b'/' || c == b'>') {
            return (&html[from..from + end], from + end);
        }
        at = end + 1;
    }
    (&html[from..], html.len())
}

/// Reads a tag whose name starts at `at`; returns it and the offset after its `>`.
fn read_tag(html: &str, at: usize, end: bool) -> (Tag, usize) {
    let b = html.as_bytes();
    let mut i = at;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = html[at..i].to_ascii_lowercase();
    let mut attrs: Vec<(String, String)> = Vec::new();
    loop {
        // Before attribute name.
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'>' {
            i += 1;
            break;
        }
        // Attribute name: a leading `=` belongs to the name.
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = html[name_start..i].to_ascii_lowercase();
        // After attribute name.
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let start = i + 1;
                    let stop = memchr(q, &b[start..]).map_or(b.len(), |e| start + e);
                    value = decode_references(&html[start..stop]);
                    i = (stop + 1).min(b.len());
                }
                Some(b'>') | None => {}
                Some(_) => {
                    let start = i;
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_references(&html[start..i]);
                }
            }
        }
        attrs.push((attr, value));
    }
    (Tag { name, end, attrs, text: None }, i)
}

/// Decodes character references as a browser does in an attribute value: numeric ones, and
/// the named ones that matter for URLs and markup. An unknown name stays as written.
pub fn decode_references(s: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("colon", ':'),
        ("tab", '\t'),
        ("newline", '\n'),
        ("sol", '/'),
        ("lpar", '('),
        ("rpar", ')'),
        ("period", '.'),
        ("semi", ';'),
        ("equals", '='),
        ("num", '#'),
        ("excl", '!'),
        ("commat", '@'),
        ("quest", '?'),
        ("bsol", '\\'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let decoded: Option<(char, usize)> = if let Some(num) = after.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let n = digits
                .bytes()
                .take_while(|c| if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
                .count();
            (n > 0).then(|| {
                let value = u32::from_str_radix(&digits[..n.min(8)], if hex { 16 } else { 10 })
                    .unwrap_or(0xFFFD);
                let c = match value {
                    0 => '\u{FFFD}',
                    v => char::from_u32(v).unwrap_or('\u{FFFD}'),
                };
                let used = 1 + usize::from(hex) + n + usize::from(digits[n..].starts_with(';'));
                (c, used)
            })
        } else {
            let n = after.bytes().take_while(u8::is_ascii_alphanumeric).count();
            let name = after[..n].to_ascii_lowercase();
            let semi = after[n..].starts_with(';');
            // Legacy names decode without `;` too, unless followed by `=` or an alphanumeric.
            let legacy = matches!(name.as_str(), "amp" | "lt" | "gt" | "quot" | "nbsp");
            NAMED
                .iter()
                .find(|(k, _)| *k == name)
                .filter(|_| semi || (legacy && !after[n..].starts_with('=')))
                .map(|&(_, c)| (c, n + usize::from(semi)))
        };
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme a browser sees in a URL attribute value, lowercased; `None` when the URL is
/// relative. Leading and trailing C0 controls and spaces are stripped and tabs and newlines
/// removed anywhere first, as the URL parser does.
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    let scheme = &cleaned[..cleaned[..end].find(':')?];
    // Only `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` is a scheme; anything else before a
    // colon (`javascrip}:x`) makes the URL relative.
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Attributes whose value a browser loads or navigates to.
pub const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "srcset",
    "background",
    "cite",
    "data",
    "codebase",
    "lowsrc",
    "ping",
    "manifest",
    "longdesc",
];

/// Forms the built-in theme draws (filters, site search); any other is content.
const THEME_FORMS: &[&str] = &["pm-filters", "pm-site-search"];

/// `Err` with what is wrong when `html` holds anything that could run code (see the module
/// documentation). `svg_allowed` admits the charts a metrics page draws.
pub fn check(html: &str, svg_allowed: bool) -> Result<(), String> {
    for tag in tags(html) {
        if tag.end {
            continue;
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                return Err(format!("event handler attribute {name}={value:?} on <{}>", tag.name));
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                // `srcset` and `ping` hold several URLs.
                let urls: Vec<&str> = if name == "srcset" || name == "ping" {
                    value.split([',', ' ']).filter(|u| !u.is_empty()).collect()
                } else {
                    vec![value.as_str()]
                };
                for url in urls {
                    if let Some(s) = scheme(url) {
                        if !matches!(s.as_str(), "http" | "https" | "mailto") {
                            return Err(format!(
                                "<{} {name}={value:?}> has the scheme {s}:",
                                tag.name
                            ));
                        }
                    }
                }
            }
            if name == "style" {
                let lower = value.to_ascii_lowercase();
                if lower.contains("url(") || lower.contains("expression(") {
                    return Err(format!("style attribute loads or runs something: {value:?}"));
                }
            }
        }
        match tag.name.as_str() {
            "script" => match (tag.attr("src"), tag.attr("type")) {
                (Some(src), _) => {
                    // Relative to the page (`../assets/`), or root-relative on the page's own
                    // origin (`/assets/`, `/prefix/assets/`: the 404 page, which can be served
                    // at any depth); never a scheme or a host (`//host/`).
                    let relative = src.trim_start_matches("../").starts_with("assets/");
                    let rooted = src.starts_with('/')
                        && !src.starts_with("//")
                        && src.split('/').any(|segment| segment == "assets");
                    if !(relative || rooted) || scheme(src).is_some() {
                        return Err(format!("a script from outside the theme: src={src:?}"));
                    }
                }
                (None, Some("application/json")) => {
                    let text = tag.text.as_deref().unwrap_or_default();
                    let lower = text.to_ascii_lowercase();
                    if lower.contains("</") || lower.contains("<!--") {
                        return Err(format!("JSON data that can end its element: {text:?}"));
                    }
                    if text.contains(['\u{2028}', '\u{2029}']) {
                        return Err("raw line separators in JSON data".to_owned());
                    }
                }
                _ => return Err(format!("an inline script: {tag:?}")),
            },
            "iframe" | "object" | "embed" | "frame" | "frameset" | "applet" | "math" | "portal" => {
                return Err(format!("<{}> embeds a document or code", tag.name));
            }
            "svg" if !svg_allowed => return Err("<svg> from content".to_owned()),
            "base" => {
                let ok = tag.attr("href").and_then(scheme).is_some_and(|s| s.starts_with("http"));
                if !ok {
                    return Err(format!("<base> that is not the site's: {tag:?}"));
                }
            }
            "form" if !tag.attr("id").is_some_and(|id| THEME_FORMS.contains(&id)) => {
                return Err(format!("a form from content: {tag:?}"));
            }
            "meta" if tag.attr("http-equiv").is_some() => {
                return Err(format!("<meta http-equiv>: {tag:?}"));
            }
            "link" => {
                let rel = tag.attr("rel").unwrap_or_default().to_ascii_lowercase();
                if !matches!(rel.as_str(), "stylesheet" | "alternate" | "icon" | "canonical") {
                    return Err(format!("<link rel={rel:?}> from content: {tag:?}"));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_browser_would_run() {
        let bad = [
            "<ScRiPt>alert(1)</script>",
            "<img/src=\"x\"/onerror=alert(1)>",
            "<a href=\"java&#x09;script&colon;alert(1)\">x</a>",
            "<a href=' javascript:alert(1)'>x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<script type=application/json>{\"a\":\"</script><script>x\"}</script>",
            "<iframe srcdoc=x>",
            "<div style=\"background:url(javascript:x)\">",
            "<meta http-equiv=refresh content=\"0;url=javascript:x\">",
        ];
        for html in bad {
            assert!(check(html, false).is_err(), "{html}");
        }
        let good = [
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "<p title=\"<script>\">onerror=x javascript:y</p>",
            "<a href=\"https://example.com/?q=javascript:x\">x</a>",
            "<a href=\"page.html#javascript:x\">x</a>",
            "<a href=\"javascrip}:x\">x</a>",
            "<script src=\"../assets/site.js\" defer></script>",
            "<script type=\"application/json\">{\"a\":\"\\u003c/script\\u003e\"}</script>",
            "<!-- <script>alert(1)</script> -->",
            "<textarea><script>alert(1)</script></textarea>",
        ];
        for html in good {
            assert_eq!(check(html, false), Ok(()), "{html}");
        }
    }
}

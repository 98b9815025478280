//! What the tool understands of URLs: which ticket values are links, and which URLs are safe to
//! put in a page. A leaf module (it imports nothing of the crate) so the configuration, the
//! rules and the site can all ask the same question without importing each other.

/// Whether `ticket` is an absolute http(s) URL with a host (a ticket written as a link).
pub fn is_http_url(ticket: &str) -> bool {
    let rest = ticket.strip_prefix("https://").or_else(|| ticket.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !r.contains(char::is_whitespace)
    })
}

/// Whether a URL is safe to put in an `href` or `src`: relative, or http, https or mailto.
///
/// The URL is read the way a browser reads it: leading and trailing control characters and
/// spaces are ignored and tabs and newlines removed anywhere, so `java\tscript:` and
/// ` JaVaScRiPt:` are recognised. Character references were already decoded by the markdown
/// parser (or are never decoded in the case of front matter values). Anything that looks like
/// a scheme and is not on the list is refused, including ones a browser would not treat as a
/// scheme: refusing too much costs a link, refusing too little costs a reader.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    match cleaned[..end].find(':') {
        None => true,
        Some(i) => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
    }
}

/// The path of `base_url` (where a site is published) as a root-relative prefix that starts
/// and ends with one `/`: `https://example.com/pm/` → `/pm/`, no URL → `/`.
///
/// A page that may be served at any depth (the 404 page) links its own assets through this
/// prefix instead of a `<base href>`: the prefix keeps the origin the page was served from, so
/// a `base_url` on another origin (or a production `base_url` while previewing locally) can
/// never decide where the page's script and styles come from. Only plain path segments are
/// kept: empty ones (`//host` would make the prefix protocol-relative), `.`, `..` and any with
/// a character outside a URL path's (a backslash, a quote, a space) are dropped.
pub fn path_prefix(base_url: Option<&str>) -> String {
    let Some(url) = base_url else { return "/".to_owned() };
    let after_authority = |rest: &str| rest.find('/').map_or("", |i| &rest[i..]).to_owned();
    let path = match url.find("://") {
        Some(i) => after_authority(&url[i + 3..]),
        None => match url.strip_prefix("//") {
            Some(rest) => after_authority(rest),
            None => url.to_owned(),
        },
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let plain = |segment: &&str| {
        !matches!(*segment, "" | "." | "..")
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:@".contains(&b))
    };
    let segments: Vec<&str> = path.split('/').filter(plain).collect();
    if segments.is_empty() { "/".to_owned() } else { format!("/{}/", segments.join("/")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_prefixes_stay_on_the_pages_origin() {
        assert_eq!(path_prefix(None), "/");
        assert_eq!(path_prefix(Some("https://evil.example")), "/");
        assert_eq!(path_prefix(Some("https://evil.example/")), "/");
        assert_eq!(path_prefix(Some("https://docs.example.com/pm")), "/pm/");
        assert_eq!(path_prefix(Some("https://x.example/a/b/?q=1#f")), "/a/b/");
        assert_eq!(path_prefix(Some("https://good.example//evil.example/")), "/evil.example/");
        assert_eq!(path_prefix(Some("//evil.example/x/")), "/x/");
        assert_eq!(path_prefix(Some("/pm/../..\\evil/")), "/pm/");
        assert_eq!(path_prefix(Some("https://x/a\"b/c")), "/c/");
    }

    #[test]
    fn url_check() {
        assert!(is_safe_url("https://x"));
        assert!(is_safe_url("HTTP://x"));
        assert!(is_safe_url("a/b:c"));
        assert!(is_safe_url("?q=a:b"));
        assert!(is_safe_url("//cdn.example/x"));
        assert!(!is_safe_url("javascript:x"));
        assert!(!is_safe_url("java\nscript:x"));
        assert!(!is_safe_url(" \u{0} javascript:x"));
        assert!(!is_safe_url("file:///etc/passwd"));
    }

    #[test]
    fn http_urls_have_a_host() {
        assert!(is_http_url("https://tracker.example/T-1"));
        assert!(is_http_url("http://x"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("https:///path"));
        assert!(!is_http_url("https://a b"));
        assert!(!is_http_url("PAY-12"));
    }
}

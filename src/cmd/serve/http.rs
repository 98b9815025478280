//! What `pm serve` answers to one request, as a pure function of the request's bytes: parse
//! the head, check the `Host`, find the file. No sockets here, so the fuzz target
//! `serve_request` and the property tests call [`answer`] on arbitrary bytes.
//!
//! The `Host` check is what stops DNS rebinding: a web page on `evil.example` whose name is
//! made to resolve to 127.0.0.1 can make the reader's browser send requests to this server,
//! same-origin as far as the browser knows, and read every postmortem. Those requests carry
//! `Host: evil.example:PORT`; only the names this server is reachable by on purpose are
//! answered ([`Hosts`]). Only the origin form of a request target (`/path`) is accepted: an
//! absolute target (`GET http://other/`) would name a host of its own.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Longest request head read (request line and headers); longer ones are answered 431.
pub const MAX_HEAD: usize = 16 * 1024;

/// The path the live-reload script polls for the build's version.
pub const RELOAD_PATH: &str = "/__pm/reload";

const RELOAD_SCRIPT: &str = "<script>(function(){var v=null;function poll(){fetch(\"/__pm/reload\",{cache:\"no-store\"}).then(function(r){return r.text();}).then(function(t){if(v!==null&&t!==v){location.reload();}v=t;setTimeout(poll,1000);},function(){setTimeout(poll,2000);});}poll();})();</script>\n";

/// The `Host` values this server answers: the names it is reachable by on purpose.
#[derive(Debug, Clone)]
pub struct Hosts {
    port: u16,
    names: Vec<String>,
    /// Bound to every address (`0.0.0.0`, `::`): any IP literal is the machine itself (a DNS
    /// rebinding attack needs a name, never a literal).
    any_ip: bool,
}

impl Hosts {
    /// The hosts of a server started with `--bind bind` and listening on `local`:
    /// `localhost`, `127.0.0.1`, `[::1]`, the bound address and the `--bind` name, each with
    /// the port.
    pub fn new(bind: &str, local: SocketAddr) -> Self {
        let mut names: Vec<String> =
            ["localhost", "127.0.0.1", "[::1]"].into_iter().map(str::to_owned).collect();
        names.push(literal(local.ip()));
        let bind = bind.trim().trim_start_matches('[').trim_end_matches(']');
        names.push(match bind.parse::<IpAddr>() {
            Ok(ip) => literal(ip),
            Err(_) => bind.to_ascii_lowercase(),
        });
        names.sort();
        names.dedup();
        Self { port: local.port(), names, any_ip: local.ip().is_unspecified() }
    }

    /// Whether a request with `Host: host` is answered.
    pub fn permits(&self, host: &str) -> bool {
        let host = host.trim_matches([' ', '\t']).to_ascii_lowercase();
        let (name, port) = match host.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((ip, port)) => (format!("[{ip}]"), port),
                None => return false,
            },
            None => match host.find(':') {
                Some(i) => (host[..i].to_owned(), &host[i..]),
                None => (host.clone(), ""),
            },
        };
        let port_ok = match port.strip_prefix(':') {
            Some(p) => {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse() == Ok(self.port)
            }
            None => port.is_empty() && self.port == 80,
        };
        let ip_literal = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
            None => name.parse::<std::net::Ipv4Addr>().is_ok(),
        };
        port_ok && (self.names.contains(&name) || (self.any_ip && ip_literal))
    }
}

/// An IP address as it is written in a `Host` header.
fn literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// What the server sends back: the head is written by [`Response::head`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body (sent unless the request was `HEAD`).
    pub body: Vec<u8>,
    /// Whether to send the head only.
    pub head_only: bool,
}

impl Response {
    fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{body}\n").into_bytes(),
            head_only: false,
        }
    }

    /// The status line and headers, ending in the blank line. Every value is fixed or a
    /// number: nothing from the request reaches the head.
    pub fn head(&self) -> Vec<u8> {
        let allow = if self.status == 405 { "Allow: GET, HEAD\r\n" } else { "" };
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{allow}\
             X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        )
        .into_bytes()
    }
}

/// The reason phrase of the statuses this server sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// A request head, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET` or `HEAD` (`true` for `HEAD`).
    pub head_only: bool,
    /// The request target, origin form (`/path?query`).
    pub target: String,
    /// The one `Host` header.
    pub host: String,
}

/// Where the head of a request ends in `bytes` (the index after the blank line), if it does.
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| memchr::memmem::find(bytes, b"\n\n").map(|i| i + 2))
}

/// Parses a request head (the bytes up to and including the blank line); the error is the
/// response to send.
pub fn parse(head: &[u8]) -> Result<Request, Response> {
    let bad = |why: &str| Response::text(400, &format!("bad request: {why}"));
    if head.len() > MAX_HEAD {
        return Err(Response::text(431, "request head too large"));
    }
    let text = std::str::from_utf8(head).map_err(|_| bad("the head is not UTF-8"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not `METHOD /path HTTP/1.1`"));
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(Response::text(505, "only HTTP/1.0 and HTTP/1.1 are served"));
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(Response::text(405, "only GET and HEAD are served")),
    };
    if !target.starts_with('/') || target.starts_with("//") {
        return Err(bad("the request target must be a path (`/page.html`)"));
    }
    if target.bytes().any(|b| b.is_ascii_control()) {
        return Err(bad("control characters in the request target"));
    }
    let mut host = None;
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            return Err(bad("folded header lines are not accepted"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("a header line without `:`"));
        };
        if name.is_empty() || name.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(bad("a header name with spaces or control characters"));
        }
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(bad("more than one Host header"));
            }
            host = Some(value.trim_matches([' ', '\t']).to_owned());
        }
    }
    let host = host.ok_or_else(|| bad("no Host header"))?;
    Ok(Request { head_only, target: target.to_owned(), host })
}

/// The answer to the request `head` from the site folder `site`, for a server reachable as
/// `hosts`; `reload` adds the live-reload script to HTML pages, `version` is the build's.
pub fn answer(site: &Path, head: &[u8], hosts: &Hosts, reload: bool, version: u64) -> Response {
    let request = match parse(head) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let mut response = if hosts.permits(&request.host) {
        respond(site, &request.target, reload, version)
    } else {
        Response::text(
            421,
            "this server answers only to the names it is reachable by (localhost, 127.0.0.1, \
             [::1] or its --bind address, with its port)",
        )
    };
    response.head_only = request.head_only;
    response
}

/// Answers a request for `target` from the site folder `dir`.
fn respond(dir: &Path, target: &str, reload: bool, version: u64) -> Response {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path == RELOAD_PATH {
        return Response::text(200, &version.to_string());
    }
    let Some(rel) = safe_relative(path) else {
        return Response::text(400, "bad request: the path leaves the site");
    };
    let mut file = dir.join(&rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let (file, status) = if file.is_file() { (file, 200) } else { (dir.join("404.html"), 404) };
    let Ok(mut bytes) = std::fs::read(&file) else {
        return Response::text(404, "not found");
    };
    let content_type = content_type(&file);
    if reload && content_type.starts_with("text/html") {
        bytes = inject(bytes);
    }
    Response { status, content_type, body: bytes, head_only: false }
}

/// The URL path as a relative file path, percent-decoded; `None` when it tries to leave the
/// site folder.
pub fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut rel = PathBuf::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') || p.contains('\0') || p.contains(':') => return None,
            p => rel.push(p),
        }
    }
    Some(rel)
}

/// Decodes `%XX` escapes of a URL path; `None` when an escape is malformed or the result is
/// not UTF-8. (Also used by the browser tests' static server.)
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` to serve `path` with, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Adds the reload script before `</body>`.
fn inject(bytes: Vec<u8>) -> Vec<u8> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return e.into_bytes(),
    };
    match text.rfind("</body>") {
        Some(at) => {
            let mut out = String::with_capacity(text.len() + RELOAD_SCRIPT.len());
            out.push_str(&text[..at]);
            out.push_str(RELOAD_SCRIPT);
            out.push_str(&text[at..]);
            out.into_bytes()
        }
        None => text.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape() {
        assert_eq!(
            safe_relative("/postmortems/a%20b.html"),
            Some(PathBuf::from("postmortems/a b.html"))
        );
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/%2e%2e/etc/passwd"), None);
        assert_eq!(safe_relative("/a/..%2f..%2fx"), None);
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
    }

    #[test]
    fn reload_script_goes_before_body_end() {
        let out = String::from_utf8(inject(b"<html><body>x</body></html>".to_vec())).expect("utf8");
        assert!(out.contains("x<script>"), "{out}");
        assert!(out.ends_with("</script>\n</body></html>"), "{out}");
    }

    #[test]
    fn only_the_servers_own_names_are_answered() {
        let local: SocketAddr = "127.0.0.1:8000".parse().expect("addr");
        let hosts = Hosts::new("127.0.0.1", local);
        for ok in ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"] {
            assert!(hosts.permits(ok), "{ok}");
        }
        for refused in [
            "evil.example:8000",
            "evil.example",
            "localhost",
            "localhost:8001",
            "localhost:+8000",
            "localhost.:8000",
            "127.0.0.1.evil.example:8000",
            "10.0.0.5:8000",
            "[::1",
            "",
        ] {
            assert!(!hosts.permits(refused), "{refused}");
        }
        let named = Hosts::new("devbox.lan", "192.168.1.2:9000".parse().expect("addr"));
        assert!(named.permits("devbox.lan:9000") && named.permits("192.168.1.2:9000"));
        let any = Hosts::new("0.0.0.0", "0.0.0.0:9000".parse().expect("addr"));
        assert!(any.permits("192.168.1.2:9000") && any.permits("[fe80::1]:9000"));
        assert!(!any.permits("rebound.example:9000"));
    }

    #[test]
    fn heads_are_parsed_strictly() {
        let ok = parse(b"GET /a.html HTTP/1.1\r\nHost: localhost:1\r\n\r\n").expect("ok");
        assert_eq!((ok.target.as_str(), ok.host.as_str()), ("/a.html", "localhost:1"));
        let status = |head: &[u8]| parse(head).map_or_else(|r| r.status, |_| 200);
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n"), 400, "no Host");
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"), 400);
        assert_eq!(status(b"GET http://evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
        assert_eq!(status(b"GET //evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
        assert_eq!(status(b"POST / HTTP/1.1\r\nHost: a\r\n\r\n"), 405);
        assert_eq!(status(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n"), 400);
    }
}

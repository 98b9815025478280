//! The HTTP client every provider talks through: blocking (ureq, rustls — no OpenSSL, no async
//! runtime), with connect and read timeouts, JSON in and out, and retries with backoff.
//!
//! Retries: a `429` is always retried (the request was not processed); `500`, `502`, `503`,
//! `504` and timeouts only for requests that are safe to repeat (every read; never the request
//! that files a ticket, which could then be filed twice). The wait honours `Retry-After`
//! (seconds or an HTTP date) and the rate-limit reset headers of GitHub (`x-ratelimit-reset`),
//! GitLab (`ratelimit-reset`) and Linear (`x-ratelimit-requests-reset`, milliseconds); without
//! one it doubles from half a second. Linear may say "rate limited" as a GraphQL error
//! (`extensions.code: RATELIMITED`, status 400) instead of a 429: that is a 429 too. A wait
//! longer than [`Retry::max_wait`] is not sat out: the batch fails and its tickets keep what the
//! cache knew.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first backoff; each later one doubles.
    pub base_delay: Duration,
    /// The longest wait pm sits out before giving up on a request.
    pub max_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// A JSON answer (or the status of an answer without a body worth reading).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The parsed body (`Null` for an empty one).
    pub json: Value,
    /// Response headers pagination needs (`link`, `x-next-page`), lower-cased names.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why a request failed. [`HttpError::is_auth`] errors stop `pm sync` with exit code 2.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    /// 401 or 403: the token is missing scopes, expired or wrong.
    #[error("{tracker}: {url} refused the token in ${var} ({status}{detail}). {scopes}")]
    Auth {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// 401 or 403.
        status: u16,
        /// The variable holding the token.
        var: String,
        /// The server's own words, if any (`: Bad credentials`).
        detail: String,
        /// Which token and scopes the tracker needs.
        scopes: String,
    },
    /// No connection (DNS, refused, reset).
    #[error("{tracker}: cannot reach {url}: {message}; check `api` in pm.toml and the network")]
    Unreachable {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// The cause.
        message: String,
    },
    /// No connection in time: the TCP connection, or the TLS handshake on it, did not complete
    /// (ureq does not tell the two apart).
    #[error(
        "{tracker}: no connection to {url} within {seconds} s ({what} did not complete); check `api` in pm.toml (its scheme and port) and the network"
    )]
    ConnectTimeout {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// The timeout.
        seconds: u64,
        /// What did not complete: the TCP connection, and for https its TLS handshake.
        what: &'static str,
    },
    /// The answer did not come in time.
    #[error(
        "{tracker}: {url} did not answer within {seconds} s (raise `sync.timeout` in pm.toml if the tracker is slow)"
    )]
    Timeout {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// The timeout.
        seconds: u64,
    },
    /// The TLS handshake failed (certificate, protocol).
    #[error("{tracker}: TLS with {url} failed: {message}")]
    Tls {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// The cause.
        message: String,
    },
    /// The answer was not JSON (a login page, a proxy's error page).
    #[error(
        "{tracker}: {url} answered {status} with {what} instead of JSON: is `api` in pm.toml the API's address (not the web site's), and is no proxy or single sign-on page in the way?"
    )]
    NotJson {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What came instead (`HTML`, `text/plain`, `malformed JSON (…)`).
        what: String,
    },
    /// Rate limited for longer than pm waits, or still after every attempt.
    #[error(
        "{tracker}: {url} is rate limiting pm (retry after {seconds} s); run `pm sync` again later"
    )]
    RateLimited {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// How long the tracker asked to wait.
        seconds: u64,
    },
    /// Any other unexpected answer.
    #[error("{tracker}: {url} answered {status}: {message}")]
    Status {
        /// The tracker's name.
        tracker: String,
        /// What was asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
}

impl HttpError {
    /// The token was refused: nothing later will work either.
    pub fn is_auth(&self) -> bool {
        matches!(self, HttpError::Auth { .. })
    }
}

/// What a request may do when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// A read: may be repeated after a timeout or a server error.
    Idempotent,
    /// Creates something: repeated only when the server said it did not process it (429).
    Creates,
}

/// A client for one tracker.
pub struct Client {
    agent: ureq::Agent,
    tracker: String,
    base: String,
    headers: Vec<(&'static str, String)>,
    token_var: String,
    scopes: String,
    retry: Retry,
    timeout: Duration,
    requests: AtomicUsize,
}

impl Client {
    /// A client for the tracker `tracker` at `base` (no trailing slash), sending `headers`
    /// (authentication) with every request. `token_var` and `scopes` go into the message of a
    /// refused token.
    pub fn new(
        tracker: &str,
        base: &str,
        headers: Vec<(&'static str, String)>,
        token_var: &str,
        scopes: &str,
        timeout: Duration,
        retry: Retry,
    ) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(timeout))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout))
            .user_agent(format!("pm/{} (postmortem sync)", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            tracker: tracker.to_owned(),
            base: base.trim_end_matches('/').to_owned(),
            headers,
            token_var: token_var.to_owned(),
            scopes: scopes.to_owned(),
            retry,
            timeout,
            requests: AtomicUsize::new(0),
        }
    }

    /// The API base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The tracker's name.
    pub fn tracker(&self) -> &str {
        &self.tracker
    }

    /// HTTP requests sent so far (retries included).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// `GET` of `path` (relative to the base, or an absolute URL).
    pub fn get(&self, path: &str) -> Result<Reply, HttpError> {
        self.send("GET", path, None, Safety::Idempotent)
    }

    /// `POST` of a JSON `body`.
    pub fn post(&self, path: &str, body: &Value, safety: Safety) -> Result<Reply, HttpError> {
        self.send("POST", path, Some(body), safety)
    }

    /// An error for an answer the provider did not expect.
    pub fn unexpected(&self, path: &str, reply: &Reply) -> HttpError {
        HttpError::Status {
            tracker: self.tracker.clone(),
            url: self.url(path),
            status: reply.status,
            message: server_message(&reply.json).unwrap_or_else(|| "unexpected answer".into()),
        }
    }

    /// An error for a JSON answer of the wrong shape.
    pub fn malformed(&self, path: &str, status: u16, what: &str) -> HttpError {
        HttpError::NotJson {
            tracker: self.tracker.clone(),
            url: self.url(path),
            status,
            what: format!("JSON of an unexpected shape ({what})"),
        }
    }

    /// A token the server refused in its own words (a GraphQL authentication error, with status
    /// 200 or 400), reported as a 401 or 403 is: it stops the run the same way.
    pub fn refused(&self, path: &str, status: u16, detail: &str) -> HttpError {
        HttpError::Auth {
            tracker: self.tracker.clone(),
            url: self.url(path),
            status,
            var: self.token_var.clone(),
            detail: if detail.is_empty() { String::new() } else { format!(": {detail}") },
            scopes: self.scopes.clone(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}/{}", self.base, path.trim_start_matches('/'))
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        safety: Safety,
    ) -> Result<Reply, HttpError> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            let backoff = self.retry.base_delay.saturating_mul(1 << (attempt - 1).min(16));
            let outcome = self.once(method, &url, body);
            let wait = match &outcome {
                Ok((reply, _)) if reply.status == 429 => {
                    Some(rate_limit_wait(reply).unwrap_or(backoff))
                }
                Ok((reply, _)) if is_rate_limited_403(reply) || is_rate_limited_graphql(reply) => {
                    Some(rate_limit_wait(reply).unwrap_or(backoff))
                }
                Ok((reply, _))
                    if safety == Safety::Idempotent
                        && matches!(reply.status, 500 | 502 | 503 | 504) =>
                {
                    Some(rate_limit_wait(reply).unwrap_or(backoff))
                }
                Err(
                    HttpError::Timeout { .. }
                    | HttpError::ConnectTimeout { .. }
                    | HttpError::Unreachable { .. },
                ) if safety == Safety::Idempotent => Some(backoff),
                _ => None,
            };
            match (wait, outcome) {
                (Some(wait), outcome) if !last && wait <= self.retry.max_wait => {
                    std::thread::sleep(wait);
                    drop(outcome);
                }
                (Some(wait), Ok((reply, _)))
                    if reply.status == 429
                        || is_rate_limited_403(&reply)
                        || is_rate_limited_graphql(&reply) =>
                {
                    return Err(HttpError::RateLimited {
                        tracker: self.tracker.clone(),
                        url,
                        seconds: wait.as_secs().max(1),
                    });
                }
                (_, Ok((reply, raw))) => return self.finish(&url, reply, raw),
                (_, Err(e)) => return Err(e),
            }
        }
    }

    /// One exchange: the reply with its body parsed if it is JSON, and the raw body's kind.
    fn once(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(Reply, Raw), HttpError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = ureq::http::Request::builder().method(method).uri(url);
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        request = request.header("accept", "application/json");
        let result = match body {
            Some(body) => {
                let request = request
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .map_err(|e| self.unreachable(url, e.to_string()))?;
                self.agent.run(request)
            }
            None => {
                let request = request.body(()).map_err(|e| self.unreachable(url, e.to_string()))?;
                self.agent.run(request)
            }
        };
        let mut response = result.map_err(|e| self.exchange(url, e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                Some((n.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned()))
            })
            .collect();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| self.transport(url, e))?;
        let (json, raw) = if text.trim().is_empty() {
            (Value::Null, Raw::Empty)
        } else {
            match serde_json::from_str::<Value>(&text) {
                Ok(json) => (json, Raw::Json),
                Err(e) if content_type.contains("html") || text.trim_start().starts_with('<') => {
                    let _ = e;
                    (Value::Null, Raw::Html)
                }
                Err(e) if content_type.contains("json") => {
                    (Value::Null, Raw::Malformed(e.to_string()))
                }
                Err(_) => (Value::Null, Raw::Other(content_type.clone())),
            }
        };
        Ok((Reply { status, json, headers }, raw))
    }

    /// Turns a final reply into the caller's answer or an error.
    fn finish(&self, url: &str, reply: Reply, raw: Raw) -> Result<Reply, HttpError> {
        if matches!(reply.status, 401 | 403) {
            let detail = server_message(&reply.json).map(|m| format!(": {m}")).unwrap_or_default();
            return Err(HttpError::Auth {
                tracker: self.tracker.clone(),
                url: url.to_owned(),
                status: reply.status,
                var: self.token_var.clone(),
                detail,
                scopes: self.scopes.clone(),
            });
        }
        let what = match raw {
            Raw::Json | Raw::Empty => return Ok(reply),
            // A 404 page may well be HTML: the caller only needs the status.
            _ if reply.status == 404 => return Ok(reply),
            Raw::Html => "an HTML page".to_owned(),
            Raw::Malformed(e) => format!("malformed JSON ({e})"),
            Raw::Other(t) if t.is_empty() => "a body without a content type".to_owned(),
            Raw::Other(t) => format!("`{t}`"),
        };
        Err(HttpError::NotJson {
            tracker: self.tracker.clone(),
            url: url.to_owned(),
            status: reply.status,
            what,
        })
    }

    fn unreachable(&self, url: &str, message: String) -> HttpError {
        HttpError::Unreachable { tracker: self.tracker.clone(), url: url.to_owned(), message }
    }

    /// An error while connecting, sending the request or waiting for the answer's head.
    fn exchange(&self, url: &str, e: ureq::Error) -> HttpError {
        let https = url.starts_with("https://");
        match e {
            // rustls reports a failed TLS exchange (a certificate it does not trust, an answer
            // that is not TLS: `https` on a plain-HTTP port) as an `InvalidData` I/O error, and
            // ureq passes it on as I/O.
            ureq::Error::Io(ref io) if https && io.kind() == std::io::ErrorKind::InvalidData => {
                HttpError::Tls {
                    tracker: self.tracker.clone(),
                    url: url.to_owned(),
                    message: e.to_string(),
                }
            }
            ureq::Error::Timeout(ureq::Timeout::Connect) => HttpError::ConnectTimeout {
                tracker: self.tracker.clone(),
                url: url.to_owned(),
                seconds: self.timeout.as_secs().max(1),
                what: if https {
                    "the TCP connection or its TLS handshake"
                } else {
                    "the TCP connection"
                },
            },
            e => self.transport(url, e),
        }
    }

    fn transport(&self, url: &str, e: ureq::Error) -> HttpError {
        match e {
            ureq::Error::Timeout(_) => HttpError::Timeout {
                tracker: self.tracker.clone(),
                url: url.to_owned(),
                seconds: self.timeout.as_secs().max(1),
            },
            ureq::Error::Io(ref io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                HttpError::Timeout {
                    tracker: self.tracker.clone(),
                    url: url.to_owned(),
                    seconds: self.timeout.as_secs().max(1),
                }
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => {
                HttpError::Tls {
                    tracker: self.tracker.clone(),
                    url: url.to_owned(),
                    message: e.to_string(),
                }
            }
            other => self.unreachable(url, other.to_string()),
        }
    }
}

enum Raw {
    Json,
    Empty,
    Html,
    Malformed(String),
    Other(String),
}

/// GitHub answers a spent rate limit with 403 and `x-ratelimit-remaining: 0`, and a secondary
/// limit with 403 and `retry-after`: neither is a refused token.
fn is_rate_limited_403(reply: &Reply) -> bool {
    reply.status == 403
        && (reply.header("x-ratelimit-remaining") == Some("0")
            || reply.header("retry-after").is_some())
}

/// Linear's rate limit, told as a GraphQL error rather than (or as well as) a 429.
fn is_rate_limited_graphql(reply: &Reply) -> bool {
    reply.json.get("errors").and_then(Value::as_array).is_some_and(|errors| {
        errors
            .iter()
            .any(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some("RATELIMITED"))
    })
}

/// How long the server asked to wait, from `Retry-After` or a rate-limit reset header.
fn rate_limit_wait(reply: &Reply) -> Option<Duration> {
    if let Some(value) = reply.header("retry-after") {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        let at = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(value).ok()?;
        return Some(until(at.as_millisecond()));
    }
    for name in ["x-ratelimit-reset", "ratelimit-reset"] {
        if let Some(epoch) = reply.header(name).and_then(|v| v.trim().parse::<i64>().ok()) {
            return Some(until(epoch.saturating_mul(1000)));
        }
    }
    let epoch_ms = reply.header("x-ratelimit-requests-reset")?.trim().parse::<i64>().ok()?;
    Some(until(epoch_ms))
}

fn until(epoch_ms: i64) -> Duration {
    let now = jiff::Timestamp::now().as_millisecond();
    Duration::from_millis(u64::try_from(epoch_ms.saturating_sub(now)).unwrap_or(0))
}

/// `text` as one URL path segment or query value: every byte but RFC 3986's unreserved ones
/// percent-encoded (so GitLab's `group/sub/project` becomes one segment, `%2F` and all).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The human message in a tracker's error body: GitHub and GitLab `message` (GitLab's
/// refused parameters: `error`), Jira `errorMessages` and its field errors (`errors` by
/// field), GraphQL `errors[].message`.
pub fn server_message(json: &Value) -> Option<String> {
    if let Some(m) = json.get("message").or_else(|| json.get("error")).and_then(Value::as_str) {
        return Some(m.to_owned());
    }
    let mut messages: Vec<String> = Vec::new();
    for name in ["errorMessages", "errors"] {
        match json.get(name) {
            Some(Value::Array(list)) => messages.extend(
                list.iter()
                    .filter_map(|e| e.as_str().or_else(|| e.get("message")?.as_str()))
                    .map(str::to_owned),
            ),
            Some(Value::Object(fields)) => messages.extend(
                fields.iter().filter_map(|(field, m)| Some(format!("{field}: {}", m.as_str()?))),
            ),
            _ => {}
        }
    }
    (!messages.is_empty()).then(|| messages.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(headers: &[(&str, &str)]) -> Reply {
        Reply {
            status: 429,
            json: Value::Null,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn waits_as_long_as_the_server_asks() {
        assert_eq!(rate_limit_wait(&reply(&[("retry-after", "3")])), Some(Duration::from_secs(3)));
        let soon = jiff::Timestamp::now().as_second() + 30;
        let wait =
            rate_limit_wait(&reply(&[("x-ratelimit-reset", &soon.to_string())])).expect("wait");
        assert!((28..=30).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(
            rate_limit_wait(&reply(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(rate_limit_wait(&reply(&[])), None);
    }

    #[test]
    fn finds_the_servers_words() {
        let m = |j: &str| server_message(&serde_json::from_str(j).expect("json"));
        assert_eq!(m(r#"{"message":"Bad credentials"}"#).as_deref(), Some("Bad credentials"));
        assert_eq!(m(r#"{"errorMessages":["a","b"],"errors":{}}"#).as_deref(), Some("a; b"));
        assert_eq!(m(r#"{"errors":[{"message":"x"}]}"#).as_deref(), Some("x"));
        assert_eq!(
            m(r#"{"errorMessages":[],"errors":{"summary":"You must specify a summary"}}"#)
                .as_deref(),
            Some("summary: You must specify a summary")
        );
        assert_eq!(m(r#"{"error":"title is missing"}"#).as_deref(), Some("title is missing"));
        assert_eq!(m(r#"{"errorMessages":[],"errors":{}}"#), None);
    }
}

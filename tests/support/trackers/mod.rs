//! A local tracker: one HTTP server on `127.0.0.1:<free port>` that speaks the documented JSON of
//! GitHub (GraphQL), GitLab (REST v4), Jira (REST v3 `search/jql` and v2 `search`) and Linear
//! (GraphQL) over an in-memory set of issues, to which the issues `pm sync --create` files are
//! added, so `pm sync` is tested end to end without the internet.
//!
//! Tests script trouble on it: a latency per request, and a queue of faults served one per
//! request before normal answers resume (a status with headers and a body, a delay longer than
//! the client's timeout, HTML, malformed JSON). It records every request (method, URL, headers,
//! body) for assertions such as "the token went in this header" or "this many requests".

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};
use tiny_http::{Header, Response, Server};

mod github;
mod gitlab;
mod jira;
mod linear;

pub use linear::id as linear_id;

/// The issues a fake knows, by key.
type Issues = BTreeMap<String, Issue>;

/// The descriptions of the issues filed through a fake, by key.
type Bodies = BTreeMap<String, String>;

/// One issue the fake trackers know.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The canonical key: `owner/repo#12` (GitHub), `group/project#12` (GitLab), `PAY-12` (Jira,
    /// Linear).
    pub key: String,
    /// GitHub: `OPEN`/`CLOSED`; GitLab: `opened`/`closed`; Jira: the status category key
    /// (`new`, `indeterminate`, `done`); Linear: the state type (`unstarted`, `started`,
    /// `completed`, `canceled`).
    pub state: String,
    /// GitHub `stateReason` (`COMPLETED`, `NOT_PLANNED`, `DUPLICATE`), Jira resolution name,
    /// GitLab label such as `wontfix`; `None` for none.
    pub reason: Option<String>,
    /// The tracker's own name of the state (Jira status name, Linear state name).
    pub name: String,
    /// Assignee login (or email for Jira and Linear).
    pub assignee: Option<String>,
    /// Last update, RFC 3339.
    pub updated_at: String,
    /// Closing time, RFC 3339.
    pub closed_at: Option<String>,
    /// Where it moved: the key it answers to now.
    pub moved_to: Option<String>,
}

impl Issue {
    /// An issue in `state`, updated and (for a closed state) closed at fixed times.
    pub fn new(key: &str, state: &str) -> Self {
        let closed = matches!(state, "CLOSED" | "closed" | "done" | "completed" | "canceled");
        Self {
            key: key.to_owned(),
            state: state.to_owned(),
            reason: None,
            name: state.to_owned(),
            assignee: None,
            updated_at: "2026-11-20T10:00:00Z".to_owned(),
            closed_at: closed.then(|| "2026-11-20T10:00:00Z".to_owned()),
            moved_to: None,
        }
    }

    /// With a close reason.
    pub fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_owned());
        self
    }

    /// With the tracker's own name of its state (`In Review`).
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Assigned to `who`.
    pub fn assignee(mut self, who: &str) -> Self {
        self.assignee = Some(who.to_owned());
        self
    }

    /// Answering from its new key `to`.
    pub fn moved(mut self, to: &str) -> Self {
        self.moved_to = Some(to.to_owned());
        self
    }
}

/// A scripted answer, served instead of the real one.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status, headers and body.
    Status(u16, Vec<(String, String)>, String),
    /// Wait this long, then answer normally (longer than the client's timeout: a timeout).
    Slow(Duration),
    /// An HTML page with status 200.
    Html,
    /// `{"data": ` and nothing more, as `application/json`.
    Malformed,
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`.
    pub method: String,
    /// Path and query.
    pub url: String,
    /// Headers, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Seen {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The path, without the query.
    fn path(&self) -> &str {
        self.url.split_once('?').map_or(&self.url, |(path, _)| path)
    }

    /// The query, without the `?` (empty when there is none).
    fn query(&self) -> &str {
        self.url.split_once('?').map_or("", |(_, query)| query)
    }

    /// The body as JSON, if it is JSON.
    fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// The number after the highest one of the keys that start with `prefix` (`acme/api#`, `PAY-`):
/// where a fake files its next issue.
fn next_number(issues: &Issues, prefix: &str) -> u64 {
    let numbers = issues.keys().filter_map(|k| k.strip_prefix(prefix)?.parse::<u64>().ok());
    numbers.max().unwrap_or(0) + 1
}

/// The issue `issue` is now: itself, or the one it moved to (its old self under the new key
/// when the fake does not know that one).
fn current(issues: &Issues, issue: &Issue) -> Issue {
    match &issue.moved_to {
        Some(to) => {
            issues.get(to).cloned().unwrap_or_else(|| Issue { key: to.clone(), ..issue.clone() })
        }
        None => issue.clone(),
    }
}

#[derive(Default)]
struct State {
    issues: Issues,
    /// Descriptions of the issues filed through the fake (by key), for its search.
    bodies: Bodies,
    /// The most issues a page holds, instead of each fake's small default.
    page_size: Option<usize>,
    faults: VecDeque<Fault>,
    latency: Duration,
    seen: Vec<Seen>,
    token: Option<String>,
}

/// The running fake; stops when dropped.
pub struct FakeTracker {
    server: Arc<Server>,
    port: u16,
    state: Arc<Mutex<State>>,
    threads: Vec<JoinHandle<()>>,
}

impl FakeTracker {
    /// Starts a server that knows `issues`, answering with `workers` threads (concurrent
    /// requests are served in parallel, as a real tracker would).
    pub fn start(issues: Vec<Issue>) -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let state = Arc::new(Mutex::new(State {
            issues: issues.into_iter().map(|i| (i.key.clone(), i)).collect(),
            ..State::default()
        }));
        let threads = (0..8)
            .map(|_| {
                let server = Arc::clone(&server);
                let state = Arc::clone(&state);
                std::thread::spawn(move || {
                    for request in server.incoming_requests() {
                        serve(&state, request);
                    }
                })
            })
            .collect();
        Self { server, port, state, threads }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Requires this token (in whichever header the provider uses); a request without it gets
    /// 401.
    pub fn require_token(&self, token: &str) {
        self.state.lock().expect("state").token = Some(token.to_owned());
    }

    /// Serves `fault` to the next request that has none queued before it.
    pub fn fault(&self, fault: Fault) {
        self.state.lock().expect("state").faults.push_back(fault);
    }

    /// Pages hold up to `size` issues, as the real trackers' 100, instead of the handful that
    /// makes small tests page.
    #[allow(dead_code, reason = "used by the sync benchmark")]
    pub fn page_size(&self, size: usize) {
        self.state.lock().expect("state").page_size = Some(size);
    }

    /// Delays every answer by `latency`.
    #[allow(dead_code, reason = "used by the sync benchmark")]
    pub fn latency(&self, latency: Duration) {
        self.state.lock().expect("state").latency = latency;
    }

    /// The description of the issue `key` filed through the fake.
    pub fn body(&self, key: &str) -> Option<String> {
        self.state.lock().expect("state").bodies.get(key).cloned()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("state").seen.clone()
    }

    /// The requests so far with this method and exactly this path and query.
    pub fn requests(&self, method: &str, url: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.method == method && s.url == url).collect()
    }
}

impl Drop for FakeTracker {
    fn drop(&mut self) {
        self.server.unblock();
        for _ in 1..self.threads.len() {
            self.server.unblock();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

fn serve(state: &Mutex<State>, mut request: tiny_http::Request) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let seen = Seen {
        method: request.method().as_str().to_owned(),
        url: request.url().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.as_str().to_owned()))
            .collect(),
        body,
    };
    let (fault, latency, authorised) = {
        let mut state = state.lock().expect("state");
        state.seen.push(seen.clone());
        let authorised = state.token.as_ref().is_none_or(|token| {
            seen.headers.iter().any(|(name, value)| {
                matches!(name.as_str(), "authorization" | "private-token")
                    && value.contains(token.as_str())
            })
        });
        (state.faults.pop_front(), state.latency, authorised)
    };
    std::thread::sleep(latency);
    let (status, headers, body) = match fault {
        Some(Fault::Status(status, headers, body)) => (status, headers, body),
        Some(Fault::Html) => (
            200,
            vec![("content-type".into(), "text/html; charset=utf-8".into())],
            "<!doctype html><html><body><h1>Sign in</h1></body></html>".into(),
        ),
        Some(Fault::Malformed) => (200, json_type(), "{\"data\": ".into()),
        Some(Fault::Slow(delay)) => {
            std::thread::sleep(delay);
            answer(state, &seen)
        }
        None if !authorised => {
            (401, json_type(), json!({"message": "Bad credentials"}).to_string())
        }
        None => answer(state, &seen),
    };
    let mut response = Response::from_string(body).with_status_code(status);
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    let _ = request.respond(response);
}

fn json_type() -> Vec<(String, String)> {
    vec![("content-type".into(), "application/json; charset=utf-8".into())]
}

/// The normal answer: the first provider that recognises the request answers it.
fn answer(state: &Mutex<State>, seen: &Seen) -> (u16, Vec<(String, String)>, String) {
    let mut state = state.lock().expect("state");
    let state = &mut *state;
    let reply = github::filed(&mut state.issues, &mut state.bodies, seen)
        .or_else(|| gitlab::filed(&mut state.issues, &mut state.bodies, seen))
        .or_else(|| jira::filed(&mut state.issues, &mut state.bodies, seen))
        .or_else(|| linear::filed(&mut state.issues, &mut state.bodies, seen))
        .or_else(|| github::answer(&state.issues, seen))
        .or_else(|| gitlab::answer(&state.issues, seen, state.page_size))
        .or_else(|| jira::answer(&state.issues, seen, state.page_size))
        .or_else(|| linear::answer(&state.issues, seen, state.page_size))
        .unwrap_or_else(|| Reply::json(404, json!({"message": "Not Found"})));
    let mut headers = reply.headers;
    headers.extend(json_type());
    (reply.status, headers, reply.body.to_string())
}

/// A provider's normal answer.
pub struct Reply {
    /// The status.
    pub status: u16,
    /// Extra headers (pagination: `link`, `x-next-page`).
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Value,
}

impl Reply {
    /// `status` with a JSON body and no extra header.
    pub fn json(status: u16, body: Value) -> Self {
        Self { status, headers: Vec::new(), body }
    }
}

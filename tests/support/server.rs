//! A tiny static file server for the browser tests' http cases: serves one folder on
//! `127.0.0.1:<free port>` from a thread, optionally under a path prefix (`/pm/`) so a site
//! published under a subpath can be tested, with the content types a real web server sends.
//! It also remembers every path it was asked for.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use pm::cmd::serve::{content_type, percent_decode};
use tiny_http::{Header, Response, Server};

/// A running server; stops when dropped.
pub struct StaticServer {
    server: Arc<Server>,
    port: u16,
    prefix: String,
    served: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` at `http://127.0.0.1:PORT{prefix}`; `prefix` starts and ends with `/`
    /// (`"/"` for the domain root). Paths outside the prefix get a 404.
    pub fn serve(root: &Path, prefix: &str) -> Self {
        assert!(prefix.starts_with('/') && prefix.ends_with('/'), "prefix {prefix:?}");
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let served = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let served = Arc::clone(&served);
            let root = root.to_path_buf();
            let prefix = prefix.to_owned();
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let url = request.url().to_owned();
                    served.lock().expect("served log").push(url.clone());
                    let response = match resolve(&root, &prefix, &url) {
                        Some(path) => match std::fs::read(&path) {
                            Ok(bytes) => Response::from_data(bytes)
                                .with_header(header("Content-Type", content_type(&path)))
                                .with_header(header("X-Content-Type-Options", "nosniff"))
                                .with_header(header("Cache-Control", "no-store")),
                            Err(_) => not_found(),
                        },
                        None => not_found(),
                    };
                    // The browser may have gone away (a navigation cancels pending loads).
                    let _ = request.respond(response);
                }
            })
        };
        Self { server, port, prefix: prefix.to_owned(), served, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): every request of a served site starts so.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The URL of `rel` (a path relative to the served folder, may carry a query).
    pub fn url(&self, rel: &str) -> String {
        format!("{}{}{rel}", self.origin(), self.prefix)
    }

    /// Every request target asked for so far (path and query), in order.
    pub fn served(&self) -> Vec<String> {
        self.served.lock().expect("served log").clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

fn not_found() -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(b"not found\n".to_vec())
        .with_status_code(404)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// The file a request target names, or `None` (outside the prefix, a `..`, not a file).
/// A path ending in `/` names its `index.html`, as on GitHub Pages.
fn resolve(root: &Path, prefix: &str, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let rel = path.strip_prefix(prefix)?;
    let rel = percent_decode(rel)?;
    let mut file = root.to_path_buf();
    for piece in rel.split('/') {
        match piece {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') => return None,
            p => file.push(p),
        }
    }
    if rel.is_empty() || rel.ends_with('/') {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

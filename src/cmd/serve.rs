//! `pm serve`: build the site into a private folder, serve it on localhost, and rebuild when a
//! postmortem, `pm.toml` or the theme changes. Open pages reload themselves after a rebuild.
//!
//! Change detection polls file metadata twice a second (no watcher dependency; a repository of
//! thousands of files is scanned in milliseconds). The reload script is added to HTML responses
//! by the server only, so the built files are exactly what `pm build` writes.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::cmd::{Global, Outcome, Today};
use crate::site::{self, Options};

/// Options of `pm serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, short = 'p', default_value_t = 8000)]
    pub port: u16,

    /// Address to listen on. Keep the default unless others on your network should see the
    /// site.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Do not add the live-reload script to pages.
    #[arg(long)]
    pub no_reload: bool,
}

const RELOAD_PATH: &str = "/__pm/reload";

const RELOAD_SCRIPT: &str = "<script>(function(){var v=null;function poll(){fetch(\"/__pm/reload\",{cache:\"no-store\"}).then(function(r){return r.text();}).then(function(t){if(v!==null&&t!==v){location.reload();}v=t;setTimeout(poll,1000);},function(){setTimeout(poll,2000);});}poll();})();</script>\n";

/// Runs `pm serve` (until interrupted).
pub fn run(global: &Global, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let root = workspace.root.clone();
    let out = std::env::temp_dir()
        .join(format!("pm-serve-{:016x}", fnv(root.to_string_lossy().as_bytes())))
        .join("site");
    let today = args.today;
    let build = {
        let out = out.clone();
        let cwd = global.cwd.clone();
        move || -> anyhow::Result<()> {
            let workspace = crate::config::Workspace::open(root.clone())?;
            let today = today.resolve(&workspace.config);
            let options = Options {
                out: out.clone(),
                today,
                strict: false,
                progress: std::io::stderr().is_terminal(),
            };
            // The same warnings as `pm build`, on every rebuild: a file that stops parsing or
            // a search index over its budget shows up while the author is editing.
            if let site::BuildOutcome::Built(built) =
                crate::cmd::build::build_site(workspace, &options)?
            {
                crate::cmd::build::report_skipped(&built.skipped);
                crate::cmd::build::report_warnings(&built);
                eprintln!("{}", crate::cmd::build::summary(&built, &cwd));
            }
            Ok(())
        }
    };
    build()?;

    let server = tiny_http::Server::http((args.bind.as_str(), args.port))
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("{}:{}", args.bind, args.port), |a| a.to_string());
    println!("Serving {} at http://{address}/ (Ctrl-C to stop)", workspace.root.display());

    let version = Arc::new(AtomicU64::new(1));
    {
        let version = Arc::clone(&version);
        let watched = watched_paths(&workspace);
        std::thread::spawn(move || {
            let mut last = fingerprint(&watched);
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let now = fingerprint(&watched);
                if now == last {
                    continue;
                }
                last = now;
                match build() {
                    Ok(()) => {
                        version.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => eprintln!("error: {e:#} (still serving the previous build)"),
                }
            }
        });
    }

    let reload = !args.no_reload;
    for request in server.incoming_requests() {
        let response = respond(&out, request.url(), reload, version.load(Ordering::Relaxed));
        // A client that went away is not our problem.
        let _ = request.respond(response);
    }
    Ok(Outcome::Clean)
}

/// The files whose changes trigger a rebuild.
fn watched_paths(workspace: &crate::config::Workspace) -> Vec<PathBuf> {
    vec![
        workspace.root.join(crate::config::FILE_NAME),
        workspace.root.join(&workspace.config.postmortems),
        workspace.root.join(crate::site::theme::DIR),
    ]
}

/// Names, sizes and modification times of every file under `paths`, folded into one number.
fn fingerprint(paths: &[PathBuf]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                children.sort();
                stack.extend(children);
            }
            continue;
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        hash = fold(hash, path.to_string_lossy().as_bytes());
        hash = fold(hash, &meta.len().to_le_bytes());
        hash = fold(hash, &modified.to_le_bytes());
    }
    hash
}

fn fnv(bytes: &[u8]) -> u64 {
    fold(0xcbf2_9ce4_8422_2325, bytes)
}

fn fold(mut hash: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

/// Answers one request from the site folder `dir`.
fn respond(dir: &Path, url: &str, reload: bool, version: u64) -> Response {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    if path == RELOAD_PATH {
        return with_type(
            tiny_http::Response::from_data(version.to_string().into_bytes()),
            "text/plain; charset=utf-8",
        );
    }
    let Some(rel) = safe_relative(path) else {
        return with_type(
            tiny_http::Response::from_data(b"bad request".to_vec()).with_status_code(400),
            "text/plain; charset=utf-8",
        );
    };
    let mut file = dir.join(&rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let (file, status) = if file.is_file() { (file, 200) } else { (dir.join("404.html"), 404) };
    let Ok(mut bytes) = std::fs::read(&file) else {
        return with_type(
            tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
            "text/plain; charset=utf-8",
        );
    };
    let content_type = content_type(&file);
    if reload && content_type.starts_with("text/html") {
        bytes = inject(bytes);
    }
    with_type(tiny_http::Response::from_data(bytes).with_status_code(status), content_type)
}

fn with_type(response: Response, content_type: &str) -> Response {
    match tiny_http::Header::from_bytes("Content-Type", content_type) {
        Ok(header) => response.with_header(header),
        Err(()) => response,
    }
}

/// The URL path as a relative file path, percent-decoded; `None` when it tries to leave the
/// site folder.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut rel = PathBuf::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') || p.contains('\0') => return None,
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
}

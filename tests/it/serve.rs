//! `pm serve` under hostile clients, spoken to in raw HTTP over `TcpStream`: the real binary,
//! started on a free port (`--port 0`) with its own `TMPDIR`.
//!
//! - A request whose `Host` is not one of the server's own names (DNS rebinding: a page on
//!   `evil.example` resolved to 127.0.0.1) is refused with 421, as are a missing or doubled
//!   `Host`, an absolute request target (which names a host of its own) and another port.
//! - A client that asks for a 24 MB file and never reads it does not delay another client; nor
//!   do connections that never send a request.
//! - Hundreds of half-open connections, more than the process may have file descriptors
//!   (`prlimit --nofile`), do not end it: it keeps running and serves again once they go.
//! - The site is built in a fresh folder of `TMPDIR`, mode 0700, with an unpredictable name; a
//!   folder at the old predictable name, made by someone else, is left alone.
//!
//! - SIGTERM and SIGINT stop it promptly with status 0, and its temporary folder goes with it.
//!
//! What a request gets, as a function of its bytes, is also fuzzed (`fuzz/`: `serve_request`)
//! and property-tested (`tests/it/properties.rs`).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::fs::fixture_copy;
use crate::support::run;

/// A running `pm serve`, killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Serve {
    /// Starts `pm serve --port 0` on the repository `root`, with `tmp` as its `TMPDIR`, behind
    /// the command `wrapper` (e.g. `prlimit …`), if any; waits until it listens.
    fn start(root: &Path, tmp: &Path, wrapper: &[&str]) -> Self {
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = run::program(program);
                c.args(args).arg(run::BIN);
                c
            }
            None => run::program(run::BIN),
        };
        command
            .args(["serve", "--port", "0", "--no-reload", "--today", "2026-03-10"])
            .current_dir(root)
            .env("TMPDIR", tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("start pm serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read the first line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Self { child, addr }
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn try_connect(&self) -> Option<TcpStream> {
        let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
        Some(stream)
    }

    fn connect(&self) -> TcpStream {
        self.try_connect().expect("connect")
    }

    /// Sends `request` on a new connection and reads the whole response: its status (0 when
    /// there is none) and text.
    fn try_send(&self, request: &str) -> Option<(u16, String)> {
        let mut stream = self.try_connect()?;
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Some((status, text))
    }

    fn send(&self, request: &str) -> (u16, String) {
        self.try_send(request).expect("connect")
    }

    /// `GET path` with `Host: 127.0.0.1:PORT`.
    fn get(&self, path: &str) -> (u16, String) {
        self.send(&format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", self.port()))
    }

    fn assert_running(&mut self) {
        let state = self.child.try_wait().expect("try_wait");
        assert!(state.is_none(), "pm serve ended: {state:?}");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_answers_only_its_own_host_names() {
    let (tmp, repo) = fixture_copy("tests/fixtures/minimal");
    let server = Serve::start(&repo, tmp.path(), &[]);
    let port = server.port();
    for host in
        [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("LocalHost:{port}")]
    {
        let (status, body) = server.send(&format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body.contains("<html"), "{host}: the home page");
    }
    let refused = [
        // DNS rebinding: the attacker's name, resolved to 127.0.0.1.
        (format!("GET / HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n"), 421),
        (format!("GET /postmortems.json HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n"), 421),
        (format!("GET / HTTP/1.1\r\nHost: 127.0.0.1.evil.example:{port}\r\n\r\n"), 421),
        (format!("GET / HTTP/1.1\r\nHost: localhost:{}\r\n\r\n", port.wrapping_add(1)), 421),
        ("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".to_owned(), 421),
        ("GET / HTTP/1.1\r\n\r\n".to_owned(), 400),
        (format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example\r\n\r\n"), 400),
        (format!("GET http://evil.example/ HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"), 400),
        ("GET / HTTP/1.1\r\nHost: evil.example\r\nX: y\r\n\r\n".to_owned(), 421),
    ];
    for (request, expected) in &refused {
        let (status, body) = server.send(request);
        assert_eq!(status, *expected, "{request:?}: {body}");
        assert!(!body.contains("<html"), "{request:?}: no page is sent");
    }
}

#[test]
fn a_client_that_never_reads_does_not_block_another() {
    let (tmp, repo) = fixture_copy("tests/fixtures/minimal");
    // 24 MB of theme asset: far more than the socket buffers hold.
    std::fs::create_dir_all(repo.join("site-theme")).expect("mkdir");
    std::fs::write(repo.join("site-theme/big.txt"), vec![b'x'; 24 << 20]).expect("big file");
    let server = Serve::start(&repo, tmp.path(), &[]);
    let port = server.port();
    let mut hogs = Vec::new();
    for _ in 0..3 {
        let mut hog = server.connect();
        let request = format!("GET /assets/big.txt HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
        hog.write_all(request.as_bytes()).expect("send");
        hogs.push(hog);
    }
    // Connections that never send a request at all, and one that stops half-way.
    let mut silent: Vec<TcpStream> = (0..4).map(|_| server.connect()).collect();
    let mut half = server.connect();
    half.write_all(b"GET / HTTP/1.1\r\nHost: loc").expect("send");
    silent.push(half);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (status, _) = server.get("/index.html");
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "the second client waited {took:?}");
    drop((hogs, silent));
}

#[cfg(target_os = "linux")]
#[test]
fn many_half_open_connections_do_not_end_it() {
    if run::program("prlimit").arg("--version").output().is_err() {
        eprintln!("skipped: prlimit is not installed");
        return;
    }
    let (tmp, repo) = fixture_copy("tests/fixtures/minimal");
    // Fewer file descriptors than connections: accepting runs out of them.
    let mut server = Serve::start(&repo, tmp.path(), &["prlimit", "--nofile=96:96", "--"]);
    let mut open = Vec::new();
    for _ in 0..600 {
        if let Ok(stream) = TcpStream::connect_timeout(&server.addr, Duration::from_millis(200)) {
            open.push(stream);
        }
    }
    std::thread::sleep(Duration::from_secs(1));
    server.assert_running();
    // Served again once the half-open connections time out, while they are still open.
    let deadline = Instant::now() + Duration::from_secs(30);
    let request = format!("GET /index.html HTTP/1.1\r\nHost: localhost:{}\r\n\r\n", server.port());
    let mut status = 0;
    while status != 200 && Instant::now() < deadline {
        status = server.try_send(&request).map_or(0, |(s, _)| s);
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(status, 200, "served again after the flood ({} connections open)", open.len());
    server.assert_running();
    drop(open);
    std::thread::sleep(Duration::from_millis(300));
    server.assert_running();
    assert_eq!(server.get("/").0, 200);
}

#[cfg(unix)]
#[test]
fn the_site_is_built_in_a_private_unpredictable_folder() {
    use std::os::unix::fs::PermissionsExt as _;
    let (tmp, repo) = fixture_copy("tests/fixtures/minimal");
    let temp = tmp.path().join("tmp");
    std::fs::create_dir_all(&temp).expect("mkdir");
    // What another user could have made at a predictable name: a link to a folder of the
    // victim's. It must not be used or touched.
    let victim = tmp.path().join("victim");
    std::fs::create_dir_all(&victim).expect("mkdir");
    std::fs::write(victim.join("keep.txt"), "mine").expect("write");
    std::os::unix::fs::symlink(&victim, temp.join("pm-serve-planted")).expect("symlink");
    let server = Serve::start(&repo, &temp, &[]);
    assert_eq!(server.get("/").0, 200);
    let made: Vec<_> = std::fs::read_dir(&temp)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.ends_with("pm-serve-planted"))
        .collect();
    assert_eq!(made.len(), 1, "one folder: {made:?}");
    let meta = std::fs::symlink_metadata(&made[0]).expect("meta");
    assert!(meta.is_dir(), "a real folder, not a link");
    assert_eq!(meta.permissions().mode() & 0o777, 0o700, "only its owner may enter it");
    let name = made[0].file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    assert!(name.starts_with("pm-serve-") && name.len() > "pm-serve-".len() + 4, "{name}");
    assert!(made[0].join("site/index.html").is_file());
    let kept: Vec<_> = std::fs::read_dir(&victim).expect("list").collect();
    assert_eq!(kept.len(), 1, "the planted link's target is untouched");
    // Another run picks another name.
    let again = Serve::start(&repo, &temp, &[]);
    assert_eq!(again.get("/").0, 200);
    assert_eq!(std::fs::read_dir(&temp).expect("list").count(), 3);
}

#[test]
fn a_signal_stops_it_promptly_and_removes_its_folder() {
    let (tmp, repo) = fixture_copy("tests/fixtures/minimal");
    for signal in ["-TERM", "-INT"] {
        let temp = tmp.path().join(format!("tmp{signal}"));
        std::fs::create_dir_all(&temp).expect("mkdir");
        let mut server = Serve::start(&repo, &temp, &[]);
        assert_eq!(server.get("/").0, 200);
        assert_eq!(std::fs::read_dir(&temp).expect("list").count(), 1, "its folder is there");
        let pid = server.child.id().to_string();
        let sent = std::process::Command::new("kill").args([signal, &pid]).status().expect("kill");
        assert!(sent.success());
        let asked = Instant::now();
        let status = loop {
            if let Some(status) = server.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(asked.elapsed() < Duration::from_secs(10), "{signal}: still running");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(0), "{signal}: {status:?}");
        let left: Vec<_> = std::fs::read_dir(&temp).expect("list").collect();
        assert!(left.is_empty(), "{signal}: left behind {left:?}");
    }
}

//! The connections of `pm serve`: a fixed pool of workers behind a bounded queue, and a
//! deadline on every step, so that no client can hold the server.
//!
//! Each connection carries one request (`Connection: close`). A client has [`HEAD_TIMEOUT`]
//! from the moment it was accepted to send its request head (a half-open connection that
//! sends nothing is dropped then, queued or not), and its response must be taken within
//! [`WRITE_TIMEOUT`] per write and [`RESPONSE_DEADLINE`] in all (a client that asks for a large
//! page and never reads it is dropped then). At most [`WORKERS`] connections are served at
//! once and [`QUEUE`] wait; a connection beyond those is answered 503 at once and closed, so
//! threads and file descriptors stay bounded however many connections are opened.
//!
//! Running out of file descriptors or memory while accepting is waited out; any other failure
//! to accept ends `pm serve` with an error (exit 2), never silently.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::http::{self, Hosts, MAX_HEAD, Response};

/// Connections served at once. Browsers open at most six connections to one host; the rest
/// is room for clients that are slow or silent until their deadline drops them.
pub const WORKERS: usize = 32;
/// Stack of a worker: it reads a head and a file into the heap, nothing deep.
const WORKER_STACK: usize = 256 * 1024;
/// Connections accepted and waiting for a worker.
pub const QUEUE: usize = 64;
/// Time from accepting a connection to having its request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for one write of a response to be taken by the client.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest time to send one response, from accepting its connection.
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(30);
/// Bytes written at a time, between checks of the deadline.
const CHUNK: usize = 64 * 1024;

/// What every worker needs to answer a request.
pub struct Context {
    /// The built site.
    pub site: PathBuf,
    /// The names the server answers to.
    pub hosts: Hosts,
    /// Whether to add the live-reload script.
    pub reload: bool,
    /// The current build's version.
    pub version: Arc<AtomicU64>,
}

/// Serves `listener` until accepting fails for good; the error says why it stopped.
pub fn serve(listener: &TcpListener, context: Context) -> anyhow::Error {
    let context = Arc::new(context);
    let (sender, receiver) = sync_channel::<(TcpStream, Instant)>(QUEUE);
    let receiver = Arc::new(Mutex::new(receiver));
    for n in 0..WORKERS {
        let receiver = Arc::clone(&receiver);
        let context = Arc::clone(&context);
        let started = std::thread::Builder::new()
            .name(format!("pm-serve-{n}"))
            .stack_size(WORKER_STACK)
            .spawn(move || work(&receiver, &context));
        if let Err(e) = started {
            return anyhow::Error::new(e).context("cannot start the threads that answer requests");
        }
    }
    accept(listener, &sender)
}

fn accept(listener: &TcpListener, sender: &SyncSender<(TcpStream, Instant)>) -> anyhow::Error {
    let mut starved = false;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                starved = false;
                match sender.try_send((stream, Instant::now())) {
                    Ok(()) => {}
                    Err(TrySendError::Full((stream, _))) => busy(stream),
                    Err(TrySendError::Disconnected(_)) => {
                        return anyhow::anyhow!(
                            "pm serve stopped: every thread answering requests has ended. Start \
                             it again"
                        );
                    }
                }
            }
            Err(e) if transient(&e) => {
                if !starved {
                    eprintln!(
                        "warning: cannot accept a connection ({e}); waiting for some to close"
                    );
                    starved = true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => {
                return anyhow::Error::new(e)
                    .context("pm serve stopped: it cannot accept connections any more");
            }
        }
    }
}

/// Failures to accept that pass: an aborted handshake, or file descriptors or memory running
/// out while other connections are open.
fn transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
            | ErrorKind::OutOfMemory
    ) || matches!(e.raw_os_error(), Some(12 | 23 | 24 | 105))
}

/// Answers a connection the queue has no room for: 503, without waiting on the client.
fn busy(mut stream: TcpStream) {
    let response = Response {
        status: 503,
        content_type: "text/plain; charset=utf-8",
        body: b"pm serve is busy; try again\n".to_vec(),
        head_only: false,
    };
    let _ = stream.set_nonblocking(true);
    let mut bytes = response.head();
    bytes.extend_from_slice(&response.body);
    // Whatever fits in the socket's buffer; the client is not waited for.
    let _ = stream.write(&bytes);
}

fn work(receiver: &Mutex<Receiver<(TcpStream, Instant)>>, context: &Context) {
    loop {
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok((stream, accepted)) = next else { return };
        // A client that misbehaves or goes away ends its own connection, nothing else.
        let _ = connection(stream, accepted, context);
    }
}

/// Reads one request from `stream` and answers it, within the deadlines.
fn connection(mut stream: TcpStream, accepted: Instant, context: &Context) -> std::io::Result<()> {
    let head_deadline = accepted + HEAD_TIMEOUT;
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 4096];
    let end = loop {
        if let Some(end) = http::head_end(&head) {
            break end;
        }
        if head.len() > MAX_HEAD {
            break head.len();
        }
        let Some(left) =
            head_deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
        else {
            return reply(&mut stream, accepted, &timeout());
        };
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => head.extend_from_slice(&buffer[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return reply(&mut stream, accepted, &timeout());
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    let response = http::answer(
        &context.site,
        &head[..end],
        &context.hosts,
        context.reload,
        context.version.load(Ordering::Relaxed),
    );
    reply(&mut stream, accepted, &response)
}

fn timeout() -> Response {
    Response {
        status: 408,
        content_type: "text/plain; charset=utf-8",
        body: b"no request received in time\n".to_vec(),
        head_only: false,
    }
}

/// Writes `response` in chunks, giving up at the deadline.
fn reply(stream: &mut TcpStream, accepted: Instant, response: &Response) -> std::io::Result<()> {
    let deadline = accepted + RESPONSE_DEADLINE;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let head = response.head();
    let body: &[u8] = if response.head_only { &[] } else { &response.body };
    for chunk in head.chunks(CHUNK).chain(body.chunks(CHUNK)) {
        if Instant::now() >= deadline {
            return Err(std::io::Error::new(ErrorKind::TimedOut, "response deadline"));
        }
        stream.write_all(chunk)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

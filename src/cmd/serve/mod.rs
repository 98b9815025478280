//! `pm serve`: build the site into a private folder, serve it on localhost, and rebuild when a
//! postmortem, `pm.toml` or the theme changes. Open pages reload themselves after a rebuild.
//!
//! Changes are seen as the system reports them, with a slow poll as a safety net ([`watch`]);
//! a rebuild reuses what the previous one made where its inputs are the same. The reload script
//! is added to HTML responses by the server only, so the built files are exactly what
//! `pm build` writes.
//!
//! What a request gets is [`http`] (a pure function of its bytes: the `Host` check against DNS
//! rebinding, the path, the file); how connections are served is [`conn`] (a bounded pool,
//! deadlines on reading and writing). The site is built into a fresh temporary folder that only
//! this user can enter, with a name nobody can predict: a folder at a fixed place under `/tmp`
//! could be made beforehand by another user of the machine, who could then read the
//! postmortems or swap the folder for a link and have the build replace files elsewhere.
//! Ctrl-C (SIGINT) and SIGTERM stop it at once, with the folder removed and exit status 0: the
//! signal is handled, not left to kill the process, so nothing private stays in `/tmp`.

pub mod conn;
pub mod http;
mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;

use crate::cmd::{Global, Outcome, Today};
use crate::site::{self, Options};

pub use http::{content_type, percent_decode};

/// Options of `pm serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, short = 'p', default_value_t = 8000)]
    pub port: u16,

    /// Address to listen on. Keep the default unless others on your network should see the
    /// site. Requests are answered only when their `Host` is this address (or name),
    /// localhost, 127.0.0.1 or [::1], with the port; bound to 0.0.0.0, any IP address.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,

    /// Do not add the live-reload script to pages.
    #[arg(long)]
    pub no_reload: bool,
}

/// Runs `pm serve` until interrupted, or until serving fails (an error: exit 2).
pub fn run(global: &Global, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let root = workspace.root.clone();
    // Removed when `pm serve` returns, and on Ctrl-C or SIGTERM (see `stop` below).
    let mut private = tempfile::Builder::new();
    private.prefix("pm-serve-");
    #[cfg(unix)]
    private.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let private = private
        .tempdir()
        .context("cannot create a private temporary folder for the site (is TMPDIR writable?)")?;
    let out = private.path().join("site");
    let (stop, stopped) = std::sync::mpsc::channel::<Stop>();
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || {
            let _ = stop.send(Stop::Signal);
        })
        .context("cannot handle Ctrl-C and SIGTERM")?;
    }
    // A rebuild holds this while it writes into the folder, so the folder is not removed from
    // under it.
    let building = Arc::new(std::sync::Mutex::new(()));
    let today = args.today;
    let build = {
        let out = out.clone();
        let cwd = global.cwd.clone();
        // Each rebuild parses and checks only the files saved since the previous one, and
        // tokenizes for the search index only the chunks of documents that hold them.
        let memo = crate::cmd::build::Memo::default();
        move || -> anyhow::Result<()> {
            let workspace = crate::config::Workspace::open(root.clone())?;
            let today = today.resolve(&workspace.config);
            let options = Options {
                out: out.clone(),
                today,
                strict: false,
                progress: std::io::stderr().is_terminal(),
                // Each rebuild renders only the pages whose inputs changed.
                cache: true,
            };
            // The same warnings as `pm build`, on every rebuild: a file that stops parsing or
            // a search index over its budget shows up while the author is editing.
            if let site::BuildOutcome::Built(built) =
                crate::cmd::build::build_site(workspace, &options, Some(&memo))?
            {
                crate::cmd::build::report_skipped(&built.skipped);
                crate::cmd::build::report_warnings(&built);
                eprintln!("{}", crate::cmd::build::summary(&built, &cwd));
            }
            Ok(())
        }
    };
    build()?;

    let listener = std::net::TcpListener::bind((args.bind.as_str(), args.port))
        .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
    let local = listener.local_addr().context("cannot read the address listened on")?;
    println!("Serving {} at http://{local}/ (Ctrl-C to stop)", workspace.root.display());

    let version = Arc::new(AtomicU64::new(1));
    {
        let version = Arc::clone(&version);
        let building = Arc::clone(&building);
        let watched = watched_paths(&workspace);
        std::thread::Builder::new()
            .name("pm-serve-watch".to_owned())
            .spawn(move || {
                let mut watch = watch::Watch::new(watched);
                loop {
                    watch.changed();
                    let _writing = building.lock();
                    match build() {
                        Ok(()) => {
                            version.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => eprintln!("error: {e:#} (still serving the previous build)"),
                    }
                }
            })
            .context("cannot start the thread that watches for changes")?;
    }

    let context = conn::Context {
        site: out,
        hosts: http::Hosts::new(&args.bind, local),
        reload: !args.no_reload,
        version,
    };
    std::thread::Builder::new()
        .name("pm-serve-accept".to_owned())
        .spawn(move || {
            let _ = stop.send(Stop::Failed(conn::serve(&listener, context)));
        })
        .context("cannot start the thread that accepts connections")?;
    // Nothing else can end the wait: the accepting thread only ever returns by sending.
    let why = stopped.recv().unwrap_or(Stop::Signal);
    let _writing = building.lock();
    let removed = private.close();
    match why {
        Stop::Failed(e) => Err(e),
        Stop::Signal => {
            removed.context("stopped, but cannot remove the temporary folder of the site")?;
            eprintln!("pm serve: stopped");
            Ok(Outcome::Clean)
        }
    }
}

/// Why `pm serve` stops.
enum Stop {
    /// Ctrl-C or SIGTERM.
    Signal,
    /// Accepting connections failed for good.
    Failed(anyhow::Error),
}

/// The files whose changes trigger a rebuild.
fn watched_paths(workspace: &crate::config::Workspace) -> Vec<PathBuf> {
    vec![
        workspace.root.join(crate::config::FILE_NAME),
        workspace.root.join(&workspace.config.postmortems),
        workspace.root.join(crate::site::theme::DIR),
    ]
}

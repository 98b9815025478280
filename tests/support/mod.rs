//! Shared helpers of the integration tests (`tests/it/`), included once by `tests/it/main.rs`:
//!
//! - `run`: running the `pm` binary under test with an environment that cannot change its output;
//! - `docs`: transcripts in the documentation kept real;
//! - `fs`: paths in the crate, copying fixtures into temporary folders, reading trees back, and
//!   comparing output with an expected file (`assert_blessed`: `PM_BLESS=1` rewrites it);
//! - `git`: running git in a test repository with a fixed identity and clock;
//! - `browser`: a headless Chromium driver that records what a page does;
//! - `server`: a static file server for the http cases;
//! - `trackers`: a local GitHub, GitLab, Jira and Linear that `pm sync` talks to;
//! - `sync`: running `pm sync` on a fixture pointed at one of them, and reading back what it did;
//! - `site`: building sites with the `pm` binary, and URLs for them;
//! - `search`: reading a built search index back;
//! - `inert`, `targets`: the fuzz targets' entry points and the HTML inertness judge, shared by
//!   `#[path]` with `fuzz/` so a replayed finding runs exactly what the fuzzer ran.

pub mod browser;
pub mod docs;
pub mod fs;
pub mod git;
#[path = "../../fuzz/common/inert.rs"]
pub mod inert;
pub mod run;
pub mod search;
pub mod server;
pub mod site;
pub mod sync;
#[path = "../../fuzz/common/targets.rs"]
pub mod targets;
pub mod trackers;

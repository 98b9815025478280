//! `pm` keeps incident postmortems as markdown files with YAML front matter in a git
//! repository, and scaffolds, checks and publishes them.
//!
//! The crate follows the data: [`discover`] finds files, [`parse`] cuts and reads them with
//! spans, [`model`] types them, [`repo`] holds them all, [`rules`] judge them through the
//! [`check`] engine, and [`report`] renders the verdict. [`cmd`] has one entry point per
//! command; the binary only parses arguments and maps the outcome to an exit code.

pub mod calendar;
pub mod check;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod export;
pub mod followup;
pub mod idcache;
pub mod metrics;
pub mod model;
pub mod parse;
pub mod repo;
pub mod report;
pub mod rules;
pub mod scaffold;
pub mod schema;
pub mod site;
pub mod source;
pub mod suppress;
pub mod timeline;
pub mod url;

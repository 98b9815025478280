//! `pm` keeps incident postmortems as markdown files with YAML front matter in a git
//! repository, and scaffolds, checks and publishes them.
//!
//! The crate follows the data; each module may import only those before it (the table in
//! docs/ARCHITECTURE.md, kept by a test):
//!
//! - leaves: [`source`] (text and positions), [`calendar`] (business days, "today", months),
//!   [`url`] (links and safe URLs), [`contain`] (paths inside the repository), [`atomic`]
//!   (replacing a file whole, never through a link), [`escape`] (values made safe for a
//!   terminal, markdown or a spreadsheet), [`words`] (how a count reads), [`seal`] (files
//!   `pm` writes for itself that say whether they are whole), [`diagnostic`] (findings as data);
//! - reading: [`discover`] finds files, [`parse`] cuts and reads them with spans, [`model`]
//!   types them (an action item's state and order are defined there, once), [`config`] reads
//!   `pm.toml`, [`idcache`] remembers ids, [`repo`] holds the documents, [`trackers`] reads
//!   tickets' state from GitHub, GitLab, Jira and Linear into the ticket cache, and judges drift;
//! - judging: [`schema`], [`rules`] (one per file, a registry) and [`suppress`] (policy), run
//!   by [`check`] — the one load-and-check path every command uses — which reuses the verdicts
//!   of unchanged files ([`verdicts`], the cache in `.git/pm-verdicts`);
//! - output: [`report`] writes diagnostics in each format; [`timeline`], [`followup`],
//!   [`metrics`], [`export`] and [`scaffold`] turn the model into timelines, follow-through,
//!   figures, records and new files; [`codeowners`] says who reviews each postmortem;
//!   [`site`] renders a checked repository as a static site;
//! - [`cmd`]: the command line, one entry point per command, the only module that knows every
//!   room. The binary only parses arguments and maps the outcome to an exit code.

pub mod atomic;
pub mod calendar;
pub mod check;
pub mod cmd;
pub mod codeowners;
pub mod completion;
pub mod config;
pub mod contain;
pub mod diagnostic;
pub mod discover;
pub mod escape;
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
pub mod seal;
pub mod site;
pub mod source;
pub mod suppress;
pub mod templates;
pub mod timeline;
pub mod trackers;
pub mod url;
pub mod verdicts;
pub mod words;

//! Shared helpers of the browser tests: a headless Chromium driver that records what a page
//! does (`browser`), a static file server for the http cases (`server`), building sites with
//! the `pm` binary (`site`), and reading a built search index back (`search`). Used from a
//! test file with `mod support;`.

// Each test file uses a different subset of the helpers.
#![allow(dead_code)]

pub mod browser;
pub mod search;
pub mod server;
pub mod site;

//! The phase timer of a build: how long loading, checking, the catalog and metrics, rendering
//! and the swap took, and the peak memory, printed to stderr when `PM_TIMINGS` is set. The
//! site benchmark (`bench/site.sh`) reads these lines; a normal build prints nothing.

use std::time::{Duration, Instant};

use crate::site::search;

/// Whether `PM_TIMINGS=serial` asks for the search index to be built on its own, before the
/// pages (to time it alone; otherwise it runs beside them).
pub(super) fn index_alone() -> bool {
    std::env::var_os("PM_TIMINGS").is_some_and(|v| v == "serial")
}

/// Phase times, printed to stderr when `PM_TIMINGS` is set (for the benchmark).
pub(super) struct Timings {
    last: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// The first phase starts at `started`.
    pub(super) fn new(started: Instant) -> Self {
        Self { last: started, phases: Vec::new() }
    }

    /// Ends the phase `phase` now; the next one starts.
    pub(super) fn mark(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.phases.push((phase, now - self.last));
        self.last = now;
    }

    /// Prints the phases, then `notes` (steps that overlapped them, with their own figures).
    pub(super) fn report(&self, notes: &[String]) {
        if std::env::var_os("PM_TIMINGS").is_some() {
            let phases: Vec<String> = self
                .phases
                .iter()
                .map(|(name, d)| format!("{name} {:.3} s", d.as_secs_f64()))
                .chain(notes.iter().cloned())
                .collect();
            // Peak memory so far, where the system tells it (Linux).
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
                .map(|kb| format!(", peak memory {} MB", kb / 1024))
                .unwrap_or_default();
            eprintln!("timings: {}{peak}", phases.join(", "));
        }
    }
}

/// The search index step's figures, for [`Timings::report`]: it runs beside the pages, so it is
/// no phase of its own.
pub(super) fn search_note(search: &search::Stats) -> String {
    format!(
        "search index {:.3} s {} ({} files, {} bytes, {} terms, {} listed in {} files, {} \
         word, {} number and {} code shards, {} blocks of up to {} docs)",
        search.elapsed.as_secs_f64(),
        if index_alone() { "alone, before the pages" } else { "during render" },
        search.files,
        search.bytes,
        search.terms,
        search.listed_terms,
        search.listed_files,
        search.word_shards,
        search.number_shards,
        search.code_shards,
        search.doc_blocks,
        search.block
    )
}

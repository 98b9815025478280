//! The phase timer of a build: how long loading, checking, the catalog and metrics, rendering
//! and the swap took, and the memory held and the peak at the end of each, printed to stderr when `PM_TIMINGS` is set. The
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
    phases: Vec<(&'static str, Duration, Option<Memory>)>,
}

/// Memory held and peak so far, in MB.
type Memory = (u64, u64);

impl Timings {
    /// The first phase starts at `started`.
    pub(super) fn new(started: Instant) -> Self {
        Self { last: started, phases: Vec::new() }
    }

    /// Ends the phase `phase` now; the next one starts.
    pub(super) fn mark(&mut self, phase: &'static str) {
        let now = Instant::now();
        let memory = if std::env::var_os("PM_TIMINGS").is_some() { memory() } else { None };
        self.phases.push((phase, now - self.last, memory));
        self.last = now;
    }

    /// Prints the phases, then `notes` (steps that overlapped them, with their own figures).
    pub(super) fn report(&self, notes: &[String]) {
        if std::env::var_os("PM_TIMINGS").is_some() {
            let phases: Vec<String> = self
                .phases
                .iter()
                .map(|(name, d, memory)| {
                    let memory = memory
                        .map(|(rss, peak)| format!(" (holding {rss} MB, peak {peak} MB)"))
                        .unwrap_or_default();
                    format!("{name} {:.3} s{memory}", d.as_secs_f64())
                })
                .chain(notes.iter().cloned())
                .collect();
            let peak =
                memory().map(|(_, peak)| format!(", peak memory {peak} MB")).unwrap_or_default();
            eprintln!("timings: {}{peak}", phases.join(", "));
        }
    }
}

/// The memory this process holds now and the most it has held, in MB, where the system tells
/// it (Linux).
fn memory() -> Option<Memory> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The search index step's figures, for [`Timings::report`]: it runs beside the pages, so it is
/// no phase of its own.
pub(super) fn search_note(search: &search::Stats) -> String {
    if search.reused {
        return format!(
            "search index {:.3} s, reused from the previous build ({} files, {} bytes)",
            search.elapsed.as_secs_f64(),
            search.files,
            search.bytes
        );
    }
    let remembered = search
        .remembered
        .map(|(reused, chunks)| format!(", {reused} of {chunks} chunks remembered"))
        .unwrap_or_default();
    format!(
        "search index {:.3} s {} ({} files, {} bytes, {} terms, {} listed in {} files, {} \
         word, {} number and {} code shards, {} blocks of up to {} docs{remembered})",
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

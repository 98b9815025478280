//! `pm sync` at scale: 10,000 action items whose tickets are spread over GitHub, Jira and
//! Linear (a third each), against the local trackers. The request count is a property of the
//! batching and is asserted on every run; the wall time with 50 ms of latency per request is
//! the benchmark (`bench/sync.sh`, which runs the ignored test below and records its figures).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::run::{program, text};
use crate::support::sync;
use crate::support::trackers::{FakeTracker, Issue};

const ITEMS: usize = 10_000;
const PER_POSTMORTEM: usize = 10;

/// Every ticket: GitHub `acme/svcN#M` over ten repositories, Jira `OPS-N`, Linear `ENG-N`, in
/// a mix of states.
fn tickets() -> Vec<(String, Issue)> {
    (0..ITEMS)
        .map(|i| match i % 3 {
            0 => {
                let key = format!("acme/svc{}#{}", i % 10, i + 1);
                let state = if i % 4 == 0 { "CLOSED" } else { "OPEN" };
                (key.clone(), Issue::new(&key, state))
            }
            1 => {
                let key = format!("OPS-{}", i + 1);
                let state = ["new", "indeterminate", "done"][i % 3 + i / 7 % 2];
                (key.clone(), Issue::new(&key, state).named("Status"))
            }
            _ => {
                let key = format!("ENG-{}", i + 1);
                let state = ["unstarted", "started", "completed"][i / 5 % 3];
                (key.clone(), Issue::new(&key, state).named("State"))
            }
        })
        .collect()
}

/// A repository of `ITEMS / PER_POSTMORTEM` postmortems whose items name `tickets`.
fn write_repo(root: &Path, tracker: &FakeTracker, tickets: &[(String, Issue)]) {
    let folder = root.join("postmortems");
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(
        root.join("pm.toml"),
        format!(
            r#"title = "Sync at scale"
[teams.ops]
members = ["jdoe"]
[trackers.gh]
kind = "github"
api = "{url}/api/v3"
token_env = "PM_TEST_TOKEN"
[trackers.jira]
kind = "jira"
api = "{url}"
edition = "cloud"
pattern = '^OPS-[0-9]+$'
token_env = "PM_TEST_TOKEN"
user_env = "PM_TEST_EMAIL"
[trackers.linear]
kind = "linear"
api = "{url}"
pattern = '^ENG-[0-9]+$'
token_env = "PM_TEST_TOKEN"
"#,
            url = tracker.url("")
        ),
    )
    .expect("pm.toml");
    for (n, chunk) in tickets.chunks(PER_POSTMORTEM).enumerate() {
        let mut text = format!(
            "---\nid: INC-2026-{n:04}\ntitle: Incident {n}\nstatus: draft\nseverity: SEV3\nowner: jdoe\nteam: ops\nstarted_at: 2026-03-02T14:00:00Z\naction_items:\n"
        );
        for (key, _) in chunk {
            text.push_str(&format!(
                "  - title: Follow-up {key}\n    owner: jdoe\n    due: 2026-04-01\n    status: open\n    ticket: {key}\n"
            ));
        }
        text.push_str("---\n\n## Summary\nSomething broke.\n");
        std::fs::write(folder.join(format!("INC-2026-{n:04}-incident.md")), text).expect("write");
    }
}

/// Syncs the generated repository with `binary`; the requests sent, the wall time, stderr.
fn run(binary: &str, latency: Duration) -> (usize, Duration, String) {
    let tickets = tickets();
    let tracker = FakeTracker::start(tickets.iter().map(|(_, i)| i.clone()).collect());
    tracker.latency(latency);
    tracker.page_size(100);
    let dir = tempfile::tempdir().expect("tempdir");
    write_repo(dir.path(), &tracker, &tickets);
    let started = Instant::now();
    let out = program(binary)
        .arg("sync")
        .current_dir(dir.path())
        .env("PM_TEST_TOKEN", "t0k3n")
        .env("PM_TEST_EMAIL", "bot@example.com")
        .output()
        .expect("run pm sync");
    let wall = started.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let cache = sync::cache(dir.path());
    let entries = sync::tickets(&cache);
    assert_eq!(entries.len(), ITEMS, "every ticket is in the cache");
    assert!(entries.iter().all(|t| t["state"] != "missing"), "every ticket was found");
    (tracker.seen().len(), wall, stderr)
}

#[test]
fn ten_thousand_tickets_in_three_trackers_take_few_requests() {
    let (requests, _, stderr) = run(crate::support::run::BIN, Duration::ZERO);
    assert!(
        requests <= 150,
        "{requests} requests for {ITEMS} tickets (goal: at most 150)\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("synced {ITEMS} of {ITEMS} tickets from 3 trackers")),
        "{stderr}"
    );
}

/// The benchmark: `bench/sync.sh` (or `PM_BENCH_PM=target/release/pm cargo test --test it --
/// --ignored sync_scale::benchmark --nocapture`).
#[test]
#[ignore = "a benchmark: run by bench/sync.sh"]
fn benchmark() {
    let binary =
        std::env::var("PM_BENCH_PM").unwrap_or_else(|_| crate::support::run::BIN.to_owned());
    let runs: usize = std::env::var("PM_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    for run_number in 1..=runs {
        let (requests, wall, stderr) = run(&binary, Duration::from_millis(50));
        let summary = stderr.lines().find(|l| l.starts_with("synced")).unwrap_or_default();
        println!(
            "sync_scale run {run_number}: {ITEMS} items, 3 trackers, 50 ms latency: {requests} requests, {:.2} s wall ({summary})",
            wall.as_secs_f64()
        );
    }
}

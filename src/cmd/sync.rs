//! `pm sync`: fetch the state of every action item's ticket into the ticket cache, and report
//! (or, with `--write`, settle) where the front matter and the trackers disagree.
//!
//! Exit codes: 0 when every ticket was fetched; 1 when some could not be (they keep what the
//! cache knew, marked stale); 2 for a missing or refused token, a bad `pm.toml` or a cache that
//! cannot be written.

use std::collections::BTreeSet;
use std::io::IsTerminal as _;

use anyhow::Context as _;

use crate::check::{self, Keep, Request};
use crate::cmd::{Global, Outcome};
use crate::model::TicketState;
use crate::trackers::cache::{self, Cache};
use crate::trackers::refs::{self, TicketRef, Unresolved};
use crate::trackers::sync;

/// Options of `pm sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Do not ask the trackers; work from the cache as it is.
    #[arg(long)]
    pub offline: bool,

    /// Bring the front matter in line with the trackers: the status and `closed_on` of drifted
    /// items (and the key of a moved ticket), edited in place. Without it, the change is
    /// printed as a unified diff.
    #[arg(long)]
    pub write: bool,

    /// The clock.
    #[command(flatten)]
    pub now: crate::cmd::args::Now,
}

/// Runs `pm sync`.
pub fn run(global: &Global, args: &SyncArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let cache_path = cache::path(&workspace.root, &workspace.config);
    let mut cache = Cache::load(&cache_path)?.unwrap_or_default();
    let loaded = check::load(workspace, &Request::all(Keep::Fields));
    let repo = &loaded.repo;
    let config = &repo.workspace.config;
    crate::cmd::warn_skipped(repo);

    let mut wanted = BTreeSet::new();
    let mut unresolved: Vec<(String, String, Unresolved)> = Vec::new();
    for doc in &repo.documents {
        let Some(pm) = &doc.postmortem else { continue };
        for item in &pm.action_items {
            let Some(ticket) = &item.ticket else { continue };
            match refs::resolve(config, &ticket.value) {
                Ok(r) => {
                    wanted.insert(r);
                }
                Err(why) => unresolved.push((doc.source.path.clone(), ticket.value.clone(), why)),
            }
        }
    }
    for (path, ticket, why) in &unresolved {
        match why {
            Unresolved::NoApi(tracker) => eprintln!(
                "note: {path}: `{ticket}` is a ticket of tracker `{tracker}`, which has no `kind` in pm.toml: not synced"
            ),
            Unresolved::NoTracker if crate::url::is_http_url(ticket) => {}
            Unresolved::NoTracker => {
                eprintln!("note: {path}: `{ticket}` matches no tracker in pm.toml: not synced")
            }
        }
    }
    let wanted: Vec<TicketRef> = wanted.into_iter().collect();
    let mut outcome = Outcome::Clean;
    if wanted.is_empty() {
        eprintln!(
            "no action item refers to a ticket of a tracker with an API (`kind` in [trackers]): nothing to sync"
        );
        return Ok(outcome);
    }
    if !args.offline {
        outcome = fetch(repo, &wanted, &mut cache, &cache_path, args)?;
    } else if cache.tickets.is_empty() {
        eprintln!(
            "no ticket cache yet at {}: run `pm sync` without --offline first",
            cache_path.display()
        );
        return Ok(outcome);
    }
    settle(repo, cache, args.write)?;
    Ok(outcome)
}

/// Asks the trackers, merges the answers into the cache and saves it. A refused token is an
/// error (exit 2) once the cache is saved; a batch that failed makes the run exit 1.
fn fetch(
    repo: &crate::repo::Repo,
    wanted: &[TicketRef],
    cache: &mut Cache,
    cache_path: &std::path::Path,
    args: &SyncArgs,
) -> anyhow::Result<Outcome> {
    let config = &repo.workspace.config;
    let options = sync::Options::from_config(config);
    let started = std::time::Instant::now();
    let bar = progress_bar(wanted.len());
    let tick = |done: usize| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    };
    let now = args.now.resolve()?;
    let fetch = sync::run(config, wanted, &|var| std::env::var(var).ok(), &options, now, &tick)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let failed: Vec<TicketRef> =
        fetch.failed.iter().flat_map(|(refs, _)| refs.iter().cloned()).collect();
    cache.merge(fetch.fetched.clone(), &failed, now);
    cache.save(cache_path).with_context(|| "cannot write the ticket cache".to_owned())?;

    let mut counts = std::collections::BTreeMap::<TicketState, usize>::new();
    for t in &fetch.fetched {
        *counts.entry(t.state).or_default() += 1;
    }
    let trackers: BTreeSet<&str> = wanted.iter().map(|r| r.tracker.as_str()).collect();
    let states: Vec<String> = counts
        .iter()
        .map(|(state, n)| format!("{n} {}", state.as_str().replace('-', " ")))
        .collect();
    eprintln!(
        "synced {} of {} tickets from {} in {} requests ({:.1} s){}; cache: {}",
        fetch.fetched.len(),
        wanted.len(),
        plural(trackers.len(), "tracker"),
        fetch.requests,
        started.elapsed().as_secs_f64(),
        if states.is_empty() { String::new() } else { format!(": {}", states.join(", ")) },
        cache_path.strip_prefix(&repo.workspace.root).unwrap_or(cache_path).display(),
    );
    for (refs, error) in &fetch.failed {
        let keys: Vec<&str> = refs.iter().take(5).map(|r| r.key.as_str()).collect();
        let more = refs.len().saturating_sub(keys.len());
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        eprintln!(
            "error: {error}\n  not refreshed (kept as they were, marked stale): {}{more}",
            keys.join(", ")
        );
    }
    if let Some(auth) = fetch.auth_error() {
        anyhow::bail!("{auth}");
    }
    Ok(if fetch.failed.is_empty() { Outcome::Clean } else { Outcome::Findings })
}

/// Prints (or, with `write`, makes) the front-matter edits that take the trackers' word for
/// drifted items, file by file. Each file is read again from disk, edited only where it
/// drifted, and replaced atomically, provided nobody changed it meanwhile.
fn settle(repo: &crate::repo::Repo, cache: Cache, write: bool) -> anyhow::Result<()> {
    let config = &repo.workspace.config;
    let tickets = crate::trackers::cache::Tickets::new(cache, config.sync.cache.clone());
    let tz = config.time_zone();
    let (mut files, mut items, mut drifted) = (0_usize, 0_usize, 0_usize);
    let mut diff = String::new();
    for doc in &repo.documents {
        let Some(pm) = &doc.postmortem else { continue };
        let mut changes = Vec::new();
        for item in &pm.action_items {
            let Some(ticket) = item.ticket.as_ref().and_then(|t| tickets.get(config, &t.value))
            else {
                continue;
            };
            if crate::trackers::drift::drift(item, ticket, &config.people)
                .iter()
                .any(|d| !d.is_info())
            {
                drifted += 1;
            }
            let edits = crate::trackers::drift::edits(item, ticket, &config.people, &tz);
            if !edits.is_empty() {
                items += 1;
                changes.extend(edits);
            }
        }
        if changes.is_empty() {
            continue;
        }
        let path = repo.workspace.root.join(doc.path());
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let edited = crate::parse::edit::apply(&text, &changes)
            .map_err(|e| anyhow::anyhow!("{}: {e}; nothing was written to it", doc.path()))?;
        files += 1;
        if write {
            crate::atomic::replace(&path, text.as_bytes(), edited.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        } else {
            let a = format!("a/{}", doc.path());
            let b = format!("b/{}", doc.path());
            diff.push_str(
                &similar::TextDiff::from_lines(&text, &edited)
                    .unified_diff()
                    .context_radius(2)
                    .header(&a, &b)
                    .to_string(),
            );
        }
    }
    crate::cmd::print(&diff)?;
    let unsettled = drifted.saturating_sub(items);
    let rest = if unsettled > 0 {
        format!(
            "; {} need a person (`pm actions --drift` lists them)",
            plural(unsettled, "other drifted item")
        )
    } else {
        String::new()
    };
    match (files, write) {
        (0, _) if drifted == 0 => eprintln!("every action item agrees with its ticket"),
        (0, _) => eprintln!("nothing the trackers' word can settle{rest}"),
        (_, true) => {
            eprintln!("updated {} in {}{rest}", plural(items, "action item"), plural(files, "file"))
        }
        (_, false) => eprintln!(
            "{} in {} would change: run `pm sync --write` to take the trackers' word{rest}",
            plural(items, "action item"),
            plural(files, "file")
        ),
    }
    Ok(())
}

fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} syncing tickets {pos}/{len} {wide_bar} {elapsed}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

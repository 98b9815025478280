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
use crate::diagnostic::printable_line;
use crate::model::TicketState;
use crate::trackers::cache::{self, Cache};
use crate::trackers::refs::{self, TicketRef, Unresolved};
use crate::trackers::sync;
use crate::words::plural;

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

    /// File a ticket for every outstanding action item that has none, in the tracker its team
    /// (or `sync.create_in`) names, and write the new key into the item in place. A rerun never
    /// files a second ticket for the same item.
    #[arg(long)]
    pub create: bool,

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
        let (path, ticket) = (printable_line(path), printable_line(ticket));
        match why {
            Unresolved::NoApi(tracker) => eprintln!(
                "note: {path}: `{ticket}` is a ticket of tracker `{tracker}`, which has no `kind` in pm.toml: not synced"
            ),
            Unresolved::NoTracker if crate::url::is_http_url(&ticket) => {}
            Unresolved::NoTracker => {
                eprintln!("note: {path}: `{ticket}` matches no tracker in pm.toml: not synced")
            }
        }
    }
    let wanted: Vec<TicketRef> = wanted.into_iter().collect();
    let mut outcome = Outcome::Clean;
    if args.create {
        outcome = create(repo, &mut cache, &cache_path)?;
    }
    if wanted.is_empty() {
        eprintln!(
            "no action item refers to a ticket of a tracker with an API (`kind` in [trackers]): nothing to sync"
        );
        return Ok(outcome);
    }
    if !args.offline {
        // A ticket that could not be filed still fails the run when every fetch succeeds.
        if fetch(repo, &wanted, &mut cache, &cache_path, args)? == Outcome::Findings {
            outcome = Outcome::Findings;
        }
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
    cache
        .save(&repo.workspace.root, cache_path)
        .with_context(|| "cannot write the ticket cache".to_owned())?;

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
        "synced {} of {} tickets from {} in {} ({:.1} s){}; cache: {}",
        fetch.fetched.len(),
        wanted.len(),
        plural(trackers.len(), "tracker", "trackers"),
        plural(fetch.requests, "request", "requests"),
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
            crate::atomic::replace(&repo.workspace.root, &path, text.as_bytes(), edited.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        } else {
            diff.push_str(&crate::cmd::unified_diff(doc.path(), &text, &edited));
        }
    }
    crate::cmd::print(&diff)?;
    let unsettled = drifted.saturating_sub(items);
    let rest = if unsettled > 0 {
        format!(
            "; {} need a person (`pm actions --drift` lists them)",
            plural(unsettled, "other drifted item", "other drifted items")
        )
    } else {
        String::new()
    };
    match (files, write) {
        (0, _) if drifted == 0 => eprintln!("every action item agrees with its ticket"),
        (0, _) => eprintln!("nothing the trackers' word can settle{rest}"),
        (_, true) => {
            eprintln!(
                "updated {} in {}{rest}",
                plural(items, "action item", "action items"),
                plural(files, "file", "files")
            )
        }
        (_, false) => eprintln!(
            "{} in {} would change: run `pm sync --write` to take the trackers' word{rest}",
            plural(items, "action item", "action items"),
            plural(files, "file", "files")
        ),
    }
    Ok(())
}

/// Files tickets for outstanding items without one and writes their keys back, file by file.
/// Each ticket is recorded in the cache's journal the moment it exists, before its postmortem
/// is edited; the tracker is searched for the item's marker before anything is filed.
fn create(
    repo: &crate::repo::Repo,
    cache: &mut Cache,
    cache_path: &std::path::Path,
) -> anyhow::Result<Outcome> {
    use crate::parse::edit::{Change, Step};
    use crate::trackers::cache::Filed;
    let config = &repo.workspace.config;
    let env = |var: &str| std::env::var(var).ok();
    let mut filer = sync::Filer::new(config, &env);
    let (mut filed, mut found, mut failed) = (0_usize, 0_usize, 0_usize);
    for doc in &repo.documents {
        let Some(pm) = &doc.postmortem else { continue };
        let wanting: Vec<_> =
            pm.action_items.iter().filter(|i| i.ticket.is_none() && i.is_outstanding()).collect();
        if wanting.is_empty() {
            continue;
        }
        let Some(id) = pm.id.as_ref().map(|i| i.value.clone()) else {
            eprintln!(
                "note: {}: a postmortem without an id gets no tickets (its items could not be found again)",
                doc.path()
            );
            continue;
        };
        let team = pm.team.as_ref().and_then(|t| config.teams.get(&t.value));
        let tracker = team
            .and_then(|t| t.tracker.as_ref())
            .or(config.sync.create_in.as_ref())
            .map(|t| t.get_ref().clone())
            .ok_or_else(|| anyhow::anyhow!(
                "{}: pm does not know where to file tickets: set `tracker` on the team in [teams] or `create_in` in [sync] of pm.toml",
                doc.path()
            ))?;
        let tracker_config = &config.trackers[&tracker];
        let project = team
            .and_then(|t| t.project.clone())
            .or_else(|| tracker_config.project.as_ref().map(|p| p.get_ref().clone()))
            .ok_or_else(|| anyhow::anyhow!(
                "tracker `{tracker}` has no `project` in pm.toml (the repository, project or team tickets are filed in)"
            ))?;
        let mut changes = Vec::new();
        for item in wanting {
            let number =
                item.id.as_ref().map_or_else(|| (item.index + 1).to_string(), |i| i.value.clone());
            let marker = format!("pm-item:{id}/{number}");
            let key = match cache.created.iter().find(|f| f.marker == marker) {
                Some(journal) => journal.key.clone(),
                None => {
                    let new = new_ticket(
                        config,
                        doc.path(),
                        pm,
                        item,
                        &id,
                        &project,
                        &marker,
                        tracker_config,
                    );
                    match filer.file(&tracker, &new) {
                        Ok((ticket, existed)) => {
                            if existed {
                                found += 1
                            } else {
                                filed += 1
                            }
                            eprintln!(
                                "{} {} for {id} item {number}: {}",
                                if existed { "found" } else { "filed" },
                                ticket.key,
                                new.title
                            );
                            cache.created.push(Filed {
                                marker,
                                tracker: tracker.clone(),
                                key: ticket.key.clone(),
                            });
                            cache
                                .save(&repo.workspace.root, cache_path)
                                .context("cannot write the ticket cache")?;
                            ticket.key
                        }
                        Err(sync::FileError::Http(e)) if e.is_auth() => anyhow::bail!("{e}"),
                        Err(sync::FileError::Setup(e)) => anyhow::bail!("{e}"),
                        Err(e) => {
                            failed += 1;
                            eprintln!("error: {id} item {number}: {e}");
                            continue;
                        }
                    }
                }
            };
            changes.push(Change::Set {
                path: vec![Step::Key("action_items"), Step::Index(item.index), Step::Key("ticket")],
                value: key,
            });
        }
        if changes.is_empty() {
            continue;
        }
        let path = repo.workspace.root.join(doc.path());
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let edited = crate::parse::edit::apply(&text, &changes).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}; the tickets are filed (see {}), nothing was written to it",
                doc.path(),
                cache_path.display()
            )
        })?;
        crate::atomic::replace(&repo.workspace.root, &path, text.as_bytes(), edited.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "filed {}, found {} filed before, {} failed ({} requests)",
        plural(filed, "ticket", "tickets"),
        found,
        failed,
        filer.requests()
    );
    Ok(if failed > 0 { Outcome::Findings } else { Outcome::Clean })
}

/// What is filed for `item`: its title, a description that links back to the postmortem, the
/// marker as the last line (plain text, so the tracker's search finds it), the tracker's labels
/// and the owner's tracker identity from `[people]`.
#[allow(clippy::too_many_arguments)]
fn new_ticket(
    config: &crate::config::Config,
    path: &str,
    pm: &crate::model::Postmortem,
    item: &crate::model::ActionItem,
    id: &str,
    project: &str,
    marker: &str,
    tracker: &crate::config::Tracker,
) -> sync::NewTicket {
    use crate::config::TrackerKind;
    let value = |s: &Option<crate::source::Spanned<String>>| s.as_ref().map(|s| s.value.clone());
    let title = value(&item.title).unwrap_or_else(|| format!("Action item of {id}"));
    let link = match (&config.site.base_url, &config.site.repo_url) {
        (Some(base), _) => format!("{}/postmortems/{id}.html", base.trim_end_matches('/')),
        (None, Some(repo)) => {
            format!("{}/blob/{}/{path}", repo.trim_end_matches('/'), config.site.branch)
        }
        (None, None) => path.to_owned(),
    };
    let owner = value(&item.owner);
    // Jira Cloud and Linear know people by email; Jira Server, GitHub and GitLab by login.
    let wants_email = match tracker.kind() {
        Some(TrackerKind::Linear) => true,
        Some(TrackerKind::Jira) => tracker.jira_edition() == crate::config::JiraEdition::Cloud,
        _ => false,
    };
    let assignee = owner.as_ref().and_then(|o| {
        let ids = config.people.get(o).map(Vec::as_slice).unwrap_or_default();
        ids.iter()
            .find(|i| i.contains('@') == wants_email)
            .cloned()
            .or_else(|| (!wants_email).then(|| o.clone()))
    });
    let due = item.due.as_ref().map(|d| d.value);
    let priority = item.priority.as_ref().map(|p| p.value);
    let mut facts = vec![format!("Owner: {}", owner.as_deref().unwrap_or("(none)"))];
    if let Some(due) = due {
        facts.push(format!("Due: {due}"));
    }
    if let Some(p) = priority {
        facts.push(format!("Priority: {p}"));
    }
    let pm_title = value(&pm.title).unwrap_or_default();
    let body = format!(
        "Action item from the postmortem {id}: {pm_title}\n\nPostmortem: {link}\n{}\n\nFiled by `pm sync --create`. Keep the line below: it is how pm finds this ticket again.\n\n{marker}\n",
        facts.join(" · ")
    );
    sync::NewTicket {
        project: project.to_owned(),
        title,
        body,
        marker: marker.to_owned(),
        labels: tracker.labels.clone(),
        assignee,
        due,
        priority,
    }
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

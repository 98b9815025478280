//! `action-item-drift`: an action item and its ticket disagree, according to the ticket cache.

use super::{Context, Meta, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::repo::{Document, Repo};
use crate::trackers::drift::{Drift, drift, settle};

pub(super) struct ActionItemDrift;

static META: Meta = Meta {
    code: "PM303",
    slug: "action-item-drift",
    default_severity: Severity::Warning,
    summary: "An action item's status disagrees with its ticket in the tracker.",
    docs: r#"
### What it does
Compares every action item that has a `ticket` with what the tracker said about that ticket the
last time `pm sync` ran (the ticket cache, `.pm/tickets.json`). It reports:

- the item is `done` (or `wont-do`) but the ticket is still open or in progress;
- the ticket is done but the item is still `open` or `in-progress`;
- the ticket was closed without being done (won't fix, duplicate, canceled) while the item is
  still owed, or while the item says `done`;
- the tracker does not know the ticket (deleted or mistyped), or it moved to another key;
- the item's owner is not the ticket's assignee (an info; map tracker logins and emails to
  handles in `[people]`);
- the cache is older than `sync.max_age` (an info, once).

It reads only the cache, never the network, so `pm check` stays fast, offline and
reproducible. Without a cache it reports nothing.

### Why it matters
An item's `status` is whatever someone typed; the ticket lives its own life in the tracker.
Items that say `done` while the work is still open, and tickets closed long ago under items
that still look owed, make follow-through figures wrong and let real work get buried.

### Example
```yaml
action_items:
  - title: Alert on connection pool exhaustion
    status: open
    ticket: PAY-123      # closed as Done in Jira on 2026-11-30
```
`pm sync --write` takes the tracker's word for status and `closed_on` (it shows the change as a
diff without `--write`).

### Configuration
`[sync] max_age` (default `7d`); `[people]` maps a handle to its tracker logins and emails.
"#,
};

impl Rule for ActionItemDrift {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_document(&self, cx: &Context<'_>, doc: &Document, out: &mut Vec<Finding>) {
        let (Some(tickets), Some(pm)) = (cx.tickets, &doc.postmortem) else { return };
        let tz = cx.config.time_zone();
        for item in &pm.action_items {
            let Some(reference) = &item.ticket else { continue };
            let Some(ticket) = tickets.get(cx.config, &reference.value) else { continue };
            let synced = ticket.fetched_at.to_zoned_datetime(tz.clone()).date();
            let as_of = if ticket.stale {
                format!("as of {synced}; the last sync could not refresh it")
            } else {
                format!("synced {synced}")
            };
            for found in drift(item, ticket, &cx.config.people) {
                let span = match (&found, &item.status) {
                    (
                        Drift::ItemClosedTicketOpen
                        | Drift::TicketDone
                        | Drift::TicketNotDone
                        | Drift::DoneButTicketNotDone,
                        Some(status),
                    ) => status.span,
                    (Drift::OwnerDiffers { .. }, _) => {
                        item.owner.as_ref().map_or(reference.span, |o| o.span)
                    }
                    _ => reference.span,
                };
                let help = match &found {
                    Drift::TicketMoved { to } => format!("write `ticket: {to}`"),
                    Drift::TicketMissing => "check the key: the tracker does not know it (deleted, moved without a trace, or mistyped)".to_owned(),
                    Drift::OwnerDiffers { .. } => "reassign the ticket or change the owner; map tracker logins and emails to handles in [people] in pm.toml".to_owned(),
                    Drift::DoneButTicketNotDone => "if the work was done elsewhere, point `ticket` at that ticket; otherwise set `status: wont-do` with a `reason`".to_owned(),
                    other => match settle(other, ticket, &tz) {
                        Some(s) => format!("`pm sync --write` sets `status: {}`{}; or update the ticket", s.status, s.closed_on.map(|d| format!(" and `closed_on: {d}`")).unwrap_or_else(|| " and removes `closed_on`".to_owned())),
                        None => "update the item or the ticket".to_owned(),
                    },
                };
                let mut finding =
                    Finding::new(span, format!("{} ({as_of})", found.describe(item, ticket)))
                        .help(help);
                if found.is_info() {
                    finding = finding.severity(Severity::Info);
                }
                out.push(finding);
            }
        }
    }

    fn check_repo(&self, cx: &Context<'_>, repo: &Repo, out: &mut Vec<(usize, Finding)>) {
        let Some(tickets) = cx.tickets else { return };
        let Some(age) = tickets.too_old(cx.config, cx.today) else { return };
        // Said once, on the first postmortem's id: the age is the cache's, not any one
        // item's (and the repo-wide pass sees documents without their items).
        let first = repo.documents.iter().enumerate().find_map(|(i, doc)| {
            let pm = doc.postmortem.as_ref()?;
            Some((i, pm.id.as_ref().map_or(crate::source::Span::default(), |id| id.span)))
        });
        if let Some((index, span)) = first {
            let days = age.as_hours() / 24;
            out.push((
                index,
                Finding::new(
                    span,
                    format!(
                        "ticket states come from {}, synced {days} days ago (older than `sync.max_age` = {})",
                        tickets.path,
                        cx.config.sync.max_age.get_ref()
                    ),
                )
                .help("run `pm sync` (a nightly CI job keeps the cache fresh)")
                .severity(Severity::Info),
            ));
        }
    }
}

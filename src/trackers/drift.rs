//! Drift: an action item and its ticket disagreeing. The one definition, read by the
//! `action-item-drift` rule, `pm actions --drift`, the site, the export and `pm sync --write`
//! (which settles what can be settled by taking the tracker's word).

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::cache::CachedTicket;
use crate::model::{ActionItem, ItemStatus, TicketState};
use crate::parse::edit::{Change, Step};

/// One way an item and its ticket disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The item is closed (done or won't do); the ticket is still open or in progress.
    ItemClosedTicketOpen,
    /// The ticket is done; the item is not.
    TicketDone,
    /// The ticket was closed as not done (won't fix, duplicate, canceled); the item is still
    /// owed.
    TicketNotDone,
    /// The item says done; the ticket was closed as not done.
    DoneButTicketNotDone,
    /// The tracker does not know the ticket (deleted, or mistyped).
    TicketMissing,
    /// The ticket lives under another key now.
    TicketMoved {
        /// Its key now.
        to: String,
    },
    /// The item's owner is not the ticket's assignee (an info, not a warning).
    OwnerDiffers {
        /// The item's owner.
        owner: String,
        /// The ticket's assignee.
        assignee: String,
    },
}

impl Drift {
    /// A stable name, for JSON and filters.
    pub fn slug(&self) -> &'static str {
        match self {
            Drift::ItemClosedTicketOpen => "item-closed-ticket-open",
            Drift::TicketDone => "ticket-done",
            Drift::TicketNotDone => "ticket-not-done",
            Drift::DoneButTicketNotDone => "done-but-ticket-not-done",
            Drift::TicketMissing => "ticket-missing",
            Drift::TicketMoved { .. } => "ticket-moved",
            Drift::OwnerDiffers { .. } => "owner-differs",
        }
    }

    /// Only worth knowing: the owner and the assignee differ.
    pub fn is_info(&self) -> bool {
        matches!(self, Drift::OwnerDiffers { .. })
    }

    /// One sentence on what disagrees, for messages.
    pub fn describe(&self, item: &ActionItem, ticket: &CachedTicket) -> String {
        let key = &ticket.key;
        let said = tracker_said(ticket);
        match self {
            Drift::ItemClosedTicketOpen => {
                format!("the item is {} but ticket {key} is not closed: \"{said}\"", item.state())
            }
            Drift::TicketDone => {
                format!("ticket {key} is done (\"{said}\") but the item is {}", item.state())
            }
            Drift::TicketNotDone => format!(
                "ticket {key} was closed without being done (\"{said}\") but the item is {}",
                item.state()
            ),
            Drift::DoneButTicketNotDone => {
                format!(
                    "the item is done but ticket {key} was closed without being done: \"{said}\""
                )
            }
            Drift::TicketMissing => format!("ticket {key} does not exist in its tracker"),
            Drift::TicketMoved { to } => format!("ticket {key} has moved to {to}"),
            Drift::OwnerDiffers { owner, assignee } => {
                format!("the item's owner is {owner} but ticket {key} is assigned to {assignee}")
            }
        }
    }
}

fn tracker_said(ticket: &CachedTicket) -> String {
    if ticket.tracker_state.is_empty() {
        ticket.state.as_str().to_owned()
    } else {
        ticket.tracker_state.clone()
    }
}

/// How `item` and its cached `ticket` disagree, most important first. `people` maps a handle to
/// the logins and emails it has in trackers (`[people]`); an owner is also taken to be known by
/// their handle itself.
pub fn drift(
    item: &ActionItem,
    ticket: &CachedTicket,
    people: &BTreeMap<String, Vec<String>>,
) -> Vec<Drift> {
    let mut found = Vec::new();
    let state = item.state();
    match ticket.state {
        TicketState::Missing => found.push(match &ticket.moved_to {
            Some(to) => Drift::TicketMoved { to: to.clone() },
            None => Drift::TicketMissing,
        }),
        TicketState::Open | TicketState::InProgress if !item.is_outstanding() => {
            found.push(Drift::ItemClosedTicketOpen);
        }
        TicketState::Done if state != ItemStatus::Done => found.push(Drift::TicketDone),
        TicketState::NotDone if item.is_outstanding() => found.push(Drift::TicketNotDone),
        TicketState::NotDone if state == ItemStatus::Done => {
            found.push(Drift::DoneButTicketNotDone)
        }
        _ => {}
    }
    if ticket.state != TicketState::Missing {
        if let Some(to) = &ticket.moved_to {
            found.push(Drift::TicketMoved { to: to.clone() });
        }
    }
    if let (Some(owner), Some(assignee)) = (&item.owner, &ticket.assignee) {
        let owner = owner.value.as_str();
        let known = people.get(owner).map(Vec::as_slice).unwrap_or_default();
        let same = assignee.eq_ignore_ascii_case(owner)
            || known.iter().any(|id| id.eq_ignore_ascii_case(assignee));
        if !same {
            found.push(Drift::OwnerDiffers { owner: owner.to_owned(), assignee: assignee.clone() });
        }
    }
    found
}

/// The change to an item's front matter that takes the tracker's word, when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    /// The new `status`.
    pub status: ItemStatus,
    /// The new `closed_on`: `Some(date)` to set it, `None` to remove it.
    pub closed_on: Option<Date>,
}

/// What `pm sync --write` writes for `drift` of `item`: a closed ticket closes the item (on the
/// date it was closed, in the repository's time zone), a reopened ticket reopens it. A done item
/// whose ticket was closed as not done is left for a person to judge: a duplicate closed in
/// favour of a ticket that was done is common, and calling that item "won't do" would be wrong.
pub fn settle(drift: &Drift, ticket: &CachedTicket, tz: &TimeZone) -> Option<Settle> {
    let closed = ticket.closed_at.unwrap_or(ticket.fetched_at).to_zoned_datetime(tz.clone()).date();
    match drift {
        Drift::TicketDone => Some(Settle { status: ItemStatus::Done, closed_on: Some(closed) }),
        Drift::TicketNotDone => {
            Some(Settle { status: ItemStatus::WontDo, closed_on: Some(closed) })
        }
        Drift::ItemClosedTicketOpen => Some(Settle {
            status: if ticket.state == TicketState::InProgress {
                ItemStatus::InProgress
            } else {
                ItemStatus::Open
            },
            closed_on: None,
        }),
        _ => None,
    }
}

/// The in-place edits of the front matter that bring `item` (at `action_items[item.index]`) in
/// line with its cached `ticket`: the settlement of the first drift that has one, and a moved
/// ticket's new key when the item wrote the ticket as a key (a URL is left to the reader: the
/// old one still redirects). Empty when there is nothing the tracker's word can settle.
pub fn edits(
    item: &ActionItem,
    ticket: &CachedTicket,
    people: &BTreeMap<String, Vec<String>>,
    tz: &TimeZone,
) -> Vec<Change<'static>> {
    let at = |key: &'static str| {
        vec![Step::Key("action_items"), Step::Index(item.index), Step::Key(key)]
    };
    let mut changes = Vec::new();
    let found = drift(item, ticket, people);
    if let Some(settled) = found.iter().find_map(|d| settle(d, ticket, tz)) {
        changes.push(Change::Set { path: at("status"), value: settled.status.as_str().to_owned() });
        match settled.closed_on {
            Some(date) => {
                changes.push(Change::Set { path: at("closed_on"), value: date.to_string() })
            }
            None if item.closed_on.is_some() => {
                changes.push(Change::Remove { path: at("closed_on") })
            }
            None => {}
        }
    }
    let written_as_key = item.ticket.as_ref().is_some_and(|t| !crate::url::is_http_url(&t.value));
    if let Some(Drift::TicketMoved { to }) =
        found.iter().find(|d| matches!(d, Drift::TicketMoved { .. }))
    {
        if written_as_key {
            changes.push(Change::Set { path: at("ticket"), value: to.clone() });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Span, Spanned};

    fn item(status: ItemStatus, owner: &str) -> ActionItem {
        ActionItem {
            index: 0,
            span: Span::default(),
            id: None,
            title: None,
            owner: Some(Spanned::new(owner.to_owned(), Span::default())),
            due: None,
            status: Some(Spanned::new(status, Span::default())),
            ticket: None,
            priority: None,
            kind: None,
            closed_on: None,
            reason: None,
            verification: None,
        }
    }

    fn ticket(state: TicketState, assignee: Option<&str>) -> CachedTicket {
        CachedTicket {
            tracker: "gh".into(),
            key: "a/b#1".into(),
            url: None,
            state,
            tracker_state: String::new(),
            assignee: assignee.map(str::to_owned),
            updated_at: None,
            closed_at: Some("2026-11-30T23:30:00Z".parse().expect("t")),
            moved_to: None,
            fetched_at: "2026-12-01T09:00:00Z".parse().expect("t"),
            stale: false,
        }
    }

    #[test]
    fn every_disagreement_has_one_name() {
        let people = BTreeMap::from([("ann".to_owned(), vec!["ann-gh".to_owned()])]);
        let cases = [
            (ItemStatus::Open, TicketState::Open, vec![]),
            (ItemStatus::Done, TicketState::Done, vec![]),
            (ItemStatus::WontDo, TicketState::NotDone, vec![]),
            (ItemStatus::Done, TicketState::Open, vec![Drift::ItemClosedTicketOpen]),
            (ItemStatus::WontDo, TicketState::InProgress, vec![Drift::ItemClosedTicketOpen]),
            (ItemStatus::Open, TicketState::Done, vec![Drift::TicketDone]),
            (ItemStatus::WontDo, TicketState::Done, vec![Drift::TicketDone]),
            (ItemStatus::InProgress, TicketState::NotDone, vec![Drift::TicketNotDone]),
            (ItemStatus::Done, TicketState::NotDone, vec![Drift::DoneButTicketNotDone]),
            (ItemStatus::Open, TicketState::Missing, vec![Drift::TicketMissing]),
        ];
        for (status, state, expected) in cases {
            assert_eq!(
                drift(&item(status, "ann"), &ticket(state, None), &people),
                expected,
                "{status} vs {state}"
            );
        }
        assert_eq!(
            drift(
                &item(ItemStatus::Open, "ann"),
                &ticket(TicketState::Open, Some("ANN-GH")),
                &people
            ),
            vec![]
        );
        assert_eq!(
            drift(&item(ItemStatus::Open, "ann"), &ticket(TicketState::Open, Some("ann")), &people),
            vec![]
        );
        assert_eq!(
            drift(&item(ItemStatus::Open, "ann"), &ticket(TicketState::Open, Some("bob")), &people),
            vec![Drift::OwnerDiffers { owner: "ann".into(), assignee: "bob".into() }]
        );
        let mut moved = ticket(TicketState::Missing, None);
        moved.moved_to = Some("x/y#2".into());
        assert_eq!(
            drift(&item(ItemStatus::Open, "ann"), &moved, &people),
            vec![Drift::TicketMoved { to: "x/y#2".into() }]
        );
    }

    #[test]
    fn settling_takes_the_trackers_word_in_the_repositorys_zone() {
        let berlin = TimeZone::get("Europe/Berlin").expect("tz");
        let done = ticket(TicketState::Done, None);
        assert_eq!(
            settle(&Drift::TicketDone, &done, &berlin),
            Some(Settle {
                status: ItemStatus::Done,
                closed_on: Some("2026-12-01".parse().expect("date"))
            }),
            "23:30 UTC is already the next day in Berlin"
        );
        assert_eq!(
            settle(
                &Drift::ItemClosedTicketOpen,
                &ticket(TicketState::InProgress, None),
                &TimeZone::UTC
            ),
            Some(Settle { status: ItemStatus::InProgress, closed_on: None })
        );
        assert_eq!(settle(&Drift::DoneButTicketNotDone, &done, &TimeZone::UTC), None);
        assert_eq!(settle(&Drift::TicketMissing, &done, &TimeZone::UTC), None);
    }
}

//! The action-item record of the export: every item of every postmortem, whatever its status.

use jiff::civil::Date;
use serde::Serialize;

use crate::followup::Item;
use crate::model::{ItemKind, ItemStatus, Priority};

/// One action item.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionItemRecord {
    /// The postmortem's id.
    pub postmortem_id: Option<String>,
    /// The postmortem's file.
    pub path: String,
    /// Position in the postmortem's `action_items` (0-based).
    pub index: usize,
    /// The item's own id.
    pub id: Option<String>,
    /// What will be done.
    pub title: Option<String>,
    /// Who is accountable.
    pub owner: Option<String>,
    /// The owner's teams (from `pm.toml`).
    pub owner_teams: Vec<String>,
    /// The postmortem's team.
    pub team: Option<String>,
    /// The postmortem's services.
    pub services: Vec<String>,
    /// The postmortem's severity.
    pub severity: Option<String>,
    /// When it is due.
    pub due: Option<Date>,
    /// open / in-progress / done / wont-do (null when missing or invalid).
    pub status: Option<ItemStatus>,
    /// P0–P3.
    pub priority: Option<Priority>,
    /// prevent / mitigate / detect / process / other.
    #[serde(rename = "type")]
    pub kind: Option<ItemKind>,
    /// Ticket as written.
    pub ticket: Option<String>,
    /// Ticket link.
    pub ticket_url: Option<String>,
    /// When it was closed.
    pub closed_on: Option<Date>,
    /// Outstanding (open, in progress, or without a status).
    pub outstanding: bool,
    /// Outstanding and past due.
    pub overdue: bool,
    /// Days past due (0 unless overdue).
    pub days_overdue: i64,
}

impl From<Item> for ActionItemRecord {
    fn from(i: Item) -> Self {
        Self {
            outstanding: i.is_outstanding(),
            postmortem_id: i.postmortem_id,
            path: i.path,
            index: i.index,
            id: i.id,
            title: i.title,
            owner: i.owner,
            owner_teams: i.owner_teams,
            team: i.team,
            services: i.services,
            severity: i.severity,
            due: i.due,
            status: i.status,
            priority: i.priority,
            kind: i.kind,
            ticket: i.ticket,
            ticket_url: i.ticket_url,
            closed_on: i.closed_on,
            overdue: i.overdue,
            days_overdue: i.days_overdue,
        }
    }
}

//! The closed vocabularies of the front matter contract. Their spellings are fixed: the schema,
//! the site and exports all use them.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in contract order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in front matter.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Where a postmortem is in its life.
    Status {
        /// Being written; placeholders allowed.
        Draft = "draft",
        /// Written, under review.
        InReview = "in-review",
        /// Done and shared.
        Published = "published",
    }
}

vocabulary! {
    /// Who may read a postmortem on the site (`pm build`); the repository itself is readable by
    /// whoever can clone it, whatever this says.
    #[derive(Default)]
    Visibility {
        /// Everyone who can read the site (the default).
        #[default]
        Public = "public",
        /// A stub on the site: id, title, status, date, severity, owner, team, due and
        /// publication dates; nothing it says (body, summary, impact, action items, timeline,
        /// tags) is published.
        Restricted = "restricted",
        /// Not on the site at all.
        Private = "private",
    }
}

vocabulary! {
    /// How the incident was detected.
    Detection {
        /// A monitoring alert.
        Alert = "alert",
        /// A customer report.
        Customer = "customer",
        /// An employee noticed.
        Employee = "employee",
        /// An automated check (not an alert).
        Automation = "automation",
        /// Anything else.
        Other = "other",
    }
}

vocabulary! {
    /// Where an action item stands.
    ItemStatus {
        /// Not started.
        Open = "open",
        /// Being worked on.
        InProgress = "in-progress",
        /// Finished.
        Done = "done",
        /// Decided against, with a reason.
        WontDo = "wont-do",
    }
}

vocabulary! {
    /// Where a ticket stands in its tracker, whatever the tracker calls it: the one scale every
    /// tracker's states are mapped onto (the ticket cache, drift, `pm actions`, the site).
    TicketState {
        /// Not started (GitHub and GitLab open, Jira "To Do", Linear backlog or unstarted).
        Open = "open",
        /// Being worked on (Jira "In Progress", Linear started).
        InProgress = "in-progress",
        /// Closed as done.
        Done = "done",
        /// Closed without being done: won't fix, duplicate, canceled.
        NotDone = "not-done",
        /// The tracker does not know the ticket (deleted, moved away or mistyped).
        Missing = "missing",
    }
}

vocabulary! {
    /// Action-item priority.
    Priority {
        /// Drop everything.
        P0 = "P0",
        /// Next up.
        P1 = "P1",
        /// Soon.
        P2 = "P2",
        /// When there is time.
        P3 = "P3",
    }
}

vocabulary! {
    /// What kind of follow-up an action item is.
    ItemKind {
        /// Prevents a recurrence.
        Prevent = "prevent",
        /// Reduces impact next time.
        Mitigate = "mitigate",
        /// Detects it sooner.
        Detect = "detect",
        /// Changes how people work.
        Process = "process",
        /// Anything else.
        Other = "other",
    }
}

vocabulary! {
    /// What a reviewer concluded.
    Verdict {
        /// Ready as written.
        Approved = "approved",
        /// Needs another pass.
        ChangesRequested = "changes-requested",
    }
}

vocabulary! {
    /// How a postmortem was reviewed.
    ReviewMode {
        /// Together, in a meeting.
        Meeting = "meeting",
        /// Asynchronously, each reviewer in their own time.
        Async = "async",
    }
}

impl Default for ItemStatus {
    fn default() -> Self {
        ItemStatus::MISSING
    }
}

impl ItemStatus {
    /// What an action item without a status is: the `default` the built-in schema gives its
    /// `status` (a test keeps the two equal). A missing status is also a schema error, so the
    /// author hears of it; meanwhile every reader — rules, follow-up, metrics, site, export —
    /// counts the item as still owed, because hiding an item would be worse than showing it.
    pub const MISSING: ItemStatus = ItemStatus::Open;

    /// Open or in progress: still owed.
    pub const fn is_open(self) -> bool {
        matches!(self, ItemStatus::Open | ItemStatus::InProgress)
    }
}

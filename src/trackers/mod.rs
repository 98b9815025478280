//! Action items tracked to completion: the tickets they point at, in GitHub, GitLab, Jira and
//! Linear.
//!
//! The data flows one way. `pm sync` resolves every item's `ticket` to a tracker and a canonical
//! key ([`refs`]), fetches the tickets' state in batches over HTTP ([`http`], one file per
//! provider), and writes the ticket cache ([`cache`]). Everything else — the `action-item-drift`
//! rule, `pm actions`, the site, the export, the metrics — reads only the cache, never the
//! network, so checks stay fast, offline and reproducible. [`drift`] is the one definition of an
//! item and its ticket disagreeing, and of the front-matter change that settles it.

pub mod cache;
pub mod drift;
pub mod http;
pub mod refs;
pub mod sync;

mod github;
mod gitlab;
mod jira;
mod linear;

pub use cache::{Cache, CachedTicket};
pub use refs::TicketRef;

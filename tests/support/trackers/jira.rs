//! The fake Jira: `POST /rest/api/3/search/jql` (Cloud) and `POST /rest/api/2/search` (Server / Data Center).

use std::collections::BTreeMap;

use super::{Issue, Reply, Seen};

/// The answer to `seen`, if it is a request of this provider.
pub(super) fn answer(_issues: &BTreeMap<String, Issue>, _seen: &Seen) -> Option<Reply> {
    None
}

//! Jira Cloud (`POST /rest/api/3/search/jql`) and Server / Data Center (`/rest/api/2/search`).

use super::http::{Client, HttpError};
use super::sync::{Fetched, Provider};
use crate::config::JiraEdition;

/// The Jira provider.
pub(crate) struct Jira {
    /// Which API.
    pub(crate) edition: JiraEdition,
}

impl Provider for Jira {
    fn group(&self, _key: &str) -> String {
        String::new()
    }

    fn batch_size(&self) -> usize {
        100
    }

    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError> {
        let _ = self.edition;
        let _ = keys;
        Err(HttpError::Status {
            tracker: client.tracker().to_owned(),
            url: client.base().to_owned(),
            status: 0,
            message: "syncing this kind of tracker is not built yet".to_owned(),
        })
    }
}

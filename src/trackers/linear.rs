//! Linear, GraphQL: `issues(filter: { team, number: { in } })`, 100 per page.

use super::http::{Client, HttpError};
use super::sync::{Fetched, Provider};

/// The Linear provider.
pub(crate) struct Linear;

impl Provider for Linear {
    fn group(&self, key: &str) -> String {
        key.split('-').next().unwrap_or(key).to_owned()
    }

    fn batch_size(&self) -> usize {
        100
    }

    fn fetch(&self, client: &Client, keys: &[String]) -> Result<Vec<Fetched>, HttpError> {
        let _ = keys;
        Err(HttpError::Status {
            tracker: client.tracker().to_owned(),
            url: client.base().to_owned(),
            status: 0,
            message: "syncing this kind of tracker is not built yet".to_owned(),
        })
    }
}

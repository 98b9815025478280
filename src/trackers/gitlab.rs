//! GitLab (SaaS and self-managed), REST v4: `GET /projects/:path/issues?iids[]=…`, 100 per page.

use super::http::{Client, HttpError};
use super::sync::{Fetched, Provider};

/// The GitLab provider.
pub(crate) struct GitLab;

impl Provider for GitLab {
    fn group(&self, key: &str) -> String {
        key.rsplit_once('#').map_or(key, |(p, _)| p).to_ascii_lowercase()
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

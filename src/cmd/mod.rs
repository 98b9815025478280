//! One module per command. Each takes parsed arguments and returns an [`crate::Outcome`] or an
//! error with context.

pub mod actions;
pub mod build;
pub mod check;
pub mod completions;
pub mod explain;
pub mod export;
pub mod gate;
pub mod init;
pub mod metrics;
pub mod new;
pub mod schema;
pub mod serve;
pub mod templates;
pub mod theme;
pub mod timeline;

use std::path::PathBuf;

/// Options every command shares.
#[derive(Debug, Clone)]
pub struct Global {
    /// `--root`, if given.
    pub root: Option<PathBuf>,
    /// The current folder.
    pub cwd: PathBuf,
    /// Whether to colour output.
    pub color: bool,
}

impl Global {
    /// Opens the workspace: `--root` or discovery from the current folder.
    pub fn workspace(&self) -> anyhow::Result<crate::config::Workspace> {
        Ok(crate::config::Workspace::discover(self.root.as_deref(), &self.cwd)?)
    }
}

//! `pm theme`: the site theme's files — list which are built-in or overridden, or copy the
//! built-ins into the repository's `site-theme/` to edit them.

use crate::cmd::{Global, Outcome};
use crate::site::theme::{self, BUILTIN, DIR};

/// Options of `pm theme`.
#[derive(Debug, clap::Args)]
pub struct ThemeArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ThemeCommand,
}

/// The `pm theme` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ThemeCommand {
    /// Copy the built-in templates, CSS and JavaScript into `site-theme/` for editing. Every
    /// file you keep there replaces the built-in of the same name; delete the ones you do not
    /// change, so they keep following pm's updates.
    Eject {
        /// Overwrite files that already exist in `site-theme/`.
        #[arg(long)]
        force: bool,
    },
    /// List the theme's files and whether the repository overrides them.
    List,
}

/// Runs `pm theme`.
pub fn run(global: &Global, args: &ThemeArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace_to_write()?;
    match args.command {
        ThemeCommand::Eject { force } => {
            let written = theme::eject(&workspace.root, force)?;
            for path in &written {
                let shown = path.strip_prefix(&global.cwd).unwrap_or(path);
                println!("wrote {}", shown.display());
            }
            println!(
                "Copied {} theme files to {DIR}/. Keep only the files you change: the others \
                 then follow pm's built-in theme.",
                written.len()
            );
        }
        ThemeCommand::List => {
            let loaded = theme::Theme::load(&workspace.root)?;
            let mut names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            names.extend(loaded.overrides.iter().map(String::as_str));
            names.sort_unstable();
            names.dedup();
            for name in names {
                let builtin = BUILTIN.iter().any(|(n, _)| *n == name);
                let overridden = loaded.overrides.iter().any(|n| n == name);
                let state = match (builtin, overridden) {
                    (true, true) => format!("overridden by {DIR}/{name}"),
                    (true, false) => "built-in".to_owned(),
                    (false, _) => format!("added by {DIR}/{name}"),
                };
                println!("{name:<18} {state}");
            }
        }
    }
    Ok(Outcome::Clean)
}

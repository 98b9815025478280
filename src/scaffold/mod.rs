//! Scaffolding: what `pm new` and `pm init` write, and the care taken in writing it.
//!
//! Following the data of `pm new`: [`postmortem`] validates the command-line values against
//! pm.toml and derives the missing ones from the service catalog; [`template`] finds the
//! template (the repository's `templates/NAME.md`, else a built-in) and renders it, writing
//! values into YAML through [`yaml`]; [`slug`] turns the title into a safe file name; [`ids`]
//! allocates the next id and creates the file exclusively, so nothing is overwritten and two
//! concurrent runs never share an id. [`skeleton`] holds the files of `pm init`, and [`adopt`]
//! merges pm's lines and hooks into the `.gitignore` and pre-commit config a repository has.

pub mod adopt;
pub mod ids;
pub mod postmortem;
pub mod skeleton;
pub mod slug;
pub mod template;
pub mod yaml;

//! `pm templates`: list the postmortem templates with their origin, print one, or copy a
//! built-in into the repository to edit it.

use std::io::Write;

use anyhow::{Context as _, bail};

use crate::cmd::{Global, Outcome};
use crate::scaffold::{ids, template};

/// Options of `pm templates`.
#[derive(Debug, clap::Args)]
pub struct TemplatesArgs {
    /// Print the source of template NAME (the one `pm new --template NAME` would use).
    #[arg(long, value_name = "NAME", conflicts_with = "eject")]
    pub show: Option<String>,

    /// Copy built-in template NAME to the repository's `templates/NAME.md`, to edit it there
    /// (never overwrites).
    #[arg(long, value_name = "NAME")]
    pub eject: Option<String>,
}

/// Runs `pm templates`.
pub fn run(global: &Global, args: &TemplatesArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace_to_write()?;
    let root = &workspace.root;
    let mut out = std::io::stdout().lock();
    if let Some(name) = &args.show {
        let t = template::load(root, name)?;
        out.write_all(t.text.as_bytes()).context("cannot write")?;
        return Ok(Outcome::Clean);
    }
    if let Some(name) = &args.eject {
        if !template::is_valid_name(name) {
            bail!("`{name}` is not a template name (letters, digits, `-` and `_`)");
        }
        let Some(t) = template::builtin(name) else {
            let names: Vec<&str> = template::BUILTINS.iter().map(|(n, _)| *n).collect();
            bail!("no built-in template `{name}`: the built-ins are {}", names.join(", "));
        };
        let path = template::repo_path(root, name);
        let shown = path.strip_prefix(&global.cwd).unwrap_or(&path).display().to_string();
        match ids::create_new(root, &path, &t.text) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!("{shown} already exists; pm never overwrites it")
            }
            Err(e) => return Err(e).with_context(|| format!("cannot write {shown}")),
        }
        writeln!(out, "{shown}").context("cannot write")?;
        return Ok(Outcome::Clean);
    }

    let all = template::list(root)?;
    let rows: Vec<(String, String, String)> = all
        .iter()
        .map(|t| {
            let mut description = t.description().unwrap_or_default();
            if t.name == template::DEFAULT {
                description.push_str(" (default)");
            }
            (t.name.clone(), t.origin.to_string(), description)
        })
        .collect();
    let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max("NAME".len());
    let origin_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max("ORIGIN".len());
    let mut text = format!("{:name_width$}  {:origin_width$}  DESCRIPTION\n", "NAME", "ORIGIN");
    for (name, origin, description) in rows {
        text.push_str(
            format!("{name:name_width$}  {origin:origin_width$}  {description}").trim_end(),
        );
        text.push('\n');
    }
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write")?;
    Ok(Outcome::Clean)
}

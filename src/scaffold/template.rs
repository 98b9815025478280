//! Postmortem templates: the built-ins embedded from the project's `templates/` folder, and a
//! repository's own `templates/NAME.md`, which replace a built-in of the same name or add a new
//! one (the repository's file is looked up first, the built-ins fill the gaps).
//!
//! Templates are [tera](https://keats.github.io/tera/) text producing a whole postmortem, front
//! matter included. Values land in YAML through the `yaml` filter (`{{ title | yaml }}`), which
//! quotes only when YAML would misread the text. A template's first line may be a tera comment
//! `{# one-line description -#}`, which `pm templates` shows.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Serialize;

/// The template `pm new` uses without `--template`.
pub const DEFAULT: &str = "google";

pub use crate::templates::{BUILTINS, REPO_DIR};

/// Where a template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in `pm`.
    Builtin,
    /// The repository's `templates/NAME.md`.
    Repo {
        /// Its path, relative to the repository root.
        path: String,
        /// Whether a built-in of the same name exists (and is replaced).
        overrides: bool,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::Repo { path, overrides: false } => write!(f, "repo ({path})"),
            Origin::Repo { path, overrides: true } => {
                write!(f, "repo ({path}, replaces the built-in)")
            }
        }
    }
}

/// A template's name, origin and source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// `google`.
    pub name: String,
    /// Built-in or the repository's.
    pub origin: Origin,
    /// The tera source.
    pub text: String,
}

impl Template {
    /// The one-line description from a leading `{# … #}` comment.
    pub fn description(&self) -> Option<String> {
        let rest = self.text.trim_start().strip_prefix("{#")?;
        let end = rest.find("#}")?;
        let text = rest[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let line = text.lines().next()?.trim();
        (!line.is_empty()).then(|| line.to_owned())
    }
}

/// Whether `name` can name a template: letters, digits, `-` and `_`, so that it can never point
/// outside the templates folder.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The built-in template `name`.
pub fn builtin(name: &str) -> Option<Template> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(name, text)| Template {
        name: (*name).to_owned(),
        origin: Origin::Builtin,
        text: (*text).to_owned(),
    })
}

/// The template `name` for the repository at `root`: its own `templates/NAME.md`, else the
/// built-in.
pub fn load(root: &Path, name: &str) -> anyhow::Result<Template> {
    if !is_valid_name(name) {
        bail!("`{name}` is not a template name (letters, digits, `-` and `_`)");
    }
    let rel = format!("{REPO_DIR}/{name}.md");
    let path = root.join(&rel);
    match crate::templates::read_repo_file(root, &path) {
        Ok(text) => {
            let overrides = builtin(name).is_some();
            return Ok(Template {
                name: name.to_owned(),
                origin: Origin::Repo { path: rel, overrides },
                text,
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    builtin(name).ok_or_else(|| {
        let names: Vec<String> = list(root).map_or_else(
            |_| BUILTINS.iter().map(|(n, _)| (*n).to_owned()).collect(),
            |all| all.into_iter().map(|t| t.name).collect(),
        );
        anyhow::anyhow!(
            "no template `{name}`: the templates are {} (add one as {rel})",
            names.join(", ")
        )
    })
}

/// Every template available in the repository at `root`, sorted by name.
pub fn list(root: &Path) -> anyhow::Result<Vec<Template>> {
    let mut names: Vec<String> = BUILTINS.iter().map(|(n, _)| (*n).to_owned()).collect();
    let dir = root.join(REPO_DIR);
    match std::fs::read_dir(&dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
                let path = entry.path();
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".md"))
                    .filter(|n| is_valid_name(n));
                if let Some(name) = name {
                    if path.is_file() && !names.iter().any(|n| n == name) {
                        names.push(name.to_owned());
                    }
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
    names.sort();
    names.iter().map(|name| load(root, name)).collect()
}

/// The path a built-in is ejected to in the repository at `root`.
pub fn repo_path(root: &Path, name: &str) -> PathBuf {
    root.join(REPO_DIR).join(format!("{name}.md"))
}

/// Renders `template` with the variables `vars`.
///
/// Every value is escaped for markdown ([`crate::escape::markdown_text`]) unless a filter says
/// otherwise: a title such as `<!-- pm-disable-file -->` or `[x](javascript:…)` is text in the
/// body, not a suppression marker or a link. `| yaml` writes a YAML scalar for the front
/// matter, `| safe` writes a value as it is.
pub fn render(template: &Template, vars: &impl Serialize) -> anyhow::Result<String> {
    let mut tera = tera::Tera::new();
    tera.set_escape_fn(escape_markdown);
    tera.autoescape_on([".md"]);
    tera.register_filter("yaml", |value: tera::Value, _: tera::Kwargs, _: &tera::State| {
        let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
        tera::Value::safe_string(&super::yaml::value(&json))
    });
    let what = || format!("template `{}` ({})", template.name, template.origin);
    let tera_name = format!("{}.md", template.name);
    tera.add_raw_template(&tera_name, &template.text)
        .map_err(|e| anyhow::anyhow!("{}", tera_error(&e)))
        .with_context(what)?;
    let context = tera::Context::from_serialize(vars)
        .map_err(|e| anyhow::anyhow!("{}", tera_error(&e)))
        .with_context(what)?;
    let text = tera
        .render(&tera_name, &context)
        .map_err(|e| anyhow::anyhow!("{}", tera_error(&e)))
        .with_context(what)?;
    // A description comment without `-#}` leaves a blank first line; front matter must start
    // the file.
    Ok(text.trim_start().to_owned())
}

/// Tera's escape function for `.md` templates.
fn escape_markdown(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(crate::escape::markdown_text(text).as_bytes())
}

/// A tera error with its causes, on one line each.
fn tera_error(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_describe_themselves() {
        for (name, _) in BUILTINS {
            let t = builtin(name).expect("builtin");
            assert!(t.description().is_some(), "{name} has no description");
        }
        assert_eq!(builtin("nope"), None);
    }

    #[test]
    fn names_cannot_escape_the_folder() {
        assert!(is_valid_name("google"));
        assert!(is_valid_name("sev-1_long"));
        for bad in ["", "../x", "a/b", "a.b", "a b", ".."] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn repo_templates_replace_and_add() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("templates")).expect("mkdir");
        std::fs::write(tmp.path().join("templates/short.md"), "{# ours #}x").expect("write");
        std::fs::write(tmp.path().join("templates/db.md"), "y").expect("write");
        std::fs::write(tmp.path().join("templates/notes.txt"), "z").expect("write");
        let all = list(tmp.path()).expect("list");
        let names: Vec<(&str, String)> =
            all.iter().map(|t| (t.name.as_str(), t.origin.to_string())).collect();
        assert_eq!(
            names,
            [
                ("db", "repo (templates/db.md)".to_owned()),
                ("google", "built-in".to_owned()),
                ("security", "built-in".to_owned()),
                ("short", "repo (templates/short.md, replaces the built-in)".to_owned()),
            ]
        );
        assert_eq!(
            load(tmp.path(), "short").expect("short").description().as_deref(),
            Some("ours")
        );
        let e = load(tmp.path(), "missing").expect_err("missing");
        assert!(e.to_string().contains("db, google, security, short"), "{e}");
    }

    #[test]
    fn render_errors_name_the_template() {
        let t = Template {
            name: "broken".into(),
            origin: Origin::Builtin,
            text: "{{ title | nope }}".into(),
        };
        let e = render(&t, &serde_json::json!({"title": "x"})).expect_err("unknown filter");
        assert!(format!("{e:#}").contains("template `broken`"), "{e:#}");
    }

    #[test]
    fn yaml_filter_quotes_when_needed() {
        let t = Template {
            name: "t".into(),
            origin: Origin::Builtin,
            text: "title: {{ title | yaml }}\nservices: {{ services | yaml }}\n".into(),
        };
        let out = render(&t, &serde_json::json!({"title": "a: b", "services": ["x", "y"]}))
            .expect("render");
        assert_eq!(out, "title: \"a: b\"\nservices: [x, y]\n");
    }
}

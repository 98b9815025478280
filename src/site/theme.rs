//! The site theme: tera templates, CSS and JavaScript.
//!
//! The built-in theme (`site-theme/` of this crate) is embedded in the binary. A repository
//! overrides any single file by placing a file of the same name in its own `site-theme/`
//! folder: its files are loaded first and the built-ins fill the gaps (as in mdBook and zola).
//! Files ending in `.html` or `.xml` are templates, rendered with HTML escaping on; every other
//! file is copied to the site's `assets/` folder. `pm theme eject` copies the built-ins out.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// The folder of a repository's theme overrides, relative to its root.
pub const DIR: &str = "site-theme";

/// The built-in theme files, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("404.html", include_str!("../../site-theme/404.html")),
    ("actions.html", include_str!("../../site-theme/actions.html")),
    ("base.html", include_str!("../../site-theme/base.html")),
    ("components.html", include_str!("../../site-theme/components.html")),
    ("favicon.svg", include_str!("../../site-theme/favicon.svg")),
    ("feed.xml", include_str!("../../site-theme/feed.xml")),
    ("index.html", include_str!("../../site-theme/index.html")),
    ("metrics.html", include_str!("../../site-theme/metrics.html")),
    ("postmortem.html", include_str!("../../site-theme/postmortem.html")),
    ("postmortems.html", include_str!("../../site-theme/postmortems.html")),
    ("review.html", include_str!("../../site-theme/review.html")),
    ("search.html", include_str!("../../site-theme/search.html")),
    ("search.js", include_str!("../../site-theme/search.js")),
    ("site.js", include_str!("../../site-theme/site.js")),
    ("sitemap.xml", include_str!("../../site-theme/sitemap.xml")),
    ("style.css", include_str!("../../site-theme/style.css")),
    ("term.html", include_str!("../../site-theme/term.html")),
    ("terms.html", include_str!("../../site-theme/terms.html")),
];

/// A loaded theme.
pub struct Theme {
    /// Every template, built-in or overridden.
    pub tera: tera::Tera,
    /// Files for `assets/`, by path relative to it, sorted.
    pub assets: Vec<(String, Vec<u8>)>,
    /// Names of the repository's files that replaced or added to the built-ins.
    pub overrides: Vec<String>,
    /// A hash of every file of the theme (names and bytes), part of every page's cache key.
    pub fingerprint: u128,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("overrides", &self.overrides).finish_non_exhaustive()
    }
}

fn is_template(name: &str) -> bool {
    name.ends_with(".html") || name.ends_with(".xml")
}

impl Theme {
    /// Loads the built-in theme overlaid with the files of `root/site-theme/`, if any.
    pub fn load(root: &Path) -> anyhow::Result<Self> {
        let user = read_dir_files(root, &root.join(DIR))?;
        let mut files: Vec<(String, Vec<u8>)> =
            BUILTIN.iter().map(|(n, t)| ((*n).to_owned(), t.as_bytes().to_vec())).collect();
        let mut overrides = Vec::new();
        for (name, bytes) in user {
            overrides.push(name.clone());
            match files.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = bytes,
                None => files.push((name, bytes)),
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hasher = crate::site::manifest::KeyHasher::default();
        for (name, bytes) in &files {
            hasher.str(name).bytes(bytes);
        }
        let fingerprint = hasher.finish();

        let mut tera = tera::Tera::new();
        // Values placed in a URL's query (`?severity=…`) must be percent-encoded: escaping for
        // HTML alone leaves `&`, `#` and spaces that break the link.
        tera.register_filter("urlencode", |value: &str, _: tera::Kwargs, _: &tera::State| {
            crate::site::catalog::encode_path(value)
        });
        let mut templates = Vec::new();
        let mut assets = Vec::new();
        for (name, bytes) in files {
            if is_template(&name) {
                let text = String::from_utf8(bytes)
                    .map_err(|_| anyhow::anyhow!("{DIR}/{name}: a template must be UTF-8 text"))?;
                templates.push((name, text));
            } else {
                assets.push((name, bytes));
            }
        }
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| anyhow::anyhow!("the site theme has an error: {}", tera_error(&e)))?;
        Ok(Self { tera, assets, overrides, fingerprint })
    }
}

/// A tera error with its causes, on one line each.
pub fn tera_error(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    text
}

/// Every regular file under `dir` (recursively, hidden ones skipped), by `/`-separated path
/// relative to it, sorted. A missing folder has no files. The theme is published: a symbolic
/// link (the folder itself or anything in it) that leads outside the repository at `root`
/// is an error, or a committed `site-theme/key.txt -> ~/.ssh/id_rsa` would copy that file
/// into the site.
fn read_dir_files(root: &Path, dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let contained = |path: &Path| {
        crate::contain::resolve(root, path)
            .map_err(|e| anyhow::anyhow!("the site theme cannot be read: {e}"))
    };
    contained(dir)?;
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = stack.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", folder.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let rel = format!("{prefix}{name}");
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                contained(&path)?;
            }
            if path.is_dir() {
                stack.push((path, format!("{rel}/")));
            } else {
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                out.push((rel, bytes));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Copies the built-in theme into `root/site-theme/`. Existing files are refused unless
/// `force`; nothing is written when any is refused. A symbolic link in a file's place, or a
/// folder leading outside the repository, is refused even with `force` (the atomic writer
/// decides): a link is never written through. Returns the paths written.
pub fn eject(root: &Path, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let dir = root.join(DIR);
    let targets: Vec<(PathBuf, &str)> = BUILTIN.iter().map(|(n, t)| (dir.join(n), *t)).collect();
    for (path, _) in &targets {
        crate::atomic::check_target(root, path).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    if !force {
        let existing: Vec<String> = targets
            .iter()
            .filter(|(p, _)| p.symlink_metadata().is_ok())
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            bail!(
                "refusing to overwrite existing theme files (use --force to replace them):\n  {}",
                existing.join("\n  ")
            );
        }
    }
    let mut written = Vec::new();
    for (path, text) in targets {
        crate::atomic::write(root, &path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_compile_and_user_files_win() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let theme = Theme::load(tmp.path()).expect("built-in theme");
        assert!(theme.overrides.is_empty());
        assert!(theme.assets.iter().any(|(n, _)| n == "style.css"));
        std::fs::create_dir_all(tmp.path().join(DIR)).expect("mkdir");
        std::fs::write(tmp.path().join(DIR).join("style.css"), "body{}").expect("write");
        std::fs::write(tmp.path().join(DIR).join("logo.svg"), "<svg/>").expect("write");
        let theme = Theme::load(tmp.path()).expect("overridden");
        assert_eq!(theme.overrides, ["logo.svg", "style.css"]);
        let css = theme.assets.iter().find(|(n, _)| n == "style.css").expect("css");
        assert_eq!(css.1, b"body{}");
    }

    #[test]
    fn eject_refuses_to_overwrite() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let written = eject(tmp.path(), false).expect("eject");
        assert_eq!(written.len(), BUILTIN.len());
        std::fs::write(tmp.path().join(DIR).join("style.css"), "mine").expect("write");
        let e = eject(tmp.path(), false).expect_err("refused");
        assert!(e.to_string().contains("style.css"), "{e}");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(DIR).join("style.css")).expect("read"),
            "mine"
        );
        eject(tmp.path(), true).expect("forced");
    }
}

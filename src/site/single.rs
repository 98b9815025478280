//! Renders one postmortem page on its own, without a repository on disk: the entry point for
//! the fuzz target and the property tests that check what a page can contain.
//!
//! It takes the same path as `pm build` for that one file — parse, per-document and repo-wide
//! check, [`Catalog::load`], metrics, then [`Site::render_postmortems`] with the built-in theme —
//! so what it returns is exactly the page a build would write (without git dates). The page is
//! written into a private temporary folder, as a build writes it, read back and the folder
//! removed. The theme and the schema for the default configuration are compiled once per
//! process: a fuzzer calls this thousands of times a second.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use anyhow::Context as _;
use jiff::civil::Date;

use super::catalog::Catalog;
use super::theme::Theme;
use super::{Site, SiteGlobals};
use crate::check::{Keep, Loaded, Request};
use crate::config::{Config, Workspace};
use crate::repo::{Depth, Document};

/// The folder name of the postmortems in the in-memory repository.
const FOLDER: &str = "postmortems";

/// Renders `text` as the page of one postmortem with the default configuration. `Ok(None)`
/// when the text is no postmortem (a build skips such a file: it has no page).
pub fn render(text: &str, today: Date) -> anyhow::Result<Option<String>> {
    render_with(&Config::default(), text, today)
}

/// Renders `text` as the page of one postmortem in a repository configured by `config`
/// (trackers, `allow_html`, `base_url`, `repo_url` change the page). `Ok(None)` when the text
/// is no postmortem.
pub fn render_with(config: &Config, text: &str, today: Date) -> anyhow::Result<Option<String>> {
    let scratch = Scratch::new()?;
    let workspace =
        Workspace { root: scratch.root.clone(), config_path: None, config: config.clone() };
    let rules = crate::check::Rules::builtin(config)?;

    let mut doc = Document::parse(&format!("{FOLDER}/postmortem.md"), text.into(), Depth::Full);
    // Name the file after a plain id, as an author would, so the page does not always carry
    // an id-filename warning; any other id keeps the neutral name.
    if let Some(id) = doc.id().filter(|id| is_plain_file_stem(id)) {
        doc.source.path = format!("{FOLDER}/{id}.md");
    }
    let request = Request::all(Keep::Pages).checked(&rules, today);
    let Loaded { repo, diagnostics, .. } =
        crate::check::check_documents(workspace, vec![doc], &request);
    let model = Catalog::load(&repo, &diagnostics, None, today);
    let Some(entry) = model.entries.first() else {
        return Ok(None);
    };
    let metrics = crate::metrics::compute(&repo, &crate::metrics::Options::new(today));

    // The same globals as a build.
    let globals = SiteGlobals::new(config);
    let (base_url, repo_url) = (globals.base_url.clone(), globals.repo_url.clone());
    let mut theme = builtin_theme()?;
    theme.tera.global_context().insert("site", &globals);

    let out = scratch.root.join("site");
    std::fs::create_dir_all(out.join(FOLDER))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let site = Site {
        model: &model,
        metrics: &metrics,
        theme: &theme,
        out: out.clone(),
        base_url,
        repo_url,
        pages: AtomicUsize::new(0),
        files: AtomicUsize::new(0),
        html: Mutex::new(Vec::new()),
        progress: indicatif::ProgressBar::hidden(),
    };
    site.render_postmortems()?;
    let page = out.join(entry.href());
    let html = std::fs::read_to_string(&page)
        .with_context(|| format!("cannot read {}", page.display()))?;
    Ok(Some(html))
}

/// Whether `id` can name a file as it is: ASCII letters, digits, `-`, `_`, `.`, not hidden.
fn is_plain_file_stem(id: &str) -> bool {
    (1..=100).contains(&id.len())
        && !id.starts_with('.')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The built-in theme, compiled once; each caller gets its own copy to set its globals on.
fn builtin_theme() -> anyhow::Result<Theme> {
    static THEME: OnceLock<Result<Theme, String>> = OnceLock::new();
    // A folder that cannot exist, so no user theme file is picked up.
    let theme = THEME.get_or_init(|| {
        Theme::load(std::path::Path::new("/nonexistent/pm-single")).map_err(|e| format!("{e:#}"))
    });
    match theme {
        Ok(t) => {
            Ok(Theme { tera: t.tera.clone(), assets: Vec::new(), overrides: t.overrides.clone() })
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// A private temporary folder, removed when dropped (also when rendering failed).
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new() -> anyhow::Result<Self> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("pm-single-{}-{n}", std::process::id()));
        // A leftover of an earlier process with the same id is ours to replace.
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        Ok(Self { root })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 11, 25)
    }

    #[test]
    fn renders_a_postmortem_page_with_escaped_content() {
        let text = "---\nid: INC-2026-0001\ntitle: \"<script>alert(1)</script>\"\nstatus: draft\n---\n\n## Summary\n\nHello <b>world</b>.\n";
        let html = render(text, today()).expect("renders").expect("a page");
        assert!(html.contains("INC-2026-0001"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(!html.contains("<script>alert(1)"), "{html}");
    }

    #[test]
    fn no_page_for_what_is_no_postmortem() {
        assert!(render("", today()).expect("no error").is_none());
        assert!(render("just text\n", today()).expect("no error").is_none());
        assert!(render("---\n- a list\n---\n", today()).expect("no error").is_none());
    }

    #[test]
    fn file_stems_are_plain() {
        assert!(is_plain_file_stem("INC-2026-0001"));
        assert!(!is_plain_file_stem("../x"));
        assert!(!is_plain_file_stem(".hidden"));
        assert!(!is_plain_file_stem(""));
    }
}

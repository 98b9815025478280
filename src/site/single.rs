//! Renders one postmortem page on its own, without a repository on disk: the entry point for
//! the fuzz target and the property tests that check what a page can contain.
//!
//! It takes the same path as `pm build` for that one file — parse, per-document and repo-wide
//! check, [`Catalog::load`], metrics, then the postmortem pages' renderer with the built-in
//! theme — so what it returns is exactly the page a build would write (without git dates). The
//! page is handed to a writer that keeps it in memory: nothing touches the disk. The theme and
//! the schema for the default configuration are compiled once per process: a fuzzer calls this
//! thousands of times a second.

use std::path::Path;
use std::sync::OnceLock;

use jiff::civil::Date;

use super::SiteGlobals;
use super::catalog::Catalog;
use super::render::Site;
use super::theme::Theme;
use super::writer::Memory;
use crate::check::{Keep, Loaded, Request};
use crate::config::{Config, Workspace};
use crate::repo::{Depth, Document};

/// The folder name of the postmortems in the in-memory repository.
const FOLDER: &str = "postmortems";

/// The root of the in-memory repository, and where the built-in theme is looked for: a folder
/// that cannot exist, so nothing on disk (a user's theme file, another file a link names)
/// changes the page.
const NOWHERE: &str = "/nonexistent/pm-single";

/// Renders `text` as the page of one postmortem with the default configuration. `Ok(None)`
/// when the text is no postmortem (a build skips such a file: it has no page).
pub fn render(text: &str, today: Date) -> anyhow::Result<Option<String>> {
    render_with(&Config::default(), text, today)
}

/// Renders `text` as the page of one postmortem in a repository configured by `config`
/// (trackers, `allow_html`, `base_url`, `repo_url` change the page). `Ok(None)` when the text
/// is no postmortem.
pub fn render_with(config: &Config, text: &str, today: Date) -> anyhow::Result<Option<String>> {
    let workspace = Workspace { root: NOWHERE.into(), config_path: None, config: config.clone() };
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
    // No history to read approvals from: the repository is in memory.
    let judge = crate::completion::Judge::new(config, None, today, None);
    let catalog = Catalog::load(&repo, &diagnostics, None, today, &judge)?;
    let Some(entry) = catalog.entries.first() else {
        return Ok(None);
    };
    let metrics = crate::metrics::compute_with(&repo, &crate::metrics::Options::new(today), &judge);

    // The same globals as a build.
    let globals = SiteGlobals::new(config);
    let mut theme = builtin_theme()?;
    theme.tera.global_context().insert("site", &globals);

    let memory = Memory::default();
    let site = Site::new(
        &catalog,
        &metrics,
        &theme,
        &globals,
        &memory,
        indicatif::ProgressBar::hidden(),
        0,
    );
    site.render_postmortems()?;
    let page = entry.href();
    let html = memory.take(&page).ok_or_else(|| anyhow::anyhow!("{page} was not rendered"))?;
    Ok(Some(String::from_utf8(html)?))
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
    let theme = THEME.get_or_init(|| Theme::load(Path::new(NOWHERE)).map_err(|e| format!("{e:#}")));
    match theme {
        Ok(t) => Ok(Theme {
            tera: t.tera.clone(),
            assets: Vec::new(),
            overrides: t.overrides.clone(),
            fingerprint: t.fingerprint,
        }),
        Err(e) => Err(anyhow::anyhow!("{e}")),
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

//! The configured paths of `pm.toml` stay inside the repository: `postmortems` (read and
//! published), `site.output` (replaced wholesale by every build) and `sync.cache` (written by
//! `pm sync`). A pull request that sets `postmortems = "/"` or `output = "../../var/www"`, or
//! commits `public` as a link to a folder elsewhere, must not make the next build read or
//! replace files outside the checkout. The one definition of "inside" is [`crate::contain`].
//!
//! A path a user types for one run (`pm build --out DIR`) is not configuration and may point
//! anywhere.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::Config;

/// Where the path-valued keys are written in the file, when they are.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Located {
    postmortems: Option<Spanned<String>>,
    site: LocatedSite,
    sync: LocatedSync,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LocatedSite {
    output: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LocatedSync {
    cache: Option<Spanned<String>>,
}

/// Checks every path-valued key of `config` (parsed from `text`) against the repository at
/// `root`: the first that leads outside it, with the span of its value in `text` (empty when
/// the key is not written and its default leads out, through a committed link).
pub(super) fn check(
    config: &Config,
    text: &str,
    root: &Path,
) -> Result<(), (Range<usize>, String)> {
    // The file parsed once already; a second failure here cannot happen, and would only lose
    // the spans.
    let located: Located = toml::from_str(text).unwrap_or_default();
    let span = |value: Option<Spanned<String>>| value.map_or(0..0, |v| v.span());
    let keys = [
        ("postmortems", config.postmortems.as_str(), span(located.postmortems)),
        ("site.output", config.site.output.as_str(), span(located.site.output)),
        ("sync.cache", config.sync.cache.as_str(), span(located.sync.cache)),
    ];
    for (key, value, span) in keys {
        if let Err(e) = crate::contain::resolve(root, Path::new(value)) {
            let written = if span.is_empty() { " (the default)" } else { "" };
            let whither = if e.resolved.as_os_str().is_empty() {
                String::new()
            } else {
                format!(" (to {})", e.resolved.display())
            };
            let hint = if key == "site.output" {
                " To build a site somewhere else for one run, pass `pm build --out DIR`."
            } else {
                ""
            };
            return Err((
                span,
                format!(
                    "`{key}` = {value:?}{written} leads outside the repository{whither}: \
                     configured paths must name a place inside the repository root, through \
                     symbolic links too. Use a relative path to a folder in the repository.{hint}"
                ),
            ));
        }
    }
    Ok(())
}

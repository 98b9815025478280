//! Turning rules off: inline `<!-- pm-disable … -->` comments in a body, and `[[suppress]]`
//! path globs and `[rules]` severities in pm.toml.
//!
//! Inline forms (rule names are slugs or codes, separated by spaces or commas; none = all):
//! - `<!-- pm-disable-file RULES -->` anywhere: the whole file.
//! - `<!-- pm-disable RULES -->` … `<!-- pm-enable RULES -->`: a region (to the end if unclosed).
//! - `<!-- pm-disable-next-line RULES -->`: the line after the comment.
//! - `<!-- pm-disable-line RULES -->`: the comment's own line.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::config::{Config, ConfigError};
use crate::diagnostic::Severity;
use crate::rules::{self, Meta};
use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Disable,
    Enable,
    NextLine,
    Line,
}

#[derive(Debug, Clone)]
struct Directive {
    kind: Kind,
    /// Byte offset of the comment's start.
    at: usize,
    /// Line of the comment's start and of its end.
    lines: (usize, usize),
    /// Codes of the rules it names; empty = every rule.
    codes: Vec<&'static str>,
}

impl Directive {
    fn covers(&self, meta: &Meta) -> bool {
        self.codes.is_empty() || self.codes.contains(&meta.code)
    }
}

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<!--\s*pm-(disable-file|disable-next-line|disable-line|disable|enable)\b([^>]*?)-->",
    )
    .expect("valid static regex")
});

/// The inline suppressions of one file.
#[derive(Debug, Clone, Default)]
pub struct Inline {
    directives: Vec<Directive>,
}

impl Inline {
    /// Reads the directives in the HTML spans of `source`'s body.
    pub fn read(source: &Source, html: &[crate::source::Span]) -> Self {
        let mut directives = Vec::new();
        for span in html {
            let text = &source.text[span.start..span.end];
            for caps in DIRECTIVE.captures_iter(text) {
                let (Some(all), Some(kind), Some(names)) = (caps.get(0), caps.get(1), caps.get(2))
                else {
                    continue;
                };
                let kind = match kind.as_str() {
                    "disable-file" => Kind::File,
                    "disable-next-line" => Kind::NextLine,
                    "disable-line" => Kind::Line,
                    "disable" => Kind::Disable,
                    _ => Kind::Enable,
                };
                let at = span.start + all.start();
                let lines =
                    (source.position(at).line, source.position(span.start + all.end()).line);
                let codes = names
                    .as_str()
                    .split([',', ' ', '\t', '\n', '\r'])
                    .filter(|n| !n.is_empty())
                    .filter_map(|n| rules::lookup(n).map(|r| r.meta().code))
                    .collect();
                directives.push(Directive { kind, at, lines, codes });
            }
        }
        Self { directives }
    }

    /// Whether a diagnostic of `meta` at byte `at` on `line` is suppressed.
    pub fn suppresses(&self, meta: &Meta, at: usize, line: usize) -> bool {
        let mut region = false;
        for d in self.directives.iter().filter(|d| d.covers(meta)) {
            match d.kind {
                Kind::File => return true,
                Kind::NextLine if d.lines.1 + 1 == line => return true,
                Kind::Line if d.lines.0 <= line && line <= d.lines.1 => return true,
                Kind::Disable if d.at <= at => region = true,
                Kind::Enable if d.at <= at => region = false,
                _ => {}
            }
        }
        region
    }
}

/// The effective severity of every rule and the path suppressions, from pm.toml.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `None` = the rule is off.
    severities: BTreeMap<&'static str, Option<Severity>>,
    paths: Vec<(globset::GlobMatcher, Vec<&'static str>)>,
}

impl Policy {
    /// Reads `[rules]` and `[[suppress]]`; unknown rule names and severities are errors.
    pub fn new(config: &Config, config_text: Option<&str>) -> Result<Self, ConfigError> {
        let locate = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = config_text.map_or((1, 1), |t| {
                let p = crate::source::LineIndex::new(t).position(t, span.start);
                (p.line, p.column)
            });
            ConfigError { path: crate::config::FILE_NAME.into(), line, column, message }
        };
        let mut severities: BTreeMap<&'static str, Option<Severity>> =
            rules::RULES.iter().map(|r| (r.meta().code, Some(r.meta().default_severity))).collect();
        for (name, level) in &config.rules {
            let Some(rule) = rules::lookup(name) else {
                return Err(locate(
                    level.span(),
                    format!("`rules.{name}`: no rule has this slug or code (see `pm explain`)"),
                ));
            };
            let severity = match level.get_ref().as_str() {
                "off" => None,
                other => Some(Severity::parse(other).ok_or_else(|| {
                    locate(
                        level.span(),
                        format!(
                            "`rules.{name}` is `{other}`: use `error`, `warning`, `info` or `off`"
                        ),
                    )
                })?),
            };
            severities.insert(rule.meta().code, severity);
        }
        let mut paths = Vec::new();
        for suppression in &config.suppress {
            let mut codes = Vec::new();
            for name in &suppression.rules {
                let rule = rules::lookup(name.get_ref()).ok_or_else(|| {
                    locate(
                        name.span(),
                        format!(
                            "`suppress.rules`: no rule `{}` (see `pm explain`)",
                            name.get_ref()
                        ),
                    )
                })?;
                codes.push(rule.meta().code);
            }
            for glob in &suppression.paths {
                let matcher = globset::Glob::new(glob.get_ref())
                    .map_err(|e| locate(glob.span(), format!("`suppress.paths`: {e}")))?
                    .compile_matcher();
                paths.push((matcher, codes.clone()));
            }
        }
        Ok(Self { severities, paths })
    }

    /// The severity of `meta` for a finding, or `None` if the rule is off or suppressed for
    /// `path`. A finding's own severity (e.g. info for "root cause") is kept unless the rule
    /// was reconfigured.
    pub fn severity(&self, meta: &Meta, finding: Option<Severity>, path: &str) -> Option<Severity> {
        let configured = *self.severities.get(meta.code)?;
        let configured = configured?;
        if self
            .paths
            .iter()
            .any(|(m, codes)| (codes.is_empty() || codes.contains(&meta.code)) && m.is_match(path))
        {
            return None;
        }
        Some(if configured == meta.default_severity {
            finding.unwrap_or(configured)
        } else {
            configured
        })
    }
}

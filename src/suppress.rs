//! Turning rules off: inline `<!-- pm-disable … -->` comments in a body, and `[[suppress]]`
//! path globs and `[rules]` severities in pm.toml.
//!
//! Inline forms (rule names are slugs or codes, separated by spaces or commas; none = all):
//! - `<!-- pm-disable-file RULES -->` anywhere: the whole file.
//! - `<!-- pm-disable RULES -->` … `<!-- pm-enable RULES -->`: a region (to the end if unclosed).
//! - `<!-- pm-disable-next-line RULES -->`: the line after the comment.
//! - `<!-- pm-disable-line RULES -->`: the comment's own line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::config::{Config, ConfigError};
use crate::diagnostic::Severity;
use crate::rules::{self, Meta};
use crate::source::{Source, Span};

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<!--\s*pm-(disable-file|disable-next-line|disable-line|disable|enable)\b([^>]*?)-->",
    )
    .expect("valid static regex")
});

/// Which rules a directive names: `None` for every rule.
type Codes = Option<&'static str>;

/// The inline suppressions of one file, indexed so that asking about one diagnostic costs a
/// hash lookup or a binary search, never a walk over every directive (a file of thousands of
/// `pm-disable`/`pm-enable` pairs with a diagnostic between each made that quadratic).
#[derive(Debug, Clone, Default)]
pub struct Inline {
    /// `pm-disable-file`: the codes named, and `None` for every rule.
    file: HashSet<Codes>,
    /// Lines a `pm-disable-line` or `pm-disable-next-line` covers, with the codes named.
    lines: HashSet<(usize, Codes)>,
    /// `pm-disable` (`true`) and `pm-enable` (`false`) by the codes named, in file order.
    regions: HashMap<Codes, Vec<(usize, bool)>>,
}

impl Inline {
    /// Reads the directives in the HTML spans of `source`'s body.
    pub fn read(source: &Source, html: &[Span]) -> Self {
        let mut inline = Self::default();
        for span in html {
            let text = &source.text[span.start..span.end];
            for caps in DIRECTIVE.captures_iter(text) {
                let (Some(all), Some(kind), Some(names)) = (caps.get(0), caps.get(1), caps.get(2))
                else {
                    continue;
                };
                let at = span.start + all.start();
                let mut codes: Vec<Codes> = names
                    .as_str()
                    .split([',', ' ', '\t', '\n', '\r'])
                    .filter(|n| !n.is_empty())
                    .filter_map(|n| rules::lookup(n).map(|r| Some(r.meta().code)))
                    .collect();
                if codes.is_empty() {
                    codes.push(None);
                }
                let first = source.lines.line(at);
                let last = source.lines.line(span.start + all.end());
                for codes in codes {
                    match kind.as_str() {
                        "disable-file" => {
                            inline.file.insert(codes);
                        }
                        "disable-next-line" => {
                            inline.lines.insert((last + 1, codes));
                        }
                        "disable-line" => {
                            inline.lines.extend((first..=last).map(|line| (line, codes)));
                        }
                        kind => {
                            let disable = kind == "disable";
                            inline.regions.entry(codes).or_default().push((at, disable));
                        }
                    }
                }
            }
        }
        inline
    }

    /// The spans among `html` that hold a directive: all [`Inline::read`] needs of a body to
    /// read the same suppressions again (what the verdict cache keeps).
    pub fn directive_spans(source: &Source, html: &[Span]) -> Vec<Span> {
        html.iter()
            .copied()
            .filter(|s| source.text.get(s.start..s.end).is_some_and(|t| DIRECTIVE.is_match(t)))
            .collect()
    }

    /// Whether a diagnostic of `meta` at byte `at` on `line` is suppressed.
    pub fn suppresses(&self, meta: &Meta, at: usize, line: usize) -> bool {
        let named = Some(meta.code);
        if self.file.contains(&None) || self.file.contains(&named) {
            return true;
        }
        if self.lines.contains(&(line, None)) || self.lines.contains(&(line, named)) {
            return true;
        }
        // The last directive at or before `at` that covers the rule decides: a region is
        // open when it is a `pm-disable`.
        let last = |codes: Codes| {
            let toggles = self.regions.get(&codes)?;
            let i = toggles.partition_point(|&(t, _)| t <= at);
            i.checked_sub(1).map(|i| toggles[i])
        };
        match (last(None), last(named)) {
            (Some(a), Some(b)) => a.max(b).1,
            (Some((_, disable)), None) | (None, Some((_, disable))) => disable,
            (None, None) => false,
        }
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

//! `pm explain`: what a rule checks, why, and how to configure it.

use std::io::Write;

use anyhow::bail;

use crate::cmd::Outcome;
use crate::rules::{self, RULES};

/// Options of `pm explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule code (`PM503`) or slug (`blameless-language`).
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(crate::cmd::completions::rules))]
    pub rule: Option<String>,

    /// Print the full reference of every rule (markdown).
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
}

/// Prints one rule's docs, every rule's docs (`--all`), or a table of rules.
pub fn run(args: &ExplainArgs) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    if args.all {
        write!(out, "{}", rules::reference())?;
        return Ok(Outcome::Clean);
    }
    match &args.rule {
        Some(name) => match rules::lookup(name) {
            Some(rule) => write!(out, "{}", rules::explain(rule.meta()))?,
            None => bail!("{}", unknown(name)),
        },
        None => {
            for rule in RULES {
                let m = rule.meta();
                writeln!(
                    out,
                    "{}  {:<24} {:<8} {}",
                    m.code,
                    m.slug,
                    m.default_severity.as_str(),
                    m.summary
                )?;
            }
        }
    }
    Ok(Outcome::Clean)
}

/// What to say about `name`, which names no rule: the rule it is a typo of, if any, and the
/// rules whose docs use its words.
fn unknown(name: &str) -> String {
    let names: Vec<&str> = RULES.iter().flat_map(|r| [r.meta().slug, r.meta().code]).collect();
    let mut message = format!("no rule `{name}`");
    if let Some(close) = crate::diagnostic::did_you_mean(name, &names) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    let found = rules::search(name, 3);
    if !found.is_empty() {
        let listed: Vec<String> =
            found.iter().map(|m| format!("`{}` ({})", m.slug, m.code)).collect();
        message.push_str(&format!("\nrules whose docs mention it: {}", listed.join(", ")));
    }
    message.push_str("\n`pm explain` lists every rule");
    message
}

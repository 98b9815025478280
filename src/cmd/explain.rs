//! `pm explain`: what a rule checks, why, and how to configure it.

use std::io::Write;

use anyhow::bail;

use crate::cmd::Outcome;
use crate::rules::{self, RULES};

/// Options of `pm explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule code (`PM503`) or slug (`blameless-language`).
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
            None => bail!("no rule `{name}`; `pm explain` lists them"),
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

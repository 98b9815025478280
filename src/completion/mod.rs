//! When a postmortem is complete: the team's policy (`[completion]` in pm.toml, per severity),
//! what each postmortem has written ([`written`]), and the one judgement of it ([`evaluate`]):
//! criteria met or not, approvals, reviews, section assignments and the day it became complete.
//! `pm status`, `pm todo`, the completion rules, `pm gate`, the site and the metrics all read
//! completion through [`Judge`].

pub mod evaluate;
pub mod git;
pub mod policy;
pub mod written;

use jiff::civil::Date;

pub use evaluate::{Approval, AssignmentState, Criterion, Evaluation, Inputs};
pub use policy::{Policies, Policy, Role};
pub use written::{Fill, Placeholders, Written};

use crate::config::Config;
use crate::model::Postmortem;
use crate::trackers::cache::Tickets;

/// Reads what a postmortem has written, with the repository's placeholders and Timeline
/// titles, made once per run.
#[derive(Debug, Clone)]
pub struct Reader {
    placeholders: Placeholders,
    timeline: Vec<String>,
}

impl Reader {
    /// For a repository configured by `config`.
    pub fn new(config: &Config) -> Self {
        Self {
            placeholders: Placeholders::new(config),
            timeline: crate::timeline::section_titles(config),
        }
    }

    /// What `pm` (whose file text is `text`, body starting at `body_start`) has written.
    pub fn read(&self, pm: &Postmortem, text: &str, body_start: crate::source::Span) -> Written {
        Written::of(pm, text, &self.placeholders, &self.timeline, body_start)
    }

    /// The placeholder patterns.
    pub fn placeholders(&self) -> &Placeholders {
        &self.placeholders
    }
}

/// Everything needed to judge completion in one run.
pub struct Judge<'a> {
    /// The policies.
    pub policies: Policies,
    config: &'a Config,
    tickets: Option<&'a Tickets>,
    today: Date,
    trailers: Option<git::Trailers>,
    tz: jiff::tz::TimeZone,
}

impl<'a> Judge<'a> {
    /// For a repository configured by `config`, with its ticket cache, as of `today`. Commit
    /// trailers are read when the policy asks for them (`git_trailers`), from the repository
    /// at `root`.
    pub fn new(
        config: &'a Config,
        tickets: Option<&'a Tickets>,
        today: Date,
        root: Option<&std::path::Path>,
    ) -> Self {
        let policies = Policies::new(config);
        let trailers = match root {
            Some(root) if policies.git_trailers => Some(git::Trailers::read(root, config)),
            _ => None,
        };
        Self { policies, config, tickets, today, trailers, tz: config.time_zone() }
    }

    /// Judges `pm` at `path` (repository-relative), with what it has `written`.
    pub fn evaluate(&self, path: &str, pm: &Postmortem, written: &Written) -> Evaluation {
        let trailers = self.trailers.as_ref().map(|t| t.for_path(path)).unwrap_or_default();
        let inputs =
            Inputs { config: self.config, tickets: self.tickets, today: self.today, trailers };
        let policy = self.policies.for_postmortem(pm);
        evaluate::evaluate(pm, written, policy, self.policies.applies(pm, &self.tz), &inputs)
    }

    /// The approvals read from commit trailers, when the policy counts them.
    pub fn trailers(&self) -> Option<&git::Trailers> {
        self.trailers.as_ref()
    }

    /// "Today".
    pub fn today(&self) -> Date {
        self.today
    }
}

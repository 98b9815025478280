//! `pm build`: render the repository as a static site (see [`crate::site`]).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::check::{self, Keep, Request, Rules};
use crate::cmd::{Global, Outcome, Today};
use crate::config::Workspace;
use crate::diagnostic::{printable, printable_line};
use crate::site::{self, Options};
use crate::words::plural;

/// Options of `pm build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Output folder (default: `[site] output` of pm.toml under the root, usually `public`).
    /// It is replaced as a whole, so it must be empty or a site `pm build` wrote before.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Fail (exit 1) without writing anything when `pm check` reports errors.
    #[arg(long)]
    pub strict: bool,

    /// Write every file anew instead of reusing the unchanged files of the previous build
    /// (its `.pm-manifest`), and check every postmortem anew instead of reusing the verdicts
    /// of unchanged ones (`.git/pm-verdicts`).
    #[arg(long)]
    pub no_cache: bool,

    /// What "today" is.
    #[command(flatten)]
    pub today: Today,
}

/// Runs `pm build`.
pub fn run(global: &Global, args: &BuildArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace()?;
    let today = args.today.resolve(&workspace.config);
    let out = match &args.out {
        Some(out) => global.cwd.join(out),
        None => workspace.root.join(&workspace.config.site.output),
    };
    let options = Options {
        out,
        today,
        strict: args.strict,
        progress: std::io::stderr().is_terminal(),
        cache: !args.no_cache,
    };
    match build_site(workspace, &options, None)? {
        site::BuildOutcome::Refused { errors, skipped } => {
            report_skipped(&skipped);
            for d in &errors {
                eprintln!(
                    "{}:{}:{}: error[{}] {}",
                    printable_line(&d.path),
                    d.line,
                    d.column,
                    d.code,
                    printable_line(&d.message)
                );
            }
            eprintln!(
                "error: `pm check` found {} (--strict): the site was not built",
                plural(errors.len(), "error", "errors")
            );
            Ok(Outcome::Findings)
        }
        site::BuildOutcome::Built(built) => {
            report_skipped(&built.skipped);
            report_warnings(&built);
            println!("{}", summary(&built, &global.cwd));
            Ok(Outcome::Clean)
        }
    }
}

/// What `pm serve` keeps from one build for the next: the loaded documents and the search
/// index's tokens, each reused only where its inputs are the same.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    documents: check::Memo,
    search: site::search::index::Memo,
}

/// Loads and checks the repository of `workspace` (beside reading its git history) and builds
/// its site: `pm build` and every rebuild of `pm serve`, which keeps what one build made in
/// `memo` for the next.
pub(crate) fn build_site(
    workspace: Workspace,
    options: &Options,
    memo: Option<&Memo>,
) -> anyhow::Result<site::BuildOutcome> {
    let started = std::time::Instant::now();
    let rules = Rules::open(&workspace)?;
    let theme = site::theme::Theme::load(&workspace.root)?;
    let (root, folder) = (workspace.root.clone(), workspace.config.postmortems.clone());
    let request = Request {
        memo: memo.filter(|_| options.cache).map(|m| &m.documents),
        ..Request::all(Keep::Pages).checked(&rules, options.today).verdict_cache(options.cache)
    };
    let (loaded, history) = rayon::join(
        || check::load(workspace, &request),
        || site::git::History::read(&root, &folder),
    );
    site::build(loaded, history?, theme, options, started, memo.map(|m| &m.search))
}

/// Files that yielded no page, one `warning:` line each (also printed by `pm serve`).
pub(crate) fn report_skipped(skipped: &[(String, String)]) {
    for (path, reason) in skipped {
        eprintln!("warning: skipped {}: {}", printable_line(path), printable(reason));
    }
}

/// Budgets the build went over (the search index's file count and file sizes).
pub fn report_warnings(built: &site::Built) {
    for warning in &built.warnings {
        eprintln!("warning: {}", printable(warning));
    }
}

/// `Built 212 pages from 15 postmortems (1 with check errors, 1 file skipped) in 0.21 s: public`
pub fn summary(built: &site::Built, cwd: &Path) -> String {
    let mut notes = Vec::new();
    if built.with_errors > 0 {
        notes.push(format!("{} with check errors", built.with_errors));
    }
    if !built.skipped.is_empty() {
        notes.push(format!("{} skipped", plural(built.skipped.len(), "file", "files")));
    }
    let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
    let out = built.out.strip_prefix(cwd).unwrap_or(&built.out);
    let out = if out.as_os_str().is_empty() { Path::new(".") } else { out };
    format!(
        "Built {} from {}{notes} in {:.2} s: {}",
        plural(built.pages, "page", "pages"),
        plural(built.postmortems, "postmortem", "postmortems"),
        built.elapsed.as_secs_f64(),
        out.display()
    )
}

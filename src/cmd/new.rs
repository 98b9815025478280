//! `pm new`: scaffold a postmortem from a template, with the next free id, into
//! `postmortems/<year>/<id>-<slug>.md`.
//!
//! The work is in [`crate::scaffold`]; this module gathers the values — from flags, from the
//! service catalog, and on a terminal from questions — and reports. Without a terminal a value
//! that cannot be derived is an error naming its flag (exit 2), so scripts never hang on a
//! prompt.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use clap_complete::engine::ArgValueCandidates;

use crate::cmd::{Global, Outcome, completions};
use crate::config::Config;
use crate::model::Status;
use crate::scaffold::ids::{self, IdChoice};
use crate::scaffold::postmortem::{self, Fields};
use crate::scaffold::{slug, template};

/// Options of `pm new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// One line that says what happened (asked for on a terminal when left out).
    #[arg(value_name = "TITLE")]
    pub title: Option<String>,

    /// The severity: one of `severities` in pm.toml.
    #[arg(long, value_name = "SEVERITY", add = ArgValueCandidates::new(completions::severities))]
    pub severity: Option<String>,

    /// An affected service from the catalog; repeat it or separate with commas. The first one
    /// with a team and owner in pm.toml decides the defaults of `--team` and `--owner`.
    #[arg(long = "service", value_name = "SERVICE", value_delimiter = ',', add = ArgValueCandidates::new(completions::services))]
    pub services: Vec<String>,

    /// The postmortem's owner [default: the service's `owner`, else its team's `owner`, else
    /// the team's first member].
    #[arg(long, value_name = "HANDLE", add = ArgValueCandidates::new(completions::people))]
    pub owner: Option<String>,

    /// The owning team [default: the service's team].
    #[arg(long, value_name = "TEAM", add = ArgValueCandidates::new(completions::teams))]
    pub team: Option<String>,

    /// When the incident started: RFC 3339 (`2026-03-02T14:05:00Z`) or a local time in
    /// pm.toml's time zone (`2026-03-02 15:05`) [default: now].
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,

    /// The template: a built-in (google, short, security) or the repository's
    /// `templates/NAME.md`; `pm templates` lists them.
    #[arg(long, value_name = "NAME", default_value = template::DEFAULT, add = ArgValueCandidates::new(completions::templates))]
    pub template: String,

    /// Use this id instead of the next free one of the year.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// The initial status.
    #[arg(long, value_enum, default_value_t = StatusArg::Draft)]
    pub status: StatusArg,

    /// Open the new file in `$VISUAL` or `$EDITOR` afterwards.
    #[arg(long, conflicts_with = "dry_run")]
    pub edit: bool,

    /// Print the postmortem instead of writing it (the path goes to stderr).
    #[arg(long)]
    pub dry_run: bool,

    /// The clock.
    #[command(flatten)]
    pub now: crate::cmd::args::Now,
}

/// `--status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    /// Being written: placeholders allowed.
    Draft,
    /// Written, under review.
    InReview,
    /// Done.
    Published,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Draft => Status::Draft,
            StatusArg::InReview => Status::InReview,
            StatusArg::Published => Status::Published,
        }
    }
}

/// Runs `pm new`.
pub fn run(global: &Global, args: &NewArgs) -> anyhow::Result<Outcome> {
    let workspace = global.workspace_to_write()?;
    let config = &workspace.config;
    let ask = Asker { interactive: std::io::stdin().is_terminal() };
    let editor = if args.edit { Some(editor()?) } else { None };

    let fields = gather(config, args, &ask)?;
    let tpl = template::load(&workspace.root, &args.template)?;
    let status: Status = args.status.into();
    if status != Status::Draft {
        eprintln!(
            "note: with status {status}, `pm check` reports the template's prompts until they are replaced"
        );
    }

    let tz = config.time_zone();
    let year = fields.started_at.timestamp.to_zoned_datetime(tz).year();
    let choice = match &args.id {
        Some(id) => {
            if !ids::is_valid(id) {
                bail!("`--id {id}` is not an id (letters, digits, `.`, `_` and `-`)");
            }
            IdChoice::Exact(id.clone())
        }
        None => {
            let sample = ids::format(&config.id_prefix, year, 1);
            if !ids::is_valid(&sample) {
                bail!(
                    "pm.toml's `id_prefix` makes ids like `{sample}`, which is not an id (letters, digits, `.`, `_` and `-`)"
                );
            }
            IdChoice::Next { prefix: config.id_prefix.clone(), year }
        }
    };
    let dir = workspace.root.join(&config.postmortems).join(year.to_string());
    let slug = slug::slugify(&fields.title);
    let render = |id: &str| -> anyhow::Result<String> {
        let vars = postmortem::vars(config, &fields, id);
        let text = template::render(&tpl, &vars)?;
        postmortem::finish(config, text, id)
            .map_err(|e| anyhow!("template `{}` ({}): {e}", tpl.name, tpl.origin))
    };

    if args.dry_run {
        let used = ids::used_ids(&workspace);
        let id = match &choice {
            IdChoice::Exact(id) => {
                ids::ensure_unused(&workspace, id)?;
                id.clone()
            }
            IdChoice::Next { prefix, year } => ids::format(
                prefix,
                *year,
                ids::next_number(used.iter().map(String::as_str), prefix, *year),
            ),
        };
        let text = render(&id)?;
        let path = ids::file_path(&dir, &id, &slug);
        eprintln!("dry run: would write {}", shown(&global.cwd, &path));
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write")?;
        return Ok(Outcome::Clean);
    }

    let created = ids::create(&workspace, &dir, &choice, &slug, render)?;
    let path = shown(&global.cwd, &created.path);
    println!("{path}");
    if std::io::stdout().is_terminal() {
        println!();
        println!("Created {} ({}). Next steps:", created.id, fields.title);
        println!("  1. Fill in the timeline and every section: replace each [bracketed prompt].");
        println!(
            "  2. Add the follow-ups to `action_items`, each with an owner, a due date and a ticket."
        );
        println!("  3. Run `pm check {path}`, then set `status: in-review` and ask for a review.");
    }
    if let Some(editor) = editor {
        open_editor(&editor, &created.path);
    }
    Ok(Outcome::Clean)
}

/// Every value of the postmortem: flags first, then the service catalog, then questions.
fn gather(config: &Config, args: &NewArgs, ask: &Asker) -> anyhow::Result<Fields> {
    let flag = |name: &str, r: Result<String, String>| r.map_err(|e| anyhow!("`--{name}`: {e}"));

    let title = match &args.title {
        Some(t) => postmortem::check_title(t).map_err(|e| anyhow!("TITLE: {e}"))?,
        None => ask.value(
            "Title (one line that says what happened)",
            "pm new needs a title: pass it as the first argument, `pm new \"TITLE\"`",
            postmortem::check_title,
        )?,
    };
    let severity = match &args.severity {
        Some(s) => flag("severity", postmortem::check_severity(config, s))?,
        None => ask.value(
            &format!("Severity ({})", config.severities.join(", ")),
            &format!(
                "pm new needs a severity: pass `--severity` with one of {}",
                config.severities.join(", ")
            ),
            |s| postmortem::check_severity(config, s),
        )?,
    };
    let services = if args.services.is_empty() {
        let known = if config.services.is_empty() {
            String::new()
        } else {
            format!(" ({})", config.services.keys().cloned().collect::<Vec<_>>().join(", "))
        };
        let answer = ask.value(
            &format!("Affected services, comma-separated{known}"),
            "pm new needs the affected service: pass `--service NAME` (repeat it for several)",
            |s| {
                let services = s
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| postmortem::check_service(config, s))
                    .collect::<Result<Vec<_>, _>>()?;
                if services.is_empty() {
                    return Err("name at least one service".into());
                }
                Ok(services.join(","))
            },
        )?;
        answer.split(',').map(str::to_owned).collect()
    } else {
        args.services
            .iter()
            .map(|s| flag("service", postmortem::check_service(config, s)))
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let mut services_unique: Vec<String> = Vec::with_capacity(services.len());
    for s in services {
        if !services_unique.contains(&s) {
            services_unique.push(s);
        }
    }
    let services = services_unique;

    let owner_given = match &args.owner {
        Some(o) => Some(flag("owner", postmortem::check_owner(config, o))?),
        None => None,
    };
    let team = match &args.team {
        Some(t) => flag("team", postmortem::check_team(config, t))?,
        None => match postmortem::derive_team(config, &services, owner_given.as_deref()) {
            Some(team) => team,
            None => ask.value(
                &teams_question(config),
                &format!(
                    "pm new needs the owning team: the service catalog in pm.toml gives none for {}; pass `--team TEAM`",
                    services.join(", ")
                ),
                |t| postmortem::check_team(config, t),
            )?,
        },
    };
    let owner = match owner_given {
        Some(owner) => owner,
        None => match postmortem::derive_owner(config, &services, Some(&team)) {
            Some(owner) => owner,
            None => ask.value(
                "Owner (the handle of the one person accountable for the postmortem)",
                &format!(
                    "pm new needs an owner: neither the service catalog in pm.toml nor team `{team}` names one; pass `--owner HANDLE`"
                ),
                |o| postmortem::check_owner(config, o),
            )?,
        },
    };

    let tz = config.time_zone();
    let now = args.now.resolve()?;
    let started_at = match &args.started_at {
        Some(text) => {
            postmortem::parse_started_at(text, &tz).map_err(|e| anyhow!("`--started-at`: {e}"))?
        }
        None => postmortem::now_in(now, &tz),
    };
    Ok(Fields {
        title,
        status: args.status.into(),
        severity,
        owner,
        team,
        services,
        started_at,
        now,
        user: git_user(),
    })
}

fn teams_question(config: &Config) -> String {
    if config.teams.is_empty() {
        "Owning team (a slug)".to_owned()
    } else {
        format!("Owning team ({})", config.teams.keys().cloned().collect::<Vec<_>>().join(", "))
    }
}

/// Asks for missing values on a terminal; fails with the flag to pass otherwise.
struct Asker {
    interactive: bool,
}

impl Asker {
    /// Asks `question` until `check` accepts the answer (three tries). Without a terminal, or
    /// at end of input, fails with `missing`, which names the flag.
    fn value(
        &self,
        question: &str,
        missing: &str,
        check: impl Fn(&str) -> Result<String, String>,
    ) -> anyhow::Result<String> {
        if !self.interactive {
            bail!("{missing}");
        }
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        for _ in 0..3 {
            eprint!("{question}: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            if input.read_line(&mut line).context("cannot read the answer")? == 0 {
                eprintln!();
                bail!("{missing}");
            }
            match check(line.trim()) {
                Ok(value) => return Ok(value),
                Err(e) => eprintln!("  {e}"),
            }
        }
        bail!("{missing}")
    }
}

/// The user's name from git config, for templates (empty when unknown).
fn git_user() -> String {
    std::process::Command::new("git")
        .args(["config", "user.name"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The editor command from `$VISUAL` or `$EDITOR`.
fn editor() -> anyhow::Result<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .ok_or_else(|| anyhow!("`--edit` needs an editor: set $VISUAL or $EDITOR"))
}

/// Opens `path` in `editor`. The editor is a shell command, as git runs it: `code --wait`,
/// a program whose path has spaces in quotes, or `sh -c '…'`; so it goes through `sh` with the
/// path as a separate argument (`sh -c '$EDITOR "$@"' '$EDITOR' PATH`), never spliced into the
/// command text. The file is written by then, so a failing editor is a warning, not an error.
fn open_editor(editor: &str, path: &Path) {
    let mut command = std::process::Command::new("sh");
    command.arg("-c").arg(format!("{editor} \"$@\"")).arg(editor).arg(path);
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("warning: the editor `{editor}` exited with {status}"),
        Err(e) => eprintln!("warning: cannot run the editor `{editor}` through sh: {e}"),
    }
}

/// `path` relative to `cwd` when it is inside it, else as is.
fn shown(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

//! `pm timeline import`: turns a Slack channel's export into timeline lines, printed or
//! inserted under a postmortem's Timeline section. The reading, conversion and insertion live
//! in [`crate::timeline`].

use std::path::PathBuf;

use anyhow::Context as _;
use jiff::Timestamp;

use crate::cmd::{Global, Outcome};
use crate::timeline::entries::{self, Timeline};
use crate::timeline::lines::{self, Naming, People};
use crate::timeline::slack::{Export, Window};
use crate::timeline::{insert, section_titles};
use crate::words::plural;

/// Options of `pm timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TimelineCommand,
}

/// The `pm timeline` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TimelineCommand {
    /// Import a chat channel's messages as timeline lines (`- 14:05 UTC — AO: text`).
    Import(ImportArgs),
}

/// Options of `pm timeline import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A Slack workspace export: its folder (users.json, channels.json and a folder per
    /// channel) or the .zip Slack made, read in memory.
    #[arg(long, value_name = "EXPORT")]
    pub slack: PathBuf,

    /// The channel to import (name, with or without `#`, or id).
    #[arg(long, value_name = "NAME")]
    pub channel: String,

    /// Skip messages before this instant (RFC 3339, e.g. 2026-06-16T08:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub from: Option<Timestamp>,

    /// Skip messages after this instant (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub to: Option<Timestamp>,

    /// Insert the lines into this postmortem's Timeline section, in time order, instead of
    /// printing them.
    #[arg(long, value_name = "FILE")]
    pub into: Option<PathBuf>,

    /// Label people by display name instead of initials.
    #[arg(long)]
    pub names: bool,

    /// Label a person by a role instead (`U024BE7LH=IC`, `aokafor=Incident commander`;
    /// repeatable).
    #[arg(long, value_name = "WHO=ROLE", value_parser = parse_role)]
    pub role: Vec<(String, String)>,

    /// Time zone of the lines (IANA name; default: pm.toml's timezone).
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub timezone: Option<jiff::tz::TimeZone>,
}

fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.parse().map_err(|_| {
        format!("`{text}` is not an RFC 3339 date-time with an offset (e.g. 2026-06-16T08:00:00Z or 2026-06-16T10:00:00+02:00)")
    })
}

fn parse_role(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((who, role)) if !who.trim().is_empty() && !role.trim().is_empty() => {
            Ok((who.trim().to_owned(), role.trim().to_owned()))
        }
        _ => Err(format!("`{text}` is not WHO=ROLE (e.g. `U024BE7LH=IC`)")),
    }
}

fn parse_zone(text: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(text).map_err(|_| {
        format!("unknown time zone `{text}`: use an IANA name such as `UTC` or `Europe/Berlin`")
    })
}

/// Runs `pm timeline`.
pub fn run(global: &Global, args: &TimelineArgs) -> anyhow::Result<Outcome> {
    match &args.command {
        TimelineCommand::Import(import) => run_import(global, import),
    }
}

fn run_import(global: &Global, args: &ImportArgs) -> anyhow::Result<Outcome> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if to < from {
            anyhow::bail!("--to {to} is before --from {from}");
        }
    }
    let workspace = global.workspace_to_write()?;
    let tz = args.timezone.clone().unwrap_or_else(|| workspace.config.time_zone());
    // Read the target first: a wrong `--into` should fail before any work is done.
    let original = match &args.into {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        None => None,
    };
    let titles = section_titles(&workspace.config);
    let timeline = match (&original, &args.into) {
        (Some(text), Some(shown)) => {
            insert::plan(text, &[], &Timeline::default(), &titles, &shown.display().to_string())?;
            // Read as `pm export` reads it: where the lines go and which carry their date
            // depend on it.
            entries::read_text(text, &titles, &workspace.config.time_zone())
        }
        _ => Timeline::default(),
    };

    // Relative paths resolve against the current folder; kept as given so messages show them so.
    let mut export = Export::open(&args.slack)?;
    let window = Window { from: args.from, to: args.to };
    let log = export.read_channel(&args.channel, window)?;
    for warning in export.warnings.iter().chain(&log.warnings) {
        eprintln!("warning: {}", crate::diagnostic::printable_line(warning));
    }
    let naming = if args.names { Naming::Names } else { Naming::Initials };
    let people = People::new(&export, &log, naming, &args.role)?;
    let blocks = lines::blocks(&log, &people, &tz);

    let channel =
        log.channel.as_ref().map_or(args.channel.trim_start_matches('#'), |c| c.name.as_str());
    let replies = log.threads.iter().map(|t| t.replies.len()).sum::<usize>();
    let dropped = &log.dropped;
    let summary = format!(
        "{} from #{channel} ({}); left out {} (bots {}, joins/leaves {}, channel changes {}, other {}){}",
        plural(log.message_count(), "message", "messages"),
        plural(replies, "thread reply", "thread replies"),
        dropped.total(),
        dropped.bots,
        dropped.joins,
        dropped.channel_changes,
        dropped.other,
        if dropped.out_of_window > 0 {
            format!(" and {} outside --from/--to", dropped.out_of_window)
        } else {
            String::new()
        },
    );

    match (&args.into, original) {
        (Some(path), Some(text)) => {
            let shown = path.display();
            let plan = insert::plan(&text, &blocks, &timeline, &titles, &shown.to_string())?;
            if plan.added > 0 {
                // `--into` names the file on the command line: it may be anywhere the user
                // chooses (its own folder is the scope), but it is never written through a
                // link.
                let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
                let folder = folder.unwrap_or(std::path::Path::new("."));
                crate::atomic::replace(folder, path, text.as_bytes(), plan.text.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let skipped = if plan.skipped > 0 {
                format!(", {} already there", plural(plan.skipped, "entry", "entries"))
            } else {
                String::new()
            };
            eprintln!("imported {summary}");
            eprintln!(
                "added {} to the Timeline of {shown}{skipped}",
                plural(plan.added, "entry", "entries"),
            );
        }
        _ => {
            let mut text = lines::render(&blocks, "", '-', "\n");
            if !text.is_empty() {
                text.push('\n');
            }
            crate::cmd::print(&text)?;
            eprintln!("imported {summary}");
        }
    }
    Ok(Outcome::Clean)
}

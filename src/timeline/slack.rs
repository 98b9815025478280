//! Reads a Slack workspace export: the standard layout of `users.json`, `channels.json` (and
//! `groups.json` for private channels), and one folder per channel holding one JSON file per
//! day (`2026-06-16.json`), each an array of messages.
//!
//! The reader is lenient where the export is damaged and strict where the user erred: a day
//! file that is not valid JSON, or a message without a `ts`, is reported (with its path) and
//! skipped, and the rest is imported; a channel that does not exist is an error.
//!
//! What a timeline keeps: people's messages, thread broadcasts, file shares and `/me`
//! messages. What it drops: bot and app messages, joins and leaves, topic/purpose/name
//! changes, pins, reminders, deleted-message tombstones and anything else with a subtype.
//! Edited messages keep their original time and their final text (that is what the export
//! holds). Thread replies are attached to their parent; a reply whose parent is outside the
//! selected time window stands alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use jiff::Timestamp;
use serde_json::Value;

/// A Slack user, as far as a timeline needs one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// `U024BE7LH`.
    pub id: String,
    /// The handle (`name`).
    pub name: Option<String>,
    /// The full name.
    pub real_name: Option<String>,
    /// The display name chosen in Slack.
    pub display_name: Option<String>,
}

impl User {
    /// Reads a user object (from `users.json` or a message's `user_profile`).
    fn from_json(id: &str, v: &Value) -> Self {
        let text = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let profile = v.get("profile").unwrap_or(v);
        Self {
            id: id.to_owned(),
            name: text(v, "name"),
            real_name: text(profile, "real_name").or_else(|| text(v, "real_name")),
            display_name: text(profile, "display_name").or_else(|| text(v, "display_name")),
        }
    }

    /// The name shown with `--names`: the display name, else the full name, else the handle.
    pub fn shown_name(&self) -> String {
        self.display_name
            .clone()
            .or_else(|| self.real_name.clone())
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| self.id.clone())
    }

    /// Initials from the full name (else the display name, else the handle): the first letter
    /// of each word, at most three (first, second, last). `Adaeze Okafor` → `AO`.
    pub fn initials(&self) -> String {
        let source =
            self.real_name.as_deref().or(self.display_name.as_deref()).or(self.name.as_deref());
        let Some(source) = source else {
            return self.id.clone();
        };
        let letters: Vec<String> = source
            .split(|c: char| c.is_whitespace() || c == '.' || c == '_')
            .filter(|w| !w.starts_with('(') && !w.starts_with('['))
            .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
            .map(|c| c.to_uppercase().collect())
            .collect();
        let picked: Vec<&String> = match letters.len() {
            0 => return self.id.clone(),
            1..=3 => letters.iter().collect(),
            n => vec![&letters[0], &letters[1], &letters[n - 1]],
        };
        picked.into_iter().map(String::as_str).collect()
    }
}

/// A channel of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// `C024BE91L`.
    pub id: String,
    /// `inc-2026-0013-zone-b` (the folder name).
    pub name: String,
}

/// One message kept for the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The `ts` as written: Slack's message id, and the thread key of replies.
    pub ts: String,
    /// When it was posted.
    pub at: Timestamp,
    /// The author's user id.
    pub user: Option<String>,
    /// The raw Slack text (markup unconverted).
    pub text: String,
    /// The parent's `ts` for a thread reply (absent for a parent or a plain message).
    pub thread_ts: Option<String>,
    /// Names of attached files.
    pub files: Vec<String>,
}

impl Message {
    /// Whether the message is a reply in a thread (not the thread's parent).
    pub fn is_reply(&self) -> bool {
        self.thread_ts.as_deref().is_some_and(|t| t != self.ts)
    }
}

/// A top-level message and its replies, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The message shown in the channel.
    pub message: Message,
    /// Its replies, oldest first.
    pub replies: Vec<Message>,
}

/// Why messages were left out, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Bot and app messages.
    pub bots: usize,
    /// Joins and leaves.
    pub joins: usize,
    /// Topic, purpose and name changes.
    pub channel_changes: usize,
    /// Other subtypes (pins, reminders, tombstones, …) and hidden messages.
    pub other: usize,
    /// Outside `--from`/`--to`.
    pub out_of_window: usize,
}

impl Dropped {
    /// Total left out for what they are (not counting the window).
    pub fn total(&self) -> usize {
        self.bots + self.joins + self.channel_changes + self.other
    }
}

/// The export's directory and its people and channels.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// The export's root folder.
    pub root: PathBuf,
    /// Users by id (from `users.json`, completed by messages' `user_profile`).
    pub users: BTreeMap<String, User>,
    /// Channels (from `channels.json` and `groups.json`).
    pub channels: Vec<Channel>,
    /// Problems met and skipped, each naming its file.
    pub warnings: Vec<String>,
}

/// The time window of an import; both ends inclusive.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    /// Earliest message kept.
    pub from: Option<Timestamp>,
    /// Latest message kept.
    pub to: Option<Timestamp>,
}

impl Window {
    /// Whether `at` is inside.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at <= t)
    }

    /// Whether the day file of UTC date `day` may hold messages in the window (a day of slack
    /// either side: exports date their files in the workspace's zone).
    fn may_hold(&self, day: jiff::civil::Date) -> bool {
        let utc = |t: Timestamp| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let after_from = self.from.is_none_or(|f| utc(f).yesterday().map_or(true, |d| day >= d));
        let before_to = self.to.is_none_or(|t| utc(t).tomorrow().map_or(true, |d| day <= d));
        after_from && before_to
    }
}

/// What reading a channel gave.
#[derive(Debug, Clone, Default)]
pub struct ChannelLog {
    /// The channel.
    pub channel: Option<Channel>,
    /// Messages kept, as threads in channel order.
    pub threads: Vec<Thread>,
    /// What was left out.
    pub dropped: Dropped,
    /// Problems met and skipped, each naming its file.
    pub warnings: Vec<String>,
}

impl ChannelLog {
    /// Number of messages kept, replies included.
    pub fn message_count(&self) -> usize {
        self.threads.iter().map(|t| 1 + t.replies.len()).sum()
    }

    /// Every kept message.
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.threads.iter().flat_map(|t| std::iter::once(&t.message).chain(&t.replies))
    }
}

/// Parses a Slack `ts` (`"1718540460.000200"`: seconds and microseconds since the epoch).
pub fn parse_ts(ts: &str) -> Option<Timestamp> {
    let (seconds, fraction) = ts.trim().split_once('.').unwrap_or((ts.trim(), "0"));
    let seconds: i64 = seconds.parse().ok()?;
    if fraction.is_empty() || fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: i32 = format!("{fraction:0<9}").parse().ok()?;
    Timestamp::new(seconds, nanos).ok()
}

/// A message's `ts` (or `thread_ts`) as Slack writes it, `"1781599260.000200"`. Some tools
/// that rewrite exports write it as a JSON number: that is read too, with the six decimals
/// Slack uses, so a reply's `thread_ts` still matches its parent's `ts`.
fn ts_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(whole), _) => Some(format!("{whole}.000000")),
            (None, Some(f)) if f.is_finite() && f >= 0.0 => Some(format!("{f:.6}")),
            _ => None,
        },
        _ => None,
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_json(path, &bytes)
}

/// Parses the contents of the export file `path` (named in the message when it is not JSON).
pub fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes)
        .map_err(|e| format!("skipped {}: not valid JSON: {e}", path.display()))
}

impl Export {
    /// Opens the export at `root`: reads its users and channels. A missing or damaged
    /// `users.json`/`channels.json` is a warning (names then come from the messages' own
    /// profiles), a missing folder an error.
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        if !root.is_dir() {
            bail!("the Slack export folder {} does not exist or is not a folder", root.display());
        }
        let mut export = Self { root: root.to_path_buf(), ..Self::default() };
        let users_path = root.join("users.json");
        match read_json(&users_path) {
            Err(_) if !users_path.exists() => export.warnings.push(format!(
                "{} is missing: names come from the messages' own profiles",
                users_path.display()
            )),
            users => export.add_users(&users_path, users),
        }
        for file in ["channels.json", "groups.json"] {
            let path = root.join(file);
            if path.exists() {
                export.add_channels(&path, read_json(&path));
            }
        }
        Ok(export)
    }

    /// Adds the users of `users.json` at `path`, given as read ([`parse_json`]); a damaged
    /// file is a warning.
    pub fn add_users(&mut self, path: &Path, users: Result<Value, String>) {
        match users {
            Ok(Value::Array(users)) => {
                for u in &users {
                    if let Some(id) = u.get("id").and_then(Value::as_str) {
                        self.users.insert(id.to_owned(), User::from_json(id, u));
                    }
                }
            }
            Ok(_) => self
                .warnings
                .push(format!("skipped {}: expected an array of users", path.display())),
            Err(e) => self.warnings.push(e),
        }
    }

    /// Adds the channels of `channels.json` or `groups.json` at `path`, given as read
    /// ([`parse_json`]); a damaged file is a warning.
    pub fn add_channels(&mut self, path: &Path, channels: Result<Value, String>) {
        match channels {
            Ok(Value::Array(channels)) => self.channels.extend(channels.iter().filter_map(|c| {
                Some(Channel {
                    id: c.get("id")?.as_str()?.to_owned(),
                    name: c.get("name")?.as_str()?.to_owned(),
                })
            })),
            Ok(_) => self
                .warnings
                .push(format!("skipped {}: expected an array of channels", path.display())),
            Err(e) => self.warnings.push(e),
        }
    }

    /// The channel called `name` (with or without `#`) or with that id.
    fn find_channel(&self, name: &str) -> Option<&Channel> {
        let name = name.trim_start_matches('#');
        self.channels.iter().find(|c| c.name == name || c.id == name)
    }

    /// Reads the messages of channel `name` inside `window`.
    pub fn read_channel(&mut self, name: &str, window: Window) -> anyhow::Result<ChannelLog> {
        let channel = self.find_channel(name).cloned();
        let folder_name =
            channel.as_ref().map_or(name.trim_start_matches('#'), |c| c.name.as_str());
        let folder = self.root.join(folder_name);
        if !folder.is_dir() {
            let known: Vec<&str> = self.channels.iter().map(|c| c.name.as_str()).collect();
            let hint = if known.is_empty() {
                String::new()
            } else {
                format!(" (channels in the export: {})", known.join(", "))
            };
            bail!("no channel `{name}` in the Slack export {}{hint}", self.root.display());
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();

        // Day files outside the window are not even read; the rest are read one at a time.
        let days = files.into_iter().filter_map(|path| {
            let day = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse().ok());
            if day.is_some_and(|d| !window.may_hold(d)) {
                return None;
            }
            let json = read_json(&path);
            Some((path, json))
        });
        Ok(self.read_days(channel, days, window))
    }

    /// Reads the messages inside `window` from a channel's day files, given in file order as
    /// `(path, contents as read by [`parse_json`])`: the part of [`Export::read_channel`] that
    /// needs no file system (the fuzz target feeds it directly).
    pub fn read_days(
        &mut self,
        channel: Option<Channel>,
        days: impl IntoIterator<Item = (PathBuf, Result<Value, String>)>,
        window: Window,
    ) -> ChannelLog {
        let mut log = ChannelLog { channel, ..ChannelLog::default() };
        let mut messages: Vec<Message> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (path, json) in days {
            let list = match json {
                Ok(Value::Array(list)) => list,
                Ok(_) => {
                    log.warnings
                        .push(format!("skipped {}: expected an array of messages", path.display()));
                    continue;
                }
                Err(e) => {
                    log.warnings.push(e);
                    continue;
                }
            };
            for (i, raw) in list.iter().enumerate() {
                let ts = raw.get("ts").and_then(ts_text);
                let ts = ts.as_deref();
                let at = ts.and_then(parse_ts);
                // Outside the window first, so the counts below describe the window only.
                if at.is_some_and(|at| !window.contains(at)) {
                    log.dropped.out_of_window += 1;
                    continue;
                }
                match self.classify(raw) {
                    Kind::Keep => {}
                    Kind::Bot => {
                        log.dropped.bots += 1;
                        continue;
                    }
                    Kind::Join => {
                        log.dropped.joins += 1;
                        continue;
                    }
                    Kind::ChannelChange => {
                        log.dropped.channel_changes += 1;
                        continue;
                    }
                    Kind::Other => {
                        log.dropped.other += 1;
                        continue;
                    }
                }
                let (Some(ts), Some(at)) = (ts, at) else {
                    let why = match (ts, raw.get("ts")) {
                        (None, None) => "it has no `ts`".to_owned(),
                        (None, Some(other)) => {
                            format!(
                                "`ts` must be a string such as \"1781599260.000200\", found {other}"
                            )
                        }
                        (Some(ts), _) => format!("`ts` {ts:?} is not a Slack timestamp"),
                    };
                    log.warnings.push(format!(
                        "skipped message {} of {}: {why}",
                        i + 1,
                        path.display()
                    ));
                    continue;
                };
                if !seen.insert(ts.to_owned()) {
                    continue;
                }
                let user = raw.get("user").and_then(Value::as_str).map(str::to_owned);
                if let (Some(id), Some(profile)) = (&user, raw.get("user_profile")) {
                    self.users.entry(id.clone()).or_insert_with(|| User::from_json(id, profile));
                }
                let files = raw
                    .get("files")
                    .and_then(Value::as_array)
                    .map(|files| {
                        files
                            .iter()
                            .filter_map(|f| {
                                f.get("name").or_else(|| f.get("title")).and_then(Value::as_str)
                            })
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                messages.push(Message {
                    ts: ts.to_owned(),
                    at,
                    user,
                    text: raw.get("text").and_then(Value::as_str).unwrap_or("").to_owned(),
                    thread_ts: raw.get("thread_ts").and_then(ts_text),
                    files,
                });
            }
        }
        log.threads = threads(messages);
        log
    }

    fn classify(&self, raw: &Value) -> Kind {
        if raw.get("type").and_then(Value::as_str).is_some_and(|t| t != "message") {
            return Kind::Other;
        }
        if raw.get("hidden").and_then(Value::as_bool) == Some(true) {
            return Kind::Other;
        }
        let subtype = raw.get("subtype").and_then(Value::as_str);
        match subtype {
            None | Some("thread_broadcast" | "file_share" | "me_message") => {
                let bot_user =
                    raw.get("user").and_then(Value::as_str).is_some_and(|u| u == "USLACKBOT");
                if raw.get("bot_id").is_some_and(|b| !b.is_null()) || bot_user {
                    Kind::Bot
                } else {
                    Kind::Keep
                }
            }
            Some("bot_message" | "bot_add" | "bot_remove" | "bot_enable" | "bot_disable") => {
                Kind::Bot
            }
            Some(
                "channel_join"
                | "channel_leave"
                | "group_join"
                | "group_leave"
                | "joiner_notification",
            ) => Kind::Join,
            Some(
                "channel_topic"
                | "channel_purpose"
                | "channel_name"
                | "channel_archive"
                | "channel_unarchive"
                | "group_topic"
                | "group_purpose"
                | "group_name"
                | "group_archive"
                | "group_unarchive"
                | "channel_convert_to_private"
                | "channel_convert_to_public",
            ) => Kind::ChannelChange,
            Some(_) => Kind::Other,
        }
    }
}

enum Kind {
    Keep,
    Bot,
    Join,
    ChannelChange,
    Other,
}

/// Groups messages into threads: top-level messages in time order, each followed by its
/// replies in time order. A reply whose parent was not kept becomes top-level.
pub fn threads(mut messages: Vec<Message>) -> Vec<Thread> {
    messages.sort_by(|a, b| (a.at, &a.ts).cmp(&(b.at, &b.ts)));
    let parents: BTreeSet<String> =
        messages.iter().filter(|m| !m.is_reply()).map(|m| m.ts.clone()).collect();
    let mut replies: BTreeMap<String, Vec<Message>> = BTreeMap::new();
    let mut top: Vec<Message> = Vec::new();
    for m in messages {
        match m.thread_ts.clone() {
            Some(parent) if m.is_reply() && parents.contains(&parent) => {
                replies.entry(parent).or_default().push(m);
            }
            _ => top.push(m),
        }
    }
    top.into_iter()
        .map(|message| {
            let replies = replies.remove(&message.ts).unwrap_or_default();
            Thread { message, replies }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let at = parse_ts("1781599260.000200").expect("ts");
        assert_eq!(at.to_string(), "2026-06-16T08:41:00.0002Z");
        assert!(parse_ts("1781599260").is_some());
        assert!(parse_ts("abc").is_none());
        assert!(parse_ts("1.2.3").is_none());
    }

    #[test]
    fn initials() {
        let u =
            |real: &str| User { id: "U1".into(), real_name: Some(real.into()), ..User::default() };
        assert_eq!(u("Adaeze Okafor").initials(), "AO");
        assert_eq!(u("Émilie  de la Marsh").initials(), "ÉDM");
        assert_eq!(u("Jean-Luc Picard").initials(), "JP");
        assert_eq!(u("Sunita Patel (she/her)").initials(), "SP");
        assert_eq!(u("田中 太郎").initials(), "田太");
        let handle = User { id: "U2".into(), name: Some("hwagner".into()), ..User::default() };
        assert_eq!(handle.initials(), "H");
        assert_eq!(User { id: "U3".into(), ..User::default() }.initials(), "U3");
    }

    fn msg(ts: &str, thread: Option<&str>) -> Message {
        Message {
            ts: ts.into(),
            at: parse_ts(ts).expect("ts"),
            user: None,
            text: ts.into(),
            thread_ts: thread.map(str::to_owned),
            files: Vec::new(),
        }
    }

    #[test]
    fn threads_keep_replies_under_parents_in_order() {
        let list = vec![
            msg("300.0", Some("100.0")),
            msg("100.0", Some("100.0")),
            msg("200.0", None),
            msg("150.0", Some("100.0")),
            msg("250.0", Some("50.0")), // parent not kept
        ];
        let t = threads(list);
        let shape: Vec<(&str, Vec<&str>)> = t
            .iter()
            .map(|t| (t.message.ts.as_str(), t.replies.iter().map(|r| r.ts.as_str()).collect()))
            .collect();
        assert_eq!(
            shape,
            [("100.0", vec!["150.0", "300.0"]), ("200.0", vec![]), ("250.0", vec![])]
        );
    }
}

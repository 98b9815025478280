//! Reads a Slack workspace export: the standard layout of `users.json`, `channels.json` (and
//! `groups.json` for private channels), and one folder per channel holding one JSON file per
//! day (`2026-06-16.json`), each an array of messages.
//!
//! The export is a folder, or the `.zip` Slack hands out, read in memory ([`ZipLimits`]): its
//! JSON files are decompressed into memory under a cap on entries and on bytes, counted as
//! they come out (a declared size is not believed), so a zip bomb is refused with an error
//! instead of filling memory; nothing of it is written to disk, and its paths are only keys.
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

/// How much of a zipped export is read: Slack's own exports of a busy workspace stay far
/// below; a file past either cap is not an export `pm` should read into memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries in the archive (files and folders, read or not).
    pub entries: usize,
    /// Bytes of JSON decompressed, all entries together.
    pub bytes: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self { entries: 200_000, bytes: 512 * 1024 * 1024 }
    }
}

/// Where the export's files are: a folder on disk, or the JSON files of a zip, in memory, by
/// their path inside it (`users.json`, `inc-2026-0013/2026-06-16.json`).
#[derive(Debug, Clone, Default)]
enum Files {
    #[default]
    Folder,
    Zip(BTreeMap<String, Vec<u8>>),
}

/// The export's directory and its people and channels.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// The export's root folder, or its zip file.
    pub root: PathBuf,
    files: Files,
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

/// Reads the JSON files of the zip at `path` into memory, by their path inside it. A zip with
/// everything under one folder (an export zipped with its folder) is read from inside it.
fn read_zip(path: &Path, limits: ZipLimits) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    use std::io::Read as _;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not a readable zip file", path.display()))?;
    if archive.len() > limits.entries {
        bail!(
            "{} has {} entries, more than the {} a Slack export is read with: unzip it and pass the folder",
            path.display(),
            archive.len(),
            limits.entries
        );
    }
    let mut files = BTreeMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .with_context(|| format!("cannot read entry {} of {}", i + 1, path.display()))?;
        // Only a name that stays inside the archive is a key: `../x` and `/x` are skipped.
        let Some(name) = entry.enclosed_name() else { continue };
        let name = name.to_string_lossy().replace('\\', "/");
        if !entry.is_file() || !name.ends_with(".json") {
            continue;
        }
        let left = limits.bytes - total;
        let mut bytes = Vec::new();
        (&mut entry)
            .take(left + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot decompress {name} in {}", path.display()))?;
        total += bytes.len() as u64;
        if total > limits.bytes {
            bail!(
                "{} decompresses to more than {} MB of JSON: refused (a zip bomb, or an export too large to read in memory: unzip it and pass the folder)",
                path.display(),
                limits.bytes / (1024 * 1024)
            );
        }
        files.insert(name, bytes);
    }
    let at_root = ["users.json", "channels.json", "groups.json"];
    if !at_root.iter().any(|f| files.contains_key(*f)) {
        let folders: BTreeSet<&str> =
            files.keys().filter_map(|k| k.split_once('/').map(|(f, _)| f)).collect();
        if let [folder] = folders.into_iter().collect::<Vec<_>>()[..] {
            let prefix = format!("{folder}/");
            files = files
                .into_iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v)))
                .collect();
        }
    }
    Ok(files)
}

/// Parses the contents of the export file `path` (named in the message when it is not JSON).
pub fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes)
        .map_err(|e| format!("skipped {}: not valid JSON: {e}", path.display()))
}

impl Export {
    /// Opens the export at `root`, a folder or a `.zip` (read with the default [`ZipLimits`]):
    /// reads its users and channels. A missing or damaged `users.json`/`channels.json` is a
    /// warning (names then come from the messages' own profiles), a missing export an error.
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        Self::open_with(root, ZipLimits::default())
    }

    /// [`Export::open`] with the limits a zip is read with.
    pub fn open_with(root: &Path, limits: ZipLimits) -> anyhow::Result<Self> {
        let files = if root.is_dir() {
            Files::Folder
        } else if root.is_file() && root.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        {
            Files::Zip(read_zip(root, limits)?)
        } else {
            bail!(
                "the Slack export {} is not a folder or a .zip file (give the export's folder or the zip Slack made)",
                root.display()
            );
        };
        let mut export = Self { root: root.to_path_buf(), files, ..Self::default() };
        let users_path = root.join("users.json");
        match export.read_json("users.json") {
            None => export.warnings.push(format!(
                "{} is missing: names come from the messages' own profiles",
                users_path.display()
            )),
            Some(users) => export.add_users(&users_path, users),
        }
        for file in ["channels.json", "groups.json"] {
            if let Some(channels) = export.read_json(file) {
                export.add_channels(&root.join(file), channels);
            }
        }
        Ok(export)
    }

    /// The export's file `name` (a path inside the export), parsed; `None` when there is none.
    fn read_json(&self, name: &str) -> Option<Result<Value, String>> {
        let path = self.root.join(name);
        match &self.files {
            Files::Folder => {
                if !path.exists() {
                    return None;
                }
                Some(
                    std::fs::read(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))
                        .and_then(|bytes| parse_json(&path, &bytes)),
                )
            }
            Files::Zip(files) => files.get(name).map(|bytes| parse_json(&path, bytes)),
        }
    }

    /// The day files (`*.json`) of the channel folder `folder`, sorted; `None` when the export
    /// has no such folder.
    fn day_files(&self, folder: &str) -> anyhow::Result<Option<Vec<String>>> {
        match &self.files {
            Files::Folder => {
                let dir = self.root.join(folder);
                if !dir.is_dir() {
                    return Ok(None);
                }
                let mut names: Vec<String> = std::fs::read_dir(&dir)
                    .with_context(|| format!("cannot list {}", dir.display()))?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
                    .filter_map(|p| Some(format!("{folder}/{}", p.file_name()?.to_str()?)))
                    .collect();
                names.sort();
                Ok(Some(names))
            }
            Files::Zip(files) => {
                let prefix = format!("{folder}/");
                let names: Vec<String> = files
                    .keys()
                    .filter(|k| k.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('/')))
                    .cloned()
                    .collect();
                Ok((!names.is_empty()).then_some(names))
            }
        }
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
        // A channel name is a folder of the export, never a path out of it.
        let usable = !folder_name.is_empty()
            && !folder_name.contains(['/', '\\'])
            && folder_name != "."
            && folder_name != "..";
        let Some(files) = (if usable { self.day_files(folder_name)? } else { None }) else {
            let known: Vec<&str> = self.channels.iter().map(|c| c.name.as_str()).collect();
            let hint = if known.is_empty() {
                String::new()
            } else {
                format!(" (channels in the export: {})", known.join(", "))
            };
            bail!("no channel `{name}` in the Slack export {}{hint}", self.root.display());
        };

        // Day files outside the window are not even read; the rest are read one at a time
        // (the reader adds users to `self` as it goes, so it reads from a copy of the root and
        // the files taken out for the while).
        let source = Self {
            root: self.root.clone(),
            files: std::mem::take(&mut self.files),
            ..Self::default()
        };
        let days = files.into_iter().filter_map(|name| {
            let path = source.root.join(&name);
            let day = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse().ok());
            if day.is_some_and(|d| !window.may_hold(d)) {
                return None;
            }
            let json = source.read_json(&name)?;
            Some((path, json))
        });
        let log = self.read_days(channel, days, window);
        self.files = source.files;
        Ok(log)
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

    /// A zip of `entries` (name, bytes), deflated, in a temporary folder.
    fn zip_of(entries: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, PathBuf) {
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("export.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
        (dir, path)
    }

    const USERS: &str = r#"[{"id":"U1","name":"ao","real_name":"Adaeze Okafor"}]"#;
    const CHANNELS: &str = r#"[{"id":"C1","name":"inc"}]"#;
    const DAY: &str = r#"[{"type":"message","user":"U1","text":"paged","ts":"1781599260.000200"}]"#;

    #[test]
    fn a_zip_is_read_in_memory_at_its_root_or_under_one_folder() {
        for prefix in ["", "Acme Slack export Jun 16 2026/"] {
            let (_dir, path) = zip_of(&[
                (&format!("{prefix}users.json"), USERS.into()),
                (&format!("{prefix}channels.json"), CHANNELS.into()),
                (&format!("{prefix}inc/2026-06-16.json"), DAY.into()),
                (&format!("{prefix}inc/notes.txt"), b"not json".to_vec()),
            ]);
            let mut export = Export::open(&path).expect("open");
            assert!(export.warnings.is_empty(), "{:?}", export.warnings);
            let log = export.read_channel("#inc", Window::default()).expect("channel");
            assert_eq!(log.message_count(), 1, "{prefix}");
            assert_eq!(export.users["U1"].initials(), "AO");
            let names: Vec<String> = std::fs::read_dir(path.parent().expect("dir"))
                .expect("list")
                .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(names, ["export.zip"], "nothing is unpacked to disk");
        }
    }

    #[test]
    fn paths_out_of_the_zip_are_not_keys() {
        let (_dir, path) = zip_of(&[
            ("../users.json", USERS.into()),
            ("/channels.json", CHANNELS.into()),
            ("inc/2026-06-16.json", DAY.into()),
        ]);
        let export = Export::open(&path).expect("open");
        assert!(export.users.is_empty(), "`../users.json` is not the export's users.json");
        assert!(
            export.warnings.iter().any(|w| w.contains("users.json is missing")),
            "{:?}",
            export.warnings
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_by_its_decompressed_bytes_not_its_header() {
        // 4 MB of zeros deflate to a few KB: past a 1 MB cap, whatever the header says.
        let (_dir, path) = zip_of(&[("users.json", vec![b' '; 4 * 1024 * 1024])]);
        let limits = ZipLimits { entries: 10, bytes: 1024 * 1024 };
        let e = Export::open_with(&path, limits).expect_err("refused");
        let e = format!("{e:#}");
        assert!(e.contains("decompresses to more than 1 MB of JSON: refused"), "{e}");
        assert!(Export::open_with(&path, ZipLimits { bytes: 8 * 1024 * 1024, ..limits }).is_ok());
    }

    #[test]
    fn a_zip_of_too_many_entries_is_refused() {
        let many: Vec<(String, Vec<u8>)> =
            (0..11).map(|i| (format!("inc/2026-06-{i:02}.json"), b"[]".to_vec())).collect();
        let entries: Vec<(&str, Vec<u8>)> =
            many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let (_dir, path) = zip_of(&entries);
        let e =
            Export::open_with(&path, ZipLimits { entries: 10, bytes: 1024 }).expect_err("refused");
        assert!(format!("{e:#}").contains("has 11 entries, more than the 10"), "{e:#}");
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("export.zip");
        std::fs::write(&path, b"PK not really").expect("write");
        let e = Export::open(&path).expect_err("refused");
        assert!(format!("{e:#}").contains("is not a readable zip file"), "{e:#}");
        let e = Export::open(&dir.path().join("export.tar")).expect_err("refused");
        assert!(format!("{e:#}").contains("is not a folder or a .zip file"), "{e:#}");
    }
}

//! Slack message markup → markdown.
//!
//! Slack escapes `&`, `<` and `>` in message text, so every literal `<…>` is markup:
//! `<@U123>` (a mention) becomes `@` plus the person's label (initials, a name or a role),
//! `<#C1|name>` becomes `#name`, `<http://x|label>` becomes `[label](http://x)`, `<http://x>`
//! stays an autolink, `<!here>` becomes `@here` and `<!date^…|fallback>` its fallback text.
//! Entities are decoded; a decoded `<` that markdown would read as the start of an HTML tag,
//! or a decoded `&` that would start an HTML entity, is backslash-escaped so it still reads as
//! written. People's and channels' names and link labels are plain text
//! ([`crate::escape::markdown_text`]); a line of a message after a line break cannot open a
//! block (a heading, a list, a quote, HTML). Slack's `*bold*` and `~strike~` become `**bold**` and `~~strike~~` (`_italic_` is
//! already markdown); common emoji shortcodes become the emoji. Code spans and code blocks are
//! left alone apart from their entities.

use crate::escape::markdown_text;

/// Looks up the labels of people and channels.
pub trait Resolver {
    /// The label of user `id` (without `@`), if known.
    fn user(&self, id: &str) -> Option<String>;
    /// The name of channel `id` (without `#`), if known.
    fn channel(&self, id: &str) -> Option<String>;
}

/// Converts Slack `text` to markdown.
pub fn to_markdown(text: &str, names: &dyn Resolver) -> String {
    let mut out = String::with_capacity(text.len());
    for (code, region) in code_regions(text) {
        if code && region.starts_with("```") && region.contains('\n') {
            // A multi-line block becomes a fenced code block on lines of its own.
            let inner = region.trim_start_matches('`').trim_end_matches('`').trim_matches('\n');
            out.truncate(out.trim_end_matches(' ').len());
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("```\n");
            out.push_str(&tokens(inner, &|t| plain_target(t), &decode));
            out.push_str("\n```\n");
        } else if code {
            // A line break inside a code span reads as a space, but a line after it would
            // still open a block (`---` under it is a heading): keep the span on one line.
            let span = tokens(region, &|t| plain_target(t), &decode);
            out.push_str(&span.replace(['\n', '\r'], " "));
        } else {
            let region = if out.ends_with("```\n") {
                region.strip_prefix('\n').unwrap_or(region)
            } else {
                region
            };
            let text = tokens(region, &|t| markup(t, names), &prose);
            out.push_str(&line_starts_escaped(&text, out.ends_with('\n')));
        }
    }
    out.trim_end_matches('\n').to_owned()
}

/// `text` with every line that starts a line of the message (each after a line break, and the
/// first when `at_line_start`) escaped so it cannot open a block: a message `line1\n---` is a
/// line and a dash run, not a heading; `## Action Items` on a line of its own is text.
fn line_starts_escaped(text: &str, at_line_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i > 0 || at_line_start {
            out.push_str(&crate::escape::markdown_line_start(line));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Splits `text` into `(is_code, region)`: inline code and code blocks between matching runs
/// of backticks (delimiters included in the code region); an unmatched run is text.
fn code_regions(text: &str) -> Vec<(bool, &str)> {
    let mut regions = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        let fence = &text[i..i + run];
        let close = text[i + run..].find(fence).map(|j| i + run + j);
        match close {
            Some(j) if !text[i + run..j].is_empty() => {
                if start < i {
                    regions.push((false, &text[start..i]));
                }
                regions.push((true, &text[i..j + run]));
                i = j + run;
                start = i;
            }
            _ => i += run,
        }
    }
    if start < text.len() {
        regions.push((false, &text[start..]));
    }
    regions
}

/// Replaces each `<…>` of `text` by `token(inside)` and each stretch between by `plain(…)`.
fn tokens(text: &str, token: &dyn Fn(&str) -> String, plain: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(len) = rest[open..].find('>') else {
            break;
        };
        out.push_str(&plain(&rest[..open]));
        out.push_str(&token(&rest[open + 1..open + len]));
        rest = &rest[open + len + 1..];
    }
    out.push_str(&plain(rest));
    out
}

/// A token inside code: just what it points at.
fn plain_target(inner: &str) -> String {
    let (target, label) = inner.split_once('|').unwrap_or((inner, ""));
    decode(if label.is_empty() { target } else { label })
}

/// A token in prose, as markdown.
fn markup(inner: &str, names: &dyn Resolver) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        let name = names.user(id).or_else(|| label.map(|l| decode(l.trim_start_matches('@'))));
        return format!("@{}", markdown_text(&name.unwrap_or_else(|| id.to_owned())));
    }
    if let Some(id) = target.strip_prefix('#') {
        let name = label.map(decode).or_else(|| names.channel(id)).unwrap_or_else(|| id.to_owned());
        return format!("#{}", markdown_text(&name));
    }
    if let Some(special) = target.strip_prefix('!') {
        let word = special.split('^').next().unwrap_or(special);
        return match (word, label) {
            ("here" | "channel" | "everyone", _) => format!("@{word}"),
            ("subteam", Some(l)) => markdown_text(&decode(l)),
            ("subteam", None) => "@group".to_owned(),
            (_, Some(l)) => markdown_text(&decode(l)),
            (w, None) => format!("@{w}"),
        };
    }
    let url = decode(target);
    match label {
        Some(l) if !l.is_empty() && decode(l) != url => {
            let text = markdown_text(&decode(l));
            let url: String = url
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
                .replace(' ', "%20")
                .replace('(', "%28")
                .replace(')', "%29")
                .replace('<', "%3C")
                .replace('>', "%3E");
            format!("[{text}]({url})")
        }
        _ if url.contains(':')
            && !url.contains(|c: char| {
                c.is_whitespace() || c.is_control() || c == '<' || c == '>'
            }) =>
        {
            format!("<{url}>")
        }
        _ => markdown_text(&url),
    }
}

/// Prose between tokens: entities decoded and made safe, emphasis and emoji converted.
fn prose(text: &str) -> String {
    let text = escape(&decode(text));
    let text = emphasis(&text, '*', "**");
    let text = emphasis(&text, '~', "~~");
    emoji(&text)
}

/// Decodes the three entities Slack writes.
pub fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (ch, len) = if tail.starts_with("&amp;") {
            ('&', 5)
        } else if tail.starts_with("&lt;") {
            ('<', 4)
        } else if tail.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(ch);
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// Escapes what markdown would turn into HTML: `<` before a tag-like character and `&` before
/// an entity-like word.
fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        match c {
            '<' if next.is_ascii_alphabetic() || matches!(next, '/' | '!' | '?') => {
                out.push_str("\\<")
            }
            '&' if next.is_ascii_alphanumeric() || next == '#' => {
                let word: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
                    .collect();
                if chars.get(i + 1 + word.chars().count()) == Some(&';') {
                    out.push_str("\\&");
                } else {
                    out.push('&');
                }
            }
            _ => out.push(*c),
        }
    }
    out
}

/// `*x*` → `**x**` (for `delim` `*`): a delimiter run of one, opened before a non-space and
/// closed after one, not inside a word, on one line.
fn emphasis(text: &str, delim: char, replacement: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let word =
        |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == delim || *c == '\\');
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == delim
            && !word(i.checked_sub(1).and_then(|p| chars.get(p)))
            && chars.get(i + 1).is_some_and(|n| !n.is_whitespace() && *n != delim)
        {
            let close = (i + 1..chars.len()).find(|&j| chars[j] == delim || chars[j] == '\n');
            if let Some(j) = close {
                if chars[j] == delim && !chars[j - 1].is_whitespace() && !word(chars.get(j + 1)) {
                    out.push_str(replacement);
                    out.extend(&chars[i + 1..j]);
                    out.push_str(replacement);
                    i = j + 1;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The shortcodes incident channels use most; others are left as written.
const EMOJI: &[(&str, &str)] = &[
    ("+1", "👍"),
    ("-1", "👎"),
    ("thumbsup", "👍"),
    ("thumbsdown", "👎"),
    ("white_check_mark", "✅"),
    ("heavy_check_mark", "✔️"),
    ("x", "❌"),
    ("warning", "⚠️"),
    ("rotating_light", "🚨"),
    ("fire", "🔥"),
    ("eyes", "👀"),
    ("tada", "🎉"),
    ("pray", "🙏"),
    ("rocket", "🚀"),
    ("thinking_face", "🤔"),
    ("ack", "🆗"),
    ("ok", "🆗"),
    ("red_circle", "🔴"),
    ("large_green_circle", "🟢"),
    ("large_yellow_circle", "🟡"),
    ("green_heart", "💚"),
    ("heart", "❤️"),
    ("sweat_smile", "😅"),
    ("slightly_smiling_face", "🙂"),
    ("chart_with_upwards_trend", "📈"),
    ("chart_with_downwards_trend", "📉"),
    ("hourglass_flowing_sand", "⏳"),
    ("mag", "🔍"),
    ("bulb", "💡"),
    ("memo", "📝"),
    ("point_up", "☝️"),
    ("raised_hands", "🙌"),
    ("zap", "⚡"),
];

fn emoji(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(':') {
        let after = &rest[start + 1..];
        let end =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')));
        match end {
            Some(len) if len > 0 && after[len..].starts_with(':') => {
                let code = &after[..len];
                let skin = code.starts_with("skin-tone-");
                match EMOJI.iter().find(|(c, _)| *c == code) {
                    Some((_, e)) => {
                        out.push_str(&rest[..start]);
                        out.push_str(e);
                        rest = &after[len + 1..];
                    }
                    None if skin => {
                        out.push_str(&rest[..start]);
                        rest = &after[len + 1..];
                    }
                    None => {
                        out.push_str(&rest[..start + 1]);
                        rest = after;
                    }
                }
            }
            _ => {
                out.push_str(&rest[..start + 1]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names;
    impl Resolver for Names {
        fn user(&self, id: &str) -> Option<String> {
            (id == "U1").then(|| "AO".to_owned())
        }
        fn channel(&self, id: &str) -> Option<String> {
            (id == "C9").then(|| "platform-oncall".to_owned())
        }
    }

    fn md(text: &str) -> String {
        to_markdown(text, &Names)
    }

    #[test]
    fn mentions_channels_links() {
        assert_eq!(md("<@U1> paged <@U2>"), "@AO paged @U2");
        assert_eq!(md("<@U7|hwagner> joined"), "@hwagner joined");
        assert_eq!(md("see <#C9> and <#C3|general>"), "see #platform-oncall and #general");
        assert_eq!(
            md("<https://status.example.com/x?a=1&amp;b=2|status page>"),
            "[status page](https://status.example.com/x?a=1&b=2)"
        );
        assert_eq!(
            md("<https://grafana.example.com/d/abc>"),
            "<https://grafana.example.com/d/abc>"
        );
        assert_eq!(
            md("<mailto:oncall@example.com|oncall@example.com>"),
            "[oncall@example.com](mailto:oncall@example.com)"
        );
        assert_eq!(
            md("<!here> <!subteam^S1|@sre-oncall> <!date^1781599260^{time}|10:41>"),
            "@here @sre-oncall 10:41"
        );
    }

    #[test]
    fn entities_and_html_safety() {
        assert_eq!(md("p99 &lt; 5s &amp;&amp; errors &gt; 2%"), "p99 < 5s && errors > 2%");
        assert_eq!(md("the &lt;script&gt; tag"), "the \\<script> tag");
        assert_eq!(md("AT&amp;T &amp;copy;"), "AT&T \\&copy;");
    }

    #[test]
    fn emphasis_and_code() {
        assert_eq!(md("*rollback* now, ~maybe~ not"), "**rollback** now, ~~maybe~~ not");
        assert_eq!(md("2*3*4 stays"), "2*3*4 stays");
        assert_eq!(
            md("`kubectl get pods -l app=*` and *bold*"),
            "`kubectl get pods -l app=*` and **bold**"
        );
        assert_eq!(md("```<https://x.example|x> &lt;b&gt; *no*```"), "```x <b> *no*```");
        assert_eq!(
            md("log:\n```a &amp; b\nc```\nthen *this*"),
            "log:\n```\na & b\nc\n```\nthen **this**"
        );
        assert_eq!(md("log: ```a\nb```"), "log:\n```\na\nb\n```");
    }

    #[test]
    fn emoji_shortcodes() {
        assert_eq!(
            md("done :white_check_mark: :+1::skin-tone-3: :custom_party: 10:41:00"),
            "done ✅ 👍 :custom_party: 10:41:00"
        );
    }
}

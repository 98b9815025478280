//! `pm build` end to end: the demo and fixture repositories built into temporary folders, and
//! the properties the site promises checked on the files — every page is there, every relative
//! link lands on a file (and anchor), two builds are byte-identical, the output folder is
//! replaced atomically and only when it is ours, and nothing a postmortem author writes can run
//! in a reader's browser (`tests/fixtures/hostile-site/`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::fs::{copy_tree, crate_path, files, fixture_copy};
use crate::support::git::git;
use crate::support::run::{self, text};
use crate::support::site::{build, build_with, files_ending};

/// `pm --root ROOT ARGS`.
fn pm(args: &[&str], root: &Path) -> Output {
    run::pm(["--color", "never", "--root"]).arg(root).args(args).output().expect("run pm")
}

fn stderr(output: &Output) -> String {
    text(&output.stderr)
}

pub(crate) fn html_files(
    site: &BTreeMap<String, Vec<u8>>,
) -> impl Iterator<Item = (&String, String)> {
    site.iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b.clone()).expect("pages are UTF-8")))
}

// ---------------------------------------------------------------------------------------------
// A small HTML tag reader. Page text never holds a raw `<` (values are escaped), so every `<`
// starts a tag, a comment or a doctype; attribute values are read as a browser reads them,
// with character references decoded.

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// For `<script>` without `src`: its text.
    script_text: Option<String>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = html[i..].find('<') {
        let start = i + p;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = start + rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = start + rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        let mut j = start + 1;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            let c = bytes[j];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'>' => break,
                None => {}
            }
            j += 1;
        }
        let mut tag = parse_tag(&html[start + 1..j.min(html.len())]);
        i = (j + 1).min(html.len());
        if tag.name == "script" {
            let end = html[i..].find("</script").map_or(html.len(), |e| i + e);
            if tag.attr("src").is_none() {
                tag.script_text = Some(html[i..end].to_owned());
            }
            i = end;
        }
        out.push(tag);
    }
    out
}

fn parse_tag(inner: &str) -> Tag {
    let inner = inner.trim_end_matches('/');
    let name_end = inner.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let s = &inner.as_bytes()[name_end..];
    let mut k = 0;
    while k < s.len() {
        while k < s.len() && (s[k].is_ascii_whitespace() || s[k] == b'/') {
            k += 1;
        }
        let name_start = k;
        while k < s.len() && !s[k].is_ascii_whitespace() && s[k] != b'=' && s[k] != b'/' {
            k += 1;
        }
        if k == name_start {
            break;
        }
        let attr = String::from_utf8_lossy(&s[name_start..k]).to_ascii_lowercase();
        while k < s.len() && s[k].is_ascii_whitespace() {
            k += 1;
        }
        let mut value = String::new();
        if k < s.len() && s[k] == b'=' {
            k += 1;
            while k < s.len() && s[k].is_ascii_whitespace() {
                k += 1;
            }
            if k < s.len() && (s[k] == b'"' || s[k] == b'\'') {
                let q = s[k];
                let v_start = k + 1;
                k = v_start;
                while k < s.len() && s[k] != q {
                    k += 1;
                }
                value = String::from_utf8_lossy(&s[v_start..k.min(s.len())]).into_owned();
                k += 1;
            } else {
                let v_start = k;
                while k < s.len() && !s[k].is_ascii_whitespace() {
                    k += 1;
                }
                value = String::from_utf8_lossy(&s[v_start..k]).into_owned();
            }
        }
        attrs.push((attr, decode_entities(&value)));
    }
    Tag { name, attrs, script_text: None }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &after[..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                    u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
                }
                _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme a browser would see in a URL attribute, lowercased (`None`: relative).
fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    cleaned[..end].find(':').map(|i| cleaned[..i].to_ascii_lowercase())
}

const URL_ATTRIBUTES: &[&str] =
    &["href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "background"];

/// Asserts that nothing executable made it into `html` (the page at `path`): the only scripts
/// are the theme's file and JSON data that cannot end its element, no event handler attribute
/// exists, and every URL is relative or http(s)/mailto.
pub(crate) fn assert_inert(path: &str, html: &str) {
    for tag in tags(html) {
        for (name, value) in &tag.attrs {
            assert!(!name.starts_with("on"), "{path}: event handler attribute {name}={value:?}");
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                if let Some(s) = scheme(value) {
                    assert!(
                        matches!(s.as_str(), "http" | "https" | "mailto"),
                        "{path}: <{} {name}={value:?}> has the scheme {s}:",
                        tag.name
                    );
                }
            }
            if name == "style" {
                assert!(
                    !value.to_lowercase().contains("url("),
                    "{path}: style with url(): {value}"
                );
            }
        }
        // The one allowed `<svg>`: a chart the build drew on a metrics page (its text escaped
        // by `site::charts`); any other, or one a postmortem wrote, is content.
        let chart = tag.name == "svg"
            && path.starts_with("metrics/")
            && tag.attr("class") == Some("pm-chart-svg");
        assert!(
            chart
                || !matches!(
                    tag.name.as_str(),
                    "iframe" | "object" | "embed" | "frame" | "applet" | "svg" | "math"
                ),
            "{path}: <{}> from content",
            tag.name
        );
        // The theme's forms: the list's filters (submit nowhere) and the header's search box
        // (goes to the search page). Any other form is content.
        if tag.name == "form" {
            match tag.attr("id") {
                Some("pm-filters") => {
                    assert!(tag.attr("action").is_none(), "{path}: the filter form submits nowhere")
                }
                Some("pm-site-search") => {
                    let action = tag.attr("action").unwrap_or_default();
                    // The 404 page is served at any depth: its links are root-relative, under
                    // the path of `base_url`, on the origin that served it.
                    let root = if path == "404.html" {
                        assert!(
                            action.starts_with('/') && !action.starts_with("//"),
                            "{path}: {action} is root-relative on the page's own origin"
                        );
                        action.trim_end_matches("search/index.html").to_owned()
                    } else {
                        "../".repeat(path.matches('/').count())
                    };
                    assert_eq!(
                        action,
                        format!("{root}search/index.html"),
                        "{path}: the search box goes to the search page"
                    );
                }
                other => panic!("{path}: a form from content: {other:?}"),
            }
        }
        if tag.name == "meta" {
            assert!(tag.attr("http-equiv").is_none(), "{path}: <meta http-equiv>: {tag:?}");
        }
        if tag.name == "script" {
            match (tag.attr("src"), tag.attr("type")) {
                (Some(src), _) => assert!(
                    src.ends_with("assets/site.js")
                        || (path == "search/index.html" && src == "../assets/search.js"),
                    "{path}: script {src}"
                ),
                (None, Some("application/json")) => {
                    let text = tag.script_text.as_deref().unwrap_or_default();
                    let lower = text.to_lowercase();
                    assert!(
                        !lower.contains("</") && !lower.contains("<!--"),
                        "{path}: JSON can end its element: {text}"
                    );
                    assert!(
                        !text.contains(['\u{2028}', '\u{2029}']),
                        "{path}: raw line separators in JSON"
                    );
                    serde_json::from_str::<Value>(text)
                        .unwrap_or_else(|e| panic!("{path}: embedded JSON does not parse: {e}"));
                }
                _ => panic!("{path}: an inline script: {tag:?}"),
            }
        }
    }
}

/// Asserts that every relative `href`/`src` in the site's pages names a file of the site, and
/// that every fragment names an id on the target page.
pub(crate) fn assert_links_resolve(site: &BTreeMap<String, Vec<u8>>, at_least: usize) {
    let pages: BTreeMap<&String, String> = html_files(site).collect();
    let ids = |html: &str| -> Vec<String> {
        tags(html).iter().filter_map(|t| t.attr("id").map(str::to_owned)).collect()
    };
    let mut checked = 0;
    for (path, html) in &pages {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        // The 404 page links root-relative under the site's path (`/` or `/pm/`, from
        // `base_url`), which its own stylesheet link shows.
        let site_path = tags(html)
            .iter()
            .filter_map(|t| t.attr("href"))
            .find_map(|h| h.strip_suffix("assets/style.css").filter(|p| p.starts_with('/')))
            .map(str::to_owned);
        for tag in tags(html) {
            for attr in ["href", "src"] {
                let Some(url) = tag.attr(attr) else { continue };
                if scheme(url).is_some() || url.starts_with("//") || tag.name == "base" {
                    continue;
                }
                let url = match (&site_path, path.as_str()) {
                    (Some(prefix), "404.html") => url.strip_prefix(prefix.as_str()).unwrap_or(url),
                    _ => url,
                };
                let (url, fragment) = match url.split_once('#') {
                    Some((u, f)) => (u, Some(f)),
                    None => (url, None),
                };
                let url = url.split('?').next().unwrap_or_default();
                let target = if url.is_empty() {
                    (*path).clone()
                } else {
                    let mut parts: Vec<&str> =
                        if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
                    for piece in url.split('/') {
                        match piece {
                            "" | "." => {}
                            ".." => {
                                assert!(parts.pop().is_some(), "{path}: {url} leaves the site");
                            }
                            p => parts.push(p),
                        }
                    }
                    parts.join("/")
                };
                assert!(
                    site.contains_key(&target),
                    "{path}: <{} {attr}=\"{url}\"> → {target} does not exist",
                    tag.name
                );
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let page = pages
                        .get(&target)
                        .unwrap_or_else(|| panic!("{path}: #{fragment} on a non-page {target}"));
                    assert!(
                        ids(page).iter().any(|id| id == fragment),
                        "{path}: {url}#{fragment}: no such id in {target}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= at_least, "only {checked} links checked: is the crawler reading the pages?");
}

fn json(site: &BTreeMap<String, Vec<u8>>) -> Value {
    serde_json::from_slice(&site["postmortems.json"]).expect("postmortems.json parses")
}

// ---------------------------------------------------------------------------------------------

#[test]
fn demo_site_has_every_page_and_every_link_resolves() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    let output = build(&crate_path("examples/demo"), &out);
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.starts_with("Built ") && summary.contains(" postmortems"), "{summary}");
    let site = files(&out);

    for page in [
        "index.html",
        "postmortems/index.html",
        "actions/index.html",
        "services/index.html",
        "teams/index.html",
        "tags/index.html",
        "factors/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "postmortems.json",
        "assets/style.css",
        "assets/site.js",
        ".pm-site",
    ] {
        assert!(site.contains_key(page), "missing {page}");
    }

    // One page per postmortem file, each named by postmortems.json.
    let sources = files_ending(&crate_path("examples/demo/postmortems"), ".md").len();
    let data = json(&site);
    let postmortems = data["postmortems"].as_array().expect("postmortems array");
    assert_eq!(postmortems.len(), sources, "every demo postmortem is in postmortems.json");
    for p in postmortems {
        let url = p["url"].as_str().expect("url");
        assert!(site.contains_key(url), "no page {url} for {}", p["id"]);
        assert!(p["source"].as_str().is_some_and(|s| s.ends_with(".md")), "{p}");
    }
    let pages = site
        .keys()
        .filter(|k| k.starts_with("postmortems/") && *k != "postmortems/index.html")
        .count();
    assert_eq!(pages, sources);

    // A page for every service and team in pm.toml, and for every tag and factor used.
    let config: toml::Table = std::fs::read_to_string(crate_path("examples/demo/pm.toml"))
        .expect("read pm.toml")
        .parse()
        .expect("pm.toml parses");
    for (section, dir) in [("services", "services"), ("teams", "teams")] {
        for key in config[section].as_table().expect("table").keys() {
            assert!(site.contains_key(&format!("{dir}/{key}.html")), "no page for {section}.{key}");
        }
    }
    for p in postmortems {
        for (field, dir) in [("tags", "tags"), ("contributing_factors", "factors")] {
            for value in p[field].as_array().expect("array") {
                let value = value.as_str().expect("string");
                assert!(
                    site.contains_key(&format!("{dir}/{value}.html")),
                    "no page for {field} {value}"
                );
            }
        }
    }

    // The action items page lists every open item, overdue first.
    let actions = String::from_utf8_lossy(&site["actions/index.html"]).into_owned();
    let open: usize = postmortems
        .iter()
        .flat_map(|p| p["action_items"].as_array().expect("items"))
        .filter(|i| matches!(i["status"].as_str(), Some("open" | "in-progress")))
        .count();
    assert_eq!(actions.matches("<tr").count() - actions.matches("<thead>").count(), open);
    assert!(actions.contains(&format!("{open} open action items")), "count shown");

    // A postmortem page shows durations, the ticket link from the tracker template and the
    // backlinks of the incidents that name it as related.
    let page = String::from_utf8_lossy(&site["postmortems/INC-2026-0002.html"]).into_owned();
    assert!(page.contains("to detect") && page.contains("to resolve"), "durations");
    assert!(page.contains("href=\"https://kestrel.atlassian.net/browse/SEC-405\""), "ticket link");
    assert!(page.contains("href=\"#summary\""), "table of contents");
    assert!(page.contains("../postmortems/INC-2025-0031.html"), "related");
    let related = String::from_utf8_lossy(&site["postmortems/INC-2025-0031.html"]).into_owned();
    assert!(
        related.contains("../postmortems/INC-2026-0002.html") && related.contains("links here"),
        "backlink"
    );
    assert!(page.contains("https://github.com/kestrel-market/postmortems/edit/main/"), "edit link");

    // The feed has published postmortems only, with absolute ids from base_url.
    let feed = String::from_utf8_lossy(&site["feed.xml"]).into_owned();
    let published = postmortems.iter().filter(|p| p["status"] == "published").count();
    assert_eq!(feed.matches("<entry>").count(), published.min(50));
    assert!(feed.contains("<id>https://postmortems.kestrel.example/postmortems/"), "{feed}");
    let sitemap = String::from_utf8_lossy(&site["sitemap.xml"]).into_owned();
    assert!(
        sitemap.contains(
            "<loc>https://postmortems.kestrel.example/postmortems/INC-2026-0002.html</loc>"
        )
    );
    assert!(!sitemap.contains("404.html"));

    assert_links_resolve(&site, 1000);
    for (path, html) in html_files(&site) {
        assert_inert(path, &html);
    }
}

#[test]
fn builds_are_byte_identical() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for fixture in
        ["examples/demo", "tests/fixtures/hostile-site", "tests/fixtures/completion-site"]
    {
        let a = tmp.path().join(format!("{}-a", fixture.replace('/', "-")));
        let b = tmp.path().join(format!("{}-b", fixture.replace('/', "-")));
        build(&crate_path(fixture), &a);
        build(&crate_path(fixture), &b);
        let (a, b) = (files(&a), files(&b));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "{fixture}: same files"
        );
        for (path, bytes) in &a {
            assert!(*bytes == b[path], "{fixture}: {path} differs between two builds");
        }
    }
}

#[test]
fn hostile_content_cannot_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    let output = build(&crate_path("tests/fixtures/hostile-site"), &out);
    let site = files(&out);
    let mut pages = 0;
    for (path, html) in html_files(&site) {
        assert_inert(path, &html);
        pages += 1;
    }
    assert!(pages >= 15, "{pages} pages");
    assert_links_resolve(&site, 200);

    // The hostile values did reach the pages — as text.
    let page = String::from_utf8_lossy(&site["postmortems/INC-2026-0001.html"]).into_owned();
    for shown in [
        "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;",
        "&lt;script&gt;alert('body')&lt;/script&gt;",
        "&lt;img src=\"x\" onerror=\"alert('img')\"&gt;",
        "&lt;script&gt;alert(&#39;item&#39;)&lt;/script&gt; Add a canary",
        "&lt;script&gt;alert(&#39;chat&#39;)&lt;/script&gt;",
    ] {
        assert!(page.contains(shown), "expected the escaped text {shown}");
    }
    // Unsafe links lose their link, not their text; safe ones keep it.
    assert!(page.contains("plain js") && page.contains("mixed case"), "link text stays");
    assert!(page.contains("href=\"https://example.com/ok\""));
    assert!(page.contains("href=\"mailto:sre@example.com\""));
    assert!(page.contains("href=\"INC-2026-0002.html\""), "a .md link becomes the page link");
    assert!(page.contains("href=\"https://jira.example.com/browse/PAY-1\""), "tracker link");
    assert!(!page.contains("Edit</a>"), "a javascript: repo_url gives no edit link");
    // The theme's own ids stay unique: the `pm-facets` heading got another id.
    assert!(page.contains("id=\"h-pm-facets\""));

    // The page name of an id full of path tricks stays inside postmortems/.
    assert!(site.keys().all(|k| !k.contains("..") && !k.contains('<')), "{:?}", site.keys());
    assert!(site.contains_key("postmortems/evil-script-alert-id-script.html"), "{:?}", site.keys());

    // The embedded filter data keeps the hostile values, escaped so they cannot end the script.
    let list = String::from_utf8_lossy(&site["postmortems/index.html"]).into_owned();
    let data = tags(&list)
        .into_iter()
        .find_map(|t| (t.attr("id") == Some("pm-facets")).then_some(t.script_text))
        .flatten()
        .expect("facets JSON");
    assert!(data.contains("\\u003c/script\\u003e"), "{data}");
    let facets: Value = serde_json::from_str(&data).expect("facets parse");
    let services: Vec<&str> = facets
        .as_array()
        .expect("array")
        .iter()
        .flat_map(|f| f["services"].as_array().expect("services").iter().filter_map(Value::as_str))
        .collect();
    assert!(services.contains(&"</script><script>alert('service')</script>"), "{services:?}");

    // The feed and sitemap are XML with every value escaped.
    for xml in ["feed.xml", "sitemap.xml"] {
        let text = String::from_utf8_lossy(&site[xml]).into_owned();
        assert!(!text.contains("<script"), "{xml}");
        for tag in tags(&text) {
            if let Some(href) = tag.attr("href") {
                assert!(scheme(href).is_none_or(|s| s == "https"), "{xml}: {href}");
            }
        }
    }

    // The broken file is skipped with a diagnostic, the build still succeeds.
    let err = stderr(&output);
    assert!(err.contains("warning: skipped postmortems/2026/INC-2026-0003-broken.md: "), "{err}");
    // A postmortem with check errors is rendered, with the warning box.
    let odd =
        String::from_utf8_lossy(&site["postmortems/evil-script-alert-id-script.html"]).into_owned();
    assert!(odd.contains("class=\"alert alert-warn\""), "warning box");
}

#[test]
fn hostile_content_cannot_run_with_allow_html() {
    let (tmp, root) = fixture_copy("tests/fixtures/hostile-site");
    let config = std::fs::read_to_string(root.join("pm.toml")).expect("read");
    std::fs::write(root.join("pm.toml"), config.replace("[site]\n", "[site]\nallow_html = true\n"))
        .expect("write");
    let out = tmp.path().join("site");
    build(&root, &out);
    let site = files(&out);
    for (path, html) in html_files(&site) {
        assert_inert(path, &html);
    }
    let page = String::from_utf8_lossy(&site["postmortems/INC-2026-0001.html"]).into_owned();
    // Allowed HTML is kept, what can run is not.
    assert!(page.contains("<b>bold</b>"), "allowed markup kept");
    assert!(
        !page.contains("alert(&#39;body&#39;)") && !page.contains("alert('body')"),
        "script content removed"
    );
}

#[test]
fn strict_refuses_to_build_with_check_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    let output = build_with(&crate_path("tests/fixtures/hostile-site"), &out, &["--strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("error[PM"), "errors listed: {err}");
    assert!(err.contains("the site was not built"), "{err}");
    assert!(!out.exists(), "nothing written");
    // The demo has no errors: strict builds it.
    build_with(&crate_path("examples/demo"), &out, &["--strict"]);
    assert!(out.join("index.html").is_file());
}

#[test]
fn output_folder_is_replaced_only_when_it_is_ours() {
    let (tmp, root) = fixture_copy("tests/fixtures/minimal");

    // A folder that pm did not create is left alone.
    let foreign = tmp.path().join("docs");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("keep.txt"), "mine").expect("write");
    let output = build_with(&root, &foreign, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not created by `pm build`"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(foreign.join("keep.txt")).expect("kept"), "mine");

    // Never the repository root or a folder containing it.
    for target in [&root, &tmp.path().to_path_buf()] {
        let output = build_with(&root, target, &[]);
        assert_eq!(output.status.code(), Some(2), "{target:?}");
        assert!(stderr(&output).contains("repository root"), "{}", stderr(&output));
    }
    assert!(root.join("pm.toml").is_file());

    // Our own site is replaced as a whole: files of the previous build do not linger.
    let out = root.join("public");
    build(&root, &out);
    std::fs::write(out.join("stale.html"), "old").expect("write");
    build(&root, &out);
    assert!(!out.join("stale.html").exists());
    assert!(out.join(".pm-site").is_file());

    // A failed build (a broken theme override) leaves the previous site as it was, and no
    // staging folder behind.
    let before = files(&out);
    std::fs::create_dir_all(root.join("site-theme")).expect("mkdir");
    std::fs::write(root.join("site-theme/postmortem.html"), "{% extends \"base.html\" %}{% block content %}{{ pm.title | nosuchfilter }}{% endblock content %}")
        .expect("write");
    let output = build_with(&root, &out, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("site theme") || stderr(&output).contains("postmortem.html"),
        "{}",
        stderr(&output)
    );
    assert!(files(&out) == before, "the previous site is intact");
    let leftovers: Vec<String> = std::fs::read_dir(&root)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pm-staging") || n.contains("pm-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn theme_files_are_overridden_one_at_a_time_and_ejected() {
    let (tmp, root) = fixture_copy("tests/fixtures/minimal");
    std::fs::create_dir_all(root.join("site-theme")).expect("mkdir");
    std::fs::write(root.join("site-theme/style.css"), "body { color: rebeccapurple; }\n")
        .expect("write");
    std::fs::write(root.join("site-theme/logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .expect("write");
    let out = tmp.path().join("site");
    build(&root, &out);
    assert_eq!(
        std::fs::read_to_string(out.join("assets/style.css")).expect("css"),
        "body { color: rebeccapurple; }\n"
    );
    assert!(out.join("assets/logo.svg").is_file(), "extra theme files are copied");
    assert!(
        std::fs::read_to_string(out.join("index.html")).expect("index").contains("assets/site.js"),
        "built-ins fill the gaps"
    );

    let listed = pm(&["theme", "list"], &root);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains("style.css") && listed.contains("overridden"), "{listed}");

    let output = pm(&["theme", "eject"], &root);
    assert_eq!(output.status.code(), Some(2), "style.css exists: refused");
    assert!(stderr(&output).contains("style.css"), "{}", stderr(&output));
    assert!(!root.join("site-theme/base.html").exists(), "nothing written when refused");
    std::fs::remove_file(root.join("site-theme/style.css")).expect("rm");
    std::fs::remove_file(root.join("site-theme/logo.svg")).expect("rm");
    let output = pm(&["theme", "eject"], &root);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        root.join("site-theme/base.html").is_file() && root.join("site-theme/site.js").is_file()
    );
    // The ejected theme builds the same site as the built-in one.
    let ejected = tmp.path().join("ejected");
    build(&root, &ejected);
    std::fs::remove_dir_all(root.join("site-theme")).expect("rm");
    let builtin = tmp.path().join("builtin");
    build(&root, &builtin);
    assert!(files(&ejected) == files(&builtin), "ejected theme = built-in theme");
}

/// Where every page's script and styles load from: relative to the page, or root-relative on
/// the origin that served it, never a URL with a scheme or a host (`//host/…`), whatever
/// `base_url` says. The 404 page (served at any depth) used `<base href=BASE_URL>` and a
/// relative `assets/site.js`, so a `base_url` on another origin ran that origin's script on
/// every 404; now it links under the path of `base_url` with no `<base>`.
#[test]
fn no_page_loads_script_or_style_from_base_url() {
    let cases = [
        ("https://evil.example/", "/"),
        ("https://docs.example.com/pm", "/pm/"),
        // An empty segment would make `//evil.example/` protocol-relative: dropped.
        ("https://good.example//evil.example/x/", "/evil.example/x/"),
        ("//evil.example/", "/"),
    ];
    for (base_url, prefix) in cases {
        let (tmp, root) = fixture_copy("tests/fixtures/minimal");
        let config = std::fs::read_to_string(root.join("pm.toml")).expect("read");
        std::fs::write(
            root.join("pm.toml"),
            format!("{config}\n[site]\nbase_url = \"{base_url}\"\n"),
        )
        .expect("write");
        let out = tmp.path().join("site");
        build(&root, &out);
        let site = files(&out);
        let not_found = String::from_utf8_lossy(&site["404.html"]).into_owned();
        assert!(!not_found.contains("<base"), "{base_url}: no <base> on the 404 page");
        assert!(
            not_found.contains(&format!("<script src=\"{prefix}assets/site.js\"")),
            "{base_url}: the 404 page's own script under {prefix}"
        );
        assert!(
            not_found.contains(&format!("href=\"{prefix}assets/style.css\"")),
            "{base_url}: the 404 page's own style under {prefix}"
        );
        let mut loads = 0;
        for (path, html) in html_files(&site) {
            for tag in tags(&html) {
                assert!(tag.name != "base", "{base_url}: {path} has a <base>");
                let url = match tag.name.as_str() {
                    "script" => tag.attr("src"),
                    "link" if tag.attr("rel").is_some_and(|r| r.contains("stylesheet")) => {
                        tag.attr("href")
                    }
                    "link"
                        if tag
                            .attr("rel")
                            .is_some_and(|r| r.contains("preload") || r.contains("icon")) =>
                    {
                        tag.attr("href")
                    }
                    _ => None,
                };
                let Some(url) = url else { continue };
                loads += 1;
                assert!(
                    !url.contains(':') && !url.starts_with("//") && !url.contains('\\'),
                    "{base_url}: {path} loads {url} from elsewhere"
                );
            }
        }
        assert!(loads > 20, "only {loads} scripts and styles seen");
    }
}

/// `pm theme eject` never writes through a symbolic link: a dangling `site-theme/style.css`
/// would create its target outside the repository, and with `--force` a link to any file
/// would overwrite it. Both are refused (exit 2) before anything is written.
#[cfg(unix)]
#[test]
fn theme_eject_never_writes_through_a_link() {
    let (tmp, root) = fixture_copy("tests/fixtures/minimal");
    std::fs::create_dir_all(root.join("site-theme")).expect("mkdir");
    let outside = tmp.path().join("outside.css");
    std::os::unix::fs::symlink(&outside, root.join("site-theme/style.css")).expect("symlink");
    for args in [&["theme", "eject"][..], &["theme", "eject", "--force"][..]] {
        let output = pm(args, &root);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("symbolic link"), "{}", stderr(&output));
        assert!(!outside.exists(), "{args:?}: the link's target was created");
        assert!(!root.join("site-theme/base.html").exists(), "{args:?}: nothing written");
    }
    // A link to a file the user can write, here a file of the repository itself.
    std::fs::remove_file(root.join("site-theme/style.css")).expect("rm");
    std::os::unix::fs::symlink("../pm.toml", root.join("site-theme/site.js")).expect("symlink");
    let config = std::fs::read(root.join("pm.toml")).expect("read");
    let output = pm(&["theme", "eject", "--force"], &root);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(std::fs::read(root.join("pm.toml")).expect("read"), config, "not overwritten");
    // Once the link is gone, the eject goes through, and every file is a regular file.
    std::fs::remove_file(root.join("site-theme/site.js")).expect("rm");
    let output = pm(&["theme", "eject"], &root);
    assert!(output.status.success(), "{}", stderr(&output));
    let meta = std::fs::symlink_metadata(root.join("site-theme/site.js")).expect("meta");
    assert!(meta.is_file());
}

#[test]
fn without_base_url_there_is_no_sitemap_and_feed_ids_are_urns() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&crate_path("tests/fixtures/minimal"), &out);
    let site = files(&out);
    assert!(!site.contains_key("sitemap.xml"));
    let feed = String::from_utf8_lossy(&site["feed.xml"]).into_owned();
    assert!(feed.contains("<id>urn:pm:feed:"), "{feed}");
    assert!(!String::from_utf8_lossy(&site["404.html"]).contains("<base"));
    assert_links_resolve(&site, 20);
}

#[test]
fn last_updated_dates_come_from_git() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let root = repo.join("handbook");
    copy_tree(&crate_path("tests/fixtures/minimal"), &root);
    // Committed on git::DATE, 2021-02-03.
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    std::fs::write(
        root.join("pm.toml"),
        format!(
            "{}\n[site]\nrepo_url = \"https://git.example.com/acme/postmortems\"\n",
            std::fs::read_to_string(root.join("pm.toml")).expect("read")
        ),
    )
    .expect("write");
    let out = tmp.path().join("site");
    build(&root, &out);
    let page = std::fs::read_to_string(out.join("postmortems/INC-2026-0001.html")).expect("page");
    assert!(page.contains("Last updated <time datetime=\"2021-02-03\">"), "git date shown");
    // Links to the forge use the path inside the git repository, not inside the pm root.
    assert!(
        page.contains("https://git.example.com/acme/postmortems/commits/main/handbook/postmortems/2026/INC-2026-0001-checkout.md"),
        "history link"
    );
}

/// The metrics section: an overview with every chart (SVG, table) and every definition, a
/// page per team and per service, a nav entry on every page, and similar postmortems linked
/// from postmortem pages; the link crawl covers all of it.
#[test]
fn metrics_pages_have_charts_tables_and_definitions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&crate_path("examples/demo"), &out);
    let site = files(&out);
    let page = |rel: &str| -> String {
        let bytes = site.get(rel).unwrap_or_else(|| panic!("{rel} was not built"));
        String::from_utf8(bytes.clone()).expect("UTF-8 page")
    };

    let overview = page("metrics/index.html");
    // Five charts, each an SVG beside its table of numbers, inside a captioned figure: the
    // demo does not rank teams (`[metrics] rank_teams`), so there is no leaderboard.
    assert_eq!(overview.matches("<svg").count(), 5, "five charts on the overview");
    assert_eq!(overview.matches("<table class=\"pm-chart-table\"").count(), 5);
    assert_eq!(overview.matches("<figcaption").count(), 5);
    assert!(!overview.contains("Postmortems published on time, by team"));
    assert!(!overview.contains("def-leaderboard"));
    for title in [
        "Incidents per month, by severity",
        "Time to resolve per quarter",
        "Action items open and closed over time",
        "Top contributing factors",
        "How incidents were detected",
    ] {
        assert!(overview.contains(title), "overview lacks the chart {title:?}");
    }
    // Every definition, as text a reader sees (entities decoded).
    let text = decode_entities(&overview);
    assert!(!pm::metrics::DEFINITIONS.is_empty());
    for d in pm::metrics::DEFINITIONS.iter().filter(|d| d.key != "leaderboard") {
        assert!(text.contains(d.title), "overview lacks the definition title {:?}", d.title);
        assert!(text.contains(d.text), "overview lacks the definition of {:?}", d.key);
        assert!(overview.contains(&format!("id=\"def-{}\"", d.key)), "{}", d.key);
    }
    // The overview links every team and service page.
    for rel in ["metrics/teams/payments.html", "metrics/services/api-gateway.html"] {
        assert!(overview.contains(&format!("href=\"../{rel}\"")), "overview does not link {rel}");
    }

    let teams: Vec<&String> = site.keys().filter(|k| k.starts_with("metrics/teams/")).collect();
    let services: Vec<&String> =
        site.keys().filter(|k| k.starts_with("metrics/services/")).collect();
    assert!(teams.len() >= 4, "{teams:?}");
    assert!(services.len() >= 10, "{services:?}");
    for rel in teams.iter().chain(&services) {
        let html = page(rel);
        // Five slice charts (no leaderboard), each with its table, and the definitions.
        assert_eq!(html.matches("<svg").count(), 5, "{rel}");
        assert_eq!(html.matches("<table class=\"pm-chart-table\"").count(), 5, "{rel}");
        assert!(html.contains("id=\"pm-definitions\""), "{rel}");
        assert!(
            html.contains("href=\"../../metrics/index.html\">Metrics</a> <span"),
            "{rel}: no breadcrumb"
        );
    }
    let payments = page("metrics/teams/payments.html");
    assert!(payments.contains("href=\"../../teams/"), "team metrics link the team page");

    // "Metrics" is in the navigation of every page, marked current on the metrics pages.
    for (path, html) in html_files(&site) {
        assert!(html.contains(">Metrics</a>"), "{path}: no Metrics nav entry");
    }
    assert!(overview.contains("class=\"active\" aria-current=\"page\">Metrics</a>"));

    // Similar postmortems: at most three, each a link to a postmortem page.
    let mut with_similar = 0;
    for (path, html) in html_files(&site).filter(|(p, _)| p.starts_with("postmortems/")) {
        let Some(start) = html.find("id=\"pm-similar\"") else { continue };
        with_similar += 1;
        let section = &html[start..start + html[start..].find("</section>").expect("closed")];
        let links = section.matches("<a href=\"").count();
        assert!((1..=3).contains(&links), "{path}: {links} similar postmortems");
        assert_eq!(links, section.matches("<li>").count(), "{path}: every suggestion is linked");
    }
    assert!(with_similar > 0, "no postmortem page shows similar postmortems");

    assert_links_resolve(&site, 1000);
}

/// A postmortem that lists thousands of values: each value would be a page, a metrics scope and
/// a link on every row that shows the postmortem (4,000 services once wrote 4,000 pages of 4,000
/// links, 820 MB). The site and the metrics take the first `MAX_LIST_VALUES` of each list, so
/// the output stays the size of an ordinary site's, and `pm check` says where the list is too
/// long and what the site does with it.
#[test]
fn long_lists_fan_out_to_a_bounded_site() {
    const MANY: usize = 4000;
    let limit = pm::model::MAX_LIST_VALUES;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("postmortems")).expect("folder");
    std::fs::write(root.join("pm.toml"), "title = \"Fan-out\"\n").expect("pm.toml");
    let values =
        |prefix: &str| (0..MANY).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>().join(", ");
    let body = format!(
        "---\nid: INC-2026-0001\ntitle: Fan-out\nstatus: draft\nseverity: SEV3\n\
         started_at: 2026-03-02T14:00:00Z\nservices: [{}]\ntags: [{}]\n\
         contributing_factors: [{}]\n---\n# Fan-out\n\n## Summary\n\nMany values.\n",
        values("s"),
        values("t"),
        values("f")
    );
    std::fs::write(root.join("postmortems/INC-2026-0001-fan-out.md"), body).expect("write");
    // A second postmortem shares the first service: its rows on that page stay short too.
    let second = "---\nid: INC-2026-0002\ntitle: Second\nstatus: draft\nseverity: SEV3\n\
                  started_at: 2026-03-03T14:00:00Z\nservices: [s0]\n---\n# Second\n\n## Summary\n\nOne.\n";
    std::fs::write(root.join("postmortems/INC-2026-0002-second.md"), second).expect("write");

    let out = dir.path().join("site");
    build(&root, &out);
    let site = files(&out);
    let pages_under = |dir: &str| site.keys().filter(|k| k.starts_with(dir)).count();
    for dir in ["services/", "tags/", "factors/"] {
        let pages = pages_under(dir);
        assert!(pages <= limit + 2, "{pages} files under {dir} for {limit} values at most");
    }
    let total: usize = site.values().map(Vec::len).sum();
    assert!(total < 4_000_000, "the site holds {total} bytes");
    let page = String::from_utf8_lossy(&site["services/s0.html"]).into_owned();
    let links = page.matches("href=\"../services/").count();
    assert!(links <= 3 * limit, "{links} service links on one service page");
    assert!(!page.contains(&format!("s{limit}<")), "a value past the bound got a link");

    let check =
        pm(&["check", "--format", "concise", "--today", crate::support::site::TODAY], &root);
    let report = text(&check.stdout);
    for key in ["services", "tags", "contributing_factors"] {
        let needle = format!("`{key}` has {MANY} items, more than {limit}");
        assert!(report.contains(&needle), "no finding for {key}:\n{report}");
    }
}

/// A page lists its postmortem's findings where `pm check` puts them. A build lets each text go
/// as soon as its file is checked (pages read it again), so this holds only if the repo-wide
/// rules' findings, which come later, are located on the text read again.
#[test]
fn pages_show_each_finding_on_the_line_pm_check_gives() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    crate::support::site::generate(300, 7, &root);
    let site_dir = tmp.path().join("site");
    build(&root, &site_dir);
    let site = files(&site_dir);
    let check = pm(&["check", "--format", "json", "--today", crate::support::site::TODAY], &root);
    let report: Value = serde_json::from_slice(&check.stdout).expect("check JSON");
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        if d["severity"] == "error" || d["severity"] == "warning" {
            let shown = format!("<code>{}</code> line {}:", text_of(&d["code"]), d["line"]);
            expected.entry(text_of(&d["path"])).or_default().push(shown);
        }
    }
    let mut compared = 0;
    let mut repo_wide = 0;
    for pm in json(&site)["postmortems"].as_array().expect("postmortems") {
        let page = String::from_utf8(site[&text_of(&pm["url"])].clone()).expect("UTF-8");
        let shown: Vec<String> = page
            .match_indices("<code>PM")
            .filter_map(|(at, _)| {
                let rest = &page[at..];
                let end = rest.find(':')? + 1;
                rest[..end].contains(" line ").then(|| rest[..end].to_owned())
            })
            .collect();
        let want = expected.remove(&text_of(&pm["source"])).unwrap_or_default();
        assert_eq!(shown, want, "{}", pm["url"]);
        compared += want.len();
        repo_wide += want.iter().filter(|w| w.starts_with("<code>PM602</code>")).count();
    }
    assert!(compared > 50 && repo_wide > 0, "{compared} findings, {repo_wide} of `related`");
}

fn text_of(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

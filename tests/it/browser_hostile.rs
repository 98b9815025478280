//! Browser-level proof that nothing a postmortem author writes runs in a reader's browser: the
//! hostile repository `tests/fixtures/hostile-site/` is built with `pm build` and every page
//! of the site is opened in headless Chromium — over `file://`, and the home, list and search
//! pages over http too — and after each page:
//!
//! - no JavaScript dialog opened (every payload calls `alert`),
//! - the sentinel the payloads set stays unset (`window.__pm_pwned`, `<html data-pwned>`),
//! - no uncaught exception and no console error (a payload breaking out of embedded JSON or of
//!   a search data file would leave one),
//! - no request left the site: every URL the page asked for is a file of the site or on the
//!   test server (the payloads point at http://evil.example),
//! - the DOM as Chromium parsed it holds no event-handler attribute, no frame, object, embed,
//!   `<base>` or `<meta http-equiv>` from content, no link whose scheme can run script, no
//!   inline script but JSON data, and no element that would load something from outside
//!   (an outside image is caught even if it is lazy and below the fold).
//!
//! Handlers that need a reader's gesture (`onmouseover`, `onfocus`) are given one: every element
//! receives synthetic pointer and focus events before the checks. The search data files are
//! loaded one by one under a recording `pmSearchData`, and the search page renders results for
//! queries that match hostile titles and snippets. A built-in page with live payloads checks the
//! checker itself: each kind of problem above is reported.

use std::path::Path;

use serde_json::Value;

use crate::support::browser::{Browser, Journal, Page};
use crate::support::fs::{copy_tree, crate_path};
use crate::support::server::StaticServer;
use crate::support::site::{self, file_url};

/// The path of the fixture's `[site] base_url` (`https://postmortems.example.com/sub/`): the
/// 404 page (served at any depth) links its assets root-relative under it, on the origin that
/// served the page, so over file:// it asks for `file:///sub/…`. That is the page's own
/// origin, never the `base_url`'s host, and is allowed on that page only.
const BASE_PATH: &str = "/sub/";

/// The origin of `url` (`http://127.0.0.1:1234`, or `file://`).
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

/// A severity label that tries to break out of the badge, the filter link, the charts and the
/// search facets; added to the `severities` of a copy of the fixture's `pm.toml`. (It is not in
/// the fixture itself: the home page links to `?severity=<name>` without percent-encoding the
/// name, which the HTML validator of tests/it/html_validation.rs rejects for any name with a space.)
const HOSTILE_SEVERITY: &str =
    "SEV5 \\\"><img src=x onerror=\\\"window.__pm_pwned='severity';alert('severity')\\\">";

/// Query strings that put hostile values in the URL (a crafted link sent to a reader): the
/// list's filters and the search page read them.
const HOSTILE_QUERY: &str = "q=%3Cimg+src%3Dx+onerror%3D%22window.__pm_pwned%3D%27q%27%3Balert%28%27q%27%29%22%3E\
    &severity=%22%3E%3Csvg+onload%3Dwindow.__pm_pwned%3D%27severity-param%27%3E\
    &service=%3C%2Fscript%3E%3Cscript%3Ewindow.__pm_pwned%3D%27service-param%27%3C%2Fscript%3E\
    &tag=javascript%3Awindow.__pm_pwned%3D%27tag-param%27";

/// Search queries whose results carry the hostile titles and snippets.
const SEARCH_QUERIES: &[&str] = &["pwned", "kafka", "script", "img src onerror", "window"];

// ---------------------------------------------------------------------------------------------
// What is checked on a page.

/// Lets a search page finish its work (results rendered, or a load failure shown), then gives
/// every element the events a reader's pointer and keyboard would, and waits a moment for
/// anything they (or timers) start.
const EXERCISE: &str = r#"(async () => {
  const results = document.getElementById("pm-search-results");
  if (results && new URLSearchParams(location.search).has("q")) {
    const deadline = Date.now() + 15000;
    while (!["done", "error"].includes(results.dataset.state) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const state = results && new URLSearchParams(location.search).has("q") ? String(results.dataset.state) : null;
  const types = ["mouseover", "mouseenter", "mousemove", "pointerover", "pointerenter",
                 "focus", "focusin", "animationstart", "transitionend"];
  for (const el of document.querySelectorAll("body *")) {
    for (const type of types) {
      try { el.dispatchEvent(new Event(type, { bubbles: false })); } catch (e) {}
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return state;
})"#;

/// Reads the sentinel and the DOM as the browser parsed it. Called with the URL prefixes the
/// page may load from and the one `<base href>` it may have (or null).
const AUDIT: &str = r##"((roots, allowedBase) => {
  const problems = [];
  const inSite = (url) => roots.some((root) => url.startsWith(root));
  const show = (el) => {
    const html = el.outerHTML.replace(/\s+/g, " ");
    return html.length > 200 ? html.slice(0, 200) + "…" : html;
  };
  const resolve = (url) => { try { return new URL(url, document.baseURI).href; } catch (e) { return url; } };
  const scheme = (url) => { try { return new URL(url, document.baseURI).protocol; } catch (e) { return "?"; } };

  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) problems.push("event handler attribute " + attr.name + ": " + show(el));
    }
  }
  for (const el of document.querySelectorAll("iframe, frame, frameset, object, embed, applet, portal, meta[http-equiv]")) {
    problems.push("a <" + el.localName + "> element: " + show(el));
  }
  for (const el of document.querySelectorAll("base")) {
    if (el.getAttribute("href") !== allowedBase) problems.push("a <base> element: " + show(el));
  }
  for (const el of document.querySelectorAll("a[href], area[href]")) {
    const s = scheme(el.getAttribute("href"));
    if (!["http:", "https:", "mailto:", "file:"].includes(s)) problems.push("a link with the scheme " + s + " " + show(el));
  }
  for (const el of document.querySelectorAll("form[action], [formaction]")) {
    const url = el.getAttribute("formaction") || el.getAttribute("action");
    if (!inSite(resolve(url))) problems.push("a form that submits outside the site: " + show(el));
  }
  for (const el of document.querySelectorAll("script")) {
    if (el.hasAttribute("src")) {
      if (!inSite(el.src)) problems.push("a script from outside the site: " + show(el));
    } else if (el.type !== "application/json") {
      problems.push("an inline script: " + show(el));
    }
  }
  // Everything that loads by itself, lazy or not, visible or not.
  const loads = [];
  for (const el of document.querySelectorAll("img, picture source, video, audio, track, input[type=image]")) {
    for (const attr of ["src", "poster"]) if (el.getAttribute(attr)) loads.push([el, resolve(el.getAttribute(attr))]);
    for (const part of (el.getAttribute("srcset") || "").split(",")) {
      const url = part.trim().split(/\s+/)[0];
      if (url) loads.push([el, resolve(url)]);
    }
  }
  for (const el of document.querySelectorAll("link[href]")) {
    if (!/\b(alternate|canonical|author|help|license|next|prev|search)\b/i.test(el.rel)) loads.push([el, el.href]);
  }
  for (const el of document.querySelectorAll("svg image, svg use, svg feImage")) {
    const url = el.getAttribute("href") || el.getAttribute("xlink:href");
    if (url) loads.push([el, resolve(url)]);
  }
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      for (const value of [style.backgroundImage, style.listStyleImage, style.borderImageSource, style.content, style.cursor, style.maskImage]) {
        for (const m of (value || "").matchAll(/url\(\s*(["']?)(.*?)\1\s*\)/g)) {
          if (!m[2].startsWith("data:")) loads.push([el, resolve(m[2])]);
        }
      }
    }
  }
  for (const [el, url] of loads) {
    if (!inSite(url)) problems.push("would load " + url + ": " + show(el));
  }
  // The page's own record of what it fetched (failed fetches included): a second witness
  // beside the DevTools events.
  for (const entry of performance.getEntriesByType("resource")) {
    if (!inSite(entry.name)) problems.push("fetched (resource timing) " + entry.name);
  }
  return {
    searchResults: document.querySelectorAll("#pm-search-results > li").length,
    pwned: window.__pm_pwned === undefined ? null : String(window.__pm_pwned),
    dataset: document.documentElement.dataset.pwned === undefined ? null : String(document.documentElement.dataset.pwned),
    problems,
  };
})"##;

/// Where the pages of one build are opened from, and what they may load.
struct Origin<'a> {
    /// `file` or `http`, for messages.
    label: &'static str,
    /// URL prefixes a request may start with.
    roots: Vec<String>,
    /// The site folder, for requests of missing files (`None`: not checked).
    missing_in: Option<&'a Path>,
}

/// Opens `url` (the page `rel` of the site) and appends what is wrong with it to `problems`.
/// Returns how many search results the page shows (0 on pages without search results).
fn check_page(
    page: &Page,
    origin: &Origin<'_>,
    rel: &str,
    url: &str,
    problems: &mut Vec<String>,
) -> usize {
    let at = format!("[{}] {rel}", origin.label);
    page.take_journal();
    page.open(url);
    let mut roots = origin.roots.clone();
    if rel == "404.html" {
        roots.push(format!("{}{BASE_PATH}", origin_of(url)));
    }
    // One evaluation for all of it: each round trip to the browser costs ~100 ms.
    let audit = page.eval(&format!(
        "({EXERCISE})().then((state) => ({{ searchState: state, ...({AUDIT})({}, null) }}))",
        serde_json::to_string(&roots).expect("roots")
    ));
    judge(&at, &audit, &page.take_journal(), &roots, origin.missing_in, problems);
    audit["searchResults"].as_u64().map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Turns one page's audit and journal into problems.
fn judge(
    at: &str,
    audit: &Value,
    journal: &Journal,
    roots: &[String],
    missing_in: Option<&Path>,
    problems: &mut Vec<String>,
) {
    for (key, what) in [("pwned", "window.__pm_pwned"), ("dataset", "<html data-pwned>")] {
        if let Some(value) = audit[key].as_str() {
            problems.push(format!("{at}: a payload ran: {what} = {value:?}"));
        }
    }
    if let Some(state) = audit["searchState"].as_str().filter(|s| *s != "done") {
        problems.push(format!("{at}: the search ended in the state {state:?}, not \"done\""));
    }
    for p in audit["problems"].as_array().into_iter().flatten() {
        problems.push(format!("{at}: {}", p.as_str().unwrap_or_default()));
    }
    for d in &journal.dialogs {
        problems.push(format!("{at}: a dialog opened: {}({:?}) from {}", d.kind, d.message, d.url));
    }
    for e in &journal.exceptions {
        problems.push(format!("{at}: uncaught exception: {e}"));
    }
    // Failed loads are judged by their URL below, not by their log line.
    for e in journal.console_errors.iter().filter(|e| !e.starts_with("network: ")) {
        problems.push(format!("{at}: console error: {e}"));
    }
    for url in &journal.requests {
        if !roots.iter().any(|root| url.starts_with(root.as_str())) {
            problems.push(format!("{at}: a request left the site: {url}"));
        } else if let Some(dir) = missing_in {
            if let Some(rel) = url.strip_prefix(&file_url(dir)) {
                let path = rel.trim_start_matches('/').split(['?', '#']).next().unwrap_or_default();
                if !dir.join(path).is_file() {
                    problems
                        .push(format!("{at}: a request for a file the site does not have: {url}"));
                }
            }
        }
    }
}

/// Loads every search data file (`search/**/*.js`) into a site page under a recording
/// `pmSearchData`: each must call it exactly once, with its own key and an object, and nothing
/// else may happen.
fn check_search_data(
    page: &Page,
    site_dir: &Path,
    origin: &Origin<'_>,
    problems: &mut Vec<String>,
) {
    let search = site_dir.join("search");
    let files: Vec<String> =
        site::files_ending(&search, ".js").into_iter().map(|f| format!("search/{f}")).collect();
    if files.is_empty() {
        problems.push("search/ has no data files".to_owned());
        return;
    }
    let at = format!("[{}] search data files", origin.label);
    page.take_journal();
    page.open(&file_url(&site_dir.join("index.html")));
    let calls = page.eval(&format!(
        r#"(async (files) => {{
          const calls = [];
          window.pmSearchData = (key, data) => calls.push({{ key, type: Array.isArray(data) ? "array" : typeof data }});
          for (const file of files) {{
            const before = calls.length;
            const outcome = await new Promise((resolve) => {{
              const s = document.createElement("script");
              s.src = file;
              s.onload = () => resolve("load");
              s.onerror = () => resolve("error");
              document.head.appendChild(s);
            }});
            calls.push({{ file, outcome, made: calls.length - before }});
          }}
          return calls;
        }})({})"#,
        serde_json::to_string(&files).expect("files")
    ));
    let calls = calls.as_array().cloned().unwrap_or_default();
    let mut pending: Vec<&Value> = Vec::new();
    for call in &calls {
        if let Some(file) = call["file"].as_str() {
            let key = file.trim_start_matches("search/").trim_end_matches(".js");
            if call["outcome"] != "load" || call["made"] != 1 {
                problems.push(format!(
                    "{at}: {file}: {} with {} pmSearchData calls",
                    call["outcome"], call["made"]
                ));
            } else if pending.first().map(|c| (&c["key"], &c["type"]))
                != Some((&Value::from(key), &Value::from("object")))
            {
                problems.push(format!(
                    "{at}: {file} called pmSearchData with {pending:?}, not ({key:?}, an object)"
                ));
            }
            pending.clear();
        } else {
            pending.push(call);
        }
    }
    let audit = page.eval(&format!(
        "({AUDIT})({}, null)",
        serde_json::to_string(&origin.roots).expect("roots")
    ));
    judge(&at, &audit, &page.take_journal(), &origin.roots, origin.missing_in, problems);
}

/// Every check on the site built in `site_dir`: each page over file://, the pages whose URL
/// carries hostile parameters, the search with hostile results, and the search data files.
fn check_site_over_file(
    browser: &Browser,
    site_dir: &Path,
    check_missing: bool,
) -> (usize, Vec<String>) {
    let page = browser.page();
    let origin = Origin {
        label: "file",
        roots: vec![format!("{}/", file_url(site_dir))],
        missing_in: check_missing.then_some(site_dir),
    };
    let mut problems = Vec::new();
    let pages = site::files_ending(site_dir, ".html");
    for rel in &pages {
        check_page(&page, &origin, rel, &file_url(&site_dir.join(rel)), &mut problems);
    }
    let mut visits = pages.len();
    for rel in ["postmortems/index.html", "search/index.html"] {
        let url = format!("{}?{HOSTILE_QUERY}", file_url(&site_dir.join(rel)));
        check_page(&page, &origin, &format!("{rel}?<hostile>"), &url, &mut problems);
        visits += 1;
    }
    // The search page with results whose titles and snippets are the payloads.
    for q in SEARCH_QUERIES {
        let rel = format!("search/index.html?q={}", site::query_value(q));
        let url =
            format!("{}?q={}", file_url(&site_dir.join("search/index.html")), site::query_value(q));
        let shown = check_page(&page, &origin, &rel, &url, &mut problems);
        // INC-2026-0005 and 0006 say "pwned" in their titles: the hostile rows were rendered.
        if *q == "pwned" && shown < 2 {
            problems.push(format!("[file] {rel}: {shown} results, expected at least 2"));
        }
        visits += 1;
    }
    check_search_data(&page, site_dir, &origin, &mut problems);
    (visits, problems)
}

/// Fails with every problem found, one a line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Builds the fixture (after `edit` changes a temporary copy of its `pm.toml`) into `out`.
fn build_fixture(tmp: &Path, edit: impl FnOnce(String) -> String) -> std::path::PathBuf {
    let root = tmp.join("repo");
    copy_tree(&crate_path("tests/fixtures/hostile-site"), &root);
    let config = std::fs::read_to_string(root.join("pm.toml")).expect("read pm.toml");
    std::fs::write(root.join("pm.toml"), edit(config)).expect("write pm.toml");
    let out = tmp.join("site");
    site::build(&root, &out);
    // The search page and its data files are pages of the site like any other.
    assert!(
        out.join("search/index.html").is_file() && out.join("search/manifest.js").is_file(),
        "the hostile site has no search/index.html and search/manifest.js"
    );
    out
}

/// The hostile values did reach the pages: a check that passes because the payloads never made
/// it into the site would prove nothing.
fn assert_payloads_shown(browser: &Browser, site_dir: &Path, raw_html_as_text: bool) {
    let page = browser.page();
    page.open(&file_url(&site_dir.join("postmortems/INC-2026-0005.html")));
    let text = page.eval("document.body.textContent").as_str().unwrap_or_default().to_owned();
    let mut expected = vec![
        "Kafka pwned lag </script><script>window.__pm_pwned='title';alert('title5')</script>",
        "</script><script>window.__pm_pwned='item';alert('item5')</script> pwned canary",
        "</script><script>window.__pm_pwned='impact';alert('impact5')</script> pwned",
        "</script><script>window.__pm_pwned='code';alert('code')</script>",
    ];
    if raw_html_as_text {
        expected.push("<img src=\"x\" onerror=\"window.__pm_pwned='raw-img';alert('raw-img')\">");
        expected.push("<base href=\"http://evil.example/\">");
    }
    for shown in expected {
        assert!(text.contains(shown), "INC-2026-0005 does not show {shown:?} as text");
    }
}

/// Every page of the site at `site_dir` opened over `file://` (see [`check_site_over_file`]),
/// after the payloads were seen on a page; `what` names the site in the failure. With
/// `raw_html_as_text` (no `allow_html`), raw HTML must show as text and a request for a file the
/// site does not have is a problem (with `allow_html`, a raw `<img src="x">` asks for one).
fn assert_inert_over_file(site_dir: &Path, raw_html_as_text: bool, what: &str) {
    let browser = Browser::launch();
    assert_payloads_shown(&browser, site_dir, raw_html_as_text);
    let (visits, problems) = check_site_over_file(&browser, site_dir, raw_html_as_text);
    assert!(visits >= 40, "only {visits} pages visited");
    assert_no_problems(what, &problems);
}

// ---------------------------------------------------------------------------------------------

#[test]
fn hostile_site_pages_are_inert_over_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_fixture(tmp.path(), |c| c);
    assert_inert_over_file(&out, true, "the hostile site over file://");
}

/// `allow_html = true` lets raw HTML through ammonia: what can run must still be gone. The
/// hostile severity label is added to the configuration here, so it also reaches the home page,
/// the charts and the search facets.
#[test]
fn hostile_site_pages_are_inert_with_allow_html() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_fixture(tmp.path(), |c| {
        let severities = format!(
            "severities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\", \"{HOSTILE_SEVERITY}\"]\n"
        );
        format!("{severities}{}", c.replace("[site]\n", "[site]\nallow_html = true\n"))
    });
    // Raw `<img src="x">` is allowed markup here: its request for a missing file is no problem.
    assert_inert_over_file(&out, false, "the hostile site with allow_html = true over file://");
}

/// Over http (the site at the root of a local server): the home page, the list and the search
/// page, with hostile URL parameters and hostile search results.
#[test]
fn hostile_site_is_inert_over_http() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = build_fixture(tmp.path(), |c| c);
    let server = StaticServer::serve(&out, "/");
    let browser = Browser::launch();
    let page = browser.page();
    let origin =
        Origin { label: "http", roots: vec![format!("{}/", server.origin())], missing_in: None };
    let mut problems = Vec::new();
    let mut urls = vec![
        "index.html".to_owned(),
        String::new(),
        "postmortems/index.html".to_owned(),
        format!("postmortems/index.html?{HOSTILE_QUERY}"),
        "postmortems/INC-2026-0005.html".to_owned(),
        format!("search/index.html?{HOSTILE_QUERY}"),
    ];
    urls.extend(
        SEARCH_QUERIES.iter().map(|q| format!("search/index.html?q={}", site::query_value(q))),
    );
    for rel in &urls {
        check_page(&page, &origin, rel, &server.url(rel), &mut problems);
    }
    // Nothing was asked of the server that the site does not have.
    for target in server.served() {
        // Chromium asks for a favicon by itself; the site has none.
        if target == "/favicon.ico" {
            continue;
        }
        let path = target.split('?').next().unwrap_or_default().trim_start_matches('/');
        let file = if path.is_empty() { out.join("index.html") } else { out.join(path) };
        if !file.is_file() {
            problems.push(format!("[http] the server was asked for a missing file: {target}"));
        }
    }
    assert_no_problems("the hostile site over http", &problems);
}

/// `base_url` on another origin must not decide where the 404 page's script comes from: with
/// `<base href=BASE_URL>` and a relative `assets/site.js`, every 404 page ran the script of
/// whatever `base_url` named. Here `base_url` is a second local server whose
/// `assets/site.js` sets the sentinel: the 404 page, opened at the top and at depth, asks
/// that server for nothing and runs nothing of it; its own script and style load from the site.
#[test]
fn the_404_page_loads_nothing_from_base_url() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let evil_dir = tmp.path().join("evil");
    std::fs::create_dir_all(evil_dir.join("pm/assets")).expect("mkdir");
    std::fs::write(
        evil_dir.join("pm/assets/site.js"),
        "window.__pm_pwned = 'base_url'; document.documentElement.dataset.pwned = 'base_url';",
    )
    .expect("write");
    std::fs::write(evil_dir.join("pm/assets/style.css"), "body { display: none }").expect("css");
    let evil = StaticServer::serve(&evil_dir, "/");
    let base_url = format!("{}/pm/", evil.origin());
    let out = build_fixture(tmp.path(), |c| {
        c.replace(
            "base_url = \"https://postmortems.example.com/sub/\"",
            &format!("base_url = \"{base_url}\""),
        )
    });
    let html = std::fs::read_to_string(out.join("404.html")).expect("404.html");
    assert!(!html.contains("<base"), "no <base> on the 404 page");
    assert!(html.contains("src=\"/pm/assets/site.js\""), "its own script, root-relative");
    // What a web server answers for a missing address deep in the site: the 404 page.
    std::fs::create_dir_all(out.join("no/such")).expect("mkdir");
    std::fs::copy(out.join("404.html"), out.join("no/such/page.html")).expect("copy");
    // The site is served under /pm/, where base_url says it is published.
    let site = StaticServer::serve(&out, "/pm/");
    let browser = Browser::launch();
    let page = browser.page();
    for rel in ["404.html", "no/such/page.html"] {
        page.take_journal();
        page.open(&site.url(rel));
        let seen = page.eval(
            "({ pwned: window.__pm_pwned === undefined ? null : String(window.__pm_pwned), \
               styled: getComputedStyle(document.body).display !== 'none' })",
        );
        assert_eq!(seen["pwned"], Value::Null, "{rel}: base_url's script ran");
        assert_eq!(seen["styled"], Value::Bool(true), "{rel}: base_url's style applied");
        for request in page.take_journal().requests {
            assert!(!request.starts_with(&evil.origin()), "{rel}: asked base_url for {request}");
        }
    }
    assert!(evil.served().is_empty(), "base_url's server was asked for {:?}", evil.served());
    assert!(
        site.served().iter().any(|t| t == "/pm/assets/site.js"),
        "the page loaded its own script: {:?}",
        site.served()
    );
}

/// The checks can fail: a page with one live payload of each kind is reported for each.
#[test]
fn the_checks_catch_live_payloads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><title>t</title>\
         <img src=\"missing.png\" onerror=\"window.__pm_pwned='img';alert('img')\">\
         <script>document.documentElement.dataset.pwned = 'inline'; null.boom;</script>\
         <img src=\"http://evil.example/pixel.png\">\
         <a href=\"javascript:void 0\">js</a>\
         <p onmouseover=\"confirm('hover')\">hover me</p>\
         <iframe srcdoc=\"hi\"></iframe>",
    )
    .expect("write the page");
    let browser = Browser::launch();
    let page = browser.page();
    let origin = Origin {
        label: "file",
        roots: vec![format!("{}/", file_url(&dir))],
        missing_in: Some(&dir),
    };
    let mut problems = Vec::new();
    check_page(&page, &origin, "index.html", &file_url(&dir.join("index.html")), &mut problems);

    // Search data files that break out of their call, or name another key.
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("search/t")).expect("mkdir");
    std::fs::write(data.join("index.html"), "<!DOCTYPE html><title>data</title>").expect("write");
    std::fs::write(
        data.join("search/manifest.js"),
        "pmSearchData(\"manifest\",{\"v\":\"\"});window.__pm_pwned='data';\n",
    )
    .expect("write");
    std::fs::write(data.join("search/t/000.js"), "pmSearchData(\"t/001\",{});\n").expect("write");
    let origin = Origin {
        label: "file",
        roots: vec![format!("{}/", file_url(&data))],
        missing_in: Some(&data),
    };
    check_search_data(&page, &data, &origin, &mut problems);

    let all = problems.join("\n");
    for expected in [
        "a payload ran: window.__pm_pwned = \"img\"",
        "a payload ran: <html data-pwned> = \"inline\"",
        "a dialog opened: alert(\"img\")",
        "a dialog opened: confirm(\"hover\")",
        "uncaught exception: TypeError",
        "a request left the site: http://evil.example/pixel.png",
        "would load http://evil.example/pixel.png",
        "fetched (resource timing) http://evil.example/pixel.png",
        "a request for a file the site does not have: ",
        "event handler attribute onerror",
        "a link with the scheme javascript:",
        "an inline script",
        "a <iframe> element",
        "search data files: a payload ran: window.__pm_pwned = \"data\"",
        "search/t/000.js called pmSearchData with",
    ] {
        assert!(all.contains(expected), "not reported: {expected}\nreported:\n{all}");
    }
}

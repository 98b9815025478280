//! A headless Chromium for tests, driven over the DevTools protocol with `headless_chrome`.
//!
//! It launches Debian's Chromium (`/usr/bin/chromium`, or `$PM_CHROMIUM`) with a fresh profile
//! and no background traffic, and gives tests a [`Page`]: open a URL, wait for a selector or a
//! JavaScript condition, type, press keys, evaluate JavaScript, read the URL. Everything the
//! page does that a test may want to forbid is written down in its [`Journal`]: every network
//! request it attempts (`Network.requestWillBeSent`, so a request counts even when it fails),
//! every JavaScript dialog (`Page.javascriptDialogOpening`; the dialog is dismissed so the page
//! goes on), uncaught exceptions and console errors.
//!
//! Host names other than 127.0.0.1 resolve to nothing (`--host-resolver-rules`), so a request
//! to the outside is recorded as attempted but never reaches the network: the tests stay
//! hermetic even when the product under test misbehaves.
//!
//! A missing Chromium is a test failure that says how to install it, never a silent skip.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Network, Page as Cdp, Runtime};
use headless_chrome::{LaunchOptions, Tab};
use serde_json::Value;

/// How long a wait may take before the test fails. Generous: CI machines are small and shared.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The command-line switches, on top of `headless_chrome`'s own defaults (which already include
/// `--headless`, `--disable-background-networking`, `--no-first-run`, `--disable-sync`).
const SWITCHES: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/// A running Chromium; killed (and its profile removed) when dropped.
pub struct Browser {
    /// `None` once dropped: the process must be gone before its profile folder is removed.
    inner: Option<headless_chrome::Browser>,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        drop(self.inner.take());
        // Chromium's helper processes outlive the main one by a moment and may still write
        // into the profile: retry the removal for a while (TempDir's own, after this, is a
        // last attempt whose failure it ignores).
        for _ in 0..40 {
            match std::fs::remove_dir_all(self.profile.path()) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => break,
            }
        }
    }
}

/// What a page did, in order.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// Every URL the page (or its subresources) asked for, the navigation itself included.
    pub requests: Vec<String>,
    /// Every `alert`, `confirm`, `prompt` or `beforeunload` dialog that opened.
    pub dialogs: Vec<Dialog>,
    /// Uncaught exceptions and unhandled rejections.
    pub exceptions: Vec<String>,
    /// `console.error` calls and error entries of the browser log (failed loads among them).
    pub console_errors: Vec<String>,
}

/// A JavaScript dialog the page opened.
#[derive(Debug, Clone)]
pub struct Dialog {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    pub kind: String,
    /// The text it showed.
    pub message: String,
    /// The URL of the document that opened it.
    pub url: String,
}

/// The path of the Chromium binary: `$PM_CHROMIUM`, else Debian's.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("PM_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), Into::into)
}

impl Browser {
    /// Launches Chromium headless; panics (fails the test) when it is missing or does not
    /// start, saying how to install it.
    pub fn launch() -> Self {
        let path = chromium_path();
        assert!(
            path.is_file(),
            "Chromium not found at {}: the browser tests need it. Install it with \
             `apt-get install -y chromium chromium-driver` (Debian), or point PM_CHROMIUM at a \
             Chromium binary.",
            path.display()
        );
        let profile = tempfile::Builder::new()
            .prefix("pm-chromium-profile-")
            .tempdir()
            .expect("create a Chromium profile folder");
        let options = LaunchOptions {
            headless: true,
            sandbox: false,
            enable_gpu: false,
            path: Some(path.clone()),
            user_data_dir: Some(profile.path().to_path_buf()),
            window_size: Some((1280, 1000)),
            args: SWITCHES.iter().map(OsStr::new).collect(),
            // Debian's wrapper starts a crash handler that writes under $HOME/.config: keep
            // that inside the temporary profile too.
            process_envs: Some(
                ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"]
                    .into_iter()
                    .map(|k| (k.to_owned(), profile.path().display().to_string()))
                    .collect(),
            ),
            // The connection closes after this long without an event: far beyond any wait.
            idle_browser_timeout: Duration::from_secs(600),
            ..LaunchOptions::default()
        };
        let inner = headless_chrome::Browser::new(options).unwrap_or_else(|e| {
            panic!(
                "Chromium at {} did not start: {e:#}. Install it with \
                 `apt-get install -y chromium chromium-driver`, or set PM_CHROMIUM.",
                path.display()
            )
        });
        Self { inner: Some(inner), profile }
    }

    /// Opens a new tab that records what it does.
    pub fn page(&self) -> Page {
        let browser = self.inner.as_ref().expect("a running browser");
        let tab = browser.new_tab().expect("open a tab");
        Page::attach(tab)
    }
}

/// One tab.
pub struct Page {
    tab: Arc<Tab>,
    journal: Arc<Mutex<Journal>>,
    /// How many times the main frame fired its `load` event: a navigation is over when this
    /// moves. Waiting on it costs no round trip to the browser (each costs ~100 ms with
    /// `headless_chrome`'s transport).
    loads: Arc<AtomicU64>,
}

impl Page {
    fn attach(tab: Arc<Tab>) -> Self {
        let journal = Arc::new(Mutex::new(Journal::default()));
        let record = Arc::clone(&journal);
        let loads = Arc::new(AtomicU64::new(0));
        let count_loads = Arc::clone(&loads);
        // The dialog handle talks to the tab's session directly, so the listener can dismiss
        // a dialog without holding the tab (which owns the listener).
        let dialog = tab.get_dialog();
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::PageLoadEventFired(_) = event {
                count_loads.fetch_add(1, Ordering::SeqCst);
                return;
            }
            let mut journal = record.lock().expect("journal");
            match event {
                Event::NetworkRequestWillBeSent(e) => {
                    journal.requests.push(e.params.request.url.clone());
                }
                Event::PageJavascriptDialogOpening(e) => {
                    journal.dialogs.push(Dialog {
                        kind: enum_name(&e.params.Type),
                        message: e.params.message.clone(),
                        url: e.params.url.clone(),
                    });
                    drop(journal);
                    // A dialog blocks the page's script until it is closed.
                    let _ = dialog.dismiss();
                }
                Event::RuntimeExceptionThrown(e) => {
                    let d = &e.params.exception_details;
                    let what = d
                        .exception
                        .as_ref()
                        .and_then(|x| x.description.clone())
                        .unwrap_or_else(|| d.text.clone());
                    let at = d.url.clone().unwrap_or_default();
                    journal
                        .exceptions
                        .push(format!("{what} (at {at}:{}:{})", d.line_number, d.column_number));
                }
                Event::RuntimeConsoleAPICalled(e)
                    if matches!(
                        e.params.Type,
                        Runtime::ConsoleAPICalledEventTypeOption::Error
                            | Runtime::ConsoleAPICalledEventTypeOption::Assert
                    ) =>
                {
                    let text: Vec<String> = e.params.args.iter().map(remote_text).collect();
                    journal.console_errors.push(format!("console.error: {}", text.join(" ")));
                }
                Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => {
                    let entry = &e.params.entry;
                    journal.console_errors.push(format!(
                        "{}: {} ({})",
                        enum_name(&entry.source),
                        entry.text,
                        entry.url.clone().unwrap_or_default()
                    ));
                }
                _ => {}
            }
        }))
        .expect("listen to the tab's events");
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .expect("enable the Network domain");
        tab.enable_runtime().expect("enable the Runtime domain");
        tab.enable_log().expect("enable the Log domain");
        Self { tab, journal, loads }
    }

    /// Navigates to `url` (file:// or http) and waits until the new document has loaded.
    pub fn open(&self, url: &str) {
        self.navigating(&format!("{url} to load"), |page| {
            let navigated = page
                .tab
                .call_method(Cdp::Navigate {
                    url: url.to_owned(),
                    referrer: None,
                    transition_Type: None,
                    frame_id: None,
                    referrer_policy: None,
                })
                .unwrap_or_else(|e| panic!("navigate to {url}: {e:#}"));
            if let Some(error) = navigated.error_text {
                panic!("navigate to {url}: {error}");
            }
        });
    }

    /// Reloads the current page and waits for it.
    pub fn reload(&self) {
        self.navigating("the page to reload", |page| {
            page.tab
                .call_method(Cdp::Reload {
                    ignore_cache: Some(true),
                    script_to_evaluate_on_load: None,
                    loader_id: None,
                })
                .expect("reload");
        });
    }

    /// Runs `action` (a navigation, or a click or key press that starts one) and waits until
    /// the next document has fired its `load` event.
    pub fn navigating(&self, what: &str, action: impl FnOnce(&Self)) {
        let before = self.loads.load(Ordering::SeqCst);
        action(self);
        let start = Instant::now();
        while self.loads.load(Ordering::SeqCst) == before {
            if start.elapsed() > TIMEOUT {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what}: no load event\n\
                     at {}\njournal: {:#?}",
                    self.url(),
                    self.journal()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Evaluates `expression` in the page (promises awaited) and returns its JSON value
    /// (`Null` for `undefined`); panics when it throws.
    pub fn eval(&self, expression: &str) -> Value {
        self.try_eval(expression).unwrap_or_else(|e| panic!("{e}\nin: {expression}"))
    }

    /// [`Page::eval`] that reports a thrown exception (or a page in between documents) as an
    /// error instead of failing.
    pub fn try_eval(&self, expression: &str) -> Result<Value, String> {
        let result = self
            .tab
            .call_method(Runtime::Evaluate {
                expression: expression.to_owned(),
                object_group: None,
                include_command_line_api: Some(false),
                silent: Some(true),
                context_id: None,
                return_by_value: Some(true),
                generate_preview: Some(false),
                user_gesture: Some(false),
                await_promise: Some(true),
                throw_on_side_effect: None,
                timeout: None,
                disable_breaks: None,
                repl_mode: None,
                allow_unsafe_eval_blocked_by_csp: None,
                unique_context_id: None,
                serialization_options: None,
            })
            .map_err(|e| format!("evaluate failed: {e:#}"))?;
        if let Some(details) = result.exception_details {
            let what = details.exception.and_then(|x| x.description).unwrap_or(details.text);
            return Err(format!("the expression threw: {what}"));
        }
        Ok(result.result.value.unwrap_or(Value::Null))
    }

    /// Waits until the JavaScript `condition` is truthy; `what` names it in the failure.
    pub fn wait_until(&self, condition: &str, what: &str) {
        self.wait_until_for(condition, what, TIMEOUT);
    }

    /// [`Page::wait_until`] with its own timeout.
    pub fn wait_until_for(&self, condition: &str, what: &str, timeout: Duration) {
        let expression = format!("!!({condition})");
        let start = Instant::now();
        loop {
            let last = match self.try_eval(&expression) {
                Ok(Value::Bool(true)) => return,
                Ok(other) => format!("the condition is {other}"),
                Err(e) => e,
            };
            if start.elapsed() > timeout {
                panic!(
                    "timed out after {timeout:?} waiting for {what} ({condition}): {last}\n\
                     at {}\njournal: {:#?}",
                    self.url(),
                    self.journal()
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Waits until `selector` matches an element.
    pub fn wait_for(&self, selector: &str) {
        self.wait_until(
            &format!("document.querySelector({})", js_string(selector)),
            &format!("an element {selector}"),
        );
    }

    /// Focuses the element `selector` and types `text` into it with real key events.
    pub fn type_into(&self, selector: &str, text: &str) {
        self.wait_for(selector);
        self.eval(&format!("document.querySelector({}).focus()", js_string(selector)));
        self.type_text(text);
    }

    /// Types `text` into whatever has the focus, one key event per character.
    pub fn type_text(&self, text: &str) {
        self.tab.type_str(text).unwrap_or_else(|e| panic!("type {text:?}: {e:#}"));
    }

    /// Inserts `text` into whatever has the focus in one go, as a paste or an input method
    /// would: one `input` event, no key events. One round trip instead of two per character.
    pub fn insert_text(&self, text: &str) {
        self.tab.send_character(text).unwrap_or_else(|e| panic!("insert {text:?}: {e:#}"));
    }

    /// Presses one key (`"Enter"`, `"ArrowDown"`, `"/"`, …: the names of the US layout).
    pub fn press(&self, key: &str) {
        self.tab.press_key(key).unwrap_or_else(|e| panic!("press {key}: {e:#}"));
    }

    /// Clicks the element `selector` with the mouse (scrolled into view first).
    pub fn click(&self, selector: &str) {
        self.wait_for(selector);
        let element = self.tab.find_element(selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
        element.click().unwrap_or_else(|e| panic!("click {selector}: {e:#}"));
    }

    /// The current document's URL.
    pub fn url(&self) -> String {
        match self.try_eval("location.href") {
            Ok(Value::String(url)) => url,
            _ => self.tab.get_url(),
        }
    }

    /// A copy of everything recorded so far.
    pub fn journal(&self) -> Journal {
        self.journal.lock().expect("journal").clone()
    }

    /// Everything recorded so far, and a fresh start.
    pub fn take_journal(&self) -> Journal {
        std::mem::take(&mut *self.journal.lock().expect("journal"))
    }
}

/// A string as a JavaScript literal.
pub fn js_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// The protocol name of a CDP enum value (`alert`, `network`, …).
fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn remote_text(object: &Runtime::RemoteObject) -> String {
    match &object.value {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => object.description.clone().unwrap_or_default(),
    }
}

//! End-to-end tests of the follow-through commands that a snapshot cannot express:
//!
//! - `pm timeline import --into` changes only the Timeline section, byte for byte, writes
//!   through a temporary file and a rename (a new inode, no leftovers, permissions kept),
//!   refuses a symbolic link (never written through), refuses a file without a Timeline section, and adds nothing twice;
//! - imported lines read back through `pm export --what timeline` at the instants Slack gave;
//! - `pm export` output validates against the published `schema/export.schema.json` in every
//!   format, and CSV columns are the schema's properties in order;
//! - a file that is not a readable postmortem is reported, not silently dropped.
//!
//! The trycmd cases in `tests/cmd/{actions,gate,export,timeline}` pin the exact output, and
//! `docs_transcripts_are_real` keeps the transcripts of docs/followup.md current (rewrite them
//! with `PM_BLESS=1 cargo test --test it followup::docs`).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::fs::{crate_path, crate_root};
use crate::support::run::pm;

const SLACK: &str = "tests/fixtures/slack-export";
const CHANNEL: &str = "inc-2026-0013-zone-b";
const FIXTURE: &str = "tests/fixtures/followup";
/// A repository with a `[completion]` policy; its judgements are computed in its README.md.
const COMPLETION: &str = "tests/fixtures/completion-site";
const POSTMORTEM: &str =
    "tests/fixtures/followup/postmortems/2026/INC-2026-0001-checkout-timeouts.md";

/// Runs `pm ARGS` from the crate root.
fn run(args: &[&str]) -> Output {
    pm(args).current_dir(crate_root()).output().expect("run pm")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

/// A temporary folder holding a copy of the fixture postmortem, with its path.
fn copy_of(source: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    written(name, &std::fs::read(crate_path(source)).expect("read fixture"))
}

/// A temporary folder holding a file `name` of `bytes`, with its path.
fn written(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    (dir, path)
}

fn import_into(file: &Path, extra: &[&str]) -> Output {
    let file = file.to_str().expect("UTF-8 path");
    let mut args =
        vec!["timeline", "import", "--root", FIXTURE, "--slack", SLACK, "--channel", CHANNEL];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--into", file]);
    run(&args)
}

const WINDOW: [&str; 4] = ["--from", "2026-06-16T08:40:00Z", "--to", "2026-06-16T09:30:00Z"];

#[test]
fn into_inserts_under_the_timeline_and_touches_nothing_else() {
    let (_dir, file) = copy_of(POSTMORTEM, "pm.md");
    let before = std::fs::read_to_string(&file).expect("read");
    let printed = run(&[
        &["timeline", "import", "--root", FIXTURE, "--slack", SLACK, "--channel", CHANNEL][..],
        &WINDOW[..],
    ]
    .concat());
    assert!(printed.status.success(), "{}", stderr(&printed));
    let lines = stdout(&printed);
    assert!(lines.lines().count() > 5, "the window should hold several lines:\n{lines}");

    let out = import_into(&file, &WINDOW);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("added 7 entries to the Timeline of"), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).expect("read");

    // The insertion point: right after the Timeline's last entry, before the next section.
    let anchor = "- 11:05 — Resolved.";
    let at = before.find(anchor).expect("last timeline entry") + anchor.len();
    assert_eq!(&after[..at], &before[..at], "everything before the insertion is unchanged");
    assert!(after.ends_with(&before[at..]), "everything after the insertion is unchanged");
    let inserted = &after[at..after.len() - (before.len() - at)];
    // Exactly the printed lines, continuing the existing list.
    assert_eq!(inserted, format!("\n{}", lines.trim_end_matches('\n')));
    assert!(
        after[at..].contains("\n\n## Contributing Factors"),
        "the next section keeps its blank line"
    );
}

#[cfg(unix)]
#[test]
fn into_writes_atomically_through_a_temporary_file() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let (dir, file) = copy_of(POSTMORTEM, "target.md");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let inode_before = std::fs::metadata(&file).expect("meta").ino();

    let out = import_into(&file, &WINDOW);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let meta = std::fs::metadata(&file).expect("meta");
    assert_ne!(
        meta.ino(),
        inode_before,
        "the file was replaced by a rename, not rewritten in place"
    );
    assert_eq!(meta.permissions().mode() & 0o777, 0o640, "permissions are kept");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("- 16 Jun 10:45 CEST — AO: Ack. Declaring SEV1"), "imported:\n{text}");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["target.md"], "no temporary file is left behind");
}

/// `--into` a symbolic link is refused (exit 2), whether the link points at a postmortem or
/// dangles: pm never writes through a link, so a link planted in a repository cannot redirect
/// an import to a file elsewhere. The link and its target are left as they were.
#[cfg(unix)]
#[test]
fn into_refuses_a_symbolic_link() {
    let (dir, file) = copy_of(POSTMORTEM, "target.md");
    let before = std::fs::read(&file).expect("read");
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&file, &link).expect("symlink");
    let out = import_into(&link, &WINDOW);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("it is a symbolic link"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).expect("read"), before, "the target is untouched");
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["link.md", "target.md"], "nothing else is written");
}

#[test]
fn into_is_idempotent() {
    let (_dir, file) = copy_of(POSTMORTEM, "pm.md");
    assert!(import_into(&file, &WINDOW).status.success());
    let once = std::fs::read(&file).expect("read");
    let again = import_into(&file, &WINDOW);
    assert!(again.status.success());
    assert!(stderr(&again).contains("added 0 entries to the Timeline of"), "{}", stderr(&again));
    assert!(stderr(&again).contains("7 entries already there"), "{}", stderr(&again));
    assert_eq!(std::fs::read(&file).expect("read"), once, "a second import changes nothing");
}

#[test]
fn into_refuses_a_file_without_a_timeline() {
    let text = "---\nid: INC-1\n---\n# Notes\n\n## Summary\n\nNo timeline here.\n";
    let (_dir, file) = written("notes.md", text.as_bytes());
    let out = import_into(&file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("has no Timeline section"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text, "the file is untouched");
}

#[test]
fn into_keeps_crlf_line_endings() {
    let text = "---\r\nid: INC-1\r\n---\r\n## Timeline\r\n\r\nAll times CEST.\r\n\r\n## Resolution\r\n\r\nDone.";
    let (_dir, file) = written("crlf.md", text.as_bytes());
    let out = import_into(&file, &WINDOW);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).expect("read");
    assert!(after.starts_with("---\r\nid: INC-1\r\n---\r\n## Timeline\r\n\r\nAll times CEST.\r\n\r\n- 16 Jun 10:45 CEST — AO: "), "{after}");
    assert!(after.ends_with("\r\n\r\n## Resolution\r\n\r\nDone."), "{after}");
    assert!(!after.replace("\r\n", "").contains('\n'), "every inserted line ends with CRLF");
}

/// A repository (Berlin time) holding a copy of the fixture postmortem, with the copy's path.
fn repo_of_the_fixture() -> (tempfile::TempDir, PathBuf) {
    let (dir, file) = copy_of(POSTMORTEM, "INC-2026-0001-checkout-timeouts.md");
    std::fs::create_dir(dir.path().join("postmortems")).expect("mkdir");
    let moved = dir.path().join("postmortems").join("INC-2026-0001-checkout-timeouts.md");
    std::fs::rename(&file, &moved).expect("move");
    std::fs::write(dir.path().join("pm.toml"), "timezone = \"Europe/Berlin\"\n").expect("pm.toml");
    (dir, moved)
}

/// Imports the fixture channel (with `extra` arguments) into the repository's postmortem, then
/// reads its timeline back with `pm export --what timeline`: each entry's text, instant and depth.
fn import_and_export(root: &Path, file: &Path, extra: &[&str]) -> Vec<(String, String, u64)> {
    let root_arg = root.to_str().expect("UTF-8");
    let file_arg = file.to_str().expect("UTF-8");
    let args = [
        &["timeline", "import", "--root", root_arg, "--slack", SLACK, "--channel", CHANNEL][..],
        extra,
        &["--into", file_arg][..],
    ]
    .concat();
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let export =
        run(&["export", "--root", root_arg, "--today", "2026-07-01", "--what", "timeline"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let json: Value = serde_json::from_str(&stdout(&export)).expect("JSON");
    json["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| {
            let text = e["text"].as_str().unwrap_or("").to_owned();
            (text, e["at"].as_str().unwrap_or("null").to_owned(), e["depth"].as_u64().unwrap_or(0))
        })
        .collect()
}

/// The instants of the entries whose text contains `text`.
fn instants<'e>(entries: &'e [(String, String, u64)], text: &str) -> Vec<&'e str> {
    entries.iter().filter(|e| e.0.contains(text)).map(|e| e.1.as_str()).collect()
}

#[test]
fn imported_lines_read_back_at_slack_instants() {
    let (dir, file) = repo_of_the_fixture();
    let entries = import_and_export(dir.path(), &file, &[]);
    let at = |text: &str| instants(&entries, text);
    // The postmortem's own entries keep their meaning…
    assert_eq!(at("The pool change is deployed."), ["2026-03-02T08:10:00Z"]);
    // …and the imported ones land at Slack's instants, across days and in threads.
    assert_eq!(at("Ack. Declaring SEV1"), ["2026-06-16T08:45:00Z"]);
    assert_eq!(at("provider's RCA is expected"), ["2026-06-17T07:10:00Z"]);
    assert_eq!(at("Night handover"), ["2026-06-16T22:30:00Z"]);
    assert_eq!(at("Thanks all"), ["2026-06-19T09:00:00Z"]);
    let reply = entries.iter().find(|e| e.0.contains("orders-db failed over")).expect("reply");
    assert_eq!(reply.2, 1, "thread replies are nested");
}

/// A one-day window imported into a postmortem of another date: the lines read back on the
/// messages' own day (not the postmortem's), in order, so `pm check` finds nothing out of order.
#[test]
fn a_one_day_window_into_another_date_reads_back_on_its_day() {
    let (dir, file) = repo_of_the_fixture();
    let entries = import_and_export(dir.path(), &file, &WINDOW);
    let at = |text: &str| instants(&entries, text);
    assert_eq!(at("The pool change is deployed."), ["2026-03-02T08:10:00Z"]);
    assert_eq!(at("Ack. Declaring SEV1"), ["2026-06-16T08:45:00Z"]);
    assert_eq!(at("Checkout back at full capacity"), ["2026-06-16T09:28:00Z"]);

    let root_arg = dir.path().to_str().expect("UTF-8");
    let check = run(&["check", "--root", root_arg, "--today", "2026-07-01", "--format", "concise"]);
    assert!(!stdout(&check).contains("PM402"), "{}", stdout(&check));
}

/// `--slack` takes the export's zip as Slack hands it out: the same lines as its folder, the
/// same warnings (named inside the zip), nothing unpacked next to it.
#[test]
fn a_zipped_export_imports_like_its_folder() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let zip_path = dir.path().join("slack-export.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in crate::support::fs::files(&crate_path(SLACK)) {
        zip.start_file(name, options).expect("entry");
        zip.write_all(&bytes).expect("write");
    }
    zip.finish().expect("finish");

    let zip_arg = zip_path.to_str().expect("UTF-8");
    let from_folder = run(&[
        &["timeline", "import", "--root", FIXTURE, "--slack", SLACK, "--channel", CHANNEL][..],
        &WINDOW[..],
    ]
    .concat());
    let from_zip =
        run(
            &[
                &[
                    "timeline",
                    "import",
                    "--root",
                    FIXTURE,
                    "--slack",
                    zip_arg,
                    "--channel",
                    CHANNEL,
                ][..],
                &WINDOW[..],
            ]
            .concat(),
        );
    assert_eq!(from_zip.status.code(), Some(0), "{}", stderr(&from_zip));
    assert_eq!(stdout(&from_zip), stdout(&from_folder));
    assert!(
        stderr(&from_zip).contains(&format!("{zip_arg}/inc-2026-0013-zone-b/2026-06-17.json")),
        "{}",
        stderr(&from_zip)
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["slack-export.zip"], "nothing is unpacked");
}

#[test]
fn a_damaged_day_file_is_reported_and_the_rest_imported() {
    let out =
        run(&["timeline", "import", "--root", FIXTURE, "--slack", SLACK, "--channel", CHANNEL]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("warning: skipped tests/fixtures/slack-export/inc-2026-0013-zone-b/2026-06-18.json: not valid JSON"), "{err}");
    let text = stdout(&out);
    assert!(
        text.contains("Node pools now accept") && text.contains("19 Jun 11:00 CEST"),
        "days around it are imported:\n{text}"
    );
    for dropped in [
        "Triggered",
        "has joined",
        "set the channel topic",
        "Reminder:",
        "pinned",
        "This message was deleted",
        "PLAT-3307 created",
    ] {
        assert!(!text.contains(dropped), "`{dropped}` should be dropped:\n{text}");
    }
}

fn export_schema() -> Value {
    serde_json::from_str(include_str!("../../schema/export.schema.json")).expect("schema is JSON")
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("valid JSON Schema")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match schema/export.schema.json:\n{}",
        errors.join("\n")
    );
}

/// The schema with its root replaced by a reference to one record definition.
fn record_schema(def: &str) -> Value {
    let mut schema = export_schema();
    let defs = schema["$defs"].clone();
    schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{def}"),
        "$defs": defs,
    });
    schema
}

#[test]
fn export_matches_the_published_schema_in_every_format() {
    // The drift fixture has a ticket cache: its records carry the tracker's word.
    let with_cache = "tests/fixtures/rules/action-item-drift";
    for root in [FIXTURE, "examples/demo", with_cache, COMPLETION] {
        let out = run(&["export", "--root", root, "--today", "2026-03-16"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_valid(&validator(&export_schema()), &json, &format!("`pm export` of {root}"));
        assert!(!json["postmortems"].as_array().expect("array").is_empty());
        if root == with_cache {
            let items = json["action_items"].as_array().expect("items");
            let synced = items.iter().filter(|i| i["ticket_synced"] == "2026-05-31").count();
            assert_eq!(synced, 10, "every item whose ticket is in the cache: {items:#?}");
            assert!(items.iter().any(|i| i["drift"] == serde_json::json!(["ticket-done"])));
            continue;
        }
        assert!(!json["timeline"].as_array().expect("array").is_empty());

        for (what, def) in [
            ("postmortems", "postmortem"),
            ("action-items", "action_item"),
            ("timeline", "timeline_entry"),
        ] {
            let schema = record_schema(def);
            let v = validator(&schema);
            let out = run(&[
                "export",
                "--root",
                root,
                "--today",
                "2026-03-16",
                "-f",
                "ndjson",
                "--what",
                what,
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            let text = stdout(&out);
            let records = text.lines().count();
            assert!(records > 0, "ndjson of {what} is empty");
            for line in text.lines() {
                let record: Value = serde_json::from_str(line).expect("one JSON record per line");
                assert_valid(&v, &record, &format!("an ndjson {what} record of {root}"));
            }

            // CSV columns are the record's properties, in the schema's order.
            let out = run(&[
                "export",
                "--root",
                root,
                "--today",
                "2026-03-16",
                "-f",
                "csv",
                "--what",
                what,
            ]);
            let text = stdout(&out);
            let header = text.lines().next().expect("header");
            let properties: Vec<&str> = schema["$defs"][def]["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(header.split(',').collect::<Vec<_>>(), properties, "CSV header of {what}");
            let rows = csv::Reader::from_reader(text.as_bytes())
                .records()
                .collect::<Result<Vec<_>, _>>()
                .expect("CSV parses")
                .len();
            assert_eq!(rows, records, "one CSV row per record of {what}");
        }
    }
}

#[test]
fn export_records_carry_the_completion_judgement() {
    let out =
        run(&["export", "--root", COMPLETION, "--today", "2026-11-25", "--what", "postmortems"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let by_id: std::collections::BTreeMap<&str, &Value> = json["postmortems"]
        .as_array()
        .expect("postmortems")
        .iter()
        .map(|p| (p["id"].as_str().expect("id"), &p["completion"]))
        .collect();
    let unmet = |id: &str| -> Vec<&str> {
        by_id[id]["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .filter(|c| c["met"] == false)
            .map(|c| c["id"].as_str().expect("criterion id"))
            .collect()
    };
    let summary = |id: &str| {
        let c = by_id[id];
        (
            c["complete"].as_bool().expect("complete"),
            c["score"].as_u64().expect("score"),
            c["completed_on"].as_str(),
            c["on_time"].as_bool(),
            c["approvals_missing"].as_u64().expect("approvals_missing"),
            c["applies"].as_bool().expect("applies"),
        )
    };
    // Complete by the due date; complete after it (though published before it); complete with
    // an asynchronous review.
    assert_eq!(summary("INC-2026-0001"), (true, 100, Some("2026-02-12"), Some(true), 0, true));
    assert_eq!(summary("INC-2026-0002"), (true, 100, Some("2026-03-18"), Some(false), 0, true));
    assert_eq!(summary("INC-2026-0005"), (true, 100, Some("2026-04-05"), Some(true), 0, true));
    assert_eq!(summary("INC-2026-0003"), (false, 85, None, None, 1, true));
    assert_eq!(unmet("INC-2026-0003"), ["approvals"]);
    assert_eq!(summary("INC-2026-0004"), (false, 42, None, None, 1, true));
    assert_eq!(
        unmet("INC-2026-0004"),
        ["sections", "approvals", "review", "checklist:customers-told"]
    );
    // Judged, but before completion.since: not held to the policy.
    assert_eq!(summary("INC-2025-0099"), (false, 57, None, None, 1, false));
    let ids: Vec<&str> = by_id["INC-2026-0001"]["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "sections",
            "timeline",
            "action-items",
            "tickets",
            "approvals",
            "review",
            "checklist:customers-told"
        ]
    );
}

#[test]
fn reports_parse_as_their_formats() {
    let json = run(&[
        "actions",
        "--root",
        FIXTURE,
        "--today",
        "2026-03-16",
        "-f",
        "json",
        "--status",
        "open",
        "--status",
        "in-progress",
        "--status",
        "done",
        "--status",
        "wont-do",
    ]);
    let value: Value = serde_json::from_str(&stdout(&json)).expect("actions JSON parses");
    let items = value["items"].as_array().expect("items");
    assert_eq!(items.len(), 11);
    assert_eq!(value["summary"]["overdue"], 5);
    assert!(
        items
            .iter()
            .any(|i| i["title"]
                == "Runbook for pool exhaustion | with a \"quoted\" step, and a comma")
    );
    // Overdue first, most overdue first, then by due date, undated last.
    let overdue: Vec<bool> = items.iter().map(|i| i["overdue"] == true).collect();
    assert!(overdue.windows(2).all(|w| w[0] >= w[1]), "overdue items come first");
    assert!(items.last().is_some_and(|i| i["due"].is_null()), "undated items come last");

    let csv_out = run(&["actions", "--root", FIXTURE, "--today", "2026-03-16", "-f", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let titles: Vec<String> = reader.records().map(|r| r.expect("row")[8].to_owned()).collect();
    assert!(
        titles.contains(
            &"Runbook for pool exhaustion | with a \"quoted\" step, and a comma".to_owned()
        ),
        "{titles:?}"
    );

    let gate = run(&[
        "gate",
        "--root",
        FIXTURE,
        "--today",
        "2026-03-16",
        "--team",
        "payments",
        "-f",
        "json",
    ]);
    assert_eq!(gate.status.code(), Some(1));
    let verdict: Value = serde_json::from_str(&stdout(&gate)).expect("gate JSON parses");
    assert_eq!(verdict["blocked"], true);
}

#[test]
fn unreadable_files_are_reported_not_dropped_silently() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("postmortems")).expect("mkdir");
    std::fs::copy(crate_path(FIXTURE).join("pm.toml"), root.join("pm.toml")).expect("pm.toml");
    std::fs::copy(crate_path(POSTMORTEM), root.join("postmortems/INC-2026-0001.md")).expect("copy");
    std::fs::write(root.join("postmortems/broken.md"), "no front matter at all\n").expect("write");
    let root_arg = root.to_str().expect("UTF-8");
    for args in [
        vec!["actions", "--root", root_arg, "--today", "2026-03-16"],
        vec!["export", "--root", root_arg, "--today", "2026-03-16"],
        vec!["gate", "--root", root_arg, "--today", "2026-03-16", "--team", "payments"],
    ] {
        let out = run(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        assert!(
            stderr(&out)
                .contains("warning: skipped postmortems/broken.md: not a readable postmortem"),
            "`pm {}` should name the unreadable file: {}",
            args[0],
            stderr(&out)
        );
        assert!(stdout(&out).contains("INC-2026-0001"), "the rest is still reported");
    }
}

#[test]
fn docs_transcripts_are_real() {
    let doc = std::fs::read_to_string(crate_path("docs/followup.md")).expect("docs/followup.md");
    let blocks = crate::support::docs::console_blocks(&doc);
    assert!(blocks.len() >= 5, "docs/followup.md should show every command");
    crate::support::docs::check_transcripts("docs/followup.md", |_| true);
}

/// The Slack message `out` printed, after checking that Slack would take it: at most 50
/// blocks, a header first of at most 150 characters, every section's text at most 3,000
/// (UTF-16 units, never fewer than characters) and every mrkdwn text `verbatim`.
fn slack_within_limits(out: &Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    let slack: Value = serde_json::from_str(&stdout(out)).expect("JSON");
    let blocks = slack["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    assert_eq!(blocks[0]["type"], "header");
    assert!(blocks[0]["text"]["text"].as_str().expect("header").chars().count() <= 150);
    for b in blocks.iter().filter(|b| b["type"] == "section") {
        let text = b["text"]["text"].as_str().expect("text");
        let length = text.encode_utf16().count();
        assert!(length <= 3000, "{length} characters");
        assert_eq!(b["text"]["verbatim"], true, "{b}");
    }
    slack
}

/// The Teams message `out` printed, after checking that Teams would take it: at most 28 KB, a
/// message carrying one Adaptive Card.
fn teams_within_limits(out: &Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    assert!(out.stdout.len() <= 28 * 1024, "{} bytes", out.stdout.len());
    let teams: Value = serde_json::from_str(&stdout(out)).expect("JSON");
    assert_eq!(teams["type"], "message");
    let card = &teams["attachments"][0];
    assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    assert!(card["content"]["version"].is_string() && card["content"]["body"].is_array());
    teams
}

/// Every mrkdwn text of a Slack message, the top-level text included (Slack reads it as mrkdwn).
fn slack_texts(slack: &Value) -> Vec<String> {
    let mut texts = Vec::new();
    for b in slack["blocks"].as_array().expect("blocks") {
        match b["type"].as_str() {
            Some("section") => texts.extend(b["text"]["text"].as_str().map(str::to_owned)),
            Some("context") => {
                let elements = b["elements"].as_array().expect("elements");
                texts.extend(elements.iter().filter_map(|e| e["text"].as_str().map(str::to_owned)));
            }
            _ => {}
        }
    }
    texts.extend(slack["text"].as_str().map(str::to_owned));
    texts
}

/// The texts of every `TextBlock` of a Teams card: Teams reads them as markdown, so no user
/// text may be among them.
fn teams_text_blocks(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(o) => {
            if o.get("type").and_then(Value::as_str) == Some("TextBlock") {
                out.extend(o.get("text").and_then(Value::as_str).map(str::to_owned));
            }
            o.values().for_each(|v| teams_text_blocks(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| teams_text_blocks(v, out)),
        _ => {}
    }
}

/// The teams registry of the generated chat repositories.
const OPS: &str = "[teams.ops]\nmembers = [\"ann\", \"bob\"]\n";

/// A temporary repository of `pm_toml` and postmortems, each written from the front matter
/// `fronts` gives (by number) with a one-line Summary, as `postmortems/INC-2026-NNNN-x.md`.
fn generated(pm_toml: &str, fronts: impl IntoIterator<Item = String>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("postmortems")).expect("mkdir");
    std::fs::write(root.join("pm.toml"), pm_toml).expect("pm.toml");
    for (n, front) in fronts.into_iter().enumerate() {
        let text = format!("---\n{front}---\n\n## Summary\nx\n");
        std::fs::write(root.join(format!("postmortems/INC-2026-{n:04}-x.md")), text)
            .expect("write");
    }
    dir
}

/// The chat formats stay within what Slack and Teams accept, however many items and whatever
/// their titles: a repository of 800 items with long, hostile titles (more than fit).
#[test]
fn chat_reports_keep_within_the_platforms_limits_and_escape_markup() {
    let dir = generated(
        OPS,
        (0..80).map(|n| {
            let mut text = format!(
                "id: INC-2026-{n:04}\ntitle: Incident {n}\nstatus: draft\nseverity: SEV3\nowner: ann\nteam: ops\naction_items:\n"
            );
            for i in 0..10 {
                let owner = if i % 2 == 0 { "ann" } else { "bob" };
                text.push_str(&format!("  - title: \"<!channel> <https://evil.example|click> & {} {n}-{i}\"\n    owner: {owner}\n    due: 2026-01-{:02}\n    status: open\n", "x".repeat(120), i + 1));
            }
            text
        }),
    );
    let root = dir.path().to_str().expect("utf-8 path");
    let out = run(&["actions", "--root", root, "--today", "2026-06-01", "-f", "slack"]);
    let slack = slack_within_limits(&out);
    let blocks = slack["blocks"].as_array().expect("blocks");
    assert!(
        blocks[0]["text"]["text"].as_str().expect("header").contains("800 open"),
        "{}",
        blocks[0]
    );
    for b in blocks.iter().filter(|b| b["type"] == "section") {
        let text = b["text"]["text"].as_str().expect("text");
        assert!(!text.contains("<!channel>") && !text.contains("<https://evil"), "escaped: {text}");
        assert!(text.contains("&lt;!channel&gt;"), "{text}");
    }
    let last = blocks.last().expect("a block").to_string();
    assert!(last.contains("more items"), "the cut is said: {last}");

    let out = run(&["actions", "--root", root, "--today", "2026-06-01", "-f", "teams"]);
    teams_within_limits(&out);
    assert!(stdout(&out).contains("more items"), "the cut is said");
}

/// The demo's to-do lists as chat messages parse and keep within the limits, for a person
/// who owes things and one who owes nothing (the trycmd cases in `tests/cmd/todo` pin the
/// bytes).
#[test]
fn chat_todo_lists_of_the_demo_are_valid_messages() {
    for (person, headline) in
        [("hwagner", "hwagner owes 3 things, 2 overdue"), ("mkoch", "mkoch owes nothing")]
    {
        let todo = |format| {
            let args = ["todo", "--root", "examples/demo", "--today", "2026-12-05", "-f", format];
            run(&[&args[..], &["--person", person]].concat())
        };
        let slack = slack_within_limits(&todo("slack"));
        assert_eq!(slack["blocks"][0]["text"]["text"], headline);
        let teams = teams_within_limits(&todo("teams"));
        let title = &teams["attachments"][0]["content"]["body"][0]["inlines"][0]["text"];
        assert_eq!(title, headline);
    }
}

/// The markup a hostile value tries: a mention of everyone, a bare one, and a link.
const HOSTILE: &str = "<!channel> @here <http://x|y> &";

/// `pm todo` in the chat formats keeps within the same limits, with the same escaping: one
/// person owing hundreds of things (sections to write, reviews, postmortems to finish, action
/// items), every section name, title and ticket hostile and too long to show whole.
#[test]
fn chat_todo_lists_keep_within_the_platforms_limits_and_escape_markup() {
    let long = |c: &str| c.repeat(300);
    let dir = generated(
        OPS,
        (0..60).map(|n| {
            let mut text = format!(
                "id: INC-2026-{n:04}\ntitle: \"{HOSTILE} {} {n}\"\nstatus: in-review\nseverity: SEV3\nowner: ann\nteam: ops\ndue: 2026-05-{:02}\nreviewers: [ann]\nassignments:\n  - {{section: \"{HOSTILE} {} {n}\", to: ann, due: 2026-04-01}}\naction_items:\n",
                long("t"),
                n % 28 + 1,
                long("s"),
            );
            for i in 0..4 {
                text.push_str(&format!("  - title: \"{HOSTILE} {} {n}-{i}\"\n    owner: ann\n    due: 2026-0{}-01\n    status: open\n    ticket: \"{HOSTILE} {}\"\n", long("a"), i * 2 + 1, long("k")));
            }
            text
        }),
    );
    let root = dir.path().to_str().expect("utf-8 path");
    let todo = |format| {
        run(&["todo", "--root", root, "--today", "2026-06-01", "--person", "ann", "-f", format])
    };

    let slack = slack_within_limits(&todo("slack"));
    let blocks = slack["blocks"].as_array().expect("blocks");
    let header = blocks[0]["text"]["text"].as_str().expect("header");
    assert!(header.starts_with("ann owes ") && header.contains(" overdue"), "{header}");
    let sections: Vec<&str> = blocks
        .iter()
        .filter(|b| b["type"] == "section")
        .filter_map(|b| b["text"]["text"].as_str())
        .collect();
    assert!(sections[0].starts_with("*Overdue* — "), "{}", sections[0]);
    for verb in ["*write*", "*review*", "*do*"] {
        assert!(sections.iter().any(|s| s.contains(verb)), "a line to {verb}");
    }
    assert!(sections.iter().any(|s| s.contains("&lt;!channel&gt; @here &lt;http://x|y&gt; &amp;")));
    for text in slack_texts(&slack) {
        assert!(!text.contains("<!") && !text.contains("<http://x"), "escaped: {text}");
        assert!(
            !text.contains(&"t".repeat(200)) && !text.contains(&"k".repeat(200)),
            "cut: {text}"
        );
    }
    let last = blocks.last().expect("a block").to_string();
    assert!(last.contains("more things: run `pm todo`"), "the cut is said: {last}");

    let out = todo("teams");
    let teams = teams_within_limits(&out);
    assert!(stdout(&out).contains("more things: run `pm todo`"), "the cut is said");
    assert!(stdout(&out).contains(HOSTILE), "user text as written, in text runs");
    let mut text_blocks = Vec::new();
    teams_text_blocks(&teams, &mut text_blocks);
    assert!(text_blocks.iter().all(|t| !t.contains('<') && !t.contains('@')), "{text_blocks:?}");
}

/// Without a registry, `--person` is taken as given: the person's name is user text too, in
/// the Slack notification text (mrkdwn) as in the Teams title.
#[test]
fn chat_todo_lists_escape_the_person() {
    let dir = generated(
        "",
        [format!(
            "id: INC-2026-0000\ntitle: X\nstatus: draft\naction_items:\n  - title: Y\n    owner: \"{HOSTILE}\"\n    due: 2026-07-01\n"
        )],
    );
    let root = dir.path().to_str().expect("utf-8 path");
    let todo = |format| {
        run(&["todo", "--root", root, "--today", "2026-06-01", "--person", HOSTILE, "-f", format])
    };

    let slack = slack_within_limits(&todo("slack"));
    assert_eq!(
        slack["text"],
        "&lt;!channel&gt; @here &lt;http://x|y&gt; &amp; owes 1 thing, 0 overdue (as of 2026-06-01)"
    );
    for text in slack_texts(&slack) {
        assert!(!text.contains("<!") && !text.contains("<http://x"), "escaped: {text}");
    }

    let teams = teams_within_limits(&todo("teams"));
    let title = &teams["attachments"][0]["content"]["body"][0];
    assert_eq!(title["type"], "RichTextBlock", "{title}");
    assert_eq!(title["inlines"][0]["text"], format!("{HOSTILE} owes 1 thing, 0 overdue"));
    let mut text_blocks = Vec::new();
    teams_text_blocks(&teams, &mut text_blocks);
    assert!(text_blocks.iter().all(|t| !t.contains('<')), "{text_blocks:?}");
}

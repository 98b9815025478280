//! `pm init` and `pm new` end to end, in temporary folders: a new repository passes `pm check`,
//! every built-in template scaffolds a draft with no findings (and with errors once the status
//! moves on while prompts remain), ids follow the highest of the year, concurrent runs never
//! share an id or a file, nothing is ever overwritten, `--dry-run` writes nothing, and without a
//! terminal a value that cannot be derived is an error naming its flag.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::fs::files;
use crate::support::run::{pm, succeed, text};

const NOW: &str = "2026-03-04T10:00:00Z";

/// `pm ARGS` in `dir`, with a fixed clock (and, as every run, no editor and no terminal).
fn pm_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = pm(args);
    command.current_dir(dir).env("PM_NOW", NOW).env("PM_TODAY", "2026-03-04");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    pm_command(dir, args).output().expect("pm runs")
}

/// Runs `pm ARGS` and asserts the exit code; returns stdout.
#[track_caller]
fn pm_ok(dir: &Path, args: &[&str]) -> String {
    text(&succeed(&mut pm_command(dir, args)).stdout)
}

/// A new repository from `pm init` (without git unless asked) in a temporary folder.
fn init(git: bool) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let args: &[&str] = if git { &["init", "demo"] } else { &["init", "demo", "--no-git"] };
    pm_ok(tmp.path(), args);
    let dir = tmp.path().join("demo");
    (tmp, dir)
}

/// Every file under `dir` (outside `.git`) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir).into_iter().filter(|(rel, _)| !rel.starts_with(".git/")).collect()
}

fn check_clean(dir: &Path) {
    let out = pm_ok(dir, &["check", "--deny", "info", "--format", "concise"]);
    assert!(out.contains(" checked, 0 errors, 0 warnings, 0 info\n"), "{out}");
}

#[test]
fn init_then_new_then_check() {
    let (_tmp, dir) = init(true);
    assert!(dir.join(".git").is_dir(), "pm init runs git init");
    for file in pm::scaffold::skeleton::FILES {
        let written = std::fs::read_to_string(dir.join(file.path)).expect(file.path);
        assert_eq!(written, file.text, "{}", file.path);
    }
    check_clean(&dir);

    // The acceptance line, with the clock fixed.
    let out =
        pm_ok(&dir, &["new", "Checkout 5xx", "--severity", "SEV2", "--service", "checkout-api"]);
    assert_eq!(out, "postmortems/2026/INC-2026-0001-checkout-5xx.md\n");
    let written = std::fs::read_to_string(dir.join(out.trim())).expect("written");
    for line in [
        "id: INC-2026-0001\n",
        "owner: asmith\n",
        "team: payments\n",
        "services: [checkout-api]\n",
        "started_at: 2026-03-04T10:00:00Z\n",
        "due: 2026-03-18 ",
    ] {
        assert!(written.contains(line), "{line:?} missing from\n{written}");
    }
    check_clean(&dir);
}

#[test]
fn every_builtin_template_scaffolds_a_clean_draft() {
    let (_tmp, dir) = init(false);
    for (name, _) in pm::scaffold::template::BUILTINS {
        let title = format!("A {name} incident: 5xx at checkout");
        let out = pm_ok(
            &dir,
            &["new", &title, "--severity", "SEV3", "--service", "orders-db", "--template", name],
        );
        let path = dir.join(out.trim());
        let written = std::fs::read_to_string(&path).expect("written");
        assert!(written.contains(&format!("title: \"{title}\"\n")), "{written}");
        assert!(written.contains("owner: kchen\n"), "the team owner of orders-db\n{written}");
        check_clean(&dir);

        // The prompts are placeholders: once the status moves on, pm check reports them.
        let in_review = written.replacen("status: draft", "status: in-review", 1);
        std::fs::write(&path, in_review).expect("write");
        let out = run(&dir, &["check", "--format", "concise"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stdout));
        let report = text(&out.stdout);
        assert!(report.contains("placeholder-text"), "{name}: {report}");
        assert!(!report.contains("blameless-language"), "{name}: {report}");
        std::fs::remove_file(&path).expect("remove");
    }
}

#[test]
fn ids_follow_the_highest_of_the_year() {
    let (_tmp, dir) = init(false);
    let args = ["--severity", "SEV2", "--service", "checkout-api"];
    let new = |title: &str, extra: &[&str]| {
        let mut all = vec!["new", title];
        all.extend(args);
        all.extend(extra);
        pm_ok(&dir, &all).trim().to_owned()
    };
    assert_eq!(new("First", &[]), "postmortems/2026/INC-2026-0001-first.md");
    assert_eq!(new("Second", &[]), "postmortems/2026/INC-2026-0002-second.md");
    // The example of `pm init` is INC-2025-0001; the year comes from `started_at`.
    assert_eq!(
        new("Last year", &["--started-at", "2025-12-30T23:00:00Z"]),
        "postmortems/2025/INC-2025-0002-last-year.md"
    );
    // Numbers go on from the highest, not into gaps.
    assert_eq!(
        new("Imported", &["--id", "INC-2026-0040"]),
        "postmortems/2026/INC-2026-0040-imported.md"
    );
    assert_eq!(new("Third", &[]), "postmortems/2026/INC-2026-0041-third.md");
    // An id in use is refused.
    let out = run(
        &dir,
        &[
            "new",
            "Again",
            "--severity",
            "SEV2",
            "--service",
            "checkout-api",
            "--id",
            "INC-2026-0002",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("INC-2026-0002 is already used by postmortems/2026/INC-2026-0002-second.md")
    );
    // No errors (last year's draft is overdue by PM_TODAY, a warning).
    let out = pm_ok(&dir, &["check", "--format", "concise"]);
    assert!(
        out.ends_with("6 files checked, 0 errors, 1 warning, 0 info in 1 of 6 files\n"),
        "{out}"
    );
}

#[test]
fn racing_runs_never_share_an_id_or_a_file() {
    let (_tmp, dir) = init(false);
    let titles: Vec<String> = (0..12)
        .map(|i| if i % 2 == 0 { "Same title".to_owned() } else { format!("Title {i}") })
        .collect();
    let children: Vec<_> = titles
        .iter()
        .map(|title| {
            pm_command(&dir, &["new", title, "--severity", "SEV2", "--service", "checkout-api"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut paths = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(paths.insert(text(&out.stdout).trim().to_owned()), "two runs reported one path");
    }
    let ids: BTreeSet<String> =
        paths.iter().map(|p| p.trim_start_matches("postmortems/2026/")[..13].to_owned()).collect();
    assert_eq!(ids.len(), titles.len(), "{paths:#?}");
    let expected: BTreeSet<String> = (1..=12).map(|n| format!("INC-2026-{n:04}")).collect();
    assert_eq!(ids, expected);
    // Every file is on disk with its own id inside, and no claim is left behind.
    let files: Vec<_> = std::fs::read_dir(dir.join("postmortems/2026"))
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), titles.len(), "{files:?}");
    for path in &paths {
        let written = std::fs::read_to_string(dir.join(path)).expect("read");
        let id = &path.trim_start_matches("postmortems/2026/")[..13];
        assert!(written.contains(&format!("id: {id}\n")), "{path}");
    }
    check_clean(&dir);
}

#[test]
fn nothing_is_overwritten() {
    let (_tmp, dir) = init(false);
    let year = dir.join("postmortems/2026");
    std::fs::create_dir_all(&year).expect("mkdir");
    // A file that has the name the next postmortem would get, but no id in it.
    let squatter = year.join("INC-2026-0001-checkout-5xx.md");
    std::fs::write(&squatter, "keep me\n").expect("write");
    let args = ["new", "Checkout 5xx", "--severity", "SEV2", "--service", "checkout-api"];
    // The automatic id moves on to the next number.
    assert_eq!(pm_ok(&dir, &args).trim(), "postmortems/2026/INC-2026-0002-checkout-5xx.md");
    assert_eq!(std::fs::read_to_string(&squatter).expect("read"), "keep me\n");
    // An explicit id whose file exists: exit 2, file untouched.
    let mut explicit = args.to_vec();
    explicit.extend(["--id", "INC-2026-0001"]);
    let out = run(&dir, &explicit);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("INC-2026-0001-checkout-5xx.md already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&squatter).expect("read"), "keep me\n");

    // pm init again changes nothing: every file is there, each skipped with its reason.
    let before = snapshot(&dir);
    let out = run(&dir, &["init", "--no-git"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for file in pm::scaffold::skeleton::FILES {
        assert!(stdout.contains(&format!("skipped  {}: ", file.path)), "{} in {stdout}", file.path);
    }
    assert_eq!(snapshot(&dir), before);

    // --force replaces pm's own files, never the team's.
    let workflow = dir.join(".github/workflows/postmortems.yml");
    std::fs::write(&workflow, "edited\n").expect("write");
    std::fs::write(dir.join(".gitignore"), "mine\n").expect("write");
    std::fs::write(dir.join("pm.toml"), "title = \"Ours\"\n").expect("write");
    let out = run(&dir, &["init", "--no-git", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let gitignore = std::fs::read_to_string(dir.join(".gitignore")).expect("read");
    assert!(gitignore.starts_with("mine\n\n") && gitignore.contains("/public/\n"), "{gitignore}");
    assert_eq!(std::fs::read_to_string(dir.join("pm.toml")).expect("read"), "title = \"Ours\"\n");
    let workflow = std::fs::read_to_string(&workflow).expect("read");
    assert!(workflow.contains("actions/deploy-pages"), "{workflow}");
}

/// A write that fails part-way leaves the folder as it was: here `.github` links outside the
/// repository, so pm's workflow is refused after pm.toml and the example were created and the
/// pre-commit config merged — and those are undone.
#[cfg(unix)]
#[test]
fn init_undoes_everything_when_a_write_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    let config = "repos:\n- repo: meta\n  hooks:\n  - id: identity\n";
    std::fs::write(tmp.path().join(".pre-commit-config.yaml"), config).expect("write");
    let before = snapshot(tmp.path());
    let link = tmp.path().join(".github");
    std::os::unix::fs::symlink(outside.path(), &link).expect("symlink");
    let out = run(tmp.path(), &["init", "--no-git"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(".github/workflows/postmortems.yml")
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(files(outside.path()).is_empty(), "nothing written through the link");
    std::fs::remove_file(&link).expect("remove the link");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn dry_run_writes_nothing() {
    let (_tmp, dir) = init(false);
    let before = snapshot(&dir);
    let out = run(
        &dir,
        &["new", "Checkout 5xx", "--severity", "SEV2", "--service", "checkout-api", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with("---\n# yaml-language-server: $schema=https://pm.dev/schema/postmortem.schema.json\nid: INC-2026-0001\n"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        text(&out.stderr),
        "dry run: would write postmortems/2026/INC-2026-0001-checkout-5xx.md\n"
    );
    assert_eq!(snapshot(&dir), before);
    assert!(!dir.join("postmortems/2026").exists());
}

#[test]
fn missing_values_without_a_terminal_name_their_flag() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("pm.toml"),
        "[teams.ops]\nname = \"Operations\"\n[services.batch]\ndescription = \"No team yet\"\n",
    )
    .expect("write");
    let cases: &[(&[&str], &str)] = &[
        (&["new", "--severity", "SEV2", "--service", "batch"], "pm new \"TITLE\""),
        (&["new", "T", "--service", "batch"], "--severity"),
        (&["new", "T", "--severity", "SEV2"], "--service"),
        (&["new", "T", "--severity", "SEV2", "--service", "batch"], "--team"),
        (&["new", "T", "--severity", "SEV2", "--service", "batch", "--team", "ops"], "--owner"),
    ];
    for (args, flag) in cases {
        let out = run(dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("error: pm new needs "), "{stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
    assert!(!dir.join("postmortems").exists(), "nothing written");
}

#[test]
fn edit_opens_the_editor_on_the_new_file() {
    let (_tmp, dir) = init(false);
    let args = ["new", "Checkout 5xx", "--severity", "SEV2", "--service", "checkout-api", "--edit"];
    // Without an editor: refused before anything is written.
    let out = run(&dir, &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("$VISUAL or $EDITOR"));
    assert!(!dir.join("postmortems/2026").exists());

    let editor = dir.join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\necho \"<!-- edited -->\" >> \"$1\"\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let out = pm_command(&dir, &args).env("EDITOR", &editor).output().expect("pm runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join(text(&out.stdout).trim())).expect("read");
    assert!(written.ends_with("<!-- edited -->\n"), "{written}");
}

/// `$VISUAL`/`$EDITOR` are shell commands, as git runs them: a quoted path with a space and
/// arguments, or `sh -c '…'`. The editor here records the arguments it was given.
#[cfg(unix)]
#[test]
fn edit_runs_the_editor_as_a_shell_command() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, dir) = init(false);
    let tools = dir.join("my tools");
    std::fs::create_dir(&tools).expect("mkdir");
    let editor = tools.join("record editor.sh");
    let argv = dir.join("argv.txt");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n",
            argv.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let quoted = format!("'{}' --wait --title 'two words'", editor.display());
    let cases: [(&str, &str, String); 3] = [
        // VISUAL comes before EDITOR (which would fail here).
        ("VISUAL", "EDITOR", quoted.clone()),
        ("EDITOR", "NONE", quoted),
        (
            "EDITOR",
            "NONE",
            format!("sh -c '\"{}\" --wait --title \"two words\" \"$0\"'", editor.display()),
        ),
    ];
    for (n, (var, other, command)) in cases.into_iter().enumerate() {
        let title = format!("Editor case {n}");
        let args = ["new", &title, "--severity", "SEV2", "--service", "checkout-api", "--edit"];
        let out = pm_command(&dir, &args)
            .env(var, &command)
            .env(other, "false")
            .output()
            .expect("pm runs");
        assert_eq!(out.status.code(), Some(0), "{command}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("warning"), "{}", text(&out.stderr));
        let path = dir.join(text(&out.stdout).trim());
        let recorded = std::fs::read_to_string(&argv).expect("the editor ran");
        let lines: Vec<&str> = recorded.lines().collect();
        assert_eq!(lines[..3], ["--wait", "--title", "two words"], "{command}: {recorded}");
        assert_eq!(
            std::path::Path::new(lines[3]).canonicalize().ok(),
            path.canonicalize().ok(),
            "{recorded}"
        );
        assert_eq!(lines.len(), 4, "{recorded}");
        std::fs::remove_file(&argv).expect("rm");
    }
}

/// `pm init`'s pm.toml says what `pm new` does for a severity without a `[deadlines]` entry,
/// and `pm new` does it: the default number of business days, and a clean check.
#[test]
fn a_severity_without_a_deadline_gets_the_days_the_config_comment_names() {
    let (_tmp, dir) = init(false);
    let config = std::fs::read_to_string(dir.join("pm.toml")).expect("pm.toml");
    let comments: Vec<&str> =
        config.lines().filter_map(|l| l.strip_prefix('#')).map(str::trim).collect();
    let days = pm::scaffold::postmortem::DEFAULT_DEADLINE_DAYS;
    let said = format!("No entry: `pm new` gives {days} business days");
    assert!(comments.join(" ").contains(&said), "{said:?} not in\n{config}");
    assert!(!config.contains("\nSEV4 ="), "SEV4 has no entry in\n{config}");
    let out =
        pm_ok(&dir, &["new", "Slow search", "--severity", "SEV4", "--service", "checkout-api"]);
    let written = std::fs::read_to_string(dir.join(out.trim())).expect("written");
    // Wednesday 2026-03-04 + 10 business days.
    assert!(written.contains("due: 2026-03-18 "), "{written}");
    assert!(written.contains("(no SEV4 deadline in pm.toml)"), "{written}");
    check_clean(&dir);
}

/// A new postmortem names its schema for editors, first in the front matter, and `pm check`
/// reads the line as the comment it is; pm.toml can name another schema or none.
#[test]
fn new_writes_the_schema_comment_the_config_asks_for() {
    let (_tmp, dir) = init(false);
    let new = |title: &str| {
        let out = pm_ok(&dir, &["new", title, "--severity", "SEV2", "--service", "checkout-api"]);
        std::fs::read_to_string(dir.join(out.trim())).expect("written")
    };
    let written = new("Default schema");
    let expected =
        format!("---\n# yaml-language-server: $schema={}\nid: ", pm::config::POSTMORTEM_SCHEMA_URL);
    assert!(written.starts_with(&expected), "{written}");
    check_clean(&dir);

    let config = std::fs::read_to_string(dir.join("pm.toml")).expect("pm.toml");
    let with =
        |extra: &str| std::fs::write(dir.join("pm.toml"), format!("{config}\n[new]\n{extra}\n"));
    with("schema_comment = \"../schema/postmortem.json\"").expect("write");
    assert!(
        new("Own schema")
            .starts_with("---\n# yaml-language-server: $schema=../schema/postmortem.json\nid: ")
    );
    with("schema_comment = \"\"").expect("write");
    assert!(new("No schema").starts_with("---\nid: "));
    check_clean(&dir);
    with("schema_comment = \"x\\nid: forged\"").expect("write");
    let out = run(&dir, &["new", "Forged", "--severity", "SEV2", "--service", "checkout-api"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("new.schema_comment"), "{}", text(&out.stderr));
}

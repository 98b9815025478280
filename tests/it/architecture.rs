//! The house keeps its plan: every module of `src/` imports only what docs/ARCHITECTURE.md's
//! import table allows it, the table lists every module, and a module may only import modules
//! listed before it (so the table, and the code, have no cycles). The table is read from the
//! document itself, so the map and the code cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    crate::support::fs::crate_root()
}

/// The ```imports block of docs/ARCHITECTURE.md, in order: module → what it may import.
fn table() -> Vec<(String, BTreeSet<String>)> {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).expect("the map");
    let start = doc.find("```imports\n").expect("an ```imports block") + "```imports\n".len();
    let end = start + doc[start..].find("```").expect("the block ends");
    doc[start..end]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (module, allowed) = line.split_once(':').expect("`module: imports`");
            (module.trim().to_owned(), allowed.split_whitespace().map(str::to_owned).collect())
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for lib.rs and main.rs).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root().join("src")).expect("under src");
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// The crate modules `code` refers to: `crate::x` paths and `use crate::{x, y::z}` groups,
/// outside comments and `#[cfg(test)]` modules.
fn imports(code: &str) -> BTreeSet<String> {
    let code = code.find("#[cfg(test)]").map_or(code, |i| &code[..i]);
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() {
                    found.insert(name.to_owned());
                }
            }
        } else {
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn imports_follow_the_map() {
    let table = table();
    let order: BTreeMap<&str, usize> =
        table.iter().enumerate().map(|(i, (m, _))| (m.as_str(), i)).collect();
    let allowed: BTreeMap<&str, &BTreeSet<String>> =
        table.iter().map(|(m, a)| (m.as_str(), a)).collect();

    // The table itself: known names, each allowed import listed earlier (no cycles).
    for (i, (module, may)) in table.iter().enumerate() {
        for dep in may {
            let at = order.get(dep.as_str()).unwrap_or_else(|| {
                panic!("ARCHITECTURE.md: `{module}` may import `{dep}`, which is not in the table")
            });
            assert!(*at < i, "ARCHITECTURE.md: `{module}` imports `{dep}`, listed after it");
        }
    }

    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut violations = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else { continue };
        let code = std::fs::read_to_string(file).expect("read source");
        let may = allowed.get(module.as_str()).unwrap_or_else(|| {
            panic!("`{module}` ({}) is not in ARCHITECTURE.md's import table", file.display())
        });
        for dep in imports(&code) {
            if dep != module && !may.contains(&dep) && order.contains_key(dep.as_str()) {
                let rel = file.strip_prefix(root()).unwrap_or(file).display().to_string();
                violations.push(format!("{rel}: `{module}` imports `{dep}`"));
            }
        }
        modules.insert(module);
    }
    assert!(violations.is_empty(), "imports the map forbids:\n{}", violations.join("\n"));
    let listed: BTreeSet<String> = table.iter().map(|(m, _)| m.clone()).collect();
    let stale: Vec<&String> = listed.difference(&modules).collect();
    assert!(stale.is_empty(), "ARCHITECTURE.md lists modules that do not exist: {stale:?}");
}

#[test]
fn only_main_imports_cmd() {
    let main = std::fs::read_to_string(root().join("src/main.rs")).expect("main.rs");
    assert!(main.contains("pm::cmd::run"), "the binary dispatches through cmd");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for file in files {
        if module_of(&file).is_some_and(|m| m != "cmd") {
            let code = std::fs::read_to_string(&file).expect("read source");
            assert!(!imports(&code).contains("cmd"), "{} imports cmd", file.display());
        }
    }
}

#[test]
fn the_scanner_sees_grouped_and_plain_imports() {
    let code = "use crate::{model::X, repo};\nfn f() { crate::site::build(); }\n// crate::cmd\n\
                #[cfg(test)]\nmod tests { use crate::rules; }\n";
    let found: Vec<String> = imports(code).into_iter().collect();
    assert_eq!(found, ["model", "repo", "site"]);
}

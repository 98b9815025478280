//! The files of a new postmortem repository (`pm init`), embedded from `templates/init/`.

/// One file `pm init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkeletonFile {
    /// Where, relative to the new repository's root (`/`-separated).
    pub path: &'static str,
    /// What.
    pub text: &'static str,
    /// Whose it is once written: what `pm init` does when it exists already.
    pub owner: Owner,
}

/// Whose a file is, which decides what `pm init` does in a repository that has it already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// pm's own (its CI files, named for it): left alone, replaced by `pm init --force`.
    Pm,
    /// The team's once written (pm.toml, the postmortems): never replaced, `--force` or not.
    Team,
    /// The team's, and it should include pm's file at this path (the project's
    /// `.gitlab-ci.yml` and pm's GitLab jobs): never replaced; when it lacks the include, pm
    /// says what to add.
    Includes(&'static str),
    /// A shared list of patterns (`.gitignore`): pm's missing lines are appended.
    Lines,
    /// A shared pre-commit config: pm's hooks are added as one more `repos:` entry.
    PreCommit,
}

/// The example postmortem's path.
pub const EXAMPLE: &str =
    "postmortems/2025/INC-2025-0001-card-payments-failed-after-certificate-expiry.md";

/// pm's pre-commit config, whose `repo: local` entry is added to an existing one.
pub const PRE_COMMIT: &str = include_str!("../../templates/init/pre-commit-config.yaml");

/// pm's GitLab CI jobs, the file a project's `.gitlab-ci.yml` includes (the same file teams
/// include from pm's repository, `ci/gitlab/pm.gitlab-ci.yml`).
pub const GITLAB_JOBS: &str = ".gitlab/pm.gitlab-ci.yml";

/// Every file, in the order they are listed to the user.
pub const FILES: &[SkeletonFile] = &[
    SkeletonFile {
        path: "pm.toml",
        text: include_str!("../../templates/init/pm.toml"),
        owner: Owner::Team,
    },
    SkeletonFile {
        path: EXAMPLE,
        text: include_str!("../../templates/init/example.md"),
        owner: Owner::Team,
    },
    SkeletonFile { path: ".pre-commit-config.yaml", text: PRE_COMMIT, owner: Owner::PreCommit },
    SkeletonFile {
        path: ".github/workflows/postmortems.yml",
        text: include_str!("../../templates/init/github-workflow.yml"),
        owner: Owner::Pm,
    },
    SkeletonFile {
        path: ".github/workflows/postmortem-follow-up.yml",
        text: include_str!("../../templates/init/github-sync-workflow.yml"),
        owner: Owner::Pm,
    },
    SkeletonFile {
        path: GITLAB_JOBS,
        text: include_str!("../../ci/gitlab/pm.gitlab-ci.yml"),
        owner: Owner::Pm,
    },
    SkeletonFile {
        path: ".gitlab-ci.yml",
        text: include_str!("../../templates/init/gitlab-ci.yml"),
        owner: Owner::Includes(GITLAB_JOBS),
    },
    SkeletonFile {
        path: ".gitignore",
        text: include_str!("../../templates/init/gitignore"),
        owner: Owner::Lines,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_config_is_valid() {
        let config = Config::parse(FILES[0].text, "pm.toml").expect("pm.toml parses");
        assert!(config.services.contains_key("checkout-api"));
        assert!(config.deadlines.contains_key("SEV2"));
    }

    #[test]
    fn the_example_is_named_by_its_id() {
        let doc = crate::repo::Document::parse_text(
            EXAMPLE,
            FILES[1].text.to_owned(),
            crate::repo::Depth::Full,
        );
        let id = doc.id().expect("id");
        let name = EXAMPLE.rsplit('/').next().expect("name");
        assert!(name.starts_with(&format!("{id}-")), "{name}");
    }
}

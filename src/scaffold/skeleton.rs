//! The files of a new postmortem repository (`pm init`), embedded from `templates/init/`.

/// One file `pm init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkeletonFile {
    /// Where, relative to the new repository's root (`/`-separated).
    pub path: &'static str,
    /// What.
    pub text: &'static str,
}

/// The example postmortem's path.
pub const EXAMPLE: &str =
    "postmortems/2025/INC-2025-0001-card-payments-failed-after-certificate-expiry.md";

/// Every file, in the order they are listed to the user.
pub const FILES: &[SkeletonFile] = &[
    SkeletonFile { path: "pm.toml", text: include_str!("../../templates/init/pm.toml") },
    SkeletonFile { path: EXAMPLE, text: include_str!("../../templates/init/example.md") },
    SkeletonFile {
        path: ".pre-commit-config.yaml",
        text: include_str!("../../templates/init/pre-commit-config.yaml"),
    },
    SkeletonFile {
        path: ".github/workflows/postmortems.yml",
        text: include_str!("../../templates/init/github-workflow.yml"),
    },
    SkeletonFile {
        path: ".github/workflows/postmortem-follow-up.yml",
        text: include_str!("../../templates/init/github-sync-workflow.yml"),
    },
    SkeletonFile {
        path: ".gitlab-ci.yml",
        text: include_str!("../../templates/init/gitlab-ci.yml"),
    },
    SkeletonFile { path: ".gitignore", text: include_str!("../../templates/init/gitignore") },
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

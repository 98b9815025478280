//! How a count reads in English: one definition of "1 file" / "3 files" for every message,
//! summary and page that counts something.

/// `n` followed by `one` or `many`: "1 file", "0 files", "3 entries".
#[must_use]
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(plural(1, "file", "files"), "1 file");
        assert_eq!(plural(0, "file", "files"), "0 files");
        assert_eq!(plural(2, "entry", "entries"), "2 entries");
    }
}

//! Text files that say whether they are whole: a cache or manifest `pm` writes for itself ends
//! with a line giving the number of its entries and a hash of everything above it
//! (`end COUNT CHECKSUM`), so one cut short (a crash, a full disk), edited or otherwise damaged
//! is recognised and ignored as a whole, never half-trusted.

use std::fmt::Write as _;

use xxhash_rust::xxh3::xxh3_128;

/// Appends to `text` (a header and `count` entries, each line ending in `\n`) the line that
/// seals it.
pub fn close(text: &mut String, count: usize) {
    let sum = xxh3_128(text.as_bytes());
    let _ = writeln!(text, "end {count} {sum:032x}");
}

/// What [`close`] sealed: the text above the closing line and the count it gives, when the
/// closing line is there and its checksum matches.
pub fn open(text: &str) -> Option<(&str, usize)> {
    let body_end = text.strip_suffix('\n')?.rfind('\n')? + 1;
    let (body, last) = text.split_at(body_end);
    let mut last = last.strip_suffix('\n')?.split(' ');
    let (Some("end"), Some(count), Some(sum), None) =
        (last.next(), last.next(), last.next(), last.next())
    else {
        return None;
    };
    (u128::from_str_radix(sum, 16).ok()? == xxh3_128(body.as_bytes()))
        .then(|| Some((body, count.parse().ok()?)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_closed_and_nothing_damaged() {
        let mut text = String::from("header\none\ntwo\n");
        close(&mut text, 2);
        assert_eq!(open(&text), Some(("header\none\ntwo\n", 2)));
        assert_eq!(open(&text[..text.len() - 1]), None, "truncated");
        assert_eq!(open(&text[..text.len() / 2]), None, "cut in half");
        assert_eq!(open(&text.replacen("one", "eno", 1)), None, "edited");
        assert_eq!(open(""), None);
        assert_eq!(open("\n"), None);
        assert_eq!(open("end 0 0\n"), None, "no header");
    }
}

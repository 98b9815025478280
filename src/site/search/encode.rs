//! How the search index writes sets of document ids, keys and data files, and how to read them
//! back (the reader is what the tests, and anyone checking a built site, use; the browser has
//! its own in `search.js`).
//!
//! A doc set is a string over a 64-character alphabet that JSON never escapes, in one of two
//! forms, whichever is shorter (delta on a tie):
//! - delta: varints of the gaps between ascending ids (5 payload bits per character, bit 5 set
//!   when more characters follow, least significant group first); the first varint is the first
//!   id, each next one `id - previous - 1`. Cheap for rare terms.
//! - bitmap: `~` then one character per 6 ids, bit `b` of character `j` standing for id
//!   `6j + b`, trailing zero characters trimmed. Cheap for common terms: a term in every
//!   document costs one character per 6 documents, whatever N is.
//!
//! Keys are ordered by UTF-16 code units, the order of JavaScript's `<` on strings, which the
//! client uses to find the shard of a key.

use std::cmp::Ordering;

/// The 64 characters of the doc set alphabet, value 0 to 63 in this order.
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a bitmap doc set.
pub const BITMAP: char = '~';

/// The value of an alphabet character.
fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Characters the varint of `n` takes.
fn varint_len(mut n: u32) -> usize {
    let mut len = 1;
    while n >= 32 {
        n >>= 5;
        len += 1;
    }
    len
}

fn push_varint(out: &mut String, mut n: u32) {
    loop {
        let low = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(char::from(ALPHABET[low]));
            return;
        }
        out.push(char::from(ALPHABET[low | 32]));
    }
}

/// The two encodings a doc set can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Gap-encoded varints.
    Delta,
    /// `~` and 6 ids per character.
    Bitmap,
}

/// Which encoding [`encode`] picks for `ids` (ascending, distinct), and its length in bytes.
pub fn choose(ids: &[u32]) -> (Encoding, usize) {
    let Some(&last) = ids.last() else { return (Encoding::Delta, 0) };
    let mut delta = 0;
    let mut previous: Option<u32> = None;
    for &id in ids {
        let gap = match previous {
            None => id,
            Some(p) => id - p - 1,
        };
        delta += varint_len(gap);
        previous = Some(id);
    }
    // `~`, then characters 0 ..= last / 6 (the last one holds `last`, so it is never trimmed).
    let bitmap = 2 + (last / 6) as usize;
    if bitmap < delta { (Encoding::Bitmap, bitmap) } else { (Encoding::Delta, delta) }
}

/// Encodes ascending, distinct doc ids as the shorter of the two forms.
pub fn encode(ids: &[u32]) -> String {
    let (encoding, len) = choose(ids);
    let mut out = String::with_capacity(len);
    match encoding {
        Encoding::Delta => {
            let mut previous: Option<u32> = None;
            for &id in ids {
                push_varint(&mut out, previous.map_or(id, |p| id - p - 1));
                previous = Some(id);
            }
        }
        Encoding::Bitmap => {
            let mut values = vec![0u8; len - 1];
            for &id in ids {
                values[(id / 6) as usize] |= 1 << (id % 6);
            }
            out.push(BITMAP);
            out.extend(values.into_iter().map(|v| char::from(ALPHABET[usize::from(v)])));
        }
    }
    out
}

/// Why a doc set does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A character outside the alphabet.
    #[error("`{0}` is not a doc set character")]
    Character(char),
    /// A varint whose last character says more follow.
    #[error("the doc set ends inside a number")]
    Truncated,
    /// An id beyond `u32`.
    #[error("a doc id in the set is too large")]
    Overflow,
}

/// Decodes a doc set written by [`encode`] (either form) into ascending ids.
pub fn decode(set: &str) -> Result<Vec<u32>, DecodeError> {
    let bad = |b: u8| DecodeError::Character(char::from(b));
    if let Some(bits) = set.strip_prefix(BITMAP) {
        let mut ids = Vec::new();
        for (j, &c) in bits.as_bytes().iter().enumerate() {
            let v = value(c).ok_or_else(|| bad(c))?;
            for b in 0..6 {
                if v & (1 << b) != 0 {
                    let id = u32::try_from(j * 6 + b).map_err(|_| DecodeError::Overflow)?;
                    ids.push(id);
                }
            }
        }
        return Ok(ids);
    }
    let mut ids = Vec::new();
    let mut previous: Option<u32> = None;
    let (mut n, mut shift, mut open) = (0u64, 0u32, false);
    for &c in set.as_bytes() {
        let v = value(c).ok_or_else(|| bad(c))?;
        if shift > 32 {
            return Err(DecodeError::Overflow);
        }
        n |= u64::from(v & 31) << shift;
        shift += 5;
        open = v & 32 != 0;
        if !open {
            let id = match previous {
                None => n,
                Some(p) => u64::from(p) + n + 1,
            };
            let id = u32::try_from(id).map_err(|_| DecodeError::Overflow)?;
            ids.push(id);
            previous = Some(id);
            (n, shift) = (0, 0);
        }
    }
    if open {
        return Err(DecodeError::Truncated);
    }
    Ok(ids)
}

/// Compares strings by UTF-16 code units, as JavaScript's `<` does, without transcoding: the
/// order is code point order except that U+E000..=U+FFFF sort after the astral planes (whose
/// UTF-16 form starts with a surrogate, 0xD800..=0xDBFF).
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let Some(mut i) = x.iter().zip(y).position(|(p, q)| p != q) else {
        return x.len().cmp(&y.len());
    };
    // Back up to the start of the character the two strings differ in.
    while !a.is_char_boundary(i) {
        i -= 1;
    }
    match (a[i..].chars().next(), b[i..].chars().next()) {
        (Some(c), Some(d)) => utf16_rank(c).cmp(&utf16_rank(d)),
        _ => x.len().cmp(&y.len()),
    }
}

/// A number whose order is the order of a character's UTF-16 form.
fn utf16_rank(c: char) -> u32 {
    let n = u32::from(c);
    if (0xE000..=0xFFFF).contains(&n) { n + 0x20_0000 } else { n }
}

/// The text of a data file: `pmSearchData("<key>",<json>);` and a newline.
pub fn data_file(key: &str, json: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + key.len() + 20);
    out.extend_from_slice(b"pmSearchData(\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\",");
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(b");\n");
    out
}

/// Reads a data file back: its key and its JSON value.
pub fn read_data_file(text: &str) -> Option<(String, serde_json::Value)> {
    let rest = text.strip_prefix("pmSearchData(\"")?;
    let (key, rest) = rest.split_once("\",")?;
    let json = rest.strip_suffix(");\n")?;
    Some((key.to_owned(), serde_json::from_str(json).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(ids: &[u32]) -> String {
        let set = encode(ids);
        assert_eq!(decode(&set).as_deref(), Ok(ids), "{ids:?} as {set:?}");
        assert_eq!(choose(ids).1, set.len(), "predicted length of {ids:?}");
        set
    }

    #[test]
    fn delta_sets_round_trip() {
        assert_eq!(round_trip(&[]), "");
        assert_eq!(round_trip(&[0]), "A");
        assert_eq!(round_trip(&[5]), "F");
        assert_eq!(round_trip(&[31]), "f");
        // 32 needs a second character: low group 0 with the "more" bit (32 → `g`), then 1.
        assert_eq!(round_trip(&[32]), "gB");
        // Gaps: 5, then 6-5-1 = 0, then 63-6-1 = 56 (`4`+`B`: 24|32, 1), 64-63-1 = 0.
        assert_eq!(round_trip(&[5, 6, 63, 64]), "FA4BA");
        round_trip(&[0, 1_000_000, 1_000_001, u32::MAX]);
        round_trip(&[u32::MAX]);
        round_trip(&[7, 4_000, 90_000]);
    }

    #[test]
    fn bitmaps_round_trip() {
        // Ids 0..=11: two full characters (`_` = 63) beat 12 delta characters.
        assert_eq!(round_trip(&(0..12).collect::<Vec<_>>()), "~__");
        let dense: Vec<u32> = (0..200).filter(|i| i % 3 != 0).collect();
        assert!(round_trip(&dense).starts_with('~'));
        let ids = [0, 5, 6, 63, 64];
        let bitmap = encode_as_bitmap(&ids);
        // Char 0: ids 0 and 5 (1 + 32 = `h`); char 1: id 6; char 10: ids 63 and 64 (8 + 16).
        assert_eq!(bitmap, "~hBAAAAAAAAY");
        assert_eq!(decode(&bitmap).as_deref(), Ok(&ids[..]));
        // Trailing zero characters are trimmed, inner ones kept.
        assert_eq!(decode("~BAB"), Ok(vec![0, 12]));
    }

    /// The bitmap form regardless of length, to test the reader on both forms.
    fn encode_as_bitmap(ids: &[u32]) -> String {
        let last = ids.last().copied().unwrap_or(0) as usize;
        let mut values = vec![0u8; last / 6 + 1];
        for &id in ids {
            values[id as usize / 6] |= 1 << (id % 6);
        }
        std::iter::once(BITMAP)
            .chain(values.into_iter().map(|v| char::from(ALPHABET[usize::from(v)])))
            .collect()
    }

    #[test]
    fn the_shorter_form_wins_and_delta_wins_ties() {
        assert_eq!(choose(&[0, 5, 6, 63, 64]).0, Encoding::Delta);
        assert_eq!(choose(&(0..12).collect::<Vec<_>>()).0, Encoding::Bitmap);
        // [0, 1]: delta `AA` (2) against bitmap `~D` (2): a tie, delta.
        assert_eq!(choose(&[0, 1]), (Encoding::Delta, 2));
        assert_eq!(encode(&[0, 1]), "AA");
        // [0, 1, 2]: delta 3, bitmap `~H` 2.
        assert_eq!(encode(&[0, 1, 2]), "~H");
        // A term in every one of 100,000 docs costs N/6 characters, not N.
        let all: Vec<u32> = (0..100_000).collect();
        assert_eq!(choose(&all), (Encoding::Bitmap, 2 + 99_999 / 6));
        // A rare term far out stays short.
        assert_eq!(choose(&[99_999]), (Encoding::Delta, 4));
    }

    #[test]
    fn bad_sets_are_errors() {
        assert_eq!(decode("g"), Err(DecodeError::Truncated));
        assert_eq!(decode("A=B"), Err(DecodeError::Character('=')));
        assert_eq!(decode("~A+"), Err(DecodeError::Character('+')));
        assert_eq!(decode("_______"), Err(DecodeError::Truncated));
        // Seven groups of 5 bits and more to come: beyond 32 bits.
        assert_eq!(decode("________A"), Err(DecodeError::Overflow));
        // 2^35 - 1: fits the groups, not a u32.
        assert_eq!(decode("______H"), Err(DecodeError::Overflow));
    }

    #[test]
    fn utf16_order_matches_javascript() {
        let words = [
            "",
            "a",
            "ab",
            "b",
            "é",
            "ég",
            "z",
            "\u{D7FF}",
            "\u{E000}",
            "\u{FFFD}",
            "\u{FFFF}",
            "\u{10000}",
            "𝐚",
            "𝐚b",
            "😀",
            "\u{10FFFF}",
            "kafka",
            "kafkaé",
            "kafka\u{FFFF}",
            "kafka𝐚",
            "日本",
        ];
        for a in words {
            for b in words {
                let want = a.encode_utf16().cmp(b.encode_utf16());
                assert_eq!(utf16_cmp(a, b), want, "{a:?} vs {b:?}");
            }
        }
        // Where UTF-8 (byte) order and UTF-16 order disagree.
        assert_eq!(utf16_cmp("\u{FFFD}", "😀"), Ordering::Greater);
        assert_eq!("\u{FFFD}".cmp("😀"), Ordering::Less);
    }

    #[test]
    fn data_files_read_back() {
        let file = data_file("t/007", r#"{"k":["kafka"],"p":[["A","",""]]}"#);
        assert_eq!(
            String::from_utf8(file.clone()).expect("utf-8"),
            "pmSearchData(\"t/007\",{\"k\":[\"kafka\"],\"p\":[[\"A\",\"\",\"\"]]});\n"
        );
        let (key, json) =
            read_data_file(std::str::from_utf8(&file).expect("utf-8")).expect("reads");
        assert_eq!(key, "t/007");
        assert_eq!(json["k"][0], "kafka");
        assert!(read_data_file("pmSearchData(\"x\",{);\n").is_none());
    }
}

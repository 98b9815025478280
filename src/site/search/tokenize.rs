//! The tokenizer of site search. `search.js` runs the same steps on the query, so the two must
//! agree token for token (docs/search.md, "Tokenizer"): lowercase the whole text, split it into
//! maximal runs of alphabetic or numeric characters, keep runs of 2 to 40 characters, drop the
//! stop words; then [`stem`] each token made of ASCII letters (Snowball's English stemmer,
//! Porter2), so `expired`, `expiring` and `expiration` are one term.
//!
//! The text is lowercased before it is split, not token by token, because that is what the
//! client does with `toLowerCase()` on the query: lowercasing can change a string's shape
//! (Greek final sigma depends on its neighbours; `İ` becomes `i` plus a combining dot, which is
//! not alphanumeric and so splits the word).

/// Shortest kept token, in characters (Unicode scalar values, i.e. JS code points).
pub const MIN_CHARS: usize = 2;
/// Longest kept token, in characters. Longer runs (hashes, base64, minified code) are dropped
/// whole: nobody types them, and they would only grow the index.
pub const MAX_CHARS: usize = 40;

/// Words too common to help find anything, sorted. The manifest ships this list, so the client
/// drops the same words from queries.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into",
    "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will",
    "with",
];

/// Whether `token` (lowercase) is a stop word: [`STOP_WORDS`], spelled out by length as byte
/// comparisons, because the index asks for every token of every document.
pub fn is_stop_word(token: &str) -> bool {
    match *token.as_bytes() {
        [a] => a == b'a',
        [a, b] => matches!(
            [a, b],
            [b'a', b'n']
                | [b'a', b's']
                | [b'a', b't']
                | [b'b', b'e']
                | [b'b', b'y']
                | [b'i', b'n']
                | [b'i', b's']
                | [b'i', b't']
                | [b'o', b'f']
                | [b'o', b'n']
                | [b'o', b'r']
                | [b't', b'o']
        ),
        [a, b, c] => matches!(
            [a, b, c],
            [b'a', b'n', b'd']
                | [b'a', b'r', b'e']
                | [b'f', b'o', b'r']
                | [b'h', b'a', b's']
                | [b'i', b't', b's']
                | [b't', b'h', b'e']
                | [b'w', b'a', b's']
        ),
        [a, b, c, d] => matches!(
            [a, b, c, d],
            [b'f', b'r', b'o', b'm']
                | [b'h', b'a', b'v', b'e']
                | [b'i', b'n', b't', b'o']
                | [b't', b'h', b'a', b't']
                | [b't', b'h', b'i', b's']
                | [b'w', b'e', b'r', b'e']
                | [b'w', b'i', b'l', b'l']
                | [b'w', b'i', b't', b'h']
        ),
        _ => false,
    }
}

/// Calls `f` with every kept token of `text`, in order (repeats included).
///
/// Text is taken apart at ASCII whitespace. A piece of ASCII (most of a postmortem) is split
/// and lowercased byte by byte, without copying it; any other piece is lowercased whole first,
/// as the contract says. Taking the text apart changes nothing: whitespace separates tokens,
/// and the one lowercasing rule that looks at neighbours (final sigma) never looks past
/// whitespace.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            ascii &= bytes[i].is_ascii();
            i += 1;
        }
        // Both ends are ASCII whitespace or an end of the text: character boundaries.
        let Some(piece) = text.get(start..i) else { continue };
        if ascii {
            ascii_tokens(piece, &mut f);
        } else {
            for_each_token_lowercase(&piece.to_lowercase(), &mut f);
        }
    }
}

/// [`for_each_token`] on ASCII text.
fn ascii_tokens(text: &str, f: &mut impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut lower = [0u8; MAX_CHARS];
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let start = i;
        let mut upper = false;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            upper |= bytes[i].is_ascii_uppercase();
            i += 1;
        }
        let len = i - start;
        if !(MIN_CHARS..=MAX_CHARS).contains(&len) {
            continue;
        }
        let token = if upper {
            let buf = &mut lower[..len];
            buf.copy_from_slice(&bytes[start..i]);
            buf.make_ascii_lowercase();
            std::str::from_utf8(buf).unwrap_or_default()
        } else {
            text.get(start..i).unwrap_or_default()
        };
        if !is_stop_word(token) {
            f(token);
        }
    }
}

/// [`for_each_token`] on text that is already lowercased.
fn for_each_token_lowercase(lower: &str, f: &mut impl FnMut(&str)) {
    let mut start = 0;
    let mut chars = 0;
    for (i, c) in lower.char_indices() {
        if c.is_alphanumeric() {
            if chars == 0 {
                start = i;
            }
            chars += 1;
        } else if chars > 0 {
            emit(&lower[start..i], chars, f);
            chars = 0;
        }
    }
    if chars > 0 {
        emit(&lower[start..], chars, f);
    }
}

fn emit(token: &str, chars: usize, f: &mut impl FnMut(&str)) {
    if (MIN_CHARS..=MAX_CHARS).contains(&chars) && !is_stop_word(token) {
        f(token);
    }
}

/// The index term of a kept token: its Snowball English (Porter2) stem when it is made of ASCII
/// letters only (`certificates` → `certif`, `expired` → `expir`), else the token itself.
/// Numbers, codes and words of other scripts are not English words: stemming them would only
/// merge unrelated identifiers. `search.js` carries a port of the same algorithm
/// (`pmSearchStem`), checked word for word against this one over the Snowball sample
/// vocabulary by `tests/it/search_stem.rs`.
pub fn stem(token: &str) -> std::borrow::Cow<'_, str> {
    static ENGLISH: std::sync::LazyLock<rust_stemmers::Stemmer> = std::sync::LazyLock::new(|| {
        rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
    });
    if token.bytes().all(|b| b.is_ascii_lowercase()) {
        ENGLISH.stem(token)
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

/// What a token is made of, which decides the shards it goes to when it is not listed: words,
/// numbers and codes are kept apart, so that a word's shard is not padded out with the many
/// numbers and hashes of a big index (the client tells them apart by the same rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No numeric character: `kafka`, `größe`.
    Word,
    /// Only numeric characters, or short with some: `502`, `13690`, `47s`, `p99`, `k8s`.
    Number,
    /// At least [`LONG_CODE`] characters, some numeric and some not: commit hashes, `v1beta2`.
    Code,
}

/// Characters from which a token mixing digits and other characters is a code rather than a
/// number. Short mixed tokens (durations such as `47s`, `p99`, `k8s`, `ipv6`) are few and
/// searched for like numbers; long ones are mostly hashes and ids, by far the most numerous
/// terms of a big index, and kept apart so they do not pad out the shards of the others.
pub const LONG_CODE: usize = 6;

/// The kind of `token` (Rust `char::is_numeric`, JavaScript `\p{N}`; length in code points).
pub fn kind(token: &str) -> Kind {
    let (mut chars, mut numeric) = (0, 0);
    for c in token.chars() {
        chars += 1;
        numeric += usize::from(c.is_numeric());
    }
    if numeric == 0 {
        Kind::Word
    } else if numeric == chars || chars < LONG_CODE {
        Kind::Number
    } else {
        Kind::Code
    }
}

/// Every kept token of `text`, in order (for tests and tools; the index uses
/// [`for_each_token`]).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_stemmed_and_nothing_else() {
        for (word, want) in [
            ("certificate", "certif"),
            ("certificates", "certif"),
            ("expired", "expir"),
            ("expiration", "expir"),
            ("expiring", "expir"),
            ("failures", "failur"),
            ("certain", "certain"),
            ("running", "run"),
            ("generously", "generous"),
            ("skies", "sky"),
            ("kafka", "kafka"),
        ] {
            assert_eq!(stem(word), want, "{word}");
        }
        // Numbers, codes, other scripts and anything not lowercase ASCII letters stay whole.
        for token in ["p99", "ipv6", "2025", "größe", "ошибки", "36a930be7e97", "Running"] {
            assert_eq!(stem(token), token, "{token}");
        }
    }

    #[test]
    fn words_numbers_and_codes() {
        for word in ["kafka", "größe", "日本語", "sixsix"] {
            assert_eq!(kind(word), Kind::Word, "{word}");
        }
        for number in ["502", "2025", "13690", "٣٤٥", "²³", "p99", "k8s", "ipv6", "47s", "٣٤٥ab"]
        {
            assert_eq!(kind(number), Kind::Number, "{number}");
        }
        for code in ["36a930be7e97", "٣٤٥abc", "v1beta2", "http20", "123456x"] {
            assert_eq!(kind(code), Kind::Code, "{code}");
        }
    }

    #[test]
    fn stop_words_are_sorted_lowercase_and_short() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "sorted for binary search");
        for w in STOP_WORDS {
            assert!(w.len() <= 5 && w.chars().all(|c| c.is_ascii_lowercase()), "{w}");
            assert!(is_stop_word(w));
        }
        assert!(!is_stop_word("kafka") && !is_stop_word("then") && !is_stop_word(""));
    }

    #[test]
    fn stop_words_are_exactly_the_list() {
        // Every string of up to four ASCII letters, and the list's own words.
        let letters = b'a'..=b'z';
        let mut words: Vec<String> = Vec::new();
        for a in letters.clone() {
            words.push(char::from(a).to_string());
            for b in letters.clone() {
                words.push(String::from_utf8(vec![a, b]).expect("ascii"));
                for c in letters.clone() {
                    words.push(String::from_utf8(vec![a, b, c]).expect("ascii"));
                    for d in letters.clone() {
                        words.push(String::from_utf8(vec![a, b, c, d]).expect("ascii"));
                    }
                }
            }
        }
        words.extend(["thats", "theme", "withs", "willy", "wither"].map(String::from));
        for w in &words {
            assert_eq!(is_stop_word(w), STOP_WORDS.contains(&w.as_str()), "{w}");
        }
    }

    #[test]
    fn ascii_lines_and_other_lines_agree() {
        // The byte path and the Unicode path give the same tokens for ASCII text.
        let text = "The Kafka CONSUMER-lag was 5 min; INC-2025-0019 and the RUNBOOK. x1 Y2 \
                    p99 of 10:23 / Zz {AbC}_dEf";
        assert!(text.is_ascii());
        let mut slow = Vec::new();
        for_each_token_lowercase(&text.to_lowercase(), &mut |t: &str| slow.push(t.to_owned()));
        assert_eq!(tokens(text), slow);
        // Pieces between whitespace are independent; a non-ASCII one takes the Unicode path.
        assert_eq!(
            tokens("Kafka\nLAG\r\nÜber\tlag — ÖL-Preis x—y"),
            ["kafka", "lag", "über", "lag", "öl", "preis"]
        );
        // Final sigma looks past `.` (case-ignorable), never past whitespace: the same
        // result as lowercasing the whole text.
        let greek = "ΟΔΟΣ ΟΔΟΣ.ΟΔΟΣ\tΣΑ";
        assert_eq!(tokens(greek), ["οδος", "οδοσ", "οδος", "σα"]);
        let mut whole = Vec::new();
        for_each_token_lowercase(&greek.to_lowercase(), &mut |t: &str| whole.push(t.to_owned()));
        assert_eq!(tokens(greek), whole);
        let long = format!("{}\n{}", "A".repeat(41), "B".repeat(40));
        assert_eq!(tokens(&long), ["b".repeat(40)]);
    }

    proptest::proptest! {
        /// The fast path (ASCII pieces, byte by byte) never differs from the contract's
        /// definition (lowercase the whole text, then split), whatever the text.
        #[test]
        fn pieces_agree_with_the_whole_text(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                'a', 'Z', 'k', '0', '9', ' ', '\n', '\t', '-', '.', '\'', '_', 'Σ', 'ς', 'Ο',
                'İ', 'ß', 'é', '\u{301}', '日', '²', '—', '\u{2028}', '\u{a0}', '𐐀',
            ]), 0..60)
        ) {
            let text: String = chars.into_iter().collect();
            let mut whole = Vec::new();
            for_each_token_lowercase(&text.to_lowercase(), &mut |t: &str| whole.push(t.to_owned()));
            proptest::prop_assert_eq!(tokens(&text), whole);
        }
    }

    #[test]
    fn splits_lowercases_and_drops() {
        assert_eq!(
            tokens("The Kafka consumer-lag was 5 min; see INC-2025-0019 and the runbook."),
            ["kafka", "consumer", "lag", "min", "see", "inc", "2025", "0019", "runbook"]
        );
        // `a`, `5`, `x` are one character; punctuation, markdown and emoji only separate.
        assert_eq!(
            tokens("**a** `x` 5 [link](https://ex.example/p?q=1) 🚒 ok"),
            ["link", "https", "ex", "example", "ok"]
        );
        assert_eq!(tokens(""), Vec::<String>::new());
        assert_eq!(tokens("  \n\t--- "), Vec::<String>::new());
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        let forty = "x".repeat(40);
        let forty_one = "x".repeat(41);
        assert_eq!(tokens(&format!("{forty} {forty_one} yy")), [forty.as_str(), "yy"]);
        // 40 two-byte characters (80 bytes) are still one 40-character token.
        let umlauts = "ä".repeat(40);
        assert_eq!(tokens(&umlauts), [umlauts.as_str()]);
        assert_eq!(tokens(&"ä".repeat(41)), Vec::<String>::new());
        // A single non-ASCII letter is still one character: dropped.
        assert_eq!(tokens("é ü 日"), Vec::<String>::new());
        // Astral characters count once (JS must count code points, not UTF-16 units).
        let astral = "𐐀𐐁";
        assert_eq!(tokens(astral), ["𐐨𐐩"]);
    }

    #[test]
    fn unicode_letters_and_numbers() {
        assert_eq!(tokens("Größe ÜBER Straße"), ["größe", "über", "straße"]);
        assert_eq!(tokens("Ошибка DNS-сервера"), ["ошибка", "dns", "сервера"]);
        assert_eq!(tokens("東京リージョン 障害"), ["東京リージョン", "障害"]);
        // Numbers of any script are numeric: `²` (No), Arabic-Indic digits (Nd), `Ⅻ` (Nl, with a lowercase).
        assert_eq!(tokens("x² ٤٥ ⅫⅠ"), ["x²", "٤٥", "ⅻⅰ"]);
        // No diacritic folding: `café` and `cafe` are different words.
        assert_eq!(tokens("café cafe"), ["café", "cafe"]);
        // Final sigma follows its position, as JS toLowerCase does.
        assert_eq!(tokens("ΟΔΟΣ"), ["οδος"]);
        // `İ` lowercases to `i` + U+0307 (a combining mark, not alphanumeric), which splits.
        assert_eq!(tokens("İstanbul"), ["stanbul"]);
        // Underscores and apostrophes separate.
        assert_eq!(tokens("retry_loop don't"), ["retry", "loop", "don"]);
    }
}

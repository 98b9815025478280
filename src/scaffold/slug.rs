//! File-name slugs from titles: `Checkout returned 5xx (EU)` → `checkout-returned-5xx-eu`.
//!
//! A title is user input, and it becomes part of a path. The slug therefore holds only
//! lowercase ASCII letters, digits and single hyphens — no separators, no dots (so no `..`), no
//! leading or trailing hyphen — and is bounded in length, cut at a word boundary.

/// The longest slug, in bytes (ASCII, so also in characters).
pub const MAX_LEN: usize = 50;

/// What a title with no usable characters becomes.
pub const FALLBACK: &str = "postmortem";

/// The slug of `title`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len().min(MAX_LEN * 2));
    // Start as if after a hyphen, so the slug never begins with one.
    let mut hyphen = true;
    for c in title.chars() {
        let folded = fold(c);
        if folded.is_empty() {
            if !hyphen {
                slug.push('-');
                hyphen = true;
            }
            continue;
        }
        for f in folded.chars() {
            slug.push(f);
        }
        hyphen = false;
    }
    let slug = slug.trim_end_matches('-');
    let slug = truncate(slug);
    if slug.is_empty() { FALLBACK.to_owned() } else { slug.to_owned() }
}

/// Cuts `slug` to [`MAX_LEN`], at the last hyphen when there is one in the second half (so
/// words stay whole), else mid-word.
fn truncate(slug: &str) -> &str {
    if slug.len() <= MAX_LEN {
        return slug;
    }
    // ASCII only, so every byte index is a char boundary.
    let cut = &slug[..MAX_LEN];
    if slug.as_bytes()[MAX_LEN] == b'-' {
        // The cut falls between two words already.
        return cut;
    }
    match cut.rfind('-') {
        Some(i) if i >= MAX_LEN / 2 => &cut[..i],
        _ => cut.trim_end_matches('-'),
    }
}

/// The lowercase ASCII spelling of `c`: itself for ASCII letters and digits, a transliteration
/// for common Latin letters with diacritics, and nothing (a word break) for everything else.
fn fold(c: char) -> &'static str {
    const ASCII: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    let lower = c.to_ascii_lowercase();
    if lower.is_ascii_digit() || lower.is_ascii_lowercase() {
        let i = ASCII.find(lower).unwrap_or(0);
        return &ASCII[i..=i];
    }
    match c {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' | 'Ā' => {
            "a"
        }
        'ä' | 'Ä' | 'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'ð' | 'Ď' | 'Đ' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ě' => {
            "e"
        }
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'İ' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ł' | 'ľ' | 'ĺ' | 'Ł' | 'Ľ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => "o",
        'ö' | 'Ö' | 'œ' | 'Œ' => "oe",
        'ř' | 'ŕ' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ů' => "u",
        'ü' | 'Ü' => "ue",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_hyphenated_lowercase() {
        assert_eq!(slugify("Checkout returned 5xx (EU)"), "checkout-returned-5xx-eu");
        assert_eq!(slugify("  --Checkout   5xx--  "), "checkout-5xx");
        assert_eq!(slugify("Zürich DNS ausfälle: Größe"), "zuerich-dns-ausfaelle-groesse");
    }

    #[test]
    fn separators_and_dots_never_survive() {
        for hostile in ["../../etc/passwd", "a/b\\c", "..", ".hidden", "x\0y", "C:\\Windows"] {
            let slug = slugify(hostile);
            assert!(
                slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{hostile:?} -> {slug:?}"
            );
            assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        }
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
    }

    #[test]
    fn empty_titles_fall_back() {
        assert_eq!(slugify(""), FALLBACK);
        assert_eq!(slugify("🔥🔥 — !!"), FALLBACK);
        assert_eq!(slugify("障害"), FALLBACK);
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let slug = slugify(
            "Checkout returned errors for forty minutes after a configuration push to every region",
        );
        assert!(slug.len() <= MAX_LEN, "{slug}");
        assert_eq!(slug, "checkout-returned-errors-for-forty-minutes-after-a");
        let slug = slugify(&"a".repeat(200));
        assert_eq!(slug.len(), MAX_LEN);
    }
}

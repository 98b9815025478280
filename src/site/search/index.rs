//! The inverted index: every term (a token's stem, [`stem`]) of every document, with the
//! documents it occurs in and the best tier it occurs in there.
//!
//! Documents are tokenized in parallel, in contiguous chunks of doc ids. Each chunk fills its
//! own maps, one per partition of the key space (by hash), so the partitions can then be merged
//! in parallel too: partition `p` of every chunk, in chunk order, which keeps each postings
//! list ascending without sorting it. Hash order never reaches the output: the merged terms are
//! sorted by key before anything is written.
//!
//! Tokens are stemmed once per distinct token, after the merge, not once per occurrence: the
//! tokens that share a stem (`expired`, `expiring`, `expiration`) are then one term whose
//! postings are the union of theirs, each document at the best tier any of them had.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::encode::utf16_cmp;
use super::tokenize::{for_each_token, stem};
use crate::site::manifest::KeyHasher;

/// Where in a document a token occurs: 0 (title, summary, id), 1 (metadata), 2 (body). Lower is
/// better.
pub type Tier = u8;

/// How many tiers there are.
pub const TIERS: usize = 3;

/// A term and the documents it occurs in, per tier. The tiers are disjoint: a document is only
/// in the best tier it has the term in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The token.
    pub key: Box<str>,
    /// Ascending doc ids, per tier.
    pub tiers: [Vec<u32>; TIERS],
}

/// Key partitions per chunk: enough to keep both cores busy while merging.
const PARTS: usize = 64;

/// A posting is `doc << 2 | tier`, so a list of them is ascending by doc.
type Postings = Vec<u32>;

/// Tokens of up to 16 bytes (nearly all) are keyed by their bytes packed in a `u128`: compared
/// and hashed as two machine words, with no allocation and no `memcmp`. Token bytes are never
/// zero (UTF-8 of a letter or digit), so the zero padding cannot be confused with content.
type ShortMap = HashMap<u128, Postings, BuildHasherDefault<FxHasher>>;
type LongMap = HashMap<Box<str>, Postings, BuildHasherDefault<FxHasher>>;

/// One partition of the key space.
#[derive(Default, Clone)]
struct Part {
    short: ShortMap,
    long: LongMap,
}

/// The tokens of each chunk of documents one build tokenized, for the next build in the same
/// process (`pm serve`): a chunk whose documents are the same, at the same ids, is not
/// tokenized again. Keyed by the chunk's place and its documents' keys (a hash of everything
/// [`invert`]'s `fields` gives for each), so what it gives is what tokenizing would.
#[derive(Default)]
pub struct Memo {
    chunks: std::sync::Mutex<HashMap<u128, std::sync::Arc<Vec<Part>>>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// Inverts `n` documents. `fields(doc, sink)` passes each text field of `doc` to `sink` with its
/// tier. Returns every term (stems and the tokens that are not stemmed), sorted by key in UTF-16
/// order.
pub fn invert<F>(n: usize, fields: F) -> Vec<Term>
where
    F: Fn(usize, &mut dyn FnMut(Tier, &str)) + Sync,
{
    invert_remembering(n, fields, None).0
}

/// [`invert`], reusing the chunks `memo` kept whose documents have the same `keys` (one per
/// document) as before, and keeping this build's chunks in it; with how many chunks were
/// reused, of how many.
pub fn invert_remembering<F>(
    n: usize,
    fields: F,
    memo: Option<(&Memo, &[u128])>,
) -> (Vec<Term>, (usize, usize))
where
    F: Fn(usize, &mut dyn FnMut(Tier, &str)) + Sync,
{
    if n == 0 {
        return (Vec::new(), (0, 0));
    }
    let chunks = (rayon::current_num_threads() * 4).clamp(1, n);
    let chunk_len = n.div_ceil(chunks);
    let range = |c: usize| c * chunk_len..n.min((c + 1) * chunk_len);
    let memo = memo.filter(|(_, keys)| keys.len() == n);
    let chunk_key = |c: usize| -> Option<u128> {
        let (_, keys) = memo?;
        let mut h = KeyHasher::default();
        let r = range(c);
        h.bytes(&(r.start as u64).to_le_bytes()).bytes(&(r.end as u64).to_le_bytes());
        for &key in &keys[r] {
            h.key(key);
        }
        Some(h.finish())
    };
    let previous = memo
        .and_then(|(memo, _)| memo.chunks.lock().ok().map(|mut c| std::mem::take(&mut *c)))
        .unwrap_or_default();
    let made: Vec<(Option<u128>, std::sync::Arc<Vec<Part>>, bool)> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let key = chunk_key(c);
            if let Some(kept) = key.and_then(|k| previous.get(&k)) {
                return (key, std::sync::Arc::clone(kept), true);
            }
            let mut parts: Vec<Part> = (0..PARTS).map(|_| Part::default()).collect();
            for doc in range(c) {
                let id = u32::try_from(doc).unwrap_or(u32::MAX >> 2);
                fields(doc, &mut |tier, text| {
                    for_each_token(text, |token| add(&mut parts, token, id, tier));
                });
            }
            (key, std::sync::Arc::new(parts), false)
        })
        .collect();
    let reused = made.iter().filter(|(_, _, reused)| *reused).count();
    if let Some((memo, _)) = memo {
        let kept =
            made.iter().filter_map(|(k, parts, _)| Some(((*k)?, std::sync::Arc::clone(parts))));
        if let Ok(mut chunks) = memo.chunks.lock() {
            *chunks = kept.collect();
        }
    }
    // The merge takes the maps apart: a chunk still kept by the memo is copied, which costs a
    // small part of tokenizing it.
    let partials: Vec<Vec<Part>> = made
        .into_par_iter()
        .map(|(_, parts, _)| {
            std::sync::Arc::try_unwrap(parts).unwrap_or_else(|kept| (*kept).clone())
        })
        .collect();

    // Transpose: partition by partition, the chunks' maps in doc order.
    let mut by_part: Vec<Vec<Part>> = (0..PARTS).map(|_| Vec::with_capacity(chunks)).collect();
    for parts in partials {
        for (p, part) in parts.into_iter().enumerate() {
            by_part[p].push(part);
        }
    }
    let tokens: Vec<Term> = by_part
        .into_par_iter()
        .flat_map_iter(|parts| {
            let mut parts = parts.into_iter();
            let mut merged = parts.next().unwrap_or_default();
            for part in parts {
                merge(&mut merged.short, part.short);
                merge(&mut merged.long, part.long);
            }
            let short = merged
                .short
                .into_iter()
                .map(|(key, postings)| Term { key: unpack(key).into(), tiers: split(&postings) });
            let long = merged
                .long
                .into_iter()
                .map(|(key, postings)| Term { key, tiers: split(&postings) });
            short.chain(long)
        })
        .collect();
    (by_stem(tokens), (reused, chunks))
}

/// The tokens grouped by their stem, one term per stem, sorted by key.
fn by_stem(tokens: Vec<Term>) -> Vec<Term> {
    let mut stemmed: Vec<Term> = tokens
        .into_par_iter()
        .map(|t| match stem(&t.key) {
            std::borrow::Cow::Borrowed(_) => t,
            std::borrow::Cow::Owned(s) => Term { key: s.into(), tiers: t.tiers },
        })
        .collect();
    stemmed.par_sort_unstable_by(|a, b| utf16_cmp(&a.key, &b.key));
    // Runs of one key, merged in parallel: the common words of a big repository have several
    // forms of thousands of documents each.
    let mut groups: Vec<Vec<Term>> = Vec::new();
    for t in stemmed {
        match groups.last_mut() {
            Some(group) if group[0].key == t.key => group.push(t),
            _ => groups.push(vec![t]),
        }
    }
    groups.into_par_iter().map(union).collect()
}

/// One term of the terms of one key: their postings' union, each document at its best tier.
fn union(mut group: Vec<Term>) -> Term {
    if group.len() == 1 {
        return group.swap_remove(0);
    }
    let mut postings: Postings = Vec::new();
    for term in &group {
        for (tier, docs) in (0u32..).zip(&term.tiers) {
            postings.extend(docs.iter().map(|&d| d << 2 | tier));
        }
    }
    // Ascending: by doc, then by tier, so the first of a doc is its best.
    postings.sort_unstable();
    postings.dedup_by_key(|p| *p >> 2);
    let key = std::mem::take(&mut group[0].key);
    Term { key, tiers: split(&postings) }
}

/// Appends the postings of `from` (later documents) to those of `into`.
fn merge<K: std::hash::Hash + Eq>(
    into: &mut HashMap<K, Postings, BuildHasherDefault<FxHasher>>,
    from: HashMap<K, Postings, BuildHasherDefault<FxHasher>>,
) {
    for (key, postings) in from {
        match into.get_mut(&key) {
            Some(list) => list.extend(postings),
            None => {
                into.insert(key, postings);
            }
        }
    }
}

/// Records that `token` occurs in `doc` at `tier`.
fn add(parts: &mut [Part], token: &str, doc: u32, tier: Tier) {
    let posting = doc << 2 | u32::from(tier);
    let push = |list: &mut Postings| match list.last_mut() {
        // Seen in this document already: keep the best tier.
        Some(last) if *last >> 2 == doc => *last = (*last).min(posting),
        _ => list.push(posting),
    };
    match pack(token) {
        Some(key) => {
            let part = &mut parts[part_of(key as u64 ^ (key >> 64) as u64 ^ token.len() as u64)];
            push(part.short.entry(key).or_default());
        }
        None => {
            let mut h = FxHasher::default();
            h.write(token.as_bytes());
            let part = &mut parts[part_of(h.finish())];
            match part.long.get_mut(token) {
                Some(list) => push(list),
                None => {
                    part.long.insert(token.into(), vec![posting]);
                }
            }
        }
    }
}

/// A token of up to 16 bytes as a `u128`.
fn pack(token: &str) -> Option<u128> {
    let bytes = token.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    let mut word = [0u8; 16];
    word[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(word))
}

/// The token packed by [`pack`].
fn unpack(key: u128) -> String {
    let bytes = key.to_le_bytes();
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(16);
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

/// The partition of a key's hash: its own mix, so that the keys of one partition do not share
/// the hash bits the map itself uses.
fn part_of(hash: u64) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % PARTS
}

/// Postings (`doc << 2 | tier`, ascending by doc) as one ascending doc list per tier.
fn split(postings: &[u32]) -> [Vec<u32>; TIERS] {
    let mut tiers: [Vec<u32>; TIERS] = Default::default();
    for &p in postings {
        if let Some(list) = tiers.get_mut((p & 3) as usize) {
            list.push(p >> 2);
        }
    }
    tiers
}

/// The Fx hash (rustc's): much faster than SipHash on the short keys of a term map, and the
/// keys come from the repository, not from an attacker looking for collisions.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inverts documents given as (tier, text) fields.
    fn invert_docs(docs: &[&[(Tier, &str)]]) -> Vec<Term> {
        invert(docs.len(), |d, sink| {
            for &(tier, text) in docs[d] {
                sink(tier, text);
            }
        })
    }

    fn term<'a>(terms: &'a [Term], key: &str) -> &'a Term {
        terms.iter().find(|t| &*t.key == key).unwrap_or_else(|| panic!("no term {key}"))
    }

    #[test]
    fn tiers_are_disjoint_and_keep_the_best() {
        let docs: &[&[(Tier, &str)]] = &[
            &[(0, "Kafka lag"), (1, "kafka"), (2, "kafka kafka lag")],
            &[(2, "consumer lag on kafka"), (1, "Kafka")],
            &[(2, "nothing here")],
            &[(1, "lag")],
        ];
        let terms = invert_docs(docs);
        assert_eq!(term(&terms, "kafka").tiers, [vec![0], vec![1], vec![]]);
        assert_eq!(term(&terms, "lag").tiers, [vec![0], vec![3], vec![1]]);
        assert_eq!(term(&terms, "consum").tiers, [vec![], vec![], vec![1]]);
        for t in &terms {
            let mut all: Vec<u32> = t.tiers.iter().flatten().copied().collect();
            let n = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), n, "{} is in two tiers of one document", t.key);
            assert!(t.tiers.iter().all(|l| l.windows(2).all(|w| w[0] < w[1])), "{}", t.key);
        }
        // Stop words and one-character tokens are not terms.
        assert!(terms.iter().all(|t| &*t.key != "on" && &*t.key != "a"));
    }

    #[test]
    fn tokens_with_one_stem_are_one_term() {
        let docs: &[&[(Tier, &str)]] = &[
            &[(2, "the certificate expired")],
            &[(0, "Certificates expiring"), (2, "expiration")],
            &[(1, "certain expiry")],
        ];
        let terms = invert_docs(docs);
        assert_eq!(term(&terms, "certif").tiers, [vec![1], vec![], vec![0]]);
        assert_eq!(term(&terms, "expir").tiers, [vec![1], vec![], vec![0]]);
        assert_eq!(term(&terms, "expiri").tiers, [vec![], vec![2], vec![]]);
        assert_eq!(term(&terms, "certain").tiers, [vec![], vec![2], vec![]]);
        assert!(terms.iter().all(|t| &*t.key != "certificate" && &*t.key != "expired"));
        let keys: Vec<&str> = terms.iter().map(|t| &*t.key).collect();
        assert!(keys.windows(2).all(|w| utf16_cmp(w[0], w[1]).is_lt()), "{keys:?}");
    }

    #[test]
    fn keys_are_sorted_in_utf16_order_and_unique() {
        let docs: &[&[(Tier, &str)]] =
            &[&[(2, "zz \u{FFFD}\u{FFFD} 😀😀 ab éé")], &[(2, "ab zz b2")]];
        let terms = invert_docs(docs);
        let keys: Vec<&str> = terms.iter().map(|t| &*t.key).collect();
        // U+FFFD is not alphanumeric: it separates, it is never a key.
        assert_eq!(keys, ["ab", "b2", "zz", "éé"]);
        assert!(keys.windows(2).all(|w| w[0].encode_utf16().cmp(w[1].encode_utf16()).is_lt()));
    }

    #[test]
    fn many_documents_merge_in_order() {
        // More documents than chunks, so postings cross chunk boundaries.
        let texts: Vec<String> = (0..1000).map(|i| format!("common n{} t{}", i % 7, i)).collect();
        let terms = invert(texts.len(), |d, sink| sink(2, &texts[d]));
        assert_eq!(term(&terms, "common").tiers[2], (0..1000).collect::<Vec<u32>>());
        let n3: Vec<u32> = (0..1000).filter(|i| i % 7 == 3).collect();
        assert_eq!(term(&terms, "n3").tiers[2], n3);
        assert_eq!(term(&terms, "t999").tiers[2], [999]);
        assert_eq!(terms.len(), 1 + 7 + 1000);
        assert!(invert(0, |_, _| {}).is_empty());
    }

    #[test]
    fn short_and_long_keys_round_trip() {
        for token in ["ab", "kafka", "0123456789abcdef", "größe", "日本語", "ä1ö2ü3ß4é"] {
            let key = pack(token).expect("16 bytes or fewer");
            assert_eq!(unpack(key), token);
        }
        assert!(pack("0123456789abcdefg").is_none() && pack("日本語のテキスト").is_none());
        let long = "x".repeat(40);
        let texts = [format!("{long} ab"), format!("ab {long} 0123456789abcdefg")];
        let terms = invert(2, |d, sink| sink(2, &texts[d]));
        assert_eq!(term(&terms, &long).tiers[2], [0, 1]);
        assert_eq!(term(&terms, "ab").tiers[2], [0, 1]);
        assert_eq!(term(&terms, "0123456789abcdefg").tiers[2], [1]);
    }
}

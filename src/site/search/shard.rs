//! How the index is cut into files: which terms get files of their own, how the others are cut
//! into shards, and how many documents go in each block.
//!
//! The sizes follow from N and from the index itself, so that the file count stays within the
//! index's budget of 1,000 files ([`MAX_FILES`]) by construction, whatever the repository: at most
//! [`MAX_LISTED_FILES`] files of listed terms, [`MAX_WORD_SHARDS`], [`MAX_NUMBER_SHARDS`] and
//! [`MAX_CODE_SHARDS`] shards of the other terms, [`MAX_FACET_SHARDS`] facet shards,
//! [`MAX_DOC_BLOCKS`] document blocks and the manifest.
//!
//! A query's cost is the size of the files it loads: one term file per word and the blocks of
//! the results shown. Three choices keep that small (docs/BENCHMARKS.md, "Site search index",
//! has the measurements behind them):
//! - **Big terms are listed.** A term whose postings are big gets a file of its own (or shares
//!   one with a few other big terms), named in the manifest, so a query for it loads its own
//!   postings and nothing else. Terms that occur in titles go first: titles name what an
//!   incident was about, which is what people search for. Big terms that never occur in a
//!   title (template wording, timestamps) share bigger files.
//! - **Numbers and codes apart from words.** The long tail of rare terms is mostly numbers and
//!   codes (commit hashes: see [`super::tokenize::kind`]); they get shards of their own, so a
//!   word's shard, which every prefix typed loads, is not padded out with them.
//! - **Newer documents in smaller blocks.** Equal scores rank newest first, so the first page of
//!   a query draws from the newest documents far more often than from the oldest: the first
//!   [`RECENT_BLOCKS`] blocks hold half as many documents as the others.
//!
//! Small repositories get fewer, fuller files instead (a minimum block and shard size): a
//! handful of requests beats dozens of tiny ones.

use std::ops::Range;

/// Most files of listed terms.
pub const MAX_LISTED_FILES: usize = 420;
/// Most shards of unlisted words.
pub const MAX_WORD_SHARDS: usize = 10;
/// Most shards of unlisted numbers.
pub const MAX_NUMBER_SHARDS: usize = 40;
/// Most shards of unlisted codes.
pub const MAX_CODE_SHARDS: usize = 30;
/// Most facet shards (loaded only when a filter is ticked, so they can be bigger).
pub const MAX_FACET_SHARDS: usize = 20;
/// Most document blocks.
pub const MAX_DOC_BLOCKS: usize = 470;
/// Blocks of the newest documents, half the size of the others.
pub const RECENT_BLOCKS: usize = 120;
/// Fewest documents per block.
pub const MIN_BLOCK: usize = 64;
/// Smallest shard target, in bytes.
pub const MIN_TARGET: usize = 16 * 1024;
/// The smallest entry that is listed, in bytes (see [`list_min`]).
pub const LIST_MIN: usize = 256;
/// How full a file of several listed terms may be, in bytes, unless the budget needs more.
pub const PACK_TARGET: usize = 88 * 1024;
/// The index's file budget: at most this many files, whatever the repository.
pub const MAX_FILES: usize = 1000;

/// Every data file: listed files, shards, blocks and the manifest.
pub const MAX_DATA_FILES: usize = MAX_LISTED_FILES
    + MAX_WORD_SHARDS
    + MAX_NUMBER_SHARDS
    + MAX_CODE_SHARDS
    + MAX_FACET_SHARDS
    + MAX_DOC_BLOCKS
    + 1;

const _: () = assert!(MAX_DATA_FILES <= MAX_FILES, "the plan must fit the file budget");

/// The document blocks of `docs` documents, as runs of `[size, count]`: `count` consecutive
/// blocks of `size` documents each (the very last block may hold fewer). At most
/// [`MAX_DOC_BLOCKS`] blocks of at least [`MIN_BLOCK`] documents.
pub fn block_runs(docs: usize) -> Vec<[usize; 2]> {
    let base = MIN_BLOCK.max(docs.div_ceil(MAX_DOC_BLOCKS));
    let recent = base / 2;
    if recent < MIN_BLOCK {
        return if docs == 0 { Vec::new() } else { vec![[base, docs.div_ceil(base)]] };
    }
    let rest = docs - RECENT_BLOCKS * recent;
    let older = rest.div_ceil(MAX_DOC_BLOCKS - RECENT_BLOCKS);
    vec![[recent, RECENT_BLOCKS], [older, rest.div_ceil(older)]]
}

/// The doc id ranges of the blocks that `runs` describe, for `docs` documents.
pub fn blocks(runs: &[[usize; 2]], docs: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for &[size, count] in runs {
        for _ in 0..count {
            if start >= docs {
                return out;
            }
            out.push(start..docs.min(start + size));
            start += size;
        }
    }
    out
}

/// Cuts entries of the given sizes, in order, into consecutive shards of at most `target`
/// bytes: a shard is closed before an entry that would take it over. An entry bigger than
/// `target` is a shard of its own. Two neighbouring shards together hold more than `target`,
/// so there are at most `2 * total / target + 1`; none is empty.
pub fn cut(sizes: &[usize], target: usize) -> Vec<Range<usize>> {
    let mut shards = Vec::new();
    let (mut start, mut filled) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && filled + size > target {
            shards.push(start..i);
            (start, filled) = (i, 0);
        }
        filled += size;
    }
    if start < sizes.len() {
        shards.push(start..sizes.len());
    }
    shards
}

/// Shards of at least `min_target` bytes, as many as `max_shards` allows: [`cut`] with the
/// smallest target that yields at most `max_shards` shards. (The count only falls as the
/// target grows, so a binary search finds it; a few dozen passes over the sizes.)
pub fn cut_within(sizes: &[usize], max_shards: usize, min_target: usize) -> Vec<Range<usize>> {
    let fits = |target: usize| cut(sizes, target).len() <= max_shards.max(1);
    let total: usize = sizes.iter().sum();
    let (mut low, mut high) = (min_target.max(1), total.max(min_target).max(1));
    if fits(low) {
        return cut(sizes, low);
    }
    // `high` fits (one shard), `low` does not.
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if fits(mid) { high = mid } else { low = mid }
    }
    cut(sizes, high)
}

/// Files for listed terms given in priority order (`sizes[i]` is the entry of the i-th most
/// important): the first ones get a file each, the others share files of up to
/// [`PACK_TARGET`] bytes (in the same order), with as many files of their own as
/// `max_files` leaves room for. Returns the file of each entry; files are numbered in priority
/// order.
pub fn pack_listed(sizes: &[usize], max_files: usize) -> Vec<usize> {
    let max_files = max_files.max(1);
    let files = |solo: usize, target: usize| solo + cut(&sizes[solo..], target).len();
    let mut target = PACK_TARGET;
    // With nothing alone, a target big enough for the budget (one file holds everything).
    if files(0, target) > max_files {
        let (mut low, mut high) = (target, sizes.iter().sum::<usize>().max(target));
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            if files(0, mid) <= max_files { high = mid } else { low = mid }
        }
        target = high;
    }
    // The most entries alone that still fit: `files` only grows with `solo`.
    let (mut low, mut high) = (0, sizes.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        if files(mid, target) <= max_files { low = mid } else { high = mid - 1 }
    }
    let solo = low;
    let mut out: Vec<usize> = (0..solo).collect();
    for (n, range) in cut(&sizes[solo..], target).into_iter().enumerate() {
        out.extend(range.map(|_| solo + n));
    }
    out
}

/// How big a term's entry must be to be listed, in an index of `docs` documents whose words
/// take `word_bytes`: an eighth of a full bitmap (`docs / 6` bytes) and at least [`LIST_MIN`];
/// nothing is listed when all words fit in [`MAX_WORD_SHARDS`] shards of the minimum size
/// (a small site is best served by a few shards).
pub fn list_min(docs: usize, word_bytes: usize) -> usize {
    if word_bytes <= MAX_WORD_SHARDS * MIN_TARGET { usize::MAX } else { LIST_MIN.max(docs / 48) }
}

/// The name of file `n` of a kind: `t/007`.
pub fn key(kind: &str, n: usize) -> String {
    format!("{kind}/{n:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_cover(shards: &[Range<usize>], n: usize) {
        let mut next = 0;
        for s in shards {
            assert_eq!(s.start, next, "consecutive");
            assert!(!s.is_empty());
            next = s.end;
        }
        assert_eq!(next, n, "every entry in a shard");
    }

    #[test]
    fn shards_cover_every_entry_once_and_stay_under_the_target() {
        let sizes: Vec<usize> = (0..10_000).map(|i| 1 + (i * 7919) % 500).collect();
        let total: usize = sizes.iter().sum();
        for target in [1, 100, 4096, 50_000, total, total * 2] {
            let shards = cut(&sizes, target);
            check_cover(&shards, sizes.len());
            assert!(shards.len() <= 2 * total / target + 1, "{} for {target}", shards.len());
            for s in &shards {
                let sum: usize = sizes[s.clone()].iter().sum();
                assert!(sum <= target || s.len() == 1, "{s:?} holds {sum} for {target}");
            }
            for w in shards.windows(2) {
                let pair: usize = sizes[w[0].start..w[1].end].iter().sum();
                assert!(pair > target, "{w:?} could have been one shard");
            }
        }
        assert!(cut(&[], 10).is_empty());
        assert_eq!(cut(&[5], 10), vec![0..1]);
        // A big entry is alone, not appended to a nearly full shard.
        assert_eq!(cut(&[6, 6, 100, 6], 16), vec![0..2, 2..3, 3..4]);
    }

    #[test]
    fn shards_use_the_budget_and_no_more() {
        let sizes: Vec<usize> = (0..20_000).map(|i| 1 + (i * 7919) % 3000).collect();
        for max in [1, 2, 7, 100, 500] {
            let shards = cut_within(&sizes, max, 1024);
            check_cover(&shards, sizes.len());
            assert!(shards.len() <= max, "{} shards for at most {max}", shards.len());
            // Nearly all of the budget is used (entries are small next to a shard).
            assert!(shards.len() * 10 >= max * 9, "{} shards for at most {max}", shards.len());
        }
        // Small indexes stay in few shards of the minimum size.
        assert_eq!(cut_within(&[100; 10], 500, 16 * 1024).len(), 1);
        assert!(cut_within(&[], 500, 1024).is_empty());
        // One entry larger than everything else is a shard of its own.
        assert_eq!(cut_within(&[10, 1_000_000, 10], 500, 16).len(), 3);
    }

    #[test]
    fn listed_terms_get_files_of_their_own_first() {
        // Plenty of room: every term alone.
        assert_eq!(pack_listed(&[5000; 4], 10), [0, 1, 2, 3]);
        // Five terms of 60 KB in three files: no two fit the usual target, so it grows until
        // pairs fit (120 KB); then one term can be alone and the other four go in pairs.
        assert_eq!(pack_listed(&[60_000; 5], 3), [0, 1, 1, 2, 2]);
        // Small terms share files after the alone ones.
        let sizes = [50_000, 40_000, 3_000, 3_000, 3_000, 3_000];
        assert_eq!(pack_listed(&sizes, 3), [0, 1, 2, 2, 2, 2]);
        // A budget of one file holds everything, whatever the target.
        assert_eq!(pack_listed(&[200_000, 200_000], 1), [0, 0]);
        assert!(pack_listed(&[], 10).is_empty());
    }

    #[test]
    fn only_big_indexes_list_terms() {
        assert_eq!(list_min(15, 40_000), usize::MAX);
        assert_eq!(list_min(15, MAX_WORD_SHARDS * MIN_TARGET + 1), LIST_MIN);
        assert_eq!(list_min(3_000, 2_000_000), LIST_MIN);
        assert_eq!(list_min(100_000, 20_000_000), 2_083);
    }

    #[test]
    fn blocks_keep_the_file_budget() {
        for docs in [0usize, 1, 15, 1_000, 10_000, 38_400, 57_600, 60_000, 100_000, 1_000_000] {
            let runs = block_runs(docs);
            let blocks = blocks(&runs, docs);
            assert!(blocks.len() <= MAX_DOC_BLOCKS, "{docs}: {}", blocks.len());
            check_cover(&blocks, docs);
            let base = MIN_BLOCK.max(docs.div_ceil(MAX_DOC_BLOCKS));
            assert!(blocks.iter().all(|b| b.len() <= base + base / 4), "{docs}: {runs:?}");
            if let Some((last, full)) = blocks.split_last() {
                assert!(full.iter().all(|b| b.len() >= MIN_BLOCK), "{docs}");
                assert!(!last.is_empty());
            }
        }
        assert_eq!(block_runs(15), [[64, 1]]);
        assert_eq!(block_runs(10_000), [[64, 157]]);
        // 100,000: 120 blocks of 106, then blocks of 250.
        assert_eq!(block_runs(100_000), [[106, 120], [250, 350]]);
        assert_eq!(key("t", 7), "t/007");
        assert_eq!(key("d", 1234), "d/1234");
    }
}

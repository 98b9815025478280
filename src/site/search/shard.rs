//! How the index is cut into files: how many documents per block, how big a shard, and which
//! keys go in which shard.
//!
//! The sizes follow from N and from the index itself, so that the file count stays within the
//! budget of issue 5 (1,000 files) by construction, whatever the repository: at most
//! [`MAX_DOC_BLOCKS`] document blocks, [`MAX_TERM_SHARDS`] term shards, [`MAX_FACET_SHARDS`]
//! facet shards, and the manifest. Within that, files are as small as the budget allows,
//! because a query's cost is the size of the files it loads: term shards get most of the
//! budget (a query loads one per word), document blocks the rest (the 10 results shown can sit
//! in 10 blocks). Small repositories get fewer, fuller files instead (a minimum block and shard
//! size): a handful of requests beats dozens of tiny ones.
//!
//! The split between blocks and shards was tuned on generated repositories of 10,000 and
//! 100,000 postmortems (docs/BENCHMARKS.md, "Site search index").

use std::ops::Range;

/// Most document blocks.
pub const MAX_DOC_BLOCKS: usize = 450;
/// Most term shards.
pub const MAX_TERM_SHARDS: usize = 500;
/// Most facet shards (loaded only when a filter is ticked, so they can be bigger).
pub const MAX_FACET_SHARDS: usize = 30;
/// Fewest documents per block.
pub const MIN_BLOCK: usize = 64;
/// Smallest shard target, in bytes.
pub const MIN_TARGET: usize = 16 * 1024;
/// The file budget of issue 5.
pub const MAX_FILES: usize = 1000;

/// Every data file: blocks, term shards, facet shards and the manifest.
pub const MAX_DATA_FILES: usize = MAX_DOC_BLOCKS + MAX_TERM_SHARDS + MAX_FACET_SHARDS + 1;

const _: () = assert!(MAX_DATA_FILES <= MAX_FILES, "the plan must fit the file budget");

/// Documents per block for `docs` documents: at most [`MAX_DOC_BLOCKS`] blocks.
pub fn block_size(docs: usize) -> usize {
    MIN_BLOCK.max(docs.div_ceil(MAX_DOC_BLOCKS))
}

/// Cuts entries of the given sizes, in order, into consecutive shards: a shard is closed as
/// soon as it holds `target` bytes or more. Every closed shard holds at least `target`, so there
/// are at most `total / target + 1` shards; none is empty.
pub fn cut(sizes: &[usize], target: usize) -> Vec<Range<usize>> {
    let mut shards = Vec::new();
    let (mut start, mut filled) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        filled += size;
        if filled >= target {
            shards.push(start..i + 1);
            (start, filled) = (i + 1, 0);
        }
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
    let total: usize = sizes.iter().sum();
    let fits = |target: usize| cut(sizes, target).len() <= max_shards.max(1);
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
    fn shards_cover_every_entry_once() {
        let sizes: Vec<usize> = (0..10_000).map(|i| 1 + (i * 7919) % 500).collect();
        let total: usize = sizes.iter().sum();
        for target in [1, 100, 4096, 50_000, total, total * 2] {
            let shards = cut(&sizes, target);
            check_cover(&shards, sizes.len());
            assert!(shards.len() <= total / target + 1, "{} for target {target}", shards.len());
            for s in &shards[..shards.len() - 1] {
                assert!(sizes[s.clone()].iter().sum::<usize>() >= target);
            }
        }
        assert!(cut(&[], 10).is_empty());
        assert_eq!(cut(&[5], 10), vec![Range { start: 0, end: 1 }]);
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
        // One entry larger than everything else is a shard of its own at worst.
        assert_eq!(cut_within(&[10, 1_000_000, 10], 500, 16).len(), 2);
    }

    #[test]
    fn blocks_keep_the_file_budget() {
        for docs in [0usize, 1, 15, 1_000, 10_000, 38_400, 100_000, 1_000_000] {
            assert!(docs.div_ceil(block_size(docs)) <= MAX_DOC_BLOCKS, "{docs}");
        }
        assert_eq!(block_size(15), 64);
        assert_eq!(block_size(10_000), 64);
        assert_eq!(block_size(100_000), 223);
        assert_eq!(key("t", 7), "t/007");
        assert_eq!(key("d", 1234), "d/1234");
    }
}

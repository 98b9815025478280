#!/usr/bin/env bash
# bench/search.sh — site search at scale and on real prose, in headless Chromium.
#
# 1. Builds pm in release mode, generates (or reuses) a seeded repository of N postmortems
#    (default 100,000) with bench/generate.py, and builds its site with PM_TIMINGS=1 under
#    GNU time: wall time, the search index's share of it (the `search` phase), peak memory,
#    and the number of files under search/.
#    Then builds a 10,000-postmortem site three times with PM_TIMINGS=serial: the index step
#    alone, before the pages (its budget at 10,000 is 0.5 s).
# 2. Runs `tests/it/search_scale.rs::search_at_scale` on that site: each query is opened in a
#    fresh tab from file://, and the files the page loaded (window.pmSearchStats.loaded) are
#    summed raw and gzipped, with the time from "files arrived" to "results in the page".
# 3. Runs `tests/it/search_scale.rs::search_quality_on_corpus` on the public postmortems corpus
#    (../shared/corpus/public-postmortems, or PM_SEARCH_CORPUS): for each query, the
#    postmortems whose text contains it, how many were found, and whether title/summary hits
#    come first.
#
# Usage: bench/search.sh     (generating 100,000 postmortems takes a few minutes the first time)
# Environment: PM_BENCH_COUNT (100000), PM_BENCH_SEED (42), PM_BENCH_CACHE (/tmp),
#              PM_SEARCH_CORPUS, PM_BENCH_NO_BUILD=1 (skip cargo build --release).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${PM_BENCH_COUNT:-100000}
SEED=${PM_BENCH_SEED:-42}
CACHE=${PM_BENCH_CACHE:-/tmp}
REPO="$CACHE/pm-bench-search-$COUNT-$SEED"
SITE="$CACHE/pm-bench-search-site-$COUNT"
cd "$ROOT"

[ -n "${PM_BENCH_NO_BUILD:-}" ] || cargo build --release --quiet
if [ ! -f "$REPO/pm.toml" ]; then
  echo "generating $COUNT postmortems into $REPO"
  python3 bench/generate.py --count "$COUNT" --seed "$SEED" --out "$REPO" >/dev/null
fi

echo "== pm build of $COUNT postmortems"
rm -rf "$SITE"
PM_TIMINGS=1 /usr/bin/time -v target/release/pm build --root "$REPO" --out "$SITE" \
  2> >(grep -E "timings:|warning: search|Elapsed|Maximum resident" >&2)
echo "search index files: $(find "$SITE/search" -type f | wc -l)"
echo "search index bytes: $(du -sb "$SITE/search" | cut -f1)"

echo "== the index of 10,000 postmortems, built alone (PM_TIMINGS=serial), three runs"
REPO10K="$CACHE/pm-bench-search-10000-$SEED"
SITE10K="$CACHE/pm-bench-search-site-10000"
if [ ! -f "$REPO10K/pm.toml" ]; then
  python3 bench/generate.py --count 10000 --seed "$SEED" --out "$REPO10K" >/dev/null
fi
for _ in 1 2 3; do
  rm -rf "$SITE10K"
  PM_TIMINGS=serial target/release/pm build --root "$REPO10K" --out "$SITE10K" 2>&1 >/dev/null \
    | grep -o "search index [0-9.]* s alone[^)]*)"
done

echo "== queries at scale (file://, fresh tab per query)"
PM_SEARCH_SITE="$SITE" cargo test --release --quiet --test it -- --ignored \
  --exact search_scale::search_at_scale --nocapture

echo "== quality on the public postmortems corpus"
cargo test --release --quiet --test it -- --ignored --exact \
  search_scale::search_quality_on_corpus --nocapture

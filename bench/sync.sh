#!/usr/bin/env bash
# bench/sync.sh — `pm sync` at scale against the local trackers.
#
# Builds pm and the integration tests in release mode, then runs the ignored benchmark
# `tests/it/sync_scale.rs::benchmark`: 10,000 action items whose tickets are a third each in
# GitHub (ten repositories), Jira and Linear, served by the tests' local trackers on 127.0.0.1
# with 50 ms of latency per request and pages of 100. Each run reports the HTTP requests sent
# and the wall time of `pm sync` (load, fetch, cache, and the printed diff of the items whose
# tickets were closed); pm's peak memory comes from GNU time around the release binary.
#
# Usage: bench/sync.sh            (a few minutes to build; seconds to run)
# Environment: PM_BENCH_RUNS (3), PM_BENCH_NO_BUILD=1 (skip the release builds).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RUNS=${PM_BENCH_RUNS:-3}
OUT=${PM_BENCH_OUT:-$ROOT/target/bench}
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "error: GNU time is needed at /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

if [ "${PM_BENCH_NO_BUILD:-0}" != 1 ]; then
  cargo build --release --locked --quiet
  cargo test --release --locked --test it --no-run --quiet
fi

# pm under GNU time: the benchmark runs this wrapper in place of the binary.
WRAP="$OUT/pm-timed"
cat >"$WRAP" <<WRAPPER
#!/usr/bin/env bash
exec /usr/bin/time -a -o "$OUT/sync-time.txt" -f "pm sync: %e s wall, %U s user, %S s sys, %M KB peak" "$ROOT/target/release/pm" "\$@"
WRAPPER
chmod +x "$WRAP"
: >"$OUT/sync-time.txt"

PM_BENCH_PM="$WRAP" PM_BENCH_RUNS="$RUNS" cargo test --release --locked --test it --quiet -- \
  --ignored sync_scale::benchmark --nocapture 2>&1 | grep '^sync_scale run' | tee "$OUT/sync-results.txt"
cat "$OUT/sync-time.txt" | tee -a "$OUT/sync-results.txt"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/sync-results.txt"

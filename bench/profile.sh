#!/usr/bin/env bash
# bench/profile.sh — where `pm check` spends its time, with perf.
#
# Usage: bench/profile.sh [full|single] [COUNT] [clean]    (default: full 10000)
#   full    pm check of the whole generated repository
#   single  pm check of one file in it (the pre-commit case)
#   clean   use the repository without planted defects
# Needs perf (`apt-get install -y linux-perf`) and the repositories that bench/run.sh generates
# (they are generated here if missing). Uses the release binary as bench/run.sh builds it
# (PM_BENCH_PM overrides). The release profile keeps line tables, so stacks are symbolised.
# Writes perf.data and the summary under $PM_BENCH_OUT (default target/bench).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=${1:-full}
COUNT=${2:-10000}
CLEAN=${3:-}
[[ -z $CLEAN || $CLEAN == clean ]] || { echo "third argument: clean, or nothing" >&2; exit 2; }
SEED=${PM_BENCH_SEED:-42}
TODAY=${PM_BENCH_TODAY:-2026-06-30}
CACHE=${PM_BENCH_CACHE:-/tmp}
OUT=${PM_BENCH_OUT:-$ROOT/target/bench}
FREQ=${PM_BENCH_PERF_FREQ:-999}
mkdir -p "$OUT"

command -v perf >/dev/null || { echo "perf not found: apt-get install -y linux-perf" >&2; exit 2; }
source "$ROOT/bench/lib.sh"
pm_binary "$ROOT"

GEN_HASH=$(sha256sum "$ROOT/bench/generate.py" | cut -c1-10)
DIR="$CACHE/pm-bench-${COUNT}-s${SEED}-${TODAY}${CLEAN:+-clean}-${GEN_HASH}"
if [[ ! -f "$DIR/bench-manifest.json" ]]; then
    python3 "$ROOT/bench/generate.py" --count "$COUNT" --seed "$SEED" --today "$TODAY" --out "$DIR" \
        ${CLEAN:+--clean} >&2
fi

args=(check --today "$TODAY")
if [[ $MODE == single ]]; then
    args+=("$(cd "$DIR" && find postmortems -name '*.md' | sort | sed -n "$((COUNT / 2))p")")
    FREQ=${PM_BENCH_PERF_FREQ:-9999} # a short run: sample more often
fi

data="$OUT/perf-$MODE-$COUNT${CLEAN:+-clean}.data"
(cd "$DIR" && perf record -q -F "$FREQ" --call-graph dwarf,16384 -o "$data" "$PM" "${args[@]}" >/dev/null) || true
perf script -i "$data" -F comm,tid,time,ip,sym,dso 2>/dev/null |
    python3 "$ROOT/bench/perf_summary.py" | tee "$OUT/profile-$MODE-$COUNT${CLEAN:+-clean}.txt"
echo "(perf data: $data; summary: $OUT/profile-$MODE-$COUNT${CLEAN:+-clean}.txt)"

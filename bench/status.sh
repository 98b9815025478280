#!/usr/bin/env bash
# bench/status.sh — `pm status` and `pm todo` on 10,000 postmortems with a completion policy.
#
# Builds pm in release mode, generates (or reuses) the seeded 10,000-postmortem repository of
# bench/generate.py, gives it the recommended completion policy of `pm init` (approvals, a
# review, per-severity overrides), then times `pm status` (every postmortem not yet
# published), `pm status --all`, and `pm todo` for one person, with peak memory (GNU time -v).
#
# Usage: bench/status.sh   Knobs: PM_BENCH_COUNT (10000), PM_BENCH_RUNS (5), PM_BENCH_CACHE (/tmp),
#        PM_BENCH_NO_BUILD=1 (use the release binary as it is), PM_BENCH_PM=PATH (another binary).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${PM_BENCH_COUNT:-10000}
RUNS=${PM_BENCH_RUNS:-5}
CACHE=${PM_BENCH_CACHE:-/tmp}
TODAY=2026-06-30
source "$ROOT/bench/lib.sh"
pm_binary "$ROOT"
GEN_HASH=$(sha256sum "$ROOT/bench/generate.py" | cut -c1-10)
DIR="$CACHE/pm-bench-status-${COUNT}-${GEN_HASH}"
if [[ ! -f "$DIR/bench-manifest.json" ]]; then
    python3 "$ROOT/bench/generate.py" --count "$COUNT" --seed 42 --today "$TODAY" --out "$DIR" >&2
    # The recommended policy, without its example team names.
    sed -n '/^\[completion\]/,$p' "$ROOT/templates/init/pm.toml" >>"$DIR/pm.toml"
fi
PERSON=$("$PM" --root "$DIR" status --all --format json --today "$TODAY" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(p["owner"] for p in d["postmortems"] if p.get("owner")))')
time_it() { # NAME ARGS...
    local name=$1; shift
    local best=999999 t0 t1 ms
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N); "$PM" --root "$DIR" "$@" --today "$TODAY" >/dev/null; t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000)); ((ms < best)) && best=$ms
    done
    local peak
    peak=$(/usr/bin/time -v "$PM" --root "$DIR" "$@" --today "$TODAY" 2>&1 >/dev/null |
        awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}')
    printf '| %s | %s ms | %s MB |\n' "$name" "$best" "$peak"
}
echo "| command ($COUNT postmortems, best of $RUNS) | wall | peak RSS |"
echo "|---|---|---|"
time_it "pm status" status
time_it "pm status --all" status --all
time_it "pm status --all --format json" status --all --format json
time_it "pm todo --person $PERSON" todo --person "$PERSON"

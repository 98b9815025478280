#!/usr/bin/env bash
# bench/pathological.sh — time and peak memory of `pm check` and `pm build` on one postmortem
# whose body is a pathological pattern, at several sizes.
#
# Each body is built to a size (1, 4 and 16 MB by default) from one repeated pattern: what an
# adversarial review found to be quadratic in time or large in memory per input byte, and
# ordinary prose to compare with. A row per body, size and command: wall time and peak resident
# memory (GNU `/usr/bin/time -v`), and the peak divided by the file's size; CPU (user + system)
# is the steadier figure on a busy machine. A run longer than the timeout is shown as `timeout`.
#
# Usage: bench/pathological.sh   Knobs: PM_BENCH_SIZES ("1 4 16", MB), PM_BENCH_BODIES (names,
#        default all), PM_BENCH_TIMEOUT (120 s), PM_BENCH_NO_BUILD=1 (use the release binary as
#        it is), PM_BENCH_PM=PATH (another binary), PM_BENCH_DIR (/tmp/pm-bench-pathological).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${PM_BENCH_SIZES:-1 4 16}
BODIES=${PM_BENCH_BODIES:-prose lt lines star headings blame someone suppress related}
TIMEOUT=${PM_BENCH_TIMEOUT:-120}
WORK=${PM_BENCH_DIR:-/tmp/pm-bench-pathological}
source "$ROOT/bench/lib.sh"
pm_binary "$ROOT"
[[ -x /usr/bin/time ]] || { echo "GNU time (/usr/bin/time) is needed for peak memory" >&2; exit 2; }

# make_repo BODY MB: a repository with one postmortem whose body (or `related` list) is BODY.
make_repo() {
    local body=$1 mb=$2 dir="$WORK/$1-$2"
    rm -rf "$dir" && mkdir -p "$dir/postmortems"
    printf 'title = "Pathological"\n[site]\nallow_html = false\n' >"$dir/pm.toml"
    python3 - "$body" "$((mb * 1000000))" "$dir/postmortems/INC-2026-0001-x.md" <<'PY'
import sys
body, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
patterns = {
    "prose": "The connection pool was exhausted while the canary *kept* passing; see [the runbook](https://example.com/runbook).\n\n",
    "lt": "<",
    "lines": "a\n",
    "star": "*_[",
    "headings": "## x\n",
    "blame": "human error ",
    "someone": "Someone deleted the table. ",
    "suppress": "human error <!-- pm-disable PM503 --> human error <!-- pm-enable PM503 -->\n",
}
related = "[]"
text = ""
if body == "related":
    n = size // 16
    related = "[" + ", ".join("NOPE-%09d" % i for i in range(n)) + "]"
else:
    p = patterns[body]
    text = p * (size // len(p))
head = (
    "---\nid: INC-2026-0001\ntitle: Pathological\nstatus: draft\nseverity: SEV3\n"
    "started_at: 2026-03-02T14:00:00Z\nrelated: %s\n---\n# Pathological\n\n## Summary\n\n" % related
)
with open(path, "w") as f:
    f.write(head + text)
PY
    echo "$dir"
}

# measure DIR ARGS...: "wall seconds|CPU seconds|peak MB", or "timeout|-|-".
measure() {
    local dir=$1; shift
    local log="$WORK/time.log" t0 t1 rc=0
    t0=$(date +%s%N)
    timeout "$TIMEOUT" /usr/bin/time -v "$PM" --root "$dir" "$@" >/dev/null 2>"$log" || rc=$?
    t1=$(date +%s%N)
    if [[ $rc == 124 ]]; then echo "timeout|-|-"; return; fi
    local kb cpu
    kb=$(awk -F: '/Maximum resident/ {print $2+0}' "$log")
    cpu=$(awk -F: '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$log")
    echo "$(awk "BEGIN {printf \"%.2f\", ($t1 - $t0) / 1e9}")|$cpu|$((kb / 1024))"
}

mkdir -p "$WORK"
echo "| body | size | command | wall | CPU | peak RSS | peak / file |"
echo "|---|---|---|---|---|---|---|"
for body in $BODIES; do
    for mb in $SIZES; do
        dir=$(make_repo "$body" "$mb")
        bytes=$(stat -c %s "$dir/postmortems/INC-2026-0001-x.md")
        for cmd in check build; do
            if [[ $cmd == check ]]; then
                r=$(measure "$dir" check --format concise --today 2026-03-10)
            else
                r=$(measure "$dir" build --out "$dir/site" --today 2026-03-10)
            fi
            IFS='|' read -r wall cpu peak <<<"$r"
            ratio=-
            [[ $peak != - ]] && ratio=$(awk "BEGIN {printf \"%.1f×\", $peak * 1048576 / $bytes}")
            printf '| %s | %s MB | pm %s | %s s | %s s | %s MB | %s |\n' "$body" "$mb" "$cmd" "$wall" "$cpu" "$peak" "$ratio"
        done
        rm -rf "$dir"
    done
done

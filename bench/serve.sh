#!/usr/bin/env bash
# bench/serve.sh — how long `pm serve` takes to show a saved edit, in one command.
#
# Copies a generated repository of N postmortems (bench/generate.py, seeded) into a scratch
# folder, starts `pm serve` on it, waits for the first build, then saves one edit to one
# postmortem at a time and measures, for each save:
#
#   seen   from the save until the rebuild's summary line appears on stderr (the watcher polls
#          twice a second, so this includes up to 0.5 s of waiting for the next poll);
#   build  the rebuild's own time, as its summary line says ("Built … in X s").
#
# The browser reloads when the rebuild is done, so `seen` is what the author waits for.
# Results go to stdout and $OUT/serve-results.md.
#
# Usage: bench/serve.sh
# Environment knobs (all optional):
#   PM_BENCH_COUNT=10000   postmortems in the repository
#   PM_BENCH_SEED=42       generator seed
#   PM_BENCH_EDITS=5       saves measured
#   PM_BENCH_CACHE=/tmp    where generated corpora are kept between runs
#   PM_BENCH_OUT=target/bench
#   PM_BENCH_PM=/path/to/pm  measure this binary instead of building one
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${PM_BENCH_COUNT:-10000}
SEED=${PM_BENCH_SEED:-42}
EDITS=${PM_BENCH_EDITS:-5}
CACHE=${PM_BENCH_CACHE:-/tmp}
OUT=${PM_BENCH_OUT:-$ROOT/target/bench}
TODAY=2026-06-30

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }
command -v python3 >/dev/null || die "python3 is needed to generate the corpus"

if [ -n "${PM_BENCH_PM:-}" ]; then
  PM=$PM_BENCH_PM
else
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --quiet)
  PM=$ROOT/target/release/pm
fi
[ -x "$PM" ] || die "no pm binary at $PM"

CORPUS="$CACHE/pm-bench-serve-$COUNT-s$SEED"
if [ ! -f "$CORPUS/pm.toml" ]; then
  log "generating $COUNT postmortems into $CORPUS"
  python3 "$ROOT/bench/generate.py" --count "$COUNT" --seed "$SEED" --today "$TODAY" \
    --out "$CORPUS" --quiet >/dev/null
fi
WORK=$(mktemp -d)
LOG="$WORK/serve.log"
cleanup() {
  if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# A copy, not links: the edits must not reach the cached corpus.
cp -r "$CORPUS" "$WORK/repo"
# A git repository, as a team's is (the verdict cache lives in .git).
git -C "$WORK/repo" init -q

builds() { grep -c '^Built ' "$LOG" 2>/dev/null || true; }
wait_builds() { # wait_builds N: until N summary lines, at most 600 s
  local deadline=$((SECONDS + 600))
  while [ "$(builds)" -lt "$1" ]; do
    [ $SECONDS -lt $deadline ] || die "no build after 600 s; log: $(tail -5 "$LOG")"
    kill -0 "$SERVER" 2>/dev/null || die "pm serve stopped; log: $(tail -5 "$LOG")"
    sleep 0.02
  done
}

log "pm serve on $COUNT postmortems"
PM_TIMINGS=${PM_TIMINGS:-} "$PM" serve --root "$WORK/repo" --port 0 --today "$TODAY" --no-reload >/dev/null 2>"$LOG" &
SERVER=$!
start=$EPOCHREALTIME
wait_builds 1
first=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
log "first build: $first s ($(grep '^Built ' "$LOG" | tail -1))"

mapfile -t FILES < <(find "$WORK/repo/postmortems" -name '*.md' | sort | awk 'NR % 997 == 1')
ROWS=()
for i in $(seq 1 "$EDITS"); do
  file=${FILES[$(( (i - 1) % ${#FILES[@]} ))]}
  before=$(builds)
  sleep 1.2 # past the previous poll, and past the same second of modification time
  saved=$EPOCHREALTIME
  printf '\nA note added while serving, number %s.\n' "$i" >>"$file"
  wait_builds $((before + 1))
  seen=$(awk -v a="$saved" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  build=$(grep '^Built ' "$LOG" | tail -1 | sed -E 's/.* in ([0-9.]+) s.*/\1/')
  ROWS+=("| $i | $seen s | $build s |")
  log "save $i: seen after $seen s (build $build s)"
done
grep "^timings" "$LOG" | tail -2 >&2 || true
rss=$(awk '/VmHWM/ { printf "%d MB", $2 / 1024 }' "/proc/$SERVER/status" 2>/dev/null || echo "?")

mkdir -p "$OUT"
{
  echo "## pm serve: one saved edit, $COUNT postmortems, $(nproc) cores"
  echo
  echo "First build: $first s. Peak memory of the server: $rss."
  echo
  echo "| save | seen (save → rebuilt) | rebuild |"
  echo "| ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Machine load while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/serve-results.md"

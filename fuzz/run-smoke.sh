#!/usr/bin/env bash
# Fuzz smoke run, for CI: every target for a few seconds on its seed corpus, so a target that
# no longer builds, or an input it crashes on at once, fails the run. The long runs (a million
# executions or more per target) are in docs/fuzzing.md.
#
#   fuzz/run-smoke.sh            # 5 seconds per target
#   FUZZ_SECONDS=60 fuzz/run-smoke.sh
#
# Needs cargo-fuzz (installed when missing) and a nightly compiler, or the stable one with
# RUSTC_BOOTSTRAP=1 (set here). Built without a sanitizer (pm forbids unsafe code; the
# sanitizer only slows the search) and with debug assertions, so integer overflow is a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-5}"
export RUSTC_BOOTSTRAP=1
# render_page writes each page into a temporary folder, as `pm build` writes: on tmpfs that
# costs a tenth of what it costs on disk.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    export TMPDIR=/dev/shm
fi
flags=(--sanitizer none --debug-assertions)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# The seeds of each target: real postmortems (good and broken), the hostile fixtures, and every
# input that ever failed (also replayed by tests/fuzz_regressions.rs).
files="examples/broken/postmortems examples/demo/postmortems tests/fixtures/bad-input/postmortems"
seeds() {
    case "$1" in
        slack_import) echo "fuzz/seeds/slack_import tests/fuzz-regressions/slack_import" ;;
        serve_request) echo "fuzz/seeds/serve_request tests/fuzz-regressions/serve_request" ;;
        *) echo "$files tests/fuzz-regressions/$1" ;;
    esac
}
dict() {
    case "$1" in
        slack_import) echo fuzz/dict/slack.dict ;;
        serve_request) echo fuzz/dict/http.dict ;;
        *) echo fuzz/dict/postmortem.dict ;;
    esac
}

start=$(date +%s)
cargo fuzz build "${flags[@]}"
for target in front_matter markdown check_one render_page slack_import serve_request; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    echo "== $target (${seconds}s)"
    log="$(mktemp)"
    status=0
    # shellcheck disable=SC2046 # the seed folders are words on purpose
    cargo fuzz run "${flags[@]}" "$target" "$corpus" $(seeds "$target") -- \
        -max_total_time="$seconds" -dict="$(dict "$target")" -max_len=4096 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -aE '^(stat::number_of_executed_units|Done )' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "fuzz target $target failed (exit $status): the input is in fuzz/artifacts/$target/" >&2
        exit "$status"
    fi
    rm -f "$log"
done
echo "fuzz smoke run: $(( $(date +%s) - start ))s"

# bench/lib.sh — what the benchmark scripts share; sourced, never run.
#
# pm_binary: sets PM to the binary to measure. PM_BENCH_PM=PATH picks another binary; otherwise
# pm is built in release mode (skipped with PM_BENCH_NO_BUILD=1) and taken from wherever cargo
# puts it (CARGO_TARGET_DIR included). Exits 2 when there is no binary there.
pm_binary() {
    local root=$1
    if [[ -n "${PM_BENCH_PM:-}" ]]; then
        PM=$PM_BENCH_PM
    else
        if [[ -z "${PM_BENCH_NO_BUILD:-}" ]]; then
            (cd "$root" && cargo build --release --quiet)
        fi
        PM="$(cd "$root" && cargo metadata --format-version 1 --no-deps |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/pm"
    fi
    [[ -x "$PM" ]] || { echo "no pm binary at $PM" >&2; exit 2; }
}

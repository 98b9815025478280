#!/usr/bin/env bash
# bench/site.sh — the `pm build` benchmark, side by side with Hugo, in one command.
#
# Builds pm in release mode, generates (or reuses) seeded repositories of 10,000 postmortems
# with bench/generate.py — one clean (every file valid) and one with the generator's planted
# defects — and measures, for each run, wall time, user and system CPU time and peak RSS with
# GNU time:
#
#   pm build      on the clean corpus and on the corpus with defects (which adds skipped files
#                 and warning boxes);
#   hugo          (Debian package `hugo`) on the clean corpus, with a minimal theme written on
#                 the fly: a page per postmortem, the section list, tag pages, RSS and sitemap —
#                 the same kinds of output as pm's site. Hugo cannot build the corpus with
#                 defects (it stops at the first invalid front matter), so it only runs on the
#                 clean one.
#
# Every run writes into a new output folder; all are removed at the end, outside the timing.
# Results go to $OUT/site-results.md and stdout. PM_TIMINGS=1 is set for pm, so its phases
# (load, check, model, render, swap) are recorded too.
#
# Usage: bench/site.sh            (from anywhere; a few minutes on 2 cores once built)
# Environment knobs (all optional):
#   PM_BENCH_COUNT=10000        postmortems per corpus
#   PM_BENCH_SEED=42            generator seed
#   PM_BENCH_TODAY=2026-06-30   "today" for the generator and `pm build --today`
#   PM_BENCH_RUNS=3             timed runs per tool (the fastest is reported, all are kept)
#   PM_BENCH_CACHE=/tmp         where generated corpora are kept between runs
#   PM_BENCH_SITES=/tmp         where the built sites are written (use a tmpfs such as
#                               /dev/shm to take the disk out of the comparison)
#   PM_BENCH_OUT=target/bench   where site-results.md and the raw timings are written
#   PM_BENCH_NO_BUILD=1         skip `cargo build --release`
#   PM_BENCH_PM=/path/to/pm     benchmark this binary instead of the one cargo builds
#   PM_BENCH_HUGO=0             skip Hugo
#   PM_BENCH_ZOLA=/path/to/zola also measure Zola (default: `zola` when it is on PATH; Debian
#                               has none: build it once from a source snapshot; PyYAML
#                               converts the corpus for it)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${PM_BENCH_COUNT:-10000}
SEED=${PM_BENCH_SEED:-42}
TODAY=${PM_BENCH_TODAY:-2026-06-30}
RUNS=${PM_BENCH_RUNS:-3}
CACHE=${PM_BENCH_CACHE:-/tmp}
SITES=${PM_BENCH_SITES:-/tmp}
OUT=${PM_BENCH_OUT:-$ROOT/target/bench}
HUGO_ON=${PM_BENCH_HUGO:-1}
GNU_TIME=/usr/bin/time

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

[ -x "$GNU_TIME" ] && "$GNU_TIME" -f x true 2>/dev/null \
  || die "GNU time is needed at $GNU_TIME for peak memory (Debian: apt-get install -y time)"
have python3 || die "python3 is needed to generate the corpora"
if [ "$HUGO_ON" != 0 ] && ! have hugo; then
  die "hugo is not installed (Debian: apt-get install -y hugo), or run with PM_BENCH_HUGO=0"
fi

mkdir -p "$OUT"
RAW="$OUT/site-raw.tsv"
printf 'tool\tcorpus\trun\twall_s\tuser_s\tsys_s\tpeak_mb\tpages\tnote\n' >"$RAW"

# --- pm ---------------------------------------------------------------------------------------
if [ -n "${PM_BENCH_PM:-}" ]; then
  PM=$PM_BENCH_PM
else
  if [ -z "${PM_BENCH_NO_BUILD:-}" ]; then
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet)
  fi
  PM=$ROOT/target/release/pm
fi
[ -x "$PM" ] || die "no pm binary at $PM"

# --- corpora ----------------------------------------------------------------------------------
corpus() { # corpus NAME EXTRA_ARGS... → prints the path, generating it when missing
  local name=$1; shift
  local dir="$CACHE/pm-bench-site-$COUNT-s$SEED-$TODAY-$name"
  if [ ! -f "$dir/pm.toml" ]; then
    log "generating $COUNT postmortems ($name) into $dir"
    python3 "$ROOT/bench/generate.py" --count "$COUNT" --seed "$SEED" --today "$TODAY" \
      --out "$dir" --quiet "$@" >/dev/null
  fi
  printf '%s\n' "$dir"
}
CLEAN=$(corpus clean --clean)
DEFECTS=$(corpus defects)
bytes=$(find "$CLEAN/postmortems" -name '*.md' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
MB=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')

# timed LABEL CORPUS RUN NOTE COMMAND... : runs COMMAND under GNU time, appends a row to $RAW.
timed() {
  local label=$1 corpus=$2 run=$3 note=$4; shift 4
  local tfile; tfile=$(mktemp)
  local logf; logf=$(mktemp)
  if ! "$GNU_TIME" -f '%e %U %S %M' -o "$tfile" "$@" >"$logf" 2>&1; then
    cat "$logf" >&2
    die "$label failed on $corpus (see above)"
  fi
  read -r wall user sys rss <"$tfile"
  local pages; pages=$(find "$SITE_DIR" -name '*.html' | wc -l)
  local phases; phases=$(grep -o 'timings: .*' "$logf" || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$corpus" "$run" "$wall" "$user" "$sys" \
    "$((rss / 1024))" "$pages" "${phases:-$note}" >>"$RAW"
  printf '  %-10s %-8s run %s: %6.2f s wall, %5.2f s user, %5.2f s sys, %5d MB peak, %6d pages %s\n' \
    "$label" "$corpus" "$run" "$wall" "$user" "$sys" "$((rss / 1024))" "$pages" "${phases:+($phases)}" >&2
  rm -f "$tfile" "$logf"
}

# Every run writes a folder of its own, removed only when all runs are done: on ext4, creating
# files right after deleting thousands of others is several times slower (the inode allocator
# skips recently freed inodes), which would bill one run's cleanup to the next.
OUTPUTS=()
fresh() { # fresh NAME: sets SITE_DIR to a new, empty output folder and flushes the disk
  SITE_DIR="$SITES/pm-bench-site-out-$1-$$"
  rm -rf "$SITE_DIR"
  OUTPUTS+=("$SITE_DIR")
  sync
  sleep 1
}
cleanup() { if [ ${#OUTPUTS[@]} -gt 0 ]; then rm -rf "${OUTPUTS[@]}"; fi; }
trap cleanup EXIT

log "pm build ($COUNT postmortems, $MB MB of markdown), $RUNS runs each"
for name in clean defects; do
  repo=$CLEAN; [ "$name" = defects ] && repo=$DEFECTS
  for run in $(seq 1 "$RUNS"); do
    fresh "pm-$name-$run"
    PM_TIMINGS=1 timed "pm" "$name" "$run" "" "$PM" build --root "$repo" --today "$TODAY" --out "$SITE_DIR"
  done
done

# --- Hugo -------------------------------------------------------------------------------------
if [ "$HUGO_ON" != 0 ]; then
  HUGO_SITE="$CACHE/pm-bench-site-hugo-$COUNT-s$SEED-$TODAY"
  if [ ! -d "$HUGO_SITE/content/postmortems" ]; then
    log "preparing a minimal Hugo site in $HUGO_SITE"
    rm -rf "$HUGO_SITE"
    mkdir -p "$HUGO_SITE/content" "$HUGO_SITE/layouts/_default"
    # Hard links: the same files, no copy.
    cp -al "$CLEAN/postmortems" "$HUGO_SITE/content/postmortems" 2>/dev/null \
      || cp -r "$CLEAN/postmortems" "$HUGO_SITE/content/postmortems"
    cat >"$HUGO_SITE/config.toml" <<'EOF'
# Tag pages on: pm builds a page per tag, so Hugo does too. Raw HTML omitted, as in pm.
baseURL = "https://postmortems.example.com/"
title = "Postmortems"
[taxonomies]
tag = "tags"
[markup.goldmark.renderer]
unsafe = false
EOF
    cat >"$HUGO_SITE/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><nav><a href="{{ "" | relURL }}">Home</a></nav><main>{{ block "main" . }}{{ end }}</main></body></html>
EOF
    cat >"$HUGO_SITE/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<dl><dt>Severity</dt><dd>{{ .Params.severity }}</dd><dt>Status</dt><dd>{{ .Params.status }}</dd>
<dt>Owner</dt><dd>{{ .Params.owner }}</dd><dt>Team</dt><dd>{{ .Params.team }}</dd>
<dt>Services</dt><dd>{{ delimit (.Params.services | default (slice)) ", " }}</dd></dl>
{{ .Content }}
<ul>{{ range .Params.tags }}<li><a href="{{ (printf "/tags/%s/" (. | urlize)) | relURL }}">{{ . }}</a></li>{{ end }}</ul>
</article>{{ end }}
EOF
    cat >"$HUGO_SITE/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range .Pages }}
<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.severity }}</td><td>{{ .Params.status }}</td><td>{{ .Params.team }}</td></tr>{{ end }}
</table>{{ end }}
EOF
    cp "$HUGO_SITE/layouts/_default/list.html" "$HUGO_SITE/layouts/index.html"
  fi
  log "hugo $(hugo version | awk '{print $2}') on the clean corpus, $RUNS runs"
  for run in $(seq 1 "$RUNS"); do
    fresh "hugo-$run"
    rm -rf "$HUGO_SITE/resources"
    timed "hugo" "clean" "$run" "" hugo --quiet --source "$HUGO_SITE" --destination "$SITE_DIR" \
      --cacheDir "$HUGO_SITE/.cache"
  done
fi

# --- Zola -------------------------------------------------------------------------------------
# Only when a `zola` binary is given (PM_BENCH_ZOLA) or on PATH: Debian has no package, so it is
# built once from a source snapshot for a side-by-side figure and never committed. Zola reads
# YAML front matter but wants its own fields (`date`, `taxonomies`, `extra`), so the clean corpus
# is converted once (python3 with PyYAML) into the same pages and tag taxonomy Hugo builds.
ZOLA=${PM_BENCH_ZOLA:-$(command -v zola || true)}
if [ -n "$ZOLA" ]; then
  ZOLA_SITE="$CACHE/pm-bench-site-zola-$COUNT-s$SEED-$TODAY"
  if [ ! -f "$ZOLA_SITE/content/postmortems/_index.md" ]; then
    log "preparing a minimal Zola site in $ZOLA_SITE"
    rm -rf "$ZOLA_SITE"
    mkdir -p "$ZOLA_SITE/content/postmortems" "$ZOLA_SITE/templates/tags"
    python3 - "$CLEAN/postmortems" "$ZOLA_SITE/content/postmortems" <<'PY'
import pathlib, sys
import yaml  # PyYAML: only this one-off conversion needs it
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(src.rglob("*.md")):
    _, head, body = path.read_text().split("---\n", 2)
    fm = yaml.safe_load(head)
    started = str(fm.get("started_at") or fm.get("published_on") or "2000-01-01")[:10]
    page = {
        "title": fm.get("title", path.stem),
        "date": started,
        "taxonomies": {"tags": fm.get("tags") or []},
        "extra": {k: fm.get(k) for k in ("severity", "status", "owner", "team", "services")},
    }
    (dst / path.name).write_text("---\n" + yaml.safe_dump(page, sort_keys=True) + "---\n" + body)
PY
    printf '+++\ntitle = "All postmortems"\nsort_by = "date"\n+++\n' \
      >"$ZOLA_SITE/content/postmortems/_index.md"
    cat >"$ZOLA_SITE/config.toml" <<'TOML'
base_url = "https://postmortems.example.com"
title = "Postmortems"
compile_sass = false
build_search_index = false
generate_feeds = true
taxonomies = [{ name = "tags", feed = true }]
TOML
    cat >"$ZOLA_SITE/templates/base.html" <<'HTML'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ config.title }}</title></head>
<body><nav><a href="{{ get_url(path="") }}">Home</a></nav><main>{% block main %}{% endblock %}</main></body></html>
HTML
    cat >"$ZOLA_SITE/templates/page.html" <<'HTML'
{% extends "base.html" %}{% block main %}<article><h1>{{ page.title }}</h1>
<dl><dt>Severity</dt><dd>{{ page.extra.severity }}</dd><dt>Status</dt><dd>{{ page.extra.status }}</dd>
<dt>Owner</dt><dd>{{ page.extra.owner }}</dd><dt>Team</dt><dd>{{ page.extra.team }}</dd>
<dt>Services</dt><dd>{{ page.extra.services | default(value=[]) | join(sep=", ") }}</dd></dl>
{{ page.content | safe }}
<ul>{% for t in page.taxonomies.tags | default(value=[]) %}<li><a href="{{ get_taxonomy_url(kind="tags", name=t) }}">{{ t }}</a></li>{% endfor %}</ul>
</article>{% endblock %}
HTML
    list='{% extends "base.html" %}{% block main %}<h1>{{ TITLE }}</h1><table>{% for p in PAGES %}
<tr><td><a href="{{ p.permalink }}">{{ p.title }}</a></td><td>{{ p.extra.severity }}</td><td>{{ p.extra.status }}</td><td>{{ p.extra.team }}</td></tr>{% endfor %}
</table>{% endblock %}'
    sed -e 's/TITLE/section.title/; s/PAGES/section.pages/' <<<"$list" >"$ZOLA_SITE/templates/section.html"
    sed -e 's/TITLE/term.name/; s/PAGES/term.pages/' <<<"$list" >"$ZOLA_SITE/templates/tags/single.html"
    cat >"$ZOLA_SITE/templates/tags/list.html" <<'HTML'
{% extends "base.html" %}{% block main %}<ul>{% for t in terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a></li>{% endfor %}</ul>{% endblock %}
HTML
    cat >"$ZOLA_SITE/templates/index.html" <<'HTML'
{% extends "base.html" %}{% block main %}<a href="{{ get_url(path="@/postmortems/_index.md") }}">All postmortems</a>{% endblock %}
HTML
  fi
  log "zola $("$ZOLA" --version | awk '{print $2}') on the clean corpus, $RUNS runs"
  for run in $(seq 1 "$RUNS"); do
    fresh "zola-$run"
    timed "zola" "clean" "$run" "" "$ZOLA" --root "$ZOLA_SITE" build --output-dir "$SITE_DIR" --force
  done
fi

# --- Summary ----------------------------------------------------------------------------------
RESULTS="$OUT/site-results.md"
{
  echo "## pm build: $COUNT postmortems ($MB MB of markdown), $(nproc) cores"
  echo
  echo "Fastest of $RUNS runs; peak memory is the run's maximum resident set size (GNU time)."
  echo
  echo "| tool | corpus | wall | user CPU | system CPU | peak memory | HTML pages |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  tail -n +2 "$RAW" | sort -t$'\t' -k1,1 -k2,2 -k4,4n | awk -F'\t' '
    !seen[$1 FS $2]++ { printf "| %s | %s | %.2f s | %.2f s | %.2f s | %d MB | %d |\n", $1, $2, $4, $5, $6, $7, $8 }'
  echo
  echo "pm phases of each run:"
  echo
  awk -F'\t' '$1 == "pm" { printf "- %s run %s: %s\n", $2, $3, $9 }' "$RAW"
  echo
  echo "Machine load while measuring: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >"$RESULTS"
cat "$RESULTS"
log "results: $RESULTS (raw: $RAW)"

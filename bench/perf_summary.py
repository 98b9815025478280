#!/usr/bin/env python3
"""Summarise `perf script` output of a `pm check` run: where the CPU time goes, by stage of
pm's pipeline and by rule, the hottest functions, and how many threads were busy over time.

Input: `perf script -F comm,tid,time,ip,sym,dso` of a `perf record --call-graph dwarf` run
(bench/profile.sh produces it). Shares are of all samples (user and kernel, every thread), so
they add up CPU time, not wall time; the timeline shows which stages ran on one thread only.
"""

from __future__ import annotations

import collections
import re
import sys

# Pipeline stages, matched against any frame of a sample's stack (inclusive time). The order
# is the order of the data flow; a sample counts once per stage. perf names an inlined function
# without its module (`load (inlined)`), so every frame is also matched as `NAME@CALLER`, with
# the caller's bare function name.
STAGES = [
    ("config: pm.toml", r"pm::config::Workspace::(discover|open)"),
    ("schema: compile", r"pm::schema::Schema::load"),
    ("discover: walk the folder", r"pm::discover::discover"),
    ("load: read + parse every file", r"pm::repo::Document::read"),
    ("  front matter split", r"pm::parse::front_matter::split|^split \(inlined\)@parse_text"),
    ("  id-only scan", r"pm::parse::front_matter::scan_id|^scan_id \(inlined\)@parse_text"),
    ("  YAML load (saphyr)", r"pm::parse::yaml::load|^load \(inlined\)@parse_text"),
    ("  markdown (pulldown-cmark)", r"pm::parse::markdown::parse"),
    ("  typed model", r"pm::model::Postmortem::from_front_matter"),
    ("  line index", r"pm::source::LineIndex::new"),
    ("rules/doc: per-document rules", r"as pm::rules::Rule>::check_document"),
    ("rules/repo: whole-repository rules", r"as pm::rules::Rule>::check_repo"),
    ("report: write", r"pm::report::"),
    ("drop: free the repo at exit", r"drop_in_place<pm::repo::Repo>"),
]
# Cross-cutting costs, matched against the leaf frame only (self time).
LEAVES = [
    ("allocator (malloc/free)", r"^(__GI___libc_malloc|__GI___libc_free|malloc|free|_int_free|_int_malloc|_int_realloc|realloc|cfree|unlink_chunk|malloc_consolidate|sysmalloc|free_perturb|tcache)"),
    ("kernel", r"\[kernel\]"),
    ("levenshtein (did-you-mean)", r"strsim::"),
    ("regex matching", r"^(regex_automata|regex::|aho_corasick|memchr::)"),
]
RULE = re.compile(r"pm::rules::(\w+)::\w+ as pm::rules::Rule>::(check_document|check_repo)")


def parse(stream):
    samples, cur = [], None
    for line in stream:
        if not line.strip():
            if cur:
                samples.append(cur)
            cur = None
            continue
        if not line[0].isspace():
            time = re.search(r"(\d+\.\d+):", line)
            tid = re.search(r"\s(\d+)\s", line)
            cur = {"tid": tid.group(1) if tid else "?",
                   "t": float(time.group(1)) if time else 0.0, "frames": []}
        elif cur is not None:
            parts = line.strip().split(" ", 1)
            sym = parts[1] if len(parts) > 1 else parts[0]
            if "[kernel" in sym:
                sym += " [kernel]"
            cur["frames"].append(re.sub(r"\+0x[0-9a-f]+", "", sym))
    if cur:
        samples.append(cur)
    return samples


def with_callers(frames):
    """Each frame, then each frame tagged with its caller's bare name (`load (inlined)@parse_text`)."""
    out = list(frames)
    for f, caller in zip(frames, frames[1:]):
        name = re.sub(r" \(/.*", "", caller)
        name = re.sub(r"<.*>", "", name).split("::")[-1].split(" ")[0]
        out.append(f"{f}@{name}")
    return out


def short(sym: str) -> str:
    sym = re.sub(r" \(/[^)]*\)", "", sym)
    sym = re.sub(r" \(\[kernel[^)]*\)", "", sym)
    while True:  # collapse generic arguments, innermost first
        new = re.sub(r"<[^<>]*>", "<…>", sym)
        if new == sym:
            break
        sym = new
    return sym[:100]


def main() -> int:
    samples = parse(sys.stdin)
    for s in samples:
        s["tagged"] = with_callers(s["frames"])
    n = len(samples)
    if not n:
        print("no samples")
        return 1
    pct = lambda k: f"{100 * k / n:5.1f}%"  # noqa: E731
    print(f"{n} samples, {len({s['tid'] for s in samples})} threads")

    print("\nCPU time by pipeline stage (inclusive):")
    for name, pat in STAGES:
        rx = re.compile(pat)
        k = sum(1 for s in samples if any(rx.search(f) for f in s["tagged"]))
        if k:
            print(f"  {pct(k)}  {name}")

    print("\nCPU time by rule (inclusive):")
    rules = collections.Counter()
    for s in samples:
        hit = {m.group(1) + (" (repo)" if m.group(2) == "check_repo" else "")
               for f in s["frames"] for m in [RULE.search(f)] if m}
        rules.update(hit)
    for name, k in rules.most_common(12):
        print(f"  {pct(k)}  {name}")

    print("\nCross-cutting (self time):")
    for name, pat in LEAVES:
        rx = re.compile(pat)
        k = sum(1 for s in samples if s["frames"] and rx.search(short(s["frames"][0])))
        print(f"  {pct(k)}  {name}")

    print("\nHottest functions (self time):")
    leaf = collections.Counter(short(s["frames"][0]) for s in samples if s["frames"])
    for name, k in leaf.most_common(15):
        print(f"  {pct(k)}  {name}")

    t0 = min(s["t"] for s in samples)
    t1 = max(s["t"] for s in samples)
    width = max(0.005, round((t1 - t0) / 25, 3))
    print(f"\nTimeline ({(t1 - t0) * 1000:.0f} ms, {width * 1000:.0f} ms buckets): threads busy, "
          "samples, main stages")
    buckets = collections.defaultdict(list)
    for s in samples:
        buckets[int((s["t"] - t0) / width)].append(s)
    stage_rx = [(name.strip(), re.compile(pat)) for name, pat in STAGES if not name.startswith(" ")]
    for b in sorted(buckets):
        group = buckets[b]
        stages = collections.Counter()
        for s in group:
            stages[next((nm for nm, rx in stage_rx if any(rx.search(f) for f in s["frames"])),
                        "other")] += 1
        threads = len({s["tid"] for s in group})
        top = ", ".join(f"{nm.split(':')[0]} {c}" for nm, c in stages.most_common(2))
        print(f"  {b * width * 1000:6.0f} ms  {'#' * threads:<3} {len(group):4d}  {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

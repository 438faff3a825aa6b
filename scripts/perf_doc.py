#!/usr/bin/env python3
"""perf_doc.py assembles docs/PERFORMANCE.md from docs/perf/summary.md and the
per-area files docs/perf/<area>.md (headings demoted one level), so each area
keeps its figures next to its own make targets. Run by `make perf-doc`."""
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
AREAS = ["h5", "xpcs", "fit", "runner", "analysis", "ingest", "trend",
         "comment", "action", "container", "reliability"]


def demote(text):
    out, fence = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and re.match(r"^#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out) + "\n"


def main():
    perf = os.path.join(ROOT, "docs", "perf")
    parts = [open(os.path.join(perf, "summary.md")).read()]
    for area in AREAS:
        p = os.path.join(perf, area + ".md")
        if os.path.exists(p):
            parts.append(demote(open(p).read()))
    with open(os.path.join(ROOT, "docs", "PERFORMANCE.md"), "w") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()

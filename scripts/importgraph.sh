#!/usr/bin/env bash
# importgraph.sh prints each package of the module with the module packages it
# imports (test files excluded), one line per package, paths relative to the
# module root ("." is the root package):
#
#   runner -> analysis
#
# Usage: scripts/importgraph.sh [REV]   (REV: a git revision, e.g. 49ecd49; it
# is checked out into a temporary worktree, which is removed afterwards.)
set -euo pipefail
export PATH=/usr/local/go/bin:$PATH
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  tmp=$(mktemp -d)
  trap 'git worktree remove --force "$tmp/wt" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  git worktree add --detach -q "$tmp/wt" "$1"
  cd "$tmp/wt"
fi
mod=$(go list -m)
go list -f '{{.ImportPath}} {{join .Imports " "}}' ./... | awk -v m="$mod" '
  function rel(p) { return p == m ? "." : substr(p, length(m) + 2) }
  {
    out = ""
    for (i = 2; i <= NF; i++)
      if ($i == m || index($i, m "/") == 1) out = out (out == "" ? "" : " ") rel($i)
    printf "%s -> %s\n", rel($1), (out == "" ? "(none)" : out)
  }' | sort

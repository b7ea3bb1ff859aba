#!/usr/bin/env bash
# pristine.sh PATH OUT: writes the committed version of PATH (git HEAD) to OUT, or the working
# tree's file when git or the commit is not available. Used for the untouched exercise stubs.
set -euo pipefail
path="$1"; out="$2"
mkdir -p "$(dirname "$out")"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git cat-file -e "HEAD:$path" 2>/dev/null; then
  git show "HEAD:$path" >"$out.tmp"
else
  cp "$path" "$out.tmp"
fi
mv "$out.tmp" "$out"

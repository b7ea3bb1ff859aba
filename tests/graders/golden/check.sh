#!/usr/bin/env bash
# Golden-output test: runs one grader case and compares its explanation against a file kept in
# tests/graders/golden/ (source locations are relative to the repository root; line numbers
# inside goro are masked as N). When a change to the harness improves a message on purpose,
# regenerate with GOLDEN_UPDATE=1.
#   check.sh SRC_DIR GOLDEN_FILE GRADER_BINARY ARGS...
set -euo pipefail
src="$1"; golden="$2"; shift 2
out="$("$@" --no-color --rerun "./dojo grade N" 2>&1 | sed -e "s|$src/||g" -e "s|\(runtime/[a-z_/]*\.[ch]pp\):[0-9]*|\1:N|g" || true)"
if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then printf '%s\n' "$out" >"$golden"; echo "updated $golden"; exit 0; fi
if diff -u "$golden" <(printf '%s\n' "$out"); then echo "grader output matches $(basename "$golden")"; else
  echo "the grader's explanation changed (above: - expected, + now). If intended: GOLDEN_UPDATE=1 ctest -R golden" >&2
  exit 1
fi

#!/usr/bin/env bash
# ./dojo test [--asan] [--label L] [-- ctest args...]
# Builds and runs every test through ctest: the default preset, then tsan (and asan when
# asked). Exits non-zero if any test fails; ends with ctest's summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/tools/lib.sh"

presets=(default tsan)
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --asan) presets+=(asan) ;;
    --only) presets=("$2"); shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "dojo test: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

dojo_ensure_deps
jobs=$(nproc 2>/dev/null || echo 2)
status=0
summary=()
for p in "${presets[@]}"; do
  dojo_build "$p" -j "$jobs"
  dojo_say "running tests (preset '$p')"
  # Sanitizer presets run the runtime and grader suites; the default preset runs everything.
  args=(--preset "$p" -j "$jobs")
  if [ "$p" != default ]; then args+=(-LE "nosan"); fi
  if ctest "${args[@]}" "${extra[@]}" 2>&1 | tee "build/$p/ctest.log"; then
    summary+=("$p: ok")
  else
    status=1; summary+=("$p: FAILED")
  fi
done
dojo_say "summary: ${summary[*]}"
# Close with ctest's own summary line of the last preset so CI tools can read it.
grep -E "tests passed|tests failed" "build/${presets[-1]}/ctest.log" | tail -1 || true
exit $status

#!/usr/bin/env bash
# ./dojo test [--only PRESET] [--under-load ...] [-- ctest args...]
# Builds and runs every test through ctest: the default preset, then tsan (ThreadSanitizer),
# then asan (AddressSanitizer + UndefinedBehaviorSanitizer). The sanitizer presets build and run
# what they check: the runtime's tests, the graders on the reference solutions, the trace
# reader and (asan) the visualizer's model. Exits non-zero if any test fails; ends with one
# summary line per preset.
# `--under-load` runs the whole suite several times while the machine is saturated (see
# tools/stress.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/tools/lib.sh"

presets=(default tsan asan)
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --under-load) shift; exec bash "$ROOT/tools/stress.sh" "$@" ;;
    --asan) ;;  # asan is part of every run now; kept so that older commands still work
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
  t0=$(date +%s)
  dojo_build "$p" -j "$jobs"
  t1=$(date +%s)
  dojo_say "running tests (preset '$p')"
  # Sanitizer presets run the runtime and grader suites; the default preset runs everything.
  args=(--preset "$p" -j "$jobs")
  if [ "$p" != default ]; then args+=(-LE "nosan"); fi
  if ctest "${args[@]}" "${extra[@]}" 2>&1 | tee "build/$p/ctest.log"; then verdict=ok; else status=1; verdict=FAILED; fi
  t2=$(date +%s)
  counts=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "build/$p/ctest.log" | tail -1 |
    sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1 \2/' || true)
  if [ -n "$counts" ]; then
    read -r nfail ntotal <<<"$counts"
    counts="$((ntotal - nfail))/$ntotal"
  else
    counts="no tests ran"
  fi
  summary+=("$p: $verdict ($counts, build $((t1 - t0)) s, tests $((t2 - t1)) s)")
done
dojo_say "summary: $(IFS=';'; echo "${summary[*]}" | sed 's/;/; /g')"
exit $status

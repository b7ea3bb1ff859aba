#!/usr/bin/env bash
# ./dojo test [--only PRESET] [--under-load ...] [-- ctest args...]
# Builds and runs every test through ctest: the default preset, then tsan (ThreadSanitizer),
# then asan (AddressSanitizer + UndefinedBehaviorSanitizer). The sanitizer presets build and run
# what they check: the runtime's tests, the graders on the reference solutions, the trace
# reader and (asan) the visualizer's model. Exits non-zero if any test fails; ends with one
# summary line per preset.
# While one preset's tests run, the next preset is built beside them at the lowest CPU priority
# (its compiler output goes to build/<preset>/build.log and is shown only if the build fails):
# the tests wait on child processes, sleeps and real-thread runs often enough that the build
# fills cores they leave idle. The verdicts do not depend on load (see `--under-load`).
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
declare -A built build_secs

# The first preset is built in the foreground, its output shown.
t0=$(date +%s)
if dojo_build "${presets[0]}" -j "$jobs"; then built[${presets[0]}]=ok; else built[${presets[0]}]=failed; fi
build_secs[${presets[0]}]=$(( $(date +%s) - t0 ))

for k in "${!presets[@]}"; do
  p="${presets[$k]}"
  next="${presets[$((k + 1))]:-}"
  bg=""
  if [ -n "$next" ]; then
    dojo_say "building preset '$next' in the background (log: build/$next/build.log)"
    mkdir -p "build/$next"  # a fresh clone has no build directory yet
    rm -f "build/$next/build.result"
    # A child process (not a subshell function call) so that `nice` applies to the whole build.
    ( renice -n 19 -p $BASHPID >/dev/null 2>&1 || true
      t=$(date +%s)
      if dojo_build "$next" -j "$jobs" >"build/$next/build.log" 2>&1; then r=ok; else r=failed; fi
      echo "$r $(( $(date +%s) - t ))" >"build/$next/build.result" ) &
    bg=$!
  fi
  t1=$(date +%s)
  if [ "${built[$p]}" = ok ]; then
    dojo_say "running tests (preset '$p')"
    # Sanitizer presets run the runtime and grader suites; the default preset runs everything.
    args=(--preset "$p" -j "$jobs")
    if [ "$p" != default ]; then args+=(-LE "nosan"); fi
    if ctest "${args[@]}" "${extra[@]}" 2>&1 | tee "build/$p/ctest.log"; then verdict=ok; else status=1; verdict=FAILED; fi
    counts=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "build/$p/ctest.log" | tail -1 |
      sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1 \2/' || true)
    if [ -n "$counts" ]; then
      read -r nfail ntotal <<<"$counts"
      counts="$((ntotal - nfail))/$ntotal"
    else
      counts="no tests ran"
    fi
  else
    status=1; verdict="BUILD FAILED"; counts="no tests ran"
  fi
  t2=$(date +%s)
  summary+=("$p: $verdict ($counts, build ${build_secs[$p]} s, tests $((t2 - t1)) s)")
  if [ -n "$bg" ]; then
    if kill -0 "$bg" 2>/dev/null; then dojo_say "waiting for the build of preset '$next'"; fi
    wait "$bg" || true
    read -r r s <"build/$next/build.result" 2>/dev/null || { r=failed; s=0; }
    built[$next]="$r"; build_secs[$next]="$s"
    if [ "$r" != ok ]; then
      dojo_say "building preset '$next' failed; the end of build/$next/build.log:"
      tail -40 "build/$next/build.log" >&2
    else
      dojo_say "preset '$next' built in $s s (beside the tests of '$p')"
    fi
  fi
done
dojo_say "summary: $(IFS=';'; echo "${summary[*]}" | sed 's/;/; /g')"
exit $status

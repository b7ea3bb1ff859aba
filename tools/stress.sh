#!/usr/bin/env bash
# ./dojo test --under-load [--runs N] [--load SPEC] [-- ./dojo test options]
#
# Runs the whole suite (`./dojo test`) N times in a row (default 5) while the machine is
# saturated, and says whether every run was green. The load is stress-ng (a Debian package,
# installed if missing): by default two CPU hogs per core at 100% and one worker thrashing
# 512 MiB of memory, started before the first run and stopped after the last. A test whose
# outcome depends on how busy the machine is goes red here. Each run's summary line and time
# are collected in build/stress/summary.txt; the full logs of run K are build/stress/run-K.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/tools/lib.sh"

runs=5
cores=$(nproc 2>/dev/null || echo 2)
load="--cpu $((2 * cores)) --cpu-load 100 --vm 1 --vm-bytes 512M"
test_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --load) load="$2"; shift ;;
    --) shift; test_args=("$@"); break ;;
    *) echo "dojo test --under-load: unknown option '$1' (see the header of tools/stress.sh)" >&2; exit 2 ;;
  esac
  shift
done
case "$runs" in ''|*[!0-9]*|0) echo "dojo test --under-load: --runs takes a positive number" >&2; exit 2 ;; esac

dojo_ensure_deps stress-ng
out="build/stress"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"

# shellcheck disable=SC2086  # the load spec is a list of stress-ng options
stress-ng $load --timeout 0 --quiet &
stress_pid=$!
trap 'kill "$stress_pid" 2>/dev/null || true; wait "$stress_pid" 2>/dev/null || true' EXIT
dojo_say "load: stress-ng $load (pid $stress_pid); $runs run(s) of ./dojo test ${test_args[*]:-}"

failed=0
for k in $(seq 1 "$runs"); do
  start=$(date +%s)
  if bash "$ROOT/tools/test.sh" "${test_args[@]}" >"$out/run-$k.log" 2>&1; then verdict=green; else verdict=RED; failed=$((failed + 1)); fi
  secs=$(( $(date +%s) - start ))
  line=$(grep -E '^\[dojo\] summary:' "$out/run-$k.log" | tail -1 || true)
  load1=$(cut -d' ' -f1 /proc/loadavg)
  printf 'run %d/%d: %s in %dm%02ds (1-min load %s) — %s\n' "$k" "$runs" "$verdict" $((secs / 60)) $((secs % 60)) \
    "$load1" "${line:-no summary line: see $out/run-$k.log}" | tee -a "$summary" >&2
done
if [ "$failed" -eq 0 ]; then
  dojo_say "under load: all $runs run(s) green (build/stress/summary.txt)"
else
  dojo_say "under load: $failed of $runs run(s) RED — the failing tests are in build/stress/run-K.log"
  exit 1
fi

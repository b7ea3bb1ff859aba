#!/usr/bin/env bash
# Prints, for every failure class in tests/graders/support/mistakes.hpp, a real report of it:
# the first kept mutant that makes that mistake (its first failing check), or else the grader
# harness's own test case for it. docs/graders.md ("Failure classes") is made from its output:
#   tools/mistake_examples.sh [BUILD_DIR]   (default build/default, built)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="${1:-$ROOT/build/default}"
cd "$ROOT"
# The harness test cases that stand for classes no mutant needs (tests/graders/CMakeLists.txt).
declare -A harness=([crash]="7" [stuck]="10 --timeout 2" [busy-loop]="13" [raw-lock]="15" [blocking-call]="16"
                    [panic]="5" [wrong-result]="2" [deadlock]="17")
ids="$(sed -n 's/^inline constexpr Mistake [a-z_]*{"\([a-z-]*\)".*/\1/p' tests/graders/support/mistakes.hpp)"
for id in $ids; do
  title="$(grep -o "{\"$id\", \"[^\"]*\"" tests/graders/support/mistakes.hpp | sed 's/.*", "//; s/"$//')"
  m="$(grep -l "^// mistake: $id\$" tests/mutants/*/*.cpp 2>/dev/null | head -1 || true)"
  if [ -n "$m" ]; then
    dir="$(basename "$(dirname "$m")")"; name="$(basename "$m" .cpp)"
    cmd=("$B/tests/graders/grader_${dir%%_*}_mutant_$name" --no-color --expect-mistake="$id" --rerun "./dojo grade ${dir%%_*}")
    from="mutant \`$dir/$name\`"
  elif [ -n "${harness[$id]:-}" ]; then
    # shellcheck disable=SC2206
    cmd=("$B/tests/graders/grader_harness_selftest" --no-color --check ${harness[$id]} --rerun "./dojo grade N")
    from="the harness's own test"
  else
    echo "### \`$id\` — $title"; echo; echo "(no example yet)"; echo; continue
  fi
  echo "### \`$id\` — $title"
  echo
  echo "From $from:"
  echo
  echo '```'
  # The first failure block, with long "got" texts cut to their first lines.
  "${cmd[@]}" 2>&1 | sed "s|$ROOT/||g" | awk '
    /^  ✗/ && !started { started = 1 }
    started && /^      rerun:/ { print; exit }
    started {
      if ($0 ~ /^      got:/) { ingot = 1; n = 0 } else if ($0 ~ /^      [a-z ]+:/ && $0 !~ /^      got:/) ingot = 0
      if (ingot && ++n > 7) { if (n == 8) print "                ..."; next }
      print
    }' || true
  echo '```'
  echo
done

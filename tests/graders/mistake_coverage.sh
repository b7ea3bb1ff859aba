#!/usr/bin/env bash
# Every failure class an exercise's grader is built to diagnose (its DOJO_FAILURE_CLASSES) is
# proven by a kept mutant that makes that mistake, and every mutant names one of them:
#   mistake_coverage.sh GRADER_BINARY MUTANTS_DIR
# (each mutant's `// mistake: ID` line is then checked by its own test: the first failing check
# must diagnose exactly ID).
set -euo pipefail
bin="$1"; dir="$2"
declared="$("$bin" --mistakes | cut -f1)"
status=0
if [ -z "$declared" ]; then
  echo "the grader declares no failure classes (DOJO_FAILURE_CLASSES in its grader.cpp)"; exit 1
fi
declare -A proven
for m in "$dir"/*.cpp; do
  name="$(basename "$m" .cpp)"
  lines="$(grep -c '^// mistake: ' "$m" || true)"
  if [ "$lines" != 1 ]; then
    echo "mutant $name: needs exactly one '// mistake: ID' line (has $lines)"; status=1; continue
  fi
  id="$(sed -n 's|^// mistake: *\([a-z-]*\).*|\1|p' "$m")"
  if ! grep -qx -- "$id" <<<"$declared"; then
    echo "mutant $name: its mistake '$id' is not one of the grader's failure classes: $(echo $declared)"; status=1
  fi
  proven[$id]="${proven[$id]:-} $name"
done
for id in $declared; do
  if [ -z "${proven[$id]:-}" ]; then
    echo "failure class '$id': no mutant makes this mistake (add one to ${dir#*/tests/})"; status=1
  else
    echo "failure class $id: proven by${proven[$id]}"
  fi
done
exit $status

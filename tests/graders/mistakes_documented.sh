#!/usr/bin/env bash
# Every failure class (tests/graders/support/mistakes.hpp) has its section, with an example
# report, in docs/graders.md; the document names no class that does not exist.
set -euo pipefail
root="$1"
ids="$(sed -n 's/^inline constexpr Mistake [a-z_]*{"\([a-z-]*\)".*/\1/p' "$root/tests/graders/support/mistakes.hpp")"
documented="$(sed -n 's/^### `\([a-z-]*\)` — .*/\1/p' "$root/docs/graders.md")"
status=0
for id in $ids; do
  grep -qx -- "$id" <<<"$documented" || { echo "docs/graders.md: no section for failure class '$id' (tools/mistake_examples.sh makes one)"; status=1; }
done
for id in $documented; do
  grep -qx -- "$id" <<<"$ids" || { echo "docs/graders.md: section for '$id', which is not a failure class"; status=1; }
done
[ $status = 0 ] && echo "$(wc -w <<<"$ids") failure classes, each documented"
exit $status

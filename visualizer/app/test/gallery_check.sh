#!/usr/bin/env bash
# CI: renders every built-in scenario at several points under Xvfb + Mesa and checks that each
# PNG is non-blank and differs between the points of one scenario. Also "What happens next?"
# (a question, then answered and played) and "You are the scheduler" (no pick, then one).
#   gallery_check.sh DOJO_VIZ PNGCHECK OUTDIR
# Exit 77 (skipped) when there is no display and no xvfb-run.
set -euo pipefail
viz="$1" check="$2" out="$3"
rm -rf "$out" && mkdir -p "$out"
run=("$viz")
if [ -z "${DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null 2>&1 || { echo "no DISPLAY and no xvfb-run: skipped"; exit 77; }
  run=(xvfb-run -a -s "-screen 0 1280x800x24" "$viz")
fi
"${run[@]}" --gallery "$out"
"${run[@]}" --scenario missing_close --quiz 1 --screenshot "$out/quiz-missing_close_1.png" >/dev/null
"${run[@]}" --scenario missing_close --quiz 1 --answer A --screenshot "$out/quiz-missing_close_2.png" >/dev/null
"${run[@]}" --scenario check_then_send --picks "" --screenshot "$out/sched-check_then_send_0.png" >/dev/null
"${run[@]}" --scenario check_then_send --picks 1 --screenshot "$out/sched-check_then_send_1.png" >/dev/null
shopt -s nullglob
pngs=("$out"/*.png)
[ ${#pngs[@]} -gt 0 ] || { echo "no images written"; exit 1; }
# Each scenario's images in point order (name_025, name_050, ...), one after another.
mapfile -t sorted < <(printf '%s\n' "${pngs[@]}" | sort)
"$check" "${sorted[@]}"

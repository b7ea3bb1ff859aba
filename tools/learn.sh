#!/usr/bin/env bash
# The learner's loop: ./dojo list | grade | watch | hint | reset | solution.
# Progress is kept in .dojo/progress.json (ignored by git), written atomically; a missing or
# corrupt file is simply rebuilt by the next grade.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"

STATE="$ROOT/.dojo"
PROGRESS="$STATE/progress.json"
mkdir -p "$STATE"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  B=$'\033[1m'; G=$'\033[32m'; R=$'\033[31m'; Y=$'\033[33m'; D=$'\033[2m'; N=$'\033[0m'
else
  B=""; G=""; R=""; Y=""; D=""; N=""
fi

# ---- catalogue -------------------------------------------------------------------------------
declare -a NUMS SLUGS FILES TITLES
while IFS=$'\t' read -r num slug file title; do
  case "$num" in ''|'#'*) continue ;; esac
  NUMS+=("$num"); SLUGS+=("$slug"); FILES+=("$file"); TITLES+=("$title")
done <"$ROOT/tools/exercises.txt"

# index_of N -> sets IDX (0-based) or fails with a clear message.
index_of() {
  local n="$1"
  if ! [[ "$n" =~ ^[0-9]+$ ]]; then
    echo "dojo: '$n' is not an exercise number; exercises are numbered 1 to ${#NUMS[@]} (./dojo list)" >&2; exit 2
  fi
  n=$((10#$n))
  if [ "$n" -lt 1 ] || [ "$n" -gt "${#NUMS[@]}" ]; then
    echo "dojo: there is no exercise $n; exercises are numbered 1 to ${#NUMS[@]} (./dojo list)" >&2; exit 2
  fi
  IDX=$((n - 1))
}
# Exercise numbers from here on are bonus tasks (listed apart).
BONUS_FROM=21
# ... and from here on the coding questions of the interview bank (docs/interview).
INTERVIEW_FROM=26
dir_of() { echo "${NUMS[$1]}_${SLUGS[$1]}"; }
written() { [ -d "$ROOT/exercises/$(dir_of "$1")" ] && [ -d "$ROOT/tests/graders/$(dir_of "$1")" ]; }
require_written() {
  if ! written "$1"; then
    echo "dojo: exercise $((10#${NUMS[$1]})) ($(dir_of "$1")) is not available yet — it is coming in a later version." >&2
    echo "      ./dojo list shows the exercises you can do now." >&2
    exit 2
  fi
}

# ---- progress --------------------------------------------------------------------------------
# One line per exercise in the JSON object: "01_sum": "passing",
status_of() {
  local d; d="$(dir_of "$1")"
  local s=""
  if [ -f "$PROGRESS" ]; then s="$(sed -n "s/^ *\"$d\": *\"\([a-z ]*\)\".*/\1/p" "$PROGRESS" 2>/dev/null | head -1)"; fi
  case "$s" in passing|failing) echo "$s" ;; *) echo "not tried" ;; esac
}
set_status() {
  local idx="$1" new="$2" tmp="$PROGRESS.tmp.$$"
  {
    echo "{"
    local i first=1
    for i in "${!NUMS[@]}"; do
      local s; if [ "$i" = "$idx" ]; then s="$new"; else s="$(status_of "$i")"; fi
      [ "$s" = "not tried" ] && continue
      [ $first -eq 1 ] || echo ","
      first=0
      printf '  "%s": "%s"' "$(dir_of "$i")" "$s"
    done
    # The interview's marks ("interview/ID": "right", written by ./dojo interview) are kept.
    if [ -f "$PROGRESS" ]; then
      local line
      while IFS= read -r line; do
        line="${line%,}"
        [ $first -eq 1 ] || echo ","
        first=0
        printf '%s' "$line"
      done < <(grep -E '^ *"interview/[^"]*": *"[a-z]*"' "$PROGRESS" 2>/dev/null || true)
    fi
    echo ""
    echo "}"
  } >"$tmp"
  mv -f "$tmp" "$PROGRESS"
}

# ---- commands --------------------------------------------------------------------------------
cmd_list() {
  local passing=0 available=0 bonus_passing=0 bonus_available=0 i
  printf '%s\n\n' "${B}Pipeline Dojo — exercises${N}"
  for i in "${!NUMS[@]}"; do
    local mark status n=$((10#${NUMS[$i]}))
    if [ "$n" -eq "$BONUS_FROM" ]; then
      printf '\n  %s\n' "${B}bonus${N} ${D}— the same machinery, for after the twenty${N}"
    fi
    if [ "$n" -eq "$INTERVIEW_FROM" ]; then
      printf '\n  %s\n' "${B}interview${N} ${D}— coding questions from ./dojo interview, graded${N}"
    fi
    if written "$i"; then
      if [ "$n" -ge "$BONUS_FROM" ]; then bonus_available=$((bonus_available + 1)); else available=$((available + 1)); fi
      status="$(status_of "$i")"
      case "$status" in
        passing) mark="${G}✓ passing${N}"
                 if [ "$n" -ge "$BONUS_FROM" ]; then bonus_passing=$((bonus_passing + 1)); else passing=$((passing + 1)); fi ;;
        failing) mark="${R}✗ failing${N}" ;;
        *) mark="${D}· not tried${N}" ;;
      esac
    else
      mark="${D}  coming${N}"
    fi
    printf '  %2d  %-14s %-50s %s\n' "$((10#${NUMS[$i]}))" "${SLUGS[$i]}" "${TITLES[$i]}" "$mark"
  done
  printf '\n  progress: %d of %d exercises pass' "$passing" "$available"
  if [ "$bonus_available" -gt 0 ]; then printf '; bonus and interview: %d of %d' "$bonus_passing" "$bonus_available"; fi
  printf '\n'
  local next; next="$(next_unfinished || true)"
  if [ -n "$next" ]; then printf '  next:     ./dojo grade %d\n' "$((10#${NUMS[$next]}))"; fi
}

# The learning path: the table of docs/path.md, with the learner's status per step.
cmd_path() {
  local file="$ROOT/docs/path.md" step ex concept watch i shown=0
  printf '%s\n\n' "${B}Pipeline Dojo — the learning path${N} ${D}(docs/path.md)${N}"
  while IFS='|' read -r _ step ex concept _ watch _; do
    step="$(echo "$step" | tr -d ' ')"
    [[ "$step" =~ ^[0-9]+$ ]] || continue
    ex="$(echo "$ex" | tr -d ' `')"; watch="$(echo "$watch" | tr -d ' `')"
    concept="$(echo "$concept" | sed 's/^ *//; s/ *$//; s/`//g')"
    local mark="${D}·${N}"
    for i in "${!NUMS[@]}"; do
      if [ "$(dir_of "$i")" = "$ex" ]; then
        case "$(status_of "$i")" in passing) mark="${G}✓${N}" ;; failing) mark="${R}✗${N}" ;; esac
      fi
    done
    printf '  %s %2d  %-18s %s\n' "$mark" "$step" "$ex" "$concept"
    printf '        %s\n' "${D}./dojo grade $((10#${ex%%_*}))   ./dojo viz --scenario $watch${N}"
    shown=$((shown + 1))
  done <"$file"
  if [ "$shown" -eq 0 ]; then echo "dojo: docs/path.md has no path table" >&2; exit 1; fi
  printf '\n  %s\n' "Commands take the exercise number (the first part of its name), not the step."
}

next_unfinished() {
  local i
  for i in "${!NUMS[@]}"; do
    if written "$i" && [ "$(status_of "$i")" != passing ]; then echo "$i"; return 0; fi
  done
  return 1
}

# Builds the learner's grader; on a compile error shows the compiler's messages about the
# learner's file first. Returns non-zero when the build failed.
build_grader() {
  local idx="$1" target="grader_$(printf '%s' "${NUMS[$idx]}")"
  local log="$STATE/build-${NUMS[$idx]}.log"
  dojo_ensure_deps
  if [ ! -f "build/default/build.ninja" ]; then
    dojo_say "configuring (first run only)"
    cmake --preset default >"$log" 2>&1 || { cat "$log" >&2; return 1; }
  fi
  if cmake --build --preset default --target "$target" >"$log" 2>&1; then return 0; fi
  local file="exercises/$(dir_of "$idx")/${FILES[$idx]}"
  printf '%s\n' "${R}${B}✗ your code does not compile${N} (${file})" >&2
  echo >&2
  # The compiler's own lines about the learner's file (errors, notes, the code excerpts).
  if grep -q "$file" "$log"; then
    grep -A4 -E "^[^ ].*${file//./\\.}:[0-9]+:[0-9]+: (error|warning|note)" "$log" | head -60 >&2
  else
    grep -E "error|Error" "$log" | head -40 >&2
  fi
  echo >&2
  printf '%s\n' "${D}(the full build log is in ${log#$ROOT/})${N}" >&2
  return 1
}

cmd_grade() {
  local mode="" repeat="" n="" json="" pass=() many=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --solutions|--stubs|--mutants) mode="${1#--}" ;;
      --repeat) repeat="$2"; shift ;;
      --json) json="$2"; shift ;;
      --check|--seed) pass+=("$1" "$2"); shift ;;
      -*) echo "dojo grade: unknown option '$1'" >&2; exit 2 ;;
      *) n="$1"; many+=("$1") ;;
    esac
    shift
  done
  if [ -n "$mode" ]; then grade_suite "$mode" "$repeat" "${many[@]}"; return; fi
  if [ ${#many[@]} -gt 1 ]; then echo "dojo grade: one exercise at a time (or --solutions/--stubs/--mutants N...)" >&2; exit 2; fi
  local idx
  if [ -z "$n" ]; then
    idx="$(next_unfinished || true)"
    if [ -z "$idx" ]; then echo "Every available exercise passes. Well done!"; return 0; fi
  else
    index_of "$n"; idx="$IDX"
  fi
  require_written "$idx"
  local d; d="$(dir_of "$idx")"
  dojo_say "grading exercise $((10#${NUMS[$idx]})) ($d): building your code"
  if ! build_grader "$idx"; then
    set_status "$idx" failing
    return 1
  fi
  local args=(--title "$d" --rerun "./dojo grade $((10#${NUMS[$idx]}))" --trace-dir ".dojo/traces/$d")
  [ -n "$json" ] && args+=(--json "$json")
  [ -t 1 ] && [ -z "${NO_COLOR:-}" ] && args+=(--color)
  rm -f "$STATE/traces/$d/last"
  local rc=0
  "build/default/tests/graders/grader_${NUMS[$idx]}" "${args[@]}" "${pass[@]}" || rc=$?
  if [ ${#pass[@]} -eq 0 ]; then
    case $rc in 0) set_status "$idx" passing ;; 1) set_status "$idx" failing ;; esac
  fi
  if [ -f "$STATE/traces/$d/last" ]; then cp "$STATE/traces/$d/last" "$STATE/last-trace"; fi
  if [ $rc -eq 0 ] && [ ${#pass[@]} -eq 0 ]; then
    local next; next="$(next_unfinished || true)"
    [ -n "$next" ] && echo "Next: ./dojo grade $((10#${NUMS[$next]})) (${TITLES[$next]})"
  fi
  return $rc
}

# ctest over the grader suites: solutions must pass, stubs and mutants must fail.
grade_suite() {
  local mode="$1" repeat="$2"
  shift 2
  # Optional exercise numbers: only their suites.
  local which='[0-9]+' alts=() k
  for k in "$@"; do
    index_of "$k"; alts+=("${NUMS[$IDX]}")
  done
  [ ${#alts[@]} -gt 0 ] && which="($(IFS='|'; echo "${alts[*]}"))"
  dojo_ensure_deps
  dojo_build default -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  local re
  case "$mode" in
    solutions) re="^grader\\.${which}_[a-z_]+\\.solution\$" ;;
    stubs) re="^grader\\.${which}_[a-z_]+\\.stub\$" ;;
    mutants) re="^grader\\.${which}_[a-z_]+\\.(mutant\\.|mistakes\$)" ;;
  esac
  local args=(--preset default -R "$re" -j "$(nproc 2>/dev/null || echo 2)")
  [ -n "$repeat" ] && args+=(--repeat "until-fail:$repeat")
  ctest "${args[@]}"
}

cmd_watch() {
  [ $# -ge 1 ] || { echo "usage: ./dojo watch N" >&2; exit 2; }
  index_of "$1"; local idx="$IDX"; require_written "$idx"
  local file="exercises/$(dir_of "$idx")/${FILES[$idx]}"
  local last=""
  echo "Watching $file — save it to regrade; Ctrl-C to stop."
  while true; do
    local now; now="$(stat -c %Y "$file" 2>/dev/null || echo 0)"
    if [ "$now" != "$last" ]; then
      last="$now"
      [ -t 1 ] && printf '\033[2J\033[H'
      cmd_grade "$((10#${NUMS[$idx]}))" || true
      echo; echo "${D}watching $file — save to regrade, Ctrl-C to stop${N}"
    fi
    sleep 1
  done
}

cmd_hint() {
  [ $# -ge 1 ] || { echo "usage: ./dojo hint N" >&2; exit 2; }
  index_of "$1"; local idx="$IDX"; require_written "$idx"
  local d; d="$(dir_of "$idx")"
  local hints="$ROOT/exercises/$d/hints" seen_file="$STATE/hints-$d"
  local total; total="$(find "$hints" -name '*.txt' 2>/dev/null | wc -l)"
  [ "$total" -gt 0 ] || { echo "Exercise $d has no hints; its README explains the task."; return 0; }
  local seen=0; [ -f "$seen_file" ] && seen="$(cat "$seen_file" 2>/dev/null || echo 0)"
  [[ "$seen" =~ ^[0-9]+$ ]] || seen=0
  local show=$((seen + 1)); [ "$show" -gt "$total" ] && show="$total"
  local names=("" "the concept" "the API to reach for" "a skeleton")
  local i
  for ((i = 1; i <= show; i++)); do
    printf '%s\n' "${Y}${B}Hint $i of $total — ${names[$i]:-more}${N}"
    cat "$hints/$i.txt"; echo
  done
  echo "$show" >"$seen_file"
  if [ "$show" -lt "$total" ]; then echo "${D}(run ./dojo hint $((10#${NUMS[$idx]})) again for the next hint)${N}"; fi
}

cmd_reset() {
  [ $# -ge 1 ] || { echo "usage: ./dojo reset N" >&2; exit 2; }
  index_of "$1"; local idx="$IDX"; require_written "$idx"
  local d; d="$(dir_of "$idx")"
  local file="exercises/$d/${FILES[$idx]}"
  local backup="$STATE/backup/$d"
  mkdir -p "$backup"
  local saved="$backup/${FILES[$idx]}.$(date +%Y%m%d-%H%M%S)"
  cp "$file" "$saved"
  bash "$ROOT/tools/pristine.sh" "$file" "$file.dojo-reset"
  mv -f "$file.dojo-reset" "$file"
  set_status "$idx" failing
  rm -f "$STATE/hints-$d"
  echo "Restored the stub of $file."
  echo "Your version is kept in ${saved#$ROOT/}."
}

cmd_solution() {
  local yes=0 n=""
  while [ $# -gt 0 ]; do case "$1" in --yes|-y) yes=1 ;; *) n="$1" ;; esac; shift; done
  [ -n "$n" ] || { echo "usage: ./dojo solution N [--yes]" >&2; exit 2; }
  index_of "$n"; local idx="$IDX"; require_written "$idx"
  local d; d="$(dir_of "$idx")"
  if [ "$(status_of "$idx")" != passing ] && [ $yes -eq 0 ]; then
    if [ -t 0 ]; then
      read -r -p "Exercise $d does not pass yet. Show the reference solution anyway? [y/N] " answer
      case "$answer" in y|Y|yes) ;; *) echo "Not shown. ./dojo hint $((10#${NUMS[$idx]})) gives a nudge instead."; return 0 ;; esac
    else
      echo "Exercise $d does not pass yet; add --yes to see the reference solution anyway." >&2
      return 1
    fi
  fi
  local sol="solutions/$d/${FILES[$idx]}" mine="exercises/$d/${FILES[$idx]}"
  printf '%s\n\n' "${B}Reference solution: $sol${N}"
  cat "$sol"
  echo
  printf '%s\n\n' "${B}Difference from your file (- yours, + reference):${N}"
  diff -u --label "yours: $mine" --label "reference: $sol" "$mine" "$sol" || true
}

cmd="${1:-}"; shift || true
case "$cmd" in
  list) cmd_list "$@" ;;
  path) cmd_path "$@" ;;
  grade) cmd_grade "$@" ;;
  watch) cmd_watch "$@" ;;
  hint) cmd_hint "$@" ;;
  reset) cmd_reset "$@" ;;
  solution) cmd_solution "$@" ;;
  *) echo "tools/learn.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac

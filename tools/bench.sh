#!/usr/bin/env bash
# ./dojo bench [--no-go] [--quick] [--rounds N] [--only ID[,ID...]]
# Builds goro_bench (default preset) and the Go twins in bench/go/, runs both and prints one
# table: row | mode | goro | Go | goro/Go. The ratio is always "goro's cost / Go's cost"
# (time or memory; for the items/s row, Go's rate / goro's rate), so 12.0x means goro needs
# twelve times what Go needs. Without a Go >= 1.21 (and no way to install one) the table is
# printed without the Go column, saying why. Then rows of their own: `regrade` (a one-line
# edit to a regraded exercise), `grade12` (grading exercise 12 end to end, with its process kills),
# `gradeall` (`./dojo grade --solutions`: every exercise's reference solution graded end to end)
# and `viz` (the visualizer's frame time); --only viz runs just it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/tools/lib.sh"

use_go=1
args=()
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-go) use_go=0 ;;
    --quick) args+=(--quick) ;;
    --rounds)
      [ $# -ge 2 ] || { echo "dojo bench: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift ;;
    --only)
      [ $# -ge 2 ] || { echo "dojo bench: $1 needs a value" >&2; exit 2; }
      only="$2"; shift ;;
    -h|--help)
      sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "dojo bench: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# The Go binary to use: /usr/lib/go-1.23/bin/go, else `go` on PATH if it is >= 1.21.
go_minor() {  # prints the minor version of Go 1.x at "$1", or nothing
  "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p'
}
find_go() {
  local g m
  for g in /usr/lib/go-1.23/bin/go "$(command -v go 2>/dev/null || true)"; do
    [ -n "$g" ] && [ -x "$g" ] || continue
    m="$(go_minor "$g")"
    if [ -n "$m" ] && [ "$m" -ge 21 ]; then echo "$g"; return 0; fi
  done
  return 1
}

# Installs golang-1.23-go from Debian's bookworm-backports (root or password-less sudo).
install_go() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
    else no_go_reason="no Go >= 1.21 found, and not root (no password-less sudo) to install golang-1.23-go"; return 1
    fi
  fi
  if ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
    no_go_reason="no Go >= 1.21 found, and this is not Debian bookworm (install Go >= 1.21 yourself)"; return 1
  fi
  dojo_say "installing golang-1.23-go from bookworm-backports"
  local list=/etc/apt/sources.list.d/dojo-backports.list
  if ! grep -qs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/* ; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" | "${sudo[@]}" tee "$list" >/dev/null
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get update -qq ||
     ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends -t bookworm-backports golang-1.23-go >/dev/null; then
    no_go_reason="installing golang-1.23-go from bookworm-backports failed"; return 1
  fi
}

# --only: the ids for goro_bench, and whether this script's own rows (regrade, grade12, gradeall,
# viz) run.
want_row() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
bench_only=""
IFS=',' read -r -a only_ids <<<"$only"
for id in "${only_ids[@]}"; do
  case "$id" in regrade|grade12|gradeall|viz|"") ;; *) bench_only="${bench_only:+$bench_only,}$id" ;; esac
done
run_goro=1
if [ -n "$only" ]; then
  if [ -n "$bench_only" ]; then args+=(--only "$bench_only"); else run_goro=0; fi
fi

dojo_ensure_deps
if [ $run_goro -eq 1 ]; then
dojo_build default -j "$(nproc 2>/dev/null || echo 2)" --target goro_bench

out="build/default/bench"
mkdir -p "$out"
go_bin=""
no_go_reason=""
if [ $use_go -eq 1 ]; then
  go_bin="$(find_go || true)"
  if [ -z "$go_bin" ] && install_go; then go_bin="$(find_go || true)"; fi
  if [ -z "$go_bin" ] && [ -z "$no_go_reason" ]; then no_go_reason="no Go >= 1.21 found"; fi
else
  no_go_reason="--no-go given"
fi

# Build the Go twins offline, from a copy whose go.mod names the local Go if it is older than
# the go.mod's (so a Go 1.21/1.22 never tries to download a newer toolchain).
if [ -n "$go_bin" ]; then
  src="$out/go-src"
  rm -rf "$src" && mkdir -p "$src" && cp bench/go/go.mod bench/go/*.go "$src/"
  minor="$(go_minor "$go_bin")"
  want="$(sed -n 's/^go 1\.\([0-9][0-9]*\).*/\1/p' "$src/go.mod")"
  if [ -n "$want" ] && [ "$minor" -lt "$want" ]; then sed -i "s/^go 1\..*/go 1.$minor/" "$src/go.mod"; fi
  dojo_say "building the Go twins with $("$go_bin" env GOVERSION) ($go_bin)"
  mkdir -p "$out/go-cache"
  if ! (cd "$src" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$ROOT/$out/go-cache" \
        GOPATH="$ROOT/$out/gopath" CGO_ENABLED=0 "$go_bin" build -o "$ROOT/$out/go_bench" .); then
    no_go_reason="building bench/go failed"; go_bin=""
  fi
fi

dojo_say "running goro_bench (free mode: one OS thread per task; $(nproc) cores)"
goro_tsv="$(mktemp)"; go_tsv="$(mktemp)"
trap 'rm -f "$goro_tsv" "$go_tsv"' EXIT
"$out/goro_bench" --tsv "${args[@]}" >"$goro_tsv"
if [ -n "$go_bin" ]; then
  dojo_say "running the Go twins"
  go_args=()
  for a in "${args[@]}"; do case "$a" in --*) go_args+=("-${a#--}") ;; *) go_args+=("$a") ;; esac; done
  if ! "$out/go_bench" "${go_args[@]}" >"$go_tsv"; then no_go_reason="the Go twins failed"; go_bin=""; : >"$go_tsv"; fi
fi

# id mode unit value spread better title  (goro)  +  id mode unit value spread  (Go)
awk -F'\t' -v with_go="$([ -n "$go_bin" ] && echo 1 || echo 0)" '
  function human(v) {
    if (v >= 1e9) return sprintf("%.2f G", v / 1e9)
    if (v >= 1e6) return sprintf("%.2f M", v / 1e6)
    if (v >= 1e4) return sprintf("%.0f", v)
    if (v >= 100) return sprintf("%.1f", v)
    return sprintf("%.2f", v)
  }
  function pct(x) { return sprintf("%d%%", x * 100 + 0.5) }
  FILENAME == ARGV[1] { go[$1] = $4; gospread[$1] = $5; next }
  { n++; id[n] = $1; mode[n] = $2; unit[n] = $3; val[n] = $4; spread[n] = $5; better[n] = $6; title[n] = $7 }
  END {
    if (with_go)
      printf "%-40s %-5s %10s %10s %8s  %-14s %s\n", "row", "mode", "goro", "Go", "goro/Go", "unit", "spread goro/Go"
    else
      printf "%-40s %-5s %10s  %-14s %s\n", "row", "mode", "goro", "unit", "spread"
    for (i = 1; i <= n; i++) {
      if (!with_go) { printf "%-40s %-5s %10s  %-14s %s\n", title[i], mode[i], human(val[i]), unit[i], pct(spread[i]); continue }
      if (id[i] in go && go[id[i]] > 0 && val[i] > 0) {
        r = better[i] == "higher" ? go[id[i]] / val[i] : val[i] / go[id[i]]
        printf "%-40s %-5s %10s %10s %7.1fx  %-14s %s/%s\n", title[i], mode[i], human(val[i]), human(go[id[i]]), r, unit[i],
          pct(spread[i]), pct(gospread[id[i]])
      } else {
        printf "%-40s %-5s %10s %10s %8s  %-14s %s\n", title[i], mode[i], human(val[i]), "-", "-", unit[i], pct(spread[i])
      }
    }
  }' "$go_tsv" "$goro_tsv"

if [ -n "$go_bin" ]; then
  echo "goro/Go = goro's cost / Go's cost (time or memory; for items/s, Go's rate / goro's rate): >1 means goro is slower or bigger."
  echo "Go: $("$go_bin" env GOVERSION), GOMAXPROCS=$(nproc). spread = (max-min)/median of the timed rounds."
else
  echo "(no Go column: $no_go_reason)"
fi

fi  # run_goro

# The learner's loop: how long a one-line edit takes to regrade (recompile one file, relink,
# run every check). Measured on the reference solution of exercise 01, whose file is only
# touched (its content is unchanged), so the learner's own files are never modified.
regrade_row() {
  local file="solutions/01_sum/sum.cpp" bin="build/default/tests/graders/grader_01_solution"
  cmake --build --preset default --target grader_01_solution >/dev/null 2>&1 || { echo "(regrade row: build failed)"; return; }
  local times=() r
  for r in 1 2 3; do
    touch "$file"
    local t0 t1
    t0=$(date +%s%N)
    cmake --build --preset default --target grader_01_solution >/dev/null 2>&1
    "$bin" --no-color >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  printf '%-40s %-5s %10s  %-14s (rounds: %s ms; goal: under 5,000 ms)\n' \
    "one-line edit -> regrade (exercise 01)" "-" "$sorted" "ms" "${times[*]}"
}
if [ $run_goro -eq 1 ]; then echo; else printf '%-40s %-5s %10s  %-14s %s\n' "row" "mode" "value" "unit" "notes"; fi
if want_row regrade; then regrade_row; fi

# Grading exercise 12 end to end: every check of the reference solution, each a few dozen
# starts of a child process that is killed with SIGKILL and started again on its SQLite state.
grade12_row() {
  local bin="build/default/tests/graders/grader_12_solution"
  cmake --build --preset default --target grader_12_solution >/dev/null 2>&1 || { echo "(grade12 row: build failed)"; return; }
  local times=() r t0 t1
  for r in 1 2 3; do
    t0=$(date +%s%N)
    "$bin" --no-color >/dev/null 2>&1 || { echo "(grade12 row: the reference solution failed its grader)"; return; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  printf '%-40s %-5s %10s  %-14s (rounds: %s ms; goal: under 20,000 ms)\n' \
    "grade exercise 12 (SIGKILL + restart)" "-" "$sorted" "ms" "${times[*]}"
}
if want_row grade12; then grade12_row; fi

# Grading every exercise end to end, as `./dojo grade --solutions` does it: ctest over every
# reference solution's grader (all its checks, seeds and real-threads runs, the child processes
# of 12 and 17, the loopback servers of 03 and 18), as many at a time as there are cores. The
# build is done before the first round and is not timed; each round still checks it is current.
gradeall_row() {
  dojo_build default -j "$(nproc 2>/dev/null || echo 2)" >/dev/null 2>&1 || { echo "(gradeall row: build failed)"; return; }
  local times=() r t0 t1 n
  n="$(ctest --preset default -N -R '^grader\.[0-9]+_[a-z_]+\.solution$' 2>/dev/null | sed -n 's/^Total Tests: //p')"
  for r in 1 2 3; do
    t0=$(date +%s%N)
    bash "$ROOT/tools/learn.sh" grade --solutions >/dev/null 2>&1 || { echo "(gradeall row: a reference solution failed its grader)"; return; }
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  printf '%-40s %-5s %10s  %-14s (rounds: %s ms; %s exercises, %s cores; goal: under 60,000 ms)\n' \
    "grade every exercise (--solutions)" "-" "$sorted" "ms" "${times[*]}" "${n:-?}" "$(nproc 2>/dev/null || echo 2)"
}
if want_row gradeall; then gradeall_row; fi

# The visualizer: frame time (median over 120 frames, 40 with --quick, playing, each view; the
# worst view counts)
# with a synthetic run of 1,000 tasks and 100,000 events, on Mesa's software renderer under
# Xvfb when there is no display. Goal: 16.7 ms (60 fps).
viz_row() {
  cmake --build --preset default --target dojo-viz >/dev/null 2>&1 || { echo "(visualizer row: build failed)"; return; }
  local bin="build/default/visualizer/app/dojo-viz" run=() out
  if [ -z "${DISPLAY:-}" ]; then
    command -v xvfb-run >/dev/null 2>&1 || { echo "(visualizer row: no display and no xvfb-run)"; return; }
    run=(xvfb-run -a -s "-screen 0 1280x800x24")
  fi
  local frames=120
  case " ${args[*]} " in *" --quick "*) frames=40 ;; esac
  if ! out="$(LIBGL_ALWAYS_SOFTWARE=1 "${run[@]}" "$bin" --bench --frames "$frames" 2>&1)"; then
    echo "(visualizer row: dojo-viz --bench failed: $(echo "$out" | tail -1))"; return
  fi
  local worst views
  worst="$(echo "$out" | awk -F'\t' '$1 == "frame_worst_median" { print $2 }')"
  views="$(echo "$out" | awk -F'\t' '$1 ~ /^frame_[a-z]+$/ { sub("frame_", "", $1); sub(" ms median", "", $2); printf "%s%s %s", sep, $1, $2; sep = ", " }')"
  printf '%-40s %-5s %10s  %-14s (per view: %s ms; goal: 16.7 ms = 60 fps)\n' \
    "visualizer frame, 1k tasks / 100k events" "sw" "$worst" "ms/frame" "$views"
}
if want_row viz; then viz_row; fi

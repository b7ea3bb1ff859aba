#!/usr/bin/env bash
# ./dojo viz [TRACE | --last | --scenario NAME] [--screenshot OUT.png [--at 40% | --event N]] ...
# Builds the visualizer (default preset, target dojo-viz) and runs it. `--last` opens the trace
# of the last failing grader check (its path is in .dojo/last-trace). Without a display, a
# screenshot or gallery is rendered under Xvfb (xvfb-run), started here. `./dojo viz --help`
# lists every option.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"

args=()
headless=0
for a in "$@"; do
  case "$a" in
    --last)
      if [ ! -s "$ROOT/.dojo/last-trace" ]; then
        echo "dojo viz: no failing grader check recorded a trace yet (.dojo/last-trace is missing); run ./dojo grade first" >&2
        exit 2
      fi
      last="$(head -n1 "$ROOT/.dojo/last-trace")"
      case "$last" in /*) ;; *) last="$ROOT/$last" ;; esac
      if [ ! -f "$last" ]; then
        echo "dojo viz: the last trace ($last) no longer exists; run ./dojo grade again" >&2
        exit 2
      fi
      args+=("$last") ;;
    --screenshot|--gallery|--bench) headless=1; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done

dojo_ensure_deps
dojo_build default --target dojo-viz >/dev/null
bin="$ROOT/build/default/visualizer/app/dojo-viz"
# Relative paths stay relative to where ./dojo was called from.
cd "${DOJO_CALLER_PWD:-$ROOT}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if [ $headless -eq 1 ]; then
    exec xvfb-run -a -s "-screen 0 1280x800x24" "$bin" "${args[@]}"
  fi
  case " ${args[*]} " in
    *" --list "*|*" --check "*|*" --help "*|*" -h "*) exec "$bin" "${args[@]}" ;;
  esac
  # The app reads a trace before it opens a window: a malformed one is reported (exit 2) even here.
  rc=0
  err="$("$bin" "${args[@]}" 2>&1 >/dev/null)" || rc=$?
  [ $rc -ne 0 ] || exit 0
  if [ $rc -eq 2 ]; then  # a malformed trace, an unknown scenario, a usage error
    echo "$err" | grep -v -e 'no display' -e 'GLFW error' >&2 || true
    exit 2
  fi
  echo "dojo viz: no display. Render a picture instead:  ./dojo viz ${args[*]} --screenshot out.png" >&2
  exit 3
fi
exec "$bin" "${args[@]}"

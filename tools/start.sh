#!/usr/bin/env bash
# ./dojo start: builds the kit, then opens the visualizer on the scenario gallery. Without a
# display it renders the gallery to PNGs in .dojo/gallery/ (under Xvfb) and says where.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/tools/lib.sh"
dojo_ensure_deps
dojo_build default -j "$(nproc 2>/dev/null || echo 2)"
bin="$ROOT/build/default/visualizer/app/dojo-viz"
dojo_say "the kit is built: ./dojo list shows the exercises, ./dojo grade grades the next one"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  dojo_say "opening the visualizer on the scenario gallery (./dojo viz --help for more)"
  exec "$bin" --view gallery
fi
out="$ROOT/.dojo/gallery"
rm -rf "$out" && mkdir -p "$out"
dojo_say "no display: rendering the scenario gallery to PNGs (under Xvfb)"
xvfb-run -a -s "-screen 0 1280x800x24" "$bin" --gallery "$out" >/dev/null
n=$(find "$out" -name '*.png' | wc -l)
dojo_say "the gallery is in $out ($n images: each scenario at 25%, 50%, 75% and 100% of its run)"
dojo_say "render any point yourself:  ./dojo viz --scenario missing_close --at 40% --screenshot out.png"

#!/usr/bin/env bash
# ./dojo start: builds the kit and opens what is ready of it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/tools/lib.sh"
dojo_ensure_deps
dojo_build default -j "$(nproc 2>/dev/null || echo 2)"
dojo_say "goro, the runtime, is built: build/default/runtime/libgoro.a"
dojo_say "the visualizer and the exercises are not part of this release yet; ./dojo test runs the runtime suite"

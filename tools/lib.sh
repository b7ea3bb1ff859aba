# Shared helpers for the ./dojo launcher. Sourced, not run.

# Debian packages the build needs (Debian 12 names).
DOJO_PACKAGES=(cmake ninja-build g++ pkg-config catch2 libfmt-dev libboost-context-dev
  libboost-stacktrace-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev libcurl4-openssl-dev libsqlite3-dev
  libglfw3-dev libimgui-dev libstb-dev xvfb xauth libgl1-mesa-dri libgl-dev)

dojo_say() { printf '\033[1m[dojo]\033[0m %s\n' "$*" >&2; }
if [ ! -t 2 ]; then dojo_say() { printf '[dojo] %s\n' "$*" >&2; }; fi

# Installs whatever of DOJO_PACKAGES (plus "$@") is missing: as root with apt-get, else via
# sudo; otherwise explains what to install and fails.
dojo_ensure_deps() {
  local missing=() p
  for p in "${DOJO_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  dojo_say "installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n)
    else
      dojo_say "cannot install packages: not root and no password-less sudo."
      dojo_say "please run:  sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || { dojo_say "apt-get update failed"; exit 1; }
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { dojo_say "apt-get install failed for: ${missing[*]}"; exit 1; }
}

# Configures (once) and builds a CMake preset.
dojo_build() {
  local preset="$1"; shift || true
  if [ ! -f "build/$preset/build.ninja" ]; then
    dojo_say "configuring preset '$preset'"
    cmake --preset "$preset" >/dev/null
  fi
  dojo_say "building preset '$preset'"
  cmake --build --preset "$preset" "$@"
}

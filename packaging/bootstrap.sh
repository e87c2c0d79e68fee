#!/usr/bin/env bash
# Set up Orq Desktop on a Debian or Ubuntu machine, then launch it or run every check.
#
#   bash packaging/bootstrap.sh run [app options]   set up (once) and launch the app
#   bash packaging/bootstrap.sh test [pytest args]  set up (once) and run lint, types, layers, tests
#
# It installs the Debian packages Qt needs (and, for "test", Xvfb and a Secret Service), finds a
# Python 3.12 or newer, makes a virtual environment in .venv and installs the package into it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in
  run|test|setup) ;;
  *) echo "usage: bash packaging/bootstrap.sh run|test|setup [args...]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# --- Debian packages ---------------------------------------------------------------------------
# Qt offscreen and a real X window (xcb); checked with ldd on the platform plugins.
qt_pkgs="libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0
  libbrotli1 fonts-dejavu-core libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0"
# Tests: a virtual screen for screenshots, and a real Secret Service in a private D-Bus session.
# The desktop-file and AppStream validators and xprop check the .desktop entry, metainfo and window.
test_pkgs="xvfb xauth dbus gnome-keyring desktop-file-utils appstream x11-utils strace"

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "These system packages are missing and this is not a Debian/Ubuntu system: ${missing[*]}" >&2
    echo "Install their equivalents with your package manager, then run this again." >&2
    exit 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "Missing system packages: ${missing[*]}" >&2
      echo "Run as root: apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  say "Installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if command -v dpkg-query >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  if [ "$mode" = test ]; then apt_install $qt_pkgs $test_pkgs; else apt_install $qt_pkgs; fi
fi

# --- Python 3.12+ ------------------------------------------------------------------------------
# pyenv shims answer only for the global version, so every candidate is run, not just looked up.
find_python() {
  local cands=()
  [ -n "${ORQ_PYTHON:-}" ] && cands+=("$ORQ_PYTHON")
  cands+=(python3.14 python3.13 python3.12 python3)
  for d in "$HOME"/.pyenv/versions/3.1[2-9]* /root/.pyenv/versions/3.1[2-9]* \
           /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] /opt/python*/bin/python3; do
    [ -e "$d" ] || continue
    if [ -d "$d" ]; then cands+=("$d/bin/python3"); else cands+=("$d"); fi
  done
  for c in "${cands[@]}"; do
    if "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

venv=.venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  if ! py=$(find_python); then
    cat >&2 <<'MSG'
Orq Desktop needs Python 3.12 or newer (with venv), and none was found.
  Ubuntu 24.04 or newer:  sudo apt install python3 python3-venv
  Debian 13 or newer:     sudo apt install python3 python3-venv
  Debian 12 / older:      install Python 3.12 with pyenv (https://github.com/pyenv/pyenv), then
                          run this again, or point ORQ_PYTHON at the interpreter.
MSG
    exit 1
  fi
  say "Creating $venv with $py"
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi

extras="test,dev"
stamp="$venv/.orq-installed"
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)-$extras"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "Installing Orq Desktop and its dependencies into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -e ".[$extras]"
  echo "$want" > "$stamp"
fi

# Report any library Qt's window plugin still cannot load, rather than trusting the list above.
qtdir=$("$venv/bin/python" -c 'import PySide6, os; print(os.path.dirname(PySide6.__file__))')
if missing=$(ldd "$qtdir/Qt/plugins/platforms/libqxcb.so" 2>/dev/null | grep 'not found'); [ -n "$missing" ]; then
  echo "warning: Qt's X11 plugin lacks libraries (a real window will not open):" >&2
  echo "$missing" >&2
fi

export PATH="$here/$venv/bin:$PATH"
case "$mode" in
  setup) say "Set up. Launch with: $venv/bin/orq-desktop" ;;
  run)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      say "No display found: starting on a virtual screen (xvfb-run). Press Ctrl+C to quit."
      apt_install xvfb xauth
      exec xvfb-run -a orq-desktop "$@"
    fi
    exec orq-desktop "$@"
    ;;
  test) exec bash packaging/check.sh "$@" ;;
esac

#!/usr/bin/env bash
# Build the one-folder bundle dist/orq-desktop/ with PyInstaller (packaging/orq-desktop.spec).
#
#   bash packaging/build_bundle.sh            # build (PyInstaller is installed into .venv if missing)
#   bash packaging/smoke_bundle.sh            # then check it: demo mode, one prompt, exit 0
#
# Run it from a set-up checkout (bash packaging/bootstrap.sh setup). The bundle runs on Linux
# machines with the same or a newer glibc than the build machine, and needs the Qt system
# libraries that bootstrap.sh lists (libxcb-*, libxkbcommon, fontconfig, …) for a real window.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

py=${ORQ_PYTHON:-$here/.venv/bin/python}
if [ ! -x "$py" ]; then
  echo "No virtual environment at .venv: run 'bash packaging/bootstrap.sh setup' first." >&2
  exit 1
fi
pyinstaller_req='pyinstaller>=6.10,<7'
if ! "$py" -c 'import PyInstaller' >/dev/null 2>&1; then
  say "Installing PyInstaller into $(dirname "$(dirname "$py")")"
  "$py" -m pip install -q --disable-pip-version-check "$pyinstaller_req"
fi

dist=${ORQ_BUNDLE_DIST:-$here/dist}
work=${ORQ_BUNDLE_WORK:-$here/build/pyinstaller}
say "Building $dist/orq-desktop with PyInstaller $("$py" -c 'import PyInstaller; print(PyInstaller.__version__)')"
start=$(date +%s)
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/orq-desktop.spec
# The interpreter itself (libpython and its lib-dynload modules) may come from a build with debug
# information (pyenv's does: 30 MB of libpython is 7 MB without). Only those files are stripped:
# the libraries from wheels are already stripped, and some are patched by auditwheel.
internal="$dist/orq-desktop/_internal"
if command -v strip >/dev/null 2>&1; then
  for f in "$internal"/libpython3*.so* "$internal"/python3*/lib-dynload/*.so; do
    [ -f "$f" ] && [ ! -L "$f" ] && strip --strip-debug "$f"
  done
fi
took=$(( $(date +%s) - start ))
size=$(du -sm "$dist/orq-desktop" | cut -f1)
say "Built $dist/orq-desktop: ${size} MB in ${took} s"

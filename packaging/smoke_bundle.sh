#!/usr/bin/env bash
# Check a built bundle: its programs start, its libraries resolve, the Qt parts it needs are in and
# the unused ones out, and the real app in demo mode answers one prompt (offscreen, and under Xvfb
# with the X11 plugin when xvfb-run is installed). Exit status 0 only when all of that holds.
#
#   bash packaging/build_bundle.sh && bash packaging/smoke_bundle.sh [BUNDLE_DIR]
#
# BUNDLE_DIR defaults to dist/orq-desktop. Nothing touches the user's data: each run gets a
# throw-away data folder.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bundle=$(cd "${1:-$here/dist/orq-desktop}" 2>/dev/null && pwd) || {
  echo "No bundle at ${1:-$here/dist/orq-desktop}: build it with bash packaging/build_bundle.sh" >&2
  exit 1
}
internal="$bundle/_internal"
qt="$internal/PySide6/Qt"
failures=0
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'FAIL %s\n' "$*" >&2; failures=$((failures + 1)); }
pass() { printf 'ok   %s\n' "$*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "Checking $bundle"
for program in orq-desktop orq-desktop-smoke; do
  if [ -x "$bundle/$program" ]; then pass "$program is there"; else fail "$program is missing"; fi
done

version=$("$bundle/orq-desktop" --version 2>&1) || true
want=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$here/orq_desktop/__init__.py")
if [ "$version" = "orq-desktop $want" ]; then pass "--version: $version"
else fail "--version said: $version"; fi
help=$("$bundle/orq-desktop" --help 2>&1) || true
for option in --demo --data-dir --version; do
  grep -q -- "$option" <<<"$help" || fail "--help does not mention $option"
done

# Qt parts the app needs, and parts that must have been left out (packaging/orq-desktop.spec).
for plugin in platforms/libqoffscreen.so platforms/libqxcb.so platforms/libqwayland.so \
  imageformats/libqjpeg.so imageformats/libqwebp.so imageformats/libqgif.so \
  imageformats/libqsvg.so iconengines/libqsvgicon.so; do
  if [ -f "$qt/plugins/$plugin" ]; then pass "Qt plugin $plugin"
  else fail "Qt plugin $plugin is missing"; fi
done
unwanted=$(find "$internal" \( -name 'libQt6Pdf*' -o -name 'libQt6Qml*' -o -name 'libQt6Quick*' \
  -o -name 'libQt6Network*' -o -name 'libgtk-3*' -o -name 'libqpdf.so' -o -name 'libqgtk3.so' \) \
  -printf '%P ')
if [ -z "$unwanted" ]; then pass "no unused Qt modules"
else fail "unused parts in the bundle: $unwanted"; fi

# Every bundled library finds its own dependencies (in the bundle or on the system).
if command -v ldd >/dev/null 2>&1; then
  missing=""
  while IFS= read -r -d '' lib; do
    if out=$(LD_LIBRARY_PATH="$internal" ldd "$lib" 2>/dev/null | grep 'not found'); then
      missing+="${lib#"$internal"/}: $(tr -s ' \t\n' ' ' <<<"$out")"$'\n'
    fi
  done < <(find "$internal" -type f -name '*.so*' -print0)
  if [ -z "$missing" ]; then pass "every bundled library resolves its dependencies"
  else fail "unresolved libraries:"$'\n'"$missing"; fi
fi

run_smoke() {  # $1: label, then the command prefix
  local label=$1 log="$tmp/smoke-$1.log" start took
  shift
  start=$(date +%s%N)
  if timeout 180 "$@" "$bundle/orq-desktop-smoke" --data-dir "$tmp/data-$label" >"$log" 2>&1; then
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    pass "demo mode answered one prompt ($label, ${took} ms to exit)"
    grep -E '^(ok|FAIL) ' "$log" | sed 's/^/       /' >&2
  else
    fail "the smoke program failed ($label):"
    grep -v 'propagateSizeHints' "$log" | tail -40 >&2
  fi
}

say "Demo mode, one prompt"
QT_QPA_PLATFORM=offscreen run_smoke offscreen env
if command -v xvfb-run >/dev/null 2>&1; then
  # A private session bus, so Qt's D-Bus use cannot autolaunch a daemon that outlives the run.
  bus=()
  command -v dbus-run-session >/dev/null 2>&1 && bus=(dbus-run-session --)
  QT_QPA_PLATFORM=xcb run_smoke xcb "${bus[@]}" xvfb-run -a
else
  say "xvfb-run is not installed: the X11 (xcb) run is skipped"
fi

size=$(du -sm "$bundle" | cut -f1)
say "Bundle size: ${size} MB ($(find "$bundle" -type f | wc -l) files)"
if [ "$failures" -gt 0 ]; then
  say "$failures check(s) failed"
  exit 1
fi
say "All bundle checks passed"

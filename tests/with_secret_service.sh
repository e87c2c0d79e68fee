#!/usr/bin/env bash
# Run a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service and a
# throw-away HOME, so keyring tests use a real backend and never touch the user's own keyring.
# Without dbus-run-session or gnome-keyring-daemon the command runs as is (keyring tests skip).
set -euo pipefail
if [ "${ORQ_IN_SECRET_SERVICE:-}" = 1 ]; then
  export ORQ_IN_SECRET_SERVICE=2
  eval "$(printf 'orq-test-password' | gnome-keyring-daemon --daemonize --unlock --components=secrets 2>/dev/null)"
  export GNOME_KEYRING_CONTROL
  exec "$@"
fi
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"
  chmod 700 "$tmp/runtime"
  export ORQ_REAL_HOME="$HOME" HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" \
         XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime"
  unset DISPLAY
  ORQ_IN_SECRET_SERVICE=1 dbus-run-session -- bash "$0" "$@"
  exit $?
fi
echo "note: no dbus-run-session/gnome-keyring-daemon: keyring tests will be skipped" >&2
exec "$@"

#!/usr/bin/env bash
# Put Orq Desktop in the current user's application menu (no root needed), or take it out again.
#
#   bash packaging/install_desktop_entry.sh install [--exec COMMAND]
#   bash packaging/install_desktop_entry.sh uninstall
#
# install copies the .desktop entry, the icons (SVG and every PNG size) and the AppStream
# metainfo under ${XDG_DATA_HOME:-~/.local/share}. The menu entry runs `orq-desktop`, which must
# be on PATH (pip's scripts folder, or a virtual environment's bin/); --exec puts an absolute
# command in its place, e.g. the bundle's executable:
#   bash packaging/install_desktop_entry.sh install --exec "$PWD/dist/orq-desktop/orq-desktop"
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
res="$here/resources"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
app_id=orq-desktop
metainfo=io.orq.OrqDesktop.metainfo.xml
sizes="16 32 48 64 128 256 512"

usage() { echo "usage: bash packaging/install_desktop_entry.sh install [--exec COMMAND] | uninstall" >&2; exit 2; }
say() { printf '%s\n' "$*" >&2; }

# Refresh the desktop's caches when their tools exist; a desktop without them rescans by itself.
refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$data/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" 2>/dev/null || true
  fi
}

# A command as one argument of a .desktop Exec line (Desktop Entry spec, "The Exec key"): quoted
# when it holds a space or a reserved character, with ", `, $ and \ escaped inside the quotes;
# then the string-value escape doubles every backslash again, and % becomes %%.
exec_arg() {
  local arg=$1
  if [[ "$arg" =~ [[:space:]\"\'\\\`\$\<\>\~\|\&\;\*\?\#\(\)] ]]; then
    arg=${arg//\\/\\\\}; arg=${arg//\"/\\\"}; arg=${arg//\`/\\\`}; arg=${arg//\$/\\\$}
    arg="\"$arg\""
  fi
  arg=${arg//\\/\\\\}
  printf '%s' "${arg//%/%%}"
}

# Write the .desktop entry with its commands pointing at $1 (TryExec is a plain string value).
write_desktop() {
  local cmd=$1 out=$2 line rest
  local quoted try=${1//\\/\\\\}
  quoted=$(exec_arg "$cmd")
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      TryExec=*) printf 'TryExec=%s\n' "$try" ;;
      Exec=orq-desktop*) rest=${line#Exec=orq-desktop}; printf 'Exec=%s%s\n' "$quoted" "$rest" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done < "$res/$app_id.desktop" > "$out"
}

install_entry() {
  local exec_cmd=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --exec) [ $# -ge 2 ] || usage; exec_cmd=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  mkdir -p "$data/applications" "$data/metainfo" "$data/icons/hicolor/scalable/apps"
  local desktop="$data/applications/$app_id.desktop"
  if [ -n "$exec_cmd" ]; then
    if [ ! -f "$exec_cmd" ] || [ ! -x "$exec_cmd" ]; then
      say "not an executable file: $exec_cmd"
      exit 1
    fi
    # The menu starts programs from the home folder: the entry needs an absolute path.
    exec_cmd="$(cd "$(dirname "$exec_cmd")" && pwd)/$(basename "$exec_cmd")"
    write_desktop "$exec_cmd" "$desktop.tmp"
  else
    cp "$res/$app_id.desktop" "$desktop.tmp"
    command -v orq-desktop >/dev/null 2>&1 ||
      say "note: orq-desktop is not on PATH yet; the menu entry stays hidden until it is (or use --exec)."
  fi
  chmod 0644 "$desktop.tmp"
  mv -f "$desktop.tmp" "$desktop"
  install -m 0644 "$res/icons/$app_id.svg" "$data/icons/hicolor/scalable/apps/$app_id.svg"
  local n
  for n in $sizes; do
    mkdir -p "$data/icons/hicolor/${n}x${n}/apps"
    install -m 0644 "$res/icons/$app_id-$n.png" "$data/icons/hicolor/${n}x${n}/apps/$app_id.png"
  done
  install -m 0644 "$res/$metainfo" "$data/metainfo/$metainfo"
  refresh
  say "Installed $desktop, its icons and metainfo under $data"
}

uninstall_entry() {
  [ $# -eq 0 ] || usage
  rm -f "$data/applications/$app_id.desktop" "$data/metainfo/$metainfo" \
        "$data/icons/hicolor/scalable/apps/$app_id.svg"
  local n
  for n in $sizes; do rm -f "$data/icons/hicolor/${n}x${n}/apps/$app_id.png"; done
  refresh
  say "Removed Orq Desktop's menu entry, icons and metainfo from $data"
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case "$cmd" in
  install) install_entry "$@" ;;
  uninstall) uninstall_entry "$@" ;;
  *) usage ;;
esac

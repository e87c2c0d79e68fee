"""The real app's X11 window carries the names the .desktop entry is matched by, so docks and
task switchers show it with its menu entry and icon. Runs the installed ``orq-desktop`` launcher
in demo mode on a virtual screen; skips when Xvfb or the X tools are not installed."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(sys.executable).parent / "orq-desktop"
TOOLS = ("xvfb-run", "xwininfo", "xprop")

# Start the app, wait for its main window, read two properties, then end the app we started.
PROBE = r"""
"$LAUNCHER" --demo --data-dir "$DATA" & app=$!
id=""
for _ in $(seq 200); do
  id=$(xwininfo -root -tree | awk '/"Orq Desktop": \("/ {print $1; exit}')  # has a class
  [ -n "$id" ] && break
  sleep 0.1
done
[ -n "$id" ] && xprop -id "$id" WM_CLASS _GTK_APPLICATION_ID
kill "$app"; wait "$app" || true
"""


def startup_wm_class() -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "resources" / "orq-desktop.desktop")
    return parser["Desktop Entry"]["StartupWMClass"]


@pytest.mark.slow
@pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS),
    reason="needs xvfb-run (Debian xvfb) and xwininfo, xprop (Debian x11-utils)",
)
@pytest.mark.skipif(not LAUNCHER.exists(), reason="the orq-desktop launcher is not installed")
def test_window_class_matches_the_desktop_entry(tmp_path: Path) -> None:
    # A private session bus, so Qt cannot autolaunch a D-Bus daemon that outlives the test.
    bus = ["dbus-run-session", "--"] if shutil.which("dbus-run-session") else []
    # Its own home and runtime folder, and a key from the environment: the app must not wake
    # a second gnome-keyring that would take over (and lock) the suite's shared one.
    (tmp_path / "runtime").mkdir(mode=0o700)
    env = {
        **{k: v for k, v in os.environ.items() if k != "GNOME_KEYRING_CONTROL"},
        "QT_QPA_PLATFORM": "xcb",
        "LAUNCHER": str(LAUNCHER),
        "DATA": str(tmp_path / "data"),
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path / "runtime"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "ORQ_API_KEY": "window-class-test-key",
    }
    out = subprocess.run(
        [*bus, "xvfb-run", "-a", "bash", "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=50,
        env=env,
    )
    wanted = startup_wm_class()
    assert f'WM_CLASS(STRING) = "{wanted}", "Orq Desktop"' in out.stdout, out.stdout + out.stderr
    assert f'_GTK_APPLICATION_ID(UTF8_STRING) = "{wanted}"' in out.stdout

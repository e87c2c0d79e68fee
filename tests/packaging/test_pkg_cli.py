"""The command line, as a user (or a .desktop entry) runs it: ``python -m orq_desktop …``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import orq_desktop

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orq_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
        check=False,
    )


def test_version_prints_the_package_version_and_exits_0() -> None:
    out = run_cli("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"orq-desktop {orq_desktop.__version__}"


def test_help_names_every_option_and_the_environment() -> None:
    out = run_cli("--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: orq-desktop")
    for option in ("--help", "--version", "--demo", "--data-dir DIR"):
        assert option in out.stdout
    for variable in ("ORQ_API_KEY", "ORQ_BASE_URL", "ORQ_DESKTOP_DATA_DIR"):
        assert variable in out.stdout


def test_an_unknown_option_is_refused_with_the_usage() -> None:
    out = run_cli("--no-such-option")
    assert out.returncode == 2
    assert "usage: orq-desktop" in out.stderr
    assert "unrecognized arguments: --no-such-option" in out.stderr


def test_version_and_help_answer_without_loading_qt() -> None:
    """A terminal question must not pay for Qt (or fail on a machine without a display)."""
    code = (
        "import sys\n"
        "from orq_desktop.app import main\n"
        "for flag in ('--version', '--help'):\n"
        "    try:\n"
        "        main([flag])\n"
        "    except SystemExit as stop:\n"
        "        assert stop.code == 0, stop.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync', 'httpx')))\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=ENV
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.endswith("LOADED=")


def test_main_names_the_desktop_file_and_takes_data_dir(tmp_path: Path) -> None:
    """What the window system and the .desktop entry agree on, read from the running QApplication.

    ``run`` is replaced by a stand-in that reports what ``main`` set up, so no window opens.
    """
    data = tmp_path / "my data"
    code = (
        "import os, sys\n"
        "import orq_desktop.app.startup as app\n"
        "async def report(*, demo, script=None):\n"
        "    from PySide6.QtWidgets import QApplication\n"
        "    q = QApplication.instance()\n"
        "    sys.stdout.write('|'.join([q.desktopFileName(), q.applicationName(),\n"
        "        q.applicationVersion(), str(demo), os.environ['ORQ_DESKTOP_DATA_DIR']]))\n"
        "    return 0\n"
        "app.run = report\n"
        "sys.exit(app.main(sys.argv[1:]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "--demo", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=30,
        env=ENV,
    )
    assert out.returncode == 0, out.stderr
    desktop_name, app_name, version, demo, data_dir = out.stdout.split("|")
    assert desktop_name == "orq-desktop"  # resources/orq-desktop.desktop, StartupWMClass
    assert app_name == "Orq Desktop"
    assert version == orq_desktop.__version__
    assert demo == "True"
    assert data_dir == str(data.resolve())


def test_the_installed_launcher_answers_too() -> None:
    """The ``orq-desktop`` script that pip writes (and the .desktop entry's Exec runs)."""
    launcher = Path(sys.executable).parent / "orq-desktop"
    if not launcher.exists():
        pytest.skip(f"no orq-desktop launcher beside {sys.executable} (package not installed)")
    out = subprocess.run(
        [str(launcher), "--version"], capture_output=True, text=True, timeout=30, env=ENV
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"orq-desktop {orq_desktop.__version__}"

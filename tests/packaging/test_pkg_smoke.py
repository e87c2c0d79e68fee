"""packaging/smoke_entry.py from the source tree: the same program the bundle ships as
``orq-desktop-smoke``, so a broken smoke test shows up here before a long bundle build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = (
    "Qt platform plugin",
    "Qt image formats",
    "app icon",
    "TLS certificates",
    "keyring backends",
    "chat answer",
    "prompt box cleared",
    "image from the simulator",
    "image saved with its settings",
    "Qt reads the image",
    "clean shutdown",
)


@pytest.mark.slow
def test_smoke_program_sends_one_prompt_in_demo_mode_and_exits_0(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "smoke_entry.py"), "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].endswith("smoke test (source, Python " + sys.version.split()[0] + ")")
    assert [line.split(":")[0][5:] for line in lines[1:-1]] == list(CHECKS)
    assert all(line.startswith("ok   ") for line in lines[1:-1]), out.stdout
    assert lines[-1] == "all passed"
    # What it did is on disk, in the folder it was given: the saved image and its settings.
    saved = sorted(p.suffix for p in (data / "images").iterdir())
    assert saved == [".json", ".webp"]


@pytest.mark.slow
def test_smoke_program_fails_when_the_answer_fails(tmp_path: Path) -> None:
    """The chat check is real: with the simulator refusing every request the exit status is 1."""
    code = (
        "import runpy, sys\n"
        "smoke = runpy.run_path(sys.argv[1], run_name='smoke')\n"
        "import orq_desktop.app as app\n"
        "real_start = app.AppParts.start_demo\n"
        "def broken_start(self):\n"
        "    handle = real_start(self)\n"
        "    self.panel.params.model_picker.setCurrentText('sim/status-500')\n"
        "    return handle\n"
        "app.AppParts.start_demo = broken_start\n"
        "sys.exit(smoke['main'](['--data-dir', sys.argv[2]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "packaging" / "smoke_entry.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAIL chat answer: error" in out.stdout
    assert out.stdout.splitlines()[-1].startswith("FAILED: chat answer")

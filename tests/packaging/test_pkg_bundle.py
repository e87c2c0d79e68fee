"""The one-folder bundle, built and checked for real. Slow (a build takes minutes), so it runs only
when asked: ``ORQ_BUNDLE_SMOKE=1 pytest tests/packaging/test_pkg_bundle.py -s``.

``ORQ_BUNDLE_DIR=dist/orq-desktop`` checks a bundle built before instead of building one in a
temporary folder.
"""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("ORQ_BUNDLE_SMOKE") != "1",
        reason="builds the PyInstaller bundle (minutes): set ORQ_BUNDLE_SMOKE=1 to run it",
    ),
]


def folder_mb(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 1e6


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("ORQ_BUNDLE_DIR")
    if given:
        return Path(given).resolve()
    # The build outlasts pytest's faulthandler_timeout (90 s), whose stack dump would read like
    # a hang; the per-test timeout marker below still bounds it.
    faulthandler.cancel_dump_traceback_later()
    out = tmp_path_factory.mktemp("bundle")
    env = {
        **os.environ,
        "ORQ_PYTHON": sys.executable,
        "ORQ_BUNDLE_DIST": str(out / "dist"),
        "ORQ_BUNDLE_WORK": str(out / "work"),
    }
    started = time.monotonic()
    build = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build_bundle.sh")],
        capture_output=True,
        text=True,
        timeout=1500,
        env=env,
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    result = out / "dist" / "orq-desktop"
    print(f"\nbundle built in {time.monotonic() - started:.0f} s: {folder_mb(result):.0f} MB")
    return result


@pytest.mark.timeout(1800)
def test_bundle_sends_one_prompt_in_demo_mode_and_exits_0(bundle: Path) -> None:
    out = subprocess.run(
        ["bash", str(ROOT / "packaging" / "smoke_bundle.sh"), str(bundle)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(out.stderr)
    assert out.returncode == 0, out.stderr[-6000:]
    assert "demo mode answered one prompt (offscreen" in out.stderr
    assert "FAIL" not in out.stderr
    assert "All bundle checks passed" in out.stderr


@pytest.mark.timeout(1800)
def test_bundle_stays_lean(bundle: Path) -> None:
    """PySide6-Essentials alone is 246 MB installed; the whole bundle must stay well below it."""
    names = {p.name for p in bundle.rglob("*")}
    for unwanted in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6Pdf.so.6", "libQt6Network.so.6"):
        assert unwanted not in names
    assert not any(n.startswith("libgtk-3") for n in names)
    assert folder_mb(bundle) < 230

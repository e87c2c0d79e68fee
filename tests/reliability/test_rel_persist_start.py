"""P8: the app started on a data folder it cannot use (read-only, or a file in the way).

The real app starts in a child process (``persist_start_driver.py``: ``app.run(demo=True)``
with ``--data-dir``). It must not crash or print a traceback; it runs on a private temporary
folder for the session, says so in the status bar and in the history's save mark (with the
folder and the reason in the tooltip), and leaves the chosen folder untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from persist_tmpfs import can_mount, tmpfs
from rel_state import captured_path

from orq_desktop.store.history import HistoryStore

DRIVER = Path(__file__).with_name("persist_start_driver.py")


def start(rel_dir: Path, data_dir: Path, label: str) -> dict[str, Any]:
    """Start the app on ``data_dir``; its report, after checking it ended well and quietly."""
    tmp = rel_dir / "tmp"
    tmp.mkdir(exist_ok=True)
    report = rel_dir / f"{label}.json"
    env = {**os.environ, "TMPDIR": str(tmp), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(data_dir), str(report)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    captured_path(f"start-{rel_dir.name}-{label}.stderr").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    seen: dict[str, Any] = json.loads(report.read_text())
    assert seen["window_visible"] and seen["history_available"]
    session = Path(seen["data_dir"])
    assert session.parent == tmp and session.name.startswith("orq-desktop-session-")
    assert (session / "history.sqlite3").is_file()  # the app works there this session
    assert (session.stat().st_mode & 0o777) == 0o700
    return seen


def check_told(seen: dict[str, Any], data_dir: Path, reason: str) -> None:
    problem = seen["problem"]
    assert problem is not None and str(data_dir) in problem and reason in problem
    assert seen["data_dir"] in problem and "for this session only" in problem
    text, tooltip, visible = seen["mark"]
    assert visible and text == "⚠ kept for this session only"
    assert problem in tooltip


@pytest.mark.scenario("P8")
def test_a_data_folder_under_a_file_starts_on_a_session_folder(rel_dir: Path) -> None:
    blocker = rel_dir / "not-a-folder"
    blocker.write_text("a file where a folder is wanted")
    data_dir = blocker / "data"
    seen = start(rel_dir, data_dir, "under-a-file")
    check_told(seen, data_dir, "a file is in the way")
    assert blocker.read_text() == "a file where a folder is wanted"


@pytest.fixture
def read_only_data(rel_dir: Path) -> Iterator[tuple[Path, str]]:
    """A data folder holding a history, then mounted read-only over itself (a bind mount)."""
    if reason := can_mount():
        pytest.skip(reason)
    data = rel_dir / "data"
    data.mkdir(mode=0o700)
    store = HistoryStore.open(data / "history.sqlite3").store
    store.create_thread("kept as it was")
    store.close()
    digest = hashlib.sha256((data / "history.sqlite3").read_bytes()).hexdigest()
    for how in (["--bind", str(data), str(data)], ["-o", "remount,bind,ro", str(data)]):
        done = subprocess.run(["mount", *how], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            subprocess.run(["umount", str(data)], capture_output=True, check=False)
            pytest.skip(f"a read-only bind mount failed: {done.stderr.strip()}")
    try:
        yield data, digest
    finally:
        subprocess.run(["umount", str(data)], capture_output=True, check=False)


@pytest.mark.scenario("P8")
def test_a_read_only_data_folder_is_left_alone(
    rel_dir: Path, read_only_data: tuple[Path, str]
) -> None:
    data, digest = read_only_data
    before = sorted(p.name for p in data.iterdir())
    seen = start(rel_dir, data, "read-only-bind")
    check_told(seen, data, "it is on a read-only disk")
    assert sorted(p.name for p in data.iterdir()) == before
    assert hashlib.sha256((data / "history.sqlite3").read_bytes()).hexdigest() == digest


@pytest.mark.scenario("P8")
def test_an_empty_read_only_disk_as_the_data_folder(rel_dir: Path) -> None:
    with tmpfs(rel_dir / "ro-disk", "256k", "ro") as data:
        seen = start(rel_dir, data, "read-only-tmpfs")
        check_told(seen, data, "it is on a read-only disk")
        assert list(data.iterdir()) == []

"""An unusable data folder gives a session folder and a plain reason, never an exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from orq_desktop import paths


@pytest.fixture
def session_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(paths, "_fallbacks", {})
    return folder


def test_a_usable_folder_is_used_and_made_private(
    tmp_path: Path, session_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "data"
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(chosen))
    assert paths.data_dir() == chosen
    assert chosen.stat().st_mode & 0o777 == 0o700
    assert paths.data_dir_problem() is None
    assert paths.history_db() == chosen / "history.sqlite3"


def test_a_file_in_the_way_gives_one_session_folder(
    tmp_path: Path, session_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(blocker / "data"))
    first = paths.data_dir()
    assert first.parent == session_tmp and first.stat().st_mode & 0o777 == 0o700
    assert paths.data_dir() == first  # the same folder all session
    assert paths.images_dir() == first / "images"
    problem = paths.data_dir_problem()
    assert problem is not None
    assert str(blocker / "data") in problem and "a file is in the way" in problem
    assert str(first) in problem
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "other"))
    assert paths.data_dir_problem() is None  # the problem belongs to the folder asked for

"""Settings and atomic writes on real files in temporary folders."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from orq_desktop import fileio, settings


def test_defaults_when_missing(tmp_path: Path) -> None:
    s = settings.load(tmp_path / "settings.json")
    assert s.base_url == "https://api.orq.ai" and s.path_prefix == "/v2/gateway"


def test_round_trip_is_0600_and_has_no_secret_fields(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = settings.AppSettings(base_url="http://127.0.0.1:8765/", path_prefix="/v2/router")
    settings.save(s, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = settings.load(path)
    assert again.base_url == "http://127.0.0.1:8765"
    assert again.path_prefix == "/v2/router"
    assert "key" not in json.loads(path.read_text()) and "api_key" not in path.read_text()


def test_broken_file_is_kept_aside_and_defaults_used(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"base_url": "ftp://nope"}')
    s = settings.load(path)
    assert s.base_url == "https://api.orq.ai"
    assert (tmp_path / "settings.json.bad").read_text() == '{"base_url": "ftp://nope"}'
    assert not path.exists()


def test_invalid_base_url_message_is_plain() -> None:
    with pytest.raises(ValueError, match="must start with https://"):
        settings.AppSettings(base_url="api.orq.ai")


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    fileio.atomic_write_bytes(path, b"old")
    fileio.atomic_write_bytes(path, b"new" * 1000)
    assert path.read_bytes() == b"new" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_exclusive_write_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "img.png"
    fileio.atomic_write_bytes(path, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        fileio.atomic_write_bytes(path, b"second", exclusive=True)
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["img.png"]


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "settings.json"
    fileio.atomic_write_bytes(path, b"old")
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        fileio.atomic_write_bytes(path, b"new contents")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]

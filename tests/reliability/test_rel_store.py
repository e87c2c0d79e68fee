"""Bad bytes and damaged files (B6, B7, B11, B12, B13, P3-P11) on real files in the suite's root."""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import os
import re
import sqlite3
import stat
import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from rel_state import suite_canary

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.image_check import (
    ImageTooLargeError,
    InvalidImageError,
    check_image,
    decode_b64_image,
)
from orq_desktop.store.images import DiskFullError, save_generated_image

NOW = datetime(2026, 1, 26, 12, 30, 45).astimezone()
# Our names: "<date>-<time>_<slug of the prompt>_<index>[-n].<sniffed extension>", ASCII only.
NAME = re.compile(r"^\d{8}-\d{6}_[A-Za-z0-9_\-]{1,80}_\d+(-\d+)?\.(png|jpg|webp)$", re.ASCII)


def png(width: int = 4, height: int = 4) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
        + struct.pack(">I", zlib.crc32(chunk)) + b"\0" * 64
    )  # fmt: skip


@pytest.mark.scenario("B6")
@pytest.mark.parametrize(
    "b64",
    [
        base64.b64encode(b"<html><body>not an image</body></html>").decode(),
        base64.b64encode(png()[:40]).decode(),
        "!!!not base64!!!",
        "data:image/png;base64," + base64.b64encode(png()).decode(),
        "",
    ],
)
def test_non_image_bytes_are_refused_and_nothing_is_written(rel_dir: Path, b64: str) -> None:
    def decode_and_save() -> None:
        data = decode_b64_image(b64)
        save_generated_image(rel_dir, data, {"model": "m"}, prompt="cat", index=1, now=NOW)

    with pytest.raises(InvalidImageError):
        decode_and_save()
    assert list(rel_dir.iterdir()) == []


@pytest.mark.scenario("B7")
def test_an_image_bomb_header_is_refused_before_decoding(rel_dir: Path) -> None:
    with pytest.raises(ImageTooLargeError):
        check_image(png_header(60000, 60000))
    with pytest.raises((ImageTooLargeError, InvalidImageError)):
        decode_b64_image("A" * (61 * 1024 * 1024))
    assert list(rel_dir.iterdir()) == []


PROMPTS = [
    "../../x", "/etc/x", "C:\\x", "a/b", '<>:"|?*', "CON", "NUL.txt", "COM1", "trailing dot.",
    "trailing space ", "nul\0byte", "p" * 300, "rtl \u202egnp.exe", "-leading dash", "emoji 🐱",
]  # fmt: skip


@pytest.mark.scenario("B11")
def test_file_names_never_come_raw_from_prompts(rel_dir: Path) -> None:
    folder = rel_dir / "images"
    data = png()
    names = set()
    for index, prompt in enumerate([*PROMPTS, "same", "same"], start=1):
        saved = save_generated_image(folder, data, {"model": "m"}, prompt=prompt, index=1, now=NOW)
        path = Path(saved.path)
        assert NAME.match(path.name), (prompt, path.name)
        assert path.resolve().parent == folder.resolve()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        names.add(path.name)
        assert index == len(names)  # a collision gets a new name, nothing is overwritten


@pytest.mark.scenario("B11")
def test_a_planted_symlink_is_never_followed(rel_dir: Path) -> None:
    folder = rel_dir / "images"
    first = save_generated_image(folder, png(), {}, prompt="cat", index=1, now=NOW)
    target = rel_dir / "outside.txt"
    target.write_text("keep me")
    first_path = Path(first.path)
    first_path.unlink()
    first_path.symlink_to(target)
    again = save_generated_image(folder, png(), {}, prompt="cat", index=1, now=NOW)
    assert Path(again.path) != first_path
    assert target.read_text() == "keep me"


@pytest.mark.scenario("B12")
def test_lone_surrogates_and_nul_are_stored_and_read_back(rel_dir: Path) -> None:
    path = rel_dir / "history.sqlite3"
    store = HistoryStore.open(path).store
    tid = store.create_thread("odd text")
    mid = store.add_message(tid, "assistant", "a\ud800b\x00c")
    store.close()
    store = HistoryStore.open(path).store
    [message] = store.load_thread(tid).messages
    assert message.id == mid
    message.text.encode("utf-8")  # no UnicodeEncodeError
    assert message.text.startswith("a") and message.text.endswith("c")
    store.close()


@pytest.mark.scenario("P4", "P5")
def test_a_damaged_database_is_moved_aside_never_deleted(rel_dir: Path) -> None:
    path = rel_dir / "history.sqlite3"
    store = HistoryStore.open(path).store
    store.create_thread("before the damage")
    store.close()
    raw = bytearray(path.read_bytes())
    raw[:100] = b"\0" * 100
    path.write_bytes(bytes(raw))
    opened = HistoryStore.open(path)
    [notice] = opened.notices
    assert notice.kind == "corrupt_moved" and notice.path is not None
    assert notice.path.read_bytes() == bytes(raw)
    assert opened.store.list_threads() == []
    opened.store.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.scenario("P4")
def test_a_newer_schema_opens_read_only_and_is_not_written(rel_dir: Path) -> None:
    path = rel_dir / "history.sqlite3"
    store = HistoryStore.open(path).store
    store.create_thread("future")
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = digest(path)
    store = HistoryStore.open(path).store
    assert store.read_only
    store.close()
    assert digest(path) == before


@pytest.mark.scenario("P6")
def test_disk_full_while_saving_leaves_no_part_file(
    rel_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = rel_dir / "images"
    real_fdopen = os.fdopen

    class Full(io.RawIOBase):
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    with pytest.raises(DiskFullError):
        save_generated_image(folder, png(), {}, prompt="cat", index=1, now=NOW)
    assert not [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.scenario("P10")
def test_fresh_files_are_private_under_umask_022(rel_dir: Path) -> None:
    old = os.umask(0o022)
    try:
        path = rel_dir / "data" / "history.sqlite3"
        path.parent.mkdir(mode=0o700)
        store = HistoryStore.open(path).store
        store.create_thread("modes")
        for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
            assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600, name
        store.close()
        saved = save_generated_image(rel_dir / "img", png(), {}, prompt="a", index=1, now=NOW)
        assert stat.S_IMODE(Path(saved.path).stat().st_mode) == 0o600
        assert stat.S_IMODE((rel_dir / "img").stat().st_mode) == 0o700
    finally:
        os.umask(old)


@pytest.mark.scenario("P11")
def test_a_purged_thread_leaves_no_text_in_the_file(rel_dir: Path) -> None:
    path = rel_dir / "history.sqlite3"
    marker = "PURGE-CANARY-" + hashlib.sha256(suite_canary().encode()).hexdigest()[:16]
    store = HistoryStore.open(path).store
    tid = store.create_thread("doomed")
    store.add_message(tid, "user", f"remember {marker}")
    store.purge_thread(tid)
    store.close()
    for file in path.parent.glob("history.sqlite3*"):
        assert marker.encode() not in file.read_bytes(), file.name


@pytest.mark.scenario("P8")
def test_an_unwritable_folder_gives_a_plain_error(rel_dir: Path) -> None:
    folder = rel_dir / "locked"
    folder.mkdir(mode=0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user that ignores file modes (root)")
        with pytest.raises(Exception) as caught:  # noqa: PT011 (any plain error is fine)
            HistoryStore.open(folder / "history.sqlite3")
        assert "Traceback" not in str(caught.value)
    finally:
        folder.chmod(0o700)

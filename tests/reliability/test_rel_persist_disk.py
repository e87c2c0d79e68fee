"""Disk full (P6, P7) on a real small tmpfs mounted inside the suite's root.

P6: the images folder is a 256 KiB tmpfs; a ~430 KB generated image arrives through the real
image job (router answer -> decode -> check -> atomic save) with the history recording what
was saved. P7 lives in ``test_rel_persist_sqlite_full.py``.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from persist_tmpfs import tmpfs
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from rel_app import run
from rel_checks import db_rows
from rel_server import Reply, ScriptedRouter
from rel_state import suite_canary

from orq_desktop.api.client import RouterClient
from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.image_job import ImageJob
from orq_desktop.fileio import atomic_write_bytes
from orq_desktop.store.images import DiskFullError, save_generated_image

NOW = datetime(2026, 1, 26, 12, 30, 45).astimezone()


def png_bytes(side: int, noise: bool) -> bytes:
    """A PNG ``side`` pixels square: random pixels (which do not compress) or one colour."""
    if noise:
        raw = os.urandom(side * side * 3)
        image = QImage(raw, side, side, side * 3, QImage.Format.Format_RGB888).copy()
    else:
        image = QImage(side, side, QImage.Format.Format_RGB32)
        image.fill(0x336699)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def image_answer(data: bytes) -> Reply:
    body = {"created": 1, "data": [{"b64_json": base64.b64encode(data).decode()}]}
    return Reply(
        headers={"Content-Type": "application/json"}, pieces=[(json.dumps(body).encode(), 0.0)]
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class ImageRig:
    """The real image job and the real history session, wired the way the app wires them."""

    def __init__(self, qtbot: Any, router: ScriptedRouter, folder: Path, db: Path) -> None:
        self.qtbot = qtbot
        self.client = RouterClient(
            suite_canary(), router.url, timeout=httpx.Timeout(10.0), trust_env=False
        )
        self.chat = ChatSession(lambda: self.client)
        self.history = HistorySession(self.chat)
        assert run(qtbot, self.history.open(db))
        self.job = ImageJob(lambda: self.client, lambda: folder, secrets=lambda: (suite_canary(),))
        self.job.image_ready.connect(self.history.on_image_ready)  # as app/wire_images.py
        self.ready: list[Any] = []
        self.failed: list[Any] = []
        self.job.image_ready.connect(self.ready.append)
        self.job.failed.connect(self.failed.append)

    def generate(self, prompt: str) -> None:
        finished: list[bool] = []
        self.job.finished.connect(lambda: finished.append(True))
        assert self.job.start({"prompt": prompt, "model": "openai/gpt-image-1", "n": 1})
        self.qtbot.waitUntil(lambda: bool(finished), timeout=15_000)

    def close(self) -> None:
        run(self.qtbot, self.job.aclose())
        run(self.qtbot, self.chat.aclose())
        run(self.qtbot, self.history.aclose())
        run(self.qtbot, self.client.aclose())


@pytest.mark.scenario("P6")
def test_an_image_bigger_than_the_free_space_is_refused_whole(
    qtbot: Any, aloop: Any, router: ScriptedRouter, rel_dir: Path
) -> None:
    big = png_bytes(380, noise=True)
    assert len(big) > 400_000
    db = rel_dir / "history.sqlite3"
    with tmpfs(rel_dir / "images", "256k") as folder:
        rig = ImageRig(qtbot, router, folder, db)
        try:
            router.script(image_answer(png_bytes(8, noise=False)), image_answer(big))
            rig.generate("a lighthouse at dusk")  # a small one first: it fits
            [kept] = rig.ready
            kept_path = Path(kept.path)
            kept_digest = digest(kept_path)
            qtbot.waitUntil(lambda: len(db_rows(db, "SELECT id FROM images")) == 1)

            rig.generate("a lighthouse at dusk")  # the same prompt, 430 KB: does not fit
            assert len(rig.ready) == 1
            [card] = rig.failed
            assert card.title == "Disk full"
            assert "disk is full" in card.message and str(folder) in card.message
            assert "Free some space" in card.message
            assert files_in(folder) == [kept_path.name]  # no .part, no temporary file
            assert digest(kept_path) == kept_digest
            rows = db_rows(db, "SELECT path FROM images")
            assert rows == [(str(kept_path),)]  # the refused image was never recorded as saved
        finally:
            rig.close()


@pytest.mark.scenario("P6")
def test_the_same_name_and_a_single_large_write_on_a_full_tmpfs(rel_dir: Path) -> None:
    """At the store: the failed save is of the same prompt, index and second as a file that is
    there (so it would take that name's next free variant), and a settings-style replace of an
    existing file with one 430 KB write (the QSaveFile short-write trap) keeps the old file."""
    big = png_bytes(380, noise=True)
    with tmpfs(rel_dir / "images", "256k") as folder:
        first = save_generated_image(
            folder, png_bytes(8, False), {}, prompt="cat", index=1, now=NOW
        )
        before = digest(first.path)
        with pytest.raises(DiskFullError, match="disk is full"):
            save_generated_image(folder, big, {}, prompt="cat", index=1, now=NOW)
        assert files_in(folder) == [first.path.name]
        assert digest(first.path) == before

        settings = folder / "settings.json"
        atomic_write_bytes(settings, b'{"kept": true}')
        with pytest.raises(OSError, match="No space left") as caught:
            atomic_write_bytes(settings, big)  # one write of the whole payload
        assert caught.value.errno == errno.ENOSPC
        assert settings.read_bytes() == b'{"kept": true}'
        assert files_in(folder) == sorted([first.path.name, "settings.json"])

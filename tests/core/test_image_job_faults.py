"""ImageJob faults: bytes that are not an image, images over the cap, a full disk, a cancel.

A small loopback server stands in for the router (or for the image host) where the simulator
only ever returns good images: it answers with an HTML page or base64 of something else.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import io
import json
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.image_job import ImageJob

pytestmark = pytest.mark.gui

HTML = b"<!doctype html><html><body>Access denied</body></html>"


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk claiming this size (no pixel data)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


class FakeServer:
    """Answers POST (the image endpoint) with ``answer`` as JSON and every GET with HTML."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] = {"created": 0, "data": []}
        self.gets: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                body = json.dumps(fake.answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                fake.gets.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(200)
                self.send_header("content-type", "image/png")  # it says so; it is not
                self.send_header("content-length", str(len(HTML)))
                self.end_headers()
                self.wfile.write(HTML)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    server = FakeServer()
    yield server
    server.close()


@pytest.fixture
def make_job(qtbot, aloop, tmp_path: Path) -> Iterator[Callable[[str], ImageJob]]:
    connections: list[Connection] = []

    def make(url: str) -> ImageJob:
        conn = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
        connections.append(conn)
        return ImageJob(conn.client, lambda: tmp_path / "images", parent=conn)

    yield make
    tasks = [asyncio.ensure_future(c.aclose()) for c in connections]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def run(qtbot, job: ImageJob, request: dict[str, Any]) -> tuple[list[ErrorInfo], list[Any]]:
    failed: list[ErrorInfo] = []
    ready: list[Any] = []
    job.failed.connect(failed.append)
    job.image_ready.connect(ready.append)
    with qtbot.waitSignal(job.finished, timeout=20_000):
        assert job.start(request)
    return failed, ready


def files_in(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


REQUEST = {"prompt": "a fox", "model": "openai/dall-e-2", "size": "16x16"}


def test_html_behind_an_image_link_is_refused_and_nothing_written(
    qtbot, sim_server_factory, fake_server, make_job, tmp_path
) -> None:
    sim = sim_server_factory(image_url_base=fake_server.url)
    job = make_job(sim.url)
    failed, ready = run(qtbot, job, {**REQUEST, "response_format": "url"})
    assert ready == []
    (card,) = failed
    assert card.title == "Not an image"
    assert "not an image" in card.message
    assert "Nothing was saved" in card.advice
    assert len(fake_server.gets) == 1  # it was downloaded at once ...
    assert "authorization" not in fake_server.gets[0]  # ... without the key
    assert files_in(tmp_path / "images") == []


def test_base64_of_something_else_is_refused(qtbot, fake_server, make_job, tmp_path) -> None:
    fake_server.answer = {
        "created": 0,
        "data": [{"b64_json": base64.b64encode(HTML).decode()}],
    }
    failed, ready = run(qtbot, make_job(fake_server.url), REQUEST)
    assert ready == []
    assert [c.title for c in failed] == ["Not an image"]
    assert files_in(tmp_path / "images") == []


def test_text_with_junk_characters_is_not_decoded(qtbot, fake_server, make_job, tmp_path) -> None:
    # Lenient base64 would skip the '<', '>' and spaces and decode the rest.
    fake_server.answer = {"created": 0, "data": [{"b64_json": "<html> iVBORw0KGgo= </html>"}]}
    failed, _ = run(qtbot, make_job(fake_server.url), REQUEST)
    (card,) = failed
    assert card.title == "Not an image"
    assert "base64" in card.message
    assert files_in(tmp_path / "images") == []


def test_an_image_over_the_allocation_cap_is_refused(
    qtbot, fake_server, make_job, tmp_path
) -> None:
    fake_server.answer = {
        "created": 0,
        "data": [{"b64_json": base64.b64encode(png_header(60000, 60000)).decode()}],
    }
    failed, ready = run(qtbot, make_job(fake_server.url), REQUEST)
    assert ready == []
    (card,) = failed
    assert card.title == "Image too large"
    assert "60000" in card.message
    assert files_in(tmp_path / "images") == []


def test_one_bad_image_of_several_does_not_lose_the_others(
    qtbot, sim_server, fake_server, make_job, tmp_path
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    good = base64.b64encode(buffer.getvalue()).decode()
    fake_server.answer = {
        "created": 0,
        "data": [{"b64_json": good}, {"b64_json": "bm90IGFuIGltYWdl"}, {"url": None}],
    }
    failed, ready = run(qtbot, make_job(fake_server.url), {**REQUEST, "n": 3})
    assert [r.index for r in ready] == [1]
    assert [c.title for c in failed] == ["Image 2 of 3: Not an image", "Image 3 of 3: Not an image"]
    assert len(files_in(tmp_path / "images")) == 1


class _FullDiskFile:
    """The writer's file: half of the first write lands, then the disk is full."""

    def __init__(self, f: Any, seen: list[list[str]], folder: Path) -> None:
        self._f, self._seen, self._folder = f, seen, folder

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._f.write(chunk[: len(chunk) // 2])
        self._f.flush()
        self._seen.append(files_in(self._folder))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __enter__(self) -> _FullDiskFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


def test_a_full_disk_gives_a_card_and_leaves_no_partial_file(
    qtbot, sim_server, make_job, tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    seen: list[list[str]] = []
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _FullDiskFile(real_fdopen(fd, *args, **kwargs), seen, folder)

    monkeypatch.setattr(os, "fdopen", fdopen)
    failed, ready = run(qtbot, make_job(sim_server.url), {**REQUEST, "n": 2})
    assert ready == []
    (card,) = failed  # the second image is not tried: the disk is still full
    assert card.title == "Image 1 of 2: Disk full"
    assert "Nothing was saved" in card.advice
    assert [a.action_id for a in card.actions] == ["choose_folder", "retry"]
    assert any(name.endswith(".part") for name in seen[0])  # a partial file existed ...
    assert files_in(folder) == []  # ... and is gone


def test_cancel_mid_request_stops_at_once_and_saves_nothing(
    qtbot, sim_server, make_job, tmp_path
) -> None:
    job = make_job(sim_server.url)
    events: list[str] = []
    job.cancelled.connect(lambda: events.append("cancelled"))
    job.failed.connect(lambda _e: events.append("failed"))
    job.image_ready.connect(lambda _i: events.append("ready"))
    job.finished.connect(lambda: events.append("finished"))
    assert job.start({**REQUEST, "model": "sim/slow-5000"})
    qtbot.waitSignal(job.progress, timeout=2000).wait()
    assert job.busy
    started = time.monotonic()
    with qtbot.waitSignal(job.finished, timeout=2000):
        job.cancel()
    assert time.monotonic() - started < 1.0
    assert events == ["cancelled", "finished"]
    assert not job.busy
    assert files_in(tmp_path / "images") == []


def test_aclose_cancels_a_running_job(qtbot, sim_server, make_job) -> None:
    job = make_job(sim_server.url)
    cancelled: list[bool] = []
    job.cancelled.connect(lambda: cancelled.append(True))
    assert job.start({**REQUEST, "model": "sim/slow-5000"})
    closing = asyncio.ensure_future(job.aclose())
    qtbot.waitUntil(closing.done, timeout=2000)
    assert cancelled == [True]
    assert not job.busy


def test_the_job_pool_closes_every_job_it_made(qtbot, aloop, sim_server, tmp_path) -> None:
    from orq_desktop.core.image_job import ImageJobs

    conn = Connection(ConnectionConfig(base_url=sim_server.url, api_key="test-key"))
    jobs = ImageJobs(conn.client, lambda: tmp_path / "images", parent=conn)
    first, second = jobs.make(), jobs.make()
    assert first is not second
    assert first.parent() is jobs
    cancelled: list[int] = []
    first.cancelled.connect(lambda: cancelled.append(1))
    second.cancelled.connect(lambda: cancelled.append(2))
    assert first.start({**REQUEST, "model": "sim/slow-5000"})
    assert second.start({**REQUEST, "model": "sim/slow-5000"})
    closing = asyncio.ensure_future(jobs.aclose())
    qtbot.waitUntil(closing.done, timeout=3000)
    assert sorted(cancelled) == [1, 2]
    assert not first.busy and not second.busy
    task = asyncio.ensure_future(conn.aclose())
    qtbot.waitUntil(task.done, timeout=3000)

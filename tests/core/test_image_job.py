"""ImageJob against the simulator: base64 and link answers saved with their settings, re-runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.image_job import ImageJob
from orq_desktop.core.image_options import request_from_settings
from orq_desktop.core.image_types import ReadyImage
from orq_desktop.simulator import SimulatorHandle
from orq_desktop.store.images import list_images, read_settings

pytestmark = pytest.mark.gui

IMAGES_PATH = "/v2/gateway/images/generations"
CANARY = "sk-orq-CANARY-0123456789abcdef"


class JobRecorder:
    def __init__(self, job: ImageJob) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in ("started", "progress", "stage", "image_ready", "failed", "refused"):
            getattr(job, name).connect(lambda *a, n=name: self.events.append((n, a)))
        for name in ("cancelled", "finished"):
            getattr(job, name).connect(lambda n=name: self.events.append((n, ())))

    def of(self, name: str) -> list[Any]:
        return [a[0] if len(a) == 1 else a for n, a in self.events if n == name]


@pytest.fixture
def make_job(qtbot, aloop, tmp_path: Path) -> Iterator[Callable[..., ImageJob]]:
    connections: list[Connection] = []

    def make(url: str, key: str = "test-key", folder: Path | None = None) -> ImageJob:
        conn = Connection(ConnectionConfig(base_url=url, api_key=key))
        connections.append(conn)
        target = folder or tmp_path / "images"
        return ImageJob(conn.client, lambda: target, secrets=lambda: (key,), parent=conn)

    yield make
    tasks = [asyncio.ensure_future(c.aclose()) for c in connections]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def run(qtbot, job: ImageJob, request: dict[str, Any], timeout: int = 20_000) -> JobRecorder:
    rec = JobRecorder(job)
    with qtbot.waitSignal(job.finished, timeout=timeout):
        assert job.start(request)
    return rec


def image_bodies(sim: SimulatorHandle) -> list[dict[str, Any]]:
    return [r["body"] for r in sim.recorded_requests() if r["path"] == IMAGES_PATH]


def test_b64_png_is_saved_with_its_settings(qtbot, sim_server, make_job, tmp_path) -> None:
    job = make_job(sim_server.url)
    request = {
        "prompt": "a red fox in snow",
        "model": "openai/gpt-image-1",
        "size": "64x48",
        "quality": "low",
        "orq": {"retry": {"count": 2, "on_codes": [429]}},
    }
    rec = run(qtbot, job, request)
    assert rec.of("failed") == []
    (ready,) = rec.of("image_ready")
    assert isinstance(ready, ReadyImage)
    path = Path(ready.path)
    assert path.parent == tmp_path / "images"
    assert path.suffix == ".png"
    assert (ready.width, ready.height, ready.format) == (64, 48, "png")
    assert path.read_bytes().startswith(b"\x89PNG")
    saved = read_settings(path)
    assert saved == ready.settings
    assert saved is not None
    assert saved["prompt"] == "a red fox in snow"
    assert saved["model"] == "openai/gpt-image-1"
    assert saved["options"] == {"size": "64x48", "quality": "low"}
    assert saved["orq"] == {"retry": {"count": 2, "on_codes": [429]}}
    assert saved["created"]
    assert rec.of("started") == [request]
    assert rec.events[-1][0] == "finished"


@pytest.mark.parametrize(
    ("fmt", "ext", "magic"), [("jpeg", ".jpg", b"\xff\xd8"), ("webp", ".webp", b"RIFF")]
)
def test_other_formats_get_their_extension_and_a_sidecar(
    qtbot, sim_server, make_job, fmt: str, ext: str, magic: bytes
) -> None:
    job = make_job(sim_server.url)
    request = {
        "prompt": "a blue whale",
        "model": "openai/gpt-image-1",
        "size": "40x40",
        "output_format": fmt,
        "output_compression": 60,
    }
    rec = run(qtbot, job, request)
    (ready,) = rec.of("image_ready")
    path = Path(ready.path)
    assert path.suffix == ext
    assert path.read_bytes().startswith(magic)
    assert path.with_suffix(".json").exists()
    saved = read_settings(path)
    assert saved is not None
    assert saved["options"]["output_format"] == fmt
    assert saved["options"]["output_compression"] == 60


def test_url_answer_is_downloaded_at_once_and_saved(qtbot, sim_server, make_job) -> None:
    job = make_job(sim_server.url)
    request = {
        "prompt": "a castle",
        "model": "openai/dall-e-3",
        "size": "56x32",
        "response_format": "url",
        "style": "natural",
    }
    rec = run(qtbot, job, request)
    assert rec.of("failed") == []
    (ready,) = rec.of("image_ready")
    assert Path(ready.path).suffix == ".png"
    assert (ready.width, ready.height) == (56, 32)
    assert ready.revised_prompt and "castle" in ready.revised_prompt
    assert ready.settings["revised_prompt"] == ready.revised_prompt
    assert any("Downloading" in s for s in rec.of("stage"))
    # The image link was fetched from the simulator, without the key.
    gets = [r for r in sim_server.recorded_requests() if r["path"].startswith("/_sim/images/")]
    assert gets == [] or all("authorization" not in {k.lower() for k in r["headers"]} for r in gets)


def test_several_images_arrive_in_order(qtbot, sim_server, make_job, tmp_path) -> None:
    job = make_job(sim_server.url)
    rec = run(
        qtbot, job, {"prompt": "three cats", "model": "openai/dall-e-2", "n": 3, "size": "16x16"}
    )
    ready = rec.of("image_ready")
    assert [r.index for r in ready] == [1, 2, 3]
    assert all(r.count == 3 for r in ready)
    assert len({r.path for r in ready}) == 3
    assert len(list_images(tmp_path / "images")) == 3


def test_rerun_sends_the_same_request_body(qtbot, sim_server_factory, make_job) -> None:
    sim = sim_server_factory()
    job = make_job(sim.url)
    original = {
        "prompt": "a watercolour harbour",
        "model": "openai/dall-e-3",
        "size": "24x24",
        "quality": "hd",
        "style": "vivid",
        "response_format": "b64_json",
        "orq": {
            "retry": {"count": 2, "on_codes": [429, 503]},
            "fallbacks": [{"model": "openai/dall-e-2"}],
            "timeout": {"call_timeout": 20000},
        },
    }
    (first,) = run(qtbot, job, original).of("image_ready")
    request = request_from_settings(read_settings(Path(first.path)) or {})
    assert request == original
    (second,) = run(qtbot, job, request).of("image_ready")
    assert second.path != first.path
    bodies = image_bodies(sim)
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]


def test_key_never_reaches_the_saved_file(qtbot, sim_server_factory, make_job) -> None:
    sim = sim_server_factory(api_key=CANARY)
    job = make_job(sim.url, key=CANARY)
    request = {
        "prompt": "a quiet forest",
        "model": "openai/dall-e-2",
        "size": "16x16",
        "orq": {"identity": {"id": "u1", "display_name": CANARY}},
    }
    (ready,) = run(qtbot, job, request).of("image_ready")
    data = Path(ready.path).read_bytes()
    assert CANARY.encode() not in data
    assert CANARY not in repr(ready)


def test_progress_reports_elapsed_time_while_waiting(qtbot, sim_server, make_job) -> None:
    job = make_job(sim_server.url)
    rec = run(qtbot, job, {"prompt": "slow", "model": "sim/slow-600", "size": "8x8"})
    elapsed = rec.of("progress")
    assert len(elapsed) >= 3
    assert elapsed == sorted(elapsed)
    assert elapsed[-1] >= 0.5
    assert not job.busy
    assert job.elapsed() == 0.0


def test_router_error_becomes_a_card_and_nothing_is_saved(
    qtbot, sim_server, make_job, tmp_path
) -> None:
    job = make_job(sim_server.url)
    rec = run(qtbot, job, {"prompt": "x", "model": "sim/status-503", "size": "8x8"})
    (card,) = rec.of("failed")
    assert isinstance(card, ErrorInfo)
    assert card.status == 503
    assert card.title.startswith("503")
    assert rec.of("image_ready") == []
    assert not (tmp_path / "images").exists() or list((tmp_path / "images").iterdir()) == []


def test_an_invalid_request_is_refused_before_sending(qtbot, sim_server_factory, make_job) -> None:
    sim = sim_server_factory()
    job = make_job(sim.url)
    rec = JobRecorder(job)
    assert not job.start({"prompt": "two", "model": "openai/dall-e-3", "n": 2})
    assert not job.start({"prompt": "  ", "model": "openai/dall-e-2"})
    (reason, empty) = rec.of("refused")
    assert "exactly 1 image" in reason
    assert "Describe" in empty
    assert not job.busy
    assert image_bodies(sim) == []


def test_a_second_start_while_busy_is_refused(qtbot, sim_server, make_job) -> None:
    job = make_job(sim_server.url)
    rec = JobRecorder(job)
    with qtbot.waitSignal(job.finished, timeout=10_000):
        assert job.start({"prompt": "a", "model": "sim/slow-300", "size": "8x8"})
        assert not job.start({"prompt": "b", "model": "openai/dall-e-2", "size": "8x8"})
    assert len(rec.of("refused")) == 1
    assert len(rec.of("image_ready")) == 1


def test_no_api_key_gives_its_card_without_logging_a_bug(qtbot, aloop, tmp_path, caplog) -> None:
    conn = Connection(ConnectionConfig(base_url="http://127.0.0.1:9", api_key=None))
    job = ImageJob(conn.client, lambda: tmp_path / "images", parent=conn)
    rec = run(qtbot, job, {"prompt": "x", "model": "openai/dall-e-2"})
    (card,) = rec.of("failed")
    assert card.title == "No API key"
    assert [a.action_id for a in card.actions] == ["reenter_key"]
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []

"""Re-run from the gallery or by dropping a PNG: the same request body goes out again."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.image_job import ImageJob
from orq_desktop.core.image_library import ImageLibrary
from orq_desktop.core.image_types import GalleryItem
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.simulator import SimulatorHandle
from orq_desktop.ui.image_panel import ImagePanel

pytestmark = pytest.mark.gui

IMAGES_PATH = "/v2/gateway/images/generations"
ORIGINAL = {
    "prompt": "an origami crane on a desk, soft light",
    "model": "openai/dall-e-3",
    "size": "1024x1792",
    "quality": "hd",
    "style": "natural",
    "response_format": "b64_json",
}
ROUTING = {
    "retry": {"count": 2, "on_codes": [429, 503]},
    "fallbacks": [{"model": "openai/dall-e-2"}],
    "timeout": {"call_timeout": 45000},
}


@pytest.fixture
def rig(qtbot, aloop, tmp_path, sim_server_factory) -> Iterator[tuple[ImagePanel, Any]]:
    sim = sim_server_factory()
    conn = Connection(ConnectionConfig(base_url=sim.url, api_key="test-key"))
    library = ImageLibrary(tmp_path / "images")
    routing = RoutingState()
    panel = ImagePanel(lambda: ImageJob(conn.client, library.folder), library, orq=routing.orq)
    panel.orq_loaded.connect(routing.set_orq)
    qtbot.addWidget(panel)
    panel.resize(1100, 760)
    with qtbot.waitSignal(library.listed, timeout=5000):
        panel.show()
    yield panel, (sim, library, routing, tmp_path)
    task = asyncio.ensure_future(conn.aclose())
    qtbot.waitUntil(task.done, timeout=5000)


def bodies(sim: SimulatorHandle) -> list[dict[str, Any]]:
    return [r["body"] for r in sim.recorded_requests() if r["path"] == IMAGES_PATH]


def wait_idle(qtbot, panel: ImagePanel, library: ImageLibrary) -> None:
    qtbot.waitUntil(lambda: not panel.busy and not library.busy, timeout=20_000)


def generate_original(qtbot, panel: ImagePanel, sim, library, routing) -> None:
    routing.set_orq(ROUTING)
    panel.form.set_request(ORIGINAL)
    panel.generate_button.click()
    wait_idle(qtbot, panel, library)
    assert len(bodies(sim)) == 1


def scramble(panel: ImagePanel, routing: RoutingState) -> None:
    """Change everything the re-run must put back."""
    panel.form.set_request({"prompt": "something else", "model": "openai/gpt-image-1", "n": 3})
    routing.set_orq({"retry": {"count": 5, "on_codes": [500]}})


def test_rerun_from_the_gallery_sends_the_same_body(qtbot, rig) -> None:
    panel, (sim, library, routing, _tmp) = rig
    generate_original(qtbot, panel, sim, library, routing)
    scramble(panel, routing)
    panel.tabs.setCurrentWidget(panel.browser)
    assert panel.browser.select_path(panel.browser.model.item(0).path)
    assert panel.browser.rerun_button.isEnabled()
    panel.browser.rerun_button.click()
    wait_idle(qtbot, panel, library)
    first, second = bodies(sim)
    assert second == first
    assert first["orq"]["fallbacks"] == [{"model": "openai/dall-e-2"}]
    assert routing.orq() == ROUTING  # the options editor shows what was re-run
    assert panel.browser.model.rowCount() == 2


def test_double_click_loads_the_settings_without_sending(qtbot, rig) -> None:
    panel, (sim, library, routing, _tmp) = rig
    generate_original(qtbot, panel, sim, library, routing)
    scramble(panel, routing)
    item = panel.browser.model.item(0)
    panel.browser.view.activated_item.emit(item)  # what a double-click or Enter emits
    assert panel.form.prompt_text() == ORIGINAL["prompt"]
    assert panel.form.request(routing.orq())[0] == {**ORIGINAL, "n": 1, "orq": ROUTING}
    assert len(bodies(sim)) == 1  # loading costs nothing
    panel.generate_button.click()
    wait_idle(qtbot, panel, library)
    assert bodies(sim)[1] == bodies(sim)[0]


_MIME_KEPT: list[QMimeData] = []  # an event does not own its mime data: keep it alive


def drop_event(path: Path, kind: type = QDropEvent) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    _MIME_KEPT.append(mime)
    return kind(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )


def test_dropping_a_png_with_our_settings_loads_them(qtbot, rig) -> None:
    panel, (sim, library, routing, tmp) = rig
    generate_original(qtbot, panel, sim, library, routing)
    saved = Path(panel.browser.model.item(0).path)
    dropped = tmp / "elsewhere" / "shared.png"
    dropped.parent.mkdir()
    dropped.write_bytes(saved.read_bytes())  # a copy someone sent, outside the images folder
    scramble(panel, routing)
    enter = drop_event(dropped, QDragEnterEvent)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(library.settings_loaded, timeout=5000):
        QApplication.sendEvent(panel, drop_event(dropped))
    assert panel.form.prompt_text() == ORIGINAL["prompt"]
    assert routing.orq() == ROUTING
    panel.generate_button.click()
    wait_idle(qtbot, panel, library)
    assert bodies(sim)[1] == bodies(sim)[0]


def test_a_png_dropped_on_the_prompt_loads_settings_not_its_name(qtbot, rig) -> None:
    panel, (sim, library, routing, _tmp) = rig
    generate_original(qtbot, panel, sim, library, routing)
    path = Path(panel.browser.model.item(0).path)
    panel.form.prompt.setPlainText("draft")
    viewport = panel.form.prompt.viewport()
    QApplication.sendEvent(viewport, drop_event(path, QDragEnterEvent))
    with qtbot.waitSignal(library.settings_loaded, timeout=5000):
        QApplication.sendEvent(viewport, drop_event(path))
    assert panel.form.prompt_text() == ORIGINAL["prompt"]
    assert str(path) not in panel.form.prompt_text()


def test_dropping_a_foreign_png_says_it_has_no_settings(qtbot, rig) -> None:
    panel, (_sim, library, _routing, tmp) = rig
    foreign = tmp / "holiday.png"
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), "blue").save(buffer, "PNG")
    foreign.write_bytes(buffer.getvalue())
    panel.form.prompt.setPlainText("keep me")
    QApplication.sendEvent(panel, drop_event(foreign, QDragEnterEvent))
    with qtbot.waitSignal(library.settings_missing, timeout=5000):
        QApplication.sendEvent(panel, drop_event(foreign))
    assert "no Orq Desktop settings" in panel.notice._text.text()
    assert panel.form.prompt_text() == "keep me"


def test_a_text_file_drop_is_not_taken(qtbot, rig) -> None:
    panel, (_sim, _library, _routing, tmp) = rig
    notes = tmp / "notes.txt"
    notes.write_text("hello")
    enter = drop_event(notes, QDragEnterEvent)
    enter.ignore()
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()


def test_an_image_without_settings_cannot_be_rerun(qtbot, rig) -> None:
    panel, _ = rig
    item = GalleryItem("/nowhere/x.png", "png", 10, 0.0, 1, 1, None)
    panel.browser.set_items([item])
    assert panel.browser.select_path(item.path)
    assert not panel.browser.rerun_button.isEnabled()
    assert panel.load_item(item) is False

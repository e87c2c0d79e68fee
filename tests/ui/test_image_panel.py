"""The image panel end to end on the simulator: generate, progress, cancel, grid, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.image_job import ImageJob
from orq_desktop.core.image_library import ImageLibrary
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.simulator import SimulatorHandle
from orq_desktop.ui.image_panel import ImagePanel

pytestmark = pytest.mark.gui

IMAGES_PATH = "/v2/gateway/images/generations"


@dataclass
class Rig:
    panel: ImagePanel
    library: ImageLibrary
    routing: RoutingState
    folder: Path
    sim: SimulatorHandle

    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.sim.recorded_requests() if r["path"] == IMAGES_PATH]

    def files(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir()) if self.folder.exists() else []


@pytest.fixture
def make_rig(qtbot, aloop, tmp_path, sim_server_factory) -> Iterator[Callable[..., Rig]]:
    connections: list[Connection] = []

    def make(**sim_options: Any) -> Rig:
        sim = sim_server_factory(**sim_options)
        conn = Connection(ConnectionConfig(base_url=sim.url, api_key="test-key"))
        connections.append(conn)
        folder = tmp_path / "images"
        library = ImageLibrary(folder)
        routing = RoutingState()
        panel = ImagePanel(
            lambda: ImageJob(conn.client, library.folder, secrets=lambda: ("test-key",)),
            library,
            orq=routing.orq,
            thumbnail_dir=tmp_path / "thumbs",
        )
        panel.orq_loaded.connect(routing.set_orq)
        qtbot.addWidget(panel)
        panel.resize(1200, 800)
        with qtbot.waitSignal(library.listed, timeout=5000):
            panel.show()
        return Rig(panel, library, routing, folder, sim)

    yield make
    tasks = [asyncio.ensure_future(c.aclose()) for c in connections]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def fill(panel: ImagePanel, prompt: str, request: dict[str, Any]) -> None:
    panel.form.set_request({"prompt": prompt, **request})


def generate(qtbot, rig: Rig, timeout: int = 20_000) -> None:
    panel = rig.panel
    assert panel.generate_button.isEnabled(), panel.generate_button.toolTip()
    panel.generate_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=timeout)
    qtbot.waitUntil(lambda: not rig.library.busy, timeout=timeout)


def test_generate_saves_shows_and_lists_the_image(qtbot, make_rig) -> None:
    rig = make_rig()
    panel = rig.panel
    fill(panel, "a tin robot", {"model": "openai/dall-e-2", "size": "256x256", "n": 2})
    generate(qtbot, rig)
    (cell,) = panel.results.cells
    assert len(cell.tiles) == 2
    assert cell.status.text().startswith("Done in")
    assert len([n for n in rig.files() if n.endswith(".png")]) == 2
    assert panel.browser.model.rowCount() == 2  # added to the gallery without a re-listing
    qtbot.waitUntil(lambda: panel.viewer.current_path() == cell.tiles[0].image.path)
    assert panel.viewer.details.text("prompt") == "a tin robot"
    assert panel.viewer.details.text("model") == "openai/dall-e-2"
    (body,) = rig.bodies()
    assert body == {"prompt": "a tin robot", "model": "openai/dall-e-2", "n": 2, "size": "256x256"}
    assert panel.status_label.full_text().startswith("Finished in")


def test_progress_shows_elapsed_time_and_cancel_stops(qtbot, make_rig) -> None:
    rig = make_rig()
    panel = rig.panel
    fill(panel, "slow one", {"model": "sim/slow-5000", "size": "8x8"})
    panel.generate_button.click()
    assert panel.busy
    assert panel.cancel_button.isEnabled()
    assert not panel.generate_button.isEnabled()
    qtbot.waitUntil(lambda: "Waiting for the router" in panel.results.cells[0].status.text())
    qtbot.waitUntil(lambda: " s" in panel.status_label.full_text(), timeout=3000)
    assert panel.status_label.full_text().startswith("Generating…")
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=2000)
    assert panel.results.cells[0].status.text().startswith("Cancelled")
    assert not panel.results.cells[0].progress.isVisible()
    assert rig.files() == []
    assert panel.generate_button.isEnabled()


def test_grid_runs_up_to_four_requests_side_by_side(qtbot, make_rig) -> None:
    rig = make_rig()
    panel = rig.panel
    fill(panel, "a lantern", {"model": "openai/dall-e-2", "size": "256x256"})
    panel.grid_toggle.setChecked(True)  # the current settings become column 1
    panel.form.set_request({"model": "openai/dall-e-3", "style": "natural"})
    panel.grid_bar.add_button.click()
    panel.form.set_request({"model": "openai/gpt-image-1", "quality": "low", "size": "1024x1024"})
    panel.grid_bar.add_button.click()
    panel.form.set_request({"model": "sim/status-503"})
    panel.grid_bar.add_button.click()
    assert len(panel.grid_bar.variants) == 4
    assert not panel.grid_bar.add_button.isEnabled()  # four is the most
    generate(qtbot, rig)
    cells = panel.results.cells
    assert len(cells) == 4
    assert [len(c.tiles) for c in cells] == [1, 1, 1, 0]
    assert [len(c.cards) for c in cells] == [0, 0, 0, 1]
    assert cells[3].cards[0].error.status == 503
    tops = {c.geometry().top() for c in cells}
    lefts = [c.geometry().left() for c in cells]
    assert len(tops) == 1 and lefts == sorted(lefts)  # one row, in order
    assert all(c.geometry().right() <= panel.results.viewport().width() for c in cells)
    models = sorted(b["model"] for b in rig.bodies())
    assert models == ["openai/dall-e-2", "openai/dall-e-3", "openai/gpt-image-1", "sim/status-503"]
    assert all(b["prompt"] == "a lantern" for b in rig.bodies())


def test_a_card_fix_goes_to_the_app_and_try_again_resends(qtbot, make_rig) -> None:
    rig = make_rig()
    panel = rig.panel
    actions: list[str] = []
    panel.error_action.connect(actions.append)
    fill(panel, "rate limited", {"model": "sim/status-429", "size": "8x8"})
    generate(qtbot, rig)
    (card,) = panel.results.cells[0].cards
    assert card.title_label.text().endswith("429 Rate limited")
    card.action_buttons["retry_on_code:429"].click()
    assert actions == ["retry_on_code:429"]
    card.action_buttons["retry"].click()
    qtbot.waitUntil(lambda: len(rig.bodies()) == 2, timeout=5000)
    qtbot.waitUntil(lambda: not panel.busy, timeout=5000)
    assert rig.bodies()[0] == rig.bodies()[1]
    assert len(panel.results.cells[0].cards) == 1  # the old card went, the new answer's came


def test_chat_only_routing_options_are_left_out_with_a_notice(qtbot, make_rig) -> None:
    rig = make_rig()
    rig.routing.set_orq({"thread": {"id": "t1"}, "retry": {"count": 2, "on_codes": [429]}})
    fill(rig.panel, "routed", {"model": "openai/dall-e-2", "size": "256x256"})
    generate(qtbot, rig)
    (body,) = rig.bodies()
    assert body["orq"] == {"retry": {"count": 2, "on_codes": [429]}}
    assert "thread" in rig.panel.notice._text.text()


def test_generate_explains_why_it_is_disabled(qtbot, make_rig) -> None:
    rig = make_rig()
    panel = rig.panel
    panel.form.prompt.clear()
    assert not panel.generate_button.isEnabled()
    assert panel.generate_button.toolTip() == "Describe the image first."
    panel.form.prompt.setPlainText("ok")
    assert panel.generate_button.isEnabled()
    panel.grid_toggle.setChecked(True)
    panel.grid_bar.clear()
    assert panel.generate_button.toolTip() == "Add at least one column to the grid."


def test_a_result_tile_menu_offers_the_file_actions(qtbot, make_rig) -> None:
    from PySide6.QtGui import QGuiApplication

    rig = make_rig()
    panel = rig.panel
    fill(panel, "menu please", {"model": "openai/dall-e-2", "size": "256x256"})
    generate(qtbot, rig)
    (tile,) = panel.results.cells[0].tiles
    menu = panel.image_menu(tile.image)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert list(actions) == [
        "View",
        "Save as…",
        "Copy image",
        "Open containing folder",
        "Use these settings",
    ]
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    actions["Copy image"].trigger()
    qtbot.waitUntil(
        lambda: bool(clipboard.mimeData() and clipboard.mimeData().hasImage()), timeout=5000
    )
    panel.form.prompt.setPlainText("changed")
    actions["Use these settings"].trigger()
    assert panel.form.prompt_text() == "menu please"
    assert tile.drag_mime().urls()[0].toLocalFile() == tile.image.path
    menu.close()

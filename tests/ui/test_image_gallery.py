"""The gallery: lazy thumbnails for thousands of images, search, drag-out, file actions, viewer."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QPixmap, QWheelEvent

from orq_desktop.core.image_library import ImageLibrary
from orq_desktop.core.image_types import GalleryItem, ReadyImage
from orq_desktop.ui.image_browser import ImageBrowser
from orq_desktop.ui.image_gallery import ITEM_ROLE
from orq_desktop.ui.image_panel import ImagePanel
from orq_desktop.ui.image_results import ImageTile
from orq_desktop.ui.image_thumbs import ThumbnailLoader, cache_name
from orq_desktop.ui.image_viewer import ImageViewer

pytestmark = pytest.mark.gui


def png(size: tuple[int, int] = (300, 200), colour: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def items_on_disk(folder: Path, count: int, prompts: list[str] | None = None) -> list[GalleryItem]:
    folder.mkdir(parents=True, exist_ok=True)
    data = png()
    items = []
    for i in range(count):
        path = folder / f"img{i:05d}.png"
        path.write_bytes(data)
        prompt = prompts[i % len(prompts)] if prompts else f"picture number {i}"
        items.append(
            GalleryItem(str(path), "png", len(data), float(i), 300, 200, {"prompt": prompt})
        )
    return items


@pytest.fixture
def browser(qtbot, tmp_path) -> ImageBrowser:
    loader = ThumbnailLoader(96, cache_dir=tmp_path / "thumbs")
    widget = ImageBrowser(loader)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_two_thousand_images_decode_only_what_is_on_screen(qtbot, browser, tmp_path) -> None:
    browser.set_items(items_on_disk(tmp_path / "many", 2000))
    loader = browser.loader
    qtbot.waitUntil(lambda: loader.requested > 0 and loader.pending == 0, timeout=10_000)
    first_screen = loader.requested
    assert 4 <= first_screen <= 120, first_screen  # a screenful, not 2,000
    shown = browser.view.indexAt(QPoint(30, 30))
    path = shown.data(ITEM_ROLE).path
    assert loader.get(path) is not None
    pixmap = shown.data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(pixmap, QPixmap) and pixmap.width() == 96  # the thumbnail, not a placeholder
    browser.view.scrollToBottom()
    qtbot.waitUntil(lambda: loader.requested > first_screen and loader.pending == 0, timeout=10_000)
    assert loader.requested < 300
    assert browser.count_label.full_text() == "2000 images"


def test_thumbnails_are_cached_on_disk_for_the_next_run(qtbot, tmp_path) -> None:
    path = tmp_path / "one.png"
    path.write_bytes(png((640, 480)))
    cache = tmp_path / "thumbs"
    loader = ThumbnailLoader(64, cache_dir=cache)
    with qtbot.waitSignal(loader.loaded, timeout=5000) as blocker:
        loader.request(str(path))
    image = blocker.args[1]
    assert (image.width(), image.height()) == (64, 48)
    stat = path.stat()
    cached = cache / cache_name(str(path), stat.st_mtime_ns, stat.st_size, 64)
    assert cached.exists()
    path.write_bytes(b"x" * stat.st_size)  # not an image any more: if the cache is used ...
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = ThumbnailLoader(64, cache_dir=cache)
    with qtbot.waitSignal(again.loaded, timeout=5000) as blocker:
        again.request(str(path))
    assert blocker.args[1].width() == 64  # ... and the thumbnail still comes


def test_an_unreadable_file_gives_a_null_thumbnail(qtbot, tmp_path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    loader = ThumbnailLoader(64)
    with qtbot.waitSignal(loader.loaded, timeout=5000) as blocker:
        loader.request(str(path))
    assert blocker.args[1].isNull()
    assert loader.get(str(path)) is None
    loader.request(str(path))  # a view repainting the placeholder asks again ...
    assert loader.pending == 0  # ... and the broken file is not decoded over and over
    assert loader.requested == 1
    loader.forget(str(path))
    loader.request(str(path))
    assert loader.requested == 2
    loader.wait_idle()


def test_search_filters_by_prompt(qtbot, browser, tmp_path) -> None:
    prompts = ["A red fox in snow", "a blue whale", "Red sunset over sea", "forest path"]
    browser.set_items(items_on_disk(tmp_path / "few", 8, prompts))
    browser.search.setText("red")
    assert browser.visible_count() == 4
    shown = {browser.proxy.index(r, 0).data(ITEM_ROLE).prompt for r in range(4)}
    assert shown == {"A red fox in snow", "Red sunset over sea"}
    browser.search.setText("RED fox")
    assert browser.visible_count() == 2
    assert browser.count_label.full_text() == "2 of 8 images"
    browser.search.setText("nothing like this")
    assert browser.visible_count() == 0
    browser.search.clear()
    assert browser.visible_count() == 8


def test_dragging_out_carries_the_file_url(qtbot, browser, tmp_path) -> None:
    items = items_on_disk(tmp_path / "drag", 3)
    browser.set_items(items)
    index = browser.model.index(1)
    mime = browser.model.mimeData([index])
    assert mime.urls() == [QUrl.fromLocalFile(items[1].path)]
    assert browser.model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    assert browser.model.supportedDragActions() == Qt.DropAction.CopyAction
    assert browser.view.dragEnabled()
    tile = ImageTile(ReadyImage(items[0].path, {}, 300, 200, None))
    assert tile.drag_mime().urls() == [QUrl.fromLocalFile(items[0].path)]
    tile.deleteLater()


def test_viewer_fits_zooms_and_shows_settings_as_plain_text(qtbot, tmp_path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png((1200, 800)))
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(500, 600)
    viewer.show()
    settings = {
        "prompt": "<b>bold?</b> a harbour",
        "revised_prompt": "<img src=x> revised",
        "model": "openai/dall-e-3",
        "options": {"size": "1792x1024", "quality": "hd"},
        "orq": {"retry": {"count": 2}},
        "created": "2026-01-02T03:04:05+00:00",
    }
    with qtbot.waitSignal(viewer.image_shown, timeout=5000):
        viewer.show_image(str(path), settings, width=1200, height=800)
    view = viewer.view
    fitted = view.zoom
    assert 0.2 < fitted < 0.5
    assert view.fitting
    viewer.zoom_in_action.trigger()
    assert view.zoom == pytest.approx(fitted * 1.25)
    assert not view.fitting
    viewer.zoom_out_action.trigger()
    viewer.zoom_out_action.trigger()
    assert view.zoom == pytest.approx(fitted / 1.25)
    wheel = QWheelEvent(
        QPointF(50, 50),
        QPointF(50, 50),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QGuiApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom == pytest.approx(fitted / 1.25 * 1.25**2)
    viewer.actual_action.trigger()
    assert view.zoom == pytest.approx(1.0)
    assert viewer.zoom_label.full_text() == "100%"
    viewer.fit_action.trigger()
    assert view.zoom == pytest.approx(fitted)
    details = viewer.details
    assert details.labels["prompt"].textFormat() == Qt.TextFormat.PlainText
    assert details.text("prompt") == "<b>bold?</b> a harbour"
    assert details.text("revised_prompt") == "<img src=x> revised"
    assert details.text("options") == "size 1792x1024 · quality hd"
    assert "retry" in details.text("orq")
    assert "1200×800" in details.text("file")


def test_viewer_says_when_an_image_cannot_be_shown(qtbot, tmp_path) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(b"nope")
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    viewer.show_image(str(path), None)
    qtbot.waitUntil(lambda: "cannot be shown" in viewer.caption.full_text(), timeout=5000)
    assert not viewer.zoom_in_action.isEnabled()
    assert viewer.details.text("prompt") == "(no settings saved)"


@pytest.fixture
def panel(qtbot, aloop, tmp_path) -> ImagePanel:
    library = ImageLibrary(tmp_path / "images")
    widget = ImagePanel(lambda: None, library)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(widget)
    items_on_disk(tmp_path / "images", 2)
    with qtbot.waitSignal(library.listed, timeout=5000):
        widget.show()
    return widget


def test_save_as_copies_the_file_where_the_user_says(qtbot, panel, tmp_path) -> None:
    item = panel.browser.model.item(0)
    target = tmp_path / "exports" / "mine"
    target.parent.mkdir()
    asked: list[str] = []

    def ask(_parent, suggested: str, _filter: str, suffix: str) -> str:
        assert suffix == ".png"
        asked.append(suggested)
        return str(target)

    panel.files.ask_save_path = ask
    messages: list[str] = []
    panel.status_message.connect(messages.append)
    with qtbot.waitSignal(panel._library.copied, timeout=5000):
        panel.browser.select_path(item.path)
        panel.browser.save_button.click()
    assert asked and asked[0].endswith(Path(item.path).name)
    saved = target.with_suffix(".png")
    assert saved.read_bytes() == Path(item.path).read_bytes()
    assert any(str(saved) in m for m in messages)


def test_copy_image_puts_pixels_and_the_file_on_the_clipboard(qtbot, panel) -> None:
    item = panel.browser.model.item(0)
    panel.browser.select_path(item.path)
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    panel.browser.copy_button.click()
    qtbot.waitUntil(
        lambda: bool(clipboard.mimeData() and clipboard.mimeData().hasImage()), timeout=5000
    )
    image = clipboard.image()
    assert (image.width(), image.height()) == (300, 200)
    assert clipboard.mimeData().urls() == [QUrl.fromLocalFile(item.path)]


def test_open_folder_hands_the_folder_to_the_desktop(qtbot, panel, tmp_path) -> None:
    opened: list[QUrl] = []
    panel.files.open_url = lambda url: opened.append(url) or True
    panel.browser.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "images"))]


def test_choosing_another_folder_lists_it(qtbot, panel, tmp_path) -> None:
    other = tmp_path / "other"
    items_on_disk(other, 5)
    panel.files.ask_folder = lambda _parent, _current: str(other)
    with qtbot.waitSignal(panel._library.listed, timeout=5000):
        panel.browser.folder_button.click()
    assert panel._library.folder() == other
    assert panel.browser.model.rowCount() == 5
    assert panel.browser.folder_label.full_text() == str(other)

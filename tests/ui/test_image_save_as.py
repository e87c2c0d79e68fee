"""Save as… from the image panel: nothing is replaced unasked, and settings travel along."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from orq_desktop.core.image_library import ImageLibrary
from orq_desktop.store.images import read_settings, save_generated_image
from orq_desktop.ui.image_files import _ask_save_path
from orq_desktop.ui.image_panel import ImagePanel

pytestmark = pytest.mark.gui


def encoded(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def panel(qtbot, aloop, tmp_path) -> ImagePanel:
    folder = tmp_path / "images"
    for minute, fmt in enumerate(("PNG", "JPEG")):
        settings = {"model": "openai/gpt-image-1", "output_format": fmt.lower()}
        when = datetime(2026, 3, 1, 12, minute)
        save_generated_image(folder, encoded(fmt), settings, prompt=fmt, index=1, now=when)
    library = ImageLibrary(folder)
    widget = ImagePanel(lambda: None, library)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(widget)
    with qtbot.waitSignal(library.listed, timeout=5000):
        widget.show()
    (tmp_path / "exports").mkdir()
    return widget


def source(panel: ImagePanel, suffix: str) -> Path:
    for row in range(panel.browser.model.rowCount()):
        path = Path(panel.browser.model.item(row).path)
        if path.suffix == suffix:
            return path
    raise AssertionError(f"no {suffix} image listed")


def save_as(panel: ImagePanel, image: Path, answer: str) -> None:
    panel.files.ask_save_path = lambda _parent, _suggested, _filter, _suffix: answer
    panel.browser.select_path(str(image))
    panel.browser.save_button.click()


def test_a_bare_name_never_replaces_an_existing_image_unasked(qtbot, panel, tmp_path) -> None:
    image = source(panel, ".png")
    existing = tmp_path / "exports" / "cat.png"
    existing.write_bytes(b"precious")
    asked: list[list[str]] = []
    answers = [False, True]

    def ask_replace(_parent: QWidget, names: list[str]) -> bool:
        asked.append(names)
        return answers.pop(0)

    panel.files.ask_replace = ask_replace
    messages: list[str] = []
    panel.status_message.connect(messages.append)
    save_as(panel, image, str(tmp_path / "exports" / "cat"))  # the extension is added after
    qtbot.waitUntil(lambda: any(m.startswith("Not saved") for m in messages), timeout=5000)
    assert asked == [[str(existing)]]
    assert existing.read_bytes() == b"precious"

    with qtbot.waitSignal(panel._library.copied, timeout=5000):
        save_as(panel, image, str(tmp_path / "exports" / "cat"))
    assert len(asked) == 2
    assert existing.read_bytes() == image.read_bytes()


def test_a_jpeg_copy_asks_before_replacing_another_images_settings(qtbot, panel, tmp_path) -> None:
    image = source(panel, ".jpg")
    theirs = tmp_path / "exports" / "cat.json"
    theirs.write_bytes(b'{"belongs": "to cat.webp"}')
    asked: list[list[str]] = []
    panel.files.ask_replace = lambda _parent, names: asked.append(names) or True
    with qtbot.waitSignal(panel._library.copied, timeout=5000):
        save_as(panel, image, str(tmp_path / "exports" / "cat.jpg"))
    assert asked == [[str(theirs)]]
    copy = tmp_path / "exports" / "cat.jpg"
    assert read_settings(copy) == read_settings(image) is not None


def test_a_name_the_dialog_confirmed_is_replaced_without_asking_twice(
    qtbot, panel, tmp_path
) -> None:
    image = source(panel, ".png")
    existing = tmp_path / "exports" / "cat.png"
    existing.write_bytes(b"old")
    asked: list[list[str]] = []
    panel.files.ask_replace = lambda _parent, names: asked.append(names) or False
    with qtbot.waitSignal(panel._library.copied, timeout=5000):
        save_as(panel, image, str(existing))
    assert asked == []
    assert existing.read_bytes() == image.read_bytes()


def test_the_save_dialog_completes_a_bare_name_itself(qtbot, tmp_path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.defaultSuffix())
        dialog.selectFile(str(tmp_path / "dog"))
        dialog.accept()

    QTimer.singleShot(0, answer)
    chosen = _ask_save_path(parent, str(tmp_path / "x.webp"), "WEBP image (*.webp)", ".webp")
    assert seen == ["webp"]
    assert chosen == str(tmp_path / "dog.webp")

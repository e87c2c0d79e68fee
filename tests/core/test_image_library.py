"""ImageLibrary: listing the folder, switching folders, settings for re-runs, Save as…."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from orq_desktop.core.image_library import FOLDER_KEY, ImageLibrary
from orq_desktop.core.image_types import GalleryItem, ReadyImage
from orq_desktop.store.images import read_settings, save_generated_image

pytestmark = pytest.mark.gui

T0 = datetime(2026, 3, 1, 12, 0, 0)


def png(colour: str = "red", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def save(folder: Path, prompt: str, minutes: int = 0, **settings: Any) -> Path:
    saved = save_generated_image(
        folder,
        png(),
        {"model": "openai/dall-e-2", "size": "256x256", **settings},
        prompt=prompt,
        index=1,
        now=T0 + timedelta(minutes=minutes),
    )
    return saved.path


def listed(qtbot, library: ImageLibrary) -> list[GalleryItem]:
    with qtbot.waitSignal(library.listed, timeout=5000) as blocker:
        library.refresh()
    folder, items = blocker.args
    assert folder == str(library.folder())
    return items


def test_refresh_lists_the_folder_newest_first(qtbot, aloop, tmp_path) -> None:
    paths = [save(tmp_path, f"prompt {i}", minutes=i) for i in range(3)]
    for i, path in enumerate(paths):
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    library = ImageLibrary(tmp_path)
    items = listed(qtbot, library)
    assert [i.prompt for i in items] == ["prompt 2", "prompt 1", "prompt 0"]
    assert items[0].model == "openai/dall-e-2"
    assert (items[0].width, items[0].height, items[0].format) == (8, 6, "png")
    assert library.items == items


def test_a_missing_folder_is_created_and_lists_empty(qtbot, aloop, tmp_path) -> None:
    folder = tmp_path / "new" / "images"
    library = ImageLibrary(folder)
    assert listed(qtbot, library) == []
    assert folder.is_dir()


def test_set_folder_remembers_it_and_lists_it(qtbot, aloop, tmp_path) -> None:
    (tmp_path / "a").mkdir()
    save(tmp_path / "b", "in b")
    remembered: list[Path] = []
    library = ImageLibrary(tmp_path / "a", remember=remembered.append)
    changed: list[str] = []
    library.folder_changed.connect(changed.append)
    with qtbot.waitSignal(library.listed, timeout=5000) as blocker:
        library.set_folder(tmp_path / "b")
    assert remembered == [tmp_path / "b"]
    assert changed == [str(tmp_path / "b")]
    assert [i.prompt for i in blocker.args[1]] == ["in b"]
    assert library.folder() == tmp_path / "b"


def test_the_folder_is_kept_in_qsettings(qtbot, aloop, tmp_path) -> None:
    ini = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    library = ImageLibrary.from_qsettings(ini, tmp_path / "default")
    assert library.folder() == tmp_path / "default"
    with qtbot.waitSignal(library.listed, timeout=5000):
        library.set_folder(tmp_path / "chosen")
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert again.value(FOLDER_KEY) == str(tmp_path / "chosen")
    assert ImageLibrary.from_qsettings(again, tmp_path / "default").folder() == tmp_path / "chosen"


def test_only_the_latest_listing_is_shown(qtbot, aloop, tmp_path) -> None:
    save(tmp_path, "only")
    library = ImageLibrary(tmp_path)
    seen: list[Any] = []
    library.listed.connect(lambda _f, items: seen.append(items))
    library.refresh()
    library.refresh()
    qtbot.waitUntil(lambda: not library.busy, timeout=5000)
    assert len(seen) == 1


def test_add_ready_puts_a_new_image_first(qtbot, aloop, tmp_path) -> None:
    save(tmp_path, "old one")
    library = ImageLibrary(tmp_path)
    listed(qtbot, library)
    path = save(tmp_path, "new one", minutes=5)
    ready = ReadyImage(str(path), {"prompt": "new one", "model": "m"}, 8, 6, None)
    with qtbot.waitSignal(library.added, timeout=5000) as blocker:
        library.add_ready(ready)
    item = blocker.args[0]
    assert item.prompt == "new one"
    assert item.size_bytes == path.stat().st_size
    assert [i.prompt for i in library.items] == ["new one", "old one"]


def test_an_image_saved_elsewhere_is_not_added(qtbot, aloop, tmp_path) -> None:
    library = ImageLibrary(tmp_path / "shown")
    path = save(tmp_path / "other", "elsewhere")
    library.add_ready(ReadyImage(str(path), {"prompt": "elsewhere"}, 8, 6, None))
    qtbot.waitUntil(lambda: not library.busy, timeout=5000)
    assert library.items == []


def test_load_settings_gives_the_request_back(qtbot, aloop, tmp_path) -> None:
    path = save(tmp_path, "a lighthouse", quality="standard", orq={"retry": {"count": 2}})
    library = ImageLibrary(tmp_path)
    with qtbot.waitSignal(library.settings_loaded, timeout=5000) as blocker:
        library.load_settings(path)
    where, request, settings = blocker.args
    assert where == str(path)
    assert request == {
        "prompt": "a lighthouse",
        "model": "openai/dall-e-2",
        "size": "256x256",
        "quality": "standard",
        "orq": {"retry": {"count": 2}},
    }
    assert settings["prompt"] == "a lighthouse"


def test_a_foreign_image_has_no_settings(qtbot, aloop, tmp_path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(png())
    library = ImageLibrary(tmp_path)
    with qtbot.waitSignal(library.settings_missing, timeout=5000) as blocker:
        library.load_settings(path)
    assert blocker.args[0] == str(path)
    assert "no Orq Desktop settings" in blocker.args[1]


def test_save_copy_writes_the_same_bytes(qtbot, aloop, tmp_path) -> None:
    path = save(tmp_path / "images", "copy me")
    target = tmp_path / "out" / "copy.png"
    target.parent.mkdir()
    library = ImageLibrary(tmp_path / "images")
    with qtbot.waitSignal(library.copied, timeout=5000) as blocker:
        library.save_copy(path, target)
    assert blocker.args == [str(target)]
    assert target.read_bytes() == path.read_bytes()


def test_save_copy_into_a_missing_folder_fails_with_a_card(qtbot, aloop, tmp_path) -> None:
    path = save(tmp_path / "images", "copy me")
    library = ImageLibrary(tmp_path / "images")
    with qtbot.waitSignal(library.action_failed, timeout=5000) as blocker:
        library.save_copy(path, tmp_path / "nowhere" / "copy.png")
    card = blocker.args[0]
    assert card.title == "Image not copied"
    assert not (tmp_path / "nowhere").exists()


def save_jpeg(folder: Path, prompt: str) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG")
    settings = {"model": "openai/gpt-image-1", "output_format": "jpeg", "quality": "high"}
    return save_generated_image(folder, buffer.getvalue(), settings, prompt=prompt, index=1).path


def test_save_copy_of_a_jpeg_takes_its_settings_along(qtbot, aloop, tmp_path) -> None:
    path = save_jpeg(tmp_path / "images", "a jpeg cat")
    target = tmp_path / "out" / "copy.jpg"
    target.parent.mkdir()
    library = ImageLibrary(tmp_path / "images")
    with qtbot.waitSignal(library.copied, timeout=5000):
        library.save_copy(path, target)
    assert read_settings(target) == read_settings(path) is not None
    with qtbot.waitSignal(library.settings_loaded, timeout=5000) as blocker:
        library.load_settings(target)
    assert blocker.args[1]["prompt"] == "a jpeg cat"
    assert blocker.args[1]["quality"] == "high"


def test_save_copy_reports_taken_names_and_replaces_only_when_told(qtbot, aloop, tmp_path) -> None:
    path = save_jpeg(tmp_path / "images", "new")
    target = tmp_path / "cat.jpg"
    target.write_bytes(b"old image")
    (tmp_path / "cat.json").write_bytes(b"old settings")
    library = ImageLibrary(tmp_path / "images")
    with qtbot.waitSignal(library.copy_conflict, timeout=5000) as blocker:
        library.save_copy(path, target, replace=[target])
    assert blocker.args == [str(path), str(target), [str(tmp_path / "cat.json")]]
    assert target.read_bytes() == b"old image"
    assert (tmp_path / "cat.json").read_bytes() == b"old settings"
    with qtbot.waitSignal(library.copied, timeout=5000):
        library.save_copy(path, target, replace=[target, tmp_path / "cat.json"])
    assert read_settings(target) == read_settings(path) is not None

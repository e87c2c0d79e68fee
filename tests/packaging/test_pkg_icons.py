"""The app icon: the SVG draws, every PNG size is a render of it, and the app's copy matches."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QImage

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render_icons() -> ModuleType:
    """packaging/render_icons.py as a module (packaging/ is scripts, not a package)."""
    path = ROOT / "packaging" / "render_icons.py"
    spec = importlib.util.spec_from_file_location("render_icons", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_desktop_size_is_there_at_its_size(qapp) -> None:
    assert tuple(render_icons().SIZES) == SIZES
    for size in SIZES:
        image = QImage(str(ICONS / f"orq-desktop-{size}.png"))
        assert not image.isNull(), size
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()


def test_the_icon_is_a_rounded_tile_with_a_light_fork(qapp) -> None:
    """Corners are transparent (rounded square); the tile is dark; the fork's stem is white."""
    image = QImage(str(ICONS / "orq-desktop-256.png"))
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(255, 255).alpha() == 0
    tile = image.pixelColor(128, 40)  # above the fork, inside the tile
    assert tile.alpha() == 255 and tile.lightness() < 120
    stem = image.pixelColor(128, 128)  # the fork's straight middle route
    assert stem == QColor("#ffffff")


def test_committed_pngs_are_renders_of_the_svg() -> None:
    """render_icons.py --check renders every size again and compares it with both copies."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "render_icons.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert out.returncode == 0, out.stderr


def test_the_check_notices_a_changed_picture(qapp) -> None:
    module = render_icons()
    fresh = module.render(ICONS / "orq-desktop.svg", 32)
    assert module.differs(fresh, QImage(str(ICONS / "orq-desktop-32.png"))) is None
    changed = QImage(fresh)
    changed.setPixelColor(16, 16, QColor("#ff0000"))
    assert "pixels differ by up to" in (module.differs(changed, fresh) or "")
    assert "size" in (module.differs(module.render(ICONS / "orq-desktop.svg", 48), fresh) or "")


def test_the_running_app_finds_the_same_files_as_package_data() -> None:
    """orq_desktop/resources/icons is what the app (and the bundle) loads at run time."""
    runtime = files("orq_desktop") / "resources" / "icons"
    names = sorted(entry.name for entry in runtime.iterdir())
    assert names == sorted(p.name for p in ICONS.iterdir())
    for name in names:
        assert (runtime / name).read_bytes() == (ICONS / name).read_bytes(), name


def test_a_window_icon_built_from_the_package_has_every_size(qapp) -> None:
    """The way app/startup.py sets it: one QIcon with every PNG size, each added with its size."""
    folder = files("orq_desktop") / "resources" / "icons"
    icon = QIcon()
    for size in SIZES:
        icon.addFile(str(folder / f"orq-desktop-{size}.png"), QSize(size, size))
    assert sorted(s.width() for s in icon.availableSizes()) == list(SIZES)
    for wanted in (24, 48, 100):  # sizes in between are scaled from the nearest file
        pixmap = icon.pixmap(wanted, wanted)
        assert pixmap.width() == wanted
        assert pixmap.toImage().pixelColor(wanted // 2, wanted // 2).alpha() == 255


@pytest.mark.parametrize("size", [16, 512])
def test_the_svg_draws_with_qt(qapp, size: int) -> None:
    image = render_icons().render(ICONS / "orq-desktop.svg", size)
    assert (image.width(), image.height()) == (size, size)
    assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_a_wheel_would_carry_the_runtime_icons() -> None:
    """setuptools puts into the wheel what [tool.setuptools.package-data] globs match."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["orq_desktop"]
    package = ROOT / "orq_desktop"
    matched = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    icons = sorted((package / "resources" / "icons").iterdir())
    missing = [p.name for p in icons if p not in matched]
    assert missing == []

"""Render the app icon's PNG sizes from its SVG, and keep the app's runtime copy in step.

    python packaging/render_icons.py           # write resources/icons/*.png and the runtime copy
    python packaging/render_icons.py --check   # exit 1 if a committed file differs from a render

The SVG ``resources/icons/orq-desktop.svg`` is the source. Each size is drawn by Qt's own SVG
renderer (``QSvgRenderer``) onto a transparent image, so the PNGs look like what Qt shows. The
running app reads its window icon from ``orq_desktop/resources/icons/``: the same files, copied.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "orq-desktop.svg"
OUT_DIR = ROOT / "resources" / "icons"
RUNTIME_DIR = ROOT / "orq_desktop" / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)
NAME = "orq-desktop"
# Antialiasing may move a channel by a step or two between Qt releases; a real change moves more.
TOLERANCE = 3


def png_name(size: int) -> str:
    return f"{NAME}-{size}.png"


def render(svg: Path, size: int):  # -> QImage (PySide6 is imported late, see main)
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG that Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def differs(a, b, tolerance: int = TOLERANCE) -> str | None:
    """Why two QImages differ (size, or the largest channel difference), or None."""
    from PySide6.QtGui import QImage

    if a.size() != b.size():
        return f"size {a.width()}x{a.height()} against {b.width()}x{b.height()}"
    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    worst = 0
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixel(x, y), b.pixel(x, y)
            if pa != pb:
                channels = (abs((pa >> s & 255) - (pb >> s & 255)) for s in (0, 8, 16, 24))
                worst = max(worst, *channels)
    return f"pixels differ by up to {worst}" if worst > tolerance else None


def write_all() -> list[Path]:
    written: list[Path] = []
    RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
    svg_bytes = SOURCE.read_bytes()
    (RUNTIME_DIR / SOURCE.name).write_bytes(svg_bytes)
    written.append(RUNTIME_DIR / SOURCE.name)
    for size in SIZES:
        image = render(SOURCE, size)
        for folder in (OUT_DIR, RUNTIME_DIR):
            path = folder / png_name(size)
            if not image.save(str(path), "PNG"):
                raise SystemExit(f"could not write {path}")
            written.append(path)
    return written


def check_all() -> list[str]:
    """Every way the committed icons differ from a fresh render (empty when all is well)."""
    from PySide6.QtGui import QImage

    problems: list[str] = []
    runtime_svg = RUNTIME_DIR / SOURCE.name
    if not runtime_svg.is_file() or runtime_svg.read_bytes() != SOURCE.read_bytes():
        problems.append(f"{runtime_svg.relative_to(ROOT)} is not a copy of the source SVG")
    for size in SIZES:
        fresh = render(SOURCE, size)
        for folder in (OUT_DIR, RUNTIME_DIR):
            path = folder / png_name(size)
            stored = QImage(str(path))
            if stored.isNull():
                problems.append(f"{path.relative_to(ROOT)} is missing or unreadable")
            elif why := differs(stored, fresh):
                problems.append(f"{path.relative_to(ROOT)}: {why}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare the committed PNGs with a fresh render"
    )
    args = parser.parse_args(argv)
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    if args.check:
        problems = check_all()
        for line in problems:
            sys.stderr.write(line + "\n")
        if problems:
            sys.stderr.write("Run: python packaging/render_icons.py\n")
        return 1 if problems else 0
    for path in write_all():
        sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

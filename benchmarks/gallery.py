"""The image gallery opening a folder of 2,000 images, while a 5 ms heartbeat watches the UI.

    python benchmarks/gallery.py [--images 2000] [--side 512] [--runs 3]

Writes ``--images`` PNGs (``--side`` pixels square, a few gradients, each with its own prompt in
our embedded settings, written without fsync so set-up stays quick) into a temporary folder.
Each run then builds the gallery (the image library and the gallery tab, 1100×800) and times:

- listed: from creating the gallery until the folder's listing is in the view;
- first screen: until every thumbnail on the first screen has been decoded and painted.

The first run starts with an empty thumbnail cache (cold: every visible image is decoded and
scaled off the UI thread); the later runs find the thumbnails cached on disk (warm). Printed per
run: both times, how many thumbnails were decoded (only what is on screen, not 2,000), and the
heartbeat's worst and p99 gap. Floors measured in the same process: the listing alone in a plain
thread (``store.images.list_images``), and the heartbeat with nothing else running.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixtures_qt import Heartbeat
from PIL import Image
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from orq_desktop.core.image_library import ImageLibrary
from orq_desktop.core.loop import EventLoop
from orq_desktop.store.image_check import ImageInfo
from orq_desktop.store.image_meta import build_metadata, encode_metadata
from orq_desktop.store.image_png import insert_chunks, itxt_chunk
from orq_desktop.store.images import META_KEYWORD, list_images
from orq_desktop.ui.image_browser import ImageBrowser
from orq_desktop.ui.image_gallery import ITEM_ROLE
from orq_desktop.ui.image_thumbs import ThumbnailLoader

WORDS = "fox whale lantern harbour forest castle robot crane desert comet garden bridge"
WORDS_LIST = WORDS.split()
STYLES = ["watercolour", "oil painting", "pencil sketch", "photo", "pixel art", "isometric"]


def base_images(side: int, count: int = 6) -> list[bytes]:
    """A few distinct gradient PNGs to share between the files (the pixels do not matter)."""
    out = []
    for i in range(count):
        ramp = Image.linear_gradient("L").resize((side, side))
        channels = [ramp.point(lambda v, m=k + i + 1: (v * m) % 256) for k in range(3)]
        buffer = io.BytesIO()
        Image.merge("RGB", channels).save(buffer, "PNG", compress_level=1)
        out.append(buffer.getvalue())
    return out


def write_folder(folder: Path, count: int, side: int) -> int:
    """``count`` PNGs with our settings embedded; returns the bytes written."""
    folder.mkdir(parents=True)
    bases = base_images(side)
    start = datetime(2026, 1, 1, 9, 0, 0).astimezone()
    total = 0
    for i in range(count):
        prompt = f"A {WORDS_LIST[i % len(WORDS_LIST)]} at dusk, {STYLES[i % len(STYLES)]} #{i}"
        created = start + timedelta(minutes=i)
        meta = build_metadata(
            {"model": "openai/dall-e-2", "size": f"{side}x{side}", "n": 1},
            prompt=prompt,
            created=created,
            image=ImageInfo("png", ".png", side, side),
            index=1,
        )
        data = insert_chunks(
            bases[i % len(bases)],
            [itxt_chunk(META_KEYWORD, encode_metadata(meta), compress=False)],
            replace_keywords=(META_KEYWORD,),
        )
        path = folder / f"{created:%Y%m%d-%H%M%S}_image-{i:05d}_1.png"
        path.write_bytes(data)
        stamp = created.timestamp()
        os.utime(path, (stamp, stamp))
        total += len(data)
    return total


class StampedHeartbeat(Heartbeat):
    """A heartbeat that also keeps when each gap ended, to place a stall in a phase."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: list[float] = []

    def _on_tick(self) -> None:
        if self._last is not None:
            self.ends.append(time.perf_counter())
        super()._on_tick()

    def worst_between(self, start: float, end: float) -> float:
        return max(
            (gap for gap, at in zip(self.gaps_ms, self.ends, strict=False) if start < at <= end),
            default=0.0,
        )


@dataclass
class Run:
    listed_ms: float
    first_screen_ms: float
    decoded: int
    on_screen: int
    worst_ms: float
    p99_ms: float
    worst_building_ms: float
    worst_listing_ms: float
    worst_thumbnails_ms: float


def visible_paths(browser: ImageBrowser) -> list[str]:
    view = browser.view
    grid = view.gridSize()
    paths = []
    for y in range(grid.height() // 2, view.viewport().height(), grid.height()):
        for x in range(grid.width() // 2, view.viewport().width(), grid.width()):
            item = view.indexAt(QPoint(x, y)).data(ITEM_ROLE)
            if item is not None:
                paths.append(item.path)
    return paths


async def one_run(folder: Path, cache: Path | None) -> Run:
    beat = StampedHeartbeat()
    beat.start()
    started = time.perf_counter()
    library = ImageLibrary(folder)
    loader = ThumbnailLoader(cache_dir=cache)
    browser = ImageBrowser(loader)
    library.listed.connect(lambda _folder, items: browser.set_items(items))
    browser.resize(1100, 800)
    browser.show()
    listed_at: list[float] = []
    listed = asyncio.Event()
    library.listed.connect(lambda *_: (listed_at.append(time.perf_counter()), listed.set()))
    built = time.perf_counter()
    library.refresh()
    await listed.wait()
    await asyncio.sleep(0)  # let the view lay out its first batch of rows
    paths = visible_paths(browser)  # the first screen; the view asks for these thumbnails
    screen_ready = asyncio.Event()

    def check(*_args: object) -> None:
        if loader.pending == 0 and all(loader.get(p) is not None for p in paths):
            screen_ready.set()

    loader.loaded.connect(check)
    check()
    await screen_ready.wait()
    browser.view.viewport().repaint()  # the thumbnails are painted, not just decoded
    done = time.perf_counter()
    beat.stop()
    run = Run(
        listed_ms=(listed_at[0] - started) * 1000,
        first_screen_ms=(done - started) * 1000,
        decoded=loader.requested,
        on_screen=len(paths),
        worst_ms=beat.max_gap_ms,
        p99_ms=beat.p99_gap_ms,
        worst_building_ms=beat.worst_between(0, built + 0.02),
        worst_listing_ms=beat.worst_between(built + 0.02, listed_at[0] + 0.05),
        worst_thumbnails_ms=beat.worst_between(listed_at[0] + 0.05, done),
    )
    loader.wait_idle()
    browser.close()
    browser.deleteLater()
    beat.deleteLater()
    await asyncio.sleep(0.05)
    return run


async def idle_floor(seconds: float) -> tuple[float, float]:
    beat = Heartbeat()
    beat.start()
    await asyncio.sleep(seconds)
    beat.stop()
    return beat.max_gap_ms, beat.p99_gap_ms


async def main(args: argparse.Namespace) -> int:
    root = Path(tempfile.mkdtemp(prefix="orq-gallery-bench-"))
    try:
        folder, cache = root / "images", root / "thumbnails"
        t0 = time.perf_counter()
        size = write_folder(folder, args.images, args.side)
        print(
            f"set-up: {args.images} PNGs of {args.side}x{args.side} with settings, "
            f"{size / 1e6:.1f} MB, written in {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        entries = await asyncio.to_thread(list_images, folder)
        floor_list_ms = (time.perf_counter() - t0) * 1000
        assert len(entries) == args.images
        floor_worst, floor_p99 = await idle_floor(1.0)
        print(f"floor: list_images alone {floor_list_ms:.0f} ms; idle heartbeat worst "
              f"{floor_worst:.1f} ms, p99 {floor_p99:.1f} ms")  # fmt: skip
        runs = []
        for index in range(args.runs):
            run = await one_run(folder, cache)
            runs.append(run)
            kind = "cold cache" if index == 0 else "warm cache"
            print(
                f"run {index + 1} ({kind}): listed {run.listed_ms:.0f} ms "
                f"({run.listed_ms / floor_list_ms:.2f}x the bare listing), first screen "
                f"{run.first_screen_ms:.0f} ms, {run.decoded} thumbnails made for "
                f"{run.on_screen} on screen (of {args.images}); heartbeat worst "
                f"{run.worst_ms:.1f} ms, p99 {run.p99_ms:.1f} ms (worst while building the "
                f"widgets {run.worst_building_ms:.0f} ms, listing and filling the view "
                f"{run.worst_listing_ms:.0f} ms, making thumbnails "
                f"{run.worst_thumbnails_ms:.0f} ms)"
            )
        warm = runs[1:] or runs
        print(
            f"summary: cold first screen {runs[0].first_screen_ms:.0f} ms; warm median "
            f"{statistics.median(r.first_screen_ms for r in warm):.0f} ms; worst heartbeat gap "
            f"{max(r.worst_ms for r in runs):.1f} ms (idle floor {floor_worst:.1f} ms)"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--side", type=int, default=512)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # each run closes its gallery window
    sys.exit(asyncio.run(main(arguments), loop_factory=lambda: EventLoop(app)))

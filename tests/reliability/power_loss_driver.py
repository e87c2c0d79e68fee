"""Runs the app's three durable write paths under ``strace`` for the P9 fallback test.

Usage: ``python power_loss_driver.py <folder>``. Each phase is bracketed by a failing ``openat`` of
``/nonexistent/orq-mark-<phase>-<begin|end>`` so the trace can be cut into phases. No Qt.
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import zlib
from pathlib import Path

from orq_desktop.fileio import atomic_write_bytes
from orq_desktop.store.history import HistoryStore
from orq_desktop.store.images import save_generated_image


def mark(phase: str, edge: str) -> None:
    with contextlib.suppress(OSError):
        os.open(f"/nonexistent/orq-mark-{phase}-{edge}", os.O_RDONLY)


def png(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    rows = b"".join(b"\0" + b"\x33\x66\x99" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def main(folder: Path) -> None:
    images = folder / "images"
    mark("image", "begin")
    saved = save_generated_image(images, png(), {"model": "sim/echo"}, prompt="power", index=0)
    mark("image", "end")
    print(f"image {saved.path}")

    target = folder / "settings.json"
    target.write_bytes(b"{}")
    mark("replace", "begin")
    atomic_write_bytes(target, b'{"theme": "dark"}')
    mark("replace", "end")

    store = HistoryStore.open(folder / "history.db").store
    thread = store.create_thread("power loss")
    mark("commit", "begin")
    store.add_message(thread, "user", "acknowledged")
    mark("commit", "end")
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""Atomic file writes: temporary file, fsync, rename, directory fsync. No partial files, ever.

``QSaveFile`` can commit a truncated file on a full disk (DESIGN.md traps), so every file the app
writes (settings, images, exports) goes through here. A short write is an error, the temporary
file is removed on any failure, and an existing file is replaced only by a complete new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(
    path: Path, data: bytes, *, mode: int = 0o600, exclusive: bool = False
) -> None:
    """Write ``data`` to ``path`` atomically with permissions ``mode``.

    With ``exclusive`` the final name must not exist yet (``FileExistsError`` otherwise), so a
    concurrent writer can never be overwritten.
    """
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            view = memoryview(data)
            while view:
                written = f.write(view)
                if not written:
                    raise OSError(f"short write to {path.name}")
                view = view[written:]
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            os.link(tmp, path)  # fails with FileExistsError instead of replacing
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)

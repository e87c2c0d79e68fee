"""A small real tmpfs mounted on a folder of the suite's root, for the disk-full scenarios.

Mounting needs root (CAP_SYS_ADMIN). ``unshare -rm`` would give a private mount namespace, but
only to a child process, and these scenarios run the product in the test's own process; so
without root the test is skipped, saying why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def can_mount() -> str | None:
    """None when a tmpfs can be mounted here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (the scenario runs the product in this process)"
    if shutil.which("mount") is None or shutil.which("umount") is None:
        return "mount(8) is not installed"
    return None


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, *options: str) -> Iterator[Path]:
    """``mount -t tmpfs -o size=<size>[,options] tmpfs <folder>``, unmounted afterwards."""
    reason = can_mount()
    if reason:
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    opts = ",".join((f"size={size}", "mode=0700", *options))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"a tmpfs could not be mounted: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        umount = subprocess.run(["umount", str(folder)], capture_output=True, check=False)
        if umount.returncode != 0:  # something still holds a file open: detach it lazily
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path, name: str = "filler.bin") -> Path:
    """Write zeros into ``folder/name`` until the file system is full; return the file."""
    path = folder / name
    block = b"\0" * 4096
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    for chunk in (1024, 256, 1):  # the last partial blocks too
        with open(path, "ab", buffering=0) as f, contextlib.suppress(OSError):
            while f.write(b"\0" * chunk):
                pass
    return path


def free_bytes(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize

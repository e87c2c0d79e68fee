"""The worker threads that decode, check, write and list images, away from the UI thread.

A small pool of plain Python threads of its own, rather than the loop's default executor: qasync's
default is a pool of ten ``QThread``s that a loop never closed (tests) leaves running at exit, and
image work is CPU-bound, so more threads than cores would only queue behind one another.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

WORKERS = 2
BACKGROUND_NICENESS = 10  # the UI thread gets ~90 % of a contended core against such a thread
_lowered = threading.local()


def lower_thread_priority() -> None:
    """Make the calling worker thread yield the CPU to the UI thread (Linux; else no-op).

    On Linux ``setpriority(PRIO_PROCESS, tid)`` sets one thread's nice value. Elsewhere the call
    would name a process instead of a thread, so it is not made at all.
    """
    if getattr(_lowered, "done", False):
        return
    _lowered.done = True
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICENESS)


_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def image_pool() -> ThreadPoolExecutor:
    """The shared pool (created on first use)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=WORKERS,
                thread_name_prefix="image-work",
                initializer=lower_thread_priority,
            )
        return _pool


async def in_worker[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(*args, **kwargs)`` in an image worker thread and await its result.

    Cancelling the await does not stop the call already running (threads cannot be interrupted);
    its result is dropped.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(image_pool(), functools.partial(fn, *args, **kwargs))

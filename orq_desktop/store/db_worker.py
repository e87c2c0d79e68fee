"""DbWorker: the one thread that runs every HistoryStore call, awaitable from the event loop.

    worker = DbWorker()
    opened = await worker.run(HistoryStore.open, paths.history_db())
    thread_id = await worker.run(opened.store.create_thread, "Title")
    ...
    await worker.run(opened.store.close)
    worker.close()

Calls run one at a time in submission order, so a streaming update can never overtake the
``start_assistant_message`` before it. Cancelling the awaiting task does not stop a call that has
started (SQLite cannot be interrupted half-way through a commit): its write still happens, only
its result is dropped.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class DbWorker:
    """A single-thread executor for the history database."""

    def __init__(self, name: str = "history-db") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False
        self._lock = threading.Lock()

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the database thread and await its result."""
        future = self.submit(fn, *args, **kwargs)
        return await asyncio.wrap_future(future, loop=asyncio.get_running_loop())

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue a call without awaiting it (for code that is not a coroutine)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the history worker is closed")
            return self._pool.submit(functools.partial(fn, *args, **kwargs))

    def close(self, *, wait: bool = True) -> None:
        """Refuse new calls; let the queued ones finish (and wait for them unless told not to)."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=wait)

    @property
    def closed(self) -> bool:
        return self._closed

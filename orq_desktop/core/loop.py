"""The one event loop: asyncio on Qt's loop (qasync), with async-generator hooks installed.

WORKAROUND for qasync 0.28: its ``run_forever`` never calls ``sys.set_asyncgen_hooks``, so an
async generator abandoned mid-iteration (a ``[DONE]`` break, a Stop) is finalised by the garbage
collector and fails with "async generator ignored GeneratorExit". Installing asyncio's own hooks
around ``run_forever`` and calling ``shutdown_asyncgens()`` before closing fixes it (DESIGN.md,
PERF.md §0.2).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import qasync


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop plus asyncio's async-generator finaliser hooks.

    Its default executor (``asyncio.to_thread``) is a plain ``ThreadPoolExecutor``: qasync's own
    ``QThreadExecutor`` aborts the process ("QThread: Destroyed while thread is still running")
    when the interpreter exits before the loop is closed, which is how pytest-qt ends a session.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="orq-work"))

    def run_forever(self) -> Any:
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )
        try:
            return super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*old)

    def install_asyncgen_hooks(self) -> tuple[Any, Any]:
        """Install the hooks without running (tests drive the loop through Qt's own loop)."""
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )
        return old.firstiter, old.finalizer

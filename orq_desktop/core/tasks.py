"""Task helpers: a bug inside a task must not vanish until garbage collection."""

from __future__ import annotations

import asyncio
import sys
from typing import Any


def report_unexpected(task: asyncio.Task[Any]) -> None:
    """Done-callback: route an exception that escaped a task to ``sys.excepthook``."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)

"""TraceFetcher: asks the simulator for the attempts behind an answer (the timeline's data).

Only the simulator answers ``GET /_sim/traces/<id>``; against the real router the fetcher says
where to look instead (Orq's Traces page, with the id), without asking the network anything.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from orq_desktop.core.tasks import report_unexpected

if TYPE_CHECKING:
    from orq_desktop.core.connection import Connection

NOT_SIMULATOR = (
    "The attempt timeline is available in demo mode; open the trace in Orq with this id: {id}"
)


def is_simulator_url(base_url: str) -> bool:
    """True for a loopback address (where the simulator runs); the real router is never there."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TraceFetcher(QObject):
    """Fetches one trace at a time; a new ``fetch`` cancels the one still running.

    Signals:
        trace_ready(trace): the simulator's trace as a plain dict (see ``api.traces``).
        trace_failed(message): why there is no timeline, in plain words (it names the trace id
            when the server is not the simulator).
    """

    trace_ready = Signal(dict)
    trace_failed = Signal(str)

    def __init__(self, connection: Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def can_fetch(self) -> bool:
        """Whether the current connection is the simulator (demo mode or a loopback address)."""
        config = self._connection.config
        return config.demo or is_simulator_url(config.base_url)

    def fetch(self, trace_id: str) -> None:
        """Ask for ``trace_id``; the answer comes as ``trace_ready`` or ``trace_failed``."""
        self.cancel()
        if not self.can_fetch():
            self.trace_failed.emit(NOT_SIMULATOR.format(id=trace_id))
            return
        base_url = self._connection.config.base_url
        self._task = asyncio.get_running_loop().create_task(
            self._fetch(base_url, trace_id), name=f"trace-{trace_id[:40]}"
        )
        self._task.add_done_callback(report_unexpected)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _fetch(self, base_url: str, trace_id: str) -> None:
        from orq_desktop.api.traces import TraceError
        from orq_desktop.api.traces_http import fetch_trace

        try:
            trace: dict[str, Any] = await fetch_trace(base_url, trace_id)
        except TraceError as exc:
            self.trace_failed.emit(str(exc))
            return
        self.trace_ready.emit(trace)

"""Running the simulator: inside a running asyncio loop, or in a daemon thread with its own loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from orq_desktop.simulator.server import build_app
from orq_desktop.simulator.state import SimConfig, SimState

# Requests still running at shutdown (a sim/timeout call, a slow stream) get this long to end.
SHUTDOWN_GRACE_S = 0.25


class RunningSimulator:
    """A simulator serving on the current event loop. Stop it with :meth:`aclose`."""

    def __init__(self, state: SimState, runner: web.AppRunner, host: str, port: int) -> None:
        self.state = state
        self._runner = runner
        self.host = host
        self.port = port
        self._closed = False

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def aclose(self) -> None:
        """Stop listening and end the requests still running. Idempotent."""
        if self._closed:
            return
        self._closed = True
        await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"RunningSimulator(url={self.url!r})"


async def start(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    token_rate: float = 0.0,
    backoff_scale: float = 0.01,
    seed: int = 0,
    image_url_base: str | None = None,
    clock: Callable[[], float] | None = None,
) -> RunningSimulator:
    """Start serving on the running loop (``port=0`` picks a free port)."""
    config = SimConfig(
        api_key=api_key,
        token_rate=token_rate,
        backoff_scale=backoff_scale,
        seed=seed,
        image_url_base=image_url_base,
        clock=clock or time.monotonic,
    )
    state = SimState(config)
    # handler_cancellation: a client that disconnects cancels its handler (sim/timeout ends).
    runner = web.AppRunner(
        build_app(state),
        handler_cancellation=True,
        shutdown_timeout=SHUTDOWN_GRACE_S,
        access_log=None,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = port
    for address in runner.addresses:
        if isinstance(address, tuple):
            bound_port = int(address[1])
            break
    return RunningSimulator(state, runner, host, bound_port)


class SimulatorHandle:
    """A simulator running in a daemon thread with its own event loop.

    The app's Qt loop (or a test) is never stalled by it. Use as a context manager, or call
    :meth:`stop` (idempotent), which ends the server and joins the thread.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, thread: threading.Thread, server: RunningSimulator
    ) -> None:
        self._loop = loop
        self._thread = thread
        self._server = server
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def port(self) -> int:
        return self._server.port

    def stop(self) -> None:
        """Stop the server and join its thread. Safe to call twice or from several threads."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def run(self, fn: Callable[[SimState], Any], timeout: float = 10.0) -> Any:
        """Call ``fn(state)`` on the server's loop and return its result (for tests)."""

        async def call() -> Any:
            return fn(self._server.state)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout)

    def trace(self, trace_id: str) -> dict[str, Any] | None:
        """The trace behind an ``x-orq-trace-id`` header, as ``GET /_sim/traces/<id>`` gives it."""

        def find(state: SimState) -> dict[str, Any] | None:
            found = state.traces.get(trace_id)
            return None if found is None else found.to_json()

        result: dict[str, Any] | None = self.run(find)
        return result

    def recorded_requests(self) -> list[dict[str, Any]]:
        """The request records (method, path, headers without Authorization, body, trace id)."""
        records: list[dict[str, Any]] = self.run(lambda state: list(state.requests))
        return records

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SimulatorHandle(url={self.url!r}, stopped={self._stopped})"


def _shut_down(loop: asyncio.AbstractEventLoop, server: RunningSimulator) -> None:
    loop.run_until_complete(server.aclose())
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


def start_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    token_rate: float = 0.0,
    backoff_scale: float = 0.01,
    seed: int = 0,
    image_url_base: str | None = None,
    clock: Callable[[], float] | None = None,
) -> SimulatorHandle:
    """Start a simulator in a daemon thread; returns once it is listening."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    outcome: dict[str, Any] = {}

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                start(
                    host=host,
                    port=port,
                    api_key=api_key,
                    token_rate=token_rate,
                    backoff_scale=backoff_scale,
                    seed=seed,
                    image_url_base=image_url_base,
                    clock=clock,
                )
            )
        except BaseException as exc:  # reported to the caller of start_in_thread
            outcome["error"] = exc
            ready.set()
            with contextlib.suppress(Exception):
                loop.close()
            return
        outcome["server"] = server
        ready.set()
        try:
            loop.run_forever()
        finally:
            _shut_down(loop, server)

    thread = threading.Thread(target=main, name="orq-gateway-simulator", daemon=True)
    thread.start()
    ready.wait()
    if "error" in outcome:
        thread.join()
        raise outcome["error"]
    return SimulatorHandle(loop, thread, outcome["server"])

"""TraceFetcher against the real simulator: the attempts behind an answer, and every refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orq_desktop.api.client import RouterClient
from orq_desktop.api.errors import RouterError
from orq_desktop.api.models import ChatRequest
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.trace_fetcher import NOT_SIMULATOR, TraceFetcher, is_simulator_url

pytestmark = pytest.mark.gui


@pytest.fixture
def make_fetcher(qtbot: Any, aloop: Any) -> Iterator[Callable[..., TraceFetcher]]:
    fetchers: list[TraceFetcher] = []

    def make(url: str, *, demo: bool = False) -> TraceFetcher:
        connection = Connection(ConnectionConfig(base_url=url, api_key="test-key", demo=demo))
        fetcher = TraceFetcher(connection, parent=connection)
        fetchers.append(fetcher)
        return fetcher

    yield make
    tasks = [asyncio.ensure_future(f.aclose()) for f in fetchers]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def ask(qtbot: Any, url: str, body: dict[str, Any]) -> str:
    """Send one chat request straight through the client; return its trace id."""
    found: list[str] = []

    async def go() -> None:
        async with RouterClient("test-key", base_url=url) as client:
            try:
                result = await client.complete(ChatRequest.model_validate(body))
                found.append(result.trace_id or "")
            except RouterError as exc:
                found.append(exc.trace_id or "")

    task = asyncio.ensure_future(go())
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()
    assert found and found[0].startswith("trace_")
    return found[0]


def test_fetch_gives_both_attempts_of_a_fallback(
    qtbot: Any, make_fetcher: Any, sim_server: Any
) -> None:
    trace_id = ask(
        qtbot,
        sim_server.url,
        {
            "model": "sim/status-429",
            "messages": [{"role": "user", "content": "hi"}],
            "orq": {"fallbacks": [{"model": "openai/gpt-4o"}]},
        },
    )
    fetcher = make_fetcher(sim_server.url)
    assert fetcher.can_fetch()
    with qtbot.waitSignal(fetcher.trace_ready, timeout=5000) as blocker:
        fetcher.fetch(trace_id)
    trace = blocker.args[0]
    assert trace["trace_id"] == trace_id
    assert [(a["model"], a["status"], a["outcome"]) for a in trace["attempts"]] == [
        ("sim/status-429", 429, "failed"),
        ("openai/gpt-4o", 200, "answered"),
    ]
    assert trace["answered_by"] == "openai/gpt-4o"
    assert trace == sim_server.trace(trace_id)


def test_unknown_trace_says_only_recent_ones_are_kept(
    qtbot: Any, make_fetcher: Any, sim_server: Any
) -> None:
    fetcher = make_fetcher(sim_server.url)
    with qtbot.waitSignal(fetcher.trace_failed, timeout=5000) as blocker:
        fetcher.fetch("trace_NOSUCHTRACE")
    assert "no trace with this id" in blocker.args[0]


def test_real_router_is_never_asked(qtbot: Any, make_fetcher: Any) -> None:
    fetcher = make_fetcher("https://api.orq.ai")
    assert not fetcher.can_fetch()
    with qtbot.waitSignal(fetcher.trace_failed, timeout=1000) as blocker:
        fetcher.fetch("trace_01ABC")
    assert blocker.args[0] == NOT_SIMULATOR.format(id="trace_01ABC")
    assert "demo mode" in blocker.args[0] and "trace_01ABC" in blocker.args[0]
    assert not fetcher.busy  # no request was started


def test_demo_mode_fetches_whatever_the_address(qtbot: Any, make_fetcher: Any) -> None:
    fetcher = make_fetcher("http://sim.example", demo=True)
    assert fetcher.can_fetch()


def test_a_bad_id_is_refused_before_any_request(
    qtbot: Any, make_fetcher: Any, sim_server: Any
) -> None:
    fetcher = make_fetcher(sim_server.url)
    with qtbot.waitSignal(fetcher.trace_failed, timeout=5000) as blocker:
        fetcher.fetch("../_sim/requests")
    assert blocker.args[0] == "That does not look like a trace id."


def test_a_new_fetch_cancels_the_one_running(
    qtbot: Any, make_fetcher: Any, sim_server: Any
) -> None:
    trace_id = ask(
        qtbot,
        sim_server.url,
        {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    fetcher = make_fetcher(sim_server.url)
    got: list[dict[str, Any]] = []
    fetcher.trace_ready.connect(got.append)
    fetcher.fetch("trace_FIRST")
    fetcher.fetch(trace_id)
    qtbot.waitUntil(lambda: not fetcher.busy, timeout=5000)
    qtbot.wait(50)
    assert [t["trace_id"] for t in got] == [trace_id]


def test_a_server_that_does_not_answer(qtbot: Any, make_fetcher: Any) -> None:
    fetcher = make_fetcher("http://127.0.0.1:9")  # the discard port: nothing listens
    with qtbot.waitSignal(fetcher.trace_failed, timeout=10_000) as blocker:
        fetcher.fetch("trace_01ABC")
    assert blocker.args[0] == "The trace could not be fetched: the server did not answer."


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8765", True),
        ("http://localhost:1", True),
        ("http://[::1]:8080", True),
        ("https://api.orq.ai", False),
        ("http://10.0.0.5", False),
        ("not a url", False),
    ],
)
def test_loopback_addresses_count_as_the_simulator(url: str, expected: bool) -> None:
    assert is_simulator_url(url) is expected

"""CompareRun against the real simulator: columns in their own states, stop one or all, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState
from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import ColumnConfig, ColumnResult, ComparePrompt
from orq_desktop.core.connection import Connection, ConnectionConfig

pytestmark = pytest.mark.gui


class Events:
    """Every signal of a run as (name, args)."""

    NAMES = (
        "run_started",
        "column_started",
        "column_delta",
        "column_finished",
        "column_busy_changed",
        "busy_changed",
        "start_refused",
        "history_problem",
    )

    def __init__(self, run: CompareRun) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in self.NAMES:
            getattr(run, name).connect(lambda *a, n=name: self.events.append((n, a)))

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [a for n, a in self.events if n == name]

    def text(self, index: int) -> str:
        return "".join(t for i, t in self.of("column_delta") if i == index)

    def finished(self) -> dict[int, ColumnResult]:
        return {i: r for i, r in self.of("column_finished")}


@pytest.fixture
def make_run(qtbot, aloop) -> Iterator[Callable[..., CompareRun]]:
    """Runs on their own Connection; every run and client is closed after the test."""
    made: list[tuple[CompareRun, Connection]] = []

    def make(url: str, **kwargs: Any) -> CompareRun:
        conn = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
        run = CompareRun(conn.prepared, parent=conn, **kwargs)
        made.append((run, conn))
        return run

    yield make

    async def close() -> None:
        for run, conn in made:
            await run.aclose()
            await conn.aclose()

    task = asyncio.ensure_future(close())
    qtbot.waitUntil(task.done, timeout=5000)


def col(model: str, **options: Any) -> ColumnConfig:
    return ColumnConfig({"model": model, "stream": True, **options})


def wait_done(qtbot, run: CompareRun, events: Events, n: int, timeout: int = 15_000) -> None:
    qtbot.waitUntil(
        lambda: (
            not run.busy
            and len(events.of("column_finished")) >= n
            # busy_changed(False) comes from the last task's done callback, a loop turn later
            and events.of("busy_changed")[-1:] == [(False,)]
        ),
        timeout=timeout,
    )


def test_healthy_and_misbehaving_columns_each_end_in_their_own_state(
    qtbot, sim_server, make_run
) -> None:
    run = make_run(sim_server.url)
    events = Events(run)
    models = ["openai/gpt-4o", "sim/status-503", "sim/drop-after-5", "sim/slow-2000"]
    run_id = run.start(ComparePrompt.single("Compare tea and coffee"), [col(m) for m in models])
    assert run_id and run_id.startswith("compare_")
    assert events.of("run_started") == [(run_id, 4)]
    assert events.of("column_started") == [(i, m) for i, m in enumerate(models)]
    wait_done(qtbot, run, events, 4)
    done = events.finished()
    assert sorted(done) == [0, 1, 2, 3]

    healthy = done[0]
    assert healthy.state is MessageState.COMPLETE and healthy.error is None
    assert healthy.text and healthy.text == events.text(0)
    assert isinstance(healthy.info, AnswerInfo)
    assert healthy.info.tokens_out and healthy.info.finish_reason == "stop"
    assert healthy.info.ttft_s is not None and healthy.info.total_s is not None

    refused = done[1]
    assert refused.state is MessageState.ERROR and refused.text == ""
    assert isinstance(refused.error, ErrorInfo) and refused.error.status == 503
    assert "add_fallback" in [a.action_id for a in refused.error.actions]

    dropped = done[2]
    assert dropped.state is MessageState.INTERRUPTED
    assert dropped.text and dropped.text == events.text(2)
    assert dropped.error is not None and dropped.error.kind == "StreamInterrupted"

    slow = done[3]
    assert slow.state is MessageState.COMPLETE and slow.text
    assert slow.info.ttft_s is not None and slow.info.ttft_s >= 1.9
    # The slow column finished last: the fast ones did not wait for it.
    order = [i for i, _r in events.of("column_finished")]
    assert order[-1] == 3
    assert run.results() == tuple(done[i] for i in range(4))
    assert events.of("busy_changed") == [(True,), (False,)]


def test_stopping_one_column_leaves_the_others_streaming(
    qtbot, sim_server_factory, make_run
) -> None:
    sim = sim_server_factory(token_rate=60)
    run = make_run(sim.url)
    events = Events(run)
    columns = [
        col("openai/gpt-4o", max_completion_tokens=400),
        col("openai/gpt-4o-mini", max_completion_tokens=30),
    ]
    run.start(ComparePrompt.single("A long story please"), columns)
    qtbot.waitUntil(lambda: len(events.text(0)) > 10, timeout=10_000)
    run.stop(0)
    qtbot.waitUntil(lambda: 0 in events.finished(), timeout=5000)
    assert events.finished()[0].state is MessageState.STOPPED
    assert run.column_busy(1) and run.busy  # the other column is still arriving
    stopped_text = events.finished()[0].text
    assert stopped_text == events.text(0)
    wait_done(qtbot, run, events, 2)
    assert events.finished()[1].state is MessageState.COMPLETE
    assert events.text(0) == stopped_text  # nothing arrived for the stopped column afterwards
    assert (0, False) in events.of("column_busy_changed")


def test_stop_all_stops_every_column(qtbot, sim_server_factory, make_run) -> None:
    sim = sim_server_factory(token_rate=40)
    run = make_run(sim.url)
    events = Events(run)
    run.start(
        ComparePrompt.single("Go on and on"),
        [col(m, max_completion_tokens=400) for m in ("openai/gpt-4o", "openai/gpt-4o-mini")],
    )
    qtbot.waitUntil(lambda: all(events.text(i) for i in (0, 1)), timeout=10_000)
    run.stop_all()
    wait_done(qtbot, run, events, 2, timeout=5000)
    states = {i: r.state for i, r in events.finished().items()}
    assert states == {0: MessageState.STOPPED, 1: MessageState.STOPPED}
    assert all(r.info.total_s is not None for r in events.finished().values())


@pytest.mark.parametrize(
    ("columns", "prompt", "reason"),
    [
        ([col("openai/gpt-4o")], "Hi", "2 to 6 columns"),
        ([col("openai/gpt-4o")] * 7, "Hi", "2 to 6 columns"),
        ([col("openai/gpt-4o")] * 2, "   ", "Type a prompt"),
        ([col("openai/gpt-4o"), col("openai/gpt-4o-mini", temperature=5)], "Hi", "Column 2"),
    ],
)
def test_invalid_runs_are_refused_and_nothing_is_sent(
    qtbot, sim_server_factory, make_run, columns, prompt, reason
) -> None:
    sim = sim_server_factory()
    run = make_run(sim.url)
    events = Events(run)
    assert run.start(ComparePrompt.single(prompt), columns) is None
    ((text,),) = events.of("start_refused")
    assert reason in text
    if reason == "Column 2":
        assert "openai/gpt-4o-mini" in text and "temperature" in text.lower()
    assert not run.busy and not events.of("run_started")
    qtbot.wait(50)
    assert sim.recorded_requests() == []


def test_a_second_start_is_refused_while_columns_run(qtbot, sim_server_factory, make_run) -> None:
    sim = sim_server_factory(token_rate=40)
    run = make_run(sim.url)
    events = Events(run)
    columns = [col("openai/gpt-4o", max_completion_tokens=200)] * 2
    assert run.start(ComparePrompt.single("First"), columns)
    assert run.start(ComparePrompt.single("Second"), columns) is None
    assert "stop them first" in events.of("start_refused")[0][0]
    run.stop_all()
    wait_done(qtbot, run, events, 2)


def test_variables_and_system_prompt_reach_every_column(
    qtbot, sim_server_factory, make_run
) -> None:
    sim = sim_server_factory()
    run = make_run(sim.url)
    events = Events(run)
    own_inputs = col("openai/gpt-4o", orq={"inputs": {"tone": "dry", "name": "old"}})
    listed = col("openai/gpt-4o-mini", orq={"inputs": [{"key": "name", "value": "old"}]})
    prompt = ComparePrompt("Be {{tone}}.", (("user", "Greet {{name}}"),), {"name": "Ada"})
    run.start(prompt, [own_inputs, listed])
    wait_done(qtbot, run, events, 2)
    bodies = sorted((r["body"] for r in sim.recorded_requests()), key=lambda b: b["model"])
    assert [b["model"] for b in bodies] == ["openai/gpt-4o", "openai/gpt-4o-mini"]
    for body in bodies:
        assert body["messages"][0] == {"role": "system", "content": "Be {{tone}}."}
        assert body["messages"][1] == {"role": "user", "content": "Greet {{name}}"}
    assert bodies[0]["orq"]["inputs"] == {"tone": "dry", "name": "Ada"}
    assert bodies[1]["orq"]["inputs"] == [{"key": "name", "value": "Ada"}]


def test_retry_column_asks_one_column_again_with_new_options(qtbot, sim_server, make_run) -> None:
    run = make_run(sim_server.url)
    events = Events(run)
    run.start(ComparePrompt.single("Hi"), [col("openai/gpt-4o"), col("sim/status-429")])
    wait_done(qtbot, run, events, 2)
    first = events.finished()[0]
    assert events.finished()[1].state is MessageState.ERROR
    assert run.retry_column(1, col("openai/gpt-4o-mini"))
    assert events.of("column_started")[-1] == (1, "openai/gpt-4o-mini")
    wait_done(qtbot, run, events, 3)
    assert run.result(1) is not None and run.result(1).state is MessageState.COMPLETE
    assert run.result(0) is first  # the other column is kept as it was
    assert run.run_info is not None and run.run_info.columns[1].model == "openai/gpt-4o-mini"
    assert not run.retry_column(5)

"""CompareRun's history hook with a fake recorder: order, save before send, progress, failure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import (
    ColumnConfig,
    ColumnResult,
    ComparePrompt,
    CompareRecorder,
    CompareRunInfo,
)
from orq_desktop.core.connection import Connection, ConnectionConfig

pytestmark = pytest.mark.gui


class FakeRecorder(CompareRecorder):
    """Writes down every call; optionally checks what the server has seen at that moment."""

    def __init__(self, requests_seen: Callable[[], int] | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._seen = requests_seen

    async def before_send(self, run: CompareRunInfo) -> None:
        await asyncio.sleep(0.05)  # a slow disk: the columns must still wait for it
        seen = self._seen() if self._seen is not None else None
        self.calls.append(("before_send", run.run_id, seen))

    async def column_started(self, run: CompareRunInfo, index: int) -> None:
        self.calls.append(("column_started", index))

    async def column_progress(self, run: CompareRunInfo, index: int, text: str) -> None:
        self.calls.append(("column_progress", index, text))

    async def column_finished(self, run: CompareRunInfo, result: ColumnResult) -> None:
        self.calls.append(("column_finished", result.index, result.state, result.text))

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


class BrokenRecorder(CompareRecorder):
    async def before_send(self, run: CompareRunInfo) -> None:
        raise OSError("disk full")


@pytest.fixture
def make_run(qtbot, aloop) -> Iterator[Callable[..., CompareRun]]:
    made: list[tuple[CompareRun, Connection]] = []

    def make(url: str, recorder: CompareRecorder) -> CompareRun:
        conn = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
        run = CompareRun(conn.prepared, recorder=recorder, parent=conn)
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


def finished(recorder: FakeRecorder) -> list[tuple[Any, ...]]:
    return [c for c in recorder.calls if c[0] == "column_finished"]


def test_recorder_sees_the_run_before_anything_is_sent_and_every_end(
    qtbot, sim_server_factory, make_run
) -> None:
    sim = sim_server_factory()
    recorder = FakeRecorder(lambda: len(sim.recorded_requests()))
    run = make_run(sim.url, recorder)
    results: dict[int, ColumnResult] = {}
    run.column_finished.connect(lambda i, r: results.__setitem__(i, r))
    run_id = run.start(ComparePrompt.single("Hello"), [col("openai/gpt-4o"), col("sim/status-500")])
    qtbot.waitUntil(lambda: len(finished(recorder)) == 2, timeout=10_000)
    assert recorder.calls[0] == ("before_send", run_id, 0)  # persisted before any request
    assert recorder.names()[1:3] == ["column_started", "column_started"]
    ends = {c[1]: c for c in finished(recorder)}
    assert ends[0][2] is MessageState.COMPLETE and ends[0][3] == results[0].text
    assert ends[1][2] is MessageState.ERROR
    assert len(sim.recorded_requests()) == 2


def test_progress_reaches_the_recorder_while_a_column_streams(
    qtbot, sim_server_factory, make_run
) -> None:
    sim = sim_server_factory(token_rate=100)
    recorder = FakeRecorder()
    run = make_run(sim.url, recorder)
    columns = [col("openai/gpt-4o", max_completion_tokens=250), col("openai/gpt-4o-mini")]
    run.start(ComparePrompt.single("Tell me a long story"), columns)
    qtbot.waitUntil(lambda: len(finished(recorder)) == 2, timeout=15_000)
    progress = [c for c in recorder.calls if c[0] == "column_progress" and c[1] == 0]
    assert progress, "a 2.5 s stream is saved at least once while it arrives"
    final = next(c[3] for c in finished(recorder) if c[1] == 0)
    assert all(final.startswith(c[2]) and len(c[2]) < len(final) for c in progress)
    # Every call for column 0 comes in order: started, progress…, finished.
    mine = [c[0] for c in recorder.calls if len(c) > 1 and c[1] == 0]
    assert mine[0] == "column_started" and mine[-1] == "column_finished"


def test_a_stopped_column_is_still_recorded(qtbot, sim_server_factory, make_run) -> None:
    sim = sim_server_factory(token_rate=40)
    recorder = FakeRecorder()
    run = make_run(sim.url, recorder)
    texts: list[str] = []
    run.column_delta.connect(lambda i, t: texts.append(t) if i == 0 else None)
    run.start(ComparePrompt.single("Go on"), [col("openai/gpt-4o", max_completion_tokens=300)] * 2)
    qtbot.waitUntil(lambda: len(texts) >= 3, timeout=10_000)
    run.stop_all()
    qtbot.waitUntil(lambda: len(finished(recorder)) == 2, timeout=5000)
    states = {c[1]: c[2] for c in finished(recorder)}
    assert states == {0: MessageState.STOPPED, 1: MessageState.STOPPED}
    assert next(c[3] for c in finished(recorder) if c[1] == 0) == "".join(texts)


def test_a_failing_recorder_never_stops_the_columns(qtbot, sim_server, make_run) -> None:
    run = make_run(sim_server.url, BrokenRecorder())
    problems: list[str] = []
    results: dict[int, ColumnResult] = {}
    run.history_problem.connect(problems.append)
    run.column_finished.connect(lambda i, r: results.__setitem__(i, r))
    run.start(ComparePrompt.single("Hi"), [col("openai/gpt-4o"), col("openai/gpt-4o-mini")])
    qtbot.waitUntil(lambda: len(results) == 2 and not run.busy, timeout=10_000)
    assert [r.state for r in results.values()] == [MessageState.COMPLETE] * 2
    assert len(problems) == 1 and "disk full" in problems[0]

"""A compare run recorded in the real SQLite history, found by search, and read back."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.compare_history import HistoryCompareRecorder, compare_title
from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import ColumnConfig, ColumnResult, ComparePrompt
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.store.db_worker import DbWorker
from orq_desktop.store.history import HistoryStore

pytestmark = pytest.mark.gui


class History:
    def __init__(self, path: Path) -> None:
        self.worker = DbWorker()
        self.store = HistoryStore.open(path).store

    def close(self) -> None:
        self.worker.close()
        self.store.close()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History(tmp_path / "history.sqlite3")
    yield h
    h.close()


def run_to_end(qtbot, url: str, history: History, prompt: ComparePrompt, columns: list[Any]):
    """Start a run with the real recorder; wait for its columns and for every write."""
    conn = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
    recorder = HistoryCompareRecorder(history.worker, history.store)
    run = CompareRun(conn.prepared, recorder=recorder, parent=conn)
    results: dict[int, ColumnResult] = {}
    run.column_finished.connect(lambda i, r: results.__setitem__(i, r))
    run_id = run.start(prompt, columns)
    assert run_id
    qtbot.waitUntil(lambda: len(results) == len(columns) and not run.busy, timeout=15_000)

    async def close() -> None:
        await run.aclose()  # waits for the recorder's last writes
        await conn.aclose()

    task = asyncio.ensure_future(close())
    qtbot.waitUntil(task.done, timeout=5000)
    thread_id = recorder.thread_id(run_id)
    assert thread_id
    return recorder, thread_id, results


def col(model: str, label: str = "", **options: Any) -> ColumnConfig:
    return ColumnConfig({"model": model, "stream": True, **options}, label)


def test_a_run_is_one_compare_thread_with_its_columns(qtbot, aloop, sim_server, history) -> None:
    prompt = ComparePrompt("Be brief.", (("user", "Explain zanzibarite crystals"),), {"x": "1"})
    columns = [
        col("openai/gpt-4o", "Copy of the chat", temperature=0.2),
        col("sim/status-503", "Flaky"),
        col("sim/drop-after-5"),
    ]
    _recorder, thread_id, results = run_to_end(qtbot, sim_server.url, history, prompt, columns)
    detail = history.store.load_thread(thread_id)
    assert detail.summary.kind == "compare"
    assert detail.summary.title == compare_title(prompt) == "Compare: Explain zanzibarite crystals"
    shared = [(m.role, m.text) for m in detail.messages if m.column_index is None]
    assert shared == [("system", "Be brief."), ("user", "Explain zanzibarite crystals")]
    answers = {m.column_index: m for m in detail.messages if m.column_index is not None}
    assert {i: m.state for i, m in answers.items()} == {
        0: "complete",
        1: "error",
        2: "interrupted",
    }
    assert answers[0].text == results[0].text and answers[2].text == results[2].text
    runs = {r.column_index: r for r in detail.runs}
    assert runs[0].model_requested == "openai/gpt-4o" and runs[0].tokens_out
    assert runs[0].request["temperature"] == 0.2
    assert runs[0].request["orq"]["inputs"] == {"x": "1"}  # the shared variables were sent
    assert runs[1].status_code == 503 and runs[1].error_text
    assert all(answers[i].run_id == runs[i].id for i in range(3))

    # Searchable like the rest: the prompt, and a word from one column's answer.
    hits = history.store.search("zanzibarite")
    assert thread_id in {h.thread_id for h in hits}
    word = max(re.findall(r"[A-Za-z]{5,}", results[0].text), key=len)
    assert thread_id in {h.thread_id for h in history.store.search(word)}
    assert [t.id for t in history.store.list_threads(kind="compare")] == [thread_id]


def test_a_recorded_run_reads_back_as_it_was_shown(qtbot, aloop, sim_server, history) -> None:
    prompt = ComparePrompt.single("Name three teas", "You are terse.", {"who": "Ada"})
    columns = [col("openai/gpt-4o", "A"), col("sim/status-429", "B"), col("openai/gpt-4o-mini")]
    recorder, thread_id, results = run_to_end(qtbot, sim_server.url, history, prompt, columns)

    task = asyncio.ensure_future(recorder.load(thread_id))
    qtbot.waitUntil(task.done, timeout=5000)
    saved = task.result()
    assert saved.thread_id == thread_id
    assert saved.prompt == prompt
    assert saved.columns == tuple(columns)  # options and labels
    assert saved.notes == ()
    for index in range(3):
        got, shown = saved.results[index], results[index]
        assert got is not None
        assert (got.text, got.state) == (shown.text, shown.state)
        assert got.info.tokens_out == shown.info.tokens_out
        assert got.info.answered_model == shown.info.answered_model
        assert got.info.finish_reason == shown.info.finish_reason
        assert got.info.total_s == pytest.approx(shown.info.total_s)
    failed = saved.results[1]
    assert failed is not None and failed.error is not None
    assert failed.error.title == shown_title(results[1]) and failed.error.status == 429
    assert saved.results[0].error is None


def shown_title(result: ColumnResult) -> str:
    assert result.error is not None
    return result.error.title


def test_a_streaming_column_is_saved_while_it_arrives(
    qtbot, aloop, sim_server_factory, history
) -> None:
    sim = sim_server_factory(token_rate=100)
    conn = Connection(ConnectionConfig(base_url=sim.url, api_key="test-key"))
    recorder = HistoryCompareRecorder(history.worker, history.store)
    run = CompareRun(conn.prepared, recorder=recorder, parent=conn)
    run_id = run.start(
        ComparePrompt.single("A long one"),
        [col("openai/gpt-4o", max_completion_tokens=300), col("openai/gpt-4o-mini")],
    )
    assert run_id

    def saved_partial() -> bool:
        thread_id = recorder.thread_id(run_id)
        if thread_id is None:
            return False
        detail = history.store.load_thread(thread_id)
        return any(
            m.column_index == 0 and m.state == "streaming" and m.text for m in detail.messages
        )

    qtbot.waitUntil(saved_partial, timeout=10_000)
    run.stop_all()

    async def close() -> None:
        await run.aclose()
        await conn.aclose()

    task = asyncio.ensure_future(close())
    qtbot.waitUntil(task.done, timeout=5000)
    detail = history.store.load_thread(recorder.thread_id(run_id) or "")
    states = {m.column_index: m.state for m in detail.messages if m.column_index is not None}
    assert states[0] == MessageState.STOPPED.value

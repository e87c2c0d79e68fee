"""A compare run recorded in the real SQLite history, found by search, and read back."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from history_session_support import env_factory
from history_session_support import run as drive

from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.compare_history import (
    DirectHistory,
    HistoryCompareRecorder,
    compare_title,
)
from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import (
    ColumnConfig,
    ColumnResult,
    ComparePrompt,
    continue_as_chat,
)
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.history_queries import ThreadQuery
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
    recorder = HistoryCompareRecorder(DirectHistory(history.worker, history.store))
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
    recorder = HistoryCompareRecorder(DirectHistory(history.worker, history.store))
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


# -- with the app's HistorySession -----------------------------------------------------------


@pytest.fixture
def make_env(qtbot, aloop, tmp_path):
    yield from env_factory(qtbot, tmp_path)


def session_run(qtbot, env, recorder, prompt: ComparePrompt, columns: list[ColumnConfig]):
    run = CompareRun(env.connection.prepared, recorder=recorder, parent=env.connection)
    results: dict[int, ColumnResult] = {}
    problems: list[str] = []
    run.column_finished.connect(lambda i, r: results.__setitem__(i, r))
    run.history_problem.connect(problems.append)
    run_id = run.start(prompt, columns)
    assert run_id
    qtbot.waitUntil(lambda: len(results) == len(columns) and not run.busy, timeout=15_000)
    closing = asyncio.ensure_future(run.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    return run_id, results, problems


def test_through_the_history_session_a_compare_is_listed_and_opens_in_compare(
    qtbot, sim_server, make_env
) -> None:
    env = make_env(sim_server.url)
    recorder = HistoryCompareRecorder(env.history)
    changed: list[bool] = []
    env.history.threads_changed.connect(lambda: changed.append(True))
    columns = [col("openai/gpt-4o", "A"), col("sim/status-500", "B")]
    run_id, results, problems = session_run(
        qtbot, env, recorder, ComparePrompt.single("Pick a colour"), columns
    )
    assert problems == [] and changed  # the sidebar is told to reload
    thread_id = recorder.thread_id(run_id)
    assert thread_id
    summaries = drive(qtbot, env.history.list_threads(ThreadQuery()))
    assert thread_id in {s.id for s in summaries if s.kind == "compare"}

    opened: list[Any] = []
    env.history.compare_opened.connect(opened.append)
    assert drive(qtbot, env.history.open_thread(thread_id)) is None
    (saved,) = opened
    assert saved.columns == tuple(columns)
    assert saved.results[0].text == results[0].text and saved.results[0].error is None
    failed = saved.results[1]
    assert failed.state is MessageState.ERROR and failed.error is not None
    assert failed.error.title == results[1].error.title  # "500 Provider error"
    assert not env.of("h.thread_opened")  # the chat is left alone


def test_a_column_opened_as_a_chat_continues_there(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    recorder = HistoryCompareRecorder(env.history)
    prompt = ComparePrompt.single("Name a river", "Be brief.")
    columns = [col("openai/gpt-4o"), col("openai/gpt-4o-mini", temperature=0.3)]
    _run_id, results, _problems = session_run(qtbot, env, recorder, prompt, columns)
    system_prompt, turns, options = continue_as_chat(prompt, results[1])
    # As the app does it: CompareView.open_as_chat -> history.spawn(recorder.open_as_chat(...)).
    opening = recorder.open_as_chat(system_prompt, turns, options, results[1].info)
    thread_id = drive(qtbot, env.history.spawn(opening))
    assert env.chat.thread_id == thread_id
    assert [(t.role.value, t.text) for t in env.chat.turns] == [
        ("user", "Name a river"),
        ("assistant", results[1].text),
    ]
    answer = env.chat.turns[1]
    assert answer.info is not None and answer.info.tokens_out == results[1].info.tokens_out
    ((opened,),) = env.of("h.thread_opened")
    assert opened.system_prompt == "Be brief."
    assert opened.options["model"] == "openai/gpt-4o-mini"
    assert opened.options["temperature"] == 0.3
    # The conversation goes on from the column's answer.
    env.send("And the longest?", "Be brief.", model="openai/gpt-4o-mini")
    body = sim_server.recorded_requests()[-1]["body"]
    assert [m["content"] for m in body["messages"]] == [
        "Be brief.",
        "Name a river",
        results[1].text,
        "And the longest?",
    ]


def test_without_a_history_a_compare_runs_and_keeps_nothing(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url, open_history=False)
    recorder = HistoryCompareRecorder(env.history)
    run_id, results, problems = session_run(
        qtbot, env, recorder, ComparePrompt.single("Hi"), [col("openai/gpt-4o")] * 2
    )
    assert [r.state for r in results.values()] == [MessageState.COMPLETE] * 2
    assert problems == [] and recorder.thread_id(run_id) is None


def test_a_damaged_column_answer_reads_as_an_unreadable_card() -> None:
    """A compare thread with a row the store marked unreadable opens; that column shows the card."""
    from orq_desktop.core import compare_history
    from orq_desktop.store.history_rows import UNREADABLE
    from orq_desktop.store.history_types import MessageRecord

    damaged = MessageRecord(7, "thread_x", 3, "assistant", "", UNREADABLE, 0.0, 0.0, None, 1)
    result = compare_history._result(1, col("sim/echo"), damaged, None)
    assert result.state is MessageState.ERROR
    assert result.error is not None and result.error.title == "Unreadable message"
    assert result.text == ""


def test_a_column_answer_with_a_damaged_state_keeps_its_text() -> None:
    """Only the state cell is bad: the column shows the saved text, marked interrupted."""
    from orq_desktop.core import compare_history
    from orq_desktop.store.history_rows import message_from_row

    row = (7, "thread_x", 3, "assistant", "the saved answer", b"\x00", "then", 2.0, None, 1)
    damaged = message_from_row(row)
    result = compare_history._result(1, col("sim/echo"), damaged, None)
    assert (result.text, result.state, result.error) == (
        "the saved answer", MessageState.INTERRUPTED, None,
    )  # fmt: skip

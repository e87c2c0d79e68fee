"""End to end: the editor's options go out with a real request to the simulator, a fallback
answers, and the timeline fetched through TraceFetcher shows every attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.chat_types import AnswerInfo, MessageState
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.core.trace_fetcher import TraceFetcher
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.options_editor import OptionsEditor
from orq_desktop.ui.route_timeline import TraceTimelineDialog, open_timeline
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


@pytest.fixture
def connection(qtbot: Any, aloop: Any, sim_server: Any) -> Iterator[Connection]:
    conn = Connection(ConnectionConfig(base_url=sim_server.url, api_key="test-key"))
    yield conn
    task = asyncio.ensure_future(conn.aclose())
    qtbot.waitUntil(task.done, timeout=5000)


def answer(qtbot: Any, session: ChatSession, options: dict[str, Any]) -> AnswerInfo:
    with qtbot.waitSignal(session.answer_finished, timeout=10_000) as blocker:
        assert session.send("Hello there", "", options)
    _msg_id, text, state, info = blocker.args
    assert state == MessageState.COMPLETE.value and text
    assert isinstance(info, AnswerInfo)
    return info


def test_a_429_primary_is_answered_by_the_fallback_and_the_timeline_shows_it(
    qtbot: Any, connection: Connection, sim_server: Any
) -> None:
    editor = OptionsEditor("chat", primary_model="sim/status-429")
    qtbot.addWidget(editor)
    editor.set_orq({})
    editor.fallbacks.switch.setChecked(True)
    assert editor.fallbacks.add_model("openai/gpt-4o")
    assert editor.validity() is None
    assert "try openai/gpt-4o" in editor.route_view.description.text()

    session = ChatSession(connection.client, parent=connection)
    info = answer(qtbot, session, {"model": "sim/status-429", "orq": editor.orq()})
    assert info.is_fallback
    assert info.trace_id is not None
    sent = [r for r in sim_server.recorded_requests() if r["trace_id"] == info.trace_id]
    assert sent[0]["body"]["orq"] == {"fallbacks": [{"model": "openai/gpt-4o"}]}

    fetcher = TraceFetcher(connection, parent=connection)
    dialog = TraceTimelineDialog(info.trace_id)
    qtbot.addWidget(dialog)
    fetcher.trace_ready.connect(dialog.set_trace)
    with qtbot.waitSignal(fetcher.trace_ready, timeout=5000):
        fetcher.fetch(info.trace_id)
    record = dialog.record()
    assert record is not None
    assert [(a.model, a.status, a.outcome) for a in record.attempts] == [
        ("sim/status-429", 429, "failed"),
        ("openai/gpt-4o", 200, "answered"),
    ]
    assert record.answering_attempt() == 1
    assert dialog.heading.text().endswith("openai/gpt-4o answered.")
    rows = [
        [dialog.table.topLevelItem(i).text(c) for c in (1, 2)]
        for i in range(dialog.table.topLevelItemCount())
    ]
    assert rows == [["sim/status-429", "429"], ["openai/gpt-4o", "200"]]
    assert dialog.table.topLevelItem(1).font(1).bold()
    assert dialog.chart.height() > 0


def test_the_panel_sends_what_the_editor_wrote_and_retries_show_as_attempts(
    qtbot: Any, connection: Connection, sim_server: Any
) -> None:
    routing = RoutingState()
    editor = OptionsEditor("chat", routing=routing, primary_model="sim/status-429")
    qtbot.addWidget(editor)
    session = ChatSession(connection.client, parent=connection)
    panel = ChatPanel(session, TranscriptView(), orq=routing.orq)
    qtbot.addWidget(panel)
    panel.params.model_picker.model_changed.connect(editor.set_primary_model)
    panel.params.set_options({"model": "sim/status-429"})
    editor.retry.switch.setChecked(True)
    editor.retry.count.setValue(1)
    editor.fallbacks.switch.setChecked(True)
    editor.fallbacks.add_model("openai/gpt-4o-mini")
    thread_id = editor.thread.thread_id.text()
    assert routing.orq() == {
        "retry": {"count": 1, "on_codes": [429]},
        "fallbacks": [{"model": "openai/gpt-4o-mini"}],
        "thread": {"id": thread_id},
    }
    finished: list[Any] = []
    session.answer_finished.connect(lambda *args: finished.append(args[3]))
    panel.prompt_input.setPlainText("Hello")
    panel.send()
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    info = finished[0]
    sent = [r for r in sim_server.recorded_requests() if r["trace_id"] == info.trace_id]
    assert sent[0]["body"]["orq"]["thread"] == {"id": thread_id}

    dialog = open_timeline(panel, lambda parent: TraceFetcher(connection, parent), info.trace_id)
    assert dialog.heading.text() == "Loading the attempts…"
    qtbot.waitUntil(lambda: dialog.record() is not None, timeout=5000)
    record = dialog.record()
    assert [(a.model, a.status) for a in record.attempts] == [
        ("sim/status-429", 429),
        ("sim/status-429", 429),
        ("openai/gpt-4o-mini", 200),
    ]
    assert record.attempts[1].started_ms >= record.attempts[0].started_ms
    dialog.close()


def test_against_the_real_router_the_timeline_points_to_orq(qtbot: Any, aloop: Any) -> None:
    connection = Connection(ConnectionConfig(base_url="https://api.orq.ai", api_key="k"))
    parent = OptionsEditor("chat")
    qtbot.addWidget(parent)
    dialog = open_timeline(parent, lambda p: TraceFetcher(connection, p), "trace_01XYZ")
    assert dialog.problem.text() == (
        "The attempt timeline is available in demo mode; open the trace in Orq with this id: "
        "trace_01XYZ"
    )
    assert dialog.trace_label.text() == "Trace id: trace_01XYZ"
    assert dialog.record() is None
    dialog.close()

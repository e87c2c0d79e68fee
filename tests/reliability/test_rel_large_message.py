"""U2: a saved thread holding 5 MB messages opens from the history without stalling the UI.

A real history file (the store's own API) holds a thread with a 5 MB pasted prompt and a 5 MB
markdown answer. The real HistorySession opens it into the real ChatPanel while a 5 ms heartbeat
watches the UI thread: the two messages are painted within 500 ms, no gap reaches 250 ms, each
view shows a bounded part in a box of bounded height, and "Show all as plain text" shows every
character in a window of its own, filled without a stall either.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication
from rel_app import run
from rel_checks import MAX_GAP_MS

from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.warmup import warm_up
from orq_desktop.store.history import HistoryStore
from orq_desktop.ui.markdown_stream import MarkdownStream
from orq_desktop.ui.message_widgets import AssistantMessage, MessageCard, UserMessage

pytestmark = [pytest.mark.gui, pytest.mark.scenario("U2")]

FIVE_MB = 5 * 1024 * 1024
FIRST_PAINT_S = 0.5


def five_mb(lines: list[str]) -> str:
    out: list[str] = []
    size = 0
    i = 0
    while size < FIVE_MB:
        line = lines[i % len(lines)].format(i=i)
        out.append(line)
        size += len(line)
        i += 1
    return "".join(out)[:FIVE_MB]


PROMPT = five_mb(["2025-01-01 12:00:{i:05d} INFO worker-{i} handled request {i} in 12 ms\n"])
ANSWER = five_mb(
    [
        "## Section {i}\n\n",
        "Some **bold** words, `code {i}` and a [link](https://example.com/{i}).\n\n",
        "- item {i}\n- another item\n\n",
        "```python\nprint({i})\n```\n\n",
        "> a quote {i}\n\n",
    ]
)


@pytest.fixture
def saved_thread(rel_dir: Path) -> tuple[Path, str]:
    """A history file with one chat thread: a 5 MB prompt and a 5 MB answer."""
    path = rel_dir / "history.sqlite3"
    store = HistoryStore.open(path).store
    try:
        thread = store.create_thread(
            "Five megabytes", model="openai/gpt-4o", options={"model": "openai/gpt-4o"}
        )
        store.add_message(thread, "user", PROMPT)
        store.add_message(thread, "assistant", ANSWER)
    finally:
        store.close()
    return path, thread


class PaintWatch(QObject):
    """Notes when each watched widget is first painted."""

    def __init__(self) -> None:
        super().__init__()
        self.first: dict[str, float] = {}

    def watch(self, name: str, widget: QObject) -> None:
        widget.installEventFilter(self)
        widget.setProperty("paintWatchName", name)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            name = str(watched.property("paintWatchName"))
            self.first.setdefault(name, time.perf_counter())
        return False


def test_opening_a_saved_5_mb_thread_paints_at_once_and_never_stalls(
    qtbot: Any, router: Any, make_chat: Any, heartbeat: Any, saved_thread: tuple[Path, str]
) -> None:
    path, thread_id = saved_thread
    run(qtbot, warm_up())  # as the app does right after its first paint
    env = make_chat(router.url)
    history = HistorySession(env.session, routing=env.routing)
    try:
        assert run(qtbot, history.open(path))
        watch = PaintWatch()

        def watch_view(name: str, msg_id: str) -> None:
            widget = env.transcript.message_widget(msg_id)  # the panel made it just now
            assert widget is not None
            watch.watch(name, widget.view.viewport())

        env.session.user_message_added.connect(lambda msg_id, _t: watch_view("user", msg_id))
        env.session.answer_finished.connect(lambda msg_id, *_a: watch_view("answer", msg_id))
        heartbeat.start()
        started = time.perf_counter()
        opened = history.open_thread(thread_id)
        # The first paint that shows the thread (the transcript follows the bottom, so the
        # answer is what is in view; the prompt above it may not be painted at all).
        qtbot.waitUntil(lambda: bool(watch.first), timeout=10_000)
        first_paint = min(watch.first.values()) - started
        user_id, answer_id = env.transcript.message_ids()
        user = env.transcript.message_widget(user_id)
        answer = env.transcript.message_widget(answer_id)
        assert isinstance(user, UserMessage) and isinstance(answer, AssistantMessage)
        qtbot.waitUntil(
            lambda: user.stream.is_caught_up and answer.stream.is_caught_up, timeout=20_000
        )
        qtbot.waitUntil(opened.done, timeout=5_000)
        env.panel.grab()  # and the whole panel once more, as it now is
        heartbeat.stop()

        assert first_paint < FIRST_PAINT_S, f"first paint after {first_paint * 1000:.0f} ms"
        assert heartbeat.max_gap_ms < MAX_GAP_MS, f"UI stalled {heartbeat.max_gap_ms:.0f} ms"
        # Everything is kept (Copy, the next request, the history) ...
        assert env.transcript.message_text(user_id) == PROMPT
        assert env.transcript.message_text(answer_id) == ANSWER
        assert [t.text for t in env.session.turns] == [PROMPT, ANSWER]
        # ... while each view shows a bounded part, in a box of bounded height, and says so.
        for card in (user, answer):
            shown = card.view.toPlainText()
            assert len(shown) < MarkdownStream.DISPLAY_CAP + 1000
            assert "too long to show in full" in shown
            assert card.view.height() <= MessageCard.LARGE_VIEW_HEIGHT
            assert card.is_large and card.show_all_button.isVisible()
        assert user.view.toPlainText().startswith(PROMPT[:10_000])
        assert answer.view.toPlainText().startswith(ANSWER[:10_000])  # plain: the raw source
        assert not answer.plain_notice.isHidden()
    finally:
        run(qtbot, history.aclose())


def test_show_all_as_plain_text_fills_without_a_stall(
    qtbot: Any, router: Any, make_chat: Any, heartbeat: Any, saved_thread: tuple[Path, str]
) -> None:
    path, thread_id = saved_thread
    run(qtbot, warm_up())
    env = make_chat(router.url)
    history = HistorySession(env.session, routing=env.routing)
    try:
        assert run(qtbot, history.open(path))
        run(qtbot, history.open_thread(thread_id))
        answer = env.transcript.message_widget(env.transcript.message_ids()[1])
        assert isinstance(answer, AssistantMessage)
        qtbot.waitUntil(lambda: answer.stream.is_caught_up, timeout=20_000)

        heartbeat.start()
        started = time.perf_counter()
        answer.show_all_button.click()
        dialog = answer.full_text_dialog
        assert dialog is not None and dialog.isVisible()
        dialog.grab()
        first_screen = time.perf_counter() - started
        assert dialog.editor.toPlainText()  # the first part is there at once
        qtbot.waitUntil(lambda: dialog.is_filled, timeout=20_000)
        dialog.grab()
        heartbeat.stop()

        assert first_screen < FIRST_PAINT_S, f"first screen after {first_screen * 1000:.0f} ms"
        assert heartbeat.max_gap_ms < MAX_GAP_MS, f"UI stalled {heartbeat.max_gap_ms:.0f} ms"
        assert dialog.editor.toPlainText() == ANSWER  # every character, as saved
        assert "5.2 million characters" in dialog.status.text()
        dialog.copy_button.click()
        assert QGuiApplication.clipboard().text() == ANSWER
        dialog.close()
        qtbot.waitUntil(lambda: answer.full_text_dialog is None, timeout=2_000)
    finally:
        run(qtbot, history.aclose())

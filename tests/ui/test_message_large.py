"""Large messages in the transcript: a bounded box that scrolls itself, "Show all as plain text",
plain steps that adapt to what layout costs, and a 5 MB line that never stalls the UI."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent

from orq_desktop.core.chat_types import MessageState
from orq_desktop.ui.markdown_stream import MarkdownStream
from orq_desktop.ui.message_plain import FullTextDialog
from orq_desktop.ui.message_widgets import AssistantMessage, MessageCard, UserMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui

LOG = "".join(f"12:00:{i:05d} worker-{i % 7} handled request {i}\n" for i in range(20_000))


@pytest.fixture
def view(qtbot) -> TranscriptView:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(800, 600)
    transcript.show()
    return transcript


def user(view: TranscriptView, text: str, msg_id: str = "u1") -> UserMessage:
    view.add_user_message(msg_id, text)
    message = view.message_widget(msg_id)
    assert isinstance(message, UserMessage)
    return message


def wheel(widget, dy: int) -> QWheelEvent:
    event = QWheelEvent(
        QPointF(10, 10),
        QPointF(widget.mapToGlobal(QPoint(10, 10))),
        QPoint(0, 0),
        QPoint(0, dy),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    event.ignore()
    return event


def test_a_short_message_is_shown_at_once_and_grows_with_its_text(qtbot, view) -> None:
    message = user(view, "line\n" * 80)
    assert message.view.toPlainText() == "line\n" * 80  # no flush needed
    assert not message.is_large
    assert message.show_all_button.isHidden()
    assert message.view.height_cap is None
    # As tall as its text (80 lines), once laid out at its width.
    qtbot.waitUntil(lambda: message.view.height() > MessageCard.LARGE_VIEW_HEIGHT, timeout=2000)


def test_a_long_pasted_paragraph_is_shown_exactly_as_typed(qtbot, view) -> None:
    """Lines are cut for the view only in a large message: a 2.7 KB paragraph in a normal one
    is shown (and selected, and copied from the view) without a break put into it."""
    paragraph = ("lorem ipsum dolor sit amet " * 100).strip()
    message = user(view, paragraph + "\n" + paragraph)
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=2000)
    assert message.view.toPlainText() == paragraph + "\n" + paragraph


def test_a_large_user_message_is_bounded_and_offers_all_of_it(qtbot, view) -> None:
    assert len(LOG) > MarkdownStream.PLAIN_TEXT_CAP
    message = user(view, LOG)
    assert message.is_large and message.show_all_button.isVisibleTo(message)
    assert message.show_all_button.text() == "Show all as plain text"
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=20_000)
    shown = message.view.toPlainText()
    assert shown.startswith(LOG[: MarkdownStream.DISPLAY_CAP - 100])
    assert "too long to show in full" in shown
    assert message.view.height() <= MessageCard.LARGE_VIEW_HEIGHT
    assert view.message_text("u1") == LOG
    # The box opens at the top of the message, not where the first step ended.
    qtbot.waitUntil(message.view.isVisible, timeout=2000)
    assert message.view.cursorForPosition(QPoint(5, 5)).blockNumber() == 0


def test_a_bounded_view_scrolls_itself_then_hands_the_wheel_on(qtbot, view) -> None:
    message = user(view, LOG)
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=20_000)
    bar = message.view.verticalScrollBar()
    assert bar.maximum() > 0
    down = wheel(message.view, -120)
    message.view.wheelEvent(down)
    assert down.isAccepted() and bar.value() > 0  # the box scrolled
    bar.setValue(bar.maximum())
    further = wheel(message.view, -120)
    message.view.wheelEvent(further)
    assert not further.isAccepted()  # at its end: the transcript scrolls instead
    small = user(view, "short", msg_id="u2")
    passed = wheel(small.view, -120)
    small.view.wheelEvent(passed)
    assert not passed.isAccepted()  # an unbounded view never takes vertical wheel events


def test_an_answer_becomes_large_when_it_passes_the_cap(qtbot, view) -> None:
    view.begin_assistant_message("a1", "openai/gpt-4o")
    message = view.message_widget("a1")
    assert isinstance(message, AssistantMessage)
    view.append_delta("a1", "Some *markdown* first.\n\n")
    message.stream.flush()
    assert not message.is_large
    view.append_delta("a1", LOG)
    view.finish_assistant_message(
        "a1", "Some *markdown* first.\n\n" + LOG, MessageState.COMPLETE, None
    )
    assert message.is_large and not message.plain_notice.isHidden()
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=20_000)
    assert message.view.height() <= MessageCard.LARGE_VIEW_HEIGHT


def test_show_all_opens_every_character_and_copy_all_copies_it(qtbot, view) -> None:
    message = user(view, LOG)
    message.show_all_button.click()
    dialog = message.full_text_dialog
    assert isinstance(dialog, FullTextDialog) and dialog.isVisible()
    assert dialog.editor.isReadOnly()
    assert "Loading" in dialog.status.text()
    qtbot.waitUntil(lambda: dialog.is_filled, timeout=20_000)
    assert dialog.editor.toPlainText() == LOG
    assert dialog.status.text() == f"{len(LOG):,} characters"
    assert dialog.editor.cursorForPosition(QPoint(5, 5)).blockNumber() == 0  # opens at the top
    message.show_all_button.click()
    assert message.full_text_dialog is dialog  # the same window again, not a second one
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == LOG
    dialog.close()
    qtbot.waitUntil(lambda: message.full_text_dialog is None, timeout=2000)


def test_a_5_mb_line_never_stalls_the_ui(qtbot, view, heartbeat) -> None:
    blob = "QUJD" * (5 * 1024 * 1024 // 4)  # one line of base64-like text, no break at all
    heartbeat.start()
    message = user(view, blob)
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=30_000)
    message.grab()
    dialog = message.show_all()
    qtbot.waitUntil(lambda: dialog.is_filled, timeout=30_000)
    dialog.grab()
    heartbeat.stop()
    assert heartbeat.max_gap_ms < 250, f"UI stalled {heartbeat.max_gap_ms:.0f} ms"
    shown = message.view.toPlainText()
    lines = shown.split("\n")
    assert max(len(line) for line in lines) <= MarkdownStream.PLAIN_LINE_CAP
    assert "".join(lines).startswith(blob[:100_000])
    full = dialog.editor.toPlainText()
    assert full.replace("\n", "") == blob  # cut for the view only ...
    assert max(len(line) for line in full.split("\n")) <= FullTextDialog.LINE_CAP
    assert view.message_text("u1") == blob  # ... the message itself is whole


def test_plain_steps_shrink_when_layout_is_slow_and_grow_when_it_is_fast(
    monkeypatch, qtbot, view
) -> None:
    monkeypatch.setattr(MarkdownStream, "PLAIN_TARGET_MS", 1e-6)  # every flush is "too slow"
    slow = user(view, LOG, msg_id="u1")
    for _ in range(6):
        slow.stream.flush()
    before = len(slow.view.toPlainText())
    slow.stream.flush()
    step = len(slow.view.toPlainText()) - before
    assert 0 < step <= MarkdownStream.PLAIN_BUDGET / 8 + 100
    monkeypatch.setattr(MarkdownStream, "PLAIN_TARGET_MS", 1e6)  # every flush is "fast"
    fast = user(view, LOG, msg_id="u2")
    for _ in range(3):
        fast.stream.flush()
    before = len(fast.view.toPlainText())
    started = time.perf_counter()
    fast.stream.flush()
    assert time.perf_counter() - started < 5
    step = len(fast.view.toPlainText()) - before
    assert step > MarkdownStream.PLAIN_BUDGET  # more than one unscaled step's characters


def test_removing_a_message_with_its_window_open_is_safe(qtbot, view) -> None:
    message = user(view, LOG)
    dialog = message.show_all()
    destroyed: list[bool] = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    view.remove_from("u1")  # edit-and-resend, New chat: the card goes, its window with it
    qtbot.waitUntil(lambda: bool(destroyed), timeout=2000)
    assert view.message_ids() == []


def test_escape_closes_and_frees_the_window(qtbot, view) -> None:
    message = user(view, LOG)
    dialog = message.show_all()
    destroyed: list[bool] = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(destroyed), timeout=2000)
    assert message.full_text_dialog is None
    assert message.show_all() is not dialog  # a new window next time

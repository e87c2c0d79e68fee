"""The history's place in the window: the "Saved" mark, and the connections to the chat panel.

The composition root calls :func:`connect_history` once the history session exists::

    history = HistorySession(session, routing=routing)
    await history.open(paths.history_db())
    wiring = connect_history(history, window.sidebar, panel, window)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from orq_desktop.ui.history_fork import ForkFromHere

if TYPE_CHECKING:
    from orq_desktop.ui.chat_panel import ChatPanel
    from orq_desktop.ui.history_sidebar import HistorySidebar
    from orq_desktop.ui.main_window import MainWindow

SCROLL_DELAY_MS = 150  # after the restored answers' first render, so the target stays put
SESSION_ONLY = "kept for this session only"
SAVE_MARKS = {"saving": "Saving…", "saved": "✓ Saved", "failed": "⚠ Not saved", "off": "Not saved"}


class SaveIndicator(QLabel):
    """A small mark for the status bar: whether the last answer is safely in the history.

    "✓ Saved" once the final write returned; "⚠ Not saved" with the reason beside it (and in
    the tooltip) when a write failed; "Not saved" while the history is read-only or missing.
    With a session note (the data folder could not be used, a temporary one is) every mark
    says "this session only" and the note is in the tooltip.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historySaveState")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.kind = ""
        self.session_note = ""
        self._text = ""
        self.hide()

    def set_state(self, kind: str, text: str) -> None:
        self.kind, self._text = kind, text
        mark = SAVE_MARKS.get(kind, text)
        if kind == "failed":
            reason = text.removeprefix("Not saved: ")
            mark = f"{mark}: {reason}"
        full = text
        if self.session_note:
            mark = f"{mark} ({SESSION_ONLY})" if mark else f"⚠ {SESSION_ONLY}"
            full = f"{text} {self.session_note}".strip()
        self.setText(mark)
        self.setToolTip(f"<qt>{_escape(full)}</qt>")
        self.setAccessibleName(full)
        self.setVisible(bool(mark))

    def set_session_note(self, note: str) -> None:
        """Everything is kept in a temporary folder this session (``note`` says why)."""
        self.session_note = note
        self.set_state(self.kind, self._text)


@dataclass
class HistoryWiring:
    """What :func:`connect_history` made (kept alive by the caller)."""

    indicator: SaveIndicator
    fork: ForkFromHere


def connect_history(
    history: Any,
    sidebar: HistorySidebar,
    panel: ChatPanel,
    window: MainWindow,
) -> HistoryWiring:
    """Connect the history session (``core.history_session.HistorySession``, duck-typed: the
    ui layer does not import it) to the sidebar, the chat panel and the status bar."""
    sidebar.bind(history)
    sidebar.status_message.connect(window.show_status)
    history.status.connect(window.show_status)
    history.problem.connect(window.show_status)
    history.notice.connect(lambda text: window.show_status(text, 0))
    history.thread_opened.connect(lambda opened: _on_opened(panel, window, opened))
    indicator = SaveIndicator()
    window.statusBar().addPermanentWidget(indicator)
    history.save_state.connect(indicator.set_state)
    if history.save_kind == "off" and history.save_text:
        indicator.set_state(history.save_kind, history.save_text)
    said = list(getattr(history, "notices", ()))  # while it opened, before this wiring
    if said:
        window.show_status(" ".join(said), 0)
    note = getattr(history, "data_dir_problem", None)
    if note:
        indicator.set_session_note(note)
    fork = ForkFromHere(panel.transcript, history)
    return HistoryWiring(indicator, fork)


def show_opened(panel: Any, opened: Any) -> list[str]:
    """Put an opened thread's model, parameters and system prompt into the panel.

    Returns the notes on values the form could not take. The transcript is already filled (the
    chat session replayed the turns); a search hit's message is scrolled into view.
    """
    notes: list[str] = list(panel.set_options(opened.options))
    panel.set_system_prompt(opened.system_prompt)
    if opened.focus:
        transcript = panel.transcript  # the timer dies with it
        QTimer.singleShot(SCROLL_DELAY_MS, transcript, lambda: _scroll_to(transcript, opened.focus))
    return notes + list(opened.notes)


def _on_opened(panel: Any, window: Any, opened: Any) -> None:
    notes = show_opened(panel, opened)
    if notes:
        # After the session's "Opened …" line, which follows this signal in the same step and
        # would otherwise replace the notes at once.
        text = " ".join(notes)
        QTimer.singleShot(0, window, lambda: window.show_status(text, 0))


def _scroll_to(transcript: Any, msg_id: str) -> None:
    widget = transcript.message_widget(msg_id)
    if widget is not None:
        transcript.ensureWidgetVisible(widget)


def _escape(text: str) -> str:
    import html

    return html.escape(text)

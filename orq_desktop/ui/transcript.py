"""The chat transcript: a column of message widgets, one ``QTextDocument`` per message.

One document per message keeps the cost of a streamed delta independent of the conversation's
length (with the whole transcript in one document, each list insert cost ~25 ms at 50 KB of history;
DESIGN.md, "The async boundary"). The view is write-only: the chat session holds the messages, and
the panel calls the methods below with plain data. Deltas are coalesced per message by
:class:`~orq_desktop.ui.markdown_stream.MarkdownStream`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QUrl, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState
from orq_desktop.ui.error_card import ErrorCard
from orq_desktop.ui.message_widgets import AssistantMessage, MessageCard, UserMessage


class TranscriptView(QScrollArea):
    """Shows a conversation and follows the bottom while the user is there.

    Only the last answer (assistant message or error card) offers Regenerate and "Try again":
    older ones are disabled when a new answer begins, and the new last one is enabled again when
    ``remove_from`` drops the answers after it.

    Unknown message ids are ignored by ``append_delta`` and ``finish_assistant_message``: a late
    delta for a message that ``remove_from`` or ``clear`` dropped is stale, not an error.

    Signals:
        edit_requested(str msg_id): the user wants to edit and resend a message of theirs.
        regenerate_requested(str msg_id): the user wants a new answer in place of this one.
        error_action(str msg_id, str action_id): a fix button on an error card was clicked.
        copy_trace_id(str trace_id): a trace id was copied to the clipboard.
        timeline_requested(str trace_id): show the attempts the router made for that answer.
        link_clicked(QUrl): the user confirmed an https link from an answer and it was opened.
    """

    edit_requested = Signal(str)
    regenerate_requested = Signal(str)
    error_action = Signal(str, str)
    copy_trace_id = Signal(str)
    timeline_requested = Signal(str)
    link_clicked = Signal(QUrl)

    FOLLOW_SLACK_PX = 8  # "at the bottom" tolerates a few pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatTranscript")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._column = QWidget(self)
        self._column.setObjectName("chatTranscriptColumn")
        self._layout = QVBoxLayout(self._column)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)
        self.setWidget(self._column)
        self._order: list[str] = []
        self._widgets: dict[str, list[QWidget]] = {}
        self._last_answer: str | None = None
        self._follow = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scroll_range_changed)
        bar.valueChanged.connect(self._on_scroll_value_changed)

    # -- the panel's API ------------------------------------------------------------------------

    def add_user_message(self, msg_id: str, text: str) -> None:
        message = UserMessage(msg_id, text)
        message.edit_requested.connect(self.edit_requested)
        self._follow = True  # the user just sent something: show it
        self._add(msg_id, message)

    def begin_assistant_message(self, msg_id: str, model: str) -> None:
        message = AssistantMessage(msg_id, model)
        message.regenerate_requested.connect(self.regenerate_requested)
        message.link_clicked.connect(self.link_clicked)
        message.trace_id_copied.connect(self.copy_trace_id)
        message.timeline_requested.connect(self.timeline_requested)
        message.rendered.connect(self._on_message_rendered)
        self._add(msg_id, message)

    def append_delta(self, msg_id: str, text: str) -> None:
        """Buffer a piece of an answer; it is rendered at the next coalesced flush."""
        message = self._assistant(msg_id)
        if message is not None:
            message.append_delta(text)

    def finish_assistant_message(
        self, msg_id: str, text: str, state: MessageState, info: AnswerInfo | None
    ) -> None:
        """Final render (once), the end state's marker and the footer."""
        message = self._assistant(msg_id)
        if message is not None:
            message.finish(text, state, info)

    def add_error_card(self, msg_id: str, error: ErrorInfo) -> None:
        """Show an error card; it replaces an assistant message of that id that has no text."""
        card = ErrorCard(msg_id, error)
        card.action_triggered.connect(self.error_action)
        card.trace_id_copied.connect(self.copy_trace_id)
        card.timeline_requested.connect(self.timeline_requested)
        widgets = self._widgets.get(msg_id)
        if not widgets:
            self._add(msg_id, card)
            card.set_last(msg_id == self._last_answer)
            return
        index = self._layout.indexOf(widgets[-1]) + 1
        empty = self._assistant(msg_id)
        if empty is not None and not empty.text():
            index = self._layout.indexOf(empty)
            widgets.remove(empty)
            self._drop(empty)
        widgets.append(card)
        self._layout.insertWidget(index, card)
        self._sync_last_answer()
        card.set_last(msg_id == self._last_answer)

    def remove_from(self, msg_id: str) -> None:
        """Drop this message and everything after it (edit-and-resend, regenerate)."""
        if msg_id not in self._widgets:
            return
        index = self._order.index(msg_id)
        for dropped in self._order[index:]:
            for widget in self._widgets.pop(dropped):
                self._drop(widget)
        del self._order[index:]
        self._sync_last_answer()

    def clear(self) -> None:
        if self._order:
            self.remove_from(self._order[0])
        self._follow = True

    def message_text(self, msg_id: str) -> str:
        """The raw text of a message (markdown source for answers); an error card's message."""
        widgets = self._widgets.get(msg_id)
        if not widgets:
            raise KeyError(msg_id)
        for widget in widgets:
            if isinstance(widget, MessageCard):
                return widget.text()
        card = widgets[0]
        assert isinstance(card, ErrorCard)
        return card.error.message

    # -- for the panel and tests ----------------------------------------------------------------

    def message_ids(self) -> list[str]:
        return list(self._order)

    def message_widget(self, msg_id: str) -> MessageCard | None:
        for widget in self._widgets.get(msg_id, ()):
            if isinstance(widget, MessageCard):
                return widget
        return None

    def error_card(self, msg_id: str) -> ErrorCard | None:
        for widget in self._widgets.get(msg_id, ()):
            if isinstance(widget, ErrorCard):
                return widget
        return None

    def last_answer_id(self) -> str | None:
        """The last answer's id: the only one whose Regenerate and "Try again" are enabled."""
        return self._last_answer

    def is_following(self) -> bool:
        return self._follow

    def scroll_to_bottom(self) -> None:
        self._follow = True
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    # -- internals ------------------------------------------------------------------------------

    def _assistant(self, msg_id: str) -> AssistantMessage | None:
        for widget in self._widgets.get(msg_id, ()):
            if isinstance(widget, AssistantMessage):
                return widget
        return None

    def _add(self, msg_id: str, widget: QWidget) -> None:
        if msg_id in self._widgets:
            raise ValueError(f"message id already in the transcript: {msg_id!r}")
        self._order.append(msg_id)
        self._widgets[msg_id] = [widget]
        self._layout.insertWidget(self._layout.count() - 1, widget)
        self._sync_last_answer()

    def _sync_last_answer(self) -> None:
        """Disable the answer actions of the previous last answer, enable the new last one's."""
        last = next((m for m in reversed(self._order) if self._answer_widgets(m)), None)
        if last == self._last_answer:
            return
        if self._last_answer is not None:
            for widget in self._answer_widgets(self._last_answer):
                widget.set_last(False)
        for widget in self._answer_widgets(last) if last is not None else ():
            widget.set_last(True)
        self._last_answer = last

    def _answer_widgets(self, msg_id: str) -> list[AssistantMessage | ErrorCard]:
        return [
            w for w in self._widgets.get(msg_id, ()) if isinstance(w, AssistantMessage | ErrorCard)
        ]

    def _drop(self, widget: QWidget) -> None:
        if isinstance(widget, AssistantMessage):
            widget.stream.discard()
        self._layout.removeWidget(widget)
        widget.hide()
        widget.deleteLater()

    def _on_message_rendered(self) -> None:
        # Lay the column out and follow the bottom now, before the next paint: otherwise each
        # render is painted twice, once where the view was and once after it scrolled.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the column's layout
        QCoreApplication.sendEvent(self, QEvent(QEvent.Type.LayoutRequest))  # the scroll range

    def _on_scroll_value_changed(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum() - self.FOLLOW_SLACK_PX

    def _on_scroll_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

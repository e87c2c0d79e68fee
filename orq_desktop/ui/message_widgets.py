"""The widgets for one user message and one assistant answer in the transcript.

A message longer than ``MarkdownStream.PLAIN_TEXT_CAP`` characters is "large": its view stops
growing at ``LARGE_VIEW_HEIGHT`` pixels and scrolls inside (it still shows at most the first
``MarkdownStream.DISPLAY_CAP`` characters), and "Show all as plain text" opens every character in
a window of its own (:class:`~orq_desktop.ui.message_plain.FullTextDialog`). Painting, laying out
and grabbing the card then costs the same for 5 MB as for 50 KB (RELIABILITY.md §6, U2).
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from orq_desktop.core.chat_types import AnswerInfo, MessageState
from orq_desktop.ui.answer_footer import AnswerFooter
from orq_desktop.ui.markdown_stream import MarkdownStream
from orq_desktop.ui.message_plain import FullTextDialog
from orq_desktop.ui.message_view import MessageView, plain_label

STATE_MARKERS = {
    MessageState.STOPPED: "■ Stopped: you stopped this answer; the text above is partial.",
    MessageState.INTERRUPTED: "⚠ Interrupted: the answer broke off; the text above is partial.",
    MessageState.ERROR: "⚠ No answer: see the error below.",
}


def _tool_button(text: str, object_name: str, tip: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setObjectName(object_name)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setAutoRaise(True)
    return button


class MessageCard(QFrame):
    """A message's frame: a header line (who, plus small action buttons) above its text view."""

    LARGE_VIEW_HEIGHT = 600  # pixels: a large message's view scrolls inside beyond this

    def __init__(self, msg_id: str, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.msg_id = msg_id
        self.full_text_dialog: FullTextDialog | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.view = MessageView(self)
        self.who_label = plain_label(who, "messageRole", self)
        bold = QFont(self.who_label.font())
        bold.setBold(True)
        self.who_label.setFont(bold)
        self.header = QHBoxLayout()
        self.header.setContentsMargins(0, 0, 0, 0)
        self.header.addWidget(self.who_label)
        self.header.addStretch(1)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(10, 6, 10, 6)
        self.body.setSpacing(4)
        self.body.addLayout(self.header)
        self.body.addWidget(self.view)
        self.show_all_button = _tool_button(
            "Show all as plain text",
            "showAllButton",
            "Show all of this message as plain text, in a window of its own",
            self,
        )
        self.show_all_button.hide()
        self.show_all_button.clicked.connect(self.show_all)

    def text(self) -> str:
        raise NotImplementedError

    @property
    def is_large(self) -> bool:
        return not self.show_all_button.isHidden()

    def copy_text(self) -> None:
        """Copy the message's raw text (markdown source, not the rendering)."""
        QGuiApplication.clipboard().setText(self.text())

    def show_all(self) -> FullTextDialog:
        """Open (or raise) the window with every character of the message."""
        if self.full_text_dialog is None:
            title = f"The whole message ({self.who_label.text()})"
            dialog = FullTextDialog(self.text(), title, self)
            # Closing deletes it (WA_DeleteOnClose). Not ``destroyed``: that also fires while
            # this card itself is being deleted, with the dialog as its child.
            dialog.finished.connect(self._forget_dialog)
            self.full_text_dialog = dialog
        self.full_text_dialog.show()
        self.full_text_dialog.raise_()
        return self.full_text_dialog

    def _forget_dialog(self) -> None:
        self.full_text_dialog = None

    def _mark_large(self) -> None:
        """Bound the view's height and offer the whole text in a window of its own."""
        if self.is_large:
            return
        self.header.insertWidget(self.header.indexOf(self.who_label) + 2, self.show_all_button)
        self.show_all_button.show()
        self.view.set_height_cap(self.LARGE_VIEW_HEIGHT)


class UserMessage(MessageCard):
    """The user's text, shown literally, with Edit and Copy.

    Signals:
        edit_requested(str msg_id)
    """

    edit_requested = Signal(str)

    def __init__(self, msg_id: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(msg_id, "You", parent)
        self.setObjectName("userMessage")
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self._text = text
        self.edit_button = _tool_button("Edit", "editButton", "Edit and send again", self)
        self.copy_button = _tool_button("Copy", "copyButton", "Copy this message", self)
        self.header.addWidget(self.edit_button)
        self.header.addWidget(self.copy_button)
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.msg_id))
        self.copy_button.clicked.connect(self.copy_text)
        # Plain text in budgeted steps (a pasted 5 MB prompt must not stall the UI either).
        self.stream = MarkdownStream(self.view.document(), self, plain=True)
        self.stream.rendered.connect(self.view.sync_height)
        if len(text) > MarkdownStream.PLAIN_TEXT_CAP:
            self._mark_large()
        self.stream.finish(text)

    def text(self) -> str:
        return self._text


class AssistantMessage(MessageCard):
    """A streamed answer: markdown rendered as it arrives, then its state and footer.

    Signals:
        regenerate_requested(str msg_id)
        link_clicked(QUrl): an https link the user confirmed and that was opened.
        trace_id_copied(str)
        rendered(): the text view changed (the transcript may follow the bottom).
    """

    regenerate_requested = Signal(str)
    link_clicked = Signal(QUrl)
    trace_id_copied = Signal(str)
    timeline_requested = Signal(str)
    rendered = Signal()

    def __init__(self, msg_id: str, model: str, parent: QWidget | None = None) -> None:
        super().__init__(msg_id, model, parent)
        self.setObjectName("assistantMessage")
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.who_label.setObjectName("modelLabel")
        self.state = MessageState.STREAMING
        self._is_last = True  # only the conversation's last answer may be regenerated
        self.stream = MarkdownStream(self.view.document(), self)
        self.copy_button = _tool_button("Copy", "copyButton", "Copy the answer's text", self)
        self.regenerate_button = _tool_button(
            "Regenerate", "regenerateButton", "Ask again for a new answer", self
        )
        self.regenerate_button.setEnabled(False)
        self.header.addWidget(self.copy_button)
        self.header.addWidget(self.regenerate_button)
        self.plain_notice = plain_label(
            "This answer is very long: the rest is shown as plain text.", "plainTextNotice", self
        )
        self.plain_notice.hide()
        self.state_marker = plain_label("", "stateMarker", self)
        self.state_marker.setWordWrap(True)
        self.state_marker.hide()
        self.footer = AnswerFooter(self)
        self.footer.hide()
        self.body.addWidget(self.plain_notice)
        self.body.addWidget(self.state_marker)
        self.body.addWidget(self.footer)

        self.copy_button.clicked.connect(self.copy_text)
        self.regenerate_button.clicked.connect(lambda: self.regenerate_requested.emit(self.msg_id))
        self.view.link_opened.connect(self.link_clicked)
        self.footer.trace_id_copied.connect(self.trace_id_copied)
        self.footer.timeline_requested.connect(self.timeline_requested)
        self.stream.plain_text_started.connect(self.plain_notice.show)
        self.stream.plain_text_started.connect(self._mark_large)
        self.stream.rendered.connect(self.view.sync_height)
        self.stream.rendered.connect(self.rendered)

    def text(self) -> str:
        return self.stream.text

    def append_delta(self, text: str) -> None:
        self.stream.append(text)

    def finish(self, text: str, state: MessageState, info: AnswerInfo | None) -> None:
        self.stream.finish(text)
        self.state = state
        marker = STATE_MARKERS.get(state, "")
        self.state_marker.setText(marker)
        self.state_marker.setVisible(bool(marker))
        if info is not None:
            self.footer.set_info(info)
            self.footer.show()
        self._sync_regenerate()
        self.rendered.emit()

    def set_last(self, last: bool) -> None:
        """Whether this is the conversation's last answer: only that one offers Regenerate."""
        self._is_last = last
        self._sync_regenerate()

    def _sync_regenerate(self) -> None:
        button = self.regenerate_button
        button.setEnabled(self._is_last and self.state is not MessageState.STREAMING)
        button.setToolTip(
            "Ask again for a new answer"
            if self._is_last
            else "Only the last answer can be regenerated (edit a message to go back further)"
        )

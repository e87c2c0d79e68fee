"""The chat panel: model and parameters, system prompt, transcript and composer.

It talks to a ChatSession only through the session's methods and signals, and to the transcript
only through the transcript's methods and signals; it owns no request and awaits nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QHideEvent,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from orq_desktop.core.chat_types import MessageState
from orq_desktop.ui.layout import line_height, spacing
from orq_desktop.ui.params_panel import ParamsPanel
from orq_desktop.ui.settings_secret_warning import PROMPT_NOTICE, attach_secret_warning
from orq_desktop.ui.widgets_collapsible import CollapsibleSection
from orq_desktop.ui.widgets_composer import Composer


class SessionLike(Protocol):
    """What the panel needs of a ChatSession (``orq_desktop.core.chat_session``)."""

    user_message_added: Any
    answer_started: Any
    delta: Any
    answer_finished: Any
    answer_failed: Any
    busy_changed: Any
    conversation_cleared: Any

    @property
    def busy(self) -> bool: ...
    def send(self, prompt: str, system_prompt: str, options: dict[str, Any]) -> object: ...
    def stop(self) -> None: ...
    def regenerate(self, system_prompt: str, options: dict[str, Any]) -> object: ...
    def edit_and_resend(
        self, msg_id: str, new_text: str, system_prompt: str, options: dict[str, Any]
    ) -> object: ...
    def new_chat(self) -> None: ...


TranscriptFactory = Callable[[], QWidget]


class ChatPanel(QWidget):
    """One conversation's form.

    Signals:
        error_action(msg_id, action_id): an error card's fix the app handles ("reenter_key",
            "add_fallback", …); "retry" is handled here. An older card's fix resends nothing.
        status_message(text): a short line for the window's status bar.
    """

    error_action = Signal(str, str)
    status_message = Signal(str)
    PARAMS_SHARE = 0.4  # open parameters take at most this part of the panel's height

    def __init__(
        self,
        session: SessionLike,
        transcript: QWidget | TranscriptFactory,
        *,
        orq: Callable[[], dict[str, Any]] | None = None,
        orq_validity: Callable[[], str | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._orq = orq
        self._orq_validity = orq_validity
        self.transcript = transcript if isinstance(transcript, QWidget) else transcript()
        self._pending_draft: str | None = None  # sent, not yet accepted by the session
        self._editing_id: str | None = None
        self._saved_draft = ""  # the draft put aside while editing an earlier message
        self._last_answer_id: str | None = None
        self._error_source: str | None = None  # the card whose fix the app is carrying out
        # Sessions without ``messages_removed_from`` leave trimming the transcript to the panel.
        self._session_trims = hasattr(session, "messages_removed_from")
        self._trim_on_user: str | None = None
        self._trim_on_answer: str | None = None
        self._focused_once = False

        gap = spacing(self)
        self.params = ParamsPanel(self)
        self.system_prompt_edit = QPlainTextEdit(self)
        self.system_prompt_edit.setObjectName("systemPrompt")
        self.system_prompt_edit.setAccessibleName("System prompt")
        self.system_prompt_edit.setPlaceholderText(
            "Instructions the model follows for the whole conversation (optional)"
        )
        self.system_prompt_edit.setTabChangesFocus(True)
        self.system_prompt_edit.setFixedHeight(line_height(self, 4) + 2 * gap)
        self.system_section = CollapsibleSection("System prompt", self.system_prompt_edit)
        self.composer = Composer(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("chatSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.transcript)
        self.splitter.addWidget(self.composer)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([line_height(self, 30), self.composer.minimumSizeHint().height()])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        layout.addWidget(self.params)
        layout.addWidget(self.system_section)
        layout.addWidget(self.splitter, 1)

        self.send_action = self._action(
            "&Send", [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")], self.send
        )
        self.stop_action = self._action("S&top", [QKeySequence(Qt.Key.Key_Escape)], self.stop)
        self.regenerate_action = self._action(
            "&Regenerate last answer", [QKeySequence("Ctrl+R")], self.regenerate
        )
        self._connect_signals()
        # A key pasted into a prompt would be sent to the model and kept in the history.
        attach_secret_warning(self.prompt_input, self.composer.secret_notice, PROMPT_NOTICE)
        attach_secret_warning(self.system_prompt_edit, self.composer.secret_notice, PROMPT_NOTICE)
        self._on_system_prompt_changed()
        self.refresh()

    # -- the form -----------------------------------------------------------------------------

    @property
    def prompt_input(self) -> QPlainTextEdit:
        return self.composer.prompt

    def options(self) -> dict[str, Any]:
        """The SDK keyword arguments for the next request (without ``messages``)."""
        options = self.params.options()
        if self._orq is not None and (orq := self._orq()):
            options["orq"] = orq
        return options

    def set_options(self, options: dict[str, Any]) -> list[str]:
        return self.params.set_options(options)

    def system_prompt(self) -> str:
        return self.system_prompt_edit.toPlainText()

    def set_system_prompt(self, text: str) -> None:
        self.system_prompt_edit.setPlainText(text)
        self.system_section.set_expanded(bool(text.strip()))

    def send_blocker(self) -> str | None:
        """Why Send is disabled right now (shown as its tooltip), or None."""
        if self._session.busy:
            return "An answer is still arriving: wait for it, or press Stop (Esc)."
        if reason := self._form_blocker():
            return reason
        if not self.prompt_input.toPlainText().strip():
            return "Type a message to send."
        return None

    def _form_blocker(self) -> str | None:
        """The parameters' or the routing options' first reason not to send, or None."""
        if reason := self.params.validity():
            return reason
        return self._orq_validity() if self._orq_validity is not None else None

    def focus_prompt(self) -> None:
        self.prompt_input.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- actions --------------------------------------------------------------------------------

    def send(self) -> None:
        """Send the prompt (or the edited earlier message); the draft stays until accepted."""
        if reason := self.send_blocker():
            self.composer.notice.set_text(reason)
            return
        self.composer.notice.set_text(None)
        text = self.prompt_input.toPlainText()
        self._pending_draft = text
        if self._editing_id is not None:
            self._trim_on_user = None if self._session_trims else self._editing_id
            self._session.edit_and_resend(
                self._editing_id, text, self.system_prompt(), self.options()
            )
        else:
            self._session.send(text, self.system_prompt(), self.options())

    def stop(self) -> None:
        if self._session.busy:
            self._session.stop()
            self.status_message.emit("Stopped: the partial answer is kept.")

    def is_last_answer(self, msg_id: str) -> bool:
        """Whether ``msg_id`` is the conversation's last answer (the only one to regenerate)."""
        return msg_id == self._last_answer_id

    def regenerate_answer(self, msg_id: str) -> None:
        """Answer again in place of ``msg_id``; refused unless it is the last answer."""
        if not self.is_last_answer(msg_id):
            self.status_message.emit("Only the last answer can be answered again.")
            return
        self.regenerate()

    def regenerate(self) -> None:
        """Answer the last message again (also the error card's "Try again")."""
        if self._session.busy or self._last_answer_id is None:
            return
        if self._error_source is not None and not self.is_last_answer(self._error_source):
            # A routing fix from an older error card: the options changed, nothing is resent.
            self.status_message.emit("Options changed; send again to use them.")
            return
        if reason := self._form_blocker():
            self.composer.notice.set_text(reason)
            return
        self.composer.notice.set_text(None)
        self._trim_on_answer = None if self._session_trims else self._last_answer_id
        self._session.regenerate(self.system_prompt(), self.options())

    def new_chat(self) -> None:
        self._session.new_chat()
        self.focus_prompt()

    def edit_message(self, msg_id: str, text: str) -> None:
        """Load an earlier user message into the prompt box; the next send replaces it."""
        if self._editing_id is None:
            self._saved_draft = self.prompt_input.toPlainText()
        self._editing_id = msg_id
        self.prompt_input.setPlainText(text)
        self.prompt_input.moveCursor(QTextCursor.MoveOperation.End)
        self.composer.set_editing(True)
        self.focus_prompt()

    def cancel_edit(self) -> None:
        if self._editing_id is None:
            return
        self._editing_id = None
        self.prompt_input.setPlainText(self._saved_draft)
        self._saved_draft = ""
        self.composer.set_editing(False)

    def refresh(self) -> None:
        """Bring Send, Stop and the shortcuts in line with the session and the form."""
        busy = self._session.busy
        blocker = self.send_blocker()
        send, focused = self.composer.send_button, self.window().focusWidget()
        send.setEnabled(blocker is None)
        send.setToolTip(blocker or "Send the message (Ctrl+Enter)")
        self.composer.stop_button.setEnabled(busy)
        if focused in (send, self.composer.stop_button) and not focused.isEnabled():
            # Pressed from the keyboard and now disabled: Qt moved the focus on (to the
            # transcript, or out of the panel); the prompt is where the user goes next.
            self.focus_prompt()
        # The shortcuts live in the window's menu too: hidden (another tab), the panel ignores them.
        shown = self.isVisible()
        self.send_action.setEnabled(shown and blocker is None)
        self.stop_action.setEnabled(shown and busy)
        self.regenerate_action.setEnabled(shown and not busy and self._last_answer_id is not None)
        if blocker is None or busy:
            self.composer.notice.set_text(None)

    # -- state that outlives the window ------------------------------------------------------

    def save_state(self, settings: QSettings, prefix: str = "chat") -> None:
        settings.setValue(f"{prefix}/splitter", self.splitter.saveState())
        settings.setValue(f"{prefix}/params_open", self.params.section.is_expanded())

    def restore_state(self, settings: QSettings, prefix: str = "chat") -> None:
        state = settings.value(f"{prefix}/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        self.params.section.set_expanded(
            str(settings.value(f"{prefix}/params_open", "false")).lower() == "true"
        )

    # -- Qt overrides ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused_once:
            self._focused_once = True
            self.focus_prompt()
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.params.set_max_height(int(event.size().height() * self.PARAMS_SHARE))

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self.refresh()

    # -- wiring ---------------------------------------------------------------------------------

    def _action(self, text: str, keys: list[QKeySequence], slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(keys)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _connect_signals(self) -> None:
        s, t = self._session, self.transcript
        s.user_message_added.connect(self._on_session_user_message_added)
        s.answer_started.connect(self._on_session_answer_started)
        s.delta.connect(t.append_delta)
        s.answer_finished.connect(self._on_session_answer_finished)
        s.answer_failed.connect(self._on_session_answer_failed)
        s.busy_changed.connect(self._on_session_busy_changed)
        s.conversation_cleared.connect(self._on_session_conversation_cleared)
        if hasattr(s, "send_refused"):
            s.send_refused.connect(self._on_session_send_refused)
        if self._session_trims:
            s.messages_removed_from.connect(t.remove_from)
        t.edit_requested.connect(self._on_transcript_edit_requested)
        t.regenerate_requested.connect(self.regenerate_answer)
        t.error_action.connect(self._on_transcript_error_action)
        self.params.changed.connect(self.refresh)
        self.prompt_input.textChanged.connect(self.refresh)
        self.system_prompt_edit.textChanged.connect(self._on_system_prompt_changed)
        self.composer.send_button.clicked.connect(self.send)
        self.composer.stop_button.clicked.connect(self.stop)
        self.composer.cancel_edit_clicked.connect(self.cancel_edit)

    def _on_session_user_message_added(self, msg_id: str, text: str) -> None:
        if self._trim_on_user is not None:
            self.transcript.remove_from(self._trim_on_user)
            self._trim_on_user = None
        self.transcript.add_user_message(msg_id, text)
        if self._pending_draft is not None:
            # Accepted: only now is the draft gone (a refusal leaves it in the box).
            if self.prompt_input.toPlainText() == self._pending_draft:
                self.prompt_input.clear()
            self._pending_draft = None
            if self._editing_id is not None:
                self._editing_id = None
                self._saved_draft = ""
                self.composer.set_editing(False)

    def _on_session_answer_started(self, msg_id: str, model: str) -> None:
        if self._trim_on_answer is not None:
            self.transcript.remove_from(self._trim_on_answer)
            self._trim_on_answer = None
        self._last_answer_id = msg_id
        self.transcript.begin_assistant_message(msg_id, model)

    def _on_session_answer_finished(self, msg_id: str, text: str, state: str, info: object) -> None:
        self.transcript.finish_assistant_message(msg_id, text, MessageState(state), info)
        if state == MessageState.INTERRUPTED:
            self.status_message.emit("The answer was interrupted; the text so far is kept.")

    def _on_session_answer_failed(self, msg_id: str, error: object) -> None:
        self._last_answer_id = msg_id
        self.transcript.add_error_card(msg_id, error)
        title = getattr(error, "title", "")
        self.status_message.emit(f"No answer: {title}" if title else "No answer")

    def _on_session_busy_changed(self, busy: bool) -> None:
        self.composer.set_busy(busy)
        if not busy:  # whatever was to be trimmed has been, or never will be
            self._trim_on_user = self._trim_on_answer = None
        self.refresh()

    def _on_session_conversation_cleared(self) -> None:
        self.transcript.clear()
        self._last_answer_id = None
        self.cancel_edit()
        self.refresh()

    def _on_session_send_refused(self, reason: str) -> None:
        self._pending_draft = None
        self._trim_on_user = self._trim_on_answer = None
        self.composer.notice.set_text(reason)
        self.status_message.emit(f"Not sent: {reason.splitlines()[0] if reason else ''}")

    def _on_transcript_edit_requested(self, msg_id: str) -> None:
        text_of: Callable[[str], str] | None = getattr(self.transcript, "message_text", None)
        if text_of is not None:
            self.edit_message(msg_id, text_of(msg_id))

    def _on_transcript_error_action(self, msg_id: str, action_id: str) -> None:
        if action_id == "retry":
            self.regenerate_answer(msg_id)
            return
        self._error_source = msg_id  # the handler runs now (a direct connection), maybe resends
        try:
            self.error_action.emit(msg_id, action_id)
        finally:
            self._error_source = None

    def _on_system_prompt_changed(self) -> None:
        text = self.system_prompt().strip()
        self.system_section.set_summary(text if text else "none")


__all__ = ["ChatPanel", "SessionLike", "TranscriptFactory"]

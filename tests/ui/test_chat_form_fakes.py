"""Fakes for the chat form tests: a session and a transcript with the real signal names.

Both record what the panel asked of them. The session answers synchronously, like
``ChatSession`` does for acceptance and refusal (the answer itself is driven by the test).
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class MinimalFakeSession(QObject):
    """Only the signals the panel's brief lists (no ``send_refused``/``messages_removed_from``)."""

    user_message_added = Signal(str, str)
    answer_started = Signal(str, str)
    delta = Signal(str, str)
    answer_finished = Signal(str, str, str, object)
    answer_failed = Signal(str, object)
    busy_changed = Signal(bool)
    conversation_cleared = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.refuse: str | None = None  # a reason: the next requests are refused
        self._busy = False
        self._ids = itertools.count(1)
        self.current: str | None = None

    @property
    def busy(self) -> bool:
        return self._busy

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _refused(self, reason: str) -> None:
        """A minimal session says nothing when it refuses."""

    def _accept_user(self, text: str) -> None:
        self.user_message_added.emit(f"m{next(self._ids)}", text)

    def _start_answer(self, model: str) -> None:
        self.current = f"m{next(self._ids)}"
        self.answer_started.emit(self.current, model)
        self._busy = True
        self.busy_changed.emit(True)

    def send(self, prompt: str, system_prompt: str, options: dict[str, Any]) -> bool:
        self.calls.append(("send", (prompt, system_prompt, options)))
        if self.refuse or self._busy:
            self._refused(self.refuse or "busy")
            return False
        self._accept_user(prompt)
        self._start_answer(options["model"])
        return True

    def regenerate(self, system_prompt: str, options: dict[str, Any]) -> bool:
        self.calls.append(("regenerate", (system_prompt, options)))
        if self.refuse or self._busy:
            self._refused(self.refuse or "busy")
            return False
        self._start_answer(options["model"])
        return True

    def edit_and_resend(
        self, msg_id: str, new_text: str, system_prompt: str, options: dict[str, Any]
    ) -> bool:
        self.calls.append(("edit_and_resend", (msg_id, new_text, system_prompt, options)))
        if self.refuse or self._busy:
            self._refused(self.refuse or "busy")
            return False
        self._accept_user(new_text)
        self._start_answer(options["model"])
        return True

    def stop(self) -> None:
        self.calls.append(("stop", ()))
        if self._busy:
            self.finish("partial", state="stopped")

    def new_chat(self) -> None:
        self.calls.append(("new_chat", ()))
        self.conversation_cleared.emit()

    def finish(self, text: str = "answer", state: str = "complete", info: object = None) -> None:
        assert self.current is not None
        self.answer_finished.emit(self.current, text, state, info)
        self._busy = False
        self.busy_changed.emit(False)

    def fail(self, error: object) -> None:
        assert self.current is not None
        self.answer_failed.emit(self.current, error)
        self._busy = False
        self.busy_changed.emit(False)


class FakeSession(MinimalFakeSession):
    """The full interface of ``ChatSession``: it says why it refused and what it removed."""

    send_refused = Signal(str)
    messages_removed_from = Signal(str)

    def _refused(self, reason: str) -> None:
        self.send_refused.emit(reason)


class FakeTranscript(QWidget):
    """Keeps the messages in order, as the real transcript shows them."""

    edit_requested = Signal(str)
    regenerate_requested = Signal(str)
    error_action = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("chatTranscript")
        self.messages: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        QVBoxLayout(self).addWidget(QLabel("transcript", self))

    def roles(self) -> list[tuple[str, str]]:
        return [(m["role"], m["text"]) for m in self.messages.values()]

    def message_text(self, msg_id: str) -> str:
        return str(self.messages[msg_id]["text"])

    def add_user_message(self, msg_id: str, text: str) -> None:
        self.calls.append("add_user_message")
        self.messages[msg_id] = {"role": "user", "text": text}

    def begin_assistant_message(self, msg_id: str, model: str) -> None:
        self.calls.append("begin_assistant_message")
        self.messages[msg_id] = {"role": "assistant", "text": "", "model": model}

    def append_delta(self, msg_id: str, text: str) -> None:
        self.messages[msg_id]["text"] += text

    def finish_assistant_message(self, msg_id: str, text: str, state: Any, info: Any) -> None:
        self.calls.append("finish_assistant_message")
        self.messages[msg_id].update(text=text, state=state, info=info)

    def add_error_card(self, msg_id: str, error: Any) -> None:
        self.calls.append("add_error_card")
        self.messages[msg_id] = {"role": "error", "text": getattr(error, "title", "")}

    def remove_from(self, msg_id: str) -> None:
        self.calls.append(f"remove_from:{msg_id}")
        keys = list(self.messages)
        if msg_id in keys:
            for key in keys[keys.index(msg_id) :]:
                del self.messages[key]

    def clear(self) -> None:
        self.calls.append("clear")
        self.messages.clear()

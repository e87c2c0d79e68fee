"""The error cards' one-click fixes: edit the routing options, then answer again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QWidget

from orq_desktop.core.routing_state import RoutingState
from orq_desktop.domain.catalogue import chat_model_ids


def ask_fallback_model(parent: QWidget, exclude: set[str]) -> str | None:
    """Pick (or type) a model to fall back to; a separate function so tests can replace it."""
    choices = [m for m in chat_model_ids() if m not in exclude and not m.startswith("sim/")]
    model, ok = QInputDialog.getItem(
        parent, "Add a fallback", "If the model fails, try this one next:", choices, 0, True
    )
    return model.strip() if ok and model.strip() else None


class ErrorActionHandler(QObject):
    """Carries out an error card's action for the chat panel.

    ``resend`` answers the last prompt again; ``ask_key`` opens the key dialog;
    ``open_settings`` shows the connection settings. ``is_current(msg_id)`` tells whether the
    card is the conversation's last answer: a fix on an older card changes the options but does
    not resend (``resend`` would replace the last answer, not that one). Without it every card
    counts as current (the chat panel's ``regenerate`` still refuses for an older card).
    """

    STALE = "Options changed; send again to use them."

    def __init__(
        self,
        routing: RoutingState,
        *,
        parent_widget: QWidget,
        primary_model: Callable[[], str],
        resend: Callable[[], None],
        ask_key: Callable[[], None],
        open_settings: Callable[[], None],
        status: Callable[[str], None],
        is_current: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self._routing = routing
        self._parent = parent_widget
        self._primary = primary_model
        self._resend = resend
        self._ask_key = ask_key
        self._open_settings = open_settings
        self._status = status
        self._is_current = is_current
        self.ask_model: Callable[[QWidget, set[str]], str | None] = ask_fallback_model

    def handle(self, msg_id: str, action_id: str) -> None:
        name, _, arg = action_id.partition(":")
        current = self._is_current is None or not msg_id or self._is_current(msg_id)
        again = "Answering again…" if current else self.STALE
        if name == "reenter_key":
            self._ask_key()
        elif name == "open_settings":
            self._open_settings()
        elif name == "retry_on_code" and arg.isdigit():
            self._routing.retry_on_code(int(arg))
            self._status(f"The router now retries on {arg}. {again}")
            self._resend_if(current)
        elif name == "add_fallback":
            taken = {f.get("model", "") for f in self._routing.orq().get("fallbacks", [])}
            model = self.ask_model(self._parent, taken | {self._primary()})
            if model and self._routing.add_fallback(model):
                self._status(f"{model} added as a fallback. {again}")
                self._resend_if(current)
        elif name == "raise_timeout":
            ms = self._routing.raise_timeout()
            self._status(f"Each attempt may now take {ms / 1000:g} s. {again}")
            self._resend_if(current)
        elif name == "retry":
            if current:
                self._resend()
            else:
                self._status("Only the last answer can be answered again.")

    def _resend_if(self, current: bool) -> None:
        if current:
            self._resend()

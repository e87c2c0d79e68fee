"""One compare column: a compact header (model, Parameters…, Routing…, Stop, a menu) over the
answer, shown with the chat's own transcript widgets (message view, footer, error card).

The column holds its configuration (model, parameters, and its own ``RoutingState`` so that the
error cards' one-click fixes edit this column's routing only) and shows what the view tells it;
it never talks to the run. Its signals say what the user asked for; the view acts on them.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QColor, QFont, QPalette
from PySide6.QtWidgets import QFrame, QMenu, QPushButton, QSizePolicy, QToolButton, QWidget

from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.compare_types import ColumnConfig, ColumnResult
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.answer_footer import format_seconds
from orq_desktop.ui.compare_dialogs import ParamsDialog, RoutingDialog
from orq_desktop.ui.compare_fit import wrap_rows
from orq_desktop.ui.layout import em, hbox, spacing, vbox
from orq_desktop.ui.message_view import plain_label
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.model_picker import ModelPicker
from orq_desktop.ui.transcript import TranscriptView
from orq_desktop.ui.widgets_labels import QuietLabel

_SHORT = {
    "temperature": "temp",
    "top_p": "top P",
    "max_completion_tokens": "max tokens",
    "seed": "seed",
    "frequency_penalty": "freq",
    "presence_penalty": "presence",
}


def describe_config(config: ColumnConfig) -> str:
    """One line: the parameters set and the routing options on (``model defaults`` if none)."""
    options = config.options
    parts = [
        f"{_SHORT[k]} {options[k]:g}" for k in _SHORT if isinstance(options.get(k), int | float)
    ]
    if options.get("reasoning_effort"):
        parts.append(f"reasoning {options['reasoning_effort']}")
    if isinstance(options.get("response_format"), dict):
        parts.append(str(options["response_format"].get("type", "")).replace("_", " "))
    if options.get("stop"):
        parts.append("stop sequences")
    if options.get("stream") is False:
        parts.append("not streamed")
    orq = config.orq
    retry = orq.get("retry") if isinstance(orq.get("retry"), dict) else None
    if retry:
        codes = ", ".join(str(c) for c in retry.get("on_codes", []))
        parts.append(f"retry {retry.get('count', 3)}×" + (f" on {codes}" if codes else ""))
    if fallbacks := orq.get("fallbacks"):
        parts.append(f"{len(fallbacks)} fallback{'s' if len(fallbacks) != 1 else ''}")
    if isinstance(orq.get("timeout"), dict) and "call_timeout" in orq["timeout"]:
        parts.append(f"timeout {orq['timeout']['call_timeout'] / 1000:g} s")
    if orq.get("cache"):
        parts.append("cache")
    if orq.get("load_balancer"):
        parts.append("load balancer")
    return " · ".join(parts) if parts else "model defaults"


class CompareColumn(QFrame):
    """A column's settings and its answer.

    Signals:
        stop_requested(): stop this column's answer.
        retry_requested(): ask this column again (Regenerate, an error card's "Try again").
        remove_requested()
        use_as_primary_requested()
        add_to_fallbacks_requested()
        open_as_chat_requested()
        error_action(action_id): an error card fix; the view applies it to this column.
        timeline_requested(trace_id): show the attempts behind an answer or an error.
        changed(): the model, parameters or routing changed.
    """

    stop_requested = Signal()
    retry_requested = Signal()
    remove_requested = Signal()
    use_as_primary_requested = Signal()
    add_to_fallbacks_requested = Signal()
    open_as_chat_requested = Signal()
    error_action = Signal(str)
    timeline_requested = Signal(str)
    changed = Signal()

    _ids = itertools.count(1)

    def __init__(self, config: ColumnConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(em(self, 20))
        self._params: dict[str, Any] = {}
        self._label = ""
        self._msg_id: str | None = None
        self._model = config.model
        self.result: ColumnResult | None = None
        self.busy = False
        self.routing = RoutingState(parent=self)
        gap = spacing(self)

        self.swatch = QFrame(self)
        self.swatch.setObjectName("columnSwatch")
        self.swatch.setFixedSize(em(self, 0.8), em(self, 0.8))
        self.swatch.setAutoFillBackground(True)
        self.number = plain_label("", "columnNumber", self)
        bold = QFont(self.number.font())
        bold.setBold(True)
        self.number.setFont(bold)
        self.model_picker = ModelPicker(parent=self)
        self.model_picker.setMinimumContentsLength(10)
        self.model_picker.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.menu_button = QToolButton(self)
        self.menu_button.setObjectName("columnMenu")
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip("More for this column")
        self.menu_button.setAccessibleName("Column actions")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self)
        self.use_action = self._menu_action("Use as primary", self.use_as_primary_requested)
        self.use_action.setToolTip("Make this model the chat's model")
        self.fallback_action = self._menu_action(
            "Add to fallbacks", self.add_to_fallbacks_requested
        )
        self.open_action = self._menu_action("Open as chat", self.open_as_chat_requested)
        self.menu.addSeparator()
        self.retry_action = self._menu_action("Ask this column again", self.retry_requested)
        self.preset_menu = self.menu.addMenu("Settings from")
        self.menu.addSeparator()
        self.remove_action = self._menu_action("Remove column", self.remove_requested)
        self.menu_button.setMenu(self.menu)

        self.params_button = self._button("Parameters…", "columnParams", self.edit_params)
        self.routing_button = self._button("Routing…", "columnRouting", self.edit_routing)
        self.stop_button = self._button("Stop", "columnStop", self.stop_requested.emit)
        self.stop_button.setToolTip("Stop this column's answer; the others continue")
        self.status = plain_label("", "columnStatus", self)
        self.summary = QuietLabel("", self)
        self.summary.setObjectName("columnSummary")
        self.transcript = TranscriptView(self)
        self.transcript.setObjectName("compareTranscript")
        self.transcript.setFrameShape(QFrame.Shape.NoFrame)

        head = hbox(0, gap // 2, self.swatch, self.number, self.model_picker, self.menu_button)
        head.setStretch(2, 1)
        tools = hbox(0, gap // 2, self.params_button, self.routing_button, None, self.stop_button)
        state = hbox(0, gap, self.status, self.summary)
        state.setStretch(1, 1)
        self.setLayout(vbox(gap // 2, gap // 2, head, tools, state, self.transcript))

        self.model_picker.model_changed.connect(self._on_model_changed)
        self.routing.changed.connect(self._on_config_changed)
        self.transcript.error_action.connect(lambda _msg, action: self.error_action.emit(action))
        self.transcript.regenerate_requested.connect(lambda _msg: self.retry_requested.emit())
        self.transcript.timeline_requested.connect(self.timeline_requested)
        self.set_config(config)
        self.set_busy(False)

    # -- configuration ------------------------------------------------------------------------

    def config(self) -> ColumnConfig:
        options: dict[str, Any] = {
            "model": self.model_picker.model_id(),
            **copy.deepcopy(self._params),
        }
        if orq := self.routing.orq():
            options["orq"] = orq
        return ColumnConfig(options, self._label)

    def set_config(self, config: ColumnConfig) -> None:
        self._params = config.params
        self._label = config.label
        self.model_picker.blockSignals(True)
        try:
            self.model_picker.set_model_id(config.model)
        finally:
            self.model_picker.blockSignals(False)
        self.routing.blockSignals(True)
        try:
            self.routing.set_orq(config.orq)
        finally:
            self.routing.blockSignals(False)
        self._on_config_changed()

    def model(self) -> str:
        return self.model_picker.model_id()

    def set_number(self, number: int, color: QColor) -> None:
        self.number.setText(str(number))
        self.setAccessibleName(f"Column {number}")
        palette = self.swatch.palette()
        palette.setColor(QPalette.ColorRole.Window, color)
        self.swatch.setPalette(palette)

    def validity(self) -> str | None:
        return self.model_picker.reason()

    def fix_routing(self, action_id: str, ask_model: Callable[[set[str]], str | None]) -> bool:
        """Apply an error card's routing fix to this column; True when it changed (ask again)."""
        name, _, arg = action_id.partition(":")
        if name == "retry_on_code" and arg.isdigit():
            self.routing.retry_on_code(int(arg))
            return True
        if name == "raise_timeout":
            self.routing.raise_timeout()
            return True
        if name == "add_fallback":
            taken = {f.get("model", "") for f in self.routing.orq().get("fallbacks", [])}
            model = ask_model(taken | {self.model()})
            return bool(model) and self.routing.add_fallback(model or "")
        return False

    # -- dialogs ------------------------------------------------------------------------------

    def edit_params(self) -> ParamsDialog:
        """Open the parameters dialog (model and parameters); OK applies them."""
        dialog = ParamsDialog(
            {"model": self.model(), **self._params},
            f"Column {self.number.text()}: parameters",
            self,
        )
        dialog.accepted.connect(lambda: self._apply_params(dialog.options()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def edit_routing(self) -> RoutingDialog:
        """Open the routing dialog (the options editor); OK applies the ``orq`` object."""
        dialog = RoutingDialog(
            self.routing.orq(), self.model(), f"Column {self.number.text()}: routing", self
        )
        dialog.accepted.connect(lambda: self.routing.set_orq(dialog.orq()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # -- the answer ---------------------------------------------------------------------------

    def begin(self, model: str) -> None:
        """A new answer starts: the old one is cleared. The answer's widgets are made with its
        first text (so six columns starting at once do not build six answers in one go)."""
        if self._msg_id is not None or self.transcript.message_ids():
            self.transcript.clear()
        self.result = None
        self._model = model
        self._msg_id = None
        self.status.setText("Waiting…")

    def append(self, text: str) -> None:
        """Buffer a piece of the answer (it is shown by the next ``render_now``)."""
        self.transcript.append_delta(self._message_id(), text)
        if self.busy and self.status.text() != "Streaming…":
            self.status.setText("Streaming…")

    def render_now(self) -> None:
        """Render what was appended now (the view's shared timer), not at the answer's own."""
        message = self.transcript.message_widget(self._msg_id) if self._msg_id else None
        if isinstance(message, AssistantMessage):
            message.stream.flush()

    def set_result(self, result: ColumnResult) -> None:
        """How the answer ended (its status and actions); :meth:`finish` shows it."""
        self.result = result
        self.status.setText(_status_text(result))
        self._refresh_actions()

    def finish(self, result: ColumnResult) -> None:
        """Show the answer's end: the final text, its state, the footer, the error card."""
        self.set_result(result)
        if result.text or result.state is not MessageState.ERROR:
            self.transcript.finish_assistant_message(
                self._message_id(), result.text, result.state, result.info
            )
        if result.error is not None:
            msg_id = self._msg_id or f"compare-{next(self._ids)}"
            self._msg_id = msg_id
            self.transcript.add_error_card(msg_id, result.error)
            if (card := self.transcript.error_card(msg_id)) is not None:
                wrap_rows(card)

    def _message_id(self) -> str:
        """The answer's id, its widgets made on first use."""
        if self._msg_id is None:
            self._msg_id = f"compare-{next(self._ids)}"
            self.transcript.begin_assistant_message(self._msg_id, self._model)
            message = self.transcript.message_widget(self._msg_id)
            if isinstance(message, AssistantMessage):
                wrap_rows(message)  # its header: who answered, Copy, Regenerate
                wrap_rows(message.footer)
        return self._msg_id

    def show_result(self, result: ColumnResult) -> None:
        """Show a finished answer at once (from the history)."""
        self.begin(result.info.primary_model or result.config.model)
        self.finish(result)

    def clear_answer(self) -> None:
        self.transcript.clear()
        self._msg_id = None
        self.result = None
        self.status.setText("")
        self._refresh_actions()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.stop_button.setEnabled(busy)
        for widget in (self.model_picker, self.params_button, self.routing_button):
            widget.setEnabled(not busy)
        self._refresh_actions()

    # -- internals ----------------------------------------------------------------------------

    def _menu_action(self, text: str, signal: Any) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(lambda _checked=False: signal.emit())
        return action

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _apply_params(self, options: dict[str, Any]) -> None:
        self._params = {k: v for k, v in options.items() if k not in ("model", "orq")}
        self.model_picker.set_model_id(str(options.get("model", self.model())))
        self._on_config_changed()

    def _refresh_actions(self) -> None:
        has_text = self.result is not None and bool(self.result.text)
        self.open_action.setEnabled(has_text and not self.busy)
        self.retry_action.setEnabled(not self.busy)
        self.remove_action.setEnabled(not self.busy)
        valid = self.validity() is None
        self.use_action.setEnabled(valid)
        self.fallback_action.setEnabled(valid)

    def _on_model_changed(self, _model: str) -> None:
        self._on_config_changed()

    def _on_config_changed(self, *_args: object) -> None:
        config = self.config()
        summary = describe_config(config)
        if self._label:
            summary = f"{self._label} · {summary}"
        self.summary.set_full_text(summary)
        self.params_button.setToolTip(f"Model and parameters: {describe_config(config)}")
        self._refresh_actions()
        self.changed.emit()


def _status_text(result: ColumnResult) -> str:
    total = result.info.total_s
    took = f" in {format_seconds(total)}" if total is not None else ""
    if result.state is MessageState.COMPLETE:
        return f"Done{took}"
    if result.state is MessageState.STOPPED:
        return "Stopped"
    if result.error is not None:
        return result.error.title
    return result.state.value.capitalize()

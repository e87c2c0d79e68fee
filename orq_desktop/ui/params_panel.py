"""The model and its parameters: every parameter can be left unset (the model's default)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.domain.catalogue import REASONING_EFFORTS
from orq_desktop.ui.layout import em, hbox, line_height, spacing
from orq_desktop.ui.model_picker import ModelPicker
from orq_desktop.ui.widgets_chips import StopSequencesEdit
from orq_desktop.ui.widgets_collapsible import CollapsibleSection
from orq_desktop.ui.widgets_inline import InlineMessage
from orq_desktop.ui.widgets_optional import Number, OptionalNumber
from orq_desktop.ui.widgets_schema import SchemaEditor

# (key, label, minimum, maximum, default shown while unset, decimals, step, help)
_NUMBERS: tuple[tuple[str, str, Number, Number, Number, int, Number, str], ...] = (
    ("temperature", "Temperature", 0, 2, 1, 2, 0.1, "Higher is more varied, lower more focused."),
    ("top_p", "Top P", 0, 1, 1, 2, 0.05, "Only sample from the most likely words (nucleus)."),
    (
        "max_completion_tokens",
        "Max tokens",
        1,
        1_000_000,
        1024,
        0,
        64,
        "The longest answer, in tokens.",
    ),
    ("seed", "Seed", -(2**31), 2**31 - 1, 0, 0, 1, "The same seed tends to repeat an answer."),
    ("frequency_penalty", "Frequency penalty", -2, 2, 0, 2, 0.1, "Discourage repeated words."),
    ("presence_penalty", "Presence penalty", -2, 2, 0, 2, 0.1, "Encourage new topics."),
)

_FORMATS: tuple[tuple[str, str | None], ...] = (
    ("Default (not sent)", None),
    ("Plain text", "text"),
    ("Any JSON object", "json_object"),
    ("JSON matching a schema", "json_schema"),
)

_SHORT = {
    "temperature": "temp",
    "max_completion_tokens": "max tokens",
    "top_p": "top P",
    "frequency_penalty": "freq",
    "presence_penalty": "presence",
    "seed": "seed",
}


class ParamsPanel(QWidget):
    """The model picker and a collapsible "Parameters" section.

    :meth:`options` returns the SDK keyword arguments (without ``messages``): ``model``,
    ``stream`` and only the parameters the user set.

    Signals:
        changed(): any option changed.
    """

    changed = Signal()
    KEYS = frozenset(
        {"model", "stream", "stop", "reasoning_effort", "response_format"}
        | {n[0] for n in _NUMBERS}
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self.model_picker = ModelPicker(parent=self)
        self._model_message = InlineMessage(self)
        model_label = QLabel("&Model", self)
        model_label.setBuddy(self.model_picker)

        grid_host = QWidget(self)
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(gap)
        grid.setVerticalSpacing(gap // 2)
        grid.setColumnMinimumWidth(2, em(self, 1.5))
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        self._numbers: dict[str, OptionalNumber] = {}
        for i, (key, label, low, high, default, decimals, step, help_text) in enumerate(_NUMBERS):
            number = OptionalNumber(
                label,
                minimum=low,
                maximum=high,
                default=default,
                decimals=decimals,
                step=step,
                help_text=help_text,
                parent=grid_host,
            )
            number.check.setObjectName(f"{key}Check")
            number.spin.setObjectName(f"{key}Spin")
            number.changed.connect(self._on_any_changed)
            self._numbers[key] = number
            row, col = divmod(i, 2)
            grid.addWidget(number.check, row, col * 3)
            grid.addWidget(number.spin, row, col * 3 + 1)
        row = (len(_NUMBERS) + 1) // 2

        self._effort = QComboBox(grid_host)
        self._effort.setObjectName("reasoningEffort")
        self._effort.addItem("Default (not sent)", None)
        for effort in REASONING_EFFORTS:
            self._effort.addItem(effort, effort)
        self._effort.setToolTip("How hard a reasoning model thinks before answering.")
        self._stream = QCheckBox("Stream the answer as it is written", grid_host)
        self._stream.setObjectName("streamCheck")
        self._stream.setChecked(True)
        grid.addWidget(self._label("Reasoning effort", self._effort, grid_host), row, 0)
        grid.addWidget(self._effort, row, 1)
        grid.addWidget(self._stream, row, 3, 1, 2)
        row += 1

        self._stops = StopSequencesEdit(grid_host)
        self._stops.setObjectName("stopSequences")
        self._stop_message = InlineMessage(grid_host)
        stop_label = self._label("Stop sequences", self._stops.line_edit, grid_host)
        grid.addWidget(stop_label, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self._stops, row, 1, 1, 4)
        grid.addWidget(self._stop_message, row + 1, 1, 1, 4)
        row += 2

        self._format = QComboBox(grid_host)
        self._format.setObjectName("responseFormat")
        for text, value in _FORMATS:
            self._format.addItem(text, value)
        self._schema = SchemaEditor(grid_host)
        reset = QPushButton("Reset to defaults", grid_host)
        reset.setObjectName("resetParams")
        reset.setToolTip("Unset every parameter (the model's defaults apply).")
        reset.clicked.connect(self.reset)
        grid.addWidget(self._label("Response format", self._format, grid_host), row, 0)
        grid.addWidget(self._format, row, 1)
        grid.addWidget(reset, row, 4, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self._schema, row + 1, 1, 1, 4)

        # The grid scrolls inside a height the chat panel caps, so the transcript keeps room.
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("paramsScroll")
        self.scroll.setWidget(grid_host)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._max_height = line_height(self, 20)
        self.section = CollapsibleSection("Parameters", self.scroll, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(gap // 2)
        self.model_picker.setMinimumWidth(em(self, 22))
        self.model_picker.setMaximumWidth(em(self, 40))
        model_row = hbox(0, gap, model_label, self.model_picker, self._model_message)
        model_row.setStretch(1, 2)
        model_row.setStretch(2, 3)
        model_row.addStretch(1)  # the picker keeps to the left when no message shows
        layout.addLayout(model_row)
        layout.addWidget(self.section)

        self.model_picker.model_changed.connect(self._on_any_changed)
        self._effort.currentIndexChanged.connect(self._on_any_changed)
        self._stream.toggled.connect(self._on_any_changed)
        self._stops.changed.connect(self._on_any_changed)
        self._format.currentIndexChanged.connect(self._on_any_changed)
        self._schema.changed.connect(self._on_any_changed)
        self._on_any_changed()

    # -- the form's value ---------------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """The SDK keyword arguments this form sets (no ``messages``); unset ones are absent."""
        out: dict[str, Any] = {"model": self.model_picker.model_id()}
        for key, number in self._numbers.items():
            value = number.value()
            if value is not None:
                out[key] = value
        if stops := self._stops.values():
            out["stop"] = stops
        if effort := self._effort.currentData():
            out["reasoning_effort"] = effort
        kind = self._format.currentData()
        if kind == "json_schema":
            out["response_format"] = {"type": kind, "json_schema": self._schema.value()}
        elif kind:
            out["response_format"] = {"type": kind}
        out["stream"] = self._stream.isChecked()
        return out

    def set_options(self, options: dict[str, Any]) -> list[str]:
        """Load options back (from history or a preset); returns notes on values not taken.

        Keys this form does not own (``messages``, ``orq``, …) are ignored without a note.
        """
        notes: list[str] = []
        self.blockSignals(True)
        try:
            self.reset()
            if isinstance(options.get("model"), str):
                self.model_picker.set_model_id(options["model"])
            for key, number in self._numbers.items():
                value = options.get(key)
                if isinstance(value, bool) or not isinstance(value, int | float | None):
                    notes.append(f"{number.label}: “{value!r}” is not a number; it was left unset.")
                elif note := number.set_value(value):
                    notes.append(note)
            notes += self._load_choices(options)
        finally:
            self.blockSignals(False)
        self._on_any_changed()
        return notes

    def reset(self) -> None:
        """Unset every parameter (the model stays)."""
        for number in self._numbers.values():
            number.set_value(None)
        self._stops.set_values([])
        self._effort.setCurrentIndex(0)
        self._format.setCurrentIndex(0)
        self._schema.clear()
        self._stream.setChecked(True)

    def validity(self) -> str | None:
        """The first reason these options cannot be sent, or None."""
        if reason := self.model_picker.reason():
            return reason
        if reason := self._stops.error():
            return reason
        if self._format.currentData() == "json_schema":
            return self._schema.error()
        return None

    def summary(self) -> str:
        """One line describing what is set, shown while the section is folded."""
        opts = self.options()
        parts = [f"{_SHORT[k]} {opts[k]:g}" for k in self._numbers if k in opts]
        if stops := opts.get("stop"):
            parts.append(f"{len(stops)} stop sequence{'s' if len(stops) > 1 else ''}")
        if "reasoning_effort" in opts:
            parts.append(f"reasoning {opts['reasoning_effort']}")
        if fmt := opts.get("response_format"):
            parts.append(fmt["type"].replace("_", " "))
        if not parts:
            parts.append("model defaults")
        parts.append("streamed" if opts["stream"] else "not streamed")
        return " · ".join(parts)

    # -- internals ----------------------------------------------------------------------------

    def _load_choices(self, options: dict[str, Any]) -> list[str]:
        notes: list[str] = []
        stop = options.get("stop")
        if isinstance(stop, str):
            stop = [stop]
        if isinstance(stop, list) and all(isinstance(s, str) for s in stop):
            self._stops.set_values(stop)
        elif stop is not None:
            notes.append("Stop sequences must be text; they were left out.")
        effort = options.get("reasoning_effort")
        if effort is not None:
            index = self._effort.findData(effort)
            if index < 0:
                notes.append(f"Reasoning effort “{effort}” is not one this app knows; left unset.")
            self._effort.setCurrentIndex(max(index, 0))
        fmt = options.get("response_format")
        if isinstance(fmt, dict):
            index = self._format.findData(fmt.get("type"))
            if index < 0:
                notes.append(f"Response format “{fmt.get('type')}” is unknown; left unset.")
            self._format.setCurrentIndex(max(index, 0))
            if fmt.get("type") == "json_schema" and isinstance(fmt.get("json_schema"), dict):
                self._schema.set_value(fmt["json_schema"])
        if isinstance(options.get("stream"), bool):
            self._stream.setChecked(options["stream"])
        return notes

    def set_max_height(self, height: int) -> None:
        """Cap the open parameters' height (the chat panel gives a share of its own)."""
        self._max_height = height
        self._fit_scroll()

    def _fit_scroll(self) -> None:
        wanted = self.scroll.widget().sizeHint().height()
        self.scroll.setFixedHeight(min(wanted, self._max_height))

    def _label(self, text: str, buddy: QWidget, parent: QWidget) -> QLabel:
        """A row label indented like a check box's text, so the column reads straight."""
        label = QLabel(text, parent)
        label.setBuddy(buddy)
        style = self.style()
        indent = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + style.pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing
        )
        label.setIndent(indent)
        return label

    def _on_any_changed(self, *_args: object) -> None:
        self._model_message.set_text(self.model_picker.reason())
        self._stop_message.set_text(self._stops.error())
        self._schema.setVisible(self._format.currentData() == "json_schema")
        self.section.set_summary(self.summary())
        self._fit_scroll()
        if not self.signalsBlocked():
            self.changed.emit()

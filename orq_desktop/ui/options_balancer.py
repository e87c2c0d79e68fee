"""Load balancer: weighted models the router picks from instead of the primary model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.domain.catalogue import is_valid_model_id
from orq_desktop.ui.layout import em, hbox, line_height, spacing
from orq_desktop.ui.options_base import Section, Validator
from orq_desktop.ui.options_fallbacks import add_picker
from orq_desktop.ui.widgets_inline import InlineMessage

MIN_WEIGHT = 0.001
DEFAULT_WEIGHT = 0.5


def shares(weights: list[float]) -> list[float]:
    """Each weight as a percentage of their sum (the router normalises them the same way)."""
    total = sum(w for w in weights if w > 0)
    if total <= 0:
        return [0.0 for _ in weights]
    return [100.0 * max(w, 0.0) / total for w in weights]


class ShareBar(QWidget):
    """A model's share of the traffic: a filled bar and its percentage, painted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._percent = 0.0
        self.setMinimumWidth(em(self, 6))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def percent(self) -> float:
        return self._percent

    def set_percent(self, percent: float) -> None:
        self._percent = percent
        self.setToolTip(f"{percent:.1f}% of the requests")
        self.setAccessibleName(f"{percent:.0f} percent")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(em(self, 8), line_height(self, 1.2))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = QRectF(self.rect()).adjusted(0.5, 2.5, -0.5, -2.5)
        radius = rect.height() / 4
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, radius, radius)
        filled = QRectF(rect)
        filled.setWidth(rect.width() * min(max(self._percent, 0.0), 100.0) / 100.0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawRoundedRect(filled, radius, radius)
        text = f"{self._percent:.0f}%"
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        inside = filled.width() > painter.fontMetrics().horizontalAdvance(text) + em(self, 1)
        if inside:
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(
            rect.adjusted(em(self, 0.4), 0, -em(self, 0.4), 0),
            Qt.AlignmentFlag.AlignVCenter
            | (Qt.AlignmentFlag.AlignLeft if inside else Qt.AlignmentFlag.AlignRight),
            text,
        )
        painter.end()


class LoadBalancerSection(Section):
    """``load_balancer``: ``{"type": "weight_based", "models": [{model, weight}]}`` (newer
    shape) or the 4.1 list ``[{"type": "weight_based", "model", "weight"}]``; the shape loaded
    is the shape sent back, and the client converts either for the path prefix in use."""

    KEY = "load_balancer"
    TITLE = "Load balancer"
    SWITCH = "Balance between models by weight"

    def __init__(self, validator: Validator, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self._primary = ""
        self._list_shape = False
        self._rows: list[tuple[str, QDoubleSpinBox, ShareBar, list[QWidget]]] = []
        self.picker, self.add_button = add_picker(kind, "balancer", self.body)
        self.add_message = InlineMessage(self.body)
        self._grid_host = QWidget(self.body)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(spacing(self))
        self._grid.setVerticalSpacing(spacing(self) // 2)
        self._grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        add_row = hbox(0, spacing(self), self.picker, self.add_button)
        add_row.setStretch(0, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.add_message)
        layout.addWidget(self._grid_host)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.picker.lineEdit().returnPressed.connect(self._on_add_clicked)

    def set_primary_model(self, model: str) -> None:
        self._primary = model
        self.refresh()

    def entries(self) -> list[tuple[str, float]]:
        return [(model, round(spin.value(), 3)) for model, spin, _bar, _ws in self._rows]

    def shares(self) -> list[float]:
        return shares([w for _m, w in self.entries()])

    def weight_box(self, model: str) -> QDoubleSpinBox | None:
        return next((spin for m, spin, _b, _w in self._rows if m == model), None)

    def share_bars(self) -> list[ShareBar]:
        return [bar for _m, _s, bar, _w in self._rows]

    def add_model(self, model: str, weight: float = DEFAULT_WEIGHT) -> bool:
        model = model.strip()
        reason = is_valid_model_id(model)
        if reason is None and any(m == model for m, *_ in self._rows):
            reason = f"{model} is already in the load balancer: change its weight instead."
        if reason:
            self.add_message.set_text(reason)
            return False
        self.add_message.set_text(None)
        self._add_row(model, weight)
        self.edited()
        return True

    def remove_model(self, model: str) -> None:
        if self._drop_row(model):
            self._regrid()
            self.edited()

    # -- Section hooks ------------------------------------------------------------------------

    def load_value(self, value: Any) -> None:
        self._list_shape = isinstance(value, list)
        entries = value if self._list_shape else (value or {}).get("models", [])
        for model in [m for m, *_ in self._rows]:
            self._drop_row(model)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                weight = entry.get("weight", DEFAULT_WEIGHT)
                weight = weight if isinstance(weight, int | float) else DEFAULT_WEIGHT
                self._add_row(str(entry.get("model", "")), float(weight))
        self.add_message.set_text(None)

    def value(self) -> Any:
        models = [{"model": m, "weight": w} for m, w in self.entries()]
        if self._list_shape:
            return [{"type": "weight_based", **m} for m in models]
        return {"type": "weight_based", "models": models}

    def local_error(self) -> str | None:
        if not self._rows:
            return "Add at least one model to balance between, or switch this off."
        for model, _spin, *_ in self._rows:
            if reason := is_valid_model_id(model):
                return reason
        return None

    def notes(self) -> list[str]:
        if not self._rows:
            return []
        primary = f" ({self._primary} is not used)" if self._primary else ""
        return [f"The router picks one of these for each request instead of the model{primary}."]

    def summary_on(self) -> str:
        parts = [
            f"{m.split('/', 1)[-1]} {p:.0f}%"
            for (m, _w), p in zip(self.entries(), self.shares(), strict=True)
        ]
        return " · ".join(parts) if parts else "no models yet"

    # -- internals ------------------------------------------------------------------------------

    def _add_row(self, model: str, weight: float) -> None:
        label = QLabel(self._grid_host)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(
            label.fontMetrics().elidedText(model, Qt.TextElideMode.ElideMiddle, em(self, 11))
        )
        label.setToolTip(model)
        spin = QDoubleSpinBox(self._grid_host)
        spin.setDecimals(3)
        spin.setRange(0.0, 1.0)  # 0 is allowed here so the reason (minimum 0.001) can be shown
        spin.setSingleStep(0.05)
        spin.setValue(weight)
        spin.setAccessibleName(f"Weight of {model}")
        spin.setToolTip("Weight from 0.001 to 1; the shares are the weights normalised.")
        bar = ShareBar(self._grid_host)
        remove = QToolButton(self._grid_host)
        remove.setText("✕")
        remove.setAutoRaise(True)
        remove.setToolTip(f"Remove {model}")
        remove.setAccessibleName(f"Remove {model} from the load balancer")
        remove.clicked.connect(lambda _=False, m=model: self.remove_model(m))
        spin.valueChanged.connect(self.edited)
        self._rows.append((model, spin, bar, [label, spin, bar, remove]))
        self._regrid()

    def _drop_row(self, model: str) -> bool:
        for index, (m, _spin, _bar, widgets) in enumerate(self._rows):
            if m == model:
                for widget in widgets:
                    self._grid.removeWidget(widget)
                    widget.setParent(None)
                    widget.deleteLater()
                del self._rows[index]
                return True
        return False

    def _regrid(self) -> None:
        for row, (_m, _s, _b, widgets) in enumerate(self._rows):
            for column, widget in enumerate(widgets):
                self._grid.addWidget(widget, row, column)
        self._update_bars()

    def _update_bars(self) -> None:
        for bar, percent in zip(self.share_bars(), self.shares(), strict=True):
            bar.set_percent(percent)

    def refresh(self) -> None:
        self._update_bars()
        super().refresh()

    def _on_add_clicked(self) -> None:
        if self.add_model(self.picker.model_id()):
            self.picker.set_model_id("")

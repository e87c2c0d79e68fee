"""Grid mode: the same prompt with up to four models or settings at once, results side by side."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from orq_desktop.ui.layout import spacing
from orq_desktop.ui.widgets_flow import FlowLayout

MAX_VARIANTS = 4


@dataclass(frozen=True, slots=True)
class Variant:
    """One column of the grid: a model and its options (the prompt is shared)."""

    model: str
    options: dict[str, Any]
    label: str


class GridBar(QWidget):
    """The grid's columns as chips: click one to load it into the form, × to remove it.

    Signals:
        changed(): a column was added or removed.
        variant_clicked(index): load that column's settings into the form.
        add_requested(): add the form's current settings as a column.
    """

    changed = Signal()
    variant_clicked = Signal(int)
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageGridBar")
        gap = spacing(self)
        self._variants: list[Variant] = []
        self._chips: list[QWidget] = []
        self.caption = QLabel(f"Grid (up to {MAX_VARIANTS}):", self)
        self.add_button = QPushButton("Add current settings", self)
        self.add_button.setObjectName("imageGridAdd")
        self.add_button.setToolTip("Add the model and options above as another column")
        self.add_button.clicked.connect(self.add_requested.emit)
        self._flow = FlowLayout(self, gap=gap // 2)
        self._flow.addWidget(self.caption)
        self._flow.addWidget(self.add_button)
        self._refresh()

    @property
    def variants(self) -> list[Variant]:
        return list(self._variants)

    def add(self, model: str, options: dict[str, Any], label: str) -> bool:
        """Add a column; False when the grid is full or an identical column exists."""
        variant = Variant(model, copy.deepcopy(options), label)
        if len(self._variants) >= MAX_VARIANTS or any(
            v.model == model and v.options == variant.options for v in self._variants
        ):
            return False
        self._variants.append(variant)
        self._refresh()
        self.changed.emit()
        return True

    def remove(self, index: int) -> None:
        if 0 <= index < len(self._variants):
            del self._variants[index]
            self._refresh()
            self.changed.emit()

    def clear(self) -> None:
        self._variants.clear()
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        for chip in self._chips:
            self._flow.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        self._flow.removeWidget(self.add_button)
        for index, variant in enumerate(self._variants):
            chip = QWidget(self)
            chip.setObjectName(f"imageGridVariant{index}")
            row = QHBoxLayout(chip)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(0)
            body = QToolButton(chip)
            body.setText(f"{index + 1}. {variant.label}")
            body.setToolTip("Load these settings into the form")
            body.clicked.connect(lambda _=False, i=index: self.variant_clicked.emit(i))
            close = QToolButton(chip)
            close.setText("×")
            close.setAccessibleName(f"Remove column {index + 1}")
            close.setToolTip("Remove this column")
            close.clicked.connect(lambda _=False, i=index: self.remove(i))
            row.addWidget(body)
            row.addWidget(close)
            self._flow.addWidget(chip)
            self._chips.append(chip)
        self._flow.addWidget(self.add_button)
        full = len(self._variants) >= MAX_VARIANTS
        self.add_button.setEnabled(not full)
        self.add_button.setToolTip(
            f"The grid holds at most {MAX_VARIANTS} columns" if full
            else "Add the model and options above as another column"
        )  # fmt: skip
        self._flow.invalidate()

"""A number parameter with an explicit "unset" state: a check box that enables a spin box."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QDoubleSpinBox, QSpinBox, QWidget

from orq_desktop.ui.layout import em

Number = int | float


def _fmt(value: Number) -> str:
    return f"{value:g}"


class OptionalNumber(QObject):
    """One optional number: unchecked means "not sent, the model's default applies".

    The check box and the spin box are separate widgets so a form can align them in columns.

    Signals:
        changed(): the value or the set/unset state changed.
    """

    changed = Signal()

    def __init__(
        self,
        label: str,
        *,
        minimum: Number,
        maximum: Number,
        default: Number,
        decimals: int = 0,
        step: Number = 1,
        help_text: str = "",
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._decimals = decimals
        self.check = QCheckBox(label, parent)
        spin: QAbstractSpinBox
        if decimals:
            dspin = QDoubleSpinBox(parent)
            dspin.setDecimals(decimals)
            dspin.setRange(float(minimum), float(maximum))
            dspin.setSingleStep(float(step))
            dspin.setValue(float(default))
            dspin.valueChanged.connect(self._on_value_changed)
            spin = dspin
        else:
            ispin = QSpinBox(parent)
            ispin.setRange(int(minimum), int(maximum))
            ispin.setSingleStep(int(step))
            ispin.setValue(int(default))
            ispin.valueChanged.connect(self._on_value_changed)
            spin = ispin
        spin.setAccelerated(True)
        spin.setMinimumWidth(em(parent, 6))
        spin.setAccessibleName(label)
        self.spin = spin
        tip = f"{help_text}\nRange {_fmt(minimum)} to {_fmt(maximum)}. Unchecked: not sent."
        self.check.setToolTip(tip.strip())
        spin.setToolTip(tip.strip())
        self.check.toggled.connect(self._on_check_toggled)
        self._on_check_toggled(False)

    @property
    def minimum(self) -> Number:
        return self._spin_range()[0]

    @property
    def maximum(self) -> Number:
        return self._spin_range()[1]

    def is_set(self) -> bool:
        return self.check.isChecked()

    def value(self) -> Number | None:
        """The number to send, or None when unset."""
        if not self.is_set():
            return None
        if isinstance(self.spin, QDoubleSpinBox):
            return round(self.spin.value(), self._decimals)
        assert isinstance(self.spin, QSpinBox)
        return self.spin.value()

    def set_value(self, value: Number | None) -> str | None:
        """Set (or unset, with None) the value; returns a note when it had to be clamped."""
        if value is None:
            self.check.setChecked(False)
            return None
        low, high = self._spin_range()
        clamped = min(max(value, low), high)
        if isinstance(self.spin, QDoubleSpinBox):
            self.spin.setValue(float(clamped))
        else:
            assert isinstance(self.spin, QSpinBox)
            self.spin.setValue(int(clamped))
        self.check.setChecked(True)
        if clamped != value:
            return (
                f"{self.label} {_fmt(value)} is outside {_fmt(low)} to {_fmt(high)}; "
                f"it was set to {_fmt(clamped)}."
            )
        return None

    def _spin_range(self) -> tuple[Number, Number]:
        if isinstance(self.spin, QDoubleSpinBox):
            return self.spin.minimum(), self.spin.maximum()
        assert isinstance(self.spin, QSpinBox)
        return self.spin.minimum(), self.spin.maximum()

    def _on_check_toggled(self, checked: bool) -> None:
        self.spin.setEnabled(checked)
        self.changed.emit()

    def _on_value_changed(self, _value: object) -> None:
        if self.is_set():
            self.changed.emit()

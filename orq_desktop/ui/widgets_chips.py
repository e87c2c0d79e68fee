"""Stop sequences as removable chips, typed one at a time into a line edit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QToolButton, QVBoxLayout, QWidget

from orq_desktop.ui.layout import em, spacing
from orq_desktop.ui.widgets_flow import FlowLayout

MAX_STOP_SEQUENCES = 4  # CONTRACT §3: `stop` takes at most 4 strings

_ESCAPES = (("\\n", "\n"), ("\\t", "\t"))


def unescape(typed: str) -> str:
    r"""Turn the two escapes people type for invisible characters (``\n``, ``\t``) into them."""
    for shown, real in _ESCAPES:
        typed = typed.replace(shown, real)
    return typed


def escape(value: str) -> str:
    """The visible form of a stop sequence (newlines and tabs written as escapes)."""
    for shown, real in _ESCAPES:
        value = value.replace(real, shown)
    return value


class StopSequencesEdit(QWidget):
    """Up to four stop sequences: type one, press Enter; click a chip to remove it.

    More than four can be loaded (from a preset or history); the form then reports it
    through :meth:`error` instead of dropping any silently.

    Signals:
        changed(): a sequence was added or removed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[str] = []
        self._input = QLineEdit(self)
        self._input.setObjectName("stopInput")
        self._input.setPlaceholderText(r"Type a stop sequence, press Enter (\n = new line)")
        self._input.setAccessibleName("New stop sequence")
        self._input.setClearButtonEnabled(True)
        self._input.returnPressed.connect(self._on_input_return)
        self._chips_host = QWidget(self)
        self._chips = FlowLayout(self._chips_host, gap=spacing(self) // 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        layout.addWidget(self._input)
        layout.addWidget(self._chips_host)
        self._rebuild()

    @property
    def line_edit(self) -> QLineEdit:
        return self._input

    def values(self) -> list[str]:
        return list(self._values)

    def set_values(self, values: list[str]) -> None:
        self._values = [v for v in values if v]
        self._rebuild()
        self.changed.emit()

    def add(self, value: str) -> bool:
        """Add one sequence (escapes already resolved); False when empty or a duplicate."""
        if not value or value in self._values:
            return False
        self._values.append(value)
        self._rebuild()
        self.changed.emit()
        return True

    def remove(self, value: str) -> None:
        if value in self._values:
            self._values.remove(value)
            self._rebuild()
            self.changed.emit()

    def error(self) -> str | None:
        count = len(self._values)
        if count > MAX_STOP_SEQUENCES:
            return (
                f"At most {MAX_STOP_SEQUENCES} stop sequences are allowed "
                f"(you have {count}): remove {count - MAX_STOP_SEQUENCES}."
            )
        return None

    def _on_input_return(self) -> None:
        if self.add(unescape(self._input.text())):
            self._input.clear()

    def _rebuild(self) -> None:
        while (item := self._chips.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        for value in self._values:
            chip = QToolButton(self._chips_host)
            shown = escape(value)
            elided = self.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideRight, em(self, 10))
            chip.setText(f"{elided}  ✕")
            chip.setToolTip(f"Stop at “{shown}”. Click to remove.")
            chip.setAccessibleName(f"Remove stop sequence {shown}")
            chip.setProperty("stopValue", value)
            chip.clicked.connect(lambda _=False, v=value: self.remove(v))
            self._chips.addWidget(chip)
        full = len(self._values) >= MAX_STOP_SEQUENCES
        self._input.setEnabled(not full)
        self._input.setPlaceholderText(
            "Four stop sequences: remove one to add another"
            if full
            else r"Type a stop sequence, press Enter (\n = new line)"
        )
        self._chips_host.setVisible(bool(self._values))
        self._chips_host.updateGeometry()

"""What every section of the routing options editor shares: the on/off switch, the inline reason,
notes, tag chips, a seconds box, and validation against the real request models.

A section edits one field of the ``orq`` object (CONTRACT §4). Off, it sends nothing; on, its
:meth:`Section.value` is the wire fragment (``{"count": 3, "on_codes": [429]}`` for ``retry``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui.layout import em, spacing
from orq_desktop.ui.widgets_flow import FlowLayout
from orq_desktop.ui.widgets_inline import INFORMATION, InlineMessage

Validator = Callable[[dict[str, Any]], list[str]]
"""Checks an ``orq`` dict with the request models; returns plain-words lines (empty: valid)."""


def model_validator(kind: str) -> Validator:
    """Validation by ``Orq`` (chat) or ``ImageOrq`` (image), in plain words."""
    from pydantic import ValidationError

    from orq_desktop.api.models import ImageOrq, Orq, friendly_errors

    model = ImageOrq if kind == "image" else Orq

    def check(orq: dict[str, Any]) -> list[str]:
        try:
            model.model_validate(orq)
        except ValidationError as exc:
            return friendly_errors(exc)
        return []

    return check


def without_location(line: str, key: str) -> str:
    """ "retry › count: Retry attempts must…" → "Retry attempts must…" (the section says where)."""
    where, sep, text = line.partition(": ")
    if sep and (where == key or where.startswith(f"{key} ›")):
        return text
    return line


class NoteLabel(InlineMessage):
    """A piece of advice beside a field (not an error): an :class:`InlineMessage` with an info
    icon (or the one given) in the palette's own text colour."""

    def __init__(
        self, parent: QWidget | None = None, icon: QStyle.StandardPixmap = INFORMATION
    ) -> None:
        super().__init__(parent, icon, as_error=False)


class SecondsBox(QDoubleSpinBox):
    """Seconds with up to three decimals, shown without trailing zeros ("30 s", "1.25 s")."""

    def __init__(self, maximum: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(3)
        self.setRange(0.0, maximum)
        self.setSingleStep(1.0)
        self.setSuffix(" s")
        self.setAccelerated(True)
        self.setMinimumWidth(em(self, 7))

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        return f"{round(value, 3):g}"


class TagsEdit(QWidget):
    """Short labels as removable chips: type one (or several, comma-separated), press Enter.

    Signals:
        changed(): a tag was added or removed.
    """

    changed = Signal()

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self._values: list[str] = []
        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText(f"Type a {what}, press Enter")
        self.line_edit.setAccessibleName(f"New {what}")
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.returnPressed.connect(self._on_return)
        self._host = QWidget(self)
        self._chips = FlowLayout(self._host, gap=spacing(self) // 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        layout.addWidget(self.line_edit)
        layout.addWidget(self._host)
        self._rebuild()

    def values(self) -> list[str]:
        return list(self._values)

    def set_values(self, values: list[str]) -> None:
        self._values = []
        for value in values:
            if value and value not in self._values:
                self._values.append(value)
        self._rebuild()

    def add(self, text: str) -> bool:
        """Add each comma-separated tag in ``text``; False when none was new."""
        added = False
        for part in text.split(","):
            tag = part.strip()
            if tag and tag not in self._values:
                self._values.append(tag)
                added = True
        if added:
            self._rebuild()
            self.changed.emit()
        return added

    def remove(self, tag: str) -> None:
        if tag in self._values:
            self._values.remove(tag)
            self._rebuild()
            self.changed.emit()

    def chip_buttons(self) -> list[QToolButton]:
        return [b for b in self._host.findChildren(QToolButton) if b.property("tagValue")]

    def _on_return(self) -> None:
        if self.add(self.line_edit.text()):
            self.line_edit.clear()

    def _rebuild(self) -> None:
        while (item := self._chips.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.setProperty("tagValue", None)
                widget.deleteLater()
        for tag in self._values:
            chip = QToolButton(self._host)
            shown = self.fontMetrics().elidedText(tag, Qt.TextElideMode.ElideRight, em(self, 12))
            chip.setText(f"{shown}  ✕")
            chip.setToolTip(f"{self._what.capitalize()} “{tag}”. Click to remove.")
            chip.setAccessibleName(f"Remove {self._what} {tag}")
            chip.setProperty("tagValue", tag)
            chip.clicked.connect(lambda _=False, t=tag: self.remove(t))
            self._chips.addWidget(chip)
        self._host.setVisible(bool(self._values))
        self._host.updateGeometry()


def compact_form(parent: QWidget) -> QFormLayout:
    """A form whose long rows wrap under their label, so it fits a narrow dock."""
    layout = QFormLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setHorizontalSpacing(spacing(parent))
    layout.setVerticalSpacing(spacing(parent) // 2)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return layout


class Section(QWidget):
    """One field of the ``orq`` object. Subclasses build ``self.body`` and fill in the hooks.

    Hooks: ``load_value(value)`` (shows a wire fragment), ``value()`` (the wire fragment),
    ``local_error()`` (checks the models cannot make, in plain words), ``notes()`` (advice that
    does not block sending) and ``summary_on()`` (one line for the folded section).

    Signals:
        changed(): the user changed something in this section (not sent while loading).
    """

    changed = Signal()

    KEY: ClassVar[str]
    TITLE: ClassVar[str]
    SWITCH: ClassVar[str | None] = None  # the on/off check box's text; None: always on
    DEFAULT_ON: ClassVar[bool] = False

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{self.KEY}Section")
        self._validator = validator
        self._loading = False
        self.last_error: str | None = None  # error() as of the last refresh
        self.switch: QCheckBox | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        if self.SWITCH is not None:
            self.switch = QCheckBox(self.SWITCH, self)
            self.switch.setObjectName(f"{self.KEY}Switch")
            self.switch.setChecked(self.DEFAULT_ON)
            self.switch.toggled.connect(self._on_switch_toggled)
            layout.addWidget(self.switch)
        self.body = QWidget(self)
        layout.addWidget(self.body)
        self.message = InlineMessage(self)
        self.message.setObjectName(f"{self.KEY}Error")
        self.note = NoteLabel(self)
        self.note.setObjectName(f"{self.KEY}Note")
        layout.addWidget(self.message)
        layout.addWidget(self.note)

    # -- hooks ------------------------------------------------------------------------------------

    def load_value(self, value: Any) -> None:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def local_error(self) -> str | None:
        return None

    def notes(self) -> list[str]:
        return []

    def summary_on(self) -> str:
        return "on"

    # -- the section's state ------------------------------------------------------------------

    def is_on(self) -> bool:
        return self.switch is None or self.switch.isChecked()

    def set_on(self, on: bool) -> None:
        if self.switch is not None:
            self.switch.setChecked(on)

    def load(self, value: Any) -> None:
        """Show ``value`` (a wire fragment), or switch the section off when it is None."""
        self._loading = True
        try:
            if value is not None:
                self.load_value(value)
            self.set_on(value is not None)
        finally:
            self._loading = False
        self.refresh()

    def dump(self) -> Any:
        """The wire fragment to send, or None when the section is off or has nothing to send."""
        return self.value() if self.is_on() else None

    def error(self) -> str | None:
        """Why this section cannot be sent as it is, or None."""
        if not self.is_on():
            return None
        if reason := self.local_error():
            return reason
        fragment = self.value()
        if fragment is None:
            return None
        lines = self._validator({self.KEY: fragment})
        return without_location(lines[0], self.KEY) if lines else None

    def summary(self) -> str:
        if not self.is_on():
            return "off"
        return self.summary_on()

    def refresh(self) -> None:
        """Bring the inline reason, the notes and the enabled state up to date."""
        on = self.is_on()
        self.body.setEnabled(on)
        self.last_error = self.error()
        self.message.set_text(self.last_error)
        self.note.set_text("\n".join(self.notes()) if on else "")

    def edited(self, *_args: object) -> None:
        """Call after any change the user made to this section's controls."""
        if self._loading:
            return
        self.refresh()
        self.changed.emit()

    def _on_switch_toggled(self, _on: bool) -> None:
        self.edited()
